/* SPDX-License-Identifier: MIT */
/*
 * history — NEW against several baseline runs: a prediction interval of
 * one more run from the history's run medians, per case, metric and host
 * regime (see compare.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "compare_int.h"
#include "rset_int.h"
#include "stats.h"

/* The median of history case cb's samples of `name` in the regime nearest
 * hand-off h (NaN h, or no sentinel on a side: all samples). NaN when
 * there is none; *other is set when the case ran, but in other regimes. */
static double run_value(json_t *cb, const char *name, double h, int *other,
			int *nsamples)
{
	double hb[ZC_REGIME_MAX], x[ZC_MAX_REP];
	int rb[ZC_MAX_REP], best = -1, n;

	*nsamples = 0;
	if (isnan(h) || !zc_cmp_case_regimes(cb, hb, NULL, rb, ZC_MAX_REP)) {
		n = zc_cmp_regime_samples(cb, name, rb, -1, x);
		*nsamples = n;
		return n ? zc_cmp_median(x, n) : NAN;
	}
	for (int k = 0; k < ZC_REGIME_MAX; k++) {
		double f = hb[k] / h;
		f = f < 1 ? 1 / f : f;
		if (!isnan(hb[k]) && f <= ZC_CMP_REGIME_MATCH &&
		    (best < 0 ||
		     fabs(log(hb[k] / h)) < fabs(log(hb[best] / h))))
			best = k;
	}
	if (best < 0) {
		*other = zc_cmp_regime_samples(cb, name, rb, -1, x) > 0;
		return NAN;
	}
	n = zc_cmp_regime_samples(cb, name, rb, best, x);
	*nsamples = n;
	return n ? zc_cmp_median(x, n) : NAN;
}

/* A row judged once every row is known: the test level is shared among
 * them (Bonferroni). */
struct pending {
	int row;
	double d, sd; /* log(new / geometric mean), sd of the log medians */
	int k;	      /* history runs */
};

struct hist {
	const struct zc_rset *base;
	int n;
	struct pending *p;
	int np, cap;
};

/* Metric mdecl of NEW case cn (file `cmd`) in NEW regime j (-1: all
 * samples; hand-off h). */
static int judge(struct zc_cmp *c, struct hist *hs, const char *cmd, json_t *cn,
		 json_t *mdecl, const int *rn, int j, double h,
		 const char *regime)
{
	const char *name = zc_res_str(mdecl, "name"),
		   *cs = zc_res_str(cn, "name");
	enum zc_better better = zc_res_better(zc_res_str(mdecl, "better"));
	double xn[ZC_MAX_REP], v[ZC_CMP_HIST_MAX], mnew, mu = 0, sd = 0;
	int nn = zc_cmp_regime_samples(cn, name, rn, j, xn), k = 0, other = 0,
	    nb = 0, positive = 1;
	enum zc_cmp_status st;
	struct zc_cmp_row *r;

	if (!nn)
		return 0;
	mnew = zc_cmp_median(xn, nn);
	for (int i = 0; i < hs->n; i++) {
		const struct zc_rset *b = &hs->base[i];
		json_t *cb = zc_rset_case(b, zc_rset_find(b, cmd), cs);
		int ns;
		double x;
		if (!cb || strcmp(zc_res_str(cb, "status"), "ok"))
			continue;
		x = run_value(cb, name, h, &other, &ns);
		if (isnan(x))
			continue;
		positive &= x > 0;
		v[k++] = x;
		nb += ns;
	}
	positive &= mnew > 0;
	if (k >= ZC_CMP_HIST_MIN_RUNS && positive) {
		struct pending *pd;
		for (int i = 0; i < k; i++)
			mu += log(v[i]) / k;
		for (int i = 0; i < k; i++)
			sd += (log(v[i]) - mu) * (log(v[i]) - mu) / (k - 1);
		if (hs->np == hs->cap) {
			int cap = hs->cap ? 2 * hs->cap : 64;
			void *q = realloc(hs->p, (size_t)cap * sizeof(*hs->p));
			if (!q)
				return -ENOMEM;
			hs->p = q;
			hs->cap = cap;
		}
		r = zc_cmp_add_row(c, cs, name, ZC_CMP_UNCHANGED);
		if (!r)
			return -ENOMEM;
		pd = &hs->p[hs->np++];
		*pd = (struct pending){(int)(r - c->rows), log(mnew) - mu,
				       sqrt(sd), k};
		r->base = exp(mu);
		r->change = expm1(pd->d);
	} else {
		st = k == 0 && other ? ZC_CMP_NOT_COMPARABLE
				     : ZC_CMP_INCONCLUSIVE;
		r = zc_cmp_add_row(c, cs, name, st);
		if (!r)
			return -ENOMEM;
		if (k)
			r->base = zc_cmp_median(v, k);
		if (st == ZC_CMP_NOT_COMPARABLE)
			snprintf(r->note, sizeof(r->note),
				 "hand-off %.0f ns: no history run ran in "
				 "this host placement",
				 h);
		else if (!positive && k >= ZC_CMP_HIST_MIN_RUNS)
			snprintf(r->note, sizeof(r->note),
				 "a value is 0 or below: no ratio to judge");
		else
			snprintf(r->note, sizeof(r->note),
				 "%d history run(s) %s: at least %d are needed",
				 k,
				 isnan(h) ? "have this case" : "in this regime",
				 ZC_CMP_HIST_MIN_RUNS);
		if (k && !isnan(r->base) && r->base != 0)
			r->change = (mnew - r->base) / fabs(r->base);
	}
	r->new_ = mnew;
	r->nb = nb;
	r->nn = nn;
	r->runs = k;
	snprintf(r->regime, sizeof(r->regime), "%s", regime);
	r->better = better;
	r->portable = json_is_true(json_object_get(mdecl, "portable"));
	snprintf(r->unit, sizeof(r->unit), "%s", zc_res_str(mdecl, "unit"));
	return 0;
}

/* The latest history run holding case `cs` of command cmd, NULL if none. */
static json_t *latest_case(const struct hist *hs, const char *cmd,
			   const char *cs)
{
	for (int i = hs->n - 1; i >= 0; i--) {
		const struct zc_rset *b = &hs->base[i];
		json_t *cb = zc_rset_case(b, zc_rset_find(b, cmd), cs);
		if (cb)
			return cb;
	}
	return NULL;
}

static int judge_case(struct zc_cmp *c, struct hist *hs, json_t *res,
		      json_t *cn)
{
	const char *cmd = zc_res_command(res), *cs = zc_res_str(cn, "name");
	json_t *cb = latest_case(hs, cmd, cs), *m;
	double hn[ZC_REGIME_MAX];
	int rn[ZC_MAX_REP], nr, err;
	size_t i;

	if (!strcmp(zc_res_str(cn, "status"), "failed")) {
		if (cb && !strcmp(zc_res_str(cb, "status"), "ok"))
			return zc_cmp_case_row(c, cn, ZC_CMP_FAILED,
					       "failed in NEW: %s",
					       zc_res_str(cn, "reason"));
		return 0;
	}
	if (strcmp(zc_res_str(cn, "status"), "ok"))
		return 0;
	if (!cb)
		return zc_cmp_case_row(c, cn, ZC_CMP_NEW, "not in the history");
	c->matched++;
	nr = zc_cmp_case_regimes(cn, hn, NULL, rn, ZC_MAX_REP);
	json_array_foreach(
		json_object_get(json_object_get(res, "zcbench"), "metrics"), i,
		m)
	{
		const char *name = zc_res_str(m, "name");
		if (zc_res_better(zc_res_str(m, "better")) == ZC_BETTER_NONE ||
		    !zc_res_metric_selected(res, name, c->o.metrics))
			continue;
		if (c->different &&
		    !json_is_true(json_object_get(m, "portable"))) {
			c->not_comparable++;
			continue;
		}
		if (!nr) {
			err = judge(c, hs, cmd, cn, m, rn, -1, NAN, "");
			if (err < 0)
				return err;
			continue;
		}
		for (int j = 0; j < ZC_REGIME_MAX; j++) {
			char label[24];
			if (isnan(hn[j]))
				continue;
			snprintf(label, sizeof(label), "@%.0fns", hn[j]);
			err = judge(c, hs, cmd, cn, m, rn, j, hn[j],
				    nr > 1 ? label : "");
			if (err < 0)
				return err;
		}
	}
	return 0;
}

/* Each pending row against the prediction interval of one more run, at
 * the family-wise level alpha shared among the np rows. */
static void decide(struct zc_cmp *c, const struct hist *hs)
{
	double q = 1 - c->o.alpha / (2.0 * (hs->np ? hs->np : 1)),
	       tol = log1p(c->o.threshold);

	c->family = hs->np;
	for (int i = 0; i < hs->np; i++) {
		const struct pending *pd = &hs->p[i];
		struct zc_cmp_row *r = &c->rows[pd->row];
		double half = zc_stats_t_quantile(q, pd->k - 1) * pd->sd *
			      sqrt(1 + 1.0 / pd->k);
		r->lo = expm1(pd->d - half);
		r->hi = expm1(pd->d + half);
		r->detectable = expm1(fmax(half, tol));
		if (fabs(pd->d) > half && fabs(pd->d) > tol) {
			int worse = r->better == ZC_BETTER_LOWER ? pd->d > 0
								 : pd->d < 0;
			c->count[r->status]--;
			r->status = worse ? ZC_CMP_REGRESSED : ZC_CMP_IMPROVED;
			c->count[r->status]++;
		} else if (fabs(pd->d) > tol) {
			snprintf(r->note, sizeof(r->note),
				 "beyond the threshold, within the history's "
				 "run-to-run spread");
		}
	}
}

/* Cases the latest history run passed that NEW lacks. */
static int missing(struct zc_cmp *c, const struct zc_rset *last,
		   const struct zc_rset *new_)
{
	json_t *x;
	size_t i;
	int err;

	for (int f = 0; f < last->n; f++) {
		const char *cmd = zc_res_command(last->res[f]);
		int fn = zc_rset_find(new_, cmd);
		json_array_foreach(json_object_get(json_object_get(last->res[f],
								   "zcbench"),
						   "cases"),
				   i, x)
		{
			if (strcmp(zc_res_str(x, "status"), "ok") ||
			    zc_rset_case(new_, fn, zc_res_str(x, "name")))
				continue;
			err = zc_cmp_case_row(c, x, ZC_CMP_MISSING,
					      "in the latest history run, not "
					      "in NEW");
			if (err < 0)
				return err;
		}
	}
	return 0;
}

/* Machines: different when any history run's differs from NEW's. */
static void history_machines(struct zc_cmp *c, const struct hist *hs,
			     const struct zc_rset *new_)
{
	int known = 1, diff = 0;
	char why[256] = "";

	for (int i = 0; i < hs->n; i++) {
		c->different = 0;
		zc_cmp_machines(c, &hs->base[i], new_);
		known &= c->machines_known;
		if (c->different && !diff++)
			snprintf(why, sizeof(why), "%s", c->why_different);
	}
	c->machines_known = known;
	c->different = diff > 0;
	if (diff && c->o.machines == ZC_CMP_AUTO)
		snprintf(c->why_different, sizeof(c->why_different),
			 "%d of %d history run(s): %s", diff, hs->n, why);
	else if (diff)
		snprintf(c->why_different, sizeof(c->why_different), "%s", why);
}

/* The history runs of NEW's machine, when some are and some are not
 * (--machines auto): a ratio of two paths still depends on the CPU (the
 * process ring's speed-up over a pipe at batch 1 is 29x on the Intel Xeon
 * guests, 15x on the AMD EPYC ones), so another machine's runs would only
 * blur this machine's history. Returns the runs kept in *kept (a copy to
 * free, or NULL: all of base), how many, or -ENOMEM. */
static int same_machine(struct zc_cmp *c, const struct zc_rset *base, int n,
			const struct zc_rset *new_, struct zc_rset **kept)
{
	int same = 0, k = 0;

	*kept = NULL;
	if (c->o.machines != ZC_CMP_AUTO)
		return n;
	for (int i = 0; i < n; i++) {
		c->different = 0;
		zc_cmp_machines(c, &base[i], new_);
		same += c->machines_known && !c->different;
	}
	c->different = 0;
	if (!same || same == n)
		return n;
	*kept = malloc((size_t)same * sizeof(**kept));
	if (!*kept)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		c->different = 0;
		zc_cmp_machines(c, &base[i], new_);
		if (c->machines_known && !c->different)
			(*kept)[k++] = base[i];
	}
	c->different = 0;
	c->history_other = n - same;
	return same;
}

int zc_cmp_history(struct zc_cmp *c, const struct zc_rset *all, int nall,
		   const char *base_path, const struct zc_rset *new_,
		   const struct zc_cmp_opts *o)
{
	struct zc_rset *kept = NULL;
	const struct zc_rset *base = all;
	struct hist hs = {NULL, 0, NULL, 0, 0};
	char first[512], last[512];
	json_t *x;
	size_t i;
	int err, n;

	zc_cmp_init(c, o);
	if (nall < 1 || nall > ZC_CMP_HIST_MAX)
		return -EINVAL;
	n = same_machine(c, all, nall, new_, &kept);
	if (n < 0)
		return n;
	if (kept)
		base = kept;
	hs.base = base;
	hs.n = n;
	c->history = n;
	snprintf(c->base_path, sizeof(c->base_path), "%s", base_path);
	snprintf(c->new_path, sizeof(c->new_path), "%s", new_->path);
	zc_rset_describe(&base[0], first, sizeof(first));
	zc_rset_describe(&base[n - 1], last, sizeof(last));
	snprintf(c->base_desc, sizeof(c->base_desc),
		 "%d run(s): %.240s%s%.240s", n, first, n > 1 ? " .. " : "",
		 n > 1 ? last : "");
	zc_rset_describe(new_, c->new_desc, sizeof(c->new_desc));
	history_machines(c, &hs, new_);
	c->interrupted = zc_cmp_interrupted(new_);
	for (int f = 0; f < new_->n; f++) {
		json_array_foreach(json_object_get(json_object_get(new_->res[f],
								   "zcbench"),
						   "cases"),
				   i, x)
		{
			err = judge_case(c, &hs, new_->res[f], x);
			if (err < 0)
				goto out;
		}
	}
	decide(c, &hs);
	err = missing(c, &base[n - 1], new_);
out:
	free(hs.p);
	free(kept);
	return err;
}
