/* SPDX-License-Identifier: MIT */
/*
 * The one driver every benchmark command runs through (builtin.h):
 * parse, check, sweep, dry-run plan or can-run, begin, setup, interleaved
 * repetitions group by group, teardown, ratios, files, plots, headlines.
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "sentinel.h"

/* One CPU pair's sentinel (or why there is none). */
struct zc_bench_sentinel {
	int a, b;
	struct zc_sentinel *s;
	char why[ZC_WHY_LEN];
};

/* ---- cases ------------------------------------------------------------- */

/* The case names seen, in an open-addressing table twice the largest
 * sweep: the check stays linear where a search of every earlier case made
 * a 10,000-case plan take seconds. */
#define NAME_SLOTS 32768u
static_assert(NAME_SLOTS >= 2 * ZC_BENCH_MAX_CASES, "room for every case");

static unsigned name_hash(const char *s)
{
	unsigned h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of `name`: where its case is, or the free one it would take. */
static int *name_slot(struct zc_bench *b, const char *name)
{
	unsigned h = name_hash(name) & (NAME_SLOTS - 1);

	while (b->names[h] && strcmp(b->res.cases[b->names[h] - 1].name, name))
		h = (h + 1) & (NAME_SLOTS - 1);
	return &b->names[h];
}

int zc_bench_add(struct zc_bench *b, const char *const *vals,
		 const struct zc_plan *plan, int perr, int group)
{
	const struct zc_bench_def *d = b->d;
	struct zc_case *c;
	struct zc_bcase *bc;
	char name[256];
	size_t off;
	int i, *slot;

	/* The name the case would get: a parameter the variant ignores
	 * ("-") gives one case, not copies. */
	off = (size_t)snprintf(name, sizeof(name), "%s", b->res.cmd);
	for (int k = 0; k < d->nkeys && off < sizeof(name); k++)
		off += (size_t)snprintf(name + off, sizeof(name) - off,
					"/%s:%s", d->keys[k],
					vals[k] ? vals[k] : "");
	if (!b->names && !(b->names = calloc(NAME_SLOTS, sizeof(int))))
		return -ENOMEM;
	slot = name_slot(b, name);
	if (*slot)
		return -EEXIST;
	if (b->res.ncases == ZC_BENCH_MAX_CASES)
		return -E2BIG;
	if (b->res.ncases == b->cap) {
		int cap = b->cap ? 2 * b->cap : 32;
		void *nb = realloc(b->bc, (size_t)cap * sizeof(*b->bc));
		if (!nb)
			return -ENOMEM;
		b->bc = nb;
		nb = realloc(b->priv,
			     (size_t)cap * (d->case_size ? d->case_size : 1));
		if (!nb)
			return -ENOMEM;
		b->priv = nb;
		b->cap = cap;
	}
	c = zc_results_add(&b->res, vals);
	if (!c)
		return -ENOMEM;
	i = b->res.ncases - 1;
	*slot = i + 1;
	bc = &b->bc[i];
	memset(bc, 0, sizeof(*bc));
	memset(zc_bench_priv(b, i), 0, d->case_size);
	bc->group = group;
	bc->node = -1;
	if (plan) {
		bc->place = plan->place;
		c->threads = plan->nthreads;
		if (!perr) {
			bc->cpu = malloc((size_t)plan->nthreads * sizeof(int));
			if (!bc->cpu)
				return -ENOMEM;
			memcpy(bc->cpu, plan->cpu,
			       (size_t)plan->nthreads * sizeof(int));
			bc->ncpu = plan->nthreads;
			bc->node = plan->node;
		} else {
			zc_case_skip(c, "%s", plan->why);
		}
	}
	return i;
}

void zc_bench_plan(const struct zc_bench *b, int i, struct zc_plan *p)
{
	const struct zc_bcase *bc = &b->bc[i];

	p->place = bc->place;
	p->nthreads = bc->ncpu;
	p->node = bc->node;
	p->why[0] = 0;
	memcpy(p->cpu, bc->cpu, (size_t)bc->ncpu * sizeof(int));
}

int zc_bench_metric(const struct zc_bench *b, const char *name)
{
	return zc_results_metric(&b->res, name);
}

double zc_bench_median(const struct zc_bench *b, int i, int m)
{
	if (i < 0 || i >= b->res.ncases || b->res.cases[i].status != ZC_CASE_OK)
		return NAN;
	return zc_case_median(&b->res, &b->res.cases[i], m);
}

int zc_bench_find(const struct zc_bench *b, ...)
{
	va_list ap;
	int i;

	va_start(ap, b);
	i = zc_results_vfind(&b->res, 1, ap);
	va_end(ap);
	return i;
}

void zc_bench_taint(struct zc_bench *b, int i)
{
	if (!b->tainted)
		b->tainted = i + 1;
}

/* ---- counters ---------------------------------------------------------- */

static int nsides(const struct zc_bench_def *d)
{
	return d->nsides ? d->nsides : 1;
}

static void ev_name(const char *ev, char *buf, size_t len)
{
	size_t k = 0;

	for (const char *p = ev; *p && k + 1 < len; p++)
		buf[k++] =
			(*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a')
			: ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
				? *p
				: '_';
	buf[k] = 0;
}

/* Metric m's name is an earlier metric's ("task-clock,TASK_CLOCK" both
 * make task_clock_per_op: one value would overwrite the other). */
static int name_taken(const struct zc_bench *b, int m)
{
	for (int k = 0; k < m; k++)
		if (!strcmp(b->metrics[k].name, b->metrics[m].name))
			return 1;
	return 0;
}

/* Fixed metrics, then one per side and event: "<side>_<event>_per_<item>".
 * The total, -E2BIG, -ENOMEM, or -EEXIST with *dup the event whose
 * metric another event or a fixed metric already names. */
static int build_metrics(struct zc_bench *b, int *dup)
{
	const struct zc_bench_def *d = b->d;
	const struct zc_evset *ev = &b->ctx->events;
	int ns = nsides(d), n = d->nmetrics, total = n + ns * ev->n;
	const char *item = d->item ? d->item : "op";

	if (total > ZC_MAX_METRICS)
		return -E2BIG;
	b->metrics = calloc((size_t)total, sizeof(*b->metrics));
	b->mname = calloc(3 * (size_t)total + 1, sizeof(*b->mname));
	if (!b->metrics || !b->mname)
		return -ENOMEM;
	memcpy(b->metrics, d->metrics, (size_t)n * sizeof(*b->metrics));
	for (int s = 0; s < ns; s++)
		for (int e = 0; e < ev->n; e++) {
			char en[ZC_EV_NAME], *name = b->mname[3 * n],
					     *unit = b->mname[3 * n + 1],
					     *desc = b->mname[3 * n + 2];
			const struct zc_side *sd =
				d->nsides ? &d->sides[s] : NULL;
			ev_name(ev->ev[e].name, en, sizeof(en));
			snprintf(name, 96, "%s%s%s_per_%s", sd ? sd->key : "",
				 sd ? "_" : "", en, item);
			snprintf(unit, 96, "%s/%s",
				 strstr(ev->ev[e].name, "clock") ? "ns"
								 : "events",
				 item);
			snprintf(desc, 96, "perf %s per %s, %s", ev->ev[e].name,
				 item, sd ? sd->name : "all threads");
			b->metrics[n] = (struct zc_metric){
				name,	    unit, ZC_BETTER_NONE, desc, 0,
				ZC_GB_NONE, 1};
			if (name_taken(b, n)) {
				*dup = e;
				return -EEXIST;
			}
			b->ev_metric[s][e] = n++;
		}
	return total;
}

void zc_bench_count(struct zc_bench *b, int i, int rep, int side,
		    const struct zc_counts *c, double items)
{
	struct zc_case *zc = &b->res.cases[i];

	for (int e = 0; e < b->ctx->events.n && e < c->n; e++) {
		int m = b->ev_metric[side][e];
		if (c->status[e] != ZC_EV_OK)
			zc_case_absent(&b->res, zc, m, c->why[e]);
		else if (rep >= 0)
			zc_case_set(&b->res, zc, rep, m,
				    items > 0 ? c->value[e] / items : NAN);
	}
}

void zc_bench_count_absent(struct zc_bench *b, int i, int side, const char *why)
{
	for (int e = 0; e < b->ctx->events.n; e++)
		zc_case_absent(&b->res, &b->res.cases[i], b->ev_metric[side][e],
			       why);
}

/* A counter metric that no repetition recorded and no code explained. */
static void counters_unexplained(struct zc_bench *b)
{
	for (int i = 0; i < b->res.ncases; i++) {
		struct zc_case *c = &b->res.cases[i];
		if (c->status != ZC_CASE_OK)
			continue;
		for (int m = b->d->nmetrics; m < b->res.nmetrics; m++) {
			int have = 0;
			for (int r = 0; r < c->nrep && !have; r++)
				have = !isnan(zc_case_get(&b->res, c, r, m));
			if (!have && !c->absent[m][0])
				zc_case_absent(&b->res, c, m,
					       "not counted by this case");
		}
	}
}

/* ---- the plan ---------------------------------------------------------- */

static double estimate(struct zc_bench *b, int i)
{
	if (b->d->estimate)
		return b->d->estimate(b, i);
	return b->seconds + 0.01;
}

static void dry_run(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	int w = 0, nrun = 0, warm = !(ctx->quick && b->d->no_quick_warmup);
	double total = 0;
	char allowed[128];

	zc_topo_format_allowed(&ctx->topo, allowed, sizeof(allowed));
	printf("%s plan on %s (allowed CPUs %s)\n", b->res.cmd,
	       ctx->topo.source, allowed);
	if (b->d->plan_head)
		b->d->plan_head(b);
	for (int i = 0; i < b->res.ncases; i++) {
		int l = (int)strlen(b->res.cases[i].name);
		w = l > w ? l : w;
	}
	for (int i = 0; i < b->res.ncases; i++) {
		const struct zc_case *c = &b->res.cases[i];
		const struct zc_bcase *bc = &b->bc[i];
		char cpus[128] = "", note[160] = "", loc[320] = "";
		size_t o = 0;

		if (c->status != ZC_CASE_OK) {
			printf("  %-*s  skipped: %s\n", w, c->name, c->reason);
			continue;
		}
		if (b->d->plan_note)
			b->d->plan_note(b, i, note, sizeof(note));
		if (bc->ncpu) {
			zc_topo_format_cpus(bc->cpu, bc->ncpu, cpus,
					    sizeof(cpus));
			o += (size_t)snprintf(loc, sizeof(loc), "cpus %s",
					      cpus);
			if (bc->node >= 0)
				o += (size_t)snprintf(loc + o, sizeof(loc) - o,
						      ", node %d", bc->node);
		}
		if (note[0] && o < sizeof(loc))
			snprintf(loc + o, sizeof(loc) - o, "%s%s",
				 o ? ", " : "", note);
		printf("  %-*s  %s\n", w, c->name, loc);
		total += estimate(b, i) * (ctx->reps + warm);
		nrun++;
	}
	printf("%d cases to run, %d skipped; %d repetitions%s each: about "
	       "%.0f s\n",
	       nrun, b->res.ncases - nrun, ctx->reps,
	       warm ? " + 1 warm-up" : "", total);
}

/* ---- the sentinel --------------------------------------------------------- */

/* The sentinel for case i's first two CPUs, opened on first use; NULL with
 * the reason in the case when there is none. */
static struct zc_sentinel *sentinel_of(struct zc_bench *b, int i)
{
	const struct zc_bcase *bc = &b->bc[i];
	struct zc_case *c = &b->res.cases[i];
	struct zc_bench_sentinel *bs;
	int a, z;

	if (!b->ctx->sentinel) {
		snprintf(c->sent_why, sizeof(c->sent_why), "--sentinel off");
		return NULL;
	}
	if (bc->ncpu < 2 || bc->cpu[0] == bc->cpu[1]) {
		snprintf(c->sent_why, sizeof(c->sent_why),
			 "the case runs on one CPU: no hand-off to measure");
		return NULL;
	}
	a = bc->cpu[0] < bc->cpu[1] ? bc->cpu[0] : bc->cpu[1];
	z = bc->cpu[0] < bc->cpu[1] ? bc->cpu[1] : bc->cpu[0];
	for (int k = 0; k < b->nsent; k++)
		if (b->sent[k].a == a && b->sent[k].b == z) {
			bs = &b->sent[k];
			goto found;
		}
	if (b->nsent == ZC_MAX_PAIRS) {
		snprintf(c->sent_why, sizeof(c->sent_why),
			 "more than %d CPU pairs in one run", ZC_MAX_PAIRS);
		return NULL;
	}
	bs = &b->sent[b->nsent++];
	memset(bs, 0, sizeof(*bs));
	bs->a = a;
	bs->b = z;
	zc_sentinel_open(&bs->s, &b->ctx->topo, a, z, bs->why, sizeof(bs->why));
found:
	if (!bs->s)
		snprintf(c->sent_why, sizeof(c->sent_why), "%s", bs->why);
	return bs->s;
}

static double sentinel_take(struct zc_bench *b, struct zc_sentinel *s)
{
	double v, cost;

	if (zc_sentinel_measure(s, &v, &cost) < 0)
		b->sent_failed++;
	b->sent_cost_ns += cost;
	b->sent_count++;
	return v;
}

static void sentinels_close(struct zc_bench *b)
{
	for (int k = 0; k < b->nsent; k++)
		zc_sentinel_close(b->sent[k].s);
	b->nsent = 0;
}

/* meta.json "sentinel": on or off, what it costs. */
static void sentinel_meta(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	json_t *o;

	if (!ctx->sentinel)
		o = json_pack(
			"{s:s, s:s}", "state", "off", "why",
			"--sentinel off: no regimes, figures as measured");
	else if (b->d->own_sentinel)
		o = json_pack("{s:s, s:s}", "state", "own", "method",
			      "every repetition is a hand-off: its own figure "
			      "is its sentinel");
	else
		o = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:f, s:f, s:f}",
			      "state", "on", "method",
			      "store/load ping-pong, median of batches",
			      "round_trips", ZC_SENTINEL_ROUNDS, "batches",
			      ZC_SENTINEL_BATCHES, "measurements",
			      b->sent_count, "failed", b->sent_failed, "cost_s",
			      b->sent_cost_ns / 1e9, "run_s", b->drive_ns / 1e9,
			      "cost_share",
			      b->drive_ns > 0 ? b->sent_cost_ns / b->drive_ns
					      : 0.0);
	if (o && ctx->sentinel && !b->d->own_sentinel && !b->sent_count &&
	    !b->sent_failed)
		/* absent with its reason, never a hand-off of 0 */
		json_object_set_new(
			o, "why",
			json_string("no case ran on two or more "
				    "CPUs: no hand-off to measure"));
	json_decref(ctx->sentinel_meta);
	ctx->sentinel_meta = o;
}

/* ---- driving ----------------------------------------------------------- */

static int drive_skip(void *v, int k)
{
	struct zc_bench *b = v;
	int i = b->group_idx[k];
	return b->tainted || b->fatal[0] ||
	       b->res.cases[i].status != ZC_CASE_OK;
}

static int drive_one(void *v, int k, int rep)
{
	struct zc_bench *b = v;
	int i = b->group_idx[k], err;
	struct zc_case *c = &b->res.cases[i];
	struct zc_sentinel *s =
		rep >= 0 && !b->d->own_sentinel ? sentinel_of(b, i) : NULL;
	double before = NAN, pace = NAN, at = zc_unix_s();
	int prev = b->last_case;

	/* Right before and right after the repetition, on its CPUs. */
	if (s) {
		before = sentinel_take(b, s);
		pace = zc_sentinel_pace(s);
	}
	err = b->d->one(b, i, rep);
	b->last_case = i;
	if (err == -ETIMEDOUT)
		zc_bench_taint(b, i);
	if (s && !err && c->status == ZC_CASE_OK && c->nrep > rep) {
		int a, z;
		zc_sentinel_cpus(s, &a, &z);
		zc_case_sentinel(&b->res, c, rep, before, sentinel_take(b, s),
				 at, a, z);
		c->pace[rep][0] = pace;
		c->pace[rep][1] = zc_sentinel_pace(s);
		c->prev[rep] = prev;
	}
	return err;
}

static int drive(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	int n = b->res.ncases, *idx, *seen;
	int warm = !(ctx->quick && b->d->no_quick_warmup);

	idx = calloc((size_t)n + 1, sizeof(*idx));
	seen = calloc((size_t)n + 1, sizeof(*seen));
	b->sent = calloc(ZC_MAX_PAIRS, sizeof(*b->sent));
	if (!idx || !seen || !b->sent) {
		free(idx);
		free(seen);
		return -ENOMEM;
	}
	b->drive_t0 = zc_now_ns();
	b->group_idx = idx;
	b->last_case = -1;
	for (int first = 0;
	     first < n && !zc_stopped() && !b->fatal[0] && !b->tainted;
	     first++) {
		int g = b->bc[first].group, cnt = 0, err = 0;
		if (seen[first])
			continue;
		for (int i = first; i < n; i++)
			if (!seen[i] && b->bc[i].group == g) {
				seen[i] = 1;
				idx[cnt++] = i;
			}
		b->group_first = first;
		b->group_n = cnt;
		if (b->d->group_begin)
			err = b->d->group_begin(b, g);
		if (!err)
			zc_bench_drive_shuffled(b->res.cmd, cnt, ctx->reps,
						warm, drive_one, drive_skip, b,
						b->drive_t0 | 1);
		if (b->d->group_end)
			b->d->group_end(b, g);
	}
	b->drive_ns = (double)(zc_now_ns() - b->drive_t0);
	sentinels_close(b);
	sentinel_meta(b);
	free(idx);
	free(seen);
	b->group_idx = NULL;
	return zc_results_regimes(&b->res);
}

/* Cases that never ran say why. */
static void mark_not_run(struct zc_bench *b)
{
	char why[ZC_WHY_LEN];

	if (b->tainted)
		snprintf(why, sizeof(why), "not run: %s timed out",
			 b->res.cases[b->tainted - 1].name);
	else if (b->fatal[0])
		snprintf(why, sizeof(why), "not run: the run stopped early");
	else if (zc_stopped())
		snprintf(why, sizeof(why), "not run: interrupted");
	else
		return;
	for (int i = 0; i < b->res.ncases; i++) {
		struct zc_case *c = &b->res.cases[i];
		if (c->status == ZC_CASE_OK && c->nrep == 0)
			zc_case_skip(c, "%s", why);
	}
}

static void ratios(struct zc_bench *b)
{
	for (const struct zc_ratio_def *r = b->d->ratios; r && r->dst; r++)
		zc_results_ratio(&b->res, zc_bench_metric(b, r->src),
				 zc_bench_metric(b, r->dst), r->key, r->base,
				 r->ignore, r->invert);
}

/* The `seconds` option, when the command has one. */
static double seconds_opt(const struct zc_opt *o)
{
	for (; o && o->name; o++)
		if (!strcmp(o->name, "seconds") && o->type == ZC_OPT_TDOUBLE)
			return *(double *)o->dest;
	return 0;
}

static void release(struct zc_bench *b)
{
	for (int i = 0; i < b->res.ncases; i++)
		free(b->bc[i].cpu);
	zc_results_release(&b->res);
	free(b->bc);
	free(b->priv);
	free(b->names);
	free(b->metrics);
	free(b->mname);
	free(b->sent);
	free(b->st);
	free(b);
}

int zc_bench_main(const struct zc_command *cmd, int argc, char **argv,
		  struct zc_ctx *ctx)
{
	const struct zc_bench_def *d = cmd->bench;
	struct zc_plot plots[8];
	struct zc_bench *b;
	int rc, nm, np = 0, set_up = 0;

	if (d->init)
		d->init();
	rc = zc_cmd_parse(ctx, d->opts, argc, argv);
	if (rc)
		return rc;
	if (!ctx->repeat && d->repeat) {
		ctx->reps = d->repeat;
		if (ctx->options)
			json_object_set_new(ctx->options, "repeat",
					    json_sprintf("%d", d->repeat));
	}
	b = calloc(1, sizeof(*b));
	if (!b || !(b->st = calloc(1, d->state_size ? d->state_size : 1))) {
		free(b);
		return zc_error(ctx, "out of memory");
	}
	b->cmd = cmd;
	b->d = d;
	b->ctx = ctx;
	b->seconds = seconds_opt(d->opts);
	if (b->seconds > 0 && ctx->timeout_s <= b->seconds) {
		rc = zc_usage(ctx,
			      "--timeout %g s must be longer than the "
			      "measured --seconds %g",
			      ctx->timeout_s, b->seconds);
		goto out;
	}
	if (d->check && (rc = d->check(b)) != 0)
		goto out;
	nm = build_metrics(b, &np);
	if (nm == -E2BIG) {
		rc = zc_usage(ctx, "--events: too many events for %d sides",
			      nsides(d));
		goto out;
	}
	if (nm == -EEXIST) {
		rc = zc_usage(ctx,
			      "--events: repeated value '%s': its metric is "
			      "named by another event or a metric of %s (name "
			      "each event once)",
			      ctx->events.ev[np].name, cmd->name);
		np = 0;
		goto out;
	}
	if (nm < 0 || zc_results_init(&b->res, cmd->name, d->keys, d->nkeys,
				      b->metrics, nm, ctx->reps) < 0) {
		rc = zc_error(ctx, "out of memory");
		goto out;
	}
	rc = d->sweep(b);
	if (rc == -ENOMEM) {
		rc = zc_error(ctx, "out of memory");
		goto out;
	}
	if (rc == -E2BIG) {
		rc = zc_usage(ctx,
			      "the sweep has more than %d cases: give fewer "
			      "values (the lists multiply)",
			      ZC_BENCH_MAX_CASES);
		goto out;
	}
	if (rc)
		goto out;
	if (ctx->dry_run) {
		dry_run(b);
		goto out;
	}
	rc = zc_cmd_can_run(ctx, &b->res);
	if (!rc)
		rc = zc_cmd_begin(ctx);
	if (!rc && d->setup) {
		set_up = 1;
		rc = d->setup(b);
	}
	if (!rc && drive(b) < 0)
		rc = zc_error(ctx, "out of memory");
	if (set_up && d->teardown)
		d->teardown(b);
	if (rc)
		goto out;
	if (b->tainted)
		zc_error(ctx,
			 "%s did not finish within --timeout %.0f s: its "
			 "threads still run, so the rest was skipped",
			 b->res.cases[b->tainted - 1].name, ctx->timeout_s);
	if (b->fatal[0])
		zc_error(ctx, "%s", b->fatal);
	mark_not_run(b);
	ratios(b);
	if (d->derive)
		d->derive(b);
	counters_unexplained(b);
	if (d->plots)
		np = d->plots(b, plots,
			      (int)(sizeof(plots) / sizeof(plots[0])));
	rc = zc_cmd_finish(ctx, &b->res, plots, np);
	if (ctx->format == ZC_FMT_TEXT && !ctx->quiet && d->headlines)
		d->headlines(b, stdout);
	if (d->files && ctx->dir[0]) {
		int err = d->files(b);
		if (err < 0) {
			zc_error(ctx, "cannot write files in '%s': %s",
				 ctx->dir, strerror(-err));
			rc = rc ? rc : ZC_EXIT_FAIL;
		}
	}
	if (b->fatal[0] && rc == ZC_EXIT_OK)
		rc = ZC_EXIT_FAIL;
	if (b->tainted) {
		fflush(NULL);
		_exit(ZC_EXIT_FAIL); /* the stuck threads must not run on */
	}
out:
	release(b);
	return rc;
}
