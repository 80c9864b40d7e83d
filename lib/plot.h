/* SPDX-License-Identifier: MIT */
#ifndef ZC_PLOT_H
#define ZC_PLOT_H
/*
 * plot — gnuplot scripts written beside the data, rendered to PNG.
 *
 * A plot is described as data: the CSV to read, the x and y columns, and
 * the series (each a filter on parameter columns). zc_plot_write() writes a
 * self-contained "<name>.gp" that reads "<csv>" from its own folder, so a
 * user can run `gnuplot <name>.gp` inside the results folder to re-render
 * (or restyle) "<name>.png". zc_plot_render() runs gnuplot with execvp (no
 * shell) in that folder, writes to a temporary PNG and renames it only when
 * gnuplot succeeded and the image is non-empty.
 *
 * gnuplot runs as a supervised child (lib/proc.h): it dies with zcbench
 * and is killed after ZC_PLOT_TIMEOUT_S.
 *
 * Errors: -ENOENT when gnuplot is not installed (data are still there: the
 * caller warns and goes on), -EIO when gnuplot failed (its stderr is copied
 * into err), -EINVAL when <name>.gp is missing or the name is not a plain
 * file name (so that -ENOENT always means "no gnuplot"), -errno for other
 * file errors.
 */
#include <stddef.h>

#define ZC_PLOT_MAX_SERIES  64
#define ZC_PLOT_TIMEOUT_S   60 /* gnuplot is killed after this long */
#define ZC_PLOT_MAX_FILTER  4
#define ZC_PLOT_MAX_CATS    32
#define ZC_PLOT_MAX_REGIMES 5 /* lib/regime.h's four, and "moved" */

struct zc_plot_series {
	char title[96];
	int nfilter;
	struct {
		char col[32];
		char val[48];
	} filter[ZC_PLOT_MAX_FILTER]; /* rows where col == val */
};

struct zc_plot {
	char name[64]; /* output stem: <name>.gp, <name>.png */
	char csv[64];  /* data file in the same folder */
	char title[160];
	char subtitle[200]; /* second line, smaller: how to read it */
	char xlabel[96], ylabel[96];
	char xcol[48]; /* x column (numeric, or categorical with cats) */
	char ycol[48]; /* y column, e.g. "ns_per_op_median" */
	char ylo[48], yhi[48]; /* optional error bar columns ("_min","_max") */
	int logx, logy;
	int ncats; /* categorical x: values in axis order */
	char cats[ZC_PLOT_MAX_CATS][24];
	int nseries;
	struct zc_plot_series series[ZC_PLOT_MAX_SERIES];
	char extra[1024]; /* extra gnuplot commands (labels, arrows) */
	int points_only;  /* scatter plot: no lines */
	/* A zcbench results plot (zc_plot_init sets it): lines from the
	 * overall rows only (regime "all"), and every sample drawn as a point
	 * from <csv stem>.samples.csv, coloured by its host regime. */
	int results;
	int nregimes; /* regime colours in the key (0: one, unnamed) */
	char regime_title[ZC_PLOT_MAX_REGIMES][64];
};

/*
 * Start p (zeroed first): metric `metric` of <name>.csv against column xcol,
 * the median with bars from the minimum to the maximum
 * ("<metric>_median", "_min", "_max"). Titles and series are the caller's.
 */
void zc_plot_init(struct zc_plot *p, const char *name, const char *xcol,
		  const char *metric, int logx, int logy);

/* Name the regime colours of a results plot from the run's CPU pairs (the
 * first pair with more than one regime). */
struct zc_results;
void zc_plot_regimes(struct zc_plot *p, const struct zc_results *r);

/* Add a series with up to ZC_PLOT_MAX_FILTER (col, val) pairs, NULL-ended.
 * Returns the series or NULL when full. */
struct zc_plot_series *zc_plot_add_series(struct zc_plot *p, const char *title,
					  ...);

/* Write <dir>/<p->name>.gp atomically. */
int zc_plot_write(const char *dir, const struct zc_plot *p);

/* Render <dir>/<name>.gp to <dir>/<name>.png. err gets gnuplot's message. */
int zc_plot_render(const char *dir, const char *name, char *err, size_t len);

/* Is gnuplot installed (on PATH)? */
int zc_plot_available(void);

/*
 * Heatmaps: a separate entry point (the line plots above are unchanged). A
 * square matrix read from <csv> in the same folder, drawn as an image
 * (`set view map`, `with image`), row 0 at the top, one cell per row and
 * column position. The CSV: a header row "<corner>,<label 0>,...", then n
 * rows "<label i>,<value i,0>,...,<value i,n-1>"; an empty or NaN cell has
 * no value and stays blank. `tics` label positions on both axes (the
 * caller keeps them few enough to read); `lines` mark group boundaries,
 * drawn before position pos on both axes, thickest for level 0.
 * zc_plot_heatmap_write() writes a self-contained <name>.gp (re-render
 * with `gnuplot <name>.gp` in the folder); zc_plot_render() renders it.
 *
 * Errors: -EINVAL (a bad name, n < 1, a tic or line out of range, more
 * than ZC_HEATMAP_MAX_MARKS tics or lines), or zc_afile's -errno.
 */
#define ZC_HEATMAP_LEVELS    3
#define ZC_HEATMAP_MAX_MARKS 4096

struct zc_heatmap_tic {
	int pos;
	char label[16];
};

struct zc_heatmap_line {
	int pos;   /* between positions pos-1 and pos */
	int level; /* 0 .. ZC_HEATMAP_LEVELS-1: 0 thickest */
};

struct zc_heatmap {
	char name[64]; /* <name>.gp, <name>.png */
	char csv[64];  /* the matrix, in the same folder */
	char title[160];
	char subtitle[200];
	char xlabel[96], ylabel[96], cblabel[96];
	int n; /* rows = columns */
	const struct zc_heatmap_tic *tics;
	int ntics;
	const struct zc_heatmap_line *lines;
	int nlines;
	int logcb; /* logarithmic colour scale */
};

int zc_plot_heatmap_write(const char *dir, const struct zc_heatmap *h);

#endif
