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
};

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
 * dst[rep] = src[rep] / median(src of the baseline), where the baseline is
 * the OK case whose parameters equal this case's except `key`, which has
 * the value `base` (and the keys named in `ignore`, NULL-terminated or NULL,
 * which may differ: the first such case is taken). invert: the baseline's
 * median over src[rep] (a speed-up of a time). A case with no baseline gets
 * dst absent with the reason. Returns the number of cases given the metric.
 */
int zc_results_ratio(struct zc_results *r, int src, int dst, const char *key,
		     const char *base, const char *const *ignore, int invert);

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

/* A JSON real, or null for NaN/inf (jansson would return NULL). */
json_t *zc_json_real(double x);

/* CSV field escaping (RFC 4180) into f. */
void zc_csv_field(FILE *f, const char *s);

#endif
