/* SPDX-License-Identifier: MIT */
#ifndef ZC_DRAIN_H
#define ZC_DRAIN_H
/*
 * drain — a ring (lib/ring.h) emptied by a consumer process: forked
 * (lib/proc.h), pinned, counting itself (lib/counters.h), calling a
 * function on every message in order, and leaving its report in a shared
 * page that outlives it; or a consumer program (zc_drain_spawn: the Rust
 * consumer), started pinned and counted from outside as lib/host.h does,
 * whose JSON report fills the same page. The producer's wait hook notices
 * when it dies, so a producer on a full ring never waits for a dead
 * consumer. `zcbench ffi`'s ring paths end in it.
 *
 * Usage:
 *	struct zc_drain d;
 *	struct zc_child ch[2];	   (ch[0] the consumer, ch[1] another child)
 *	zc_drain_init(&d);			   (the report page; once)
 *	zc_drain_fork(&d, &ch[0], &ring, &cfg, count);	  (drains, exits)
 *	zc_drain_guard(&d, &ring);		   (producer: ring->prod_wait)
 *	... produce; zc_child_supervise(ch, 1 or 2, ...) ...
 *	err = zc_drain_result(&d, why, len);	   (after it exited)
 *	zc_child_kill(&ch[0]);
 *	zc_drain_release(&d);
 * or zc_drain_spawn(&d, &ch[0], &spawn, &events, why, len) instead of the
 * fork, and on every path after the producer
 *	err = zc_drain_end(&d, ok, why, len);	   (reaps; ok: checks)
 * which serves both kinds (the program's whole report: d.prog.report).
 *
 * The child drains `count` messages, at most capacity/4 (max 256) per
 * wait, and exits 0; 1 when its wait gave up (a signal, or its parent
 * left). Its report: got, the CLOCK_MONOTONIC end of its loop, its thread
 * CPU time and counters over the loop, the CPU it ran on at both ends,
 * and what cfg->end wrote into out[].
 *
 * Errors: 0 or -errno. zc_drain_init: mmap's; zc_drain_fork: fork's;
 * zc_drain_spawn: zc_host_start's; zc_drain_result: -EPIPE (no report:
 * it died first), -EXDEV (it ran elsewhere than cfg->cpu); zc_drain_end:
 * those, or zc_host_finish's for a program; why explains. The guard's wait returns -EINTR
 * (zc_stopped) or -EPIPE (the consumer exited).
 */
#include <stdint.h>
#include "counters.h"
#include "host.h"
#include "proc.h"
#include "ring.h"
#include "topo.h"

#define ZC_DRAIN_OUT 256

struct zc_drain_cfg {
	const struct zc_topo *topo;
	int cpu;			   /* pinned there; -1: not pinned */
	const struct zc_evset *events;	   /* counted over its loop */
	int (*consume)(const void *slot);  /* every message, in order */
	void (*end)(void *arg, void *out); /* after the loop: fill out */
	void *arg;
	uint64_t kill_after; /* test hook: SIGKILL itself after this many */
};

struct zc_drain_report {
	uint64_t got, t_end, cpu_ns;
	int cpu_start, cpu_end, err, done;
	int counted; /* counts cover its loop (a program: it announced it) */
	struct zc_counts counts;
	_Alignas(16) unsigned char out[ZC_DRAIN_OUT];
};

struct zc_drain {
	struct zc_drain_report *rep; /* shared with the child */
	struct zc_child *ch;	     /* the last one forked or spawned */
	int cpu;
	int is_prog;	     /* the last one is a program */
	struct zc_host prog; /* its region and report */
};

int zc_drain_init(struct zc_drain *d);
void zc_drain_release(struct zc_drain *d);
/* Fork the consumer of count messages as ch (the caller reaps it).
 * 0 or -errno. */
int zc_drain_fork(struct zc_drain *d, struct zc_child *ch, struct zc_ring *r,
		  const struct zc_drain_cfg *cfg, uint64_t count);
/* A consumer program as ch (lib/host.h's contract: count, t_end, cpu_ns
 * and cpus fill the report page; --sync is appended). 0 or -errno with
 * why; nothing runs when it fails. */
int zc_drain_spawn(struct zc_drain *d, struct zc_child *ch,
		   const struct zc_spawn *sp, const struct zc_evset *ev,
		   char *why, size_t len);
/* After the producer, on every path: reap the consumer (killed if it
 * still runs); ok: its report is complete and it ran where planned. */
int zc_drain_end(struct zc_drain *d, int ok, char *why, size_t len);
/* The producer side of r waits through d's guard. */
void zc_drain_guard(struct zc_drain *d, struct zc_ring *r);
/* The same guard on any consumer child (a program, zc_child_spawn). */
void zc_drain_guard_child(struct zc_ring *r, struct zc_child *consumer);
/* After the child exited: its report is complete and it ran on cfg->cpu. */
int zc_drain_result(const struct zc_drain *d, char *why, size_t len);

#endif
