/* SPDX-License-Identifier: MIT */
/*
 * zcbench run [SUITE] — run a suite from experiments/ into one results
 * folder and write report.md: the machine, what makes its numbers noisy,
 * the headline ratios, and per command what was measured, why it matters,
 * its table and its plot.
 *
 * Every line is checked before anything runs, by the command itself:
 * commands that write results are called with --dry-run (which validates
 * every value and cross-option rule and plans the sweep without measuring),
 * the others with -h appended (the option parser checks every value before
 * it reaches -h). Their messages are captured and reported as SUITE:LINE.
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

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* A name looks in experiments/ (here, beside the build, installed); a path
 * is taken as it is. */
static int find_suite(struct zc_ctx *ctx, const char *arg, char *path,
		      size_t len)
{
	static const char *const rel[] = {"..", "../share/zcbench", NULL};
	char name[4200], why[512];

	if (strchr(arg, '/')) {
		snprintf(path, len, "%s", arg);
		return 0;
	}
	snprintf(name, sizeof(name), "experiments/%s", arg);
	if (is_file(name)) {
		snprintf(path, len, "%s", name);
		return 0;
	}
	if (zc_locate(NULL, name, rel, ZC_DATADIR, path, len, why,
		      sizeof(why)) == 0)
		return 0;
	if (is_file(arg)) {
		snprintf(path, len, "%s", arg);
		return 0;
	}
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
	static const char *const help[] = {"-h", NULL};
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
	rc = call(l, (c->flags & ZC_CMD_RESULTS) ? dry : help);
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
	if (err < 0)
		return zc_error(run->ctx, "cannot create %s in '%s': %s", name,
				run->ctx->dir, strerror(-err));
	saved = redirect(1, fileno(txt.f));
	rc = call(l, extra);
	restore(1, saved);
	err = zc_afile_commit(&txt);
	if (err < 0) {
		zc_error(run->ctx, "cannot write %s: %s", name, strerror(-err));
		if (rc == ZC_EXIT_OK)
			rc = ZC_EXIT_FAIL;
	}
	/* Each command rewrites meta.json; keep its own as <cmd>.meta.json. */
	snprintf(from, sizeof(from), "%s/meta.json", run->ctx->dir);
	snprintf(to, sizeof(to), "%s/%s.meta.json", run->ctx->dir, c->name);
	if ((c->flags & ZC_CMD_RESULTS) && rename(from, to) < 0 &&
	    errno != ENOENT)
		zc_warn(run->ctx, "cannot keep %s's meta.json: %s", c->name,
			strerror(errno));
	run->lr[k].rc = rc;
	run->lr[k].seconds = mono_s() - t0;
	fprintf(stderr, "zcbench run: line %d (%s): %s in %.1f s\n", l->lineno,
		c->name, line_status(rc), run->lr[k].seconds);
	return rc;
}

/* ---- report.md ------------------------------------------------------------
 */

static void md_size(FILE *f, const char *label, unsigned long long b)
{
	if (!b)
		return;
	if (b >= 1 << 20)
		fprintf(f, "%s %llu MiB", label, b >> 20);
	else
		fprintf(f, "%s %llu KiB", label, b >> 10);
}

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "unknown";
}

static void md_machine(FILE *f, const struct zc_ctx *ctx)
{
	const struct zc_sysinfo *si = &ctx->si;
	struct zc_check checks[32];
	int n, shown = 0;

	fprintf(f, "## Machine\n\n| | |\n|---|---|\n");
	fprintf(f, "| host | %s |\n", or_unknown(si->host));
	fprintf(f, "| CPU | %s (%s, %s); %.0f MHz nominal |\n",
		or_unknown(si->cpu_model), or_unknown(si->vendor),
		or_unknown(si->arch), si->mhz);
	fprintf(f,
		"| CPUs this process may use | %d PUs, %d cores, %d "
		"package(s), SMT %s (%s) |\n",
		si->npus, si->ncores, si->npackages, si->smt ? "on" : "off",
		or_unknown(si->allowed));
	fprintf(f, "| caches |");
	md_size(f, " L1d", si->l1d);
	md_size(f, ", L2", si->l2);
	md_size(f, ", L3", si->l3);
	fprintf(f, ", line %u B |\n", si->line);
	fprintf(f, "| NUMA | %d node(s); memory binding: %s |\n", si->nnuma,
		or_unknown(si->numa_binding));
	fprintf(f, "| kernel | %s |\n", or_unknown(si->kernel));
	fprintf(f, "| virtualization | %s |\n", or_unknown(si->virt));
	fprintf(f, "| governor / boost | %s / %s |\n", or_unknown(si->governor),
		or_unknown(si->boost));
	fprintf(f, "| transparent huge pages | %s |\n", or_unknown(si->thp));
	fprintf(f, "| isolcpus / nohz_full | %s / %s |\n",
		or_unknown(si->isolcpus), or_unknown(si->nohz_full));
	if (si->paranoid != -100)
		fprintf(f, "| perf_event_paranoid | %d |\n", si->paranoid);
	fprintf(f, "| load average (1 min) at start | %.2f |\n\n",
		si->loadavg1);

	{
		/* The default events, so the report says which counters work. */
		struct zc_evset ev;
		int have = zc_evset_resolve(&ev, ZC_EVENTS_DEFAULT) == 0;
		n = zc_sysinfo_checks(si, have ? &ev : NULL, checks,
				      NELEM(checks));
	}
	fprintf(f, "## What makes numbers noisy here\n\n");
	for (int i = 0; i < n; i++) {
		if (checks[i].level == ZC_CHECK_OK)
			continue;
		fprintf(f, "- **%s** %s: %s%s%s\n",
			zc_check_level_name(checks[i].level), checks[i].name,
			checks[i].finding, checks[i].advice[0] ? " — " : "",
			checks[i].advice);
		shown++;
	}
	if (!shown)
		fprintf(f, "Nothing found: no virtualization, frequency "
			   "scaling or isolation problems detected.\n");
	fputc('\n', f);
}

static json_t *find_res(const struct zc_rset *s, const char *cmd)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(zc_res_command(s->res[i]), cmd))
			return s->res[i];
	return NULL;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void md_headlines(FILE *f, const struct zc_rset *set)
{
	int shown = 0, ncmd;
	const struct zc_command *const *cmds = zc_commands(&ncmd);

	fprintf(f, "## Headlines\n\nRatios measured within this run "
		   "(median over repetitions, and their range).\n\n");
	for (int k = 0; k < ncmd; k++)
		for (const struct zc_headline *hl = cmds[k]->headlines;
		     hl && hl->metric; hl++) {
			json_t *res = find_res(set, cmds[k]->name), *cs;
			const char *hcmd = cmds[k]->name;
			const char *unit = "";
			int rows = 0;
			size_t i;

			if (!res || zc_res_metric(res, hl->metric, NULL, &unit,
						  NULL) < 0)
				continue;
			json_array_foreach(
				json_object_get(json_object_get(res, "zcbench"),
						"cases"),
				i, cs)
			{
				double x[ZC_MAX_REP];
				struct zc_summary s;
				const char *name = jstr(cs, "name");
				size_t pre = strlen(hcmd) + 1;
				int n;
				if (strcmp(jstr(cs, "status"), "ok") ||
				    strcmp(jstr(json_object_get(cs, "params"),
						hl->key),
					   hl->value))
					continue;
				n = zc_res_samples(cs, hl->metric, x,
						   ZC_MAX_REP);
				if (!n ||
				    zc_stats_summary(x, (size_t)n, &s) < 0)
					continue;
				if (!rows++)
					fprintf(f,
						"**%s** (`%s`, %s)\n\n| case | "
						"median "
						"| range |\n|---|--:|--:|\n",
						hl->text, hl->metric, unit);
				fprintf(f, "| %s | **%.2f** | %.2f..%.2f |\n",
					strlen(name) > pre ? name + pre : name,
					s.median, s.min, s.max);
			}
			if (rows)
				fputc('\n', f);
			shown += rows;
		}
	if (!shown)
		fprintf(f, "No headline ratios in this suite's results.\n");
	fputc('\n', f);
}

static void md_text_file(FILE *f, const char *dir, const char *name)
{
	char path[4200], buf[512];
	int lines = 0, more = 0;
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	in = fopen(path, "r");
	if (!in)
		return;
	while (fgets(buf, sizeof(buf), in)) {
		if (lines == 60) {
			more++;
			continue;
		}
		if (!lines++)
			fprintf(f, "```text\n");
		fputs(buf, f);
		if (!strchr(buf, '\n'))
			fputc('\n', f);
	}
	fclose(in);
	if (lines)
		fprintf(f, "```\n");
	if (more)
		fprintf(f, "(%d more lines in [%s](%s))\n", more, name, name);
	fputc('\n', f);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a command in the folder: <cmd>.* and <cmd>-*. */
static int cmd_files(const char *dir, const char *cmd, char **names, int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t l = strlen(cmd);
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max)
		if (!strncmp(e->d_name, cmd, l) &&
		    (e->d_name[l] == '.' || e->d_name[l] == '-') &&
		    (names[n] = strdup(e->d_name)))
			n++;
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_name);
	return n;
}

static void md_command(FILE *f, const struct run *run,
		       const struct zc_rset *set, int k)
{
	const struct zc_suite_line *l = &run->suite.line[k];
	const char *cmd = l->argv[0], *dir = run->ctx->dir;
	json_t *res = find_res(set, cmd), *x;
	char *files[64], txt[160];
	int nf, count[3] = {0, 0, 0};
	size_t i;

	fprintf(f, "## %s\n\n`zcbench %s` — %s", cmd,
		l->text + (strncmp(l->text, "zcbench ", 8) ? 0 : 8),
		line_status(run->lr[k].rc));
	if (run->lr[k].rc >= 0)
		fprintf(f, " in %.1f s", run->lr[k].seconds);
	fprintf(f, "\n\n");
	if (zc_command_find(cmd) && zc_command_find(cmd)->why)
		fprintf(f, "**What:** %s.\n\n**Why it matters:** %s.\n\n",
			zc_command_find(cmd)->what, zc_command_find(cmd)->why);
	if (res) {
		json_t *zc = json_object_get(res, "zcbench");
		fprintf(f, "Metrics:\n");
		json_array_foreach(json_object_get(zc, "metrics"), i, x)
		{
			const char *b = jstr(x, "better");
			fprintf(f, "- `%s` [%s]%s%s%s: %s\n", jstr(x, "name"),
				jstr(x, "unit"), strcmp(b, "none") ? ", " : "",
				!strcmp(b, "lower")    ? "lower is better"
				: !strcmp(b, "higher") ? "higher is better"
						       : "",
				json_is_true(json_object_get(x, "portable"))
					? ", machine-independent"
					: "",
				jstr(x, "description"));
		}
		json_array_foreach(json_object_get(zc, "cases"), i, x)
		{
			const char *s = jstr(x, "status");
			count[!strcmp(s, "ok")	      ? 0
			      : !strcmp(s, "skipped") ? 1
						      : 2]++;
		}
		fprintf(f, "\nCases: %d measured, %d skipped, %d failed.\n\n",
			count[0], count[1], count[2]);
	}
	snprintf(txt, sizeof(txt), "%s.txt", cmd);
	md_text_file(f, dir, txt);
	nf = cmd_files(dir, cmd, files, NELEM(files));
	for (int j = 0; j < nf; j++) {
		size_t n = strlen(files[j]);
		if (n > 4 && !strcmp(files[j] + n - 4, ".png"))
			fprintf(f, "![%s](%s)\n\n", files[j], files[j]);
	}
	if (nf) {
		fprintf(f, "Files:");
		for (int j = 0; j < nf; j++)
			fprintf(f, " [%s](%s)", files[j], files[j]);
		fprintf(f, "\n\n");
	}
	for (int j = 0; j < nf; j++)
		free(files[j]);
}

static int write_report(struct run *run, int stopped)
{
	struct zc_ctx *ctx = run->ctx;
	struct zc_rset set;
	struct zc_afile a;
	char err[1024];
	int e, have;
	FILE *f;

	have = zc_rset_load(&set, ctx->dir, err, sizeof(err)) == 0;
	if (!have && !strstr(err, "no zcbench results"))
		zc_warn(ctx, "report.md without results: %s", err);
	e = zc_afile_open(&a, ctx->dir, "report.md");
	if (e < 0) {
		if (have)
			zc_rset_release(&set);
		return e;
	}
	f = a.f;
	fprintf(f, "# zcbench report: the %s suite\n\n", run->suite.name);
	fprintf(f, "zcbench %s (git %s) · suite `%s` · %.0f s%s\n\n",
		ZC_VERSION, ZC_GIT_REV, run->suite.path, mono_s() - run->t0,
		stopped ? " · **interrupted**: what finished is kept" : "");
	fprintf(f, "Every file named here is in this folder. `zcbench plot .` "
		   "re-renders the plots; `zcbench compare OLD .` checks this "
		   "run against an older one.\n\n");
	md_machine(f, ctx);
	md_headlines(f, have ? &set : &(struct zc_rset){0});
	fprintf(f, "## Suite\n\n| line | command | status | time |\n"
		   "|--:|---|---|--:|\n");
	for (int k = 0; k < run->suite.n; k++) {
		fprintf(f, "| %d | `zcbench %s` | %s | ",
			run->suite.line[k].lineno, run->suite.line[k].text,
			line_status(run->lr[k].rc));
		if (run->lr[k].rc >= 0)
			fprintf(f, "%.1f s", run->lr[k].seconds);
		fprintf(f, " |\n");
	}
	fputc('\n', f);
	for (int k = 0; k < run->suite.n; k++)
		if (run->lr[k].rc >= 0)
			md_command(f, run, have ? &set : &(struct zc_rset){0},
				   k);
	if (have)
		zc_rset_release(&set);
	return zc_afile_commit(&a);
}

/* meta.json is the suite's: the hub wrote it; add the lines' outcomes. */
static int write_suite_meta(struct run *run, const char *status)
{
	char path[4200];
	json_t *meta, *lines = json_array();
	int e;

	snprintf(path, sizeof(path), "%s/meta.json", run->ctx->dir);
	meta = json_load_file(path, 0, NULL);
	if (!meta || !lines) {
		json_decref(meta);
		json_decref(lines);
		return -ENOMEM;
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
			 strerror(-e));
		failed++;
	}
	rc = zc_cmd_finish(ctx, NULL, NULL, 0);
	e = write_suite_meta(run, stopped  ? "interrupted"
				  : failed ? "failed"
					   : "complete");
	if (e < 0) {
		zc_error(ctx, "cannot write meta.json in '%s': %s", ctx->dir,
			 strerror(-e));
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
};
