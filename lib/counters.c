/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* Replaces <linux/perf_event.h>: the two collide. */
#include <perfmon/pfmlib_perf_event.h>

#include "counters.h"

#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT	  38

static pthread_once_t init_once_ctl = PTHREAD_ONCE_INIT;
/* Written once under init_once_ctl, read-only afterwards. */
static int pfm_status = PFM_SUCCESS;
static int paranoid_level;
static int user_only; /* the kernel level must be excluded to open at all */

/*
 * The kernel checks capabilities, not the uid (perfmon_capable()): root in
 * a container without CAP_SYS_ADMIN/CAP_PERFMON is as limited as anyone.
 */
static int perf_capable(void)
{
	char line[256];
	unsigned long long eff;
	int found = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = 1;
			break;
		}
	fclose(f);
	if (!found)
		return geteuid() == 0;
	return !!(eff & (1ULL << CAP_SYS_ADMIN_BIT | 1ULL << CAP_PERFMON_BIT));
}

static void init_once(void)
{
	pfm_status = pfm_initialize();
	paranoid_level = zc_counters_paranoid();
	/* perf_event_paranoid >= 2 forbids kernel-level counting for the
	 * unprivileged; below that everything may be counted. */
	user_only = paranoid_level >= 2 && !perf_capable();
}

int zc_counters_init(void)
{
	pthread_once(&init_once_ctl, init_once);
	return pfm_status == PFM_SUCCESS ? 0 : -ENODEV;
}

int zc_counters_paranoid(void)
{
	int v;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");

	if (!f)
		return -100;
	if (fscanf(f, "%d", &v) != 1)
		v = -100;
	fclose(f);
	return v;
}

const char *zc_ev_status_name(enum zc_ev_status s)
{
	static const char *const names[] = {
		[ZC_EV_OK] = "ok",	   [ZC_EV_UNSUPPORTED] = "unsupported",
		[ZC_EV_DENIED] = "denied", [ZC_EV_UNKNOWN] = "unknown",
		[ZC_EV_BUSY] = "busy",	   [ZC_EV_LIMIT] = "limit",
		[ZC_EV_ERROR] = "error",
	};
	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "error";
	return names[s];
}

static const char *errno_name(int err)
{
	switch (err) {
	case ENOENT:
		return "ENOENT";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case ENODEV:
		return "ENODEV";
	case EMFILE:
		return "EMFILE";
	case ENFILE:
		return "ENFILE";
	default:
		return "error";
	}
}

enum zc_ev_status zc_counters_status(int err, int hw, int paranoid, char *why,
				     size_t len)
{
	char dummy[1];

	if (!why || !len) {
		why = dummy;
		len = sizeof(dummy);
	}
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		why[0] = 0;
		return ZC_EV_OK;
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		if (hw)
			snprintf(why, len,
				 "no hardware PMU exposed (VM or hypervisor)");
		else
			snprintf(why, len, "%s: not supported by this kernel",
				 errno_name(err));
		return ZC_EV_UNSUPPORTED;
	case EACCES:
		if (paranoid == -100)
			snprintf(why, len,
				 "EACCES: perf_event_paranoid unreadable");
		else
			snprintf(why, len, "EACCES: perf_event_paranoid=%d",
				 paranoid);
		return ZC_EV_DENIED;
	case EPERM:
		snprintf(why, len, "EPERM: seccomp or missing CAP_PERFMON");
		return ZC_EV_DENIED;
	case EINVAL:
		snprintf(why, len, "EINVAL: the kernel rejects this encoding");
		return ZC_EV_UNKNOWN;
	case EBUSY:
		snprintf(why, len,
			 "EBUSY: counter in use (another tool or "
			 "the NMI watchdog)");
		return ZC_EV_BUSY;
	case EMFILE:
	case ENFILE:
		snprintf(why, len, "%s: too many open files (ulimit -n)",
			 errno_name(err));
		return ZC_EV_LIMIT;
	default:
		snprintf(why, len, "errno %d: %s", err, strerror(err));
		return ZC_EV_ERROR;
	}
}

/*
 * ENOENT on a hardware event means "no PMU" only when the kernel registered
 * no CPU PMU; with one (x86 "cpu", hybrid "cpu_core", Arm "armv8_*") it is
 * this event the PMU lacks.
 */
static int kernel_has_cpu_pmu(void)
{
	struct dirent *d;
	int found = 0;
	DIR *dir = opendir("/sys/bus/event_source/devices");

	if (!dir)
		return 0;
	while (!found && (d = readdir(dir)))
		found = !strcmp(d->d_name, "cpu") ||
			!strncmp(d->d_name, "cpu_", 4) ||
			!strncmp(d->d_name, "armv", 4);
	closedir(dir);
	return found;
}

static int is_hw_type(uint32_t type)
{
	return type == PERF_TYPE_HARDWARE || type == PERF_TYPE_HW_CACHE ||
	       type == PERF_TYPE_RAW || type >= PERF_TYPE_MAX;
}

/*
 * libpfm4's fstr lists every attribute ("...:u=1:k=1:precise=0:mg=0");
 * keep the event and its umasks, which is what identifies it. The levels
 * are kept in excl_* instead.
 */
static void compact_fstr(char *dst, size_t len, const char *fstr)
{
	const char *p = strstr(fstr, "::");
	size_t off;

	p = p ? p + 2 : fstr;
	off = snprintf(dst, len, "%.*s", (int)(strcspn(p, ":") + (p - fstr)),
		       fstr);
	p += strcspn(p, ":");
	while (*p == ':' && off < len) {
		size_t n = strcspn(p + 1, ":");
		if (!memchr(p + 1, '=', n))
			off += snprintf(dst + off, len - off, ":%.*s", (int)n,
					p + 1);
		p += 1 + n;
	}
}

/* Returns a PFM_ERR_* code; fills e on success. */
static int encode(struct zc_event *e, const char *name)
{
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	char *fstr = NULL;
	int r;

	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	arg.attr = &attr;
	arg.fstr = &fstr;
	r = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3 | PFM_PLMH,
				      PFM_OS_PERF_EVENT_EXT, &arg);
	if (r == PFM_SUCCESS) {
		e->resolved = 1;
		e->type = attr.type;
		e->config = attr.config;
		e->config1 = attr.config1;
		e->config2 = attr.config2;
		e->excl_user = attr.exclude_user;
		e->excl_kernel = attr.exclude_kernel;
		e->excl_hv = attr.exclude_hv;
		e->hw = is_hw_type(attr.type);
		compact_fstr(e->fstr, sizeof(e->fstr), fstr ? fstr : name);
		/* keep a level restriction visible, in libpfm4's syntax */
		if (e->excl_kernel != e->excl_user) {
			size_t n = strlen(e->fstr);
			snprintf(e->fstr + n, sizeof(e->fstr) - n, ":%c",
				 e->excl_kernel ? 'u' : 'k');
		}
	}
	free(fstr);
	return r;
}

/* perf software events that libpfm4 4.13 does not name. */
static const struct {
	const char *name;
	uint64_t config;
} sw_extra[] = {
	{"alignment-faults", PERF_COUNT_SW_ALIGNMENT_FAULTS},
	{"emulation-faults", PERF_COUNT_SW_EMULATION_FAULTS},
	{"dummy", PERF_COUNT_SW_DUMMY},
};

static int encode_sw_extra(struct zc_event *e, const char *name)
{
	for (size_t i = 0; i < sizeof(sw_extra) / sizeof(sw_extra[0]); i++)
		if (!strcasecmp(name, sw_extra[i].name)) {
			e->resolved = 1;
			e->type = PERF_TYPE_SOFTWARE;
			e->config = sw_extra[i].config;
			snprintf(e->fstr, sizeof(e->fstr), "perf::%s",
				 sw_extra[i].name);
			return PFM_SUCCESS;
		}
	return PFM_ERR_NOTFOUND;
}

/*
 * perf's generic names ("cycles", "cs", "LLC-load-misses") are tried in
 * libpfm4's perf:: table first, so that a native event of the default PMU
 * with the same name cannot shadow them; then the name as given.
 */
static int encode_name(struct zc_event *e, const char *name)
{
	char q[ZC_EV_NAME + 8];
	int r;

	if (!strstr(name, "::")) {
		snprintf(q, sizeof(q), "perf::%s", name);
		r = encode(e, q);
		if (r != PFM_ERR_NOTFOUND)
			return r;
	}
	r = encode(e, name);
	if (r == PFM_ERR_NOTFOUND)
		r = encode_sw_extra(e, name);
	return r;
}

/*
 * Cache-to-cache transfers (a load served from another core's modified
 * line), per PMU family, as libpfm4 spells them; checked with
 * LIBPFM_FORCE_PMU against libpfm4 4.13. Each is tried as
 * "<default pmu>::<event>"; the first that encodes is used, so the names of
 * other families simply fail to encode.
 */
static const char *const c2c_events[] = {
	/* Intel Nehalem, Westmere */
	"MEM_UNCORE_RETIRED:OTHER_CORE_L2_HITM",
	/* Intel Westmere DP */
	"MEM_UNCORE_RETIRED:LOCAL_HITM",
	/* Intel Sandy Bridge, Ivy Bridge */
	"MEM_LOAD_UOPS_LLC_HIT_RETIRED:XSNP_HITM",
	/* Intel Haswell, Broadwell */
	"MEM_LOAD_UOPS_L3_HIT_RETIRED:XSNP_HITM",
	/* Intel Skylake, Cascade Lake, Ice Lake */
	"MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM",
	/* Intel Sapphire Rapids and later: HITM folded into FWD */
	"MEM_LOAD_L3_HIT_RETIRED:XSNP_FWD",
	/* AMD Zen 2: fills from another cache, local or remote node */
	"DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_LCL_CACHE:"
	"LS_MABRESP_RMT_CACHE",
	/* AMD Zen 3 (perf: ls_dmnd_fills_from_sys): INT_CACHE also counts
	 * L3 hits in the CCX, which Zen 3 does not separate */
	"DEMAND_DATA_CACHE_FILLS_FROM_SYSTEM:INT_CACHE:EXT_CACHE_LCL:"
	"EXT_CACHE_RMT",
	/* AMD Zen 4: same caveat for LOCAL_CCX */
	"DEMAND_DATA_CACHE_FILLS_FROM_SYSTEM:LOCAL_CCX:NEAR_CACHE_NEAR_FAR:"
	"FAR_CACHE_NEAR_FAR",
};

/* The core PMU libpfm4 detected (its default if it names one). */
static int default_core_pmu(pfm_pmu_info_t *out)
{
	pfm_pmu_info_t pi;
	int i, found = 0;

	pfm_for_all_pmus(i)
	{
		memset(&pi, 0, sizeof(pi));
		pi.size = sizeof(pi);
		if (pfm_get_pmu_info(i, &pi) != PFM_SUCCESS || !pi.is_present ||
		    pi.type != PFM_PMU_TYPE_CORE)
			continue;
		if (!found || pi.is_dfl)
			*out = pi;
		found = 1;
		if (pi.is_dfl)
			break;
	}
	return found;
}

static int resolve_c2c(struct zc_event *e)
{
	pfm_pmu_info_t pmu = {0};
	char q[192];
	int r;

	e->hw = 1;
	if (!default_core_pmu(&pmu)) {
		snprintf(e->why, sizeof(e->why),
			 "no cache-to-cache event known for this CPU (libpfm4 "
			 "finds no core PMU)");
		return PFM_ERR_NOTFOUND;
	}
	for (size_t i = 0; i < sizeof(c2c_events) / sizeof(c2c_events[0]);
	     i++) {
		snprintf(q, sizeof(q), "%s::%s", pmu.name, c2c_events[i]);
		r = encode(e, q);
		if (r == PFM_SUCCESS || r == PFM_ERR_NOMEM)
			return r;
	}
	snprintf(e->why, sizeof(e->why), "no cache-to-cache event known for %s",
		 pmu.name);
	return PFM_ERR_NOTFOUND;
}

static void build_attr(struct perf_event_attr *attr, const struct zc_event *e)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = e->type;
	attr->config = e->config;
	attr->config1 = e->config1;
	attr->config2 = e->config2;
	attr->read_format =
		PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	attr->disabled = 1;
	attr->exclude_user = e->excl_user;
	attr->exclude_kernel = e->excl_kernel || user_only;
	attr->exclude_hv = e->excl_hv || user_only;
}

/* Software events that happen in the kernel only: 0 in user space. */
static int kernel_only(const struct zc_event *e)
{
	return e->type == PERF_TYPE_SOFTWARE &&
	       (e->config == PERF_COUNT_SW_CONTEXT_SWITCHES ||
		e->config == PERF_COUNT_SW_CPU_MIGRATIONS);
}

/* Open e for thread pid (0: the calling one); -errno, or the fd. */
static int open_event(const struct zc_event *e, pid_t pid)
{
	struct perf_event_attr attr;
	int fd;

	build_attr(&attr, e);
	fd = perf_event_open(&attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Status of an open attempt; the reason refined with what we know. */
static enum zc_ev_status open_status(const struct zc_event *e, int err,
				     char *why, size_t len)
{
	enum zc_ev_status st =
		zc_counters_status(err, e->hw, paranoid_level, why, len);

	if (st == ZC_EV_UNSUPPORTED && e->hw && kernel_has_cpu_pmu())
		snprintf(why, len, "%s: this CPU's PMU does not count it",
			 errno_name(-err));
	if (st == ZC_EV_OK && user_only && !e->excl_kernel) {
		if (kernel_only(e)) {
			snprintf(why, len,
				 "kernel-only event; "
				 "perf_event_paranoid=%d allows user "
				 "space only (see rusage)",
				 paranoid_level);
			return ZC_EV_DENIED;
		}
		snprintf(why, len, "user space only (perf_event_paranoid=%d)",
			 paranoid_level);
	}
	return st;
}

static void probe(struct zc_event *e)
{
	int fd = open_event(e, 0);

	e->status = open_status(e, fd < 0 ? fd : 0, e->why, sizeof(e->why));
	if (fd >= 0)
		close(fd);
}

/* 0, or -ENOMEM. */
static int resolve_one(struct zc_event *e)
{
	int r;

	e->status = ZC_EV_UNKNOWN;
	if (pfm_status != PFM_SUCCESS) {
		snprintf(e->why, sizeof(e->why),
			 "libpfm4 failed to initialise: %s",
			 pfm_strerror(pfm_status));
		return 0;
	}
	if (!strcasecmp(e->name, "c2c")) {
		r = resolve_c2c(e);
	} else {
		r = encode_name(e, e->name);
		if (r != PFM_SUCCESS)
			snprintf(e->why, sizeof(e->why),
				 "unknown event (libpfm4: %s)",
				 pfm_strerror(r));
	}
	if (r == PFM_ERR_NOMEM)
		return -ENOMEM;
	if (r == PFM_SUCCESS) {
		e->why[0] = 0;
		probe(e);
	}
	return 0;
}

/* Split list into s->ev[].name; -EINVAL for an empty item, too many or
 * too long names. */
static int split_names(struct zc_evset *s, const char *list)
{
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ","), lead = strspn(p, " \t");

		if (lead > n)
			lead = n;
		while (n > lead && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == lead || s->n == ZC_EV_MAX || n - lead >= ZC_EV_NAME)
			return -EINVAL;
		memcpy(s->ev[s->n].name, p + lead, n - lead);
		s->ev[s->n].name[n - lead] = 0;
		s->n++;
		p += strcspn(p, ",");
		if (!*p)
			return 0;
		p++;
	}
}

int zc_evset_resolve(struct zc_evset *s, const char *list)
{
	int err;

	if (!s)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	if (!list)
		return -EINVAL;
	err = split_names(s, list);
	if (err < 0) {
		memset(s, 0, sizeof(*s));
		return err;
	}
	zc_counters_init();
	for (int i = 0; i < s->n; i++) {
		err = resolve_one(&s->ev[i]);
		if (err < 0)
			return err;
	}
	return 0;
}

static int open_all(struct zc_counters *c, const struct zc_evset *s, pid_t pid)
{
	if (!c || !s || s->n < 0 || s->n > ZC_EV_MAX)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->set = s;
	c->pid = pid;
	zc_counters_init();
	for (int i = 0; i < ZC_EV_MAX; i++) {
		const struct zc_event *e = &s->ev[i];
		int fd;

		c->fd[i] = -1;
		if (i >= s->n)
			continue;
		c->status[i] = e->status;
		memcpy(c->why[i], e->why, sizeof(c->why[i]));
		if (e->status != ZC_EV_OK)
			continue;
		fd = open_event(e, pid);
		c->status[i] = open_status(e, fd < 0 ? fd : 0, c->why[i],
					   sizeof(c->why[i]));
		if (fd >= 0 && c->status[i] == ZC_EV_OK)
			c->fd[i] = fd;
		else if (fd >= 0)
			close(fd);
	}
	return 0;
}

int zc_counters_open(struct zc_counters *c, const struct zc_evset *s)
{
	return open_all(c, s, 0);
}

int zc_counters_open_pid(struct zc_counters *c, const struct zc_evset *s,
			 pid_t pid)
{
	return pid > 0 ? open_all(c, s, pid) : -EINVAL;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double tv_ns(const struct timeval *tv)
{
	return tv->tv_sec * 1e9 + tv->tv_usec * 1e3;
}

/* value, time enabled, time running; -errno. */
static int read_event(int fd, uint64_t v[3])
{
	ssize_t n = read(fd, v, 3 * sizeof(uint64_t));

	if (n == (ssize_t)(3 * sizeof(uint64_t)))
		return 0;
	return n < 0 ? -errno : -EIO;
}

int zc_counters_start(struct zc_counters *c)
{
	if (!c || !c->set)
		return -EINVAL;
	for (int i = 0; i < c->set->n; i++) {
		int err;

		if (c->fd[i] < 0)
			continue;
		err = read_event(c->fd[i], c->base[i]);
		if (err < 0) {
			c->status[i] = ZC_EV_ERROR;
			snprintf(c->why[i], sizeof(c->why[i]), "read: %s",
				 strerror(-err));
			close(c->fd[i]);
			c->fd[i] = -1;
		}
	}
	for (int i = 0; i < c->set->n; i++)
		if (c->fd[i] >= 0)
			ioctl(c->fd[i], PERF_EVENT_IOC_ENABLE, 0);
	/* Last, so that the rusage/CPU window is the closest to the region.
	 * Another process's are not ours to read. */
	if (!c->pid) {
		getrusage(RUSAGE_THREAD, &c->ru0);
		c->cpu0_ns = thread_cpu_ns();
	}
	return 0;
}

static void absent(struct zc_counts *out, int i, enum zc_ev_status st,
		   const char *why)
{
	out->status[i] = st;
	out->value[i] = NAN;
	out->running[i] = NAN;
	snprintf(out->why[i], sizeof(out->why[i]), "%s", why);
}

int zc_counters_stop(struct zc_counters *c, struct zc_counts *out)
{
	struct rusage ru;
	uint64_t cpu_ns;

	if (!c || !c->set || !out)
		return -EINVAL;
	cpu_ns = thread_cpu_ns();
	getrusage(RUSAGE_THREAD, &ru);
	for (int i = 0; i < c->set->n; i++)
		if (c->fd[i] >= 0)
			ioctl(c->fd[i], PERF_EVENT_IOC_DISABLE, 0);

	memset(out, 0, sizeof(*out));
	out->n = c->set->n;
	if (c->pid) {
		ru = c->ru0; /* zero: another process's are not read */
		cpu_ns = c->cpu0_ns;
	}
	out->nvcsw = (double)(ru.ru_nvcsw - c->ru0.ru_nvcsw);
	out->nivcsw = (double)(ru.ru_nivcsw - c->ru0.ru_nivcsw);
	out->minflt = (double)(ru.ru_minflt - c->ru0.ru_minflt);
	out->majflt = (double)(ru.ru_majflt - c->ru0.ru_majflt);
	out->utime_ns = tv_ns(&ru.ru_utime) - tv_ns(&c->ru0.ru_utime);
	out->stime_ns = tv_ns(&ru.ru_stime) - tv_ns(&c->ru0.ru_stime);
	out->cpu_ns = (double)(cpu_ns - c->cpu0_ns);

	for (int i = 0; i < out->n; i++) {
		uint64_t v[3];
		double dv, de, dr;
		int err;

		if (c->fd[i] < 0) {
			absent(out, i, c->status[i], c->why[i]);
			continue;
		}
		err = read_event(c->fd[i], v);
		if (err < 0) {
			char why[ZC_EV_WHY];
			snprintf(why, sizeof(why), "read: %s", strerror(-err));
			absent(out, i, ZC_EV_ERROR, why);
			continue;
		}
		dv = (double)(v[0] - c->base[i][0]);
		de = (double)(v[1] - c->base[i][1]);
		dr = (double)(v[2] - c->base[i][2]);
		if (de > 0 && dr == 0) {
			absent(out, i, ZC_EV_BUSY,
			       "never on a counter in this region (multiplexed "
			       "out)");
			continue;
		}
		out->status[i] = ZC_EV_OK;
		memcpy(out->why[i], c->why[i], sizeof(out->why[i]));
		/* de == 0: a region too short for the clock; nothing was
		 * multiplexed, so the raw count stands. */
		out->value[i] = de > 0 ? dv * (de / dr) : dv;
		out->running[i] = de > 0 ? dr / de : 1.0;
	}
	return 0;
}

void zc_counters_close(struct zc_counters *c)
{
	if (!c)
		return;
	for (int i = 0; i < ZC_EV_MAX; i++) {
		if (c->fd[i] >= 0)
			close(c->fd[i]);
		c->fd[i] = -1;
	}
}

void zc_counts_init(struct zc_counts *c, const struct zc_evset *s)
{
	if (!c)
		return;
	memset(c, 0, sizeof(*c));
	c->n = s ? s->n : 0;
	for (int i = 0; i < c->n; i++) {
		if (s->ev[i].status != ZC_EV_OK) {
			absent(c, i, s->ev[i].status, s->ev[i].why);
			continue;
		}
		c->status[i] = ZC_EV_OK;
		c->running[i] = 1.0;
		memcpy(c->why[i], s->ev[i].why, sizeof(c->why[i]));
	}
}

void zc_counts_add(struct zc_counts *a, const struct zc_counts *b)
{
	if (!a || !b)
		return;
	for (int i = 0; i < a->n && i < b->n; i++) {
		if (a->status[i] != ZC_EV_OK || isnan(a->value[i]))
			continue;
		if (b->status[i] != ZC_EV_OK || isnan(b->value[i])) {
			absent(a, i,
			       b->status[i] != ZC_EV_OK ? b->status[i]
							: ZC_EV_ERROR,
			       b->why[i]);
			continue;
		}
		a->value[i] += b->value[i];
		/* Without the enabled times a weighted ratio is impossible;
		 * the worst one is the honest summary. */
		a->running[i] = fmin(a->running[i], b->running[i]);
	}
	a->nvcsw += b->nvcsw;
	a->nivcsw += b->nivcsw;
	a->minflt += b->minflt;
	a->majflt += b->majflt;
	a->utime_ns += b->utime_ns;
	a->stime_ns += b->stime_ns;
	a->cpu_ns += b->cpu_ns;
}
