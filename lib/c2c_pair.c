/* SPDX-License-Identifier: MIT */
/*
 * c2c_pair — one repetition of a core-to-core measurement (c2c.h): a
 * fresh line homed where asked and first touched by the pinging core,
 * a calibration that sizes the samples, then the timed samples, with
 * lib/sentinel.h's hand-off loops.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "c2c.h"
#include "clock.h"
#include "shm.h"
#include "stats.h"

/*
 * The two threads go through phases, numbered in `state` from 1 (0: ping
 * prepares the line; FAILED: ping gave up). Each phase starts with the
 * line at 0: ping resets it once pong has answered the last round trip of
 * the phase before, describes the phase in `ph`, and publishes its number.
 *	[store sentinel before]  calibration  measurement  [store sentinel after]
 * The sentinels are taken for another method than store only: a store
 * repetition is its own sentinel (c2c.h).
 */
enum {
	PREPARING = 0,
	FAILED = -1
};

#define MEET_LIMIT_NS 5000000000ull /* the other side starts within 5 s */

struct phase {
	enum zc_handoff_method m;
	uint64_t rounds, batch;
	uint64_t *ns; /* rounds / batch entries (ping's) */
};

/* What the two threads share; on the heap, and never freed after a
 * timeout (the threads may still run). */
struct shared {
	_Alignas(128) _Atomic int state;
	_Atomic int arrived; /* sides running */
	char pad[128 - 2 * sizeof(int)];
	struct zc_c2c_req q;
	struct zc_mem mem; /* allocated by ping */
	struct zc_handoff_line *line;
	struct phase ph; /* the phase in `state` */
	uint64_t batch, rounds, end;
	uint64_t cal[4], sent[2][ZC_SENTINEL_BATCHES];
	uint64_t *ns; /* [q.samples] */
	uint64_t deadline;
	int nphases, mem_err;
};
_Static_assert(offsetof(struct shared, q) >= 128,
	       "state and arrived alone on a line");

/* Wait until state leaves `from`; the new state, or FAILED on stop or
 * deadline. */
static int wait_state(struct shared *sh, int from)
{
	unsigned spins = 0;
	int s;

	/* acquire: pairs with the release store that moved the state, so
	 * the reset line and the phase written before it are seen */
	while ((s = atomic_load_explicit(&sh->state, memory_order_acquire)) ==
	       from) {
		if ((++spins & 1023u) == 0 &&
		    (zc_stopped() || zc_now_ns() > sh->deadline))
			return FAILED;
		zc_cpu_relax();
	}
	return s;
}

static void set_state(struct shared *sh, int s)
{
	/* release: see wait_state */
	atomic_store_explicit(&sh->state, s, memory_order_release);
}

/* Ping's side of phase k. */
static int ping_phase(struct shared *sh, int k, enum zc_handoff_method m,
		      uint64_t rounds, uint64_t batch, uint64_t *ns)
{
	int err;

	/* relaxed: pong answered the last phase's last round trip (ping
	 * saw it) and waits for state k, whose release orders this store */
	atomic_store_explicit(&sh->line->v, 0, memory_order_relaxed);
	sh->ph = (struct phase){m, rounds, batch, ns};
	set_state(sh, k);
	err = zc_handoff_ping(sh->line, m, rounds, batch, ns, &zc_stop_signal,
			      sh->deadline);
	if (err)
		set_state(sh, FAILED);
	return err;
}

/* Pong's side of phase k. */
static int pong_phase(struct shared *sh, int k)
{
	struct phase ph;

	if (wait_state(sh, k - 1) != k)
		return -ECANCELED; /* ping says why */
	/* read before the first answer: ping rewrites ph only after the
	 * last one */
	ph = sh->ph;
	return zc_handoff_pong(sh->line, ph.m, ph.rounds, &zc_stop_signal,
			       sh->deadline);
}

static int sentinel_phase(struct shared *sh, int k, int which)
{
	return ping_phase(sh, k, ZC_HANDOFF_STORE, ZC_SENTINEL_ROUNDS,
			  ZC_SENTINEL_ROUNDS / ZC_SENTINEL_BATCHES,
			  sh->sent[which]);
}

static int ping_side(struct zc_worker *w, struct shared *sh)
{
	const struct zc_c2c_req *q = &sh->q;
	int err, k = 1, sent = sh->nphases > 2;
	double rt = INFINITY;

	/* First touch on this core: zc_mem_alloc binds, then zeroes the
	 * page from the calling thread. */
	err = zc_mem_alloc(&sh->mem, sizeof(struct zc_handoff_line), q->node,
			   ZC_MEM_PRIVATE, NULL);
	if (err < 0) {
		sh->mem_err = err;
		set_state(sh, FAILED);
		return err;
	}
	sh->line = sh->mem.p;
	if (sent && (err = sentinel_phase(sh, k++, 0)))
		return err;
	err = ping_phase(sh, k++, q->method, ZC_C2C_CAL_ROUNDS,
			 ZC_C2C_CAL_ROUNDS / 4, sh->cal);
	if (err)
		return err;
	/* The fastest quarter of the calibration sizes the samples, so
	 * that each lasts at least sample_ns. */
	for (int j = 0; j < 4; j++)
		rt = fmin(rt, (double)sh->cal[j] / (ZC_C2C_CAL_ROUNDS / 4));
	rt = fmax(rt, 1.0);
	sh->batch = (uint64_t)ceil(q->sample_ns / rt);
	if ((double)sh->batch * rt > q->max_sample_ns)
		sh->batch = (uint64_t)(q->max_sample_ns / rt);
	if (sh->batch < 1)
		sh->batch = 1;
	sh->rounds = sh->batch * (uint64_t)q->samples;
	zc_worker_begin(w);
	err = ping_phase(sh, k++, q->method, sh->rounds, sh->batch, sh->ns);
	zc_worker_end(w);
	/* relaxed: pong's last answer of the measurement, seen by ping */
	sh->end = atomic_load_explicit(&sh->line->v, memory_order_relaxed);
	if (!err && sent)
		err = sentinel_phase(sh, k++, 1);
	return err;
}

static int pong_side(struct zc_worker *w, struct shared *sh)
{
	int err = 0, k = 1, sent = sh->nphases > 2;

	if (sent)
		err = pong_phase(sh, k++);
	if (!err)
		err = pong_phase(sh, k++); /* calibration */
	if (err)
		return err;
	zc_worker_begin(w);
	err = pong_phase(sh, k++);
	zc_worker_end(w);
	if (!err && sent)
		err = pong_phase(sh, k++);
	return err;
}

/* Both sides are here, or -ECANCELED: a side that could not pin or open
 * its counters never runs (the team reports its error), and the other must
 * not wait for it (not reading its err, which it may write as we read). */
static int meet(struct shared *sh)
{
	uint64_t limit = zc_now_ns() + MEET_LIMIT_NS;
	unsigned spins = 0;

	/* release: this side is running; acquire: the other's arrival */
	atomic_fetch_add_explicit(&sh->arrived, 1, memory_order_acq_rel);
	while (atomic_load_explicit(&sh->arrived, memory_order_acquire) < 2) {
		if ((++spins & 1023u) == 0 &&
		    (zc_stopped() || zc_now_ns() > limit))
			return -ECANCELED;
		zc_cpu_relax();
	}
	return 0;
}

static void worker(struct zc_worker *w)
{
	struct shared *sh = w->arg;

	if (meet(sh))
		w->err = -ECANCELED;
	else
		w->err = w->index == 0 ? ping_side(w, sh) : pong_side(w, sh);
}

/* The error that explains a failed team: a side's own, not the other's
 * -ECANCELED; 0 when none is left. */
static int first_cause(const struct zc_team *team, int *side)
{
	for (int i = 0; i < 2; i++)
		if (team->w[i].err && team->w[i].err != -ECANCELED) {
			*side = i;
			return team->w[i].err;
		}
	return 0;
}

static int check_result(struct shared *sh, struct zc_c2c_result *r)
{
	/* relaxed: the team was joined */
	uint64_t v = sh->end;

	if (v != 2 * sh->rounds) {
		snprintf(r->why, sizeof(r->why),
			 "the line ended at %llu, expected %llu: a hand-off "
			 "was lost",
			 (unsigned long long)v,
			 (unsigned long long)(2 * sh->rounds));
		return -EIO;
	}
	for (int k = 0; k < sh->q.samples; k++) {
		if (!sh->ns[k]) {
			snprintf(r->why, sizeof(r->why),
				 "sample %d took 0 ns: the clock did not move",
				 k);
			return -EIO;
		}
		r->oneway[k] = (double)sh->ns[k] / (2.0 * (double)sh->batch);
	}
	return 0;
}

/* A store sentinel's one-way time: the median batch, as lib/sentinel. */
static double sentinel_ns(const uint64_t *ns)
{
	double x[ZC_SENTINEL_BATCHES];

	for (int k = 0; k < ZC_SENTINEL_BATCHES; k++)
		x[k] = (double)ns[k] /
		       (2.0 * (ZC_SENTINEL_ROUNDS / ZC_SENTINEL_BATCHES));
	zc_stats_sort(x, ZC_SENTINEL_BATCHES);
	return zc_stats_quantile_sorted(x, ZC_SENTINEL_BATCHES, 0.5);
}

static void summarise(struct zc_c2c_result *r, int n)
{
	double *x = malloc((size_t)n * sizeof(*x));

	if (!x)
		return;
	memcpy(x, r->oneway, (size_t)n * sizeof(*x));
	zc_stats_sort(x, (size_t)n);
	r->min = x[0];
	r->median = zc_stats_quantile_sorted(x, (size_t)n, 0.5);
	r->p99 = zc_stats_quantile_sorted(x, (size_t)n, 0.99);
	free(x);
}

int zc_c2c_measure(const struct zc_topo *t, const struct zc_c2c_req *q,
		   struct zc_c2c_result *r)
{
	struct shared *sh;
	void *args[2];
	struct zc_team team;
	struct zc_plan *plan;
	int err, side = -1;

	r->batch = 0;
	r->abandoned = 0;
	r->why[0] = r->binding[0] = 0;
	r->cpu[0] = r->cpu[1] = -1;
	r->cal_oneway_ns = r->min = r->median = r->p99 = NAN;
	r->sent[0] = r->sent[1] = NAN;
	if (q->samples < 1 || q->ping == q->pong || !(q->sample_ns > 0) ||
	    !(q->max_sample_ns >= q->sample_ns)) {
		snprintf(r->why, sizeof(r->why), "bad request");
		return -EINVAL;
	}
	sh = aligned_alloc(128, (sizeof(*sh) + 127) / 128 * 128);
	plan = calloc(1, sizeof(*plan));
	if (!sh || !plan) {
		free(sh);
		free(plan);
		snprintf(r->why, sizeof(r->why), "out of memory");
		return -ENOMEM;
	}
	memset(sh, 0, sizeof(*sh));
	sh->ns = calloc((size_t)q->samples, sizeof(*sh->ns));
	if (!sh->ns) {
		free(sh);
		free(plan);
		snprintf(r->why, sizeof(r->why), "out of memory");
		return -ENOMEM;
	}
	atomic_init(&sh->state, PREPARING);
	atomic_init(&sh->arrived, 0);
	sh->q = *q;
	sh->nphases = q->method != ZC_HANDOFF_STORE ? 4 : 2;
	/* The loops give up before the team does, so that the threads
	 * end rather than being abandoned. */
	sh->deadline = zc_now_ns() + (uint64_t)(q->timeout_s * 0.8e9);
	plan->place = ZC_PLACE_CPUS;
	plan->nthreads = 2;
	plan->cpu[0] = q->ping;
	plan->cpu[1] = q->pong;
	args[0] = args[1] = sh;
	err = zc_team_run(&team, t, plan, q->events, worker, args, 0,
			  q->timeout_s);
	free(plan);
	if (err == -ETIMEDOUT && team.abandoned) {
		/* The threads still run on sh and its line: never free. */
		snprintf(r->why, sizeof(r->why), "%s", team.why);
		r->abandoned = 1;
		zc_team_release(&team);
		return err;
	}
	snprintf(r->binding, sizeof(r->binding), "%s",
		 sh->mem.p ? sh->mem.binding : "");
	if (err && !zc_stopped() && team.w && first_cause(&team, &side))
		err = first_cause(&team, &side);
	if (zc_stopped() || err == -ECANCELED || err == -EINTR) {
		snprintf(r->why, sizeof(r->why), "interrupted");
		err = -EINTR;
	} else if (sh->mem_err) {
		err = sh->mem_err;
		snprintf(r->why, sizeof(r->why), "cannot allocate the line: %s",
			 strerror(-err));
	} else if (err == -ETIMEDOUT) {
		snprintf(r->why, sizeof(r->why),
			 "did not finish within %.0f s: a side was not running "
			 "(another process on these CPUs, or the host took "
			 "its vCPU)",
			 q->timeout_s * 0.8);
	} else if (err && (err == -EXDEV || side < 0)) {
		snprintf(r->why, sizeof(r->why), "%s", team.why);
	} else if (err) {
		snprintf(r->why, sizeof(r->why), "%s on CPU %d: %s",
			 side ? "pong" : "ping", side ? q->pong : q->ping,
			 strerror(-err));
	} else {
		err = check_result(sh, r);
	}
	if (!err) {
		summarise(r, q->samples);
		r->sent[0] = r->sent[1] = r->median;
		if (sh->nphases > 2) {
			r->sent[0] = sentinel_ns(sh->sent[0]);
			r->sent[1] = sentinel_ns(sh->sent[1]);
		}
		r->batch = sh->batch;
		r->cal_oneway_ns = (double)(sh->cal[0] + sh->cal[1] +
					    sh->cal[2] + sh->cal[3]) /
				   (2.0 * ZC_C2C_CAL_ROUNDS);
		r->cpu[0] = team.w[0].cpu_end;
		r->cpu[1] = team.w[1].cpu_end;
		zc_counts_init(&r->counts, q->events);
		if (q->events)
			for (int i = 0; i < 2; i++)
				zc_counts_add(&r->counts, &team.w[i].counts);
	}
	zc_team_release(&team);
	if (sh->mem.p)
		zc_mem_free(&sh->mem);
	free(sh->ns);
	free(sh);
	return err;
}

double zc_c2c_loop_ns(enum zc_handoff_method m)
{
	enum {
		ROUNDS = 20000,
		RUNS = 5
	};
	struct zc_handoff_line *l = aligned_alloc(128, sizeof(*l));
	double x[RUNS];

	if (!l)
		return NAN;
	zc_handoff_local(l, m, ROUNDS / 10); /* warm */
	for (int k = 0; k < RUNS; k++)
		x[k] = (double)zc_handoff_local(l, m, ROUNDS) / (2.0 * ROUNDS);
	free(l);
	zc_stats_sort(x, RUNS);
	return x[RUNS / 2];
}
