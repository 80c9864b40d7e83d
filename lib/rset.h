/* SPDX-License-Identifier: MIT */
#ifndef ZC_RSET_H
#define ZC_RSET_H
/*
 * rset — results read back from disk, for `zcbench compare` and `export`.
 * Everything here reads; nothing writes files.
 *
 * Results sets: a results folder (every *.json in it with a "zcbench"
 * section, plus its meta.json) or one result file (with the meta.json
 * beside it, when there is one). Files are read by afile's rule (regular
 * files of at most ZC_READ_MAX_JSON bytes) and parsed with jansson
 * (duplicate keys and NaN/Infinity tokens refused).
 *
 * Every result file is checked against the schema before anything uses it;
 * what compare, export and report.md read is then known to have its type:
 *  - zcbench.schema_version an integer equal to ZC_OUT_SCHEMA (else
 *    -EPROTO); command a command's name (1..31 of a-z, 0-9, '-', '_');
 *    interrupted a boolean;
 *  - metrics an array of objects, each with a name (1..95 bytes, declared
 *    once) and better ("lower", "higher" or "none"); unit, description
 *    strings and portable a boolean where given;
 *  - cases a non-empty array of objects, names (1..255 bytes) unique,
 *    status "ok", "skipped" or "failed"; reason a string; repetitions an
 *    integer 0..ZC_MAX_REP; params and absent objects of strings;
 *  - samples an object of arrays, one per declared metric (a name the
 *    metrics do not declare is an error), each of at most ZC_MAX_REP
 *    numbers or nulls (null: no value, as zcbench writes NaN), all of one
 *    length, equal to repetitions;
 *  - sentinel {before, after: arrays of numbers or nulls (or null), regime:
 *    one entry per repetition, an integer naming one of the case's regimes,
 *    "moved" or null}; regimes an array of {regime: 0..ZC_REGIME_MAX-1,
 *    each once, handoff_ns a positive number};
 *  - zcbench.regimes an array of {cpus: [a, b], regimes: [{handoff_ns,
 *    share: numbers or null, drifting: boolean}], samples, moved};
 *  - meta.json an object; host, status, version, git, start_utc strings
 *    and cpu an object with a string model, where given.
 * Anything else is an error naming the file and the value, never a guess.
 * In a folder, two result files of one command are an error too (which
 * one would compare?). A file without a "zcbench" section is skipped in a
 * folder and an error when named.
 *
 * Each file's cases and metrics are indexed by name (sorted) at load:
 * zc_rset_case() and zc_rset_metric() find one in O(log n), so that
 * compare and export take O(n log n) in the number of cases.
 *
 * Errors: 0 or -errno. zc_rset_load: -ENOENT (no such path), -EINVAL
 * (corrupt, truncated, malformed, wrong types, no cases, duplicates),
 * -EPROTO (other schema version), -ENODATA (a folder with no results),
 * -E2BIG (more than ZC_RSET_MAX result files), -ENOMEM; the message goes
 * to err.
 */
#include <stddef.h>
#include <jansson.h>
#include "out.h"

#define ZC_RSET_MAX 64
/* *.json files looked at in one folder (results or not). */
#define ZC_RSET_MAX_FILES 4096

/* A case or metric of a result file, by name (the strings are the JSON's). */
struct zc_rname {
	const char *name;
	json_t *v;
	size_t index; /* position in the file's array */
};

struct zc_rset {
	char path[4096];
	int is_dir;
	json_t *meta;		  /* meta.json, or NULL when there is none */
	int n;			  /* result files */
	json_t *res[ZC_RSET_MAX]; /* each file's root object */
	char file[ZC_RSET_MAX][256];
	/* per file: cases and metrics sorted by name */
	struct zc_rname *cases[ZC_RSET_MAX], *metrics[ZC_RSET_MAX];
	size_t ncases[ZC_RSET_MAX], nmetrics[ZC_RSET_MAX];
};

int zc_rset_load(struct zc_rset *s, const char *path, char *err, size_t len);
/* One result file from memory, named `name` in messages (no meta.json):
 * the same checks as zc_rset_load. -EINVAL (also: no "zcbench" section),
 * -EPROTO, -ENOMEM. */
int zc_rset_parse(struct zc_rset *s, const char *name, const char *text,
		  size_t len, char *err, size_t errlen);
void zc_rset_release(struct zc_rset *s);
/* Case / metric declaration `name` of result file f, NULL when absent. */
json_t *zc_rset_case(const struct zc_rset *s, int f, const char *name);
json_t *zc_rset_metric(const struct zc_rset *s, int f, const char *name);
/* The result file of command cmd, -ENOENT. */
int zc_rset_find(const struct zc_rset *s, const char *cmd);
/* A readable one-line description: "host, CPU model, zcbench git, date". */
void zc_rset_describe(const struct zc_rset *s, char *buf, size_t len);

/* One result file, field access with defaults (for reports and tests). */
const char *zc_res_command(json_t *res);
/* better direction of metric `name` in res; -ENOENT if not declared */
int zc_res_metric(json_t *res, const char *name, enum zc_better *better,
		  const char **unit, int *portable);
/* Whether metric `name` of result file res is judged by a metric
 * selection: a comma-separated list of names and the words "all" (every
 * metric) and "primary" (the first metric the file declares with a
 * direction: the figure the command is about, e.g. falseshare's
 * ns_per_op, ring's mmsgs_per_s, sendfile's ms). "primary,slowdown"
 * selects both. The caller skips metrics without a direction. */
int zc_res_metric_selected(json_t *res, const char *name, const char *sel);
/* A metric selection is well formed: 1..16 items of a-z, 0-9, '_'
 * separated by commas. */
int zc_metric_selection_ok(const char *sel);
/* Samples of metric `name` of case `c` (NaN/null skipped) into x (up to
 * max); returns how many. */
int zc_res_samples(json_t *c, const char *name, double *x, int max);

#endif
