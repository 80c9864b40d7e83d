/* SPDX-License-Identifier: MIT */
#ifndef ZC_EXPORT_H
#define ZC_EXPORT_H
/*
 * export — a results set (rset.h) in another tool's format, for
 * `zcbench export`. Builds JSON; writing it is for the caller.
 */
#include <jansson.h>
#include "out.h"
#include "rset.h"

/*
 * github-action-benchmark's custom format: an array of {name, unit, value,
 * range, extra}, one entry per case and metric whose better direction is
 * `better` (LOWER for customSmallerIsBetter, HIGHER for
 * customBiggerIsBetter); value is the median, range the 95 % interval of
 * the median. portable_only keeps ratios within a run only.
 * NULL on ENOMEM.
 */
json_t *zc_ghb_export(const struct zc_rset *s, enum zc_better better,
		      int portable_only);

#endif
