/* SPDX-License-Identifier: MIT */
#ifndef ZC_SENTINEL_H
#define ZC_SENTINEL_H
/*
 * sentinel — the one-way hand-off latency of a cache line between two CPUs,
 * and the sentinel that measures it around every repetition.
 *
 * The hand-off: two threads pass one line back and forth (a ping-pong);
 * half a round trip is the time the line takes to move from one core to
 * the other. On a VM the host moves the vCPUs between near and far cores
 * and this figure jumps (PLATFORM.md: ~50 ns vs ~200-240 ns here); every
 * cross-core result follows it, so zcbench measures it right before and
 * right after every repetition on the case's own CPUs and classifies the
 * samples by it (lib/regime.h).
 *
 * Two methods, the two public tools' ones:
 *	ZC_HANDOFF_STORE  store/load: ping stores 2r+1 and waits for 2r+2,
 *			  pong waits for 2r+1 and stores 2r+2 (rigtorp/c2clat)
 *	ZC_HANDOFF_CAS	  compare-exchange: ping CASes 2r -> 2r+1, pong
 *			  2r+1 -> 2r+2, each retrying until it succeeds
 *			  (nviennot/core-to-core-latency)
 * zc_handoff_ping/pong are the loops, shared by the sentinel, `zcbench
 * c2c` and wait's ping-pong reference row. Both sides start with the line
 * at 0; ping times every `batch` round trips.
 *
 * The sentinel: two threads pinned on CPUs a and b, parked on a condition
 * variable between measurements (they use no CPU then). A measurement
 * wakes them, runs ZC_SENTINEL_ROUNDS round trips in ZC_SENTINEL_BATCHES
 * batches (about 0.03-0.15 ms here, plus two wake-ups), and returns the
 * median batch's one-way time. It checks that both threads ran on their
 * CPUs. A side that does not answer within ZC_SENTINEL_LIMIT_NS (the host
 * took its vCPU away) gives -ETIMEDOUT: the value is absent, not a number.
 *
 * Each of the batches runs on its own line, the lines a page and a line
 * apart: on a mesh (Intel) a line's home slice follows its address, and a
 * single line would give each run's sentinel a level of its own; the
 * median over eight lines measures the host placement, not one address.
 *
 * Limitations: only the real machine can pin (zc_topo_is_real); a
 * sentinel on a planning topology is refused with -ENODEV. The lines are
 * reused across measurements (c2c uses a fresh line per pair).
 *
 * Errors: 0 or -errno: -EINVAL (a == b, bad arguments), -ENODEV (cannot
 * pin here), -EXDEV (a thread ran elsewhere), -ETIMEDOUT, -ECANCELED (stop
 * flag), -ENOMEM, or pthread's error; why (where given) says which.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "topo.h"

enum zc_handoff_method {
	ZC_HANDOFF_STORE,
	ZC_HANDOFF_CAS,
};

/* The line the two sides pass: alone on a 128-byte block (pair prefetch). */
struct zc_handoff_line {
	_Alignas(128) _Atomic uint64_t v;
	char pad[128 - sizeof(uint64_t)];
};
_Static_assert(sizeof(struct zc_handoff_line) == 128, "one 128 B block");

/*
 * The pinging side: `rounds` round trips (a multiple of batch); ns[k] gets
 * the duration of batch k (rounds / batch entries). stop (may be NULL) and
 * deadline_ns (0: none; a zc_now_ns() time) are checked while waiting:
 * -ECANCELED, -ETIMEDOUT. 0 on success.
 */
int zc_handoff_ping(struct zc_handoff_line *l, enum zc_handoff_method m,
		    uint64_t rounds, uint64_t batch, uint64_t *ns,
		    const atomic_int *stop, uint64_t deadline_ns);
/* The other side: answers `rounds` round trips. Same stop and deadline. */
int zc_handoff_pong(struct zc_handoff_line *l, enum zc_handoff_method m,
		    uint64_t rounds, const atomic_int *stop,
		    uint64_t deadline_ns);

/*
 * The loop's own cost, without the hand-off: one thread runs `rounds`
 * round trips of both sides' steps of method m (the same code) on a line
 * only it touches, and returns the ns they took. Half of that per round
 * trip is the harness overhead inside every one-way figure (c2c reports
 * it). The line is left at 2 * rounds.
 */
uint64_t zc_handoff_local(struct zc_handoff_line *l, enum zc_handoff_method m,
			  uint64_t rounds);

#define ZC_SENTINEL_ROUNDS   256
#define ZC_SENTINEL_BATCHES  8
#define ZC_SENTINEL_LIMIT_NS 50000000ull /* 50 ms */
#define ZC_PACE_ITERS	     2048
#define ZC_PACE_CHUNKS	     4

struct zc_sentinel;

int zc_sentinel_open(struct zc_sentinel **sp, const struct zc_topo *t, int a,
		     int b, char *why, size_t len);
/* One measurement: *oneway_ns (NaN on error), and its own cost in ns
 * (wall time of the call) in *cost_ns when not NULL. */
int zc_sentinel_measure(struct zc_sentinel *s, double *oneway_ns,
			double *cost_ns);
void zc_sentinel_close(struct zc_sentinel *s);

/*
 * The pace of the last measurement: right after the hand-off, each side
 * times a short throughput-bound integer loop (ZC_PACE_CHUNKS chunks of
 * ZC_PACE_ITERS iterations, the fastest chunk, a few microseconds in
 * all); the slower side's ns per 1000 iterations, NaN when the
 * measurement failed. The hand-off cannot see a host hyperthread that
 * another tenant keeps busy, or a lower host clock: both slow every
 * figure of a case, local ones too, and the pace shows them.
 */
double zc_sentinel_pace(const struct zc_sentinel *s);

/* The CPUs a sentinel runs on. */
void zc_sentinel_cpus(const struct zc_sentinel *s, int *a, int *b);

/*
 * Watch the hand-off between a and b: one measurement every interval_s
 * for `seconds` (at most max), into v (NaN where one failed), pace (its
 * zc_sentinel_pace; may be NULL) and at (s
 * since the start). Returns how many were taken, or -errno from open (why
 * says why); stops early on a signal (zc_stopped).
 */
int zc_sentinel_watch(const struct zc_topo *t, int a, int b, double seconds,
		      double interval_s, double *v, double *pace, double *at,
		      int max, char *why, size_t len);

#endif
