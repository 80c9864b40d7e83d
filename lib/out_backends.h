/* SPDX-License-Identifier: MIT */
#ifndef ZC_OUT_BACKENDS_H
#define ZC_OUT_BACKENDS_H
/*
 * Internal to lib/: the output back ends behind out.c's table and the
 * helpers more than one file of the out module uses. Not for commands or
 * tests: they reach a back end by name, zc_out_backend() in out.h.
 *
 *	out_text.c	text	the table of OK cases, skipped and failed ones
 *	out_csv.c	csv	one row per case; samples: one per repetition
 *	out_json.c	json	zcbench's section and Google Benchmark's rows
 *
 * A back end renders the whole results model to f and returns 0 or -errno
 * (what zc_out_stream_status says of f after writing, -ENOMEM).
 */
#include <stdio.h>
#include <jansson.h>
#include "out.h"

int zc_out_text_write(FILE *f, const struct zc_results *r);
int zc_out_csv_write(FILE *f, const struct zc_results *r);
int zc_out_samples_write(FILE *f, const struct zc_results *r);
int zc_out_json_write(FILE *f, const struct zc_results *r);

/* out.c: index of parameter `key` in r->keys, or -1. */
int zc_out_key_index(const struct zc_results *r, const char *key);
/* out.c: "ok", "skipped", "failed" ("unknown" out of range). */
const char *zc_out_status_name(enum zc_case_status st);
/* out.c: 0, or -errno when f saw a write error (-EIO if errno says
 * nothing). */
int zc_out_stream_status(FILE *f);
/* out_json.c: v to f as every zcbench JSON file is written (indent 2, real
 * precision 15, a final newline). 0 or -errno. Used by the json back end
 * and zc_out_write_json (afile.c). */
int zc_out_json_dump(FILE *f, const json_t *v);

#endif
