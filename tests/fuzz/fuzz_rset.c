/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rset — the results reader: zc_rset_parse on the input, and on
 * success everything that reads a results set: the case and metric
 * indexes, both github-action-benchmark exports, and the file compared
 * with itself (Markdown and JSON).
 * Invariants: an error names the file; every case is found by its name;
 * a file compared with itself has no regression, and a case passed on
 * both sides means something was compared or no metric had values.
 */
#include <errno.h>
#include <stdio.h>

#include "report.h"
#include "fuzz.h"

static void self_compare(const struct zc_rset *s)
{
	struct zc_cmp_opts o = {.threshold = 0.05, .alpha = 0.05};
	struct zc_cmp c;

	ZC_FUZZ_CHECK(zc_cmp_run(&c, s, s, &o) == 0);
	ZC_FUZZ_CHECK(zc_cmp_regressions(&c) == 0);
	ZC_FUZZ_CHECK(c.count[ZC_CMP_IMPROVED] == 0 &&
		      c.count[ZC_CMP_MISSING] == 0 && c.count[ZC_CMP_NEW] == 0);
	zc_fuzz_write_cmp(&c, 1);
	zc_cmp_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zc_rset *s = malloc(sizeof(*s));
	char err[1024] = "";
	json_t *cs, *x, *e;
	size_t i;

	if (!s)
		return 0;
	if (zc_rset_parse(s, "fuzz.json", (const char *)data, size, err,
			  sizeof(err)) < 0) {
		ZC_FUZZ_CHECK(!strncmp(err, "fuzz.json", 9));
		free(s);
		return 0;
	}
	ZC_FUZZ_CHECK(s->n == 1);
	cs = json_object_get(json_object_get(s->res[0], "zcbench"), "cases");
	json_array_foreach(cs, i, x)
	{
		const char *name =
			json_string_value(json_object_get(x, "name"));
		ZC_FUZZ_CHECK(name && zc_rset_case(s, 0, name) == x);
	}
	for (int b = ZC_BETTER_LOWER; b <= ZC_BETTER_HIGHER; b++) {
		e = zc_ghb_export(s, b, b == ZC_BETTER_HIGHER);
		ZC_FUZZ_CHECK(e);
		free(json_dumps(e, 0));
		json_decref(e);
	}
	self_compare(s);
	zc_rset_release(s);
	free(s);
	return 0;
}
