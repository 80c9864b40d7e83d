/* SPDX-License-Identifier: MIT */
#ifndef ZC_AFILE_H
#define ZC_AFILE_H
/*
 * afile — files written atomically, and the results folders they go to.
 * out.h includes this header; any writer may use it directly.
 *
 * A file is written to "<dir>/.<name>.tmp.<pid>" and renamed to
 * <dir>/<name> only when complete and synced; on error the temporary is
 * removed, so a full disk never leaves a truncated file that looks fine.
 *
 * Errors: 0 or -errno (-EINVAL misuse, -ENAMETOOLONG, -ENOMEM, write
 * errors such as -ENOSPC from the file system; for folders -EACCES,
 * -ENOTDIR, -EROFS ...).
 */
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

/*
 * Atomic file helpers for any writer: open "<dir>/.<name>.tmp.<pid>", then
 * commit (flush, fsync, check, rename to <dir>/<name>) or abort (remove).
 */
struct zc_afile {
	FILE *f;
	char tmp[4096];
	char path[4096];
};
int zc_afile_open(struct zc_afile *a, const char *dir, const char *name);
int zc_afile_commit(struct zc_afile *a);
void zc_afile_abort(struct zc_afile *a);

/* Write a JSON value to <dir>/<name> atomically (indent 2, real precision
 * 15). NaN reals are never written: use zc_json_real(). */
int zc_out_write_json(const char *dir, const char *name, const json_t *v);

/*
 * Create a results folder: `dir`, or when dir is NULL/"" the default
 * "results/runs/<YYYYmmdd>-<HHMMSS>-<host>" (made unique with a suffix).
 * Parents are created. The chosen path goes to out. -errno on failure
 * (-EACCES, -ENOTDIR, -EROFS ...). Check writability before measuring.
 */
int zc_out_mkdir(const char *dir, char *out, size_t len);
/* Would zc_out_mkdir(dir) succeed? Creates nothing. 0 or -errno. */
int zc_out_check_dir(const char *dir);

#endif
