/* SPDX-License-Identifier: MIT */
#ifndef ZC_SUITE_H
#define ZC_SUITE_H
/*
 * suite — suite files and the words of a zcbench invocation, for
 * `zcbench run`.
 *
 * Suite files (experiments/<name>): one zcbench invocation per line, with
 * or without the leading "zcbench"; '#' starts a comment (at the start of a
 * word); words split on blanks; '...' is literal and "..." allows \" and \\.
 * zc_suite_load() checks the syntax only; whether a line's command and
 * options are valid is for the caller to ask the command itself.
 *
 * Errors: 0 or -errno. zc_suite_load: -ENOENT/-EACCES opening, -EINVAL
 * (not a regular file, or "path:line: why" in s->err), -E2BIG (larger
 * than ZC_READ_MAX_SUITE, too many lines or words), -ENOMEM.
 */
#include <stddef.h>
#include "opt.h"

#define ZC_SUITE_MAX_LINES 128
#define ZC_SUITE_MAX_WORDS 64

struct zc_suite_line {
	int lineno;	/* 1-based line in the file */
	int argc;	/* words; argv[0] is the command name */
	char **argv;	/* NULL-terminated, owned */
	char text[512]; /* the invocation as written (trimmed) */
};

struct zc_suite {
	char path[4096];
	char name[128]; /* file name without folders */
	int n;
	struct zc_suite_line line[ZC_SUITE_MAX_LINES];
	char err[600]; /* "path:line: why" on -EINVAL */
};

/* Where suite `arg` is: a path (it has a '/') as it is; a name in
 * experiments/ here, beside the program, installed (ZC_DATADIR), then the
 * name as a file here. 0 with path, -ENOENT. */
int zc_suite_find(const char *arg, char *path, size_t len);

/* Read and split a suite file. s is initialised here. */
int zc_suite_load(struct zc_suite *s, const char *path);
/* The same from text (name is used in messages). */
int zc_suite_parse(struct zc_suite *s, const char *name, const char *text);
void zc_suite_release(struct zc_suite *s);

/*
 * Split one line into words (rules above). *argv is a NULL-terminated
 * malloc'ed array (free with zc_words_free); 0 words is not an error.
 * -EINVAL with err filled for an unterminated quote, -E2BIG, -ENOMEM.
 */
int zc_words_split(const char *line, int *argc, char ***argv, char *err,
		   size_t len);
void zc_words_free(char **argv);

/*
 * Separate options from positional arguments using the option tables
 * (an option that takes a value swallows the next word unless written
 * --name=value). Both outputs keep the input order; opts gets argv[0]
 * first, so it can go to zc_cmd_parse as is. The arrays must hold argc + 1
 * pointers each; both are NULL-terminated.
 */
void zc_args_split(const struct zc_opt *const *tables, int argc, char **argv,
		   int *nopts, char **opts, int *npos, char **pos);

#endif
