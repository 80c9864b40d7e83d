/* SPDX-License-Identifier: MIT */
/*
 * sentinel — the hand-off ping-pong loops and the parked thread pair that
 * measures them around every repetition.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "clock.h"
#include "sentinel.h"
#include "stats.h"

#define POLL_MASK 1023u /* spins between looks at the stop flag and clock */

static int give_up(const atomic_int *stop, uint64_t deadline_ns)
{
	/* relaxed: a flag only, nothing is published with it */
	if (stop && atomic_load_explicit(stop, memory_order_relaxed))
		return -ECANCELED;
	if (deadline_ns && zc_now_ns() > deadline_ns)
		return -ETIMEDOUT;
	return 0;
}

/* Wait until the line holds want (store method). */
static int await(struct zc_handoff_line *l, uint64_t want,
		 const atomic_int *stop, uint64_t deadline_ns)
{
	unsigned spins = 0;

	/* acquire: pairs with the other side's release store; the line
	 * carries only itself, the order keeps weak CPUs from running
	 * ahead. No pause in the loop: a PAUSE costs ~140 cycles on recent
	 * Intel cores and would add up to that to every hand-off measured
	 * (c2clat and core-to-core-latency spin without one too). */
	while (atomic_load_explicit(&l->v, memory_order_acquire) != want) {
		if ((++spins & POLL_MASK) == 0) {
			int err = give_up(stop, deadline_ns);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Move the line from `from` to `to` by compare-exchange (cas method). */
static int swing(struct zc_handoff_line *l, uint64_t from, uint64_t to,
		 const atomic_int *stop, uint64_t deadline_ns)
{
	unsigned spins = 0;
	uint64_t e = from;

	/* acq_rel: as the store method's release/acquire pair; a failed
	 * attempt still takes the line exclusive, which is what this
	 * method measures */
	while (!atomic_compare_exchange_weak_explicit(
		&l->v, &e, to, memory_order_acq_rel, memory_order_relaxed)) {
		e = from;
		if ((++spins & POLL_MASK) == 0) {
			int err = give_up(stop, deadline_ns);
			if (err)
				return err;
		}
	}
	return 0;
}

int zc_handoff_ping(struct zc_handoff_line *l, enum zc_handoff_method m,
		    uint64_t rounds, uint64_t batch, uint64_t *ns,
		    const atomic_int *stop, uint64_t deadline_ns)
{
	uint64_t t0;
	int err = 0;

	if (!batch || rounds % batch)
		return -EINVAL;
	if (m == ZC_HANDOFF_CAS)
		err = swing(l, 0, 1, stop, deadline_ns); /* serve round 0 */
	t0 = zc_now_ns();
	for (uint64_t r = 0; r < rounds && !err; r++) {
		if (m == ZC_HANDOFF_STORE) {
			/* release: see await */
			atomic_store_explicit(&l->v, 2 * r + 1,
					      memory_order_release);
			err = await(l, 2 * r + 2, stop, deadline_ns);
		} else if (r + 1 < rounds) {
			/* the reply of round r arrives as 2r+2: serve r+1 */
			err = swing(l, 2 * r + 2, 2 * r + 3, stop, deadline_ns);
		} else {
			err = await(l, 2 * r + 2, stop, deadline_ns);
		}
		if (!err && (r + 1) % batch == 0) {
			uint64_t t = zc_now_ns();
			ns[r / batch] = t - t0;
			t0 = t;
		}
	}
	return err;
}

int zc_handoff_pong(struct zc_handoff_line *l, enum zc_handoff_method m,
		    uint64_t rounds, const atomic_int *stop,
		    uint64_t deadline_ns)
{
	int err = 0;

	for (uint64_t r = 0; r < rounds && !err; r++) {
		if (m == ZC_HANDOFF_STORE) {
			err = await(l, 2 * r + 1, stop, deadline_ns);
			/* release: see await */
			if (!err)
				atomic_store_explicit(&l->v, 2 * r + 2,
						      memory_order_release);
		} else {
			err = swing(l, 2 * r + 1, 2 * r + 2, stop, deadline_ns);
		}
	}
	return err;
}

uint64_t zc_handoff_local(struct zc_handoff_line *l, enum zc_handoff_method m,
			  uint64_t rounds)
{
	uint64_t t0;

	/* relaxed: one thread owns the line */
	atomic_store_explicit(&l->v, 0, memory_order_relaxed);
	t0 = zc_now_ns();
	for (uint64_t r = 0; r < rounds; r++) {
		if (m == ZC_HANDOFF_STORE) {
			/* ping's store, pong's look and store, ping's look:
			 * the orders of the two-sided loop (see await) */
			atomic_store_explicit(&l->v, 2 * r + 1,
					      memory_order_release);
			await(l, 2 * r + 1, NULL, 0);
			atomic_store_explicit(&l->v, 2 * r + 2,
					      memory_order_release);
			await(l, 2 * r + 2, NULL, 0);
		} else {
			swing(l, 2 * r, 2 * r + 1, NULL, 0);
			swing(l, 2 * r + 1, 2 * r + 2, NULL, 0);
		}
	}
	return zc_now_ns() - t0;
}

/* ---- the pace probe ---------------------------------------------------- */

/*
 * ZC_PACE_CHUNKS chunks of ZC_PACE_ITERS iterations of four independent
 * integer chains: throughput-bound, so a host hyperthread busy with
 * another tenant, or a lower clock, slows it; the empty asm keeps the
 * compiler from vectorising or folding the loop. The fastest chunk (an
 * interrupt only slows one) in ns per 1000 iterations.
 */
static double pace_probe(void)
{
	double best = INFINITY;

	for (int k = 0; k < ZC_PACE_CHUNKS; k++) {
		uint64_t a = 1, b = 2, c = 3, d = 4, t0 = zc_now_ns(), t;
		for (uint64_t i = 0; i < ZC_PACE_ITERS; i++) {
			a += i;
			b ^= i;
			c += i >> 1;
			d -= i;
			__asm__ volatile(""
					 : "+r"(a), "+r"(b), "+r"(c), "+r"(d));
		}
		t = zc_now_ns() - t0;
		__asm__ volatile("" : : "r"(a ^ b ^ c ^ d));
		if ((double)t < best)
			best = (double)t;
	}
	return best * 1000.0 / ZC_PACE_ITERS;
}

/* ---- the sentinel ------------------------------------------------------ */

struct side {
	struct zc_sentinel *s;
	int index, cpu;
	int err;
	int cpu_start, cpu_end;
	double pace; /* ns per 1000 iterations of pace_probe, NaN: none */
	pthread_t tid;
};

#define LINE_STRIDE (4096 + 128) /* a page and a line apart */

struct zc_sentinel {
	/* One line per batch, each in its own page at another offset: on a
	 * mesh (Intel) a line's home slice follows its address, and one
	 * fixed line would give the sentinel a level of its own per run. */
	unsigned char *lines;
	pthread_mutex_t mu;
	pthread_cond_t go, done_cv;
	unsigned gen; /* measurement number: the threads run when it moves */
	int quit;     /* the threads leave */
	int done;     /* threads finished the current measurement */
	int ready;    /* threads pinned (or failed to) */
	uint64_t deadline;
	uint64_t ns[ZC_SENTINEL_BATCHES];
	double pace; /* the last measurement's, slower side; NaN: none */
	const struct zc_topo *topo;
	struct side side[2];
	int started;
};

static struct zc_handoff_line *line_of(struct zc_sentinel *s, int k)
{
	return (struct zc_handoff_line *)(s->lines + (size_t)k * LINE_STRIDE);
}

static void *side_main(void *arg)
{
	struct side *sd = arg;
	struct zc_sentinel *s = sd->s;
	unsigned seen = 0;
	int err = zc_topo_pin_self(s->topo, sd->cpu);

	pthread_mutex_lock(&s->mu);
	sd->err = err;
	s->ready++;
	pthread_cond_broadcast(&s->done_cv);
	for (;;) {
		while (s->gen == seen && !s->quit)
			pthread_cond_wait(&s->go, &s->mu);
		if (s->quit)
			break;
		seen = s->gen;
		pthread_mutex_unlock(&s->mu);
		sd->cpu_start = zc_topo_current_cpu();
		err = 0;
		for (int k = 0; k < ZC_SENTINEL_BATCHES && !err; k++) {
			struct zc_handoff_line *l = line_of(s, k);
			uint64_t r = ZC_SENTINEL_ROUNDS / ZC_SENTINEL_BATCHES;
			if (sd->index == 0)
				err = zc_handoff_ping(
					l, ZC_HANDOFF_STORE, r, r, &s->ns[k],
					&zc_stop_signal, s->deadline);
			else
				err = zc_handoff_pong(l, ZC_HANDOFF_STORE, r,
						      &zc_stop_signal,
						      s->deadline);
		}
		/* Right after the hand-off, both sides at once: the pace
		 * of each CPU while the other one is busy too. */
		sd->pace = err ? NAN : pace_probe();
		sd->cpu_end = zc_topo_current_cpu();
		pthread_mutex_lock(&s->mu);
		sd->err = err;
		s->done++;
		pthread_cond_broadcast(&s->done_cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

void zc_sentinel_close(struct zc_sentinel *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->quit = 1;
	pthread_cond_broadcast(&s->go);
	pthread_mutex_unlock(&s->mu);
	for (int i = 0; i < s->started; i++)
		pthread_join(s->side[i].tid, NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->go);
	pthread_cond_destroy(&s->done_cv);
	free(s->lines);
	free(s);
}

int zc_sentinel_open(struct zc_sentinel **sp, const struct zc_topo *t, int a,
		     int b, char *why, size_t len)
{
	struct zc_sentinel *s;
	int err = 0;

	*sp = NULL;
	if (a == b || a < 0 || b < 0) {
		snprintf(why, len, "needs two different CPUs");
		return -EINVAL;
	}
	if (!zc_topo_is_real(t)) {
		snprintf(why, len, "cannot pin on a planning topology");
		return -ENODEV;
	}
	s = aligned_alloc(128, (sizeof(*s) + 127) / 128 * 128);
	if (!s)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	s->lines = aligned_alloc(
		4096, (ZC_SENTINEL_BATCHES * LINE_STRIDE + 4095) / 4096 * 4096);
	if (!s->lines) {
		free(s);
		return -ENOMEM;
	}
	memset(s->lines, 0, ZC_SENTINEL_BATCHES * LINE_STRIDE);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->go, NULL);
	pthread_cond_init(&s->done_cv, NULL);
	s->topo = t;
	for (int i = 0; i < 2; i++) {
		s->side[i] =
			(struct side){.s = s, .index = i, .cpu = i ? b : a};
		err = pthread_create(&s->side[i].tid, NULL, side_main,
				     &s->side[i]);
		if (err) {
			snprintf(why, len, "cannot start a thread: %s",
				 strerror(err));
			zc_sentinel_close(s);
			return -err;
		}
		s->started++;
	}
	pthread_mutex_lock(&s->mu);
	while (s->ready < 2)
		pthread_cond_wait(&s->done_cv, &s->mu);
	for (int i = 0; i < 2 && !err; i++)
		if (s->side[i].err) {
			err = s->side[i].err;
			snprintf(why, len, "cannot pin to CPU %d: %s",
				 s->side[i].cpu, strerror(-err));
		}
	pthread_mutex_unlock(&s->mu);
	if (err) {
		zc_sentinel_close(s);
		return err;
	}
	*sp = s;
	return 0;
}

double zc_sentinel_pace(const struct zc_sentinel *s)
{
	return s->pace;
}

void zc_sentinel_cpus(const struct zc_sentinel *s, int *a, int *b)
{
	*a = s->side[0].cpu;
	*b = s->side[1].cpu;
}

int zc_sentinel_measure(struct zc_sentinel *s, double *oneway_ns,
			double *cost_ns)
{
	uint64_t t0 = zc_now_ns();
	double x[ZC_SENTINEL_BATCHES];
	int err = 0;

	*oneway_ns = NAN;
	s->pace = NAN;
	pthread_mutex_lock(&s->mu);
	/* relaxed: both threads are parked; the mutex orders this store
	 * before their first look at the line */
	for (int k = 0; k < ZC_SENTINEL_BATCHES; k++)
		atomic_store_explicit(&line_of(s, k)->v, 0,
				      memory_order_relaxed);
	s->done = 0;
	s->deadline = zc_now_ns() + ZC_SENTINEL_LIMIT_NS;
	s->gen++;
	pthread_cond_broadcast(&s->go);
	while (s->done < 2)
		pthread_cond_wait(&s->done_cv, &s->mu);
	for (int i = 0; i < 2 && !err; i++) {
		const struct side *sd = &s->side[i];
		err = sd->err;
		if (!err &&
		    (sd->cpu_start != sd->cpu || sd->cpu_end != sd->cpu))
			err = -EXDEV;
	}
	pthread_mutex_unlock(&s->mu);
	if (!err) {
		for (int k = 0; k < ZC_SENTINEL_BATCHES; k++)
			x[k] = (double)s->ns[k] / (2.0 * (ZC_SENTINEL_ROUNDS /
							  ZC_SENTINEL_BATCHES));
		zc_stats_sort(x, ZC_SENTINEL_BATCHES);
		*oneway_ns =
			zc_stats_quantile_sorted(x, ZC_SENTINEL_BATCHES, 0.5);
		s->pace = fmax(s->side[0].pace, s->side[1].pace);
	}
	if (cost_ns)
		*cost_ns = (double)(zc_now_ns() - t0);
	return err;
}

int zc_sentinel_watch(const struct zc_topo *t, int a, int b, double seconds,
		      double interval_s, double *v, double *pace, double *at,
		      int max, char *why, size_t len)
{
	struct zc_sentinel *s;
	uint64_t t0 = zc_now_ns(), step = (uint64_t)(interval_s * 1e9);
	int n = 0, err = zc_sentinel_open(&s, t, a, b, why, len);

	if (err)
		return err;
	while (n < max && !zc_stopped()) {
		uint64_t due = t0 + (uint64_t)n * step;
		if (due > t0 + (uint64_t)(seconds * 1e9))
			break;
		while (zc_now_ns() < due && !zc_stopped())
			zc_sleep_until_ns(due);
		at[n] = (double)(zc_now_ns() - t0) / 1e9;
		zc_sentinel_measure(s, &v[n], NULL);
		if (pace)
			pace[n] = zc_sentinel_pace(s);
		n++;
	}
	zc_sentinel_close(s);
	return n;
}
