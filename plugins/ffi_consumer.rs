// SPDX-License-Identifier: MIT
//! zcbench ffi's Rust consumer: a program that drains zcbench's shared ring
//! (lib/ring.h, layout version 2, read from its documented bytes only) and
//! verifies every message as the C sink does (plugins/ffi_msg.h): the id
//! sequence, every head field against what message `id` must hold, the
//! payload's checksum against its variant's, the trailing id. No crates:
//! the few libc calls it needs are declared below; rustc 1.63 builds it.
//!
//!   zcbench_ffi_consumer (--fd N | --name /zc-...) --len BYTES --size S
//!       --count N [--kill-after N] [--sync FD]
//!
//! --sync FD: the measured region is announced as lib/region.h says (b'b'
//! before the loop, b'e' after, each answered by one byte). The last line
//! of stdout is the report (lib/host.h): {"count", "host_ns", "cpu_ns",
//! "t_start", "t_end", "cpus", "verdict": {"received", "bad",
//! "first_bad", "first_err"}}. A ring it cannot use: one line on stderr,
//! exit 1 (2: bad arguments). --kill-after N: the test hook, SIGKILL
//! itself after N messages.
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::io::{AsRawFd, FromRawFd};
use std::process::exit;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};

#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

extern "C" {
    fn mmap(addr: *mut u8, len: usize, prot: i32, flags: i32, fd: i32, off: i64) -> *mut u8;
    fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    fn sched_getaffinity(pid: i32, size: usize, mask: *mut u8) -> i32;
    fn getppid() -> i32;
    fn raise(sig: i32) -> i32;
}

const PROT_RW: i32 = 3; // PROT_READ | PROT_WRITE
const MAP_SHARED: i32 = 1;
const CLOCK_MONOTONIC: i32 = 1;
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
const SIGKILL: i32 = 9;
const EBADMSG: i32 = 74;
const EILSEQ: i32 = 84;

/// The ring's header block (lib/ring.h, layout v2).
#[repr(C)]
struct RingHeader {
    magic: u64,
    version: u32,
    slot_size: u32,
    capacity: u64,
    isolation: u32,
    flags: u32,
    prod_off: u64,
    cons_off: u64,
    slots_off: u64,
    total_len: u64,
}
const RING_MAGIC: u64 = 0x0000474e4952435a;
const RING_VERSION: u32 = 2;
const RING_F_SLOT_SEQ: u32 = 1;

/// The head of every message (plugins/ffi_msg.h); payload and trailing id
/// follow in messages above 32 bytes.
#[repr(C)]
#[derive(Clone, Copy)]
struct MsgHead {
    id: u64,
    price: f64,
    quantity: u32,
    symbol: [u8; 8],
    check: u32,
}
const _: () = assert!(std::mem::size_of::<MsgHead>() == 32);
const _: () = assert!(std::mem::size_of::<RingHeader>() == 64);

const SYMS: [&[u8; 8]; 8] = [
    b"AAPL\0\0\0\0",
    b"MSFT\0\0\0\0",
    b"GOOG\0\0\0\0",
    b"AMZN\0\0\0\0",
    b"NVDA\0\0\0\0",
    b"BRK.B\0\0\0",
    b"TSLA\0\0\0\0",
    b"ZCBENCH1",
];
const RECS: u64 = 1024;
const PAYLOADS: usize = 16;
const K: u64 = 0x9e3779b97f4a7c15;

// lib/csum.h's zc_csum64, word for word.
const K1: u64 = 0x9E3779B97F4A7C15;
const K2: u64 = 0xC2B2AE3D27D4EB4F;

fn mix(h: u64, w: u64) -> u64 {
    let h = (h ^ w).wrapping_mul(K1);
    h ^ (h >> 29)
}

fn word(p: *const u8, off: usize) -> u64 {
    unsafe { ptr::read_unaligned(p.add(off) as *const u64) }
}

fn csum64(p: *const u8, n: usize) -> u64 {
    let mut lane = [K2, K2 ^ 1, K2 ^ 2, K2 ^ 3];
    let mut i = 0;
    while i + 32 <= n {
        for (l, v) in lane.iter_mut().enumerate() {
            *v = mix(*v, word(p, i + 8 * l));
        }
        i += 32;
    }
    let mut h = (n as u64).wrapping_mul(K2);
    while i < n {
        let mut w = [0u8; 8];
        let k = if n - i < 8 { n - i } else { 8 };
        unsafe { ptr::copy_nonoverlapping(p.add(i), w.as_mut_ptr(), k) };
        h = mix(h, u64::from_le_bytes(w));
        i += 8;
    }
    for v in lane.iter() {
        h = mix(h, *v);
    }
    h
}

fn now(clock: i32) -> u64 {
    let mut ts = Timespec { sec: 0, nsec: 0 };
    unsafe { clock_gettime(clock, &mut ts) };
    ts.sec as u64 * 1_000_000_000 + ts.nsec as u64
}

fn fail(msg: &str) -> ! {
    eprintln!("ffi_consumer: {}", msg);
    exit(1)
}

struct Args {
    fd: Option<i32>,
    name: Option<String>,
    len: usize,
    size: usize,
    count: u64,
    kill_after: u64,
    sync: Option<i32>,
}

fn usage(msg: &str) -> ! {
    eprintln!("ffi_consumer: {}", msg);
    eprintln!(
        "usage: zcbench_ffi_consumer (--fd N | --name /zc-...) --len BYTES --size S \
         --count N [--kill-after N] [--sync FD]"
    );
    exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        fd: None,
        name: None,
        len: 0,
        size: 0,
        count: 0,
        kill_after: 0,
        sync: None,
    };
    // --key value, or --key=value
    let v: Vec<String> = std::env::args()
        .skip(1)
        .flat_map(|w| match w.find('=') {
            Some(i) if w.starts_with("--") => vec![w[..i].to_string(), w[i + 1..].to_string()],
            _ => vec![w],
        })
        .collect();
    let mut i = 0;
    while i < v.len() {
        let val = v.get(i + 1).unwrap_or_else(|| usage(&format!("{} needs a value", v[i])));
        let num = || -> u64 {
            val.parse()
                .unwrap_or_else(|_| usage(&format!("{}: not a number: {}", v[i], val)))
        };
        match v[i].as_str() {
            "--fd" => a.fd = Some(num() as i32),
            "--name" => a.name = Some(val.clone()),
            "--len" => a.len = num() as usize,
            "--size" => a.size = num() as usize,
            "--count" => a.count = num(),
            "--kill-after" => a.kill_after = num(),
            "--sync" => a.sync = Some(num() as i32),
            _ => usage(&format!("unknown argument {}", v[i])),
        }
        i += 2;
    }
    if a.fd.is_some() == a.name.is_some() {
        usage("give one of --fd or --name");
    }
    if a.size < 32 || a.size > 4096 || a.size % 8 != 0 {
        usage("--size must be 32..4096, a multiple of 8");
    }
    if a.count == 0 || a.len == 0 {
        usage("--count and --len must be at least 1");
    }
    a
}

/// zcbench's end of the region socket (lib/region.h).
fn announce(sync: &mut Option<File>, what: &[u8]) {
    if let Some(f) = sync.as_mut() {
        let mut r = [0u8; 1];
        if f.write_all(what).is_err() || f.read_exact(&mut r).is_err() || r[0] != b'+' {
            fail("zcbench did not answer on --sync");
        }
    }
}

/// The ring as the layout puts it: pointers into the mapping.
struct Ring {
    slots: *const u8,
    head: &'static AtomicU64,
    tail: &'static AtomicU64,
    mask: u64,
    cap: u64,
    size: usize,
    slot_seq: bool,
}

impl Ring {
    fn slot(&self, s: u64) -> *const u8 {
        unsafe { self.slots.add((s & self.mask) as usize * self.size) }
    }

    /// Slot mode: the seq word of message s's slot.
    fn seq_of(&self, s: u64) -> u64 {
        let w = unsafe { &*(self.slot(s) as *const AtomicU64) };
        // acquire: pairs with the producer's release store of this word:
        // message s's bytes, and every earlier message's, are visible
        w.load(Ordering::Acquire)
    }
}

fn attach(a: &Args) -> Ring {
    let file = match (a.fd, &a.name) {
        (Some(fd), _) => unsafe { File::from_raw_fd(fd) },
        (None, Some(n)) => OpenOptions::new()
            .read(true)
            .write(true)
            .open(format!("/dev/shm{}", n))
            .unwrap_or_else(|e| fail(&format!("cannot open shared memory '{}': {}", n, e))),
        _ => unreachable!(),
    };
    let p = unsafe { mmap(ptr::null_mut(), a.len, PROT_RW, MAP_SHARED, file.as_raw_fd(), 0) };
    if p as isize == -1 {
        fail(&format!("cannot map the ring ({} bytes): {}", a.len, std::io::Error::last_os_error()));
    }
    drop(file); // the mapping stays
    let h = unsafe { &*(p as *const RingHeader) };
    // acquire: the magic is stored last when the ring is formatted
    let magic = unsafe { &*(p as *const AtomicU64) }.load(Ordering::Acquire);
    if magic != RING_MAGIC {
        fail(&format!("not a zcbench ring (bad magic {:#x})", magic));
    }
    if h.version != RING_VERSION {
        fail(&format!("ring layout version {}, this consumer speaks {}", h.version, RING_VERSION));
    }
    let iso = h.isolation as u64;
    if h.slot_size as usize != a.size
        || h.capacity < 2
        || h.capacity & (h.capacity - 1) != 0
        || (iso != 64 && iso != 128)
        || h.flags & !RING_F_SLOT_SEQ != 0
        || h.prod_off != iso
        || h.cons_off != 2 * iso
        || h.slots_off != 3 * iso
        || h.total_len != 3 * iso + h.capacity * h.slot_size as u64
        || h.total_len as usize > a.len
    {
        fail(&format!(
            "ring header does not match: slot {} (want {}), capacity {}, isolation {}, flags {}, \
             length {} of {} mapped",
            h.slot_size, a.size, h.capacity, iso, h.flags, h.total_len, a.len
        ));
    }
    unsafe {
        Ring {
            slots: p.add(h.slots_off as usize),
            head: &*(p.add(h.prod_off as usize) as *const AtomicU64),
            tail: &*(p.add(h.cons_off as usize) as *const AtomicU64),
            mask: h.capacity - 1,
            cap: h.capacity,
            size: a.size,
            slot_seq: h.flags & RING_F_SLOT_SEQ != 0,
        }
    }
}

/// What the C sink keeps: plugins/ffi_msg.h's struct zc_ffi_verdict.
struct Verdict {
    received: u64,
    bad: u64,
    first_bad: u64,
    first_err: i32,
    next_id: u64,
}

struct Checker {
    size: usize,
    pool_sum: [u64; PAYLOADS],
}

impl Checker {
    fn new(size: usize) -> Checker {
        let n = if size > 40 { (size - 40) / 8 } else { 0 };
        let mut pool_sum = [0u64; PAYLOADS];
        for (v, sum) in pool_sum.iter_mut().enumerate() {
            let base = (v as u64 + 1).wrapping_mul(K);
            let bytes: Vec<u8> = (0..n as u64)
                .flat_map(|j| base.wrapping_add(j).to_le_bytes())
                .collect();
            *sum = csum64(bytes.as_ptr(), bytes.len());
        }
        Checker { size, pool_sum }
    }

    /// Every field of message id (the id it carries) as ffi_msg.h says.
    fn fields_ok(&self, p: *const u8, m: &MsgHead) -> bool {
        let k = m.id & (RECS - 1);
        if m.price != 1.0 + k as f64 * 0.25
            || m.quantity != 100 + 3 * k as u32
            || &m.symbol != SYMS[(m.id & 7) as usize]
            || m.check != !(m.id as u32)
        {
            return false;
        }
        self.size == 32
            || (word(p, self.size - 8) == m.id
                && unsafe { csum64(p.add(32), self.size - 40) }
                    == self.pool_sum[(m.id & (PAYLOADS as u64 - 1)) as usize])
    }

    /// zc_ffi_consume: check, count, resynchronise on a wrong id.
    fn consume(&self, v: &mut Verdict, p: *const u8) {
        let m: MsgHead = unsafe { ptr::read(p as *const MsgHead) };
        let err = if !self.fields_ok(p, &m) {
            -EBADMSG
        } else if m.id != v.next_id {
            -EILSEQ
        } else {
            0
        };
        if err != 0 {
            if v.bad == 0 {
                v.first_bad = v.received;
                v.first_err = err;
            }
            v.bad += 1;
        }
        // A garbled message gives no position to resynchronise on.
        v.next_id = if err == -EBADMSG { v.next_id + 1 } else { m.id + 1 };
        v.received += 1;
    }
}

/// Wait until messages from s on are readable, at most max; how many.
fn wait_avail(r: &Ring, s: u64, max: u64, head_cache: &mut u64, parent: i32) -> u64 {
    let e = s + max - 1;
    let mut iter: u64 = 0;
    loop {
        if *head_cache > s {
            let n = *head_cache - s;
            return if n < max { n } else { max };
        }
        if !r.slot_seq {
            // acquire: pairs with the producer's release of head
            *head_cache = r.head.load(Ordering::Acquire);
            continue_or_spin(&mut iter, parent, *head_cache > s);
            continue;
        }
        if r.seq_of(e) == e {
            // the end of the run is there, so is everything before it
            *head_cache = e + 1;
            continue;
        }
        if iter & 63 == 63 {
            // a while on the end: take what is there from s on
            let w = r.seq_of(s);
            if w == s {
                let mut q = s + 1;
                while q < e && r.seq_of(q) == q {
                    q += 1;
                }
                *head_cache = q;
                continue;
            }
            if w != s.wrapping_sub(r.cap) {
                fail(&format!("message {}: its slot holds sequence {}", s, w));
            }
        }
        continue_or_spin(&mut iter, parent, false);
    }
}

fn continue_or_spin(iter: &mut u64, parent: i32, ready: bool) {
    if ready {
        return;
    }
    *iter += 1;
    if *iter & 4095 == 4095 && unsafe { getppid() } != parent {
        fail("zcbench went away");
    }
    std::hint::spin_loop();
}

fn cpus() -> String {
    let mut mask = [0u8; 128];
    let mut out = Vec::new();
    if unsafe { sched_getaffinity(0, mask.len(), mask.as_mut_ptr()) } == 0 {
        for (i, b) in mask.iter().enumerate() {
            for bit in 0..8 {
                if b & (1 << bit) != 0 {
                    out.push((i * 8 + bit).to_string());
                }
            }
        }
    }
    out.join(", ")
}

fn main() {
    let a = parse_args();
    let r = attach(&a);
    let checker = Checker::new(a.size);
    let parent = unsafe { getppid() };
    let mut sync = a.sync.map(|fd| unsafe { File::from_raw_fd(fd) });
    let mut v = Verdict {
        received: 0,
        bad: 0,
        first_bad: 0,
        first_err: 0,
        next_id: 0,
    };
    // batches of at most a quarter of the ring (256), as the C consumer
    let most = if r.cap / 4 < 256 { (r.cap / 4).max(1) } else { 256 };
    // acquire: where the consumer left it (0 on a fresh ring)
    let mut s = r.tail.load(Ordering::Acquire);
    let mut head_cache = s;
    let mut got: u64 = 0;

    announce(&mut sync, b"b");
    let (t0, c0) = (now(CLOCK_MONOTONIC), now(CLOCK_THREAD_CPUTIME_ID));
    while got < a.count {
        let left = a.count - got;
        let n = wait_avail(&r, s, if left < most { left } else { most }, &mut head_cache, parent);
        for q in s..s + n {
            checker.consume(&mut v, r.slot(q));
        }
        s += n;
        // release: our reads of these slots are done before the producer
        // sees them free (pairs with its acquire load of tail)
        r.tail.store(s, Ordering::Release);
        got += n;
        if a.kill_after > 0 && got >= a.kill_after {
            unsafe { raise(SIGKILL) };
        }
    }
    let (c1, t1) = (now(CLOCK_THREAD_CPUTIME_ID), now(CLOCK_MONOTONIC));
    announce(&mut sync, b"e");
    println!(
        "{{\"count\": {}, \"host_ns\": {}, \"cpu_ns\": {}, \"t_start\": {}, \"t_end\": {}, \
         \"cpus\": [{}], \"verdict\": {{\"received\": {}, \"bad\": {}, \"first_bad\": {}, \
         \"first_err\": {}}}}}",
        got,
        t1 - t0,
        c1 - c0,
        t0,
        t1,
        cpus(),
        v.received,
        v.bad,
        v.first_bad,
        v.first_err
    );
}
