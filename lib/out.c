/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "out.h"

/* ---- the results model -------------------------------------------------- */

int zc_results_init(struct zc_results *r, const char *cmd,
		    const char *const *keys, int nkeys,
		    const struct zc_metric *metrics, int nmetrics, int max_rep)
{
	memset(r, 0, sizeof(*r));
	if (!cmd || nkeys < 0 || nkeys > ZC_MAX_PARAMS || (nkeys && !keys) ||
	    nmetrics < 0 || nmetrics > ZC_MAX_METRICS ||
	    (nmetrics && !metrics) || max_rep < 1 || max_rep > ZC_MAX_REP ||
	    strlen(cmd) >= sizeof(r->cmd))
		return -EINVAL;
	strcpy(r->cmd, cmd);
	r->keys = keys;
	r->nkeys = nkeys;
	r->metrics = metrics;
	r->nmetrics = nmetrics;
	r->max_rep = max_rep;
	return 0;
}

void zc_results_release(struct zc_results *r)
{
	for (int i = 0; i < r->ncases; i++) {
		free(r->cases[i].v);
		free(r->cases[i].absent);
	}
	free(r->cases);
	json_decref(r->options);
	json_decref(r->context);
	r->cases = NULL;
	r->ncases = r->cap = 0;
	r->options = r->context = NULL;
}

static void set_nan(double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = NAN;
}

struct zc_case *zc_results_add(struct zc_results *r, const char *const *vals)
{
	struct zc_case *c;
	size_t nv = (size_t)r->max_rep * (size_t)r->nmetrics, off;

	if (r->ncases == r->cap) {
		int cap = r->cap ? 2 * r->cap : 16;
		c = realloc(r->cases, (size_t)cap * sizeof(*c));
		if (!c)
			return NULL;
		r->cases = c;
		r->cap = cap;
	}
	c = &r->cases[r->ncases];
	memset(c, 0, sizeof(*c));
	c->v = malloc((nv ? nv : 1) * sizeof(*c->v));
	c->absent = calloc(r->nmetrics ? (size_t)r->nmetrics : 1,
			   sizeof(*c->absent));
	if (!c->v || !c->absent) {
		free(c->v);
		free(c->absent);
		return NULL;
	}
	set_nan(c->v, nv);
	c->threads = 1;
	off = (size_t)snprintf(c->name, sizeof(c->name), "%s", r->cmd);
	for (int k = 0; k < r->nkeys; k++) {
		const char *val = vals && vals[k] ? vals[k] : "";
		snprintf(c->param[k], sizeof(c->param[k]), "%s", val);
		if (off < sizeof(c->name))
			off += (size_t)snprintf(c->name + off,
						sizeof(c->name) - off, "/%s:%s",
						r->keys[k], c->param[k]);
		/* Google Benchmark's threads field follows a "threads" key. */
		if (!strcmp(r->keys[k], "threads") && atoi(c->param[k]) > 0)
			c->threads = atoi(c->param[k]);
	}
	r->ncases++;
	return c;
}

int zc_results_metric(const struct zc_results *r, const char *name)
{
	for (int m = 0; m < r->nmetrics; m++)
		if (!strcmp(r->metrics[m].name, name))
			return m;
	return -ENOENT;
}

static int key_index(const struct zc_results *r, const char *key)
{
	for (int k = 0; k < r->nkeys; k++)
		if (!strcmp(r->keys[k], key))
			return k;
	return -1;
}

const char *zc_case_param(const struct zc_results *r, const struct zc_case *c,
			  const char *key)
{
	int k = key_index(r, key);

	return k >= 0 ? c->param[k] : NULL;
}

void zc_case_set(const struct zc_results *r, struct zc_case *c, int rep, int m,
		 double value)
{
	if (rep < 0 || rep >= r->max_rep || m < 0 || m >= r->nmetrics)
		return;
	c->v[rep * r->nmetrics + m] = value;
	if (rep >= c->nrep)
		c->nrep = rep + 1;
}

double zc_case_get(const struct zc_results *r, const struct zc_case *c, int rep,
		   int m)
{
	if (rep < 0 || rep >= c->nrep || m < 0 || m >= r->nmetrics)
		return NAN;
	return c->v[rep * r->nmetrics + m];
}

void zc_case_absent(const struct zc_results *r, struct zc_case *c, int m,
		    const char *why)
{
	if (m < 0 || m >= r->nmetrics)
		return;
	snprintf(c->absent[m], sizeof(c->absent[m]), "%s",
		 why && *why ? why : "not measured");
	/* Absent is never a number, not even one recorded earlier. */
	for (int rep = 0; rep < r->max_rep; rep++)
		c->v[rep * r->nmetrics + m] = NAN;
}

/* Neither a skipped nor a failed case keeps repetitions. */
static void set_status(struct zc_case *c, enum zc_case_status st,
		       const char *fmt, va_list ap)
{
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	c->status = st;
	c->nrep = 0;
}

void zc_case_skip(struct zc_case *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_status(c, ZC_CASE_SKIPPED, fmt, ap);
	va_end(ap);
}

void zc_case_fail(const struct zc_results *r, struct zc_case *c,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_status(c, ZC_CASE_FAILED, fmt, ap);
	va_end(ap);
	/* A case that failed its check must not leave a number behind. */
	set_nan(c->v, (size_t)r->max_rep * (size_t)r->nmetrics);
	memset(c->iterations, 0, sizeof(c->iterations));
}

int zc_case_summary(const struct zc_results *r, const struct zc_case *c, int m,
		    struct zc_summary *s)
{
	double x[ZC_MAX_REP];

	if (m < 0 || m >= r->nmetrics || c->nrep <= 0) {
		memset(s, 0, sizeof(*s));
		return -EINVAL;
	}
	for (int rep = 0; rep < c->nrep; rep++)
		x[rep] = c->v[rep * r->nmetrics + m];
	return zc_stats_summary(x, (size_t)c->nrep, s);
}

double zc_case_median(const struct zc_results *r, const struct zc_case *c,
		      int m)
{
	struct zc_summary s;

	if (!c || zc_case_summary(r, c, m, &s) < 0)
		return NAN;
	return s.median;
}

int zc_results_vfind(const struct zc_results *r, int ok_only, va_list ap)
{
	const char *key[ZC_MAX_PARAMS], *val[ZC_MAX_PARAMS];
	int k[ZC_MAX_PARAMS], n = 0;

	for (const char *kv; (kv = va_arg(ap, const char *)) != NULL;) {
		if (n == ZC_MAX_PARAMS)
			return -EINVAL;
		key[n] = kv;
		val[n] = va_arg(ap, const char *);
		k[n] = key_index(r, key[n]);
		if (k[n] < 0 || !val[n])
			return -EINVAL;
		n++;
	}
	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		int match = !ok_only || c->status == ZC_CASE_OK;
		for (int j = 0; j < n && match; j++)
			match = !strcmp(c->param[k[j]], val[j]);
		if (match)
			return i;
	}
	return -ENOENT;
}

int zc_results_find(const struct zc_results *r, int ok_only, ...)
{
	va_list ap;
	int i;

	va_start(ap, ok_only);
	i = zc_results_vfind(r, ok_only, ap);
	va_end(ap);
	return i;
}

static int is_baseline_of(const struct zc_results *r, const struct zc_case *b,
			  const struct zc_case *c, int kk, const char *base,
			  const char *const *ignore)
{
	if (b->status != ZC_CASE_OK || strcmp(b->param[kk], base))
		return 0;
	for (int k = 0; k < r->nkeys; k++) {
		int skip = k == kk;
		for (int i = 0; ignore && ignore[i] && !skip; i++)
			skip = !strcmp(ignore[i], r->keys[k]);
		if (!skip && strcmp(b->param[k], c->param[k]))
			return 0;
	}
	return 1;
}

int zc_results_ratio(struct zc_results *r, int src, int dst, const char *key,
		     const char *base, const char *const *ignore, int invert)
{
	int kk = key_index(r, key), n = 0;

	if (kk < 0 || src < 0 || dst < 0 || src >= r->nmetrics ||
	    dst >= r->nmetrics)
		return -EINVAL;
	for (int i = 0; i < r->ncases; i++) {
		struct zc_case *c = &r->cases[i];
		struct zc_summary own, bs;
		int found = 0;

		if (c->status != ZC_CASE_OK ||
		    zc_case_summary(r, c, src, &own) < 0)
			continue;
		for (int j = 0; j < r->ncases && !found; j++)
			found = is_baseline_of(r, &r->cases[j], c, kk, base,
					       ignore) &&
				zc_case_summary(r, &r->cases[j], src, &bs) ==
					0 &&
				bs.median != 0;
		if (!found) {
			char why[ZC_WHY_LEN];
			snprintf(why, sizeof(why),
				 "no successful %s:%s case to compare with",
				 key, base);
			zc_case_absent(r, c, dst, why);
			continue;
		}
		for (int rep = 0; rep < c->nrep; rep++) {
			double v = zc_case_get(r, c, rep, src);
			zc_case_set(r, c, rep, dst,
				    invert ? bs.median / v : v / bs.median);
		}
		n++;
	}
	return n;
}

int zc_results_count(const struct zc_results *r, enum zc_case_status st)
{
	int n = 0;

	for (int i = 0; i < r->ncases; i++)
		n += r->cases[i].status == st;
	return n;
}

static const char *status_name(enum zc_case_status st)
{
	static const char *const names[] = {
		[ZC_CASE_OK] = "ok",
		[ZC_CASE_SKIPPED] = "skipped",
		[ZC_CASE_FAILED] = "failed",
	};
	return (unsigned)st < 3 ? names[st] : "unknown";
}

/* A stream that saw a write error; errno is the best guess at why. */
static int stream_status(FILE *f)
{
	if (!ferror(f))
		return 0;
	return errno ? -errno : -EIO;
}

/* ---- text ---------------------------------------------------------------- */

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

/* Fill row `row` of the table for case c; returns 0. */
static void text_row(struct text_table *t, int row, const struct zc_results *r,
		     const struct zc_case *c, int label_col)
{
	struct zc_summary s;
	double worst = -1;
	int col = 0, noisy = 0;

	for (int k = 0; k < r->nkeys; k++)
		snprintf(text_cell(t, row, col++), TEXT_CELL, "%s",
			 c->param[k]);
	for (int m = 0; m < r->nmetrics; m++) {
		char *cell;
		if (!(r->metrics[m].flags & ZC_M_SHOW))
			continue;
		cell = text_cell(t, row, col++);
		if (zc_case_summary(r, c, m, &s) < 0) {
			snprintf(cell, TEXT_CELL, "-");
			continue;
		}
		fmt_sig4(cell, TEXT_CELL, s.median);
		worst = fmax(worst, s.cv);
		noisy |= s.noisy;
	}
	if (worst < 0)
		snprintf(text_cell(t, row, col), TEXT_CELL, "-");
	else
		/* A blank where '!' would be keeps the '%' signs aligned. */
		snprintf(text_cell(t, row, col), TEXT_CELL, "%.1f%%%c",
			 100 * worst, noisy ? '!' : ' ');
	if (label_col >= 0)
		snprintf(text_cell(t, row, label_col), TEXT_CELL, "%s",
			 c->label);
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

static int write_text(FILE *f, const struct zc_results *r)
{
	struct text_table t = {0};
	int nok = zc_results_count(r, ZC_CASE_OK), has_label = 0, col = 0;
	int label_col = -1, row;

	for (int i = 0; i < r->ncases; i++)
		if (r->cases[i].status == ZC_CASE_OK && r->cases[i].label[0])
			has_label = 1;
	t.ncols = r->nkeys + 1 + has_label;
	for (int m = 0; m < r->nmetrics; m++)
		t.ncols += !!(r->metrics[m].flags & ZC_M_SHOW);
	t.nrows = nok + 1;
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
	for (int i = 0; i < r->ncases; i++)
		if (r->cases[i].status == ZC_CASE_OK)
			text_row(&t, row++, r, &r->cases[i], label_col);
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
	return stream_status(f);
}

/* ---- csv ----------------------------------------------------------------- */

void zc_csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* ",<x>" with x as %.9g, or "," alone when x is absent. */
static void csv_num(FILE *f, double x)
{
	if (isfinite(x))
		fprintf(f, ",%.9g", x);
	else
		fputc(',', f);
}

static void csv_sep_field(FILE *f, const char *s)
{
	fputc(',', f);
	zc_csv_field(f, s);
}

static void csv_head(FILE *f, const struct zc_results *r)
{
	fputs("name", f);
	for (int k = 0; k < r->nkeys; k++)
		csv_sep_field(f, r->keys[k]);
}

static void csv_case_head(FILE *f, const struct zc_results *r,
			  const struct zc_case *c)
{
	zc_csv_field(f, c->name);
	for (int k = 0; k < r->nkeys; k++)
		csv_sep_field(f, c->param[k]);
}

static const char *const csv_stats[] = {"median", "min",   "max",
					"ci_lo",  "ci_hi", "cv"};

static int write_csv(FILE *f, const struct zc_results *r)
{
	/* A "threads" parameter already is the column: a second one of the
	 * same name would break lookups by name (gnuplot, pandas). */
	int threads_col = key_index(r, "threads") < 0;

	csv_head(f, r);
	if (threads_col)
		fputs(",threads", f);
	fputs(",status,reason,cpus,label,repetitions", f);
	for (int m = 0; m < r->nmetrics; m++)
		for (size_t j = 0; j < sizeof(csv_stats) / sizeof(*csv_stats);
		     j++)
			fprintf(f, ",%s_%s", r->metrics[m].name, csv_stats[j]);
	fputc('\n', f);

	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		int ok = c->status == ZC_CASE_OK;

		csv_case_head(f, r, c);
		if (threads_col)
			fprintf(f, ",%d", c->threads);
		fprintf(f, ",%s", status_name(c->status));
		csv_sep_field(f, c->reason);
		csv_sep_field(f, c->cpus);
		csv_sep_field(f, c->label);
		if (ok)
			fprintf(f, ",%d", c->nrep);
		else
			fputc(',', f);
		for (int m = 0; m < r->nmetrics; m++) {
			struct zc_summary s;
			if (!ok || zc_case_summary(r, c, m, &s) < 0)
				s.median = s.min = s.max = s.ci_lo = s.ci_hi =
					s.cv = NAN;
			csv_num(f, s.median);
			csv_num(f, s.min);
			csv_num(f, s.max);
			csv_num(f, s.ci_lo);
			csv_num(f, s.ci_hi);
			csv_num(f, s.cv);
		}
		fputc('\n', f);
	}
	return stream_status(f);
}

static int write_samples(FILE *f, const struct zc_results *r)
{
	csv_head(f, r);
	fputs(",repetition,iterations", f);
	for (int m = 0; m < r->nmetrics; m++)
		csv_sep_field(f, r->metrics[m].name);
	fputc('\n', f);

	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		if (c->status != ZC_CASE_OK)
			continue;
		for (int rep = 0; rep < c->nrep; rep++) {
			csv_case_head(f, r, c);
			fprintf(f, ",%d", rep);
			csv_num(f, c->iterations[rep]);
			for (int m = 0; m < r->nmetrics; m++)
				csv_num(f, zc_case_get(r, c, rep, m));
			fputc('\n', f);
		}
	}
	return stream_status(f);
}

/* ---- json ---------------------------------------------------------------- */

json_t *zc_json_real(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* Iteration counts are integers for Google Benchmark's readers. */
static json_t *json_count(double x)
{
	if (isfinite(x) && x == floor(x) && fabs(x) < 9007199254740992.0)
		return json_integer((json_int_t)x);
	return zc_json_real(x);
}

static const char *better_name(enum zc_better b)
{
	return b == ZC_BETTER_LOWER    ? "lower"
	       : b == ZC_BETTER_HIGHER ? "higher"
				       : "none";
}

static json_t *json_metrics(const struct zc_results *r)
{
	json_t *a = json_array();

	for (int m = 0; m < r->nmetrics; m++) {
		const struct zc_metric *mt = &r->metrics[m];
		json_array_append_new(
			a,
			json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", mt->name,
				  "unit", mt->unit ? mt->unit : "", "better",
				  better_name(mt->better), "description",
				  mt->desc ? mt->desc : "", "portable",
				  !!(mt->flags & ZC_M_PORTABLE)));
	}
	return a;
}

static json_t *json_summary(const struct zc_summary *s)
{
	static const struct {
		const char *name;
		size_t off;
	} reals[] = {
		{"median", offsetof(struct zc_summary, median)},
		{"min", offsetof(struct zc_summary, min)},
		{"max", offsetof(struct zc_summary, max)},
		{"mean", offsetof(struct zc_summary, mean)},
		{"stddev", offsetof(struct zc_summary, stddev)},
		{"cv", offsetof(struct zc_summary, cv)},
		{"ci_lo", offsetof(struct zc_summary, ci_lo)},
		{"ci_hi", offsetof(struct zc_summary, ci_hi)},
	};
	json_t *o = json_object();

	json_object_set_new(o, "n", json_integer(s->n));
	for (size_t i = 0; i < sizeof(reals) / sizeof(*reals); i++)
		json_object_set_new(
			o, reals[i].name,
			zc_json_real(*(const double *)((const char *)s +
						       reals[i].off)));
	json_object_set_new(o, "ci_exact", json_boolean(s->ci_exact));
	json_object_set_new(o, "outliers", json_integer(s->outliers));
	json_object_set_new(o, "noisy", json_boolean(s->noisy));
	return o;
}

static json_t *json_case(const struct zc_results *r, const struct zc_case *c)
{
	json_t *o = json_object(), *params = json_object(), *it = json_array();
	json_t *absent = json_object(), *sum = json_object();
	json_t *samples = json_object();

	for (int k = 0; k < r->nkeys; k++)
		json_object_set_new(params, r->keys[k],
				    json_string(c->param[k]));
	for (int rep = 0; rep < c->nrep; rep++)
		json_array_append_new(it, json_count(c->iterations[rep]));
	for (int m = 0; m < r->nmetrics; m++) {
		const char *name = r->metrics[m].name;
		struct zc_summary s;
		json_t *vals;

		if (c->absent[m][0])
			json_object_set_new(absent, name,
					    json_string(c->absent[m]));
		if (c->nrep == 0)
			continue;
		if (zc_case_summary(r, c, m, &s) == 0)
			json_object_set_new(sum, name, json_summary(&s));
		vals = json_array();
		for (int rep = 0; rep < c->nrep; rep++)
			json_array_append_new(
				vals, zc_json_real(zc_case_get(r, c, rep, m)));
		json_object_set_new(samples, name, vals);
	}
	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "params", params);
	json_object_set_new(o, "threads", json_integer(c->threads));
	json_object_set_new(o, "status", json_string(status_name(c->status)));
	json_object_set_new(o, "reason", json_string(c->reason));
	json_object_set_new(o, "cpus", json_string(c->cpus));
	json_object_set_new(o, "label", json_string(c->label));
	json_object_set_new(o, "repetitions", json_integer(c->nrep));
	json_object_set_new(o, "iterations", it);
	json_object_set_new(o, "absent", absent);
	json_object_set_new(o, "summary", sum);
	json_object_set_new(o, "samples", samples);
	return o;
}

/* What one Google Benchmark row reports: per repetition or an aggregate. */
enum gb_agg {
	GB_REP,
	GB_MEDIAN,
	GB_MEAN,
	GB_STDDEV,
	GB_CV,
	GB_MIN,
	GB_MAX
};
static const char *const gb_agg_name[] = {
	[GB_MEDIAN] = "median", [GB_MEAN] = "mean", [GB_STDDEV] = "stddev",
	[GB_CV] = "cv",		[GB_MIN] = "min",   [GB_MAX] = "max",
};

/* Metric m in one row; `scaled` applies gb_scale (0 means 1), except to
 * the cv, a ratio. */
static double gb_value(const struct zc_results *r, const struct zc_case *c,
		       int m, enum gb_agg agg, int rep, int scaled)
{
	struct zc_summary s;
	double scale = r->metrics[m].gb_scale, v;

	if (!scaled || scale == 0)
		scale = 1;
	if (agg == GB_REP)
		return zc_case_get(r, c, rep, m) * scale;
	if (zc_case_summary(r, c, m, &s) < 0)
		return NAN;
	switch (agg) {
	case GB_MEDIAN:
		v = s.median;
		break;
	case GB_MEAN:
		v = s.mean;
		break;
	case GB_STDDEV:
		v = s.stddev;
		break;
	case GB_CV:
		return s.cv;
	case GB_MIN:
		v = s.min;
		break;
	case GB_MAX:
		v = s.max;
		break;
	default:
		return NAN;
	}
	return v * scale;
}

static json_t *gb_row(const struct zc_results *r, const struct zc_case *c,
		      enum gb_agg agg, int rep)
{
	json_t *o = json_object();
	double real = NAN, cpu = NAN;
	int have_real = 0, have_cpu = 0;

	if (agg == GB_REP) {
		json_object_set_new(o, "name", json_string(c->name));
		json_object_set_new(o, "run_name", json_string(c->name));
		json_object_set_new(o, "run_type", json_string("iteration"));
		json_object_set_new(o, "repetitions", json_integer(c->nrep));
		json_object_set_new(o, "repetition_index", json_integer(rep));
		json_object_set_new(o, "threads", json_integer(c->threads));
		json_object_set_new(o, "iterations",
				    json_count(c->iterations[rep]));
	} else {
		char name[300];
		snprintf(name, sizeof(name), "%s_%s", c->name,
			 gb_agg_name[agg]);
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "run_name", json_string(c->name));
		json_object_set_new(o, "run_type", json_string("aggregate"));
		json_object_set_new(o, "repetitions", json_integer(c->nrep));
		json_object_set_new(o, "threads", json_integer(c->threads));
		json_object_set_new(o, "aggregate_name",
				    json_string(gb_agg_name[agg]));
		json_object_set_new(
			o, "aggregate_unit",
			json_string(agg == GB_CV ? "percentage" : "time"));
		json_object_set_new(o, "iterations", json_integer(c->nrep));
	}
	for (int m = 0; m < r->nmetrics; m++) {
		const struct zc_metric *mt = &r->metrics[m];
		if (mt->gb == ZC_GB_REAL_TIME && !have_real)
			real = gb_value(r, c, m, agg, rep, 1), have_real = 1;
		if (mt->gb == ZC_GB_CPU_TIME && !have_cpu)
			cpu = gb_value(r, c, m, agg, rep, 1), have_cpu = 1;
	}
	json_object_set_new(o, "real_time", zc_json_real(real));
	json_object_set_new(o, "cpu_time", zc_json_real(have_cpu ? cpu : real));
	json_object_set_new(o, "time_unit", json_string("ns"));
	if (c->label[0])
		json_object_set_new(o, "label", json_string(c->label));
	for (int m = 0; m < r->nmetrics; m++) {
		const struct zc_metric *mt = &r->metrics[m];
		const char *gb =
			mt->gb == ZC_GB_ITEMS_PER_SECOND   ? "items_per_second"
			: mt->gb == ZC_GB_BYTES_PER_SECOND ? "bytes_per_second"
							   : NULL;
		json_object_set_new(
			o, mt->name,
			zc_json_real(gb_value(r, c, m, agg, rep, 0)));
		if (gb)
			json_object_set_new(
				o, gb,
				zc_json_real(gb_value(r, c, m, agg, rep, 1)));
	}
	return o;
}

static json_t *json_context(const struct zc_results *r)
{
	json_t *ctx = r->context && json_is_object(r->context)
			      ? json_copy(r->context)
			      : json_pack("{s:s, s:s}", "executable", "zcbench",
					  "library_version", ZC_VERSION);
	json_t *caches = json_object_get(ctx, "caches");

	/* Bencher rejects a context without a caches array. */
	if (!json_is_array(caches))
		json_object_set_new(ctx, "caches", json_array());
	return ctx;
}

static json_t *json_results(const struct zc_results *r)
{
	json_t *root = json_object(), *zc = json_object(),
	       *params = json_array();
	json_t *cases = json_array(), *bench = json_array();

	for (int k = 0; k < r->nkeys; k++)
		json_array_append_new(params, json_string(r->keys[k]));
	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		json_array_append_new(cases, json_case(r, c));
		if (c->status != ZC_CASE_OK || c->nrep == 0)
			continue;
		for (int rep = 0; rep < c->nrep; rep++)
			json_array_append_new(bench, gb_row(r, c, GB_REP, rep));
		for (int agg = GB_MEDIAN; agg <= GB_MAX; agg++)
			json_array_append_new(bench, gb_row(r, c, agg, 0));
	}
	json_object_set_new(zc, "schema_version", json_integer(ZC_OUT_SCHEMA));
	json_object_set_new(zc, "command", json_string(r->cmd));
	json_object_set_new(zc, "interrupted", json_boolean(r->interrupted));
	json_object_set_new(zc, "metrics", json_metrics(r));
	json_object_set_new(zc, "params", params);
	json_object_set_new(zc, "options",
			    r->options ? json_incref(r->options)
				       : json_object());
	json_object_set_new(zc, "cases", cases);
	json_object_set_new(root, "context", json_context(r));
	json_object_set_new(root, "zcbench", zc);
	json_object_set_new(root, "benchmarks", bench);
	return root;
}

#define ZC_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

static int dump_json(FILE *f, const json_t *v)
{
	if (json_dumpf(v, f, ZC_JSON_FLAGS) < 0 || fputc('\n', f) == EOF)
		return errno ? -errno : -EIO;
	return stream_status(f);
}

static int write_json(FILE *f, const struct zc_results *r)
{
	json_t *root;
	int err;

	/* jansson reports allocation failure only as a NULL somewhere in the
	 * tree, which set_new silently drops; a missing key is the result. */
	root = json_results(r);
	if (!root)
		return -ENOMEM;
	err = dump_json(f, root);
	json_decref(root);
	return err;
}

static const struct zc_out_backend backends[] = {
	{"text", ".txt", write_text},
	{"csv", ".csv", write_csv},
	{"samples", ".samples.csv", write_samples},
	{"json", ".json", write_json},
};

const struct zc_out_backend *zc_out_backend(const char *name)
{
	for (size_t i = 0; name && i < sizeof(backends) / sizeof(*backends);
	     i++)
		if (!strcmp(backends[i].name, name))
			return &backends[i];
	return NULL;
}

/* ---- atomic files ---------------------------------------------------------
 */

int zc_afile_open(struct zc_afile *a, const char *dir, const char *name)
{
	int fd, err;

	memset(a, 0, sizeof(*a));
	if (!name || !*name || strchr(name, '/'))
		return -EINVAL;
	if (!dir || !*dir)
		dir = ".";
	if ((size_t)snprintf(a->path, sizeof(a->path), "%s/%s", dir, name) >=
		    sizeof(a->path) ||
	    (size_t)snprintf(a->tmp, sizeof(a->tmp), "%s/.%s.tmp.%d", dir, name,
			     (int)getpid()) >= sizeof(a->tmp)) {
		a->tmp[0] = 0;
		return -ENAMETOOLONG;
	}
	fd = open(a->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		err = -errno;
		a->tmp[0] = 0;
		return err;
	}
	a->f = fdopen(fd, "w");
	if (!a->f) {
		err = -errno;
		close(fd);
		unlink(a->tmp);
		a->tmp[0] = 0;
		return err;
	}
	return 0;
}

/* Make the rename itself durable; a failure here loses nothing written. */
static void sync_parent(const char *path)
{
	char dir[4096];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return;
	*slash = 0;
	fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int zc_afile_commit(struct zc_afile *a)
{
	int err = 0;

	if (!a->f)
		return -EINVAL;
	/* Each step keeps the first error: a full disk shows up at fflush
	 * (or as the stream's error flag), a lost write-back at fsync or
	 * fclose. */
	errno = 0;
	if (fflush(a->f) != 0)
		err = errno ? -errno : -EIO;
	else if (ferror(a->f))
		err = -EIO;
	else if (fsync(fileno(a->f)) != 0)
		err = -errno;
	if (fclose(a->f) != 0 && !err)
		err = errno ? -errno : -EIO;
	a->f = NULL;
	if (!err && rename(a->tmp, a->path) != 0)
		err = -errno;
	if (err)
		unlink(a->tmp);
	else
		sync_parent(a->path);
	a->tmp[0] = 0;
	return err;
}

void zc_afile_abort(struct zc_afile *a)
{
	if (a->f)
		fclose(a->f);
	a->f = NULL;
	if (a->tmp[0])
		unlink(a->tmp);
	a->tmp[0] = 0;
}

int zc_out_write_file(const char *dir, const struct zc_out_backend *b,
		      const struct zc_results *r)
{
	struct zc_afile a;
	char name[64];
	int err;

	if (!b || !r)
		return -EINVAL;
	snprintf(name, sizeof(name), "%s%s", r->cmd, b->ext);
	err = zc_afile_open(&a, dir, name);
	if (err < 0)
		return err;
	errno = 0;
	err = b->write(a.f, r);
	if (err < 0) {
		zc_afile_abort(&a);
		return err;
	}
	return zc_afile_commit(&a);
}

int zc_out_write_all(const char *dir, const struct zc_results *r)
{
	static const char *const names[] = {"csv", "samples", "json"};
	int err;

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		err = zc_out_write_file(dir, zc_out_backend(names[i]), r);
		if (err < 0)
			return err;
	}
	return 0;
}

int zc_out_write_json(const char *dir, const char *name, const json_t *v)
{
	struct zc_afile a;
	int err;

	if (!v)
		return -EINVAL;
	err = zc_afile_open(&a, dir, name);
	if (err < 0)
		return err;
	errno = 0;
	err = dump_json(a.f, v);
	if (err < 0) {
		zc_afile_abort(&a);
		return err;
	}
	return zc_afile_commit(&a);
}

/* ---- results folders ------------------------------------------------------
 */

/* mkdir -p; an existing directory is fine, an existing file is not. */
static int mkdir_p(const char *path)
{
	char buf[4096];
	struct stat st;
	size_t len = strlen(path);

	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != 0)
			continue;
		char saved = *p;
		*p = 0;
		if (p[-1] != '/' && mkdir(buf, 0777) != 0) {
			int err = errno;
			if (err != EEXIST)
				return -err;
			if (stat(buf, &st) != 0)
				return -errno;
			if (!S_ISDIR(st.st_mode))
				return -ENOTDIR;
		}
		*p = saved;
		if (!saved)
			break;
	}
	return 0;
}

/* Host name safe for a path component: no dots (domain), no slashes. */
static void short_host(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0 || !buf[0])
		snprintf(buf, len, "host");
	buf[len - 1] = 0;
	buf[strcspn(buf, ".")] = 0;
	for (char *p = buf; *p; p++)
		if (!(*p == '-' || *p == '_' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			*p = '_';
}

#define ZC_RUNS_DIR "results/runs"

int zc_out_mkdir(const char *dir, char *out, size_t len)
{
	char base[4096], host[64], stamp[32], path[4096];
	struct tm tm;
	time_t now = time(NULL);
	int err;

	if (dir && *dir) {
		err = mkdir_p(dir);
		if (err < 0)
			return err;
		if (access(dir, W_OK | X_OK) != 0)
			return -errno;
		if ((size_t)snprintf(out, len, "%s", dir) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	err = mkdir_p(ZC_RUNS_DIR);
	if (err < 0)
		return err;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	short_host(host, sizeof(host));
	snprintf(base, sizeof(base), "%s/%s-%s", ZC_RUNS_DIR, stamp, host);
	/* mkdir, not mkdir -p: EEXIST is what tells two runs apart. */
	for (int i = 1; i < 10000; i++) {
		size_t n;
		if (i == 1)
			n = (size_t)snprintf(path, sizeof(path), "%s", base);
		else
			n = (size_t)snprintf(path, sizeof(path), "%s-%d", base,
					     i);
		if (n >= sizeof(path))
			return -ENAMETOOLONG;
		if (mkdir(path, 0777) == 0) {
			if ((size_t)snprintf(out, len, "%s", path) >= len) {
				rmdir(path);
				return -ENAMETOOLONG;
			}
			return 0;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Can a directory be made inside the existing directory `dir`? The probe
 * is removed again; it answers EROFS and ACLs, which access() may not. */
static int probe_dir(const char *dir)
{
	char tmp[4096];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.zc-check-XXXXXX", dir) >=
	    sizeof(tmp))
		return -ENAMETOOLONG;
	if (!mkdtemp(tmp))
		return -errno;
	rmdir(tmp);
	return 0;
}

int zc_out_check_dir(const char *dir)
{
	char buf[4096];
	struct stat st;
	size_t len;

	if (!dir || !*dir)
		dir = ZC_RUNS_DIR;
	len = strlen(dir);
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	/* Walk up to the nearest existing ancestor: that is where
	 * zc_out_mkdir will have to create something. */
	for (;;) {
		char *slash;

		while (len > 1 && buf[len - 1] == '/')
			buf[--len] = 0;
		if (stat(buf, &st) == 0) {
			if (!S_ISDIR(st.st_mode))
				return -ENOTDIR;
			return probe_dir(buf);
		}
		if (errno != ENOENT)
			return -errno;
		slash = strrchr(buf, '/');
		if (!slash) {
			strcpy(buf, ".");
		} else if (slash == buf) {
			buf[1] = 0;
		} else {
			*slash = 0;
		}
		len = strlen(buf);
	}
}
