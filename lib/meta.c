/* SPDX-License-Identifier: MIT */
/*
 * meta — meta.json (the fingerprint of a run, written next to its results)
 * and the Google Benchmark "context" object, both from struct zc_sysinfo
 * (see sysinfo.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "out.h"
#include "sysinfo.h"
#include "sysinfo_int.h"

/* ---- meta.json ---------------------------------------------------------- */

/* "" is unknown: null, never a guess. */
static json_t *str_or_null(const char *s)
{
	json_t *v;
	char tmp[1024];
	if (!s || !s[0])
		return json_null();
	v = json_string(s);
	if (v)
		return v;
	/* Not UTF-8 (a command-line argument, say): keep what is printable. */
	zc_sysinfo_copy(tmp, sizeof(tmp), s);
	return json_string(tmp);
}

/* Set key to v, counting failures (a NULL v is ENOMEM). */
static void put(json_t *o, const char *key, json_t *v, int *bad)
{
	if (!v || json_object_set_new(o, key, v) < 0)
		*bad = 1;
}

/* o when every put() succeeded, else NULL (o released). */
static json_t *done(json_t *o, int bad)
{
	if (!bad)
		return o;
	json_decref(o);
	return NULL;
}

static json_t *int_or_null(long long x, int known)
{
	return known ? json_integer(x) : json_null();
}

static void iso_time(double t, int utc, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;
	char z[8];
	if (!(utc ? gmtime_r(&s, &tm) : localtime_r(&s, &tm))) {
		buf[0] = 0;
		return;
	}
	if (utc) {
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return;
	}
	/* ISO 8601 wants the offset as +hh:mm; strftime gives +hhmm. */
	strftime(z, sizeof(z), "%z", &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), len - strlen(buf), "%.3s:%.2s", z, z + 3);
}

static json_t *time_json(double t)
{
	char buf[64];
	if (t <= 0)
		return json_null();
	iso_time(t, 1, buf, sizeof(buf));
	return json_string(buf);
}

/* "zcbench cmd --opt 'a b'": arguments quoted for a POSIX shell. */
static void command_line(const struct zc_meta *m, char *buf, size_t len)
{
	size_t off = snprintf(buf, len, "zcbench");
	for (int i = 0; i < m->argc && m->argv && off < len; i++) {
		const char *a = m->argv[i];
		int plain = a[0] && !a[strspn(a, "abcdefghijklmnopqrstuvwxyz"
						 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
						 "0123456789-_=.,:/+@%")];
		off += snprintf(buf + off, len - off, " %s", plain ? a : "'");
		if (plain)
			continue;
		for (; *a && off < len; a++)
			off += snprintf(buf + off, len - off, "%s",
					*a == '\'' ? "'\\''"
						   : (char[2]){*a, 0});
		if (off < len)
			off += snprintf(buf + off, len - off, "'");
	}
}

static json_t *cpu_json(const struct zc_sysinfo *si)
{
	json_t *o = json_object();
	int bad = !o;
	if (bad)
		return NULL;
	put(o, "model", str_or_null(si->cpu_model), &bad);
	put(o, "vendor", str_or_null(si->vendor), &bad);
	put(o, "mhz", si->mhz > 0 ? zc_json_real(si->mhz) : json_null(), &bad);
	put(o, "pus", json_integer(si->npus), &bad);
	put(o, "pus_online", int_or_null(si->npus_online, si->npus_online > 0),
	    &bad);
	put(o, "cores", json_integer(si->ncores), &bad);
	put(o, "packages", json_integer(si->npackages), &bad);
	put(o, "smt", json_boolean(si->smt), &bad);
	put(o, "allowed", str_or_null(si->allowed), &bad);
	return done(o, bad);
}

static json_t *caches_json(const struct zc_sysinfo *si)
{
	json_t *o = json_object();
	int bad = !o;
	if (bad)
		return NULL;
	put(o, "l1d", int_or_null((long long)si->l1d, si->l1d > 0), &bad);
	put(o, "l1i", int_or_null((long long)si->l1i, si->l1i > 0), &bad);
	put(o, "l2", int_or_null((long long)si->l2, si->l2 > 0), &bad);
	put(o, "l3", int_or_null((long long)si->l3, si->l3 > 0), &bad);
	put(o, "line", int_or_null(si->line, si->line > 0), &bad);
	return done(o, bad);
}

static json_t *counters_json(const struct zc_evset *ev)
{
	json_t *o = json_object();
	int bad = !o;
	if (bad)
		return NULL;
	for (int i = 0; ev && i < ev->n; i++) {
		const struct zc_event *e = &ev->ev[i];
		json_t *c;
		if (e->status == ZC_EV_OK)
			c = json_pack("{s:s}", "status", "ok");
		else
			c = json_pack("{s:n, s:o, s:s}", "status", "reason",
				      str_or_null(e->why), "class",
				      zc_ev_status_name(e->status));
		put(o, e->name, c, &bad);
	}
	return done(o, bad);
}

static json_t *clock_json(const struct zc_clock_info *ci)
{
	if (!ci)
		return json_null();
	return json_pack("{s:o, s:b, s:o, s:o, s:o, s:o}", "tsc_hz",
			 zc_json_real(ci->tsc_hz), "tsc_invariant",
			 ci->tsc_invariant, "now_overhead_ns",
			 zc_json_real(ci->now_overhead_ns), "now_resolution_ns",
			 zc_json_real(ci->now_resolution_ns), "tsc_overhead_ns",
			 zc_json_real(ci->tsc_overhead_ns), "clock_getres_ns",
			 zc_json_real(ci->clock_getres_ns));
}

json_t *zc_meta_json(const struct zc_meta *m)
{
	static const struct zc_sysinfo unknown = {.paranoid = -100,
						  .loadavg1 = NAN};
	const struct zc_sysinfo *si = m->si ? m->si : &unknown;
	json_t *o = json_object(), *argv = json_array();
	char cl[4096];
	int bad = !o || !argv;

	if (bad) {
		json_decref(o);
		json_decref(argv);
		return NULL;
	}
	for (int i = 0; i < m->argc && m->argv; i++)
		if (json_array_append_new(argv, str_or_null(m->argv[i])) < 0)
			bad = 1;
	command_line(m, cl, sizeof(cl));
	put(o, "schema_version", json_integer(1), &bad);
	put(o, "version", json_string(ZC_VERSION), &bad);
	put(o, "inject_ns", json_real(ZC_INJECT_NS), &bad);
	put(o, "git", json_string(ZC_GIT_REV), &bad);
	put(o, "command", str_or_null(m->command), &bad);
	put(o, "argv", argv, &bad);
	put(o, "command_line", str_or_null(cl), &bad);
	put(o, "start", m->start > 0 ? zc_json_real(m->start) : json_null(),
	    &bad);
	put(o, "end", m->end > 0 ? zc_json_real(m->end) : json_null(), &bad);
	put(o, "start_utc", time_json(m->start), &bad);
	put(o, "end_utc", time_json(m->end), &bad);
	put(o, "status", str_or_null(m->status), &bad);
	put(o, "host", str_or_null(si->host), &bad);
	put(o, "cpu", cpu_json(si), &bad);
	put(o, "caches", caches_json(si), &bad);
	put(o, "numa",
	    json_pack("{s:i, s:o, s:b}", "nodes", si->nnuma, "binding",
		      str_or_null(si->numa_binding), "can_bind",
		      si->numa_can_bind),
	    &bad);
	put(o, "kernel", str_or_null(si->kernel), &bad);
	put(o, "arch", str_or_null(si->arch), &bad);
	put(o, "governor", str_or_null(si->governor), &bad);
	put(o, "boost", str_or_null(si->boost), &bad);
	put(o, "virtualization", str_or_null(si->virt), &bad);
	put(o, "thp", str_or_null(si->thp), &bad);
	put(o, "isolcpus", str_or_null(si->isolcpus), &bad);
	put(o, "nohz_full", str_or_null(si->nohz_full), &bad);
	put(o, "perf_event_paranoid",
	    int_or_null(si->paranoid, si->paranoid != -100), &bad);
	put(o, "loadavg1", zc_json_real(si->loadavg1), &bad);
	put(o, "counters", counters_json(m->events), &bad);
	put(o, "clock", clock_json(m->clock), &bad);
	put(o, "compiler", json_string(ZC_COMPILER), &bad);
	put(o, "cflags", json_string(ZC_CFLAGS), &bad);
	put(o, "options", m->options ? json_incref(m->options) : json_null(),
	    &bad);
	if (m->sentinel)
		put(o, "sentinel", json_incref(m->sentinel), &bad);
	return done(o, bad);
}

int zc_meta_write(const char *dir, const struct zc_meta *m,
		  const struct zc_topo *t)
{
	json_t *v = zc_meta_json(m);
	int err;

	if (!v)
		return -ENOMEM;
	err = zc_out_write_json(dir, "meta.json", v);
	json_decref(v);
	if (err == 0 && t)
		err = zc_topo_export_xml(t, dir);
	return err;
}

/* ---- Google Benchmark context ------------------------------------------- */

static int add_cache(json_t *a, const char *type, int level,
		     unsigned long long size, int sharing)
{
	if (!size)
		return 0;
	return json_array_append_new(a, json_pack("{s:s, s:i, s:I, s:i}",
						  "type", type, "level", level,
						  "size", (json_int_t)size,
						  "num_sharing", sharing));
}

json_t *zc_sysinfo_gbench_context(const struct zc_sysinfo *si, const char *exe)
{
	json_t *o = json_object(), *caches = json_array(), *load = json_array();
	char date[64];
	double l[3];
	int bad = !o || !caches || !load, n;

	if (bad) {
		json_decref(o);
		json_decref(caches);
		json_decref(load);
		return NULL;
	}
	iso_time((double)time(NULL), 0, date, sizeof(date));
	bad |= add_cache(caches, "Data", 1, si->l1d, si->l1d_share) < 0;
	bad |= add_cache(caches, "Instruction", 1, si->l1i, si->l1i_share) < 0;
	bad |= add_cache(caches, "Unified", 2, si->l2, si->l2_share) < 0;
	bad |= add_cache(caches, "Unified", 3, si->l3, si->l3_share) < 0;
	n = getloadavg(l, 3);
	for (int i = 0; i < n; i++)
		bad |= json_array_append_new(load, zc_json_real(l[i])) < 0;
	put(o, "date", json_string(date), &bad);
	put(o, "host_name", str_or_null(si->host), &bad);
	put(o, "executable", str_or_null(exe), &bad);
	put(o, "num_cpus", json_integer(si->npus), &bad);
	put(o, "mhz_per_cpu", json_integer((json_int_t)lround(si->mhz)), &bad);
	/* Google Benchmark's test: a governor other than "performance". */
	put(o, "cpu_scaling_enabled",
	    json_boolean(si->governor[0] &&
			 strcmp(si->governor, "performance")),
	    &bad);
	put(o, "caches", caches, &bad);
	put(o, "load_avg", load, &bad);
	put(o, "library_build_type", json_string("release"), &bad);
	put(o, "library_version", json_string(ZC_VERSION), &bad);
	put(o, "json_schema_version", json_integer(1), &bad);
	return done(o, bad);
}
