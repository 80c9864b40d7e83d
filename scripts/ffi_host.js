#!/usr/bin/env node
// SPDX-License-Identifier: MIT
'use strict';
/*
 * zcbench ffi's Node.js host: a real V8 producer; koffi (from the npm
 * registry, installed by scripts/setup.sh) for the calls into native code.
 *
 * Modes (zcbench runs this; a person rarely does):
 *   call         --lib SINK.so --size S --count N
 *                per message: the record of message i written into a
 *                Buffer with typed-array stores, then zc_ffi_consume() in
 *                the sink library through koffi (a pointer, no conversion)
 *   call-marshal the same record as a JS object, which koffi converts into
 *                the C struct (plugins/ffi_msg.h's layout) on every call
 *   ring         (--fd N | --name /zc-...) --len BYTES --size S --count N
 *                --batch B: typed-array stores straight into the slots of
 *                zcbench's shared ring (lib/ring.h, layout v2, published
 *                by head), mapped with mmap through koffi; B messages per
 *                publish, one 8-byte store of head (Atomics.store)
 *   dump         --size S --count N: messages 0..N-1 on stdout (tests)
 *   probe        --need koffi: exit 0 when koffi loads (and --lib with
 *                it), else the reason on stderr
 * --koffi DIR: the koffi package (zcbench finds it); --sync FD: the
 * measured region is announced as lib/region.h says; --corrupt N (test
 * hook): message N gets a wrong price.
 *
 * The messages are those of plugins/ffi_msg.h. Prints one JSON line on
 * stdout: {"count", "host_ns", "cpu_ns", "t_start", "t_end", "cpus",
 * "verdict"?}. Errors: one line on stderr, exit 1 (2: bad arguments).
 * Nothing is left behind: a named segment is only attached (zcbench
 * created it and unlinks it); the mapping dies with the process.
 */
const fs = require('fs');

const RECS = 1024;
const PAYLOADS = 16;
const K = 0x9e3779b97f4a7c15n;
const SYMS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA', 'BRK.B', 'TSLA',
	      'ZCBENCH1'];
const RING_MAGIC = 0x0000474e4952435an;
const RING_VERSION = 2;
const RING_F_SLOT_SEQ = 1;
const CLOCK_MONOTONIC = 1;
const CLOCK_THREAD_CPUTIME_ID = 3;

class Fail extends Error {}

function parse(argv) {
	const a = {batch: 1, corrupt: -1};
	const num = ['size', 'count', 'batch', 'fd', 'len', 'sync', 'corrupt'];
	/* --key value, or --key=value */
	argv = argv.flatMap(w => /^--[^=]+=/.test(w) ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w]);
	for (let i = 0; i < argv.length; i += 2) {
		const k = argv[i].replace(/^--/, ''), v = argv[i + 1];
		if (v === undefined)
			usage(argv[i] + ' needs a value');
		if (num.includes(k)) {
			if (!/^\d+$/.test(v))
				usage(argv[i] + ': not a number: ' + v);
			a[k] = Number(v);
		} else if (['mode', 'lib', 'name', 'koffi', 'need'].includes(k)) {
			a[k] = v;
		} else {
			usage('unknown argument ' + argv[i]);
		}
	}
	const modes = ['call', 'call-marshal', 'ring', 'dump', 'probe'];
	if (!modes.includes(a.mode))
		usage('--mode must be one of ' + modes.join(', '));
	if (a.mode === 'probe')
		return a;
	if (!(a.size >= 32 && a.size <= 4096 && a.size % 8 === 0))
		usage('--size must be 32..4096, a multiple of 8');
	if (!(a.count >= 1) || !(a.batch >= 1))
		usage('--count and --batch must be at least 1');
	if (a.mode.startsWith('call') && !a.lib)
		usage('--mode ' + a.mode + ' needs --lib');
	if (a.mode === 'ring' && (a.fd === undefined) === (a.name === undefined))
		usage('--mode ring needs one of --fd or --name');
	return a;
}

function usage(msg) {
	process.stderr.write('ffi_host.js: ' + msg + '\n');
	process.exit(2);
}

function loadKoffi(a) {
	try {
		return require(a.koffi || 'koffi');
	} catch (e) {
		throw new Fail('cannot load koffi' +
			       (a.koffi ? ' from ' + a.koffi : '') + ': ' +
			       e.message.split('\n')[0]);
	}
}

/* The host's data: per record k the fields' words, and the payloads. */
function tables(size) {
	const price = new Float64Array(RECS), qty = new Uint32Array(RECS);
	const sym = [];
	for (let k = 0; k < RECS; k++) {
		price[k] = 1 + k * 0.25;
		qty[k] = 100 + 3 * k;
	}
	for (const s of SYMS) {
		const b = new Uint8Array(8);
		b.set(Buffer.from(s));
		sym.push(b);
	}
	const symw = sym.map(b => new Uint32Array(b.buffer));
	const pool = [];
	const n = size > 40 ? (size - 40) / 8 : 0;
	for (let v = 0; v < PAYLOADS; v++) {
		const p = new BigUint64Array(n);
		for (let j = 0; j < n; j++)
			p[j] = (BigInt(v + 1) * K + BigInt(j)) & 0xffffffffffffffffn;
		pool.push(new Uint8Array(p.buffer));
	}
	return {price, qty, sym, symw, pool};
}

/* Message i at byte offset off of a buffer seen as u8/u32/f64 views. */
function write(t, u8, u32, f64, off, size, i) {
	const k = i & (RECS - 1), w = off >> 2, sw = t.symw[i & 7];
	u32[w] = i % 4294967296;
	u32[w + 1] = Math.floor(i / 4294967296);
	f64[(off >> 3) + 1] = t.price[k];
	u32[w + 4] = t.qty[k];
	u32[w + 5] = sw[0];
	u32[w + 6] = sw[1];
	u32[w + 7] = ~i >>> 0;
	if (size > 32) {
		u8.set(t.pool[i & (PAYLOADS - 1)], off + 32);
		const e = (off + size - 8) >> 2;
		u32[e] = u32[w];
		u32[e + 1] = u32[w + 1];
	}
}

function libc(koffi) {
	const c = koffi.load('libc.so.6');
	const ts = koffi.struct('zc_timespec', {sec: 'int64_t', nsec: 'int64_t'});
	const gettime = c.func('clock_gettime', 'int', ['int', koffi.out(koffi.pointer(ts))]);
	return {
		koffi,
		now(clock) {
			const t = {};
			gettime(clock, t);
			return BigInt(t.sec) * 1000000000n + BigInt(t.nsec);
		},
		mmap: c.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)'),
	};
}

/* zcbench's end of the region socket (lib/region.h). */
function announce(a, what) {
	if (a.sync === undefined)
		return;
	fs.writeSync(a.sync, what);
	const r = Buffer.alloc(1);
	if (fs.readSync(a.sync, r, 0, 1, null) !== 1 || r[0] !== 0x2b)
		throw new Fail('zcbench did not answer on --sync ' + a.sync);
}

function region(a, c, body) {
	announce(a, 'b');
	const t0 = c.now(CLOCK_MONOTONIC), c0 = c.now(CLOCK_THREAD_CPUTIME_ID);
	const extra = body();
	const c1 = c.now(CLOCK_THREAD_CPUTIME_ID), t1 = c.now(CLOCK_MONOTONIC);
	announce(a, 'e');
	return {t0, t1, cpu: c1 - c0, extra};
}

function sink(koffi, a) {
	const lib = koffi.load(a.lib);
	const s = {
		begin: lib.func('int zc_ffi_sink_begin(uint32_t size)'),
		consume: lib.func('int zc_ffi_consume(const void *msg)'),
		end: lib.func('void zc_ffi_sink_end(_Out_ uint64_t *v)'),
		lib,
	};
	return s;
}

function verdict(s, bad) {
	const v = new BigUint64Array(6); /* struct zc_ffi_verdict */
	s.end(v);
	return {received: Number(v[0]), bad: Number(v[1]),
		first_bad: Number(v[2]),
		first_err: Number(BigInt.asIntN(32, v[3] & 0xffffffffn)),
		returned_bad: bad};
}

function runCall(a, c) {
	const s = sink(c.koffi, a), size = a.size, t = tables(size);
	if (s.begin(size))
		throw new Fail('zc_ffi_sink_begin(' + size + ') refused the size');
	const buf = Buffer.alloc(size);
	const ab = buf.buffer, o = buf.byteOffset;
	const u8 = new Uint8Array(ab, o, size), u32 = new Uint32Array(ab, o, size / 4);
	const f64 = new Float64Array(ab, o, size / 8);
	const consume = s.consume, count = a.count;
	let bad = 0;
	const r = region(a, c, () => {
		for (let i = 0; i < count; i++) {
			write(t, u8, u32, f64, 0, size, i);
			if (i === a.corrupt)
				f64[1] += 1;
			if (consume(buf))
				bad++;
		}
	});
	r.verdict = verdict(s, bad);
	return r;
}

function runMarshal(a, c) {
	const koffi = c.koffi, s = sink(koffi, a), size = a.size, t = tables(size);
	const fields = {id: 'uint64_t', price: 'double', quantity: 'uint32_t',
			symbol: koffi.array('uint8_t', 8), check: 'uint32_t'};
	if (size > 32) {
		if (size > 40)
			fields.payload = koffi.array('uint8_t', size - 40);
		fields.tail = 'uint64_t';
	}
	const Msg = koffi.struct('zc_ffi_msg_' + size, fields);
	if (koffi.sizeof(Msg) !== size || koffi.offsetof(Msg, 'check') !== 28)
		throw new Fail('koffi lays the message out differently');
	const consume = s.lib.func('zc_ffi_consume', 'int', [koffi.pointer(Msg)]);
	if (s.begin(size))
		throw new Fail('zc_ffi_sink_begin(' + size + ') refused the size');
	/* The application's records, as objects. */
	const recs = [];
	for (let k = 0; k < RECS; k++)
		recs.push({price: t.price[k], quantity: t.qty[k], symbol: t.sym[k & 7]});
	const count = a.count;
	let bad = 0;
	const r = region(a, c, () => {
		for (let i = 0; i < count; i++) {
			const d = recs[i & (RECS - 1)];
			const m = {id: i, price: d.price, quantity: d.quantity,
				   symbol: d.symbol, check: ~i >>> 0};
			if (size > 32) {
				if (size > 40)
					m.payload = t.pool[i & (PAYLOADS - 1)];
				m.tail = i;
			}
			if (i === a.corrupt)
				m.price += 1;
			if (consume(m))
				bad++;
		}
	});
	r.verdict = verdict(s, bad);
	return r;
}

function attach(a, c) {
	let fd = a.fd;
	if (fd === undefined) {
		try {
			fd = fs.openSync('/dev/shm' + a.name, 'r+');
		} catch (e) {
			throw new Fail("cannot open shared memory '" + a.name + "': " + e.code);
		}
	}
	const p = c.mmap(null, a.len, 3, 1, fd, 0); /* PROT_RW, MAP_SHARED */
	if (a.fd === undefined)
		fs.closeSync(fd);
	const addr = typeof p === 'bigint' ? p : c.koffi.address(p);
	if (!addr || addr === 0xffffffffffffffffn)
		throw new Fail('cannot map the ring (' + a.len + ' bytes)');
	return c.koffi.view(p, a.len);
}

function geometry(ab, a) {
	const dv = new DataView(ab);
	const magic = dv.getBigUint64(0, true), version = dv.getUint32(8, true);
	const slot = dv.getUint32(12, true), cap = Number(dv.getBigUint64(16, true));
	const iso = dv.getUint32(24, true), flags = dv.getUint32(28, true);
	const off = [32, 40, 48, 56].map(o => Number(dv.getBigUint64(o, true)));
	if (magic !== RING_MAGIC)
		throw new Fail('not a zcbench ring (bad magic 0x' + magic.toString(16) + ')');
	if (version !== RING_VERSION)
		throw new Fail('ring layout version ' + version + ', this host speaks ' + RING_VERSION);
	if (flags & RING_F_SLOT_SEQ)
		throw new Fail('ring wants each slot published by its sequence word; this host publishes batches by head');
	if (slot !== a.size || cap < 2 || (cap & (cap - 1)) || (iso !== 64 && iso !== 128) ||
	    off[0] !== iso || off[1] !== 2 * iso || off[2] !== 3 * iso ||
	    off[3] !== off[2] + cap * slot || off[3] > a.len)
		throw new Fail('ring header does not match: slot ' + slot + ' (want ' + a.size +
			       '), capacity ' + cap + ', isolation ' + iso + ', length ' + off[3] +
			       ' of ' + a.len + ' mapped');
	if (a.batch > cap)
		throw new Fail('batch ' + a.batch + ' is larger than the ring (' + cap + ' slots)');
	return {cap, prod: off[0], cons: off[1], slots: off[2]};
}

function runRing(a, c) {
	const ab = attach(a, c), g = geometry(ab, a), t = tables(a.size);
	const u8 = new Uint8Array(ab), u32 = new Uint32Array(ab), f64 = new Float64Array(ab);
	const i64 = new BigInt64Array(ab);
	const head = g.prod / 8, tail = g.cons / 8;
	/* x86-64 (TSO): the slot stores are ordered before the head store;
	 * elsewhere Atomics.store is sequentially consistent, so too. */
	if (Atomics.load(i64, head) !== 0n)
		throw new Fail('ring is not empty (head ' + Atomics.load(i64, head) + ')');
	const size = a.size, count = a.count, batch = a.batch, cap = g.cap;
	const mask = cap - 1, slots = g.slots;
	let waits = 0;
	const r = region(a, c, () => {
		let next = 0, tailCache = 0;
		while (next < count) {
			const n = Math.min(batch, count - next), end = next + n;
			while (end - tailCache > cap) {
				tailCache = Number(Atomics.load(i64, tail));
				waits++;
			}
			for (let i = next; i < end; i++) {
				const off = slots + (i & mask) * size;
				write(t, u8, u32, f64, off, size, i);
				if (i === a.corrupt)
					f64[(off >> 3) + 1] += 1;
			}
			/* publish: one aligned 8-byte store of head */
			Atomics.store(i64, head, BigInt(end));
			next = end;
		}
	});
	r.extra = {full_waits: waits};
	return r;
}

function runDump(a) {
	const size = a.size, t = tables(size), buf = Buffer.alloc(size);
	const ab = buf.buffer, o = buf.byteOffset;
	const u8 = new Uint8Array(ab, o, size), u32 = new Uint32Array(ab, o, size / 4);
	const f64 = new Float64Array(ab, o, size / 8);
	const out = [];
	for (let i = 0; i < a.count; i++) {
		write(t, u8, u32, f64, 0, size, i);
		out.push(Buffer.from(buf));
	}
	fs.writeSync(1, Buffer.concat(out));
}

function cpus() {
	const m = /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
	const out = [];
	for (const part of (m ? m[1] : '').split(',').filter(Boolean)) {
		const [lo, hi] = part.split('-').map(Number);
		for (let x = lo; x <= (hi === undefined ? lo : hi); x++)
			out.push(x);
	}
	return out;
}

function main() {
	const a = parse(process.argv.slice(2));
	try {
		if (a.mode === 'dump')
			return runDump(a);
		const koffi = loadKoffi(a);
		if (a.mode === 'probe') {
			if (a.lib)
				sink(koffi, a);
			return;
		}
		const c = libc(koffi);
		const run = {call: runCall, 'call-marshal': runMarshal, ring: runRing}[a.mode];
		const r = run(a, c);
		const res = {count: a.count, host_ns: Number(r.t1 - r.t0), cpu_ns: Number(r.cpu),
			     t_start: Number(r.t0), t_end: Number(r.t1), cpus: cpus(),
			     node: process.version};
		if (r.verdict)
			res.verdict = r.verdict;
		Object.assign(res, r.extra || {});
		process.stdout.write(JSON.stringify(res) + '\n');
	} catch (e) {
		process.stderr.write('ffi_host.js: ' + (e instanceof Fail ? e.message : e.stack) + '\n');
		process.exitCode = 1;
	}
}

main();
