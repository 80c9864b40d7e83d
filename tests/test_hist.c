/* SPDX-License-Identifier: MIT */
/*
 * Description: log-bucket histogram: bucket edges, quantile error bound, merge
 * Labels: unit
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stats.h"

/* splitmix64: a fixed, portable stream of test values. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform01(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return (a > b) - (a < b);
}

static void test_buckets(void)
{
	uint64_t lo, hi, prev_hi = 0;

	for (uint64_t v = 0; v < (1u << ZC_HIST_SUB); v++) {
		CHECK(zc_hist_bucket(v) == (int)v);
		zc_hist_bucket_range((int)v, &lo, &hi);
		CHECK(lo == v && hi == v);
	}
	/* Buckets tile 0 .. 2^64 - 1 without gaps or overlaps, each at most
	 * 1/2^SUB of its lower edge wide. */
	for (int b = 0; b < ZC_HIST_NBUCKETS; b++) {
		zc_hist_bucket_range(b, &lo, &hi);
		if (b > 0 && lo != prev_hi + 1) {
			fprintf(stderr, "bucket %d starts at %llu after %llu\n",
				b, (unsigned long long)lo,
				(unsigned long long)prev_hi);
			zc_check_failures++;
			return;
		}
		CHECK(lo <= hi);
		CHECK(zc_hist_bucket(lo) == b && zc_hist_bucket(hi) == b);
		if (lo >= (1u << ZC_HIST_SUB))
			CHECK((double)(hi - lo + 1) <=
			      (double)lo / (1u << ZC_HIST_SUB));
		prev_hi = hi;
		if (hi == UINT64_MAX)
			break;
	}
	CHECK(prev_hi == UINT64_MAX);
	CHECK(zc_hist_bucket(UINT64_MAX) < ZC_HIST_NBUCKETS);
	CHECK(zc_hist_bucket((uint64_t)1 << 63) < ZC_HIST_NBUCKETS);
	for (int i = 0; i < 100000; i++) {
		uint64_t v = rng() >> (rng() % 64);
		zc_hist_bucket_range(zc_hist_bucket(v), &lo, &hi);
		CHECK(lo <= v && v <= hi);
	}
}

/*
 * The histogram answers the upper edge of the bucket holding the exact
 * order statistic of rank ceil(q n): never below it, at most one bucket
 * width (1/2^SUB relative) above it.
 */
static void check_quantiles(const char *what, uint64_t *v, size_t n)
{
	static const double qs[] = {0,	  0.001, 0.01, 0.1,    0.25, 0.5,
				    0.75, 0.9,	 0.99, 0.9999, 1};
	struct zc_hist *h = malloc(sizeof(*h));

	zc_hist_init(h);
	for (size_t i = 0; i < n; i++)
		zc_hist_record(h, v[i]);
	qsort(v, n, sizeof(*v), cmp_u64);
	CHECK(h->count == n && h->min == v[0] && h->max == v[n - 1]);
	for (size_t i = 0; i < sizeof(qs) / sizeof(*qs); i++) {
		size_t rank = (size_t)ceil(qs[i] * (double)n);
		uint64_t exact = v[rank ? rank - 1 : 0];
		uint64_t got = zc_hist_quantile(h, qs[i]);
		double bound =
			(double)exact * (1.0 + 1.0 / (1u << ZC_HIST_SUB));
		if (got < exact || (double)got > bound) {
			fprintf(stderr, "%s q=%g: hist %llu, exact %llu\n",
				what, qs[i], (unsigned long long)got,
				(unsigned long long)exact);
			zc_check_failures++;
		}
	}
	free(h);
}

static void test_quantile_accuracy(void)
{
	enum {
		N = 200000
	};
	uint64_t *v = malloc(N * sizeof(*v));

	for (size_t i = 0; i < N; i++)
		v[i] = 1 + rng() % 100000;
	check_quantiles("uniform", v, N);
	for (size_t i = 0; i < N; i++) /* mean 5 us */
		v[i] = (uint64_t)(-5000.0 * log(1.0 - uniform01()));
	check_quantiles("exponential", v, N);
	for (size_t i = 0; i < N; i++) { /* log-normal, heavy tail */
		double z = sqrt(-2 * log(1 - uniform01())) *
			   cos(2 * M_PI * uniform01());
		v[i] = (uint64_t)exp(7 + 2 * z);
	}
	check_quantiles("lognormal", v, N);
	for (size_t i = 0; i < N; i++) /* small exact values */
		v[i] = rng() % 20;
	check_quantiles("small", v, N);
	for (size_t i = 0; i < N; i++) /* the top of the range */
		v[i] = ((uint64_t)1 << 63) + (rng() >> 1);
	check_quantiles("huge", v, N);
	free(v);
}

static void test_merge_and_edges(void)
{
	struct zc_hist *all = malloc(sizeof(*all)), *a = malloc(sizeof(*a)),
		       *b = malloc(sizeof(*b)), *e = malloc(sizeof(*e));

	zc_hist_init(all);
	zc_hist_init(a);
	zc_hist_init(b);
	zc_hist_init(e);
	CHECK(zc_hist_quantile(e, 0.5) == 0 && e->count == 0);
	for (int i = 0; i < 50000; i++) {
		uint64_t v = 100 + rng() % 1000000;
		zc_hist_record(all, v);
		zc_hist_record(i % 3 ? a : b, v);
	}
	zc_hist_merge(e, a); /* into an empty one: takes min as is */
	zc_hist_merge(e, b);
	zc_hist_merge(a, b);
	CHECK(a->count == all->count && a->min == all->min &&
	      a->max == all->max && a->sum == all->sum);
	CHECK(!memcmp(a->bucket, all->bucket, sizeof(a->bucket)));
	CHECK(e->min == all->min && e->max == all->max &&
	      e->count == all->count);
	CHECK(zc_hist_quantile(a, 0.99) == zc_hist_quantile(all, 0.99));
	zc_hist_init(b);
	zc_hist_merge(a, b); /* an empty one changes nothing */
	CHECK(a->min == all->min && a->count == all->count);

	/* One value: every quantile is that value (clamped to max). */
	zc_hist_init(e);
	zc_hist_record(e, 123456789);
	CHECK(zc_hist_quantile(e, 0) == 123456789);
	CHECK(zc_hist_quantile(e, 0.5) == 123456789);
	CHECK(zc_hist_quantile(e, 1) == 123456789);
	CHECK(e->min == 123456789 && e->max == 123456789);
	zc_hist_record(e, 0);
	CHECK(e->min == 0 && zc_hist_quantile(e, 0.5) == 0);
	zc_hist_record(e, UINT64_MAX);
	CHECK(e->max == UINT64_MAX && zc_hist_quantile(e, 1) == UINT64_MAX);
	free(all);
	free(a);
	free(b);
	free(e);
}

int main(void)
{
	test_buckets();
	test_quantile_accuracy();
	test_merge_and_edges();
	return zc_check_result();
}
