/* SPDX-License-Identifier: MIT */
#ifndef ZC_C2C_H
#define ZC_C2C_H
/*
 * c2c — core-to-core latency: which pairs of CPUs to measure and in what
 * order (c2c.c), and the measurement of one pair (c2c_pair.c).
 *
 * The map: the CPUs to measure (the allowed set, or a --cpus subset) in
 * topology order, package > NUMA node > L3 > core > PU (hwloc logical
 * indexes at each level, so Linux-x86 numbering, where the sibling of CPU
 * n is n + ncores, still puts siblings side by side), with each CPU's
 * place in the hierarchy. A pair's placement class is zc_topo_classify's
 * (a few compares once the topology is loaded). Pairs and boundaries are
 * given as positions in this order; m->c[i].cpu is the OS index.
 *
 * Pair sets (enum zc_c2c_mode):
 *	ZC_C2C_ALL	every ordered pair (i, j), i != j: n(n-1)
 *	ZC_C2C_LOWER	every unordered pair once, as ping i, pong j < i (the
 *			lower triangle of the matrix): n(n-1)/2
 *	ZC_C2C_CLASS	up to per_class pairs of each class, spread over the
 *			machine: the k-th candidate ping is position
 *			k * n / per_class (then every other position, for a
 *			class those miss), its pong the first CPU after it
 *			(cyclically, in topology order) in that class; a CPU
 *			pings once per class, no pair twice
 * zc_c2c_plan counts a set without materialising it: 1,024 CPUs count
 * their 523,776 unordered pairs, class by class, in milliseconds.
 *
 * Measuring a pair (zc_c2c_measure): two threads pinned on ping and pong
 * (lib/bench.h's team: pinned before they start, placement verified). The
 * pinging thread allocates a fresh line on the home node (lib/shm.h: the
 * binding verified, or recorded unbound with the reason) and is the first
 * to touch it, so no other core holds a copy; the pair calibrates
 * (ZC_C2C_CAL_ROUNDS round trips), a sample is sized to last at least
 * q->sample_ns (at most q->max_sample_ns), and q->samples samples of
 * `batch` round trips each are timed with lib/sentinel.h's
 * zc_handoff_ping/pong, the loops the sentinel uses. A sample's one-way
 * time is its duration over 2 * batch. The line must end at 2 * rounds
 * (checked): a lost or doubled hand-off fails the measurement. A method
 * other than store is bracketed by store hand-offs on the same line (the
 * sentinel's measurement): a CPU pair's regimes then come from one kind
 * of figure, whatever the methods of its cases.
 *
 * Files (c2c_out.c): the matrix as CSV (a header row of the columns' CPUs,
 * then a row per CPU: its number and one cell per column, empty where no
 * pair was measured), the time series of a run's repetitions, and the
 * heatmap's tics and boundary lines.
 *
 * Errors: 0 or -errno. zc_c2c_map_build: -EINVAL (a CPU the topology does
 * not have or does not allow), -ENOMEM. zc_c2c_class: -EINVAL (i == j).
 * zc_c2c_measure: -EINVAL (bad request), -ENOMEM, zc_mem_alloc's -errno,
 * -EXDEV (a thread ran elsewhere), -EIO (the self-check failed),
 * -ETIMEDOUT (the loops' deadline, or the team was abandoned: r->abandoned
 * says the threads still run and the process must exit), -EINTR (a
 * signal). r->why says which.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "counters.h"
#include "out.h"
#include "plot.h"
#include "sentinel.h"
#include "topo.h"

#define ZC_C2C_NCLASS	  (ZC_PLACE_CROSS_PACKAGE + 1) /* pair classes */
#define ZC_C2C_CAL_ROUNDS 256

enum zc_c2c_mode {
	ZC_C2C_ALL,
	ZC_C2C_LOWER,
	ZC_C2C_CLASS,
};

/* One CPU and its place: logical indexes of its package, L3 and core
 * (-1: none above it), NUMA node (OS index, node_l its logical index). */
struct zc_c2c_cpu {
	int cpu;
	int pkg, node, node_l, l3, core, pu;
};

struct zc_c2c_map {
	const struct zc_topo *t; /* the topology it was built from */
	int n;
	struct zc_c2c_cpu *c; /* topology order */
};

/* A pair as positions in the map, and its class. */
struct zc_c2c_pair {
	int ping, pong;
	int cls;
};

/* The CPUs cpus[0..ncpus) (ncpus 0: every allowed CPU) in topology
 * order. */
int zc_c2c_map_build(struct zc_c2c_map *m, const struct zc_topo *t,
		     const int *cpus, int ncpus);
void zc_c2c_map_release(struct zc_c2c_map *m);
/* Position of OS CPU cpu in the map, -1 if absent. */
int zc_c2c_pos(const struct zc_c2c_map *m, int cpu);

/* Placement class (enum zc_place) of the CPUs at positions i and j. */
int zc_c2c_class(const struct zc_c2c_map *m, int i, int j);

/*
 * The pair set of `mode`: returns how many pairs it holds (all of them),
 * writes the first min(that, max) to out (NULL: none), and, when per_cls
 * is not NULL, the set's pairs per class into per_cls[ZC_C2C_NCLASS].
 * Returns -EINVAL for a bad mode or per_class < 1 with ZC_C2C_CLASS,
 * -ENOMEM.
 */
long long zc_c2c_plan(const struct zc_c2c_map *m, enum zc_c2c_mode mode,
		      int per_class, struct zc_c2c_pair *out, long long max,
		      long long *per_cls);

/* The outermost group boundary between positions i < j: 0 they are in
 * different packages, 1 NUMA nodes, 2 L3 caches; -1 none. */
int zc_c2c_boundary(const struct zc_c2c_map *m, int i, int j);

/* The topology's NUMA nodes (OS indexes, ascending) into nodes[0..max);
 * returns how many there are. */
int zc_c2c_nodes(const struct zc_topo *t, int *nodes, int max);

/* Hybrid machines (P and E cores): hwloc's CPU kinds as text, "0-15
 * IntelCore (efficiency 1); 16-23 IntelAtom (efficiency 0)", most
 * efficient last, or "" when the machine has one kind. Returns how many
 * kinds there are (0: hwloc does not say). */
int zc_c2c_kinds(const struct zc_topo *t, char *buf, size_t len);

/* Where the line lives: "ping" (the pinging CPU's node), "pong", or
 * "node:N" for a node of t (*node = N). Returns ZC_C2C_HOME_*, or -EINVAL
 * with a message naming the valid values and t's nodes in msg. */
enum {
	ZC_C2C_HOME_PING,
	ZC_C2C_HOME_PONG,
	ZC_C2C_HOME_NODE
};
int zc_c2c_home(const struct zc_topo *t, const char *text, int *node, char *msg,
		size_t len);

/* Per class: the pairs' figures summarised (NaN figures left out). */
struct zc_c2c_class_sum {
	int pairs;	       /* pairs with a figure */
	double median, lo, hi; /* of the pairs' figures */
	int nearest;	       /* the innermost class with pairs; -1 none */
	double ratio;	       /* median over the nearest class's median */
};
void zc_c2c_summarise(const double *v, const int *cls, int n,
		      struct zc_c2c_class_sum out[ZC_C2C_NCLASS]);

/* ---- files ------------------------------------------------------------- */

/* <dir>/<name>: the n x n matrix v (row-major, NaN: no value) of the CPUs
 * cpu[0..n), rows pinging, columns answering. 0 or zc_afile's -errno. */
int zc_c2c_matrix_write(const char *dir, const char *name, const int *cpu,
			int n, const double *v);

/* <dir>/<name>: one row per repetition of each OK case: the case's
 * parameters, repetition, t_s (since the run's first repetition), regime
 * ("moved", or empty when none), then every metric. *rows gets the count.
 * 0 or zc_afile's -errno. */
int zc_c2c_time_write(const char *dir, const char *name,
		      const struct zc_results *r, int *rows);

/* Heatmap marks for n CPUs with boundaries bound[i] (zc_c2c_boundary): a
 * line at every boundary; a tic at every CPU when n <= max_tics, else at
 * the first and at the starts of the finest level that keeps max_tics or
 * fewer. tics and lines hold n entries each. */
void zc_c2c_marks(const int *cpu, const signed char *bound, int n, int max_tics,
		  struct zc_heatmap_tic *tics, int *ntics,
		  struct zc_heatmap_line *lines, int *nlines);

/* Method `method`'s matrix v (n x n, as zc_c2c_matrix_write) as
 * <dir>/<csv>, and its heatmap <dir>/<name>.gp (zc_plot_heatmap_write:
 * zc_c2c_marks with 64 tics at most, a log colour scale when the values
 * span more than 4x). *drawn is 0 when v holds no value (no script then).
 * 0 or -errno. */
int zc_c2c_heatmap_write(const char *dir, const char *name, const char *csv,
			 const char *method, const int *cpu,
			 const signed char *bound, int n, const double *v,
			 int *drawn);

/* A plan's classes, one line each: the set's pairs (of the machine's,
 * when `of`), or "none: <why[c]>" where the machine has none. */
void zc_c2c_plan_print(FILE *f, const long long *set, const long long *machine,
		       int of, const char (*why)[160]);

/* The class table (pairs, median, range, ratio to the nearest class) as
 * text, and as JSON objects appended to arr (with "method": method). */
void zc_c2c_classes_print(FILE *f, const struct zc_c2c_class_sum *s);
void zc_c2c_classes_json(json_t *arr, const char *method,
			 const struct zc_c2c_class_sum *s);

/* ---- measuring one pair -------------------------------------------------- */

struct zc_c2c_req {
	enum zc_handoff_method method;
	int ping, pong;	      /* OS CPU numbers */
	int node;	      /* home of the line; -1: where ping touches it */
	int samples;	      /* samples to time */
	double sample_ns;     /* a sample lasts at least this long */
	double max_sample_ns; /* ... and at most this long */
	const struct zc_evset *events; /* counted over the timed region */
	double timeout_s;	       /* the whole measurement */
};

struct zc_c2c_result {
	double *oneway; /* [q->samples], the caller's: ns per hand-off */
	double min, median, p99; /* of oneway */
	/* The repetition's sentinels, before and after (lib/sentinel.h's
	 * store hand-off): the store method's own median; for another
	 * method, ZC_SENTINEL_ROUNDS store round trips on the same line
	 * right before the calibration and right after the samples. */
	double sent[2];
	uint64_t batch;		 /* round trips per sample */
	double cal_oneway_ns;	 /* one-way time of the calibration */
	char binding[48];	 /* where the line lives (lib/shm.h) */
	int cpu[2];		 /* where ping and pong ran */
	struct zc_counts counts; /* both threads, the timed region */
	int abandoned;		 /* -ETIMEDOUT: the threads still run */
	char why[160];
};

int zc_c2c_measure(const struct zc_topo *t, const struct zc_c2c_req *q,
		   struct zc_c2c_result *r);

/* The loop's own cost per one-way hand-off of method m, ns (median of a
 * few zc_handoff_local runs on this thread). */
double zc_c2c_loop_ns(enum zc_handoff_method m);

#endif
