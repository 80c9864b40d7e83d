/* SPDX-License-Identifier: MIT */
/*
 * Description: results model, text/CSV/samples/JSON back ends, atomic files,
 * results folders Labels: unit
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "out.h"

static const char *const keys[] = {"size", "mode", "threads"};
enum {
	M_NS,
	M_MOPS,
	M_CSW,
	NMETRICS
};
static const struct zc_metric metrics[] = {
	[M_NS] = {"ns_per_op", "ns", ZC_BETTER_LOWER, "time per operation",
		  ZC_M_SHOW, ZC_GB_REAL_TIME, 1},
	[M_MOPS] = {"mops", "Mops/s", ZC_BETTER_HIGHER, "operations per second",
		    ZC_M_SHOW | ZC_M_PORTABLE, ZC_GB_ITEMS_PER_SECOND, 1e6},
	[M_CSW] = {"ctx_switches", "count", ZC_BETTER_NONE, "context switches",
		   0, ZC_GB_NONE, 0},
};

/* A parameter value that needs every kind of CSV quoting. */
#define NASTY "a,b \"q\"\nx"

/* Four cases: stable (ok), noisy (ok), skipped, failed. */
static void build(struct zc_results *r)
{
	static const char *const v0[] = {"64", NASTY, "2"};
	static const char *const v1[] = {"128", "plain", "1"};
	static const char *const v2[] = {"256", "plain", "4"};
	static const char *const v3[] = {"512", "plain", "1"};
	static const double stable[] = {10.0, 10.1, 9.9, 10.05, 9.95};
	static const double noisy[] = {100, 150, 90, 200, 100};
	struct zc_case *c;

	CHECK(zc_results_init(r, "demo", keys, 3, metrics, NMETRICS, 5) == 0);
	c = zc_results_add(r, v0);
	for (int i = 0; i < 5; i++) {
		zc_case_set(r, c, i, M_NS, stable[i]);
		zc_case_set(r, c, i, M_MOPS, 1e3 / stable[i]);
		c->iterations[i] = 1000000;
	}
	zc_case_absent(r, c, M_CSW, "no PMU (hypervisor)");
	snprintf(c->label, sizeof(c->label), "hello, \"world\"");
	snprintf(c->cpus, sizeof(c->cpus), "0,1");

	c = zc_results_add(r, v1);
	for (int i = 0; i < 5; i++) {
		zc_case_set(r, c, i, M_NS, noisy[i]);
		zc_case_set(r, c, i, M_MOPS, 1e3 / noisy[i]);
		zc_case_set(r, c, i, M_CSW, i);
		c->iterations[i] = 1000;
	}
	/* One repetition lost its value: NaN must become null / empty. */
	zc_case_set(r, c, 2, M_CSW, NAN);

	c = zc_results_add(r, v2);
	zc_case_skip(c, "needs %d CPUs, have %d", 4, 2);

	c = zc_results_add(r, v3);
	zc_case_set(r, c, 0, M_NS, 5);
	c->iterations[0] = 7;
	zc_case_fail(r, c, "checksum mismatch at message %d", 17);
}

/* Render through back end `name` into a malloc'd string. */
static char *render(const struct zc_results *r, const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(zc_out_backend(name) != NULL);
	CHECK(zc_out_backend(name)->write(f, r) == 0);
	fclose(f);
	return buf;
}

static void test_model(void)
{
	struct zc_results r;
	struct zc_summary s;
	struct zc_case *c;

	build(&r);
	CHECK(r.ncases == 4);
	c = &r.cases[0];
	CHECK(!strcmp(c->name, "demo/size:64/mode:" NASTY "/threads:2"));
	CHECK(c->threads == 2);
	CHECK(!strcmp(zc_case_param(&r, c, "mode"), NASTY));
	CHECK(zc_case_param(&r, c, "nope") == NULL);
	CHECK(zc_results_metric(&r, "mops") == M_MOPS);
	CHECK(zc_results_metric(&r, "nope") == -ENOENT);
	CHECK(c->nrep == 5);
	CHECK(zc_case_get(&r, c, 1, M_NS) == 10.1);
	CHECK(isnan(zc_case_get(&r, c, 5, M_NS)));
	CHECK(zc_case_summary(&r, c, M_NS, &s) == 0 && s.median == 10.0);
	CHECK(zc_case_summary(&r, c, M_CSW, &s) == -EINVAL);
	CHECK(!strcmp(c->absent[M_CSW], "no PMU (hypervisor)"));

	CHECK(zc_case_summary(&r, &r.cases[1], M_NS, &s) == 0 && s.noisy);
	CHECK(zc_case_summary(&r, &r.cases[1], M_CSW, &s) == 0 && s.n == 4);

	c = &r.cases[3];
	CHECK(c->status == ZC_CASE_FAILED && c->nrep == 0);
	CHECK(isnan(c->v[M_NS]) && c->iterations[0] == 0);
	CHECK(zc_case_summary(&r, c, M_NS, &s) == -EINVAL);
	CHECK(!strcmp(c->reason, "checksum mismatch at message 17"));

	CHECK(zc_results_count(&r, ZC_CASE_OK) == 2);
	CHECK(zc_results_count(&r, ZC_CASE_SKIPPED) == 1);
	CHECK(zc_results_count(&r, ZC_CASE_FAILED) == 1);
	CHECK(zc_out_backend("xml") == NULL);

	/* Adding many cases moves the array; the values move with it. */
	for (int i = 0; i < 100; i++) {
		static const char *const v[] = {"1", "x", "1"};
		c = zc_results_add(&r, v);
		CHECK(c != NULL);
		zc_case_set(&r, c, 0, M_NS, i);
	}
	CHECK(r.ncases == 104 && zc_case_get(&r, &r.cases[103], 0, M_NS) == 99);
	CHECK(zc_case_get(&r, &r.cases[0], 1, M_NS) == 10.1);
	zc_results_release(&r);

	CHECK(zc_results_init(&r, "x", keys, 3, metrics, 3, 0) == -EINVAL);
	CHECK(zc_results_init(&r, "x", keys, ZC_MAX_PARAMS + 1, metrics, 3,
			      5) == -EINVAL);
}

static void test_csv_field(void)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{"plain", "plain"},
		{"", ""},
		{"a,b", "\"a,b\""},
		{"say \"hi\"", "\"say \"\"hi\"\"\""},
		{"two\nlines", "\"two\nlines\""},
		{"cr\r", "\"cr\r\""},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		zc_csv_field(f, t[i].in);
		fclose(f);
		if (strcmp(buf, t[i].out)) {
			fprintf(stderr, "csv field '%s' -> '%s', want '%s'\n",
				t[i].in, buf, t[i].out);
			zc_check_failures++;
		}
		free(buf);
	}
}

/*
 * A small RFC 4180 reader: splits text into records of fields so that the
 * test sees what a spreadsheet would. Returns the number of records;
 * fields are NUL-separated copies in rec[i][j].
 */
#define MAXREC	 16
#define MAXFIELD 64
struct csv {
	int nrec, nfield[MAXREC];
	char *field[MAXREC][MAXFIELD];
};

static void csv_parse(const char *s, struct csv *c)
{
	memset(c, 0, sizeof(*c));
	while (*s && c->nrec < MAXREC) {
		int r = c->nrec++;
		for (;;) {
			char *out = malloc(strlen(s) + 1), *o = out;
			if (*s == '"') {
				for (s++; *s; s++) {
					if (*s == '"' && s[1] == '"')
						*o++ = *s++;
					else if (*s == '"')
						break;
					else
						*o++ = *s;
				}
				if (*s == '"')
					s++;
			} else {
				while (*s && *s != ',' && *s != '\n')
					*o++ = *s++;
			}
			*o = 0;
			if (c->nfield[r] < MAXFIELD)
				c->field[r][c->nfield[r]++] = out;
			else
				free(out);
			if (*s == ',') {
				s++;
				continue;
			}
			if (*s == '\n')
				s++;
			break;
		}
	}
}

static void csv_free(struct csv *c)
{
	for (int r = 0; r < c->nrec; r++)
		for (int j = 0; j < c->nfield[r]; j++)
			free(c->field[r][j]);
}

static int csv_col(const struct csv *c, const char *name)
{
	for (int j = 0; j < c->nfield[0]; j++)
		if (!strcmp(c->field[0][j], name))
			return j;
	fprintf(stderr, "no csv column '%s'\n", name);
	zc_check_failures++;
	return 0;
}

static void test_csv(void)
{
	struct zc_results r;
	struct csv c;
	char *text;
	int med, st, reason, reps, csw, cv, label;

	build(&r);
	text = render(&r, "csv");
	CHECK(!strncmp(text,
		       "name,size,mode,threads,regime,handoff_ns,status,reason,"
		       "cpus,label,repetitions,ns_per_op_median,ns_per_op_min,"
		       "ns_per_op_max,ns_per_op_ci_lo,ns_per_op_ci_hi,"
		       "ns_per_op_cv,mops_median,",
		       strlen("name,size,mode,threads,regime,handoff_ns,status,"
			      "reason,cpus,label,repetitions,"
			      "ns_per_op_median,")));
	csv_parse(text, &c);
	CHECK(c.nrec == 5);
	for (int i = 0; i < c.nrec; i++)
		CHECK(c.nfield[i] == 11 + 6 * NMETRICS);
	CHECK(!strcmp(c.field[0][11], "ns_per_op_median"));
	CHECK(!strcmp(c.field[0][11 + 6 * NMETRICS - 1], "ctx_switches_cv"));
	CHECK(!strcmp(c.field[1][csv_col(&c, "regime")], "all"));
	CHECK(!strcmp(c.field[1][csv_col(&c, "handoff_ns")], ""));
	med = csv_col(&c, "ns_per_op_median");
	st = csv_col(&c, "status");
	reason = csv_col(&c, "reason");
	reps = csv_col(&c, "repetitions");
	csw = csv_col(&c, "ctx_switches_median");
	cv = csv_col(&c, "ns_per_op_cv");
	label = csv_col(&c, "label");
	/* The nasty parameter survives the round trip. */
	CHECK(!strcmp(c.field[1][2], NASTY));
	CHECK(!strcmp(c.field[1][0], "demo/size:64/mode:" NASTY "/threads:2"));
	CHECK(!strcmp(c.field[1][label], "hello, \"world\""));
	CHECK(!strcmp(c.field[1][st], "ok"));
	CHECK(!strcmp(c.field[1][med], "10"));
	CHECK(!strcmp(c.field[1][reps], "5"));
	CHECK(!strcmp(c.field[1][csw], "")); /* absent, not 0 */
	CHECK(atof(c.field[2][cv]) > ZC_NOISY_CV);
	CHECK(!strcmp(c.field[3][st], "skipped"));
	CHECK(!strcmp(c.field[3][reason], "needs 4 CPUs, have 2"));
	CHECK(!strcmp(c.field[3][med], ""));
	CHECK(!strcmp(c.field[4][st], "failed"));
	CHECK(!strcmp(c.field[4][reason], "checksum mismatch at message 17"));
	CHECK(!strcmp(c.field[4][med], "") && !strcmp(c.field[4][reps], ""));
	csv_free(&c);
	free(text);

	text = render(&r, "samples");
	csv_parse(text, &c);
	CHECK(c.nrec == 1 + 10); /* two ok cases x 5 repetitions */
	CHECK(c.nfield[0] == 4 + 2 + 7 + NMETRICS);
	CHECK(!strcmp(c.field[0][4], "repetition"));
	CHECK(!strcmp(c.field[0][5], "iterations"));
	CHECK(!strcmp(c.field[0][6], "sentinel_before_ns"));
	CHECK(!strcmp(c.field[0][8], "pace_before_ns"));
	CHECK(!strcmp(c.field[0][10], "regime"));
	CHECK(!strcmp(c.field[0][13], "ns_per_op"));
	CHECK(!strcmp(c.field[2][4], "1") && !strcmp(c.field[2][13], "10.1"));
	CHECK(!strcmp(c.field[2][5], "1000000"));
	CHECK(!strcmp(c.field[2][6], ""));  /* no sentinel: empty, not 0 */
	CHECK(!strcmp(c.field[2][8], ""));  /* no pace either */
	CHECK(!strcmp(c.field[8][15], "")); /* NaN repetition */
	CHECK(!strcmp(c.field[9][15], "3"));
	csv_free(&c);
	free(text);
	zc_results_release(&r);

	/* Without a "threads" parameter the column of its own is there. */
	CHECK(zc_results_init(&r, "demo", keys, 1, metrics, 1, 1) == 0);
	CHECK(zc_results_add(&r, keys) != NULL);
	text = render(&r, "csv");
	CHECK(!strncmp(text, "name,size,regime,handoff_ns,threads,status,",
		       43));
	CHECK(strstr(text, "\ndemo/size:size,size,all,,1,ok,,,,0,,,,,,\n"));
	free(text);
	zc_results_release(&r);
}

static json_t *find_bench(json_t *bench, const char *name)
{
	size_t i;
	json_t *row;

	json_array_foreach(bench, i, row)
	{
		if (!strcmp(json_string_value(json_object_get(row, "name")),
			    name))
			return row;
	}
	return NULL;
}

static void test_json(void)
{
	struct zc_results r;
	json_error_t jerr;
	json_t *root, *zc, *bench, *cases, *row, *c1;
	char *text;
	char name[300];

	build(&r);
	r.options = json_pack("{s:i}", "repeat", 5);
	text = render(&r, "json");
	root = json_loads(text, 0, &jerr);
	CHECK(root != NULL);
	if (!root) {
		fprintf(stderr, "json: %s\n", jerr.text);
		free(text);
		zc_results_release(&r);
		return;
	}
	CHECK(json_is_array(
		json_object_get(json_object_get(root, "context"), "caches")));
	zc = json_object_get(root, "zcbench");
	CHECK(json_integer_value(json_object_get(zc, "schema_version")) ==
	      ZC_OUT_SCHEMA);
	CHECK(!strcmp(json_string_value(json_object_get(zc, "command")),
		      "demo"));
	CHECK(json_is_false(json_object_get(zc, "interrupted")));
	CHECK(json_integer_value(json_object_get(json_object_get(zc, "options"),
						 "repeat")) == 5);
	CHECK(json_array_size(json_object_get(zc, "metrics")) == NMETRICS);
	row = json_array_get(json_object_get(zc, "metrics"), M_MOPS);
	CHECK(!strcmp(json_string_value(json_object_get(row, "better")),
		      "higher"));
	CHECK(json_is_true(json_object_get(row, "portable")));
	CHECK(!strcmp(json_string_value(json_object_get(row, "unit")),
		      "Mops/s"));
	CHECK(json_array_size(json_object_get(zc, "params")) == 3);

	cases = json_object_get(zc, "cases");
	CHECK(json_array_size(cases) == 4);
	row = json_array_get(cases, 0);
	CHECK(!strcmp(json_string_value(json_object_get(
			      json_object_get(row, "params"), "mode")),
		      NASTY));
	CHECK(!strcmp(json_string_value(json_object_get(
			      json_object_get(row, "absent"), "ctx_switches")),
		      "no PMU (hypervisor)"));
	CHECK(json_object_get(json_object_get(row, "summary"),
			      "ctx_switches") == NULL);
	CHECK(json_real_value(json_object_get(
		      json_object_get(json_object_get(row, "summary"),
				      "ns_per_op"),
		      "median")) == 10.0);
	CHECK(json_array_size(json_object_get(row, "iterations")) == 5);
	c1 = json_array_get(cases, 1);
	CHECK(json_is_true(json_object_get(
		json_object_get(json_object_get(c1, "summary"), "ns_per_op"),
		"noisy")));
	CHECK(json_is_null(json_array_get(
		json_object_get(json_object_get(c1, "samples"), "ctx_switches"),
		2)));
	row = json_array_get(cases, 2);
	CHECK(!strcmp(json_string_value(json_object_get(row, "status")),
		      "skipped"));
	row = json_array_get(cases, 3);
	CHECK(!strcmp(json_string_value(json_object_get(row, "status")),
		      "failed"));
	CHECK(json_integer_value(json_object_get(row, "repetitions")) == 0);

	/* Google Benchmark rows: 2 ok cases x (5 repetitions + 6 aggregates),
	 * none for the skipped and failed cases. */
	bench = json_object_get(root, "benchmarks");
	CHECK(json_array_size(bench) == 2 * (5 + 6));
	CHECK(find_bench(bench, r.cases[2].name) == NULL);
	CHECK(find_bench(bench, r.cases[3].name) == NULL);
	row = json_array_get(bench, 1);
	CHECK(!strcmp(json_string_value(json_object_get(row, "run_type")),
		      "iteration"));
	CHECK(json_integer_value(json_object_get(row, "repetition_index")) ==
	      1);
	CHECK(json_integer_value(json_object_get(row, "repetitions")) == 5);
	CHECK(json_integer_value(json_object_get(row, "iterations")) ==
	      1000000);
	CHECK(json_integer_value(json_object_get(row, "threads")) == 2);
	CHECK(json_real_value(json_object_get(row, "real_time")) == 10.1);
	CHECK(json_real_value(json_object_get(row, "cpu_time")) == 10.1);
	CHECK(!strcmp(json_string_value(json_object_get(row, "time_unit")),
		      "ns"));
	CHECK(fabs(json_real_value(json_object_get(row, "items_per_second")) -
		   1e9 / 10.1) < 1e-3);
	/* 15 significant digits: close, not bit-exact. */
	CHECK(fabs(json_real_value(json_object_get(row, "mops")) - 1e3 / 10.1) <
	      1e-12);
	CHECK(json_is_null(json_object_get(row, "ctx_switches")));
	CHECK(!strcmp(json_string_value(json_object_get(row, "label")),
		      "hello, \"world\""));

	static const char *const aggs[] = {"median", "mean", "stddev",
					   "cv",     "min",  "max"};
	for (size_t i = 0; i < sizeof(aggs) / sizeof(*aggs); i++) {
		snprintf(name, sizeof(name), "%s_%s", r.cases[1].name, aggs[i]);
		row = find_bench(bench, name);
		CHECK(row != NULL);
		if (!row)
			continue;
		CHECK(!strcmp(
			json_string_value(json_object_get(row, "run_type")),
			"aggregate"));
		CHECK(!strcmp(json_string_value(
				      json_object_get(row, "aggregate_name")),
			      aggs[i]));
		CHECK(!strcmp(json_string_value(
				      json_object_get(row, "aggregate_unit")),
			      strcmp(aggs[i], "cv") ? "time" : "percentage"));
		CHECK(!strcmp(
			json_string_value(json_object_get(row, "run_name")),
			r.cases[1].name));
		CHECK(json_integer_value(json_object_get(row, "iterations")) ==
		      5);
	}
	snprintf(name, sizeof(name), "%s_median", r.cases[1].name);
	row = find_bench(bench, name);
	CHECK(row && json_real_value(json_object_get(row, "real_time")) == 100);
	snprintf(name, sizeof(name), "%s_cv", r.cases[1].name);
	row = find_bench(bench, name);
	CHECK(row &&
	      json_real_value(json_object_get(row, "real_time")) > 0.05 &&
	      json_real_value(json_object_get(row, "real_time")) < 1);
	snprintf(name, sizeof(name), "%s_max", r.cases[1].name);
	row = find_bench(bench, name);
	CHECK(row &&
	      fabs(json_real_value(json_object_get(row, "items_per_second")) -
		   1e9 / 90) < 1e-5);
	json_decref(root);
	free(text);

	/* Interrupted runs say so; NaN reals never vanish. */
	r.interrupted = 1;
	text = render(&r, "json");
	root = json_loads(text, 0, &jerr);
	CHECK(root &&
	      json_is_true(json_object_get(json_object_get(root, "zcbench"),
					   "interrupted")));
	json_decref(root);
	free(text);
	root = zc_json_real(NAN);
	CHECK(json_is_null(root));
	json_decref(root);
	root = zc_json_real(INFINITY);
	CHECK(json_is_null(root));
	json_decref(root);
	zc_results_release(&r);
}

/* The line of text that contains `needle`, or "". */
static void line_with(const char *text, const char *needle, char *out,
		      size_t len)
{
	const char *p = strstr(text, needle), *b, *e;

	out[0] = 0;
	if (!p)
		return;
	for (b = p; b > text && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	if (!e)
		e = p + strlen(p);
	snprintf(out, len, "%.*s", (int)(e - b), b);
}

static void test_text(void)
{
	struct zc_results r;
	char *text, line[512];

	build(&r);
	/* A plain name for the first case makes its row easy to find. */
	snprintf(r.cases[0].param[1], ZC_PARAM_LEN, "stable");
	text = render(&r, "text");
	line_with(text, "size", line, sizeof(line));
	CHECK(strstr(line, "ns_per_op [ns]") && strstr(line, "mops [Mops/s]"));
	CHECK(strstr(line, "noise") && strstr(line, "label"));
	CHECK(!strstr(line, "ctx_switches")); /* not a shown metric */
	line_with(text, "stable", line, sizeof(line));
	CHECK(line[0] && !strchr(line, '!'));
	CHECK(strstr(line, "hello, \"world\""));
	CHECK(strstr(line, " 10 "));
	line_with(text, "plain", line, sizeof(line));
	CHECK(strchr(line, '!') != NULL); /* the noisy case */
	line_with(text, "'!'", line, sizeof(line));
	CHECK(line[0] != 0); /* the legend */
	line_with(text, "skipped:", line, sizeof(line));
	CHECK(strstr(line, "size:256") && strstr(line, "needs 4 CPUs"));
	line_with(text, "FAILED:", line, sizeof(line));
	CHECK(strstr(line, r.cases[3].name) &&
	      strstr(line, "checksum mismatch"));
	CHECK(!strstr(text, "interrupted"));
	/* Columns are aligned: the noise column ends at the same offset in
	 * the header and the rows, '%' signs line up whether noisy or not. */
	{
		char hdr[512], row[512], row2[512];
		line_with(text, "size", hdr, sizeof(hdr));
		line_with(text, "stable", row, sizeof(row));
		line_with(text, "plain", row2, sizeof(row2));
		CHECK(strstr(hdr, "noise") - hdr + 5 ==
		      strchr(row, '%') - row + 3);
		CHECK(strchr(row, '%') - row == strchr(row2, '%') - row2);
	}
	free(text);
	r.interrupted = 1;
	text = render(&r, "text");
	line_with(text, "interrupted", line, sizeof(line));
	CHECK(line[0] != 0);
	free(text);
	zc_results_release(&r);
}

/* A case whose samples drift in time gets '~', a drift note, and JSON
 * lag1/n_eff/drift; shuffled, the same values get none of them. */
static void test_text_drift(void)
{
	static const char *const v[] = {"64", "ramp", "2"};
	static const char *const w[] = {"128", "shuffled", "2"};
	struct zc_results r;
	struct zc_case *c, *d;
	char *text, line[512];

	CHECK(zc_results_init(&r, "demo", keys, 3, metrics, NMETRICS, 25) == 0);
	c = zc_results_add(&r, v);
	d = zc_results_add(&r, w);
	for (int i = 0; i < 25; i++) {
		double x = 10 + 0.1 * i, y = 10 + 0.1 * ((i * 7) % 25);
		zc_case_set(&r, c, i, M_NS, x);
		zc_case_set(&r, c, i, M_MOPS, 1e3 / x);
		zc_case_set(&r, d, i, M_NS, y);
		zc_case_set(&r, d, i, M_MOPS, 1e3 / y);
		c->iterations[i] = d->iterations[i] = 1000;
	}
	text = render(&r, "text");
	line_with(text, "ramp", line, sizeof(line));
	CHECK(strchr(line, '~') != NULL);
	line_with(text, "shuffled", line, sizeof(line));
	CHECK(line[0] && !strchr(line, '~'));
	line_with(text, "drift:", line, sizeof(line));
	CHECK(strstr(line, "in 1 of 2 cases") != NULL);
	free(text);
	text = render(&r, "json");
	CHECK(strstr(text, "\"drift\": true") && strstr(text, "\"n_eff\""));
	CHECK(strstr(text, "\"lag1\""));
	free(text);
	zc_results_release(&r);
}

/* Entries of dir other than . and ..; names starting with '.' in *hidden. */
static int count_entries(const char *dir, int *hidden)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	*hidden = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		*hidden += e->d_name[0] == '.';
	}
	closedir(d);
	return n;
}

static void test_atomic(const char *root)
{
	struct zc_results r;
	struct zc_afile a;
	char dir[4096], path[8192];
	int hidden, status;
	pid_t pid;
	json_t *big;

	build(&r);
	snprintf(dir, sizeof(dir), "%s/ok", root);
	CHECK(mkdir(dir, 0777) == 0);
	CHECK(zc_out_write_all(dir, &r) == 0);
	CHECK(zc_out_write_file(dir, zc_out_backend("text"), &r) == 0);
	CHECK(count_entries(dir, &hidden) == 4 && hidden == 0);
	snprintf(path, sizeof(path), "%s/demo.samples.csv", dir);
	CHECK(access(path, R_OK) == 0);

	/* Abort leaves nothing. */
	CHECK(zc_afile_open(&a, dir, "x.txt") == 0);
	fputs("partial", a.f);
	zc_afile_abort(&a);
	CHECK(count_entries(dir, &hidden) == 4 && hidden == 0);

	/* A folder that does not exist: the error, and no file. */
	snprintf(path, sizeof(path), "%s/missing", root);
	CHECK(zc_out_write_all(path, &r) == -ENOENT);
	CHECK(access(path, F_OK) != 0);

	/* A write that fails for want of space (a file size limit stands in
	 * for a full disk): the error comes back and no temporary stays. */
	snprintf(dir, sizeof(dir), "%s/full", root);
	CHECK(mkdir(dir, 0777) == 0);
	big = json_array();
	for (int i = 0; i < 20000; i++)
		json_array_append_new(big, json_real(i + 0.5));
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = {4096, 4096};
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		_exit(zc_out_write_json(dir, "big.json", big) == -EFBIG ? 0
									: 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(count_entries(dir, &hidden) == 0);
	CHECK(zc_out_write_json(dir, "big.json", big) == 0);
	CHECK(count_entries(dir, &hidden) == 1 && hidden == 0);
	json_decref(big);

	/* A read-only folder: only meaningful when permissions apply. */
	snprintf(dir, sizeof(dir), "%s/ro", root);
	CHECK(mkdir(dir, 0555) == 0);
	if (geteuid() != 0) {
		CHECK(zc_out_write_all(dir, &r) == -EACCES);
		CHECK(count_entries(dir, &hidden) == 0);
		CHECK(zc_out_check_dir(dir) == -EACCES);
		snprintf(path, sizeof(path), "%s/ro/a/b", root);
		CHECK(zc_out_check_dir(path) == -EACCES);
	} else {
		fprintf(stderr, "running as root: read-only folder checks "
				"skipped\n");
	}
	zc_results_release(&r);
}

static void test_dirs(const char *root)
{
	char path[4096], out[4096], out2[4096], cwd[4096];
	int hidden;
	FILE *f;

	snprintf(path, sizeof(path), "%s/file", root);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	CHECK(zc_out_check_dir(path) == -ENOTDIR);
	snprintf(path, sizeof(path), "%s/file/sub/dir", root);
	CHECK(zc_out_check_dir(path) == -ENOTDIR);
	CHECK(zc_out_mkdir(path, out, sizeof(out)) == -ENOTDIR);

	/* A nested path that does not exist yet: fine, and nothing made. */
	snprintf(path, sizeof(path), "%s/d", root);
	CHECK(mkdir(path, 0777) == 0);
	snprintf(path, sizeof(path), "%s/d/a/b/c/", root);
	CHECK(zc_out_check_dir(path) == 0);
	snprintf(path, sizeof(path), "%s/d", root);
	CHECK(count_entries(path, &hidden) == 0);
	snprintf(path, sizeof(path), "%s/d", root);
	CHECK(zc_out_check_dir(path) == 0);
	CHECK(count_entries(path, &hidden) == 0);

	/* mkdir -p of an explicit folder, twice (an existing one is fine). */
	snprintf(path, sizeof(path), "%s/d/a/b/c", root);
	CHECK(zc_out_mkdir(path, out, sizeof(out)) == 0);
	CHECK(!strcmp(out, path));
	CHECK(zc_out_mkdir(path, out, sizeof(out)) == 0);
	CHECK(zc_out_mkdir(path, out, 5) == -ENAMETOOLONG);

	/* The default folder, relative to the cwd; two runs in the same
	 * second get different folders. */
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK(chdir(root) == 0);
	CHECK(zc_out_check_dir(NULL) == 0);
	CHECK(access("results", F_OK) != 0);
	CHECK(zc_out_mkdir(NULL, out, sizeof(out)) == 0);
	CHECK(zc_out_mkdir("", out2, sizeof(out2)) == 0);
	CHECK(!strncmp(out, "results/runs/", 13) && strlen(out) > 13 + 16);
	CHECK(strcmp(out, out2) != 0);
	CHECK(access(out, W_OK) == 0 && access(out2, W_OK) == 0);
	CHECK(count_entries("results/runs", &hidden) == 2);
	CHECK(chdir(cwd) == 0);
}

static void rm_rf(const char *path)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s' && rm -rf '%s'", path,
		 path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

/* Sentinels on case 0 (five samples) and case 1: one tight cluster
 * (steady: output as without regimes, apart from the sentinel columns), or
 * two regimes (a sub-row per regime, extra CSV rows, JSON regimes). */
static void test_regimes(void)
{
	static const double steady[5][2] = {
		{50, 51}, {52, 50}, {49, 50}, {51, 52}, {50, 50}};
	static const double moving[5][2] = {
		{50, 51}, {52, 50}, {220, 230}, {225, 221}, {50, 222}};
	struct zc_results r;
	struct csv c;
	char *text;

	for (int t = 0; t < 2; t++) {
		const double(*s)[2] = t ? moving : steady;
		build(&r);
		for (int i = 0; i < 5; i++) {
			zc_case_sentinel(&r, &r.cases[0], i, s[i][0], s[i][1],
					 i, 0, 1);
			zc_case_sentinel(&r, &r.cases[1], i, s[i][1], s[i][0],
					 i, 1, 0);
		}
		CHECK(zc_results_regimes(&r) == 0);
		CHECK(r.npairs == 1 && r.pairs[0].reg.n == 1 + t);
		CHECK(r.pairs[0].moved == 2 * t);
		text = render(&r, "csv");
		csv_parse(text, &c);
		/* steady: 5 records as ever; two regimes: 2 rows more per
		 * ok case */
		CHECKF(c.nrec == 5 + 4 * t, "t %d: %d records", t, c.nrec);
		if (t) {
			int reg = csv_col(&c, "regime"),
			    ho = csv_col(&c, "handoff_ns"),
			    reps = csv_col(&c, "repetitions");
			CHECK(!strcmp(c.field[2][reg], "0") &&
			      !strcmp(c.field[3][reg], "1"));
			CHECK(atof(c.field[2][ho]) > 49 &&
			      atof(c.field[2][ho]) < 53);
			CHECK(!strcmp(c.field[2][reps], "2") &&
			      !strcmp(c.field[3][reps], "2"));
		}
		csv_free(&c);
		free(text);
		text = render(&r, "text");
		CHECKF(!t == !strstr(text, "  @"), "t %d:\n%s", t, text);
		CHECK(!t == !strstr(text, "regimes: the cache-line hand-off"));
		free(text);
		text = render(&r, "json");
		CHECK(strstr(text, "\"regimes\"") &&
		      strstr(text, "\"sentinel\""));
		CHECK(!t == !strstr(text, "\"moved\": 1"));
		free(text);
		zc_results_release(&r);
	}
}

/* One steady hand-off, but the host slowed two of case 0's samples (pace
 * 1.6-2x the floor, before or after: a level apart): they are kept in the
 * samples, marked "slowed", left out of the regime row, which the text and
 * CSV then show beside the overall one; a pace of the fast level (up to
 * 1.016x) is not. */
static void test_slowed(void)
{
	static const double pace[5][2] = {
		{640, 642}, {1030, 1100}, {641, 641}, {645, 1290}, {650, 648}};
	struct zc_results r;
	struct csv c;
	char *text;

	build(&r);
	for (int i = 0; i < 5; i++) {
		zc_case_sentinel(&r, &r.cases[0], i, 50, 51, i, 0, 1);
		r.cases[0].pace[i][0] = pace[i][0];
		r.cases[0].pace[i][1] = pace[i][1];
		zc_case_sentinel(&r, &r.cases[1], i, 51, 50, i, 0, 1);
	}
	CHECK(zc_results_regimes(&r) == 0);
	CHECK(r.pairs[0].reg.n == 1 && r.pairs[0].slowed == 2);
	CHECK(r.pairs[0].pace_floor == 640);
	CHECK(r.cases[0].regime[1] == ZC_REGIME_SLOWED &&
	      r.cases[0].regime[3] == ZC_REGIME_SLOWED);
	CHECK(r.cases[0].regime[4] == 0 && r.cases[1].regime[0] == 0);
	CHECK(zc_case_split(&r, &r.cases[0]) &&
	      !zc_case_split(&r, &r.cases[1]));
	text = render(&r, "csv");
	csv_parse(text, &c);
	CHECKF(c.nrec == 6, "%d records", c.nrec); /* case 0's regime row */
	CHECK(!strcmp(c.field[2][csv_col(&c, "repetitions")], "3"));
	csv_free(&c);
	free(text);
	text = render(&r, "text");
	CHECKF(strstr(text, "slowed: on CPUs 0 and 1, 2 of 10 samples"), "%s",
	       text);
	free(text);
	text = render(&r, "json");
	CHECK(strstr(text, "\"slowed\": 2") && strstr(text, "\"slowed\""));
	CHECK(strstr(text, "\"pace_floor_ns\": 640"));
	free(text);
	zc_results_release(&r);
	/* The work's own after-effect: case 0 leaves the CPUs at ~1000 after
	 * each of its repetitions (false sharing on AMD EPYC guests), case 1
	 * at ~640. Each pace is held against the fastest pace after the
	 * same work: none is slowed but those at 1700 after case 0. */
	build(&r);
	for (int i = 0; i < 5; i++) {
		struct zc_case *a = &r.cases[0], *b = &r.cases[1];
		zc_case_sentinel(&r, a, i, 50, 51, 2 * i, 0, 1);
		a->prev[i] = i ? 1 : -1;
		a->pace[i][0] = 640 + i;
		a->pace[i][1] = i >= 3 ? 1700 : 1000 + i;
		zc_case_sentinel(&r, b, i, 51, 50, 2 * i + 1, 0, 1);
		b->prev[i] = 0;
		b->pace[i][0] = i == 4 ? 1700 : 1005 - i;
		b->pace[i][1] = 641;
	}
	CHECK(zc_results_regimes(&r) == 0);
	CHECKF(r.pairs[0].slowed == 3, "%d slowed", r.pairs[0].slowed);
	CHECK(r.cases[0].regime[3] == ZC_REGIME_SLOWED &&
	      r.cases[0].regime[4] == ZC_REGIME_SLOWED &&
	      r.cases[1].regime[4] == ZC_REGIME_SLOWED);
	CHECK(r.cases[0].regime[2] == 0 && r.cases[1].regime[3] == 0);
	CHECK(r.pairs[0].pace_floor == 640);
	CHECKF(r.pairs[0].pace_bound > 1.01 && r.pairs[0].pace_bound < 1.6,
	       "bound %g", r.pairs[0].pace_bound);
	CHECK(fabs(zc_case_regime_pace(&r.cases[0], 0) - 1001) < 1e-9);
	CHECK(isnan(zc_case_regime_pace(&r.cases[0], 1)));
	text = render(&r, "json");
	CHECK(strstr(text, "\"pace_ns\": 1001"));
	free(text);
	zc_results_release(&r);
	CHECK(!zc_pace_slowed(NAN, NAN, 2000, 2000, 1.2) &&
	      !zc_pace_slowed(640, 640, NAN, NAN, 1.2) &&
	      zc_pace_slowed(640, 640, NAN, 800, 1.2) &&
	      !zc_pace_slowed(640, 1000, 650, 1020, 1.2) &&
	      zc_pace_slowed(1000, 640, 1200, 700, 1.1) &&
	      !zc_pace_slowed(640, 640, 4000, 4000, INFINITY));
	/* A pace that wanders 1.0-1.6x without a gap (a busy AMD EPYC host,
	 * figures not following it) is one level: nothing slowed. */
	build(&r);
	for (int i = 0; i < 5; i++) {
		zc_case_sentinel(&r, &r.cases[0], i, 50, 51, 2 * i, 0, 1);
		zc_case_sentinel(&r, &r.cases[1], i, 51, 50, 2 * i + 1, 0, 1);
		for (int s = 0; s < 2; s++) {
			r.cases[0].pace[i][s] = 640 * (1 + 0.03 * (4 * i + s));
			r.cases[1].pace[i][s] =
				640 * (1 + 0.03 * (4 * i + 2 + s));
		}
	}
	CHECK(zc_results_regimes(&r) == 0);
	CHECKF(r.pairs[0].slowed == 0 && isinf(r.pairs[0].pace_bound),
	       "%d slowed, bound %g", r.pairs[0].slowed, r.pairs[0].pace_bound);
	CHECK(!zc_case_split(&r, &r.cases[0]));
	text = render(&r, "json");
	CHECK(strstr(text, "\"pace_slowed_above\": null"));
	free(text);
	zc_results_release(&r);
}

int main(void)
{
	char root[] = "/tmp/zc-test-out-XXXXXX";

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	test_model();
	test_csv_field();
	test_csv();
	test_json();
	test_text();
	test_text_drift();
	test_regimes();
	test_slowed();
	test_atomic(root);
	test_dirs(root);
	rm_rf(root);
	return zc_check_result();
}
