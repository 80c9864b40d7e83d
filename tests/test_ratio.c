/* SPDX-License-Identifier: MIT */
/*
 * Description: derived ratio metrics: each case against the baseline case
 * that differs only in one key (and ignored keys), paired by round,
 * inverted ratios, absent baselines, and never across host regimes.
 * Labels: unit
 */
#include <math.h>

#include "check.h"
#include "out.h"

static const char *const keys[] = {"op", "stride", "batch"};
static const struct zc_metric metrics[] = {
	{"ns", "ns", ZC_BETTER_LOWER, "time", 0, ZC_GB_REAL_TIME, 1},
	{"ratio", "x", ZC_BETTER_LOWER, "ratio", ZC_M_PORTABLE, ZC_GB_NONE, 1},
	{"speedup", "x", ZC_BETTER_HIGHER, "inverse", ZC_M_PORTABLE, ZC_GB_NONE,
	 1},
};

static struct zc_case *add(struct zc_results *r, const char *op,
			   const char *stride, const char *batch, double v)
{
	const char *vals[] = {op, stride, batch};
	struct zc_case *c = zc_results_add(r, vals);
	for (int rep = 0; rep < 3; rep++)
		zc_case_set(r, c, rep, 0, v * (1 + 0.01 * rep));
	return c;
}

int main(void)
{
	struct zc_results r;
	static const char *const ignore[] = {"batch", NULL};

	CHECK(zc_results_init(&r, "t", keys, 3, metrics, 3, 3) == 0);
	add(&r, "a", "8", "1", 40);
	add(&r, "a", "128", "1", 10);
	add(&r, "b", "8", "1", 30);  /* no b/128: absent */
	add(&r, "a", "8", "64", 20); /* baseline a/128/1 only via ignore */
	CHECK(zc_results_ratio(&r, 0, 1, "stride", "128", NULL, 0) == 2);
	/* paired: repetition r over the baseline's repetition r */
	CHECK(fabs(zc_case_get(&r, &r.cases[0], 0, 1) - 4) < 1e-9);
	CHECK(fabs(zc_case_get(&r, &r.cases[0], 2, 1) - 4) < 1e-9);
	CHECK(fabs(zc_case_get(&r, &r.cases[1], 1, 1) - 1) < 1e-9);
	CHECK(isnan(zc_case_get(&r, &r.cases[2], 0, 1)));
	CHECK(r.cases[2].absent[1][0] != 0);
	CHECK(isnan(zc_case_get(&r, &r.cases[3], 0, 1)));
	CHECK(zc_results_ratio(&r, 0, 2, "stride", "128", ignore, 1) == 3);
	CHECK(fabs(zc_case_get(&r, &r.cases[3], 0, 2) - 10.0 / 20) < 1e-9);
	CHECK(zc_results_ratio(&r, 0, 2, "nokey", "1", NULL, 0) < 0);
	zc_results_release(&r);

	/* Two host regimes (hand-off ~50 and ~220 ns): rounds 0-3 near,
	 * 4-7 far, except that the baseline is far in round 3 and moved in
	 * round 5. Each ratio uses the baseline of its own regime. */
	{
		static const double near = 50, far = 220;
		const double xv[8] = {20, 21, 22, 20, 3, 3, 3, 3};
		const double bv[8] = {2, 2, 2, 9, 1, 1, 1, 1};
		struct zc_case *x, *b;
		CHECK(zc_results_init(&r, "t", keys, 3, metrics, 3, 8) == 0);
		x = add(&r, "a", "8", "1", 0);
		for (int i = 0; i < 8; i++) {
			zc_case_set(&r, x, i, 0, xv[i]);
			zc_case_sentinel(&r, x, i, i < 4 ? near : far,
					 i < 4 ? near : far, i, 0, 1);
		}
		b = add(&r, "a", "128", "1", 0);
		x = &r.cases[0];
		for (int i = 0; i < 8; i++) {
			double s0 = i < 3 ? near : far, s1 = i == 5 ? near : s0;
			zc_case_set(&r, b, i, 0, bv[i]);
			zc_case_sentinel(&r, b, i, s0, s1, i, 1, 0);
		}
		CHECK(r.npairs == 1 && x->pair == 0 && b->pair == 0);
		CHECK(zc_results_regimes(&r) == 0);
		CHECK(r.pairs[0].reg.n == 2 && r.pairs[0].moved == 1);
		CHECK(b->regime[3] == 1 && b->regime[5] == ZC_REGIME_MOVED);
		CHECK(zc_case_regime_count(x, 0) == 4 &&
		      zc_case_regime_count(x, 1) == 4);
		CHECK(zc_results_ratio(&r, 0, 1, "stride", "128", NULL, 0) ==
		      2);
		CHECK(fabs(zc_case_get(&r, x, 0, 1) - 10) < 1e-9);
		/* round 3: the baseline was far; its near median is 2 */
		CHECK(fabs(zc_case_get(&r, x, 3, 1) - 10) < 1e-9);
		/* round 5: the baseline moved; its far median is 1 */
		CHECK(fabs(zc_case_get(&r, x, 5, 1) - 3) < 1e-9);
		{
			struct zc_summary s;
			CHECK(zc_case_regime_summary(&r, x, 1, 0, &s) == 0 &&
			      fabs(s.median - 10.25) < 1e-9);
			CHECK(zc_case_regime_summary(&r, x, 1, 1, &s) == 0 &&
			      fabs(s.median - 3) < 1e-9);
			CHECK(zc_case_regime_summary(&r, x, 1, 2, &s) < 0);
		}
		zc_results_release(&r);
	}

	/* One hand-off regime, the host slowed rounds 1 and 2 (pace 2x):
	 * their ratios are still taken, round by round (both sides were
	 * slowed alike), but the regime's figures leave them out. */
	{
		const double xv[4] = {20, 40, 44, 22}, bv[4] = {2, 4, 4, 2};
		struct zc_case *x, *b;
		struct zc_summary s;
		CHECK(zc_results_init(&r, "t", keys, 3, metrics, 3, 4) == 0);
		add(&r, "a", "8", "1", 0);
		add(&r, "a", "128", "1", 0);
		x = &r.cases[0];
		b = &r.cases[1];
		for (int i = 0; i < 4; i++) {
			double p = i == 1 || i == 2 ? 1280 : 640;
			zc_case_set(&r, x, i, 0, xv[i]);
			zc_case_set(&r, b, i, 0, bv[i]);
			zc_case_sentinel(&r, x, i, 50, 51, i, 0, 1);
			zc_case_sentinel(&r, b, i, 51, 50, i, 0, 1);
			x->pace[i][0] = x->pace[i][1] = p;
			b->pace[i][0] = b->pace[i][1] = p;
		}
		CHECK(zc_results_regimes(&r) == 0);
		CHECK(r.pairs[0].slowed == 4 &&
		      x->regime[1] == ZC_REGIME_SLOWED);
		CHECK(zc_results_ratio(&r, 0, 1, "stride", "128", NULL, 0) ==
		      2);
		CHECK(fabs(zc_case_get(&r, x, 1, 1) - 10) < 1e-9);
		CHECK(fabs(zc_case_get(&r, x, 2, 1) - 11) < 1e-9);
		CHECK(zc_case_regime_summary(&r, x, 0, 0, &s) == 0 &&
		      fabs(s.median - 21) < 1e-9);
		zc_results_release(&r);
	}
	return zc_check_result();
}
