/* SPDX-License-Identifier: MIT */
/*
 * out_text — the text back end: one aligned table of the OK cases (median
 * of each shown metric, the noise column), then skipped and failed cases.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_backends.h"

/* 4 significant digits, without an exponent for the usual magnitudes. */
static void fmt_sig4(char *buf, size_t len, double x)
{
	double a = fabs(x);

	if (a >= 1e4 && a < 1e15) {
		char tmp[32];
		snprintf(tmp, sizeof(tmp), "%.3e", x);
		snprintf(buf, len, "%.0f", strtod(tmp, NULL));
	} else {
		snprintf(buf, len, "%.4g", x);
	}
}

#define TEXT_CELL 112

struct text_table {
	int ncols, nrows; /* nrows includes the header */
	char (*cell)[TEXT_CELL];
	int *width;
	int *right; /* right-aligned (numbers) */
};

static char *text_cell(struct text_table *t, int row, int col)
{
	return t->cell[row * t->ncols + col];
}

#define ALL (-100) /* the overall row of a case, not one regime */

/* Does case c get a sub-row for regime k: its pair had more than one
 * regime, and some of its samples are in k. */
static int shows(const struct zc_results *r, const struct zc_case *c, int k)
{
	const struct zc_regimes *g = zc_case_regimes(r, c);
	return zc_case_split(r, c) && k < g->n &&
	       zc_case_regime_count(c, k) > 0;
}

static int sub_rows(const struct zc_results *r, const struct zc_case *c)
{
	int n = 0;
	for (int k = 0; k < ZC_REGIME_MAX; k++)
		n += shows(r, c, k);
	return n;
}

/* Fill row `row` of the table for case c (regime k, or ALL). */
static void text_row(struct text_table *t, int row, const struct zc_results *r,
		     const struct zc_case *c, int label_col, int k)
{
	const struct zc_regimes *g = zc_case_regimes(r, c);
	struct zc_summary s;
	double worst = -1;
	int col = 0, noisy = 0, drift = 0;

	for (int key = 0; key < r->nkeys; key++)
		if (k == ALL)
			snprintf(text_cell(t, row, col++), TEXT_CELL, "%s",
				 c->param[key]);
		else if (key == 0)
			snprintf(text_cell(t, row, col++), TEXT_CELL,
				 "  @%.0fns", g->median[k]);
		else
			col++;
	for (int m = 0; m < r->nmetrics; m++) {
		char *cell;
		if (!(r->metrics[m].flags & ZC_M_SHOW))
			continue;
		cell = text_cell(t, row, col++);
		if ((k == ALL ? zc_case_summary(r, c, m, &s)
			      : zc_case_regime_summary(r, c, m, k, &s)) < 0) {
			snprintf(cell, TEXT_CELL, "-");
			continue;
		}
		fmt_sig4(cell, TEXT_CELL, s.median);
		worst = fmax(worst, s.cv);
		noisy |= s.noisy;
		drift |= s.drift;
	}
	if (worst < 0)
		snprintf(text_cell(t, row, col), TEXT_CELL, "-");
	else
		/* A blank where '!' or '~' would be keeps the '%' signs
		 * aligned. */
		snprintf(text_cell(t, row, col), TEXT_CELL, "%.1f%%%c%c",
			 100 * worst, noisy ? '!' : ' ', drift ? '~' : ' ');
	if (label_col >= 0 && k == ALL)
		snprintf(text_cell(t, row, label_col), TEXT_CELL, "%s",
			 c->label);
	else if (label_col >= 0)
		snprintf(text_cell(t, row, label_col), TEXT_CELL,
			 "hand-off %.0f ns: %d of %d samples%s", g->median[k],
			 zc_case_regime_count(c, k), c->nrep,
			 zc_case_regime_count(c, ZC_REGIME_MOVED) +
						 zc_case_regime_count(
							 c, ZC_REGIME_SLOWED) &&
					 k == 0
				 ? " (others moved or slowed)"
				 : "");
}

/* The cases whose samples drift ('~'): how many, and how far. */
static void drift_note(FILE *f, const struct zc_results *r)
{
	double worst = 0;
	int n = 0, nok = 0;

	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		int drift = 0;
		if (c->status != ZC_CASE_OK)
			continue;
		nok++;
		for (int m = 0; m < r->nmetrics; m++) {
			struct zc_summary s;
			if (!(r->metrics[m].flags & ZC_M_SHOW) ||
			    zc_case_summary(r, c, m, &s) < 0 || !s.drift)
				continue;
			drift = 1;
			worst = fmax(worst, s.lag1);
		}
		n += drift;
	}
	if (n)
		fprintf(f,
			"drift: '~' = successive samples follow one another "
			"(lag-1 autocorrelation r above 1.96/sqrt(n); up to "
			"%.2f in %d of %d cases): the host changed state "
			"during the run, so their 95 %% intervals count "
			"n(1-r)/(1+r) samples, and a re-run may differ by "
			"more than the cv suggests\n",
			worst, n, nok);
}

/* What the regime rows mean, per CPU pair with more than one. */
static void regime_note(FILE *f, const struct zc_results *r)
{
	for (int p = 0; p < r->npairs; p++) {
		const struct zc_pair *pr = &r->pairs[p];
		if (pr->slowed)
			fprintf(f,
				"slowed: on CPUs %d and %d, %d of %d samples "
				"ran while the host slowed the CPUs (the "
				"sentinel's pace loop more than %.2fx its "
				"fastest after the same work, at best %.0f ns "
				"per 1000 iterations, a level apart from the "
				"others: another tenant on the host core or a "
				"lower clock); rows '@<n>ns' leave them out\n",
				pr->a, pr->b, pr->slowed, pr->samples,
				pr->pace_bound, pr->pace_floor);
		if (pr->reg.n < 2)
			continue;
		fprintf(f,
			"regimes: the cache-line hand-off between CPUs %d "
			"and %d took",
			pr->a, pr->b);
		for (int k = 0; k < pr->reg.n; k++)
			fprintf(f, "%s %.0f ns in %.0f %%", k ? "," : "",
				pr->reg.median[k],
				100.0 * pr->reg.count[k] / pr->reg.total);
		fprintf(f,
			" of the sentinel measurements (the host moved the "
			"vCPUs); rows '@<n>ns' give a case's figures within "
			"one regime; %d of %d samples moved during the "
			"sample and count only in the overall row\n",
			pr->moved, pr->samples);
	}
}

static void text_print_table(FILE *f, struct text_table *t)
{
	char line[ZC_MAX_PARAMS * TEXT_CELL + ZC_MAX_METRICS * TEXT_CELL];

	for (int row = 0; row < t->nrows; row++) {
		size_t off = 0;
		for (int col = 0; col < t->ncols && off < sizeof(line); col++)
			off += (size_t)snprintf(line + off, sizeof(line) - off,
						t->right[col] ? "%s%*s"
							      : "%s%-*s",
						col ? "  " : "", t->width[col],
						text_cell(t, row, col));
		if (off >= sizeof(line))
			off = sizeof(line) - 1;
		/* An empty last column (no label) leaves no trailing blanks. */
		while (off > 0 && line[off - 1] == ' ')
			off--;
		fprintf(f, "%.*s\n", (int)off, line);
	}
}

int zc_out_text_write(FILE *f, const struct zc_results *r)
{
	struct text_table t = {0};
	int nok = zc_results_count(r, ZC_CASE_OK), has_label = 0, col = 0;
	int label_col = -1, row, nsub = 0;

	for (int i = 0; i < r->ncases; i++)
		if (r->cases[i].status == ZC_CASE_OK) {
			int n = sub_rows(r, &r->cases[i]);
			has_label |= r->cases[i].label[0] || n;
			nsub += n;
		}
	t.ncols = r->nkeys + 1 + has_label;
	for (int m = 0; m < r->nmetrics; m++)
		t.ncols += !!(r->metrics[m].flags & ZC_M_SHOW);
	t.nrows = nok + nsub + 1;
	t.cell = calloc((size_t)t.ncols * (size_t)t.nrows, sizeof(*t.cell));
	t.width = calloc((size_t)t.ncols, sizeof(*t.width));
	t.right = calloc((size_t)t.ncols, sizeof(*t.right));
	if (!t.cell || !t.width || !t.right) {
		free(t.cell);
		free(t.width);
		free(t.right);
		return -ENOMEM;
	}

	for (int k = 0; k < r->nkeys; k++)
		snprintf(text_cell(&t, 0, col++), TEXT_CELL, "%s", r->keys[k]);
	for (int m = 0; m < r->nmetrics; m++) {
		const struct zc_metric *mt = &r->metrics[m];
		if (!(mt->flags & ZC_M_SHOW))
			continue;
		t.right[col] = 1;
		snprintf(text_cell(&t, 0, col++), TEXT_CELL, "%s [%s]",
			 mt->name, mt->unit ? mt->unit : "");
	}
	t.right[col] = 1;
	snprintf(text_cell(&t, 0, col++), TEXT_CELL, "noise");
	if (has_label) {
		label_col = col;
		snprintf(text_cell(&t, 0, col++), TEXT_CELL, "label");
	}
	row = 1;
	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		if (c->status != ZC_CASE_OK)
			continue;
		text_row(&t, row++, r, c, label_col, ALL);
		for (int k = 0; k < ZC_REGIME_MAX; k++)
			if (shows(r, c, k))
				text_row(&t, row++, r, c, label_col, k);
	}
	for (row = 0; row < t.nrows; row++)
		for (col = 0; col < t.ncols; col++) {
			int w = (int)strlen(text_cell(&t, row, col));
			if (w > t.width[col])
				t.width[col] = w;
		}

	if (nok > 0) {
		text_print_table(f, &t);
		fprintf(f,
			"noise: largest cv of the shown metrics; '!' = "
			"noisy (cv > %.0f%% or MAD outliers)\n",
			100 * ZC_NOISY_CV);
		drift_note(f, r);
		regime_note(f, r);
	} else {
		fprintf(f, "%s: no case was measured\n", r->cmd);
	}
	free(t.cell);
	free(t.width);
	free(t.right);

	/* Skipped cases, one line per reason: the parameters all of them
	 * share, and how many cases the reason covers. */
	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i], *d;
		int n = 0, seen = 0, first = 1;
		if (c->status != ZC_CASE_SKIPPED)
			continue;
		for (int j = 0; j < i && !seen; j++)
			seen = r->cases[j].status == ZC_CASE_SKIPPED &&
			       !strcmp(r->cases[j].reason, c->reason);
		if (seen)
			continue;
		fputs("skipped", f);
		for (int k = 0; k < r->nkeys; k++) {
			int same = 1;
			for (int j = i + 1; j < r->ncases && same; j++) {
				d = &r->cases[j];
				same = d->status != ZC_CASE_SKIPPED ||
				       strcmp(d->reason, c->reason) ||
				       !strcmp(d->param[k], c->param[k]);
			}
			if (same) {
				fprintf(f, "%s%s:%s", first ? ": " : " ",
					r->keys[k], c->param[k]);
				first = 0;
			}
		}
		for (int j = i; j < r->ncases; j++)
			n += r->cases[j].status == ZC_CASE_SKIPPED &&
			     !strcmp(r->cases[j].reason, c->reason);
		if (n > 1)
			fprintf(f, " (%d cases)", n);
		fprintf(f, ": %s\n", c->reason);
	}
	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		if (c->status == ZC_CASE_FAILED)
			fprintf(f, "FAILED: %s: %s\n", c->name, c->reason);
	}
	if (r->interrupted)
		fputs("interrupted: the run stopped on a signal; the results "
		      "are incomplete\n",
		      f);
	return zc_out_stream_status(f);
}
