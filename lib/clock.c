/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "clock.h"

static int tsc_invariant(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	/* clang declares it int, gcc unsigned */
	if ((unsigned)__get_cpuid_max(0x80000000, NULL) < 0x80000007)
		return 0;
	__cpuid(0x80000007, a, b, c, d);
	return (d >> 8) & 1;
#else
	return 0;
#endif
}

/* Median of the per-call cost over several batches: one batch can be hit
 * by an interrupt or a vCPU preemption, the median of 9 rarely is. */
static double overhead(uint64_t (*fn)(void), double *resolution)
{
	enum {
		CALLS = 2000,
		BATCHES = 9
	};
	double cost[BATCHES], step = INFINITY;
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = zc_now_ns(), prev = fn(), t1;
		for (int i = 0; i < CALLS; i++) {
			uint64_t v = fn();
			if (v > prev && (double)(v - prev) < step)
				step = (double)(v - prev);
			prev = v;
		}
		t1 = zc_now_ns();
		cost[b] = (double)(t1 - t0) / CALLS;
	}
	for (int i = 1; i < BATCHES; i++)
		for (int j = i; j > 0 && cost[j] < cost[j - 1]; j--) {
			double t = cost[j];
			cost[j] = cost[j - 1];
			cost[j - 1] = t;
		}
	if (resolution)
		*resolution = step;
	return cost[BATCHES / 2];
}

static uint64_t now_fn(void)
{
	return zc_now_ns();
}

static uint64_t tsc_fn(void)
{
	return zc_tsc();
}

int zc_clock_calibrate(struct zc_clock_info *ci, int ms)
{
	struct timespec res;
	uint64_t n0, n1, c0, c1;

	memset(ci, 0, sizeof(*ci));
	if (clock_getres(CLOCK_MONOTONIC, &res) < 0)
		return -errno;
	ci->clock_getres_ns = res.tv_sec * 1e9 + res.tv_nsec;
	ci->now_overhead_ns = overhead(now_fn, &ci->now_resolution_ns);
	if (!isfinite(ci->now_resolution_ns))
		ci->now_resolution_ns = ci->clock_getres_ns;
#if defined(__x86_64__) || defined(__i386__)
	ci->tsc_invariant = tsc_invariant();
	ci->tsc_overhead_ns = overhead(tsc_fn, NULL);
	if (ms < 1)
		ms = 1;
	n0 = zc_now_ns();
	c0 = zc_tsc();
	while ((n1 = zc_now_ns()) - n0 < (uint64_t)ms * 1000000u)
		;
	c1 = zc_tsc();
	ci->tsc_hz = (double)(c1 - c0) * 1e9 / (double)(n1 - n0);
#else
	(void)tsc_fn;
	(void)tsc_invariant;
	(void)n0;
	(void)n1;
	(void)c0;
	(void)c1;
	ci->tsc_hz = 1e9;
	ci->tsc_overhead_ns = ci->now_overhead_ns;
#endif
	return 0;
}

int zc_sleep_until_ns(uint64_t t)
{
	struct timespec ts = {.tv_sec = (time_t)(t / 1000000000u),
			      .tv_nsec = (long)(t % 1000000000u)};
	int err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	return err ? -err : 0;
}
