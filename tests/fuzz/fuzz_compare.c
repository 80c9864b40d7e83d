/* SPDX-License-Identifier: MIT */
/*
 * fuzz_compare — two results compared: the input is BASE, a NUL byte,
 * then NEW (both result files as zc_rset_parse reads them); compared with
 * every --machines choice, written as Markdown and JSON.
 * Invariants: the counts add up to the rows; a row's status is known; a
 * regression, "nothing compared" or "no regression" is the verdict.
 */
#include <errno.h>
#include <stdio.h>

#include "report.h"
#include "fuzz.h"

static void compare(const struct zc_rset *b, const struct zc_rset *n,
		    int machines)
{
	struct zc_cmp_opts o = {
		.threshold = 0.05, .alpha = 0.05, .machines = machines};
	struct zc_cmp c;
	int sum = 0;

	ZC_FUZZ_CHECK(zc_cmp_run(&c, b, n, &o) == 0);
	for (int s = 0; s < ZC_CMP_NSTATUS; s++)
		sum += c.count[s];
	ZC_FUZZ_CHECK(sum == c.nrows);
	for (int i = 0; i < c.nrows; i++)
		ZC_FUZZ_CHECK(c.rows[i].status < ZC_CMP_NSTATUS);
	ZC_FUZZ_CHECK(zc_cmp_verdict(&c)[0]);
	zc_fuzz_write_cmp(&c, machines == ZC_CMP_AUTO);
	zc_cmp_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	struct zc_rset *b, *n;
	char err[1024];

	if (!nul)
		return 0;
	b = malloc(sizeof(*b));
	n = malloc(sizeof(*n));
	if (b && n &&
	    zc_rset_parse(b, "base.json", (const char *)data,
			  (size_t)(nul - data), err, sizeof(err)) == 0) {
		if (zc_rset_parse(n, "new.json", (const char *)nul + 1,
				  size - (size_t)(nul - data) - 1, err,
				  sizeof(err)) == 0) {
			for (int m = ZC_CMP_AUTO; m <= ZC_CMP_DIFFERENT; m++)
				compare(b, n, m);
			zc_rset_release(n);
		}
		zc_rset_release(b);
	}
	free(b);
	free(n);
	return 0;
}
