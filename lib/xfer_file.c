/* SPDX-License-Identifier: MIT */
/*
 * xfer_file — test files with reproducible content, the file system under
 * a folder (free space, in memory or not) and a file's pages in the page
 * cache (mincore, drop, warm). See xfer.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "csum.h"
#include "xfer.h"
#include "xfer_int.h"

/* ---- test files ---- */

/* splitmix64: every word from its index alone, so any range can be made */
static inline uint64_t pattern_word(uint64_t seed, uint64_t i)
{
	uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void zc_xfer_pattern(void *buf, size_t len, uint64_t off, uint64_t seed)
{
	uint64_t *w = buf, i0 = off / 8;

	for (size_t i = 0; i < len / 8; i++)
		w[i] = pattern_word(seed, i0 + i);
}

int zc_xfer_file_fill(int fd, uint64_t size, uint64_t seed, uint64_t *sum,
		      int (*stop)(void))
{
	const size_t chunk = 1u << 20;
	struct zc_csum c;
	uint64_t off = 0;
	char *buf = malloc(chunk);
	int err = 0;

	if (!buf)
		return -ENOMEM;
	zc_csum_init(&c);
	while (off < size && !err) {
		size_t n = zc_xfer_min_sz(chunk, size - off);
		zc_xfer_pattern(buf, (n + 7) & ~(size_t)7, off, seed);
		zc_csum_update(&c, buf, n);
		for (size_t done = 0; done < n;) {
			ssize_t w = pwrite(fd, buf + done, n - done,
					   (off_t)(off + done));
			if (w < 0 && errno == EINTR && !(stop && stop()))
				continue;
			if (w <= 0) {
				err = w < 0 ? -errno : -ENOSPC;
				break;
			}
			done += (size_t)w;
		}
		off += n;
		if (stop && stop())
			err = -EINTR;
	}
	free(buf);
	/* clean pages can be dropped for cold-cache runs; dirty ones not */
	if (!err && fdatasync(fd) < 0)
		err = -errno;
	if (!err)
		*sum = zc_csum_final(&c);
	return err;
}

/* ---- file systems and the page cache ---- */

static const struct {
	unsigned long magic;
	const char *name;
	int in_memory;
} fs_types[] = {
	{0x01021994, "tmpfs", 1},    {0x858458f6, "ramfs", 1},
	{0xEF53, "ext4", 0},	     {0x58465342, "xfs", 0},
	{0x9123683E, "btrfs", 0},    {0x794c7630, "overlayfs", 0},
	{0x6969, "nfs", 0},	     {0x2fc12fc1, "zfs", 0},
	{0x65735546, "fuse", 0},     {0x9fa0, "proc", 1},
	{0x62656572, "sysfs", 1},    {0x4d44, "vfat", 0},
	{0xf2f52010, "f2fs", 0},     {0x01021997, "9p", 0},
	{0xca451a4e, "bcachefs", 0},
};

int zc_xfer_fs(const char *dir, uint64_t *free_bytes, int *in_memory,
	       char *fstype, size_t len)
{
	struct statvfs v;
	struct statfs f;
	size_t i;

	if (statvfs(dir, &v) < 0 || statfs(dir, &f) < 0)
		return -errno;
	*free_bytes = (uint64_t)v.f_bavail * v.f_frsize;
	*in_memory = 0;
	for (i = 0; i < sizeof(fs_types) / sizeof(fs_types[0]); i++)
		if ((unsigned long)f.f_type == fs_types[i].magic)
			break;
	if (i < sizeof(fs_types) / sizeof(fs_types[0])) {
		*in_memory = fs_types[i].in_memory;
		snprintf(fstype, len, "%s", fs_types[i].name);
	} else {
		snprintf(fstype, len, "0x%lx", (unsigned long)f.f_type);
	}
	return 0;
}

int zc_xfer_resident(int fd, uint64_t size, double *frac)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t npages = (size_t)((size + (uint64_t)page - 1) / (uint64_t)page);
	unsigned char *vec;
	size_t in = 0;
	void *p;

	if (!size) {
		*frac = 1;
		return 0;
	}
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	vec = malloc(npages);
	if (!vec) {
		munmap(p, size);
		return -ENOMEM;
	}
	if (mincore(p, size, vec) < 0) {
		int e = -errno;
		free(vec);
		munmap(p, size);
		return e;
	}
	for (size_t i = 0; i < npages; i++)
		in += vec[i] & 1;
	free(vec);
	munmap(p, size);
	*frac = (double)in / (double)npages;
	return 0;
}

int zc_xfer_cache_drop(int fd, uint64_t size, double *frac)
{
	/* posix_fadvise returns the error number itself */
	int e = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (e)
		return -e;
	return zc_xfer_resident(fd, size, frac);
}

int zc_xfer_cache_warm(int fd, uint64_t size, void *buf, size_t len,
		       double *frac)
{
	for (uint64_t off = 0; off < size;) {
		ssize_t r = pread(fd, buf, zc_xfer_min_sz(len, size - off),
				  (off_t)off);
		if (r < 0 && errno == EINTR)
			return -EINTR;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		off += (uint64_t)r;
	}
	return zc_xfer_resident(fd, size, frac);
}
