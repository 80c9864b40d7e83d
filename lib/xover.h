/* SPDX-License-Identifier: MIT */
#ifndef ZC_XOVER_H
#define ZC_XOVER_H
/*
 * xover — where one way overtakes another as a knob grows: `zcbench ffi`'s
 * ring against a call per message as the batch grows. Lower is better.
 *
 *	uint32_t batch[] = {1, 8, 64};  double ns[] = {900, 150, 60};
 *	struct zc_xover x;
 *	if (zc_xover_find(&x, batch, ns, 3, call_ns) == 0) ...
 *
 * x.from is the smallest knob from which the value stays below base (0:
 * it never does, or does not stay below); x.some says it is below base at
 * some knob; x.best and x.best_at are the lowest value and its knob. The
 * knobs are taken in the order given (ascending); NaN values are absent.
 *
 * Errors: -ENOENT when base is NaN or no value is present.
 */
#include <stdint.h>

struct zc_xover {
	double best, base;
	uint32_t best_at, from;
	int some;
};

int zc_xover_find(struct zc_xover *x, const uint32_t *knob, const double *v,
		  int n, double base);

#endif
