/* SPDX-License-Identifier: MIT */
/*
 * Description: regime clustering of synthetic sentinel series (one regime,
 * two, three, a drift, a moved sample, all equal, too few, outliers, NaN)
 * and regime-aware paired ratios.
 * Labels: unit
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "regime.h"

/* Deterministic noise in [-1, 1). */
static double noise(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return ((*s >> 8) & 0xffff) / 32768.0 - 1;
}

static int fill(double *v, int n, double centre, double rel, unsigned *seed)
{
	for (int i = 0; i < n; i++)
		v[i] = centre * (1 + rel * noise(seed));
	return n;
}

int main(void)
{
	struct zc_regimes r;
	double v[400], x[8], b[8], out[8];
	int xr[8], br[8], n;
	unsigned seed = 1;

	/* One tight cluster: one regime, not drifting (the steady case:
	 * output as it always was). */
	n = fill(v, 100, 52, 0.08, &seed);
	CHECK(zc_regimes_find(v, (size_t)n, &r) == 0);
	CHECKF(r.n == 1 && r.count[0] == 100 && !r.drifting[0], "n %d", r.n);
	CHECK(fabs(r.median[0] - 52) < 3);
	CHECK(zc_regime_of(&r, 1000) == 0 && zc_regime_of(&r, 1) == 0);

	/* Two states, 60 % near (~50 ns), 40 % far (~220 ns). */
	n = fill(v, 120, 50, 0.1, &seed);
	n += fill(v + n, 80, 220, 0.1, &seed);
	CHECK(zc_regimes_find(v, (size_t)n, &r) == 0);
	CHECKF(r.n == 2, "n %d", r.n);
	CHECK(r.count[0] == 120 && r.count[1] == 80);
	CHECK(fabs(r.median[0] - 50) < 5 && fabs(r.median[1] - 220) < 20);
	CHECK(r.bound[0] > 55 && r.bound[0] < 198);
	CHECK(zc_regime_of(&r, 49) == 0 && zc_regime_of(&r, 230) == 1);
	CHECK(zc_regime_of(&r, NAN) == ZC_REGIME_NONE);

	/* A sample that moved: before near, after far. */
	CHECK(zc_regime_sample(&r, 51, 215) == ZC_REGIME_MOVED);
	CHECK(zc_regime_sample(&r, 215, 225) == 1);
	CHECK(zc_regime_sample(&r, NAN, 48) == 0);
	CHECK(zc_regime_sample(&r, NAN, NAN) == ZC_REGIME_NONE);

	/* Three states. */
	n = fill(v, 60, 25, 0.05, &seed);
	n += fill(v + n, 60, 60, 0.05, &seed);
	n += fill(v + n, 60, 200, 0.05, &seed);
	CHECK(zc_regimes_find(v, (size_t)n, &r) == 0);
	CHECKF(r.n == 3, "n %d", r.n);
	CHECK(r.median[0] < r.median[1] && r.median[1] < r.median[2]);

	/* A drift from 50 to 240 ns without a gap: one regime, flagged. */
	for (n = 0; n < 200; n++)
		v[n] = 50 * pow(240.0 / 50, n / 199.0);
	CHECK(zc_regimes_find(v, (size_t)n, &r) == 0);
	CHECKF(r.n == 1 && r.drifting[0], "n %d drifting %d", r.n,
	       r.drifting[0]);

	/* All equal; too few to split; a lone outlier is no regime. */
	for (n = 0; n < 50; n++)
		v[n] = 80;
	CHECK(zc_regimes_find(v, (size_t)n, &r) == 0 && r.n == 1 &&
	      r.median[0] == 80 && !r.drifting[0]);
	double few[4] = {50, 51, 220, 230};
	CHECK(zc_regimes_find(few, 4, &r) == 0 && r.n == 1);
	n = fill(v, 99, 50, 0.05, &seed);
	v[n++] = 5000;
	CHECK(zc_regimes_find(v, (size_t)n, &r) == 0 && r.n == 1);
	/* Nothing to cluster: NaN, zero and negative values are ignored. */
	double bad[3] = {NAN, 0, -4};
	CHECK(zc_regimes_find(bad, 3, &r) == 0 && r.n == 0);
	CHECK(zc_regime_of(&r, 50) == ZC_REGIME_NONE);
	CHECK(zc_regimes_find(bad, 0, &r) == 0 && r.n == 0);

	/* Paired ratios: rounds 0-2 near, 3-5 far; the baseline moved in
	 * round 4 and has no sample in round 5. */
	double xs[6] = {20, 22, 21, 3, 3.3, 3.1}, bs[6] = {2, 2.2, 2, 1, 9, 9};
	int xrs[6] = {0, 0, 0, 1, 1, 1},
	    brs[6] = {0, 0, 0, 1, ZC_REGIME_MOVED, ZC_REGIME_MOVED};
	double o6[6];
	CHECK(zc_regime_ratio(xs, xrs, 6, bs, brs, 6, 0, o6) == 6);
	CHECK(o6[0] == 10 && o6[1] == 10 && o6[2] == 10.5);
	CHECK(o6[3] == 3);
	/* rounds 4, 5: the baseline's far median (1) */
	CHECK(fabs(o6[4] - 3.3) < 1e-12 && fabs(o6[5] - 3.1) < 1e-12);
	/* A regime the baseline never saw, a moved sample: no ratio. */
	memcpy(x, (double[]){5, 6}, 2 * sizeof(double));
	memcpy(xr, (int[]){2, ZC_REGIME_MOVED}, 2 * sizeof(int));
	memcpy(b, (double[]){1, 1}, 2 * sizeof(double));
	memcpy(br, (int[]){0, 0}, 2 * sizeof(int));
	CHECK(zc_regime_ratio(x, xr, 2, b, br, 2, 0, out) == 0);
	CHECK(isnan(out[0]) && isnan(out[1]));
	/* invert: a speed-up of a time */
	memcpy(x, (double[]){4}, sizeof(double));
	memcpy(xr, (int[]){0}, sizeof(int));
	memcpy(b, (double[]){8}, sizeof(double));
	CHECK(zc_regime_ratio(x, xr, 1, b, br, 1, 1, out) == 1 && out[0] == 2);
	return zc_check_result();
}
