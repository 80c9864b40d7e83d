/* SPDX-License-Identifier: MIT */
/*
 * zcbench c2c — core-to-core latency: the one-way hand-off of a cache line
 * between pairs of CPUs, as a matrix in topology order, a heatmap, a
 * summary per placement class and, with --watch, against time.
 *
 * Method notes:
 *  - Each case is a pair (and a method); every repetition measures it on
 *    a fresh line that the pinging core allocates on the home node and
 *    touches first (lib/c2c.h), with the sentinel's loops. The driver's
 *    shuffled rounds put the pairs in a new order every round.
 *  - A sample is a batch of round trips lasting at least
 *    ZC_CLOCK_MIN_REGION times the timer's resolution (at most
 *    MAX_SAMPLE_NS), sized by a calibration in every repetition: no
 *    figure is a timer tick ("0 ns").
 *  - store is the default: the store/load ping-pong moves the line and
 *    nothing else, as the sentinel does, so c2c's figures and every
 *    command's regimes are the same measurement; cas adds a locked
 *    instruction, and its failed attempts take the line while waiting.
 *  - Every sample is a hand-off, so a store repetition's median is its
 *    own sentinel; a cas repetition is bracketed by store hand-offs on
 *    its line, so that a pair's regimes never mistake cas for a host
 *    move. The driver finds the regimes of each pair from them.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "c2c.h"

#define MAX_CASES     4096   /* a real run: pairs x methods */
#define MAX_SAMPLE_NS 1e7    /* a sample lasts at most 10 ms */
#define REP_COST_S    0.0015 /* a repetition's set-up: threads, line */

static const struct zc_word pairs_words[] = {{"all", ZC_C2C_ALL},
					     {"lower", ZC_C2C_LOWER},
					     {"class", ZC_C2C_CLASS},
					     {NULL, 0}};
static const struct zc_word method_words[] = {
	{"store", ZC_HANDOFF_STORE}, {"cas", ZC_HANDOFF_CAS}, {NULL, 0}};

static int opt_pairs;
static long long opt_per_class, opt_samples;
static struct zc_list opt_method;
static const char *opt_home;
static double opt_watch;

static const struct zc_opt c2c_opts[] = {
	ZC_OPT_CHOICE("pairs", "lower",
		      "lower: every unordered pair once (the later CPU in "
		      "topology order pings); all: ordered pairs "
		      "(both directions); class: --per-class pairs of each "
		      "placement class, spread over the machine (hundreds of "
		      "CPUs). A run measures at most 4096 cases (pairs x "
		      "methods); a larger plan is refused (--dry-run prints "
		      "its count and classes)",
		      &opt_pairs, pairs_words, .quick = "class"),
	ZC_OPT_INT("per-class", "N", "pairs", "4",
		   "pairs per class with --pairs class", &opt_per_class, 1, 64),
	ZC_OPT_CHOICES("method", "store",
		       "hand-off: store (store/load ping-pong, the line "
		       "alone moves) and/or cas (compare-exchange: adds the "
		       "locked instruction)",
		       &opt_method, method_words),
	ZC_OPT_STR("home", "WHERE", "ping",
		   "where the line lives: ping (the pinging CPU's NUMA node), "
		   "pong, or node:N",
		   &opt_home),
	ZC_OPT_INT("samples", "N", "samples", "64",
		   "timed samples per repetition, each at least 10000 x the "
		   "timer's resolution long",
		   &opt_samples, 3, 1000, .quick = "16"),
	ZC_OPT_DOUBLE("watch", "S", "s", "0",
		      "spread the repetitions (default 100) over S seconds and "
		      "plot latency against time: the closest pair, the pair "
		      "of --cpus A,B, or every pair of --pairs when given; 0: "
		      "off",
		      &opt_watch, 0, 86400),
	ZC_OPT_END};

static const char *const c2c_keys[] = {"method", "home", "ping", "pong",
				       "class"};
#define NKEYS 5

enum {
	M_ONEWAY,
	M_MIN,
	M_P99,
	M_BATCH,
	M_COUNT
};

static const struct zc_metric c2c_metrics[M_COUNT] = {
	[M_ONEWAY] = {"oneway_ns", "ns", ZC_BETTER_LOWER,
		      "one-way hand-off (half a round trip): median of the "
		      "repetition's samples",
		      ZC_M_SHOW, ZC_GB_REAL_TIME, 1},
	[M_MIN] = {"oneway_min_ns", "ns", ZC_BETTER_LOWER,
		   "the repetition's fastest sample", ZC_M_SHOW, ZC_GB_NONE, 1},
	[M_P99] = {"oneway_p99_ns", "ns", ZC_BETTER_LOWER,
		   "99th percentile of the repetition's samples", ZC_M_SHOW,
		   ZC_GB_NONE, 1},
	[M_BATCH] = {"round_trips_per_sample", "count", ZC_BETTER_NONE,
		     "round trips in one sample: as many as make it last "
		     "10000 x the timer's resolution",
		     0, ZC_GB_NONE, 1},
};

struct c2c_case {
	int ping, pong; /* OS CPUs */
	int row, col;	/* in the matrix */
	int method, cls, node;
};

struct c2c_state {
	int home, home_node, ncpus, mode;
	long long npairs, per_cls[ZC_C2C_NCLASS], on_machine[ZC_C2C_NCLASS];
	char why[ZC_C2C_NCLASS][160];	    /* classes absent here */
	int n;				    /* matrix CPUs */
	int cpu[ZC_TOPO_MAX_PUS];	    /* OS CPUs, topology order */
	signed char bound[ZC_TOPO_MAX_PUS]; /* zc_c2c_boundary */
	int watch_one;			    /* --watch of one pair */
	uint64_t t0;			    /* first measured repetition */
	double loop_ns[2];		    /* per method */
	uint64_t batch_lo, batch_hi;
};

/* ---- options ------------------------------------------------------------ */

static int argv_has(const struct zc_ctx *ctx, const char *opt)
{
	size_t n = strlen(opt);

	for (int i = 1; i < ctx->argc; i++)
		if (!strncmp(ctx->argv[i], opt, n) &&
		    (!ctx->argv[i][n] || ctx->argv[i][n] == '='))
			return 1;
	return 0;
}

static int c2c_check(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	struct c2c_state *st = b->st;
	char msg[600], allowed[128];
	int npus;

	st->home = zc_c2c_home(&ctx->topo, opt_home, &st->home_node, msg,
			       sizeof(msg));
	if (st->home < 0)
		return zc_usage(ctx, "--home %s", msg);
	if (ctx->ncpus == 1)
		return zc_usage(ctx, "--cpus: give two CPUs or more, not one");
	npus = ctx->ncpus ? ctx->ncpus : zc_topo_npus(&ctx->topo);
	zc_topo_format_allowed(&ctx->topo, allowed, sizeof(allowed));
	if (npus < 2) {
		zc_error(ctx,
			 "cannot run here: a hand-off needs two CPUs; this "
			 "process may use %d (%s)",
			 npus, allowed);
		return ZC_EXIT_SKIP;
	}
	if (npus > ZC_TOPO_MAX_PUS)
		return zc_usage(ctx,
				"%d CPUs: a plan holds at most %d (--cpus "
				"chooses some)",
				npus, ZC_TOPO_MAX_PUS);
	st->ncpus = npus;
	st->mode = opt_pairs;
	if (opt_watch > 0) {
		if (!argv_has(ctx, "--repeat"))
			ctx->reps = ZC_MAX_REP;
		st->watch_one = !argv_has(ctx, "--pairs");
	}
	return 0;
}

/* ---- the plan ----------------------------------------------------------- */

static double sample_ns(const struct zc_ctx *ctx)
{
	double s = ZC_CLOCK_MIN_REGION * ctx->clock.now_resolution_ns;
	return s < MAX_SAMPLE_NS ? s : MAX_SAMPLE_NS;
}

static double c2c_estimate(struct zc_bench *b, int i)
{
	double rep = (double)opt_samples * sample_ns(b->ctx) / 1e9 + REP_COST_S;

	int n = b->res.ncases ? b->res.ncases : 1;

	/* --watch: a round of every case lasts the interval at least */
	return opt_watch > 0 ? fmax(rep, opt_watch / b->ctx->reps / n) : rep;
}

static const char *home_text(const struct c2c_state *st, char *buf, size_t len)
{
	if (st->home == ZC_C2C_HOME_NODE)
		snprintf(buf, len, "NUMA node %d", st->home_node);
	else
		snprintf(buf, len, "the %s CPU's NUMA node",
			 st->home == ZC_C2C_HOME_PING ? "pinging"
						      : "answering");
	return buf;
}

/* The pairs, classes and sampling, for --dry-run. */
static void plan_summary(struct zc_bench *b)
{
	struct c2c_state *st = b->st;
	struct zc_ctx *ctx = b->ctx;
	char home[64], kinds[512];

	printf("pairs: %s, %lld of the %d CPUs' %lld unordered pairs; "
	       "matrix in topology order (package > NUMA node > L3 > core > "
	       "PU)\n",
	       pairs_words[st->mode].name, st->npairs, st->ncpus,
	       (long long)st->ncpus * (st->ncpus - 1) / 2);
	printf("method:");
	for (int k = 0; k < opt_method.n; k++)
		printf(" %s", method_words[opt_method.v[k]].name);
	printf("; line on %s\n", home_text(st, home, sizeof(home)));
	if (zc_c2c_kinds(&ctx->topo, kinds, sizeof(kinds)) > 1)
		printf("CPU kinds: %s\n", kinds);
	printf("classes:\n");
	zc_c2c_plan_print(stdout, st->per_cls, st->on_machine,
			  st->mode == ZC_C2C_CLASS, st->why);
	printf("samples: %lld per repetition, each >= %d x the timer's "
	       "resolution (%.0f ns here: %.0f us), %d repetitions%s\n",
	       opt_samples, ZC_CLOCK_MIN_REGION, ctx->clock.now_resolution_ns,
	       sample_ns(ctx) / 1e3, ctx->reps,
	       opt_watch > 0 ? " spread over --watch" : " + 1 warm-up");
}

/* Classes on the machine, the chosen set, and the matrix order. */
static int make_plan(struct zc_bench *b, struct zc_c2c_map *m,
		     struct zc_c2c_pair **pairs)
{
	struct c2c_state *st = b->st;
	struct zc_ctx *ctx = b->ctx;
	struct zc_plan *p = calloc(1, sizeof(*p));
	long long n;

	if (!p)
		return -ENOMEM;
	zc_c2c_plan(m, ZC_C2C_LOWER, 1, NULL, 0, st->on_machine);
	for (int c = 0; c < ZC_C2C_NCLASS; c++)
		if (ctx->ncpus)
			snprintf(st->why[c], sizeof(st->why[c]),
				 "no such pair among the CPUs of --cpus");
		else
			zc_topo_class_why(&ctx->topo, c, st->why[c],
					  sizeof(st->why[c]));
	if (st->watch_one) {
		/* The closest pair, or --cpus A,B. */
		int err = zc_topo_plan_closest(&ctx->topo, ctx->cpus,
					       ctx->ncpus, p);
		int a = err ? -1 : zc_c2c_pos(m, p->cpu[0]);
		int z = err ? -1 : zc_c2c_pos(m, p->cpu[1]);
		free(p);
		if (a < 0 || z < 0)
			return zc_error(b->ctx, "no pair to watch");
		*pairs = malloc(sizeof(**pairs));
		if (!*pairs)
			return -ENOMEM;
		**pairs = (struct zc_c2c_pair){a, z, zc_c2c_class(m, a, z)};
		memset(st->per_cls, 0, sizeof(st->per_cls));
		st->per_cls[(*pairs)->cls] = st->npairs = 1;
		return 0;
	}
	free(p);
	n = zc_c2c_plan(m, st->mode, (int)opt_per_class, NULL, 0, st->per_cls);
	if (n < 0)
		return (int)n;
	st->npairs = n;
	if (n * opt_method.n > MAX_CASES)
		return 0; /* the caller refuses it */
	*pairs = malloc((size_t)(n ? n : 1) * sizeof(**pairs));
	if (!*pairs)
		return -ENOMEM;
	zc_c2c_plan(m, st->mode, (int)opt_per_class, *pairs, n, NULL);
	return 0;
}

static int add_cases(struct zc_bench *b, const struct zc_c2c_map *m,
		     const struct zc_c2c_pair *pairs)
{
	struct c2c_state *st = b->st;
	struct zc_plan *plan = calloc(1, sizeof(*plan));
	int *row = calloc((size_t)m->n, sizeof(*row)), err = 0;

	if (!plan || !row) {
		free(plan);
		free(row);
		return -ENOMEM;
	}
	/* The matrix holds the CPUs that some pair uses, in map order. */
	for (long long k = 0; k < st->npairs; k++)
		row[pairs[k].ping] = row[pairs[k].pong] = 1;
	for (int i = 0, prev = -1; i < m->n; i++)
		if (row[i]) {
			st->bound[st->n] =
				(signed char)zc_c2c_boundary(m, prev, i);
			st->cpu[st->n] = m->c[i].cpu;
			row[i] = st->n++;
			prev = i;
		}
	for (int k = 0; k < opt_method.n && !err; k++)
		for (long long j = 0; j < st->npairs && !err; j++) {
			const struct zc_c2c_pair *pr = &pairs[j];
			const struct zc_c2c_cpu *a = &m->c[pr->ping],
						*z = &m->c[pr->pong];
			char pv[16], qv[16], hv[24];
			const char *vals[NKEYS] = {
				method_words[opt_method.v[k]].name, hv, pv, qv,
				zc_place_name(pr->cls)};
			struct c2c_case *cc;
			int i;

			snprintf(pv, sizeof(pv), "%d", a->cpu);
			snprintf(qv, sizeof(qv), "%d", z->cpu);
			if (st->home == ZC_C2C_HOME_NODE)
				snprintf(hv, sizeof(hv), "node%d",
					 st->home_node);
			else
				snprintf(hv, sizeof(hv), "%s", opt_home);
			plan->place = pr->cls;
			plan->nthreads = 2;
			plan->cpu[0] = a->cpu;
			plan->cpu[1] = z->cpu;
			plan->node = st->home == ZC_C2C_HOME_NODE
					     ? st->home_node
				     : st->home == ZC_C2C_HOME_PING ? a->node
								    : z->node;
			i = zc_bench_add(b, vals, plan, 0, 0);
			if (i < 0) {
				err = i;
				break;
			}
			cc = zc_bench_priv(b, i);
			*cc = (struct c2c_case){a->cpu,
						z->cpu,
						row[pr->ping],
						row[pr->pong],
						(int)opt_method.v[k],
						pr->cls,
						plan->node};
		}
	free(plan);
	free(row);
	return err;
}

static int c2c_sweep(struct zc_bench *b)
{
	struct c2c_state *st = b->st;
	struct zc_ctx *ctx = b->ctx;
	struct zc_c2c_pair *pairs = NULL;
	struct zc_c2c_map m;
	int err;

	if (!ctx->clock.now_resolution_ns)
		zc_clock_calibrate(&ctx->clock, 1); /* for the estimate */
	err = zc_c2c_map_build(&m, &ctx->topo, ctx->cpus, ctx->ncpus);
	if (err)
		return err == -ENOMEM ? err : zc_error(ctx, "no CPU map");
	err = make_plan(b, &m, &pairs);
	if (!err && !pairs) {
		long long nc = st->npairs * opt_method.n;
		double s = (double)nc * (ctx->reps + 1) * c2c_estimate(b, 0);
		if (ctx->dry_run) {
			char allowed[128];
			zc_topo_format_allowed(&ctx->topo, allowed,
					       sizeof(allowed));
			printf("c2c plan on %s (allowed CPUs %s)\n",
			       ctx->topo.source, allowed);
			plan_summary(b);
			printf("%lld cases (pairs x methods): about %.0f s "
			       "(%.1f h) if run\nnot run: a run measures at "
			       "most %d cases; use --pairs class, or --cpus "
			       "to choose fewer CPUs\n",
			       nc, s, s / 3600, MAX_CASES);
			err = ZC_DONE;
		} else {
			err = zc_usage(ctx,
				       "--pairs %s: %lld cases (pairs x "
				       "methods, about %.0f min) are more "
				       "than a run measures (%d): use --pairs "
				       "class, or --cpus to choose fewer CPUs",
				       pairs_words[st->mode].name, nc, s / 60,
				       MAX_CASES);
		}
	} else if (!err) {
		err = add_cases(b, &m, pairs);
	}
	free(pairs);
	zc_c2c_map_release(&m);
	return err;
}

/* ---- running ------------------------------------------------------------ */

static int c2c_setup(struct zc_bench *b)
{
	struct c2c_state *st = b->st;

	/* The loop's own cost, on this thread with the line local. */
	for (int k = 0; k < opt_method.n; k++)
		st->loop_ns[opt_method.v[k]] =
			zc_c2c_loop_ns((enum zc_handoff_method)opt_method.v[k]);
	return 0;
}

static int c2c_one(struct zc_bench *b, int i, int rep)
{
	struct c2c_state *st = b->st;
	const struct c2c_case *cc = zc_bench_priv(b, i);
	struct zc_case *c = zc_bench_case(b, i);
	struct zc_ctx *ctx = b->ctx;
	double x[1000], at;
	struct zc_c2c_result r = {.oneway = x};
	struct zc_c2c_req q = {
		.method = (enum zc_handoff_method)cc->method,
		.ping = cc->ping,
		.pong = cc->pong,
		.node = cc->node,
		.samples = (int)opt_samples,
		.sample_ns = sample_ns(ctx),
		.max_sample_ns = MAX_SAMPLE_NS,
		.events = &ctx->events,
		.timeout_s = ctx->timeout_s,
	};
	int err;

	if (opt_watch > 0 && rep >= 0) {
		uint64_t due;
		if (!st->t0)
			st->t0 = zc_now_ns();
		due = st->t0 + (uint64_t)(rep * opt_watch / ctx->reps * 1e9);
		while (zc_now_ns() < due && !zc_stopped())
			zc_sleep_until_ns(due);
	}
	at = zc_unix_s();
	err = zc_c2c_measure(&ctx->topo, &q, &r);
	if (err == -EINTR)
		return err;
	if (err) {
		zc_case_fail(&b->res, c, "%s", r.why);
		/* -ETIMEDOUT taints the run: only when threads still run */
		return err == -ETIMEDOUT && !r.abandoned ? -EIO : err;
	}
	snprintf(c->label, sizeof(c->label), "line %s", r.binding);
	if (rep < 0)
		return 0;
	zc_case_set(&b->res, c, rep, M_ONEWAY, r.median);
	zc_case_set(&b->res, c, rep, M_MIN, r.min);
	zc_case_set(&b->res, c, rep, M_P99, r.p99);
	zc_case_set(&b->res, c, rep, M_BATCH, (double)r.batch);
	c->iterations[rep] = (double)r.batch * (double)q.samples;
	/* Every sample is a hand-off: a store repetition is its own
	 * sentinel, another method's bracketed by store hand-offs. */
	if (ctx->sentinel)
		zc_case_sentinel(&b->res, c, rep, r.sent[0], r.sent[1], at,
				 cc->ping, cc->pong);
	else
		snprintf(c->sent_why, sizeof(c->sent_why), "--sentinel off");
	zc_bench_count(b, i, rep, 0, &r.counts, 2 * c->iterations[rep]);
	if (!c->cpus[0])
		snprintf(c->cpus, sizeof(c->cpus), "%d,%d", r.cpu[0], r.cpu[1]);
	if (!st->batch_lo || r.batch < st->batch_lo)
		st->batch_lo = r.batch;
	if (r.batch > st->batch_hi)
		st->batch_hi = r.batch;
	return 0;
}

/* ---- reporting ---------------------------------------------------------- */

/* Per class, the pairs' medians of method `method`. */
static void summarise(struct zc_bench *b, int method,
		      struct zc_c2c_class_sum *s)
{
	int n = b->res.ncases, k = 0;
	double *v = calloc((size_t)n + 1, sizeof(*v));
	int *cls = calloc((size_t)n + 1, sizeof(*cls));

	for (int i = 0; v && cls && i < n; i++) {
		const struct c2c_case *cc = zc_bench_priv(b, i);
		if (cc->method != method)
			continue;
		v[k] = zc_bench_median(b, i, M_ONEWAY);
		cls[k++] = cc->cls;
	}
	zc_c2c_summarise(v, cls, v && cls ? k : 0, s);
	free(v);
	free(cls);
}

static void c2c_headlines(struct zc_bench *b, FILE *f)
{
	struct c2c_state *st = b->st;
	const struct zc_clock_info *ck = &b->ctx->clock;
	int moved = 0, absent = 0;
	char home[64];

	for (int k = 0; k < opt_method.n; k++) {
		struct zc_c2c_class_sum s[ZC_C2C_NCLASS];
		int m = (int)opt_method.v[k];
		summarise(b, m, s);
		fprintf(f,
			"\none-way hand-off by placement class (%s; line on "
			"%s), over the pairs' medians:\n",
			method_words[m].name,
			home_text(st, home, sizeof(home)));
		zc_c2c_classes_print(f, s);
	}
	for (int c = 0; c < ZC_C2C_NCLASS; c++)
		if (!st->on_machine[c])
			fprintf(f, "%s %s (%s)",
				absent++ ? ";" : "no pair:", zc_place_name(c),
				st->why[c]);
	if (absent)
		fputc('\n', f);
	fprintf(f,
		"harness: the timer costs %.0f ns a read (resolution %.0f ns), "
		"one read per sample; a sample lasts >= %.0f us (%s) and held "
		"%llu..%llu round trips; the loop itself costs",
		ck->now_overhead_ns, ck->now_resolution_ns,
		sample_ns(b->ctx) / 1e3,
		sample_ns(b->ctx) < MAX_SAMPLE_NS ? "10000 x the resolution"
						  : "capped: a coarse timer",
		(unsigned long long)st->batch_lo,
		(unsigned long long)st->batch_hi);
	for (int k = 0; k < opt_method.n; k++)
		fprintf(f, "%s %.2f ns (%s)", k ? "," : "",
			st->loop_ns[opt_method.v[k]],
			method_words[opt_method.v[k]].name);
	fprintf(f, " per hand-off with the line local, inside every figure\n");
	for (int p = 0; p < b->res.npairs; p++)
		moved += b->res.pairs[p].reg.n > 1;
	if (moved)
		fprintf(f,
			"regimes: %d of %d CPU pairs changed state during the "
			"run (the host moved the vCPUs): their '@<n>ns' rows "
			"above give each state; class medians blend them\n",
			moved, b->res.npairs);
}

/* The distribution of each class: every pair's median, bars from its
 * fastest sample to its p99, every repetition a point. */
static int c2c_plots(struct zc_bench *b, struct zc_plot *p, int max)
{
	struct c2c_state *st = b->st;

	if (max < 1 || !zc_results_count(&b->res, ZC_CASE_OK))
		return 0;
	zc_plot_init(p, "c2c", "class", "oneway_ns", 0, 1);
	snprintf(p->ylo, sizeof(p->ylo), "oneway_min_ns_min");
	snprintf(p->yhi, sizeof(p->yhi), "oneway_p99_ns_median");
	p->points_only = 1;
	snprintf(p->title, sizeof(p->title),
		 "Core-to-core one-way latency by placement class (lower is "
		 "better)");
	snprintf(p->subtitle, sizeof(p->subtitle),
		 "a point per pair (median), bars from its fastest sample to "
		 "its p99; dots: every repetition");
	snprintf(p->xlabel, sizeof(p->xlabel),
		 "placement class (innermost level the two CPUs do not "
		 "share)");
	snprintf(p->ylabel, sizeof(p->ylabel), "one-way hand-off [ns]");
	for (int c = 0; c < ZC_C2C_NCLASS; c++)
		if (st->per_cls[c])
			snprintf(p->cats[p->ncats++], sizeof(p->cats[0]), "%s",
				 zc_place_name(c));
	for (int k = 0; k < opt_method.n; k++)
		zc_plot_add_series(p, method_words[opt_method.v[k]].name,
				   "method", method_words[opt_method.v[k]].name,
				   NULL);
	if (b->res.npairs == 1)
		zc_plot_regimes(p, &b->res);
	return 1;
}

/* ---- files -------------------------------------------------------------- */

/* <name>.gp to <name>.png; without gnuplot the scripts stay, as for the
 * driver's plots (which warned already). */
static void render(struct zc_bench *b, const char *name)
{
	char msg[512];

	if (zc_plot_available() &&
	    zc_plot_render(b->ctx->dir, name, msg, sizeof(msg)) < 0)
		zc_warn(b->ctx, "cannot render %s.png: %s", name, msg);
}

/* Method m's matrix, heatmap script and image: c2c.matrix.csv and
 * c2c.heatmap for the first method, c2c.matrix.<m>.csv and
 * c2c.heatmap.<m> for another. */
static int write_matrix(struct zc_bench *b, int m, int first)
{
	struct c2c_state *st = b->st;
	double *v = malloc((size_t)st->n * st->n * sizeof(*v));
	const char *mn = method_words[m].name;
	char name[64], csv[64];
	int err = -ENOMEM, drawn = 0;

	for (size_t k = 0; v && k < (size_t)st->n * st->n; k++)
		v[k] = NAN;
	for (int i = 0; v && i < b->res.ncases; i++) {
		const struct c2c_case *cc = zc_bench_priv(b, i);
		if (cc->method == m)
			v[(size_t)cc->row * st->n + cc->col] =
				zc_bench_median(b, i, M_ONEWAY);
	}
	snprintf(name, sizeof(name), "c2c.heatmap%s%s", first ? "" : ".",
		 first ? "" : mn);
	snprintf(csv, sizeof(csv), "c2c.matrix%s%s.csv", first ? "" : ".",
		 first ? "" : mn);
	if (v)
		err = zc_c2c_heatmap_write(b->ctx->dir, name, csv, mn, st->cpu,
					   st->bound, st->n, v, &drawn);
	if (!err && drawn)
		render(b, name);
	free(v);
	return err;
}

/* c2c.classes.json: the summaries per method and class, the harness. */
static int write_classes(struct zc_bench *b)
{
	struct c2c_state *st = b->st;
	const struct zc_clock_info *ck = &b->ctx->clock;
	json_t *root = json_object(), *cls = json_array(), *ord = json_array();
	json_t *loop = json_object(), *abs = json_object();
	char home[64], kinds[512];
	int err;

	for (int k = 0; k < opt_method.n; k++) {
		struct zc_c2c_class_sum s[ZC_C2C_NCLASS];
		int m = (int)opt_method.v[k];
		summarise(b, m, s);
		zc_c2c_classes_json(cls, method_words[m].name, s);
		json_object_set_new(loop, method_words[m].name,
				    zc_json_real(st->loop_ns[m]));
	}
	for (int c = 0; c < ZC_C2C_NCLASS; c++)
		if (!st->on_machine[c])
			json_object_set_new(abs, zc_place_name(c),
					    json_string(st->why[c]));
	for (int i = 0; i < st->n; i++)
		json_array_append_new(ord, json_integer(st->cpu[i]));
	json_object_set_new(root, "schema_version", json_integer(1));
	json_object_set_new(root, "pairs",
			    json_string(pairs_words[st->mode].name));
	json_object_set_new(root, "home",
			    json_string(home_text(st, home, sizeof(home))));
	json_object_set_new(root, "topology_order", ord);
	zc_c2c_kinds(&b->ctx->topo, kinds, sizeof(kinds));
	json_object_set_new(root, "cpu_kinds", json_string(kinds));
	json_object_set_new(root, "classes", cls);
	json_object_set_new(root, "absent", abs);
	json_object_set_new(
		root, "harness",
		json_pack("{s:o, s:o, s:i, s:o, s:o, s:I, s:I, s:i, s:o}",
			  "timer_read_ns", zc_json_real(ck->now_overhead_ns),
			  "timer_resolution_ns",
			  zc_json_real(ck->now_resolution_ns), "min_region",
			  ZC_CLOCK_MIN_REGION, "sample_min_ns",
			  zc_json_real(sample_ns(b->ctx)), "sample_max_ns",
			  zc_json_real(MAX_SAMPLE_NS), "round_trips_min",
			  (json_int_t)st->batch_lo, "round_trips_max",
			  (json_int_t)st->batch_hi, "samples", (int)opt_samples,
			  "loop_ns_per_handoff", loop));
	err = root ? zc_out_write_json(b->ctx->dir, "c2c.classes.json", root)
		   : -ENOMEM;
	json_decref(root);
	return err;
}

/* c2c.time.csv and its plot: every repetition against time; one pair
 * watched is coloured by regime, else one colour per method and class. */
static int write_time(struct zc_bench *b)
{
	struct c2c_state *st = b->st;
	struct zc_plot *p = calloc(1, sizeof(*p));
	int err = -ENOMEM, rows = 0;

	if (p)
		err = zc_c2c_time_write(b->ctx->dir, "c2c.time.csv", &b->res,
					&rows);
	if (err || !rows)
		goto out;
	zc_plot_init(p, "c2c.time", "t_s", "oneway_ns", 0, 0);
	p->results = 0;
	p->points_only = 1;
	snprintf(p->ycol, sizeof(p->ycol), "oneway_ns");
	p->ylo[0] = p->yhi[0] = 0; /* a preempted p99 would hide the rest */
	snprintf(p->extra, sizeof(p->extra), "set yrange [0:*]\n");
	snprintf(p->title, sizeof(p->title),
		 "Core-to-core one-way latency over time");
	snprintf(p->subtitle, sizeof(p->subtitle),
		 "a point per repetition (median of its samples); on a VM a "
		 "jump is the host moving the vCPUs");
	snprintf(p->xlabel, sizeof(p->xlabel), "time since the first [s]");
	snprintf(p->ylabel, sizeof(p->ylabel), "one-way hand-off [ns]");
	for (int k = 0;
	     st->watch_one && b->res.npairs == 1 && k < b->res.pairs[0].reg.n;
	     k++) {
		char t[64], v[8];
		snprintf(t, sizeof(t), "regime %d: %.0f ns", k,
			 b->res.pairs[0].reg.median[k]);
		snprintf(v, sizeof(v), "%d", k);
		zc_plot_add_series(p, t, "regime", v, NULL);
	}
	for (int k = 0; !p->nseries && k < opt_method.n; k++)
		for (int c = 0; c < ZC_C2C_NCLASS; c++) {
			const char *mn = method_words[opt_method.v[k]].name;
			char t[64];
			if (!st->per_cls[c])
				continue;
			snprintf(t, sizeof(t), "%s, %s", zc_place_name(c), mn);
			zc_plot_add_series(p, t, "method", mn, "class",
					   zc_place_name(c), NULL);
		}
	err = zc_plot_write(b->ctx->dir, p);
	if (!err)
		render(b, p->name);
out:
	free(p);
	return err;
}

static int c2c_files(struct zc_bench *b)
{
	int err = write_classes(b);

	for (int k = 0; k < opt_method.n && !err; k++)
		err = write_matrix(b, (int)opt_method.v[k], k == 0);
	return err ? err : write_time(b);
}

static const struct zc_bench_def c2c_bench = {
	.opts = c2c_opts,
	.keys = c2c_keys,
	.nkeys = NKEYS,
	.metrics = c2c_metrics,
	.nmetrics = M_COUNT,
	.item = "handoff",
	.events_note = "per hand-off, both threads, over the timed samples",
	.state_size = sizeof(struct c2c_state),
	.case_size = sizeof(struct c2c_case),
	.own_sentinel = 1,
	.check = c2c_check,
	.sweep = c2c_sweep,
	.plan_head = plan_summary,
	.estimate = c2c_estimate,
	.setup = c2c_setup,
	.one = c2c_one,
	.plots = c2c_plots,
	.headlines = c2c_headlines,
	.files = c2c_files,
};

static const struct zc_headline c2c_headline[] = {
	{"oneway_ns", "class", "l3", "one-way hand-off inside an L3 (ns)"},
	{"oneway_ns", "class", "cross-l3",
	 "one-way hand-off between L3s of one node (ns)"},
	{"oneway_ns", "class", "cross-package",
	 "one-way hand-off between packages (ns)"},
	{NULL}};

const struct zc_command zc_cmd_c2c = {
	.name = "c2c",
	.summary = "core-to-core latency: the cache-line hand-off between "
		   "CPU pairs",
	.what = "the one-way hand-off of a fresh cache line between pairs of "
		"CPUs (every pair, or representatives of each placement "
		"class; store/load or CAS; line homed on a chosen node): "
		"per-pair distributions, a matrix and heatmap in topology "
		"order, a summary per class, drift over time",
	.why = "every cross-core message, lock and queue pays this hand-off; "
	       "the matrix shows which CPUs are close (SMT, L2, L3) and what "
	       "crossing an L3, a NUMA node or a package costs, so that "
	       "threads that talk are placed together",
	.flags = ZC_CMD_RESULTS,
	.headlines = c2c_headline,
	.bench = &c2c_bench,
};
