/* SPDX-License-Identifier: MIT */
#ifndef ZC_RSET_INT_H
#define ZC_RSET_INT_H
/*
 * Internal to lib/: the field access rset.c, compare.c and export.c share.
 * Not for commands or tests (rset.h is the interface); all of them take
 * jansson values as read by zc_rset_load and never fail.
 */
#include <jansson.h>
#include "out.h"

/* String member `key` of object o; "" when o is no object, the member is
 * missing or is no string. */
const char *zc_res_str(json_t *o, const char *key);
/* A metric's declared better direction: "lower", "higher", else none. */
enum zc_better zc_res_better(const char *s);
/* meta.json's host name and CPU model; "" when unknown. */
const char *zc_rset_host(json_t *meta);
const char *zc_rset_cpu(json_t *meta);

#endif
