/* SPDX-License-Identifier: MIT */
/*
 * Description: ab's verdicts on synthetic rounds: the distribution-free
 * interval of the median worse factor (one pair better than no change
 * keeps 7 pairs from a verdict, 10 consistent pairs regress), too few
 * pairs, pairs that drift, pairs in different host regimes left out, a
 * higher-is-better metric turned into a worse factor
 * Labels: unit
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ab.h"
#include "check.h"

#define MAXR 16

/* One round's result of one build: one case, one metric. */
static void round_set(struct zc_rset *s, const char *better, double v,
		      double handoff)
{
	char text[1024], err[256];

	snprintf(text, sizeof(text),
		 "{\"zcbench\": {\"schema_version\": %d, \"command\": "
		 "\"falseshare\", \"interrupted\": false, \"metrics\": "
		 "[{\"name\": \"m\", \"unit\": \"ns\", \"better\": \"%s\"}], "
		 "\"cases\": [{\"name\": \"falseshare/stride:8\", \"status\": "
		 "\"ok\", \"reason\": \"\", \"repetitions\": 1, \"absent\": "
		 "{}, \"samples\": {\"m\": [%.17g]}, \"sentinel\": "
		 "{\"before\": [%.17g], \"after\": [%.17g], \"regime\": [0]}, "
		 "\"regimes\": [{\"regime\": 0, \"handoff_ns\": %.17g}]}]}}",
		 ZC_OUT_SCHEMA, better, v, handoff, handoff, handoff);
	CHECKF(zc_rset_parse(s, "r.json", text, strlen(text), err,
			     sizeof(err)) == 0,
	       "%s", err);
}

/* ab over n rounds: BASE 100 each round, NEW 100 * w[r] (a lower-is-
 * better metric: w is the worse factor; "higher": NEW 100 / w[r]); round
 * r of NEW ran at hand-off h[r] (BASE at 50), h NULL: all at 50. */
static const struct zc_ab_row *ab(struct zc_ab *a, const char *better,
				  const double *w, const double *h, int n)
{
	struct zc_rset b[MAXR], nw[MAXR];

	for (int r = 0; r < n; r++) {
		round_set(&b[r], better, 100, 50);
		round_set(&nw[r], better,
			  !strcmp(better, "lower") ? 100 * w[r] : 100 / w[r],
			  h ? h[r] : 50);
	}
	CHECK(zc_ab_run(a, b, nw, n, 0.07, "primary") == 0);
	for (int r = 0; r < n; r++) {
		zc_rset_release(&b[r]);
		zc_rset_release(&nw[r]);
	}
	CHECK(a->nrows == 1);
	return a->nrows == 1 ? &a->rows[0] : NULL;
}

/* 7 pairs, the median 10 % worse, one pair better than BASE: at 7 pairs
 * the 95 % interval is [min, max], so one pair below 1 leaves the change
 * unproven (a bootstrap of the median called such rows regressed). */
static void test_seven_one_better(void)
{
	static const double w[] = {1.09, 1.12, 0.97, 1.15, 1.10, 1.08, 1.11};
	struct zc_ab a;
	const struct zc_ab_row *r = ab(&a, "lower", w, NULL, 7);

	if (r) {
		CHECKF(fabs(r->worse - 1.10) < 1e-9, "worse %g", r->worse);
		CHECKF(fabs(r->lo - 0.97) < 1e-9 && fabs(r->hi - 1.15) < 1e-9,
		       "interval [%g, %g]", r->lo, r->hi);
		CHECK(r->status == ZC_AB_UNCHANGED && r->pairs == 7);
	}
	zc_ab_release(&a);
}

/* 10 pairs: [x_(2), x_(9)]; all worse by 9..14 %: regressed. The same
 * factors on a higher-is-better metric: regressed too. */
static void test_ten_regressed(void)
{
	static const double w[] = {1.12, 1.10, 1.13, 1.09, 1.11,
				   1.14, 1.10, 1.12, 1.11, 1.13};
	static const char *const dir[] = {"lower", "higher"};
	struct zc_ab a;

	for (int d = 0; d < 2; d++) {
		const struct zc_ab_row *r = ab(&a, dir[d], w, NULL, 10);
		if (r) {
			CHECKF(r->status == ZC_AB_REGRESSED, "%s: status %s",
			       dir[d], zc_ab_status_name(r->status));
			CHECKF(fabs(r->lo - 1.10) < 1e-9 &&
				       fabs(r->hi - 1.13) < 1e-9,
			       "%s: interval [%g, %g]", dir[d], r->lo, r->hi);
		}
		CHECK(a.count[ZC_AB_REGRESSED] == 1);
		zc_ab_release(&a);
	}
}

/* The same factors inverted: improved. */
static void test_improved(void)
{
	double w[10];
	struct zc_ab a;
	const struct zc_ab_row *r;

	for (int i = 0; i < 10; i++)
		w[i] = 1 / (1.10 + 0.004 * (i % 4));
	r = ab(&a, "lower", w, NULL, 10);
	if (r)
		CHECKF(r->status == ZC_AB_IMPROVED, "status %s",
		       zc_ab_status_name(r->status));
	zc_ab_release(&a);
}

/* 5 pairs: no 95 % interval exists; 7 rounds of which two ran in
 * another regime: 5 pairs, 2 moved. */
static void test_too_few(void)
{
	static const double w[] = {1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2};
	static const double h[] = {50, 220, 50, 50, 220, 50, 50};
	struct zc_ab a;
	const struct zc_ab_row *r = ab(&a, "lower", w, NULL, 5);

	if (r)
		CHECK(r->status == ZC_AB_INCONCLUSIVE && r->pairs == 5 &&
		      strstr(r->note, "at least 6"));
	zc_ab_release(&a);
	r = ab(&a, "lower", w, h, 7);
	if (r)
		CHECKF(r->status == ZC_AB_INCONCLUSIVE && r->pairs == 5 &&
			       r->moved == 2,
		       "status %s, %d pairs, %d moved",
		       zc_ab_status_name(r->status), r->pairs, r->moved);
	zc_ab_release(&a);
}

/* 12 pairs that climb from round to round (a trend, not a build): the
 * lag-1 test finds them dependent, too few effective pairs: no verdict.
 * The same values in a scrambled order regress. */
static void test_drift(void)
{
	double w[12], sh[12];
	struct zc_ab a;
	const struct zc_ab_row *r;

	for (int i = 0; i < 12; i++)
		w[i] = 1.05 + 0.02 * i;
	for (int i = 0; i < 12; i++)
		sh[i] = w[(i * 5) % 12]; /* 5 is coprime to 12 */
	r = ab(&a, "lower", w, NULL, 12);
	if (r)
		CHECKF(r->status == ZC_AB_INCONCLUSIVE &&
			       strstr(r->note, "drift"),
		       "status %s, note '%s'", zc_ab_status_name(r->status),
		       r->note);
	zc_ab_release(&a);
	r = ab(&a, "lower", sh, NULL, 12);
	if (r)
		CHECKF(r->status == ZC_AB_REGRESSED, "scrambled: status %s",
		       zc_ab_status_name(r->status));
	zc_ab_release(&a);
}

int main(void)
{
	test_seven_one_better();
	test_ten_regressed();
	test_improved();
	test_too_few();
	test_drift();
	return zc_check_result();
}
