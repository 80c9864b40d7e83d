/* SPDX-License-Identifier: MIT */
#ifndef ZC_COMPARE_H
#define ZC_COMPARE_H
/*
 * compare — the regression comparison behind `zcbench compare`: two
 * results sets (rset.h), BASE and NEW, compared case by case.
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
 * Regimes (out.h): when both sides of a case carry sentinels, its samples
 * are compared regime by regime. A BASE regime is matched with the NEW
 * regime of the nearest hand-off within ZC_CMP_REGIME_MATCH (a factor)
 * that no other BASE regime matched;
 * each matched pair is compared on its own samples (the row names the
 * regime, "@52ns", when a side had more than one). A regime seen on one
 * side only is "not comparable" (the host placed the vCPUs differently:
 * that is no change of the code or the platform's speed), never a change.
 * So is a matched pair whose paces (the sentinel's integer loop, the
 * regime's "pace_ns") differ by more than ZC_CMP_REGIME_MATCH: the host
 * slowed one run's CPUs all along, so its slowed samples could not be told
 * from the others.
 *
 * Verdicts: "regression found" (a row regressed or failed), else "nothing
 * compared" when no row compared figures (no case passed on both sides
 * with values of one metric on both, e.g. NEW ran other cases, skipped
 * them all or has no values; or only absolute metrics between different
 * machines), else "no regression". `zcbench compare` exits 3, 1 and 0 for
 * them; missing rows are listed and counted, never a silent pass.
 *
 * History (zc_cmp_history): NEW against several BASE runs of one machine
 * (a folder of runs such as results/history/). The unit is the run, not
 * the repetition: on a VM the level of a figure moves from run to run
 * (host placement, neighbours) far more than between the repetitions of
 * one run, so pooling repetitions would call every run a change. Per
 * case, metric and NEW regime, each history run gives one value, the
 * median of its samples in the matching regime (nearest hand-off within
 * ZC_CMP_REGIME_MATCH; all samples where a side has no sentinel). On the
 * log scale, with k run medians of mean m and standard deviation s, the
 * 95 % prediction interval of one more run is m +- t(k-1) s sqrt(1 + 1/k)
 * (Student's t; Bencher's t-test threshold). NEW changed when its median
 * lies outside it AND differs from exp(m) by more than the threshold. The
 * row reports the change with that interval and the smallest change this
 * history can detect (max of the interval's half-width and the
 * threshold): a quiet "unchanged" with a 40 % detectable change says the
 * history could not have seen a 10 % regression. Fewer than
 * ZC_CMP_HIST_MIN_RUNS runs in a regime: inconclusive, never a guess.
 *
 * Metric selection (opts.metrics, rset.h): "all" (default), "primary" or
 * names; the others are not judged.
 *
 * Cost: cases are looked up by name in the sets' indexes (rset.h), so a
 * comparison takes O(n log n) in the number of cases.
 *
 * Errors: 0 or -errno (-ENOMEM; zc_cmp_markdown: -EIO on a write error).
 */
#include <stdio.h>
#include <jansson.h>
#include "out.h"
#include "rset.h"

enum zc_cmp_status {
	ZC_CMP_REGRESSED,
	ZC_CMP_FAILED, /* passed in BASE, failed its check in NEW */
	ZC_CMP_IMPROVED,
	ZC_CMP_INCONCLUSIVE,   /* too few repetitions for the test */
	ZC_CMP_NOT_COMPARABLE, /* a host regime seen on one side only */
	ZC_CMP_MISSING,	       /* in BASE, not in NEW (or skipped there) */
	ZC_CMP_NEW,	       /* in NEW only */
	ZC_CMP_UNCHANGED,
	ZC_CMP_NSTATUS,
};

#define ZC_CMP_REGIME_MATCH  1.3
#define ZC_CMP_HIST_MIN_RUNS 3
#define ZC_CMP_HIST_MAX	     64 /* baseline runs */

enum zc_cmp_machines {
	ZC_CMP_AUTO,
	ZC_CMP_SAME,
	ZC_CMP_DIFFERENT
};

struct zc_cmp_opts {
	double threshold;    /* minimum relative effect, 0.05 = 5 % */
	double alpha;	     /* significance level of the rank test */
	int machines;	     /* enum zc_cmp_machines */
	const char *metrics; /* selection judged (rset.h); NULL: all */
};

struct zc_cmp_row {
	char cs[256]; /* case name */
	char metric[96];
	char regime[24]; /* "@52ns" when compared within a regime, else "" */
	char unit[24];
	enum zc_better better;
	int portable;
	enum zc_cmp_status status;
	double base, new_; /* medians (NaN: none) */
	double change;	   /* (new - base) / |base|, NaN when not defined */
	double p;	   /* rank-test p-value, NaN when not tested */
	int nb, nn;	   /* samples used */
	/* history: the change's 95 % interval, the smallest change the
	 * history detects, the runs used (NaN / 0 otherwise) */
	double lo, hi, detectable;
	int runs;
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
	int matched;	    /* cases ok in both BASE and NEW */
	int history;	    /* baseline runs (zc_cmp_history), else 0 */
	int history_other;  /* history runs of other machines left out */
	int family;	    /* history: rows sharing the test level */
};

/* Smallest two-sided p-value the rank test can give for na and nb samples
 * (exact enumeration, no ties); 0 when the normal approximation is used. */
double zc_cmp_min_p(int na, int nb);

int zc_cmp_run(struct zc_cmp *c, const struct zc_rset *base,
	       const struct zc_rset *new_, const struct zc_cmp_opts *o);
/* NEW against the history base[0..n) (1 <= n <= ZC_CMP_HIST_MAX), as the
 * comment above says; base_path names what was given on the command line.
 * A history of several machines (--machines auto) is narrowed to NEW's
 * machine when it has runs of it (the others counted in history_other);
 * with none, every run is used and only portable metrics are judged. */
int zc_cmp_history(struct zc_cmp *c, const struct zc_rset *base, int n,
		   const char *base_path, const struct zc_rset *new_,
		   const struct zc_cmp_opts *o);
void zc_cmp_release(struct zc_cmp *c);
const char *zc_cmp_status_name(enum zc_cmp_status st);
/* Regressed or failed rows. */
int zc_cmp_regressions(const struct zc_cmp *c);
/* Rows that compared figures: regressed, failed, improved, inconclusive,
 * unchanged or not comparable (0: the verdict is "nothing compared"). */
int zc_cmp_compared(const struct zc_cmp *c);
/* "regression found", "nothing compared" or "no regression". */
const char *zc_cmp_verdict(const struct zc_cmp *c);
/* Markdown summary (fits a CI job summary); all = also unchanged rows. */
int zc_cmp_markdown(FILE *f, const struct zc_cmp *c, int all);
/* The comparison as JSON (new reference), NULL on ENOMEM. */
json_t *zc_cmp_json(const struct zc_cmp *c);

#endif
