/* SPDX-License-Identifier: MIT */
/*
 * regime — gap clustering of sentinel values, sample regimes, ratios
 * within a regime.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "regime.h"
#include "stats.h"

/* Segments of the sorted values: [start[k], start[k+1]). */
struct cut {
	int nseg;
	int start[ZC_REGIME_MAX + 1];
};

static double median_of(const double *s, int lo, int hi)
{
	return zc_stats_quantile_sorted(s + lo, (size_t)(hi - lo), 0.5);
}

/* The widest admissible gap in [lo, hi): its index (the first value of
 * the right side), or -1. */
static int best_split(const double *s, int lo, int hi, int min_n, double *width)
{
	int best = -1;

	*width = 0;
	for (int i = lo + min_n; i <= hi - min_n; i++) {
		double g = s[i] / s[i - 1];
		if (g < ZC_REGIME_GAP || g <= *width)
			continue;
		if (median_of(s, i, hi) / median_of(s, lo, i) < ZC_REGIME_SEP)
			continue;
		best = i;
		*width = g;
	}
	return best;
}

int zc_regimes_find(const double *v, size_t n, struct zc_regimes *r)
{
	struct cut c = {.nseg = 1};
	double *s;
	int m = 0, min_n;

	memset(r, 0, sizeof(*r));
	s = malloc((n ? n : 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]) && v[i] > 0)
			s[m++] = v[i];
	if (!m) {
		free(s);
		return 0;
	}
	zc_stats_sort(s, (size_t)m);
	min_n = (int)ceil(ZC_REGIME_SHARE * m);
	min_n = min_n > ZC_REGIME_MIN_N ? min_n : ZC_REGIME_MIN_N;
	c.start[0] = 0;
	c.start[1] = m;
	/* Widest gap first, over all segments, until none qualifies. */
	while (c.nseg < ZC_REGIME_MAX) {
		int at = -1, seg = -1;
		double wmax = 0, w;
		for (int k = 0; k < c.nseg; k++) {
			int i = best_split(s, c.start[k], c.start[k + 1], min_n,
					   &w);
			if (i >= 0 && w > wmax) {
				wmax = w;
				at = i;
				seg = k;
			}
		}
		if (at < 0)
			break;
		memmove(&c.start[seg + 2], &c.start[seg + 1],
			(size_t)(c.nseg - seg) * sizeof(int));
		c.start[seg + 1] = at;
		c.nseg++;
	}
	r->n = c.nseg;
	r->total = m;
	for (int k = 0; k < c.nseg; k++) {
		int lo = c.start[k], hi = c.start[k + 1];
		double q1 = zc_stats_quantile_sorted(s + lo, (size_t)(hi - lo),
						     0.25);
		double q3 = zc_stats_quantile_sorted(s + lo, (size_t)(hi - lo),
						     0.75);
		r->median[k] = median_of(s, lo, hi);
		r->lo[k] = s[lo];
		r->hi[k] = s[hi - 1];
		r->count[k] = hi - lo;
		r->drifting[k] = q1 > 0 && q3 / q1 > ZC_REGIME_SEP;
		r->bound[k] =
			k + 1 < c.nseg ? sqrt(s[hi - 1] * s[hi]) : INFINITY;
	}
	free(s);
	return 0;
}

int zc_regime_of(const struct zc_regimes *r, double v)
{
	if (!r->n || !isfinite(v) || v <= 0)
		return ZC_REGIME_NONE;
	for (int k = 0; k < r->n - 1; k++)
		if (v < r->bound[k])
			return k;
	return r->n - 1;
}

int zc_regime_sample(const struct zc_regimes *r, double before, double after)
{
	int a = zc_regime_of(r, before), b = zc_regime_of(r, after);

	if (a == ZC_REGIME_NONE)
		return b;
	if (b == ZC_REGIME_NONE || a == b)
		return a;
	return ZC_REGIME_MOVED;
}

static int pace_over(double floor, double pace, double bound)
{
	return isfinite(floor) && floor > 0 && isfinite(pace) &&
	       pace > bound * floor;
}

int zc_pace_slowed(double floor_before, double floor_after, double before,
		   double after, double bound)
{
	return pace_over(floor_before, before, bound) ||
	       pace_over(floor_after, after, bound);
}

int zc_pace_bound(const double *rel, size_t n, double *bound)
{
	struct zc_regimes r;
	int err = zc_regimes_find(rel, n, &r);

	*bound = INFINITY;
	if (err < 0)
		return err;
	if (r.n > 1)
		*bound = r.bound[0];
	return 0;
}

int zc_regime_ratio(const double *x, const int *xr, int nx, const double *b,
		    const int *br, int nb, int invert, double *out)
{
	double med[ZC_REGIME_MAX], tmp[nb > 0 ? nb : 1];
	int got = 0;

	/* The baseline's median in each regime. */
	for (int k = 0; k < ZC_REGIME_MAX; k++) {
		int m = 0;
		for (int i = 0; i < nb; i++)
			if (br[i] == k && isfinite(b[i]))
				tmp[m++] = b[i];
		zc_stats_sort(tmp, (size_t)m);
		med[k] =
			m ? zc_stats_quantile_sorted(tmp, (size_t)m, 0.5) : NAN;
	}
	for (int i = 0; i < nx; i++) {
		int k = xr[i];
		double base;
		out[i] = NAN;
		if (!isfinite(x[i]) || k < 0 || k >= ZC_REGIME_MAX)
			continue;
		if (i < nb && br[i] == k && isfinite(b[i]))
			base = b[i]; /* same round, same regime: paired */
		else
			base = med[k];
		if (!isfinite(base) || base == 0 || x[i] == 0)
			continue;
		out[i] = invert ? base / x[i] : x[i] / base;
		got++;
	}
	return got;
}
