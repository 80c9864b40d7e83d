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
#include "inject.h"
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
	ZC_OPT_DOUBLE("seconds", "S", "s", "0.04",
		      "measured time per repetition", &opt_seconds, 0.001, 60,
		      .quick = "0.04"),
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
			zc_inject();
		} while (!zc_worker_should_stop(w));
	} else if (a->op == OP_ATOMIC) {
		do {
			for (int i = 0; i < BATCH; i++)
				/* relaxed: only this thread writes the counter;
				 * the lock prefix is what we measure */
				atomic_fetch_add_explicit(c, 1,
							  memory_order_relaxed);
			n += BATCH;
			zc_inject();
		} while (!zc_worker_should_stop(w));
	} else if (a->op == OP_STORE) {
		do {
			for (int i = 0; i < BATCH; i++)
				*vc = *vc + 1;
			n += BATCH;
			zc_inject();
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
			zc_inject();
		} while (!zc_worker_should_stop(w));
	}
	zc_worker_end(w);
	if (a->stride == 0)
		/* relaxed: read by the caller after the team's join */
		atomic_store_explicit(c, reg, memory_order_relaxed);
	a->ops = n;
}

#define FS_POOL (1u << 20) /* where the counters may be placed */

/* A random 128 B-aligned offset for `span` bytes of counters in FS_POOL. */
static size_t next_offset(size_t span)
{
	static uint64_t s;
	size_t slots = span < FS_POOL ? (FS_POOL - span) / 128 : 1;

	if (!s)
		s = zc_now_ns() | 1;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (size_t)(s % slots) * 128;
}

static int fs_one(struct zc_bench *b, int i, int rep)
{
	const struct fs_case *fc = zc_bench_priv(b, i);
	struct zc_case *c = zc_bench_case(b, i);
	struct zc_ctx *ctx = b->ctx;
	int n = fc->threads, err;
	size_t slot = fc->stride ? (size_t)fc->stride : 128;
	struct fs_thread *th;
	void *args[ZC_TOPO_MAX_THREADS];
	struct zc_counts total;
	struct zc_team team;
	struct zc_plan plan;
	struct zc_mem mem;
	double ns_sum = 0, ops = 0, ctxsw = 0, util = 0;
	uint64_t t0 = UINT64_MAX, t1 = 0;
	size_t off;

	zc_bench_plan(b, i, &plan);
	/* Counters on the first thread's NUMA node, at a random 128 B-aligned
	 * place in a 1 MiB block, drawn anew every repetition: on a mesh
	 * (Intel) the shared line's home slice follows its address, and one
	 * fixed address would give every run a level of its own (measured:
	 * medians 36..44 ns/op over 8 runs at one address, 37.5..42.6 at
	 * random ones). Counter i sits at off + i * stride. */
	off = next_offset(slot * (size_t)n);
	err = zc_mem_alloc(&mem, slot * (size_t)n + 128 + FS_POOL, plan.node,
			   ZC_MEM_PRIVATE, NULL);
	if (err < 0) {
		zc_case_fail(&b->res, c, "cannot allocate counters: %s",
			     strerror(-err));
		return err;
	}
	snprintf(c->label, sizeof(c->label), "mem %s", mem.binding);
	/* On the heap: threads abandoned after a timeout keep writing here. */
	th = calloc((size_t)n, sizeof(*th));
	if (!th) {
		zc_mem_free(&mem);
		zc_case_fail(&b->res, c, "out of memory");
		return -ENOMEM;
	}
	for (int t = 0; t < n; t++) {
		th[t].op = fc->op;
		th[t].stride = fc->stride;
		th[t].counter =
			(_Atomic uint64_t *)((char *)mem.p + off + slot * t);
		th[t].ops = 0;
		args[t] = &th[t];
	}
	err = zc_team_run(&team, &ctx->topo, &plan, &ctx->events, fs_worker,
			  args, (uint64_t)(b->seconds * 1e9), ctx->timeout_s);
	if (err == -ETIMEDOUT) {
		/* Threads still run on this memory and th: never free them. */
		zc_case_fail(&b->res, c, "%s", team.why);
		zc_team_release(&team);
		return err;
	}
	if (err < 0) {
		if (err != -EINTR)
			zc_case_fail(&b->res, c, "%s", team.why);
		goto out;
	}
	/* Self-check: every counter holds exactly what its thread counted. */
	for (int t = 0; t < n; t++) {
		uint64_t v = atomic_load_explicit(th[t].counter,
						  memory_order_relaxed);
		if (v != th[t].ops) {
			zc_case_fail(
				&b->res, c,
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
	zc_counts_init(&total, &ctx->events);
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
	zc_case_set(&b->res, c, rep, M_NS_PER_OP, ns_sum / n);
	zc_case_set(&b->res, c, rep, M_MOPS,
		    ops / ((double)(t1 - t0) / 1e9) / 1e6);
	zc_case_set(&b->res, c, rep, M_CTXSW, ctxsw);
	zc_case_set(&b->res, c, rep, M_CPU_UTIL, util / n);
	if (util / n < 0.9)
		snprintf(c->label, sizeof(c->label),
			 "mem %s; preempted: ran %.0f%% of the time",
			 mem.binding, 100 * util / n);
	zc_bench_count(b, i, rep, 0, &total, ops);
	if (!c->cpus[0])
		zc_topo_format_cpus(plan.cpu, n, c->cpus, sizeof(c->cpus));
out:
	zc_team_release(&team);
	zc_mem_free(&mem);
	free(th);
	return err;
}

static int fs_plots(struct zc_bench *b, struct zc_plot *p, int max)
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
	for (int i = 0; i < b->res.ncases; i++) {
		const struct zc_case *c = zc_bench_case(b, i);
		const char *op = zc_case_param(&b->res, c, "op"),
			   *th = zc_case_param(&b->res, c, "threads"),
			   *pl = zc_case_param(&b->res, c, "place");
		char title[96];
		int m8;

		if (c->status != ZC_CASE_OK ||
		    zc_bench_find(b, "op", op, "threads", th, "place", pl,
				  NULL) != i)
			continue;
		snprintf(title, sizeof(title), "%s, %s, %s threads", pl, op,
			 th);
		zc_plot_add_series(p, title, "op", op, "threads", th, "place",
				   pl, NULL);
		/* Headline: the first packed-vs-padded ratio. */
		m8 = zc_bench_find(b, "op", op, "threads", th, "place", pl,
				   "stride", "8", NULL);
		if (!head[0] && m8 >= 0 &&
		    !isnan(zc_bench_median(b, m8, M_SLOWDOWN)))
			snprintf(head, sizeof(head),
				 "set label 1 \"%s: packed (8 B) is %.1fx "
				 "slower than padded (128 B)\" at graph 0.02, "
				 "graph 0.95 front\n",
				 title, zc_bench_median(b, m8, M_SLOWDOWN));
	}
	snprintf(p->extra, sizeof(p->extra), "%s", head);
	return p->nseries && max > 0 ? 1 : 0;
}

/* The packed-vs-padded headline per placement x op, on stdout. */
static void fs_headlines(struct zc_bench *b, FILE *f)
{
	int printed = 0;

	for (int i = 0; i < b->res.ncases; i++) {
		const struct fs_case *a = zc_bench_priv(b, i);
		const struct zc_case *c = zc_bench_case(b, i);
		double s = zc_bench_median(b, i, M_SLOWDOWN),
		       t = zc_bench_median(b, i, M_NS_PER_OP);

		if ((a->stride != 8 && a->stride != 64) || isnan(s) || isnan(t))
			continue;
		if (!printed++)
			fprintf(f, "\nstride vs padded (128 B), same op, "
				   "threads and placement:\n");
		fprintf(f,
			"  %-14s %-6s %2d threads  %3d B: %8.2f ns/op  %6.2fx "
			"%s\n",
			zc_case_param(&b->res, c, "place"),
			op_words[a->op].name, a->threads, a->stride, t, s,
			a->threads == 1	 ? "(one thread: nothing shared)"
			: a->stride == 8 ? "(one shared line: false sharing)"
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

/* Validate the whole sweep before anything is created. */
static int fs_check(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	int npus = zc_topo_npus(&ctx->topo);
	char allowed[128];

	zc_topo_format_allowed(&ctx->topo, allowed, sizeof(allowed));
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
		for (int k = 0; opt_place.given && k < opt_place.n; k++) {
			int pc = (int)opt_place.v[k];
			if (pc <= ZC_PLACE_CROSS_PACKAGE && t != 2)
				return zc_usage(ctx,
						"--place %s places a pair of "
						"threads: use --threads 2, or "
						"compact, scatter or cpus",
						zc_place_name(pc));
			if (pc == ZC_PLACE_CPUS && !ctx->ncpus)
				return zc_usage(ctx, "--place cpus needs "
						     "--cpus LIST");
		}
		if (ctx->ncpus && ctx->ncpus < t)
			return zc_usage(ctx,
					"--cpus lists %d CPUs for %lld "
					"threads: give at least %lld",
					ctx->ncpus, t, t);
	}
	return 0;
}

static int fs_sweep(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	int npus = zc_topo_npus(&ctx->topo);

	for (int ti = 0; ti < opt_threads.n; ti++) {
		int threads =
			opt_threads.v[ti] < 0 ? npus : (int)opt_threads.v[ti];
		int pl[ZC_PLACE_COUNT],
			npl = add_places(ctx, threads, pl, ZC_PLACE_COUNT);
		for (int pi = 0; pi < npl; pi++) {
			struct zc_plan plan;
			int perr = zc_topo_plan(&ctx->topo, pl[pi], threads,
						ctx->cpus, ctx->ncpus, &plan);
			plan.place = pl[pi];
			for (int oi = 0; oi < opt_op.n; oi++)
				for (int si = 0; si < opt_stride.n; si++) {
					char sv[16], tv[16];
					const char *vals[NKEYS] = {
						op_words[opt_op.v[oi]].name,
						zc_list_item(OPT_STRIDE,
							     &opt_stride, si,
							     sv, sizeof(sv)),
						tv, zc_place_name(pl[pi])};
					struct fs_case *fc;
					int i;

					snprintf(tv, sizeof(tv), "%d", threads);
					i = zc_bench_add(b, vals, &plan, perr,
							 0);
					/* "2,all" on a 2-CPU machine: one
					 * set of cases, not two. */
					if (i == -EEXIST)
						continue;
					if (i < 0)
						return i;
					fc = zc_bench_priv(b, i);
					fc->op = (int)opt_op.v[oi];
					fc->stride = (int)opt_stride.v[si];
					fc->threads = threads;
				}
		}
	}
	return 0;
}

static const struct zc_ratio_def fs_ratios[] = {
	/* slowdown: ns/op over the median of the 128 B case with the same
	 * op, threads and placement */
	{"slowdown", "ns_per_op", "stride", "128"},
	{NULL}};

static const struct zc_bench_def fs_bench = {
	.opts = fs_opts,
	.keys = fs_keys,
	.nkeys = NKEYS,
	.metrics = fs_fixed,
	.nmetrics = M_FIXED,
	.item = "op",
	.case_size = sizeof(struct fs_case),
	.repeat = 25,
	.check = fs_check,
	.sweep = fs_sweep,
	.one = fs_one,
	.ratios = fs_ratios,
	.plots = fs_plots,
	.headlines = fs_headlines,
};

static const struct zc_headline fs_headline[] = {
	{"slowdown", "stride", "8",
	 "packed counters (8 B apart, one cache line) vs padded (128 B)"},
	{"slowdown", "stride", "64",
	 "adjacent lines (64 B apart) vs padded (128 B)"},
	{NULL}};

const struct zc_command zc_cmd_falseshare = {
	.name = "falseshare",
	.summary = "cost of sharing a cache line: packed vs padded counters",
	.what = "N pinned threads incrementing their own counters 8, 64, 128, "
		"256 B apart or in a register: ns/op, Mops/s, slowdown against "
		"128 B, per placement class",
	.why = "threads writing different variables on one cache line take "
	       "turns owning the line (false sharing); padding hot per-thread "
	       "fields to 128 B removes the cost, and 64 B may not be enough "
	       "where the prefetcher pulls line pairs",
	.flags = ZC_CMD_RESULTS,
	.headlines = fs_headline,
	.bench = &fs_bench,
};
