/* SPDX-License-Identifier: MIT */
#ifndef ZC_XFER_H
#define ZC_XFER_H
/*
 * xfer — the ways a file can reach a stream socket, and the pieces around
 * them: test files with real content, the page cache, the receiving end.
 *
 * The sender methods are a table (zc_xfer_methods[]) driven by one entry
 * point, so a benchmark loops over them without knowing any of them:
 *
 *	read-send	pread() into a buffer, send() it      (buffered)
 *	read-write	pread() into a buffer, write() it     (buffered)
 *	mmap-send	mmap the whole file (MADV_SEQUENTIAL), send() from it
 *	sendfile	sendfile() until done
 *	splice		file -> pipe -> socket, the pipe enlarged (F_SETPIPE_SZ)
 *	io-uring	linked read -> send chains on io_uring   (buffered)
 *	io-uring-zc	mmap + io_uring SEND_ZC with usage reports
 *	msg-zerocopy	mmap + send(MSG_ZEROCOPY), completions from the error
 *			queue
 *
 * Usage, per file and method:
 *	struct zc_xfer x;
 *	zc_xfer_init(&x, m, file_fd, size, buffer, pipe_bytes); (allocates,
 *						touches, makes pipe/ring)
 *	per transfer:
 *		sock = connected stream socket;
 *		zc_xfer_attach(&x, sock);	(socket options; not timed)
 *		zc_xfer_run(&x);		(timed: the bytes go out)
 *		(the receiver confirms)
 *		zc_xfer_complete(&x);		(timed: zero-copy completions)
 *		x.sent, x.syscalls, x.zc_*	(what it did)
 *	zc_xfer_release(&x);
 *
 * zc_xfer_run() sends bytes [0, size) of the file and counts every system
 * call it makes (io_uring: each io_uring_enter). It includes what the
 * method needs per file (mmap/munmap for the mapped methods) but not what a
 * server would keep (buffer, pipe, ring). Zero-copy methods return with
 * completions outstanding: the kernel posts them when it lets go of the
 * pages, over TCP after the peer's ACK, which a receiver may delay (40 ms)
 * until it has something to say. zc_xfer_complete() waits for them (after
 * the receiver's reply they come at once) and unmaps the file; call it
 * after every run, failed or not. Each completion reports whether the
 * kernel really avoided the copy (on loopback it copies:
 * SO_EE_CODE_ZEROCOPY_COPIED, IORING_NOTIF_USAGE_ZC_COPIED).
 *
 * Code: xfer.c (the methods, their life cycle, zc_xfer_file_check, the
 * probe), xfer_net.c (sockets, the receiving end), xfer_file.c (test
 * files, file systems, the page cache); xfer_int.h is internal. Built on
 * it: lib/xfer_set.h (the methods x buffers a sweep compares, their
 * senders per file), lib/xfer_table.h (the IBM-style table of them),
 * lib/testfile.h, lib/receiver.h.
 *
 * Limitations: Linux only. io-uring methods need liburing at build time
 * (ZC_HAVE_URING) and a kernel that allows io_uring; zc_xfer_probe() says
 * why a method cannot run with a given socket family (AF_UNIX refuses
 * MSG_ZEROCOPY and SEND_ZC). Blocking sockets only; a send timeout
 * (SO_SNDTIMEO) set by the caller turns a stuck peer into -EAGAIN.
 *
 * Errors: 0 or -errno. zc_xfer_run: -EPIPE/-ECONNRESET (the receiver went
 * away), -EINTR (a signal, the caller checks its stop flag), -EAGAIN (send
 * timeout), -EIO (a short or inconsistent transfer: x->why says what),
 * -EOPNOTSUPP/-ENOSYS/-EPERM (the method cannot run here: x->why says why).
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ZC_XFER_WHY 160

/* Method flags. */
#define ZC_XFER_BUFFERED 1u /* uses the buffer size (swept by callers) */
#define ZC_XFER_MAPPED	 2u /* maps the file */
#define ZC_XFER_ZC	 4u /* reports zero-copy completions */
#define ZC_XFER_URING	 8u /* needs io_uring */

struct zc_xfer;

struct zc_xfer_method {
	const char *name;
	const char *desc;
	unsigned flags;
	int (*run)(struct zc_xfer *x);
	int (*complete)(struct zc_xfer *x); /* NULL: nothing to wait for */
};

extern const struct zc_xfer_method zc_xfer_methods[];
extern const int zc_xfer_nmethods;

/* Method by name, or NULL. */
const struct zc_xfer_method *zc_xfer_method_find(const char *name);

struct zc_xfer {
	const struct zc_xfer_method *m;
	int file;	   /* read-only file descriptor (not owned) */
	uint64_t size;	   /* bytes to send, from offset 0 */
	size_t buffer;	   /* buffer bytes (buffered methods) */
	size_t pipe_bytes; /* pipe capacity asked for (splice) */
	size_t pipe_got;   /* pipe capacity the kernel gave */
	int sock;	   /* attached socket (not owned), -1 none */
	void *buf;	   /* the method's buffer, touched */
	int pipe[2];	   /* splice pipe, -1 none */
	void *ring;	   /* struct io_uring *, NULL none */
	/* What the last zc_xfer_run did. */
	uint64_t sent;	     /* bytes the socket accepted */
	uint64_t syscalls;   /* system calls made */
	uint64_t zc_reports; /* zero-copy completions read */
	uint64_t zc_copied;  /* of which the kernel reported it copied */
	char why[ZC_XFER_WHY];
	/* internal */
	char *map;	    /* the file mapped by a zero-copy run */
	uint32_t zc_issued; /* MSG_ZEROCOPY sends on this socket (ids) */
	uint32_t zc_done;   /* ids completed */
	int32_t zc_pending; /* io_uring notifications still to come */
	int run_err;	    /* the last run's result */
	int dirty;	    /* pipe or ring may hold a failed run's data */
};

/*
 * Prepare method m to send `size` bytes of file descriptor `file`: allocate
 * and touch the buffer (buffered methods), create and enlarge the pipe
 * (splice; pipe_got says what the kernel gave), set up the ring (io-uring).
 * -EINVAL (size 0, buffer 0 for a buffered method, pipe_bytes 0 for
 * splice), -ENOMEM, -ENOSYS/-EPERM/-EOPNOTSUPP (io_uring absent, denied,
 * or built without liburing; why says which), other -errno.
 */
int zc_xfer_init(struct zc_xfer *x, const struct zc_xfer_method *m, int file,
		 uint64_t size, size_t buffer, size_t pipe_bytes);
void zc_xfer_release(struct zc_xfer *x);

/* Use connected stream socket sock for the next runs (sets SO_ZEROCOPY
 * for msg-zerocopy: -EOPNOTSUPP on AF_UNIX). 0 or -errno, why set. */
int zc_xfer_attach(struct zc_xfer *x, int sock);

/* Send the file through the attached socket. 0 when all size bytes were
 * accepted by the socket; -errno otherwise (see above). Follow with
 * zc_xfer_complete(). */
int zc_xfer_run(struct zc_xfer *x);

/* Wait for the last run's zero-copy completions (10 s at most) and
 * unmap the file. 0, -EIO (completions missing: x->why), -EINTR, -errno.
 * A no-op for methods without completions and after a failed run. */
int zc_xfer_complete(struct zc_xfer *x);

/*
 * Can method m send over a socket of this family (AF_INET, AF_UNIX) here?
 * Runs a small real transfer (a memfd of 64 KiB over a loopback pair) and
 * returns 0, or -errno with the reason in why ("io_uring denied (EPERM)",
 * "AF_UNIX: MSG_ZEROCOPY not supported (EOPNOTSUPP)").
 */
int zc_xfer_probe(const struct zc_xfer_method *m, int family, char *why,
		  size_t len);

/*
 * Sockets. zc_xfer_listen: a listening stream socket on 127.0.0.1 (port
 * chosen by the kernel) or, for AF_UNIX, in the abstract namespace (no
 * file to clean up); its address goes to addr/alen. zc_xfer_connect: a
 * connected socket to it (TCP_NODELAY off: bulk). Both return the fd or
 * -errno. Sockets are close-on-exec.
 */
int zc_xfer_listen(int family, struct sockaddr_storage *addr, socklen_t *alen);
int zc_xfer_connect(const struct sockaddr_storage *addr, socklen_t alen);

/*
 * The receiving end: read from sock until EOF into buf (len bytes, reused),
 * checksumming with lib/csum.h when sum != NULL. With devnull >= 0 and
 * sum == NULL the data are spliced through pipe[] to devnull instead
 * (no copy to user space). kill_after > 0: raise SIGKILL after that many
 * bytes (fault injection for tests). Bytes received go to *bytes.
 * 0 or -errno (-EINTR on a signal).
 */
int zc_xfer_recv(int sock, void *buf, size_t len, uint64_t *bytes,
		 uint64_t *sum, int devnull, const int pipe[2],
		 uint64_t kill_after);

/*
 * Test files. zc_xfer_pattern fills buf with the content of bytes
 * [off, off + len) of a file made from seed (pseudo-random, not
 * compressible, reproducible from any offset; off and len multiples of 8).
 * zc_xfer_file_fill writes size bytes of that content to fd from offset
 * 0 with write() (never sparse), fdatasync()s it so that its pages are
 * clean and can be dropped, and returns the checksum of the content in
 * *sum. stop (may be NULL) is polled between writes: when it returns
 * non-zero the fill ends with -EINTR. 0 or -errno (-ENOSPC ...).
 */
void zc_xfer_pattern(void *buf, size_t len, uint64_t off, uint64_t seed);
int zc_xfer_file_fill(int fd, uint64_t size, uint64_t seed, uint64_t *sum,
		      int (*stop)(void));

/* The file system under dir: free bytes for an unprivileged writer, and
 * whether it keeps files in memory (tmpfs, ramfs: cold cache is then
 * impossible), with its name ("ext4", "tmpfs") in fstype. 0 or -errno. */
int zc_xfer_fs(const char *dir, uint64_t *free_bytes, int *in_memory,
	       char *fstype, size_t len);

/*
 * Page cache. zc_xfer_resident: the fraction of the file's pages in the
 * page cache (mincore). zc_xfer_cache_drop: posix_fadvise(DONTNEED) and
 * the fraction still resident afterwards. zc_xfer_cache_warm: read the
 * whole file through buf (len bytes) so that its pages are cached, and the
 * fraction resident afterwards (below 1 when memory is short).
 * 0 or -errno.
 */
int zc_xfer_resident(int fd, uint64_t size, double *frac);
int zc_xfer_cache_drop(int fd, uint64_t size, double *frac);
int zc_xfer_cache_warm(int fd, uint64_t size, void *buf, size_t len,
		       double *frac);

/*
 * Does the file system of fd support what method m needs (mmap, sendfile,
 * splice from a file)? Tried on fd's first bytes into /dev/null or a pipe.
 * 0 or -errno with the failed call in why.
 */
int zc_xfer_file_check(const struct zc_xfer_method *m, int fd, char *why,
		       size_t len);

#endif
