/* SPDX-License-Identifier: MIT */
/*
 * testfile — a folder of test files, one at a time, cold or hot in the
 * page cache, removed on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testfile.h"
#include "xfer.h"

#define READ_BUF (1u << 20) /* reading a file into the cache */
#define MIB	 (1ull << 20)

void zc_testfile_init(struct zc_testfile *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
}

const char *zc_testfile_default_parent(void)
{
	const char *cand[3] = {getenv("TMPDIR"), "/var/tmp", "/tmp"};
	const char *first = NULL;

	for (int i = 0; i < 3; i++) {
		uint64_t fb;
		int mem;
		char fs[32];
		if (!cand[i] || !cand[i][0] ||
		    access(cand[i], W_OK | X_OK) < 0 ||
		    zc_xfer_fs(cand[i], &fb, &mem, fs, sizeof(fs)) < 0)
			continue;
		if (!mem)
			return cand[i];
		if (!first)
			first = cand[i];
	}
	return first ? first : "/tmp";
}

int zc_testfile_check(struct zc_testfile *t, const char *parent, char *why,
		      size_t len)
{
	struct stat sb;
	int err;

	snprintf(t->parent, sizeof(t->parent), "%s", parent);
	if (stat(parent, &sb) < 0) {
		err = -errno;
		snprintf(why, len,
			 "'%s': %s: give an existing, writable folder", parent,
			 strerror(-err));
		return err;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(why, len,
			 "'%s' is not a folder: give an existing, writable "
			 "folder",
			 parent);
		return -ENOTDIR;
	}
	if (access(parent, W_OK | X_OK) < 0) {
		err = -errno;
		snprintf(why, len, "'%s' is not writable: %s", parent,
			 strerror(-err));
		return err;
	}
	err = zc_xfer_fs(parent, &t->free_bytes, &t->in_memory, t->fstype,
			 sizeof(t->fstype));
	if (err < 0)
		snprintf(why, len, "'%s': statfs: %s", parent, strerror(-err));
	return err;
}

int zc_testfile_room(const struct zc_testfile *t, uint64_t size,
		     uint64_t margin, char *why, size_t len)
{
	uint64_t avail = t->free_bytes > margin ? t->free_bytes - margin : 0;
	unsigned long long free_mib = t->free_bytes / MIB;
	long long fit = (long long)(avail / MIB);

	if (size + margin <= t->free_bytes)
		return 0;
	if (fit < 1) {
		snprintf(why, len,
			 "'%s' has %llu MiB free: too little for any file",
			 t->parent, free_mib);
		return -ENOSPC;
	}
	snprintf(why, len,
		 "%llu MiB does not fit in the %llu MiB free in '%s' (%s): "
		 "expected 1..%lld MiB",
		 (unsigned long long)(size / MIB), free_mib, t->parent,
		 t->fstype, fit);
	return -EFBIG;
}

int zc_testfile_probe(struct zc_testfile *t, const char *prefix,
		      const struct zc_xfer_method *const *m, int n, char *why,
		      size_t len)
{
	char mwhy[ZC_XFER_WHY];
	int err = zc_testfile_mkdir(t, prefix);

	if (err < 0) {
		snprintf(why, len, "'%s' is not writable: %s", t->parent,
			 strerror(-err));
		return err;
	}
	err = zc_testfile_create(t, "probe", 1 << 16, 1, NULL, NULL, 0);
	if (err < 0)
		snprintf(why, len, "'%s': cannot %s a file: %s", t->parent,
			 t->fd < 0 ? "create" : "write", strerror(-err));
	for (int i = 0; i < n && !err; i++) {
		err = zc_xfer_file_check(m[i], t->fd, mwhy, sizeof(mwhy));
		if (err < 0)
			snprintf(why, len,
				 "'%s' (%s) lacks a call that method %s "
				 "needs: %s",
				 t->parent, t->fstype, m[i]->name, mwhy);
	}
	return err;
}

int zc_testfile_mkdir(struct zc_testfile *t, const char *prefix)
{
	snprintf(t->dir, sizeof(t->dir), "%s/%s.XXXXXX", t->parent, prefix);
	if (mkdtemp(t->dir))
		return 0;
	t->dir[0] = 0;
	return -errno;
}

int zc_testfile_create(struct zc_testfile *t, const char *name, uint64_t size,
		       uint64_t seed, int (*stop)(void), char *why, size_t len)
{
	int err;

	zc_testfile_remove(t);
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, name);
	t->fd = open(t->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (t->fd < 0) {
		err = -errno;
		t->path[0] = 0;
		snprintf(why, len, "cannot create '%s/%s': %s", t->dir, name,
			 strerror(-err));
		return err;
	}
	t->size = size;
	err = zc_xfer_file_fill(t->fd, size, seed, &t->sum, stop);
	if (err < 0)
		snprintf(why, len, "cannot write %llu %s to '%s': %s",
			 (unsigned long long)(size % MIB ? size : size / MIB),
			 size % MIB ? "bytes" : "MiB", t->path, strerror(-err));
	return err;
}

static int cold(struct zc_testfile *t, char *why, size_t len)
{
	double frac = 1;
	int err = 0;

	for (int i = 0; i < ZC_TESTFILE_TRIES; i++) {
		err = zc_xfer_cache_drop(t->fd, t->size, &frac);
		if (err < 0 || frac <= ZC_TESTFILE_COLD)
			break;
		usleep(ZC_TESTFILE_WAIT_US);
	}
	if (err < 0) {
		snprintf(why, len, "posix_fadvise: %s", strerror(-err));
		return err;
	}
	if (frac <= ZC_TESTFILE_COLD)
		return 0;
	snprintf(why, len,
		 "the kernel kept %.0f %% of the file cached after DONTNEED "
		 "for %d ms",
		 frac * 100, ZC_TESTFILE_TRIES * ZC_TESTFILE_WAIT_US / 1000);
	return 1;
}

static int hot(struct zc_testfile *t, char *why, size_t len)
{
	double frac = 0;
	int err = zc_xfer_resident(t->fd, t->size, &frac);

	if (!err && frac < 1) {
		if (!t->buf && !(t->buf = malloc(READ_BUF)))
			err = -ENOMEM;
		else
			err = zc_xfer_cache_warm(t->fd, t->size, t->buf,
						 READ_BUF, &frac);
	}
	if (err < 0) {
		snprintf(why, len, "cannot read the file into the cache: %s",
			 strerror(-err));
		return err;
	}
	if (frac >= ZC_TESTFILE_HOT)
		return 0;
	snprintf(why, len,
		 "the page cache holds only %.0f %% of the file (memory "
		 "short)",
		 frac * 100);
	return 1;
}

int zc_testfile_cache(struct zc_testfile *t, int cold_cache, char *why,
		      size_t len)
{
	return cold_cache ? cold(t, why, len) : hot(t, why, len);
}

void zc_testfile_remove(struct zc_testfile *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->path[0])
		unlink(t->path);
	t->path[0] = 0;
}

int zc_testfile_release(struct zc_testfile *t)
{
	int err = 0;

	zc_testfile_remove(t);
	if (t->dir[0] && rmdir(t->dir) < 0 && errno != ENOENT)
		err = -errno;
	t->dir[0] = 0;
	free(t->buf);
	t->buf = NULL;
	return err;
}
