/* SPDX-License-Identifier: MIT */
/*
 * zcbench wait — how fast each wait strategy wakes, and what the waiting
 * costs. An open-loop producer publishes timestamped events at an offered
 * rate; a waiter pinned on another CPU waits for each with the strategy
 * under test and records the wake-up latency (observed - published). Both
 * sides of the trade are measured: latency percentiles against the
 * waiter's CPU (thread CPU time over wall time) and the waker's cost (time
 * spent inside publish, where the wake-up system call happens).
 *
 * Method notes:
 *  - Open loop: events are due at t0 + k/rate whatever the waiter does, so
 *    a slow waiter shows queueing in its latency (no coordinated
 *    omission). The producer only stops when the waiter is a whole ring
 *    (65536 events) behind; it counts those stalls, and the achieved rate
 *    is what is reported.
 *  - The producer paces by sleeping (timer slack 1 ns) until 20 us before
 *    an event is due and spinning the rest, so its own wake-up jitter does
 *    not bunch events together.
 *  - Every event carries its sequence in its slot; the waiter checks each
 *    one and the count; a mismatch fails the case.
 *  - "pingpong" is the reference: two threads bounce one cache line, timing
 *    each round trip; half of it is the core-to-core transfer that bounds
 *    a spinning waiter from below.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "builtin.h"
#include "shm.h"
#include "wakeup.h"

#define RATE_MAX	ZC_WAKEUP_MAX
#define RATE_IDLE	ZC_WAKEUP_IDLE
#define PINGPONG_ROUNDS ZC_WAKEUP_PINGPONG

static const struct zc_word rate_words[] = {
	{"max", RATE_MAX}, {"idle", RATE_IDLE}, {NULL, 0}};
/* Filled from zc_wait_table before parsing. */
static struct zc_word strategy_words[16];

static struct zc_list opt_strategy, opt_rate, opt_spin, opt_place;
static long long opt_oversub, opt_min_events;
static double opt_seconds;

static const struct zc_opt wait_opts[] = {
	ZC_OPT_CHOICES("strategy", "all", "wait strategies to compare",
		       &opt_strategy, strategy_words),
	ZC_OPT_LIST("rate", "LIST", "events/s",
		    "1000,10000,100000,1000000,max,idle",
		    "offered rates; max = back to back, idle = no events at "
		    "all",
		    &opt_rate, 1, 10000000, 0, rate_words,
		    .quick = "1000,10000,100000,max,idle"),
	ZC_OPT_LIST("spin-us", "LIST", "us", "10,50,200",
		    "spin windows of hybrid and phased, swept", &opt_spin, 0,
		    1000000, 0, NULL, .quick = "50"),
	ZC_OPT_INT("oversubscribe", "N", "threads", "0",
		   "busy threads added on the producer's and the waiter's "
		   "CPUs, alternately, to share their cores",
		   &opt_oversub, 0, 64),
	ZC_OPT_CHOICES("place", NULL,
		       "placement class of producer and waiter (default: the "
		       "closest pair of distinct cores: l3, l2, cross-l3, ...; "
		       "cpus with --cpus)",
		       &opt_place, zc_pair_place_words),
	ZC_OPT_DOUBLE("seconds", "S", "s", "0.5",
		      "measured time per repetition, at least", &opt_seconds,
		      0.01, 60, .quick = "0.1"),
	ZC_OPT_INT("min-events", "N", "events", "1000",
		   "events per repetition, at least: low rates run longer",
		   &opt_min_events, 1, 100000000, .quick = "200"),
	ZC_OPT_END};

static const char *const wait_keys[] = {"strategy", "rate", "spin_us",
					"oversub", "place"};
#define NKEYS 5

enum {
	M_P50,
	M_P90,
	M_P99,
	M_P999,
	M_MAX,
	M_CPU_FRAC,
	M_CPU_EV,
	M_WAKER,
	M_VCSW,
	M_IVCSW,
	M_PARKS,
	M_WAKES,
	M_RATE,
	M_RATE_FRAC,
	M_P99_VS_FUTEX,
	M_COUNT
};

static const struct zc_metric wait_metrics[M_COUNT] = {
	[M_P50] = {"p50_ns", "ns", ZC_BETTER_LOWER,
		   "wake-up latency, median: observed - published", ZC_M_SHOW,
		   ZC_GB_REAL_TIME, 1},
	[M_P90] = {"p90_ns", "ns", ZC_BETTER_LOWER, "wake-up latency, 90th %",
		   0, ZC_GB_NONE, 1},
	[M_P99] = {"p99_ns", "ns", ZC_BETTER_LOWER,
		   "wake-up latency, 99th percentile", ZC_M_SHOW, ZC_GB_NONE,
		   1},
	[M_P999] = {"p999_ns", "ns", ZC_BETTER_LOWER,
		    "wake-up latency, 99.9th percentile", ZC_M_SHOW, ZC_GB_NONE,
		    1},
	[M_MAX] = {"max_ns", "ns", ZC_BETTER_LOWER, "wake-up latency, maximum",
		   0, ZC_GB_NONE, 1},
	[M_CPU_FRAC] = {"waiter_cpu_frac", "core", ZC_BETTER_LOWER,
			"waiter's CPU time over wall time (1 = a whole core)",
			ZC_M_SHOW, ZC_GB_NONE, 1},
	[M_CPU_EV] = {"waiter_cpu_us_per_event", "us", ZC_BETTER_LOWER,
		      "waiter's CPU time per event", ZC_M_SHOW, ZC_GB_CPU_TIME,
		      1000},
	[M_WAKER] = {"waker_ns_per_event", "ns", ZC_BETTER_LOWER,
		     "time the producer spends inside publish (the cost of "
		     "waking), per event",
		     ZC_M_SHOW, ZC_GB_NONE, 1},
	[M_VCSW] = {"waiter_vcsw_per_s", "1/s", ZC_BETTER_LOWER,
		    "waiter's voluntary context switches per second "
		    "(getrusage)",
		    ZC_M_SHOW, ZC_GB_NONE, 1},
	[M_IVCSW] = {"waiter_ivcsw_per_s", "1/s", ZC_BETTER_LOWER,
		     "waiter's involuntary context switches per second "
		     "(getrusage)",
		     0, ZC_GB_NONE, 1},
	[M_PARKS] = {"parks_per_event", "x", ZC_BETTER_NONE,
		     "times the waiter blocked in the kernel, per event", 0,
		     ZC_GB_NONE, 1},
	[M_WAKES] = {"wakes_per_event", "x", ZC_BETTER_NONE,
		     "wake-up system calls the producer made, per event", 0,
		     ZC_GB_NONE, 1},
	[M_RATE] = {"achieved_rate", "events/s", ZC_BETTER_HIGHER,
		    "events published per second (a producer or waiter that "
		    "cannot keep up shows here)",
		    ZC_M_SHOW, ZC_GB_ITEMS_PER_SECOND, 1},
	[M_RATE_FRAC] = {"achieved_frac", "x", ZC_BETTER_HIGHER,
			 "achieved over offered rate", 0, ZC_GB_NONE, 1},
	[M_P99_VS_FUTEX] = {"p99_vs_futex", "x", ZC_BETTER_LOWER,
			    "p99 wake-up latency over pure futex's at the same "
			    "rate and placement",
			    ZC_M_PORTABLE, ZC_GB_NONE, 1},
};

struct wait_case {
	const struct zc_wait_strategy *s; /* NULL: the ping-pong reference */
	long long rate;			  /* events/s, RATE_MAX, RATE_IDLE */
	long long spin_us;		  /* -1: the strategy does not spin */
	int oversub;
	double seconds;
	double worst_frac; /* lowest achieved/offered of the repetitions */
	uint64_t stalls;   /* times the producer found the ring full */
};

static void wait_worker(struct zc_worker *w)
{
	struct zc_wakeup *sh = w->arg;

	if (sh->pingpong)
		zc_wakeup_pingpong(w, sh);
	else if (w->index == 0)
		zc_wakeup_producer(w, sh);
	else if (w->index == 1)
		zc_wakeup_waiter(w, sh);
	else
		zc_wakeup_busy(w, sh);
}

static void set_latency(struct zc_bench *b, struct zc_case *c, int rep,
			const struct zc_hist *h)
{
	static const struct {
		int m;
		double q;
	} q[] = {{M_P50, 0.5}, {M_P90, 0.9}, {M_P99, 0.99}, {M_P999, 0.999}};

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		zc_case_set(&b->res, c, rep, q[i].m,
			    (double)zc_hist_quantile(h, q[i].q));
	zc_case_set(&b->res, c, rep, M_MAX, (double)h->max);
}

static void absent_all(struct zc_bench *b, struct zc_case *c, const int *m,
		       int n, const char *why)
{
	for (int i = 0; i < n; i++)
		zc_case_absent(&b->res, c, m[i], why);
}

static void record_pingpong(struct zc_bench *b, struct zc_case *c, int rep,
			    struct zc_wakeup *sh)
{
	static const int none[] = {M_CPU_FRAC, M_CPU_EV, M_WAKER,
				   M_VCSW,     M_IVCSW,	 M_PARKS,
				   M_WAKES,    M_RATE,	 M_RATE_FRAC};
	/* relaxed: the team was joined */
	uint64_t ball = atomic_load_explicit(&sh->ball.v, memory_order_relaxed);

	if (sh->pp_err || ball != 2 * (uint64_t)PINGPONG_ROUNDS) {
		zc_case_fail(&b->res, c,
			     "ping-pong ended at %llu, expected %d (%s)",
			     (unsigned long long)ball, 2 * PINGPONG_ROUNDS,
			     sh->pp_err ? strerror(-sh->pp_err) : "lost");
		return;
	}
	for (int r = 0; r < PINGPONG_ROUNDS; r++)
		zc_hist_record(&sh->hist, sh->pp_ns[r] / 2);
	if (rep < 0)
		return;
	c->iterations[rep] = PINGPONG_ROUNDS;
	set_latency(b, c, rep, &sh->hist);
	if (rep == 0)
		absent_all(b, c, none, sizeof(none) / sizeof(none[0]),
			   "ping-pong reference: no waiter, no events");
}

static void record_events(struct zc_bench *b, struct wait_case *wc,
			  struct zc_case *c, int rep, struct zc_wakeup *sh,
			  struct zc_team *team)
{
	static const int per_event[] = {M_P50,	 M_P90,	   M_P99,      M_P999,
					M_MAX,	 M_CPU_EV, M_WAKER,    M_PARKS,
					M_WAKES, M_RATE,   M_RATE_FRAC};
	const struct zc_worker *ww = &team->w[1];
	double wall = (double)(ww->t1 - ww->t0) / 1e9;
	double n = (double)sh->published;
	double cpu = ww->counts.cpu_ns;
	double prod_s = (double)(sh->t1 - sh->t0) / 1e9;

	if (sh->bad_at || sh->received != sh->published ||
	    sh->hist.count != sh->published) {
		zc_case_fail(&b->res, c,
			     "waiter saw %llu of %llu events (first wrong "
			     "slot: event %llu held %llu)",
			     (unsigned long long)sh->hist.count,
			     (unsigned long long)sh->published,
			     (unsigned long long)sh->bad_at,
			     (unsigned long long)sh->bad_tag);
		return;
	}
	if (wc->rate != RATE_IDLE && !sh->published) {
		zc_case_fail(&b->res, c, "the producer published nothing");
		return;
	}
	if (rep < 0)
		return;
	c->iterations[rep] = n;
	zc_case_set(&b->res, c, rep, M_CPU_FRAC,
		    wall > 0 ? cpu / 1e9 / wall : NAN);
	zc_case_set(&b->res, c, rep, M_VCSW, ww->counts.nvcsw / wall);
	zc_case_set(&b->res, c, rep, M_IVCSW, ww->counts.nivcsw / wall);
	if (wc->rate == RATE_IDLE) {
		if (rep == 0)
			absent_all(b, c, per_event,
				   sizeof(per_event) / sizeof(per_event[0]),
				   "idle: no events were published");
		return;
	}
	set_latency(b, c, rep, &sh->hist);
	zc_case_set(&b->res, c, rep, M_CPU_EV, cpu / 1e3 / n);
	zc_case_set(&b->res, c, rep, M_WAKER, (double)sh->publish_ns / n);
	zc_case_set(&b->res, c, rep, M_PARKS,
		    (double)zc_waiter_parks(&sh->w) / n);
	zc_case_set(&b->res, c, rep, M_WAKES, (double)sh->w.wakes / n);
	zc_case_set(&b->res, c, rep, M_RATE, n / prod_s);
	if (wc->rate > 0)
		zc_case_set(&b->res, c, rep, M_RATE_FRAC,
			    n / prod_s / (double)wc->rate);
	else
		zc_case_absent(&b->res, c, M_RATE_FRAC,
			       "max: nothing was offered but the producer's "
			       "own speed");
	wc->stalls += sh->stalls;
	if (wc->rate > 0 && n / prod_s / (double)wc->rate < wc->worst_frac)
		wc->worst_frac = n / prod_s / (double)wc->rate;
	if (wc->stalls)
		snprintf(c->label, sizeof(c->label),
			 "behind: the ring was full %llu times",
			 (unsigned long long)wc->stalls);
	else if (wc->worst_frac < 0.95)
		snprintf(
			c->label, sizeof(c->label),
			"behind: %.0f%% of the offered rate (worst repetition)",
			100 * wc->worst_frac);
}

static int wait_one(struct zc_bench *b, int i, int rep)
{
	struct wait_case *wc = zc_bench_priv(b, i);
	struct zc_case *c = zc_bench_case(b, i);
	struct zc_wait_config cfg;
	void *args[ZC_TOPO_MAX_THREADS];
	struct zc_team team;
	struct zc_plan plan;
	struct zc_mem mem;
	struct zc_wakeup *sh;
	int err;

	zc_bench_plan(b, i, &plan);
	/* The shared block and the ring on the waiter's node, touched
	 * before timing (zc_mem_alloc pre-faults). */
	err = zc_mem_alloc(&mem,
			   sizeof(*sh) + ZC_WAKEUP_RING *
						 sizeof(struct zc_wakeup_slot),
			   plan.node, ZC_MEM_PRIVATE, NULL);
	if (err < 0) {
		zc_case_fail(&b->res, c, "cannot allocate the ring: %s",
			     strerror(-err));
		return err;
	}
	sh = mem.p;
	memset(sh, 0, sizeof(*sh));
	sh->ring = (struct zc_wakeup_slot *)(sh + 1);
	sh->rate = wc->rate;
	sh->duration_ns = (uint64_t)(wc->seconds * 1e9);
	zc_hist_init(&sh->hist);
	atomic_init(&sh->consumed, 0);
	atomic_init(&sh->done, 0);
	atomic_init(&sh->ball.v, 0);
	zc_wait_config_default(&cfg);
	if (wc->spin_us >= 0)
		cfg.spin_ns = (uint64_t)wc->spin_us * 1000;
	err = zc_waiter_init(&sh->w, wc->s ? wc->s : zc_wait_table, &cfg);
	if (err < 0) {
		zc_case_fail(&b->res, c, "cannot set up the waiter: %s",
			     strerror(-err));
		zc_mem_free(&mem);
		return err;
	}
	for (int t = 0; t < plan.nthreads; t++)
		args[t] = sh;
	sh->pingpong = !wc->s;
	err = zc_team_run(&team, &b->ctx->topo, &plan, &b->ctx->events,
			  wait_worker, args, 0, b->ctx->timeout_s);
	if (err == -ETIMEDOUT) {
		/* Threads still run on this memory: never free it. */
		zc_case_fail(&b->res, c, "%s (a lost wake-up?)", team.why);
		return err;
	}
	if (err < 0) {
		if (err != -EINTR)
			zc_case_fail(&b->res, c, "%s", team.why);
		goto out;
	}
	if (wc->s)
		record_events(b, wc, c, rep, sh, &team);
	else
		record_pingpong(b, c, rep, sh);
	if (c->status == ZC_CASE_OK) {
		double items = wc->s ? (double)sh->published : PINGPONG_ROUNDS;
		for (int s2 = 0; s2 < 2; s2++)
			zc_bench_count(b, i, rep, s2, &team.w[s2].counts,
				       items);
	}
	if (!c->cpus[0])
		zc_topo_format_cpus(plan.cpu, plan.nthreads, c->cpus,
				    sizeof(c->cpus));
out:
	zc_team_release(&team);
	zc_waiter_release(&sh->w);
	zc_mem_free(&mem);
	return err;
}

/* ---- planning --------------------------------------------------------- */

static void rate_text(long long rate, char *buf, size_t len)
{
	if (rate == RATE_MAX)
		snprintf(buf, len, "max");
	else if (rate == RATE_IDLE)
		snprintf(buf, len, "idle");
	else
		snprintf(buf, len, "%lld", rate);
}

static int add_case(struct zc_bench *b, const struct zc_wait_strategy *s,
		    long long rate, long long spin_us, int oversub, int place,
		    const struct zc_plan *pair, int perr)
{
	char rv[24], sv[24], ov[16];
	const char *vals[NKEYS] = {s ? s->name : "pingpong", rv, sv, ov,
				   zc_place_name(place)};
	struct zc_plan plan = *pair;
	struct wait_case *wc;
	int i;

	plan.place = place;
	plan.nthreads = 2 + oversub;
	for (int k = 0; k < oversub; k++)
		plan.cpu[2 + k] = pair->cpu[k % 2];
	rate_text(rate, rv, sizeof(rv));
	if (spin_us >= 0)
		snprintf(sv, sizeof(sv), "%lld", spin_us);
	else
		snprintf(sv, sizeof(sv), "-");
	snprintf(ov, sizeof(ov), "%d", oversub);
	i = zc_bench_add(b, vals, &plan, perr, 0);
	if (i < 0)
		return i == -EEXIST ? 0 : i;
	wc = zc_bench_priv(b, i);
	wc->s = s;
	wc->rate = rate;
	wc->spin_us = spin_us;
	wc->oversub = oversub;
	wc->seconds = b->seconds;
	wc->worst_frac = 1;
	if (rate > 0 && (double)opt_min_events / (double)rate > wc->seconds)
		wc->seconds = (double)opt_min_events / (double)rate;
	if (!s && !perr)
		snprintf(zc_bench_case(b, i)->label,
			 sizeof(zc_bench_case(b, i)->label),
			 "reference: half a cache-line round trip");
	return 0;
}

static int wait_sweep(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	int places[ZC_PLACE_COUNT], nplaces = 0;
	struct zc_plan pair;

	if (opt_place.given)
		for (int i = 0; i < opt_place.n; i++)
			places[nplaces++] = (int)opt_place.v[i];
	else if (zc_topo_plan_closest(&ctx->topo, ctx->cpus, ctx->ncpus,
				      &pair) == 0)
		places[nplaces++] = pair.place;
	else
		places[nplaces++] = ZC_PLACE_L3; /* skipped with the reason */
	for (int p = 0; p < nplaces; p++) {
		int perr = zc_topo_plan(&ctx->topo, places[p], 2, ctx->cpus,
					ctx->ncpus, &pair);
		int err = add_case(b, NULL, RATE_MAX, -1, 0, places[p], &pair,
				   perr);
		for (int si = 0; si < opt_strategy.n && !err; si++) {
			const struct zc_wait_strategy *s =
				&zc_wait_table[opt_strategy.v[si]];
			int nspin = s->flags & ZC_WAIT_SPINS ? opt_spin.n : 1;
			for (int k = 0; k < nspin && !err; k++)
				for (int r = 0; r < opt_rate.n && !err; r++)
					err = add_case(b, s, opt_rate.v[r],
						       s->flags & ZC_WAIT_SPINS
							       ? opt_spin.v[k]
							       : -1,
						       (int)opt_oversub,
						       places[p], &pair, perr);
		}
		if (err)
			return err;
	}
	return 0;
}

static double wait_estimate(struct zc_bench *b, int i)
{
	const struct wait_case *wc = zc_bench_priv(b, i);
	return wc->s ? wc->seconds + 0.01 : 0.02;
}

static void wait_plan_note(struct zc_bench *b, int i, char *buf, size_t len)
{
	const struct wait_case *wc = zc_bench_priv(b, i);
	if (wc->s)
		snprintf(buf, len, "%.3g s", wc->seconds);
}

/* ---- reporting --------------------------------------------------------- */

static int find_case(struct zc_bench *b, const char *s, long long rate,
		     long long spin_us)
{
	char rv[24], sv[24];

	rate_text(rate, rv, sizeof(rv));
	snprintf(sv, sizeof(sv), "%lld", spin_us);
	if (spin_us < 0)
		return zc_bench_find(b, "strategy", s, "rate", rv, NULL);
	return zc_bench_find(b, "strategy", s, "rate", rv, "spin_us", sv, NULL);
}

static int is_vm(const struct zc_ctx *ctx)
{
	return ctx->si.virt[0] && strcmp(ctx->si.virt, "none");
}

/* The trade-off in a few lines: what the performance notes ask. */
static void wait_headlines(struct zc_bench *b, FILE *f)
{
	struct zc_ctx *ctx = b->ctx;
	long long low = -1, spin50 = opt_spin.n ? opt_spin.v[0] : 50;
	int pp = find_case(b, "pingpong", RATE_MAX, -1);
	double c2c = zc_bench_median(b, pp, M_P50);
	int idle = 0;

	for (int r = 0; r < opt_rate.n; r++)
		if (opt_rate.v[r] > 0 && (low < 0 || opt_rate.v[r] < low))
			low = opt_rate.v[r];
	for (int k = 0; k < opt_spin.n; k++)
		if (opt_spin.v[k] == 50)
			spin50 = 50; /* the default window, when swept */
	fprintf(f, "\n");
	if (low > 0) {
		int h = find_case(b, "hybrid", low, spin50);
		int fu = find_case(b, "futex", low, -1);
		double hc = zc_bench_median(b, h, M_CPU_FRAC);
		double h99 = zc_bench_median(b, h, M_P99);
		double f99 = zc_bench_median(b, fu, M_P99);
		if (h >= 0 && fu >= 0)
			fprintf(f,
				"hybrid (spin %lld us) at %lld events/s: "
				"waiter uses %.1f%% of a core; p99 %.0f ns vs "
				"futex %.0f ns (%.2fx)\n",
				spin50, low, 100 * hc, h99, f99, h99 / f99);
	}
	for (int r = 0; pp >= 0 && r < opt_rate.n; r++) {
		int sc = find_case(b, "spin", opt_rate.v[r], -1);
		double p50 = zc_bench_median(b, sc, M_P50);
		char rv[24];
		if (sc < 0 || opt_rate.v[r] == RATE_IDLE)
			continue;
		rate_text(opt_rate.v[r], rv, sizeof(rv));
		fprintf(f,
			"spin p50 at %s events/s: %.0f ns = %.1fx the "
			"core-to-core transfer (ping-pong, one way: %.0f ns)\n",
			rv, p50, p50 / c2c, c2c);
	}
	for (int si = 0; si < opt_strategy.n; si++) {
		const struct zc_wait_strategy *s =
			&zc_wait_table[opt_strategy.v[si]];
		int c = find_case(b, s->name, RATE_IDLE,
				  s->flags & ZC_WAIT_SPINS ? spin50 : -1);
		if (c < 0)
			continue;
		if (!idle++)
			fprintf(f, "idle waiter CPU (fraction of a core):");
		fprintf(f, " %s %.3f", s->name,
			zc_bench_median(b, c, M_CPU_FRAC));
	}
	if (idle)
		fprintf(f, "\n");
	for (int i = 0; i < b->res.ncases; i++) {
		const struct wait_case *wc = zc_bench_priv(b, i);
		double fr;
		if (!wc->s || !(wc->s->flags & ZC_WAIT_BURNS) || wc->oversub)
			continue;
		fr = zc_bench_median(b, i, M_CPU_FRAC);
		if (fr < 0.9) {
			fprintf(f,
				"warning: a spinning waiter (%s) got only "
				"%.2f of its core: other work shares these "
				"CPUs (load average %.1f), so the latencies "
				"include time spent descheduled\n",
				wc->s->name, fr, ctx->si.loadavg1);
			break;
		}
	}
	if (is_vm(ctx) && ctx->si.npus <= 4)
		fprintf(f,
			"note: this is a %s virtual machine with %d vCPUs: the "
			"futex, condvar and eventfd wake-up latencies here are "
			"dominated by the hypervisor (waking a halted vCPU is "
			"an IPI and a VM entry), not by the kernel's wake-up "
			"path\n",
			ctx->si.virt, ctx->si.npus);
}

static void rate_short(long long rate, char *buf, size_t len)
{
	if (rate >= 1000000 && rate % 1000000 == 0)
		snprintf(buf, len, "%lldM", rate / 1000000);
	else if (rate >= 1000 && rate % 1000 == 0)
		snprintf(buf, len, "%lldk", rate / 1000);
	else
		rate_text(rate, buf, len);
}

/* Tag the lowest offered rate of a series, where its line starts: labels
 * for every point would not fit in p->extra, and would hide the lines. */
static void label_start(struct zc_bench *b, struct zc_plot *p, int first)
{
	const struct wait_case *f = zc_bench_priv(b, first);
	const char *place =
		zc_case_param(&b->res, zc_bench_case(b, first), "place");
	const struct wait_case *lo = NULL;
	size_t len = strlen(p->extra);
	int loi = -1;
	double x, y;
	char rv[16];

	for (int i = 0; i < b->res.ncases; i++) {
		const struct wait_case *wc = zc_bench_priv(b, i);
		const struct zc_case *c = zc_bench_case(b, i);
		if (wc->s == f->s && wc->spin_us == f->spin_us &&
		    !strcmp(zc_case_param(&b->res, c, "place"), place) &&
		    c->status == ZC_CASE_OK && wc->rate > 0 &&
		    (!lo || wc->rate < lo->rate)) {
			lo = wc;
			loi = i;
		}
	}
	if (!lo)
		return;
	x = zc_bench_median(b, loi, M_CPU_FRAC);
	y = zc_bench_median(b, loi, M_P99);
	rate_short(lo->rate, rv, sizeof(rv));
	if (x > 0 && y > 0 && len + 64 < sizeof(p->extra))
		snprintf(p->extra + len, sizeof(p->extra) - len,
			 "set label \"%s\" at %.4g,%.4g offset 0.4,0.4 "
			 "font \",7\"\n",
			 rv, x, y);
}

static int wait_plots(struct zc_bench *b, struct zc_plot *p, int max)
{
	const char *place = NULL;

	zc_plot_init(p, "wait", "waiter_cpu_frac_median", "p99_ns", 1, 1);
	p->ylo[0] = p->yhi[0] = 0; /* points at medians, no bars */
	snprintf(p->title, sizeof(p->title),
		 "Wait strategies: waiter CPU vs p99 wake-up latency "
		 "(lower left is better)");
	snprintf(p->subtitle, sizeof(p->subtitle),
		 "one line per strategy, one point per offered rate (the "
		 "lowest tagged)%s",
		 is_vm(b->ctx) ? "; on a VM futex wake-ups pay the "
				 "hypervisor"
			       : "");
	snprintf(p->xlabel, sizeof(p->xlabel),
		 "waiter CPU [fraction of a core] (median)");
	snprintf(p->ylabel, sizeof(p->ylabel),
		 "p99 wake-up latency [ns] (median of repetitions)");
	for (int i = 0; i < b->res.ncases; i++) {
		const struct wait_case *wc = zc_bench_priv(b, i);
		const struct zc_case *c = zc_bench_case(b, i);
		const char *pl = zc_case_param(&b->res, c, "place"),
			   *sv = zc_case_param(&b->res, c, "spin_us");
		char title[96];

		if (!wc->s || c->status != ZC_CASE_OK || wc->rate == RATE_IDLE)
			continue;
		if (!place)
			place = pl;
		if (strcmp(pl, place))
			continue; /* the first placement only: one frontier */
		if (zc_bench_find(b, "strategy", wc->s->name, "spin_us", sv,
				  "place", pl, NULL) != i)
			continue;
		if (wc->spin_us >= 0)
			snprintf(title, sizeof(title), "%s %lld us",
				 wc->s->name, wc->spin_us);
		else
			snprintf(title, sizeof(title), "%s", wc->s->name);
		if (zc_plot_add_series(p, title, "strategy", wc->s->name,
				       "spin_us", sv, "place", pl, NULL))
			label_start(b, p, i);
	}
	return p->nseries && max > 0 ? 1 : 0;
}

/* ---- the command ------------------------------------------------------- */

static int wait_check(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	int npus = zc_topo_npus(&ctx->topo);

	if (opt_oversub > 16LL * npus)
		return zc_usage(ctx,
				"--oversubscribe: %lld busy threads on %d "
				"CPUs is not a benchmark: expected 0..%d",
				opt_oversub, npus,
				16 * npus < 64 ? 16 * npus : 64);
	for (int i = 0; i < opt_place.n && opt_place.given; i++)
		if (opt_place.v[i] == ZC_PLACE_CPUS && ctx->ncpus != 2)
			return zc_usage(ctx, "--place cpus needs --cpus with "
					     "two CPUs (producer,waiter)");
	if (ctx->ncpus && ctx->ncpus != 2)
		return zc_usage(ctx,
				"--cpus: give two CPUs (producer,waiter), "
				"not %d",
				ctx->ncpus);
	return 0;
}

static void wait_init(void)
{
	for (int i = 0; i < zc_wait_count && i < 15; i++)
		strategy_words[i] = (struct zc_word){zc_wait_table[i].name, i};
}

static const struct zc_side wait_sides[] = {{"prod", "producer (waker)"},
					    {"waiter", "waiter"}};

static const char *const wait_ratio_ignore[] = {"spin_us", NULL};
static const struct zc_ratio_def wait_ratios[] = {
	/* Latency against parking at once, within this run. */
	{"p99_vs_futex", "p99_ns", "strategy", "futex", wait_ratio_ignore},
	{NULL}};

static const struct zc_bench_def wait_bench = {
	.opts = wait_opts,
	.keys = wait_keys,
	.nkeys = NKEYS,
	.metrics = wait_metrics,
	.nmetrics = M_COUNT,
	.item = "event",
	.sides = wait_sides,
	.nsides = 2,
	.events_note = "per event (ping-pong: per round trip); the busy "
		       "threads of --oversubscribe are not counted",
	.case_size = sizeof(struct wait_case),
	/* --quick: no warm-up (the first case per thread pair pays thread
	 * creation either way). */
	.no_quick_warmup = 1,
	.init = wait_init,
	.check = wait_check,
	.sweep = wait_sweep,
	.estimate = wait_estimate,
	.plan_note = wait_plan_note,
	.one = wait_one,
	.ratios = wait_ratios,
	.plots = wait_plots,
	.headlines = wait_headlines,
};

static const struct zc_headline wait_headline[] = {
	{"p99_vs_futex", "strategy", "hybrid",
	 "hybrid (spin, then futex) p99 wake-up vs parking at once"},
	{"waiter_cpu_frac", "strategy", "hybrid",
	 "hybrid waiter's CPU (fraction of a core)"},
	{"waiter_cpu_frac", "strategy", "spin",
	 "spinning waiter's CPU (fraction of a core)"},
	{NULL}};

const struct zc_command zc_cmd_wait = {
	.name = "wait",
	.summary = "wait strategies: wake-up latency vs waiter CPU",
	.what = "wait strategies (spin, pause, yield, sleep, futex, hybrid, "
		"condvar, eventfd, phased) at offered rates: wake-up latency "
		"percentiles against the waiter's CPU, the waker's cost, idle "
		"cost",
	.why = "the trade between wake-up latency and burnt CPU for a "
	       "low-latency service",
	.flags = ZC_CMD_RESULTS,
	.headlines = wait_headline,
	.bench = &wait_bench,
};
