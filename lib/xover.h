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
 * zc_xover_print and zc_xover_mark say it in a table's words and a plot's.
 *
 * Errors: -ENOENT when base is NaN or no value is present.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct zc_xover {
	double best, base;
	uint32_t best_at, from;
	int some;
};

int zc_xover_find(struct zc_xover *x, const uint32_t *knob, const double *v,
		  int n, double base);
/* "wins from batch 16 (best 55.0 ns at batch 64 vs call 300.0 ns,
 * 5.45x)", knob and the base named as given, and a newline. */
void zc_xover_print(FILE *f, const struct zc_xover *x, const char *knob,
		    const char *base);
/* gnuplot commands into extra (appended, within len): mark number k of
 * a plot along a size axis, a dashed line at `at` where `what` first
 * wins (x->from) or a note that it never does, in colour, at height y of
 * the graph (0..1). */
void zc_xover_mark(char *extra, size_t len, int k, const char *what,
		   uint32_t at, const struct zc_xover *x, const char *colour,
		   double y);

#endif
