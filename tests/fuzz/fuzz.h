/* SPDX-License-Identifier: MIT */
#ifndef ZC_FUZZ_H
#define ZC_FUZZ_H
/*
 * The fuzz harnesses (tests/fuzz/fuzz_<target>.c): one
 * LLVMFuzzerTestOneInput each, built two ways (tests/fuzz/CMakeLists.txt):
 *  - with -DZC_FUZZ=ON (clang): linked with libFuzzer, ASan and UBSan,
 *    for scripts/fuzz.sh to explore;
 *  - in every build: linked with replay.c, a main() that feeds it each
 *    file of tests/fuzz/corpus/<target>/ (the seeds and every input that
 *    once crashed or hung), registered with CTest as fuzz_<target>.
 * A harness checks invariants beyond "no crash" and traps (ZC_FUZZ_CHECK)
 * when one fails, so the fuzzer reports it as a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ZC_FUZZ_CHECK(cond)                                                    \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)

/* data as a NUL-terminated string (cut at its first NUL); free() it. */
static inline char *zc_fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = 0;
	}
	return s;
}

/* A comparison written out as compare does (Markdown, JSON), to nowhere. */
#ifdef ZC_COMPARE_H
static inline void zc_fuzz_write_cmp(const struct zc_cmp *c, int all)
{
	FILE *f = fopen("/dev/null", "w");
	json_t *j;

	if (f) {
		zc_cmp_markdown(f, c, all);
		fclose(f);
	}
	j = zc_cmp_json(c);
	ZC_FUZZ_CHECK(j);
	free(json_dumps(j, 0));
	json_decref(j);
}
#endif

#endif
