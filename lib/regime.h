/* SPDX-License-Identifier: MIT */
#ifndef ZC_REGIME_H
#define ZC_REGIME_H
/*
 * regime — host-placement regimes: the states a VM's vCPU pair is in, read
 * from the sentinel (lib/sentinel.h) taken before and after every sample.
 *
 * The values of one CPU pair over a run are clustered in one dimension on
 * a log scale by splitting at gaps: the sorted values are cut at the widest
 * gap (a factor between neighbours) as long as
 *	- the gap is at least ZC_REGIME_GAP (no value in between),
 *	- the medians on both sides differ by ZC_REGIME_SEP or more, and
 *	- both sides hold at least ZC_REGIME_MIN_N values and ZC_REGIME_SHARE
 *	  of all values,
 * up to ZC_REGIME_MAX regimes, widest gap first. A steady machine (bare
 * metal, a pinned VM) gives one regime, so its output looks as it always
 * did. A value belongs to the regime whose range holds it; between two
 * regimes, to the one on its side of the boundary (the geometric middle
 * of the gap). A regime whose middle half spans more than ZC_REGIME_SEP
 * (q3/q1) is flagged drifting: the state moved without a gap, and its
 * figures blend states.
 *
 * A sample's regime comes from its two sentinels: the same regime before
 * and after; ZC_REGIME_MOVED when they differ (the host moved the vCPUs
 * during the sample: kept, but left out of per-regime figures); the one
 * known when the other is missing; ZC_REGIME_NONE when neither is.
 *
 * Paired ratios (zc_regime_ratio): a case's sample r over its baseline's
 * sample r when both were measured in the same round and regime, else over
 * the baseline's median in the sample's regime; NaN when the baseline has
 * nothing in that regime or the sample moved. No ratio ever divides a
 * figure of one regime by a figure of another.
 *
 * Errors: zc_regimes_find returns 0, -EINVAL (n < 0), -ENOMEM.
 */
#include <stddef.h>

#define ZC_REGIME_MAX	4
#define ZC_REGIME_SEP	1.5
#define ZC_REGIME_GAP	1.15
#define ZC_REGIME_SHARE 0.05
#define ZC_REGIME_MIN_N 3

#define ZC_REGIME_NONE	 (-1)
#define ZC_REGIME_MOVED	 (-2)
#define ZC_REGIME_SLOWED (-3)

/*
 * The pace (lib/sentinel.h, zc_sentinel_pace): a short integer loop timed
 * on both CPUs with every sentinel. The host can slow the CPUs while the
 * hand-off does not move (another tenant on the host core's other
 * hyperthread, a lower clock): seen on this project's VMs as 1.6-4x on
 * the pace and up to 2x on every figure, local ones too, for seconds to
 * minutes. A sample taken then is ZC_REGIME_SLOWED: kept, counted, left
 * out of the per-regime figures, like one that moved.
 *
 * Each pace is taken relative to its floor, the fastest pace of the run
 * taken right after the same work (lib/out.h, zc_case.prev): the work
 * itself leaves the CPUs slower for a while (seen on AMD EPYC guests:
 * 1.5-1.7x for at least 0.1 ms after false sharing, none after padded
 * stores), and that is not the host's doing. The relative paces of a CPU
 * pair are then clustered like the hand-off (zc_regimes_find: a gap of
 * ZC_REGIME_GAP, medians ZC_REGIME_SEP apart, ZC_REGIME_MIN_N values and
 * ZC_REGIME_SHARE of them on each side); a pace above the fastest
 * cluster's bound is slowed. One cluster: nothing is slowed.
 *
 * Why clusters, not a fixed factor: a fixed 1.03x (the undisturbed pace
 * repeats within 1 % on a calm host) marked 89-90 % of all samples slowed
 * on a busy AMD EPYC host whose pace wandered 1.0-1.6x without a gap,
 * with figures that did not follow it, and left no regime rows at all
 * (results/regimes/README.md); slowing that comes in episodes leaves a gap.
 */

/* The relative pace above which a sample is slowed, from the relative
 * paces rel[0..n) of a CPU pair (NaN ignored): the bound between the
 * fastest cluster and the next; INFINITY when there is one cluster.
 * 0 or -ENOMEM. */
int zc_pace_bound(const double *rel, size_t n, double *bound);

/* Is a sample slowed: its pace before over floor_before, or its pace
 * after over floor_after, more than bound? NaN: no. */
int zc_pace_slowed(double floor_before, double floor_after, double before,
		   double after, double bound);

struct zc_regimes {
	int n;			      /* regimes (0: no values) */
	int total;		      /* values clustered */
	double median[ZC_REGIME_MAX]; /* hand-off, ns, ascending */
	double lo[ZC_REGIME_MAX], hi[ZC_REGIME_MAX];
	int count[ZC_REGIME_MAX];
	int drifting[ZC_REGIME_MAX];
	double bound[ZC_REGIME_MAX]; /* bound[k]: between k and k+1 */
};

/* Cluster v[0..n) (NaN and values <= 0 ignored) into r. */
int zc_regimes_find(const double *v, size_t n, struct zc_regimes *r);

/* The regime of one value; ZC_REGIME_NONE for NaN or no regimes. */
int zc_regime_of(const struct zc_regimes *r, double v);

/* The regime of a sample from its sentinels before and after. */
int zc_regime_sample(const struct zc_regimes *r, double before, double after);

/*
 * Per-sample ratios of x over its baseline b, regime-aware (see above):
 * x[i], b[i] are the samples of round i (NaN: none), xr[i], br[i] their
 * regimes. out[i] = x[i] / base, or 1 / that with invert. Returns the
 * number of ratios written (others NaN).
 */
int zc_regime_ratio(const double *x, const int *xr, int nx, const double *b,
		    const int *br, int nb, int invert, double *out);

#endif
