/* SPDX-License-Identifier: MIT */
#ifndef ZC_HOST_H
#define ZC_HOST_H
/*
 * host — the host (producer) side of a measured case, either this thread
 * or a program zcbench starts, with the same figures from both: the wall
 * and CPU time of the measured region, its CLOCK_MONOTONIC ends, and its
 * perf counters (`zcbench ffi`'s C and Python hosts).
 *
 * zc_host_self: this thread, pinned (placement checked before and after),
 * runs a function as its region, its own counters around it (opened
 * before, outside the region).
 *
 * zc_host_run: a program, started pinned with its output captured
 * (lib/proc.h), its measured region counted from outside (lib/region.h),
 * supervised together with the case's other children, and its report
 * read.
 *
 * The program's side of the contract:
 *  - it takes "--sync FD", appended to its argv, and announces its measured
 *    region on that socket (lib/region.h's protocol);
 *  - the last line of its stdout is one JSON object with at least the
 *    integers count (items handled), host_ns and cpu_ns (wall and thread
 *    CPU time of the region), t_start and t_end (CLOCK_MONOTONIC ns at the
 *    region's ends), and cpus (the CPUs its affinity allows, a list);
 *  - it fails with a line on stderr and a non-zero exit status.
 *
 * Usage:
 *	err = zc_host_self(&h, &topo, cpu, &events, loop, arg, why, len);
 * or
 *	struct zc_child ch[2];		ch[1]: a peer already running, if any
 *	err = zc_host_run(&h, &spawn, ch, 1, &events, timeout_s, why, len);
 *	... h.count, h.report ...
 *	zc_host_release(&h);
 * then h.t_start, h.host_ns, h.cpu_ns, h.counts (when h.counted).
 *
 * Limitations: argv holds at most 28 words; the count is the program's
 * main thread's (lib/counters.h zc_counters_open_pid).
 *
 * Errors: 0 or -errno with why filled. zc_host_self: zc_topo_pin_self's,
 * the function's, -EXDEV (it ran elsewhere). zc_host_run: zc_child_spawn's,
 * -EPIPE, -EINTR,
 * -ETIMEDOUT (zc_child_supervise: a child failed, a signal, the time
 * limit), -EPROTO (no report or a field missing), -EXDEV (the program's
 * affinity is not the one CPU it was pinned to), -E2BIG (argv too long).
 */
#include <stdint.h>
#include <jansson.h>
#include "counters.h"
#include "proc.h"
#include "topo.h"

struct zc_host {
	uint64_t count, host_ns, cpu_ns, t_start, t_end;
	json_t *report;		 /* a program's whole report, for more fields */
	struct zc_counts counts; /* its announced region */
	int counted;		 /* counts valid: the region was announced */
};

/* This thread, pinned to cpu, runs fn(arg) as the measured region. */
int zc_host_self(struct zc_host *h, const struct zc_topo *t, int cpu,
		 const struct zc_evset *ev, int (*fn)(void *arg), void *arg,
		 char *why, size_t len);

/*
 * Spawn sp as ch[0] (sp->keep_fd is taken for the socket; sp->cpu >= 0
 * pins it) beside the n peers already running in ch[1..n], supervise them
 * all until every one exited, within timeout_s, and read the report. All
 * of ch[0..n] are reaped on return, on every path. Call zc_host_release
 * afterwards, whatever it returned.
 */
int zc_host_run(struct zc_host *h, const struct zc_spawn *sp,
		struct zc_child *ch, int n, const struct zc_evset *ev,
		double timeout_s, char *why, size_t len);
void zc_host_release(struct zc_host *h);

#endif
