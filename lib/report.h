/* SPDX-License-Identifier: MIT */
#ifndef ZC_REPORT_H
#define ZC_REPORT_H
/*
 * report — the pieces behind `zcbench run`, `compare` and `export`: suite
 * files, results read back from disk, the regression comparison, and the
 * github-action-benchmark export. Everything here reads; nothing writes
 * files (the commands do, atomically, through lib/out.h).
 *
 * Suite files (experiments/<name>): one zcbench invocation per line, with
 * or without the leading "zcbench"; '#' starts a comment (at the start of a
 * word); words split on blanks; '...' is literal and "..." allows \" and \\.
 * zc_suite_load() checks the syntax only; whether a line's command and
 * options are valid is for the caller to ask the command itself.
 *
 * Results sets: a results folder (every *.json in it with a "zcbench"
 * section, plus its meta.json) or one result JSON file (with the meta.json
 * beside it, when there is one). Files are parsed with jansson; a result
 * file that does not parse, is truncated, carries another schema version
 * or lacks the fields compare needs is an error with a message naming the
 * file, never a guess.
 *
 * Comparison: cases matched by name, metrics by name; each metric's better
 * direction and portability come from the BASE file's declaration
 * (zcbench.metrics[]). A metric changed only when the two sides' samples
 * differ by a two-sided Mann-Whitney test (p < alpha) AND the medians
 * differ by more than the threshold (relative); the direction then says
 * improved or regressed. When the test cannot reach p < alpha with the
 * repetitions given (exact test: 3 against 3 can never go below p = 0.1),
 * the row is "inconclusive" and says so. When meta.json says the runs come
 * from different machines (host or CPU model differ), only portable
 * metrics (ratios within one run) are compared; the others are counted as
 * not comparable. Metrics whose better direction is "none" are never
 * compared.
 *
 * Errors: 0 or -errno. zc_rset_load: -ENOENT (no such path), -EINVAL
 * (corrupt, truncated, malformed), -EPROTO (other schema version),
 * -ENODATA (a folder with no results), -ENOMEM; the message goes to err.
 * zc_suite_load: -ENOENT/-EACCES/-EISDIR opening, -EINVAL with
 * "path:line: why" in s->err, -E2BIG (too many lines or words), -ENOMEM.
 */
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "opt.h"
#include "out.h"

/* ---- suite files ----------------------------------------------------------
 */

#define ZC_SUITE_MAX_LINES 128
#define ZC_SUITE_MAX_WORDS 64

struct zc_suite_line {
	int lineno;	/* 1-based line in the file */
	int argc;	/* words; argv[0] is the command name */
	char **argv;	/* NULL-terminated, owned */
	char text[512]; /* the invocation as written (trimmed) */
};

struct zc_suite {
	char path[4096];
	char name[128]; /* file name without folders */
	int n;
	struct zc_suite_line line[ZC_SUITE_MAX_LINES];
	char err[600]; /* "path:line: why" on -EINVAL */
};

/* Read and split a suite file. s is initialised here. */
int zc_suite_load(struct zc_suite *s, const char *path);
/* The same from text (name is used in messages). */
int zc_suite_parse(struct zc_suite *s, const char *name, const char *text);
void zc_suite_release(struct zc_suite *s);

/*
 * Split one line into words (rules above). *argv is a NULL-terminated
 * malloc'ed array (free with zc_words_free); 0 words is not an error.
 * -EINVAL with err filled for an unterminated quote, -E2BIG, -ENOMEM.
 */
int zc_words_split(const char *line, int *argc, char ***argv, char *err,
		   size_t len);
void zc_words_free(char **argv);

/*
 * Separate options from positional arguments using the option tables
 * (an option that takes a value swallows the next word unless written
 * --name=value). Both outputs keep the input order; opts gets argv[0]
 * first, so it can go to zc_cmd_parse as is. The arrays must hold argc + 1
 * pointers each; both are NULL-terminated.
 */
void zc_args_split(const struct zc_opt *const *tables, int argc, char **argv,
		   int *nopts, char **opts, int *npos, char **pos);

/* ---- results read back ----------------------------------------------------
 */

#define ZC_RSET_MAX 64

struct zc_rset {
	char path[4096];
	int is_dir;
	json_t *meta;		  /* meta.json, or NULL when there is none */
	int n;			  /* result files */
	json_t *res[ZC_RSET_MAX]; /* each file's root object */
	char file[ZC_RSET_MAX][256];
};

int zc_rset_load(struct zc_rset *s, const char *path, char *err, size_t len);
void zc_rset_release(struct zc_rset *s);
/* A readable one-line description: "host, CPU model, zcbench git, date". */
void zc_rset_describe(const struct zc_rset *s, char *buf, size_t len);

/* One result file, field access with defaults (for reports and tests). */
const char *zc_res_command(json_t *res);
/* better direction of metric `name` in res; -ENOENT if not declared */
int zc_res_metric(json_t *res, const char *name, enum zc_better *better,
		  const char **unit, int *portable);
/* Samples of metric `name` of case `c` (NaN/null skipped) into x (up to
 * max); returns how many. */
int zc_res_samples(json_t *c, const char *name, double *x, int max);

/* ---- comparison -----------------------------------------------------------
 */

enum zc_cmp_status {
	ZC_CMP_REGRESSED,
	ZC_CMP_FAILED, /* passed in BASE, failed its check in NEW */
	ZC_CMP_IMPROVED,
	ZC_CMP_INCONCLUSIVE, /* too few repetitions for the test */
	ZC_CMP_MISSING,	     /* in BASE, not in NEW (or skipped there) */
	ZC_CMP_NEW,	     /* in NEW only */
	ZC_CMP_UNCHANGED,
	ZC_CMP_NSTATUS,
};

enum zc_cmp_machines {
	ZC_CMP_AUTO,
	ZC_CMP_SAME,
	ZC_CMP_DIFFERENT
};

struct zc_cmp_opts {
	double threshold; /* minimum relative effect, 0.05 = 5 % */
	double alpha;	  /* significance level of the rank test */
	int machines;	  /* enum zc_cmp_machines */
};

struct zc_cmp_row {
	char cs[256]; /* case name */
	char metric[64];
	char unit[24];
	enum zc_better better;
	int portable;
	enum zc_cmp_status status;
	double base, new_; /* medians (NaN: none) */
	double change;	   /* (new - base) / |base|, NaN when not defined */
	double p;	   /* rank-test p-value, NaN when not tested */
	int nb, nn;	   /* samples used */
	char note[200];
};

struct zc_cmp {
	struct zc_cmp_opts o;
	int different;	    /* machines differ: absolute metrics skipped */
	int machines_known; /* both sides had meta.json */
	char why_different[256];
	char base_desc[512], new_desc[512];
	char base_path[4096], new_path[4096];
	struct zc_cmp_row *rows;
	int nrows, cap;
	int count[ZC_CMP_NSTATUS];
	int not_comparable; /* absolute metrics left out (different machines) */
	int interrupted;    /* a side was interrupted */
};

/* Smallest two-sided p-value the rank test can give for na and nb samples
 * (exact enumeration, no ties); 0 when the normal approximation is used. */
double zc_cmp_min_p(int na, int nb);

int zc_cmp_run(struct zc_cmp *c, const struct zc_rset *base,
	       const struct zc_rset *new_, const struct zc_cmp_opts *o);
void zc_cmp_release(struct zc_cmp *c);
const char *zc_cmp_status_name(enum zc_cmp_status st);
/* Regressed or failed rows. */
int zc_cmp_regressions(const struct zc_cmp *c);
/* Markdown summary (fits a CI job summary); all = also unchanged rows. */
int zc_cmp_markdown(FILE *f, const struct zc_cmp *c, int all);
/* The comparison as JSON (new reference), NULL on ENOMEM. */
json_t *zc_cmp_json(const struct zc_cmp *c);

/* ---- export ---------------------------------------------------------------
 */

/*
 * github-action-benchmark's custom format: an array of {name, unit, value,
 * range, extra}, one entry per case and metric whose better direction is
 * `better` (LOWER for customSmallerIsBetter, HIGHER for
 * customBiggerIsBetter); value is the median, range the 95 % interval of
 * the median. portable_only keeps ratios within a run only.
 * NULL on ENOMEM.
 */
json_t *zc_ghb_export(const struct zc_rset *s, enum zc_better better,
		      int portable_only);

#endif
