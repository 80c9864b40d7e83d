/* SPDX-License-Identifier: MIT */
/*
 * Description: environment fingerprint, meta.json, Google Benchmark context,
 * noise checks Labels: unit
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "sysinfo.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Has the object every key in the NULL-ended list? */
static int has_keys(json_t *o, const char *const *keys)
{
	int ok = json_is_object(o);
	for (int i = 0; ok && keys[i]; i++)
		if (!json_object_get(o, keys[i])) {
			fprintf(stderr, "missing key '%s'\n", keys[i]);
			ok = 0;
		}
	return ok;
}

static void fake_events(struct zc_evset *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->n = 2;
	snprintf(ev->ev[0].name, sizeof(ev->ev[0].name), "cycles");
	ev->ev[0].hw = 1;
	ev->ev[0].status = ZC_EV_UNSUPPORTED;
	snprintf(ev->ev[0].why, sizeof(ev->ev[0].why), "no PMU (hypervisor)");
	snprintf(ev->ev[1].name, sizeof(ev->ev[1].name), "task-clock");
	ev->ev[1].status = ZC_EV_OK;
}

static void test_collect(struct zc_sysinfo *si, const struct zc_topo *t)
{
	CHECK(zc_sysinfo_collect(si, t) == 0);
	CHECK(si->npus >= 1 && si->npus == zc_topo_npus(t));
	CHECK(si->ncores >= 1 && si->ncores <= si->npus);
	CHECK(si->npackages >= 1 && si->nnuma >= 1);
	CHECK(si->npus_online >= si->npus);
	CHECK(si->kernel[0] && si->arch[0] && si->host[0]);
	CHECK(si->allowed[0]);
	CHECK(!isnan(si->loadavg1) && si->loadavg1 >= 0);
	CHECK(si->numa_binding[0]);
	CHECK(!strcmp(si->boost, "") || !strcmp(si->boost, "on") ||
	      !strcmp(si->boost, "off"));
	CHECK(si->isolcpus[0]);
#if defined(__x86_64__)
	/* CPUID always answers: a hypervisor name or "none". */
	CHECK(si->virt[0]);
	CHECK(si->cpu_model[0] && si->vendor[0]);
#endif
	if (si->l1d)
		CHECK(si->line >= 16 && si->l1d_share >= 1);
	fprintf(stderr,
		"host %s, %s, %d PUs, virt '%s', governor '%s', thp '%s', "
		"l1d %llu l2 %llu l3 %llu line %u, %.0f MHz, numa '%s'\n",
		si->host, si->cpu_model, si->npus, si->virt, si->governor,
		si->thp, si->l1d, si->l2, si->l3, si->line, si->mhz,
		si->numa_binding);
}

static void test_synthetic(void)
{
	struct zc_topo t;
	struct zc_sysinfo si;
	if (zc_topo_load(&t, "synthetic:pack:2 l3:2 core:4 pu:2") < 0) {
		fprintf(stderr, "synthetic topology: %s\n", t.err);
		CHECK(0);
		return;
	}
	CHECK(zc_sysinfo_collect(&si, &t) == 0);
	CHECK(si.npus == 32 && si.ncores == 16 && si.npackages == 2);
	CHECK(si.smt == 1);
	zc_topo_release(&t);
}

static void test_meta(const struct zc_sysinfo *si, const struct zc_topo *t)
{
	static const char *const top[] = {"schema_version",
					  "version",
					  "git",
					  "command",
					  "argv",
					  "command_line",
					  "start",
					  "end",
					  "status",
					  "host",
					  "cpu",
					  "caches",
					  "numa",
					  "kernel",
					  "arch",
					  "governor",
					  "boost",
					  "virtualization",
					  "thp",
					  "isolcpus",
					  "nohz_full",
					  "perf_event_paranoid",
					  "loadavg1",
					  "counters",
					  "clock",
					  "compiler",
					  "cflags",
					  "options",
					  NULL};
	static const char *const cpu[] = {"model", "vendor",  "mhz",
					  "pus",   "cores",   "packages",
					  "smt",   "allowed", NULL};
	static const char *const caches[] = {"l1d", "l2", "l3", "line", NULL};
	char *argv[] = {"falseshare", "--quick", "--out", "a b's", NULL};
	struct zc_clock_info ci = {.tsc_hz = 2.3e9,
				   .tsc_invariant = 1,
				   .now_overhead_ns = 20,
				   .now_resolution_ns = NAN};
	struct zc_evset ev;
	struct zc_meta m = {.command = "falseshare",
			    .argc = 4,
			    .argv = argv,
			    .start = 1700000000.5,
			    .status = "running",
			    .si = si,
			    .clock = &ci};
	json_t *j, *back, *c;
	json_error_t jerr;
	char *text, dir[] = "/tmp/zc-sysinfo-XXXXXX", path[256];
	struct stat st;

	fake_events(&ev);
	m.events = &ev;
	m.options = json_pack("{s:s}", "stride", "8,64");
	j = zc_meta_json(&m);
	CHECK(j != NULL);
	if (!j)
		return;
	text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	back = json_loads(text, 0, &jerr);
	CHECK(back != NULL);
	if (!back) {
		fprintf(stderr, "meta does not parse: %s\n", jerr.text);
		return;
	}
	CHECK(has_keys(back, top));
	CHECK(json_integer_value(json_object_get(back, "schema_version")) == 1);
	CHECK(str(back, "version") &&
	      !strcmp(str(back, "version"), ZC_VERSION));
	CHECK(str(back, "git") && str(back, "compiler") && str(back, "cflags"));
	CHECK(!strcmp(str(back, "command"), "falseshare"));
	CHECK(!strcmp(str(back, "status"), "running"));
	CHECK(json_array_size(json_object_get(back, "argv")) == 4);
	CHECK(!strcmp(str(back, "command_line"),
		      "zcbench falseshare --quick --out 'a b'\\''s'"));
	CHECK(json_is_null(json_object_get(back, "end")));
	CHECK(json_real_value(json_object_get(back, "start")) == 1700000000.5);
	CHECK(!strcmp(str(back, "start_utc"), "2023-11-14T22:13:20Z"));
	CHECK(has_keys(json_object_get(back, "cpu"), cpu));
	CHECK(json_integer_value(json_object_get(json_object_get(back, "cpu"),
						 "pus")) == si->npus);
	CHECK(has_keys(json_object_get(back, "caches"), caches));
	/* Unknown strings are null, known ones are strings. */
	CHECK(si->governor[0]
		      ? json_is_string(json_object_get(back, "governor"))
		      : json_is_null(json_object_get(back, "governor")));
	c = json_object_get(back, "counters");
	CHECK(json_is_null(
		json_object_get(json_object_get(c, "cycles"), "status")));
	CHECK(!strcmp(str(json_object_get(c, "cycles"), "reason"),
		      "no PMU (hypervisor)"));
	CHECK(!strcmp(str(json_object_get(c, "task-clock"), "status"), "ok"));
	c = json_object_get(back, "clock");
	CHECK(json_real_value(json_object_get(c, "tsc_hz")) == 2.3e9);
	CHECK(json_is_true(json_object_get(c, "tsc_invariant")));
	CHECK(json_is_null(json_object_get(c, "now_resolution_ns")));
	CHECK(!strcmp(str(json_object_get(back, "options"), "stride"), "8,64"));
	free(text);
	json_decref(back);
	json_decref(j);

	/* No events, no clock: nulls and an empty object, not a failure. */
	m.events = NULL;
	m.clock = NULL;
	m.si = NULL;
	j = zc_meta_json(&m);
	CHECK(j && json_is_null(json_object_get(j, "clock")));
	CHECK(j && json_object_size(json_object_get(j, "counters")) == 0);
	CHECK(j && json_is_null(json_object_get(j, "host")));
	json_decref(j);

	/* Written atomically with topology.xml beside it. */
	m.si = si;
	m.events = &ev;
	CHECK(mkdtemp(dir) != NULL);
	CHECK(zc_meta_write(dir, &m, t) == 0);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	back = json_load_file(path, 0, &jerr);
	CHECK(back && has_keys(back, top));
	json_decref(back);
	unlink(path);
	snprintf(path, sizeof(path), "%s/topology.xml", dir);
	CHECK(stat(path, &st) == 0 && st.st_size > 100);
	unlink(path);
	CHECK(rmdir(dir) == 0); /* nothing else (no temporaries) left */
	CHECK(zc_meta_write("/nonexistent/zc", &m, t) < 0);
	json_decref(m.options);
}

static void test_gbench(const struct zc_sysinfo *si)
{
	static const char *const keys[] = {"date",
					   "host_name",
					   "executable",
					   "num_cpus",
					   "mhz_per_cpu",
					   "cpu_scaling_enabled",
					   "caches",
					   "load_avg",
					   "library_build_type",
					   "library_version",
					   NULL};
	json_t *j = zc_sysinfo_gbench_context(si, "/usr/bin/zcbench"), *a;
	const char *date;
	CHECK(j != NULL);
	if (!j)
		return;
	CHECK(has_keys(j, keys));
	CHECK(json_integer_value(json_object_get(j, "num_cpus")) == si->npus);
	CHECK(!strcmp(str(j, "executable"), "/usr/bin/zcbench"));
	CHECK(!strcmp(str(j, "library_build_type"), "release"));
	CHECK(json_is_boolean(json_object_get(j, "cpu_scaling_enabled")));
	date = str(j, "date");
	/* 2024-01-31T12:00:00+01:00 */
	CHECK(date && strlen(date) == 25 && date[10] == 'T' && date[22] == ':');
	a = json_object_get(j, "caches");
	CHECK(json_is_array(a));
	CHECK(json_array_size(a) > 0 || !si->l1d);
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *c = json_array_get(a, i);
		const char *type = str(c, "type");
		CHECK(type &&
		      (!strcmp(type, "Data") || !strcmp(type, "Instruction") ||
		       !strcmp(type, "Unified")));
		CHECK(json_integer_value(json_object_get(c, "level")) >= 1);
		CHECK(json_integer_value(json_object_get(c, "size")) > 0);
		CHECK(json_integer_value(json_object_get(c, "num_sharing")) >=
		      1);
	}
	CHECK(json_array_size(json_object_get(j, "load_avg")) == 3);
	json_decref(j);
}

static const struct zc_check *find(const struct zc_check *k, int n,
				   const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(k[i].name, name))
			return &k[i];
	return NULL;
}

static void test_checks(const struct zc_sysinfo *si)
{
	static const char *const names[] = {"virtualization",
					    "governor",
					    "boost",
					    "smt",
					    "isolation",
					    "thp",
					    "perf_event_paranoid",
					    "counters",
					    "numa",
					    "load",
					    "cpus",
					    NULL};
	struct zc_check k[32];
	struct zc_sysinfo s;
	struct zc_evset ev;
	const struct zc_check *f;
	int n;

	fake_events(&ev);
	n = zc_sysinfo_checks(si, &ev, k, 32);
	CHECK(n >= 11);
	for (int i = 0; names[i]; i++)
		CHECKF(find(k, n, names[i]), "no '%s' finding", names[i]);
	for (int i = 0; i < n; i++) {
		CHECK(k[i].finding[0]);
		CHECKF(k[i].level < ZC_CHECK_WARN || k[i].advice[0],
		       "%s: a warning without advice", k[i].name);
		printf("%-5s %-20s %s\n      %s\n",
		       zc_check_level_name(k[i].level), k[i].name, k[i].finding,
		       k[i].advice);
	}
	f = find(k, n, "counters");
	CHECK(f && f->level == ZC_CHECK_WARN && strstr(f->finding, "cycles") &&
	      strstr(f->finding, "no PMU"));
	CHECK(zc_sysinfo_checks(si, &ev, k, 3) == 3);
	CHECK(zc_sysinfo_checks(si, NULL, k, 32) >= 11);

	/* The levels follow the fingerprint. */
	s = *si;
	snprintf(s.virt, sizeof(s.virt), "KVM");
	snprintf(s.governor, sizeof(s.governor), "powersave");
	snprintf(s.boost, sizeof(s.boost), "on");
	snprintf(s.thp, sizeof(s.thp), "always");
	snprintf(s.isolcpus, sizeof(s.isolcpus), "none");
	snprintf(s.nohz_full, sizeof(s.nohz_full), "none");
	s.npus = 2;
	s.smt = 1;
	s.loadavg1 = 5;
	s.npus_online = 2;
	n = zc_sysinfo_checks(&s, &ev, k, 32);
	f = find(k, n, "virtualization");
	CHECK(f && f->level == ZC_CHECK_WARN && strstr(f->finding, "KVM"));
	f = find(k, n, "governor");
	CHECK(f && f->level == ZC_CHECK_WARN &&
	      strstr(f->advice, "cpupower frequency-set -g performance"));
	CHECK((f = find(k, n, "boost")) && f->level == ZC_CHECK_WARN);
	CHECK((f = find(k, n, "thp")) && strstr(f->finding, "always"));
	CHECK((f = find(k, n, "isolation")) && strstr(f->advice, "isolcpus=1"));
	CHECK((f = find(k, n, "smt")) && f->level == ZC_CHECK_INFO);
	CHECK((f = find(k, n, "load")) && f->level == ZC_CHECK_BAD);
	CHECK((f = find(k, n, "cpus")) && f->level == ZC_CHECK_WARN);
	s.paranoid = 2;
	n = zc_sysinfo_checks(&s, &ev, k, 32);
	f = find(k, n, "perf_event_paranoid");
	CHECK(f &&
	      (geteuid() == 0 || strstr(f->advice, "perf_event_paranoid=1")));

	snprintf(s.virt, sizeof(s.virt), "none");
	snprintf(s.governor, sizeof(s.governor), "performance");
	snprintf(s.isolcpus, sizeof(s.isolcpus), "2-3");
	s.npus = 8;
	s.loadavg1 = 0.1;
	n = zc_sysinfo_checks(&s, &ev, k, 32);
	CHECK((f = find(k, n, "virtualization")) && f->level == ZC_CHECK_OK);
	CHECK((f = find(k, n, "governor")) && f->level == ZC_CHECK_OK);
	CHECK((f = find(k, n, "isolation")) && strstr(f->advice, "--cpus 2-3"));
	CHECK((f = find(k, n, "cpus")) && f->level == ZC_CHECK_OK);
	CHECK(!strcmp(zc_check_level_name(ZC_CHECK_BAD), "bad"));
}

/* The host-contention finding: steady paces, some slowed (a level apart),
 * two stray ones (too few for a level), none at all. */
static void test_pace(void)
{
	double p[10] = {640, 642, 641, 900, 1300, 643, 1200, NAN, 641, 640};
	struct zc_check k;

	zc_check_pace(&k, 0, 1, p, 3, 3);
	CHECKF(k.level == ZC_CHECK_OK && strstr(k.finding, "steady") &&
		       strstr(k.finding, "640 ns"),
	       "%s", k.finding);
	zc_check_pace(&k, 0, 1, p, 10, 3);
	CHECKF(k.level == ZC_CHECK_WARN &&
		       strstr(k.finding, "in 3 of 9 measurements") &&
		       strstr(k.finding, "2.03x at worst") && k.advice[0],
	       "%s", k.finding);
	p[6] = 650;
	zc_check_pace(&k, 0, 1, p, 10, 3);
	CHECKF(k.level == ZC_CHECK_OK && strstr(k.finding, "one level") &&
		       strstr(k.finding, "within 2.03x"),
	       "%s", k.finding);
	for (int i = 0; i < 10; i++)
		p[i] = NAN;
	zc_check_pace(&k, 0, 1, p, 10, 3);
	CHECK(k.level == ZC_CHECK_INFO && strstr(k.finding, "could not"));
}

int main(void)
{
	struct zc_topo t;
	struct zc_sysinfo si;

	if (zc_topo_load(&t, NULL) < 0) {
		fprintf(stderr, "cannot load the topology: %s\n", t.err);
		return 1;
	}
	test_collect(&si, &t);
	test_synthetic();
	test_meta(&si, &t);
	test_gbench(&si);
	test_checks(&si);
	test_pace();
	zc_topo_release(&t);
	return zc_check_result();
}
