/* SPDX-License-Identifier: MIT */
/*
 * xover — the crossover of two ways along a knob (xover.h).
 */
#include <errno.h>
#include <math.h>
#include "xover.h"

int zc_xover_find(struct zc_xover *x, const uint32_t *knob, const double *v,
		  int n, double base)
{
	*x = (struct zc_xover){.best = INFINITY, .base = base};
	for (int i = 0; i < n && !isnan(base); i++) {
		if (isnan(v[i]))
			continue;
		if (v[i] < x->best) {
			x->best = v[i];
			x->best_at = knob[i];
		}
		x->some |= v[i] < base;
		/* it must stay ahead from there on */
		x->from = v[i] >= base ? 0 : x->from ? x->from : knob[i];
	}
	return isfinite(x->best) ? 0 : -ENOENT;
}
