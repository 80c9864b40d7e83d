/* SPDX-License-Identifier: MIT */
/*
 * ab — paired rounds of two builds: per case and metric the median ratio
 * and its distribution-free interval (see ab.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ab.h"
#include "rset_int.h"
#include "stats.h"

static const char *const status_names[ZC_AB_NSTATUS] = {
	[ZC_AB_REGRESSED] = "regressed",
	[ZC_AB_IMPROVED] = "improved",
	[ZC_AB_INCONCLUSIVE] = "inconclusive",
	[ZC_AB_UNCHANGED] = "unchanged",
};

const char *zc_ab_status_name(enum zc_ab_status s)
{
	return s < ZC_AB_NSTATUS ? status_names[s] : "?";
}

static double median(double *x, int n)
{
	zc_stats_sort(x, (size_t)n);
	return zc_stats_quantile_sorted(x, (size_t)n, 0.5);
}

/* One (case, metric) over the rounds. */
struct acc {
	char cs[256], metric[64], unit[24];
	enum zc_better better;
	double w[ZC_AB_MAX_ROUNDS], ratio[ZC_AB_MAX_ROUNDS];
	double bv[ZC_AB_MAX_ROUNDS], nv[ZC_AB_MAX_ROUNDS];
	int n, moved;
};

struct accs {
	struct acc *a;
	int n, cap, hint;
};

static struct acc *acc_get(struct accs *s, const char *cs, const char *metric)
{
	struct acc *a;

	/* Rounds list the cases in the same order: try where the last
	 * lookup ended first. */
	for (int k = 0; k < s->n; k++) {
		int i = (s->hint + k) % s->n;
		if (!strcmp(s->a[i].cs, cs) &&
		    !strcmp(s->a[i].metric, metric)) {
			s->hint = i + 1;
			return &s->a[i];
		}
	}
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 64;
		void *p = realloc(s->a, (size_t)cap * sizeof(*s->a));
		if (!p)
			return NULL;
		s->a = p;
		s->cap = cap;
	}
	a = &s->a[s->n++];
	memset(a, 0, sizeof(*a));
	snprintf(a->cs, sizeof(a->cs), "%s", cs);
	snprintf(a->metric, sizeof(a->metric), "%s", metric);
	s->hint = s->n;
	return a;
}

/* A round's value of a metric: the median of the case's samples. */
static double round_value(json_t *c, const char *m)
{
	double x[ZC_MAX_REP];
	int n = zc_res_samples(c, m, x, ZC_MAX_REP);
	return n ? median(x, n) : NAN;
}

/* The hand-off the case's samples ran at (median of its sentinels). */
static double round_handoff(json_t *c)
{
	json_t *s = json_object_get(c, "sentinel"), *v;
	double x[2 * ZC_MAX_REP];
	const char *k[2] = {"before", "after"};
	size_t i;
	int n = 0;

	for (int j = 0; j < 2; j++)
		json_array_foreach(json_object_get(s, k[j]), i,
				   v) if (json_is_number(v) &&
					  n < 2 * ZC_MAX_REP) x[n++] =
			json_number_value(v);
	return n ? median(x, n) : NAN;
}

static int add_round(struct accs *s, const char *sel, const struct zc_rset *b,
		     const struct zc_rset *nw)
{
	for (int f = 0; f < b->n; f++) {
		json_t *rb = b->res[f], *cb, *m;
		int fn = zc_rset_find(nw, zc_res_command(rb));
		size_t i, j;
		if (fn < 0)
			continue;
		json_array_foreach(
			json_object_get(json_object_get(rb, "zcbench"),
					"cases"),
			i, cb)
		{
			const char *name = zc_res_str(cb, "name");
			json_t *cn = zc_rset_case(nw, fn, name);
			double hb, hn;
			if (!cn || strcmp(zc_res_str(cb, "status"), "ok") ||
			    strcmp(zc_res_str(cn, "status"), "ok"))
				continue;
			hb = round_handoff(cb);
			hn = round_handoff(cn);
			json_array_foreach(
				json_object_get(json_object_get(rb, "zcbench"),
						"metrics"),
				j, m)
			{
				const char *mn = zc_res_str(m, "name");
				enum zc_better bt =
					zc_res_better(zc_res_str(m, "better"));
				double vb, vn, q;
				struct acc *a;
				if (bt == ZC_BETTER_NONE ||
				    !zc_res_metric_selected(rb, mn, sel))
					continue;
				vb = round_value(cb, mn);
				vn = round_value(cn, mn);
				if (!isfinite(vb) || !isfinite(vn) || vb <= 0 ||
				    vn <= 0)
					continue;
				a = acc_get(s, name, mn);
				if (!a)
					return -ENOMEM;
				a->better = bt;
				snprintf(a->unit, sizeof(a->unit), "%s",
					 zc_res_str(m, "unit"));
				if (a->n + a->moved >= ZC_AB_MAX_ROUNDS)
					continue;
				if (isfinite(hb) && isfinite(hn) &&
				    fmax(hb, hn) / fmin(hb, hn) >
					    ZC_CMP_REGIME_MATCH) {
					a->moved++;
					continue;
				}
				q = vn / vb;
				a->ratio[a->n] = q;
				a->w[a->n] = bt == ZC_BETTER_LOWER ? q : 1 / q;
				a->bv[a->n] = vb;
				a->nv[a->n] = vn;
				a->n++;
			}
		}
	}
	return 0;
}

static int add_row(struct zc_ab *ab, const struct acc *a)
{
	struct zc_ab_row *r;
	double tmp[ZC_AB_MAX_ROUNDS];
	struct zc_summary sum = {0};

	if (ab->nrows == ab->cap) {
		int cap = ab->cap ? 2 * ab->cap : 64;
		void *p = realloc(ab->rows, (size_t)cap * sizeof(*ab->rows));
		if (!p)
			return -ENOMEM;
		ab->rows = p;
		ab->cap = cap;
	}
	r = &ab->rows[ab->nrows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->cs, sizeof(r->cs), "%s", a->cs);
	snprintf(r->metric, sizeof(r->metric), "%s", a->metric);
	snprintf(r->unit, sizeof(r->unit), "%s", a->unit);
	r->better = a->better;
	r->pairs = a->n;
	r->moved = a->moved;
	r->median = r->worse = r->lo = r->hi = r->base = r->new_ = NAN;
	if (a->n) {
		memcpy(tmp, a->ratio, (size_t)a->n * sizeof(double));
		r->median = median(tmp, a->n);
		memcpy(tmp, a->bv, (size_t)a->n * sizeof(double));
		r->base = median(tmp, a->n);
		memcpy(tmp, a->nv, (size_t)a->n * sizeof(double));
		r->new_ = median(tmp, a->n);
		/* w in round order: the summary's lag-1 test sees drift. */
		if (zc_stats_summary(a->w, (size_t)a->n, &sum) < 0)
			return -ENOMEM;
		r->worse = sum.median;
		r->lo = sum.ci_lo;
		r->hi = sum.ci_hi;
	}
	if (a->n < ZC_AB_MIN_PAIRS) {
		r->status = ZC_AB_INCONCLUSIVE;
		snprintf(r->note, sizeof(r->note),
			 "%d pair(s): at least %d rounds in the same regime "
			 "are needed",
			 a->n, ZC_AB_MIN_PAIRS);
	} else if (!sum.ci_exact) {
		r->status = ZC_AB_INCONCLUSIVE;
		snprintf(r->note, sizeof(r->note),
			 "the pairs drift from round to round (lag-1 %.2f): "
			 "%.1f effective pair(s), at least %d are needed",
			 sum.lag1, sum.n_eff, ZC_AB_MIN_PAIRS);
	} else if (r->worse > 1 + ab->tolerance && r->lo > 1) {
		r->status = ZC_AB_REGRESSED;
	} else if (r->worse < 1 / (1 + ab->tolerance) && r->hi < 1) {
		r->status = ZC_AB_IMPROVED;
	} else {
		r->status = ZC_AB_UNCHANGED;
		if (r->lo > 1 || r->hi < 1)
			snprintf(r->note, sizeof(r->note),
				 "a real change, within the tolerance");
	}
	if (a->moved && !r->note[0])
		snprintf(r->note, sizeof(r->note),
			 "%d round(s) left out: the builds ran in different "
			 "host regimes",
			 a->moved);
	ab->count[r->status]++;
	return 0;
}

int zc_ab_run(struct zc_ab *ab, const struct zc_rset *base,
	      const struct zc_rset *new_, int n, double tolerance,
	      const char *metrics)
{
	struct accs s = {0};
	int err = 0;

	memset(ab, 0, sizeof(*ab));
	ab->tolerance = tolerance;
	ab->rounds = n;
	snprintf(ab->metrics, sizeof(ab->metrics), "%s", metrics);
	for (int r = 0; r < n && !err; r++)
		err = add_round(&s, metrics, &base[r], &new_[r]);
	for (int i = 0; i < s.n && !err; i++)
		err = add_row(ab, &s.a[i]);
	free(s.a);
	return err;
}

void zc_ab_release(struct zc_ab *ab)
{
	free(ab->rows);
	ab->rows = NULL;
	ab->nrows = ab->cap = 0;
}

static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++)
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s, f);
}

int zc_ab_markdown(FILE *f, const struct zc_ab *ab, const char *base_desc,
		   const char *new_desc, int all)
{
	int reg = ab->count[ZC_AB_REGRESSED], shown = 0;

	fprintf(f, "### zcbench ab: %s\n\n",
		reg ? "regression found" : "no regression");
	for (int s = 0; s < ZC_AB_NSTATUS; s++)
		fprintf(f, "%s%s %d", s ? " · " : "", status_names[s],
			ab->count[s]);
	fprintf(f,
		"\n\n- BASE: %s\n- NEW: %s\n- %d rounds, each one repetition "
		"of every case with each build, in a random order\n- rule: "
		"regressed when the median of the per-round NEW/BASE ratios "
		"is worse by more than %g %% and its 95 %% interval "
		"(distribution-free, from order statistics; wider when the "
		"pairs drift) excludes no change\n- metrics judged: %s%s\n\n",
		base_desc, new_desc, ab->rounds, 100 * ab->tolerance,
		ab->metrics,
		!strcmp(ab->metrics, "primary")
			? " (each command's own figure: the first metric it "
			  "declares with a direction)"
			: "");
	for (int st = 0; st < ZC_AB_NSTATUS; st++) {
		if (st == ZC_AB_UNCHANGED && !all)
			continue;
		for (int i = 0; i < ab->nrows; i++) {
			const struct zc_ab_row *r = &ab->rows[i];
			if ((int)r->status != st)
				continue;
			if (!shown++)
				fprintf(f, "| status | case | metric | base | "
					   "new | NEW/BASE | worse (95 %%) | "
					   "pairs | note |\n"
					   "|---|---|---|--:|--:|--:|--:|--:|"
					   "---|\n");
			fprintf(f, "| %s%s%s | ",
				st == ZC_AB_REGRESSED ? "**" : "",
				status_names[st],
				st == ZC_AB_REGRESSED ? "**" : "");
			md_cell(f, r->cs);
			fprintf(f,
				" | %s [%s] %s | %.4g | %.4g | %.3f | "
				"%+.1f %% (%+.1f..%+.1f) | %d | ",
				r->metric, r->unit,
				r->better == ZC_BETTER_LOWER ? "↓" : "↑",
				r->base, r->new_, r->median,
				100 * (r->worse - 1), 100 * (r->lo - 1),
				100 * (r->hi - 1), r->pairs);
			md_cell(f, r->note);
			fputs(" |\n", f);
		}
	}
	if (!shown)
		fprintf(f, "No cases to show.\n");
	if (!all && ab->count[ZC_AB_UNCHANGED])
		fprintf(f, "\n%d unchanged row(s) not shown.\n",
			ab->count[ZC_AB_UNCHANGED]);
	return ferror(f) ? -EIO : 0;
}

json_t *zc_ab_json(const struct zc_ab *ab)
{
	json_t *o = json_object(), *rows = json_array(),
	       *counts = json_object();

	for (int s = 0; s < ZC_AB_NSTATUS; s++)
		json_object_set_new(counts, status_names[s],
				    json_integer(ab->count[s]));
	for (int i = 0; i < ab->nrows; i++) {
		const struct zc_ab_row *r = &ab->rows[i];
		json_array_append_new(
			rows,
			json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:o, "
				  "s:o, s:o, s:o, s:o, s:o, s:s}",
				  "case", r->cs, "metric", r->metric, "unit",
				  r->unit, "better",
				  r->better == ZC_BETTER_LOWER ? "lower"
							       : "higher",
				  "status", status_names[r->status], "pairs",
				  r->pairs, "moved", r->moved, "ratio",
				  zc_json_real(r->median), "worse",
				  zc_json_real(r->worse), "worse_lo",
				  zc_json_real(r->lo), "worse_hi",
				  zc_json_real(r->hi), "base",
				  zc_json_real(r->base), "new",
				  zc_json_real(r->new_), "note", r->note));
	}
	json_object_set_new(o, "schema_version", json_integer(1));
	json_object_set_new(o, "rounds", json_integer(ab->rounds));
	json_object_set_new(o, "tolerance", zc_json_real(ab->tolerance));
	json_object_set_new(o, "metrics", json_string(ab->metrics));
	json_object_set_new(o, "regression",
			    json_boolean(ab->count[ZC_AB_REGRESSED] > 0));
	json_object_set_new(o, "counts", counts);
	json_object_set_new(o, "rows", rows);
	return o;
}
