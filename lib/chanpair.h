/* SPDX-License-Identifier: MIT */
#ifndef ZC_CHANPAIR_H
#define ZC_CHANPAIR_H
/*
 * chanpair — one repetition over channels (lib/chan.h): the producer on a
 * pinned thread, the consumer on another pinned thread or in a forked
 * process (lib/proc.h), perf counters per side, and every way it can go
 * wrong explained in words.
 *
 * Usage (what zcbench ring does per repetition):
 *	const struct zc_chan_transport *t = zc_chan_transport_find("process");
 *	struct zc_chan_cfg cfg = {.size = 64, .batch = 8, .cap = 4096,
 *				  .iso = 128, .node = -1,
 *				  .process = t->process};
 *	struct zc_chanpair_run run = {.count = 1000000, .topo = topo,
 *				      .plan = &plan, .events = events,
 *				      .timeout_s = 60};
 *	struct zc_chanpair *p = aligned_alloc(128, sizeof(*p));
 *	err = zc_chanpair_open(p, t->family, &cfg, ZC_CHAN_TPUT);
 *	err = zc_chanpair_run(p, &run, why, sizeof(why));
 *	... p->sh->prod, p->sh->cons: times, CPU time, CPUs, perf counters
 *	    (counts); p->sh->hist (lat); zc_chanpair_sent(p)
 *	zc_chanpair_close(p);
 *	free(p);		(never after -ETIMEDOUT: its threads use it)
 *
 * Open makes the shared block (MAP_SHARED) and the channels (two for rtt)
 * before anything starts; run forks the consumer when cfg.process, from
 * the calling thread (which must outlive it: lib/proc.h), then runs the
 * producer (and a consumer thread) as a zc_team (lib/bench.h): pinned,
 * released together, counting --events each. The forked consumer pins
 * itself, attaches (zc_chan_after_fork), opens its own counters on itself
 * and leaves them, with its result, in the shared block; it is reaped on
 * every path (zc_child_reap, or killed after a timeout).
 *
 * Limitations: one run per open. Placement is checked (each side's CPU at
 * its start and end) only on a real topology.
 *
 * Errors: 0 or -errno with why. -EBADMSG (checksum mismatch) and -EILSEQ
 * (wrong sequence: a loss, duplicate or reordering), with the side's
 * bad_seq: "consumer: message 100: checksum mismatch (corrupted
 * message)"; -EPIPE (the consumer process died or failed: "consumer
 * process killed by signal 9 (Killed) mid-run", or the peer went away);
 * -EXDEV (a side ran on another CPU than planned); -EINTR (stopped by a
 * signal: nothing to record); -ETIMEDOUT (the threads still run: the pair
 * must not be freed and the process must exit soon); -EALREADY (a second
 * run); a team's, fork's or a side's -errno. Open: zc_chan_open's errors,
 * mmap's.
 */
#include "bench.h"
#include "chan.h"
#include "counters.h"
#include "proc.h"
#include "topo.h"

struct zc_chanpair_run {
	uint64_t count;		       /* messages (rtt: round trips) */
	uint64_t rate;		       /* lat: offered messages per second */
	uint64_t budget_ns;	       /* 0: send all; else a time box */
	const struct zc_topo *topo;    /* NULL: no pinning nor check */
	const struct zc_plan *plan;    /* cpu[0] producer, cpu[1] consumer;
					  NULL: unpinned */
	const struct zc_evset *events; /* NULL: no perf counters */
	double timeout_s;	       /* the whole repetition */
	/* Test hooks: the producer damages message corrupt_seq after
	 * filling it (every family); the consumer process dies (SIGKILL)
	 * after half the messages (process mode only). */
	int corrupt;
	uint64_t corrupt_seq;
	int kill_consumer;
};

struct zc_chanpair;
struct zc_chanpair_role {
	struct zc_chanpair *p;
	int role;
};

struct zc_chanpair {
	struct zc_chan ch[2]; /* [0] producer to consumer, [1] back (rtt) */
	enum zc_chan_family family;
	int nch;
	struct zc_chan_cfg cfg;
	struct zc_chan_shared *sh; /* MAP_SHARED */
	struct zc_child child;	   /* process: the consumer */
	struct zc_team team;
	struct zc_chanpair_role roles[2];
	uint64_t count;
	int ran;
};

/* Open the shared block and the channels (two for rtt). p must be 128-byte
 * aligned (aligned_alloc). */
int zc_chanpair_open(struct zc_chanpair *p, enum zc_chan_family f,
		     const struct zc_chan_cfg *cfg, int mode);
/* Run one repetition; every message verified. 0 or -errno with why. */
int zc_chanpair_run(struct zc_chanpair *p, const struct zc_chanpair_run *r,
		    char *why, size_t len);
/* Messages (rtt: round trips) sent: all, or what the time box let. */
uint64_t zc_chanpair_sent(const struct zc_chanpair *p);
/* Close the channels, kill and reap a consumer still running, unmap. */
void zc_chanpair_close(struct zc_chanpair *p);

#endif
