/* SPDX-License-Identifier: MIT */
/*
 * c2c_out — the files of a core-to-core run beside the standard ones:
 * the matrix, the time series, the heatmap's marks (c2c.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "c2c.h"

int zc_c2c_matrix_write(const char *dir, const char *name, const int *cpu,
			int n, const double *v)
{
	struct zc_afile a;
	int err = zc_afile_open(&a, dir, name);

	if (err < 0)
		return err;
	fputs("ping\\pong", a.f);
	for (int j = 0; j < n; j++)
		fprintf(a.f, ",%d", cpu[j]);
	fputc('\n', a.f);
	for (int i = 0; i < n; i++) {
		fprintf(a.f, "%d", cpu[i]);
		for (int j = 0; j < n; j++) {
			double x = v[(size_t)i * (size_t)n + (size_t)j];
			if (isnan(x))
				fputc(',', a.f);
			else
				fprintf(a.f, ",%.4g", x);
		}
		fputc('\n', a.f);
	}
	return zc_afile_commit(&a);
}

int zc_c2c_time_write(const char *dir, const char *name,
		      const struct zc_results *r, int *rows)
{
	struct zc_afile a;
	double t0 = INFINITY;
	int err = zc_afile_open(&a, dir, name);

	*rows = 0;
	if (err < 0)
		return err;
	for (int i = 0; i < r->ncases; i++)
		for (int k = 0;
		     r->cases[i].status == ZC_CASE_OK && k < r->cases[i].nrep;
		     k++)
			t0 = fmin(t0, r->cases[i].at[k]);
	fputs("name", a.f);
	for (int k = 0; k < r->nkeys; k++)
		fprintf(a.f, ",%s", r->keys[k]);
	fputs(",repetition,t_s,regime", a.f);
	for (int m = 0; m < r->nmetrics; m++)
		fprintf(a.f, ",%s", r->metrics[m].name);
	fputc('\n', a.f);
	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		for (int k = 0; c->status == ZC_CASE_OK && k < c->nrep; k++) {
			zc_csv_field(a.f, c->name);
			for (int p = 0; p < r->nkeys; p++) {
				fputc(',', a.f);
				zc_csv_field(a.f, c->param[p]);
			}
			fprintf(a.f, ",%d,%.6f,", k, c->at[k] - t0);
			if (c->regime[k] >= 0)
				fprintf(a.f, "%d", c->regime[k]);
			else if (c->regime[k] == ZC_REGIME_MOVED)
				fputs("moved", a.f);
			for (int m = 0; m < r->nmetrics; m++) {
				double x = zc_case_get(r, c, k, m);
				if (isfinite(x))
					fprintf(a.f, ",%.9g", x);
				else
					fputc(',', a.f);
			}
			fputc('\n', a.f);
			(*rows)++;
		}
	}
	return zc_afile_commit(&a);
}

void zc_c2c_marks(const int *cpu, const signed char *bound, int n, int max_tics,
		  struct zc_heatmap_tic *tics, int *ntics,
		  struct zc_heatmap_line *lines, int *nlines)
{
	int cut = ZC_HEATMAP_LEVELS - 1;

	/* The finest boundary level whose group starts fit. */
	while (n > max_tics && cut > 0) {
		int k = 1;
		for (int i = 1; i < n; i++)
			k += bound[i] >= 0 && bound[i] <= cut;
		if (k <= max_tics)
			break;
		cut--;
	}
	*ntics = *nlines = 0;
	for (int i = 0; i < n; i++) {
		if (n <= max_tics || i == 0 ||
		    (bound[i] >= 0 && bound[i] <= cut)) {
			tics[*ntics].pos = i;
			snprintf(tics[(*ntics)++].label, sizeof(tics[0].label),
				 "%d", cpu[i]);
		}
		if (i > 0 && bound[i] >= 0)
			lines[(*nlines)++] =
				(struct zc_heatmap_line){i, bound[i]};
	}
}

int zc_c2c_heatmap_write(const char *dir, const char *name, const char *csv,
			 const char *method, const int *cpu,
			 const signed char *bound, int n, const double *v,
			 int *drawn)
{
	struct zc_heatmap h = {.n = n};
	struct zc_heatmap_tic *tics = calloc((size_t)n, sizeof(*tics));
	struct zc_heatmap_line *lines = calloc((size_t)n, sizeof(*lines));
	double lo = INFINITY, hi = 0;
	int err = -ENOMEM;

	*drawn = 0;
	for (size_t k = 0; k < (size_t)n * (size_t)n; k++)
		if (!isnan(v[k])) {
			lo = fmin(lo, v[k]);
			hi = fmax(hi, v[k]);
			*drawn = 1;
		}
	if (tics && lines)
		err = zc_c2c_matrix_write(dir, csv, cpu, n, v);
	if (err || !*drawn)
		goto out;
	zc_c2c_marks(cpu, bound, n, 64, tics, &h.ntics, lines, &h.nlines);
	h.tics = tics;
	h.lines = lines;
	h.logcb = hi > 4 * lo;
	snprintf(h.name, sizeof(h.name), "%s", name);
	snprintf(h.csv, sizeof(h.csv), "%s", csv);
	snprintf(h.title, sizeof(h.title),
		 "Core-to-core one-way latency (%s), CPUs in topology order",
		 method);
	snprintf(h.subtitle, sizeof(h.subtitle),
		 "row: pinging CPU, column: answering CPU; median ns; lines: "
		 "packages (thick), NUMA nodes, L3 caches (thin)");
	snprintf(h.xlabel, sizeof(h.xlabel), "answering CPU (pong)");
	snprintf(h.ylabel, sizeof(h.ylabel), "pinging CPU (ping)");
	snprintf(h.cblabel, sizeof(h.cblabel), "one-way hand-off [ns]");
	err = zc_plot_heatmap_write(dir, &h);
out:
	free(tics);
	free(lines);
	return err;
}

void zc_c2c_plan_print(FILE *f, const long long *set, const long long *machine,
		       int of, const char (*why)[160])
{
	for (int c = 0; c < ZC_C2C_NCLASS; c++) {
		fprintf(f, "  %-14s ", zc_place_name(c));
		if (!machine[c])
			fprintf(f, "none: %s\n", why[c]);
		else if (of)
			fprintf(f, "%lld of %lld pair%s\n", set[c], machine[c],
				machine[c] == 1 ? "" : "s");
		else
			fprintf(f, "%lld pair%s\n", set[c],
				set[c] == 1 ? "" : "s");
	}
}

void zc_c2c_classes_print(FILE *f, const struct zc_c2c_class_sum *s)
{
	fprintf(f, "  %-14s %5s %10s  %-19s %s\n", "class", "pairs",
		"median ns", "range ns", "x nearest");
	for (int c = 0; c < ZC_C2C_NCLASS; c++)
		if (s[c].pairs)
			fprintf(f, "  %-14s %5d %10.1f  %8.1f .. %-7.1f %.2f\n",
				zc_place_name(c), s[c].pairs, s[c].median,
				s[c].lo, s[c].hi, s[c].ratio);
}

void zc_c2c_classes_json(json_t *arr, const char *method,
			 const struct zc_c2c_class_sum *s)
{
	for (int c = 0; c < ZC_C2C_NCLASS; c++)
		if (s[c].pairs)
			json_array_append_new(
				arr,
				json_pack("{s:s, s:s, s:s, s:i, s:o, s:o, s:o, "
					  "s:s, s:o}",
					  "method", method, "class",
					  zc_place_name(c), "description",
					  zc_place_desc(c), "pairs", s[c].pairs,
					  "median_ns",
					  zc_json_real(s[c].median), "min_ns",
					  zc_json_real(s[c].lo), "max_ns",
					  zc_json_real(s[c].hi), "nearest",
					  zc_place_name(s[c].nearest),
					  "ratio_to_nearest",
					  zc_json_real(s[c].ratio)));
}
