/* SPDX-License-Identifier: MIT */
/*
 * receiver — the far end of a file-to-socket transfer, a child process
 * (receiver.h holds the protocol).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"
#include "inject.h"
#include "receiver.h"
#include "xfer.h"

_Static_assert(sizeof(struct zc_recv_hdr) == 32, "the header is 32 bytes");
_Static_assert(offsetof(struct zc_recv_reply, counts) == 32,
	       "the reply's counts start at byte 32");

static int io_full(int fd, void *p, size_t n, int out)
{
	char *c = p;

	while (n) {
		ssize_t r =
			out ? send(fd, c, n, MSG_NOSIGNAL) : recv(fd, c, n, 0);
		/* io_uring task work can interrupt a socket call that has a
		 * timeout (EINTR, not a restart): only a stop ends the wait */
		if (r < 0 && errno == EINTR && !zc_stopped())
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ECONNRESET; /* the peer closed early */
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* ---- the child ---- */

struct child {
	void *buf;
	int devnull, pipe[2];
	int pin_err;
	struct zc_counters ctr;
};

/* The child cannot set itself up: the reason on its (captured) stderr. */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(STDERR_FILENO, fmt, ap);
	va_end(ap);
	dprintf(STDERR_FILENO, "\n");
	_exit(1);
}

/* One connection: header, ready, the data to EOF, the reply. */
static void serve(int lfd, struct child *c)
{
	struct zc_recv_reply rp;
	struct zc_recv_hdr h;
	uint64_t sum = 0;
	char ready = 1;
	int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (s < 0)
		return;
	memset(&rp, 0, sizeof(rp));
	rp.pin_err = c->pin_err;
	if (io_full(s, &h, sizeof(h), 0) < 0 || h.magic != ZC_RECV_MAGIC) {
		close(s);
		return;
	}
	zc_counters_start(&c->ctr);
	rp.cpu_start = sched_getcpu();
	if (io_full(s, &ready, 1, 1) == 0) {
		rp.err = zc_xfer_recv(s, c->buf, ZC_RECV_BUF, &rp.bytes,
				      h.flags & ZC_RECV_CHECKSUM ? &sum : NULL,
				      c->devnull, c->pipe, h.kill_after);
		zc_counters_stop(&c->ctr, &rp.counts);
		rp.cpu_end = sched_getcpu();
		rp.sum = sum;
		io_full(s, &rp, sizeof(rp), 1);
	}
	close(s);
}

static void __attribute__((noreturn))
child_main(const int *lfd, const struct zc_receiver_config *cfg)
{
	static const struct zc_evset none; /* rusage and CPU time only */
	struct child c = {.devnull = -1, .pipe = {-1, -1}};
	struct pollfd pfd[ZC_RECV_NTRANSPORTS];

	if (cfg->topo && cfg->cpu >= 0)
		c.pin_err = zc_topo_pin_self(cfg->topo, cfg->cpu);
	c.buf = aligned_alloc(4096, ZC_RECV_BUF);
	if (!c.buf)
		die("cannot allocate a %u-byte buffer", ZC_RECV_BUF);
	memset(c.buf, 0, ZC_RECV_BUF); /* touched: no page faults while timed */
	if (cfg->splice) {
		c.devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (c.devnull < 0 || pipe2(c.pipe, O_CLOEXEC) < 0)
			die("cannot set up splicing to /dev/null: %s",
			    strerror(errno));
		fcntl(c.pipe[1], F_SETPIPE_SZ, ZC_RECV_BUF);
	}
	if (zc_counters_open(&c.ctr, cfg->events ? cfg->events : &none) < 0)
		die("cannot open its counters");
	for (int t = 0; t < ZC_RECV_NTRANSPORTS; t++)
		pfd[t] = (struct pollfd){.fd = lfd[t], .events = POLLIN};
	while (!zc_stopped()) {
		if (poll(pfd, ZC_RECV_NTRANSPORTS, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (int t = 0; t < ZC_RECV_NTRANSPORTS; t++)
			if (pfd[t].revents & POLLIN)
				serve(pfd[t].fd, &c);
	}
	_exit(0);
}

/* ---- the parent ---- */

void zc_receiver_init(struct zc_receiver *r)
{
	memset(r, 0, sizeof(*r));
	zc_child_init(&r->child, "the receiver");
	for (int t = 0; t < ZC_RECV_NTRANSPORTS; t++)
		r->lfd[t] = -1;
}

static void close_listeners(struct zc_receiver *r)
{
	for (int t = 0; t < ZC_RECV_NTRANSPORTS; t++)
		if (r->lfd[t] >= 0) {
			close(r->lfd[t]);
			r->lfd[t] = -1;
		}
}

int zc_receiver_start(struct zc_receiver *r,
		      const struct zc_receiver_config *cfg)
{
	static const int family[ZC_RECV_NTRANSPORTS] = {AF_INET, AF_UNIX};
	static const char *const name[ZC_RECV_NTRANSPORTS] = {"127.0.0.1",
							      "AF_UNIX"};
	pid_t pid;

	zc_receiver_init(r);
	for (int t = 0; t < ZC_RECV_NTRANSPORTS; t++) {
		int fd = zc_xfer_listen(family[t], &r->addr[t], &r->alen[t]);
		if (fd < 0) {
			snprintf(r->why, sizeof(r->why),
				 "cannot listen on %s: %s", name[t],
				 strerror(-fd));
			close_listeners(r);
			return fd;
		}
		r->lfd[t] = fd;
	}
	pid = zc_child_fork(&r->child, "the receiver", ZC_CHILD_ERR);
	if (pid < 0) {
		snprintf(r->why, sizeof(r->why),
			 "cannot start the receiver: fork: %s",
			 strerror((int)-pid));
		close_listeners(r);
		return (int)pid;
	}
	if (pid == 0)
		child_main(r->lfd, cfg);
	/* The child alone holds the listeners: once it is gone, a connect
	 * is refused at once instead of waiting in a backlog. */
	close_listeners(r);
	return 0;
}

int zc_receiver_connect(const struct zc_receiver *r, int t, double timeout_s)
{
	struct timeval tmo = {.tv_sec = (time_t)timeout_s};
	int fd;

	if (t < 0 || t >= ZC_RECV_NTRANSPORTS || !r->alen[t])
		return -EINVAL;
	tmo.tv_usec = (suseconds_t)((timeout_s - (double)tmo.tv_sec) * 1e6);
	fd = zc_xfer_connect(&r->addr[t], r->alen[t]);
	if (fd < 0 || timeout_s <= 0)
		return fd;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int zc_receiver_begin(int sock, uint64_t size, unsigned flags,
		      uint64_t kill_after)
{
	struct zc_recv_hdr h = {ZC_RECV_MAGIC, size, kill_after, flags, 0};
	char ready = 0;
	int err = io_full(sock, &h, sizeof(h), 1);

	if (!err)
		err = io_full(sock, &ready, 1, 0);
	return err ? err : ready == 1 ? 0 : -EPROTO;
}

int zc_receiver_end(int sock, struct zc_recv_reply *rp)
{
	if (shutdown(sock, SHUT_WR) < 0)
		return -errno;
	return io_full(sock, rp, sizeof(*rp), 0);
}

static int step_failed(struct zc_recv_send *s, int err, const char *what)
{
	snprintf(s->why, sizeof(s->why), "%s%s%s", what ? what : "",
		 what ? ": " : "", strerror(-err));
	return err;
}

int zc_receiver_send(struct zc_receiver *r, struct zc_xfer *x,
		     struct zc_recv_send *s)
{
	uint64_t t0;
	int sock, err, cerr;

	s->why[0] = s->how[0] = 0;
	s->gone = 0;
	s->ns = 0;
	s->cpu_start = s->cpu_end = -1;
	memset(&s->counts, 0, sizeof(s->counts));
	memset(&s->reply, 0, sizeof(s->reply));
	s->step = ZC_RECV_CONNECT;
	sock = zc_receiver_connect(r, s->transport, s->timeout_s);
	if (sock < 0) {
		err = step_failed(s, sock, "connect");
		goto gone;
	}
	s->step = ZC_RECV_ATTACH;
	err = zc_xfer_attach(x, sock);
	if (err < 0) {
		snprintf(s->why, sizeof(s->why), "%s", x->why);
		goto out;
	}
	s->step = ZC_RECV_HANDSHAKE;
	err = zc_receiver_begin(sock, x->size, s->flags, s->kill_after);
	if (err < 0) {
		step_failed(s, err, "handshake");
		goto out;
	}
	s->step = ZC_RECV_PREPARE;
	if (s->prepare && (err = s->prepare(s->arg)) != 0)
		goto out;
	/* The measured transfer: the receiver waits in recv() already. */
	s->step = ZC_RECV_SEND;
	if (s->ctr)
		zc_counters_start(s->ctr);
	s->cpu_start = sched_getcpu();
	t0 = zc_now_ns();
	err = zc_xfer_run(x);
	zc_inject(); /* a planted regression (test builds only) */
	if (err < 0 && x->why[0])
		snprintf(s->why, sizeof(s->why), "%s", x->why);
	else if (err < 0)
		step_failed(s, err, NULL);
	else if ((err = zc_receiver_end(sock, &s->reply)) < 0)
		step_failed(s, err, "reading the receiver's reply");
	/* zero-copy completions: the pages are free for reuse only now */
	cerr = zc_xfer_complete(x);
	if (!err && cerr) {
		err = cerr;
		snprintf(s->why, sizeof(s->why), "%s", x->why);
	}
	s->ns = zc_now_ns() - t0;
	s->cpu_end = sched_getcpu();
	if (s->ctr)
		zc_counters_stop(s->ctr, &s->counts);
	if (!err)
		s->step = ZC_RECV_DONE;
out:
	close(sock);
gone:
	/* A socket error comes before the receiver's exit status. */
	if (err && s->step != ZC_RECV_ATTACH && s->step != ZC_RECV_PREPARE &&
	    !zc_stopped())
		s->gone = zc_receiver_gone(r, 0.1, s->how, sizeof(s->how));
	return err;
}

int zc_receiver_failure(const struct zc_recv_send *s, int err, char *why,
			size_t len)
{
	if (s->gone)
		snprintf(why, len,
			 "the receiver died mid-transfer: %s (sender: %s)",
			 s->how, s->why);
	else if (s->step == ZC_RECV_HANDSHAKE)
		snprintf(why, len, "handshake with the receiver: %s",
			 strerror(-err));
	else
		snprintf(why, len, "%s", s->why);
	return s->gone != 0;
}

int zc_receiver_check(const struct zc_recv_send *s, uint64_t size, uint64_t sum,
		      int scpu, int rcpu, char *why, size_t len)
{
	const struct zc_recv_reply *rp = &s->reply;

	if (rp->err || rp->bytes != size) {
		snprintf(why, len, "the receiver got %llu of %llu bytes%s%s",
			 (unsigned long long)rp->bytes,
			 (unsigned long long)size, rp->err ? ": " : "",
			 rp->err ? strerror(-rp->err) : "");
		return -EIO;
	}
	if ((s->flags & ZC_RECV_CHECKSUM) && rp->sum != sum) {
		snprintf(why, len,
			 "checksum at the receiver differs from the file's: "
			 "data corrupted");
		return -EIO;
	}
	if ((scpu >= 0 && (s->cpu_start != scpu || s->cpu_end != scpu)) ||
	    (rcpu >= 0 && (rp->cpu_start != rcpu || rp->cpu_end != rcpu))) {
		snprintf(why, len,
			 "pinned sender %d / receiver %d ran on %d..%d / "
			 "%d..%d%s%s",
			 scpu, rcpu, s->cpu_start, s->cpu_end, rp->cpu_start,
			 rp->cpu_end, rp->pin_err ? ": " : "",
			 rp->pin_err ? strerror(-rp->pin_err) : "");
		return -EXDEV;
	}
	return 0;
}

int zc_receiver_gone(struct zc_receiver *r, double wait_s, char *how,
		     size_t len)
{
	uint64_t end = zc_now_ns() + (uint64_t)(wait_s * 1e9);
	const char *line;
	size_t n;

	if (r->child.pid <= 0) {
		snprintf(how, len, "not started");
		return 1;
	}
	while (!zc_child_poll(&r->child)) {
		if (zc_now_ns() >= end)
			return 0;
		usleep(2000);
	}
	zc_proc_status_text(r->child.status, how, len);
	line = zc_child_last_line(&r->child, 1);
	n = strlen(how);
	if (*line && n < len)
		snprintf(how + n, len - n, ": %s", line);
	return 1;
}

void zc_receiver_stop(struct zc_receiver *r)
{
	zc_child_kill(&r->child);
	close_listeners(r);
}
