/* SPDX-License-Identifier: MIT */
/*
 * rset — results sets read back with jansson: a results folder or one
 * result file, checked against the schema and indexed by name (see rset.h;
 * field access is in rset_access.c, the helpers compare and export share
 * in rset_int.h).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rset.h"
#include "afile.h"
#include "rset_int.h"

/* ---- results read back ----------------------------------------------------
 */

/* Parse text (duplicate keys mean a file zcbench did not write; jansson
 * refuses NaN and Infinity tokens). */
static int parse_json(const char *path, const char *text, size_t n,
		      json_t **out, char *err, size_t len)
{
	json_error_t je;

	*out = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
	if (!*out) {
		snprintf(err, len,
			 "%s:%d:%d: not valid JSON (corrupt or "
			 "truncated?): %s",
			 path, je.line, je.column, je.text);
		return -EINVAL;
	}
	return 0;
}

static int load_json(const char *path, json_t **out, char *err, size_t len)
{
	size_t n;
	char *text;
	int e = zc_read_file(path, ZC_READ_MAX_JSON, &text, &n);

	if (e < 0) {
		snprintf(err, len, "%s: %s", path, zc_file_strerror(e, 0));
		return e == -ENOENT ? -ENOENT : -EINVAL;
	}
	e = parse_json(path, text, n, out, err, len);
	free(text);
	return e;
}

/* ---- the schema, checked (rset.h lists the rules) ------------------------
 */

/* A value's JSON type, for messages: "a string where a number is due". */
static const char *jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return "null";
	}
}

struct vctx {
	const char *path;
	char *err;
	size_t len;
	char where[320]; /* "zcbench.cases[3] (\"name\")" */
};

static int verr(struct vctx *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int verr(struct vctx *v, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(v->err, v->len, "%s: %s%s", v->path, v->where,
			 v->where[0] ? ": " : "");

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < v->len)
		vsnprintf(v->err + n, v->len - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Member `key` of o is absent or of the wanted kind (a json_is_* test). */
static int opt_type(struct vctx *v, json_t *o, const char *key,
		    int (*is)(const json_t *), const char *want)
{
	json_t *x = json_object_get(o, key);
	if (x && !is(x))
		return verr(v, "%s is %s, expected %s", key, jtype(x), want);
	return 0;
}

static int is_array(const json_t *x)
{
	return json_is_array(x);
}
static int is_string(const json_t *x)
{
	return json_is_string(x);
}
static int is_bool(const json_t *x)
{
	return json_is_boolean(x);
}
static int is_integer(const json_t *x)
{
	return json_is_integer(x);
}
static int is_number_or_null(const json_t *x)
{
	return json_is_number(x) || json_is_null(x);
}

/* A required string member of 1..max bytes. */
static int req_name(struct vctx *v, json_t *o, const char *key, size_t max,
		    const char **out)
{
	json_t *x = json_object_get(o, key);
	const char *s = json_string_value(x);

	if (!x)
		return verr(v, "no %s", key);
	if (!s)
		return verr(v, "%s is %s, expected a string", key, jtype(x));
	if (!*s || strlen(s) > max)
		return verr(v, "%s '%.60s' is %s (1 to %zu bytes)", key, s,
			    *s ? "too long" : "empty", max);
	*out = s;
	return 0;
}

/* Element i of zcbench.<array>: an object with a name of 1..max bytes;
 * v->where names it from then on. */
static int named(struct vctx *v, json_t *x, const char *array, size_t i,
		 size_t max, const char **name)
{
	int rc;

	snprintf(v->where, sizeof(v->where), "zcbench.%s[%zu]", array, i);
	if (!json_is_object(x))
		return verr(v, "%s, expected an object", jtype(x));
	rc = req_name(v, x, "name", max, name);
	if (rc < 0)
		return rc;
	snprintf(v->where, sizeof(v->where), "zcbench.%s[%zu] (\"%.200s\")",
		 array, i, *name);
	return 0;
}

/* A required member that is one of the words (NULL-terminated). */
static int req_word(struct vctx *v, json_t *o, const char *key,
		    const char *const *words)
{
	const char *s;
	int rc = req_name(v, o, key, 16, &s);

	if (rc < 0)
		return rc;
	for (int i = 0; words[i]; i++)
		if (!strcmp(s, words[i]))
			return 0;
	return verr(v, "%s is '%s', expected %s, %s or %s", key, s, words[0],
		    words[1], words[2]);
}

/* An object (or absent) whose members are all strings. */
static int opt_strings(struct vctx *v, json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key), *m;
	const char *k;

	if (!x)
		return 0;
	if (!json_is_object(x))
		return verr(v, "%s is %s, expected an object", key, jtype(x));
	json_object_foreach(x, k, m)
	{
		if (!json_is_string(m))
			return verr(v, "%s.%s is %s, expected a string", key, k,
				    jtype(m));
	}
	return 0;
}

/* x (named `what` in messages) is absent, or an array of at most
 * ZC_MAX_REP numbers or nulls, or null when null_ok; its length to *n
 * (-1 when it is no array). */
static int check_values(struct vctx *v, json_t *x, const char *what,
			int null_ok, long long *n)
{
	json_t *e;
	size_t i;

	*n = -1;
	if (!x || (null_ok && json_is_null(x)))
		return 0;
	if (!json_is_array(x))
		return verr(v, "%s is %s, expected an array", what, jtype(x));
	if (json_array_size(x) > ZC_MAX_REP)
		return verr(v, "%s has %zu values, more than %d repetitions",
			    what, json_array_size(x), ZC_MAX_REP);
	json_array_foreach(x, i, e)
	{
		if (!is_number_or_null(e))
			return verr(v,
				    "%s[%zu] is %s, expected a number or null",
				    what, i, jtype(e));
	}
	*n = (long long)json_array_size(x);
	return 0;
}

static int cmp_rname(const void *a, const void *b)
{
	const struct zc_rname *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Sort an index; -EINVAL naming the first name given twice. */
static int index_sort(struct vctx *v, struct zc_rname *ix, size_t n,
		      const char *what, const char *array)
{
	if (n > 1)
		qsort(ix, n, sizeof(*ix), cmp_rname);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(ix[i - 1].name, ix[i].name))
			return verr(
				v,
				"%s '%.200s' appears twice (zcbench.%s[%zu] "
				"and [%zu])",
				what, ix[i].name, array, ix[i - 1].index,
				ix[i].index);
	return 0;
}

static struct zc_rname *index_find(struct zc_rname *ix, size_t n,
				   const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix[mid].name, name);
		if (c == 0)
			return &ix[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int check_metrics(struct vctx *v, json_t *ms, struct zc_rname *ix)
{
	json_t *m;
	size_t i;

	json_array_foreach(ms, i, m)
	{
		static const char *const better[] = {"lower", "higher", "none",
						     NULL};
		const char *name;
		int rc;

		if ((rc = named(v, m, "metrics", i, 95, &name)) < 0 ||
		    (rc = req_word(v, m, "better", better)) < 0)
			return rc;
		if ((rc = opt_type(v, m, "unit", is_string, "a string")) < 0 ||
		    (rc = opt_type(v, m, "description", is_string,
				   "a string")) < 0 ||
		    (rc = opt_type(v, m, "portable", is_bool, "a boolean")) < 0)
			return rc;
		ix[i] = (struct zc_rname){name, m, i};
	}
	v->where[0] = 0;
	return index_sort(v, ix, json_array_size(ms), "metric", "metrics");
}

/* A case's sentinel and regimes: what compare's regime matching reads. */
static int check_regimes(struct vctx *v, json_t *c, long long nrep)
{
	json_t *sent = json_object_get(c, "sentinel"),
	       *rs = json_object_get(c, "regimes"), *x;
	int have[ZC_REGIME_MAX] = {0}, rc;
	long long n;
	size_t i;

	if (rs && !json_is_array(rs))
		return verr(v, "regimes is %s, expected an array", jtype(rs));
	json_array_foreach(rs, i, x)
	{
		json_t *k = json_object_get(x, "regime"),
		       *h = json_object_get(x, "handoff_ns");
		json_int_t r;
		if (!json_is_object(x))
			return verr(v, "regimes[%zu] is %s, expected an object",
				    i, jtype(x));
		if (!json_is_integer(k))
			return verr(v,
				    "regimes[%zu].regime is %s, expected an "
				    "integer",
				    i, k ? jtype(k) : "missing");
		r = json_integer_value(k);
		if (r < 0 || r >= ZC_REGIME_MAX || have[r])
			return verr(v,
				    "regimes[%zu].regime %lld is %s (0..%d, "
				    "each once)",
				    i, (long long)r,
				    r < 0 || r >= ZC_REGIME_MAX ? "out of range"
								: "repeated",
				    ZC_REGIME_MAX - 1);
		have[r] = 1;
		if (!json_is_number(h) || !(json_number_value(h) > 0))
			return verr(v,
				    "regimes[%zu].handoff_ns is %s, expected a "
				    "positive number",
				    i, h ? jtype(h) : "missing");
	}
	if (!sent)
		return 0;
	if (!json_is_object(sent))
		return verr(v, "sentinel is %s, expected an object",
			    jtype(sent));
	snprintf(v->where + strlen(v->where),
		 sizeof(v->where) - strlen(v->where), ".sentinel");
	if ((rc = check_values(v, json_object_get(sent, "before"), "before", 1,
			       &n)) < 0 ||
	    (rc = check_values(v, json_object_get(sent, "after"), "after", 1,
			       &n)) < 0 ||
	    (rc = opt_type(v, sent, "why", is_string, "a string")) < 0)
		return rc;
	x = json_object_get(sent, "regime");
	if (!x)
		return 0;
	if (!json_is_array(x))
		return verr(v, "regime is %s, expected an array", jtype(x));
	if (nrep >= 0 && (long long)json_array_size(x) != nrep)
		return verr(v,
			    "regime has %zu entries for %lld repetitions "
			    "(one per repetition)",
			    json_array_size(x), nrep);
	if (json_array_size(x) > ZC_MAX_REP)
		return verr(v, "regime has more than %d entries", ZC_MAX_REP);
	for (i = 0; i < json_array_size(x); i++) {
		json_t *e = json_array_get(x, i);
		json_int_t r;
		if (json_is_null(e))
			continue;
		if (json_is_string(e)) {
			if (strcmp(json_string_value(e), "moved") &&
			    strcmp(json_string_value(e), "slowed"))
				return verr(
					v,
					"regime[%zu] is '%.40s', expected "
					"a regime, \"moved\", \"slowed\" or "
					"null",
					i, json_string_value(e));
			continue;
		}
		if (!json_is_integer(e))
			return verr(v,
				    "regime[%zu] is %s, expected a regime, "
				    "\"moved\" or null",
				    i, jtype(e));
		r = json_integer_value(e);
		if (r < 0 || r >= ZC_REGIME_MAX || !have[r])
			return verr(v,
				    "regime[%zu] is %lld, which the case's "
				    "regimes do not list",
				    i, (long long)r);
	}
	return 0;
}

static int check_case(struct vctx *v, json_t *c, size_t i,
		      struct zc_rname *metrics, size_t nmetrics,
		      struct zc_rname *ix)
{
	static const char *const status[] = {"ok", "skipped", "failed", NULL};
	json_t *x, *samples;
	const char *name, *k;
	long long nrep = -1, n;
	int rc;

	if ((rc = named(v, c, "cases", i, 255, &name)) < 0 ||
	    (rc = req_word(v, c, "status", status)) < 0)
		return rc;
	if ((rc = opt_type(v, c, "reason", is_string, "a string")) < 0 ||
	    (rc = opt_strings(v, c, "params")) < 0 ||
	    (rc = opt_strings(v, c, "absent")) < 0)
		return rc;
	x = json_object_get(c, "repetitions");
	if (x) {
		if (!json_is_integer(x) || json_integer_value(x) < 0 ||
		    json_integer_value(x) > ZC_MAX_REP)
			return verr(v,
				    "repetitions is %s, expected an integer "
				    "0..%d",
				    json_is_integer(x) ? "out of range"
						       : jtype(x),
				    ZC_MAX_REP);
		nrep = json_integer_value(x);
	}
	samples = json_object_get(c, "samples");
	if (samples && !json_is_object(samples))
		return verr(v, "samples is %s, expected an object",
			    jtype(samples));
	json_object_foreach(samples, k, x)
	{
		char what[120];
		if (!index_find(metrics, nmetrics, k))
			return verr(v,
				    "samples of metric '%.95s', which "
				    "zcbench.metrics does not declare",
				    k);
		snprintf(what, sizeof(what), "samples.%s", k);
		rc = check_values(v, x, what, 0, &n);
		if (rc < 0)
			return rc;
		if (nrep >= 0 && n != nrep)
			return verr(v,
				    "samples.%s has %lld values for %lld "
				    "repetitions",
				    k, n, nrep);
		nrep = n;
	}
	rc = check_regimes(v, c, nrep);
	if (rc < 0)
		return rc;
	*ix = (struct zc_rname){name, c, i};
	return 0;
}

/* zcbench.regimes: what report.md's regime table reads. */
static int check_pairs(struct vctx *v, json_t *zc)
{
	json_t *ps = json_object_get(zc, "regimes"), *p, *r;
	size_t i, k;
	int rc;

	snprintf(v->where, sizeof(v->where), "zcbench");
	if (!ps)
		return 0;
	if (!json_is_array(ps))
		return verr(v, "regimes is %s, expected an array", jtype(ps));
	json_array_foreach(ps, i, p)
	{
		json_t *cpus = json_object_get(p, "cpus");
		snprintf(v->where, sizeof(v->where), "zcbench.regimes[%zu]", i);
		if (!json_is_object(p))
			return verr(v, "%s, expected an object", jtype(p));
		if (!json_is_array(cpus) || json_array_size(cpus) != 2 ||
		    !json_is_integer(json_array_get(cpus, 0)) ||
		    !json_is_integer(json_array_get(cpus, 1)))
			return verr(v, "cpus is not [a, b] (two integers)");
		if ((rc = opt_type(v, p, "samples", is_integer, "an integer")) <
			    0 ||
		    (rc = opt_type(v, p, "moved", is_integer, "an integer")) <
			    0 ||
		    (rc = opt_type(v, p, "regimes", is_array, "an array")) < 0)
			return rc;
		json_array_foreach(json_object_get(p, "regimes"), k, r)
		{
			snprintf(v->where, sizeof(v->where),
				 "zcbench.regimes[%zu].regimes[%zu]", i, k);
			if (!json_is_object(r))
				return verr(v, "%s, expected an object",
					    jtype(r));
			if ((rc = opt_type(v, r, "handoff_ns",
					   is_number_or_null,
					   "a number or null")) < 0 ||
			    (rc = opt_type(v, r, "share", is_number_or_null,
					   "a number or null")) < 0 ||
			    (rc = opt_type(v, r, "drifting", is_bool,
					   "a boolean")) < 0)
				return rc;
		}
	}
	return 0;
}

/* 0: a result file we can read, its indexes in s at file f; 1: not a
 * result file (no "zcbench" section); -EINVAL / -EPROTO / -ENOMEM with
 * err. */
static int check_result(struct zc_rset *s, int f, json_t *root,
			const char *path, char *err, size_t len)
{
	struct vctx v = {.path = path, .err = err, .len = len};
	json_t *zc = json_object_get(root, "zcbench"), *x, *ms, *cs;
	const char *cmd;
	size_t i;
	int rc;

	if (!json_is_object(root) || !zc)
		return 1;
	if (!json_is_object(zc))
		return verr(&v, "zcbench is %s, expected an object", jtype(zc));
	snprintf(v.where, sizeof(v.where), "zcbench");
	x = json_object_get(zc, "schema_version");
	if (!x)
		return verr(&v, "no schema_version: not a zcbench result file");
	if (!json_is_integer(x))
		return verr(&v, "schema_version is %s, expected an integer",
			    jtype(x));
	if (json_integer_value(x) != ZC_OUT_SCHEMA) {
		snprintf(err, len,
			 "%s: results of schema version %lld; this "
			 "zcbench reads version %d (compare runs of "
			 "matching versions)",
			 path, (long long)json_integer_value(x), ZC_OUT_SCHEMA);
		return -EPROTO;
	}
	if ((rc = req_name(&v, zc, "command", 31, &cmd)) < 0 ||
	    (rc = opt_type(&v, zc, "interrupted", is_bool, "a boolean")) < 0)
		return rc;
	/* A command's name: it names files and goes into report.md's
	 * regimes.gp, where a quote would be gnuplot code. */
	if (cmd[strspn(cmd, "abcdefghijklmnopqrstuvwxyz0123456789_-")])
		return verr(&v,
			    "command '%s' is not a command name (a-z, 0-9, "
			    "'-', '_')",
			    cmd);
	ms = json_object_get(zc, "metrics");
	cs = json_object_get(zc, "cases");
	if (!json_is_array(ms))
		return verr(&v, "metrics is %s, expected an array",
			    ms ? jtype(ms) : "missing");
	if (!json_is_array(cs))
		return verr(&v, "cases is %s, expected an array",
			    cs ? jtype(cs) : "missing");
	if (json_array_size(cs) == 0)
		return verr(&v, "no cases (cases is empty): nothing was "
				"measured");
	s->metrics[f] =
		calloc(json_array_size(ms) + 1, sizeof(struct zc_rname));
	s->cases[f] = calloc(json_array_size(cs), sizeof(struct zc_rname));
	if (!s->metrics[f] || !s->cases[f]) {
		snprintf(err, len, "%s: out of memory", path);
		return -ENOMEM;
	}
	rc = check_metrics(&v, ms, s->metrics[f]);
	if (rc < 0)
		return rc;
	s->nmetrics[f] = json_array_size(ms);
	json_array_foreach(cs, i, x)
	{
		rc = check_case(&v, x, i, s->metrics[f], s->nmetrics[f],
				&s->cases[f][i]);
		if (rc < 0)
			return rc;
	}
	v.where[0] = 0;
	rc = index_sort(&v, s->cases[f], json_array_size(cs), "case", "cases");
	if (rc < 0)
		return rc;
	s->ncases[f] = json_array_size(cs);
	return check_pairs(&v, zc);
}

/* meta.json: an object; the fields compare and describe read are strings. */
static int check_meta(json_t *m, const char *path, char *err, size_t len)
{
	static const char *const keys[] = {"host", "status",	"version",
					   "git",  "start_utc", NULL};
	struct vctx v = {.path = path, .err = err, .len = len};
	json_t *cpu;
	int rc;

	if (!json_is_object(m))
		return verr(&v, "%s, expected an object", jtype(m));
	for (int i = 0; keys[i]; i++)
		if ((rc = opt_type(&v, m, keys[i], is_string, "a string")) < 0)
			return rc;
	cpu = json_object_get(m, "cpu");
	if (cpu && !json_is_object(cpu))
		return verr(&v, "cpu is %s, expected an object", jtype(cpu));
	return opt_type(&v, cpu, "model", is_string, "a string");
}

/* Take root (a parsed file) as result file s->n; 1 when it has no
 * "zcbench" section (root is dropped). must: that is an error. */
static int add_root(struct zc_rset *s, json_t *root, const char *path,
		    const char *name, int must, char *err, size_t len)
{
	int f = s->n, rc;

	if (f == ZC_RSET_MAX) {
		json_decref(root);
		snprintf(err, len, "%s: more than %d result files", s->path,
			 ZC_RSET_MAX);
		return -E2BIG;
	}
	rc = check_result(s, f, root, path, err, len);
	if (rc == 1 && must) {
		snprintf(err, len,
			 "%s: not a zcbench result file (no "
			 "\"zcbench\" section)",
			 path);
		rc = -EINVAL;
	}
	if (rc == 0) {
		int g = zc_rset_find(s, zc_res_command(root));
		if (g >= 0) {
			snprintf(err, len,
				 "%s: %s and %s both hold results of '%s' "
				 "(keep one per command)",
				 s->path, s->file[g], name,
				 zc_res_command(root));
			rc = -EINVAL;
		}
	}
	if (rc != 0) {
		json_decref(root);
		free(s->cases[f]);
		free(s->metrics[f]);
		s->cases[f] = s->metrics[f] = NULL;
		s->ncases[f] = s->nmetrics[f] = 0;
		return rc;
	}
	s->res[f] = root;
	snprintf(s->file[f], sizeof(s->file[0]), "%s", name);
	s->n++;
	return 0;
}

static int add_result(struct zc_rset *s, const char *path, const char *name,
		      int must, char *err, size_t len)
{
	json_t *v;
	int rc = load_json(path, &v, err, len);

	if (rc < 0)
		return rc;
	rc = add_root(s, v, path, name, must, err, len);
	return rc < 0 ? rc : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_meta(struct zc_rset *s, const char *dir, char *err, size_t len)
{
	char path[4200];
	struct stat st;
	int rc;

	snprintf(path, sizeof(path), "%s/meta.json", dir);
	if (lstat(path, &st) < 0)
		return 0;
	rc = load_json(path, &s->meta, err, len);
	if (rc == 0)
		rc = check_meta(s->meta, path, err, len);
	if (rc < 0) {
		json_decref(s->meta);
		s->meta = NULL;
		return rc == -ENOENT ? -EINVAL : rc;
	}
	return 0;
}

static int load_dir(struct zc_rset *s, char *err, size_t len)
{
	DIR *d = opendir(s->path);
	struct dirent *e;
	char **names = NULL;
	int n = 0, cap = 0, rc = 0;

	if (!d) {
		rc = -errno;
		snprintf(err, len, "%s: %s", s->path, strerror(-rc));
		return rc;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 6 ||
		    strcmp(e->d_name + l - 5, ".json") ||
		    !strcmp(e->d_name, "meta.json"))
			continue;
		if (n == ZC_RSET_MAX_FILES) {
			snprintf(err, len,
				 "%s: more than %d *.json files: not a "
				 "results folder",
				 s->path, ZC_RSET_MAX_FILES);
			rc = -E2BIG;
			break;
		}
		if (n == cap) {
			char **p;
			cap = cap ? 2 * cap : 32;
			p = realloc(names, (size_t)cap * sizeof(*names));
			if (!p) {
				rc = -ENOMEM;
				break;
			}
			names = p;
		}
		if (!(names[n] = strdup(e->d_name))) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == -ENOMEM)
		snprintf(err, len, "%s: out of memory", s->path);
	if (n > 1)
		qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n && rc == 0; i++) {
		char path[4400];
		snprintf(path, sizeof(path), "%s/%s", s->path, names[i]);
		rc = add_result(s, path, names[i], 0, err, len);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc == 0)
		rc = load_meta(s, s->path, err, len);
	if (rc == 0 && s->n == 0) {
		snprintf(err, len,
			 "%s: no zcbench results in this folder (no "
			 "*.json with a \"zcbench\" section)",
			 s->path);
		rc = -ENODATA;
	}
	return rc;
}

int zc_rset_load(struct zc_rset *s, const char *path, char *err, size_t len)
{
	struct stat st;
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (stat(path, &st) < 0) {
		rc = -errno;
		snprintf(err, len, "%s: %s", path,
			 rc == -ENOENT ? "no such file or folder"
				       : strerror(-rc));
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		s->is_dir = 1;
		rc = load_dir(s, err, len);
	} else {
		char dir[4096];
		const char *slash = strrchr(path, '/');
		snprintf(dir, sizeof(dir), "%.*s",
			 slash ? (int)(slash - path) : 1, slash ? path : ".");
		rc = add_result(s, path, slash ? slash + 1 : path, 1, err, len);
		if (rc == 0)
			rc = load_meta(s, dir[0] ? dir : "/", err, len);
	}
	if (rc < 0)
		zc_rset_release(s);
	return rc;
}

int zc_rset_parse(struct zc_rset *s, const char *name, const char *text,
		  size_t len, char *err, size_t errlen)
{
	json_t *v;
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", name);
	rc = parse_json(name, text, len, &v, err, errlen);
	if (rc == 0)
		rc = add_root(s, v, name, name, 1, err, errlen);
	if (rc < 0)
		zc_rset_release(s);
	return rc;
}

void zc_rset_release(struct zc_rset *s)
{
	for (int i = 0; i < s->n; i++) {
		json_decref(s->res[i]);
		free(s->cases[i]);
		free(s->metrics[i]);
		s->res[i] = NULL;
		s->cases[i] = s->metrics[i] = NULL;
		s->ncases[i] = s->nmetrics[i] = 0;
	}
	json_decref(s->meta);
	s->meta = NULL;
	s->n = 0;
}

static json_t *lookup(const struct zc_rset *s, int f,
		      struct zc_rname *const *ix, const size_t *n,
		      const char *name)
{
	struct zc_rname *r =
		f >= 0 && f < s->n ? index_find(ix[f], n[f], name) : NULL;
	return r ? r->v : NULL;
}

json_t *zc_rset_case(const struct zc_rset *s, int f, const char *name)
{
	return lookup(s, f, s->cases, s->ncases, name);
}

json_t *zc_rset_metric(const struct zc_rset *s, int f, const char *name)
{
	return lookup(s, f, s->metrics, s->nmetrics, name);
}

int zc_rset_find(const struct zc_rset *s, const char *cmd)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(zc_res_command(s->res[i]), cmd))
			return i;
	return -ENOENT;
}
