/* SPDX-License-Identifier: MIT */
#ifndef ZC_COMPARE_INT_H
#define ZC_COMPARE_INT_H
/*
 * Internal to lib/: what compare.c (two results sets) and history.c
 * (several baselines) share. Not for commands or tests (compare.h is the
 * interface).
 */
#include <jansson.h>
#include "compare.h"

/* c emptied, with options o (metrics NULL: "all"). */
void zc_cmp_init(struct zc_cmp *c, const struct zc_cmp_opts *o);
/* A new row of status st, counted; values NaN, strings empty. NULL on
 * ENOMEM. */
struct zc_cmp_row *zc_cmp_add_row(struct zc_cmp *c, const char *cs,
				  const char *metric, enum zc_cmp_status st);
/* A row for a whole case (metric "") with a formatted note; -ENOMEM. */
int zc_cmp_case_row(struct zc_cmp *c, json_t *cs, enum zc_cmp_status st,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Median of x[0..n), NaN when n is 0. */
double zc_cmp_median(const double *x, int n);
/* A case's regimes: hand-off and pace (may be NULL) per regime index (NaN
 * where none) and each sample's regime (ZC_REGIME_NONE, ZC_REGIME_MOVED
 * or an index). Returns how many regimes, 0 when the case has no
 * sentinel. */
int zc_cmp_case_regimes(json_t *cs, double *handoff, double *pace,
			int *rep_regime, int max_rep);
/* The samples of metric `name` in regime k (k < 0: all of them) into x
 * (ZC_MAX_REP); returns how many. */
int zc_cmp_regime_samples(json_t *cs, const char *name, const int *rep_regime,
			  int k, double *x);
/* Whether BASE b and NEW n come from different machines (meta.json's host
 * and CPU model, or the --machines override): sets c->different,
 * c->machines_known and c->why_different. */
void zc_cmp_machines(struct zc_cmp *c, const struct zc_rset *b,
		     const struct zc_rset *n);
/* A result file or meta.json of s says the run was interrupted. */
int zc_cmp_interrupted(const struct zc_rset *s);

#endif
