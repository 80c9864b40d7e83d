/* SPDX-License-Identifier: MIT */
/*
 * Description: placement plans on synthetic topologies (both PU numberings,
 * no L3, shared L2, SMT), cpu lists, bad specs, pinning on this machine.
 * Labels: unit
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "topo.h"

static void check_pair_classes(const char *spec, const int *expect_ok)
{
	struct zc_topo t;
	struct zc_plan p;
	CHECKF(zc_topo_load(&t, spec) == 0, "%s", spec);
	for (int c = ZC_PLACE_SMT; c <= ZC_PLACE_CROSS_PACKAGE; c++) {
		int err = zc_topo_plan(&t, c, 2, NULL, 0, &p);
		if (expect_ok[c]) {
			CHECKF(err == 0, "%s: class %s: %d %s", spec,
			       zc_place_name(c), err, p.why);
			CHECKF(err || zc_topo_classify(&t, p.cpu[0],
						       p.cpu[1]) == c,
			       "%s: class %s planned %d,%d", spec,
			       zc_place_name(c), p.cpu[0], p.cpu[1]);
		} else {
			CHECKF(err == -ENODEV && p.why[0], "%s: class %s: %d",
			       spec, zc_place_name(c), err);
		}
	}
	zc_topo_release(&t);
}

static int distinct_nodes(struct zc_topo *t, const int *cpu, int n)
{
	int seen[64] = {0}, k = 0;
	for (int i = 0; i < n; i++) {
		int node = zc_topo_cpu_node(t, cpu[i]);
		if (node >= 0 && node < 64 && !seen[node]++)
			k++;
	}
	return k;
}

/* 1,024 PUs load and plan every class in well under a second (PU
 * signatures: classification is a few comparisons). */
static void check_large(void)
{
	static struct zc_plan p;
	struct zc_topo t;
	struct timespec a, b;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK(zc_topo_load(&t, "synthetic:pack:2 numa:2 l3:2 core:64 pu:2") ==
	      0);
	CHECK(zc_topo_npus(&t) == 1024);
	for (int c = 0; c < ZC_PLACE_CPUS; c++)
		zc_topo_plan(&t, c, c < ZC_PLACE_COMPACT ? 2 : 1024, NULL, 0,
			     &p);
	CHECK(zc_topo_plan_closest(&t, NULL, 0, &p) == 0);
	zc_topo_release(&t);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	CHECKF(s < 1, "1,024 PUs took %.2f s to plan", s);
}

int main(void)
{
	struct zc_topo t;
	struct zc_plan p;
	int cpus[16];
	/* smt, l2, l3, cross-l3, cross-numa, cross-package */
	const int big[] = {1, 0, 1, 1, 1, 1};
	const int nol3[] = {0, 0, 1, 0, 0, 1};
	const int sharedl2[] = {0, 1, 1, 0, 0, 0};

	check_pair_classes("synthetic:pack:2 numa:2 l3:4 core:8 pu:2", big);
	check_pair_classes(
		"synthetic:pack:2 numa:2 l3:4 core:8 pu:2(indexes=core)", big);
	check_pair_classes("synthetic:pack:2 core:4 pu:1", nol3);
	check_pair_classes("synthetic:pack:1 l3:1 l2:2 core:2 pu:1", sharedl2);

	/* Linux-x86 numbering: the sibling of CPU n is n + ncores. */
	CHECK(zc_topo_load(&t, "synthetic:pack:2 numa:2 l3:4 core:8 "
			       "pu:2(indexes=core)") == 0);
	CHECK(zc_topo_npus(&t) == 256 && zc_topo_ncores(&t) == 128);
	CHECK(zc_topo_nnumanodes(&t) == 4 && zc_topo_npackages(&t) == 2);
	CHECK(zc_topo_has_smt(&t));
	CHECK(zc_topo_plan(&t, ZC_PLACE_SMT, 2, NULL, 0, &p) == 0);
	CHECKF(p.cpu[1] == p.cpu[0] + 128, "%d %d", p.cpu[0], p.cpu[1]);
	CHECK(zc_topo_plan(&t, ZC_PLACE_COMPACT, 4, NULL, 0, &p) == 0);
	CHECKF(p.cpu[0] == 0 && p.cpu[1] == 128 && p.cpu[2] == 1 &&
		       p.cpu[3] == 129,
	       "%d %d %d %d", p.cpu[0], p.cpu[1], p.cpu[2], p.cpu[3]);
	zc_topo_release(&t);

	/* Default numbering: siblings adjacent. */
	CHECK(zc_topo_load(&t, "synthetic:pack:2 numa:2 l3:4 core:8 pu:2") ==
	      0);
	CHECK(zc_topo_plan(&t, ZC_PLACE_COMPACT, 4, NULL, 0, &p) == 0);
	CHECK(p.cpu[0] == 0 && p.cpu[1] == 1 && p.cpu[2] == 2 && p.cpu[3] == 3);
	CHECK(zc_topo_classify(&t, 0, 1) == ZC_PLACE_SMT);
	CHECK(zc_topo_classify(&t, 0, 2) == ZC_PLACE_L3);
	CHECK(zc_topo_classify(&t, 0, 16) == ZC_PLACE_CROSS_L3);
	CHECK(zc_topo_classify(&t, 0, 64) == ZC_PLACE_CROSS_NUMA);
	CHECK(zc_topo_classify(&t, 0, 128) == ZC_PLACE_CROSS_PACKAGE);
	CHECK(zc_topo_plan(&t, ZC_PLACE_SCATTER, 4, NULL, 0, &p) == 0);
	CHECKF(distinct_nodes(&t, p.cpu, 4) == 4, "scatter 4 over 4 nodes");
	CHECK(zc_topo_plan(&t, ZC_PLACE_SCATTER, 2, NULL, 0, &p) == 0);
	CHECK(zc_topo_classify(&t, p.cpu[0], p.cpu[1]) ==
	      ZC_PLACE_CROSS_PACKAGE);
	CHECK(zc_topo_plan(&t, ZC_PLACE_SCATTER, 256, NULL, 0, &p) == 0);
	{
		int seen[256] = {0}, dup = 0;
		for (int i = 0; i < 256; i++)
			dup += seen[p.cpu[i]]++ != 0;
		CHECK(dup == 0);
	}
	CHECK(zc_topo_plan(&t, ZC_PLACE_COMPACT, 257, NULL, 0, &p) == -ENODEV);
	CHECK(zc_topo_plan(&t, ZC_PLACE_L3, 3, NULL, 0, &p) == -EINVAL);
	cpus[0] = 3;
	cpus[1] = 200;
	CHECK(zc_topo_plan(&t, ZC_PLACE_CPUS, 2, cpus, 2, &p) == 0);
	CHECK(p.cpu[0] == 3 && p.cpu[1] == 200);
	CHECK(zc_topo_plan(&t, ZC_PLACE_CPUS, 3, cpus, 2, &p) == -EINVAL);
	cpus[1] = 999;
	CHECK(zc_topo_plan(&t, ZC_PLACE_CPUS, 2, cpus, 2, &p) == -EINVAL);
	CHECK(zc_topo_pin_self(&t, 0) == -EINVAL); /* planning only */
	CHECK(!zc_topo_is_real(&t));
	zc_topo_release(&t);

	check_large();

	/* Bad specs. */
	CHECK(zc_topo_load(&t, "synthetic:pack:x") == -EINVAL && t.err[0]);
	/* Counts are decimal: hwloc would read these as 8192 and more PUs
	 * (strtoul base 0) after the limit saw 0; refused before building. */
	{
		static const char *const bad[] = {"synthetic:pu:0x2000",
						  "synthetic:pu:+5000",
						  "synthetic:pu:020000",
						  "synthetic:pu:-1",
						  "synthetic:pack:2 core:0x800",
						  "synthetic:core:2x pu:2",
						  "synthetic:pu:0",
						  "synthetic:pu:",
						  "synthetic:pu:4097",
						  "synthetic:pack:64 pu:65",
						  NULL};
		for (int i = 0; bad[i]; i++)
			CHECKF(zc_topo_load(&t, bad[i]) == -EINVAL &&
				       (strstr(t.err, "decimal") ||
					strstr(t.err, "more than 4096")),
			       "%s: %s", bad[i], t.err);
	}
	CHECK(zc_topo_load(&t, "/nonexistent/topo.xml") == -ENOENT);

	/* CPU lists. */
	CHECK(zc_topo_parse_cpus("0-3,8", cpus, 16) == 5 && cpus[4] == 8);
	CHECK(zc_topo_parse_cpus("3-1", cpus, 16) == -EINVAL);
	CHECK(zc_topo_parse_cpus("1,1", cpus, 16) == -EINVAL);
	CHECK(zc_topo_parse_cpus("a", cpus, 16) == -EINVAL);
	CHECK(zc_topo_parse_cpus("0,", cpus, 16) == -EINVAL);
	/* decimal only, as every number zcbench reads */
	CHECK(zc_topo_parse_cpus(" 1", cpus, 16) == -EINVAL);
	CHECK(zc_topo_parse_cpus("+1", cpus, 16) == -EINVAL);
	CHECK(zc_topo_parse_cpus("0- 1", cpus, 16) == -EINVAL);
	CHECK(zc_topo_parse_cpus("0-+1", cpus, 16) == -EINVAL);
	CHECK(zc_topo_parse_cpus("0x1", cpus, 16) == -EINVAL);
	CHECK(zc_topo_parse_cpus("0-99999999999", cpus, 16) == -EINVAL);
	CHECK(zc_topo_parse_cpus("010", cpus, 16) == 1 && cpus[0] == 10);
	CHECK(zc_place_from_name("cross-numa") == ZC_PLACE_CROSS_NUMA);
	CHECK(zc_place_from_name("nope") == -EINVAL);

	/* This machine: pin to each allowed CPU and check. */
	CHECK(zc_topo_load(&t, NULL) == 0 && zc_topo_is_real(&t));
	CHECK(zc_topo_npus(&t) >= 1);
	for (int c = 0; c < 1024; c++) {
		if (!hwloc_bitmap_isset(t.allowed, c))
			continue;
		CHECK(zc_topo_pin_self(&t, c) == 0);
		CHECKF(zc_topo_current_cpu() == c, "pinned to %d", c);
	}
	{
		/* Export as XML and plan against the file, as a user would with
		 * another machine's topology. */
		char dir[] = "/tmp/zc-topo-XXXXXX", path[64];
		struct zc_topo x;
		CHECK(mkdtemp(dir) != NULL);
		CHECK(zc_topo_export_xml(&t, dir) == 0);
		snprintf(path, sizeof(path), "%s/topology.xml", dir);
		CHECK(zc_topo_load(&x, path) == 0 && !zc_topo_is_real(&x));
		CHECK(zc_topo_npus(&x) >= zc_topo_npus(&t));
		zc_topo_release(&x);
		unlink(path);
		rmdir(dir);
	}
	zc_topo_release(&t);
	return zc_check_result();
}
