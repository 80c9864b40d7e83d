/* SPDX-License-Identifier: MIT */
#ifndef ZC_BUILTIN_H
#define ZC_BUILTIN_H
/*
 * The commands and what the hub (zcbench.c, driver.c) does for them.
 *
 * Every command is a `struct zc_command` defined in its own file,
 * cmd/<name>.c, holding its facts (summary, what it measures and why it
 * matters, headline metrics, positional arguments, whether it may stand in
 * a suite) next to its code; the hub lists them in commands[] (sorted).
 * `zcbench`, `help`, run's report.md and README's command table (checked by
 * tests/cli_readme.sh) all come from these descriptors.
 *
 * A benchmark command is a `struct zc_bench_def` (its options, case keys,
 * metrics, sweep, one repetition, skip rules, ratios, plots, headlines and
 * plan notes) that the one driver (driver.c) runs:
 *	parse -> check -> sweep -> --dry-run plan | can-run -> begin -> setup
 *	-> repetitions (interleaved, per group) -> teardown -> ratios/derive
 *	-> files, plots, table -> headlines.
 *
 * Adding a benchmark command (in this order):
 *  1. cmd/<name>.c: the option table (lib/opt.h; --quick defaults as
 *     `.quick = "..."` in the table, a `seconds` option if repetitions are
 *     timed), keys, metrics (struct zc_metric, units in the names), and a
 *     `static const struct zc_bench_def` with at least sweep and one; then
 *     `const struct zc_command zc_cmd_<name> = {..., .bench = &def}`.
 *     Per case, sweep calls zc_bench_add() with the case's parameter values
 *     and its placement plan; one() measures repetition `rep` (rep < 0 is
 *     the warm-up: check, record nothing), records with zc_case_set() and
 *     counters with zc_bench_count() per side, and fails a case that fails
 *     its own check with zc_case_fail() (no number is printed for it).
 *     Mechanism (channels, child processes, receivers) goes in lib/, where
 *     a unit test reaches it.
 *  2. extern declaration below, and the entry in commands[] in zcbench.c.
 *  3. tests/cli_<name>.sh (source tests/lib.sh; exit 77 where it cannot
 *     run), the suites in experiments/, README's command table.
 * Adding a non-benchmark command: the same with `.fn` instead of `.bench`
 * and its table as `.opts` (call zc_cmd_parse() with it first).
 * Adding a ring transport: lib/chan.h's checklist.
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
#include "locate.h"
#include "mdreport.h"
#include "opt.h"
#include "out.h"
#include "plot.h"
#include "sysinfo.h"
#include "topo.h"

enum {
	ZC_EXIT_OK = 0,
	ZC_EXIT_FAIL = 1,
	ZC_EXIT_USAGE = 2,
	ZC_EXIT_REGRESSION = 3, /* compare, ab: a regression was found */
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
#define ZC_CMD_NO_SUITE	  8u /* cannot stand in a suite (run, compare...) */

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
	int no_plot;		 /* --no-plot: data only */
	int sentinel;		 /* --sentinel: 1 on, 0 off */
	/* derived by zc_cmd_parse / zc_cmd_begin */
	int reps; /* repetitions to run */
	int cpus[ZC_TOPO_MAX_THREADS];
	int ncpus; /* explicit --cpus, 0 if not given */
	struct zc_topo topo;
	int topo_loaded;
	struct zc_evset events;
	struct zc_sysinfo si;
	struct zc_clock_info clock;
	char dir[4096];	       /* results folder, "" before zc_cmd_begin */
	json_t *options;       /* recorded options */
	json_t *sentinel_meta; /* meta.json "sentinel" (owned) */
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
/* --metrics SEL (rset.h's selection) well formed: 0, else a usage error. */
int zc_check_metrics(const struct zc_ctx *ctx, const char *sel);
void zc_warn(const struct zc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The global option table (shared with `zcbench run` for checking lines). */
extern const struct zc_opt zc_global_opts[];

/* ---- commands --------------------------------------------------------- */

struct zc_bench_def;

struct zc_command {
	const char *name;
	const char *summary; /* one line: `zcbench`, help, README */
	const char *what;    /* report.md: what it measures */
	const char *why;     /* report.md: why it matters */
	const char *args;    /* positional arguments for the usage line */
	int min_args, max_args;
	unsigned flags;			     /* ZC_CMD_* */
	const struct zc_headline *headlines; /* {NULL}-terminated or NULL */
	int (*fn)(int argc, char **argv, struct zc_ctx *ctx);
	const struct zc_bench_def *bench; /* a benchmark run by the driver */
	const struct zc_opt *opts; /* .fn's table (benchmarks: bench's) */
};

extern const struct zc_command zc_cmd_ab, zc_cmd_c2c, zc_cmd_compare,
	zc_cmd_doctor, zc_cmd_events, zc_cmd_export, zc_cmd_falseshare,
	zc_cmd_ffi, zc_cmd_plot, zc_cmd_ring, zc_cmd_run, zc_cmd_sendfile,
	zc_cmd_topo, zc_cmd_wait;

/* Look a command up by name (for `zcbench run`). NULL if unknown. */
const struct zc_command *zc_command_find(const char *name);
/* The table, sorted by name; *n receives its length. */
const struct zc_command *const *zc_commands(int *n);
/* Command c's option table (a benchmark's after its init, which fills
 * keyword tables from data): what zc_cmd_parse gets, for tests and the
 * option-parser fuzzer. */
const struct zc_opt *zc_command_opts(const struct zc_command *c);
/* Run a command as the hub would (fresh ctx). Returns its exit status. */
int zc_command_run(int argc, char **argv);

/* ---- benchmark commands: the descriptor and the driver ----------------- */

/* A side whose perf counters are recorded (producer, consumer, ...):
 * metrics "<key>_<event>_per_<item>". */
struct zc_side {
	const char *key;  /* metric prefix: "prod" */
	const char *name; /* "producer" */
};

/* A derived ratio (lib/out.h zc_results_ratio): dst = src over the median
 * of the case whose `key` is `base` (other keys equal, except `ignore`). */
struct zc_ratio_def {
	const char *dst, *src, *key, *base;
	const char *const *ignore;
	int invert;
};

#define ZC_BENCH_SIDES 4

struct zc_bench;

struct zc_bench_def {
	const struct zc_opt *opts;
	const char *const *keys;
	int nkeys;
	const struct zc_metric *metrics; /* fixed metrics */
	int nmetrics;
	/* --events: counted per side, normalised per item; no sides: one
	 * count over all threads, metrics "<event>_per_<item>". */
	const char *item; /* "op", "msg", "transfer" */
	const struct zc_side *sides;
	int nsides;
	const char *events_note; /* -h: what cannot be counted, and why */
	size_t state_size;	 /* the command's run state, zeroed: b->st */
	size_t case_size;	 /* per case, zeroed: zc_bench_priv() */
	int no_quick_warmup;	 /* --quick runs no warm-up repetition */
	/* --repeat's default for this command (0: the global 5; --quick
	 * keeps its 3): falseshare and ring take many short repetitions, so
	 * that the sentinel on either side of one sees the state the whole
	 * repetition ran in (lib/regime.h). */
	int repeat;
	/* one() records the hand-off itself (zc_case_sentinel): the driver
	 * takes no sentinel around it (c2c: each sample is a hand-off). */
	int own_sentinel;
	/* Before parsing: fill keyword tables made from data tables. */
	void (*init)(void);
	/* Options beyond the table's own checks. 0, or an exit status after
	 * printing (zc_usage: 2; cannot run here: 77). */
	int (*check)(struct zc_bench *b);
	/* Add the cases (zc_bench_add). 0, -ENOMEM, or an exit status. */
	int (*sweep)(struct zc_bench *b);
	/* Dry run: lines before the case list; a note after a case's CPUs. */
	void (*plan_head)(struct zc_bench *b);
	void (*plan_note)(struct zc_bench *b, int i, char *buf, size_t len);
	/* Seconds one repetition of case i takes (dry-run estimate; default
	 * --seconds + 10 ms). */
	double (*estimate)(struct zc_bench *b, int i);
	/* After the results folder exists, before the first repetition:
	 * resources shared by the cases. 0 or an exit status. teardown is
	 * called whenever setup was. */
	int (*setup)(struct zc_bench *b);
	void (*teardown)(struct zc_bench *b);
	/* Cases are driven group by group (zc_bench_add's group, in order of
	 * first appearance), with begin/end around each: sendfile's files. A
	 * begin that fails skips the group (b->fatal ends the run). */
	int (*group_begin)(struct zc_bench *b, int group);
	void (*group_end)(struct zc_bench *b, int group);
	/* One repetition of case i (rep -1: the warm-up). 0 or -errno with
	 * the case failed; -ETIMEDOUT after zc_bench_taint(). */
	int (*one)(struct zc_bench *b, int i, int rep);
	const struct zc_ratio_def *ratios;  /* {NULL}-terminated or NULL */
	void (*derive)(struct zc_bench *b); /* other derived metrics */
	/* Plots into p[0..max); returns how many. */
	int (*plots)(struct zc_bench *b, struct zc_plot *p, int max);
	/* After the table (text format): the answers in a few lines. */
	void (*headlines)(struct zc_bench *b, FILE *f);
	/* Extra files in the results folder (ctx->dir). 0 or -errno. */
	int (*files)(struct zc_bench *b);
};

/* Where a case runs (a compact copy of its zc_plan). */
struct zc_bcase {
	int *cpu;
	int ncpu;
	int node;
	enum zc_place place;
	int group;
};

struct zc_bench {
	const struct zc_command *cmd;
	const struct zc_bench_def *d;
	struct zc_ctx *ctx;
	struct zc_results res;
	void *st;		   /* the command's state (d->state_size) */
	double seconds;		   /* the `seconds` option, 0 if none */
	int tainted;		   /* 1 + a case whose threads still run */
	char fatal[300];	   /* the run cannot go on: why */
	struct zc_bcase *bc;	   /* per case */
	int *names;		   /* case names hashed: index + 1, 0 free */
	unsigned char *priv;	   /* per case, d->case_size each */
	int cap;		   /* allocated cases */
	struct zc_metric *metrics; /* fixed + counter metrics */
	char (*mname)[96];
	int ev_metric[ZC_BENCH_SIDES][ZC_EV_MAX];
	int group_first, group_n; /* the group being driven */
	int *group_idx;		  /* its cases' indexes */
	/* the sentinels, one per CPU pair (lib/sentinel.h) */
	struct zc_bench_sentinel *sent;
	int nsent;
	double sent_cost_ns, drive_ns;
	int sent_count, sent_failed;
	int last_case; /* the case driven last (its repetition or warm-up), -1 */
	uint64_t drive_t0;
};

/* The most cases one command runs: lists given on the command line
 * multiply (64 sizes x 64 batches x every transport, mode and place are
 * 500,000 cases, hours of measurement and gigabytes for the plan); beyond
 * it the sweep is a usage error. */
#define ZC_BENCH_MAX_CASES 10000

/*
 * Add a case: vals are the parameter values in key order; plan (NULL: the
 * case uses no particular CPUs) is where it runs, perr what zc_topo_plan
 * returned (!= 0: the case is skipped with plan->why). group orders the
 * drive (see group_begin). Returns the case index (also its index in
 * b->res.cases), -EEXIST when a case of that name exists (nothing added:
 * a parameter the variant ignores), -E2BIG beyond ZC_BENCH_MAX_CASES
 * (sweep returns it; the driver says so), -ENOMEM.
 */
int zc_bench_add(struct zc_bench *b, const char *const *vals,
		 const struct zc_plan *plan, int perr, int group);
static inline void *zc_bench_priv(struct zc_bench *b, int i)
{
	return b->priv + (size_t)i * b->d->case_size;
}
static inline struct zc_case *zc_bench_case(struct zc_bench *b, int i)
{
	return &b->res.cases[i];
}
/* Case i's placement as a plan (for zc_team_run). */
void zc_bench_plan(const struct zc_bench *b, int i, struct zc_plan *p);
/* Metric index by name (fixed or counter); -ENOENT. */
int zc_bench_metric(const struct zc_bench *b, const char *name);
/* The median of metric m of case i, NaN when absent or not OK. */
double zc_bench_median(const struct zc_bench *b, int i, int m);
/* The first OK case with these (key, value) pairs, NULL-ended; -ENOENT. */
int zc_bench_find(const struct zc_bench *b, ...);

/* Record side `side`'s counters of one repetition, each divided by items
 * (absent events keep their reason). */
void zc_bench_count(struct zc_bench *b, int i, int rep, int side,
		    const struct zc_counts *c, double items);
/* Side `side` of case i cannot count: every event absent with why. */
void zc_bench_count_absent(struct zc_bench *b, int i, int side,
			   const char *why);
/* Case i timed out and its threads still run: nothing more runs beside
 * them, and the process exits 1 once the files are written. */
void zc_bench_taint(struct zc_bench *b, int i);

/* Run a benchmark command (the hub calls it for entries with .bench). */
int zc_bench_main(const struct zc_command *c, int argc, char **argv,
		  struct zc_ctx *ctx);

#endif
