/* SPDX-License-Identifier: MIT */
/*
 * checks — the noise checks behind `zcbench doctor`: the fingerprint
 * turned into findings, each with what the user can do about it (see
 * sysinfo.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sysinfo.h"
#include "regime.h"
#include "stats.h"

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

void zc_check_pace(struct zc_check *k, int a, int b, const double *p, int n,
		   double seconds)
{
	double floor = INFINITY, slow[n > 0 ? n : 1], rel[n > 0 ? n : 1], bound,
	       top = 1;
	int ok = 0, ns = 0;

	memset(k, 0, sizeof(*k));
	k->name = "host contention";
	for (int i = 0; i < n; i++)
		if (isfinite(p[i])) {
			ok++;
			floor = fmin(floor, p[i]);
		}
	if (!ok) {
		k->level = ZC_CHECK_INFO;
		snprintf(k->finding, sizeof(k->finding),
			 "could not time the pace loop on CPUs %d and %d", a,
			 b);
		return;
	}
	for (int i = 0; i < n; i++) {
		rel[i] = p[i] / floor;
		if (isfinite(rel[i]))
			top = fmax(top, rel[i]);
	}
	/* the run's rule (lib/regime.h): a slower level apart, by a gap */
	if (zc_pace_bound(rel, (size_t)n, &bound) < 0)
		bound = INFINITY;
	for (int i = 0; i < n; i++)
		if (zc_pace_slowed(floor, floor, p[i], NAN, bound))
			slow[ns++] = rel[i];
	if (!ns) {
		k->level = ZC_CHECK_OK;
		snprintf(k->finding, sizeof(k->finding),
			 "steady: CPUs %d and %d ran the pace loop at one "
			 "level, within %.2fx of their fastest (%.0f ns per "
			 "1000 iterations) in %d measurements over %.0f s",
			 a, b, top, floor, ok, seconds);
		return;
	}
	zc_stats_sort(slow, (size_t)ns);
	k->level = ZC_CHECK_WARN;
	snprintf(k->finding, sizeof(k->finding),
		 "in %d of %d measurements over %.0f s CPUs %d and %d ran "
		 "the pace loop at a slower level, above %.2fx their fastest "
		 "(%.0f ns per 1000 iterations): %.2fx at the median of "
		 "those, %.2fx at worst",
		 ns, ok, seconds, a, b, bound, floor,
		 zc_stats_quantile_sorted(slow, (size_t)ns, 0.5), slow[ns - 1]);
	snprintf(k->advice, sizeof(k->advice),
		 "the host shares these cores (another tenant on the other "
		 "hyperthread) or lowers their clock: every figure, local "
		 "ones too, slows with it; zcbench marks such samples "
		 "'slowed' and leaves them out of the regime rows");
}

void zc_check_handoff(struct zc_check *k, int a, int b, const double *v, int n,
		      double seconds)
{
	struct zc_regimes r;
	int changes = 0, prev = ZC_REGIME_NONE, ok = 0;
	size_t off;

	memset(k, 0, sizeof(*k));
	k->name = "host placement";
	for (int i = 0; i < n; i++)
		ok += isfinite(v[i]);
	if (!ok || zc_regimes_find(v, (size_t)n, &r) < 0 || r.n == 0) {
		k->level = ZC_CHECK_INFO;
		snprintf(k->finding, sizeof(k->finding),
			 "could not measure the cache-line hand-off between "
			 "CPUs %d and %d",
			 a, b);
		return;
	}
	for (int i = 0; i < n; i++) {
		int g = zc_regime_of(&r, v[i]);
		if (g < 0)
			continue;
		changes += prev >= 0 && g != prev;
		prev = g;
	}
	if (r.n == 1 && !r.drifting[0]) {
		k->level = ZC_CHECK_OK;
		snprintf(k->finding, sizeof(k->finding),
			 "steady: the cache-line hand-off between CPUs %d and "
			 "%d took %.0f ns (%.0f..%.0f) in %d measurements over "
			 "%.0f s",
			 a, b, r.median[0], r.lo[0], r.hi[0], ok, seconds);
		return;
	}
	k->level = ZC_CHECK_WARN;
	off = (size_t)snprintf(k->finding, sizeof(k->finding),
			       "the hand-off between CPUs %d and %d took", a,
			       b);
	for (int g = 0; g < r.n && off < sizeof(k->finding); g++)
		off += (size_t)snprintf(
			k->finding + off, sizeof(k->finding) - off,
			"%s %.0f ns (%.0f %%%s)", g ? "," : "", r.median[g],
			100.0 * r.count[g] / r.total,
			r.drifting[g] ? ", drifting" : "");
	if (off < sizeof(k->finding))
		snprintf(k->finding + off, sizeof(k->finding) - off,
			 "; it changed %d times in %.0f s", changes, seconds);
	snprintf(k->advice, sizeof(k->advice),
		 "the host moves the vCPUs between near and far cores: every "
		 "cross-core figure follows; zcbench reports it per regime "
		 "(rows '@<n>ns'); compare only within one regime");
}
