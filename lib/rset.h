/* SPDX-License-Identifier: MIT */
#ifndef ZC_RSET_H
#define ZC_RSET_H
/*
 * rset — results read back from disk, for `zcbench compare` and `export`.
 * Everything here reads; nothing writes files.
 *
 * Results sets: a results folder (every *.json in it with a "zcbench"
 * section, plus its meta.json) or one result JSON file (with the meta.json
 * beside it, when there is one). Files are parsed with jansson; a result
 * file that does not parse, is truncated, carries another schema version
 * or lacks the fields compare needs is an error with a message naming the
 * file, never a guess.
 *
 * Errors: 0 or -errno. zc_rset_load: -ENOENT (no such path), -EINVAL
 * (corrupt, truncated, malformed), -EPROTO (other schema version),
 * -ENODATA (a folder with no results), -ENOMEM; the message goes to err.
 */
#include <stddef.h>
#include <jansson.h>
#include "out.h"

#define ZC_RSET_MAX 64

struct zc_rset {
	char path[4096];
	int is_dir;
	json_t *meta;		  /* meta.json, or NULL when there is none */
	int n;			  /* result files */
	json_t *res[ZC_RSET_MAX]; /* each file's root object */
	char file[ZC_RSET_MAX][256];
};

int zc_rset_load(struct zc_rset *s, const char *path, char *err, size_t len);
void zc_rset_release(struct zc_rset *s);
/* A readable one-line description: "host, CPU model, zcbench git, date". */
void zc_rset_describe(const struct zc_rset *s, char *buf, size_t len);

/* One result file, field access with defaults (for reports and tests). */
const char *zc_res_command(json_t *res);
/* better direction of metric `name` in res; -ENOENT if not declared */
int zc_res_metric(json_t *res, const char *name, enum zc_better *better,
		  const char **unit, int *portable);
/* Samples of metric `name` of case `c` (NaN/null skipped) into x (up to
 * max); returns how many. */
int zc_res_samples(json_t *c, const char *name, double *x, int max);

#endif
