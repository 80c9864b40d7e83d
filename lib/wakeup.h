/* SPDX-License-Identifier: MIT */
#ifndef ZC_WAKEUP_H
#define ZC_WAKEUP_H
/*
 * wakeup — the two sides of `zcbench wait`'s open-loop wake-up benchmark,
 * run as a pinned team (lib/bench.h): thread 0 the producer, thread 1 the
 * waiter, any others busy threads sharing their CPUs (--oversubscribe).
 *
 * The producer publishes timestamped events into a ring of
 * ZC_WAKEUP_RING slots at an offered rate (open loop: event k is due at
 * t0 + k/rate whatever the waiter does, so a slow waiter shows queueing in
 * its latency — no coordinated omission), waking the waiter through the
 * strategy under test (lib/wait.h). It stops only when the waiter is a
 * whole ring behind (counted in stalls). It paces by sleeping (timer
 * slack 1 ns) until 20 us before an event is due and spinning the rest.
 * The waiter checks every event's sequence and records observed -
 * published into the histogram. rate > 0: events/s; -1: back to back;
 * 0: idle (no events; the waiter's idle cost).
 *
 * The ping-pong reference (zc_wakeup_pingpong): two threads bounce one
 * line ZC_WAKEUP_PINGPONG times (lib/sentinel.h's store/load loops),
 * thread 0 timing each round trip into pp_ns.
 *
 * The caller allocates struct zc_wakeup and ring (touched before timing),
 * initialises the waiter, the histogram and the counters to 0, runs the
 * team, then reads the results fields.
 */
#include <stdatomic.h>
#include <stdint.h>
#include "bench.h"
#include "sentinel.h"
#include "stats.h"
#include "wait.h"

#define ZC_WAKEUP_RING	   (1u << 16)
#define ZC_WAKEUP_MAX	   (-1) /* rate: back to back */
#define ZC_WAKEUP_IDLE	   0	/* rate: no events */
#define ZC_WAKEUP_PINGPONG 20000

struct zc_wakeup_slot {
	_Atomic uint64_t tag; /* the event's sequence */
	_Atomic uint64_t t;   /* published at, zc_now_ns */
};

/* What the team's threads share for one repetition. Each group that one
 * side writes sits on its own lines, so the benchmark adds no false
 * sharing of its own; hot counters live in locals until the end. */
struct zc_wakeup {
	struct zc_waiter w;
	/* Read-only while the threads run. */
	_Alignas(128) struct zc_wakeup_slot *ring;
	int pingpong; /* the reference instead of producer and waiter */
	long long rate;
	uint64_t duration_ns;
	/* Waiter -> producer: events consumed (back-pressure, drain). */
	_Alignas(128) _Atomic uint64_t consumed;
	atomic_int done; /* waiter finished: busy threads stop */
	/* The producer's results, written once at its end. */
	_Alignas(128) uint64_t published, publish_ns, stalls, t0, t1;
	/* The waiter's: the histogram is written per event. */
	_Alignas(128) uint64_t received, bad_at, bad_tag;
	struct zc_hist hist;
	/* ping-pong: the bounced line and each round trip's time */
	struct zc_handoff_line ball;
	int pp_err;
	uint64_t pp_ns[ZC_WAKEUP_PINGPONG];
};

void zc_wakeup_producer(struct zc_worker *w, struct zc_wakeup *sh);
void zc_wakeup_waiter(struct zc_worker *w, struct zc_wakeup *sh);
void zc_wakeup_busy(struct zc_worker *w, struct zc_wakeup *sh);
void zc_wakeup_pingpong(struct zc_worker *w, struct zc_wakeup *sh);

#endif
