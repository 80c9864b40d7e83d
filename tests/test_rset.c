/* SPDX-License-Identifier: MIT */
/*
 * Description: results read back strictly: every wrong type, NaN token,
 *   duplicate, undeclared metric, empty case list and other schema is an
 *   error naming the file and the value; folders refuse two files of one
 *   command and a bad meta.json; indexes find cases and metrics by name
 * Labels: unit
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "report.h"

/* A valid file with one case: $C replaced by the case, $M by the metrics,
 * $Z by more members of the zcbench section. */
static const char *const templ =
	"{\"zcbench\": {\"schema_version\": 1, \"command\": \"falseshare\", "
	"\"interrupted\": false, \"metrics\": [$M], \"cases\": [$C] $Z}}";
static const char *const metric_ok =
	"{\"name\": \"ns_per_op\", \"unit\": \"ns\", \"better\": \"lower\", "
	"\"portable\": false}";
static const char *const case_ok =
	"{\"name\": \"falseshare/stride:8\", \"status\": \"ok\", "
	"\"reason\": \"\", \"repetitions\": 3, \"absent\": {}, "
	"\"samples\": {\"ns_per_op\": [1, 2.5, null]}, "
	"\"sentinel\": {\"before\": [50, 51, 52], \"after\": [50, 51, null], "
	"\"regime\": [0, \"moved\", null]}, "
	"\"regimes\": [{\"regime\": 0, \"handoff_ns\": 50.5}]}";

static char *fill(const char *m, const char *c, const char *z)
{
	size_t len = strlen(templ) + strlen(m) + strlen(c) + strlen(z) + 1;
	char *out = malloc(len), *o = out;

	for (const char *p = templ; *p; p++) {
		const char *r = NULL;
		if (*p == '$')
			r = p[1] == 'M' ? m : p[1] == 'C' ? c : z;
		if (r) {
			o += sprintf(o, "%s", r);
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
	return out;
}

struct bad {
	const char *what;
	const char *m, *c, *z; /* NULL: the valid default ("" for z) */
	const char *text;      /* whole text instead */
	int rc;
	const char *msg; /* expected in the message */
};

static const struct bad bads[] = {
	/* JSON itself */
	{"NaN token", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", "
	 "\"samples\": {\"ns_per_op\": [NaN]}}",
	 NULL, NULL, -EINVAL, "not valid JSON"},
	{"Infinity token", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", "
	 "\"samples\": {\"ns_per_op\": [Infinity]}}",
	 NULL, NULL, -EINVAL, "not valid JSON"},
	{"duplicate key", NULL,
	 "{\"name\": \"a\", \"name\": \"b\", \"status\": \"ok\"}", NULL, NULL,
	 -EINVAL, "not valid JSON"},
	{"truncated", NULL, NULL, NULL, "{\"zcbench\": {\"schema_version\": 1",
	 -EINVAL, "not valid JSON"},
	{"huge number", NULL, NULL, NULL, "{\"zcbench\": 1e999}", -EINVAL,
	 "not valid JSON"},
	/* the section */
	{"no section", NULL, NULL, NULL, "{\"benchmarks\": []}", -EINVAL,
	 "not a zcbench result file"},
	{"section not an object", NULL, NULL, NULL, "{\"zcbench\": []}",
	 -EINVAL, "zcbench is an array, expected an object"},
	{"schema real", NULL, NULL, NULL,
	 "{\"zcbench\": {\"schema_version\": 1.0}}", -EINVAL,
	 "schema_version is a real, expected an integer"},
	{"schema string", NULL, NULL, NULL,
	 "{\"zcbench\": {\"schema_version\": \"1\"}}", -EINVAL,
	 "schema_version is a string"},
	{"other schema", NULL, NULL, NULL,
	 "{\"zcbench\": {\"schema_version\": 7}}", -EPROTO, "schema version 7"},
	{"no command", NULL, NULL, NULL,
	 "{\"zcbench\": {\"schema_version\": 1, \"metrics\": [], "
	 "\"cases\": []}}",
	 -EINVAL, "no command"},
	{"command number", NULL, NULL, NULL,
	 "{\"zcbench\": {\"schema_version\": 1, \"command\": 5}}", -EINVAL,
	 "command is an integer, expected a string"},
	{"unknown member", NULL, NULL, ", \"future\": 1", NULL, 0, NULL},
	{"command with a quote", NULL, NULL, NULL,
	 "{\"zcbench\": {\"schema_version\": 1, \"command\": "
	 "\"x';system('id');'\"}}",
	 -EINVAL, "is not a command name"},
	{"interrupted string", NULL, NULL, NULL,
	 "{\"zcbench\": {\"schema_version\": 1, \"command\": \"x\", "
	 "\"interrupted\": \"no\"}}",
	 -EINVAL, "interrupted is a string, expected a boolean"},
	{"metrics object", "", NULL, NULL,
	 "{\"zcbench\": {\"schema_version\": 1, \"command\": \"x\", "
	 "\"metrics\": {}, \"cases\": []}}",
	 -EINVAL, "metrics is an object, expected an array"},
	{"cases object", NULL, NULL, NULL,
	 "{\"zcbench\": {\"schema_version\": 1, \"command\": \"x\", "
	 "\"metrics\": [], \"cases\": {}}}",
	 -EINVAL, "cases is an object, expected an array"},
	{"zero cases", NULL, NULL, NULL,
	 "{\"zcbench\": {\"schema_version\": 1, \"command\": \"x\", "
	 "\"metrics\": [], \"cases\": []}}",
	 -EINVAL, "no cases"},
	/* metrics */
	{"metric no name", "{\"better\": \"lower\"}", NULL, NULL, NULL, -EINVAL,
	 "zcbench.metrics[0]: no name"},
	{"metric no better", "{\"name\": \"ns_per_op\"}", NULL, NULL, NULL,
	 -EINVAL, "(\"ns_per_op\"): no better"},
	{"metric better word", "{\"name\": \"ns_per_op\", \"better\": \"up\"}",
	 NULL, NULL, NULL, -EINVAL, "better is 'up', expected lower"},
	{"metric a string", "\"ns_per_op\"", NULL, NULL, NULL, -EINVAL,
	 "metrics[0]: a string, expected an object"},
	{"metric portable string",
	 "{\"name\": \"ns_per_op\", \"better\": \"lower\", \"portable\": "
	 "\"yes\"}",
	 NULL, NULL, NULL, -EINVAL, "portable is a string, expected a boolean"},
	{"metric twice",
	 "{\"name\": \"ns_per_op\", \"better\": \"lower\"}, {\"name\": "
	 "\"ns_per_op\", \"better\": \"higher\"}",
	 NULL, NULL, NULL, -EINVAL, "metric 'ns_per_op' appears twice"},
	{"metric name too long",
	 "{\"name\": "
	 "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"better\": "
	 "\"lower\"}",
	 "{\"name\": \"a\", \"status\": \"skipped\"}", NULL, NULL, -EINVAL,
	 "too long"},
	/* cases */
	{"case a list", NULL, "[]", NULL, NULL, -EINVAL,
	 "zcbench.cases[0]: an array, expected an object"},
	{"case no name", NULL, "{\"status\": \"ok\"}", NULL, NULL, -EINVAL,
	 "cases[0]: no name"},
	{"case empty name", NULL, "{\"name\": \"\", \"status\": \"ok\"}", NULL,
	 NULL, -EINVAL, "name '' is empty"},
	{"case status word", NULL, "{\"name\": \"a\", \"status\": \"fine\"}",
	 NULL, NULL, -EINVAL, "status is 'fine', expected ok, skipped"},
	{"case status null", NULL, "{\"name\": \"a\", \"status\": null}", NULL,
	 NULL, -EINVAL, "status is null, expected a string"},
	{"case twice", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\"}, {\"name\": \"b\", \"status\": "
	 "\"ok\"}, {\"name\": \"a\", \"status\": \"skipped\"}",
	 NULL, NULL, -EINVAL,
	 "case 'a' appears twice (zcbench.cases[0] and [2])"},
	{"reason number", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"reason\": 3}", NULL, NULL,
	 -EINVAL, "reason is an integer, expected a string"},
	{"repetitions real", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"repetitions\": 2.5}", NULL,
	 NULL, -EINVAL, "repetitions is a real"},
	{"repetitions too many", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"repetitions\": 101}", NULL,
	 NULL, -EINVAL, "repetitions is out of range"},
	{"absent number", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"absent\": {\"x\": 1}}", NULL,
	 NULL, -EINVAL, "absent.x is an integer, expected a string"},
	{"params list", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"params\": []}", NULL, NULL,
	 -EINVAL, "params is an array, expected an object"},
	/* samples */
	{"samples array", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"samples\": []}", NULL, NULL,
	 -EINVAL, "samples is an array, expected an object"},
	{"sample string", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"samples\": {\"ns_per_op\": "
	 "[1, \"2\"]}}",
	 NULL, NULL, -EINVAL,
	 "(\"a\"): samples.ns_per_op[1] is a string, expected a number"},
	{"sample object", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"samples\": {\"ns_per_op\": "
	 "[{}]}}",
	 NULL, NULL, -EINVAL, "samples.ns_per_op[0] is an object"},
	{"sample bool", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"samples\": {\"ns_per_op\": "
	 "[true]}}",
	 NULL, NULL, -EINVAL, "samples.ns_per_op[0] is true"},
	{"samples of a metric an object", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"samples\": {\"ns_per_op\": "
	 "{}}}",
	 NULL, NULL, -EINVAL,
	 "samples.ns_per_op is an object, expected an array"},
	{"samples undeclared", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"samples\": {\"mops\": [1]}}",
	 NULL, NULL, -EINVAL,
	 "samples of metric 'mops', which zcbench.metrics does not declare"},
	{"samples count", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"repetitions\": 2, "
	 "\"samples\": {\"ns_per_op\": [1]}}",
	 NULL, NULL, -EINVAL, "samples.ns_per_op has 1 values for 2"},
	/* sentinel and regimes */
	{"sentinel list", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"sentinel\": []}", NULL, NULL,
	 -EINVAL, "sentinel is an array, expected an object"},
	{"sentinel before string", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"sentinel\": {\"before\": "
	 "[\"x\"]}}",
	 NULL, NULL, -EINVAL, ".sentinel: before[0] is a string"},
	{"sentinel regime word", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"sentinel\": {\"regime\": "
	 "[\"far\"]}}",
	 NULL, NULL, -EINVAL, "regime[0] is 'far'"},
	{"sentinel regime real", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"sentinel\": {\"regime\": "
	 "[0.5]}}",
	 NULL, NULL, -EINVAL, "regime[0] is a real"},
	{"sentinel regime undeclared", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"sentinel\": {\"regime\": "
	 "[1]}, \"regimes\": [{\"regime\": 0, \"handoff_ns\": 50}]}",
	 NULL, NULL, -EINVAL, "regime[0] is 1, which the case's regimes"},
	{"sentinel regime count", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"repetitions\": 1, "
	 "\"samples\": {\"ns_per_op\": [1]}, \"sentinel\": {\"regime\": "
	 "[null, null]}}",
	 NULL, NULL, -EINVAL, "regime has 2 entries for 1 repetitions"},
	{"regimes object", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"regimes\": {}}", NULL, NULL,
	 -EINVAL, "regimes is an object, expected an array"},
	{"regime index string", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"regimes\": [{\"regime\": "
	 "\"0\", \"handoff_ns\": 5}]}",
	 NULL, NULL, -EINVAL, "regimes[0].regime is a string"},
	{"regime index range", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"regimes\": [{\"regime\": "
	 "9, \"handoff_ns\": 5}]}",
	 NULL, NULL, -EINVAL, "regimes[0].regime 9 is out of range"},
	{"regime twice", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"regimes\": [{\"regime\": 0, "
	 "\"handoff_ns\": 5}, {\"regime\": 0, \"handoff_ns\": 9}]}",
	 NULL, NULL, -EINVAL, "regimes[1].regime 0 is repeated"},
	{"regime handoff null", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"regimes\": [{\"regime\": 0, "
	 "\"handoff_ns\": null}]}",
	 NULL, NULL, -EINVAL, "handoff_ns is null, expected a positive number"},
	{"regime handoff zero", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"regimes\": [{\"regime\": 0, "
	 "\"handoff_ns\": 0}]}",
	 NULL, NULL, -EINVAL, "handoff_ns is an integer, expected a positive"},
	{"run regimes object", NULL, NULL, ", \"regimes\": {}", NULL, -EINVAL,
	 "zcbench: regimes is an object, expected an array"},
	{"run regimes cpus", NULL, NULL, ", \"regimes\": [{\"cpus\": [0]}]",
	 NULL, -EINVAL, "zcbench.regimes[0]: cpus is not [a, b]"},
	{"run regimes share", NULL, NULL,
	 ", \"regimes\": [{\"cpus\": [0, 1], \"regimes\": [{\"share\": "
	 "\"all\"}]}]",
	 NULL, -EINVAL, "regimes[0].regimes[0]: share is a string"},
	/* valid ones */
	{"valid", NULL, NULL, NULL, NULL, 0, NULL},
	{"valid, null samples and unknown members", NULL,
	 "{\"name\": \"a\", \"status\": \"ok\", \"samples\": {\"ns_per_op\": "
	 "[null, null]}, \"future\": [1]}",
	 NULL, NULL, 0, NULL},
	{"valid, no sentinel", NULL,
	 "{\"name\": \"a\", \"status\": \"skipped\", \"reason\": \"1 CPU\", "
	 "\"sentinel\": {\"before\": null, \"why\": \"no pair\"}}",
	 NULL, NULL, 0, NULL},
	{"valid run regimes", NULL, NULL,
	 ", \"regimes\": [{\"cpus\": [0, 1], \"regimes\": [{\"regime\": 0, "
	 "\"handoff_ns\": 60.5, \"share\": 1.0, \"drifting\": false}], "
	 "\"samples\": 10, \"moved\": 0}]",
	 NULL, 0, NULL},
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		struct zc_rset s;
		char err[1024] = "", *text;
		int rc;

		text = b->text ? strdup(b->text)
			       : fill(b->m ? b->m : metric_ok,
				      b->c ? b->c : case_ok, b->z ? b->z : "");
		rc = zc_rset_parse(&s, "x.json", text, strlen(text), err,
				   sizeof(err));
		CHECKF(rc == b->rc, "%s: rc %d, expected %d (%s)", b->what, rc,
		       b->rc, err);
		if (b->msg)
			CHECKF(strstr(err, b->msg) &&
				       !strncmp(err, "x.json", 6),
			       "%s: message '%s' lacks '%s'", b->what, err,
			       b->msg);
		if (rc == 0) {
			CHECK(s.n == 1);
			zc_rset_release(&s);
		}
		free(text);
	}
}

/* Indexes: a case and a metric found by name among many. */
static void test_index(void)
{
	struct zc_rset s;
	char err[512], *text, *p;
	size_t cap = 1 << 20;
	int rc;

	text = malloc(cap);
	p = text + sprintf(text, "{\"zcbench\": {\"schema_version\": 1, "
				 "\"command\": \"x\", \"metrics\": [");
	for (int m = 0; m < 50; m++)
		p += sprintf(p, "%s{\"name\": \"m%d\", \"better\": \"lower\"}",
			     m ? ", " : "", 49 - m);
	p += sprintf(p, "], \"cases\": [");
	for (int c = 0; c < 2000; c++)
		p += sprintf(p, "%s{\"name\": \"x/i:%d\", \"status\": \"ok\"}",
			     c ? ", " : "", (c * 7919) % 2000);
	sprintf(p, "]}}");
	rc = zc_rset_parse(&s, "many.json", text, strlen(text), err,
			   sizeof(err));
	CHECKF(rc == 0, "%s", err);
	if (rc == 0) {
		char name[32];
		for (int c = 0; c < 2000; c++) {
			json_t *x;
			snprintf(name, sizeof(name), "x/i:%d", c);
			x = zc_rset_case(&s, 0, name);
			CHECK(x && !strcmp(json_string_value(
						   json_object_get(x, "name")),
					   name));
		}
		CHECK(zc_rset_case(&s, 0, "x/i:2000") == NULL);
		CHECK(zc_rset_case(&s, 1, "x/i:1") == NULL);
		CHECK(zc_rset_metric(&s, 0, "m0") != NULL);
		CHECK(zc_rset_metric(&s, 0, "m49") != NULL);
		CHECK(zc_rset_metric(&s, 0, "m50") == NULL);
		CHECK(zc_rset_find(&s, "x") == 0 &&
		      zc_rset_find(&s, "y") == -ENOENT);
		zc_rset_release(&s);
	}
	free(text);
}

static int load(const char *path, char *err, size_t len)
{
	struct zc_rset s;
	int rc = zc_rset_load(&s, path, err, len);
	if (rc == 0)
		zc_rset_release(&s);
	return rc;
}

/* Folders: two files of one command, meta.json of the wrong kind, a FIFO
 * or a folder named *.json. */
static void test_folders(const char *tmp)
{
	char dir[512], p[600], err[1024];
	char *ok = fill(metric_ok, case_ok, "");

	snprintf(dir, sizeof(dir), "%s/two", tmp);
	mkdir(dir, 0777);
	zc_check_put(dir, "a.json", ok);
	CHECK(load(dir, err, sizeof(err)) == 0);
	zc_check_put(dir, "b.json", ok);
	CHECK(load(dir, err, sizeof(err)) == -EINVAL);
	CHECKF(strstr(err, "a.json and b.json both hold results of "
			   "'falseshare'"),
	       "%s", err);
	snprintf(p, sizeof(p), "%s/b.json", dir);
	unlink(p);

	zc_check_put(dir, "meta.json", "[1]");
	CHECK(load(dir, err, sizeof(err)) == -EINVAL);
	CHECKF(strstr(err, "meta.json: an array, expected an object"), "%s",
	       err);
	zc_check_put(dir, "meta.json", "{\"host\": 7}");
	CHECK(load(dir, err, sizeof(err)) == -EINVAL);
	CHECKF(strstr(err, "meta.json: host is an integer"), "%s", err);
	zc_check_put(dir, "meta.json",
		     "{\"host\": \"h\", \"cpu\": {\"model\": []}}");
	CHECK(load(dir, err, sizeof(err)) == -EINVAL);
	CHECKF(strstr(err, "model is an array"), "%s", err);
	zc_check_put(dir, "meta.json",
		     "{\"host\": \"h\", \"cpu\": {\"model\": \"m\"}}");
	CHECK(load(dir, err, sizeof(err)) == 0);
	/* meta.json of a named file is checked too */
	snprintf(p, sizeof(p), "%s/a.json", dir);
	zc_check_put(dir, "meta.json", "{\"status\": false}");
	CHECK(load(p, err, sizeof(err)) == -EINVAL);
	CHECKF(strstr(err, "status is false"), "%s", err);
	snprintf(p, sizeof(p), "%s/meta.json", dir);
	unlink(p);

	snprintf(p, sizeof(p), "%s/c.json", dir);
	CHECK(mkfifo(p, 0666) == 0);
	CHECK(load(dir, err, sizeof(err)) == -EINVAL);
	CHECKF(strstr(err, "c.json: not a regular file"), "%s", err);
	unlink(p);
	CHECK(mkdir(p, 0777) == 0);
	CHECK(load(dir, err, sizeof(err)) == -EINVAL);
	CHECKF(strstr(err, "c.json: not a regular file"), "%s", err);
	rmdir(p);
	CHECK(load(dir, err, sizeof(err)) == 0);
	free(ok);
}

int main(void)
{
	char tmp[] = "/tmp/zc-test-rset-XXXXXX", cmd[300];

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_table();
	test_index();
	test_folders(tmp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return zc_check_result();
}
