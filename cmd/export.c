/* SPDX-License-Identifier: MIT */
/*
 * zcbench export --format gh-benchmark DIR|FILE — results in the JSON that
 * github-action-benchmark's customSmallerIsBetter / customBiggerIsBetter
 * tools read: one entry per case and metric of that direction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "report.h"

enum {
	FMT_GH_BENCHMARK
};
enum {
	DIR_SMALLER,
	DIR_BIGGER
};

static const struct zc_word format_words[] = {
	{"gh-benchmark", FMT_GH_BENCHMARK}, {NULL, 0}};
static const struct zc_word direction_words[] = {
	{"smaller", DIR_SMALLER}, {"bigger", DIR_BIGGER}, {NULL, 0}};

static int opt_format, opt_direction, opt_portable;
static const char *opt_output;

static const struct zc_opt export_opts[] = {
	ZC_OPT_CHOICE("format", "gh-benchmark",
		      "gh-benchmark: github-action-benchmark's custom JSON",
		      &opt_format, format_words),
	ZC_OPT_CHOICE("direction", "smaller",
		      "smaller: metrics where lower is better (tool "
		      "customSmallerIsBetter); bigger: where higher is better "
		      "(customBiggerIsBetter)",
		      &opt_direction, direction_words),
	ZC_OPT_FLAG("portable-only",
		    "only machine-independent ratios (for runners that differ)",
		    &opt_portable),
	ZC_OPT_STR("output", "FILE", NULL, "write to FILE instead of stdout",
		   &opt_output),
	ZC_OPT_END};

static int cmd_export(int argc, char **argv, struct zc_ctx *ctx)
{
	struct zc_rset set = {0};
	char err[1024];
	json_t *j = NULL;
	char **pv;
	int rc;

	rc = zc_cmd_parse(ctx, export_opts, argc, argv);
	if (rc == ZC_DONE)
		printf("\narguments: DIR|FILE   a results folder or a "
		       "<cmd>.json file\n");
	if (rc)
		goto out;
	pv = ctx->pos;
	rc = ZC_EXIT_FAIL;
	if (zc_rset_load(&set, pv[0], err, sizeof(err)) < 0) {
		zc_error(ctx, "cannot read results: %s", err);
		goto out;
	}
	j = zc_ghb_export(&set,
			  opt_direction == DIR_SMALLER ? ZC_BETTER_LOWER
						       : ZC_BETTER_HIGHER,
			  opt_portable);
	if (!j) {
		zc_error(ctx, "out of memory");
		goto out;
	}
	if (opt_output) {
		int e = zc_out_write_json_path(opt_output, j);
		if (e < 0) {
			zc_error(ctx, "cannot write '%s': %s", opt_output,
				 zc_file_strerror(e, 1));
			goto out;
		}
	} else if (json_dumpf(j, stdout,
			      JSON_INDENT(2) | JSON_REAL_PRECISION(15)) < 0 ||
		   putchar('\n') == EOF) {
		goto out;
	}
	rc = ZC_EXIT_OK;
out:
	json_decref(j);
	zc_rset_release(&set);
	return rc;
}

const struct zc_command zc_cmd_export = {
	.name = "export",
	.summary = "results as github-action-benchmark JSON",
	.what = "results as github-action-benchmark JSON (`--format "
		"gh-benchmark`)",
	.args = "DIR",
	.min_args = 1,
	.max_args = 1,
	.flags = ZC_CMD_NO_GLOBALS | ZC_CMD_NO_SUITE,
	.fn = cmd_export,
	.opts = export_opts,
};
