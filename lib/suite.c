/* SPDX-License-Identifier: MIT */
/*
 * suite — words and suite files (experiments/<name>), and options told
 * apart from positional arguments (see suite.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "afile.h"
#include "locate.h"
#include "suite.h"

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

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int zc_suite_find(const char *arg, char *path, size_t len)
{
	static const char *const rel[] = {"..", "../share/zcbench", NULL};
	char name[4200], why[512];

	if (strchr(arg, '/')) {
		snprintf(path, len, "%s", arg);
		return 0;
	}
	snprintf(name, sizeof(name), "experiments/%s", arg);
	if (is_file(name)) {
		snprintf(path, len, "%s", name);
		return 0;
	}
	if (zc_locate(NULL, name, rel, ZC_DATADIR, path, len, why,
		      sizeof(why)) == 0)
		return 0;
	if (is_file(arg)) {
		snprintf(path, len, "%s", arg);
		return 0;
	}
	return -ENOENT;
}

int zc_suite_load(struct zc_suite *s, const char *path)
{
	size_t n;
	char *text;
	int err;

	memset(s, 0, sizeof(*s));
	err = zc_read_file(path, ZC_READ_MAX_SUITE, &text, &n);
	if (err == -EFBIG) {
		snprintf(s->err, sizeof(s->err), "%s: larger than %u bytes",
			 path, ZC_READ_MAX_SUITE);
		return -E2BIG;
	}
	if (err == -EINVAL) {
		snprintf(s->err, sizeof(s->err), "%s: not a regular file",
			 path);
		return -EINVAL;
	}
	if (err < 0)
		return err;
	if (memchr(text, 0, n)) {
		snprintf(s->err, sizeof(s->err), "%s: not a text file", path);
		err = -EINVAL;
	}
	if (!err)
		err = zc_suite_parse(s, path, text);
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
