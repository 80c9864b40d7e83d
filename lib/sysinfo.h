/* SPDX-License-Identifier: MIT */
#ifndef ZC_SYSINFO_H
#define ZC_SYSINFO_H
/*
 * sysinfo — the environment fingerprint (meta.json) and the noise checks
 * behind `zcbench doctor`.
 *
 * zc_sysinfo_collect() reads /proc, /sys, uname and the topology; every
 * field that cannot be read is left as "" (written as null with no guess).
 * zc_meta_json() builds meta.json (DESIGN.md §3): schema version, zcbench
 * version and git revision, command line, start/end, status, host, CPU,
 * caches, NUMA, kernel, governor/boost, virtualization, THP, isolcpus,
 * nohz_full, perf_event_paranoid, counter statuses with reasons, NUMA
 * binding, clock calibration, compiler and flags.
 *
 * zc_sysinfo_checks() turns the fingerprint into findings, each with what
 * the user can do about it.
 *
 * Code: sysinfo.c (zc_sysinfo_collect and its readers), meta.c
 * (zc_meta_json, zc_meta_write, zc_sysinfo_gbench_context), checks.c
 * (zc_sysinfo_checks, zc_check_level_name); sysinfo_int.h is internal.
 *
 * Errors: 0 or -errno (-ENOMEM); unreadable files are not errors.
 */
#include <stddef.h>
#include <jansson.h>
#include "clock.h"
#include "counters.h"
#include "topo.h"

struct zc_sysinfo {
	char host[128];
	char cpu_model[128];
	char vendor[32];
	int npus, ncores, npackages, nnuma, smt; /* allowed set */
	int npus_online;
	unsigned long long l1d, l2, l3; /* bytes, 0 unknown */
	unsigned line;			/* bytes */
	char kernel[128];		/* uname -r */
	char arch[32];
	char governor[32];   /* cpufreq governor of CPU 0, "" none */
	char boost[32];	     /* "on", "off", "" unknown */
	char virt[64];	     /* hypervisor ("KVM"), "none", "" unknown */
	char thp[32];	     /* transparent_hugepage/enabled selection */
	char isolcpus[128];  /* /sys/devices/system/cpu/isolated, "none" */
	char nohz_full[128]; /* .../nohz_full, "none" (empty or "(null)") */
	int paranoid;	     /* perf_event_paranoid, -100 unknown */
	double loadavg1;
	char numa_binding[128]; /* zc_mem_probe_binding text */
	int numa_can_bind;
	char allowed[128];	/* allowed cpus */
	double mhz;		/* nominal, 0 unknown */
	unsigned long long l1i; /* bytes, 0 unknown */
	/* PUs sharing each cache (Google Benchmark's num_sharing), 0 unknown */
	int l1d_share, l1i_share, l2_share, l3_share;
};

int zc_sysinfo_collect(struct zc_sysinfo *si, const struct zc_topo *t);

/* Run metadata kept by the hub and written as meta.json. */
struct zc_meta {
	const char *command; /* "falseshare" */
	int argc;
	char **argv;	    /* full command line */
	double start, end;  /* Unix time, s */
	const char *status; /* "running", "complete", "interrupted", "failed" */
	const struct zc_sysinfo *si;
	const struct zc_evset *events;	   /* may be NULL */
	const struct zc_clock_info *clock; /* may be NULL */
	json_t *options;		   /* recorded options (borrowed) */
	json_t *sentinel; /* the sentinel's state and cost (borrowed) */
};

/* meta.json as a new JSON object, or NULL (ENOMEM). */
json_t *zc_meta_json(const struct zc_meta *m);
/* Google Benchmark "context" object (date, host_name, num_cpus,
 * mhz_per_cpu, caches[] ...). */
json_t *zc_sysinfo_gbench_context(const struct zc_sysinfo *si, const char *exe);
/* Write meta.json and topology.xml into dir (atomically). */
int zc_meta_write(const char *dir, const struct zc_meta *m,
		  const struct zc_topo *t);

enum zc_check_level {
	ZC_CHECK_OK,
	ZC_CHECK_INFO,
	ZC_CHECK_WARN,
	ZC_CHECK_BAD
};

struct zc_check {
	const char *name; /* "virtualization", "governor" ... */
	enum zc_check_level level;
	char finding[200];
	char advice[240];
};

/* Fill up to max findings; returns how many. events may be NULL. */
int zc_sysinfo_checks(const struct zc_sysinfo *si, const struct zc_evset *ev,
		      struct zc_check *out, int max);
const char *zc_check_level_name(enum zc_check_level l);

/* The host-placement finding from n hand-off measurements v (ns, NaN for
 * failed ones) between CPUs a and b over `seconds`: steady, or the regimes
 * (lib/regime.h), their shares and how often the state changed. */
void zc_check_handoff(struct zc_check *k, int a, int b, const double *v, int n,
		      double seconds);

/* The host-contention finding from the same measurements' paces p
 * (zc_sentinel_pace; NaN for failed ones): the share of them at a slower
 * level than the fastest (zc_pace_bound), and how much slower they were. */
void zc_check_pace(struct zc_check *k, int a, int b, const double *p, int n,
		   double seconds);

#endif
