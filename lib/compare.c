/* SPDX-License-Identifier: MIT */
/*
 * compare — the regression comparison of two results sets: rank test and
 * threshold per case and metric, the Markdown summary and the JSON
 * reference (see compare.h).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "compare_int.h"
#include "rset_int.h"
#include "stats.h"

/* ---- comparison -----------------------------------------------------------
 */

static const char *const status_names[ZC_CMP_NSTATUS] = {
	[ZC_CMP_REGRESSED] = "regressed",
	[ZC_CMP_FAILED] = "failed",
	[ZC_CMP_IMPROVED] = "improved",
	[ZC_CMP_INCONCLUSIVE] = "inconclusive",
	[ZC_CMP_NOT_COMPARABLE] = "not comparable",
	[ZC_CMP_MISSING] = "missing",
	[ZC_CMP_NEW] = "new",
	[ZC_CMP_UNCHANGED] = "unchanged",
};

const char *zc_cmp_status_name(enum zc_cmp_status st)
{
	return st < ZC_CMP_NSTATUS ? status_names[st] : "?";
}

double zc_cmp_min_p(int na, int nb)
{
	double c = 1, n = na + nb, z;

	if (na <= 0 || nb <= 0)
		return 1;
	if (na <= 8 && nb <= 8) {
		/* The most extreme U has one arrangement on each side. */
		for (int k = 1; k <= na; k++)
			c = c * (nb + k) / k;
		return fmin(1, 2 / c);
	}
	/* Normal approximation with continuity correction, as stats.c. */
	z = ((double)na * nb / 2 - 0.5) / sqrt((double)na * nb * (n + 1) / 12);
	return erfc(z / M_SQRT2);
}

struct zc_cmp_row *zc_cmp_add_row(struct zc_cmp *c, const char *cs,
				  const char *metric, enum zc_cmp_status st)
{
	struct zc_cmp_row *r;

	if (c->nrows == c->cap) {
		int cap = c->cap ? c->cap * 2 : 64;
		void *p = realloc(c->rows, (size_t)cap * sizeof(*c->rows));
		if (!p)
			return NULL;
		c->rows = p;
		c->cap = cap;
	}
	r = &c->rows[c->nrows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->cs, sizeof(r->cs), "%s", cs);
	snprintf(r->metric, sizeof(r->metric), "%s", metric);
	r->status = st;
	r->base = r->new_ = r->change = r->p = NAN;
	r->lo = r->hi = r->detectable = NAN;
	c->count[st]++;
	return r;
}

double zc_cmp_median(const double *x, int n)
{
	struct zc_summary s;
	return zc_stats_summary(x, (size_t)n, &s) == 0 ? s.median : NAN;
}

/* Repetitions per side from which the test can reach p < alpha. */
static int reps_needed(double alpha)
{
	for (int n = 2; n < ZC_MAX_REP; n++)
		if (zc_cmp_min_p(n, n) < alpha)
			return n;
	return ZC_MAX_REP;
}

/* One row: samples xb (BASE) against xn (NEW) of metric mdecl. */
static int compare_samples(struct zc_cmp *c, const char *cs, json_t *cb,
			   json_t *cn, json_t *mdecl, const double *xb, int nb,
			   const double *xn, int nn, const char *regime)
{
	const char *name = zc_res_str(mdecl, "name");
	enum zc_better better = zc_res_better(zc_res_str(mdecl, "better"));
	int portable = json_is_true(json_object_get(mdecl, "portable"));
	struct zc_cmp_row *r;
	enum zc_cmp_status st;
	double mb, mn, change, p = NAN;
	const char *absent;

	if (nb == 0 && nn == 0)
		return 0; /* absent on both sides (counters this VM lacks) */
	if (nb == 0 || nn == 0) {
		r = zc_cmp_add_row(c, cs, name,
				   nb ? ZC_CMP_MISSING : ZC_CMP_NEW);
		if (!r)
			return -ENOMEM;
		absent = zc_res_str(json_object_get(nb ? cn : cb, "absent"),
				    name);
		snprintf(r->note, sizeof(r->note), "no values in %s%s%s",
			 nb ? "NEW" : "BASE", *absent ? ": " : "", absent);
		r->base = nb ? zc_cmp_median(xb, nb) : NAN;
		r->new_ = nn ? zc_cmp_median(xn, nn) : NAN;
		r->nb = nb;
		r->nn = nn;
		goto decl;
	}
	mb = zc_cmp_median(xb, nb);
	mn = zc_cmp_median(xn, nn);
	if (mb != 0)
		change = (mn - mb) / fabs(mb);
	else
		change = mn == 0 ? 0 : copysign(INFINITY, mn);
	if (zc_cmp_min_p(nb, nn) >= c->o.alpha) {
		st = ZC_CMP_INCONCLUSIVE;
	} else {
		int worse = (better == ZC_BETTER_LOWER && change > 0) ||
			    (better == ZC_BETTER_HIGHER && change < 0);
		p = zc_stats_mann_whitney(xb, (size_t)nb, xn, (size_t)nn);
		if (p < 0)
			return (int)p;
		if (p < c->o.alpha && fabs(change) > c->o.threshold)
			st = worse ? ZC_CMP_REGRESSED : ZC_CMP_IMPROVED;
		else
			st = ZC_CMP_UNCHANGED;
	}
	r = zc_cmp_add_row(c, cs, name, st);
	if (!r)
		return -ENOMEM;
	r->base = mb;
	r->new_ = mn;
	r->change = change;
	r->p = p;
	r->nb = nb;
	r->nn = nn;
	if (st == ZC_CMP_INCONCLUSIVE)
		snprintf(r->note, sizeof(r->note),
			 "too few repetitions (%d vs %d) for p < %g", nb, nn,
			 c->o.alpha);
	else if (st == ZC_CMP_UNCHANGED && fabs(change) > c->o.threshold)
		snprintf(r->note, sizeof(r->note),
			 "beyond the threshold but not significant (p = %.2g)",
			 p);
	else if (st == ZC_CMP_UNCHANGED && p < c->o.alpha && change != 0)
		snprintf(r->note, sizeof(r->note),
			 "significant but within the threshold");
decl:
	snprintf(r->regime, sizeof(r->regime), "%s", regime);
	r->better = better;
	r->portable = portable;
	snprintf(r->unit, sizeof(r->unit), "%s", zc_res_str(mdecl, "unit"));
	return 0;
}

/* A case's regimes from its JSON: hand-off and pace per regime index (NaN
 * where none) and each sample's regime (-1 none, -2 moved). Returns how
 * many regimes, 0 when the case has no sentinel. */
int zc_cmp_case_regimes(json_t *cs, double *handoff, double *pace,
			int *rep_regime, int max_rep)
{
	json_t *reg = json_object_get(json_object_get(cs, "sentinel"),
				      "regime"),
	       *rs = json_object_get(cs, "regimes"), *x;
	size_t i;
	int n = 0;

	for (int k = 0; k < ZC_REGIME_MAX; k++) {
		handoff[k] = NAN;
		if (pace)
			pace[k] = NAN;
	}
	if (!json_is_array(reg) || !json_is_array(rs))
		return 0;
	json_array_foreach(rs, i, x)
	{
		json_int_t k = json_integer_value(json_object_get(x, "regime"));
		if (k >= 0 && k < ZC_REGIME_MAX) {
			json_t *p = json_object_get(x, "pace_ns");
			handoff[k] = json_number_value(
				json_object_get(x, "handoff_ns"));
			if (pace && json_is_number(p))
				pace[k] = json_number_value(p);
			n++;
		}
	}
	for (int r = 0; r < max_rep; r++) {
		json_t *v = json_array_get(reg, (size_t)r);
		rep_regime[r] = json_is_integer(v)  ? (int)json_integer_value(v)
				: json_is_string(v) ? ZC_REGIME_MOVED
						    : ZC_REGIME_NONE;
	}
	return n;
}

/* The samples of metric `name` in regime k (k < 0: all of them). */
int zc_cmp_regime_samples(json_t *cs, const char *name, const int *rep_regime,
			  int k, double *x)
{
	json_t *a = json_object_get(json_object_get(cs, "samples"), name), *v;
	size_t i;
	int n = 0;

	json_array_foreach(a, i, v)
	{
		if (!json_is_number(v) || i >= ZC_MAX_REP ||
		    (k >= 0 && rep_regime[i] != k))
			continue;
		x[n++] = json_number_value(v);
	}
	return n;
}

/* Two regimes' paces (NaN: unknown, an older run) too far apart to
 * compare their figures: the host slowed one run's CPUs throughout. */
static int pace_differs(double a, double b)
{
	return isfinite(a) && isfinite(b) && a > 0 && b > 0 &&
	       fmax(a, b) / fmin(a, b) > ZC_CMP_REGIME_MATCH;
}

/* A "not comparable" row of one regime, with its medians (NaN: that side
 * has none) and a formatted note; NULL on ENOMEM. */
static struct zc_cmp_row *
regime_row(struct zc_cmp *c, const char *cs, const char *name,
	   enum zc_better better, int portable, const char *label, double base,
	   double new_, const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));
static struct zc_cmp_row *regime_row(struct zc_cmp *c, const char *cs,
				     const char *name, enum zc_better better,
				     int portable, const char *label,
				     double base, double new_, const char *fmt,
				     ...)
{
	struct zc_cmp_row *r =
		zc_cmp_add_row(c, cs, name, ZC_CMP_NOT_COMPARABLE);
	va_list ap;

	if (!r)
		return NULL;
	snprintf(r->regime, sizeof(r->regime), "%s", label);
	va_start(ap, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
	r->base = base;
	r->new_ = new_;
	r->better = better;
	r->portable = portable;
	return r;
}

static int compare_metric(struct zc_cmp *c, json_t *res, const char *cs,
			  json_t *cb, json_t *cn, json_t *mdecl)
{
	const char *name = zc_res_str(mdecl, "name");
	enum zc_better better = zc_res_better(zc_res_str(mdecl, "better"));
	int portable = json_is_true(json_object_get(mdecl, "portable"));
	double xb[ZC_MAX_REP], xn[ZC_MAX_REP], hb[ZC_REGIME_MAX],
		hn[ZC_REGIME_MAX], pb[ZC_REGIME_MAX], pn[ZC_REGIME_MAX];
	int rb[ZC_MAX_REP], rn[ZC_MAX_REP], nrb, nrn, used[ZC_REGIME_MAX] = {0};
	int err;

	if (better == ZC_BETTER_NONE ||
	    !zc_res_metric_selected(res, name, c->o.metrics))
		return 0;
	if (c->different && !portable) {
		c->not_comparable++;
		return 0;
	}
	nrb = zc_cmp_case_regimes(cb, hb, pb, rb, ZC_MAX_REP);
	nrn = zc_cmp_case_regimes(cn, hn, pn, rn, ZC_MAX_REP);
	if (!nrb || !nrn)
		return compare_samples(
			c, cs, cb, cn, mdecl, xb,
			zc_res_samples(cb, name, xb, ZC_MAX_REP), xn,
			zc_res_samples(cn, name, xn, ZC_MAX_REP), "");
	/* Regime by regime: each BASE regime with NEW's nearest one not
	 * matched yet (one to one: a file compared with itself pairs every
	 * regime with itself, even two of equal hand-off). */
	for (int k = 0; k < ZC_REGIME_MAX; k++) {
		char label[24];
		int best = -1;
		if (isnan(hb[k]))
			continue;
		for (int j = 0; j < ZC_REGIME_MAX; j++) {
			double f = hn[j] / hb[k];
			f = f < 1 ? 1 / f : f;
			if (!isnan(hn[j]) && !used[j] &&
			    f <= ZC_CMP_REGIME_MATCH &&
			    (best < 0 || fabs(log(hn[j] / hb[k])) <
						 fabs(log(hn[best] / hb[k]))))
				best = j;
		}
		snprintf(label, sizeof(label), "@%.0fns", hb[k]);
		if (best >= 0 && pace_differs(pb[k], pn[best])) {
			/* the same placement, but the host slowed the CPUs of
			 * one run all along (no faster pace to tell it by) */
			used[best] = 1;
			if (!regime_row(c, cs, name, better, portable, label,
					zc_cmp_median(xb, zc_cmp_regime_samples(
								  cb, name, rb,
								  k, xb)),
					zc_cmp_median(xn, zc_cmp_regime_samples(
								  cn, name, rn,
								  best, xn)),
					"the CPUs ran at another pace (%.0f vs "
					"%.0f ns per 1000 iterations of the "
					"sentinel's loop): the host slowed one "
					"run",
					pb[k], pn[best]))
				return -ENOMEM;
			continue;
		}
		if (best < 0) {
			int n = zc_cmp_regime_samples(cb, name, rb, k, xb);
			if (n && !regime_row(c, cs, name, better, portable,
					     label, zc_cmp_median(xb, n), NAN,
					     "hand-off %.0f ns in BASE only: "
					     "NEW ran in another host "
					     "placement",
					     hb[k]))
				return -ENOMEM;
			continue;
		}
		used[best] = 1;
		err = compare_samples(
			c, cs, cb, cn, mdecl, xb,
			zc_cmp_regime_samples(cb, name, rb, k, xb), xn,
			zc_cmp_regime_samples(cn, name, rn, best, xn),
			nrb > 1 || nrn > 1 ? label : "");
		if (err < 0)
			return err;
	}
	for (int j = 0; j < ZC_REGIME_MAX; j++) {
		char label[24];
		int n;
		if (isnan(hn[j]) || used[j] ||
		    !(n = zc_cmp_regime_samples(cn, name, rn, j, xn)))
			continue;
		snprintf(label, sizeof(label), "@%.0fns", hn[j]);
		if (!regime_row(c, cs, name, better, portable, label, NAN,
				zc_cmp_median(xn, n),
				"hand-off %.0f ns in NEW only: BASE ran in "
				"another host placement",
				hn[j]))
			return -ENOMEM;
	}
	return 0;
}

int zc_cmp_case_row(struct zc_cmp *c, json_t *cs, enum zc_cmp_status st,
		    const char *fmt, ...)
{
	struct zc_cmp_row *r =
		zc_cmp_add_row(c, zc_res_str(cs, "name"), "", st);
	va_list ap;

	if (!r)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
	return 0;
}

/* What compare_case needs of a pair of result files: BASE file fb of
 * base, NEW file fn of new_ (-1: none), the metrics only NEW declares. */
struct pair {
	const struct zc_rset *base, *new_;
	int fb, fn;
	json_t **only_new;
	size_t nonly;
	json_t *empty; /* a case with no samples */
};

static int compare_case(struct zc_cmp *c, const struct pair *pr, json_t *cb)
{
	json_t *cn = zc_rset_case(pr->new_, pr->fn, zc_res_str(cb, "name"));
	const char *sb = zc_res_str(cb, "status"),
		   *sn = cn ? zc_res_str(cn, "status") : "";
	json_t *ms, *m;
	size_t i;
	int err;

	if (strcmp(sb, "ok")) {
		if (cn && !strcmp(sn, "ok"))
			return zc_cmp_case_row(c, cn, ZC_CMP_NEW,
					       "%s in BASE: %s", sb,
					       zc_res_str(cb, "reason"));
		return 0;
	}
	if (!cn)
		return zc_cmp_case_row(c, cb, ZC_CMP_MISSING, "not in NEW");
	if (!strcmp(sn, "failed"))
		return zc_cmp_case_row(c, cb, ZC_CMP_FAILED,
				       "failed in NEW: %s",
				       zc_res_str(cn, "reason"));
	if (strcmp(sn, "ok"))
		return zc_cmp_case_row(c, cb, ZC_CMP_MISSING, "%s in NEW: %s",
				       sn, zc_res_str(cn, "reason"));
	c->matched++;
	ms = json_object_get(json_object_get(pr->base->res[pr->fb], "zcbench"),
			     "metrics");
	json_array_foreach(ms, i, m)
	{
		err = compare_metric(c, pr->base->res[pr->fb],
				     zc_res_str(cb, "name"), cb, cn, m);
		if (err < 0)
			return err;
	}
	for (i = 0; i < pr->nonly; i++) {
		err = compare_metric(c, pr->new_->res[pr->fn],
				     zc_res_str(cb, "name"), pr->empty, cn,
				     pr->only_new[i]);
		if (err < 0)
			return err;
	}
	return 0;
}

/* BASE file fb against its NEW counterpart (same command), if any. */
static int compare_file(struct zc_cmp *c, const struct zc_rset *base, int fb,
			const struct zc_rset *new_)
{
	struct pair pr = {.base = base, .new_ = new_, .fb = fb};
	json_t *x, *ms;
	size_t i;
	int err = 0;

	pr.fn = zc_rset_find(new_, zc_res_command(base->res[fb]));
	if (pr.fn >= 0) {
		ms = json_object_get(
			json_object_get(new_->res[pr.fn], "zcbench"),
			"metrics");
		pr.only_new = calloc(json_array_size(ms) + 1, sizeof(json_t *));
		pr.empty = json_object();
		if (!pr.only_new || !pr.empty) {
			err = -ENOMEM;
			goto out;
		}
		json_array_foreach(ms, i, x)
		{
			if (!zc_rset_metric(base, fb, zc_res_str(x, "name")))
				pr.only_new[pr.nonly++] = x;
		}
	}
	json_array_foreach(
		json_object_get(json_object_get(base->res[fb], "zcbench"),
				"cases"),
		i, x)
	{
		err = compare_case(c, &pr, x);
		if (err < 0)
			break;
	}
out:
	free(pr.only_new);
	json_decref(pr.empty);
	return err;
}

void zc_cmp_machines(struct zc_cmp *c, const struct zc_rset *b,
		     const struct zc_rset *n)
{
	c->machines_known = b->meta && n->meta;
	if (c->o.machines == ZC_CMP_SAME) {
		c->different = 0;
		return;
	}
	if (c->o.machines == ZC_CMP_DIFFERENT) {
		c->different = 1;
		snprintf(c->why_different, sizeof(c->why_different),
			 "--machines different");
		return;
	}
	if (!c->machines_known)
		return;
	if (strcmp(zc_rset_host(b->meta), zc_rset_host(n->meta))) {
		c->different = 1;
		snprintf(c->why_different, sizeof(c->why_different),
			 "host %s vs %s", zc_rset_host(b->meta),
			 zc_rset_host(n->meta));
	} else if (strcmp(zc_rset_cpu(b->meta), zc_rset_cpu(n->meta))) {
		c->different = 1;
		snprintf(c->why_different, sizeof(c->why_different),
			 "CPU %s vs %s", zc_rset_cpu(b->meta),
			 zc_rset_cpu(n->meta));
	}
}

int zc_cmp_interrupted(const struct zc_rset *s)
{
	for (int i = 0; i < s->n; i++)
		if (json_is_true(json_object_get(
			    json_object_get(s->res[i], "zcbench"),
			    "interrupted")))
			return 1;
	return s->meta && !strcmp(zc_res_str(s->meta, "status"), "interrupted");
}

void zc_cmp_init(struct zc_cmp *c, const struct zc_cmp_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->o = *o;
	if (!c->o.metrics)
		c->o.metrics = "all";
}

int zc_cmp_run(struct zc_cmp *c, const struct zc_rset *base,
	       const struct zc_rset *new_, const struct zc_cmp_opts *o)
{
	json_t *x;
	size_t i;
	int err;

	zc_cmp_init(c, o);
	snprintf(c->base_path, sizeof(c->base_path), "%s", base->path);
	snprintf(c->new_path, sizeof(c->new_path), "%s", new_->path);
	zc_rset_describe(base, c->base_desc, sizeof(c->base_desc));
	zc_rset_describe(new_, c->new_desc, sizeof(c->new_desc));
	zc_cmp_machines(c, base, new_);
	c->interrupted = zc_cmp_interrupted(base) || zc_cmp_interrupted(new_);
	for (int f = 0; f < base->n; f++) {
		err = compare_file(c, base, f, new_);
		if (err < 0)
			return err;
	}
	/* Cases only NEW has. */
	for (int f = 0; f < new_->n; f++) {
		json_t *rn = new_->res[f];
		int fb = zc_rset_find(base, zc_res_command(rn));
		json_array_foreach(
			json_object_get(json_object_get(rn, "zcbench"),
					"cases"),
			i, x)
		{
			if (strcmp(zc_res_str(x, "status"), "ok") ||
			    zc_rset_case(base, fb, zc_res_str(x, "name")))
				continue;
			err = zc_cmp_case_row(c, x, ZC_CMP_NEW, "not in BASE");
			if (err < 0)
				return err;
		}
	}
	return 0;
}

void zc_cmp_release(struct zc_cmp *c)
{
	free(c->rows);
	c->rows = NULL;
	c->nrows = c->cap = 0;
}

int zc_cmp_regressions(const struct zc_cmp *c)
{
	return c->count[ZC_CMP_REGRESSED] + c->count[ZC_CMP_FAILED];
}

int zc_cmp_compared(const struct zc_cmp *c)
{
	return zc_cmp_regressions(c) + c->count[ZC_CMP_IMPROVED] +
	       c->count[ZC_CMP_INCONCLUSIVE] + c->count[ZC_CMP_UNCHANGED] +
	       c->count[ZC_CMP_NOT_COMPARABLE];
}

const char *zc_cmp_verdict(const struct zc_cmp *c)
{
	return zc_cmp_regressions(c) ? "regression found"
	       : !zc_cmp_compared(c) ? "nothing compared"
				     : "no regression";
}

static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void md_num(FILE *f, double v)
{
	if (isnan(v))
		fputs("–", f);
	else
		fprintf(f, "%.4g", v);
}

int zc_cmp_markdown(FILE *f, const struct zc_cmp *c, int all)
{
	int shown = 0;

	fprintf(f, "### zcbench compare: %s\n\n", zc_cmp_verdict(c));
	for (int s = 0; s < ZC_CMP_NSTATUS; s++)
		fprintf(f, "%s%s %d", s ? " · " : "", status_names[s],
			c->count[s]);
	fprintf(f, "\n\n- BASE: `%s` — %s\n- NEW: `%s` — %s\n", c->base_path,
		c->base_desc, c->new_path, c->new_desc);
	if (c->history)
		fprintf(f,
			"- rule: a metric changed when NEW's median lies "
			"outside the prediction interval of one more run from "
			"the %d history runs' medians (log scale, Student's "
			"t; %g %% family-wise: Bonferroni over the %d rows "
			"judged) and differs from their geometric mean by "
			"more than %g %%; *detectable*: the smallest change "
			"this history can flag\n",
			c->history, 100 * (1 - c->o.alpha), c->family,
			c->o.threshold * 100);
	else
		fprintf(f,
			"- rule: a metric changed when the Mann-Whitney U "
			"test gives p < %g and the medians differ by more "
			"than %g %%\n",
			c->o.alpha, c->o.threshold * 100);
	if (strcmp(c->o.metrics, "all"))
		fprintf(f, "- metrics judged: %s\n", c->o.metrics);
	if (c->history_other)
		fprintf(f,
			"- history of this machine only: %d run(s) of it; %d "
			"of other machines left out (a ratio of two paths "
			"still depends on the CPU)\n",
			c->history, c->history_other);
	if (c->different)
		fprintf(f,
			"- **different machines** (%s): absolute figures are "
			"not comparable; only machine-independent ratios "
			"were compared (%d absolute metric values left out)\n",
			c->why_different, c->not_comparable);
	else if (!c->machines_known && c->o.machines == ZC_CMP_AUTO)
		fprintf(f,
			"- no meta.json on one side: cannot tell whether the "
			"machines match; every metric was compared\n");
	if (!zc_cmp_compared(c))
		fprintf(f,
			"- **nothing compared**: %d case(s) passed in both "
			"runs, and no metric had values on both sides%s\n",
			c->matched,
			c->different ? " that may be compared across machines"
				     : "");
	if (c->interrupted)
		fprintf(f, "- a run was interrupted: its missing cases are "
			   "reported as missing\n");
	if (c->count[ZC_CMP_NOT_COMPARABLE])
		fprintf(f,
			"- %d not comparable: a host-placement regime (the "
			"cache-line hand-off between the case's CPUs) seen in "
			"one run only; `@<n>ns` names the regime a row "
			"compares within\n",
			c->count[ZC_CMP_NOT_COMPARABLE]);
	if (c->count[ZC_CMP_INCONCLUSIVE] && c->history)
		fprintf(f,
			"- %d inconclusive: fewer than %d history runs (in "
			"the row's regime) to judge by\n",
			c->count[ZC_CMP_INCONCLUSIVE], ZC_CMP_HIST_MIN_RUNS);
	else if (c->count[ZC_CMP_INCONCLUSIVE])
		fprintf(f,
			"- %d inconclusive: too few repetitions for the rank "
			"test (run with --repeat %d or more)\n",
			c->count[ZC_CMP_INCONCLUSIVE], reps_needed(c->o.alpha));
	fputc('\n', f);
	for (int s = 0; s < ZC_CMP_NSTATUS; s++) {
		if (s == ZC_CMP_UNCHANGED && !all)
			continue;
		for (int i = 0; i < c->nrows; i++) {
			const struct zc_cmp_row *r = &c->rows[i];
			if ((int)r->status != s)
				continue;
			if (!shown++)
				fputs(c->history
					      ? "| status | case | metric | "
						"history | new | change (95 "
						"%) | detectable | runs | "
						"note |\n|---|---|---|--:|--:|"
						"--:|--:|--:|---|\n"
					      : "| status | case | metric | "
						"base | new | change | p | "
						"note |\n|---|---|---|--:|--:|"
						"--:|--:|---|\n",
				      f);
			fprintf(f, "| %s%s%s | ",
				s <= ZC_CMP_FAILED ? "**" : "", status_names[s],
				s <= ZC_CMP_FAILED ? "**" : "");
			md_text(f, r->cs);
			fputs(" | ", f);
			if (r->metric[0]) {
				md_text(f, r->metric);
				if (r->regime[0])
					fprintf(f, " %s", r->regime);
				if (r->unit[0])
					fprintf(f, " [%s]", r->unit);
				if (r->better != ZC_BETTER_NONE)
					fprintf(f, " %s",
						r->better == ZC_BETTER_LOWER
							? "↓"
							: "↑");
			} else {
				fputs("all", f);
			}
			fputs(" | ", f);
			md_num(f, r->base);
			fputs(" | ", f);
			md_num(f, r->new_);
			fputs(" | ", f);
			if (isnan(r->change))
				fputs("–", f);
			else if (isinf(r->change))
				fputs(r->change > 0 ? "from 0 up"
						    : "from 0 down",
				      f);
			else
				fprintf(f, "%+.1f %%", r->change * 100);
			if (c->history && !isnan(r->lo))
				fprintf(f, " (%+.1f..%+.1f)", r->lo * 100,
					r->hi * 100);
			fputs(" | ", f);
			if (c->history && isnan(r->detectable))
				fprintf(f, "– | %d", r->runs);
			else if (c->history)
				fprintf(f, "±%.1f %% | %d", r->detectable * 100,
					r->runs);
			else if (isnan(r->p))
				fputs("–", f);
			else
				fprintf(f, "%.2g", r->p);
			fputs(" | ", f);
			md_text(f, r->note);
			fputs(" |\n", f);
		}
	}
	if (!shown)
		fprintf(f, "No cases to show.\n");
	if (!all && c->count[ZC_CMP_UNCHANGED])
		fprintf(f,
			"\n%d unchanged row(s) not shown (--show all lists "
			"them).\n",
			c->count[ZC_CMP_UNCHANGED]);
	return ferror(f) ? -EIO : 0;
}

json_t *zc_cmp_json(const struct zc_cmp *c)
{
	json_t *o = json_object(), *counts = json_object(),
	       *rows = json_array();

	if (!o || !counts || !rows) {
		json_decref(o);
		json_decref(counts);
		json_decref(rows);
		return NULL;
	}
	for (int s = 0; s < ZC_CMP_NSTATUS; s++)
		json_object_set_new(counts, status_names[s],
				    json_integer(c->count[s]));
	for (int i = 0; i < c->nrows; i++) {
		const struct zc_cmp_row *r = &c->rows[i];
		json_t *x = json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:o, "
			"s:o, s:o, s:o, s:i, "
			"s:i, s:s}",
			"case", r->cs, "metric", r->metric, "regime", r->regime,
			"unit", r->unit, "better",
			r->better == ZC_BETTER_LOWER	? "lower"
			: r->better == ZC_BETTER_HIGHER ? "higher"
							: "none",
			"portable", r->portable, "status",
			status_names[r->status], "base", zc_json_real(r->base),
			"new", zc_json_real(r->new_), "change",
			zc_json_real(r->change), "p", zc_json_real(r->p),
			"n_base", r->nb, "n_new", r->nn, "note", r->note);
		if (x && c->history &&
		    (json_object_set_new(x, "change_lo", zc_json_real(r->lo)) ||
		     json_object_set_new(x, "change_hi", zc_json_real(r->hi)) ||
		     json_object_set_new(x, "detectable",
					 zc_json_real(r->detectable)) ||
		     json_object_set_new(x, "runs", json_integer(r->runs)))) {
			json_decref(x);
			x = NULL;
		}
		if (!x || json_array_append_new(rows, x) < 0) {
			json_decref(o);
			json_decref(counts);
			json_decref(rows);
			return NULL;
		}
	}
	json_object_set_new(o, "schema_version", json_integer(1));
	json_object_set_new(o, "base",
			    json_pack("{s:s, s:s}", "path", c->base_path,
				      "description", c->base_desc));
	json_object_set_new(o, "new",
			    json_pack("{s:s, s:s}", "path", c->new_path,
				      "description", c->new_desc));
	json_object_set_new(o, "threshold", zc_json_real(c->o.threshold));
	json_object_set_new(o, "alpha", zc_json_real(c->o.alpha));
	json_object_set_new(o, "history", json_integer(c->history));
	json_object_set_new(o, "history_other_machines",
			    json_integer(c->history_other));
	json_object_set_new(o, "family", json_integer(c->family));
	json_object_set_new(o, "metrics", json_string(c->o.metrics));
	json_object_set_new(o, "machines",
			    json_string(c->different	    ? "different"
					: c->machines_known ? "same"
							    : "unknown"));
	json_object_set_new(o, "why_different", json_string(c->why_different));
	json_object_set_new(o, "absolute_comparable",
			    json_boolean(!c->different));
	json_object_set_new(o, "not_comparable",
			    json_integer(c->not_comparable));
	json_object_set_new(o, "interrupted", json_boolean(c->interrupted));
	json_object_set_new(o, "regression",
			    json_boolean(zc_cmp_regressions(c) > 0));
	json_object_set_new(o, "verdict", json_string(zc_cmp_verdict(c)));
	json_object_set_new(o, "matched", json_integer(c->matched));
	json_object_set_new(o, "counts", counts);
	json_object_set_new(o, "rows", rows);
	return o;
}
