/* SPDX-License-Identifier: MIT */
/*
 * Description: ab's bootstrap of the median worse factor: independent
 * pairs get the plain bootstrap, pairs that drift from round to round a
 * moving-block one with a wider interval; the seed is fixed
 * Labels: unit
 */
#include <errno.h>
#include <math.h>

#include "ab.h"
#include "check.h"
#include "stats.h"

/* 60 rounds of worse factors around 1.04: a slow swing (drift) and the
 * same values visited in a scrambled order (none). */
static void series(double *drift, double *shuffled, int n)
{
	for (int i = 0; i < n; i++)
		drift[i] = 1.04 + 0.06 * sin(6.283185307179586 * i / n) +
			   (i % 3 - 1) * 0.004;
	/* 23 is coprime to 60: each value once, jumping about. */
	for (int i = 0; i < n; i++)
		shuffled[i] = drift[(i * 23) % n];
}

static void test_block_wider(void)
{
	enum {
		N = 60
	};
	double d[N], sh[N], med[2], lo[2], hi[2], again[3];
	struct zc_summary s;

	series(d, sh, N);
	CHECK(zc_stats_summary(d, N, &s) == 0 && s.drift);
	CHECK(zc_stats_summary(sh, N, &s) == 0 && !s.drift);
	CHECK(zc_ab_bootstrap(d, N, &med[0], &lo[0], &hi[0]) == 0);
	CHECK(zc_ab_bootstrap(sh, N, &med[1], &lo[1], &hi[1]) == 0);
	/* The same values: the same median; the drifting order's interval
	 * is wider, since blocks of rounds move together. */
	CHECK(med[0] == med[1]);
	CHECKF(hi[0] - lo[0] > 1.3 * (hi[1] - lo[1]),
	       "drift [%g, %g], shuffled [%g, %g]", lo[0], hi[0], lo[1], hi[1]);
	CHECK(lo[0] <= med[0] && med[0] <= hi[0]);
	CHECK(lo[1] <= med[1] && med[1] <= hi[1]);
	/* Fixed seed: the same input, the same interval. */
	CHECK(zc_ab_bootstrap(d, N, &again[0], &again[1], &again[2]) == 0);
	CHECK(again[0] == med[0] && again[1] == lo[0] && again[2] == hi[0]);
}

static void test_edges(void)
{
	double one = 1.1, m, lo, hi, flat[] = {1, 1, 1, 1, 1, 1};

	CHECK(zc_ab_bootstrap(&one, 0, &m, &lo, &hi) == -EINVAL);
	CHECK(zc_ab_bootstrap(&one, 1, &m, &lo, &hi) == 0);
	CHECK(m == 1.1 && lo == 1.1 && hi == 1.1);
	CHECK(zc_ab_bootstrap(flat, 6, &m, &lo, &hi) == 0);
	CHECK(m == 1 && lo == 1 && hi == 1);
}

int main(void)
{
	test_block_wider();
	test_edges();
	return zc_check_result();
}
