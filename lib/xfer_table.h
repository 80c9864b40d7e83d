/* SPDX-License-Identifier: MIT */
#ifndef ZC_XFER_TABLE_H
#define ZC_XFER_TABLE_H
/*
 * xfer_table — the IBM-style table of a file-to-socket benchmark: file
 * size by sender variant (lib/xfer_set.h), the median ms per transfer of
 * each and the % it saves against the set's baseline, with the figures
 * IBM published for Linux 2.6 ("Efficient data transfer through zero
 * copy": traditional read + send, and sendfile, ms) beside the sizes IBM
 * measured.
 *
 * Usage:
 *	double ms[nsize * set.n];	(ms[s * set.n + v]; NAN: none)
 *	struct zc_xfer_table t = {"TCP loopback, page cache hot", &set,
 *				  "read-send", mib, nsize, ms};
 *	zc_xfer_table_print(f, &t);
 *
 * Layout, a blank line first:
 *	IBM-style table: <title>: ms per transfer (median) and % saved
 *	against <the baseline's name>    ("; no <base_method> baseline in
 *	this run" when the set has none)
 *	size MiB     read-send/4k  read-send/64k ...
 *	7               5.2  -69%            3.1 ...
 * the variants in blocks of ZC_XFER_TABLE_COLS (100 columns), IBM's
 * figures ("  | IBM 2.6: read  sendfile") beside the last block when one
 * of the sizes is IBM's. A cell is "-" where nothing was measured, the ms
 * alone in the baseline's column (or when the baseline was not measured
 * at that size), else "<ms> <+saved>%".
 *
 * Limitations: sizes in whole MiB, matched with IBM's MB as they are;
 * variant names longer than 14 characters push the columns apart.
 *
 * Errors: none returned; a write error stays in f's error flag (for
 * zc_afile_commit, lib/afile.h, to report).
 */
#include <stdio.h>

#include "xfer_set.h"

#define ZC_XFER_TABLE_COLS 6 /* variants per block */

struct zc_xfer_table {
	const char *title;	       /* "TCP loopback, page cache hot" */
	const struct zc_xfer_set *set; /* the columns: names, baseline */
	const char *base_method;       /* named when the set has no baseline */
	const long long *mib;	       /* the rows: file sizes, MiB */
	int nsize;		       /* rows */
	const double *ms;	       /* ms[s * set->n + v], NAN: none */
};

/* Print table t to f in the layout above. */
void zc_xfer_table_print(FILE *f, const struct zc_xfer_table *t);

#endif
