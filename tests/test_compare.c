/* SPDX-License-Identifier: MIT */
/*
 * Description: compare: unchanged, degraded, improved, inconclusive,
 *   missing/new/failed cases, different machines, bad input, gh export
 * Labels: unit
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "report.h"

static char tmp[256];

/* Samples around `center` with a little spread (deterministic). */
static json_t *samples(double center, int n)
{
	static const double wiggle[] = {0,     0.004,  -0.003, 0.006,  -0.005,
					0.002, -0.001, 0.003,  -0.004, 0.005};
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a,
				      json_real(center * (1 + wiggle[i % 10])));
	return a;
}

struct tcase {
	const char *name;
	const char *status;
	double ns, mops, slow; /* 0: absent */
	int n;
};

static json_t *result(const char *cmd, const struct tcase *tc, int ncases,
		      int schema)
{
	json_t *cases = json_array(), *bench = json_array();
	json_t *metrics = json_pack(
		"[{s:s, s:s, s:s, s:s, s:b}, {s:s, s:s, s:s, s:s, s:b},"
		" {s:s, s:s, s:s, s:s, s:b}, {s:s, s:s, s:s, s:s, s:b}]",
		"name", "ns_per_op", "unit", "ns", "better", "lower",
		"description", "time per op", "portable", 0, "name", "mops",
		"unit", "Mops/s", "better", "higher", "description", "rate",
		"portable", 0, "name", "slowdown", "unit", "x", "better",
		"lower", "description", "vs padded", "portable", 1, "name",
		"ctx", "unit", "count", "better", "none", "description", "info",
		"portable", 0);
	for (int i = 0; i < ncases; i++) {
		json_t *s = json_object();
		if (tc[i].ns)
			json_object_set_new(s, "ns_per_op",
					    samples(tc[i].ns, tc[i].n));
		if (tc[i].mops)
			json_object_set_new(s, "mops",
					    samples(tc[i].mops, tc[i].n));
		if (tc[i].slow)
			json_object_set_new(s, "slowdown",
					    samples(tc[i].slow, tc[i].n));
		json_object_set_new(s, "ctx", samples(tc[i].ns * 7, tc[i].n));
		json_array_append_new(
			cases,
			json_pack("{s:s, s:s, s:s, s:i, s:o, s:{}}", "name",
				  tc[i].name, "status", tc[i].status, "reason",
				  strcmp(tc[i].status, "ok") ? "broken" : "",
				  "repetitions", tc[i].n, "samples", s,
				  "absent"));
		json_array_append_new(
			bench,
			json_pack("{s:s, s:f, s:f, s:s, s:s, s:i}", "name",
				  tc[i].name, "real_time", tc[i].ns, "cpu_time",
				  tc[i].ns, "time_unit", "ns", "run_type",
				  "iteration", "iterations", 1));
	}
	return json_pack("{s:{s:[]}, s:{s:i, s:s, s:b, s:o, s:[], s:{}, s:o},"
			 " s:o}",
			 "context", "caches", "zcbench", "schema_version",
			 schema, "command", cmd, "interrupted", 0, "metrics",
			 metrics, "params", "options", "cases", cases,
			 "benchmarks", bench);
}

static void write_meta(const char *dir, const char *host, const char *cpu)
{
	char p[512];
	json_t *m = json_pack("{s:i, s:s, s:s, s:{s:s}, s:s}", "schema_version",
			      1, "host", host, "status", "complete", "cpu",
			      "model", cpu, "git", "abc");
	snprintf(p, sizeof(p), "%s/meta.json", dir);
	CHECK(json_dump_file(m, p, JSON_INDENT(2)) == 0);
	json_decref(m);
}

static void write_run(const char *name, const struct tcase *tc, int n,
		      const char *host)
{
	char dir[512], p[600];
	json_t *r = result("falseshare", tc, n, ZC_OUT_SCHEMA);
	snprintf(dir, sizeof(dir), "%s/%s", tmp, name);
	mkdir(dir, 0777);
	snprintf(p, sizeof(p), "%s/falseshare.json", dir);
	CHECK(json_dump_file(r, p, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) ==
	      0);
	json_decref(r);
	write_meta(dir, host, "AMD EPYC");
}

static int compare(const char *a, const char *b, struct zc_cmp *c, int machines)
{
	struct zc_rset ra, rb;
	struct zc_cmp_opts o = {
		.threshold = 0.05, .alpha = 0.05, .machines = machines};
	char pa[512], pb[512], err[512];
	int rc;

	snprintf(pa, sizeof(pa), "%s/%s", tmp, a);
	snprintf(pb, sizeof(pb), "%s/%s", tmp, b);
	rc = zc_rset_load(&ra, pa, err, sizeof(err));
	CHECKF(rc == 0, "%s", err);
	rc = zc_rset_load(&rb, pb, err, sizeof(err));
	CHECKF(rc == 0, "%s", err);
	rc = zc_cmp_run(c, &ra, &rb, &o);
	zc_rset_release(&ra);
	zc_rset_release(&rb);
	return rc;
}

static const struct zc_cmp_row *row(const struct zc_cmp *c, const char *cs,
				    const char *metric)
{
	for (int i = 0; i < c->nrows; i++)
		if (!strcmp(c->rows[i].cs, cs) &&
		    !strcmp(c->rows[i].metric, metric))
			return &c->rows[i];
	return NULL;
}

#define A "falseshare/stride:8"
#define B "falseshare/stride:128"
#define C "falseshare/stride:local"

static void test_runs(void)
{
	struct zc_cmp c;
	const struct zc_cmp_row *r;
	const struct tcase base[] = {
		{A, "ok", 40, 50, 4.0, 5},
		{B, "ok", 10, 200, 1.0, 5},
		{C, "ok", 0.5, 4000, 0.05, 5},
	};
	struct tcase worse[3], three[3], moved[3];
	char *md;
	size_t mdlen;
	FILE *f;

	write_run("base", base, 3, "vm1");
	write_run("same", base, 3, "vm1");

	/* Same figures: nothing changed. */
	CHECK(compare("base", "same", &c, ZC_CMP_AUTO) == 0);
	CHECK(zc_cmp_regressions(&c) == 0);
	CHECK(c.count[ZC_CMP_UNCHANGED] == 9); /* 3 cases x 3 metrics */
	CHECK(c.nrows == 9);
	CHECK(!c.different && c.machines_known);
	CHECK(row(&c, A, "ctx") == NULL); /* better none: not compared */
	zc_cmp_release(&c);

	/* A degraded case: stride 8 is 30 % slower, its rate 30 % lower. */
	memcpy(worse, base, sizeof(base));
	worse[0].ns *= 1.3;
	worse[0].mops /= 1.3;
	worse[0].slow *= 1.3;
	worse[2].mops *= 1.2; /* and local got faster */
	write_run("worse", worse, 3, "vm1");
	CHECK(compare("base", "worse", &c, ZC_CMP_AUTO) == 0);
	CHECK(zc_cmp_regressions(&c) == 3);
	r = row(&c, A, "ns_per_op");
	CHECK(r && r->status == ZC_CMP_REGRESSED);
	CHECK(r && fabs(r->change - 0.3) < 0.01 && r->p < 0.05);
	r = row(&c, A, "mops");
	CHECK(r && r->status == ZC_CMP_REGRESSED);
	r = row(&c, C, "mops");
	CHECK(r && r->status == ZC_CMP_IMPROVED);
	r = row(&c, B, "ns_per_op");
	CHECK(r && r->status == ZC_CMP_UNCHANGED);
	/* The markdown says so, and lists the regression first. */
	f = open_memstream(&md, &mdlen);
	CHECK(zc_cmp_markdown(f, &c, 0) == 0);
	fclose(f);
	CHECK(strstr(md, "regression found") != NULL);
	CHECK(strstr(md, "| **regressed** | falseshare/stride:8 | ns_per_op") !=
	      NULL);
	CHECK(strstr(md, "not shown") != NULL);
	free(md);
	{
		json_t *j = zc_cmp_json(&c);
		CHECK(j && json_is_true(json_object_get(j, "regression")));
		CHECK(json_integer_value(json_object_get(
			      json_object_get(j, "counts"), "regressed")) == 3);
		json_decref(j);
	}
	zc_cmp_release(&c);

	/* Reversed: the same change read the other way is an improvement. */
	CHECK(compare("worse", "base", &c, ZC_CMP_AUTO) == 0);
	CHECK(zc_cmp_regressions(&c) == 1); /* local's rate went back down */
	CHECK(row(&c, A, "ns_per_op")->status == ZC_CMP_IMPROVED);
	zc_cmp_release(&c);

	/* A 3 % shift is significant but within the 5 % threshold. */
	memcpy(moved, base, sizeof(base));
	moved[1].ns *= 1.03;
	write_run("moved", moved, 3, "vm1");
	CHECK(compare("base", "moved", &c, ZC_CMP_AUTO) == 0);
	CHECK(zc_cmp_regressions(&c) == 0);
	r = row(&c, B, "ns_per_op");
	CHECK(r && r->status == ZC_CMP_UNCHANGED && r->p < 0.05);
	zc_cmp_release(&c);

	/* Three repetitions cannot show anything: say so. */
	memcpy(three, worse, sizeof(base));
	for (int i = 0; i < 3; i++)
		three[i].n = 3;
	write_run("three", three, 3, "vm1");
	/* 5 against 3 can (p >= 2/56) */
	CHECK(compare("base", "three", &c, ZC_CMP_AUTO) == 0);
	CHECK(zc_cmp_regressions(&c) == 3);
	zc_cmp_release(&c);
	memcpy(three, base, sizeof(base));
	for (int i = 0; i < 3; i++)
		three[i].n = 3;
	write_run("base3", three, 3, "vm1");
	memcpy(three, worse, sizeof(base));
	for (int i = 0; i < 3; i++)
		three[i].n = 3;
	write_run("three", three, 3, "vm1");
	CHECK(compare("base3", "three", &c, ZC_CMP_AUTO) == 0);
	CHECK(c.count[ZC_CMP_INCONCLUSIVE] == 9);
	CHECK(zc_cmp_regressions(&c) == 0);
	r = row(&c, A, "ns_per_op");
	CHECK(r && strstr(r->note, "too few repetitions (3 vs 3)"));
	zc_cmp_release(&c);

	/* Another machine: only the portable ratio is compared. */
	write_run("other", worse, 3, "vm2");
	CHECK(compare("base", "other", &c, ZC_CMP_AUTO) == 0);
	CHECK(c.different && strstr(c.why_different, "vm1 vs vm2"));
	CHECK(c.nrows == 3 && c.not_comparable == 6);
	CHECK(row(&c, A, "slowdown")->status == ZC_CMP_REGRESSED);
	CHECK(row(&c, A, "ns_per_op") == NULL);
	zc_cmp_release(&c);
	CHECK(compare("base", "other", &c, ZC_CMP_SAME) == 0);
	CHECK(c.nrows == 9 && !c.different);
	zc_cmp_release(&c);
	CHECK(compare("base", "same", &c, ZC_CMP_DIFFERENT) == 0);
	CHECK(c.nrows == 3 && c.different);
	zc_cmp_release(&c);
}

static void test_cases(void)
{
	struct zc_cmp c;
	const struct tcase base[] = {
		{A, "ok", 40, 50, 4, 5},
		{B, "ok", 10, 200, 1, 5},
		{C, "ok", 0.5, 4000, 0.05, 5},
		{"falseshare/stride:256", "skipped", 0, 0, 0, 0},
	};
	const struct tcase next[] = {
		{A, "failed", 0, 0, 0, 0},
		{B, "skipped", 0, 0, 0, 0},
		{"falseshare/stride:256", "ok", 10, 200, 1, 5},
		{"falseshare/stride:64", "ok", 10, 200, 1, 5},
	};
	write_run("cb", base, 4, "vm1");
	write_run("cn", next, 4, "vm1");
	CHECK(compare("cb", "cn", &c, ZC_CMP_AUTO) == 0);
	CHECK(c.count[ZC_CMP_FAILED] == 1);
	CHECK(c.count[ZC_CMP_MISSING] == 2); /* B skipped, C gone */
	CHECK(c.count[ZC_CMP_NEW] == 2);     /* 256 now runs, 64 is new */
	CHECK(zc_cmp_regressions(&c) == 1);
	CHECK(strstr(row(&c, A, "")->note, "failed in NEW: broken") != NULL);
	CHECK(strstr(row(&c, B, "")->note, "skipped in NEW") != NULL);
	CHECK(!strcmp(zc_cmp_verdict(&c), "regression found"));
	zc_cmp_release(&c);

	/* NEW ran other cases only, or has no values: nothing compared,
	 * never "no regression". */
	{
		const struct tcase other[] = {
			{"falseshare/stride:512", "ok", 10, 200, 1, 5},
		};
		const struct tcase empty[] = {
			{A, "ok", 0, 0, 0, 5},
		};
		write_run("co", other, 1, "vm1");
		CHECK(compare("cb", "co", &c, ZC_CMP_AUTO) == 0);
		CHECK(zc_cmp_compared(&c) == 0 && c.matched == 0);
		CHECK(c.count[ZC_CMP_MISSING] == 3 && c.count[ZC_CMP_NEW] == 1);
		CHECK(!strcmp(zc_cmp_verdict(&c), "nothing compared"));
		zc_cmp_release(&c);
		write_run("ce", empty, 1, "vm1");
		CHECK(compare("cb", "ce", &c, ZC_CMP_AUTO) == 0);
		CHECK(zc_cmp_compared(&c) == 0 && c.matched == 1);
		CHECK(!strcmp(zc_cmp_verdict(&c), "nothing compared"));
		zc_cmp_release(&c);
		CHECK(compare("cb", "cb", &c, ZC_CMP_AUTO) == 0);
		CHECK(!strcmp(zc_cmp_verdict(&c), "no regression"));
		zc_cmp_release(&c);
	}
}

static void put(const char *name, const char *text)
{
	zc_check_put(tmp, name, text);
}

static int load(const char *name, char *err, size_t len)
{
	struct zc_rset s;
	char p[512];
	int rc;
	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	rc = zc_rset_load(&s, p, err, len);
	if (rc == 0)
		zc_rset_release(&s);
	return rc;
}

static void test_bad_input(void)
{
	const struct tcase one[] = {{A, "ok", 40, 50, 4, 5}};
	char err[512], p[512], *text;
	json_t *r;
	int rc;

	CHECK(load("nothing-here", err, sizeof(err)) == -ENOENT);
	CHECK(strstr(err, "no such file or folder") != NULL);

	mkdir(strcat(strcpy(p, tmp), "/empty"), 0777);
	CHECK(load("empty", err, sizeof(err)) == -ENODATA);
	CHECK(strstr(err, "no zcbench results") != NULL);

	put("corrupt.json", "{\"zcbench\": {\"schema_version\": 1,, }");
	CHECK(load("corrupt.json", err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "corrupt.json:1:") && strstr(err, "not valid JSON"));

	/* A real result cut in half. */
	r = result("falseshare", one, 1, ZC_OUT_SCHEMA);
	text = json_dumps(r, JSON_INDENT(2));
	text[strlen(text) / 2] = 0;
	put("truncated.json", text);
	free(text);
	json_decref(r);
	CHECK(load("truncated.json", err, sizeof(err)) == -EINVAL);

	r = result("falseshare", one, 1, ZC_OUT_SCHEMA + 1);
	text = json_dumps(r, 0);
	put("schema.json", text);
	free(text);
	json_decref(r);
	rc = load("schema.json", err, sizeof(err));
	CHECK(rc == -EPROTO);
	CHECK(strstr(err, "schema version 2") != NULL);

	put("other.json", "{\"benchmarks\": []}");
	CHECK(load("other.json", err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "not a zcbench result") != NULL);

	put("nocases.json",
	    "{\"zcbench\": {\"schema_version\": 1, \"command\": "
	    "\"x\", \"metrics\": [], \"cases\": [{\"name\": 3}]}}");
	CHECK(load("nocases.json", err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "cases[0]") != NULL);

	/* A corrupt file inside a results folder fails the folder. */
	write_run("broken", one, 1, "vm1");
	put("broken/falseshare.json", "[1, 2");
	CHECK(load("broken", err, sizeof(err)) == -EINVAL);
	put("broken/falseshare.json", "[]");
	CHECK(load("broken", err, sizeof(err)) == -ENODATA);
	put("broken/meta.json", "{");
	r = result("falseshare", one, 1, ZC_OUT_SCHEMA);
	snprintf(p, sizeof(p), "%s/broken/falseshare.json", tmp);
	json_dump_file(r, p, 0);
	json_decref(r);
	CHECK(load("broken", err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "meta.json") != NULL);
	/* One file: its meta.json beside it is read as well. */
	write_run("single", one, 1, "vm7");
	{
		struct zc_rset s;
		snprintf(p, sizeof(p), "%s/single/falseshare.json", tmp);
		CHECK(zc_rset_load(&s, p, err, sizeof(err)) == 0);
		CHECK(s.n == 1 && s.meta &&
		      !strcmp(json_string_value(
				      json_object_get(s.meta, "host")),
			      "vm7"));
		zc_rset_release(&s);
	}
}

static void test_min_p(void)
{
	CHECK(fabs(zc_cmp_min_p(3, 3) - 0.1) < 1e-12);
	CHECK(fabs(zc_cmp_min_p(4, 4) - 2.0 / 70) < 1e-12);
	CHECK(zc_cmp_min_p(5, 5) < 0.01);
	CHECK(zc_cmp_min_p(1, 1) == 1);
	CHECK(zc_cmp_min_p(20, 20) < 1e-6);
	CHECK(zc_cmp_min_p(0, 5) == 1);
}

static void test_export(void)
{
	const struct tcase base[] = {
		{A, "ok", 40, 50, 4.0, 5},
		{B, "skipped", 0, 0, 0, 0},
	};
	struct zc_rset s;
	char p[512], err[256];
	json_t *e, *x;

	write_run("ghb", base, 2, "vm1");
	snprintf(p, sizeof(p), "%s/ghb", tmp);
	CHECK(zc_rset_load(&s, p, err, sizeof(err)) == 0);
	e = zc_ghb_export(&s, ZC_BETTER_LOWER, 0);
	CHECK(json_array_size(e) == 2); /* ns_per_op, slowdown */
	x = json_array_get(e, 0);
	CHECK(!strcmp(json_string_value(json_object_get(x, "name")),
		      A " (ns_per_op)"));
	CHECK(!strcmp(json_string_value(json_object_get(x, "unit")), "ns"));
	CHECK(fabs(json_number_value(json_object_get(x, "value")) - 40) < 0.5);
	CHECK(json_is_string(json_object_get(x, "range")));
	CHECK(json_is_string(json_object_get(x, "extra")));
	json_decref(e);
	e = zc_ghb_export(&s, ZC_BETTER_HIGHER, 0);
	CHECK(json_array_size(e) == 1);
	json_decref(e);
	e = zc_ghb_export(&s, ZC_BETTER_LOWER, 1);
	CHECK(json_array_size(e) == 1);
	json_decref(e);
	zc_rset_release(&s);
}

int main(void)
{
	char cmd[300];
	snprintf(tmp, sizeof(tmp), "/tmp/zc-test-compare-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_min_p();
	test_runs();
	test_cases();
	test_bad_input();
	test_export();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return zc_check_result();
}
