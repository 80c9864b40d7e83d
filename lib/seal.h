/* SPDX-License-Identifier: MIT */
#ifndef ZC_SEAL_H
#define ZC_SEAL_H
/*
 * seal — which gnuplot scripts this zcbench wrote. A .gp file is code:
 * `zcbench plot DIR` on a folder someone sent you must not run their
 * commands (gnuplot's system(), a pipe in `set output`, load ...). Every
 * .gp zcbench writes ends with a seal line
 *	# zcbench-seal hmac-sha256 <64 hex digits>
 * an HMAC-SHA256 (nettle) of everything before it under a key of this
 * user's (32 random bytes in $ZC_PLOT_KEY, else
 * $XDG_CONFIG_HOME/zcbench/plot.key, else ~/.config/zcbench/plot.key,
 * created 0600 on first use). `zcbench plot` renders only scripts whose
 * seal matches: a script written on another machine or by another user,
 * or restyled by hand, is refused with the reason (render it with
 * `gnuplot <name>.gp` yourself if you trust it). Without a key (no home
 * folder) or without nettle, scripts are written unsealed and refused.
 *
 * Errors: 0 or -errno: -ENOKEY no key could be read or made, -EBADMSG
 * no seal or a wrong one, -ENOTSUP built without nettle; file errors.
 */
#include <stddef.h>
#include "afile.h"

#define ZC_SEAL_TAG "# zcbench-seal hmac-sha256 "

/* Append the seal to an open atomic file, then commit it. A missing key
 * commits it unsealed (returns the commit's status). */
int zc_seal_commit(struct zc_afile *a);
/* Is <dir>/<name> sealed with this user's key? why says why not. */
int zc_seal_check(const char *dir, const char *name, char *why, size_t len);

#endif
