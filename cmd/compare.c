/* SPDX-License-Identifier: MIT */
/*
 * zcbench compare BASE... NEW — the regression check: per case and metric,
 * direction-aware, noise-aware. One BASE: Mann-Whitney U on the
 * repetitions plus a minimum effect; several BASE runs (or a folder of
 * runs, e.g. results/history/): NEW's median against the prediction
 * interval of the history's run medians (lib/compare.h). Markdown (a CI job
 * summary) or JSON; exit 3 when a metric regressed or a case that passed
 * in BASE fails in NEW.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
static const char *opt_json, *opt_metrics;

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
	ZC_OPT_STR("metrics", "SEL", "all",
		   "metrics judged: all, primary (each command's own figure: "
		   "the first metric it declares with a direction), or names "
		   "separated by commas",
		   &opt_metrics),
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
	       "name\n");
	printf("           BASE... NEW  a history: several BASE runs, or a "
	       "folder of run\n"
	       "                      folders (e.g. results/history/), at "
	       "most %d runs; NEW is\n"
	       "                      judged against the spread of their "
	       "medians (at least %d\n"
	       "                      runs per case and regime, else "
	       "inconclusive)\n",
	       ZC_CMP_HIST_MAX, ZC_CMP_HIST_MIN_RUNS);
	printf("\ncompare exit status: 0 no regression, 1 error (missing, "
	       "corrupt, malformed or\nother-schema input; or nothing "
	       "compared: no case and metric with values on\nboth sides), 2 "
	       "usage error, 3 regression found (a metric worse beyond\nthe "
	       "threshold with p < alpha, or a case that passed in BASE failed "
	       "in NEW)\n");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The run folders inside `dir` (sorted by name: oldest first for dated
 * names) appended to hist; a subfolder without results is skipped. */
static int load_runs(struct zc_ctx *ctx, const char *dir, struct zc_rset *hist,
		     int *n)
{
	char *names[ZC_CMP_HIST_MAX + 1], path[4096], err[1024];
	int k = 0, rc = 0, before = *n;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return zc_error(ctx, "cannot read BASE '%s': %s", dir,
				strerror(errno));
	while ((e = readdir(d)) && k <= ZC_CMP_HIST_MAX) {
		struct stat st;
		if (e->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
			    (int)sizeof(path) ||
		    stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (!(names[k] = strdup(e->d_name))) {
			rc = zc_error(ctx, "out of memory");
			break;
		}
		k++;
	}
	closedir(d);
	if (!rc && k > ZC_CMP_HIST_MAX)
		rc = zc_error(ctx, "BASE '%s': more than %d run folders", dir,
			      ZC_CMP_HIST_MAX);
	if (!rc)
		qsort(names, (size_t)k, sizeof(*names), by_name);
	for (int i = 0; i < k && !rc; i++) {
		int e2;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (*n == ZC_CMP_HIST_MAX) {
			rc = zc_error(ctx, "more than %d BASE runs",
				      ZC_CMP_HIST_MAX);
			break;
		}
		e2 = zc_rset_load(&hist[*n], path, err, sizeof(err));
		if (e2 == -ENODATA)
			continue;
		if (e2 < 0)
			rc = zc_error(ctx, "cannot read BASE run: %s", err);
		else
			++*n;
	}
	for (int i = 0; i < k; i++)
		free(names[i]);
	if (!rc && *n == before)
		rc = zc_error(
			ctx,
			"cannot read BASE: %s: no zcbench results in it or in "
			"its subfolders",
			dir);
	return rc;
}

/* BASE arguments pv[0..n): each a results folder or file, or a folder of
 * runs. *history is set when there are several (or a folder of runs). */
static int load_bases(struct zc_ctx *ctx, char **pv, int n,
		      struct zc_rset *hist, int *nh, int *history)
{
	char err[1024];
	int rc;

	*history = n > 1;
	for (int i = 0; i < n; i++) {
		if (*nh == ZC_CMP_HIST_MAX)
			return zc_error(ctx, "more than %d BASE runs",
					ZC_CMP_HIST_MAX);
		rc = zc_rset_load(&hist[*nh], pv[i], err, sizeof(err));
		if (rc == -ENODATA) {
			*history = 1;
			if ((rc = load_runs(ctx, pv[i], hist, nh)))
				return rc;
			continue;
		}
		if (rc < 0)
			return zc_error(ctx, "cannot read BASE: %s", err);
		++*nh;
	}
	return 0;
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
	struct zc_rset *hist = calloc(ZC_CMP_HIST_MAX, sizeof(*hist)),
		       next = {0};
	int nh = 0, history = 0, nbase;
	struct zc_cmp cmp = {0};
	struct zc_cmp_opts o;
	char err[1024];
	json_t *j = NULL;
	char **pv;
	int rc;

	if (!hist)
		return zc_error(ctx, "out of memory");
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
	if ((rc = zc_check_metrics(ctx, opt_metrics)))
		goto out;
	nbase = ctx->npos - 1;
	rc = ZC_EXIT_FAIL;
	if (load_bases(ctx, pv, nbase, hist, &nh, &history))
		goto out;
	if (zc_rset_load(&next, pv[nbase], err, sizeof(err)) < 0) {
		zc_error(ctx, "cannot read NEW: %s", err);
		goto out;
	}
	o = (struct zc_cmp_opts){.threshold = opt_threshold / 100,
				 .alpha = opt_alpha,
				 .machines = opt_machines,
				 .metrics = opt_metrics};
	if ((history ? zc_cmp_history(&cmp, hist, nh,
				      nbase > 1 ? "several runs" : pv[0], &next,
				      &o)
		     : zc_cmp_run(&cmp, &hist[0], &next, &o)) < 0) {
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
	for (int i = 0; i < nh; i++)
		zc_rset_release(&hist[i]);
	free(hist);
	zc_rset_release(&next);
	return rc;
}

const struct zc_command zc_cmd_compare = {
	.name = "compare",
	.summary = "regression check of a run against another or a history "
		   "(exit 3: regression)",
	.what = "regression check of a run against another run or a history "
		"of runs (folders or JSON files)",
	.args = "BASE... NEW",
	.min_args = 2,
	.max_args = ZC_CMP_HIST_MAX + 1,
	.flags = ZC_CMD_NO_GLOBALS | ZC_CMD_OWN_EXIT | ZC_CMD_NO_SUITE,
	.fn = cmd_compare,
	.opts = cmp_opts,
};
