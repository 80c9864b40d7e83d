/* SPDX-License-Identifier: MIT */
/*
 * Description: the hand-off ping-pong loops (store and CAS, batches, stop
 * flag, deadline with a missing peer) and the sentinel (pinned pair, a
 * finite positive one-way time, refusals on bad CPUs and planning
 * topologies).
 * Labels: unit threads
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "check.h"
#include "clock.h"
#include "sentinel.h"

/* Unpinned, under TSan and beside other tests, the two spinning threads
 * may share one CPU and hand the line over once per time slice (~7 ms a
 * round trip seen): few rounds and a wide deadline keep this a test of
 * the loops' logic, not of the scheduler. */
#define ROUNDS		  400
#define BATCH		  100
#define LOOPS_DEADLINE_NS 120000000000ull

static struct zc_handoff_line line;

struct pong_arg {
	enum zc_handoff_method m;
	int err;
};

static void *pong_thread(void *arg)
{
	struct pong_arg *a = arg;
	a->err = zc_handoff_pong(&line, a->m, ROUNDS, NULL,
				 zc_now_ns() + LOOPS_DEADLINE_NS);
	return NULL;
}

static void loops(enum zc_handoff_method m)
{
	uint64_t ns[ROUNDS / BATCH];
	struct pong_arg a = {m, -1};
	pthread_t t;
	int err;

	atomic_store(&line.v, 0);
	CHECK(pthread_create(&t, NULL, pong_thread, &a) == 0);
	err = zc_handoff_ping(&line, m, ROUNDS, BATCH, ns, NULL,
			      zc_now_ns() + LOOPS_DEADLINE_NS);
	pthread_join(t, NULL);
	CHECKF(err == 0 && a.err == 0, "method %d: ping %d pong %d", m, err,
	       a.err);
	/* Every round trip happened, in order: the line ends at 2 * rounds. */
	CHECKF(atomic_load(&line.v) == 2 * ROUNDS, "method %d: line %llu", m,
	       (unsigned long long)atomic_load(&line.v));
	for (int k = 0; k < ROUNDS / BATCH; k++)
		CHECK(ns[k] > 0);
}

int main(void)
{
	struct zc_sentinel *s;
	struct zc_topo topo, syn;
	uint64_t ns[4];
	atomic_int stop = 1;
	char why[160];
	double v, cost;

	/* No peer: the deadline ends the wait; a set stop flag at once. */
	atomic_store(&line.v, 0);
	CHECK(zc_handoff_ping(&line, ZC_HANDOFF_STORE, 4, 1, ns, NULL,
			      zc_now_ns() + 2000000) == -ETIMEDOUT);
	atomic_store(&line.v, 0);
	CHECK(zc_handoff_ping(&line, ZC_HANDOFF_CAS, 4, 1, ns, &stop, 0) ==
	      -ECANCELED);
	CHECK(zc_handoff_ping(&line, ZC_HANDOFF_STORE, 5, 2, ns, NULL, 0) ==
	      -EINVAL);

	CHECK(zc_topo_load(&syn, "synthetic:pack:1 core:2 pu:1") == 0);
	CHECK(zc_sentinel_open(&s, &syn, 0, 1, why, sizeof(why)) == -ENODEV);
	CHECK(s == NULL);
	zc_topo_release(&syn);

	CHECK(zc_topo_load(&topo, NULL) == 0);
	CHECK(zc_sentinel_open(&s, &topo, 0, 0, why, sizeof(why)) == -EINVAL);
	/* Two spinning threads on one CPU would take a time slice per round
	 * trip: the loops need two CPUs. */
	if (zc_topo_npus(&topo) >= 2) {
		loops(ZC_HANDOFF_STORE);
		loops(ZC_HANDOFF_CAS);
	}
	if (zc_topo_npus(&topo) < 2 || !hwloc_bitmap_isset(topo.allowed, 0) ||
	    !hwloc_bitmap_isset(topo.allowed, 1)) {
		zc_topo_release(&topo);
		fprintf(stderr, "skipped the sentinel: needs CPUs 0 and 1\n");
		return zc_check_failures ? 1 : 77;
	}
	CHECKF(zc_sentinel_open(&s, &topo, 0, 1, why, sizeof(why)) == 0, "%s",
	       why);
	if (s) {
		int a, b, ok = 0;
		zc_sentinel_cpus(s, &a, &b);
		CHECK(a == 0 && b == 1);
		/* A loaded machine may take a vCPU away for one measurement
		 * (-ETIMEDOUT); most must succeed. */
		for (int i = 0; i < 20; i++) {
			int err = zc_sentinel_measure(s, &v, &cost);
			if (err == 0) {
				CHECKF(isfinite(v) && v > 0 && v < 1e6,
				       "one-way %g ns", v);
				CHECK(cost > 2 * v * ZC_SENTINEL_ROUNDS);
				ok++;
			} else {
				CHECKF(err == -ETIMEDOUT || err == -EXDEV,
				       "measure: %d", err);
				CHECK(isnan(v));
			}
		}
		CHECKF(ok >= 10, "%d of 20 measurements succeeded", ok);
		zc_sentinel_close(s);
	}
	zc_topo_release(&topo);
	return zc_check_result();
}
