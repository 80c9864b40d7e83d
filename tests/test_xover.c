/* SPDX-License-Identifier: MIT */
/*
 * Description: xover: where a way overtakes another along a knob (exact
 * on synthetic series: wins from a knob and stays, wins then loses, never
 * wins, values absent, no base), and how it is said in a table and a plot
 * Labels: unit
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "xover.h"

static const uint32_t knob[] = {1, 8, 16, 64, 256};

int main(void)
{
	struct zc_xover x;
	double wins[] = {900, 400, 250, 90, 60},
	       flaps[] = {900, 200, 400, 250, 350},
	       never[] = {900, 500, 400, 350, 310},
	       gaps[] = {NAN, 400, NAN, 90, 60},
	       none[] = {NAN, NAN, NAN, NAN, NAN};
	char extra[512] = "", line[256];
	FILE *f;

	CHECK(zc_xover_find(&x, knob, wins, 5, 300) == 0);
	CHECK(x.from == 16 && x.some && x.best == 60 && x.best_at == 256);
	CHECK(zc_xover_find(&x, knob, flaps, 5, 300) == 0);
	CHECK(x.from == 0 && x.some && x.best == 200 && x.best_at == 8);
	CHECK(zc_xover_find(&x, knob, flaps, 4, 300) == 0 && x.from == 64);
	CHECK(zc_xover_find(&x, knob, never, 5, 300) == 0);
	CHECK(x.from == 0 && !x.some && x.best_at == 256);
	CHECK(zc_xover_find(&x, knob, gaps, 5, 300) == 0 && x.from == 64);
	CHECK(zc_xover_find(&x, knob, none, 5, 300) == -ENOENT);
	CHECK(zc_xover_find(&x, knob, wins, 5, NAN) == -ENOENT);

	zc_xover_find(&x, knob, wins, 5, 300);
	f = fmemopen(line, sizeof(line), "w");
	zc_xover_print(f, &x, "batch", "python-call");
	fclose(f);
	CHECKF(!strcmp(line, "wins from batch 16 (best 60.0 at batch 256 vs "
			     "python-call 300.0, 5.00x)\n"),
	       "%s", line);
	zc_xover_mark(extra, sizeof(extra), 1, "python-ring", 32, &x, "#1f77b4",
		      0.9);
	CHECKF(strstr(extra, "set arrow 1 from 32, graph 0 to 32, graph 1") &&
		       strstr(extra, "python-ring wins from 32 B (batch 16)"),
	       "%s", extra);
	zc_xover_find(&x, knob, never, 5, 300);
	zc_xover_mark(extra, sizeof(extra), 2, "node-ring", 32, &x, "#d62728",
		      0.85);
	CHECKF(strstr(extra,
		      "set label 2 \"node-ring: no crossover measured\""),
	       "%s", extra);
	return zc_check_result();
}
