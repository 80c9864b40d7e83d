/* SPDX-License-Identifier: MIT */
#ifndef ZC_TOPO_H
#define ZC_TOPO_H
/*
 * topo — the machine's topology (hwloc), placement plans, pinning and
 * verification.
 *
 * A topology is the real machine, or for planning only (dry runs, tests) a
 * synthetic description ("synthetic:pack:2 l3:2 core:8 pu:2") or an XML
 * file exported by lstopo. Only the real one can pin (hwloc silently
 * ignores binding on the others); zc_topo_is_real() tells which.
 *
 * The allowed set is the topology's allowed cpuset intersected, on the real
 * machine, with the process's current binding (so taskset and cgroups are
 * honoured). All CPU numbers in this API are OS indexes (what
 * sched_getcpu() returns), never hwloc logical indexes.
 *
 * Placement classes for a pair of threads are named by the innermost level
 * the two PUs do NOT share:
 *	smt		two PUs of one core
 *	l2		different cores sharing an L2 (or other mid-level cache)
 *	l3		different L2, same L3
 *	cross-l3	different L3, same NUMA node
 *	cross-numa	different NUMA node, same package
 *	cross-package	different packages
 * A missing cache level (no L3 object) counts as shared by the package.
 * For N threads: compact (PUs in hwloc logical order, siblings first) and
 * scatter (hwloc_distrib: spread over packages, nodes, caches, cores).
 * "cpus" is an explicit list given by the user.
 *
 * Planning topologies are bounded: at most ZC_TOPO_MAX_PUS PUs (the
 * synthetic description's level counts, plain decimal numbers, multiplied
 * and checked before hwloc builds anything; an XML file of at most
 * ZC_READ_MAX_XML bytes, read as a regular file only), PU OS indexes below
 * ZC_TOPO_MAX_OS_INDEX, each PU's cpuset its own index. hwloc's XML
 * reader trusts its input (a malformed cpuset crashes hwloc 2.9), so an
 * XML file is read first by a child process that hands back hwloc's own
 * export of it; a file that crashes or hangs that child is refused.
 *
 * Errors: -EINVAL (bad spec, with a message from zc_topo_strerror), -ENOENT
 * (no XML file), -ENOMEM, -ENODEV (a class the machine lacks: the reason is
 * written to the plan), -EXDEV (a thread did not run where planned).
 */
#include <stddef.h>
#include <hwloc.h>
#include "opt.h"

#define ZC_TOPO_MAX_THREADS 1024
/* The largest topology accepted (PUs): a synthetic description or XML
 * file beyond it is refused before hwloc builds it. */
#define ZC_TOPO_MAX_PUS 4096
/* PU OS indexes are below this (Linux allows 8192 CPUs); a PU's cpuset is
 * its index alone. An XML file that says otherwise is refused. */
#define ZC_TOPO_MAX_OS_INDEX 65536

enum zc_place {
	ZC_PLACE_SMT,
	ZC_PLACE_L2,
	ZC_PLACE_L3,
	ZC_PLACE_CROSS_L3,
	ZC_PLACE_CROSS_NUMA,
	ZC_PLACE_CROSS_PACKAGE,
	ZC_PLACE_COMPACT,
	ZC_PLACE_SCATTER,
	ZC_PLACE_CPUS,
	ZC_PLACE_COUNT
};

/* What a PU shares with others, looked up once at load (classification
 * is then a few comparisons, so planning 1,024 PUs takes milliseconds). */
struct zc_pu_sig {
	hwloc_obj_t pu, core, l2, l3, pkg; /* NULL where there is none */
	int node;			   /* NUMA node OS index, -1 */
};

struct zc_topo {
	hwloc_topology_t t;
	hwloc_bitmap_t allowed; /* PUs this process may use (OS indexes) */
	struct zc_pu_sig *sig;	/* by OS index, nsig entries */
	int nsig;
	int real;	  /* the machine we run on */
	char source[256]; /* "this machine", "synthetic:...", file */
	char err[256];	  /* last error, for messages */
};

/* A placement plan: where each thread goes, or why the class is skipped. */
struct zc_plan {
	enum zc_place place;
	int nthreads;
	int cpu[ZC_TOPO_MAX_THREADS]; /* OS index per thread */
	int node;		      /* NUMA node of cpu[0], -1 if unknown */
	char why[160];		      /* skip reason when -ENODEV */
};

/* The classes as option keywords (lib/opt.h): every class, and the pair
 * classes plus "cpus" (for commands that place a producer/consumer pair). */
extern const struct zc_word zc_place_words[];
extern const struct zc_word zc_pair_place_words[];

/* Class name ("l3") and one-line description; NULL for out of range. */
const char *zc_place_name(enum zc_place p);
const char *zc_place_desc(enum zc_place p);
/* Class by name; -EINVAL if unknown. */
int zc_place_from_name(const char *name);

/*
 * Load a topology: spec NULL or "" for this machine, "synthetic:DESC", or
 * a path to an XML file. On failure t->err says why.
 */
int zc_topo_load(struct zc_topo *t, const char *spec);
void zc_topo_release(struct zc_topo *t);
static inline int zc_topo_is_real(const struct zc_topo *t)
{
	return t->real;
}

/* Counts within the allowed set. */
int zc_topo_npus(const struct zc_topo *t);
int zc_topo_ncores(const struct zc_topo *t);
int zc_topo_nnumanodes(const struct zc_topo *t);
int zc_topo_npackages(const struct zc_topo *t);
int zc_topo_has_smt(const struct zc_topo *t);

/* Class of the pair of PUs a, b (OS indexes); -EINVAL if either is unknown. */
int zc_topo_classify(const struct zc_topo *t, int a, int b);

/*
 * Plan `nthreads` threads in class `place` (pair classes need nthreads == 2).
 * cpus/ncpus is the explicit list for ZC_PLACE_CPUS. Returns 0, -ENODEV with
 * plan->why set when the machine lacks the class or has too few PUs, or
 * -EINVAL (a CPU outside the allowed set, a pair class with nthreads != 2;
 * plan->why says which).
 */
int zc_topo_plan(const struct zc_topo *t, enum zc_place place, int nthreads,
		 const int *cpus, int ncpus, struct zc_plan *plan);

/* Why the machine has no pair of class `place` (a pair class), for a
 * class that zc_topo_plan refused with -ENODEV ("" for other classes). */
void zc_topo_class_why(const struct zc_topo *t, enum zc_place place, char *why,
		       size_t len);

/*
 * Plan a pair on the closest two distinct cores: the first class this
 * machine has of l2, l3, cross-l3, cross-numa, cross-package, and smt last
 * (two hardware threads of one core share its pipeline, which a pair
 * benchmark does not mean to measure). With ncpus >= 2 the first two of
 * cpus (class "cpus"). Returns 0 with plan->place set, or -ENODEV / -EINVAL
 * as zc_topo_plan (plan->why says why).
 */
int zc_topo_plan_closest(const struct zc_topo *t, const int *cpus, int ncpus,
			 struct zc_plan *plan);
/* A pair in class place (< 0: the closest, as above) and, for what needs
 * one CPU, solo: the pair's first, or the first of a compact plan when no
 * pair fits. Returns what planning the pair returned (-EINVAL: bad
 * input; -ENODEV: no pair here, solo still planned). */
int zc_topo_plan_pair(const struct zc_topo *t, int place, const int *cpus,
		      int ncpus, struct zc_plan *pair, struct zc_plan *solo);

/* NUMA node (OS index) holding PU cpu; -1 if none or unknown. */
int zc_topo_cpu_node(const struct zc_topo *t, int cpu);

/* Pin the calling thread to PU cpu. 0, -EINVAL, or -errno from hwloc. */
int zc_topo_pin_self(const struct zc_topo *t, int cpu);

/* Where the calling thread runs now (sched_getcpu), or -errno. */
int zc_topo_current_cpu(void);

/* Format a cpu list as "0,2,4" into buf (truncated with "..."). */
void zc_topo_format_cpus(const int *cpu, int n, char *buf, size_t len);

/* Parse "0-3,8,10-11" into cpus (max n); returns the count or -EINVAL. */
int zc_topo_parse_cpus(const char *text, int *cpus, int max);

/* The allowed set as text ("0-1"). */
void zc_topo_format_allowed(const struct zc_topo *t, char *buf, size_t len);

/* Write topology.xml into dir (atomic). 0 or -errno. */
int zc_topo_export_xml(const struct zc_topo *t, const char *dir);

/* Cache of `level` (1..3) above PU cpu: size in bytes, line size, sharers
 * (PUs). 0 or -ENOENT. */
int zc_topo_cache(const struct zc_topo *t, int cpu, int level, int data,
		  unsigned long long *size, unsigned *line, int *sharers);

#endif
