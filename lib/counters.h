/* SPDX-License-Identifier: MIT */
#ifndef ZC_COUNTERS_H
#define ZC_COUNTERS_H
/*
 * counters — perf_event_open per thread, events named through libpfm4, and
 * getrusage, with every unreadable event recorded as absent-with-reason.
 *
 * Usage:
 *	struct zc_evset set;
 *	zc_evset_resolve(&set, "cycles,instructions,task-clock");  (once)
 *	in each measured thread:
 *		struct zc_counters c;
 *		zc_counters_open(&c, &set);	  (one fd per event, this thread)
 *		zc_counters_start(&c);
 *		... measured loop ...
 *		zc_counters_stop(&c, &counts);
 *		zc_counters_close(&c);
 *
 * Names: anything libpfm4 knows ("cycles", "instructions", "cache-misses",
 * "perf::context-switches", PMU-specific names such as
 * "ls_dmnd_fills_from_sys.lcl_l2"), plus the alias "c2c": the cache-to-cache
 * transfer (HITM) event of the CPU's PMU where zcbench knows one. libpfm4
 * detects the PMU from CPUID even when the kernel exposes none, so status
 * comes from perf_event_open alone.
 *
 * Each event is opened on its own fd (a group fails as a whole), read with
 * PERF_FORMAT_TOTAL_TIME_ENABLED|RUNNING, and scaled by enabled/running;
 * the ratio is recorded. An event that cannot be counted keeps status !=
 * ZC_EV_OK and a reason ("no hardware PMU exposed (VM or hypervisor)",
 * "EACCES: perf_event_paranoid=2", "unknown event ..."); its value is NaN,
 * never 0. An event counted in user space only (perf_event_paranoid >= 2
 * for a process without CAP_PERFMON) is OK with a note in why.
 * getrusage(RUSAGE_THREAD) and the thread CPU clock are always read.
 *
 * Another process can be counted too: zc_counters_open_pid() opens the
 * events on its main thread (disabled); start/stop then enable and disable
 * them from here, around a region that process announces (lib/region.h).
 * perf_event_open needs ptrace-read access to it (a child of ours has it).
 *
 * Errors: functions return 0 or -errno only for misuse (-EINVAL) or memory
 * (-ENOMEM); an event that fails to open is a status, not an error.
 */
#include <stdint.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#define ZC_EV_MAX  16
#define ZC_EV_NAME 64
#define ZC_EV_WHY  96

enum zc_ev_status {
	ZC_EV_OK,
	ZC_EV_UNSUPPORTED, /* ENOENT/EOPNOTSUPP/ENODEV: no such counter here */
	ZC_EV_DENIED,	   /* EACCES/EPERM: paranoid setting, seccomp */
	ZC_EV_UNKNOWN,	   /* libpfm4 does not know the name / bad encoding */
	ZC_EV_BUSY,	   /* EBUSY */
	ZC_EV_LIMIT,	   /* EMFILE/ENFILE */
	ZC_EV_ERROR,	   /* anything else */
};

struct zc_event {
	char name[ZC_EV_NAME]; /* as the user wrote it */
	char fstr[128];	       /* libpfm4's fully-qualified name, if resolved */
	int resolved;	       /* encoding found */
	uint32_t type;	       /* perf_event_attr.type */
	uint64_t config, config1, config2;
	/* privilege levels the name excludes (modifiers such as ":u"); the
	 * kernel level is also excluded where perf_event_paranoid requires */
	unsigned char excl_user, excl_kernel, excl_hv;
	int hw;			  /* counts hardware (needs a PMU) */
	enum zc_ev_status status; /* from a probe open in this process */
	char why[ZC_EV_WHY];
};

struct zc_evset {
	int n;
	struct zc_event ev[ZC_EV_MAX];
};

/* Default events recorded when --events is not given. */
#define ZC_EVENTS_DEFAULT                                                      \
	"cycles,instructions,cache-misses,c2c,task-clock,context-switches,"    \
	"cpu-migrations,page-faults"

/* Initialise libpfm4 (idempotent, thread-safe). 0 or -errno. */
int zc_counters_init(void);

/*
 * Resolve a comma list of names and probe each with a trial
 * perf_event_open on this thread. Unknown or unavailable events stay in the
 * set with status and why. -EINVAL only for an empty list or more than
 * ZC_EV_MAX names (msg then says so); -ENOMEM.
 */
int zc_evset_resolve(struct zc_evset *s, const char *list);

/* Map an errno from perf_event_open to status and reason text. `hw` adds
 * the hypervisor hint for ENOENT on hardware events. Exposed for tests. */
enum zc_ev_status zc_counters_status(int err, int hw, int paranoid, char *why,
				     size_t len);
const char *zc_ev_status_name(enum zc_ev_status s);

/* /proc/sys/kernel/perf_event_paranoid, or -100 when unreadable. */
int zc_counters_paranoid(void);

struct zc_counters {
	const struct zc_evset *set;
	pid_t pid; /* the thread counted: 0 = the caller's */
	int fd[ZC_EV_MAX];
	enum zc_ev_status status[ZC_EV_MAX];
	char why[ZC_EV_MAX][ZC_EV_WHY];
	struct rusage ru0;
	uint64_t cpu0_ns;
	/* value, time enabled, time running at start: the kernel never
	 * resets the times, so each region is scaled by its own deltas */
	uint64_t base[ZC_EV_MAX][3];
};

/* What one measured region counted. value[i] is NaN when status[i] != OK. */
struct zc_counts {
	int n;
	double value[ZC_EV_MAX]; /* scaled by enabled/running */
	double running
		[ZC_EV_MAX]; /* running/enabled, 1.0 = never multiplexed */
	enum zc_ev_status status[ZC_EV_MAX];
	char why[ZC_EV_MAX][ZC_EV_WHY];
	/* getrusage(RUSAGE_THREAD) deltas and thread CPU time, always valid */
	double nvcsw, nivcsw, minflt, majflt;
	double utime_ns, stime_ns, cpu_ns;
};

/* Open every event of s for the calling thread (disabled). */
int zc_counters_open(struct zc_counters *c, const struct zc_evset *s);
/* The same for the main thread of process pid (not the threads it starts).
 * Its counts carry the events only: rusage and CPU time stay 0 (they are
 * the caller's own, not pid's). -EINVAL for pid <= 0. */
int zc_counters_open_pid(struct zc_counters *c, const struct zc_evset *s,
			 pid_t pid);
/* Reset and enable; snapshot rusage and CPU time. */
int zc_counters_start(struct zc_counters *c);
/* Disable, read and scale into out. */
int zc_counters_stop(struct zc_counters *c, struct zc_counts *out);
void zc_counters_close(struct zc_counters *c);

/* Sum b into a (values, rusage); an absent value stays absent. */
void zc_counts_add(struct zc_counts *a, const struct zc_counts *b);
/* Zeroed counts shaped like s (statuses copied from the set). */
void zc_counts_init(struct zc_counts *c, const struct zc_evset *s);

#endif
