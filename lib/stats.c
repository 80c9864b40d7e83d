/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* NaN sorts last so that callers can cut the tail off. */
static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b);
	return (a > b) - (a < b);
}

void zc_stats_sort(double *x, size_t n)
{
	if (n > 1)
		qsort(x, n, sizeof(*x), cmp_double);
}

double zc_stats_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h, frac;
	size_t lo;

	if (n == 0 || isnan(q))
		return NAN;
	if (q <= 0)
		return sorted[0];
	if (q >= 1)
		return sorted[n - 1];
	h = (double)(n - 1) * q;
	lo = (size_t)h;
	frac = h - (double)lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

/*
 * The largest rank l (1-based) with P(B <= l - 1) <= 0.025 for
 * B ~ Binomial(n, 1/2), or 0 when even l = 1 fails (n < 6). Then
 * [x_(l), x_(n+1-l)] covers the median with probability
 * 1 - 2 P(B <= l - 1) >= 95 % whatever the distribution. The terms are
 * summed in log space so that 2^-n cannot underflow for large n.
 */
static size_t median_ci_rank(size_t n)
{
	double logp = -(double)n * M_LN2, cdf = 0;
	size_t k;

	for (k = 0; k < n / 2; k++) {
		cdf += exp(logp);
		if (cdf > 0.025)
			break;
		logp += log((double)(n - k)) - log((double)(k + 1));
	}
	return k;
}

/*
 * Iglewicz-Hoaglin: modified z = 0.6745 (x - median) / MAD, outlier when
 * |z| > 3.5. When more than half the samples are equal the MAD is 0 and z
 * is undefined; like SPSS we then scale the mean absolute deviation by
 * 1.253314 instead (the same estimate of sigma for normal data), and see
 * no outliers when all samples are equal.
 */
static int count_outliers(const double *x, size_t n, double median, double mad)
{
	double scale = mad / 0.6745;
	int out = 0;

	if (scale == 0) {
		double sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += fabs(x[i] - median);
		scale = 1.253314 * sum / (double)n;
	}
	if (scale == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (fabs(x[i] - median) > 3.5 * scale)
			out++;
	return out;
}

/* Lag-1 autocorrelation of the non-NaN samples in their order: the
 * usual estimator, sum (x_i - mean)(x_i+1 - mean) / sum (x_i - mean)^2;
 * 0 for fewer than 3 samples or no spread. */
static double lag1(const double *x, size_t n, double mean)
{
	double num = 0, den = 0, prev = NAN;
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (isnan(x[i]))
			continue;
		den += (x[i] - mean) * (x[i] - mean);
		if (!isnan(prev))
			num += (prev - mean) * (x[i] - mean);
		prev = x[i];
		m++;
	}
	return m >= 3 && den > 0 ? num / den : 0;
}

/* Ranks of the median's interval among m sorted samples worth n_eff
 * independent ones: the binomial rank for n_eff, scaled to m (rounded
 * down, so wider), or 0 when n_eff is too few for any interval. */
static size_t median_ci_rank_eff(size_t m, double n_eff)
{
	size_t ne = (size_t)n_eff, l;

	if (ne >= m)
		return median_ci_rank(m);
	l = median_ci_rank(ne);
	if (!l)
		return 0;
	l = (size_t)((double)l * (double)m / n_eff);
	return l < 1 ? 1 : l;
}

int zc_stats_summary(const double *x, size_t n, struct zc_summary *s)
{
	double *v, sum = 0, ss = 0;
	size_t m = 0, l;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return -EINVAL;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			v[m++] = x[i];
	if (m == 0) {
		free(v);
		return -EINVAL;
	}
	zc_stats_sort(v, m);
	s->n = (int)m;
	s->min = v[0];
	s->max = v[m - 1];
	for (size_t i = 0; i < m; i++)
		sum += v[i];
	s->mean = sum / (double)m;
	/* Two passes: the one-pass formula cancels badly for nanosecond
	 * timings with a tiny spread. */
	for (size_t i = 0; i < m; i++)
		ss += (v[i] - s->mean) * (v[i] - s->mean);
	s->stddev = m > 1 ? sqrt(ss / (double)(m - 1)) : 0;
	/* |mean| so that a negative-valued metric can still be noisy. */
	s->cv = s->mean != 0 ? s->stddev / fabs(s->mean) : 0;
	s->median = zc_stats_quantile_sorted(v, m, 0.5);
	s->q1 = zc_stats_quantile_sorted(v, m, 0.25);
	s->q3 = zc_stats_quantile_sorted(v, m, 0.75);

	s->lag1 = lag1(x, n, s->mean);
	s->drift = s->lag1 > 1.96 / sqrt((double)m);
	s->n_eff = s->drift ? (double)m * (1 - s->lag1) / (1 + s->lag1)
			    : (double)m;
	l = median_ci_rank_eff(m, s->n_eff);
	s->ci_exact = l > 0;
	s->ci_lo = l > 0 ? v[l - 1] : v[0];
	s->ci_hi = l > 0 ? v[m - l] : v[m - 1];

	/* v is needed sorted no more: reuse it for the deviations. */
	for (size_t i = 0; i < m; i++)
		v[i] = fabs(v[i] - s->median);
	zc_stats_sort(v, m);
	s->mad = zc_stats_quantile_sorted(v, m, 0.5);
	free(v);

	s->outliers = count_outliers(x, n, s->median, s->mad);
	s->noisy = s->cv > ZC_NOISY_CV || s->outliers > 0;
	return 0;
}

struct mw_obs {
	double x;
	int side; /* 0: a, 1: b */
};

static int cmp_obs(const void *pa, const void *pb)
{
	return cmp_double(&((const struct mw_obs *)pa)->x,
			  &((const struct mw_obs *)pb)->x);
}

/*
 * Two-sided exact p-value for U (of side a) without ties: the number of
 * orderings of na a's and nb b's with each U value, by the recurrence
 * f(i, j, u) = f(i - 1, j, u - j) + f(i, j - 1, u) (the largest element
 * is an a, beating all j b's, or a b). 8 x 8 keeps counts below 2^14.
 */
#define MW_EXACT_MAX 8
static double mw_exact(size_t na, size_t nb, double u)
{
	enum {
		UMAX = MW_EXACT_MAX * MW_EXACT_MAX
	};
	double f[MW_EXACT_MAX + 1][MW_EXACT_MAX + 1][UMAX + 1];
	double total = 0, lo = 0, hi = 0, p;

	memset(f, 0, sizeof(f));
	for (size_t i = 0; i <= na; i++)
		for (size_t j = 0; j <= nb; j++)
			for (size_t k = 0; k <= i * j; k++) {
				if (i == 0 || j == 0) {
					f[i][j][k] = k == 0;
					continue;
				}
				f[i][j][k] = f[i][j - 1][k] +
					     (k >= j ? f[i - 1][j][k - j] : 0);
			}
	for (size_t k = 0; k <= na * nb; k++) {
		total += f[na][nb][k];
		if ((double)k <= u)
			lo += f[na][nb][k];
		if ((double)k >= u)
			hi += f[na][nb][k];
	}
	p = 2 * fmin(lo, hi) / total;
	return p > 1 ? 1 : p;
}

double zc_stats_mann_whitney(const double *a, size_t na, const double *b,
			     size_t nb)
{
	struct mw_obs *o;
	size_t n = 0, ma = 0, mb = 0, i, j;
	double ra = 0, ties = 0, u, mu, var, z, p;

	o = malloc((na + nb + 1) * sizeof(*o));
	if (!o)
		return -ENOMEM;
	for (i = 0; i < na; i++)
		if (!isnan(a[i]))
			o[n++] = (struct mw_obs){a[i], 0}, ma++;
	for (i = 0; i < nb; i++)
		if (!isnan(b[i]))
			o[n++] = (struct mw_obs){b[i], 1}, mb++;
	if (ma == 0 || mb == 0) {
		free(o);
		return -EINVAL;
	}
	qsort(o, n, sizeof(*o), cmp_obs);
	/* Average ranks over each run of equal values. */
	for (i = 0; i < n; i = j) {
		double rank, t;
		for (j = i + 1; j < n && o[j].x == o[i].x; j++)
			;
		rank = (double)(i + 1 + j) / 2;
		t = (double)(j - i);
		ties += t * t * t - t;
		for (size_t k = i; k < j; k++)
			if (o[k].side == 0)
				ra += rank;
	}
	free(o);
	u = ra - (double)ma * (double)(ma + 1) / 2;
	if (ties == 0 && ma <= MW_EXACT_MAX && mb <= MW_EXACT_MAX)
		return mw_exact(ma, mb, u);

	mu = (double)ma * (double)mb / 2;
	var = (double)ma * (double)mb / 12 *
	      ((double)(n + 1) - ties / ((double)n * (double)(n - 1)));
	if (var <= 0)
		return 1; /* every value equal: no evidence of a shift */
	/* Continuity correction, as scipy's default. */
	z = (fabs(u - mu) - 0.5) / sqrt(var);
	if (z <= 0)
		return 1;
	p = erfc(z / M_SQRT2);
	return p > 1 ? 1 : p;
}

/* Regularised incomplete beta I_x(a, b), by its continued fraction
 * (modified Lentz), for the t distribution's tail. */
static double betai(double a, double b, double x)
{
	double bt, c = 1, d, h, del, tiny = 1e-300;
	int sym = x > (a + 1) / (a + b + 2);

	if (x <= 0 || x >= 1)
		return x <= 0 ? 0 : 1;
	if (sym) {
		double t = a;
		a = b;
		b = t;
		x = 1 - x;
	}
	bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		 b * log1p(-x));
	d = 1 - (a + b) * x / (a + 1);
	d = fabs(d) < tiny ? tiny : d;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		for (int odd = 0; odd < 2; odd++) {
			double num =
				odd ? -(a + m) * (a + b + m) * x /
						((a + 2 * m) * (a + 2 * m + 1))
				    : m * (b - m) * x /
						((a + 2 * m - 1) * (a + 2 * m));
			d = 1 + num * d;
			d = fabs(d) < tiny ? tiny : d;
			c = 1 + num / c;
			c = fabs(c) < tiny ? tiny : c;
			d = 1 / d;
			del = d * c;
			h *= del;
		}
		if (fabs(del - 1) < 1e-12)
			break;
	}
	bt = bt * h / a;
	return sym ? 1 - bt : bt;
}

double zc_stats_t_quantile(double p, int df)
{
	double lo = 0, hi = 1e6;

	if (df < 1 || !(p > 0.5 && p < 1))
		return NAN;
	/* P(T > t) = I_{df/(df+t^2)}(df/2, 1/2) / 2, falling in t */
	for (int i = 0; i < 200 && hi - lo > 1e-9 * hi; i++) {
		double t = (lo + hi) / 2;
		if (betai(df / 2.0, 0.5, df / (df + t * t)) / 2 > 1 - p)
			lo = t;
		else
			hi = t;
	}
	return (lo + hi) / 2;
}

void zc_hist_init(struct zc_hist *h)
{
	memset(h, 0, sizeof(*h));
}

/*
 * Values below 2^SUB have a bucket each. Above, a value with its top bit
 * at position e (e >= SUB) falls in group e - SUB + 1 of 2^SUB buckets,
 * picked by the SUB bits below the top bit.
 */
int zc_hist_bucket(uint64_t v)
{
	int e;

	if (v < (1u << ZC_HIST_SUB))
		return (int)v;
	e = 63 - __builtin_clzll(v);
	return ((e - ZC_HIST_SUB + 1) << ZC_HIST_SUB) +
	       (int)((v >> (e - ZC_HIST_SUB)) & ((1u << ZC_HIST_SUB) - 1));
}

void zc_hist_bucket_range(int b, uint64_t *lo, uint64_t *hi)
{
	int group = b >> ZC_HIST_SUB, shift;
	uint64_t sub = (uint64_t)b & ((1u << ZC_HIST_SUB) - 1);

	if (group == 0) {
		*lo = *hi = (uint64_t)b;
		return;
	}
	shift = group - 1;
	*lo = (((uint64_t)1 << ZC_HIST_SUB) + sub) << shift;
	*hi = *lo + (((uint64_t)1 << shift) - 1);
}

void zc_hist_record(struct zc_hist *h, uint64_t v)
{
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += (double)v;
	h->bucket[zc_hist_bucket(v)]++;
}

void zc_hist_merge(struct zc_hist *a, const struct zc_hist *b)
{
	if (b->count == 0)
		return;
	if (a->count == 0 || b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
	a->count += b->count;
	a->sum += b->sum;
	for (int i = 0; i < ZC_HIST_NBUCKETS; i++)
		a->bucket[i] += b->bucket[i];
}

uint64_t zc_hist_quantile(const struct zc_hist *h, double q)
{
	uint64_t rank, seen = 0, lo, hi;

	if (h->count == 0)
		return 0;
	if (!(q > 0))
		q = 0;
	if (q > 1)
		q = 1;
	/* The smallest value with at least ceil(q * count) values <= it. */
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank == 0)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (int i = 0; i < ZC_HIST_NBUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			zc_hist_bucket_range(i, &lo, &hi);
			return hi < h->max ? hi : h->max;
		}
	}
	return h->max;
}
