/* SPDX-License-Identifier: MIT */
/*
 * Description: shm: private, memfd and named mappings are touched and bound
 * (or say why not), named segments attach and are unlinked, huge pages fall
 * back when none are reserved.
 * Labels: unit
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "shm.h"

int main(void)
{
	struct zc_mem m, a;
	char name[64], path[80], why[160];
	int can = zc_mem_probe_binding(why, sizeof(why));

	CHECK(why[0]);
	CHECK(zc_mem_alloc(&m, 100, 0, ZC_MEM_PRIVATE, NULL) == 0);
	CHECK(m.p && m.len >= 100 && m.fd == -1);
	CHECKF(!can || !strcmp(m.binding, "bound:0"), "%s", m.binding);
	CHECK(!can || zc_mem_node_of(m.p) == 0);
	zc_mem_free(&m);

	CHECK(zc_mem_alloc(&m, 4096, -1, ZC_MEM_MEMFD | ZC_MEM_HUGE, NULL) ==
	      0);
	CHECK(m.fd >= 0 && !strcmp(m.binding, "local") && m.pages[0]);
	((char *)m.p)[0] = 7;
	zc_mem_free(&m);

	/* A node that does not exist is recorded, not assumed. */
	CHECK(zc_mem_alloc(&m, 4096, 4000, ZC_MEM_PRIVATE, NULL) == 0);
	CHECKF(!strncmp(m.binding, "unbound:", 8) ||
		       !strcmp(m.binding, "unavailable"),
	       "%s", m.binding);
	zc_mem_free(&m);

	snprintf(name, sizeof(name), "/zc-test-shm-%d", (int)getpid());
	snprintf(path, sizeof(path), "/dev/shm%s", name);
	CHECK(zc_mem_alloc(&m, 8192, -1, ZC_MEM_NAMED, name) == 0);
	CHECK(access(path, F_OK) == 0);
	CHECK(zc_mem_alloc(&a, 8192, -1, ZC_MEM_NAMED, name) == -EEXIST);
	CHECK(zc_mem_attach(&a, name, 8192) == 0);
	((volatile char *)m.p)[100] = 42;
	CHECK(((volatile char *)a.p)[100] == 42);
	CHECK(zc_mem_attach(&a, name, 1 << 30) == -EINVAL);
	zc_mem_free(&a);
	zc_mem_unlink_all();
	CHECK(access(path, F_OK) < 0);
	zc_mem_free(&m);
	CHECK(zc_mem_alloc(&m, 0, -1, ZC_MEM_PRIVATE, NULL) == -EINVAL);
	CHECK(zc_mem_alloc(&m, 10, -1, ZC_MEM_NAMED, "no-slash") == -EINVAL);
	return zc_check_result();
}
