/* SPDX-License-Identifier: MIT */
/*
 * host — the host side of a case: this thread, or a program (host.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "host.h"
#include "region.h"

int zc_host_self(struct zc_host *h, const struct zc_topo *t, int cpu,
		 const struct zc_evset *ev, int (*fn)(void *arg), void *arg,
		 char *why, size_t len)
{
	struct zc_counters ctr;
	int err, cpu0, cpu1;

	memset(h, 0, sizeof(*h));
	err = zc_topo_pin_self(t, cpu);
	if (err < 0) {
		snprintf(why, len, "cannot pin to CPU %d: %s", cpu,
			 strerror(-err));
		return err;
	}
	zc_counters_open(&ctr, ev);
	cpu0 = sched_getcpu();
	zc_counters_start(&ctr);
	h->t_start = zc_now_ns();
	h->cpu_ns = zc_thread_cpu_ns();
	err = fn(arg);
	h->cpu_ns = zc_thread_cpu_ns() - h->cpu_ns;
	h->t_end = zc_now_ns();
	zc_counters_stop(&ctr, &h->counts);
	cpu1 = sched_getcpu();
	zc_counters_close(&ctr);
	h->host_ns = h->t_end - h->t_start;
	h->counted = 1;
	if (!err && (cpu0 != cpu || cpu1 != cpu)) {
		snprintf(why, len, "host ran on CPU %d..%d, planned %d", cpu0,
			 cpu1, cpu);
		err = -EXDEV;
	}
	return err;
}

#define ARGV_MAX 28

static int u64(json_t *o, const char *key, uint64_t *v)
{
	json_t *x = json_object_get(o, key);

	if (!json_is_integer(x))
		return -EPROTO;
	*v = (uint64_t)json_integer_value(x);
	return 0;
}

static int report(struct zc_host *h, const char *what, struct zc_child *ch,
		  int cpu, char *why, size_t len)
{
	json_error_t je;
	json_t *cpus;

	h->report = json_loads(zc_child_last_line(ch, 0), 0, &je);
	if (!h->report) {
		snprintf(why, len, "%s's report is not JSON: %s", what,
			 je.text);
		return -EPROTO;
	}
	if (u64(h->report, "count", &h->count) ||
	    u64(h->report, "host_ns", &h->host_ns) ||
	    u64(h->report, "cpu_ns", &h->cpu_ns) ||
	    u64(h->report, "t_start", &h->t_start) ||
	    u64(h->report, "t_end", &h->t_end)) {
		snprintf(why, len, "%s's report lacks a field", what);
		return -EPROTO;
	}
	cpus = json_object_get(h->report, "cpus");
	if (cpu >= 0 && (!json_is_array(cpus) || json_array_size(cpus) != 1 ||
			 json_integer_value(json_array_get(cpus, 0)) != cpu)) {
		snprintf(why, len, "%s was not pinned to CPU %d", what, cpu);
		return -EXDEV;
	}
	return 0;
}

static void kill_all(struct zc_child *ch, int n)
{
	for (int c = 0; c < n; c++)
		zc_child_kill(&ch[c]);
}

int zc_host_run(struct zc_host *h, const struct zc_spawn *sp,
		struct zc_child *ch, int n, const struct zc_evset *ev,
		double timeout_s, char *why, size_t len)
{
	struct zc_spawn s = *sp;
	struct zc_region rg;
	char *argv[ARGV_MAX + 3], fd[16];
	int k = 0, err;

	memset(h, 0, sizeof(*h));
	zc_child_init(&ch[0], sp->what);
	for (; sp->argv[k] && k < ARGV_MAX; k++)
		argv[k] = sp->argv[k];
	err = sp->argv[k] ? -E2BIG : zc_region_init(&rg);
	if (err < 0) {
		snprintf(why, len, "cannot count %s: %s", sp->what,
			 strerror(-err));
		kill_all(ch + 1, n);
		return err;
	}
	snprintf(fd, sizeof(fd), "%d", rg.child_fd);
	argv[k++] = "--sync";
	argv[k++] = fd;
	argv[k] = NULL;
	s.argv = argv;
	s.keep_fd = rg.child_fd;
	err = zc_child_spawn(&ch[0], &s);
	if (err < 0)
		snprintf(why, len, "cannot start %s: %s", sp->what,
			 strerror(-err));
	else if ((err = zc_region_attach(&rg, ev, ch[0].pid)) < 0)
		snprintf(why, len, "cannot count %s: %s", sp->what,
			 strerror(-err));
	else
		err = zc_child_supervise(ch, n + 1, timeout_s, why, len);
	if (!err)
		err = report(h, sp->what, &ch[0], sp->cpu, why, len);
	kill_all(ch, n + 1);
	/* The children are gone: this waits for nothing. */
	h->counted = zc_region_end(&rg, &h->counts) == 0;
	return err;
}

void zc_host_release(struct zc_host *h)
{
	json_decref(h->report);
	h->report = NULL;
}
