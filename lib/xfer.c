/* SPDX-License-Identifier: MIT */
/*
 * xfer — the file-to-socket sender methods (zc_xfer_methods[]), their life
 * cycle, what each needs of a file system (zc_xfer_file_check) and the
 * probe. Test files and the page cache are in xfer_file.c, sockets and the
 * receiving end in xfer_net.c. See xfer.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xfer.h"
#include "xfer_int.h"

#ifdef ZC_HAVE_URING
#include <liburing.h>
/* liburing 2.3 predates these (kernel 6.2 uapi). */
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif
#endif

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

/* Zero-copy sends go in chunks this big: each is one completion to read. */
#define ZC_CHUNK (4u << 20)
/* io_uring: SQEs linked into one chain and submitted with one enter. */
#define URING_LINKS 32
/* How long to wait for zero-copy completions after the last send. */
#define ZC_COMPLETION_MS 10000
/* Bytes per call for sendfile (the kernel caps one call near 2 GiB). */
#define SENDFILE_MAX (1u << 30)

static int fail(struct zc_xfer *x, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct zc_xfer *x, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
	return err;
}

size_t zc_xfer_min_sz(uint64_t a, uint64_t b)
{
	return (size_t)(a < b ? a : b);
}

/* ---- the methods ---- */

static int send_all(struct zc_xfer *x, const char *p, size_t n, int use_write)
{
	while (n) {
		ssize_t r = use_write ? write(x->sock, p, n)
				      : send(x->sock, p, n, 0);
		x->syscalls++;
		if (r < 0)
			return fail(x, -errno, "%s: %s",
				    use_write ? "write" : "send",
				    strerror(errno));
		x->sent += (uint64_t)r;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int read_loop(struct zc_xfer *x, int use_write)
{
	uint64_t off = 0;

	while (off < x->size) {
		ssize_t r = pread(x->file, x->buf,
				  zc_xfer_min_sz(x->buffer, x->size - off),
				  (off_t)off);
		x->syscalls++;
		if (r < 0)
			return fail(x, -errno, "read: %s", strerror(errno));
		if (r == 0)
			return fail(x, -EIO, "file ends at %llu of %llu bytes",
				    (unsigned long long)off,
				    (unsigned long long)x->size);
		int err = send_all(x, x->buf, (size_t)r, use_write);
		if (err < 0)
			return err;
		off += (uint64_t)r;
	}
	return 0;
}

static int run_read_send(struct zc_xfer *x)
{
	return read_loop(x, 0);
}

static int run_read_write(struct zc_xfer *x)
{
	return read_loop(x, 1);
}

/* Map the whole file for sequential reading. */
static int map_file(struct zc_xfer *x, char **map)
{
	void *p = mmap(NULL, x->size, PROT_READ, MAP_SHARED, x->file, 0);
	x->syscalls++;
	if (p == MAP_FAILED)
		return fail(x, -errno, "mmap: %s", strerror(errno));
	/* a hint only: its failure changes nothing we measure */
	madvise(p, x->size, MADV_SEQUENTIAL);
	x->syscalls++;
	*map = p;
	return 0;
}

static void unmap_file(struct zc_xfer *x, char *map)
{
	munmap(map, x->size);
	x->syscalls++;
}

static int run_mmap_send(struct zc_xfer *x)
{
	char *map;
	int err = map_file(x, &map);
	if (err < 0)
		return err;
	err = send_all(x, map, x->size, 0);
	unmap_file(x, map);
	return err;
}

static int run_sendfile(struct zc_xfer *x)
{
	off_t off = 0;

	while ((uint64_t)off < x->size) {
		ssize_t r =
			sendfile(x->sock, x->file, &off,
				 zc_xfer_min_sz(SENDFILE_MAX, x->size - off));
		x->syscalls++;
		if (r < 0)
			return fail(x, -errno, "sendfile: %s", strerror(errno));
		if (r == 0)
			return fail(x, -EIO, "sendfile: no progress at %lld",
				    (long long)off);
		x->sent += (uint64_t)r;
	}
	return 0;
}

static int make_pipe(struct zc_xfer *x)
{
	int r;

	if (pipe2(x->pipe, O_CLOEXEC) < 0) {
		x->pipe[0] = x->pipe[1] = -1;
		return fail(x, -errno, "pipe: %s", strerror(errno));
	}
	/* A bigger pipe moves more pages per splice pair. The kernel may
	 * round up or refuse beyond pipe-max-size: record what it gave. */
	r = fcntl(x->pipe[1], F_SETPIPE_SZ,
		  (int)zc_xfer_min_sz(x->pipe_bytes, INT_MAX));
	if (r < 0)
		r = fcntl(x->pipe[1], F_GETPIPE_SZ);
	if (r <= 0)
		return fail(x, -errno, "F_GETPIPE_SZ: %s", strerror(errno));
	x->pipe_got = (size_t)r;
	return 0;
}

static void close_pipe(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
	p[0] = p[1] = -1;
}

static int run_splice(struct zc_xfer *x)
{
	loff_t off = 0;

	while ((uint64_t)off < x->size) {
		size_t want = zc_xfer_min_sz(x->pipe_got, x->size - off);
		/* MORE only while more follows: on the last piece it would
		 * hold back the final segment */
		unsigned more =
			(uint64_t)off + want < x->size ? SPLICE_F_MORE : 0;
		ssize_t in = splice(x->file, &off, x->pipe[1], NULL, want,
				    SPLICE_F_MOVE | more);
		x->syscalls++;
		if (in < 0)
			return fail(x, -errno, "splice file to pipe: %s",
				    strerror(errno));
		if (in == 0)
			return fail(x, -EIO, "splice: file ends at %lld",
				    (long long)off);
		while (in > 0) {
			ssize_t out = splice(x->pipe[0], NULL, x->sock, NULL,
					     (size_t)in, SPLICE_F_MOVE | more);
			x->syscalls++;
			if (out < 0)
				return fail(x, -errno,
					    "splice pipe to socket: %s",
					    strerror(errno));
			if (out == 0)
				return fail(x, -EIO, "splice: socket took 0");
			in -= out;
			x->sent += (uint64_t)out;
		}
	}
	return 0;
}

/* Read the MSG_ZEROCOPY completions queued on the error queue without
 * waiting. 0 or -errno. */
static int zc_drain(struct zc_xfer *x)
{
	char control[128];

	for (;;) {
		struct msghdr msg = {.msg_control = control,
				     .msg_controllen = sizeof(control)};
		ssize_t r = recvmsg(x->sock, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
		x->syscalls++;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r < 0)
			return fail(x, -errno, "recvmsg(MSG_ERRQUEUE): %s",
				    strerror(errno));
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
		     c = CMSG_NXTHDR(&msg, c)) {
			struct sock_extended_err ee;
			if (!((c->cmsg_level == SOL_IP &&
			       c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == SOL_IPV6 &&
			       c->cmsg_type == IPV6_RECVERR)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if (ee.ee_origin != SO_EE_ORIGIN_ZEROCOPY)
				continue;
			/* ids [ee_info, ee_data] completed */
			uint32_t n = ee.ee_data - ee.ee_info + 1;
			x->zc_done += n;
			x->zc_reports += n;
			if (ee.ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
				x->zc_copied += n;
		}
	}
}

/* Wait until `target` ids are completed (at most ZC_COMPLETION_MS). */
static int zc_wait(struct zc_xfer *x, uint32_t target)
{
	int left = ZC_COMPLETION_MS;

	for (;;) {
		int err = zc_drain(x);
		if (err < 0)
			return err;
		if ((int32_t)(x->zc_done - target) >= 0)
			return 0;
		/* POLLERR is reported whatever events asks for */
		struct pollfd pfd = {.fd = x->sock, .events = 0};
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int n = poll(&pfd, 1, left);
		x->syscalls++;
		if (n < 0)
			return fail(x, -errno, "poll: %s", strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left -= (int)((t1.tv_sec - t0.tv_sec) * 1000 +
			      (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (n == 0 || left <= 0)
			return fail(x, -EIO,
				    "%u of %u zero-copy completions missing "
				    "after %d ms",
				    x->zc_issued - x->zc_done, x->zc_issued,
				    ZC_COMPLETION_MS);
	}
}

static int run_msg_zerocopy(struct zc_xfer *x)
{
	uint64_t off = 0;
	int err = map_file(x, &x->map);

	while (!err && off < x->size) {
		ssize_t r = send(x->sock, x->map + off,
				 zc_xfer_min_sz(ZC_CHUNK, x->size - off),
				 MSG_ZEROCOPY);
		x->syscalls++;
		if (r < 0 && errno == ENOBUFS) {
			/* too many completions outstanding (optmem_max) */
			err = zc_wait(x, x->zc_done + 1);
			continue;
		}
		if (r < 0) {
			err = fail(x, -errno, "send(MSG_ZEROCOPY): %s",
				   strerror(errno));
			break;
		}
		x->zc_issued++;
		x->sent += (uint64_t)r;
		off += (uint64_t)r;
	}
	return err;
}

/* The pages stay the kernel's until every send is completed. */
static int complete_msg_zerocopy(struct zc_xfer *x)
{
	return zc_wait(x, x->zc_issued);
}

#ifdef ZC_HAVE_URING
/* user_data: bytes expected << 2 | kind */
enum {
	UD_READ = 0,
	UD_SEND = 1
};

static int uring_enter(struct zc_xfer *x, unsigned wait)
{
	int r = io_uring_submit_and_wait(x->ring, wait);
	x->syscalls++;
	if (r < 0) {
		/* completions may still arrive: rebuild the ring next time */
		x->dirty = 1;
		return fail(x, r, "io_uring_enter: %s", strerror(-r));
	}
	return 0;
}

/* Check a completion: res must equal what was asked; the first failure
 * of a chain is the cause, the rest are -ECANCELED. */
static int uring_check(struct zc_xfer *x, struct io_uring_cqe *cqe, int *err)
{
	uint64_t want = cqe->user_data >> 2;
	const char *what = (cqe->user_data & 3) == UD_READ ? "read" : "send";

	if (cqe->res < 0 && (cqe->res != -ECANCELED || !*err)) {
		if (!*err)
			*err = fail(x, cqe->res, "io_uring %s: %s", what,
				    strerror(-cqe->res));
		return 0;
	}
	if (cqe->res >= 0 && (uint64_t)cqe->res != want && !*err)
		*err = fail(x, -EIO, "io_uring %s: %d of %llu bytes", what,
			    cqe->res, (unsigned long long)want);
	if (cqe->res > 0 && (cqe->user_data & 3) == UD_SEND)
		return cqe->res;
	return 0;
}

static int run_uring(struct zc_xfer *x)
{
	struct io_uring *ring = x->ring;
	uint64_t off = 0;

	while (off < x->size) {
		unsigned k = 0, head, seen = 0;
		struct io_uring_cqe *cqe;
		int err = 0;

		/* read -> send -> read -> ...: one buffer suffices because
		 * the chain runs in order; one enter moves URING_LINKS/2
		 * buffers */
		for (; k + 2 <= URING_LINKS && off < x->size; k += 2) {
			size_t n = zc_xfer_min_sz(x->buffer, x->size - off);
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
			io_uring_prep_read(sqe, x->file, x->buf, (unsigned)n,
					   off);
			sqe->flags |= IOSQE_IO_LINK;
			sqe->user_data = (uint64_t)n << 2 | UD_READ;
			sqe = io_uring_get_sqe(ring);
			io_uring_prep_send(sqe, x->sock, x->buf, n,
					   MSG_WAITALL);
			sqe->user_data = (uint64_t)n << 2 | UD_SEND;
			off += n;
			if (k + 4 <= URING_LINKS && off < x->size)
				sqe->flags |= IOSQE_IO_LINK;
		}
		err = uring_enter(x, k);
		if (err < 0)
			return err;
		io_uring_for_each_cqe(ring, head, cqe)
		{
			x->sent += (uint64_t)uring_check(x, cqe, &err);
			seen++;
		}
		io_uring_cq_advance(ring, seen);
		if (seen != k && !err)
			err = fail(x, -EIO, "io_uring: %u of %u completions",
				   seen, k);
		if (err < 0) {
			x->dirty = 1;
			return err;
		}
	}
	return 0;
}

/* Take one completion of a SEND_ZC chain: a send's result (which says
 * with F_MORE that a notification will follow) or a notification (which
 * says whether the kernel copied). 0 or -errno; a failed send's error
 * goes to *cerr. */
static int uring_zc_cqe(struct zc_xfer *x, int *cerr, unsigned *results)
{
	struct __kernel_timespec ts = {.tv_sec = ZC_COMPLETION_MS / 1000};
	struct io_uring_cqe *cqe;
	int r = io_uring_peek_cqe(x->ring, &cqe);

	if (r == -EAGAIN) {
		r = io_uring_wait_cqe_timeout(x->ring, &cqe, &ts);
		x->syscalls++;
	}
	if (r < 0) {
		x->dirty = 1;
		if (r == -ETIME)
			return fail(x, -EIO,
				    "io_uring: %d zero-copy "
				    "notifications missing after %d ms",
				    x->zc_pending, ZC_COMPLETION_MS);
		return fail(x, r, "io_uring wait: %s", strerror(-r));
	}
	if (cqe->flags & IORING_CQE_F_NOTIF) {
		x->zc_pending--;
		x->zc_reports++;
		if ((uint32_t)cqe->res & IORING_NOTIF_USAGE_ZC_COPIED)
			x->zc_copied++;
	} else {
		(*results)++;
		if (cqe->flags & IORING_CQE_F_MORE)
			x->zc_pending++;
		x->sent += (uint64_t)uring_check(x, cqe, cerr);
	}
	io_uring_cqe_seen(x->ring, cqe);
	return 0;
}

static int run_uring_zc(struct zc_xfer *x)
{
	uint64_t off = 0;
	int err = map_file(x, &x->map), cerr = 0;

	x->zc_pending = 0;
	while (!err && !cerr && off < x->size) {
		unsigned k = 0, results = 0;

		for (; k < URING_LINKS / 2 && off < x->size; k++) {
			size_t n = zc_xfer_min_sz(ZC_CHUNK, x->size - off);
			struct io_uring_sqe *sqe = io_uring_get_sqe(x->ring);
			io_uring_prep_send_zc(sqe, x->sock, x->map + off, n,
					      MSG_WAITALL,
					      IORING_SEND_ZC_REPORT_USAGE);
			sqe->user_data = (uint64_t)n << 2 | UD_SEND;
			off += n;
			if (k + 1 < URING_LINKS / 2 && off < x->size)
				sqe->flags |= IOSQE_IO_LINK;
		}
		/* The next chain starts when this one's sends are done; the
		 * notifications (pages released: after the ACKs) are
		 * collected as they come and at the end, in complete. */
		err = uring_enter(x, k);
		while (!err && results < k)
			err = uring_zc_cqe(x, &cerr, &results);
	}
	if (!err)
		err = cerr;
	if (err < 0)
		x->dirty = 1; /* a notification may still be on its way */
	return err;
}

static int complete_uring_zc(struct zc_xfer *x)
{
	unsigned results = 0;
	int err = 0, cerr = 0;

	while (!err && x->zc_pending > 0)
		err = uring_zc_cqe(x, &cerr, &results);
	if (!err && results)
		err = fail(x, -EIO, "io_uring: %u results after the run",
			   results);
	return err ? err : cerr;
}

static int uring_setup(struct zc_xfer *x)
{
	struct io_uring *ring = calloc(1, sizeof(*ring));
	struct io_uring_probe *probe;
	int r, need = x->m->flags & ZC_XFER_ZC ? IORING_OP_SEND_ZC
					       : IORING_OP_READ;

	if (!ring)
		return -ENOMEM;
	/* COOP_TASKRUN: completions must not interrupt the sender's other
	 * blocking calls (a socket with a timeout returns EINTR then, not
	 * a restart); they are run at our next io_uring_enter. */
	r = io_uring_queue_init(URING_LINKS, ring, IORING_SETUP_COOP_TASKRUN);
	if (r == -EINVAL) /* before Linux 5.19 */
		r = io_uring_queue_init(URING_LINKS, ring, 0);
	if (r < 0) {
		free(ring);
		if (r == -ENOSYS)
			return fail(x, r,
				    "io_uring: not in this kernel "
				    "(ENOSYS)");
		if (r == -EPERM)
			return fail(x, r,
				    "io_uring: denied (EPERM: "
				    "kernel.io_uring_disabled or "
				    "seccomp)");
		return fail(x, r, "io_uring_queue_init: %s", strerror(-r));
	}
	probe = io_uring_get_probe_ring(ring);
	if (!probe || !io_uring_opcode_supported(probe, need) ||
	    !io_uring_opcode_supported(probe, IORING_OP_SEND)) {
		if (probe)
			io_uring_free_probe(probe);
		io_uring_queue_exit(ring);
		free(ring);
		return fail(x, -EOPNOTSUPP, "io_uring: the kernel lacks %s",
			    need == IORING_OP_SEND_ZC ? "SEND_ZC"
						      : "READ/SEND");
	}
	io_uring_free_probe(probe);
	x->ring = ring;
	x->dirty = 0;
	return 0;
}

static void uring_release(struct zc_xfer *x)
{
	if (x->ring) {
		io_uring_queue_exit(x->ring);
		free(x->ring);
		x->ring = NULL;
	}
}
#else
static int run_uring(struct zc_xfer *x)
{
	return fail(x, -ENOSYS, "built without liburing");
}

static int run_uring_zc(struct zc_xfer *x)
{
	return run_uring(x);
}

static int complete_uring_zc(struct zc_xfer *x)
{
	return 0;
}

static int uring_setup(struct zc_xfer *x)
{
	return run_uring(x);
}

static void uring_release(struct zc_xfer *x)
{
}
#endif

const struct zc_xfer_method zc_xfer_methods[] = {
	{"read-send", "read() into a buffer, send() it", ZC_XFER_BUFFERED,
	 run_read_send, NULL},
	{"read-write", "read() into a buffer, write() it to the socket",
	 ZC_XFER_BUFFERED, run_read_write, NULL},
	{"mmap-send", "mmap the file (MADV_SEQUENTIAL), send() from the map",
	 ZC_XFER_MAPPED, run_mmap_send, NULL},
	{"sendfile", "sendfile() until done", 0, run_sendfile, NULL},
	{"splice", "splice file -> pipe -> socket, pipe enlarged", 0,
	 run_splice, NULL},
	{"io-uring", "io_uring linked read -> send chains",
	 ZC_XFER_BUFFERED | ZC_XFER_URING, run_uring, NULL},
	{"io-uring-zc", "mmap + io_uring SEND_ZC, copy usage reported",
	 ZC_XFER_MAPPED | ZC_XFER_ZC | ZC_XFER_URING, run_uring_zc,
	 complete_uring_zc},
	{"msg-zerocopy", "mmap + send(MSG_ZEROCOPY), error-queue completions",
	 ZC_XFER_MAPPED | ZC_XFER_ZC, run_msg_zerocopy, complete_msg_zerocopy},
};
const int zc_xfer_nmethods =
	(int)(sizeof(zc_xfer_methods) / sizeof(zc_xfer_methods[0]));

const struct zc_xfer_method *zc_xfer_method_find(const char *name)
{
	for (int i = 0; i < zc_xfer_nmethods; i++)
		if (!strcmp(zc_xfer_methods[i].name, name))
			return &zc_xfer_methods[i];
	return NULL;
}

/* ---- life cycle ---- */

int zc_xfer_init(struct zc_xfer *x, const struct zc_xfer_method *m, int file,
		 uint64_t size, size_t buffer, size_t pipe_bytes)
{
	int err;

	memset(x, 0, sizeof(*x));
	x->m = m;
	x->file = file;
	x->size = size;
	x->buffer = buffer;
	x->pipe_bytes = pipe_bytes;
	x->sock = -1;
	x->pipe[0] = x->pipe[1] = -1;
	if (!size)
		return fail(x, -EINVAL, "size 0");
	if (m->flags & ZC_XFER_BUFFERED) {
		size_t n = (buffer + 4095) & ~(size_t)4095;
		if (!buffer)
			return fail(x, -EINVAL, "buffer size 0");
		x->buf = aligned_alloc(4096, n);
		if (!x->buf)
			return fail(x, -ENOMEM, "cannot allocate %zu bytes", n);
		/* touched now so that page faults stay out of the runs */
		memset(x->buf, 0xa5, n);
	}
	if (m->run == run_splice) {
		if (!pipe_bytes)
			return fail(x, -EINVAL, "pipe size 0");
		err = make_pipe(x);
		if (err < 0)
			goto out;
	}
	if (m->flags & ZC_XFER_URING) {
		err = uring_setup(x);
		if (err < 0)
			goto out;
	}
	return 0;
out:
	zc_xfer_release(x);
	return err;
}

void zc_xfer_release(struct zc_xfer *x)
{
	if (x->map)
		munmap(x->map, x->size);
	x->map = NULL;
	free(x->buf);
	x->buf = NULL;
	close_pipe(x->pipe);
	uring_release(x);
}

int zc_xfer_attach(struct zc_xfer *x, int sock)
{
	x->sock = sock;
	x->zc_issued = x->zc_done = 0;
	if (x->m->run == run_msg_zerocopy) {
		int one = 1;
		if (setsockopt(sock, SOL_SOCKET, SO_ZEROCOPY, &one,
			       sizeof(one)) < 0)
			return fail(x, -errno, "SO_ZEROCOPY: %s%s",
				    strerror(errno),
				    errno == EOPNOTSUPP
					    ? " (MSG_ZEROCOPY needs TCP/UDP)"
					    : "");
	}
	return 0;
}

int zc_xfer_run(struct zc_xfer *x)
{
	int err;

	x->sent = x->syscalls = x->zc_reports = x->zc_copied = 0;
	x->why[0] = 0;
	if (x->sock < 0)
		return fail(x, -EINVAL, "no socket attached");
	if (x->dirty) {
		/* a failed run may have left bytes in the pipe or requests
		 * in the ring: start from fresh ones */
		if (x->pipe[0] >= 0) {
			close_pipe(x->pipe);
			err = make_pipe(x);
			if (err < 0)
				return err;
		}
		if (x->ring) {
			uring_release(x);
			err = uring_setup(x);
			if (err < 0)
				return err;
		}
		x->dirty = 0;
	}
	if (x->map) /* the last run was not completed */
		unmap_file(x, x->map);
	x->map = NULL;
	x->zc_pending = 0;
	err = x->m->run(x);
	x->run_err = err;
	if (err < 0 && x->pipe[0] >= 0)
		x->dirty = 1;
	if (!err && x->sent != x->size)
		err = fail(x, -EIO, "sent %llu of %llu bytes",
			   (unsigned long long)x->sent,
			   (unsigned long long)x->size);
	return err;
}

int zc_xfer_complete(struct zc_xfer *x)
{
	int err = 0;

	/* After a failed run the socket's end frees the pages; waiting for
	 * completions could only time out. */
	if (x->m->complete && x->sock >= 0 && !x->run_err)
		err = x->m->complete(x);
	if (x->map)
		unmap_file(x, x->map);
	x->map = NULL;
	return err;
}

/* ---- what a method needs of the file system ---- */

int zc_xfer_file_check(const struct zc_xfer_method *m, int fd, char *why,
		       size_t len)
{
	char buf[4096];
	off_t off = 0;
	int err = 0;

	if (pread(fd, buf, sizeof(buf), 0) < 0) {
		err = -errno;
		snprintf(why, len, "read: %s", strerror(errno));
	} else if (m->flags & ZC_XFER_MAPPED) {
		void *p = mmap(NULL, sizeof(buf), PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			err = -errno;
			snprintf(why, len, "mmap: %s", strerror(errno));
		} else {
			munmap(p, sizeof(buf));
		}
	} else if (m->run == run_sendfile) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null < 0 || sendfile(null, fd, &off, sizeof(buf)) < 0) {
			err = -errno;
			snprintf(why, len, "sendfile: %s", strerror(errno));
		}
		if (null >= 0)
			close(null);
	} else if (m->run == run_splice) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0) {
			err = -errno;
			snprintf(why, len, "pipe: %s", strerror(errno));
		} else {
			if (splice(fd, &off, p[1], NULL, sizeof(buf), 0) < 0) {
				err = -errno;
				snprintf(why, len, "splice: %s",
					 strerror(errno));
			}
			close_pipe(p);
		}
	}
	return err;
}

/* ---- probe ---- */

struct probe_reader {
	int sock;
	uint64_t bytes, sum;
	int err;
};

static void *probe_read(void *arg)
{
	struct probe_reader *r = arg;
	char buf[16384];
	r->err = zc_xfer_recv(r->sock, buf, sizeof(buf), &r->bytes, &r->sum, -1,
			      NULL, 0);
	return NULL;
}

int zc_xfer_probe(const struct zc_xfer_method *m, int family, char *why,
		  size_t len)
{
	const uint64_t size = 64 << 10;
	struct probe_reader rd = {.sock = -1};
	struct sockaddr_storage addr;
	struct zc_xfer x;
	socklen_t alen;
	pthread_t tid;
	uint64_t sum;
	int lfd, cfd = -1, mfd, err, started = 0;

	snprintf(why, len, "%s", "");
	mfd = memfd_create("zcbench-probe", MFD_CLOEXEC);
	if (mfd < 0) {
		snprintf(why, len, "memfd_create: %s", strerror(errno));
		return -errno;
	}
	err = zc_xfer_file_fill(mfd, size, 1, &sum, NULL);
	if (err < 0) {
		snprintf(why, len, "probe file: %s", strerror(-err));
		close(mfd);
		return err;
	}
	lfd = zc_xfer_listen(family, &addr, &alen);
	if (lfd < 0) {
		snprintf(why, len, "listen: %s", strerror(-lfd));
		close(mfd);
		return lfd;
	}
	err = zc_xfer_init(&x, m, mfd, size, 16384, 65536);
	if (err < 0) {
		snprintf(why, len, "%s", x.why);
		goto out;
	}
	cfd = zc_xfer_connect(&addr, alen);
	rd.sock = cfd < 0 ? -1 : accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0 || rd.sock < 0) {
		err = cfd < 0 ? cfd : -errno;
		snprintf(why, len, "connect: %s", strerror(-err));
		goto out_x;
	}
	err = -pthread_create(&tid, NULL, probe_read, &rd);
	if (err < 0) {
		snprintf(why, len, "pthread_create: %s", strerror(-err));
		goto out_x;
	}
	started = 1;
	err = zc_xfer_attach(&x, cfd);
	if (!err)
		err = zc_xfer_run(&x);
	if (err < 0) {
		snprintf(why, len, "%s%s", family == AF_UNIX ? "AF_UNIX: " : "",
			 x.why);
	}
out_x:
	if (cfd >= 0)
		shutdown(cfd, SHUT_WR);
	if (started) {
		pthread_join(tid, NULL);
		int e = zc_xfer_complete(&x);
		if (!err && e < 0) {
			err = e;
			snprintf(why, len, "%s%s",
				 family == AF_UNIX ? "AF_UNIX: " : "", x.why);
		}
		if (!err && (rd.err || rd.bytes != size || rd.sum != sum)) {
			err = rd.err ? rd.err : -EIO;
			snprintf(why, len,
				 "probe transfer corrupt: %llu of "
				 "%llu bytes, checksum %s",
				 (unsigned long long)rd.bytes,
				 (unsigned long long)size,
				 rd.sum == sum ? "ok" : "wrong");
		}
	}
	if (rd.sock >= 0)
		close(rd.sock);
	if (cfd >= 0)
		close(cfd);
	zc_xfer_release(&x);
out:
	close(lfd);
	close(mfd);
	return err;
}
