/* SPDX-License-Identifier: MIT */
#ifndef ZC_REGION_H
#define ZC_REGION_H
/*
 * region — perf counters on the measured region of a process zcbench
 * started (the Python host of `zcbench ffi`): the process announces where
 * its region begins and ends, and zcbench enables its counters around it,
 * so the count covers the region and not the interpreter's start, imports
 * or report.
 *
 * Protocol, on the child's end of a socket pair (one byte each way):
 * before its region the child writes 'b' and reads one byte back; after
 * it, 'e' and reads one byte back. The reply to 'b' is sent once the
 * counters run, the reply to 'e' once they stopped, so the child's own
 * clock readings of its region lie inside the counted span. The span also
 * holds the return of one read and the entry of one write (a few µs).
 *
 * Usage:
 *	zc_region_init(&rg);		   (a socket pair)
 *	spawn the child with rg.child_fd kept open and its number in argv
 *	zc_region_attach(&rg, &events, pid);  (counters on pid, a thread
 *					       serves the socket)
 *	... supervise the child until it is reaped ...
 *	err = zc_region_end(&rg, &counts);
 *
 * zc_region_end is the one release: call it on every path after init.
 * It never waits for the child (it shuts the socket down first), so it
 * may be called while the child runs; the count is then incomplete.
 *
 * Limitations: the main thread of the child only (lib/counters.h
 * zc_counters_open_pid); rusage and CPU time are not in the counts.
 *
 * Errors: zc_region_init: -errno of socketpair; zc_region_attach: -errno
 * of pthread_create, -EINVAL; zc_region_end: -ENODATA when the child did
 * not announce a whole region (it died, or does not speak the protocol).
 */
#include <pthread.h>
#include <sys/types.h>
#include "counters.h"

enum zc_region_state {
	ZC_REGION_IDLE,	  /* waiting for 'b' */
	ZC_REGION_OPEN,	  /* counting */
	ZC_REGION_DONE,	  /* counted from 'b' to 'e' */
	ZC_REGION_BROKEN, /* a byte out of protocol */
};

struct zc_region {
	int fd;	      /* our end; -1 once closed */
	int child_fd; /* the child's end: keep it across exec; -1 once closed */
	struct zc_counters ctr;
	struct zc_counts counts;
	enum zc_region_state state; /* the serving thread's, read after join */
	pthread_t thread;
	int serving;
};

int zc_region_init(struct zc_region *rg);
/* After the child was spawned: close our copy of the child's end, open the
 * events of s on pid and serve the socket. */
int zc_region_attach(struct zc_region *rg, const struct zc_evset *s, pid_t pid);
/* Stop serving, close everything; the counts into out (may be NULL). */
int zc_region_end(struct zc_region *rg, struct zc_counts *out);

#endif
