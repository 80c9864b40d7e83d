/* SPDX-License-Identifier: MIT */
#ifndef ZC_INJECT_H
#define ZC_INJECT_H
/*
 * inject — test-only fault injection: a planted regression of known size.
 *
 * Built with -DZC_INJECT_NS=N (CMake option, default 0, never set in a
 * release build), zc_inject() spins N ns where the hot paths call it: per
 * message in the ring's producer, per increment batch (256) in
 * falseshare, per transfer in sendfile (inside the timed region). A study
 * (scripts/regression-study.sh) builds a second zcbench with it and checks
 * that `zcbench ab` and `zcbench compare` find the slowdown. `zcbench
 * --version` and meta.json ("inject_ns") say when it is set; with 0 the
 * call compiles to nothing. The busy loop's speed is measured once per
 * process (10^7 empty iterations), so a few ns can be planted per
 * message; the per_ns race between threads is benign (both write the
 * same kind of value; a test build only).
 */
#include <stdint.h>
#include "clock.h"

#ifndef ZC_INJECT_NS
#define ZC_INJECT_NS 0
#endif

/* Iterations of the busy loop per ns, measured once (the clock itself
 * costs ~20 ns: too coarse to spin a few ns by polling it). */
static inline double zc_inject_rate(void)
{
	static double per_ns;

	if (per_ns == 0) {
		uint64_t t0 = zc_now_ns(), n = 10000000;
		for (uint64_t i = 0; i < n; i++)
			__asm__ __volatile__("" ::: "memory");
		per_ns = (double)n / (double)(zc_now_ns() - t0 + 1);
	}
	return per_ns;
}

static inline void zc_inject(void)
{
	if (ZC_INJECT_NS > 0) {
		uint64_t n = (uint64_t)(ZC_INJECT_NS * zc_inject_rate());
		for (uint64_t i = 0; i < n; i++)
			__asm__ __volatile__("" ::: "memory");
	}
}

#endif
