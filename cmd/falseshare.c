/* SPDX-License-Identifier: MIT */
/*
 * zcbench falseshare — N pinned threads each increment their own counter;
 * the counters sit 8 B apart (one cache line), 64, 128, 256 B apart, or in a
 * register. What the machine charges for sharing a line is the difference.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "shm.h"

enum fs_op {
	OP_ATOMIC,
	OP_STORE,
	OP_CAS
};

static const struct zc_word op_words[] = {
	{"atomic", OP_ATOMIC}, {"store", OP_STORE}, {"cas", OP_CAS}, {NULL, 0}};
static const struct zc_word stride_words[] = {{"local", 0}, {NULL, 0}};
static const struct zc_word thread_words[] = {{"all", -1}, {NULL, 0}};

static struct zc_list opt_threads, opt_stride, opt_op, opt_place;
static double opt_seconds;

static const struct zc_opt fs_opts[] = {
	ZC_OPT_LIST("threads", "LIST", NULL, "2",
		    "threads, each pinned, each with its own counter",
		    &opt_threads, 1, ZC_TOPO_MAX_THREADS, 0, thread_words),
	ZC_OPT_LIST(
		"stride", "LIST", "bytes", "8,64,128,256,local",
		"distance between counters; local = a register (no sharing)",
		&opt_stride, 8, 4096, 8, stride_words),
	ZC_OPT_CHOICES("op", "atomic,store",
		       "increment: atomic (relaxed fetch_add), store (volatile "
		       "load+add+store), cas (compare-exchange loop)",
		       &opt_op, op_words),
	ZC_OPT_CHOICES(
		"place", NULL,
		"placement classes (default: every pair class for 2 "
		"threads, compact and scatter for more; cpus with --cpus)",
		&opt_place, zc_place_words),
	ZC_OPT_DOUBLE(
		"seconds", "S", "s", NULL,
		"measured time per repetition (default 0.2; 0.05 with --quick)",
		&opt_seconds, 0, 60),
	ZC_OPT_END};

#define OPT_STRIDE (&fs_opts[1])

static const char *const fs_keys[] = {"op", "stride", "threads", "place"};
#define NKEYS 4

/* Fixed metrics; counter metrics are appended from --events. */
enum {
	M_NS_PER_OP,
	M_MOPS,
	M_SLOWDOWN,
	M_CPU_UTIL,
	M_CTXSW,
	M_FIXED
};
static const struct zc_metric fs_fixed[M_FIXED] = {
	[M_NS_PER_OP] = {"ns_per_op", "ns", ZC_BETTER_LOWER,
			 "time per increment, per thread (mean over threads)",
			 ZC_M_SHOW, ZC_GB_REAL_TIME, 1},
	[M_MOPS] = {"mops", "Mops/s", ZC_BETTER_HIGHER,
		    "increments per second, all threads together", ZC_M_SHOW,
		    ZC_GB_ITEMS_PER_SECOND, 1e6},
	[M_SLOWDOWN] = {"slowdown", "x", ZC_BETTER_LOWER,
			"ns/op relative to the 128 B stride of the same op, "
			"threads and placement",
			ZC_M_SHOW | ZC_M_PORTABLE, ZC_GB_NONE, 1},
	[M_CPU_UTIL] =
		{"cpu_util", "fraction", ZC_BETTER_NONE,
		 "thread CPU time over wall time (mean over threads): below "
		 "1 the threads were preempted and did not contend all along",
		 0, ZC_GB_NONE, 1},
	[M_CTXSW] = {"ctx_switches", "count", ZC_BETTER_NONE,
		     "voluntary + involuntary context switches of all threads "
		     "(getrusage)",
		     0, ZC_GB_NONE, 1},
};

struct fs_case {
	int op, stride, threads;
	struct zc_plan plan;
	int ok;	 /* plannable */
	int idx; /* case index in results */
};

struct fs_run {
	struct zc_ctx *ctx;
	struct zc_results res;
	struct zc_metric metrics[M_FIXED + ZC_EV_MAX];
	char mnames[ZC_EV_MAX][ZC_EV_NAME + 8];
	int ev_metric[ZC_EV_MAX]; /* metric index of each event */
	struct fs_case *cases;
	int ncases;
	double seconds;
	int aborted; /* 1 + index of a case that timed out */
};

struct fs_thread {
	int op;
	int stride;
	_Atomic uint64_t *counter; /* its own slot */
	uint64_t ops;		   /* increments done */
};

/* Operations between two looks at the stop flag: long enough that the flag
 * (a read-shared line) costs nothing, short enough to stop within µs. */
#define BATCH 256

static void fs_worker(struct zc_worker *w)
{
	struct fs_thread *a = w->arg;
	_Atomic uint64_t *c = a->counter;
	volatile uint64_t *vc = (volatile uint64_t *)c;
	uint64_t n = 0, reg = 0, old;

	zc_worker_begin(w);
	if (a->stride == 0) {
		/* The floor: the counter lives in a register; the asm keeps
		 * the compiler from folding the loop. */
		do {
			for (int i = 0; i < BATCH; i++) {
				reg++;
				__asm__ __volatile__("" : "+r"(reg));
			}
			n += BATCH;
		} while (!zc_worker_should_stop(w));
	} else if (a->op == OP_ATOMIC) {
		do {
			for (int i = 0; i < BATCH; i++)
				/* relaxed: only this thread writes the counter;
				 * the lock prefix is what we measure */
				atomic_fetch_add_explicit(c, 1,
							  memory_order_relaxed);
			n += BATCH;
		} while (!zc_worker_should_stop(w));
	} else if (a->op == OP_STORE) {
		do {
			for (int i = 0; i < BATCH; i++)
				*vc = *vc + 1;
			n += BATCH;
		} while (!zc_worker_should_stop(w));
	} else {
		/* relaxed: single writer per counter, see above */
		old = atomic_load_explicit(c, memory_order_relaxed);
		do {
			for (int i = 0; i < BATCH; i++)
				while (!atomic_compare_exchange_weak_explicit(
					c, &old, old + 1, memory_order_relaxed,
					memory_order_relaxed))
					;
			n += BATCH;
		} while (!zc_worker_should_stop(w));
	}
	zc_worker_end(w);
	if (a->stride == 0)
		/* relaxed: read by the caller after the team's join */
		atomic_store_explicit(c, reg, memory_order_relaxed);
	a->ops = n;
}

static int fs_skip(void *vctx, int i)
{
	struct fs_run *run = vctx;
	struct zc_case *c = &run->res.cases[run->cases[i].idx];
	if (run->aborted) {
		/* Keep what was measured; run nothing beside the stuck threads.
		 */
		if (c->status == ZC_CASE_OK && c->nrep == 0)
			zc_case_skip(c, "not run: %s timed out",
				     run->res.cases[run->aborted - 1].name);
		return 1;
	}
	return c->status != ZC_CASE_OK;
}

static int fs_one(void *vctx, int i, int rep)
{
	struct fs_run *run = vctx;
	struct fs_case *fc = &run->cases[i];
	struct zc_case *c = &run->res.cases[fc->idx];
	int n = fc->threads, err;
	size_t slot = fc->stride ? (size_t)fc->stride : 128;
	struct fs_thread *th;
	void *args[ZC_TOPO_MAX_THREADS];
	struct zc_counts total;
	struct zc_team team;
	struct zc_mem mem;
	double ns_sum = 0, ops = 0, ctxsw = 0, util = 0;
	uint64_t t0 = UINT64_MAX, t1 = 0;

	/* Counters on the first thread's NUMA node, the block page-aligned
	 * (so 128 B-aligned): counter i sits at i * stride. */
	err = zc_mem_alloc(&mem, slot * (size_t)n + 128, fc->plan.node,
			   ZC_MEM_PRIVATE, NULL);
	if (err < 0) {
		zc_case_fail(&run->res, c, "cannot allocate counters: %s",
			     strerror(-err));
		return err;
	}
	snprintf(c->label, sizeof(c->label), "mem %s", mem.binding);
	/* On the heap: threads abandoned after a timeout keep writing here. */
	th = calloc((size_t)n, sizeof(*th));
	if (!th) {
		zc_mem_free(&mem);
		zc_case_fail(&run->res, c, "out of memory");
		return -ENOMEM;
	}
	for (int t = 0; t < n; t++) {
		th[t].op = fc->op;
		th[t].stride = fc->stride;
		th[t].counter = (_Atomic uint64_t *)((char *)mem.p + slot * t);
		th[t].ops = 0;
		args[t] = &th[t];
	}
	err = zc_team_run(&team, &run->ctx->topo, &fc->plan, &run->ctx->events,
			  fs_worker, args, (uint64_t)(run->seconds * 1e9),
			  run->ctx->timeout_s);
	if (err == -ETIMEDOUT) {
		/* Threads still run on this memory and th: never free them,
		 * and run nothing more beside them. */
		zc_case_fail(&run->res, c, "%s", team.why);
		run->aborted = fc->idx + 1;
		zc_team_release(&team);
		return err;
	}
	if (err < 0) {
		if (err != -EINTR)
			zc_case_fail(&run->res, c, "%s", team.why);
		goto out;
	}
	/* Self-check: every counter holds exactly what its thread counted. */
	for (int t = 0; t < n; t++) {
		uint64_t v = atomic_load_explicit(th[t].counter,
						  memory_order_relaxed);
		if (v != th[t].ops) {
			zc_case_fail(
				&run->res, c,
				"thread %d counted %llu increments but its "
				"counter holds %llu",
				t, (unsigned long long)th[t].ops,
				(unsigned long long)v);
			err = -EIO;
			goto out;
		}
	}
	if (rep < 0)
		goto out; /* warm-up */
	zc_counts_init(&total, &run->ctx->events);
	for (int t = 0; t < n; t++) {
		struct zc_worker *w = &team.w[t];
		ns_sum += (double)(w->t1 - w->t0) / (double)th[t].ops;
		ops += (double)th[t].ops;
		t0 = w->t0 < t0 ? w->t0 : t0;
		t1 = w->t1 > t1 ? w->t1 : t1;
		zc_counts_add(&total, &w->counts);
		ctxsw += w->counts.nvcsw + w->counts.nivcsw;
		util += w->counts.cpu_ns / (double)(w->t1 - w->t0);
	}
	c->iterations[rep] = ops;
	zc_case_set(&run->res, c, rep, M_NS_PER_OP, ns_sum / n);
	zc_case_set(&run->res, c, rep, M_MOPS,
		    ops / ((double)(t1 - t0) / 1e9) / 1e6);
	zc_case_set(&run->res, c, rep, M_CTXSW, ctxsw);
	zc_case_set(&run->res, c, rep, M_CPU_UTIL, util / n);
	if (util / n < 0.9)
		snprintf(c->label, sizeof(c->label),
			 "mem %s; preempted: ran %.0f%% of the time",
			 mem.binding, 100 * util / n);
	for (int e = 0; e < run->ctx->events.n; e++) {
		int m = run->ev_metric[e];
		if (total.status[e] != ZC_EV_OK) {
			zc_case_absent(&run->res, c, m, total.why[e]);
			continue;
		}
		zc_case_set(&run->res, c, rep, m,
			    run->ctx->events.ev[e].hw ? total.value[e] / ops
						      : total.value[e]);
	}
	if (!c->cpus[0])
		zc_topo_format_cpus(fc->plan.cpu, n, c->cpus, sizeof(c->cpus));
out:
	zc_team_release(&team);
	zc_mem_free(&mem);
	free(th);
	return err;
}

static void metric_name(const char *ev, int hw, char *buf, size_t len)
{
	size_t k = 0;
	for (const char *p = ev; *p && k + 8 < len; p++)
		buf[k++] =
			(*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a')
			: ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
				? *p
				: '_';
	buf[k] = 0;
	if (hw)
		strcat(buf, "_per_op");
}

static void build_metrics(struct fs_run *run)
{
	int m = M_FIXED;
	memcpy(run->metrics, fs_fixed, sizeof(fs_fixed));
	for (int e = 0; e < run->ctx->events.n; e++) {
		const struct zc_event *ev = &run->ctx->events.ev[e];
		metric_name(ev->name, ev->hw, run->mnames[e],
			    sizeof(run->mnames[e]));
		run->metrics[m] = (struct zc_metric){
			run->mnames[e],
			ev->hw ? "events/op" : "count",
			ZC_BETTER_NONE,
			ev->hw ? "perf event per increment (all threads)"
			       : "perf event total (all threads)",
			0,
			ZC_GB_NONE,
			1};
		run->ev_metric[e] = m++;
	}
}

static int fs_plot(struct fs_run *run, struct zc_plot *p)
{
	char head[200] = "";
	zc_plot_init(p, "falseshare", "stride", "ns_per_op", 0, 1);
	snprintf(p->title, sizeof(p->title),
		 "False sharing: time per increment vs distance between the "
		 "threads' counters (lower is better)");
	snprintf(p->subtitle, sizeof(p->subtitle),
		 "8 B: every counter in one 64 B cache line, which the cores "
		 "pass back and forth; 128 B+: a line each; local: a register");
	snprintf(p->xlabel, sizeof(p->xlabel),
		 "stride between counters [bytes]");
	snprintf(p->ylabel, sizeof(p->ylabel),
		 "ns per increment per thread (median, bars min..max)");
	for (int i = 0; i < opt_stride.n && p->ncats < ZC_PLOT_MAX_CATS; i++)
		zc_list_item(OPT_STRIDE, &opt_stride, i, p->cats[p->ncats++],
			     sizeof(p->cats[0]));
	/* One line per placement x op x threads that has data. */
	for (int i = 0; i < run->ncases; i++) {
		struct fs_case *a = &run->cases[i];
		char title[96], th[16];
		int dup = 0;
		if (run->res.cases[a->idx].status != ZC_CASE_OK)
			continue;
		for (int j = 0; j < i; j++) {
			struct fs_case *b = &run->cases[j];
			dup |= run->res.cases[b->idx].status == ZC_CASE_OK &&
			       b->op == a->op && b->threads == a->threads &&
			       b->plan.place == a->plan.place;
		}
		if (dup)
			continue;
		snprintf(th, sizeof(th), "%d", a->threads);
		snprintf(title, sizeof(title), "%s, %s, %d threads",
			 zc_place_name(a->plan.place), op_words[a->op].name,
			 a->threads);
		zc_plot_add_series(p, title, "op", op_words[a->op].name,
				   "threads", th, "place",
				   zc_place_name(a->plan.place), NULL);
		if (!head[0]) {
			/* Headline: the first packed-vs-padded ratio. */
			int m8 = -1;
			for (int j = 0; j < run->ncases; j++) {
				struct fs_case *b = &run->cases[j];
				if (b->stride == 8 && b->op == a->op &&
				    b->threads == a->threads &&
				    b->plan.place == a->plan.place)
					m8 = j;
			}
			if (m8 >= 0) {
				struct zc_summary s;
				if (zc_case_summary(
					    &run->res,
					    &run->res.cases[run->cases[m8].idx],
					    M_SLOWDOWN, &s) == 0)
					snprintf(head, sizeof(head),
						 "set label 1 \"%s: packed (8 "
						 "B) is %.1fx "
						 "slower than padded (128 B)\" "
						 "at graph "
						 "0.02, graph 0.95 front\n",
						 title, s.median);
			}
		}
	}
	snprintf(p->extra, sizeof(p->extra), "%s", head);
	return p->nseries;
}

/* The packed-vs-padded headline per placement x op, on stdout. */
static void fs_headlines(struct fs_run *run)
{
	int printed = 0;
	for (int i = 0; i < run->ncases; i++) {
		struct fs_case *a = &run->cases[i];
		struct zc_case *c = &run->res.cases[a->idx];
		struct zc_summary s, t;
		if (a->stride != 8 && a->stride != 64)
			continue;
		if (c->status != ZC_CASE_OK ||
		    zc_case_summary(&run->res, c, M_SLOWDOWN, &s) < 0 ||
		    zc_case_summary(&run->res, c, M_NS_PER_OP, &t) < 0)
			continue;
		if (!printed++)
			printf("\nstride vs padded (128 B), same op, threads "
			       "and "
			       "placement:\n");
		printf("  %-14s %-6s %2d threads  %3d B: %8.2f ns/op  %6.2fx "
		       "%s\n",
		       zc_place_name(a->plan.place), op_words[a->op].name,
		       a->threads, a->stride, t.median, s.median,
		       a->stride == 8 ? "(one shared line: false sharing)"
				      : "(adjacent lines: pair prefetch)");
	}
}

static int add_places(struct zc_ctx *ctx, int threads, int *pl, int max)
{
	int n = 0;
	if (opt_place.given) {
		for (int i = 0; i < opt_place.n && n < max; i++)
			pl[n++] = (int)opt_place.v[i];
	} else if (ctx->ncpus) {
		pl[n++] = ZC_PLACE_CPUS;
	} else if (threads == 2) {
		for (int c = ZC_PLACE_SMT; c <= ZC_PLACE_CROSS_PACKAGE; c++)
			pl[n++] = c;
	} else {
		pl[n++] = ZC_PLACE_COMPACT;
		pl[n++] = ZC_PLACE_SCATTER;
	}
	return n;
}

int cmd_falseshare(int argc, char **argv, struct zc_ctx *ctx)
{
	struct fs_run run = {.ctx = ctx};
	struct zc_plot plot;
	int rc, npus, cap;
	char allowed[128];

	rc = zc_cmd_parse(ctx, fs_opts, argc, argv);
	if (rc)
		return rc;
	npus = zc_topo_npus(&ctx->topo);
	zc_topo_format_allowed(&ctx->topo, allowed, sizeof(allowed));
	run.seconds = opt_seconds > 0 ? opt_seconds : ctx->quick ? 0.05 : 0.2;
	if (run.seconds < 0.001)
		return zc_usage(
			ctx, "--seconds: %g is too short: expected 0.001..60",
			opt_seconds);

	if (ctx->timeout_s <= run.seconds)
		return zc_usage(ctx,
				"--timeout %g s must be longer than the "
				"measured --seconds %g",
				ctx->timeout_s, run.seconds);
	/* Validate the whole sweep before anything is created. */
	for (int i = 0; i < opt_threads.n; i++) {
		long long t = opt_threads.v[i] < 0 ? npus : opt_threads.v[i];
		if (t > npus) {
			if (!opt_threads.given) {
				zc_error(ctx,
					 "needs %lld CPUs; this process may "
					 "use %d (%s)",
					 t, npus, allowed);
				return ZC_EXIT_SKIP;
			}
			return zc_usage(ctx,
					"--threads: %lld is more than the %d "
					"CPUs this process may use (%s): "
					"expected 1..%d or all",
					t, npus, allowed, npus);
		}
		if (opt_place.given)
			for (int k = 0; k < opt_place.n; k++) {
				int pc = (int)opt_place.v[k];
				if (pc <= ZC_PLACE_CROSS_PACKAGE && t != 2)
					return zc_usage(
						ctx,
						"--place %s places a pair "
						"of threads: use --threads 2, "
						"or "
						"compact, scatter or cpus",
						zc_place_name(pc));
				if (pc == ZC_PLACE_CPUS && !ctx->ncpus)
					return zc_usage(ctx,
							"--place cpus needs "
							"--cpus LIST");
			}
		if (ctx->ncpus && ctx->ncpus < t)
			return zc_usage(ctx,
					"--cpus lists %d CPUs for %lld "
					"threads: give at least %lld",
					ctx->ncpus, t, t);
	}

	cap = opt_threads.n * ZC_PLACE_COUNT * opt_op.n * opt_stride.n;
	run.cases = calloc((size_t)cap, sizeof(*run.cases));
	if (!run.cases)
		return zc_error(ctx, "out of memory");
	build_metrics(&run);
	if (zc_results_init(&run.res, "falseshare", fs_keys, NKEYS, run.metrics,
			    M_FIXED + ctx->events.n, ctx->reps) < 0) {
		free(run.cases);
		return zc_error(ctx, "out of memory");
	}

	for (int ti = 0; ti < opt_threads.n; ti++) {
		int threads =
			opt_threads.v[ti] < 0 ? npus : (int)opt_threads.v[ti];
		int dup = 0;
		/* "2,all" on a 2-CPU machine: one set of cases, not two. */
		for (int k = 0; k < ti; k++)
			dup |= (opt_threads.v[k] < 0
					? npus
					: opt_threads.v[k]) == threads;
		if (dup)
			continue;
		int pl[ZC_PLACE_COUNT],
			npl = add_places(ctx, threads, pl, ZC_PLACE_COUNT);
		for (int pi = 0; pi < npl; pi++) {
			struct zc_plan plan;
			int perr = zc_topo_plan(&ctx->topo, pl[pi], threads,
						ctx->cpus, ctx->ncpus, &plan);
			for (int oi = 0; oi < opt_op.n; oi++)
				for (int si = 0; si < opt_stride.n; si++) {
					struct fs_case *fc =
						&run.cases[run.ncases];
					char sv[16], tv[16];
					const char *vals[NKEYS];
					struct zc_case *c;

					fc->op = (int)opt_op.v[oi];
					fc->stride = (int)opt_stride.v[si];
					fc->threads = threads;
					fc->plan = plan;
					fc->plan.place = pl[pi];
					fc->ok = perr == 0;
					zc_list_item(OPT_STRIDE, &opt_stride,
						     si, sv, sizeof(sv));
					snprintf(tv, sizeof(tv), "%d", threads);
					vals[0] = op_words[fc->op].name;
					vals[1] = sv;
					vals[2] = tv;
					vals[3] = zc_place_name(pl[pi]);
					c = zc_results_add(&run.res, vals);
					if (!c) {
						rc = zc_error(ctx,
							      "out of memory");
						goto out;
					}
					c->threads = threads;
					fc->idx = run.res.ncases - 1;
					if (!fc->ok)
						zc_case_skip(c, "%s", plan.why);
					run.ncases++;
				}
		}
	}

	if (ctx->dry_run) {
		int nrun = 0;
		printf("falseshare plan on %s (allowed CPUs %s)\n",
		       ctx->topo.source, allowed);
		for (int i = 0; i < run.ncases; i++) {
			struct zc_case *c = &run.res.cases[run.cases[i].idx];
			char cpus[128];
			if (c->status == ZC_CASE_OK) {
				zc_topo_format_cpus(run.cases[i].plan.cpu,
						    run.cases[i].threads, cpus,
						    sizeof(cpus));
				printf("  %-58s cpus %s, node %d\n", c->name,
				       cpus, run.cases[i].plan.node);
				nrun++;
			} else {
				printf("  %-58s skipped: %s\n", c->name,
				       c->reason);
			}
		}
		printf("%d cases to run, %d skipped; %d repetitions + 1 "
		       "warm-up "
		       "of %.3g s each: about %.0f s\n",
		       nrun, run.ncases - nrun, ctx->reps, run.seconds,
		       nrun * (ctx->reps + 1) * (run.seconds + 0.01));
		rc = ZC_EXIT_OK;
		goto out;
	}
	rc = zc_cmd_can_run(ctx, &run.res);
	if (!rc)
		rc = zc_cmd_begin(ctx);
	if (rc)
		goto out;
	zc_bench_drive("falseshare", run.ncases, ctx->reps, 1, fs_one, fs_skip,
		       &run);
	/* slowdown: ns/op over the median of the 128 B case with the same
	 * op, threads and placement */
	zc_results_ratio(&run.res, M_NS_PER_OP, M_SLOWDOWN, "stride", "128",
			 NULL, 0);
	fs_plot(&run, &plot);
	rc = zc_cmd_finish(ctx, &run.res, &plot, plot.nseries ? 1 : 0);
	if (ctx->format == ZC_FMT_TEXT && !ctx->quiet)
		fs_headlines(&run);
out:
	zc_results_release(&run.res);
	free(run.cases);
	return rc;
}
