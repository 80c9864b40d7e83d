/* SPDX-License-Identifier: MIT */
/*
 * out_json — the json back end: zcbench's own section (schema, metrics,
 * cases with samples and summaries) beside Google Benchmark's context and
 * rows, and the one JSON dump every zcbench JSON file goes through.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "out_backends.h"

json_t *zc_json_real(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* Iteration counts are integers for Google Benchmark's readers. */
static json_t *json_count(double x)
{
	if (isfinite(x) && x == floor(x) && fabs(x) < 9007199254740992.0)
		return json_integer((json_int_t)x);
	return zc_json_real(x);
}

static const char *better_name(enum zc_better b)
{
	return b == ZC_BETTER_LOWER    ? "lower"
	       : b == ZC_BETTER_HIGHER ? "higher"
				       : "none";
}

static json_t *json_metrics(const struct zc_results *r)
{
	json_t *a = json_array();

	for (int m = 0; m < r->nmetrics; m++) {
		const struct zc_metric *mt = &r->metrics[m];
		json_array_append_new(
			a,
			json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", mt->name,
				  "unit", mt->unit ? mt->unit : "", "better",
				  better_name(mt->better), "description",
				  mt->desc ? mt->desc : "", "portable",
				  !!(mt->flags & ZC_M_PORTABLE)));
	}
	return a;
}

static json_t *json_summary(const struct zc_summary *s)
{
	static const struct {
		const char *name;
		size_t off;
	} reals[] = {
		{"median", offsetof(struct zc_summary, median)},
		{"min", offsetof(struct zc_summary, min)},
		{"max", offsetof(struct zc_summary, max)},
		{"mean", offsetof(struct zc_summary, mean)},
		{"stddev", offsetof(struct zc_summary, stddev)},
		{"cv", offsetof(struct zc_summary, cv)},
		{"ci_lo", offsetof(struct zc_summary, ci_lo)},
		{"ci_hi", offsetof(struct zc_summary, ci_hi)},
		{"lag1", offsetof(struct zc_summary, lag1)},
		{"n_eff", offsetof(struct zc_summary, n_eff)},
	};
	json_t *o = json_object();

	json_object_set_new(o, "n", json_integer(s->n));
	for (size_t i = 0; i < sizeof(reals) / sizeof(*reals); i++)
		json_object_set_new(
			o, reals[i].name,
			zc_json_real(*(const double *)((const char *)s +
						       reals[i].off)));
	json_object_set_new(o, "ci_exact", json_boolean(s->ci_exact));
	json_object_set_new(o, "outliers", json_integer(s->outliers));
	json_object_set_new(o, "noisy", json_boolean(s->noisy));
	json_object_set_new(o, "drift", json_boolean(s->drift));
	return o;
}

/* Per case: [{handoff_ns, pace_ns, samples, share, moved,
 * metrics: {m: {...}}}]. */
static json_t *json_case_regimes(const struct zc_results *r,
				 const struct zc_case *c)
{
	const struct zc_regimes *g = zc_case_regimes(r, c);
	json_t *a = json_array();
	int moved = zc_case_regime_count(c, ZC_REGIME_MOVED);

	for (int k = 0; g && k < g->n; k++) {
		int n = zc_case_regime_count(c, k);
		json_t *ms;
		if (!n)
			continue; /* before ms exists: nothing to free */
		ms = json_object();
		for (int m = 0; m < r->nmetrics; m++) {
			struct zc_summary s;
			if (zc_case_regime_summary(r, c, m, k, &s) < 0)
				continue;
			json_object_set_new(
				ms, r->metrics[m].name,
				json_pack("{s:o, s:o, s:o, s:o, s:o}", "median",
					  zc_json_real(s.median), "min",
					  zc_json_real(s.min), "max",
					  zc_json_real(s.max), "ci_lo",
					  zc_json_real(s.ci_lo), "ci_hi",
					  zc_json_real(s.ci_hi)));
		}
		json_array_append_new(
			a, json_pack("{s:i, s:o, s:o, s:i, s:o, s:i, s:o}",
				     "regime", k, "handoff_ns",
				     zc_json_real(g->median[k]), "pace_ns",
				     zc_json_real(zc_case_regime_pace(c, k)),
				     "samples", n, "share",
				     zc_json_real((double)n / c->nrep), "moved",
				     moved, "metrics", ms));
	}
	return a;
}

/* Per case: the sentinel of each repetition. */
static json_t *json_case_sentinel(const struct zc_case *c)
{
	json_t *o, *v[3], *pace[2];

	if (c->pair < 0)
		return json_pack("{s:n, s:s}", "before", "why",
				 c->sent_why[0] ? c->sent_why
						: "no sentinel for this case");
	o = json_object();
	v[0] = json_array();
	v[1] = json_array();
	v[2] = json_array();
	pace[0] = json_array();
	pace[1] = json_array();
	for (int rep = 0; rep < c->nrep; rep++) {
		json_array_append_new(v[0], zc_json_real(c->sent[rep][0]));
		json_array_append_new(v[1], zc_json_real(c->sent[rep][1]));
		json_array_append_new(pace[0], zc_json_real(c->pace[rep][0]));
		json_array_append_new(pace[1], zc_json_real(c->pace[rep][1]));
		json_array_append_new(
			v[2], c->regime[rep] >= 0 ? json_integer(c->regime[rep])
			      : c->regime[rep] == ZC_REGIME_MOVED
				      ? json_string("moved")
			      : c->regime[rep] == ZC_REGIME_SLOWED
				      ? json_string("slowed")
				      : json_null());
	}
	json_object_set_new(o, "before", v[0]);
	json_object_set_new(o, "after", v[1]);
	json_object_set_new(o, "regime", v[2]);
	json_object_set_new(o, "pace_before", pace[0]);
	json_object_set_new(o, "pace_after", pace[1]);
	return o;
}

/* The run: per CPU pair, its regimes. */
static json_t *json_pairs(const struct zc_results *r)
{
	json_t *a = json_array();

	for (int p = 0; p < r->npairs; p++) {
		const struct zc_pair *pr = &r->pairs[p];
		json_t *rs = json_array();
		for (int k = 0; k < pr->reg.n; k++)
			json_array_append_new(
				rs,
				json_pack(
					"{s:i, s:o, s:o, s:o, s:i, s:o, s:b}",
					"regime", k, "handoff_ns",
					zc_json_real(pr->reg.median[k]), "lo",
					zc_json_real(pr->reg.lo[k]), "hi",
					zc_json_real(pr->reg.hi[k]), "values",
					pr->reg.count[k], "share",
					zc_json_real((double)pr->reg.count[k] /
						     pr->reg.total),
					"drifting", pr->reg.drifting[k]));
		json_array_append_new(
			a, json_pack("{s:[i,i], s:o, s:i, s:i, s:i, s:o, s:o}",
				     "cpus", pr->a, pr->b, "regimes", rs,
				     "samples", pr->samples, "moved", pr->moved,
				     "slowed", pr->slowed, "pace_floor_ns",
				     zc_json_real(pr->pace_floor),
				     "pace_slowed_above",
				     zc_json_real(pr->pace_bound)));
	}
	return a;
}

static json_t *json_case(const struct zc_results *r, const struct zc_case *c)
{
	json_t *o = json_object(), *params = json_object(), *it = json_array();
	json_t *absent = json_object(), *sum = json_object();
	json_t *samples = json_object();

	for (int k = 0; k < r->nkeys; k++)
		json_object_set_new(params, r->keys[k],
				    json_string(c->param[k]));
	for (int rep = 0; rep < c->nrep; rep++)
		json_array_append_new(it, json_count(c->iterations[rep]));
	for (int m = 0; m < r->nmetrics; m++) {
		const char *name = r->metrics[m].name;
		struct zc_summary s;
		json_t *vals;

		if (c->absent[m][0])
			json_object_set_new(absent, name,
					    json_string(c->absent[m]));
		if (c->nrep == 0)
			continue;
		if (zc_case_summary(r, c, m, &s) == 0)
			json_object_set_new(sum, name, json_summary(&s));
		vals = json_array();
		for (int rep = 0; rep < c->nrep; rep++)
			json_array_append_new(
				vals, zc_json_real(zc_case_get(r, c, rep, m)));
		json_object_set_new(samples, name, vals);
	}
	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "params", params);
	json_object_set_new(o, "threads", json_integer(c->threads));
	json_object_set_new(o, "status",
			    json_string(zc_out_status_name(c->status)));
	json_object_set_new(o, "reason", json_string(c->reason));
	json_object_set_new(o, "cpus", json_string(c->cpus));
	json_object_set_new(o, "label", json_string(c->label));
	json_object_set_new(o, "repetitions", json_integer(c->nrep));
	json_object_set_new(o, "iterations", it);
	json_object_set_new(o, "absent", absent);
	json_object_set_new(o, "summary", sum);
	json_object_set_new(o, "samples", samples);
	if (c->nrep) {
		json_object_set_new(o, "sentinel", json_case_sentinel(c));
		json_object_set_new(o, "regimes", json_case_regimes(r, c));
	}
	return o;
}

/* What one Google Benchmark row reports: per repetition or an aggregate. */
enum gb_agg {
	GB_REP,
	GB_MEDIAN,
	GB_MEAN,
	GB_STDDEV,
	GB_CV,
	GB_MIN,
	GB_MAX
};
static const char *const gb_agg_name[] = {
	[GB_MEDIAN] = "median", [GB_MEAN] = "mean", [GB_STDDEV] = "stddev",
	[GB_CV] = "cv",		[GB_MIN] = "min",   [GB_MAX] = "max",
};

/* Metric m in one row; `scaled` applies gb_scale (0 means 1), except to
 * the cv, a ratio. */
static double gb_value(const struct zc_results *r, const struct zc_case *c,
		       int m, enum gb_agg agg, int rep, int scaled)
{
	struct zc_summary s;
	double scale = r->metrics[m].gb_scale, v;

	if (!scaled || scale == 0)
		scale = 1;
	if (agg == GB_REP)
		return zc_case_get(r, c, rep, m) * scale;
	if (zc_case_summary(r, c, m, &s) < 0)
		return NAN;
	switch (agg) {
	case GB_MEDIAN:
		v = s.median;
		break;
	case GB_MEAN:
		v = s.mean;
		break;
	case GB_STDDEV:
		v = s.stddev;
		break;
	case GB_CV:
		return s.cv;
	case GB_MIN:
		v = s.min;
		break;
	case GB_MAX:
		v = s.max;
		break;
	default:
		return NAN;
	}
	return v * scale;
}

static json_t *gb_row(const struct zc_results *r, const struct zc_case *c,
		      enum gb_agg agg, int rep)
{
	json_t *o = json_object();
	double real = NAN, cpu = NAN;
	int have_real = 0, have_cpu = 0;

	if (agg == GB_REP) {
		json_object_set_new(o, "name", json_string(c->name));
		json_object_set_new(o, "run_name", json_string(c->name));
		json_object_set_new(o, "run_type", json_string("iteration"));
		json_object_set_new(o, "repetitions", json_integer(c->nrep));
		json_object_set_new(o, "repetition_index", json_integer(rep));
		json_object_set_new(o, "threads", json_integer(c->threads));
		json_object_set_new(o, "iterations",
				    json_count(c->iterations[rep]));
	} else {
		char name[300];
		snprintf(name, sizeof(name), "%s_%s", c->name,
			 gb_agg_name[agg]);
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "run_name", json_string(c->name));
		json_object_set_new(o, "run_type", json_string("aggregate"));
		json_object_set_new(o, "repetitions", json_integer(c->nrep));
		json_object_set_new(o, "threads", json_integer(c->threads));
		json_object_set_new(o, "aggregate_name",
				    json_string(gb_agg_name[agg]));
		json_object_set_new(
			o, "aggregate_unit",
			json_string(agg == GB_CV ? "percentage" : "time"));
		json_object_set_new(o, "iterations", json_integer(c->nrep));
	}
	for (int m = 0; m < r->nmetrics; m++) {
		const struct zc_metric *mt = &r->metrics[m];
		if (mt->gb == ZC_GB_REAL_TIME && !have_real)
			real = gb_value(r, c, m, agg, rep, 1), have_real = 1;
		if (mt->gb == ZC_GB_CPU_TIME && !have_cpu)
			cpu = gb_value(r, c, m, agg, rep, 1), have_cpu = 1;
	}
	json_object_set_new(o, "real_time", zc_json_real(real));
	json_object_set_new(o, "cpu_time", zc_json_real(have_cpu ? cpu : real));
	json_object_set_new(o, "time_unit", json_string("ns"));
	if (c->label[0])
		json_object_set_new(o, "label", json_string(c->label));
	for (int m = 0; m < r->nmetrics; m++) {
		const struct zc_metric *mt = &r->metrics[m];
		const char *gb =
			mt->gb == ZC_GB_ITEMS_PER_SECOND   ? "items_per_second"
			: mt->gb == ZC_GB_BYTES_PER_SECOND ? "bytes_per_second"
							   : NULL;
		json_object_set_new(
			o, mt->name,
			zc_json_real(gb_value(r, c, m, agg, rep, 0)));
		if (gb)
			json_object_set_new(
				o, gb,
				zc_json_real(gb_value(r, c, m, agg, rep, 1)));
	}
	return o;
}

static json_t *json_context(const struct zc_results *r)
{
	json_t *ctx = r->context && json_is_object(r->context)
			      ? json_copy(r->context)
			      : json_pack("{s:s, s:s}", "executable", "zcbench",
					  "library_version", ZC_VERSION);
	json_t *caches = json_object_get(ctx, "caches");

	/* Bencher rejects a context without a caches array. */
	if (!json_is_array(caches))
		json_object_set_new(ctx, "caches", json_array());
	return ctx;
}

static json_t *json_results(const struct zc_results *r)
{
	json_t *root = json_object(), *zc = json_object(),
	       *params = json_array();
	json_t *cases = json_array(), *bench = json_array();

	for (int k = 0; k < r->nkeys; k++)
		json_array_append_new(params, json_string(r->keys[k]));
	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		json_array_append_new(cases, json_case(r, c));
		if (c->status != ZC_CASE_OK || c->nrep == 0)
			continue;
		for (int rep = 0; rep < c->nrep; rep++)
			json_array_append_new(bench, gb_row(r, c, GB_REP, rep));
		for (int agg = GB_MEDIAN; agg <= GB_MAX; agg++)
			json_array_append_new(bench, gb_row(r, c, agg, 0));
	}
	json_object_set_new(zc, "schema_version", json_integer(ZC_OUT_SCHEMA));
	json_object_set_new(zc, "command", json_string(r->cmd));
	json_object_set_new(zc, "interrupted", json_boolean(r->interrupted));
	json_object_set_new(zc, "metrics", json_metrics(r));
	json_object_set_new(zc, "params", params);
	json_object_set_new(zc, "options",
			    r->options ? json_incref(r->options)
				       : json_object());
	json_object_set_new(zc, "cases", cases);
	json_object_set_new(zc, "regimes", json_pairs(r));
	json_object_set_new(root, "context", json_context(r));
	json_object_set_new(root, "zcbench", zc);
	json_object_set_new(root, "benchmarks", bench);
	return root;
}

#define ZC_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

int zc_out_json_dump(FILE *f, const json_t *v)
{
	if (json_dumpf(v, f, ZC_JSON_FLAGS) < 0 || fputc('\n', f) == EOF)
		return errno ? -errno : -EIO;
	return zc_out_stream_status(f);
}

int zc_out_json_write(FILE *f, const struct zc_results *r)
{
	json_t *root;
	int err;

	/* jansson reports allocation failure only as a NULL somewhere in the
	 * tree, which set_new silently drops; a missing key is the result. */
	root = json_results(r);
	if (!root)
		return -ENOMEM;
	err = zc_out_json_dump(f, root);
	json_decref(root);
	return err;
}
