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
 * Only a regular file (or nothing) is ever replaced: a symlink, FIFO,
 * device or folder at <dir>/<name> is refused with -EEXIST before
 * anything is written (`--output /dev/full` must not turn the device into
 * a file).
 *
 * Files are read by one rule too (zc_read_file): a regular file of at
 * most a given size (ZC_READ_MAX_* per kind), opened with O_NONBLOCK so
 * that a FIFO cannot hang the reader; anything else is an error.
 *
 * Errors: 0 or -errno (-EINVAL misuse, -ENAMETOOLONG, -ENOMEM, write
 * errors such as -ENOSPC from the file system; for folders -EACCES,
 * -ENOTDIR, -EROFS ...; -EEXIST: the target is not a regular file; reads:
 * -EFTYPE-like -EINVAL for a non-regular file, -EFBIG over the limit).
 * zc_file_strerror() words them for messages.
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
/* rename(from, to) by the same rule: -EEXIST (nothing renamed) when `to`
 * exists and is not a regular file; else 0 or -errno from rename. */
int zc_afile_rename(const char *from, const char *to);
/* Would zc_afile_open(dir, name) be allowed to replace what is there?
 * 0, or -EEXIST (a symlink, FIFO, device or folder); creates nothing. */
int zc_afile_check(const char *dir, const char *name);

/* Write a JSON value to <dir>/<name> atomically (indent 2, real precision
 * 15). NaN reals are never written: use zc_json_real(). */
int zc_out_write_json(const char *dir, const char *name, const json_t *v);
/* The same to a path ("x.json", "dir/x.json", "/abs/x.json"). */
int zc_out_write_json_path(const char *path, const json_t *v);

/* Size limits of the files zcbench reads. */
#define ZC_READ_MAX_JSON  (256u << 20) /* a results or meta file */
#define ZC_READ_MAX_SUITE (1u << 20)
#define ZC_READ_MAX_XML	  (64u << 20) /* an exported topology */
#define ZC_READ_MAX_TEXT  (16u << 20) /* a command's table, for report.md */

/*
 * Read a whole regular file of at most max bytes into *buf (malloc'ed,
 * NUL-terminated; *len without the NUL). -ENOENT/-EACCES... from open,
 * -EINVAL not a regular file (FIFO, device, folder), -EFBIG larger than
 * max, -ENOMEM, -EIO.
 */
int zc_read_file(const char *path, size_t max, char **buf, size_t *len);

/* Words for the errors above: -EEXIST on a write, -EINVAL on a read
 * ("not a regular file"), -EFBIG; else strerror. */
const char *zc_file_strerror(int err, int writing);

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
