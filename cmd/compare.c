/* SPDX-License-Identifier: MIT */
/*
 * zcbench compare BASE NEW — the regression check: per case and metric,
 * direction-aware, noise-aware (Mann-Whitney U on the repetitions plus a
 * minimum effect). Markdown (a CI job summary) or JSON; exit 3 when a
 * metric regressed or a case that passed in BASE fails in NEW.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "report.h"

/* Documented in -h and README: 0 no regression, 1 error, 2 usage error,
 * 3 regression found. */

enum {
	OUT_MARKDOWN,
	OUT_JSON
};
enum {
	SHOW_ALL,
	SHOW_CHANGED
};

static const struct zc_word format_words[] = {
	{"markdown", OUT_MARKDOWN}, {"json", OUT_JSON}, {NULL, 0}};
static const struct zc_word machine_words[] = {{"auto", ZC_CMP_AUTO},
					       {"same", ZC_CMP_SAME},
					       {"different", ZC_CMP_DIFFERENT},
					       {NULL, 0}};
static const struct zc_word show_words[] = {
	{"all", SHOW_ALL}, {"changed", SHOW_CHANGED}, {NULL, 0}};

static double opt_threshold, opt_alpha;
static int opt_format, opt_machines, opt_show;
static const char *opt_json;

static const struct zc_opt cmp_opts[] = {
	ZC_OPT_DOUBLE("threshold", "PCT", "%", "5",
		      "minimum change of the median that counts (relative)",
		      &opt_threshold, 0, 1000),
	ZC_OPT_DOUBLE("alpha", "P", NULL, "0.05",
		      "significance level of the Mann-Whitney U test (above 0)",
		      &opt_alpha, 0, 0.5),
	ZC_OPT_CHOICE("machines", "auto",
		      "auto: meta.json decides (host, CPU model); different: "
		      "compare only machine-independent ratios; same: compare "
		      "absolute figures too",
		      &opt_machines, machine_words),
	ZC_OPT_CHOICE("format", "markdown", "what to print on stdout",
		      &opt_format, format_words),
	ZC_OPT_STR("json", "FILE", NULL, "also write the comparison as JSON",
		   &opt_json),
	ZC_OPT_CHOICE("show", "all",
		      "rows in the Markdown table: all, or changed (leaves "
		      "unchanged rows out)",
		      &opt_show, show_words),
	ZC_OPT_END};

static void help_tail(void)
{
	printf("\narguments: BASE NEW   results folders (zcbench run or a "
	       "command's --out) or\n"
	       "                      <cmd>.json files; cases are matched by "
	       "name\n"
	       "\ncompare exit status: 0 no regression, 1 error (missing, "
	       "corrupt, malformed or\nother-schema input; or nothing "
	       "compared: no case and metric with values on\nboth sides), 2 "
	       "usage error, 3 regression found (a metric worse beyond\nthe "
	       "threshold with p < alpha, or a case that passed in BASE failed "
	       "in NEW)\n");
}

static int write_json_file(struct zc_ctx *ctx, const char *path, json_t *v)
{
	int err = zc_out_write_json_path(path, v);

	if (err < 0)
		return zc_error(ctx, "cannot write '%s': %s", path,
				zc_file_strerror(err, 1));
	return 0;
}

static int cmd_compare(int argc, char **argv, struct zc_ctx *ctx)
{
	struct zc_rset base = {0}, next = {0};
	struct zc_cmp cmp = {0};
	struct zc_cmp_opts o;
	char err[1024];
	json_t *j = NULL;
	char **pv;
	int rc;

	rc = zc_cmd_parse(ctx, cmp_opts, argc, argv);
	if (rc == ZC_DONE)
		help_tail();
	if (rc)
		goto out;
	pv = ctx->pos;
	if (opt_alpha <= 0 || opt_alpha > 0.5) {
		rc = zc_usage(ctx,
			      "--alpha: %g is out of range: expected a "
			      "number above 0, at most 0.5",
			      opt_alpha);
		goto out;
	}
	rc = ZC_EXIT_FAIL;
	if (zc_rset_load(&base, pv[0], err, sizeof(err)) < 0) {
		zc_error(ctx, "cannot read BASE: %s", err);
		goto out;
	}
	if (zc_rset_load(&next, pv[1], err, sizeof(err)) < 0) {
		zc_error(ctx, "cannot read NEW: %s", err);
		goto out;
	}
	o = (struct zc_cmp_opts){.threshold = opt_threshold / 100,
				 .alpha = opt_alpha,
				 .machines = opt_machines};
	if (zc_cmp_run(&cmp, &base, &next, &o) < 0) {
		zc_error(ctx, "out of memory");
		goto out;
	}
	if (opt_format == OUT_JSON || opt_json) {
		j = zc_cmp_json(&cmp);
		if (!j) {
			zc_error(ctx, "out of memory");
			goto out;
		}
	}
	if (opt_format == OUT_JSON) {
		if (json_dumpf(j, stdout,
			       JSON_INDENT(2) | JSON_REAL_PRECISION(15)) < 0 ||
		    putchar('\n') == EOF) {
			zc_error(ctx, "write error on standard output");
			goto out;
		}
	} else if (zc_cmp_markdown(stdout, &cmp, opt_show == SHOW_ALL) < 0) {
		zc_error(ctx, "write error on standard output");
		goto out;
	}
	if (opt_json && write_json_file(ctx, opt_json, j) != 0)
		goto out;
	if (cmp.different)
		zc_warn(ctx,
			"different machines (%s): compared only "
			"machine-independent ratios; absolute figures are "
			"not comparable",
			cmp.why_different);
	if (cmp.count[ZC_CMP_MISSING])
		zc_warn(ctx,
			"%d case or metric row(s) of BASE have no values in "
			"NEW "
			"(missing)",
			cmp.count[ZC_CMP_MISSING]);
	if (zc_cmp_regressions(&cmp)) {
		fflush(stdout);
		fprintf(stderr,
			"zcbench compare: regression found: %d regressed, "
			"%d failed (exit %d)\n",
			cmp.count[ZC_CMP_REGRESSED], cmp.count[ZC_CMP_FAILED],
			ZC_EXIT_REGRESSION);
		rc = ZC_EXIT_REGRESSION;
	} else if (!zc_cmp_compared(&cmp)) {
		rc = zc_error(
			ctx,
			"nothing compared: %d case(s) passed in both BASE "
			"and NEW, no metric had values on both sides%s "
			"(exit 1)",
			cmp.matched,
			cmp.different ? " that compares across machines" : "");
	} else {
		rc = ZC_EXIT_OK;
	}
out:
	json_decref(j);
	zc_cmp_release(&cmp);
	zc_rset_release(&base);
	zc_rset_release(&next);
	return rc;
}

const struct zc_command zc_cmd_compare = {
	.name = "compare",
	.summary = "regression check between two runs (exit 3: regression)",
	.what = "regression check between two runs (folders or JSON files)",
	.args = "BASE NEW",
	.min_args = 2,
	.max_args = 2,
	.flags = ZC_CMD_NO_GLOBALS | ZC_CMD_OWN_EXIT | ZC_CMD_NO_SUITE,
	.fn = cmd_compare,
	.opts = cmp_opts,
};
