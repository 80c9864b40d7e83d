/* SPDX-License-Identifier: MIT */
/*
 * Description: c2c's plan on synthetic topologies (topology order in both
 * PU numberings, every pair's class by position, pair counts per class, class representatives spread and distinct,
 * boundaries, heatmap marks, the home option, class summaries, 1,024 and
 * 2,048 PUs planned in well under a second), the results' pair table
 * beyond 64 pairs, the heatmap files, and one real measurement per method
 * on this machine's first two CPUs.
 * Labels: unit threads
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "c2c.h"
#include "check.h"
#include "clock.h"

#define BIG "synthetic:pack:2 numa:2 l3:4 core:8 pu:2"

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every pair: the map's positions give zc_topo_classify's classes. */
static void check_classes(const char *spec)
{
	struct zc_topo t;
	struct zc_c2c_map m;
	int bad = 0;

	CHECKF(zc_topo_load(&t, spec) == 0, "%s", spec);
	CHECK(zc_c2c_map_build(&m, &t, NULL, 0) == 0);
	CHECK(m.n == zc_topo_npus(&t));
	for (int i = 0; i < m.n; i++)
		for (int j = 0; j < m.n; j++)
			if (i != j && zc_c2c_class(&m, i, j) !=
					      zc_topo_classify(&t, m.c[i].cpu,
							       m.c[j].cpu))
				bad++;
	CHECKF(bad == 0, "%s: %d pairs classed differently", spec, bad);
	CHECK(zc_c2c_class(&m, 0, 0) == -EINVAL);
	zc_c2c_map_release(&m);
	zc_topo_release(&t);
}

static void check_order(void)
{
	struct zc_topo t;
	struct zc_c2c_map m;
	int sub[] = {129, 3, 128, 0}, nodes[8];

	/* Linux-x86 numbering: siblings n and n + 128 side by side. */
	CHECK(zc_topo_load(&t, BIG "(indexes=core)") == 0);
	CHECK(zc_c2c_map_build(&m, &t, NULL, 0) == 0 && m.n == 256);
	CHECKF(m.c[0].cpu == 0 && m.c[1].cpu == 128 && m.c[2].cpu == 1 &&
		       m.c[3].cpu == 129 && m.c[255].cpu == 255,
	       "%d %d %d %d", m.c[0].cpu, m.c[1].cpu, m.c[2].cpu, m.c[3].cpu);
	CHECK(zc_c2c_class(&m, 0, 1) == ZC_PLACE_SMT);
	CHECK(zc_c2c_pos(&m, 129) == 3 && zc_c2c_pos(&m, 999) == -1);
	zc_c2c_map_release(&m);
	/* A --cpus subset comes back in topology order too (129 is core
	 * 1's second thread, 3 is core 3). */
	CHECK(zc_c2c_map_build(&m, &t, sub, 4) == 0 && m.n == 4);
	CHECK(m.c[0].cpu == 0 && m.c[1].cpu == 128 && m.c[2].cpu == 129 &&
	      m.c[3].cpu == 3);
	zc_c2c_map_release(&m);
	sub[0] = 4096;
	CHECK(zc_c2c_map_build(&m, &t, sub, 4) == -EINVAL && !m.c);
	{
		/* P and E cores, as hwloc reports a hybrid machine. */
		hwloc_bitmap_t e = hwloc_bitmap_alloc();
		struct hwloc_info_s atom = {"CoreType", "IntelAtom"};
		char buf[256];
		CHECK(zc_c2c_kinds(&t, buf, sizeof(buf)) <= 1 && !buf[0]);
		hwloc_bitmap_set_range(e, 192, 255);
		CHECK(hwloc_cpukinds_register(t.t, e, 0, 1, &atom, 0) == 0);
		hwloc_bitmap_zero(e);
		hwloc_bitmap_set_range(e, 0, 191);
		CHECK(hwloc_cpukinds_register(t.t, e, 1, 0, NULL, 0) == 0);
		CHECK(zc_c2c_kinds(&t, buf, sizeof(buf)) == 2);
		CHECKF(!strcmp(buf, "192-255 IntelAtom (efficiency 0); 0-191 "
				    "(efficiency 1)"),
		       "%s", buf);
		hwloc_bitmap_free(e);
	}
	zc_topo_release(&t);

	CHECK(zc_topo_load(&t, BIG) == 0);
	CHECK(zc_c2c_map_build(&m, &t, NULL, 0) == 0);
	for (int i = 0; i < m.n; i++)
		CHECK(m.c[i].cpu == i);
	CHECK(zc_c2c_boundary(&m, 0, 1) == -1);
	CHECK(zc_c2c_boundary(&m, 15, 16) == 2);
	CHECK(zc_c2c_boundary(&m, 63, 64) == 1);
	CHECK(zc_c2c_boundary(&m, 127, 128) == 0);
	CHECK(zc_c2c_boundary(&m, 0, 200) == 0);
	CHECK(zc_c2c_nodes(&t, nodes, 8) == 4 && nodes[0] == 0 &&
	      nodes[3] == 3);
	{
		/* Heatmap marks: a line at each boundary (1 package, 2
		 * nodes, 12 L3s); 256 CPUs get a tic per L3 start. */
		struct zc_heatmap_tic tics[256];
		struct zc_heatmap_line lines[256];
		signed char bound[256];
		int cpu[256], nt, nl, lv[3] = {0};
		for (int i = 0; i < 256; i++) {
			cpu[i] = m.c[i].cpu;
			bound[i] = (signed char)zc_c2c_boundary(&m, i - 1, i);
		}
		zc_c2c_marks(cpu, bound, 256, 64, tics, &nt, lines, &nl);
		for (int i = 0; i < nl; i++)
			lv[lines[i].level]++;
		CHECKF(nl == 15 && lv[0] == 1 && lv[1] == 2 && lv[2] == 12,
		       "%d lines: %d %d %d", nl, lv[0], lv[1], lv[2]);
		CHECKF(nt == 16 && tics[1].pos == 16 &&
			       !strcmp(tics[1].label, "16"),
		       "%d tics", nt);
		zc_c2c_marks(cpu, bound, 256, 8, tics, &nt, lines, &nl);
		CHECKF(nt == 4, "%d tics with 8 at most (node starts)", nt);
		zc_c2c_marks(cpu, bound, 40, 64, tics, &nt, lines, &nl);
		CHECK(nt == 40 && nl == 2);
	}
	zc_c2c_map_release(&m);
	zc_topo_release(&t);
}

static void check_sets(void)
{
	/* smt, l2, l3, cross-l3, cross-numa, cross-package */
	static const long long want[ZC_C2C_NCLASS] = {128,  0,	  1792,
						      6144, 8192, 16384};
	struct zc_c2c_pair *p = calloc(65280, sizeof(*p));
	long long cls[ZC_C2C_NCLASS], n;
	struct zc_topo t;
	struct zc_c2c_map m;
	int nodes[8] = {0}, bad = 0;

	CHECK(zc_topo_load(&t, BIG) == 0);
	CHECK(zc_c2c_map_build(&m, &t, NULL, 0) == 0);
	n = zc_c2c_plan(&m, ZC_C2C_LOWER, 1, p, 65280, cls);
	CHECKF(n == 32640, "%lld lower pairs", n);
	for (int c = 0; c < ZC_C2C_NCLASS; c++)
		CHECKF(cls[c] == want[c], "class %s: %lld", zc_place_name(c),
		       cls[c]);
	for (long long k = 0; k < n; k++)
		bad += p[k].pong >= p[k].ping ||
		       p[k].cls != zc_c2c_class(&m, p[k].ping, p[k].pong);
	CHECK(bad == 0);
	n = zc_c2c_plan(&m, ZC_C2C_ALL, 1, p, 65280, cls);
	CHECK(n == 65280 && cls[ZC_PLACE_CROSS_PACKAGE] == 2 * 16384);
	CHECK(zc_c2c_plan(&m, ZC_C2C_ALL, 1, NULL, 0, NULL) == 65280);
	CHECK(zc_c2c_plan(&m, ZC_C2C_CLASS, 0, NULL, 0, NULL) == -EINVAL);

	/* Representatives: 4 per class present, right class, no pair
	 * twice, pings spread over the four nodes. */
	n = zc_c2c_plan(&m, ZC_C2C_CLASS, 4, p, 64, cls);
	CHECKF(n == 20, "%lld representatives", n);
	for (int c = 0; c < ZC_C2C_NCLASS; c++)
		CHECK(cls[c] == (want[c] ? 4 : 0));
	for (long long k = 0; k < n; k++) {
		CHECK(p[k].cls == zc_c2c_class(&m, p[k].ping, p[k].pong));
		for (long long j = 0; j < k; j++)
			CHECK(!((p[j].ping == p[k].ping &&
				 p[j].pong == p[k].pong) ||
				(p[j].ping == p[k].pong &&
				 p[j].pong == p[k].ping)));
		if (p[k].cls == ZC_PLACE_CROSS_PACKAGE)
			nodes[m.c[p[k].ping].node]++;
	}
	CHECK(nodes[0] == 1 && nodes[1] == 1 && nodes[2] == 1 && nodes[3] == 1);
	/* More than a class holds: each CPU pings once per class. */
	CHECK(zc_c2c_plan(&m, ZC_C2C_CLASS, 64, NULL, 0, cls) > 0 &&
	      cls[ZC_PLACE_SMT] == 64);
	zc_c2c_map_release(&m);
	zc_topo_release(&t);
	CHECK(zc_topo_load(&t, "synthetic:pack:1 l3:1 core:3 pu:1") == 0);
	CHECK(zc_c2c_map_build(&m, &t, NULL, 0) == 0);
	CHECK(zc_c2c_plan(&m, ZC_C2C_CLASS, 64, p, 64, cls) == 3 &&
	      cls[ZC_PLACE_L3] == 3);
	zc_c2c_map_release(&m);
	zc_topo_release(&t);
	free(p);
}

/* Machines with hundreds of CPUs plan in milliseconds. */
static void check_big_plans(void)
{
	static const char *const specs[] = {
		"synthetic:pack:2 numa:2 l3:4 core:32 pu:2", /* 1,024 PUs */
		"synthetic:pack:2 numa:2 l3:8 core:32 pu:2", /* 2,048 PUs */
	};
	for (int s = 0; s < 2; s++) {
		struct zc_c2c_pair p[24];
		long long cls[ZC_C2C_NCLASS], n;
		struct zc_topo t;
		struct zc_c2c_map m;
		double t0 = cpu_s(), dt;
		CHECK(zc_topo_load(&t, specs[s]) == 0);
		CHECK(zc_c2c_map_build(&m, &t, NULL, 0) == 0);
		n = zc_c2c_plan(&m, ZC_C2C_ALL, 1, NULL, 0, cls);
		CHECK(n == (long long)m.n * (m.n - 1));
		CHECK(zc_c2c_plan(&m, ZC_C2C_CLASS, 4, p, 24, cls) == 20);
		dt = cpu_s() - t0;
		/* a guard against a plan that grows out of hand, not a
		 * speed check: TSan on a busy host took 1.2 s */
		CHECKF(dt < 10.0, "%s planned in %.3f s", specs[s], dt);
		printf("%s: %d CPUs, %lld ordered pairs, planned in %.3f s\n",
		       specs[s], m.n, n, dt);
		zc_c2c_map_release(&m);
		zc_topo_release(&t);
	}
}

static void check_home_and_summary(void)
{
	struct zc_c2c_class_sum s[ZC_C2C_NCLASS];
	const double v[] = {10, 12, NAN, 40, 44};
	const int cls[] = {ZC_PLACE_L3, ZC_PLACE_L3, ZC_PLACE_L3,
			   ZC_PLACE_CROSS_L3, ZC_PLACE_CROSS_L3};
	struct zc_topo t;
	char msg[256];
	int node = -1;

	CHECK(zc_topo_load(&t, BIG) == 0);
	CHECK(zc_c2c_home(&t, "ping", &node, msg, sizeof(msg)) ==
	      ZC_C2C_HOME_PING);
	CHECK(zc_c2c_home(&t, "pong", &node, msg, sizeof(msg)) ==
	      ZC_C2C_HOME_PONG);
	CHECK(zc_c2c_home(&t, "node:3", &node, msg, sizeof(msg)) ==
		      ZC_C2C_HOME_NODE &&
	      node == 3);
	CHECK(zc_c2c_home(&t, "node:4", &node, msg, sizeof(msg)) == -EINVAL);
	CHECKF(strstr(msg, "nodes: 0,1,2,3") != NULL, "%s", msg);
	CHECK(zc_c2c_home(&t, "node:1x", &node, msg, sizeof(msg)) == -EINVAL);
	CHECK(zc_c2c_home(&t, "node:", &node, msg, sizeof(msg)) == -EINVAL);
	CHECK(zc_c2c_home(&t, "node:-1", &node, msg, sizeof(msg)) == -EINVAL);
	CHECK(zc_c2c_home(&t, "far", &node, msg, sizeof(msg)) == -EINVAL);
	CHECKF(strstr(msg, "ping, pong or node:N") != NULL, "%s", msg);
	zc_topo_release(&t);

	zc_c2c_summarise(v, cls, 5, s);
	CHECK(s[ZC_PLACE_L3].pairs == 2 && s[ZC_PLACE_L3].median == 11 &&
	      s[ZC_PLACE_L3].lo == 10 && s[ZC_PLACE_L3].hi == 12 &&
	      s[ZC_PLACE_L3].ratio == 1);
	CHECK(s[ZC_PLACE_CROSS_L3].pairs == 2 &&
	      fabs(s[ZC_PLACE_CROSS_L3].ratio - 42.0 / 11) < 1e-12 &&
	      s[ZC_PLACE_CROSS_L3].nearest == ZC_PLACE_L3);
	CHECK(s[ZC_PLACE_SMT].pairs == 0 && isnan(s[ZC_PLACE_SMT].median));
}

/* c2c records a pair per case: more than the driver's 64 sentinels. */
static void check_many_pairs(void)
{
	static const char *const keys[] = {"pair"};
	static const struct zc_metric mt[] = {{"oneway_ns", "ns",
					       ZC_BETTER_LOWER, "x", 0,
					       ZC_GB_REAL_TIME, 1}};
	struct zc_results r;

	CHECK(zc_results_init(&r, "c2c", keys, 1, mt, 1, 3) == 0);
	for (int i = 0; i < 200; i++) {
		char v[16];
		const char *vals[] = {v};
		struct zc_case *c;
		snprintf(v, sizeof(v), "%d", i);
		c = zc_results_add(&r, vals);
		for (int rep = 0; c && rep < 3; rep++) {
			zc_case_set(&r, c, rep, 0, 50.0 + i);
			CHECK(zc_case_sentinel(&r, c, rep, 50.0 + i, 50.0 + i,
					       1.0 * rep, i, i + 1) == 0);
		}
	}
	CHECK(r.npairs == 200 && zc_results_regimes(&r) == 0);
	CHECK(r.pairs[199].a == 199 && r.pairs[199].reg.n == 1 &&
	      r.cases[199].regime[2] == 0);
	zc_results_release(&r);
}

static void check_heatmap_files(void)
{
	char dir[] = "/tmp/zc-c2c-XXXXXX", path[128], head[8];
	const int cpu[] = {0, 2, 1, 3};
	const signed char bound[] = {-1, -1, 2, -1};
	double v[16];
	int drawn = -1;
	FILE *f;

	for (int i = 0; i < 16; i++)
		v[i] = i % 5 ? 20.0 + 10 * (i % 4) : NAN;
	CHECK(mkdtemp(dir) != NULL);
	CHECK(zc_c2c_heatmap_write(dir, "h", "h.csv", "store", cpu, bound, 4, v,
				   &drawn) == 0 &&
	      drawn == 1);
	snprintf(path, sizeof(path), "%s/h.csv", dir);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f) {
		char line[128];
		CHECK(fgets(line, sizeof(line), f) &&
		      !strcmp(line, "ping\\pong,0,2,1,3\n"));
		CHECK(fgets(line, sizeof(line), f) &&
		      !strcmp(line, "0,,30,40,50\n"));
		fclose(f);
	}
	if (zc_plot_available()) {
		char err[512];
		CHECKF(zc_plot_render(dir, "h", err, sizeof(err)) == 0, "%s",
		       err);
		snprintf(path, sizeof(path), "%s/h.png", dir);
		f = fopen(path, "rb");
		CHECK(f && fread(head, 1, 8, f) == 8 &&
		      !memcmp(head, "\x89PNG\r\n\x1a\n", 8));
		if (f)
			fclose(f);
		unlink(path);
	}
	for (int i = 0; i < 16; i++)
		v[i] = NAN;
	CHECK(zc_c2c_heatmap_write(dir, "e", "e.csv", "store", cpu, bound, 4, v,
				   &drawn) == 0 &&
	      drawn == 0);
	{
		struct zc_heatmap h = {.name = "x", .csv = "x.csv", .n = 4};
		struct zc_heatmap_tic tic = {4, "4"};
		struct zc_heatmap_line ln = {0, 0};
		CHECK(zc_plot_heatmap_write(dir, &h) == 0);
		h.tics = &tic;
		h.ntics = 1;
		CHECK(zc_plot_heatmap_write(dir, &h) == -EINVAL);
		h.ntics = 0;
		h.lines = &ln;
		h.nlines = 1;
		CHECK(zc_plot_heatmap_write(dir, &h) == -EINVAL);
		snprintf(h.name, sizeof(h.name), "../x");
		h.nlines = 0;
		CHECK(zc_plot_heatmap_write(dir, &h) == -EINVAL);
	}
	{
		static const char *const files[] = {"h.csv", "h.gp", "e.csv",
						    "x.gp"};
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			unlink(path);
		}
	}
	CHECK(rmdir(dir) == 0);
}

/* One repetition per method between this machine's first two CPUs. */
static void check_measure(void)
{
	struct zc_topo t;
	struct zc_c2c_map m;
	double x[8];
	struct zc_handoff_line *l = aligned_alloc(128, sizeof(*l));

	CHECK(l && zc_handoff_local(l, ZC_HANDOFF_STORE, 1000) > 0 &&
	      atomic_load(&l->v) == 2000);
	free(l);
	for (int k = 0; k < 2; k++)
		CHECK(zc_c2c_loop_ns((enum zc_handoff_method)k) > 0);
	CHECK(zc_topo_load(&t, NULL) == 0);
	CHECK(zc_c2c_map_build(&m, &t, NULL, 0) == 0);
	if (m.n < 2) {
		printf("measurement skipped: one CPU allowed\n");
		goto out;
	}
	for (int k = 0; k < 2; k++) {
		struct zc_c2c_req q = {
			.method = (enum zc_handoff_method)k,
			.ping = m.c[0].cpu,
			.pong = m.c[1].cpu,
			.node = k ? m.c[0].node : -1,
			.samples = 8,
			.sample_ns = 20000,
			.max_sample_ns = 1e7,
			.timeout_s = 30,
		};
		struct zc_c2c_result r = {.oneway = x};
		int err = zc_c2c_measure(&t, &q, &r);
		CHECKF(err == 0, "method %d: %d %s", k, err, r.why);
		if (err)
			continue;
		CHECK(r.batch >= 1 && r.cpu[0] == q.ping && r.cpu[1] == q.pong);
		CHECK(r.binding[0] && isfinite(r.cal_oneway_ns));
		CHECK(r.min > 0 && r.min <= r.median && r.median <= r.p99);
		/* store is its own sentinel; cas is bracketed by store
		 * hand-offs */
		CHECK(k ? r.sent[0] > 0 && r.sent[1] > 0
			: r.sent[0] == r.median && r.sent[1] == r.median);
		for (int i = 0; i < 8; i++)
			/* At least the sample length (unless the host sped
			 * up since the calibration). */
			CHECKF(x[i] > 0 && x[i] * 2 * r.batch > 0.25 * 20000,
			       "sample %d: %g ns x %llu", i, x[i],
			       (unsigned long long)r.batch);
	}
	{
		struct zc_c2c_req q = {.ping = 0, .pong = 0, .samples = 8};
		struct zc_c2c_result r = {.oneway = x};
		CHECK(zc_c2c_measure(&t, &q, &r) == -EINVAL);
	}
out:
	zc_c2c_map_release(&m);
	zc_topo_release(&t);
}

int main(void)
{
	check_classes(BIG);
	check_classes(BIG "(indexes=core)");
	check_classes("synthetic:pack:2 core:4 pu:1");		 /* no L3 */
	check_classes("synthetic:pack:1 l3:1 l2:2 core:2 pu:1"); /* shared L2 */
	check_classes("synthetic:pack:1 numa:2 l3:2 core:2 pu:2");
	check_order();
	check_sets();
	check_big_plans();
	check_home_and_summary();
	check_many_pairs();
	check_heatmap_files();
	check_measure();
	return zc_check_result();
}
