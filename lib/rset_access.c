/* SPDX-License-Identifier: MIT */
/*
 * rset_access — field access with defaults on results read back by rset.c
 * (already checked against the schema there): strings, metric
 * declarations, samples, metric selections, meta.json's host and CPU, a
 * one-line description (see rset.h and rset_int.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rset.h"
#include "rset_int.h"

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

/* The first metric res declares with a better direction, "" if none. */
static const char *primary_of(json_t *res)
{
	json_t *ms =
		json_object_get(json_object_get(res, "zcbench"), "metrics");
	json_t *m;
	size_t i;

	json_array_foreach(ms, i, m)
	{
		if (zc_res_better(zc_res_str(m, "better")) != ZC_BETTER_NONE)
			return zc_res_str(m, "name");
	}
	return "";
}

int zc_res_metric_selected(json_t *res, const char *name, const char *sel)
{
	size_t len = strlen(name);

	for (const char *p = sel; *p;) {
		size_t n = strcspn(p, ",");
		if ((n == 3 && !strncmp(p, "all", 3)) ||
		    (n == len && !strncmp(p, name, len)) ||
		    (n == 7 && !strncmp(p, "primary", 7) &&
		     !strcmp(primary_of(res), name)))
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

int zc_metric_selection_ok(const char *sel)
{
	int names = 0;

	for (const char *p = sel;; p++) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
		if (!n || n > 95 || ++names > 16)
			return 0;
		p += n;
		if (!*p)
			return 1;
		if (*p != ',')
			return 0;
	}
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
