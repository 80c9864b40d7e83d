/* SPDX-License-Identifier: MIT */
/*
 * fuzz_topo — topologies to plan against: zc_topo_load("synthetic:" +
 * input), or, for an input that starts with '<', the input as an XML
 * file (a memfd, read through /proc/self/fd like any file); on success
 * every placement plan (pairs, compact and scatter of 4 and of all PUs),
 * the closest pair and the allowed set as text.
 * Invariants: a failure says why; a loaded topology has 1..ZC_TOPO_MAX_PUS
 * PUs; a plan's CPUs are allowed, distinct for a pair, classified as
 * planned.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "topo.h"

static void check_plan(const struct zc_topo *t, const struct zc_plan *p)
{
	for (int i = 0; i < p->nthreads; i++)
		ZC_FUZZ_CHECK(hwloc_bitmap_isset(t->allowed, p->cpu[i]));
	if (p->nthreads == 2 && p->place < ZC_PLACE_COMPACT)
		ZC_FUZZ_CHECK(p->cpu[0] != p->cpu[1] &&
			      zc_topo_classify(t, p->cpu[0], p->cpu[1]) ==
				      (int)p->place);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zc_plan p;
	struct zc_topo t;
	char *spec, buf[256];
	int rc, n;

	if (size && data[0] == '<') {
		static int fd = -1;
		char path[64];
		if (fd < 0)
			fd = memfd_create("fuzz-topo.xml", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, 0) < 0 ||
		    pwrite(fd, data, size, 0) != (ssize_t)size)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		rc = zc_topo_load(&t, path);
	} else {
		if (size > 200 || !(spec = malloc(size + 11)))
			return 0;
		memcpy(spec, "synthetic:", 10);
		memcpy(spec + 10, data, size);
		spec[size + 10] = 0;
		rc = zc_topo_load(&t, spec);
		free(spec);
	}
	if (rc < 0) {
		ZC_FUZZ_CHECK(t.err[0]);
		return 0;
	}
	n = zc_topo_npus(&t);
	ZC_FUZZ_CHECK(n >= 1 && n <= ZC_TOPO_MAX_PUS);
	for (int c = 0; c < ZC_PLACE_CPUS; c++) {
		int threads = c < ZC_PLACE_COMPACT ? 2 : 4;
		if (zc_topo_plan(&t, c, threads, NULL, 0, &p) == 0)
			check_plan(&t, &p);
	}
	if (n <= ZC_TOPO_MAX_THREADS &&
	    zc_topo_plan(&t, ZC_PLACE_SCATTER, n, NULL, 0, &p) == 0)
		check_plan(&t, &p);
	if (zc_topo_plan_closest(&t, NULL, 0, &p) == 0)
		check_plan(&t, &p);
	zc_topo_format_allowed(&t, buf, sizeof(buf));
	zc_topo_release(&t);
	return 0;
}
