/* SPDX-License-Identifier: MIT */
#ifndef ZC_TESTFILE_H
#define ZC_TESTFILE_H
/*
 * testfile — the files a file-to-socket benchmark sends: a folder of its
 * own under a parent folder, one file at a time with real content
 * (lib/xfer.h's pattern, never sparse), brought cold or hot in the page
 * cache, and everything removed on every path.
 *
 * Usage:
 *	struct zc_testfile t;
 *	zc_testfile_init(&t);			(release is then a no-op)
 *	zc_testfile_check(&t, parent, why, len);	(before anything is written)
 *	zc_testfile_room(&t, largest, margin, why, len);
 *	zc_testfile_probe(&t, prefix, methods, n, why, len);
 *	zc_testfile_release(&t);
 *	zc_testfile_mkdir(&t, prefix);
 *	per file:
 *		zc_testfile_create(&t, "file-7MiB", size, seed, stop, why, len);
 *		per transfer: zc_testfile_cache(&t, cold, why, len);
 *		... send t.fd: t.size bytes, checksum t.sum ...
 *		zc_testfile_remove(&t);
 *	zc_testfile_release(&t);		(file, folder, buffer)
 *
 * zc_testfile_default_parent() picks where the folder goes when the user
 * names none: the first of $TMPDIR, /var/tmp, /tmp that is writable and
 * not in memory (else the first writable one): a file on tmpfs is always
 * cached, so cold cache would be impossible there.
 *
 * Limitations: one file at a time; the folder's name is the prefix plus a
 * mkdtemp suffix; a signal (stop) ends a long fill early with -EINTR and
 * the file is then removed by remove/release as any other.
 *
 * Errors: 0 or -errno. check, room and probe: as they say; mkdir: mkdtemp's; create: open's (t->fd < 0, t->path
 * "") or the fill's (-ENOSPC, -EINTR on stop; t->fd >= 0); cold and hot:
 * see zc_testfile_cache;
 * release: rmdir's (-ENOTEMPTY: something else was put in the folder).
 */
#include <stddef.h>
#include <stdint.h>

struct zc_xfer_method;

struct zc_testfile {
	char parent[4096];   /* where our folder goes (zc_testfile_check) */
	char fstype[32];     /* its file system: "ext4", "tmpfs" */
	int in_memory;	     /* tmpfs, ramfs: the pages cannot be dropped */
	uint64_t free_bytes; /* free for an unprivileged writer */
	char dir[4096];	     /* our folder, "" when none */
	char path[4200];     /* the current file, "" when none */
	int fd;		     /* the current file (read-write), -1 when none */
	uint64_t size;	     /* its size, bytes */
	uint64_t sum;	     /* the checksum of its content (lib/csum.h) */
	void *buf; /* for reading it into the cache, NULL until then */
};

/* An empty set: no folder, no file. */
void zc_testfile_init(struct zc_testfile *t);

/* The default parent folder (see above); "/tmp" when none qualifies. */
const char *zc_testfile_default_parent(void);

/*
 * Is parent an existing folder we may write in? Sets t->parent and, from
 * statfs, fstype, in_memory and free_bytes. 0, or -errno with why in the
 * form "'<parent>' is not a folder: give an existing, writable folder" (of
 * stat, S_ISDIR, access, statfs), for the caller to prefix with its
 * option's name.
 */
int zc_testfile_check(struct zc_testfile *t, const char *parent, char *why,
		      size_t len);

/*
 * Does a file of size bytes (whole MiB) fit in t->parent with margin bytes
 * to spare, by t->free_bytes (zc_testfile_check)? 0; -ENOSPC when not even
 * a 1 MiB one would, why "'<parent>' has 40 MiB free: too little for any
 * file"; -EFBIG when this one does not, why "1024 MiB does not fit in the
 * 700 MiB free in '<parent>' (ext4): expected 1..636 MiB". For the caller
 * to prefix with the option at fault (the folder's, the size's).
 */
int zc_testfile_room(const struct zc_testfile *t, uint64_t size,
		     uint64_t margin, char *why, size_t len);

/*
 * Make our folder and a small file in it (t->fd) and try there what the
 * methods m[0..n) need of the file system (mmap, sendfile, splice from a
 * file: zc_xfer_file_check). The caller may try more on t->fd, then
 * releases both. 0, or -errno with why as for check ("'<parent>' (ext4)
 * lacks a call that method splice needs: ...", "'<parent>' is not
 * writable: ...").
 */
int zc_testfile_probe(struct zc_testfile *t, const char *prefix,
		      const struct zc_xfer_method *const *m, int n, char *why,
		      size_t len);

/* Make our folder "<parent>/<prefix>.XXXXXX" (mode 0700). */
int zc_testfile_mkdir(struct zc_testfile *t, const char *prefix);

/* Create <dir>/<name> (O_EXCL) and fill it with size bytes of content
 * made from seed, fdatasync'ed (clean pages, so they can be dropped).
 * stop (may be NULL) is polled while writing. On error why (NULL with len
 * 0: none) says "cannot create '<dir>/<name>': ..." (t->fd < 0) or "cannot
 * write 7 MiB to '<path>': ..." (bytes when not whole MiB). */
int zc_testfile_create(struct zc_testfile *t, const char *name, uint64_t size,
		       uint64_t seed, int (*stop)(void), char *why, size_t len);

/*
 * Bring the current file's pages into the page cache state a transfer
 * asks for. Cold: posix_fadvise(DONTNEED) until at most ZC_TESTFILE_COLD
 * of the file stays resident, up to ZC_TESTFILE_TRIES times
 * ZC_TESTFILE_WAIT_US apart (pages that socket buffers of an earlier
 * transfer still hold cannot be dropped until they are freed). Hot: read
 * the whole file unless every page is resident; at least ZC_TESTFILE_HOT
 * must be afterwards (memory may be short). 0; 1 when the state cannot be
 * reached, why saying what the kernel kept; or -errno with why ("
 * posix_fadvise: ...", "cannot read the file into the cache: ...";
 * -EINTR: a signal during the read).
 */
#define ZC_TESTFILE_COLD    0.05
#define ZC_TESTFILE_TRIES   100
#define ZC_TESTFILE_WAIT_US 5000
#define ZC_TESTFILE_HOT	    0.99
int zc_testfile_cache(struct zc_testfile *t, int cold, char *why, size_t len);

/* Close and unlink the current file (a no-op when none). */
void zc_testfile_remove(struct zc_testfile *t);

/* The file, the folder and the buffer. 0 or rmdir's -errno. */
int zc_testfile_release(struct zc_testfile *t);

#endif
