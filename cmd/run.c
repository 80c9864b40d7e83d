/* SPDX-License-Identifier: MIT */
/*
 * zcbench run [SUITE] — run a suite from experiments/ into one results
 * folder and write report.md: the machine, what makes its numbers noisy,
 * the headline ratios, and per command what was measured, why it matters,
 * its table and its plot.
 *
 * Every line is checked before anything runs, by the command itself, with
 * --dry-run appended: commands that write results validate every value and
 * cross-option rule and plan the sweep without measuring; the others check
 * their options (the very code that will run them) and stop. Their
 * messages are captured and reported as SUITE:LINE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <math.h>

#include "builtin.h"
#include "mdreport.h"
#include "report.h"

static const char *opt_out;
static int opt_dry;

static const struct zc_opt run_opts[] = {
	ZC_OPT_STR("out", "DIR", NULL,
		   "results folder (default results/runs/<date>-<time>-<host>)",
		   &opt_out),
	ZC_OPT_FLAG("dry-run",
		    "check the suite, print each line's plan, run "
		    "nothing",
		    &opt_dry),
	ZC_OPT_END};

#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

struct line_run {
	int rc; /* exit status; -1 not run */
	double seconds;
	int checked_skip; /* the check said 77: cannot run here */
};

struct run {
	struct zc_ctx *ctx;
	struct zc_suite suite;
	struct line_run lr[ZC_SUITE_MAX_LINES];
	double t0;
};

static double mono_s(void)
{
	return (double)zc_now_ns() / 1e9;
}

static int find_suite(struct zc_ctx *ctx, const char *arg, char *path,
		      size_t len)
{
	if (zc_suite_find(arg, path, len) == 0)
		return 0;
	return zc_usage(ctx,
			"no suite '%s' (looked for experiments/%s here, "
			"beside the program and in %s/experiments): give "
			"quick, ci, full or a file",
			arg, arg, ZC_DATADIR);
}

/* Point fd at target (or /dev/null when target < 0); returns the saved
 * descriptor or -1. */
static int redirect(int fd, int target)
{
	int saved, null = -1;

	fflush(fd == 1 ? stdout : stderr);
	saved = dup(fd);
	if (saved < 0)
		return -1;
	if (target < 0) {
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		target = null;
	}
	if (target < 0 || dup2(target, fd) < 0) {
		close(saved);
		saved = -1;
	}
	if (null >= 0)
		close(null);
	return saved;
}

static void restore(int fd, int saved)
{
	fflush(fd == 1 ? stdout : stderr);
	if (saved >= 0) {
		dup2(saved, fd);
		close(saved);
	}
}

static int has_word(const struct zc_suite_line *l, const char *w)
{
	size_t n = strlen(w);
	for (int i = 1; i < l->argc; i++)
		if (!strncmp(l->argv[i], w, n) &&
		    (l->argv[i][n] == 0 || l->argv[i][n] == '='))
			return 1;
	return 0;
}

/* Run argv (a suite line plus extra words) through the hub. */
static int call(const struct zc_suite_line *l, const char *const *extra)
{
	char *argv[ZC_SUITE_MAX_WORDS + 8];
	int n = 0;

	for (int i = 0; i < l->argc; i++)
		argv[n++] = l->argv[i];
	for (int i = 0; extra[i]; i++)
		argv[n++] = (char *)extra[i];
	argv[n] = NULL;
	return zc_command_run(n, argv);
}

static int check_line(struct run *run, int k, int show_plan)
{
	const struct zc_suite_line *l = &run->suite.line[k];
	const char *where = run->suite.path;
	const struct zc_command *c = zc_command_find(l->argv[0]);
	static const char *const dry[] = {"--dry-run", NULL};
	int out, err, rc, bad = 0;
	FILE *cap;
	char buf[1024];

	if (!c) {
		fprintf(stderr,
			"%s:%d: '%s' is not a command of this build "
			"(zcbench -h lists them)\n",
			where, l->lineno, l->argv[0]);
		return -1;
	}
	if (c->flags & ZC_CMD_NO_SUITE) {
		fprintf(stderr, "%s:%d: '%s' cannot run inside a suite\n",
			where, l->lineno, c->name);
		return -1;
	}
	if (has_word(l, "--out") || has_word(l, "--dry-run") ||
	    has_word(l, "-h") || has_word(l, "--help")) {
		fprintf(stderr,
			"%s:%d: no --out, --dry-run or -h in a suite: "
			"zcbench run chooses the folder (--out) and "
			"checks lines itself\n",
			where, l->lineno);
		return -1;
	}
	/* --dry-run (the check) would make it valid; the run would not. */
	if ((c->flags & ZC_CMD_RESULTS) && has_word(l, "--topology")) {
		fprintf(stderr,
			"%s:%d: no --topology for %s in a suite: a suite "
			"measures this machine (zcbench %s --dry-run "
			"--topology plans for another)\n",
			where, l->lineno, c->name, c->name);
		return -1;
	}
	for (int j = 0; j < k; j++)
		if (!strcmp(run->suite.line[j].argv[0], c->name)) {
			fprintf(stderr,
				"%s:%d: '%s' already runs on line %d: one "
				"line per command (its files would be "
				"overwritten)\n",
				where, l->lineno, c->name,
				run->suite.line[j].lineno);
			return -1;
		}
	/* The command checks its own options; its words go to a file so
	 * that they can carry the suite line. */
	cap = tmpfile();
	if (!cap) {
		fprintf(stderr,
			"zcbench run: cannot create a temporary file: %s\n",
			strerror(errno));
		return -1;
	}
	out = show_plan && (c->flags & ZC_CMD_RESULTS) ? -2 : redirect(1, -1);
	err = redirect(2, fileno(cap));
	rc = call(l, dry);
	restore(2, err);
	if (out != -2)
		restore(1, out);
	if (rc == ZC_EXIT_SKIP)
		run->lr[k].checked_skip = 1;
	bad = rc != ZC_EXIT_OK && rc != ZC_EXIT_SKIP;
	rewind(cap);
	while (fgets(buf, sizeof(buf), cap))
		if (bad || rc == ZC_EXIT_SKIP)
			fprintf(stderr, "%s:%d: %s", where, l->lineno, buf);
	fclose(cap);
	if (bad)
		fprintf(stderr, "%s:%d: invalid line: zcbench %s\n", where,
			l->lineno, l->text);
	return bad ? -1 : 0;
}

static const char *line_status(int rc)
{
	switch (rc) {
	case -1:
		return "not run";
	case ZC_EXIT_OK:
		return "ok";
	case ZC_EXIT_SKIP:
		return "cannot run here";
	case ZC_EXIT_INTR:
		return "interrupted";
	case ZC_EXIT_USAGE:
		return "usage error";
	default:
		return "failed";
	}
}

static int run_line(struct run *run, int k)
{
	const struct zc_suite_line *l = &run->suite.line[k];
	const struct zc_command *c = zc_command_find(l->argv[0]);
	const char *extra[3] = {NULL, NULL, NULL};
	struct zc_afile txt;
	char name[128], from[4200], to[4200];
	double t0 = mono_s();
	int saved, rc, err;

	if (c->flags & ZC_CMD_RESULTS) {
		extra[0] = "--out";
		extra[1] = run->ctx->dir;
	}
	/* The command's stdout (its table) is kept as <cmd>.txt. */
	snprintf(name, sizeof(name), "%s.txt", c->name);
	err = zc_afile_open(&txt, run->ctx->dir, name);
	if (err < 0) {
		run->lr[k].rc =
			zc_error(run->ctx, "cannot create %s in '%s': %s", name,
				 run->ctx->dir, zc_file_strerror(err, 1));
		return run->lr[k].rc;
	}
	saved = redirect(1, fileno(txt.f));
	rc = call(l, extra);
	restore(1, saved);
	err = zc_afile_commit(&txt);
	if (err < 0) {
		zc_error(run->ctx, "cannot write %s: %s", name,
			 zc_file_strerror(err, 1));
		if (rc == ZC_EXIT_OK)
			rc = ZC_EXIT_FAIL;
	}
	/* Each command rewrites meta.json; keep its own as <cmd>.meta.json. */
	snprintf(from, sizeof(from), "%s/meta.json", run->ctx->dir);
	snprintf(to, sizeof(to), "%s/%s.meta.json", run->ctx->dir, c->name);
	if ((c->flags & ZC_CMD_RESULTS) &&
	    (err = zc_afile_rename(from, to)) < 0 && err != -ENOENT)
		zc_warn(run->ctx, "cannot keep %s's meta.json as %s: %s",
			c->name, to, zc_file_strerror(err, 1));
	run->lr[k].rc = rc;
	run->lr[k].seconds = mono_s() - t0;
	fprintf(stderr, "zcbench run: line %d (%s): %s in %.1f s\n", l->lineno,
		c->name, line_status(rc), run->lr[k].seconds);
	return rc;
}

/* ---- report.md ------------------------------------------------------------
 */

static int write_report(struct run *run, int stopped)
{
	struct zc_md_line lines[ZC_SUITE_MAX_LINES];
	struct zc_md_about about[32];
	int ncmd, nab = 0, err;
	const struct zc_command *const *cmds = zc_commands(&ncmd);
	char msg[1200] = "";
	struct zc_md_run md = {
		.dir = run->ctx->dir,
		.suite_name = run->suite.name,
		.suite_path = run->suite.path,
		.start = run->ctx->start,
		.seconds = mono_s() - run->t0,
		.stopped = stopped,
		.si = &run->ctx->si,
		.about = about,
		.lines = lines,
		.nlines = run->suite.n,
	};

	for (int k = 0; k < ncmd && nab < NELEM(about); k++)
		about[nab++] =
			(struct zc_md_about){cmds[k]->name, cmds[k]->what,
					     cmds[k]->why, cmds[k]->headlines};
	md.nabout = nab;
	for (int k = 0; k < run->suite.n; k++)
		lines[k] = (struct zc_md_line){
			.lineno = run->suite.line[k].lineno,
			.cmd = run->suite.line[k].argv[0],
			.text = run->suite.line[k].text,
			.status = line_status(run->lr[k].rc),
			.ran = run->lr[k].rc >= 0,
			.seconds = run->lr[k].seconds,
		};
	err = zc_mdreport_write(&md, msg, sizeof(msg));
	if (msg[0])
		zc_warn(run->ctx, "%s", msg);
	return err;
}

/* meta.json is the suite's: the hub wrote it; add the lines' outcomes. */
static int write_suite_meta(struct run *run, const char *status)
{
	char path[4200], *text;
	json_t *meta, *lines = json_array();
	size_t len;
	int e;

	snprintf(path, sizeof(path), "%s/meta.json", run->ctx->dir);
	e = zc_read_file(path, ZC_READ_MAX_JSON, &text, &len);
	if (e < 0) {
		json_decref(lines);
		return e;
	}
	meta = json_loadb(text, len, 0, NULL);
	free(text);
	if (!json_is_object(meta) || !lines) {
		json_decref(meta);
		json_decref(lines);
		return lines ? -EINVAL : -ENOMEM;
	}
	for (int k = 0; k < run->suite.n; k++) {
		const struct zc_suite_line *l = &run->suite.line[k];
		json_array_append_new(
			lines, json_pack("{s:i, s:s, s:s, s:o, s:s, s:o}",
					 "line", l->lineno, "command",
					 l->argv[0], "text", l->text, "exit",
					 run->lr[k].rc >= 0
						 ? json_integer(run->lr[k].rc)
						 : json_null(),
					 "status", line_status(run->lr[k].rc),
					 "seconds",
					 run->lr[k].rc >= 0
						 ? json_real(run->lr[k].seconds)
						 : json_null()));
	}
	json_object_set_new(meta, "status", json_string(status));
	json_object_set_new(meta, "suite",
			    json_pack("{s:s, s:s, s:o}", "name",
				      run->suite.name, "path", run->suite.path,
				      "lines", lines));
	e = zc_out_write_json(run->ctx->dir, "meta.json", meta);
	json_decref(meta);
	return e;
}

static int cmd_run(int argc, char **argv, struct zc_ctx *ctx)
{
	char path[4200];
	struct run *run;
	int np, rc, bad = 0, failed = 0, stopped = 0, e;

	rc = zc_cmd_parse(ctx, run_opts, argc, argv);
	if (rc == ZC_DONE)
		printf("\narguments: SUITE   quick (default; about a minute), "
		       "ci "
		       "(the regression suite),\n"
		       "                  full (every sweep), or a suite file "
		       "(one zcbench invocation per line)\n");
	if (rc)
		return rc;
	np = ctx->npos;
	ctx->out = opt_out;
	ctx->dry_run = opt_dry;
	if (ctx->out && !ctx->dry_run) {
		e = zc_out_check_dir(ctx->out);
		if (e < 0)
			return zc_usage(ctx, "cannot write results to '%s': %s",
					ctx->out, strerror(-e));
	}
	rc = find_suite(ctx, np ? ctx->pos[0] : "quick", path, sizeof(path));
	if (rc)
		return rc;
	run = calloc(1, sizeof(*run));
	if (!run)
		return zc_error(ctx, "out of memory");
	run->ctx = ctx;
	e = zc_suite_load(&run->suite, path);
	if (e < 0) {
		if (e == -EINVAL || e == -E2BIG)
			fprintf(stderr,
				"%s\nzcbench run: invalid suite '%s': "
				"nothing was run\n",
				run->suite.err, path);
		else
			zc_usage(ctx, "cannot read suite '%s': %s", path,
				 strerror(-e));
		free(run);
		return ZC_EXIT_USAGE;
	}
	if (run->suite.n == 0) {
		rc = zc_usage(ctx, "suite '%s' has no lines to run", path);
		goto out;
	}
	for (int k = 0; k < run->suite.n; k++) {
		run->lr[k].rc = -1;
		if (ctx->dry_run)
			printf("%s:%d: zcbench %s\n", path,
			       run->suite.line[k].lineno,
			       run->suite.line[k].text);
		bad += check_line(run, k, ctx->dry_run) < 0;
	}
	if (bad) {
		rc = zc_usage(ctx,
			      "%d invalid line(s) in '%s': nothing was run",
			      bad, path);
		goto out;
	}
	if (ctx->dry_run) {
		printf("suite %s: %d line(s), all valid\n", path, run->suite.n);
		rc = ZC_EXIT_OK;
		goto out;
	}

	rc = zc_cmd_begin(ctx);
	if (rc)
		goto out;
	run->t0 = mono_s();
	for (int k = 0; k < run->suite.n; k++) {
		if (zc_stopped()) {
			stopped = 1;
			break;
		}
		fprintf(stderr, "zcbench run: [%d/%d] %s:%d: zcbench %s\n",
			k + 1, run->suite.n, path, run->suite.line[k].lineno,
			run->suite.line[k].text);
		e = run_line(run, k);
		if (e == ZC_EXIT_INTR || zc_stopped()) {
			stopped = 1;
			break;
		}
		failed += e != ZC_EXIT_OK && e != ZC_EXIT_SKIP;
	}
	e = write_report(run, stopped);
	if (e < 0) {
		zc_error(ctx, "cannot write report.md in '%s': %s", ctx->dir,
			 zc_file_strerror(e, 1));
		failed++;
	}
	rc = zc_cmd_finish(ctx, NULL, NULL, 0);
	e = write_suite_meta(run, stopped  ? "interrupted"
				  : failed ? "failed"
					   : "complete");
	if (e < 0) {
		zc_error(ctx, "cannot write meta.json in '%s': %s", ctx->dir,
			 zc_file_strerror(e, 1));
		failed++;
	}
	if (rc == ZC_EXIT_OK && stopped)
		rc = ZC_EXIT_INTR;
	if (rc == ZC_EXIT_OK && failed) {
		zc_error(ctx, "%d line(s) failed (see report.md)", failed);
		rc = ZC_EXIT_FAIL;
	}
	if (rc != ZC_EXIT_INTR)
		printf("%s/report.md\n", ctx->dir);
out:
	zc_suite_release(&run->suite);
	free(run);
	return rc;
}

const struct zc_command zc_cmd_run = {
	.name = "run",
	.summary = "run a suite (quick, ci, full) into one folder with "
		   "report.md",
	.what = "runs a suite from `experiments/` (`quick`, the default, under "
		"a minute; `ci`; `full`) into one folder with `report.md`",
	.args = "[SUITE]",
	.min_args = 0,
	.max_args = 1,
	.flags = ZC_CMD_NO_GLOBALS | ZC_CMD_NO_SUITE,
	.fn = cmd_run,
	.opts = run_opts,
};
