#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""zcbench ffi's Python host: a real CPython producer, stdlib only.

Modes (zcbench runs this; a person rarely does):
  call  --lib SINK.so --size S --count N
        per message: take the record (a dict) of message i, pack it into
        a ctypes buffer with struct.pack_into, call zc_ffi_consume() in
        the sink library through ctypes.
  ring  (--fd N | --name /zc-...) --len BYTES --size S --count N --batch B
        the same packing, straight into the slots of zcbench's shared ring
        (lib/ring.h, layout v2, published by head) mapped with mmap; B
        messages per publish. A consumer process (C or Rust) reads them.
  ring-numpy  the same ring, as a NumPy user writes it: the slots viewed
        as an array of a structured dtype with the message's layout, a
        whole batch written with a few array assignments, published once
  dump  --size S --count N   write messages 0..N-1 to stdout (tests)
  probe [--need numpy]   exit 0 when what the mode needs imports, else
        the reason on stderr

--corrupt N (test hook): message N gets a wrong price.

--sync FD (call, ring): a socket on which the measured region is announced
(lib/region.h): b'b' before it, b'e' after it, each answered by one byte
once zcbench has started or stopped counting this process. The clock
readings of the region lie between the two, so the signalling is not
timed.

The messages are those of plugins/ffi_msg.h. Prints one JSON line on
stdout: {"count", "host_ns", "cpu_ns", "t_start", "t_end", "cpus",
"verdict"?}. Errors: one line on stderr, exit 1 (2 for bad arguments,
130 on SIGINT/SIGTERM). Nothing is left behind: a named segment is only
attached (zcbench created it and unlinks it); the mapping dies with us.
"""
import argparse
import ctypes
import json
import mmap
import os
import platform
import signal
import struct
import sys
import time

K = 0x9E3779B97F4A7C15
M64 = (1 << 64) - 1
RECS = 1024
PAYLOADS = 16
SYMS = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "BRK.B", "TSLA", "ZCBENCH1"]
RING_MAGIC = 0x0000474E4952435A
RING_VERSION = 2
RING_F_SLOT_SEQ = 1
HEAD = struct.Struct("<QdI8sI")  # id, price, quantity, symbol, check
U64 = struct.Struct("<Q")
# Plain 8-byte loads and stores (ctypes c_uint64 .value is one aligned
# mov) order like acquire/release only under x86's TSO; elsewhere the sink
# library's fenced helpers are used.
TSO = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")


class Fail(Exception):
    pass


def announce(a, what):
    """Tell zcbench the region begins (b"b") or ends (b"e"); wait for it."""
    if a.sync is None:
        return
    os.write(a.sync, what)
    if os.read(a.sync, 1) != b"+":
        raise Fail("zcbench did not answer on --sync %d" % a.sync)


def records():
    """The host's data: 1024 dicts, as an application would hold them."""
    return [{"price": 1.0 + k * 0.25, "quantity": 100 + 3 * k,
             "symbol": SYMS[k & 7]} for k in range(RECS)]


def payloads(size):
    n = (size - 40) // 8 if size > 40 else 0
    return [struct.pack("<%dQ" % n, *[((v + 1) * K + j) & M64
                                      for j in range(n)])
            for v in range(PAYLOADS)]


def damage(mv, off, a, i):
    """The test hook: message i's price is off by one."""
    if i == a.corrupt:
        struct.pack_into("<d", mv, off + 8,
                         struct.unpack_from("<d", mv, off + 8)[0] + 1)


def run_call(a):
    lib = ctypes.CDLL(a.lib)
    begin = lib.zc_ffi_sink_begin
    begin.argtypes = (ctypes.c_uint32,)
    begin.restype = ctypes.c_int
    consume = lib.zc_ffi_consume
    consume.argtypes = (ctypes.c_void_p,)
    consume.restype = ctypes.c_int
    if begin(a.size):
        raise Fail("zc_ffi_sink_begin(%d) refused the size" % a.size)
    size, recs, pool = a.size, records(), payloads(a.size)
    plen = size - 40
    buf = (ctypes.c_char * size)()
    mv = memoryview(buf).cast("B")
    addr = ctypes.addressof(buf)
    pack, pack_q = HEAD.pack_into, U64.pack_into
    bad = 0
    announce(a, b"b")
    t0, c0 = time.monotonic_ns(), time.thread_time_ns()
    if size > 32:
        for i in range(a.count):
            d = recs[i & 1023]
            pack(mv, 0, i, d["price"], d["quantity"], d["symbol"].encode(),
                 ~i & 0xFFFFFFFF)
            mv[32:32 + plen] = pool[i & 15]
            pack_q(mv, size - 8, i)
            if i == a.corrupt:
                damage(mv, 0, a, i)
            if consume(addr):
                bad += 1
    else:
        for i in range(a.count):
            d = recs[i & 1023]
            pack(mv, 0, i, d["price"], d["quantity"], d["symbol"].encode(),
                 ~i & 0xFFFFFFFF)
            if i == a.corrupt:
                damage(mv, 0, a, i)
            if consume(addr):
                bad += 1
    c1, t1 = time.thread_time_ns(), time.monotonic_ns()
    announce(a, b"e")
    v = (ctypes.c_uint64 * 6)()  # struct zc_ffi_verdict, 48 bytes
    lib.zc_ffi_sink_end(v)
    verdict = {"received": v[0], "bad": v[1], "first_bad": v[2],
               "first_err": ctypes.c_int32(v[3] & 0xFFFFFFFF).value,
               "returned_bad": bad}
    return t0, t1, c1 - c0, verdict


def attach(a):
    if a.fd is not None:
        fd = a.fd
    else:
        try:
            fd = os.open("/dev/shm" + a.name, os.O_RDWR)
        except OSError as e:
            raise Fail("cannot open shared memory '%s': %s"
                       % (a.name, e.strerror))
    try:
        return mmap.mmap(fd, a.len, mmap.MAP_SHARED,
                         mmap.PROT_READ | mmap.PROT_WRITE)
    except (OSError, ValueError) as e:
        raise Fail("cannot map the ring (%d bytes): %s" % (a.len, e))
    finally:
        os.close(fd)


def ring_geometry(mm, a):
    (magic, version, slot, cap, iso, flags, prod_off, cons_off, slots_off,
     total) = struct.unpack_from("<QIIQIIQQQQ", mm, 0)
    if magic != RING_MAGIC:
        raise Fail("not a zcbench ring (bad magic %#x)" % magic)
    if version != RING_VERSION:
        raise Fail("ring layout version %d, this host speaks %d"
                   % (version, RING_VERSION))
    if flags & RING_F_SLOT_SEQ:
        raise Fail("ring wants each slot published by its sequence word;"
                   " this host publishes batches by head")
    if (slot != a.size or cap < 2 or cap & (cap - 1) or iso not in (64, 128)
            or prod_off != iso or cons_off != 2 * iso
            or slots_off != 3 * iso or total != slots_off + cap * slot
            or total > a.len):
        raise Fail("ring header does not match: slot %d (want %d), capacity"
                   " %d, isolation %d, length %d of %d mapped"
                   % (slot, a.size, cap, iso, total, a.len))
    if a.batch > cap:
        raise Fail("batch %d is larger than the ring (%d slots)"
                   % (a.batch, cap))
    return cap, prod_off, cons_off, slots_off


def ring_index(mm, a, prod_off, cons_off):
    """publish(v) stores head, load_tail() reads tail, ordered as
    lib/ring.h asks."""
    head = ctypes.c_uint64.from_buffer(mm, prod_off)
    tail = ctypes.c_uint64.from_buffer(mm, cons_off)
    if TSO:
        def publish(v):
            head.value = v  # release under TSO: after the slot stores

        def load_tail():
            return tail.value  # acquire under TSO
    else:
        if not a.lib:
            raise Fail("%s is not x86: the ring needs --lib for fences"
                       % platform.machine())
        lib = ctypes.CDLL(a.lib)
        st, ld = lib.zc_ffi_store_release, lib.zc_ffi_load_acquire
        st.argtypes = (ctypes.c_void_p, ctypes.c_uint64)
        ld.argtypes = (ctypes.c_void_p,)
        ld.restype = ctypes.c_uint64
        hp, tp = ctypes.addressof(head), ctypes.addressof(tail)

        def publish(v):
            st(hp, v)

        def load_tail():
            return ld(tp)
    if head.value != 0:
        raise Fail("ring is not empty (head %d)" % head.value)
    return head, tail, publish, load_tail


def run_ring(a):
    mm = attach(a)
    cap, prod_off, cons_off, slots_off = ring_geometry(mm, a)
    head, tail, publish, load_tail = ring_index(mm, a, prod_off, cons_off)
    size, count, batch = a.size, a.count, a.batch
    recs, pool, mask = records(), payloads(size), cap - 1
    plen = size - 40
    mv = memoryview(mm)
    pack, pack_q = HEAD.pack_into, U64.pack_into
    nxt, tail_cache, waits = 0, 0, 0
    announce(a, b"b")
    t0, c0 = time.monotonic_ns(), time.thread_time_ns()
    while nxt < count:
        n = min(batch, count - nxt)
        while nxt + n - tail_cache > cap:
            tail_cache = load_tail()
            waits += 1
        end = nxt + n
        if size > 32:
            for i in range(nxt, end):
                off = slots_off + (i & mask) * size
                d = recs[i & 1023]
                pack(mv, off, i, d["price"], d["quantity"],
                     d["symbol"].encode(), ~i & 0xFFFFFFFF)
                mv[off + 32:off + 32 + plen] = pool[i & 15]
                pack_q(mv, off + size - 8, i)
        else:
            for i in range(nxt, end):
                d = recs[i & 1023]
                pack(mv, slots_off + (i & mask) * size, i, d["price"],
                     d["quantity"], d["symbol"].encode(), ~i & 0xFFFFFFFF)
        if nxt <= a.corrupt < end:
            damage(mv, slots_off + (a.corrupt & mask) * size, a, a.corrupt)
        publish(end)
        nxt = end
    c1, t1 = time.thread_time_ns(), time.monotonic_ns()
    announce(a, b"e")
    del head, tail, publish, load_tail, mv
    mm.close()
    return t0, t1, c1 - c0, {"full_waits": waits}


def msg_dtype(np, size):
    """plugins/ffi_msg.h's message as a structured dtype, byte for byte."""
    names = ["id", "price", "quantity", "symbol", "check"]
    formats = ["<u8", "<f8", "<u4", "S8", "<u4"]
    offsets = [0, 8, 16, 20, 28]
    if size > 40:
        names.append("payload")
        formats.append(("u1", size - 40))
        offsets.append(32)
    if size > 32:
        names.append("tail")
        formats.append("<u8")
        offsets.append(size - 8)
    return np.dtype({"names": names, "formats": formats,
                     "offsets": offsets, "itemsize": size})


def run_ring_numpy(a):
    import numpy as np
    mm = attach(a)
    cap, prod_off, cons_off, slots_off = ring_geometry(mm, a)
    head, tail, publish, load_tail = ring_index(mm, a, prod_off, cons_off)
    size, count, batch = a.size, a.count, a.batch
    dt = msg_dtype(np, size)
    slots = np.frombuffer(mm, dtype=dt, count=cap, offset=slots_off)
    # The records as a NumPy user keeps them: one row per record k, the
    # fields that depend on k only; id, check and the trailer per batch.
    k = np.arange(RECS)
    tmpl = np.zeros(RECS, dtype=dt)
    tmpl["price"] = 1.0 + k * 0.25
    tmpl["quantity"] = 100 + 3 * k
    tmpl["symbol"] = np.array([s.encode() for s in SYMS], dtype="S8")[k & 7]
    if size > 40:
        pool = np.frombuffer(b"".join(payloads(size)), dtype=np.uint8)
        tmpl["payload"] = pool.reshape(PAYLOADS, size - 40)[k & 15]
    # rows that depend on k only go in as bytes (a structured copy costs
    # ten times more); id, check and trailer through the dtype's fields
    raw = np.frombuffer(mm, dtype=np.uint8, count=cap * size,
                        offset=slots_off)
    traw = tmpl.view(np.uint8)
    mask, nxt, tail_cache, waits, view = cap - 1, 0, 0, 0, None
    announce(a, b"b")
    t0, c0 = time.monotonic_ns(), time.thread_time_ns()
    while nxt < count:
        end = min(nxt + batch, count)
        while end - tail_cache > cap:
            tail_cache = load_tail()
            waits += 1
        i = nxt
        while i < end:  # runs contiguous in the ring and in the records
            lo, k0 = i & mask, i & (RECS - 1)
            m = min(end - i, cap - lo, RECS - k0)
            raw[lo * size:(lo + m) * size] = traw[k0 * size:(k0 + m) * size]
            ids = np.arange(i, i + m, dtype=np.uint64)
            view = slots[lo:lo + m]
            view["id"] = ids
            view["check"] = ~ids
            if size > 32:
                view["tail"] = ids
            i += m
        if nxt <= a.corrupt < end:
            slots["price"][a.corrupt & mask] += 1
        nxt = end
        publish(nxt)
    c1, t1 = time.thread_time_ns(), time.monotonic_ns()
    announce(a, b"e")
    del head, tail, publish, load_tail, slots, view, raw
    mm.close()
    return t0, t1, c1 - c0, {"full_waits": waits, "numpy": np.__version__}


def run_probe(a):
    if a.need == "numpy":
        try:
            import numpy  # noqa: F401
        except ImportError as e:
            raise Fail("NumPy is not importable by %s (%s): install "
                       "python3-numpy" % (sys.executable, e))


def run_dump(a):
    recs, pool = records(), payloads(a.size)
    buf = bytearray(a.size)
    out = sys.stdout.buffer
    for i in range(a.count):
        d = recs[i & 1023]
        HEAD.pack_into(buf, 0, i, d["price"], d["quantity"],
                       d["symbol"].encode(), ~i & 0xFFFFFFFF)
        if a.size > 32:
            buf[32:a.size - 8] = pool[i & 15]
            U64.pack_into(buf, a.size - 8, i)
        out.write(buf)
    out.flush()


def on_signal(sig, _frame):
    raise KeyboardInterrupt


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mode", required=True,
                   choices=("call", "ring", "ring-numpy", "dump", "probe"))
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--need")
    p.add_argument("--corrupt", type=int, default=-1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--lib")
    p.add_argument("--fd", type=int)
    p.add_argument("--name")
    p.add_argument("--len", type=int, default=0)
    p.add_argument("--sync", type=int)
    a = p.parse_args()
    if a.size < 32 or a.size > 4096 or a.size % 8:
        p.error("--size must be 32..4096, a multiple of 8")
    if a.count < 1 or a.batch < 1:
        p.error("--count and --batch must be at least 1")
    if a.mode == "call" and not a.lib:
        p.error("--mode call needs --lib")
    if a.mode.startswith("ring") and (a.fd is None) == (a.name is None):
        p.error("--mode ring needs one of --fd or --name")
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if a.mode in ("dump", "probe"):
            (run_dump if a.mode == "dump" else run_probe)(a)
            return 0
        t0, t1, cpu, extra = {"call": run_call, "ring": run_ring,
                              "ring-numpy": run_ring_numpy}[a.mode](a)
    except Fail as e:
        print("ffi_host: %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("ffi_host: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ffi_host: interrupted", file=sys.stderr)
        return 130
    res = {"count": a.count, "host_ns": t1 - t0, "cpu_ns": cpu,
           "t_start": t0, "t_end": t1,
           "cpus": sorted(os.sched_getaffinity(0)),
           "python": platform.python_version()}
    if a.mode == "call":
        res["verdict"] = extra
    else:
        res.update(extra)
    print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
