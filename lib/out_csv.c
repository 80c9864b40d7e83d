/* SPDX-License-Identifier: MIT */
/*
 * out_csv — the csv back end (one row per case: params, status and each
 * metric's summary) and the samples back end (one row per case and
 * repetition), with RFC 4180 field escaping.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "out_backends.h"

void zc_csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* ",<x>" with x as %.9g, or "," alone when x is absent. */
static void csv_num(FILE *f, double x)
{
	if (isfinite(x))
		fprintf(f, ",%.9g", x);
	else
		fputc(',', f);
}

static void csv_sep_field(FILE *f, const char *s)
{
	fputc(',', f);
	zc_csv_field(f, s);
}

static void csv_head(FILE *f, const struct zc_results *r)
{
	fputs("name", f);
	for (int k = 0; k < r->nkeys; k++)
		csv_sep_field(f, r->keys[k]);
}

static void csv_case_head(FILE *f, const struct zc_results *r,
			  const struct zc_case *c)
{
	zc_csv_field(f, c->name);
	for (int k = 0; k < r->nkeys; k++)
		csv_sep_field(f, c->param[k]);
}

static const char *const csv_stats[] = {"median", "min",   "max",
					"ci_lo",  "ci_hi", "cv"};

/* The median sentinel over case c's samples (NaN: none). */
static double case_handoff(const struct zc_case *c)
{
	double x[2 * ZC_MAX_REP];
	struct zc_summary s;
	int n = 0;

	for (int rep = 0; rep < c->nrep; rep++)
		for (int j = 0; j < 2; j++)
			x[n++] = c->sent[rep][j];
	return n && zc_stats_summary(x, (size_t)n, &s) == 0 ? s.median : NAN;
}

/* One row: the case overall (k < 0) or within regime k. */
static void csv_row(FILE *f, const struct zc_results *r,
		    const struct zc_case *c, int k, int threads_col)
{
	const struct zc_regimes *g = zc_case_regimes(r, c);
	int ok = c->status == ZC_CASE_OK;

	csv_case_head(f, r, c);
	if (k < 0) {
		fputs(",all", f);
		csv_num(f, case_handoff(c));
	} else {
		fprintf(f, ",%d", k);
		csv_num(f, g->median[k]);
	}
	if (threads_col)
		fprintf(f, ",%d", c->threads);
	fprintf(f, ",%s", zc_out_status_name(c->status));
	csv_sep_field(f, c->reason);
	csv_sep_field(f, c->cpus);
	csv_sep_field(f, c->label);
	if (ok)
		fprintf(f, ",%d", k < 0 ? c->nrep : zc_case_regime_count(c, k));
	else
		fputc(',', f);
	for (int m = 0; m < r->nmetrics; m++) {
		struct zc_summary s;
		if (!ok || (k < 0 ? zc_case_summary(r, c, m, &s)
				  : zc_case_regime_summary(r, c, m, k, &s)) < 0)
			s.median = s.min = s.max = s.ci_lo = s.ci_hi = s.cv =
				NAN;
		csv_num(f, s.median);
		csv_num(f, s.min);
		csv_num(f, s.max);
		csv_num(f, s.ci_lo);
		csv_num(f, s.ci_hi);
		csv_num(f, s.cv);
	}
	fputc('\n', f);
}

int zc_out_csv_write(FILE *f, const struct zc_results *r)
{
	/* A "threads" parameter already is the column: a second one of the
	 * same name would break lookups by name (gnuplot, pandas). */
	int threads_col = zc_out_key_index(r, "threads") < 0;

	csv_head(f, r);
	fputs(",regime,handoff_ns", f);
	if (threads_col)
		fputs(",threads", f);
	fputs(",status,reason,cpus,label,repetitions", f);
	for (int m = 0; m < r->nmetrics; m++)
		for (size_t j = 0; j < sizeof(csv_stats) / sizeof(*csv_stats);
		     j++)
			fprintf(f, ",%s_%s", r->metrics[m].name, csv_stats[j]);
	fputc('\n', f);

	/* The overall row, then one per regime when the pair had several. */
	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		const struct zc_regimes *g = zc_case_regimes(r, c);
		csv_row(f, r, c, -1, threads_col);
		for (int k = 0; zc_case_split(r, c) && k < g->n; k++)
			if (zc_case_regime_count(c, k))
				csv_row(f, r, c, k, threads_col);
	}
	return zc_out_stream_status(f);
}

int zc_out_samples_write(FILE *f, const struct zc_results *r)
{
	csv_head(f, r);
	fputs(",repetition,iterations,sentinel_before_ns,sentinel_after_ns,"
	      "pace_before_ns,pace_after_ns,regime,handoff_ns,at_unix_s",
	      f);
	for (int m = 0; m < r->nmetrics; m++)
		csv_sep_field(f, r->metrics[m].name);
	fputc('\n', f);

	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		if (c->status != ZC_CASE_OK)
			continue;
		for (int rep = 0; rep < c->nrep; rep++) {
			csv_case_head(f, r, c);
			const struct zc_regimes *g = zc_case_regimes(r, c);
			int k = c->regime[rep];
			fprintf(f, ",%d", rep);
			csv_num(f, c->iterations[rep]);
			csv_num(f, c->sent[rep][0]);
			csv_num(f, c->sent[rep][1]);
			csv_num(f, c->pace[rep][0]);
			csv_num(f, c->pace[rep][1]);
			if (k >= 0)
				fprintf(f, ",%d", k);
			else
				fputs(k == ZC_REGIME_MOVED    ? ",moved"
				      : k == ZC_REGIME_SLOWED ? ",slowed"
							      : ",",
				      f);
			csv_num(f, k >= 0 && g ? g->median[k] : NAN);
			if (isfinite(c->at[rep]))
				fprintf(f, ",%.6f", c->at[rep]);
			else
				fputc(',', f);
			for (int m = 0; m < r->nmetrics; m++)
				csv_num(f, zc_case_get(r, c, rep, m));
			fputc('\n', f);
		}
	}
	return zc_out_stream_status(f);
}
