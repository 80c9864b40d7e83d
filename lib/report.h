/* SPDX-License-Identifier: MIT */
#ifndef ZC_REPORT_H
#define ZC_REPORT_H
/*
 * report — the pieces behind `zcbench run`, `compare` and `export`: suite
 * files, results read back from disk, the regression comparison, and the
 * github-action-benchmark export. Everything here reads; nothing writes
 * files (the commands do, atomically, through lib/out.h).
 *
 * An umbrella: each part has its own header, documented there.
 *	suite.h		suite files, words, options apart from positional
 *			arguments (suite.c)
 *	rset.h		results sets read back: zc_rset_*, zc_res_* (rset.c)
 *	compare.h	the regression comparison: zc_cmp_* (compare.c)
 *	export.h	the github-action-benchmark export (export.c)
 */
#include "suite.h"
#include "rset.h"
#include "compare.h"
#include "export.h"

#endif
