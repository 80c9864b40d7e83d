/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "out.h"
#include "plot.h"
#include "seal.h"
#include "locate.h"
#include "proc.h"

void zc_plot_init(struct zc_plot *p, const char *name, const char *xcol,
		  const char *metric, int logx, int logy)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->csv, sizeof(p->csv), "%s.csv", name);
	snprintf(p->xcol, sizeof(p->xcol), "%s", xcol);
	snprintf(p->ycol, sizeof(p->ycol), "%s_median", metric);
	snprintf(p->ylo, sizeof(p->ylo), "%s_min", metric);
	snprintf(p->yhi, sizeof(p->yhi), "%s_max", metric);
	p->logx = logx;
	p->logy = logy;
	p->results = 1;
}

void zc_plot_regimes(struct zc_plot *p, const struct zc_results *r)
{
	p->nregimes = 0;
	for (int i = 0; i < r->npairs && !p->nregimes; i++) {
		const struct zc_pair *pr = &r->pairs[i];
		if (pr->reg.n < 2)
			continue;
		for (int k = 0; k < pr->reg.n; k++)
			snprintf(p->regime_title[p->nregimes++],
				 sizeof(p->regime_title[0]),
				 "samples, hand-off %.0f ns (CPUs %d-%d)",
				 pr->reg.median[k], pr->a, pr->b);
		snprintf(p->regime_title[p->nregimes++],
			 sizeof(p->regime_title[0]),
			 "samples that moved between regimes or were slowed");
	}
}

struct zc_plot_series *zc_plot_add_series(struct zc_plot *p, const char *title,
					  ...)
{
	struct zc_plot_series s = {0};
	const char *col;
	va_list ap;

	if (p->nseries >= ZC_PLOT_MAX_SERIES)
		return NULL;
	snprintf(s.title, sizeof(s.title), "%s", title ? title : "");
	va_start(ap, title);
	while ((col = va_arg(ap, const char *)) != NULL) {
		const char *val = va_arg(ap, const char *);
		if (s.nfilter == ZC_PLOT_MAX_FILTER || !val) {
			va_end(ap);
			return NULL;
		}
		snprintf(s.filter[s.nfilter].col, sizeof(s.filter[0].col), "%s",
			 col);
		snprintf(s.filter[s.nfilter].val, sizeof(s.filter[0].val), "%s",
			 val);
		s.nfilter++;
	}
	va_end(ap);
	p->series[p->nseries] = s;
	return &p->series[p->nseries++];
}

/*
 * The inside of a gnuplot single-quoted string: no escapes are interpreted
 * there, a quote is doubled. Control characters would end the command line,
 * so they become spaces.
 */
static void gp_body(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", f);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	gp_body(f, s);
	fputc('\'', f);
}

/* One gnuplot statement "<cmd> '<text>'\n". */
static void gp_set(FILE *f, const char *cmd, const char *text)
{
	fprintf(f, "%s ", cmd);
	gp_str(f, text);
	fputc('\n', f);
}

static void gp_col(FILE *f, const char *fn, const char *col)
{
	fprintf(f, "%s(", fn);
	gp_str(f, col);
	fputc(')', f);
}

static int bad_name(const char *s)
{
	return !s[0] || s[0] == '.' || strchr(s, '/');
}

static void write_header(FILE *f, const struct zc_plot *p)
{
	fprintf(f, "# zcbench plot: %s\n", p->name);
	fprintf(f,
		"# Re-render (or restyle, then re-render) inside this "
		"folder:\n#\tgnuplot %s.gp\n",
		p->name);
	fprintf(f,
		"# Data: %s (comma-separated, one header row). A series is "
		"the rows whose\n# parameter columns hold the values in its "
		"\"if\" clause.\n",
		p->csv);
	fprintf(f, "# zcbench passes a temporary output name as ARG1 "
		   "(gnuplot -c).\n");
	fprintf(f, "out = (ARGC >= 1 && ARG1 ne \"\") ? ARG1 : ");
	fputc('\'', f);
	gp_body(f, p->name);
	fputs(".png'\n\nset encoding utf8\n"
	      "set datafile separator \",\"\n"
	      "set datafile columnheaders\n",
	      f);
}

/* Categorical x: position of each category, -1 for any other value. */
static void write_categories(FILE *f, const struct zc_plot *p)
{
	fputs("\n# Categories in axis order.\nxpos(s) = ", f);
	for (int i = 0; i < p->ncats; i++) {
		fputs("s eq ", f);
		gp_str(f, p->cats[i]);
		fprintf(f, " ? %d : ", i);
	}
	fputs("-1\n", f);
}

static void write_x(FILE *f, const struct zc_plot *p)
{
	fputc('(', f);
	if (p->ncats > 0) {
		fputs("xpos(", f);
		gp_col(f, "strcol", p->xcol);
		fputc(')', f);
	} else {
		gp_col(f, "column", p->xcol);
	}
	fputc(')', f);
}

/*
 * Each series' rows are copied into a datablock first: selecting inside the
 * plot command with "? value : NaN" would also work, but a NaN point breaks
 * a line, and rows of different series are interleaved in the CSV, so the
 * lines would never be drawn.
 */
static void write_selection(FILE *f, const struct zc_plot *p, int i)
{
	const struct zc_plot_series *s = &p->series[i];
	int err = p->ylo[0] && p->yhi[0];

	fprintf(f, "set table $s%d separator comma\nplot ", i);
	gp_str(f, p->csv);
	fputs(" using ", f);
	write_x(f, p);
	fputs(":(", f);
	gp_col(f, "column", p->ycol);
	fputc(')', f);
	if (err) {
		fputs(":(", f);
		gp_col(f, "column", p->ylo);
		fputs("):(", f);
		gp_col(f, "column", p->yhi);
		fputc(')', f);
	}
	/* A NaN y (an empty field: the metric is absent, or no such column)
	 * is left out like a row of another series. */
	fputs(" with table if (", f);
	if (p->results)
		fputs("strcol('regime') eq 'all' && ", f);
	for (int k = 0; k < s->nfilter; k++) {
		gp_col(f, "strcol", s->filter[k].col);
		fputs(" eq ", f);
		gp_str(f, s->filter[k].val);
		fputs(" && ", f);
	}
	if (p->ncats > 0) {
		write_x(f, p);
		fputs(" >= 0 && ", f);
	} else {
		write_x(f, p);
		fputs(" == ", f);
		write_x(f, p);
		fputs(" && ", f);
	}
	gp_col(f, "column", p->ycol);
	fputs(" == ", f);
	gp_col(f, "column", p->ycol);
	/* A series without rows keeps an empty datablock and no key entry:
	 * gnuplot drops a datablock that a table plot left empty. */
	fprintf(f, ")\nunset table\nn%d = |$s%d|\nrows = rows + n%d\n", i, i,
		i);
	fprintf(f,
		"if (n%d == 0) { set print $s%d; print 'NaN,NaN'; "
		"unset print }\n",
		i, i);
}

/* A column of the samples file: the metric itself, not its median. */
static void sample_col(char *out, size_t len, const char *col)
{
	size_t n = strlen(col);
	if (n > 7 && !strcmp(col + n - 7, "_median"))
		n -= 7;
	snprintf(out, len, "%.*s", (int)n, col);
}

static void samples_file(const struct zc_plot *p, char *out, size_t len)
{
	size_t n = strlen(p->csv);
	if (n > 4 && !strcmp(p->csv + n - 4, ".csv"))
		n -= 4;
	snprintf(out, len, "%.*s.samples.csv", (int)n, p->csv);
}

/* Every sample of the plotted series as a point, one datablock per
 * regime ($r0.., the last for samples that moved; all in $r0 when the run
 * had one regime). */
static void write_samples(FILE *f, const struct zc_plot *p)
{
	char file[96], xs[48], ys[48];
	int nr = p->nregimes ? p->nregimes : 1;

	samples_file(p, file, sizeof(file));
	sample_col(xs, sizeof(xs), p->xcol);
	sample_col(ys, sizeof(ys), p->ycol);
	fputs("\n# Every sample (", f);
	gp_body(f, file);
	fputs("), by host regime.\n", f);
	for (int k = 0; k < nr; k++) {
		fprintf(f, "set table $r%d separator comma\nplot ", k);
		gp_str(f, file);
		fputs(" using (", f);
		if (p->ncats > 0) {
			fputs("xpos(", f);
			gp_col(f, "strcol", xs);
			fputs(") + 0.3 * (rand(0) - 0.5)", f);
		} else {
			gp_col(f, "column", xs);
		}
		fputs("):(", f);
		gp_col(f, "column", ys);
		fputs(") with table if ((", f);
		for (int i = 0; i < p->nseries; i++) {
			const struct zc_plot_series *s = &p->series[i];
			fputs(i ? ") || (" : "", f);
			for (int j = 0; j < s->nfilter; j++) {
				gp_col(f, "strcol", s->filter[j].col);
				fputs(" eq ", f);
				gp_str(f, s->filter[j].val);
				fputs(" && ", f);
			}
			fputs("1", f);
		}
		fputs(")", f);
		if (p->nregimes) {
			if (k == nr - 1) {
				fputs(" && (strcol('regime') eq ", f);
				gp_str(f, "moved");
				fputs(" || strcol('regime') eq ", f);
				gp_str(f, "slowed");
				fputs(")", f);
			} else {
				fprintf(f, " && strcol('regime') eq '%d'", k);
			}
		}
		fputs(" && ", f);
		gp_col(f, "column", ys);
		fputs(" == ", f);
		gp_col(f, "column", ys);
		fprintf(f, ")\nunset table\nm%d = |$r%d|\n", k, k);
		fprintf(f,
			"if (m%d == 0) { set print $r%d; print 'NaN,NaN'; "
			"unset print }\n",
			k, k);
	}
}

static void write_axes(FILE *f, const struct zc_plot *p)
{
	/* 16 distinguishable line types: gnuplot's default palette repeats
	 * after 8, and commands plot up to a dozen series. The second eight
	 * reuse the colours dashed. */
	static const char *const colours[8] = {"#1f77b4", "#d62728", "#2ca02c",
					       "#9467bd", "#ff7f0e", "#17becf",
					       "#8c564b", "#e377c2"};
	fputs("\nset terminal pngcairo size 900,560 noenhanced "
	      "font \"DejaVu Sans,10\"\nset output out\n",
	      f);
	for (int i = 0; i < 16; i++)
		fprintf(f, "set linetype %d lc rgb \"%s\" lw 1.5 pt %d dt %d\n",
			i + 1, colours[i % 8], 5 + i % 8, i < 8 ? 1 : 2);
	/* Titles centred on the image, not over the plot area (which the key
	 * narrows): a long subtitle would be cut at the left edge. */
	fprintf(f, "set tmargin %s\nset label 901 ",
		p->subtitle[0] ? "4.5" : "3");
	gp_str(f, p->title);
	fputs(" at screen 0.5, screen 0.965 center font \",12\"\n", f);
	if (p->subtitle[0]) {
		fputs("set label 902 ", f);
		gp_str(f, p->subtitle);
		fputs(" at screen 0.5, screen 0.925 center font \",9\"\n", f);
	}
	gp_set(f, "set xlabel", p->xlabel);
	gp_set(f, "set ylabel", p->ylabel);
	if (p->ncats > 0) {
		fputs("set xtics (", f);
		for (int i = 0; i < p->ncats; i++) {
			fputs(i ? ", " : "", f);
			gp_str(f, p->cats[i]);
			fprintf(f, " %d", i);
		}
		fprintf(f, ")\nset xrange [-0.5:%g]\n", p->ncats - 0.5);
	} else if (p->logx) {
		fputs("set logscale x\n", f);
	}
	if (p->logy)
		fputs("set logscale y\n", f);
	fputs("set grid\nset key outside right top\nset border 3\n"
	      "set tics nomirror\n",
	      f);
}

static void write_plot(FILE *f, const struct zc_plot *p)
{
	int err = p->ylo[0] && p->yhi[0];
	const char *style =
		err ? (p->points_only ? "yerrorbars" : "yerrorlines")
		    : (p->points_only ? "points" : "linespoints");

	/* Regime colours: translucent, so that the median lines show. */
	static const char *const rc[ZC_PLOT_MAX_REGIMES] = {
		"#a0377eb8", "#a0e41a1c", "#a04daf4a", "#a0984ea3",
		"#a0000000"};
	int nr = p->results ? (p->nregimes ? p->nregimes : 1) : 0;

	if (p->extra[0])
		fprintf(f, "\n# Extra commands.\n%s\n", p->extra);
	fputs("\nplot ", f);
	for (int k = 0; k < nr; k++) {
		/* the moved samples take the last colour */
		const char *col = p->nregimes && k == nr - 1
					  ? rc[ZC_PLOT_MAX_REGIMES - 1]
					  : rc[k];
		fprintf(f,
			"%s$r%d using 1:2 with points pt 7 ps 0.5 lc rgb "
			"\"%s\" title (m%d ? ",
			k ? ", \\\n     " : "", k, col, k);
		gp_str(f, p->nregimes ? p->regime_title[k] : "samples");
		fputs(" : '')", f);
	}
	for (int i = 0; i < p->nseries; i++) {
		fprintf(f,
			"%s$s%d using 1:2%s with %s lw 1.5 pt 7 ps 0.8 "
			"title (n%d ? ",
			i || nr ? ", \\\n     " : "", i, err ? ":3:4" : "",
			style, i);
		gp_str(f, p->series[i].title);
		fputs(" : '')", f);
	}
	fputs("\nset output\n", f);
}

int zc_plot_write(const char *dir, const struct zc_plot *p)
{
	struct zc_afile a;
	char file[sizeof(p->name) + 4];
	int err;

	if (bad_name(p->name) || !p->csv[0] || !p->xcol[0] || !p->ycol[0] ||
	    p->nseries < 1 || p->nseries > ZC_PLOT_MAX_SERIES || p->ncats < 0 ||
	    p->ncats > ZC_PLOT_MAX_CATS)
		return -EINVAL;
	for (int i = 0; i < p->nseries; i++)
		if (p->series[i].nfilter < 0 ||
		    p->series[i].nfilter > ZC_PLOT_MAX_FILTER)
			return -EINVAL;
	snprintf(file, sizeof(file), "%s.gp", p->name);
	err = zc_afile_open(&a, dir, file);
	if (err < 0)
		return err;
	write_header(a.f, p);
	if (p->ncats > 0)
		write_categories(a.f, p);
	fputs("\n# Select each series' rows (a NaN inside a line would break "
	      "it).\n",
	      a.f);
	fputs("rows = 0\n", a.f);
	for (int i = 0; i < p->nseries; i++)
		write_selection(a.f, p, i);
	if (p->results)
		write_samples(a.f, p);
	/* gnuplot only warns about a column that does not exist; an empty
	 * plot must not pass for a picture of the data. */
	fputs("if (rows == 0) {\n\texit error ", a.f);
	gp_str(a.f, "no rows to plot: check the column names and the series "
		    "filters against the CSV header");
	fputs("\n}\n", a.f);
	fputs("set datafile nocolumnheaders\n", a.f);
	write_axes(a.f, p);
	write_plot(a.f, p);
	return zc_seal_commit(&a);
}

/* ---- heatmaps ------------------------------------------------------------ */

static void heatmap_tics(FILE *f, const struct zc_heatmap *h, const char *axis)
{
	fprintf(f, "set %s (", axis);
	for (int i = 0; i < h->ntics; i++) {
		fputs(i ? ", " : "", f);
		gp_str(f, h->tics[i].label);
		fprintf(f, " %d", h->tics[i].pos);
	}
	fputs(")\n", f);
}

int zc_plot_heatmap_write(const char *dir, const struct zc_heatmap *h)
{
	static const double width[ZC_HEATMAP_LEVELS] = {2.5, 1.5, 0.6};
	struct zc_afile a;
	char file[sizeof(h->name) + 4];
	double hi;
	int err;

	if (bad_name(h->name) || bad_name(h->csv) || h->n < 1 || h->ntics < 0 ||
	    h->ntics > ZC_HEATMAP_MAX_MARKS || h->nlines < 0 ||
	    h->nlines > ZC_HEATMAP_MAX_MARKS || (h->ntics && !h->tics) ||
	    (h->nlines && !h->lines))
		return -EINVAL;
	for (int i = 0; i < h->ntics; i++)
		if (h->tics[i].pos < 0 || h->tics[i].pos >= h->n)
			return -EINVAL;
	for (int i = 0; i < h->nlines; i++)
		if (h->lines[i].pos < 1 || h->lines[i].pos >= h->n ||
		    h->lines[i].level < 0 ||
		    h->lines[i].level >= ZC_HEATMAP_LEVELS)
			return -EINVAL;
	snprintf(file, sizeof(file), "%s.gp", h->name);
	err = zc_afile_open(&a, dir, file);
	if (err < 0)
		return err;
	fprintf(a.f,
		"# zcbench heatmap: %s\n# Re-render (or restyle, then "
		"re-render) inside this folder:\n#\tgnuplot %s.gp\n# Data: "
		"%s, a matrix with a header row and a label column; an "
		"empty cell has no value.\n# zcbench passes a temporary output "
		"name as ARG1 (gnuplot -c).\n",
		h->name, h->name, h->csv);
	fputs("out = (ARGC >= 1 && ARG1 ne \"\") ? ARG1 : '", a.f);
	gp_body(a.f, h->name);
	fputs(".png'\n\nset encoding utf8\nset datafile separator \",\"\n"
	      "set terminal pngcairo size 900,820 noenhanced "
	      "font \"DejaVu Sans,10\"\nset output out\n",
	      a.f);
	fprintf(a.f, "set tmargin %s\nset label 901 ",
		h->subtitle[0] ? "4.5" : "3");
	gp_str(a.f, h->title);
	fputs(" at screen 0.5, screen 0.965 center font \",12\"\n", a.f);
	if (h->subtitle[0]) {
		fputs("set label 902 ", a.f);
		gp_str(a.f, h->subtitle);
		fputs(" at screen 0.5, screen 0.93 center font \",9\"\n", a.f);
	}
	gp_set(a.f, "set xlabel", h->xlabel);
	gp_set(a.f, "set ylabel", h->ylabel);
	gp_set(a.f, "set cblabel", h->cblabel);
	hi = h->n - 0.5;
	/* Row 0 at the top, square cells; a light-to-dark scale (blank
	 * cells stay white). */
	fprintf(a.f,
		"set view map\nset size ratio -1\nset xrange [-0.5:%g]\n"
		"set yrange [%g:-0.5]\nset tics nomirror out scale 0.5\n"
		"set palette defined (0 '#ffffcc', 1 '#fed976', 2 '#fd8d3c', "
		"3 '#e31a1c', 4 '#800026')\n%s",
		hi, hi, h->logcb ? "set logscale cb\n" : "");
	fprintf(a.f, "set xtics rotate by 90 right font \",%d\"\n",
		h->ntics > 32 ? 7 : 9);
	fprintf(a.f, "set ytics font \",%d\"\n", h->ntics > 32 ? 7 : 9);
	if (h->ntics) {
		heatmap_tics(a.f, h, "xtics");
		heatmap_tics(a.f, h, "ytics");
	}
	fputs("\n# Group boundaries.\n", a.f);
	for (int i = 0; i < h->nlines; i++) {
		double x = h->lines[i].pos - 0.5;
		double w = width[h->lines[i].level];
		fprintf(a.f,
			"set arrow from %g,-0.5 to %g,%g nohead front lw %g "
			"lc rgb '#303030'\n"
			"set arrow from -0.5,%g to %g,%g nohead front lw %g "
			"lc rgb '#303030'\n",
			x, x, hi, w, x, hi, x, w);
	}
	fputs("\nplot ", a.f);
	gp_str(a.f, h->csv);
	fputs(" matrix rowheaders columnheaders using 1:2:3 with image "
	      "notitle\nset output\n",
	      a.f);
	return zc_seal_commit(&a);
}

/* gnuplot in the folder, through lib/proc: it dies with zcbench, gets
 * ZC_PLOT_TIMEOUT_S, and its last stderr line explains a failure. */
static int render(const char *dir, const char *gp, const char *tmp, char *err,
		  size_t len)
{
	char exe[4096], why[512];
	char *argv[] = {"gnuplot", "-c", (char *)gp, (char *)tmp, NULL};
	struct zc_spawn sp = {.what = "gnuplot",
			      .path = exe,
			      .argv = argv,
			      .dir = dir,
			      .cpu = -1,
			      .keep_fd = -1,
			      .capture = ZC_CHILD_ERR};
	struct zc_child ch;
	int r;

	if (zc_which("gnuplot", exe, sizeof(exe), why, sizeof(why)) < 0)
		return -ENOENT;
	r = zc_child_spawn(&ch, &sp);
	if (r < 0)
		return r;
	r = zc_child_supervise(&ch, 1, ZC_PLOT_TIMEOUT_S, why, sizeof(why));
	if (r < 0 && err && len)
		snprintf(err, len, "%s",
			 r == -EPIPE ? zc_child_last_line(&ch, 1)[0]
					       ? zc_child_last_line(&ch, 1)
					       : why
				     : why);
	zc_child_kill(&ch);
	return r < 0 ? -EIO : 0;
}

int zc_plot_render(const char *dir, const char *name, char *err, size_t len)
{
	char gp[128], tmp[160], gppath[4096], tmppath[4096], png[4096];
	struct stat st;
	int r;

	if (err && len)
		err[0] = 0;
	if (bad_name(name) || strlen(name) >= sizeof(gp) - 8)
		return -EINVAL;
	if (!dir || !dir[0])
		dir = ".";
	snprintf(gp, sizeof(gp), "%s.gp", name);
	snprintf(tmp, sizeof(tmp), ".%s.png.tmp.%ld", name, (long)getpid());
	if (snprintf(gppath, sizeof(gppath), "%s/%s", dir, gp) >=
		    (int)sizeof(gppath) ||
	    snprintf(tmppath, sizeof(tmppath), "%s/%s", dir, tmp) >=
		    (int)sizeof(tmppath) ||
	    snprintf(png, sizeof(png), "%s/%s.png", dir, name) >=
		    (int)sizeof(png))
		return -ENAMETOOLONG;
	/* A missing script is the caller's mistake, not a missing gnuplot. */
	if (access(gppath, R_OK) < 0)
		return errno == ENOENT ? -EINVAL : -errno;

	r = render(dir, gp, tmp, err, len);
	/* A failed gnuplot still leaves a 0-byte image behind. */
	if (r == 0 && (stat(tmppath, &st) < 0 || st.st_size == 0)) {
		r = -EIO;
		if (err && len && !err[0])
			snprintf(err, len, "gnuplot wrote no image");
	}
	if (r == 0 && rename(tmppath, png) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmppath);
	return r;
}

int zc_plot_available(void)
{
	const char *path = getenv("PATH");
	char file[4096];

	if (!path || !path[0])
		path = "/bin:/usr/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		/* An empty PATH element means the current directory. */
		if (snprintf(file, sizeof(file), "%.*s%sgnuplot", (int)n, path,
			     n ? "/" : "") < (int)sizeof(file) &&
		    access(file, X_OK) == 0)
			return 1;
		path += n;
		if (*path == ':')
			path++;
	}
	return 0;
}
