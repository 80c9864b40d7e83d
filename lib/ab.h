/* SPDX-License-Identifier: MIT */
#ifndef ZC_AB_H
#define ZC_AB_H
/*
 * ab — the paired comparison behind `zcbench ab`: two builds of zcbench
 * run round by round on the same machine (each round one repetition of
 * every case with each build, in a random order), compared pair by pair.
 *
 * Why pairs: on a shared VM the machine's speed moves between rounds (the
 * host moves the vCPUs, neighbours come and go) far more than a 10 %
 * regression; the two builds measured seconds apart see the same machine,
 * so their ratio cancels most of it ("duet"/interleaved benchmarking:
 * Bulej et al., ICPE 2020; Abedi & Brecht, ICPE 2017).
 *
 * Per case and metric (better direction lower or higher), each round r
 * gives the ratio NEW_r / BASE_r, turned into a "worse factor" w_r (> 1:
 * NEW is worse: for a higher-is-better metric the inverse). A pair whose
 * two samples ran in different host regimes (their sentinels' hand-offs
 * differ by more than ZC_CMP_REGIME_MATCH) is left out and counted. The
 * estimate is the median of w over the pairs, its 95 % interval the
 * distribution-free one of stats.h: order statistics chosen from the
 * binomial distribution, so that the interval holds the median with
 * >= 95 % probability whatever the distribution of w (from 6 pairs on),
 * and computed for the effective number of pairs when w drifts from
 * round to round (stats.h's lag-1 test): dependent pairs tell less than
 * independent ones. A bootstrap of the median, used before, covers far
 * less than 95 % at 6 to 10 pairs (at 7 its percentiles fall on about
 * the 2nd and 6th value: 87.5 %); it called two builds of the same code
 * on an AMD EPYC guest 9 % apart (7 pairs). Verdict:
 *	regressed	median > 1 + tolerance and the interval above 1
 *	improved	median < 1 / (1 + tolerance), the interval below 1
 *	inconclusive	fewer than ZC_AB_MIN_PAIRS pairs, or pairs that drift
 *			so that fewer than that many are effective
 *	unchanged	otherwise
 * The tolerance is a minimum effect chosen from the A/A study
 * (results/regression/STUDY.md); the interval guards against one-off
 * pairs, the tolerance against the many metrics tested at once.
 *
 * Errors: 0 or -errno (-ENOMEM).
 */
#include <stdio.h>
#include <jansson.h>
#include "compare.h"
#include "rset.h"

#define ZC_AB_MIN_PAIRS	 6 /* the fewest with a 95 % interval */
#define ZC_AB_MAX_ROUNDS 200

enum zc_ab_status {
	ZC_AB_REGRESSED,
	ZC_AB_IMPROVED,
	ZC_AB_INCONCLUSIVE,
	ZC_AB_UNCHANGED,
	ZC_AB_NSTATUS,
};

struct zc_ab_row {
	char cs[256];
	char metric[64];
	char unit[24];
	enum zc_better better;
	enum zc_ab_status status;
	int pairs;     /* rounds compared */
	int moved;     /* rounds left out: the two ran in different regimes */
	double median; /* median NEW/BASE ratio (as measured) */
	double worse;  /* median worse factor (> 1: NEW worse) */
	double lo, hi; /* 95 % interval of the worse factor */
	double base, new_; /* medians of the samples */
	char note[160];
};

struct zc_ab {
	double tolerance; /* minimum effect, 0.05 = 5 % */
	int rounds;
	char metrics[256]; /* the selection judged (rset.h) */
	struct zc_ab_row *rows;
	int nrows, cap;
	int count[ZC_AB_NSTATUS];
};

/* Compare rounds base[0..n) and new_[0..n) (round r of each side is one
 * results set), the metrics of selection `metrics` (zc_res_metric_selected:
 * "primary", "all" or names). */
int zc_ab_run(struct zc_ab *ab, const struct zc_rset *base,
	      const struct zc_rset *new_, int n, double tolerance,
	      const char *metrics);
void zc_ab_release(struct zc_ab *ab);
const char *zc_ab_status_name(enum zc_ab_status s);
int zc_ab_markdown(FILE *f, const struct zc_ab *ab, const char *base_desc,
		   const char *new_desc, int all);
json_t *zc_ab_json(const struct zc_ab *ab);

#endif
