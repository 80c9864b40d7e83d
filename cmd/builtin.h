/* SPDX-License-Identifier: MIT */
#ifndef ZC_BUILTIN_H
#define ZC_BUILTIN_H
/*
 * The commands and what the hub (zcbench.c) does for them.
 *
 * Adding a new command:
 *  1. cmd/<name>.c exporting `int cmd_<name>(int argc, char **argv,
 *     struct zc_ctx *ctx)`; argv[0] is the command name.
 *  2. A static option table (lib/opt.h) ending with ZC_OPT_END; call
 *     zc_cmd_parse() first: it parses the command's and the global options,
 *     prints -h, validates --out/--topology/--cpus/--events.
 *  3. Validate every value before zc_cmd_begin() (usage errors exit 2 and
 *     leave nothing behind); zc_cmd_begin() creates the results folder and
 *     writes meta.json and topology.xml.
 *  4. Declare metrics once (struct zc_metric), record cases in a
 *     struct zc_results, describe plots as struct zc_plot, and end with
 *     zc_cmd_finish(), which writes the files, renders the plots, prints
 *     the table, and returns the exit status.
 *  5. Add the command to commands[] in zcbench.c (sorted), with a one-line
 *     summary, and a CLI test in tests/cli_<name>.sh.
 *
 * Exit status: 0 success, 1 failure (a failed self-check included),
 * 2 usage error, 77 cannot run here, 130 interrupted (what was measured is
 * kept). Messages: "zcbench <cmd>: <what failed>: <why>".
 */
#include <stdio.h>
#include <jansson.h>
#include "bench.h"
#include "clock.h"
#include "counters.h"
#include "opt.h"
#include "out.h"
#include "plot.h"
#include "sysinfo.h"
#include "topo.h"

enum {
	ZC_EXIT_OK = 0,
	ZC_EXIT_FAIL = 1,
	ZC_EXIT_USAGE = 2,
	ZC_EXIT_SKIP = 77,
	ZC_EXIT_INTR = 130,
	ZC_DONE = -1, /* zc_cmd_parse: help was printed, exit 0 */
};

enum zc_format {
	ZC_FMT_TEXT,
	ZC_FMT_CSV,
	ZC_FMT_JSON
};

#define ZC_CMD_RESULTS	  1u /* writes a results folder */
#define ZC_CMD_NO_GLOBALS 2u /* takes no global options */
#define ZC_CMD_OWN_EXIT	  4u /* -h documents its own exit codes */

struct zc_ctx {
	const char *cmd; /* command name */
	unsigned flags;
	int argc;
	char **argv; /* the whole command line (for meta.json) */
	/* global options */
	const char *out;	 /* --out DIR */
	int format;		 /* --format, enum zc_format */
	long long repeat;	 /* --repeat N (0: not given) */
	int quick;		 /* --quick */
	int dry_run;		 /* --dry-run */
	const char *topology;	 /* --topology SPEC */
	const char *cpus_text;	 /* --cpus LIST */
	const char *events_text; /* --events LIST */
	double timeout_s;	 /* --timeout per case */
	int quiet;		 /* --quiet: no table on stdout */
	/* derived by zc_cmd_parse / zc_cmd_begin */
	int reps; /* repetitions to run */
	int cpus[ZC_TOPO_MAX_THREADS];
	int ncpus; /* explicit --cpus, 0 if not given */
	struct zc_topo topo;
	int topo_loaded;
	struct zc_evset events;
	struct zc_sysinfo si;
	struct zc_clock_info clock;
	char dir[4096];	 /* results folder, "" before zc_cmd_begin */
	json_t *options; /* recorded options */
	double start;
	const struct zc_opt *opts; /* the command's table */
	/* positional arguments, for commands whose table entry names args */
	char **pos;
	int npos;
	char **optv; /* the option words of argv (owned with pos) */
};

/* Parse options (command table + global table). A command whose table
 * entry names positional arguments gets them in ctx->pos/npos (options and
 * arguments may be mixed); any other command refuses them. Returns 0 to go
 * on, ZC_DONE after -h, or an exit status after printing the error. */
int zc_cmd_parse(struct zc_ctx *ctx, const struct zc_opt *opts, int argc,
		 char **argv);
/* Create the results folder, collect sysinfo, calibrate the clock, write
 * meta.json (status running) and topology.xml. 0 or an exit status. */
int zc_cmd_begin(struct zc_ctx *ctx);
/* Before zc_cmd_begin: when no case of r can run here, print each distinct
 * skip reason and return ZC_EXIT_SKIP (77); else 0. */
int zc_cmd_can_run(const struct zc_ctx *ctx, const struct zc_results *r);
/* Write results, render plots (gnuplot missing: warn), print the table in
 * --format, rewrite meta.json with the final status. Returns the exit
 * status: 130 if interrupted, 1 if a case failed or a file could not be
 * written, else 0. Pass r == NULL for commands without cases. */
int zc_cmd_finish(struct zc_ctx *ctx, struct zc_results *r,
		  const struct zc_plot *plots, int nplots);
void zc_cmd_release(struct zc_ctx *ctx);

/* "zcbench <cmd>: <message>" on stderr. Returns ZC_EXIT_FAIL / USAGE. */
int zc_error(const struct zc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int zc_usage(const struct zc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zc_warn(const struct zc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The folder holding the running zcbench binary, from /proc/self/exe (so an
 * installed tree can be moved: files are looked up relative to it too).
 * 0 or -errno. */
int zc_exe_dir(char *buf, size_t len);

/* The global option table (shared with `zcbench run` for checking lines). */
extern const struct zc_opt zc_global_opts[];

/* Commands. */
int cmd_compare(int argc, char **argv, struct zc_ctx *ctx);
int cmd_doctor(int argc, char **argv, struct zc_ctx *ctx);
int cmd_events(int argc, char **argv, struct zc_ctx *ctx);
int cmd_export(int argc, char **argv, struct zc_ctx *ctx);
int cmd_falseshare(int argc, char **argv, struct zc_ctx *ctx);
int cmd_ffi(int argc, char **argv, struct zc_ctx *ctx);
int cmd_plot(int argc, char **argv, struct zc_ctx *ctx);
int cmd_ring(int argc, char **argv, struct zc_ctx *ctx);
int cmd_run(int argc, char **argv, struct zc_ctx *ctx);
int cmd_sendfile(int argc, char **argv, struct zc_ctx *ctx);
int cmd_topo(int argc, char **argv, struct zc_ctx *ctx);
int cmd_wait(int argc, char **argv, struct zc_ctx *ctx);

struct zc_command {
	const char *name;
	int (*fn)(int argc, char **argv, struct zc_ctx *ctx);
	unsigned flags;
	const char *summary;
	const char *args; /* positional arguments for the usage line */
};
/* Look a command up by name (for `zcbench run`). NULL if unknown. */
const struct zc_command *zc_command_find(const char *name);
/* Run a command as the hub would (fresh ctx). Returns its exit status. */
int zc_command_run(int argc, char **argv);

#endif
