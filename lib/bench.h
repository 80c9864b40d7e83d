/* SPDX-License-Identifier: MIT */
#ifndef ZC_BENCH_H
#define ZC_BENCH_H
/*
 * bench — the pieces every benchmark's driver uses: stop on signals,
 * barriers, pinned thread teams with counters and placement verification,
 * and the repetition driver that interleaves cases.
 *
 * Repetitions are interleaved: repetition r of every case runs before
 * repetition r+1 of any, so a machine whose speed drifts (VMs do) shifts
 * all cases alike instead of biasing the ones measured last. One warm-up
 * repetition per case is run and discarded.
 *
 * A team: N threads, each pinned to its planned CPU before it starts,
 * opening its perf counters, then released together from a barrier. After
 * the run every thread's CPU is checked (sched_getcpu at start and end of
 * the measured region); a thread that ran elsewhere fails the case
 * (-EXDEV with the reason). A team that does not finish within its timeout
 * is abandoned with -ETIMEDOUT (the caller must treat the process as
 * tainted and exit 1).
 *
 * Errors: 0 or -errno as stated per function.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "counters.h"
#include "topo.h"

/* Set (to the signal number) by SIGINT/SIGTERM once installed. */
extern atomic_int zc_stop_signal;

/* Install SIGINT/SIGTERM handlers that set zc_stop_signal (no SA_RESTART,
 * so blocking calls return EINTR) and ignore SIGPIPE. 0 or -errno. */
int zc_bench_signals_install(void);
static inline int zc_stopped(void)
{
	/* relaxed: a flag only, no data is published with it */
	return atomic_load_explicit(&zc_stop_signal, memory_order_relaxed);
}

/* Sense-reversing spin barrier (no syscalls: threads leave it together). */
struct zc_barrier {
	_Alignas(128) atomic_uint count;
	_Alignas(128) atomic_uint sense;
	unsigned n;
};
void zc_barrier_init(struct zc_barrier *b, unsigned n);
/* Returns 0; -EINTR if zc_stopped() while waiting. */
int zc_barrier_wait(struct zc_barrier *b);

#define ZC_WHY_LEN_BENCH 160

struct zc_team;

struct zc_worker {
	int index;
	int cpu;       /* planned OS index, -1 = not pinned */
	int cpu_start; /* observed at the start of the region */
	int cpu_end;   /* observed at its end */
	int err;       /* pinning or workload error (-errno) */
	struct zc_team *team;
	void *arg;	 /* the caller's per-thread data */
	uint64_t t0, t1; /* region start/end, zc_now_ns */
	struct zc_counters ctr;
	struct zc_counts counts;
	pthread_t tid;
};

struct zc_team {
	int n;
	const struct zc_topo *topo;
	const struct zc_evset *events; /* NULL: rusage and CPU time only */
	void (*fn)(struct zc_worker *w);
	struct zc_worker *w;
	struct zc_barrier start;
	atomic_int stop;      /* set when duration_ns has passed */
	atomic_int done;      /* workers finished */
	uint64_t duration_ns; /* 0: workers decide when to end */
	double timeout_s;     /* whole run limit */
	char why[ZC_WHY_LEN_BENCH];
	/* The state the threads share lives on the heap, so that threads
	 * abandoned after a timeout never write into the caller's frame. */
	struct zc_team *live;
	int abandoned; /* timed out: live and w belong to the threads */
};

/*
 * Run fn on plan->nthreads pinned threads. Each thread: pin, open counters,
 * barrier, zc_worker_begin() is called by fn at the start of the measured
 * region and zc_worker_end() at its end. If duration_ns > 0, team->stop is
 * set that long after the start. args[i] becomes w[i].arg (may be NULL).
 * Returns 0; -EXDEV (ran elsewhere), -ETIMEDOUT, -EINTR (stopped), or a
 * worker's err; team->why explains. On return *team is a copy of the
 * threads' state (w[] with their results). After -ETIMEDOUT the threads
 * still run and own team->live and team->w: zc_team_release leaves both
 * allocated, and whatever the caller passed in args must stay valid too.
 */
int zc_team_run(struct zc_team *team, const struct zc_topo *topo,
		const struct zc_plan *plan, const struct zc_evset *events,
		void (*fn)(struct zc_worker *w), void **args,
		uint64_t duration_ns, double timeout_s);
void zc_team_release(struct zc_team *team);

/* Called by a worker: start and end of its measured region (counters,
 * clock, CPU observed). */
void zc_worker_begin(struct zc_worker *w);
void zc_worker_end(struct zc_worker *w);
static inline int zc_worker_should_stop(struct zc_worker *w)
{
	/* relaxed: a flag only; the loop re-reads it every batch */
	return atomic_load_explicit(&w->team->stop, memory_order_relaxed);
}

/*
 * The repetition driver: for rep = -1 (warm-up, results discarded) ..
 * reps-1, for each case i, call fn(ctx, i, rep) unless skip(ctx, i) says the
 * case is skipped or failed. fn returns 0, or -errno to fail the case (it
 * records the reason itself); the driver goes on with the other cases.
 * Progress goes to stderr when it is a terminal. Returns 0, or -EINTR when
 * stopped by a signal (what was measured is kept).
 */
int zc_bench_drive(const char *cmd, int ncases, int reps, int warmup,
		   int (*fn)(void *ctx, int i, int rep),
		   int (*skip)(void *ctx, int i), void *ctx);
/* The same with the cases of each measured round in a random order (seed
 * != 0; the warm-up runs in order): randomised multiple interleaved trials
 * (Abedi & Brecht, ICPE 2017), so that no case always follows another. */
int zc_bench_drive_shuffled(const char *cmd, int ncases, int reps, int warmup,
			    int (*fn)(void *ctx, int i, int rep),
			    int (*skip)(void *ctx, int i), void *ctx,
			    uint64_t seed);

#endif
