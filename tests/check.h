/* SPDX-License-Identifier: MIT */
/* Tiny test helpers: CHECK counts failures and goes on; main returns
 * zc_check_result(). */
#ifndef ZC_TEST_CHECK_H
#define ZC_TEST_CHECK_H
#include <stdio.h>

static int zc_check_failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			zc_check_failures++;                                   \
		}                                                              \
	} while (0)

#define CHECKF(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, \
				__LINE__, #cond);                              \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			zc_check_failures++;                                   \
		}                                                              \
	} while (0)

/* Write text to the file dir/name (a fixture); a failure is counted. */
static inline void zc_check_put(const char *dir, const char *name,
				const char *text)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	CHECK(f != NULL);
	if (f) {
		CHECK(fputs(text, f) >= 0);
		CHECK(fclose(f) == 0);
	}
}

static inline int zc_check_result(void)
{
	if (zc_check_failures)
		fprintf(stderr, "%d check(s) failed\n", zc_check_failures);
	return zc_check_failures ? 1 : 0;
}
#endif
