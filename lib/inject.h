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
 * call compiles to nothing.
 */
#include <stdint.h>
#include "clock.h"

#ifndef ZC_INJECT_NS
#define ZC_INJECT_NS 0
#endif

static inline void zc_inject(void)
{
	if (ZC_INJECT_NS > 0) {
		uint64_t end = zc_now_ns() + ZC_INJECT_NS;
		while (zc_now_ns() < end)
			zc_cpu_relax();
	}
}

#endif
