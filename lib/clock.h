/* SPDX-License-Identifier: MIT */
#ifndef ZC_CLOCK_H
#define ZC_CLOCK_H
/*
 * clock — monotonic time, the TSC, and what the timer itself costs.
 *
 * zc_now_ns() is CLOCK_MONOTONIC in ns (vDSO, ~20 ns). zc_tsc() reads the
 * time-stamp counter (rdtscp where the CPU has it; on other architectures it
 * falls back to zc_now_ns, and tsc_hz is 1e9). zc_clock_calibrate() measures
 * the TSC rate against CLOCK_MONOTONIC over `ms` milliseconds, reports
 * whether the TSC is invariant (CPUID 0x80000007 EDX[8]) and measures the
 * overhead and resolution of both clocks. Benchmarks size their measured
 * regions to at least ZC_CLOCK_MIN_REGION times the resolution.
 *
 * Errors: zc_clock_calibrate returns 0 or -errno from clock_gettime.
 */
#include <stdint.h>
#include <time.h>

#define ZC_CLOCK_MIN_REGION 10000

struct zc_clock_info {
	double tsc_hz;		  /* measured TSC frequency; 0 if none */
	int tsc_invariant;	  /* CPUID says constant and non-stop */
	double now_overhead_ns;	  /* cost of one zc_now_ns() */
	double now_resolution_ns; /* smallest observed nonzero step */
	double tsc_overhead_ns;	  /* cost of one zc_tsc() */
	double clock_getres_ns;	  /* clock_getres(CLOCK_MONOTONIC) */
};

static inline uint64_t zc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wall-clock time, s since the Unix epoch (CLOCK_REALTIME). */
static inline double zc_unix_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Thread CPU time in ns (CLOCK_THREAD_CPUTIME_ID). */
static inline uint64_t zc_thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t zc_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint32_t lo, hi, aux;
	__asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return ((uint64_t)hi << 32) | lo;
#else
	return zc_now_ns();
#endif
}

/* The CPU's spin-wait hint (pause / yield), a compiler barrier elsewhere. */
static inline void zc_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

int zc_clock_calibrate(struct zc_clock_info *ci, int ms);

/* Sleep until the monotonic time t (ns). Returns 0, or -EINTR when a signal
 * interrupted the sleep (the caller checks its stop flag and calls again). */
int zc_sleep_until_ns(uint64_t t);

#endif
