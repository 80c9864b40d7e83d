/* SPDX-License-Identifier: MIT */
#ifndef ZC_STATS_H
#define ZC_STATS_H
/*
 * stats — summaries of repetitions and log-bucket latency histograms.
 *
 * zc_stats_summary() sorts a copy of the samples (NaN samples are ignored,
 * so an absent value never becomes 0) and reports order statistics, the
 * moments, a distribution-free 95 % confidence interval for the median
 * (binomial order statistics; with fewer than 6 samples the interval is the
 * full range, and ci_exact is 0), and MAD outliers (|x - median| > 3.5
 * scaled MAD, the Iglewicz–Hoaglin rule).
 *
 * The samples are taken in the order given, which callers keep as the
 * order in time (repetition order). Their lag-1 autocorrelation r tells
 * whether successive samples follow one another: above the 95 % bound of
 * independent samples, 1.96 / sqrt(n) (Bartlett), the samples "drift"
 * (the host changed state during the run), and the interval for the
 * median is computed for n_eff = n (1 - r) / (1 + r) effective samples
 * (the AR(1) variance inflation) instead of n, so that it does not
 * claim a precision that dependent samples do not have.
 *
 * The histogram never allocates while recording: buckets are a fixed array
 * of 2^ZC_HIST_SUB sub-buckets per power of two (relative error below
 * 1/2^ZC_HIST_SUB = 3.1 %), covering 0 .. 2^63 ns.
 *
 * Errors: summary returns -EINVAL for n == 0 or all-NaN, -ENOMEM when the
 * sort buffer cannot be allocated; the histogram calls cannot fail.
 */
#include <stddef.h>
#include <stdint.h>

struct zc_summary {
	int n; /* samples used (NaN excluded) */
	double min, max, mean, median, stddev;
	double cv;	     /* stddev / mean; 0 when mean == 0 */
	double q1, q3;	     /* quartiles (linear interpolation) */
	double mad;	     /* median absolute deviation (unscaled) */
	double ci_lo, ci_hi; /* 95 % interval for the median */
	int ci_exact;	     /* 1 when the interval has >= 95 % coverage */
	int outliers;	     /* samples flagged by the MAD rule */
	int noisy;	     /* cv > ZC_NOISY_CV or outliers present */
	double lag1;	     /* lag-1 autocorrelation in the given order */
	double n_eff;	     /* effective samples behind ci_lo/ci_hi */
	int drift;	     /* lag1 > 1.96 / sqrt(n): n_eff < n */
};

#define ZC_NOISY_CV 0.05

int zc_stats_summary(const double *x, size_t n, struct zc_summary *s);

/* Student's t quantile: t with P(T <= t) = p for df degrees of freedom
 * (0.5 < p < 1, df >= 1; else NaN). t(0.975, 9) = 2.262. */
double zc_stats_t_quantile(double p, int df);

/* Quantile q in [0,1] of sorted data (linear interpolation, type 7). */
double zc_stats_quantile_sorted(const double *sorted, size_t n, double q);

/* Sort doubles ascending in place (NaN last). */
void zc_stats_sort(double *x, size_t n);

/*
 * Mann-Whitney U test, two-sided, normal approximation with tie correction
 * (exact enumeration when both n <= 8). Returns the p-value in [0,1], or
 * a negative -errno (-EINVAL: a side with no samples).
 */
double zc_stats_mann_whitney(const double *a, size_t na, const double *b,
			     size_t nb);

#define ZC_HIST_SUB	 5
#define ZC_HIST_NBUCKETS (64 << ZC_HIST_SUB)

struct zc_hist {
	uint64_t count;
	uint64_t min, max;
	double sum;
	uint64_t bucket[ZC_HIST_NBUCKETS];
};

void zc_hist_init(struct zc_hist *h);
/* Record one value (ns). Lock-free only for a single writer. */
void zc_hist_record(struct zc_hist *h, uint64_t v);
/* Add b's counts into a. */
void zc_hist_merge(struct zc_hist *a, const struct zc_hist *b);
/* Value at quantile q in [0,1] (upper edge of its bucket, clamped to max);
 * 0 for an empty histogram. */
uint64_t zc_hist_quantile(const struct zc_hist *h, double q);
/* Bucket index for v and the bucket's [lo, hi] range (for tests, plots). */
int zc_hist_bucket(uint64_t v);
void zc_hist_bucket_range(int b, uint64_t *lo, uint64_t *hi);

#endif
