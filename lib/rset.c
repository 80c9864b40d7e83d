/* SPDX-License-Identifier: MIT */
/*
 * rset — results sets read back with jansson: a results folder or one
 * result file, checked against the schema, and field access with defaults
 * (see rset.h; the helpers compare and export share are in rset_int.h).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rset.h"
#include "afile.h"
#include "rset_int.h"

/* ---- results read back ----------------------------------------------------
 */

static int load_json(const char *path, json_t **out, char *err, size_t len)
{
	json_error_t je;
	size_t n;
	char *text;
	json_t *v;
	int e = zc_read_file(path, ZC_READ_MAX_JSON, &text, &n);

	if (e < 0) {
		snprintf(err, len, "%s: %s", path, zc_file_strerror(e, 0));
		return e == -ENOENT ? -ENOENT : -EINVAL;
	}
	/* Duplicate keys mean a file that was not written by zcbench. */
	v = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!v) {
		snprintf(err, len,
			 "%s:%d:%d: not valid JSON (corrupt or "
			 "truncated?): %s",
			 path, je.line, je.column, je.text);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* 0: a result file we can read; 1: not a result file (no "zcbench"
 * section); -EINVAL / -EPROTO with err. */
static int check_result(json_t *root, const char *path, char *err, size_t len)
{
	json_t *zc = json_object_get(root, "zcbench"), *v, *x;
	size_t i;

	if (!json_is_object(root) || !json_is_object(zc))
		return 1;
	v = json_object_get(zc, "schema_version");
	if (!json_is_integer(v)) {
		snprintf(err, len,
			 "%s: no zcbench.schema_version: not a "
			 "zcbench result file",
			 path);
		return -EINVAL;
	}
	if (json_integer_value(v) != ZC_OUT_SCHEMA) {
		snprintf(err, len,
			 "%s: results of schema version %lld; this "
			 "zcbench reads version %d (compare runs of "
			 "matching versions)",
			 path, (long long)json_integer_value(v), ZC_OUT_SCHEMA);
		return -EPROTO;
	}
	if (!json_is_string(json_object_get(zc, "command")) ||
	    !json_is_array(json_object_get(zc, "metrics")) ||
	    !json_is_array(json_object_get(zc, "cases"))) {
		snprintf(err, len,
			 "%s: zcbench section lacks command, metrics "
			 "or cases",
			 path);
		return -EINVAL;
	}
	json_array_foreach(json_object_get(zc, "metrics"), i, x)
	{
		if (!json_is_string(json_object_get(x, "name")) ||
		    !json_is_string(json_object_get(x, "better"))) {
			snprintf(err, len,
				 "%s: metric %zu lacks name or better", path,
				 i);
			return -EINVAL;
		}
	}
	json_array_foreach(json_object_get(zc, "cases"), i, x)
	{
		json_t *s = json_object_get(x, "samples");
		if (!json_is_string(json_object_get(x, "name")) ||
		    !json_is_string(json_object_get(x, "status")) ||
		    (s && !json_is_object(s))) {
			snprintf(err, len,
				 "%s: case %zu lacks name or status, or "
				 "its samples are not an object",
				 path, i);
			return -EINVAL;
		}
	}
	return 0;
}

static int add_result(struct zc_rset *s, const char *path, const char *name,
		      int must, char *err, size_t len)
{
	json_t *v;
	int rc = load_json(path, &v, err, len);

	if (rc < 0)
		return rc;
	rc = check_result(v, path, err, len);
	if (rc == 1 && must) {
		snprintf(err, len,
			 "%s: not a zcbench result file (no "
			 "\"zcbench\" section)",
			 path);
		rc = -EINVAL;
	}
	if (rc != 0 || s->n == ZC_RSET_MAX) {
		json_decref(v);
		if (rc == 0) {
			snprintf(err, len, "%s: more than %d result files",
				 s->path, ZC_RSET_MAX);
			return -E2BIG;
		}
		return rc < 0 ? rc : 0;
	}
	s->res[s->n] = v;
	snprintf(s->file[s->n], sizeof(s->file[0]), "%s", name);
	s->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_meta(struct zc_rset *s, const char *dir, char *err, size_t len)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/meta.json", dir);
	if (stat(path, &st) < 0)
		return 0;
	return load_json(path, &s->meta, err, len);
}

static int load_dir(struct zc_rset *s, char *err, size_t len)
{
	DIR *d = opendir(s->path);
	struct dirent *e;
	char *names[256];
	int n = 0, rc = 0;

	if (!d) {
		rc = -errno;
		snprintf(err, len, "%s: %s", s->path, strerror(-rc));
		return rc;
	}
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 6 ||
		    strcmp(e->d_name + l - 5, ".json"))
			continue;
		if (!(names[n] = strdup(e->d_name))) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n && rc == 0; i++) {
		char path[4400];
		if (!strcmp(names[i], "meta.json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->path, names[i]);
		rc = add_result(s, path, names[i], 0, err, len);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
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

void zc_rset_release(struct zc_rset *s)
{
	for (int i = 0; i < s->n; i++)
		json_decref(s->res[i]);
	json_decref(s->meta);
	s->meta = NULL;
	s->n = 0;
}

const char *zc_res_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

const char *zc_rset_host(json_t *meta)
{
	return zc_res_str(meta, "host");
}

const char *zc_rset_cpu(json_t *meta)
{
	return zc_res_str(json_object_get(meta, "cpu"), "model");
}

void zc_rset_describe(const struct zc_rset *s, char *buf, size_t len)
{
	if (!s->meta) {
		snprintf(buf, len, "no meta.json");
		return;
	}
	snprintf(buf, len, "host %s, %s, zcbench %s (git %s), %s",
		 *zc_rset_host(s->meta) ? zc_rset_host(s->meta) : "?",
		 *zc_rset_cpu(s->meta) ? zc_rset_cpu(s->meta) : "CPU unknown",
		 *zc_res_str(s->meta, "version")
			 ? zc_res_str(s->meta, "version")
			 : "?",
		 *zc_res_str(s->meta, "git") ? zc_res_str(s->meta, "git") : "?",
		 *zc_res_str(s->meta, "start_utc")
			 ? zc_res_str(s->meta, "start_utc")
			 : "date unknown");
}

const char *zc_res_command(json_t *res)
{
	return zc_res_str(json_object_get(res, "zcbench"), "command");
}

enum zc_better zc_res_better(const char *s)
{
	return !strcmp(s, "lower")    ? ZC_BETTER_LOWER
	       : !strcmp(s, "higher") ? ZC_BETTER_HIGHER
				      : ZC_BETTER_NONE;
}

int zc_res_metric(json_t *res, const char *name, enum zc_better *better,
		  const char **unit, int *portable)
{
	json_t *ms =
		json_object_get(json_object_get(res, "zcbench"), "metrics");
	json_t *m;
	size_t i;

	json_array_foreach(ms, i, m)
	{
		if (strcmp(zc_res_str(m, "name"), name))
			continue;
		if (better)
			*better = zc_res_better(zc_res_str(m, "better"));
		if (unit)
			*unit = zc_res_str(m, "unit");
		if (portable)
			*portable =
				json_is_true(json_object_get(m, "portable"));
		return 0;
	}
	return -ENOENT;
}

int zc_res_samples(json_t *c, const char *name, double *x, int max)
{
	json_t *a = json_object_get(json_object_get(c, "samples"), name), *v;
	size_t i;
	int n = 0;

	json_array_foreach(a, i, v)
	{
		if (n < max && json_is_number(v) &&
		    isfinite(json_number_value(v)))
			x[n++] = json_number_value(v);
	}
	return n;
}
