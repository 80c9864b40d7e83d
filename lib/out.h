/* SPDX-License-Identifier: MIT */
#ifndef ZC_OUT_H
#define ZC_OUT_H
/*
 * out — the results model and its output back ends (text, CSV, JSON).
 *
 * A command declares its parameters (keys in a fixed order) and its metrics
 * once (name with unit, unit, better direction, how Google Benchmark's
 * JSON calls it). Each case carries its parameter values, its status
 * (ok/skipped/failed with a reason), the CPUs its threads actually ran on,
 * and per repetition a value for each metric; NaN means absent, and the
 * case keeps a reason for each absent metric. Back ends render the same
 * model; none of them branches on another's format.
 *
 * Files:
 *	<cmd>.csv	 one row per case: params, status, and for each metric
 *			 <name>_median,_min,_max,_ci_lo,_ci_hi,_cv (empty = absent)
 *	<cmd>.samples.csv one row per case and repetition
 *	<cmd>.json	 {"context": {... "caches": [...]}, "zcbench": {schema,
 *			 command, metrics, params, options, cases[{name, status,
 *			 reason, cpus, params, absent{metric: why}}]},
 *			 "benchmarks": [Google Benchmark iteration rows, then
 *			 aggregate rows median/mean/stddev/cv/min/max]}
 * Every file is written to "<dir>/.<name>.tmp.<pid>" and renamed when
 * complete; on error the temporary is removed (afile.h, included here).
 *
 * Case names follow Google Benchmark's style: "<cmd>/<key>:<value>/...",
 * params in declaration order.
 *
 * Regimes (lib/regime.h): a case that ran on two or more CPUs carries the
 * sentinel (hand-off) measured before and after each repetition and the
 * CPU pair it was measured on. zc_results_regimes() clusters each pair's
 * values over the run and gives every sample its regime; the back ends
 * then add, beside each case's overall figures, one set per regime:
 *	text	 a sub-row per regime under the case (only when a pair had
 *		 more than one regime, or some of the case's samples were
 *		 slowed: zc_case_split) and a note saying what they are
 *	csv	 a "regime" column ("all" on the overall row, else the
 *		 regime's hand-off in ns) and "handoff_ns"; one extra row per
 *		 case and regime
 *	samples	 sentinel_before_ns, sentinel_after_ns, pace_before_ns,
 *		 pace_after_ns (zc_sentinel_pace), regime (an index, "moved"
 *		 or "slowed"), handoff_ns, at_unix_s (when it started)
 *	json	 zcbench.regimes (per CPU pair) and per case "regimes":
 *		 [{handoff_ns, samples, share, moved, metrics: {m: {median,
 *		 min, max, ci_lo, ci_hi}}}] and "sentinel": {before, after,
 *		 regime, pace_before, pace_after}; per pair also "slowed",
 *		 "pace_floor_ns" and "pace_slowed_above" (the relative pace
 *		 bound, null: nothing slowed); Google Benchmark's rows are unchanged
 * A steady machine gives one regime per pair and no slowed samples: no
 * sub-rows, no extra CSV rows, the same figures.
 *
 * Code: out.c (the model, the back end table), out_text.c, out_csv.c,
 * out_json.c (one back end each, internal interface in out_backends.h),
 * afile.c (atomic files, results folders).
 *
 * Errors: 0 or -errno (-ENOMEM, -EINVAL misuse, write errors such as
 * -ENOSPC from the file system).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <jansson.h>
#include "stats.h"
#include "afile.h"
#include "regime.h"

#define ZC_OUT_SCHEMA  1
#define ZC_MAX_PARAMS  12
#define ZC_MAX_METRICS 40
#define ZC_MAX_REP     100
#define ZC_PARAM_LEN   48
#define ZC_WHY_LEN     160

enum zc_better {
	ZC_BETTER_NONE, /* informational: never a regression */
	ZC_BETTER_LOWER,
	ZC_BETTER_HIGHER,
};

/* How a metric appears in Google Benchmark's field names (JSON). */
enum zc_gbench {
	ZC_GB_NONE,
	ZC_GB_REAL_TIME,	/* real_time, time_unit "ns" */
	ZC_GB_CPU_TIME,		/* cpu_time, ns */
	ZC_GB_ITEMS_PER_SECOND, /* items_per_second (value * scale) */
	ZC_GB_BYTES_PER_SECOND, /* bytes_per_second (value * scale) */
};

/* Metric flags. */
#define ZC_M_SHOW     1u /* a column of the text table */
#define ZC_M_PORTABLE 2u /* machine-independent (ratios within one run) */

struct zc_metric {
	const char *name; /* with unit, snake_case: "ns_per_op", "gbps" */
	const char *unit; /* "ns", "Mops/s", "GB/s", "x", "count" */
	enum zc_better better;
	const char *desc;
	unsigned flags;
	enum zc_gbench gb;
	double gb_scale; /* multiply the value by this for the GB field */
};

enum zc_case_status {
	ZC_CASE_OK,
	ZC_CASE_SKIPPED,
	ZC_CASE_FAILED,
};

struct zc_case {
	char name[256];
	char param[ZC_MAX_PARAMS][ZC_PARAM_LEN];
	int threads;
	enum zc_case_status status;
	char reason[ZC_WHY_LEN]; /* skip or failure reason */
	char cpus[128];		 /* CPUs observed, "0,1" */
	char label[96];		 /* free text shown in the table and JSON */
	int nrep;		 /* repetitions recorded */
	double iterations[ZC_MAX_REP]; /* operations per repetition */
	double *v;		       /* [rep * nmetrics + m]; NaN = absent */
	char (*absent)[ZC_WHY_LEN];    /* [m]: why metric m is absent */
	/* the sentinel: before/after each repetition (ns, NaN: none), when
	 * it started (Unix time, s), the sample's regime */
	double sent[ZC_MAX_REP][2];
	double pace[ZC_MAX_REP][2]; /* zc_sentinel_pace before/after */
	/* the case (index) whose repetition ran right before this one, a
	 * warm-up too; -1: none. The pace before is compared with the
	 * fastest pace after that same work (lib/regime.h). */
	int prev[ZC_MAX_REP];
	double at[ZC_MAX_REP];
	int regime[ZC_MAX_REP];
	int pair;		   /* index into r->pairs; -1: no sentinel */
	char sent_why[ZC_WHY_LEN]; /* why there is no sentinel */
};

/* The regimes of one CPU pair over the run. */
struct zc_pair {
	int a, b; /* CPUs */
	struct zc_regimes reg;
	int samples, moved; /* samples classified; moved during the sample */
	int slowed;	    /* samples the host slowed (ZC_REGIME_SLOWED) */
	double pace_floor;  /* the lowest pace of the pair, NaN: none */
	double pace_bound;  /* relative pace above which slowed (regime.h) */
};

/* The driver's sentinels per run (cmd/driver.c); r->pairs grows as
 * needed (c2c records one pair per case). */
#define ZC_MAX_PAIRS 64

struct zc_results {
	char cmd[32];
	const char *const *keys; /* parameter keys, in name order */
	int nkeys;
	const struct zc_metric *metrics;
	int nmetrics;
	int max_rep;
	struct zc_case *cases;
	int ncases, cap;
	json_t *options; /* the command's options as recorded (owned) */
	json_t *context; /* Google Benchmark context (owned; may be NULL) */
	int interrupted; /* the run stopped on a signal */
	struct zc_pair *pairs; /* npairs of them (owned; grows) */
	int npairs, pairs_cap;
};

int zc_results_init(struct zc_results *r, const char *cmd,
		    const char *const *keys, int nkeys,
		    const struct zc_metric *metrics, int nmetrics, int max_rep);
void zc_results_release(struct zc_results *r);

/*
 * Add a case with the given parameter values (nkeys strings, in key order).
 * The name is built from them. Returns the case or NULL (ENOMEM). The
 * pointer stays valid until the next zc_results_add.
 */
struct zc_case *zc_results_add(struct zc_results *r, const char *const *vals);
/* Index of metric `name`, or -ENOENT. */
int zc_results_metric(const struct zc_results *r, const char *name);
/* Value of param `key` for case c, or NULL. */
const char *zc_case_param(const struct zc_results *r, const struct zc_case *c,
			  const char *key);

/* Record value of metric m in repetition rep (rep < max_rep; grows nrep). */
void zc_case_set(const struct zc_results *r, struct zc_case *c, int rep, int m,
		 double value);
double zc_case_get(const struct zc_results *r, const struct zc_case *c, int rep,
		   int m);
/* Mark metric m absent with a reason (its values stay NaN). */
void zc_case_absent(const struct zc_results *r, struct zc_case *c, int m,
		    const char *why);
/* Mark the case skipped / failed; a failed case's values are discarded. */
void zc_case_skip(struct zc_case *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zc_case_fail(const struct zc_results *r, struct zc_case *c,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * The sentinel of repetition rep: its values before and after (NaN when
 * one could not be taken), when the repetition started (s), on CPUs a, b
 * (the pair is added to r->pairs). -EINVAL (rep out of range), -ENOMEM.
 */
int zc_case_sentinel(struct zc_results *r, struct zc_case *c, int rep,
		     double before, double after, double at, int a, int b);
/* Cluster every pair's sentinels and give each sample its regime. */
int zc_results_regimes(struct zc_results *r);
/* The regimes of case c's pair, NULL when it has no sentinel. */
const struct zc_regimes *zc_case_regimes(const struct zc_results *r,
					 const struct zc_case *c);
/* Case c gets rows per regime: its pair had several regimes, or some of
 * its samples were slowed (so the regime row differs from the overall). */
int zc_case_split(const struct zc_results *r, const struct zc_case *c);
/* Some pair of the run had more than one regime. */
int zc_results_multi_regime(const struct zc_results *r);
/* Samples of case c in regime k (k = ZC_REGIME_MOVED: moved ones). */
int zc_case_regime_count(const struct zc_case *c, int k);
/* The pace of case c's samples in regime k: the median of each sample's
 * slower side (before or after), ns per 1000 iterations; NaN: none. */
double zc_case_regime_pace(const struct zc_case *c, int k);
/* Summary of metric m over case c's samples in regime k. -EINVAL if none. */
int zc_case_regime_summary(const struct zc_results *r, const struct zc_case *c,
			   int m, int k, struct zc_summary *s);

/* Summary of metric m of case c over its repetitions. -EINVAL if absent. */
int zc_case_summary(const struct zc_results *r, const struct zc_case *c, int m,
		    struct zc_summary *s);

/* Median of metric m over case c's repetitions; NaN when c is NULL or the
 * metric has no value. */
double zc_case_median(const struct zc_results *r, const struct zc_case *c,
		      int m);

/*
 * The first case whose parameters have the given values: (key, value)
 * string pairs ending with NULL, e.g.
 *	zc_results_find(r, 1, "transport", "thread", "mode", "tput", NULL)
 * ok_only: only cases with status OK. Returns the case index, -ENOENT
 * when none matches, -EINVAL for an unknown key.
 */
int zc_results_find(const struct zc_results *r, int ok_only, ...);
int zc_results_vfind(const struct zc_results *r, int ok_only, va_list ap);

/*
 * A derived ratio metric. For every OK case with values of metric src:
 * dst[rep] = src[rep] / the baseline's src, where the baseline is the OK
 * case whose parameters equal this case's except `key`, which has the
 * value `base` (and the keys named in `ignore`, NULL-terminated or NULL,
 * which may differ: the first such case is taken). The baseline's figure
 * is its sample of the same round when that is in the same regime, else
 * its median in the sample's regime (zc_regime_ratio): no ratio divides a
 * near-regime figure by a far one. Cases without a sentinel count as one
 * regime. invert: the baseline's over src[rep] (a speed-up of a time). A
 * case with no baseline gets dst absent with the reason. Returns the
 * number of cases given the metric.
 */
int zc_results_ratio(struct zc_results *r, int src, int dst, const char *key,
		     const char *base, const char *const *ignore, int invert);

/* The same for one case c against the baseline b the caller chose.
 * Returns the number of samples given a ratio. */
int zc_results_ratio_of(struct zc_results *r, int src, int dst,
			struct zc_case *c, const struct zc_case *b, int invert);

/* Count cases by status. */
int zc_results_count(const struct zc_results *r, enum zc_case_status st);

/* An output back end: renders a whole results model to a stream. */
struct zc_out_backend {
	const char *name; /* "text", "csv", "samples", "json" */
	const char *ext;  /* file suffix: ".txt", ".csv", ".samples.csv" */
	int (*write)(FILE *f, const struct zc_results *r);
};

/* Back end by name ("text", "csv", "samples", "json"), or NULL. */
const struct zc_out_backend *zc_out_backend(const char *name);

/* Write r to <dir>/<cmd><ext> atomically through back end b. */
int zc_out_write_file(const char *dir, const struct zc_out_backend *b,
		      const struct zc_results *r);

/* Write the standard files of a command: csv, samples, json. */
int zc_out_write_all(const char *dir, const struct zc_results *r);
/* Before measuring: may zc_out_write_all write command cmd's files in dir
 * (none of them a symlink, FIFO, device or folder)? 0, or -EEXIST with
 * the file's name in bad. */
int zc_out_check_all(const char *dir, const char *cmd, char *bad, size_t len);

/* A JSON real, or null for NaN/inf (jansson would return NULL). */
json_t *zc_json_real(double x);

/* CSV field escaping (RFC 4180) into f. */
void zc_csv_field(FILE *f, const char *s);

#endif
