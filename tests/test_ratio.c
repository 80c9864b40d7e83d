/* SPDX-License-Identifier: MIT */
/*
 * Description: derived ratio metrics: each case against the baseline case
 * that differs only in one key (and ignored keys), inverted ratios, absent
 * baselines.
 * Labels: unit
 */
#include <math.h>

#include "check.h"
#include "out.h"

static const char *const keys[] = {"op", "stride", "batch"};
static const struct zc_metric metrics[] = {
	{"ns", "ns", ZC_BETTER_LOWER, "time", 0, ZC_GB_REAL_TIME, 1},
	{"ratio", "x", ZC_BETTER_LOWER, "ratio", ZC_M_PORTABLE, ZC_GB_NONE, 1},
	{"speedup", "x", ZC_BETTER_HIGHER, "inverse", ZC_M_PORTABLE, ZC_GB_NONE,
	 1},
};

static struct zc_case *add(struct zc_results *r, const char *op,
			   const char *stride, const char *batch, double v)
{
	const char *vals[] = {op, stride, batch};
	struct zc_case *c = zc_results_add(r, vals);
	for (int rep = 0; rep < 3; rep++)
		zc_case_set(r, c, rep, 0, v * (1 + 0.01 * rep));
	return c;
}

int main(void)
{
	struct zc_results r;
	static const char *const ignore[] = {"batch", NULL};

	CHECK(zc_results_init(&r, "t", keys, 3, metrics, 3, 3) == 0);
	add(&r, "a", "8", "1", 40);
	add(&r, "a", "128", "1", 10);
	add(&r, "b", "8", "1", 30);  /* no b/128: absent */
	add(&r, "a", "8", "64", 20); /* baseline a/128/1 only via ignore */
	CHECK(zc_results_ratio(&r, 0, 1, "stride", "128", NULL, 0) == 2);
	CHECK(fabs(zc_case_get(&r, &r.cases[0], 0, 1) - 40.0 / 10.1) < 1e-9);
	CHECK(fabs(zc_case_get(&r, &r.cases[1], 1, 1) - 1) < 1e-9);
	CHECK(isnan(zc_case_get(&r, &r.cases[2], 0, 1)));
	CHECK(r.cases[2].absent[1][0] != 0);
	CHECK(isnan(zc_case_get(&r, &r.cases[3], 0, 1)));
	CHECK(zc_results_ratio(&r, 0, 2, "stride", "128", ignore, 1) == 3);
	CHECK(fabs(zc_case_get(&r, &r.cases[3], 0, 2) - 10.1 / 20) < 1e-9);
	CHECK(zc_results_ratio(&r, 0, 2, "nokey", "1", NULL, 0) < 0);
	zc_results_release(&r);
	return zc_check_result();
}
