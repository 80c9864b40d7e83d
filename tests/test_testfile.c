/* SPDX-License-Identifier: MIT */
/*
 * Description: testfile_room says whether the largest file fits beside the
 * margin, and in which words (no space for any file, or too large a file)
 * Labels: unit
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "testfile.h"

#define MIB (1ull << 20)

int main(void)
{
	struct zc_testfile t;
	char why[256] = "";

	zc_testfile_init(&t);
	snprintf(t.parent, sizeof(t.parent), "/d");
	snprintf(t.fstype, sizeof(t.fstype), "ext4");
	t.free_bytes = 700 * MIB;
	CHECK(zc_testfile_room(&t, 636 * MIB, 64 * MIB, why, sizeof(why)) == 0);
	CHECK(zc_testfile_room(&t, 637 * MIB, 64 * MIB, why, sizeof(why)) ==
	      -EFBIG);
	CHECKF(!strcmp(why, "637 MiB does not fit in the 700 MiB free in '/d' "
			    "(ext4): expected 1..636 MiB"),
	       "%s", why);
	t.free_bytes = 64 * MIB + 4096;
	CHECK(zc_testfile_room(&t, MIB, 64 * MIB, why, sizeof(why)) == -ENOSPC);
	CHECKF(!strcmp(why, "'/d' has 64 MiB free: too little for any file"),
	       "%s", why);
	return zc_check_result();
}
