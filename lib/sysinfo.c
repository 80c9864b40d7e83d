/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "out.h"
#include "shm.h"
#include "sysinfo.h"

#define SYS_CPU "/sys/devices/system/cpu"

/* Printable ASCII only: these strings end up in JSON (which must be UTF-8)
 * and on terminals. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, n - i + 1);
}

/* First line of a small file, trimmed; "" and -errno when unreadable. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int err = 0;

	buf[0] = 0;
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		err = ferror(f) ? -EIO : 0;
		buf[0] = 0;
	}
	fclose(f);
	trim(buf);
	sanitize(buf);
	return err;
}

/* A CPU list file: "none" when it is empty or says "(null)". */
static void read_cpulist(const char *path, char *buf, size_t len)
{
	if (read_line(path, buf, len) == 0 &&
	    (!buf[0] || !strcmp(buf, "(null)")))
		snprintf(buf, len, "none");
}

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
	trim(dst);
	sanitize(dst);
}

static void read_cpuinfo(struct zc_sysinfo *si, int *hv_flag)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];

	*hv_flag = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		trim(line);
		if (!strcmp(line, "model name") && !si->cpu_model[0])
			copy(si->cpu_model, sizeof(si->cpu_model), colon + 1);
		else if (!strcmp(line, "vendor_id") && !si->vendor[0])
			copy(si->vendor, sizeof(si->vendor), colon + 1);
		else if (!strcmp(line, "cpu MHz") && si->mhz == 0)
			si->mhz = strtod(colon + 1, NULL);
		else if (!strcmp(line, "flags") &&
			 strstr(colon + 1, " hypervisor"))
			*hv_flag = 1;
		/* Arm: no model name; "CPU implementer" is a number. */
		else if (!strcmp(line, "Hardware") && !si->cpu_model[0])
			copy(si->cpu_model, sizeof(si->cpu_model), colon + 1);
	}
	fclose(f);
}

/*
 * Nominal frequency: intel_pstate's base_frequency, else the "@ 2.40GHz" in
 * an Intel model name, else /proc/cpuinfo's current MHz (under a hypervisor
 * that is the host's TSC rate).
 */
static void nominal_mhz(struct zc_sysinfo *si)
{
	char buf[64];
	const char *at = strstr(si->cpu_model, "@ ");
	if (read_line(SYS_CPU "/cpu0/cpufreq/base_frequency", buf,
		      sizeof(buf)) == 0 &&
	    atof(buf) > 0) {
		si->mhz = atof(buf) / 1000;
		return;
	}
	if (at && strstr(at, "GHz") && atof(at + 2) > 0)
		si->mhz = atof(at + 2) * 1000;
}

static void read_boost(struct zc_sysinfo *si)
{
	char buf[16];
	if (read_line(SYS_CPU "/cpufreq/boost", buf, sizeof(buf)) == 0 &&
	    buf[0]) {
		snprintf(si->boost, sizeof(si->boost), "%s",
			 buf[0] == '0' ? "off" : "on");
		return;
	}
	if (read_line(SYS_CPU "/intel_pstate/no_turbo", buf, sizeof(buf)) ==
		    0 &&
	    buf[0])
		snprintf(si->boost, sizeof(si->boost), "%s",
			 buf[0] == '0' ? "on" : "off");
}

/* Hypervisor vendor signatures of CPUID leaf 0x40000000. */
static const struct {
	const char *sig, *name;
} hypervisors[] = {
	{"KVMKVMKVM", "KVM"},
	{"Microsoft Hv", "Hyper-V"},
	{"VMwareVMware", "VMware"},
	{"XenVMMXenVMM", "Xen"},
	{"TCGTCGTCGTCG", "QEMU"},
	{"VBoxVBoxVBox", "VirtualBox"},
	{"ACRNACRNACRN", "ACRN"},
	{" lrpepyh  vr", "Parallels"},
	{"bhyve bhyve ", "bhyve"},
	{"QNXQVMBSQG", "QNX"},
	{"Linux KVM Hv", "KVM (Hyper-V enlightened)"},
};

static void read_virt(struct zc_sysinfo *si, int hv_flag)
{
	char buf[64];
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	if (__get_cpuid(1, &a, &b, &c, &d)) {
		char sig[13] = {0};
		if (!(c & (1u << 31))) {
			snprintf(si->virt, sizeof(si->virt), "none");
			return;
		}
		/* Leaf 0x40000000 exists whenever the hypervisor bit is set. */
		__cpuid(0x40000000, a, b, c, d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		for (size_t i = 0;
		     i < sizeof(hypervisors) / sizeof(hypervisors[0]); i++)
			if (!strncmp(sig, hypervisors[i].sig, 12)) {
				snprintf(si->virt, sizeof(si->virt), "%s",
					 hypervisors[i].name);
				return;
			}
		copy(si->virt, sizeof(si->virt), sig[0] ? sig : "unknown");
		return;
	}
#endif
	if (read_line("/sys/hypervisor/type", buf, sizeof(buf)) == 0 &&
	    buf[0]) {
		copy(si->virt, sizeof(si->virt), buf);
		si->virt[0] = (char)(si->virt[0] & ~0x20); /* "xen" -> "Xen" */
	} else if (hv_flag) {
		snprintf(si->virt, sizeof(si->virt), "unknown hypervisor");
	}
}

/* The [selected] word of a sysfs choice file ("always [madvise] never"). */
static void read_choice(const char *path, char *out, size_t len)
{
	char buf[128], *a, *b;
	out[0] = 0;
	if (read_line(path, buf, sizeof(buf)) < 0)
		return;
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b) {
		*b = 0;
		snprintf(out, len, "%s", a + 1);
	}
}

static int has_icache(const struct zc_topo *t, int cpu)
{
	hwloc_obj_t o = hwloc_get_pu_obj_by_os_index(t->t, (unsigned)cpu);
	for (o = o ? o->parent : NULL; o; o = o->parent)
		if (o->type == HWLOC_OBJ_L1ICACHE)
			return 1;
	return 0;
}

static void read_caches(struct zc_sysinfo *si, const struct zc_topo *t)
{
	int cpu = hwloc_bitmap_first(t->allowed);
	if (cpu < 0)
		return;
	zc_topo_cache(t, cpu, 1, 1, &si->l1d, &si->line, &si->l1d_share);
	zc_topo_cache(t, cpu, 1, 0, &si->l1i, NULL, &si->l1i_share);
	zc_topo_cache(t, cpu, 2, 1, &si->l2, si->line ? NULL : &si->line,
		      &si->l2_share);
	zc_topo_cache(t, cpu, 3, 1, &si->l3, si->line ? NULL : &si->line,
		      &si->l3_share);
	/* A unified L1 answers the instruction query too: count an I-cache
	 * only where hwloc has one. */
	if (!has_icache(t, cpu))
		si->l1i = 0, si->l1i_share = 0;
}

int zc_sysinfo_collect(struct zc_sysinfo *si, const struct zc_topo *t)
{
	struct utsname u;
	double load[1];
	long n;
	int hv_flag;
	char buf[128];

	memset(si, 0, sizeof(*si));
	si->paranoid = -100;
	si->loadavg1 = NAN;
	if (gethostname(si->host, sizeof(si->host) - 1) == 0)
		sanitize(si->host);
	else
		si->host[0] = 0;
	if (uname(&u) == 0) {
		copy(si->kernel, sizeof(si->kernel), u.release);
		copy(si->arch, sizeof(si->arch), u.machine);
	}
	read_cpuinfo(si, &hv_flag);
	nominal_mhz(si);
	if (t) {
		si->npus = zc_topo_npus(t);
		si->ncores = zc_topo_ncores(t);
		si->npackages = zc_topo_npackages(t);
		si->nnuma = zc_topo_nnumanodes(t);
		si->smt = zc_topo_has_smt(t);
		zc_topo_format_allowed(t, si->allowed, sizeof(si->allowed));
		read_caches(si, t);
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	si->npus_online = n > 0 ? (int)n : 0;
	read_line(SYS_CPU "/cpu0/cpufreq/scaling_governor", si->governor,
		  sizeof(si->governor));
	read_boost(si);
	read_virt(si, hv_flag);
	read_choice("/sys/kernel/mm/transparent_hugepage/enabled", si->thp,
		    sizeof(si->thp));
	read_cpulist(SYS_CPU "/isolated", si->isolcpus, sizeof(si->isolcpus));
	read_cpulist(SYS_CPU "/nohz_full", si->nohz_full,
		     sizeof(si->nohz_full));
	si->paranoid = zc_counters_paranoid();
	if (getloadavg(load, 1) == 1)
		si->loadavg1 = load[0];
	si->numa_can_bind = zc_mem_probe_binding(buf, sizeof(buf));
	copy(si->numa_binding, sizeof(si->numa_binding), buf);
	return 0;
}

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
	copy(tmp, sizeof(tmp), s);
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

/* ---- noise checks ------------------------------------------------------- */

const char *zc_check_level_name(enum zc_check_level l)
{
	static const char *const names[] = {"ok", "info", "warn", "bad"};
	return (unsigned)l < 4 ? names[l] : "?";
}

struct checks {
	struct zc_check *out;
	int n, max;
	const struct zc_sysinfo *si;
	const struct zc_evset *ev;
};

/* Add a finding; its advice follows with advise(). NULL when full. */
static struct zc_check *__attribute__((format(printf, 4, 5)))
add(struct checks *c, const char *name, enum zc_check_level level,
    const char *fmt, ...)
{
	struct zc_check *k;
	va_list ap;
	if (c->n >= c->max)
		return NULL;
	k = &c->out[c->n++];
	memset(k, 0, sizeof(*k));
	k->name = name;
	k->level = level;
	va_start(ap, fmt);
	vsnprintf(k->finding, sizeof(k->finding), fmt, ap);
	va_end(ap);
	return k;
}

static void __attribute__((format(printf, 2, 3)))
advise(struct zc_check *k, const char *fmt, ...)
{
	va_list ap;
	if (!k)
		return;
	va_start(ap, fmt);
	vsnprintf(k->advice, sizeof(k->advice), fmt, ap);
	va_end(ap);
}

static void check_virt(struct checks *c)
{
	const char *v = c->si->virt;
	if (!strcmp(v, "none")) {
		add(c, "virtualization", ZC_CHECK_OK,
		    "bare metal (no hypervisor)");
	} else if (!v[0]) {
		advise(add(c, "virtualization", ZC_CHECK_INFO,
			   "cannot tell whether a hypervisor runs this "
			   "machine"),
		       "if it is a VM, treat cross-core figures as indicative");
	} else {
		advise(add(c, "virtualization", ZC_CHECK_WARN,
			   "virtual machine (%s): timings include hypervisor "
			   "effects; vCPUs may move between host cores, so "
			   "cross-core latency drifts",
			   v),
		       "compare only figures from one run; use bare metal (or "
		       "pinned vCPUs) for numbers you publish");
	}
}

static void check_governor(struct checks *c)
{
	const char *g = c->si->governor;
	if (!strcmp(g, "performance"))
		add(c, "governor", ZC_CHECK_OK,
		    "cpufreq governor: performance");
	else if (!g[0])
		add(c, "governor", ZC_CHECK_INFO,
		    "no cpufreq governor visible (fixed clock, or the host "
		    "controls it)");
	else
		advise(add(c, "governor", ZC_CHECK_WARN,
			   "cpufreq governor '%s': the clock ramps with load, "
			   "so short cases run slower",
			   g),
		       "sudo cpupower frequency-set -g performance");
}

static void check_boost(struct checks *c)
{
	const char *b = c->si->boost;
	if (!strcmp(b, "on"))
		advise(add(c, "boost", ZC_CHECK_WARN,
			   "turbo/boost is on: the clock varies with "
			   "temperature and the number of busy cores"),
		       "for stable numbers: echo 0 | sudo tee "
		       "/sys/devices/system/cpu/cpufreq/boost (AMD) or echo 1 "
		       "| "
		       "sudo tee "
		       "/sys/devices/system/cpu/intel_pstate/no_turbo");
	else if (!strcmp(b, "off"))
		add(c, "boost", ZC_CHECK_OK, "turbo/boost is off");
	else
		add(c, "boost", ZC_CHECK_INFO,
		    "turbo/boost state not visible (no cpufreq/boost or "
		    "intel_pstate/no_turbo)");
}

static void check_smt(struct checks *c)
{
	if (c->si->smt)
		advise(add(c, "smt", ZC_CHECK_INFO,
			   "SMT is on: sibling hardware threads share a core's "
			   "caches and execution units"),
		       "placement classes keep them apart (the smt class "
		       "measures siblings on purpose); see zcbench topo");
	else
		add(c, "smt", ZC_CHECK_OK,
		    "no SMT: each allowed core runs one hardware thread");
}

static void check_isolation(struct checks *c)
{
	const char *iso = c->si->isolcpus, *nohz = c->si->nohz_full;
	int has_iso = iso[0] && strcmp(iso, "none");
	int has_nohz = nohz[0] && strcmp(nohz, "none");
	int n = c->si->npus;
	char spare[32];
	if (n > 2)
		snprintf(spare, sizeof(spare), "1-%d", n - 1);
	else
		snprintf(spare, sizeof(spare), "1");
	if (has_iso || has_nohz)
		advise(add(c, "isolation", ZC_CHECK_OK,
			   "isolated CPUs: %s; nohz_full: %s",
			   has_iso ? iso : "none", has_nohz ? nohz : "none"),
		       "run on them with --cpus %s", has_iso ? iso : nohz);
	else
		advise(add(c, "isolation", ZC_CHECK_INFO,
			   "no isolated CPUs (isolcpus, nohz_full): other "
			   "tasks "
			   "and interrupts may preempt measured threads"),
		       "for quiet numbers keep CPU 0 for the system: boot "
		       "with isolcpus=%s nohz_full=%s and pass --cpus %s",
		       spare, spare, spare);
}

static void check_thp(struct checks *c)
{
	const char *t = c->si->thp;
	if (!strcmp(t, "always"))
		advise(add(c, "thp", ZC_CHECK_INFO,
			   "transparent huge pages: always; buffers may or may "
			   "not land on 2 MB pages, which changes TLB costs "
			   "between runs"),
		       "echo madvise | sudo tee "
		       "/sys/kernel/mm/transparent_hugepage/enabled");
	else if (t[0])
		add(c, "thp", ZC_CHECK_OK, "transparent huge pages: %s", t);
	else
		add(c, "thp", ZC_CHECK_INFO,
		    "transparent huge pages: setting not visible");
}

static void check_paranoid(struct checks *c)
{
	int p = c->si->paranoid, root = geteuid() == 0;
	if (p == -100)
		add(c, "perf_event_paranoid", ZC_CHECK_WARN,
		    "no /proc/sys/kernel/perf_event_paranoid: the kernel may "
		    "lack perf events; only rusage is recorded");
	else if (p >= 2 && !root)
		advise(add(c, "perf_event_paranoid", ZC_CHECK_WARN,
			   "perf_event_paranoid=%d: counters are denied to "
			   "non-root users (kernel-side events and, at 3, all)",
			   p),
		       "sudo sysctl kernel.perf_event_paranoid=1 (or run with "
		       "CAP_PERFMON)");
	else
		add(c, "perf_event_paranoid", ZC_CHECK_OK,
		    "perf_event_paranoid=%d%s", p,
		    root ? " (running as root: not limited)" : "");
}

/* "a, b, c" of the events that match. */
static int event_names(const struct zc_evset *ev, int hw, int ok, char *buf,
		       size_t len, const char **why)
{
	size_t off = 0;
	int n = 0;
	buf[0] = 0;
	for (int i = 0; i < ev->n; i++) {
		const struct zc_event *e = &ev->ev[i];
		if (!e->hw != !hw || (e->status == ZC_EV_OK) != ok)
			continue;
		if (!n++ && why)
			*why = e->why;
		if (off < len)
			off += snprintf(buf + off, len - off, "%s%s",
					off ? ", " : "", e->name);
	}
	return n;
}

static void check_counters(struct checks *c)
{
	const struct zc_evset *ev = c->ev;
	char bad_hw[160], bad_sw[160], good[160];
	const char *why = "", *why_sw = "";
	int nhw, nsw, nok;
	if (!ev || !ev->n) {
		add(c, "counters", ZC_CHECK_INFO, "no perf events were probed");
		return;
	}
	nhw = event_names(ev, 1, 0, bad_hw, sizeof(bad_hw), &why);
	nsw = event_names(ev, 0, 0, bad_sw, sizeof(bad_sw), &why_sw);
	nok = event_names(ev, 1, 1, good, sizeof(good), NULL) +
	      event_names(ev, 0, 1, good + strlen(good),
			  sizeof(good) - strlen(good), NULL);
	if (nhw)
		advise(add(c, "counters", ZC_CHECK_WARN,
			   "hardware counters unavailable (%s): %s", why,
			   bad_hw),
		       strstr(why, "paranoid") || strstr(why, "EACCES")
			       ? "sudo sysctl kernel.perf_event_paranoid=1"
			       : "software counters and rusage are still "
				 "recorded; for cycles and cache misses use "
				 "bare metal or a VM with a virtual PMU");
	if (nsw)
		advise(add(c, "counters", ZC_CHECK_WARN,
			   "software counters unavailable (%s): %s", why_sw,
			   bad_sw),
		       "check perf_event_paranoid and seccomp (containers "
		       "often block perf_event_open)");
	if (nok)
		add(c, "counters", nhw || nsw ? ZC_CHECK_INFO : ZC_CHECK_OK,
		    "counters that work: %s", good);
}

static void check_numa(struct checks *c)
{
	const struct zc_sysinfo *si = c->si;
	if (si->numa_can_bind)
		add(c, "numa", ZC_CHECK_OK,
		    "%d NUMA node%s; memory binding works", si->nnuma,
		    si->nnuma == 1 ? "" : "s");
	else
		advise(add(c, "numa",
			   si->nnuma > 1 ? ZC_CHECK_WARN : ZC_CHECK_INFO,
			   "NUMA binding not possible: %s",
			   si->numa_binding[0] ? si->numa_binding : "unknown"),
		       si->nnuma > 1
			       ? "memory lands where it is first touched; "
				 "allow mbind (CAP_SYS_NICE, seccomp) to "
				 "measure node placement"
			       : "one node: nothing to place");
}

static void check_load(struct checks *c)
{
	const struct zc_sysinfo *si = c->si;
	double l = si->loadavg1;
	int n = si->npus_online > 0 ? si->npus_online : si->npus;
	if (isnan(l) || n <= 0)
		add(c, "load", ZC_CHECK_INFO, "load average not readable");
	else if (l >= n)
		advise(add(c, "load", ZC_CHECK_BAD,
			   "load average %.2f on %d CPUs: every CPU is busy", l,
			   n),
		       "stop other work (top shows what runs) before "
		       "measuring");
	else if (l >= 0.5 * n)
		advise(add(c, "load", ZC_CHECK_WARN,
			   "load average %.2f on %d CPUs: other work competes "
			   "for the CPUs",
			   l, n),
		       "measure on a quiet machine, or isolate CPUs");
	else
		add(c, "load", ZC_CHECK_OK, "load average %.2f on %d CPUs", l,
		    n);
}

static void check_cpus(struct checks *c)
{
	int n = c->si->npus;
	if (n < 2)
		advise(add(c, "cpus", ZC_CHECK_BAD,
			   "%d CPU allowed: threads cannot run in parallel; "
			   "every cross-core case is skipped",
			   n),
		       "give the process more CPUs (taskset, cgroup cpuset)");
	else if (n < 4)
		advise(add(c, "cpus", ZC_CHECK_WARN,
			   "only %d CPUs allowed: some placement classes and "
			   "thread counts are impossible, and the OS shares "
			   "the measured CPUs",
			   n),
		       "skipped cases say why; use a machine with more cores "
		       "for the full sweep");
	else
		add(c, "cpus", ZC_CHECK_OK, "%d CPUs allowed (%s)", n,
		    c->si->allowed);
}

static void (*const checkers[])(struct checks *c) = {
	check_virt,	 check_governor, check_boost,	 check_smt,
	check_isolation, check_thp,	 check_paranoid, check_counters,
	check_numa,	 check_load,	 check_cpus,
};

int zc_sysinfo_checks(const struct zc_sysinfo *si, const struct zc_evset *ev,
		      struct zc_check *out, int max)
{
	struct checks c = {.out = out, .max = max, .si = si, .ev = ev};
	for (size_t i = 0; i < sizeof(checkers) / sizeof(checkers[0]); i++)
		checkers[i](&c);
	return c.n;
}
