/* SPDX-License-Identifier: MIT */
/*
 * zcbench — the hub: command table, global options, results folder set-up,
 * exit policy.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "builtin.h"
#include "report.h"
#include "shm.h"

/* Sorted by name. Each command's facts live in its own file. */
static const struct zc_command *const commands[] = {
	&zc_cmd_ab,	&zc_cmd_c2c,	&zc_cmd_compare,    &zc_cmd_doctor,
	&zc_cmd_events, &zc_cmd_export, &zc_cmd_falseshare, &zc_cmd_ffi,
	&zc_cmd_plot,	&zc_cmd_ring,	&zc_cmd_run,	    &zc_cmd_sendfile,
	&zc_cmd_topo,	&zc_cmd_wait,
};
#define NCOMMANDS (int)(sizeof(commands) / sizeof(commands[0]))

static const struct zc_word format_words[] = {{"text", ZC_FMT_TEXT},
					      {"csv", ZC_FMT_CSV},
					      {"json", ZC_FMT_JSON},
					      {NULL, 0}};

static const struct zc_word onoff_words[] = {{"off", 0}, {"on", 1}, {NULL, 0}};

static struct zc_ctx parse_ctx;

const struct zc_opt zc_global_opts[] = {
	ZC_OPT_STR("out", "DIR", NULL,
		   "results folder (default results/runs/<date>-<time>-<host>)",
		   &parse_ctx.out),
	ZC_OPT_CHOICE("format", "text", "what to print on stdout",
		      &parse_ctx.format, format_words),
	ZC_OPT_INT("repeat", "N", NULL, "5", "repetitions per case",
		   &parse_ctx.repeat, 1, ZC_MAX_REP, .quick = "3"),
	ZC_OPT_FLAG("quick", "reduced sweep that runs in seconds",
		    &parse_ctx.quick, .flags = ZC_OPT_F_QUICK),
	ZC_OPT_FLAG("dry-run", "print the plan (placements, sweep) and exit",
		    &parse_ctx.dry_run),
	ZC_OPT_STR("topology", "SPEC", NULL,
		   "plan against synthetic:\"pack:2 l3:2 core:8 pu:2\" or "
		   "FILE.xml "
		   "(with --dry-run)",
		   &parse_ctx.topology),
	ZC_OPT_STR("cpus", "LIST", NULL,
		   "use these CPUs (OS numbering, e.g. 0-3,8) as placement "
		   "\"cpus\"",
		   &parse_ctx.cpus_text),
	ZC_OPT_STR("events", "LIST", ZC_EVENTS_DEFAULT,
		   "perf events to count (libpfm4 names; see zcbench events)",
		   &parse_ctx.events_text),
	ZC_OPT_DOUBLE("timeout", "S", "s", "60", "limit for one case",
		      &parse_ctx.timeout_s, 1, 86400),
	ZC_OPT_FLAG("quiet", "print no table on stdout", &parse_ctx.quiet),
	ZC_OPT_FLAG("no-plot",
		    "write the data and the plot scripts, render no PNG "
		    "(zcbench plot DIR renders them later)",
		    &parse_ctx.no_plot),
	ZC_OPT_CHOICE("sentinel", "on",
		      "measure the cache-line hand-off between a case's CPUs "
		      "before and after every repetition and give figures "
		      "per host-placement regime (cases on two or more CPUs)",
		      &parse_ctx.sentinel, onoff_words),
	ZC_OPT_END};

static void vmsg(const struct zc_ctx *ctx, const char *kind, const char *fmt,
		 va_list ap) __attribute__((format(printf, 3, 0)));
static void vmsg(const struct zc_ctx *ctx, const char *kind, const char *fmt,
		 va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "zcbench%s%s: %s", ctx && ctx->cmd ? " " : "",
		ctx && ctx->cmd ? ctx->cmd : "", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int zc_error(const struct zc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(ctx, "", fmt, ap);
	va_end(ap);
	return ZC_EXIT_FAIL;
}

int zc_usage(const struct zc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(ctx, "", fmt, ap);
	va_end(ap);
	return ZC_EXIT_USAGE;
}

int zc_check_metrics(const struct zc_ctx *ctx, const char *sel)
{
	if (zc_metric_selection_ok(sel))
		return 0;
	return zc_usage(ctx,
			"--metrics: '%s' is not valid: expected 1..16 items "
			"separated by commas: metric names (a-z, 0-9, '_'), "
			"primary or all",
			sel);
}

void zc_warn(const struct zc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(ctx, "warning: ", fmt, ap);
	va_end(ap);
}

static void print_cmd_help(const struct zc_ctx *ctx, FILE *f)
{
	const struct zc_command *c = zc_command_find(ctx->cmd);
	fprintf(f, "usage: zcbench %s [options]%s%s\n", ctx->cmd,
		c && c->args ? " " : "", c && c->args ? c->args : "");
	if (c)
		fprintf(f, "%s\n", c->summary);
	if (c && c->what && c->why)
		fprintf(f, "\nWhat: %s.\nWhy it matters: %s.\n", c->what,
			c->why);
	if (ctx->opts && ctx->opts[0].name) {
		fprintf(f, "\n%s options:\n", ctx->cmd);
		zc_opt_help(f, ctx->opts);
	}
	if (!(ctx->flags & ZC_CMD_NO_GLOBALS)) {
		/* The globals as this command takes them: --repeat's default
		 * is the command's own where it sets one. */
		struct zc_opt g[32];
		char rep[16];
		size_t n = 0;

		for (;
		     zc_global_opts[n].name && n < sizeof(g) / sizeof(g[0]) - 1;
		     n++) {
			g[n] = zc_global_opts[n];
			if (c && c->bench && c->bench->repeat &&
			    !strcmp(g[n].name, "repeat")) {
				snprintf(rep, sizeof(rep), "%d",
					 c->bench->repeat);
				g[n].def = rep;
			}
		}
		g[n] = (struct zc_opt){0};
		fprintf(f, "\nglobal options:\n");
		zc_opt_help(f, g);
	}
	if (c && c->bench && c->bench->repeat)
		fprintf(f,
			"\n%s repeats each case %d times by default (3 with "
			"--quick): many short repetitions, each between two "
			"sentinels, so that a change of host state is seen "
			"between them instead of blended inside one\n",
			ctx->cmd, c->bench->repeat);
	if (c && c->bench && c->bench->events_note)
		fprintf(f, "\ncounters (--events): %s\n",
			c->bench->events_note);
	if (ctx->flags & ZC_CMD_OWN_EXIT)
		return;
	fprintf(f, "\nexit status: 0 success, 1 failure (a failed self-check "
		   "included), 2 usage error,\n77 cannot run here, 130 "
		   "interrupted (what was measured is kept)\n");
}

static json_t *record_options(const struct zc_opt *const *tables)
{
	json_t *o = json_object();
	char buf[1024];
	if (!o)
		return NULL;
	for (int t = 0; tables[t]; t++)
		for (const struct zc_opt *p = tables[t]; p->name; p++) {
			if (!p->dest)
				continue;
			zc_opt_format(p, buf, sizeof(buf));
			json_object_set_new(o, p->name, json_string(buf));
		}
	return o;
}

int zc_cmd_parse(struct zc_ctx *ctx, const struct zc_opt *opts, int argc,
		 char **argv)
{
	const struct zc_opt *tables[3] = {opts, NULL, NULL};
	const struct zc_command *c = zc_command_find(ctx->cmd);
	char msg[512];
	int first = 0, err;

	ctx->opts = opts;
	if (!(ctx->flags & ZC_CMD_NO_GLOBALS))
		tables[1] = zc_global_opts;
	if (c && c->args) {
		/* Options and arguments may be mixed: take the arguments out
		 * (an option's value stays with it) and parse the rest. */
		ctx->optv = calloc((size_t)argc + 1, sizeof(*ctx->optv));
		ctx->pos = calloc((size_t)argc + 1, sizeof(*ctx->pos));
		if (!ctx->optv || !ctx->pos)
			return zc_error(ctx, "out of memory");
		zc_args_split(tables, argc, argv, &argc, ctx->optv, &ctx->npos,
			      ctx->pos);
		argv = ctx->optv;
	}
	/* The global table writes into parse_ctx; copy into ctx after. */
	memset(&parse_ctx, 0, sizeof(parse_ctx));
	err = zc_opt_parse(tables, argc - 1, argv + 1, &first, msg,
			   sizeof(msg));
	if (err == 1) {
		print_cmd_help(ctx, stdout);
		return ZC_DONE;
	}
	if (err < 0)
		return zc_usage(ctx, "%s (see 'zcbench %s -h')", msg, ctx->cmd);
	if (first < argc - 1)
		return zc_usage(
			ctx, "unexpected argument '%s' (see 'zcbench %s -h')",
			argv[first + 1], ctx->cmd);
	if (c && c->args &&
	    (ctx->npos < c->min_args ||
	     (c->max_args >= 0 && ctx->npos > c->max_args))) {
		char n[32];
		if (c->max_args < 0)
			snprintf(n, sizeof(n), "at least %d", c->min_args);
		else if (c->min_args == c->max_args)
			snprintf(n, sizeof(n), "%d", c->min_args);
		else
			snprintf(n, sizeof(n), "%d to %d", c->min_args,
				 c->max_args);
		return zc_usage(ctx,
				"expected %s (%s argument%s), got %d (see "
				"'zcbench %s -h')",
				c->args, n,
				c->max_args == 1 && c->min_args <= 1 ? "" : "s",
				ctx->npos, ctx->cmd);
	}
	if (!(ctx->flags & ZC_CMD_NO_GLOBALS)) {
		ctx->out = parse_ctx.out;
		ctx->format = parse_ctx.format;
		/* 0 when neither --repeat nor --quick set it: the command's
		 * own default applies (zc_bench_def.repeat) */
		ctx->repeat =
			parse_ctx.quick || zc_opt_given(tables, argc - 1,
							argv + 1, "repeat")
				? parse_ctx.repeat
				: 0;
		ctx->quick = parse_ctx.quick;
		ctx->dry_run = parse_ctx.dry_run;
		ctx->topology = parse_ctx.topology;
		ctx->cpus_text = parse_ctx.cpus_text;
		ctx->events_text = parse_ctx.events_text;
		ctx->timeout_s = parse_ctx.timeout_s;
		ctx->quiet = parse_ctx.quiet;
		ctx->no_plot = parse_ctx.no_plot;
		ctx->sentinel = parse_ctx.sentinel;
	}
	ctx->reps = ctx->repeat ? (int)ctx->repeat : 5;
	ctx->options = record_options(tables);

	if (ctx->topology && !ctx->dry_run && (ctx->flags & ZC_CMD_RESULTS))
		return zc_usage(ctx,
				"--topology plans against another machine: "
				"use it with --dry-run");
	err = zc_topo_load(&ctx->topo, ctx->topology);
	if (err < 0) {
		if (ctx->topology)
			return zc_usage(ctx, "bad --topology '%s': %s",
					ctx->topology, ctx->topo.err);
		return zc_error(ctx, "cannot load the topology: %s",
				ctx->topo.err);
	}
	ctx->topo_loaded = 1;
	if (ctx->cpus_text) {
		char allowed[128];
		int n = zc_topo_parse_cpus(ctx->cpus_text, ctx->cpus,
					   ZC_TOPO_MAX_THREADS);
		zc_topo_format_allowed(&ctx->topo, allowed, sizeof(allowed));
		if (n <= 0)
			return zc_usage(ctx,
					"bad --cpus '%s': expected a list "
					"such as 0-3,8 within %s",
					ctx->cpus_text, allowed);
		for (int i = 0; i < n; i++)
			if (!hwloc_bitmap_isset(ctx->topo.allowed,
						ctx->cpus[i]))
				return zc_usage(
					ctx,
					"--cpus: CPU %d is not one this "
					"process may use (allowed: %s)",
					ctx->cpus[i], allowed);
		ctx->ncpus = n;
	}
	if (ctx->out && !ctx->dry_run) {
		err = zc_out_check_dir(ctx->out);
		if (err < 0)
			return zc_usage(ctx, "cannot write results to '%s': %s",
					ctx->out, strerror(-err));
	}
	/* A command that measures nothing has no plan: with --dry-run its
	 * options are checked (as `zcbench run` checks a suite line with
	 * the very code that will run it) and it stops here. */
	if (ctx->dry_run && !(ctx->flags & ZC_CMD_RESULTS) &&
	    !(ctx->flags & ZC_CMD_NO_GLOBALS)) {
		printf("zcbench %s: options checked; nothing to plan\n",
		       ctx->cmd);
		return ZC_DONE;
	}
	if (ctx->events_text && (ctx->flags & ZC_CMD_RESULTS)) {
		err = zc_evset_resolve(&ctx->events, ctx->events_text);
		if (err == -EINVAL)
			return zc_usage(ctx,
					"bad --events '%s': give 1 to %d "
					"comma-separated event names",
					ctx->events_text, ZC_EV_MAX);
		if (err < 0)
			return zc_error(ctx, "cannot set up counters: %s",
					strerror(-err));
		/* Names the user gave must exist (the defaults may be
		 * absent here, with the reason recorded). */
		for (int e = 0; strcmp(ctx->events_text, ZC_EVENTS_DEFAULT) &&
				e < ctx->events.n;
		     e++)
			if (ctx->events.ev[e].status == ZC_EV_UNKNOWN)
				return zc_usage(
					ctx,
					"bad --events: '%s': %s (zcbench "
					"events lists what this machine "
					"knows)",
					ctx->events.ev[e].name,
					ctx->events.ev[e].why);
	}
	return 0;
}

static int write_meta(struct zc_ctx *ctx, const char *status)
{
	struct zc_meta m = {
		.command = ctx->cmd,
		.argc = ctx->argc,
		.argv = ctx->argv,
		.start = ctx->start,
		.end = strcmp(status, "running") ? zc_unix_s() : 0,
		.status = status,
		.si = &ctx->si,
		.events = ctx->events.n ? &ctx->events : NULL,
		.clock = &ctx->clock,
		.options = ctx->options,
		.sentinel = ctx->sentinel_meta,
	};
	return zc_meta_write(ctx->dir, &m, &ctx->topo);
}

int zc_cmd_begin(struct zc_ctx *ctx)
{
	int err;

	ctx->start = zc_unix_s();
	zc_bench_signals_install();
	err = zc_sysinfo_collect(&ctx->si, &ctx->topo);
	if (err < 0)
		return zc_error(ctx, "cannot collect system information: %s",
				strerror(-err));
	err = zc_clock_calibrate(&ctx->clock, ctx->quick ? 20 : 100);
	if (err < 0)
		return zc_error(ctx, "cannot calibrate the clock: %s",
				strerror(-err));
	err = zc_out_mkdir(ctx->out, ctx->dir, sizeof(ctx->dir));
	if (err < 0)
		return zc_error(ctx, "cannot create results folder '%s': %s",
				ctx->out ? ctx->out : "results/runs",
				strerror(-err));
	if (ctx->flags & ZC_CMD_RESULTS) {
		char bad[64];
		/* Said now, not after the measurement. */
		err = zc_out_check_all(ctx->dir, ctx->cmd, bad, sizeof(bad));
		if (err < 0)
			return zc_error(ctx, "cannot write %s in '%s': %s", bad,
					ctx->dir, zc_file_strerror(err, 1));
	}
	err = write_meta(ctx, "running");
	if (err < 0)
		return zc_error(ctx,
				"cannot write meta.json and topology.xml in "
				"'%s': %s",
				ctx->dir, zc_file_strerror(err, 1));
	return 0;
}

int zc_cmd_can_run(const struct zc_ctx *ctx, const struct zc_results *r)
{
	if (zc_results_count(r, ZC_CASE_OK) > 0)
		return 0;
	for (int i = 0; i < r->ncases; i++) {
		int seen = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = !strcmp(r->cases[j].reason, r->cases[i].reason);
		if (!seen)
			zc_error(ctx, "cannot run here: %s (%s)",
				 r->cases[i].reason, r->cases[i].name);
	}
	return ZC_EXIT_SKIP;
}

int zc_cmd_finish(struct zc_ctx *ctx, struct zc_results *r,
		  const struct zc_plot *plots, int nplots)
{
	int rc = ZC_EXIT_OK, err;
	const char *status = "complete";
	char msg[512];

	if (r) {
		r->interrupted = zc_stopped() != 0;
		if (!r->context)
			r->context = zc_sysinfo_gbench_context(&ctx->si,
							       ctx->argv[0]);
		if (!r->options && ctx->options)
			r->options = json_incref(ctx->options);
		if (!ctx->quiet) {
			static const char *const fmt[] = {"text", "csv",
							  "json"};
			const struct zc_out_backend *b =
				zc_out_backend(fmt[ctx->format]);
			b->write(stdout, r);
		}
		err = zc_out_write_all(ctx->dir, r);
		if (err < 0) {
			zc_error(ctx, "cannot write results in '%s': %s",
				 ctx->dir, zc_file_strerror(err, 1));
			rc = ZC_EXIT_FAIL;
		}
		if (zc_results_count(r, ZC_CASE_FAILED) > 0) {
			zc_error(ctx,
				 "%d case(s) failed: a self-check, the "
				 "placement or a time limit (see %s/%s.csv)",
				 zc_results_count(r, ZC_CASE_FAILED), ctx->dir,
				 r->cmd);
			rc = ZC_EXIT_FAIL;
		}
	}
	for (int i = 0; i < nplots && rc != ZC_EXIT_FAIL; i++) {
		err = zc_plot_write(ctx->dir, &plots[i]);
		if (err == 0 && !ctx->no_plot)
			err = zc_plot_render(ctx->dir, plots[i].name, msg,
					     sizeof(msg));
		if (err == -ENOENT) {
			zc_warn(ctx,
				"gnuplot is not installed: data written, "
				"plots skipped (apt-get install gnuplot-nox)");
			break;
		}
		if (err < 0) {
			zc_error(ctx, "cannot render %s.png: %s", plots[i].name,
				 err == -EIO ? msg : strerror(-err));
			rc = ZC_EXIT_FAIL;
		}
	}
	if (zc_stopped()) {
		status = "interrupted";
		zc_error(ctx,
			 "interrupted by signal %d: results so far kept in %s",
			 zc_stopped(), ctx->dir);
		rc = ZC_EXIT_INTR;
	} else if (rc != ZC_EXIT_OK) {
		status = "failed";
	}
	err = write_meta(ctx, status);
	if (err < 0) {
		zc_error(ctx, "cannot write meta.json: %s",
			 zc_file_strerror(err, 1));
		if (rc == ZC_EXIT_OK)
			rc = ZC_EXIT_FAIL;
	}
	fprintf(stderr, "zcbench %s: results in %s\n", ctx->cmd, ctx->dir);
	return rc;
}

void zc_cmd_release(struct zc_ctx *ctx)
{
	free(ctx->optv);
	free(ctx->pos);
	ctx->optv = ctx->pos = NULL;
	ctx->npos = 0;
	if (ctx->topo_loaded)
		zc_topo_release(&ctx->topo);
	ctx->topo_loaded = 0;
	json_decref(ctx->options);
	ctx->options = NULL;
	json_decref(ctx->sentinel_meta);
	ctx->sentinel_meta = NULL;
}

const struct zc_command *zc_command_find(const char *name)
{
	for (int i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

const struct zc_command *const *zc_commands(int *n)
{
	*n = NCOMMANDS;
	return commands;
}

#ifndef ZC_NO_MAIN /* the fuzzers link the commands without main() */
/* README's command table, made from the descriptors (tests compare). */
static void commands_markdown(FILE *f)
{
	fprintf(f, "| command | what it measures |\n|---|---|\n");
	for (int i = 0; i < NCOMMANDS; i++) {
		const char *a = commands[i]->args ? commands[i]->args : "";
		fprintf(f, "| `%s%s", commands[i]->name, *a ? " " : "");
		for (; *a; a++) /* a '|' would end the table cell */
			fputs(*a == '|' ? "\\|" : (char[2]){*a, 0}, f);
		fprintf(f, "` | %s |\n",
			commands[i]->what ? commands[i]->what
					  : commands[i]->summary);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: zcbench <command> [options]\n"
		   "       zcbench help <command> | zcbench <command> -h\n"
		   "       zcbench --version\n"
		   "       zcbench help --markdown   (the command table as "
		   "Markdown)\n\n"
		   "mechanical-sympathy benchmarks and diagnostics for this "
		   "machine\n\ncommands:\n");
	for (int i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-12s %s%s%s\n", commands[i]->name,
			commands[i]->args ? commands[i]->args : "",
			commands[i]->args ? ": " : "", commands[i]->summary);
	fprintf(f, "\nexit status: 0 success, 1 failure, 2 usage error, "
		   "77 cannot run here, 130 interrupted\n");
}
#endif

const struct zc_opt *zc_command_opts(const struct zc_command *c)
{
	if (!c->bench)
		return c->opts;
	if (c->bench->init)
		c->bench->init();
	return c->bench->opts;
}

int zc_command_run(int argc, char **argv)
{
	const struct zc_command *c = zc_command_find(argv[0]);
	struct zc_ctx ctx = {0};
	int rc;

	if (!c) {
		fprintf(stderr,
			"zcbench: '%s' is not a command; commands:", argv[0]);
		for (int i = 0; i < NCOMMANDS; i++)
			fprintf(stderr, " %s", commands[i]->name);
		fputc('\n', stderr);
		return ZC_EXIT_USAGE;
	}
	ctx.cmd = c->name;
	ctx.flags = c->flags;
	ctx.argc = argc;
	ctx.argv = argv;
	rc = c->bench ? zc_bench_main(c, argc, argv, &ctx)
		      : c->fn(argc, argv, &ctx);
	zc_cmd_release(&ctx);
	return rc == ZC_DONE ? ZC_EXIT_OK : rc;
}

#ifndef ZC_NO_MAIN
/* Like git: a write error on stdout (a full disk, a closed pipe) must not
 * pass for success, whatever printed (help and --version included). */
static int stdout_checked(int rc)
{
	int err;

	errno = 0;
	if (!fflush(stdout) && !ferror(stdout) && !fclose(stdout))
		return rc;
	err = errno;
	if (err == EPIPE)
		return rc;
	fprintf(stderr, "zcbench: write error on standard output: %s\n",
		err ? strerror(err) : "I/O error");
	return ZC_EXIT_FAIL;
}

int main(int argc, char **argv)
{
	char *hv[3];

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    (!strcmp(argv[1], "help") && argc < 3)) {
		usage(stdout);
		return stdout_checked(ZC_EXIT_OK);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("zcbench %s (git %s)\nresults schema %d\n", ZC_VERSION,
		       ZC_GIT_REV, ZC_OUT_SCHEMA);
		if (ZC_INJECT_NS)
			printf("test build: %g ns of busy work injected "
			       "(ZC_INJECT_NS): not for measuring\n",
			       (double)ZC_INJECT_NS);
		return stdout_checked(ZC_EXIT_OK);
	}
	if (!strcmp(argv[1], "help")) {
		if (!strcmp(argv[2], "--markdown")) {
			commands_markdown(stdout);
			return stdout_checked(ZC_EXIT_OK);
		}
		hv[0] = argv[2];
		hv[1] = "-h";
		hv[2] = NULL;
		return stdout_checked(zc_command_run(2, hv));
	}
	if (argv[1][0] == '-') {
		fprintf(stderr,
			"zcbench: unknown option '%s': give a command "
			"first (zcbench -h lists them)\n",
			argv[1]);
		return ZC_EXIT_USAGE;
	}
	return stdout_checked(zc_command_run(argc - 1, argv + 1));
}
#endif
