/* SPDX-License-Identifier: MIT */
/*
 * xover — the crossover of two ways along a knob (xover.h).
 */
#include <errno.h>
#include <math.h>
#include <string.h>
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

void zc_xover_print(FILE *f, const struct zc_xover *x, const char *knob,
		    const char *base)
{
	if (x->from)
		fprintf(f, "wins from %s %u", knob, x->from);
	else
		fprintf(f, "%s",
			x->some ? "wins only at some of its values (noise?)"
				: "never wins");
	fprintf(f, " (best %.1f at %s %u vs %s %.1f, %.2fx)\n", x->best, knob,
		x->best_at, base, x->base, x->base / x->best);
}

void zc_xover_mark(char *extra, size_t len, int k, const char *what,
		   uint32_t at, const struct zc_xover *x, const char *colour,
		   double y)
{
	size_t used = strlen(extra);

	if (used >= len)
		return;
	if (x->from)
		snprintf(extra + used, len - used,
			 "set arrow %d from %u, graph 0 to %u, graph 1 "
			 "nohead dt 2 lc rgb \"%s\"\n"
			 "set label %d \"%s wins from %u B (batch %u)\" at "
			 "%u, graph %.2f left offset 0.5,0 front\n",
			 k, at, at, colour, k, what, at, x->from, at, y);
	else
		snprintf(extra + used, len - used,
			 "set label %d \"%s: no crossover measured\" at "
			 "graph 0.02, graph %.2f front\n",
			 k, what, y);
}
