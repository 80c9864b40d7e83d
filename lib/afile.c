/* SPDX-License-Identifier: MIT */
/*
 * afile — atomic files (a temporary renamed when complete), JSON written
 * through them, and results folders: made (results/runs/<stamp>-<host>
 * by default) or checked for writability beforehand (see afile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "out_backends.h"

/* ---- atomic files ---------------------------------------------------------
 */

/* Nothing there, or a regular file (lstat: a symlink is not one). */
static int replaceable(const char *path)
{
	struct stat st;
	return lstat(path, &st) < 0 || S_ISREG(st.st_mode);
}

int zc_afile_rename(const char *from, const char *to)
{
	if (!replaceable(to))
		return -EEXIST;
	return rename(from, to) < 0 ? -errno : 0;
}

int zc_afile_check(const char *dir, const char *name)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s",
			     dir && *dir ? dir : ".", name) >= sizeof(path))
		return -ENAMETOOLONG;
	return replaceable(path) ? 0 : -EEXIST;
}

int zc_afile_open(struct zc_afile *a, const char *dir, const char *name)
{
	int fd, err;

	memset(a, 0, sizeof(*a));
	if (!name || !*name || strchr(name, '/'))
		return -EINVAL;
	if (!dir || !*dir)
		dir = ".";
	if ((size_t)snprintf(a->path, sizeof(a->path), "%s/%s", dir, name) >=
		    sizeof(a->path) ||
	    (size_t)snprintf(a->tmp, sizeof(a->tmp), "%s/.%s.tmp.%d", dir, name,
			     (int)getpid()) >= sizeof(a->tmp)) {
		a->tmp[0] = 0;
		return -ENAMETOOLONG;
	}
	if (!replaceable(a->path)) {
		a->tmp[0] = 0;
		return -EEXIST;
	}
	fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST && unlink(a->tmp) == 0)
		/* a temporary an earlier process of this pid left */
		fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  0666);
	if (fd < 0) {
		err = -errno;
		a->tmp[0] = 0;
		return err;
	}
	a->f = fdopen(fd, "w");
	if (!a->f) {
		err = -errno;
		close(fd);
		unlink(a->tmp);
		a->tmp[0] = 0;
		return err;
	}
	return 0;
}

/* Make the rename itself durable; a failure here loses nothing written. */
static void sync_parent(const char *path)
{
	char dir[4096];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return;
	*slash = 0;
	fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int zc_afile_commit(struct zc_afile *a)
{
	int err = 0;

	if (!a->f)
		return -EINVAL;
	/* Each step keeps the first error: a full disk shows up at fflush
	 * (or as the stream's error flag), a lost write-back at fsync or
	 * fclose. */
	errno = 0;
	if (fflush(a->f) != 0)
		err = errno ? -errno : -EIO;
	else if (ferror(a->f))
		err = -EIO;
	else if (fsync(fileno(a->f)) != 0)
		err = -errno;
	if (fclose(a->f) != 0 && !err)
		err = errno ? -errno : -EIO;
	a->f = NULL;
	if (!err && rename(a->tmp, a->path) != 0)
		err = -errno;
	if (err)
		unlink(a->tmp);
	else
		sync_parent(a->path);
	a->tmp[0] = 0;
	return err;
}

void zc_afile_abort(struct zc_afile *a)
{
	if (a->f)
		fclose(a->f);
	a->f = NULL;
	if (a->tmp[0])
		unlink(a->tmp);
	a->tmp[0] = 0;
}

int zc_out_write_json_path(const char *path, const json_t *v)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if ((size_t)snprintf(dir, sizeof(dir), "%.*s",
			     slash ? (int)(slash - path) : 1,
			     slash ? path : ".") >= sizeof(dir))
		return -ENAMETOOLONG;
	return zc_out_write_json(dir[0] ? dir : "/", slash ? slash + 1 : path,
				 v);
}

int zc_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	size_t n = 0;
	char *b;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY),
	    err = 0;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	else if ((unsigned long long)st.st_size > max)
		err = -EFBIG;
	if (err) {
		close(fd);
		return err;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	/* The size may change while we read: never past max. */
	for (;;) {
		ssize_t r = read(fd, b + n, (size_t)st.st_size + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)st.st_size) {
			err = -EFBIG; /* it grew */
			break;
		}
	}
	close(fd);
	if (err) {
		free(b);
		return err;
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

const char *zc_file_strerror(int err, int writing)
{
	if (err == -EEXIST && writing)
		return "not a regular file (a symlink, FIFO, device or "
		       "folder is there): refusing to replace it";
	if (err == -EINVAL && !writing)
		return "not a regular file";
	if (err == -EFBIG)
		return "too large";
	return strerror(-err);
}

int zc_out_write_json(const char *dir, const char *name, const json_t *v)
{
	struct zc_afile a;
	int err;

	if (!v)
		return -EINVAL;
	err = zc_afile_open(&a, dir, name);
	if (err < 0)
		return err;
	errno = 0;
	err = zc_out_json_dump(a.f, v);
	if (err < 0) {
		zc_afile_abort(&a);
		return err;
	}
	return zc_afile_commit(&a);
}

/* ---- results folders ------------------------------------------------------
 */

/* mkdir -p; an existing directory is fine, an existing file is not. */
static int mkdir_p(const char *path)
{
	char buf[4096];
	struct stat st;
	size_t len = strlen(path);

	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != 0)
			continue;
		char saved = *p;
		*p = 0;
		if (p[-1] != '/' && mkdir(buf, 0777) != 0) {
			int err = errno;
			if (err != EEXIST)
				return -err;
			if (stat(buf, &st) != 0)
				return -errno;
			if (!S_ISDIR(st.st_mode))
				return -ENOTDIR;
		}
		*p = saved;
		if (!saved)
			break;
	}
	return 0;
}

/* Host name safe for a path component: no dots (domain), no slashes. */
static void short_host(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0 || !buf[0])
		snprintf(buf, len, "host");
	buf[len - 1] = 0;
	buf[strcspn(buf, ".")] = 0;
	for (char *p = buf; *p; p++)
		if (!(*p == '-' || *p == '_' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			*p = '_';
}

#define ZC_RUNS_DIR "results/runs"

int zc_out_mkdir(const char *dir, char *out, size_t len)
{
	char base[4096], host[64], stamp[32], path[4096];
	struct tm tm;
	time_t now = time(NULL);
	int err;

	if (dir && *dir) {
		err = mkdir_p(dir);
		if (err < 0)
			return err;
		if (access(dir, W_OK | X_OK) != 0)
			return -errno;
		if ((size_t)snprintf(out, len, "%s", dir) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	err = mkdir_p(ZC_RUNS_DIR);
	if (err < 0)
		return err;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	short_host(host, sizeof(host));
	snprintf(base, sizeof(base), "%s/%s-%s", ZC_RUNS_DIR, stamp, host);
	/* mkdir, not mkdir -p: EEXIST is what tells two runs apart. */
	for (int i = 1; i < 10000; i++) {
		size_t n;
		if (i == 1)
			n = (size_t)snprintf(path, sizeof(path), "%s", base);
		else
			n = (size_t)snprintf(path, sizeof(path), "%s-%d", base,
					     i);
		if (n >= sizeof(path))
			return -ENAMETOOLONG;
		if (mkdir(path, 0777) == 0) {
			if ((size_t)snprintf(out, len, "%s", path) >= len) {
				rmdir(path);
				return -ENAMETOOLONG;
			}
			return 0;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Can a directory be made inside the existing directory `dir`? The probe
 * is removed again; it answers EROFS and ACLs, which access() may not. */
static int probe_dir(const char *dir)
{
	char tmp[4096];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.zc-check-XXXXXX", dir) >=
	    sizeof(tmp))
		return -ENAMETOOLONG;
	if (!mkdtemp(tmp))
		return -errno;
	rmdir(tmp);
	return 0;
}

int zc_out_check_dir(const char *dir)
{
	char buf[4096];
	struct stat st;
	size_t len;

	if (!dir || !*dir)
		dir = ZC_RUNS_DIR;
	len = strlen(dir);
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	/* Walk up to the nearest existing ancestor: that is where
	 * zc_out_mkdir will have to create something. */
	for (;;) {
		char *slash;

		while (len > 1 && buf[len - 1] == '/')
			buf[--len] = 0;
		if (stat(buf, &st) == 0) {
			if (!S_ISDIR(st.st_mode))
				return -ENOTDIR;
			return probe_dir(buf);
		}
		if (errno != ENOENT)
			return -errno;
		slash = strrchr(buf, '/');
		if (!slash) {
			strcpy(buf, ".");
		} else if (slash == buf) {
			buf[1] = 0;
		} else {
			*slash = 0;
		}
		len = strlen(buf);
	}
}
