/* SPDX-License-Identifier: MIT */
/*
 * host — the host side of a case: this thread, or a program (host.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "host.h"
#include "locate.h"
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

void zc_argv_init(struct zc_argv *a)
{
	a->n = a->err = 0;
	a->used = 0;
	a->v[0] = NULL;
}

static int argv_put(struct zc_argv *a, const char *fmt, va_list ap)
{
	size_t room = sizeof(a->buf) - a->used;
	int k;

	if (a->err || a->n >= ZC_HOST_ARGV_MAX)
		return a->err = -E2BIG;
	k = vsnprintf(a->buf + a->used, room, fmt, ap);
	if (k < 0 || (size_t)k >= room)
		return a->err = -E2BIG;
	a->v[a->n++] = a->buf + a->used;
	a->v[a->n] = NULL;
	a->used += (size_t)k + 1;
	return 0;
}

int zc_argv_addf(struct zc_argv *a, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = argv_put(a, fmt, ap);
	va_end(ap);
	return err;
}

int zc_argv_add(struct zc_argv *a, const char *word)
{
	return zc_argv_addf(a, "%s", word);
}

int zc_host_find(struct zc_host_prog *p, const char *interp,
		 const char *const *rel, const char *installed)
{
	char why[300];

	p->why[0] = p->interp[0] = 0;
	if (zc_locate(p->env, p->file, rel, installed, p->path, sizeof(p->path),
		      why, sizeof(why)) < 0) {
		snprintf(p->why, sizeof(p->why), "%s%s%s",
			 p->missing ? p->missing : "", p->missing ? ": " : "",
			 why);
		return -ENOENT;
	}
	if (!p->lang)
		return 0;
	if (!strcmp(interp, "auto"))
		interp = access(p->auto_path, X_OK)
				 ? strrchr(p->auto_path, '/') + 1
				 : p->auto_path;
	if (zc_which(interp, p->interp, sizeof(p->interp), why, sizeof(why)) ==
	    0)
		return 0;
	snprintf(p->why, sizeof(p->why),
		 "no %s interpreter: %s (give --%s PATH)", p->lang, why,
		 p->opt);
	return -ENOENT;
}

int zc_host_argv(struct zc_argv *a, const struct zc_host_prog *p,
		 const struct zc_host_args *x)
{
	const char *const str[][2] = {{"mode", x->mode},
				      {"lib", x->lib},
				      {"koffi", x->koffi},
				      {"need", x->need},
				      {"name", x->name}};
	const uint64_t num[] = {x->size, x->count, x->batch, x->len,
				x->kill_after};
	static const char *const num_key[] = {"size", "count", "batch", "len",
					      "kill-after"};

	if (p->lang)
		zc_argv_add(a, p->interp);
	zc_argv_add(a, p->path);
	for (size_t i = 0; i < sizeof(str) / sizeof(str[0]); i++)
		if (str[i][1])
			zc_argv_addf(a, "--%s=%s", str[i][0], str[i][1]);
	for (size_t i = 0; i < sizeof(num) / sizeof(num[0]); i++)
		if (num[i])
			zc_argv_addf(a, "--%s=%llu", num_key[i],
				     (unsigned long long)num[i]);
	if (x->fd >= 0)
		zc_argv_addf(a, "--fd=%d", x->fd);
	if (x->corrupt >= 0)
		zc_argv_addf(a, "--corrupt=%lld", (long long)x->corrupt);
	return a->err;
}

static int u64(json_t *o, const char *key, uint64_t *v)
{
	json_t *x = json_object_get(o, key);

	if (!json_is_integer(x))
		return -EPROTO;
	*v = (uint64_t)json_integer_value(x);
	return 0;
}

uint64_t zc_host_u64(const struct zc_host *h, const char *obj, const char *key)
{
	json_t *o = obj ? json_object_get(h->report, obj) : h->report;

	return (uint64_t)json_integer_value(json_object_get(o, key));
}

static int report(struct zc_host *h, struct zc_child *ch, char *why, size_t len)
{
	json_error_t je;
	json_t *cpus;

	h->report = json_loads(zc_child_last_line(ch, 0), 0, &je);
	if (!h->report) {
		snprintf(why, len, "%s's report is not JSON: %s", h->what,
			 je.text);
		return -EPROTO;
	}
	if (u64(h->report, "count", &h->count) ||
	    u64(h->report, "host_ns", &h->host_ns) ||
	    u64(h->report, "cpu_ns", &h->cpu_ns) ||
	    u64(h->report, "t_start", &h->t_start) ||
	    u64(h->report, "t_end", &h->t_end)) {
		snprintf(why, len, "%s's report lacks a field", h->what);
		return -EPROTO;
	}
	cpus = json_object_get(h->report, "cpus");
	if (h->cpu >= 0 &&
	    (!json_is_array(cpus) || json_array_size(cpus) != 1 ||
	     json_integer_value(json_array_get(cpus, 0)) != h->cpu)) {
		snprintf(why, len, "%s was not pinned to CPU %d", h->what,
			 h->cpu);
		return -EXDEV;
	}
	return 0;
}

static void kill_all(struct zc_child *ch, int n)
{
	for (int c = 0; c < n; c++)
		zc_child_kill(&ch[c]);
}

int zc_host_start(struct zc_host *h, const struct zc_spawn *sp,
		  struct zc_child *ch, const struct zc_evset *ev, char *why,
		  size_t len)
{
	struct zc_spawn s = *sp;
	struct zc_argv a;
	int k = 0, err;

	memset(h, 0, sizeof(*h));
	h->cpu = sp->cpu;
	h->what = sp->what;
	zc_child_init(ch, sp->what);
	err = zc_region_init(&h->rg);
	zc_argv_init(&a);
	for (; sp->argv[k]; k++)
		zc_argv_add(&a, sp->argv[k]);
	zc_argv_add(&a, "--sync");
	zc_argv_addf(&a, "%d", h->rg.child_fd);
	if (!err)
		err = a.err;
	if (err < 0) {
		snprintf(why, len, "cannot start %s: %s", sp->what,
			 strerror(-err));
		zc_region_end(&h->rg, NULL);
		return err;
	}
	s.argv = a.v;
	s.keep_fd = h->rg.child_fd;
	err = zc_child_spawn(ch, &s);
	if (err < 0)
		snprintf(why, len, "cannot start %s: %s", sp->what,
			 strerror(-err));
	else if ((err = zc_region_attach(&h->rg, ev, ch->pid)) < 0)
		snprintf(why, len, "cannot count %s: %s", sp->what,
			 strerror(-err));
	if (err < 0) {
		zc_child_kill(ch);
		zc_region_end(&h->rg, NULL);
	}
	return err;
}

int zc_host_finish(struct zc_host *h, struct zc_child *ch, int rep, char *why,
		   size_t len)
{
	int err = rep ? report(h, ch, why, len) : 0;

	zc_child_kill(ch);
	/* The child is gone: this waits for nothing. */
	h->counted = zc_region_end(&h->rg, &h->counts) == 0;
	return err;
}

int zc_host_run(struct zc_host *h, const struct zc_spawn *sp,
		struct zc_child *ch, int n, const struct zc_evset *ev,
		double timeout_s, char *why, size_t len)
{
	int err = zc_host_start(h, sp, &ch[0], ev, why, len);

	if (err < 0) {
		kill_all(ch + 1, n);
		return err;
	}
	err = zc_child_supervise(ch, n + 1, timeout_s, why, len);
	kill_all(ch + 1, n);
	return zc_host_finish(h, &ch[0], !err, why, len) ?: err;
}

void zc_host_release(struct zc_host *h)
{
	json_decref(h->report);
	h->report = NULL;
}

int zc_host_probe(const struct zc_spawn *sp, double timeout_s, char *why,
		  size_t len)
{
	struct zc_spawn s = *sp;
	struct zc_child ch;
	int err;

	s.cpu = -1;
	s.keep_fd = -1;
	s.keep = NULL;
	s.capture = ZC_CHILD_OUT | ZC_CHILD_ERR;
	zc_child_init(&ch, sp->what);
	err = zc_child_spawn(&ch, &s);
	if (err < 0) {
		snprintf(why, len, "cannot start %s: %s", sp->what,
			 strerror(-err));
		return err;
	}
	err = zc_child_supervise(&ch, 1, timeout_s, why, len);
	if (err == -EPIPE && *zc_child_last_line(&ch, 1))
		snprintf(why, len, "%s", zc_child_last_line(&ch, 1));
	zc_child_kill(&ch);
	return err;
}

int zc_host_probe_prog(const struct zc_host_prog *p,
		       const struct zc_host_args *x, double timeout_s,
		       char *why, size_t len)
{
	struct zc_spawn sp = {.what = p->what};
	struct zc_argv a;
	int err;

	zc_argv_init(&a);
	err = zc_host_argv(&a, p, x);
	if (err) {
		snprintf(why, len, "%s: too many arguments", p->what);
		return err;
	}
	sp.path = a.v[0];
	sp.argv = a.v;
	return zc_host_probe(&sp, timeout_s, why, len);
}
