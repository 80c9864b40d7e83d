/* SPDX-License-Identifier: MIT */
/*
 * zcbench ab BASE_BIN NEW_BIN -- SUITE|COMMAND [OPTIONS] — two builds of
 * zcbench, interleaved round by round on this machine, compared by paired
 * per-round ratios (lib/ab.h): the regression check for code.
 *
 * Each round runs every line once with each build, in a random order, as
 * `<bin> <line> --repeat 1 --quiet --no-plot --out DIR/<side>/round-NN`;
 * the sentinel of each repetition rides along. Both binaries must be
 * zcbench with the same results schema, and every line must pass a dry
 * run in both, before anything is measured.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ab.h"
#include "builtin.h"
#include "proc.h"
#include "report.h"

/* The tolerance chosen from the A/A study (results/regression/STUDY.md). */
#define AB_TOLERANCE_PCT "7"
#define AB_MAX_LINES	 16
#define AB_MAX_WORDS	 (ZC_SUITE_MAX_WORDS + 12)

static long long opt_rounds;
static double opt_threshold, opt_timeout;
static const char *opt_out, *opt_json, *opt_metrics;
static int opt_show, opt_dry, opt_quick;

enum {
	SHOW_CHANGED,
	SHOW_ALL
};
static const struct zc_word show_words[] = {
	{"changed", SHOW_CHANGED}, {"all", SHOW_ALL}, {NULL, 0}};

static const struct zc_opt ab_opts[] = {
	ZC_OPT_INT("rounds", "N", "rounds", "10",
		   "rounds: each runs every line once with each build",
		   &opt_rounds, 2, ZC_AB_MAX_ROUNDS, .quick = "6"),
	ZC_OPT_DOUBLE("threshold", "PCT", "%", AB_TOLERANCE_PCT,
		      "minimum effect: a metric regressed when its median "
		      "per-round ratio is worse by more than this and its 95 "
		      "% interval excludes no change",
		      &opt_threshold, 0, 1000),
	ZC_OPT_STR("metrics", "SEL", "primary",
		   "metrics judged: primary (each command's own figure, the "
		   "first metric it declares with a direction: falseshare "
		   "ns_per_op, ring mmsgs_per_s, sendfile ms, ...), all, or "
		   "names separated by commas",
		   &opt_metrics),
	ZC_OPT_STR("out", "DIR", NULL,
		   "results folder (default results/runs/<date>-<time>-<host>)",
		   &opt_out),
	ZC_OPT_STR("json", "FILE", NULL, "also write the verdict as JSON",
		   &opt_json),
	ZC_OPT_CHOICE("show", "changed", "rows to print", &opt_show,
		      show_words),
	ZC_OPT_DOUBLE("timeout", "S", "s", "1800",
		      "limit for one invocation of a build", &opt_timeout, 1,
		      86400),
	ZC_OPT_FLAG("quick", "fewer rounds", &opt_quick,
		    .flags = ZC_OPT_F_QUICK),
	ZC_OPT_FLAG("dry-run", "check the binaries and the lines, run nothing",
		    &opt_dry),
	ZC_OPT_END};

struct line {
	char *argv[AB_MAX_WORDS];
	int argc;
	char text[512];
};

struct ab_run {
	struct zc_ctx *ctx;
	const char *bin[2]; /* BASE, NEW */
	char desc[2][256];  /* their --version */
	struct line line[AB_MAX_LINES];
	int nlines;
	struct zc_suite suite;
	int have_suite;
};

static const char *const side_name[2] = {"base", "new"};

/* Run argv with stdout/stderr captured; the child's status in *st.
 * 0, or -errno / -ETIMEDOUT / -EINTR with why. */
static int invoke(const char *bin, char *const *argv, struct zc_child *ch,
		  double timeout_s, char *why, size_t len)
{
	struct zc_spawn sp = {.what = bin,
			      .path = bin,
			      .argv = argv,
			      .cpu = -1,
			      .keep_fd = -1,
			      .capture = ZC_CHILD_OUT | ZC_CHILD_ERR};
	int err = zc_child_spawn(ch, &sp);

	if (err < 0) {
		snprintf(why, len, "cannot start '%s': %s", bin,
			 strerror(-err));
		return err;
	}
	err = zc_child_supervise(ch, 1, timeout_s, why, len);
	return err == -EPIPE ? 0 : err; /* a failed exit is a status */
}

/* "zcbench 0.1.0 (git X)" and "results schema N" from --version. */
static int check_binary(struct ab_run *run, int side, int *schema)
{
	char *argv[] = {(char *)run->bin[side], "--version", NULL};
	struct zc_child ch;
	char why[512], *s;
	int err;

	if (access(run->bin[side], X_OK) < 0)
		return zc_usage(run->ctx, "%s binary '%s': %s",
				side ? "NEW" : "BASE", run->bin[side],
				strerror(errno));
	err = invoke(run->bin[side], argv, &ch, 30, why, sizeof(why));
	if (!err && (!zc_child_ok(&ch) || strncmp(ch.out, "zcbench ", 8) ||
		     !(s = strstr(ch.out, "results schema ")))) {
		zc_child_kill(&ch);
		return zc_error(run->ctx,
				"%s '%s' is not zcbench (its --version said: "
				"%.80s)",
				side ? "NEW" : "BASE", run->bin[side],
				zc_child_last_line(&ch, 0));
	}
	zc_child_kill(&ch);
	if (err)
		return zc_error(run->ctx, "%s", why);
	*schema = atoi(s + strlen("results schema "));
	snprintf(run->desc[side], sizeof(run->desc[side]), "`%s`: %.*s",
		 run->bin[side], (int)strcspn(ch.out, "\n"), ch.out);
	return 0;
}

static int add_line(struct ab_run *run, char **words, int n)
{
	struct line *l;
	size_t off = 0;

	if (run->nlines == AB_MAX_LINES)
		return zc_usage(run->ctx, "more than %d lines", AB_MAX_LINES);
	if (n + 12 > AB_MAX_WORDS)
		return zc_usage(run->ctx, "a line of more than %d words",
				AB_MAX_WORDS - 12);
	l = &run->line[run->nlines];
	for (int i = 0; i < n; i++) {
		if (!strcmp(words[i], "--out") ||
		    !strncmp(words[i], "--out=", 6))
			return zc_usage(run->ctx,
					"no --out in a line: zcbench ab "
					"chooses the folders");
		l->argv[i] = words[i];
		off += (size_t)snprintf(l->text + off, sizeof(l->text) - off,
					"%s%s", i ? " " : "", words[i]);
		if (off >= sizeof(l->text))
			off = sizeof(l->text) - 1;
	}
	l->argc = n;
	run->nlines++;
	return 0;
}

/* The lines: a suite's (commands that write results), or one command. */
static int lines_from(struct ab_run *run, char **w, int n)
{
	char path[4200];
	const struct zc_command *c = zc_command_find(w[0]);
	int rc;

	if (n == 1 && !c && zc_suite_find(w[0], path, sizeof(path)) == 0) {
		int e = zc_suite_load(&run->suite, path);
		if (e < 0)
			return zc_usage(run->ctx, "cannot read suite '%s': %s",
					path,
					run->suite.err[0] ? run->suite.err
							  : strerror(-e));
		run->have_suite = 1;
		for (int k = 0; k < run->suite.n; k++) {
			struct zc_suite_line *l = &run->suite.line[k];
			c = zc_command_find(l->argv[0]);
			if (!c || !(c->flags & ZC_CMD_RESULTS))
				continue; /* doctor, topo: nothing to compare */
			if ((rc = add_line(run, l->argv, l->argc)))
				return rc;
		}
		if (!run->nlines)
			return zc_usage(run->ctx,
					"suite '%s' has no line that measures",
					path);
		return 0;
	}
	if (!c || !(c->flags & ZC_CMD_RESULTS))
		return zc_usage(run->ctx,
				"after --: a suite (quick, ci, full or a file) "
				"or a command that measures, not '%s'",
				w[0]);
	return add_line(run, w, n);
}

/* argv for one invocation: the line plus what ab adds. */
static void build_argv(const struct ab_run *run, int side, const struct line *l,
		       const char *out, int dry, char **argv)
{
	int n = 0;

	argv[n++] = (char *)run->bin[side];
	for (int i = 0; i < l->argc; i++)
		argv[n++] = l->argv[i];
	if (dry) {
		argv[n++] = "--dry-run";
	} else {
		argv[n++] = "--repeat";
		argv[n++] = "1";
		argv[n++] = "--quiet";
		argv[n++] = "--no-plot";
		argv[n++] = "--out";
		argv[n++] = (char *)out;
	}
	argv[n] = NULL;
}

/* Every line must plan in both builds, the same way. */
static int check_lines(struct ab_run *run)
{
	for (int k = 0; k < run->nlines; k++) {
		int st[2];
		char last[2][300];
		for (int side = 0; side < 2; side++) {
			char *argv[AB_MAX_WORDS + 2], why[512];
			struct zc_child ch;
			int err;
			build_argv(run, side, &run->line[k], NULL, 1, argv);
			err = invoke(run->bin[side], argv, &ch, 120, why,
				     sizeof(why));
			st[side] = err ? -1
				   : WIFEXITED(ch.status)
					   ? WEXITSTATUS(ch.status)
					   : -1;
			snprintf(last[side], sizeof(last[side]), "%s",
				 err ? why : zc_child_last_line(&ch, 1));
			zc_child_kill(&ch);
		}
		if (st[0] == 0 && st[1] == 0)
			continue;
		if (st[0] == st[1] && st[0] == ZC_EXIT_SKIP)
			return zc_error(run->ctx, "'%s' cannot run here: %s",
					run->line[k].text, last[0]);
		for (int side = 0; side < 2; side++)
			if (st[side] != 0)
				zc_error(run->ctx,
					 "'%s' fails in %s (exit %d): %s",
					 run->line[k].text,
					 side ? "NEW" : "BASE", st[side],
					 last[side]);
		return st[0] != 0 && st[1] != 0 && st[0] == ZC_EXIT_USAGE
			       ? ZC_EXIT_USAGE
			       : ZC_EXIT_FAIL;
	}
	return 0;
}

static int mkdirs(const char *a, const char *b)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/%s", a, b);
	return mkdir(p, 0777) < 0 && errno != EEXIST ? -errno : 0;
}

/* The rounds; how many both sides finished. */
static int run_rounds(struct ab_run *run, int rounds, int *failed)
{
	uint64_t seed = (uint64_t)time(NULL) * 2654435761u | 1;
	struct zc_ctx *ctx = run->ctx;
	int done = 0;

	for (int r = 0; r < rounds && !zc_stopped() && !*failed; r++) {
		char dir[2][4200];
		for (int side = 0; side < 2; side++) {
			snprintf(dir[side], sizeof(dir[side]),
				 "%s/%s/round-%02d", ctx->dir, side_name[side],
				 r);
			mkdir(dir[side], 0777);
		}
		for (int k = 0; k < run->nlines && !zc_stopped() && !*failed;
		     k++) {
			int first;
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			first = (int)(seed & 1); /* random order per line */
			for (int j = 0; j < 2 && !*failed; j++) {
				int side = j ? !first : first;
				char *argv[AB_MAX_WORDS + 2], why[512];
				struct zc_child ch;
				int err;
				fprintf(stderr,
					"zcbench ab: round %d/%d: %s: %s\n",
					r + 1, rounds, side_name[side],
					run->line[k].text);
				build_argv(run, side, &run->line[k], dir[side],
					   0, argv);
				err = invoke(run->bin[side], argv, &ch,
					     opt_timeout, why, sizeof(why));
				if (err == -EINTR || zc_stopped()) {
					zc_child_kill(&ch);
					return done;
				}
				if (err || !zc_child_ok(&ch)) {
					if (!err)
						zc_child_explain(&ch, why,
								 sizeof(why));
					zc_error(ctx, "round %d, %s: '%s': %s",
						 r + 1, side_name[side],
						 run->line[k].text, why);
					*failed = 1;
				}
				zc_child_kill(&ch);
			}
		}
		if (!*failed && !zc_stopped())
			done++;
	}
	return done;
}

static int analyse(struct ab_run *run, int done)
{
	struct zc_ctx *ctx = run->ctx;
	struct zc_rset *set[2];
	struct zc_ab ab;
	struct zc_afile a;
	json_t *j = NULL;
	char err[1024];
	int rc = ZC_EXIT_FAIL, loaded = 0;

	set[0] = calloc((size_t)done + 1, sizeof(**set));
	set[1] = calloc((size_t)done + 1, sizeof(**set));
	if (!set[0] || !set[1])
		goto out;
	for (; loaded < done; loaded++)
		for (int side = 0; side < 2; side++) {
			char dir[4200];
			snprintf(dir, sizeof(dir), "%s/%s/round-%02d", ctx->dir,
				 side_name[side], loaded);
			if (zc_rset_load(&set[side][loaded], dir, err,
					 sizeof(err)) < 0) {
				zc_error(ctx, "cannot read %s: %s", dir, err);
				if (side)
					zc_rset_release(&set[0][loaded]);
				goto out;
			}
		}
	if (zc_ab_run(&ab, set[0], set[1], done, opt_threshold / 100,
		      opt_metrics) < 0) {
		zc_error(ctx, "out of memory");
		goto out;
	}
	zc_ab_markdown(stdout, &ab, run->desc[0], run->desc[1],
		       opt_show == SHOW_ALL);
	j = zc_ab_json(&ab);
	if (!j || zc_out_write_json(ctx->dir, "ab.json", j) < 0 ||
	    (opt_json && zc_out_write_json_path(opt_json, j) < 0) ||
	    zc_afile_open(&a, ctx->dir, "ab.md") < 0) {
		zc_error(ctx, "cannot write the verdict in '%s'", ctx->dir);
	} else {
		zc_ab_markdown(a.f, &ab, run->desc[0], run->desc[1], 1);
		if (zc_afile_commit(&a) < 0)
			zc_error(ctx, "cannot write %s/ab.md", ctx->dir);
		else if (ab.count[ZC_AB_REGRESSED])
			rc = ZC_EXIT_REGRESSION;
		else
			rc = ZC_EXIT_OK;
	}
	if (rc == ZC_EXIT_REGRESSION)
		zc_error(ctx, "regression found: %d metric(s) (exit %d)",
			 ab.count[ZC_AB_REGRESSED], ZC_EXIT_REGRESSION);
	zc_ab_release(&ab);
out:
	json_decref(j);
	for (int r = 0; r < loaded; r++)
		for (int side = 0; side < 2; side++)
			zc_rset_release(&set[side][r]);
	free(set[0]);
	free(set[1]);
	return rc;
}

static int cmd_ab(int argc, char **argv, struct zc_ctx *ctx)
{
	struct ab_run *run = calloc(1, sizeof(*run));
	int dd = -1, rc, schema[2], done, failed = 0;

	if (!run)
		return zc_error(ctx, "out of memory");
	run->ctx = ctx;
	for (int i = 1; i < argc && dd < 0; i++)
		if (!strcmp(argv[i], "--"))
			dd = i;
	rc = zc_cmd_parse(ctx, ab_opts, dd < 0 ? argc : dd, argv);
	if (rc == ZC_DONE)
		printf("\narguments: BASE_BIN NEW_BIN -- SUITE | COMMAND "
		       "[OPTIONS]\n\nab exit status: 0 no regression, 1 error, "
		       "2 usage error, 3 regression found, 130 interrupted "
		       "(what both builds finished is kept and compared)\n");
	if (rc)
		goto out;
	if ((rc = zc_check_metrics(ctx, opt_metrics)))
		goto out;
	if (dd < 0 || dd == argc - 1) {
		rc = zc_usage(ctx, "give what to run after --: a suite or a "
				   "command line (see 'zcbench ab -h')");
		goto out;
	}
	run->bin[0] = ctx->pos[0];
	run->bin[1] = ctx->pos[1];
	if ((rc = lines_from(run, argv + dd + 1, argc - dd - 1)))
		goto out;
	for (int side = 0; side < 2; side++)
		if ((rc = check_binary(run, side, &schema[side])))
			goto out;
	if (schema[0] != schema[1]) {
		rc = zc_error(ctx,
			      "the builds write different results schemas "
			      "(BASE %d, NEW %d): their results cannot be "
			      "compared",
			      schema[0], schema[1]);
		goto out;
	}
	if ((rc = check_lines(run)))
		goto out;
	if (opt_dry) {
		printf("ab plan: %lld rounds of %d line(s), each with both "
		       "builds:\n",
		       opt_rounds, run->nlines);
		for (int k = 0; k < run->nlines; k++)
			printf("  zcbench %s\n", run->line[k].text);
		goto out;
	}
	ctx->out = opt_out;
	if ((rc = zc_cmd_begin(ctx)))
		goto out;
	if (mkdirs(ctx->dir, "base") < 0 || mkdirs(ctx->dir, "new") < 0) {
		rc = zc_error(ctx, "cannot create folders in '%s': %s",
			      ctx->dir, strerror(errno));
		goto out;
	}
	done = run_rounds(run, (int)opt_rounds, &failed);
	if (failed) {
		rc = ZC_EXIT_FAIL;
	} else if (!done) {
		rc = zc_error(ctx, "no round finished: nothing to compare");
	} else {
		if (done < ZC_AB_MIN_PAIRS)
			zc_warn(ctx,
				"%d round(s): at least %d are needed for a "
				"verdict (every row is inconclusive)",
				done, ZC_AB_MIN_PAIRS);
		rc = analyse(run, done);
	}
	{
		int frc = zc_cmd_finish(ctx, NULL, NULL, 0);
		if (frc == ZC_EXIT_INTR)
			rc = ZC_EXIT_INTR;
	}
out:
	if (run->have_suite)
		zc_suite_release(&run->suite);
	free(run);
	return rc;
}

const struct zc_command zc_cmd_ab = {
	.name = "ab",
	.summary = "two builds interleaved round by round: the regression "
		   "check for code (exit 3: regression)",
	.what = "two builds of zcbench run round by round on this machine "
		"and compared by paired per-round ratios",
	.args = "BASE_BIN NEW_BIN -- SUITE|COMMAND",
	.min_args = 2,
	.max_args = 2,
	.flags = ZC_CMD_NO_GLOBALS | ZC_CMD_OWN_EXIT | ZC_CMD_NO_SUITE,
	.fn = cmd_ab,
	.opts = ab_opts,
};
