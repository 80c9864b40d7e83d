/* SPDX-License-Identifier: MIT */
/*
 * report — suite files, results read back with jansson, the regression
 * comparison and the github-action-benchmark export (see report.h).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"
#include "stats.h"

/* ---- words and suite files ------------------------------------------------
 */

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

void zc_words_free(char **argv)
{
	for (int i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

int zc_words_split(const char *line, int *argc, char ***argv, char *err,
		   size_t len)
{
	char **v = calloc(ZC_SUITE_MAX_WORDS + 1, sizeof(*v));
	char *buf = malloc(strlen(line) + 1);
	const char *p = line;
	int n = 0, rc = 0;

	if (!v || !buf) {
		rc = -ENOMEM;
		goto fail;
	}
	for (;;) {
		size_t k = 0;

		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		while (*p && !is_blank(*p)) {
			if (*p == '\'') {
				const char *q = strchr(p + 1, '\'');
				if (!q) {
					snprintf(err, len,
						 "unterminated ' quote");
					rc = -EINVAL;
					goto fail;
				}
				memcpy(buf + k, p + 1, (size_t)(q - p - 1));
				k += (size_t)(q - p - 1);
				p = q + 1;
			} else if (*p == '"') {
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' &&
					    (p[1] == '"' || p[1] == '\\'))
						p++;
					buf[k++] = *p;
				}
				if (!*p) {
					snprintf(err, len,
						 "unterminated \" quote");
					rc = -EINVAL;
					goto fail;
				}
				p++;
			} else {
				buf[k++] = *p++;
			}
		}
		buf[k] = 0;
		if (n == ZC_SUITE_MAX_WORDS) {
			snprintf(err, len, "more than %d words",
				 ZC_SUITE_MAX_WORDS);
			rc = -E2BIG;
			goto fail;
		}
		v[n] = strdup(buf);
		if (!v[n]) {
			rc = -ENOMEM;
			goto fail;
		}
		n++;
	}
	free(buf);
	*argc = n;
	*argv = v;
	return 0;
fail:
	free(buf);
	zc_words_free(v);
	return rc;
}

void zc_suite_release(struct zc_suite *s)
{
	for (int i = 0; i < s->n; i++)
		zc_words_free(s->line[i].argv);
	s->n = 0;
}

int zc_suite_parse(struct zc_suite *s, const char *name, const char *text)
{
	const char *p = text;
	int lineno = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", name);
	snprintf(s->name, sizeof(s->name), "%s",
		 strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, len), why[200];
		struct zc_suite_line *l = &s->line[s->n];
		int argc, err;
		char **argv;

		lineno++;
		p += len + (nl ? 1 : 0);
		if (!line) {
			zc_suite_release(s);
			return -ENOMEM;
		}
		err = zc_words_split(line, &argc, &argv, why, sizeof(why));
		if (err < 0) {
			if (err != -ENOMEM)
				snprintf(s->err, sizeof(s->err), "%s:%d: %s",
					 s->path, lineno, why);
			free(line);
			zc_suite_release(s);
			return err;
		}
		if (argc > 0 && !strcmp(argv[0], "zcbench")) {
			free(argv[0]);
			memmove(argv, argv + 1, (size_t)argc * sizeof(*argv));
			argc--;
			if (argc == 0) {
				snprintf(s->err, sizeof(s->err),
					 "%s:%d: 'zcbench' without a command",
					 s->path, lineno);
				free(line);
				zc_words_free(argv);
				zc_suite_release(s);
				return -EINVAL;
			}
		}
		if (argc == 0) {
			free(line);
			zc_words_free(argv);
			continue;
		}
		if (s->n == ZC_SUITE_MAX_LINES) {
			snprintf(s->err, sizeof(s->err),
				 "%s:%d: more than %d lines", s->path, lineno,
				 ZC_SUITE_MAX_LINES);
			free(line);
			zc_words_free(argv);
			zc_suite_release(s);
			return -E2BIG;
		}
		l->lineno = lineno;
		l->argc = argc;
		l->argv = argv;
		{
			char *t = line, *e;
			while (is_blank(*t))
				t++;
			e = t + strlen(t);
			while (e > t && is_blank(e[-1]))
				*--e = 0;
			snprintf(l->text, sizeof(l->text), "%s", t);
		}
		free(line);
		s->n++;
	}
	return 0;
}

/* Suites are a few lines; anything this large is not one. */
#define SUITE_MAX_BYTES (1 << 20)

int zc_suite_load(struct zc_suite *s, const char *path)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char *text;
	size_t n;
	int err;

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) < 0 || S_ISDIR(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -errno;
		fclose(f);
		return err;
	}
	text = malloc(SUITE_MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(text, 1, SUITE_MAX_BYTES + 1, f);
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (!err && n > SUITE_MAX_BYTES) {
		snprintf(s->err, sizeof(s->err), "%s: larger than %d bytes",
			 path, SUITE_MAX_BYTES);
		err = -E2BIG;
	}
	if (!err && memchr(text, 0, n)) {
		snprintf(s->err, sizeof(s->err), "%s: not a text file", path);
		err = -EINVAL;
	}
	if (!err) {
		text[n] = 0;
		err = zc_suite_parse(s, path, text);
	}
	free(text);
	return err;
}

/* ---- positional arguments -------------------------------------------------
 */

static const struct zc_opt *find_opt(const struct zc_opt *const *tables,
				     const char *name)
{
	for (int t = 0; tables[t]; t++)
		for (const struct zc_opt *o = tables[t]; o->name; o++)
			if (!strcmp(o->name, name))
				return o;
	return NULL;
}

void zc_args_split(const struct zc_opt *const *tables, int argc, char **argv,
		   int *nopts, char **opts, int *npos, char **pos)
{
	int no = 0, np = 0, i;

	opts[no++] = argv[0];
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				pos[np++] = argv[i];
			break;
		}
		if (a[0] != '-' || !a[1]) {
			pos[np++] = argv[i];
			continue;
		}
		opts[no++] = argv[i];
		if (a[1] == '-' && !strchr(a, '=')) {
			const struct zc_opt *o = find_opt(tables, a + 2);
			if (o && o->type != ZC_OPT_TFLAG && i + 1 < argc)
				opts[no++] = argv[++i];
		}
	}
	opts[no] = NULL;
	pos[np] = NULL;
	*nopts = no;
	*npos = np;
}

/* ---- results read back ----------------------------------------------------
 */

static int load_json(const char *path, json_t **out, char *err, size_t len)
{
	json_error_t je;
	json_t *v;

	/* Duplicate keys mean a file that was not written by zcbench. */
	v = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
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

/* A JSON real, or null where JSON has no number (NaN, inf). */
static json_t *jreal(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static const char *jstr(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

static const char *meta_host(json_t *meta)
{
	return jstr(meta, "host");
}

static const char *meta_cpu(json_t *meta)
{
	return jstr(json_object_get(meta, "cpu"), "model");
}

void zc_rset_describe(const struct zc_rset *s, char *buf, size_t len)
{
	if (!s->meta) {
		snprintf(buf, len, "no meta.json");
		return;
	}
	snprintf(buf, len, "host %s, %s, zcbench %s (git %s), %s",
		 *meta_host(s->meta) ? meta_host(s->meta) : "?",
		 *meta_cpu(s->meta) ? meta_cpu(s->meta) : "CPU unknown",
		 *jstr(s->meta, "version") ? jstr(s->meta, "version") : "?",
		 *jstr(s->meta, "git") ? jstr(s->meta, "git") : "?",
		 *jstr(s->meta, "start_utc") ? jstr(s->meta, "start_utc")
					     : "date unknown");
}

const char *zc_res_command(json_t *res)
{
	return jstr(json_object_get(res, "zcbench"), "command");
}

static enum zc_better parse_better(const char *s)
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
		if (strcmp(jstr(m, "name"), name))
			continue;
		if (better)
			*better = parse_better(jstr(m, "better"));
		if (unit)
			*unit = jstr(m, "unit");
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

static json_t *find_case(json_t *res, const char *name)
{
	json_t *cs = json_object_get(json_object_get(res, "zcbench"), "cases"),
	       *c;
	size_t i;

	json_array_foreach(cs, i, c)
	{
		if (!strcmp(jstr(c, "name"), name))
			return c;
	}
	return NULL;
}

static json_t *find_result(const struct zc_rset *s, const char *cmd)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(zc_res_command(s->res[i]), cmd))
			return s->res[i];
	return NULL;
}

/* ---- comparison -----------------------------------------------------------
 */

static const char *const status_names[ZC_CMP_NSTATUS] = {
	[ZC_CMP_REGRESSED] = "regressed",
	[ZC_CMP_FAILED] = "failed",
	[ZC_CMP_IMPROVED] = "improved",
	[ZC_CMP_INCONCLUSIVE] = "inconclusive",
	[ZC_CMP_MISSING] = "missing",
	[ZC_CMP_NEW] = "new",
	[ZC_CMP_UNCHANGED] = "unchanged",
};

const char *zc_cmp_status_name(enum zc_cmp_status st)
{
	return st < ZC_CMP_NSTATUS ? status_names[st] : "?";
}

double zc_cmp_min_p(int na, int nb)
{
	double c = 1, n = na + nb, z;

	if (na <= 0 || nb <= 0)
		return 1;
	if (na <= 8 && nb <= 8) {
		/* The most extreme U has one arrangement on each side. */
		for (int k = 1; k <= na; k++)
			c = c * (nb + k) / k;
		return fmin(1, 2 / c);
	}
	/* Normal approximation with continuity correction, as stats.c. */
	z = ((double)na * nb / 2 - 0.5) / sqrt((double)na * nb * (n + 1) / 12);
	return erfc(z / M_SQRT2);
}

static struct zc_cmp_row *add_row(struct zc_cmp *c, const char *cs,
				  const char *metric, enum zc_cmp_status st)
{
	struct zc_cmp_row *r;

	if (c->nrows == c->cap) {
		int cap = c->cap ? c->cap * 2 : 64;
		void *p = realloc(c->rows, (size_t)cap * sizeof(*c->rows));
		if (!p)
			return NULL;
		c->rows = p;
		c->cap = cap;
	}
	r = &c->rows[c->nrows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->cs, sizeof(r->cs), "%s", cs);
	snprintf(r->metric, sizeof(r->metric), "%s", metric);
	r->status = st;
	r->base = r->new_ = r->change = r->p = NAN;
	c->count[st]++;
	return r;
}

static double median_of(const double *x, int n)
{
	struct zc_summary s;
	return zc_stats_summary(x, (size_t)n, &s) == 0 ? s.median : NAN;
}

/* Repetitions per side from which the test can reach p < alpha. */
static int reps_needed(double alpha)
{
	for (int n = 2; n < ZC_MAX_REP; n++)
		if (zc_cmp_min_p(n, n) < alpha)
			return n;
	return ZC_MAX_REP;
}

static int compare_metric(struct zc_cmp *c, const char *cs, json_t *cb,
			  json_t *cn, json_t *mdecl)
{
	const char *name = jstr(mdecl, "name");
	enum zc_better better = parse_better(jstr(mdecl, "better"));
	int portable = json_is_true(json_object_get(mdecl, "portable"));
	double xb[ZC_MAX_REP], xn[ZC_MAX_REP];
	int nb, nn;
	struct zc_cmp_row *r;
	enum zc_cmp_status st;
	double mb, mn, change, p = NAN;
	const char *absent;

	if (better == ZC_BETTER_NONE)
		return 0;
	if (c->different && !portable) {
		c->not_comparable++;
		return 0;
	}
	nb = zc_res_samples(cb, name, xb, ZC_MAX_REP);
	nn = zc_res_samples(cn, name, xn, ZC_MAX_REP);
	if (nb == 0 && nn == 0)
		return 0; /* absent on both sides (counters this VM lacks) */
	if (nb == 0 || nn == 0) {
		r = add_row(c, cs, name, nb ? ZC_CMP_MISSING : ZC_CMP_NEW);
		if (!r)
			return -ENOMEM;
		absent = jstr(json_object_get(nb ? cn : cb, "absent"), name);
		snprintf(r->note, sizeof(r->note), "no values in %s%s%s",
			 nb ? "NEW" : "BASE", *absent ? ": " : "", absent);
		r->base = nb ? median_of(xb, nb) : NAN;
		r->new_ = nn ? median_of(xn, nn) : NAN;
		r->nb = nb;
		r->nn = nn;
		goto decl;
	}
	mb = median_of(xb, nb);
	mn = median_of(xn, nn);
	if (mb != 0)
		change = (mn - mb) / fabs(mb);
	else
		change = mn == 0 ? 0 : copysign(INFINITY, mn);
	if (zc_cmp_min_p(nb, nn) >= c->o.alpha) {
		st = ZC_CMP_INCONCLUSIVE;
	} else {
		int worse = (better == ZC_BETTER_LOWER && change > 0) ||
			    (better == ZC_BETTER_HIGHER && change < 0);
		p = zc_stats_mann_whitney(xb, (size_t)nb, xn, (size_t)nn);
		if (p < 0)
			return (int)p;
		if (p < c->o.alpha && fabs(change) > c->o.threshold)
			st = worse ? ZC_CMP_REGRESSED : ZC_CMP_IMPROVED;
		else
			st = ZC_CMP_UNCHANGED;
	}
	r = add_row(c, cs, name, st);
	if (!r)
		return -ENOMEM;
	r->base = mb;
	r->new_ = mn;
	r->change = change;
	r->p = p;
	r->nb = nb;
	r->nn = nn;
	if (st == ZC_CMP_INCONCLUSIVE)
		snprintf(r->note, sizeof(r->note),
			 "too few repetitions (%d vs %d) for p < %g", nb, nn,
			 c->o.alpha);
	else if (st == ZC_CMP_UNCHANGED && fabs(change) > c->o.threshold)
		snprintf(r->note, sizeof(r->note),
			 "beyond the threshold but not significant (p = %.2g)",
			 p);
	else if (st == ZC_CMP_UNCHANGED && p < c->o.alpha && change != 0)
		snprintf(r->note, sizeof(r->note),
			 "significant but within the threshold");
decl:
	r->better = better;
	r->portable = portable;
	snprintf(r->unit, sizeof(r->unit), "%s", jstr(mdecl, "unit"));
	return 0;
}

static int case_row(struct zc_cmp *c, json_t *cs, enum zc_cmp_status st,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int case_row(struct zc_cmp *c, json_t *cs, enum zc_cmp_status st,
		    const char *fmt, ...)
{
	struct zc_cmp_row *r = add_row(c, jstr(cs, "name"), "", st);
	va_list ap;

	if (!r)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
	return 0;
}

static int compare_case(struct zc_cmp *c, json_t *rb, json_t *rn, json_t *cb)
{
	json_t *cn = rn ? find_case(rn, jstr(cb, "name")) : NULL;
	const char *sb = jstr(cb, "status"), *sn = cn ? jstr(cn, "status") : "";
	json_t *ms, *m;
	size_t i;
	int err;

	if (strcmp(sb, "ok")) {
		if (cn && !strcmp(sn, "ok"))
			return case_row(c, cn, ZC_CMP_NEW, "%s in BASE: %s", sb,
					jstr(cb, "reason"));
		return 0;
	}
	if (!cn)
		return case_row(c, cb, ZC_CMP_MISSING, "not in NEW");
	if (!strcmp(sn, "failed"))
		return case_row(c, cb, ZC_CMP_FAILED, "failed in NEW: %s",
				jstr(cn, "reason"));
	if (strcmp(sn, "ok"))
		return case_row(c, cb, ZC_CMP_MISSING, "%s in NEW: %s", sn,
				jstr(cn, "reason"));
	ms = json_object_get(json_object_get(rb, "zcbench"), "metrics");
	json_array_foreach(ms, i, m)
	{
		err = compare_metric(c, jstr(cb, "name"), cb, cn, m);
		if (err < 0)
			return err;
	}
	/* Metrics only NEW declares. */
	ms = json_object_get(json_object_get(rn, "zcbench"), "metrics");
	json_array_foreach(ms, i, m)
	{
		json_t *empty;
		if (zc_res_metric(rb, jstr(m, "name"), NULL, NULL, NULL) == 0)
			continue;
		empty = json_object();
		if (!empty)
			return -ENOMEM;
		err = compare_metric(c, jstr(cb, "name"), empty, cn, m);
		json_decref(empty);
		if (err < 0)
			return err;
	}
	return 0;
}

static void machines(struct zc_cmp *c, const struct zc_rset *b,
		     const struct zc_rset *n)
{
	c->machines_known = b->meta && n->meta;
	if (c->o.machines == ZC_CMP_SAME) {
		c->different = 0;
		return;
	}
	if (c->o.machines == ZC_CMP_DIFFERENT) {
		c->different = 1;
		snprintf(c->why_different, sizeof(c->why_different),
			 "--machines different");
		return;
	}
	if (!c->machines_known)
		return;
	if (strcmp(meta_host(b->meta), meta_host(n->meta))) {
		c->different = 1;
		snprintf(c->why_different, sizeof(c->why_different),
			 "host %s vs %s", meta_host(b->meta),
			 meta_host(n->meta));
	} else if (strcmp(meta_cpu(b->meta), meta_cpu(n->meta))) {
		c->different = 1;
		snprintf(c->why_different, sizeof(c->why_different),
			 "CPU %s vs %s", meta_cpu(b->meta), meta_cpu(n->meta));
	}
}

static int interrupted(const struct zc_rset *s)
{
	for (int i = 0; i < s->n; i++)
		if (json_is_true(json_object_get(
			    json_object_get(s->res[i], "zcbench"),
			    "interrupted")))
			return 1;
	return s->meta && !strcmp(jstr(s->meta, "status"), "interrupted");
}

int zc_cmp_run(struct zc_cmp *c, const struct zc_rset *base,
	       const struct zc_rset *new_, const struct zc_cmp_opts *o)
{
	json_t *x;
	size_t i;
	int err;

	memset(c, 0, sizeof(*c));
	c->o = *o;
	snprintf(c->base_path, sizeof(c->base_path), "%s", base->path);
	snprintf(c->new_path, sizeof(c->new_path), "%s", new_->path);
	zc_rset_describe(base, c->base_desc, sizeof(c->base_desc));
	zc_rset_describe(new_, c->new_desc, sizeof(c->new_desc));
	machines(c, base, new_);
	c->interrupted = interrupted(base) || interrupted(new_);
	for (int f = 0; f < base->n; f++) {
		json_t *rb = base->res[f];
		json_t *rn = find_result(new_, zc_res_command(rb));
		json_array_foreach(
			json_object_get(json_object_get(rb, "zcbench"),
					"cases"),
			i, x)
		{
			err = compare_case(c, rb, rn, x);
			if (err < 0)
				return err;
		}
	}
	/* Cases only NEW has. */
	for (int f = 0; f < new_->n; f++) {
		json_t *rn = new_->res[f];
		json_t *rb = find_result(base, zc_res_command(rn));
		json_array_foreach(
			json_object_get(json_object_get(rn, "zcbench"),
					"cases"),
			i, x)
		{
			if (strcmp(jstr(x, "status"), "ok") ||
			    (rb && find_case(rb, jstr(x, "name"))))
				continue;
			err = case_row(c, x, ZC_CMP_NEW, "not in BASE");
			if (err < 0)
				return err;
		}
	}
	return 0;
}

void zc_cmp_release(struct zc_cmp *c)
{
	free(c->rows);
	c->rows = NULL;
	c->nrows = c->cap = 0;
}

int zc_cmp_regressions(const struct zc_cmp *c)
{
	return c->count[ZC_CMP_REGRESSED] + c->count[ZC_CMP_FAILED];
}

static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void md_num(FILE *f, double v)
{
	if (isnan(v))
		fputs("–", f);
	else
		fprintf(f, "%.4g", v);
}

int zc_cmp_markdown(FILE *f, const struct zc_cmp *c, int all)
{
	int nreg = zc_cmp_regressions(c), shown = 0;

	fprintf(f, "### zcbench compare: %s\n\n",
		nreg ? "regression found" : "no regression");
	for (int s = 0; s < ZC_CMP_NSTATUS; s++)
		fprintf(f, "%s%s %d", s ? " · " : "", status_names[s],
			c->count[s]);
	fprintf(f, "\n\n- BASE: `%s` — %s\n- NEW: `%s` — %s\n", c->base_path,
		c->base_desc, c->new_path, c->new_desc);
	fprintf(f,
		"- rule: a metric changed when the Mann-Whitney U test "
		"gives p < %g and the medians differ by more than %g %%\n",
		c->o.alpha, c->o.threshold * 100);
	if (c->different)
		fprintf(f,
			"- **different machines** (%s): absolute figures are "
			"not comparable; only machine-independent ratios "
			"were compared (%d absolute metric values left out)\n",
			c->why_different, c->not_comparable);
	else if (!c->machines_known && c->o.machines == ZC_CMP_AUTO)
		fprintf(f,
			"- no meta.json on one side: cannot tell whether the "
			"machines match; every metric was compared\n");
	if (c->interrupted)
		fprintf(f, "- a run was interrupted: its missing cases are "
			   "reported as missing\n");
	if (c->count[ZC_CMP_INCONCLUSIVE])
		fprintf(f,
			"- %d inconclusive: too few repetitions for the rank "
			"test (run with --repeat %d or more)\n",
			c->count[ZC_CMP_INCONCLUSIVE], reps_needed(c->o.alpha));
	fputc('\n', f);
	for (int s = 0; s < ZC_CMP_NSTATUS; s++) {
		if (s == ZC_CMP_UNCHANGED && !all)
			continue;
		for (int i = 0; i < c->nrows; i++) {
			const struct zc_cmp_row *r = &c->rows[i];
			if ((int)r->status != s)
				continue;
			if (!shown++)
				fprintf(f,
					"| status | case | metric | base | new "
					"| change | p | note |\n"
					"|---|---|---|--:|--:|--:|--:|---|\n");
			fprintf(f, "| %s%s%s | ",
				s <= ZC_CMP_FAILED ? "**" : "", status_names[s],
				s <= ZC_CMP_FAILED ? "**" : "");
			md_text(f, r->cs);
			fputs(" | ", f);
			if (r->metric[0]) {
				md_text(f, r->metric);
				if (r->unit[0])
					fprintf(f, " [%s]", r->unit);
				if (r->better != ZC_BETTER_NONE)
					fprintf(f, " %s",
						r->better == ZC_BETTER_LOWER
							? "↓"
							: "↑");
			} else {
				fputs("all", f);
			}
			fputs(" | ", f);
			md_num(f, r->base);
			fputs(" | ", f);
			md_num(f, r->new_);
			fputs(" | ", f);
			if (isnan(r->change))
				fputs("–", f);
			else if (isinf(r->change))
				fputs(r->change > 0 ? "from 0 up"
						    : "from 0 down",
				      f);
			else
				fprintf(f, "%+.1f %%", r->change * 100);
			fputs(" | ", f);
			if (isnan(r->p))
				fputs("–", f);
			else
				fprintf(f, "%.2g", r->p);
			fputs(" | ", f);
			md_text(f, r->note);
			fputs(" |\n", f);
		}
	}
	if (!shown)
		fprintf(f, "No cases to show.\n");
	if (!all && c->count[ZC_CMP_UNCHANGED])
		fprintf(f,
			"\n%d unchanged row(s) not shown (--show all lists "
			"them).\n",
			c->count[ZC_CMP_UNCHANGED]);
	return ferror(f) ? -EIO : 0;
}

json_t *zc_cmp_json(const struct zc_cmp *c)
{
	json_t *o = json_object(), *counts = json_object(),
	       *rows = json_array();

	if (!o || !counts || !rows) {
		json_decref(o);
		json_decref(counts);
		json_decref(rows);
		return NULL;
	}
	for (int s = 0; s < ZC_CMP_NSTATUS; s++)
		json_object_set_new(counts, status_names[s],
				    json_integer(c->count[s]));
	for (int i = 0; i < c->nrows; i++) {
		const struct zc_cmp_row *r = &c->rows[i];
		json_t *x = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:o, "
				      "s:o, s:o, s:o, s:i, "
				      "s:i, s:s}",
				      "case", r->cs, "metric", r->metric,
				      "unit", r->unit, "better",
				      r->better == ZC_BETTER_LOWER    ? "lower"
				      : r->better == ZC_BETTER_HIGHER ? "higher"
								      : "none",
				      "portable", r->portable, "status",
				      status_names[r->status], "base",
				      jreal(r->base), "new", jreal(r->new_),
				      "change", jreal(r->change), "p",
				      jreal(r->p), "n_base", r->nb, "n_new",
				      r->nn, "note", r->note);
		if (!x || json_array_append_new(rows, x) < 0) {
			json_decref(o);
			json_decref(counts);
			json_decref(rows);
			return NULL;
		}
	}
	json_object_set_new(o, "schema_version", json_integer(1));
	json_object_set_new(o, "base",
			    json_pack("{s:s, s:s}", "path", c->base_path,
				      "description", c->base_desc));
	json_object_set_new(o, "new",
			    json_pack("{s:s, s:s}", "path", c->new_path,
				      "description", c->new_desc));
	json_object_set_new(o, "threshold", jreal(c->o.threshold));
	json_object_set_new(o, "alpha", jreal(c->o.alpha));
	json_object_set_new(o, "machines",
			    json_string(c->different	    ? "different"
					: c->machines_known ? "same"
							    : "unknown"));
	json_object_set_new(o, "why_different", json_string(c->why_different));
	json_object_set_new(o, "absolute_comparable",
			    json_boolean(!c->different));
	json_object_set_new(o, "not_comparable",
			    json_integer(c->not_comparable));
	json_object_set_new(o, "interrupted", json_boolean(c->interrupted));
	json_object_set_new(o, "regression",
			    json_boolean(zc_cmp_regressions(c) > 0));
	json_object_set_new(o, "counts", counts);
	json_object_set_new(o, "rows", rows);
	return o;
}

/* ---- export ---------------------------------------------------------------
 */

static int ghb_entry(json_t *out, json_t *cs, const char *metric,
		     const char *unit, const double *x, int n)
{
	struct zc_summary s;
	char name[400], range[64], extra[300];
	json_t *e;

	if (zc_stats_summary(x, (size_t)n, &s) < 0)
		return 0;
	snprintf(name, sizeof(name), "%s (%s)", jstr(cs, "name"), metric);
	snprintf(range, sizeof(range), "± %.4g", (s.ci_hi - s.ci_lo) / 2);
	snprintf(extra, sizeof(extra),
		 "median of %d repetitions; min %.4g, max %.4g; 95%% interval "
		 "of the median %.4g..%.4g%s; cv %.1f %%",
		 s.n, s.min, s.max, s.ci_lo, s.ci_hi,
		 s.ci_exact ? "" : " (full range: fewer than 6 repetitions)",
		 s.cv * 100);
	e = json_pack("{s:s, s:s, s:o, s:s, s:s}", "name", name, "unit",
		      *unit ? unit : "value", "value", jreal(s.median), "range",
		      range, "extra", extra);
	if (!e || json_array_append_new(out, e) < 0)
		return -ENOMEM;
	return 0;
}

json_t *zc_ghb_export(const struct zc_rset *s, enum zc_better better,
		      int portable_only)
{
	json_t *out = json_array();

	if (!out)
		return NULL;
	for (int f = 0; f < s->n; f++) {
		json_t *zc = json_object_get(s->res[f], "zcbench");
		json_t *cs, *m;
		size_t i, j;

		json_array_foreach(json_object_get(zc, "cases"), i, cs)
		{
			if (strcmp(jstr(cs, "status"), "ok"))
				continue;
			json_array_foreach(json_object_get(zc, "metrics"), j, m)
			{
				double x[ZC_MAX_REP];
				const char *name = jstr(m, "name");
				int n;
				if (parse_better(jstr(m, "better")) != better ||
				    (portable_only &&
				     !json_is_true(
					     json_object_get(m, "portable"))))
					continue;
				n = zc_res_samples(cs, name, x, ZC_MAX_REP);
				if (n && ghb_entry(out, cs, name,
						   jstr(m, "unit"), x, n) < 0) {
					json_decref(out);
					return NULL;
				}
			}
		}
	}
	return out;
}
