/* SPDX-License-Identifier: MIT */
/*
 * sysinfo — the environment fingerprint collected from /proc, /sys, uname,
 * CPUID and the topology (see sysinfo.h). meta.json and Google
 * Benchmark's context are built in meta.c, doctor's checks in checks.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "shm.h"
#include "sysinfo.h"
#include "sysinfo_int.h"

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

void zc_sysinfo_copy(char *dst, size_t len, const char *src)
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
			zc_sysinfo_copy(si->cpu_model, sizeof(si->cpu_model),
					colon + 1);
		else if (!strcmp(line, "vendor_id") && !si->vendor[0])
			zc_sysinfo_copy(si->vendor, sizeof(si->vendor),
					colon + 1);
		else if (!strcmp(line, "cpu MHz") && si->mhz == 0)
			si->mhz = strtod(colon + 1, NULL);
		else if (!strcmp(line, "flags") &&
			 strstr(colon + 1, " hypervisor"))
			*hv_flag = 1;
		/* Arm: no model name; "CPU implementer" is a number. */
		else if (!strcmp(line, "Hardware") && !si->cpu_model[0])
			zc_sysinfo_copy(si->cpu_model, sizeof(si->cpu_model),
					colon + 1);
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
		zc_sysinfo_copy(si->virt, sizeof(si->virt),
				sig[0] ? sig : "unknown");
		return;
	}
#endif
	if (read_line("/sys/hypervisor/type", buf, sizeof(buf)) == 0 &&
	    buf[0]) {
		zc_sysinfo_copy(si->virt, sizeof(si->virt), buf);
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
		zc_sysinfo_copy(si->kernel, sizeof(si->kernel), u.release);
		zc_sysinfo_copy(si->arch, sizeof(si->arch), u.machine);
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
	zc_sysinfo_copy(si->numa_binding, sizeof(si->numa_binding), buf);
	return 0;
}
