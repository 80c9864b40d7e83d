/* SPDX-License-Identifier: MIT */
#ifndef ZC_HOST_H
#define ZC_HOST_H
/*
 * host — a side of a measured case, either this thread or a program
 * zcbench starts, with the same figures from both: the wall and CPU time
 * of the measured region, its CLOCK_MONOTONIC ends, and its perf counters
 * (`zcbench ffi`'s C, Python and Node.js hosts, and its Rust consumer).
 *
 * zc_host_self: this thread, pinned (placement checked before and after),
 * runs a function as its region, its own counters around it (opened
 * before, outside the region).
 *
 * zc_host_run: a program, started pinned with its output captured
 * (lib/proc.h), its measured region counted from outside (lib/region.h),
 * supervised together with the case's other children, and its report
 * read. zc_host_start and zc_host_finish are its two halves, for a
 * program that runs beside another side (a consumer started before the
 * host that feeds it).
 *
 * The program's side of the contract:
 *  - it takes "--sync FD", appended to its argv, and announces its measured
 *    region on that socket (lib/region.h's protocol);
 *  - the last line of its stdout is one JSON object with at least the
 *    integers count (items handled), host_ns and cpu_ns (wall and thread
 *    CPU time of the region), t_start and t_end (CLOCK_MONOTONIC ns at the
 *    region's ends), and cpus (the CPUs its affinity allows, a list);
 *  - it fails with a line on stderr and a non-zero exit status.
 * A program may also answer a probe (zc_host_probe): run with arguments
 * that check what it needs, exit 0, or fail with the reason on stderr.
 * The programs that ship with zcbench (`zcbench ffi`'s Python and Node.js
 * hosts, its Rust consumer) are found by zc_host_find and take the
 * arguments of struct zc_host_args as --key=value (zc_host_argv).
 *
 * Usage:
 *	err = zc_host_self(&h, &topo, cpu, &events, loop, arg, why, len);
 * or
 *	struct zc_argv a;  zc_argv_init(&a);
 *	zc_argv_add(&a, "python3"); zc_argv_addf(&a, "%u", size); ...
 *	struct zc_spawn sp = {.argv = a.v, ...};
 *	struct zc_child ch[2];		ch[1]: a peer already running, if any
 *	err = zc_host_run(&h, &sp, ch, 1, &events, timeout_s, why, len);
 *	... h.count, h.report, zc_host_u64(&h, "verdict", "bad") ...
 *	zc_host_release(&h);
 * or start/finish: zc_host_start(&h, &sp, &ch, &events, why, len); ...
 *	(the child exits, supervised by the caller) ...
 *	zc_host_finish(&h, &ch, why, len); zc_host_release(&h);
 * then h.t_start, h.host_ns, h.cpu_ns, h.counts (when h.counted).
 *
 * Limitations: argv holds at most 28 words; the count is the program's
 * main thread's (lib/counters.h zc_counters_open_pid).
 *
 * Errors: 0 or -errno with why filled. zc_host_self: zc_topo_pin_self's,
 * the function's, -EXDEV (it ran elsewhere). zc_host_run/start: -E2BIG
 * (argv too long), zc_child_spawn's, zc_region_attach's, and
 * zc_child_supervise's -EPIPE, -EINTR, -ETIMEDOUT (a child failed, a
 * signal, the time limit); finish: -EPROTO (no report or a field
 * missing), -EXDEV (the program's affinity is not the one CPU it was
 * pinned to). zc_argv_add/addf: -E2BIG. zc_host_probe: -EPIPE (it said
 * no: why is its last stderr line), zc_child_spawn's, -ETIMEDOUT.
 */
#include <stdint.h>
#include <jansson.h>
#include "counters.h"
#include "proc.h"
#include "region.h"
#include "topo.h"

#define ZC_HOST_ARGV_MAX 28

struct zc_host {
	uint64_t count, host_ns, cpu_ns, t_start, t_end;
	json_t *report;		 /* a program's whole report, for more fields */
	struct zc_counts counts; /* its announced region */
	int counted;		 /* counts valid: the region was announced */
	int cpu;		 /* a program: where it was pinned (-1 none) */
	const char *what;
	struct zc_region rg; /* a program: its region, until finish */
};

/* An argument vector being built: the words are copied into buf; err is
 * the first failure (-E2BIG), sticky, so a caller adds and checks once. */
struct zc_argv {
	char *v[ZC_HOST_ARGV_MAX + 1]; /* NULL-ended */
	int n, err;
	size_t used;
	char buf[2048];
};

void zc_argv_init(struct zc_argv *a);
int zc_argv_add(struct zc_argv *a, const char *word);
int zc_argv_addf(struct zc_argv *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A program that ships with zcbench: an interpreter running a script
 * (lang, opt, auto_path set), or a program on its own. */
struct zc_host_prog {
	const char *what;      /* "the Python host": messages */
	const char *lang;      /* "Python"; NULL: no interpreter */
	const char *opt;       /* the option naming the interpreter */
	const char *auto_path; /* what "auto" means when executable, else
				  its base name on PATH */
	const char *env;       /* overrides where file is */
	const char *file;      /* the script or program beside zcbench */
	const char *missing;   /* why says this first when file is missing */
	char interp[4096], path[4096];
	char why[300]; /* not found: why ("" when found) */
};

/* The arguments of zcbench ffi's host programs and consumer; NULL
 * strings, 0 numbers and -1 fd/corrupt are left out. */
struct zc_host_args {
	const char *mode, *lib, *koffi, *need, *name;
	uint32_t size, batch;
	uint64_t count, len, kill_after;
	int64_t corrupt; /* a message to damage (test hook), -1 none */
	int fd;
};

/* Find p's file (lib/locate.h: beside zcbench in rel, then installed)
 * and, with a language, its interpreter: interp is a path, a name on
 * PATH or "auto". 0, or -ENOENT with p->why. */
int zc_host_find(struct zc_host_prog *p, const char *interp,
		 const char *const *rel, const char *installed);
/* p's argv with x's arguments (after zc_argv_init). Returns a->err. */
int zc_host_argv(struct zc_argv *a, const struct zc_host_prog *p,
		 const struct zc_host_args *x);

/* This thread, pinned to cpu, runs fn(arg) as the measured region. */
int zc_host_self(struct zc_host *h, const struct zc_topo *t, int cpu,
		 const struct zc_evset *ev, int (*fn)(void *arg), void *arg,
		 char *why, size_t len);

/*
 * Spawn sp as ch[0] (sp->keep_fd is taken for the socket; sp->cpu >= 0
 * pins it) beside the n peers already running in ch[1..n], supervise them
 * all until every one exited, within timeout_s, and read the report. All
 * of ch[0..n] are reaped on return, on every path. Call zc_host_release
 * afterwards, whatever it returned.
 */
int zc_host_run(struct zc_host *h, const struct zc_spawn *sp,
		struct zc_child *ch, int n, const struct zc_evset *ev,
		double timeout_s, char *why, size_t len);
/* The first half: spawn sp as *ch and count its region; nothing is left
 * running when it fails. Then zc_host_finish once *ch exited (or was
 * killed), on every path. */
int zc_host_start(struct zc_host *h, const struct zc_spawn *sp,
		  struct zc_child *ch, const struct zc_evset *ev, char *why,
		  size_t len);
/* Kill and reap *ch if it still runs, end the count, read the report
 * (report: 0 skips it, for a child that already failed). */
int zc_host_finish(struct zc_host *h, struct zc_child *ch, int report,
		   char *why, size_t len);
void zc_host_release(struct zc_host *h);

/* An integer of the report: report[key], or report[obj][key] when obj is
 * not NULL; 0 when absent. */
uint64_t zc_host_u64(const struct zc_host *h, const char *obj, const char *key);

/* Run sp (not pinned, nothing kept) and wait up to timeout_s: 0 when it
 * exits 0, else -EPIPE with its last stderr line in why. */
int zc_host_probe(const struct zc_spawn *sp, double timeout_s, char *why,
		  size_t len);
/* The same for program p run with x (zc_host_argv). */
int zc_host_probe_prog(const struct zc_host_prog *p,
		       const struct zc_host_args *x, double timeout_s,
		       char *why, size_t len);

#endif
