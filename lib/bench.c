/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"
#include "shm.h"

atomic_int zc_stop_signal;

static void on_signal(int sig)
{
	/* relaxed: the flag is the whole message */
	atomic_store_explicit(&zc_stop_signal, sig, memory_order_relaxed);
}

int zc_bench_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: blocking calls return EINTR and the caller stops. */
	if (sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0)
		return -errno;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -errno;
	return 0;
}

void zc_barrier_init(struct zc_barrier *b, unsigned n)
{
	atomic_init(&b->count, 0);
	atomic_init(&b->sense, 0);
	b->n = n;
}

/* Arrive without waiting; returns the sense to wait on, or -1 when this
 * arrival released the others. */
static long long barrier_arrive(struct zc_barrier *b)
{
	/* acquire: see what other threads wrote before they arrived */
	unsigned sense = atomic_load_explicit(&b->sense, memory_order_acquire);
	/* acq_rel: publish our writes to the last arriver, see theirs */
	if (atomic_fetch_add_explicit(&b->count, 1, memory_order_acq_rel) + 1 ==
	    b->n) {
		atomic_store_explicit(&b->count, 0, memory_order_relaxed);
		/* release: the reset count and everyone's writes before the
		 * flip */
		atomic_store_explicit(&b->sense, sense + 1,
				      memory_order_release);
		return -1;
	}
	return sense;
}

int zc_barrier_wait(struct zc_barrier *b)
{
	long long sense = barrier_arrive(b);
	if (sense < 0)
		return 0;
	/* acquire: pairs with the release flip in barrier_arrive */
	for (unsigned spins = 0;
	     atomic_load_explicit(&b->sense, memory_order_acquire) ==
	     (unsigned)sense;
	     spins++) {
		if (zc_stopped())
			return -EINTR;
		/* Spin first so that threads on idle cores leave together;
		 * then yield, so that a waiter sharing its core (more threads
		 * than CPUs, or a busy VM) does not hold back the one it waits
		 * for. */
		if (spins < 4096)
			zc_cpu_relax();
		else
			sched_yield();
	}
	return 0;
}

void zc_worker_begin(struct zc_worker *w)
{
	w->cpu_start = zc_topo_current_cpu();
	if (w->team->events)
		zc_counters_start(&w->ctr);
	w->t0 = zc_now_ns();
}

void zc_worker_end(struct zc_worker *w)
{
	w->t1 = zc_now_ns();
	if (w->team->events)
		zc_counters_stop(&w->ctr, &w->counts);
	w->cpu_end = zc_topo_current_cpu();
}

static void *worker_main(void *arg)
{
	struct zc_worker *w = arg;
	struct zc_team *team = w->team;

	if (w->cpu >= 0 && team->topo) {
		w->err = zc_topo_pin_self(team->topo, w->cpu);
	}
	if (!w->err && team->events)
		w->err = zc_counters_open(&w->ctr, team->events);
	if (zc_barrier_wait(&team->start) < 0 && !w->err)
		w->err = -EINTR;
	if (!w->err)
		team->fn(w);
	if (team->events)
		zc_counters_close(&w->ctr);
	/* release: the worker's results are complete before it counts done */
	atomic_fetch_add_explicit(&team->done, 1, memory_order_release);
	return NULL;
}

static int team_run(struct zc_team *team, const struct zc_topo *topo,
		    const struct zc_plan *plan, const struct zc_evset *events,
		    void (*fn)(struct zc_worker *w), void **args,
		    uint64_t duration_ns, double timeout_s)
{
	int n = plan->nthreads, started = 0, err = 0;
	uint64_t t_start, limit;

	team->n = n;
	team->topo = topo;
	team->events = events;
	team->fn = fn;
	team->duration_ns = duration_ns;
	team->timeout_s = timeout_s;
	atomic_init(&team->stop, 0);
	atomic_init(&team->done, 0);
	team->w = calloc((size_t)n, sizeof(*team->w));
	if (!team->w)
		return -ENOMEM;
	/* The caller's thread joins the start barrier so that the duration
	 * is timed from the moment the workers are released. */
	zc_barrier_init(&team->start, (unsigned)n + 1);
	for (int i = 0; i < n; i++) {
		struct zc_worker *w = &team->w[i];
		w->index = i;
		w->cpu = plan->cpu[i];
		w->cpu_start = w->cpu_end = -1;
		w->team = team;
		w->arg = args ? args[i] : NULL;
		if (events)
			zc_counts_init(&w->counts, events);
		err = pthread_create(&w->tid, NULL, worker_main, w);
		if (err) {
			/* pthread returns its error; errno is not set */
			snprintf(team->why, sizeof(team->why),
				 "cannot start thread %d: %s", i,
				 strerror(err));
			err = -err;
			break;
		}
		started++;
	}
	if (started < n) {
		/* Stand in for the threads that never started so the started
		 * ones leave the barrier, told to stop at once. */
		atomic_store_explicit(&team->stop, 1, memory_order_relaxed);
		for (int i = started; i < n; i++)
			barrier_arrive(&team->start);
		zc_barrier_wait(&team->start);
	}
	if (started == n && zc_barrier_wait(&team->start) < 0)
		err = -EINTR;
	t_start = zc_now_ns();
	limit = t_start + (uint64_t)(timeout_s * 1e9);
	if (started == n && duration_ns) {
		uint64_t end = t_start + duration_ns;
		while (zc_now_ns() < end && !zc_stopped()) {
			uint64_t left = end - zc_now_ns();
			struct timespec ts = {0, left > 10000000 ? 10000000
								 : (long)left};
			if ((int64_t)left > 0)
				nanosleep(&ts, NULL);
		}
		/* relaxed: workers poll the flag; their results are ordered by
		 * `done` below */
		atomic_store_explicit(&team->stop, 1, memory_order_relaxed);
	}
	/* acquire: pairs with each worker's release increment of done */
	while (atomic_load_explicit(&team->done, memory_order_acquire) <
	       started) {
		if (zc_stopped())
			atomic_store_explicit(&team->stop, 1,
					      memory_order_relaxed);
		if (zc_now_ns() > limit) {
			atomic_store_explicit(&team->stop, 1,
					      memory_order_relaxed);
			snprintf(team->why, sizeof(team->why),
				 "did not finish within %.0f s", timeout_s);
			/* The threads are left running: the caller exits. */
			for (int i = 0; i < started; i++)
				pthread_detach(team->w[i].tid);
			team->abandoned = 1;
			return -ETIMEDOUT;
		}
		usleep(1000);
	}
	for (int i = 0; i < started; i++)
		pthread_join(team->w[i].tid, NULL);
	if (err)
		return err;
	for (int i = 0; i < n; i++) {
		struct zc_worker *w = &team->w[i];
		if (w->err) {
			snprintf(team->why, sizeof(team->why), "thread %d: %s",
				 i,
				 w->err == -EINTR ? "interrupted"
						  : strerror(-w->err));
			return w->err;
		}
		if (w->cpu >= 0 && topo && topo->real &&
		    (w->cpu_start != w->cpu || w->cpu_end != w->cpu)) {
			snprintf(
				team->why, sizeof(team->why),
				"thread %d was pinned to CPU %d but ran on CPU "
				"%d (start) / %d (end)",
				i, w->cpu, w->cpu_start, w->cpu_end);
			return -EXDEV;
		}
	}
	return zc_stopped() ? -EINTR : 0;
}

int zc_team_run(struct zc_team *team, const struct zc_topo *topo,
		const struct zc_plan *plan, const struct zc_evset *events,
		void (*fn)(struct zc_worker *w), void **args,
		uint64_t duration_ns, double timeout_s)
{
	size_t size = (sizeof(*team) + 127) / 128 * 128;
	struct zc_team *live = aligned_alloc(128, size);
	int err;

	memset(team, 0, sizeof(*team));
	if (!live)
		return -ENOMEM;
	memset(live, 0, sizeof(*live));
	err = team_run(live, topo, plan, events, fn, args, duration_ns,
		       timeout_s);
	if (live->abandoned) {
		/* Only what the threads no longer write: the reason. */
		memcpy(team->why, live->why, sizeof(team->why));
		team->w = live->w;
		team->live = live;
		team->abandoned = 1;
		return err;
	}
	/* Every thread has been joined: copying their state is safe. */
	memcpy(team, live, sizeof(*team));
	team->live = live;
	return err;
}

void zc_team_release(struct zc_team *team)
{
	if (!team->abandoned) {
		free(team->w);
		free(team->live);
	}
	team->w = NULL;
	team->live = NULL;
	team->n = 0;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int zc_bench_drive_shuffled(const char *cmd, int ncases, int reps, int warmup,
			    int (*fn)(void *ctx, int i, int rep),
			    int (*skip)(void *ctx, int i), void *ctx,
			    uint64_t seed)
{
	int tty = isatty(STDERR_FILENO);
	int total = ncases * (reps + (warmup ? 1 : 0)), done = 0;
	int *order = malloc((size_t)(ncases > 0 ? ncases : 1) * sizeof(int));
	uint64_t st = seed ? seed : 1;

	if (!order)
		return -ENOMEM;
	for (int rep = warmup ? -1 : 0; rep < reps; rep++) {
		for (int i = 0; i < ncases; i++)
			order[i] = i;
		for (int i = ncases - 1; seed && rep >= 0 && i > 0; i--) {
			int j = (int)(xorshift(&st) % (uint64_t)(i + 1)), t;
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (int n = 0; n < ncases; n++) {
			int i = order[n];
			if (zc_stopped())
				goto stopped;
			done++;
			if (skip && skip(ctx, i))
				continue;
			if (tty) {
				fprintf(stderr, "\r%s: %s %d/%d, case %d/%d   ",
					cmd, rep < 0 ? "warm-up" : "repetition",
					rep < 0 ? 1 : rep + 1,
					rep < 0 ? 1 : reps, n + 1, ncases);
			}
			fn(ctx, i, rep);
		}
	}
	free(order);
	if (tty && total)
		fprintf(stderr, "\r%*s\r", 60, "");
	return zc_stopped() ? -EINTR : 0;
stopped:
	free(order);
	if (tty)
		fprintf(stderr, "\n");
	return -EINTR;
}

int zc_bench_drive(const char *cmd, int ncases, int reps, int warmup,
		   int (*fn)(void *ctx, int i, int rep),
		   int (*skip)(void *ctx, int i), void *ctx)
{
	return zc_bench_drive_shuffled(cmd, ncases, reps, warmup, fn, skip, ctx,
				       0);
}
