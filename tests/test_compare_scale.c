/* SPDX-License-Identifier: MIT */
/*
 * Description: compare and export scale as O(n log n): 100,000 cases in
 *   different orders on each side, every verdict exact (regressed, missing,
 *   new, unchanged), compare and export each well under 20 s (ASan too)
 * Labels: unit
 *
 * ZC_SCALE_CASES=N changes the size (the figures are printed: run it at
 * 10,000 and 100,000 to see the scaling).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "report.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Case k of n in written position i: a permutation (n is not a multiple
 * of the odd multiplier's factors), so the two sides differ in order. */
static long perm(long i, long n, long mul)
{
	return (long)(((unsigned long long)i * (unsigned long long)mul) %
		      (unsigned long long)n);
}

/*
 * One side, streamed (a jansson tree of 100,000 cases is not needed to
 * write it). Case k: every 1000th (k % 1000 == 0) is 50 % slower in NEW;
 * k % 1000 == 1 exists in BASE only, and NEW has "x/new:<k>" instead.
 */
static int write_side(const char *dir, long n, int is_new)
{
	char path[600];
	FILE *f;

	mkdir(dir, 0777);
	snprintf(path, sizeof(path), "%s/falseshare.json", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f,
		"{\"zcbench\": {\"schema_version\": %d, \"command\": "
		"\"falseshare\", \"interrupted\": false, \"metrics\": ["
		"{\"name\": \"ns_per_op\", \"unit\": \"ns\", \"better\": "
		"\"lower\", \"portable\": false}, "
		"{\"name\": \"mops\", \"unit\": \"Mops/s\", \"better\": "
		"\"higher\", \"portable\": false}], \"cases\": [\n",
		ZC_OUT_SCHEMA);
	for (long i = 0; i < n; i++) {
		long k = perm(i, n, is_new ? 7919 : 104729);
		double ns = 10 + (double)(k % 97) / 10;
		if (is_new && k % 1000 == 0)
			ns *= 1.5;
		if (is_new && k % 1000 == 1)
			fprintf(f, "%s{\"name\": \"x/new:%ld\"", i ? ",\n" : "",
				k);
		else
			fprintf(f, "%s{\"name\": \"x/case:%ld\"",
				i ? ",\n" : "", k);
		fprintf(f, ", \"status\": \"ok\", \"repetitions\": 5, "
			   "\"samples\": {\"ns_per_op\": [");
		for (int r = 0; r < 5; r++)
			fprintf(f, "%s%.6g", r ? ", " : "",
				ns * (1 + 0.001 * r));
		fprintf(f, "], \"mops\": [");
		for (int r = 0; r < 5; r++)
			fprintf(f, "%s%.6g", r ? ", " : "",
				1000 / (ns * (1 + 0.001 * r)));
		fprintf(f, "]}}");
	}
	fprintf(f, "]}}\n");
	return fclose(f) ? -errno : 0;
}

int main(void)
{
	char tmp[] = "/tmp/zc-test-scale-XXXXXX", b[600], nw[600], err[1024];
	const char *env = getenv("ZC_SCALE_CASES");
	long n = env ? atol(env) : 100000, nth = 0;
	struct zc_rset rb, rn;
	struct zc_cmp c;
	struct zc_cmp_opts o = {.threshold = 0.05, .alpha = 0.05};
	double t0, t_load, t_cmp, t_md, t_exp;
	json_t *e;
	FILE *devnull;

	if (n < 2000)
		n = 2000;
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(b, sizeof(b), "%s/base", tmp);
	snprintf(nw, sizeof(nw), "%s/new", tmp);
	/* the multipliers must be coprime with n */
	while (n % 7919 == 0 || n % 104729 == 0)
		n++;
	CHECK(write_side(b, n, 0) == 0);
	CHECK(write_side(nw, n, 1) == 0);

	t0 = now_s();
	CHECKF(zc_rset_load(&rb, b, err, sizeof(err)) == 0, "%s", err);
	CHECKF(zc_rset_load(&rn, nw, err, sizeof(err)) == 0, "%s", err);
	t_load = now_s() - t0;

	t0 = now_s();
	CHECK(zc_cmp_run(&c, &rb, &rn, &o) == 0);
	t_cmp = now_s() - t0;
	for (long k = 0; k < n; k++)
		nth += k % 1000 == 0 || k % 1000 == 1;
	/* each regressed case: both metrics; each moved one: missing + new */
	{
		long reg = 0, miss = 0;
		for (long k = 0; k < n; k++) {
			reg += k % 1000 == 0;
			miss += k % 1000 == 1;
		}
		CHECKF(c.count[ZC_CMP_REGRESSED] == 2 * reg, "%d regressed",
		       c.count[ZC_CMP_REGRESSED]);
		CHECKF(c.count[ZC_CMP_MISSING] == miss, "%d missing",
		       c.count[ZC_CMP_MISSING]);
		CHECKF(c.count[ZC_CMP_NEW] == miss, "%d new",
		       c.count[ZC_CMP_NEW]);
		CHECKF(c.count[ZC_CMP_UNCHANGED] == 2 * (n - reg - miss),
		       "%d unchanged", c.count[ZC_CMP_UNCHANGED]);
		CHECK(c.matched == n - miss);
		CHECK(c.count[ZC_CMP_IMPROVED] == 0 &&
		      c.count[ZC_CMP_FAILED] == 0);
	}
	for (int i = 0; i < c.nrows; i++)
		if (c.rows[i].status == ZC_CMP_REGRESSED) {
			long k = atol(strchr(c.rows[i].cs, ':') + 1);
			CHECKF(k % 1000 == 0 &&
				       !strncmp(c.rows[i].cs, "x/case:", 7),
			       "%s regressed", c.rows[i].cs);
		}
	devnull = fopen("/dev/null", "w");
	t0 = now_s();
	CHECK(devnull && zc_cmp_markdown(devnull, &c, 1) == 0);
	t_md = now_s() - t0;
	if (devnull)
		fclose(devnull);
	zc_cmp_release(&c);

	t0 = now_s();
	e = zc_ghb_export(&rb, ZC_BETTER_LOWER, 0);
	t_exp = now_s() - t0;
	CHECK(e && json_array_size(e) == (size_t)n);
	json_decref(e);

	printf("%ld cases a side (%ld moved or slower): load both %.2f s, "
	       "compare %.2f s, markdown %.2f s, export %.2f s\n",
	       n, nth, t_load, t_cmp, t_md, t_exp);
	/* Generous: the quadratic lookup took minutes at this size. */
	CHECKF(t_cmp < 20, "compare took %.1f s", t_cmp);
	CHECKF(t_exp < 20, "export took %.1f s", t_exp);
	CHECKF(t_md < 20, "markdown took %.1f s", t_md);
	zc_rset_release(&rb);
	zc_rset_release(&rn);
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	}
	return zc_check_result();
}
