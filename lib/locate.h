/* SPDX-License-Identifier: MIT */
#ifndef ZC_LOCATE_H
#define ZC_LOCATE_H
/*
 * locate — files that ship with zcbench (the ffi sink library, the Python
 * host, the suites) and programs on PATH.
 *
 * A file is looked for, in order: in the environment variable `env` when
 * it is set (then only there), in each folder of `rel` taken relative to
 * the folder of the running binary (so the build tree and an installed
 * tree that was moved both work), then in `installed` (the compiled-in
 * install folder). The first readable one wins.
 *
 * Errors: 0 or -errno; -ENOENT with a sentence in why naming where it was
 * looked for.
 */
#include <stddef.h>

/* The folder holding the running zcbench binary, from /proc/self/exe.
 * 0 or -errno. */
int zc_exe_dir(char *buf, size_t len);

/* Find `name` as above; rel is NULL-terminated (e.g. {".",
 * "../libexec/zcbench", NULL}); env and installed may be NULL. */
int zc_locate(const char *env, const char *name, const char *const *rel,
	      const char *installed, char *out, size_t len, char *why,
	      size_t wlen);

/* A program: a name containing '/' is taken as it is (it must be
 * executable), else the first executable match on PATH. */
int zc_which(const char *name, char *out, size_t len, char *why, size_t wlen);

#endif
