/* SPDX-License-Identifier: MIT */
/*
 * Description: barrier, pinned teams (placement checked, duration stop,
 * timeout) and the interleaving repetition driver.
 * Labels: unit threads
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "check.h"
#include "clock.h"

#define ROUNDS 5000
static struct zc_barrier bar;
static atomic_int arrived;
static atomic_int bad;

static void *barrier_thread(void *arg)
{
	int n = *(int *)arg;
	for (int r = 1; r <= ROUNDS; r++) {
		/* relaxed: the barrier orders these increments */
		atomic_fetch_add_explicit(&arrived, 1, memory_order_relaxed);
		zc_barrier_wait(&bar);
		if (atomic_load_explicit(&arrived, memory_order_relaxed) <
		    r * n)
			atomic_fetch_add_explicit(&bad, 1,
						  memory_order_relaxed);
		zc_barrier_wait(&bar);
	}
	return NULL;
}

static void spin_worker(struct zc_worker *w)
{
	uint64_t *n = w->arg;
	zc_worker_begin(w);
	while (!zc_worker_should_stop(w))
		(*n)++;
	zc_worker_end(w);
}

static void slow_worker(struct zc_worker *w)
{
	zc_worker_begin(w);
	usleep(1500 * 1000); /* ignores the stop flag */
	zc_worker_end(w);
}

static int order[64][2], norder;
static int drive_fn(void *ctx, int i, int rep)
{
	if (norder < 64) {
		order[norder][0] = i;
		order[norder++][1] = rep;
	}
	return 0;
}

static int drive_skip(void *ctx, int i)
{
	return i == 1;
}

int main(void)
{
	struct zc_topo t;
	struct zc_plan plan;
	struct zc_team team;
	pthread_t th[4];
	int n = 4;
	uint64_t counts[2] = {0, 0}, before;
	void *args[2] = {&counts[0], &counts[1]};

	zc_barrier_init(&bar, (unsigned)n);
	for (int i = 0; i < n; i++)
		CHECK(pthread_create(&th[i], NULL, barrier_thread, &n) == 0);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	CHECK(atomic_load(&bad) == 0);
	CHECK(atomic_load(&arrived) == ROUNDS * n);

	CHECK(zc_topo_load(&t, NULL) == 0);
	CHECK(zc_topo_plan(&t, ZC_PLACE_COMPACT, 1, NULL, 0, &plan) == 0);
	before = zc_now_ns();
	CHECK(zc_team_run(&team, &t, &plan, NULL, spin_worker, args, 20000000,
			  10) == 0);
	CHECK(team.w[0].cpu_start == plan.cpu[0] &&
	      team.w[0].cpu_end == plan.cpu[0]);
	/* The stop comes 20 ms after the start barrier: the worker ends after
	 * that (its own start may come later, when the host or a sanitizer
	 * delays it past the barrier). */
	CHECK(team.w[0].t1 - before >= 20000000 && team.w[0].t1 > team.w[0].t0);
	CHECK(counts[0] > 0);
	zc_team_release(&team);

	if (zc_topo_npus(&t) >= 2) {
		CHECK(zc_topo_plan(&t, ZC_PLACE_COMPACT, 2, NULL, 0, &plan) ==
		      0);
		CHECK(zc_team_run(&team, &t, &plan, NULL, spin_worker, args,
				  10000000, 10) == 0);
		CHECK(team.w[1].cpu_end == plan.cpu[1]);
		zc_team_release(&team);
	}

	/* A worker that overruns the limit is abandoned, not waited for. */
	CHECK(zc_team_run(&team, &t, &plan, NULL, slow_worker, NULL, 0, 0.2) ==
	      -ETIMEDOUT);
	CHECK(strstr(team.why, "did not finish") != NULL);
	{
		struct zc_team *live = team.live;
		CHECK(team.abandoned && live);
		zc_team_release(&team); /* leaves live to the running thread */
		/* acquire: pairs with the worker's release increment of done,
		 * after which it no longer touches live */
		while (atomic_load_explicit(&live->done, memory_order_acquire) <
		       plan.nthreads)
			usleep(10000);
		free(live->w);
		free(live);
	}

	/* Interleaved: every case's repetition r before any r + 1. */
	CHECK(zc_bench_drive("test", 3, 2, 1, drive_fn, drive_skip, NULL) == 0);
	CHECK(norder == 6);
	CHECK(order[0][0] == 0 && order[0][1] == -1);
	CHECK(order[1][0] == 2 && order[1][1] == -1);
	CHECK(order[2][0] == 0 && order[2][1] == 0);
	CHECK(order[3][0] == 2 && order[3][1] == 0);
	CHECK(order[5][0] == 2 && order[5][1] == 1);
	zc_topo_release(&t);
	return zc_check_result();
}
