/* SPDX-License-Identifier: MIT */
/*
 * Description: stats summaries, median CI ranks, MAD outliers, Mann-Whitney
 * Labels: unit
 *
 * Reference values come from python3 (statistics module, exact binomial sums
 * with fractions, brute-force enumeration of U); the script is in the
 * comments beside each constant.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "stats.h"

#define NEAR(a, b, tol) CHECK(fabs((double)(a) - (double)(b)) <= (tol))

static void test_quantiles(void)
{
	double x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

	/* Type 7: h = (n - 1) q. */
	NEAR(zc_stats_quantile_sorted(x, 10, 0.25), 3.25, 1e-12);
	NEAR(zc_stats_quantile_sorted(x, 10, 0.5), 5.5, 1e-12);
	NEAR(zc_stats_quantile_sorted(x, 10, 0.9), 9.1, 1e-12);
	NEAR(zc_stats_quantile_sorted(x, 10, 0), 1, 0);
	NEAR(zc_stats_quantile_sorted(x, 10, 1), 10, 0);
	NEAR(zc_stats_quantile_sorted(x, 1, 0.7), 1, 0);
	CHECK(isnan(zc_stats_quantile_sorted(x, 0, 0.5)));
}

static void test_sort(void)
{
	double x[] = {3, NAN, -1, 2, NAN, 0};

	zc_stats_sort(x, 6);
	CHECK(x[0] == -1 && x[1] == 0 && x[2] == 2 && x[3] == 3);
	CHECK(isnan(x[4]) && isnan(x[5]));
}

static void test_summary_known(void)
{
	/* statistics.mean/stdev/median/quantiles(method='inclusive') */
	double x[] = {12.5, 11.0, 13.25, 10.75, 12.0,
		      14.5, 11.5, 12.25, 13.0,	11.75};
	struct zc_summary s;

	CHECK(zc_stats_summary(x, 10, &s) == 0);
	CHECK(s.n == 10);
	NEAR(s.mean, 12.25, 1e-12);
	NEAR(s.stddev, 1.1242281302693369, 1e-12);
	NEAR(s.cv, 0.09177372491994587, 1e-12);
	NEAR(s.median, 12.125, 1e-12);
	NEAR(s.q1, 11.5625, 1e-12);
	NEAR(s.q3, 12.875, 1e-12);
	NEAR(s.mad, 0.75, 1e-12);
	CHECK(s.min == 10.75 && s.max == 14.5);
	/* n = 10: ranks 2 and 9 (coverage 0.9785). */
	CHECK(s.ci_exact == 1);
	CHECK(s.ci_lo == 11.0 && s.ci_hi == 13.25);
	CHECK(s.outliers == 0);
	CHECK(s.noisy == 1); /* cv 9 % > 5 % */
}

/*
 * Median CI ranks from the binomial CDF: python3
 *   l = largest k with sum(comb(n, i) for i < k) / 2^n <= 0.025
 */
static void test_ci_ranks(void)
{
	static const struct {
		int n, lo, hi;
	} want[] = {
		{6, 1, 6},     {7, 1, 7},	 {8, 1, 8},    {9, 2, 8},
		{10, 2, 9},    {20, 6, 15},	 {30, 10, 21}, {50, 18, 33},
		{100, 40, 61}, {1000, 469, 532},
	};
	static double x[1000];
	struct zc_summary s;

	/* x_(i) = i, shuffled (Fisher-Yates, a fixed LCG), so that the
	 * interval shows the ranks; a shuffle has no drift. */
	for (size_t t = 0; t < sizeof(want) / sizeof(*want); t++) {
		int n = want[t].n;
		uint32_t g = 12345;
		for (int i = 0; i < n; i++)
			x[i] = (double)(i + 1);
		for (int i = n - 1; i > 0; i--) {
			int j;
			double tmp;
			g = g * 1103515245u + 12345u;
			j = (int)((g >> 8) % (uint32_t)(i + 1));
			tmp = x[i];
			x[i] = x[j];
			x[j] = tmp;
		}
		CHECK(zc_stats_summary(x, (size_t)n, &s) == 0);
		CHECK(s.ci_exact == 1);
		CHECK(!s.drift && s.n_eff == n);
		if (s.ci_lo != want[t].lo || s.ci_hi != want[t].hi) {
			fprintf(stderr, "n=%d: ci [%g, %g], want [%d, %d]\n", n,
				s.ci_lo, s.ci_hi, want[t].lo, want[t].hi);
			zc_check_failures++;
		}
	}
	/* Below 6 samples no pair of order statistics reaches 95 %. */
	double five[] = {5, 1, 4, 2, 3};
	CHECK(zc_stats_summary(five, 5, &s) == 0);
	CHECK(s.ci_exact == 0 && s.ci_lo == 1 && s.ci_hi == 5);
	CHECK(s.median == 3);
}

/*
 * Drift: samples that follow one another in time. A slow ramp with a
 * small wobble has a lag-1 autocorrelation near 1, so its interval is
 * that of far fewer samples than the same values shuffled; alternating
 * samples correlate negatively and keep the interval of n.
 * Lag-1 r by hand: python3
 *   m = mean(x); sum((a-m)*(b-m) for a, b in zip(x, x[1:])) /
 *   sum((a-m)**2 for a in x)
 */
static void test_drift(void)
{
	double ramp[25], alt[25], shuf[25], gap[] = {1, NAN, 2, 3, NAN, 4};
	struct zc_summary a, b;

	for (int i = 0; i < 25; i++) {
		ramp[i] = 10 + i + (i % 2 ? 0.25 : -0.25);
		alt[i] = i % 2 ? 12 : 8;
	}
	/* 7 is coprime to 25: every value once, jumping about. */
	for (int i = 0; i < 25; i++)
		shuf[i] = ramp[(i * 7) % 25];
	CHECK(zc_stats_summary(ramp, 25, &a) == 0);
	CHECK(a.drift == 1 && a.lag1 > 0.85 && a.lag1 < 1);
	NEAR(a.n_eff, 25 * (1 - a.lag1) / (1 + a.lag1), 1e-12);
	CHECK(a.n_eff < 2);
	/* Fewer than 6 effective samples: the full range, not exact. */
	CHECK(a.ci_exact == 0 && a.ci_lo == a.min && a.ci_hi == a.max);
	CHECK(zc_stats_summary(shuf, 25, &b) == 0);
	CHECK(b.drift == 0 && b.n_eff == 25 && b.ci_exact == 1);
	CHECK(b.median == a.median && b.ci_hi - b.ci_lo < a.ci_hi - a.ci_lo);
	/* Ranks 8 and 18 of 25 for independent samples. */
	CHECK(b.ci_lo == 17.25 && b.ci_hi == 27.25);
	CHECK(zc_stats_summary(alt, 25, &a) == 0);
	CHECK(a.lag1 < -0.9 && a.drift == 0 && a.n_eff == 25);
	/* NaNs are skipped: 1, 2, 3, 4 is a ramp (r = 0.25 by the formula,
	 * under the bound 1.96 / 2 for 4 samples). */
	CHECK(zc_stats_summary(gap, 6, &a) == 0);
	NEAR(a.lag1, 0.25, 1e-12);
	CHECK(a.drift == 0);
}

static void test_outliers(void)
{
	double x[] = {10, 10.1, 9.9, 10.05, 9.95, 20};
	double flat[] = {5, 5, 5, 5, 5};
	double mostly[] = {100, 100, 100, 100, 100, 100, 140};
	double tame[] = {10, 10.2, 9.8, 10.1, 9.9, 10.3};
	struct zc_summary s;

	CHECK(zc_stats_summary(x, 6, &s) == 0);
	CHECK(s.outliers == 1);
	CHECK(s.noisy == 1);
	CHECK(zc_stats_summary(tame, 6, &s) == 0);
	CHECK(s.outliers == 0);
	CHECK(s.cv < ZC_NOISY_CV && s.noisy == 0);
	CHECK(zc_stats_summary(flat, 5, &s) == 0);
	CHECK(s.outliers == 0 && s.noisy == 0 && s.cv == 0 && s.mad == 0);
	/* MAD 0: the mean absolute deviation scales instead. */
	CHECK(zc_stats_summary(mostly, 7, &s) == 0);
	CHECK(s.mad == 0 && s.outliers == 1);
}

static void test_edges(void)
{
	double one = 42, nans[] = {NAN, NAN}, some[] = {1, NAN, 3};
	struct zc_summary s;

	CHECK(zc_stats_summary(&one, 0, &s) == -EINVAL);
	CHECK(zc_stats_summary(nans, 2, &s) == -EINVAL);
	CHECK(zc_stats_summary(&one, 1, &s) == 0);
	CHECK(s.n == 1 && s.median == 42 && s.min == 42 && s.max == 42);
	CHECK(s.stddev == 0 && s.cv == 0 && s.noisy == 0);
	CHECK(s.ci_lo == 42 && s.ci_hi == 42 && s.ci_exact == 0);
	CHECK(zc_stats_summary(some, 3, &s) == 0);
	CHECK(s.n == 2 && s.median == 2 && s.mean == 2);
	/* A zero mean has no cv. */
	double sym[] = {-1, 1};
	CHECK(zc_stats_summary(sym, 2, &s) == 0);
	CHECK(s.cv == 0);
}

static void test_mann_whitney(void)
{
	double a3[] = {1, 2, 3}, b3[] = {4, 5, 6};
	double a5[] = {1, 2, 3, 4, 5}, b5[] = {6, 7, 8, 9, 10};
	double a7[] = {1, 2, 3, 5, 7, 10, 11}, b5b[] = {4, 6, 8, 9, 12};
	double a8[] = {1, 2, 3, 4, 5, 6, 7, 9};
	double b8[] = {8, 10, 11, 12, 13, 14, 15, 16};
	double at[] = {1, 2, 2, 3, 4, 5, 6, 7, 8, 9};
	double bt[] = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
	double a10[10], b10[10], same[] = {3, 3, 3, 3};
	double p;

	/* Exact (brute-force enumeration in python): U = 0 of 3 x 3 has
	 * 1 ordering in 20 below and 1 above. */
	NEAR(zc_stats_mann_whitney(a3, 3, b3, 3), 0.1, 1e-12);
	NEAR(zc_stats_mann_whitney(b3, 3, a3, 3), 0.1, 1e-12);
	NEAR(zc_stats_mann_whitney(a5, 5, b5, 5), 0.007936507936507936, 1e-12);
	/* a7 vs b5b: U = 11 -> 0.3434343434343434 */
	NEAR(zc_stats_mann_whitney(a7, 7, b5b, 5), 0.3434343434343434, 1e-12);
	/* a8 vs b8: U = 1 (9 > 8) -> 2 * 2 / 12870 */
	NEAR(zc_stats_mann_whitney(a8, 8, b8, 8), 4.0 / 12870, 1e-12);

	/* Ties: normal approximation, tie-corrected variance, continuity
	 * correction; U = 12.5 -> 0.00505877063692801. */
	NEAR(zc_stats_mann_whitney(at, 10, bt, 10), 0.00505877063692801, 1e-12);
	/* n > 8 without ties: normal; U = 20 -> 0.025748080821108084. */
	for (int i = 0; i < 10; i++) {
		static const double base[] = {1.1, 2.2, 3.3, 4.4, 5.5,
					      6.6, 7.7, 8.8, 9.9, 10.1};
		a10[i] = base[i];
		b10[i] = base[i] + 4.05;
	}
	NEAR(zc_stats_mann_whitney(a10, 10, b10, 10), 0.025748080821108084,
	     1e-12);

	/* Identical samples: no evidence at all. */
	NEAR(zc_stats_mann_whitney(same, 4, same, 4), 1, 0);
	NEAR(zc_stats_mann_whitney(a5, 5, a5, 5), 1, 1e-12);
	p = zc_stats_mann_whitney(a5, 5, b5, 0);
	CHECK(p == -EINVAL);
	double nan1 = NAN;
	CHECK(zc_stats_mann_whitney(&nan1, 1, b5, 5) == -EINVAL);
}

/* Student's t quantiles (printed tables, 3 decimals). */
static void test_t_quantile(void)
{
	NEAR(zc_stats_t_quantile(0.975, 1), 12.706, 1e-3);
	NEAR(zc_stats_t_quantile(0.975, 9), 2.262, 1e-3);
	NEAR(zc_stats_t_quantile(0.995, 4), 4.604, 1e-3);
	NEAR(zc_stats_t_quantile(0.9995, 30), 3.646, 1e-3);
	NEAR(zc_stats_t_quantile(0.999, 200), 3.131, 2e-3);
	CHECK(isnan(zc_stats_t_quantile(0.4, 5)));
	CHECK(isnan(zc_stats_t_quantile(0.975, 0)));
}

int main(void)
{
	test_quantiles();
	test_sort();
	test_summary_known();
	test_ci_ranks();
	test_drift();
	test_outliers();
	test_edges();
	test_t_quantile();
	test_mann_whitney();
	return zc_check_result();
}
