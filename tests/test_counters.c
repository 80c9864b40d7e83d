/* SPDX-License-Identifier: MIT */
/*
 * Description: counters: errno to status mapping, name resolution, software
 * events counting, absent hardware events, the c2c table, counts_add
 * Labels: unit
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <perfmon/pfmlib_perf_event.h>

#include "counters.h"

static int failed;

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #c);                                 \
			failed = 1;                                            \
		}                                                              \
	} while (0)

static int find(const struct zc_evset *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->ev[i].name, name))
			return i;
	return -1;
}

static void test_status_mapping(void)
{
	static const struct {
		int err, hw;
		enum zc_ev_status st;
		const char *why; /* prefix */
	} cases[] = {
		{0, 1, ZC_EV_OK, ""},
		{ENOENT, 1, ZC_EV_UNSUPPORTED,
		 "no hardware PMU exposed (VM or hypervisor)"},
		{ENOENT, 0, ZC_EV_UNSUPPORTED, "ENOENT"},
		{EOPNOTSUPP, 1, ZC_EV_UNSUPPORTED, "no hardware PMU exposed"},
		{EOPNOTSUPP, 0, ZC_EV_UNSUPPORTED, "EOPNOTSUPP"},
		{ENODEV, 0, ZC_EV_UNSUPPORTED, "ENODEV"},
		{EACCES, 1, ZC_EV_DENIED, "EACCES: perf_event_paranoid=2"},
		{EPERM, 0, ZC_EV_DENIED,
		 "EPERM: seccomp or missing CAP_PERFMON"},
		{EINVAL, 1, ZC_EV_UNKNOWN, "EINVAL"},
		{EBUSY, 1, ZC_EV_BUSY, "EBUSY"},
		{EMFILE, 0, ZC_EV_LIMIT, "EMFILE"},
		{ENFILE, 0, ZC_EV_LIMIT, "ENFILE"},
		{E2BIG, 0, ZC_EV_ERROR, "errno"},
	};
	char why[ZC_EV_WHY], tiny[8];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int sign = 1; sign >= -1; sign -= 2) {
			memset(why, 'x', sizeof(why));
			CHECK(zc_counters_status(sign * cases[i].err,
						 cases[i].hw, 2, why,
						 sizeof(why)) == cases[i].st);
			CHECK(!strncmp(why, cases[i].why,
				       strlen(cases[i].why)));
			CHECK(memchr(why, 0, sizeof(why)));
			if (cases[i].st != ZC_EV_OK)
				CHECK(why[0]);
		}
		/* short buffers and no buffer are safe */
		zc_counters_status(cases[i].err, 1, 2, tiny, sizeof(tiny));
		CHECK(memchr(tiny, 0, sizeof(tiny)));
		CHECK(zc_counters_status(cases[i].err, 1, 2, NULL, 0) ==
		      cases[i].st);
	}
	zc_counters_status(EACCES, 0, -100, why, sizeof(why));
	CHECK(strstr(why, "EACCES") && strstr(why, "unreadable"));
	zc_counters_status(EACCES, 0, 3, why, sizeof(why));
	CHECK(!strcmp(why, "EACCES: perf_event_paranoid=3"));

	CHECK(!strcmp(zc_ev_status_name(ZC_EV_OK), "ok"));
	for (int a = ZC_EV_OK; a <= ZC_EV_ERROR; a++)
		for (int b = a + 1; b <= ZC_EV_ERROR; b++)
			CHECK(strcmp(zc_ev_status_name(a),
				     zc_ev_status_name(b)));
}

static void test_lists(void)
{
	static struct zc_evset s;
	char many[40 * (ZC_EV_MAX + 1)] = "", longname[ZC_EV_NAME + 8];

	CHECK(zc_evset_resolve(&s, "") == -EINVAL);
	CHECK(zc_evset_resolve(&s, NULL) == -EINVAL);
	CHECK(zc_evset_resolve(&s, "task-clock,,page-faults") == -EINVAL);
	CHECK(zc_evset_resolve(&s, "task-clock,") == -EINVAL);
	CHECK(zc_evset_resolve(&s, " , ") == -EINVAL);
	CHECK(s.n == 0);
	for (int i = 0; i < ZC_EV_MAX; i++)
		strcat(many, i ? ",task-clock" : "task-clock");
	CHECK(zc_evset_resolve(&s, many) == 0 && s.n == ZC_EV_MAX);
	strcat(many, ",page-faults");
	CHECK(zc_evset_resolve(&s, many) == -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	CHECK(zc_evset_resolve(&s, longname) == -EINVAL);

	CHECK(zc_evset_resolve(&s, " task-clock ,\tpage-faults") == 0);
	CHECK(s.n == 2 && !strcmp(s.ev[0].name, "task-clock") &&
	      !strcmp(s.ev[1].name, "page-faults"));
}

/* perf's generic names and their encodings. */
static void test_generic_names(void)
{
	static const struct {
		const char *name;
		uint32_t type;
		uint64_t config;
		int hw;
	} cases[] = {
		{"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 1},
		{"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS,
		 1},
		{"cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES,
		 1},
		{"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0},
		{"context-switches", PERF_TYPE_SOFTWARE,
		 PERF_COUNT_SW_CONTEXT_SWITCHES, 0},
		{"cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, 0},
		{"cpu-migrations", PERF_TYPE_SOFTWARE,
		 PERF_COUNT_SW_CPU_MIGRATIONS, 0},
		{"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS,
		 0},
		{"alignment-faults", PERF_TYPE_SOFTWARE,
		 PERF_COUNT_SW_ALIGNMENT_FAULTS, 0},
		{"perf::PERF_COUNT_HW_CPU_CYCLES", PERF_TYPE_HARDWARE,
		 PERF_COUNT_HW_CPU_CYCLES, 1},
	};
	static struct zc_evset s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(zc_evset_resolve(&s, cases[i].name) == 0 && s.n == 1);
		CHECK(s.ev[0].resolved);
		CHECK(s.ev[0].type == cases[i].type);
		CHECK(s.ev[0].config == cases[i].config);
		CHECK(s.ev[0].hw == cases[i].hw);
		CHECK(!strncmp(s.ev[0].fstr, "perf::", 6));
		/* the compact name carries no attribute=value noise */
		CHECK(!strchr(s.ev[0].fstr, '='));
		CHECK(!s.ev[0].excl_user && !s.ev[0].excl_kernel);
	}
	CHECK(zc_evset_resolve(&s, "cycles:u") == 0 && s.ev[0].resolved);
	CHECK(s.ev[0].excl_kernel && !s.ev[0].excl_user);
	CHECK(!strcmp(s.ev[0].fstr, "perf::PERF_COUNT_HW_CPU_CYCLES:u"));
}

static void busy(double *sink)
{
	/* page faults and CPU time the counters must see */
	size_t len = 8 << 20;
	char *p = malloc(len);
	double x = 1;

	if (!p)
		abort();
	memset(p, 1, len);
	for (long i = 0; i < 30000000; i++)
		x = x * 1.0000001 + p[(i * 4096) % len];
	*sink += x;
	free(p);
}

static void test_software(void)
{
	static struct zc_evset s;
	struct zc_counters c;
	struct zc_counts k, sum;
	double sink = 0;
	int tc, pf, bad;

	CHECK(zc_evset_resolve(&s, "task-clock,nosuchevent,page-faults") == 0);
	tc = find(&s, "task-clock");
	pf = find(&s, "page-faults");
	bad = find(&s, "nosuchevent");
	CHECK(tc == 0 && bad == 1 && pf == 2);
	CHECK(s.ev[bad].status == ZC_EV_UNKNOWN && !s.ev[bad].resolved);
	CHECK(strstr(s.ev[bad].why, "unknown event"));
	if (s.ev[tc].status != ZC_EV_OK) {
		printf("skip software counting: task-clock %s: %s\n",
		       zc_ev_status_name(s.ev[tc].status), s.ev[tc].why);
		return;
	}
	CHECK(s.ev[pf].status == ZC_EV_OK);
	CHECK(s.ev[tc].hw == 0);

	CHECK(zc_counters_open(&c, &s) == 0);
	zc_counts_init(&sum, &s);
	CHECK(sum.value[tc] == 0 && isnan(sum.value[bad]));
	for (int round = 0; round < 2; round++) {
		CHECK(zc_counters_start(&c) == 0);
		busy(&sink);
		CHECK(zc_counters_stop(&c, &k) == 0);
		CHECK(k.n == 3);
		CHECK(k.status[tc] == ZC_EV_OK && k.value[tc] > 0);
		CHECK(k.running[tc] > 0 && k.running[tc] <= 1.0);
		/* task-clock and the thread CPU clock see the same region:
		 * a broken baseline or scale would be far off */
		CHECK(k.cpu_ns > 0);
		CHECK(k.value[tc] > 0.5 * k.cpu_ns &&
		      k.value[tc] < 2.0 * k.cpu_ns + 1e6);
		CHECK(k.status[pf] == ZC_EV_OK && k.value[pf] > 0);
		CHECK(k.minflt > 0);
		CHECK(k.status[bad] == ZC_EV_UNKNOWN && isnan(k.value[bad]));
		CHECK(isnan(k.running[bad]));
		CHECK(strstr(k.why[bad], "unknown event"));
		zc_counts_add(&sum, &k);
	}
	CHECK(sum.value[tc] > k.value[tc]);
	CHECK(isnan(sum.value[bad]) && sum.status[bad] == ZC_EV_UNKNOWN);
	CHECK(sum.cpu_ns > k.cpu_ns);
	zc_counters_close(&c);
	for (int i = 0; i < ZC_EV_MAX; i++)
		CHECK(c.fd[i] == -1);
	zc_counters_close(&c); /* twice is harmless */
	if (sink == 42)
		printf("%g\n", sink);
}

/* Absent on this VM (no PMU); counted on a machine with one. */
static void test_hardware(void)
{
	static struct zc_evset s;
	struct zc_counters c;
	struct zc_counts k;
	double sink = 0;

	CHECK(zc_evset_resolve(&s, "cycles,instructions") == 0);
	CHECK(zc_counters_open(&c, &s) == 0);
	CHECK(zc_counters_start(&c) == 0);
	busy(&sink);
	CHECK(zc_counters_stop(&c, &k) == 0);
	zc_counters_close(&c);
	for (int i = 0; i < 2; i++) {
		CHECK(s.ev[i].hw);
		if (k.status[i] == ZC_EV_OK) {
			printf("%s: %.0f (running %.2f)\n", s.ev[i].name,
			       k.value[i], k.running[i]);
			CHECK(k.value[i] > 0);
		} else {
			printf("%s: %s: %s\n", s.ev[i].name,
			       zc_ev_status_name(k.status[i]), k.why[i]);
			CHECK(isnan(k.value[i]));
			CHECK(k.why[i][0]);
			CHECK(s.ev[i].status == k.status[i]);
		}
	}
	if (sink == 42)
		printf("%g\n", sink);
}

static void test_c2c_default(void)
{
	static struct zc_evset s;

	CHECK(zc_evset_resolve(&s, "c2c") == 0 && s.n == 1);
	CHECK(s.ev[0].hw);
	if (s.ev[0].resolved) {
		CHECK(strstr(s.ev[0].fstr, "::"));
		printf("c2c: %s: %s %s\n", s.ev[0].fstr,
		       zc_ev_status_name(s.ev[0].status), s.ev[0].why);
	} else {
		CHECK(s.ev[0].status == ZC_EV_UNKNOWN);
		CHECK(!strncmp(s.ev[0].why, "no cache-to-cache event known for",
			       33));
		printf("c2c: %s\n", s.ev[0].why);
	}
}

static void test_counts_add(void)
{
	static struct zc_evset s;
	struct zc_counts a, b;

	memset(&s, 0, sizeof(s));
	s.n = 3;
	s.ev[0].status = ZC_EV_OK;
	s.ev[1].status = ZC_EV_UNSUPPORTED;
	strcpy(s.ev[1].why, "no hardware PMU exposed (VM or hypervisor)");
	s.ev[2].status = ZC_EV_OK;
	zc_counts_init(&a, &s);
	CHECK(a.n == 3 && a.value[0] == 0 && a.running[0] == 1.0);
	CHECK(isnan(a.value[1]) && a.status[1] == ZC_EV_UNSUPPORTED);
	CHECK(!strcmp(a.why[1], s.ev[1].why));

	zc_counts_init(&b, &s);
	b.value[0] = 10;
	b.running[0] = 0.5;
	b.value[1] = 5; /* absent in a: must stay absent */
	b.status[1] = ZC_EV_OK;
	b.status[2] = ZC_EV_DENIED; /* absent in b: a becomes absent */
	b.value[2] = NAN;
	strcpy(b.why[2], "EACCES: perf_event_paranoid=2");
	b.nvcsw = 2;
	b.minflt = 3;
	b.cpu_ns = 100;
	zc_counts_add(&a, &b);
	zc_counts_add(&a, &b);
	CHECK(a.value[0] == 20 && a.running[0] == 0.5);
	CHECK(isnan(a.value[1]) && a.status[1] == ZC_EV_UNSUPPORTED);
	CHECK(isnan(a.value[2]) && a.status[2] == ZC_EV_DENIED);
	CHECK(!strcmp(a.why[2], "EACCES: perf_event_paranoid=2"));
	CHECK(a.nvcsw == 4 && a.minflt == 6 && a.cpu_ns == 200);
}

static void test_misuse(void)
{
	static struct zc_evset s;
	struct zc_counters c;
	struct zc_counts k;

	CHECK(zc_counters_open(NULL, &s) == -EINVAL);
	CHECK(zc_counters_open(&c, NULL) == -EINVAL);
	CHECK(zc_counters_start(NULL) == -EINVAL);
	CHECK(zc_counters_stop(NULL, &k) == -EINVAL);
	CHECK(zc_evset_resolve(NULL, "task-clock") == -EINVAL);
	zc_counters_close(NULL);
	zc_counts_add(NULL, &k);
	/* an empty set still records rusage and CPU time */
	memset(&s, 0, sizeof(s));
	CHECK(zc_counters_open(&c, &s) == 0);
	CHECK(zc_counters_start(&c) == 0);
	CHECK(zc_counters_stop(&c, &k) == 0);
	CHECK(k.n == 0 && k.cpu_ns >= 0);
	CHECK(zc_counters_stop(&c, NULL) == -EINVAL);
	zc_counters_close(&c);
}

/*
 * The c2c table against libpfm4's own tables: LIBPFM_FORCE_PMU makes it
 * detect another CPU. Runs in a child, before libpfm4 is initialised.
 * Exit 0 ok, 1 failed, 77 libpfm4 does not know that PMU.
 */
static int child_c2c(const char *pmu, const char *want)
{
	static struct zc_evset s;
	char fstr[192];

	setenv("LIBPFM_FORCE_PMU", pmu, 1);
	if (zc_evset_resolve(&s, "c2c") != 0)
		return 1;
	if (!want) {
		snprintf(fstr, sizeof(fstr),
			 "no cache-to-cache event known for %s", pmu);
		if (s.ev[0].status != ZC_EV_UNKNOWN ||
		    strcmp(s.ev[0].why, fstr)) {
			fprintf(stderr, "c2c on %s: %s %s\n", pmu,
				zc_ev_status_name(s.ev[0].status), s.ev[0].why);
			return strstr(s.ev[0].why, "finds no core PMU") ? 77
									: 1;
		}
		return 0;
	}
	if (!s.ev[0].resolved)
		return strstr(s.ev[0].why, "finds no core PMU") ? 77 : 1;
	snprintf(fstr, sizeof(fstr), "%s::%s", pmu, want);
	if (strcmp(s.ev[0].fstr, fstr) || !s.ev[0].hw) {
		fprintf(stderr, "c2c on %s: got %s, want %s\n", pmu,
			s.ev[0].fstr, fstr);
		return 1;
	}
	/* resolved: whatever perf_event_open says here, never UNKNOWN */
	return s.ev[0].status == ZC_EV_UNKNOWN ? 1 : 0;
}

/*
 * As an unprivileged user: with perf_event_paranoid >= 2 only user space
 * may be counted, and the kernel-only events are denied, not 0.
 */
static int child_unprivileged(void)
{
	static struct zc_evset s;
	int p = zc_counters_paranoid();
	const struct zc_event *tc, *cs;

	if (setgid(65534) || setuid(65534))
		return 77;
	if (zc_evset_resolve(&s, "task-clock,context-switches") != 0)
		return 1;
	tc = &s.ev[0];
	cs = &s.ev[1];
	printf("unprivileged, paranoid=%d: task-clock %s (%s), "
	       "context-switches %s (%s)\n",
	       p, zc_ev_status_name(tc->status), tc->why,
	       zc_ev_status_name(cs->status), cs->why);
	if (tc->status == ZC_EV_DENIED && strstr(tc->why, "EPERM"))
		return 77; /* seccomp */
	if (p >= 3)
		return tc->status == ZC_EV_DENIED ? 0 : 1;
	if (p == 2)
		return tc->status == ZC_EV_OK &&
				       strstr(tc->why, "user space only") &&
				       cs->status == ZC_EV_DENIED &&
				       strstr(cs->why, "kernel-only")
			       ? 0
			       : 1;
	return tc->status == ZC_EV_OK && !tc->why[0] && cs->status == ZC_EV_OK
		       ? 0
		       : 1;
}

static int run_child(const char *what, int (*fn)(const char *, const char *),
		     const char *a, const char *b)
{
	int st;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		st = fn(a, b);
		fflush(NULL);
		_exit(st);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return 1;
	if (WEXITSTATUS(st) == 77)
		printf("skip %s %s\n", what, a ? a : "");
	else if (WEXITSTATUS(st))
		fprintf(stderr, "%s %s failed\n", what, a ? a : "");
	return WEXITSTATUS(st) == 77 ? 0 : WEXITSTATUS(st);
}

static int unpriv_adapter(const char *a, const char *b)
{
	return geteuid() == 0 ? child_unprivileged() : 77;
}

int main(void)
{
	static const struct {
		const char *pmu, *want;
	} c2c[] = {
		{"nhm", "MEM_UNCORE_RETIRED:OTHER_CORE_L2_HITM"},
		{"wsm_dp", "MEM_UNCORE_RETIRED:LOCAL_HITM"},
		{"snb", "MEM_LOAD_UOPS_LLC_HIT_RETIRED:XSNP_HITM"},
		{"hsw", "MEM_LOAD_UOPS_L3_HIT_RETIRED:XSNP_HITM"},
		{"skl", "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM"},
		{"icx", "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM"},
		{"spr", "MEM_LOAD_L3_HIT_RETIRED:XSNP_FWD"},
		{"amd64_fam17h_zen2", "DATA_CACHE_REFILLS_FROM_SYSTEM:"
				      "LS_MABRESP_LCL_CACHE:"
				      "LS_MABRESP_RMT_CACHE"},
		{"amd64_fam19h_zen3", "DEMAND_DATA_CACHE_FILLS_FROM_SYSTEM:"
				      "INT_CACHE:EXT_CACHE_LCL:EXT_CACHE_RMT"},
		{"amd64_fam19h_zen4", "DEMAND_DATA_CACHE_FILLS_FROM_SYSTEM:"
				      "LOCAL_CCX:NEAR_CACHE_NEAR_FAR:"
				      "FAR_CACHE_NEAR_FAR"},
		{"amd64_fam17h_zen1", NULL},
	};

	/* Children first: each needs a process where libpfm4 and the
	 * privilege check have not run yet. */
	for (size_t i = 0; i < sizeof(c2c) / sizeof(c2c[0]); i++)
		if (run_child("c2c", child_c2c, c2c[i].pmu, c2c[i].want))
			failed = 1;
	if (run_child("unprivileged", unpriv_adapter, NULL, NULL))
		failed = 1;

	CHECK(zc_counters_init() == 0);
	CHECK(zc_counters_init() == 0);
	test_status_mapping();
	test_lists();
	test_generic_names();
	test_software();
	test_hardware();
	test_c2c_default();
	test_counts_add();
	test_misuse();
	printf("paranoid=%d\n", zc_counters_paranoid());
	return failed;
}
