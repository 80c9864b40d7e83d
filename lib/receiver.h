/* SPDX-License-Identifier: MIT */
#ifndef ZC_RECEIVER_H
#define ZC_RECEIVER_H
/*
 * receiver — the far end of a file-to-socket transfer: a child process
 * (lib/proc.h), pinned to its own CPU, that takes one connection per
 * transfer on a TCP loopback or an AF_UNIX listener, reads the stream to
 * EOF (checksummed, or spliced to /dev/null), and replies with what it got
 * and what that cost it: bytes, checksum, the CPUs it ran on, its perf
 * counters and rusage over the transfer.
 *
 * Usage:
 *	struct zc_receiver r;
 *	struct zc_receiver_config cfg = {.topo = &topo, .cpu = 1,
 *					 .events = &events};
 *	zc_receiver_init(&r);			(stop is then a no-op)
 *	zc_receiver_start(&r, &cfg);		(listens, forks the child)
 *	per transfer:
 *		sock = zc_receiver_connect(&r, ZC_RECV_TCP, timeout_s);
 *		zc_receiver_begin(sock, size, ZC_RECV_CHECKSUM, 0);
 *		... send the bytes (the receiver waits in recv already) ...
 *		zc_receiver_end(sock, &reply);	(EOF sent, reply read)
 *		close(sock);
 *	after an error on the socket:
 *		zc_receiver_gone(&r, 0.1, how, sizeof(how)) says whether the
 *		receiver died, and how ("killed by signal 9 (Killed)");
 *	zc_receiver_stop(&r);			(kills, reaps, closes)
 * or, per transfer, zc_receiver_send(&r, &xfer, &send): the whole sender's
 * side of one transfer of a lib/xfer.h method, timed as a benchmark
 * times it.
 *
 * The child leaves when zc_stopped() (it inherits zcbench's SIGINT/SIGTERM
 * handlers and goes with the process group) or with its parent (death
 * signal); zc_receiver_stop kills and reaps it on every other path. The
 * counters are opened once in the child, for its one thread, and started
 * before the ready byte, stopped at EOF: the window the sender times.
 *
 * Wire protocol, one connection per transfer. Integers in the host's byte
 * order: both ends are one build on one machine (the child is a fork).
 *   1. sender -> receiver, the header, 32 bytes (struct zc_recv_hdr):
 *	  0  u64 magic	    ZC_RECV_MAGIC; anything else: the receiver
 *			    closes the connection without a reply
 *	  8  u64 size	    bytes the sender means to send (not enforced:
 *			    the reply says what came)
 *	 16  u64 kill_after >0: the receiver raises SIGKILL once it has
 *			    received that many bytes (fault injection)
 *	 24  u32 flags	    ZC_RECV_CHECKSUM: recv() into the buffer and
 *			    checksum (lib/csum.h); else recv() or splice as
 *			    configured, not checksummed
 *	 28  u32 pad	    0
 *   2. receiver -> sender, ready: 1 byte, value 1, once its counters run.
 *   3. sender -> receiver: the data, then EOF (shutdown(SHUT_WR)).
 *   4. receiver -> sender, the reply (struct zc_recv_reply, sizeof bytes):
 *	  0  u64 bytes	    received before EOF
 *	  8  u64 sum	    zc_csum of those bytes; 0 without ZC_RECV_CHECKSUM
 *	 16  i32 err	    0, or -errno of the receive
 *	 20  i32 pin_err    0, or -errno of pinning to cfg.cpu at start-up
 *	 24  i32 cpu_start  sched_getcpu() before the ready byte
 *	 28  i32 cpu_end    sched_getcpu() at EOF
 *	 32  struct zc_counts counts  (lib/counters.h, this build's layout):
 *			    cfg.events over steps 2..3, rusage and thread
 *			    CPU time always
 *   The receiver then closes the connection and waits for the next one.
 *
 * Only the child holds the listeners (the parent closes its copies after
 * the fork), so once the receiver is gone a connect is refused at once.
 *
 * Limitations: one transfer at a time (the child serves connections in
 * turn); loopback only (127.0.0.1, abstract AF_UNIX names); the buffer is
 * ZC_RECV_BUF bytes, touched at start-up. A child that cannot set itself
 * up exits 1 with the reason on its stderr, which gone() reports.
 *
 * Errors: 0 or -errno. zc_receiver_start: -errno of socket/bind/listen
 * (why says which listener) or fork. zc_receiver_connect: -errno of
 * socket/connect (-ECONNREFUSED: the receiver is gone), -EINVAL (no such
 * transport, not started). zc_receiver_begin/end: -ECONNRESET (the
 * receiver closed the connection early: a bad header, or it died),
 * -EPIPE, -EAGAIN (nothing within the timeout), -EINTR (stopped), -EPROTO
 * (a ready byte other than 1). zc_receiver_send: any of these or the
 * method's (lib/xfer.h), with the step; zc_receiver_check: -EIO, -EXDEV.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "counters.h"
#include "proc.h"
#include "topo.h"
#include "xfer.h"

#define ZC_RECV_MAGIC	 0x7a6373656e646669ull /* "zcsendfi" */
#define ZC_RECV_CHECKSUM 1u
#define ZC_RECV_BUF	 (256u << 10) /* the receiver's buffer, bytes */
#define ZC_RECV_WHY	 160

/* The listeners, by transport. */
enum {
	ZC_RECV_TCP,  /* 127.0.0.1, a port the kernel chose */
	ZC_RECV_UNIX, /* AF_UNIX stream, abstract name */
	ZC_RECV_NTRANSPORTS
};

struct zc_recv_hdr {
	uint64_t magic, size, kill_after;
	uint32_t flags, pad;
};

struct zc_recv_reply {
	uint64_t bytes, sum;
	int32_t err, pin_err, cpu_start, cpu_end;
	struct zc_counts counts;
};

struct zc_receiver_config {
	const struct zc_topo *topo; /* for pinning; NULL: not pinned */
	int cpu;		    /* the receiver's CPU; -1: not pinned */
	int splice; /* unchecksummed transfers: socket -> pipe -> /dev/null */
	const struct zc_evset *events; /* counted per transfer; NULL: none */
};

struct zc_receiver {
	struct zc_child child;
	int lfd[ZC_RECV_NTRANSPORTS]; /* listeners, -1 none */
	struct sockaddr_storage addr[ZC_RECV_NTRANSPORTS];
	socklen_t alen[ZC_RECV_NTRANSPORTS];
	char why[ZC_RECV_WHY]; /* what start() could not do */
};

/* An empty receiver (no process, no sockets). */
void zc_receiver_init(struct zc_receiver *r);

/* Listen on both transports and fork the child (from the thread that
 * outlives it: lib/proc.h). 0 or -errno with why set; nothing is left
 * open on failure. */
int zc_receiver_start(struct zc_receiver *r,
		      const struct zc_receiver_config *cfg);

/* A connected socket to the receiver over transport t (ZC_RECV_TCP,
 * ZC_RECV_UNIX), with send and receive timeouts of timeout_s (0: none) so
 * that a stuck receiver cannot hang the sender. The fd or -errno. */
int zc_receiver_connect(const struct zc_receiver *r, int t, double timeout_s);

/* Steps 1-2: send the header, wait for the ready byte. 0 or -errno. */
int zc_receiver_begin(int sock, uint64_t size, unsigned flags,
		      uint64_t kill_after);

/* Steps 3-4 after the data: shut the sending side and read the reply.
 * 0 or -errno. */
int zc_receiver_end(int sock, struct zc_recv_reply *rp);

/*
 * Has the receiver exited? Waits up to wait_s for it to (a socket error is
 * seen before the exit status is). 1 when it has, with how it ended in how
 * ("killed by signal 9 (Killed)", "exited with status 1: <its last stderr
 * line>"); 0 while it lives. A receiver that exited stays reaped.
 */
int zc_receiver_gone(struct zc_receiver *r, double wait_s, char *how,
		     size_t len);

/* The steps of zc_receiver_send, to say where it stopped. */
enum zc_recv_step {
	ZC_RECV_DONE,
	ZC_RECV_CONNECT,
	ZC_RECV_ATTACH, /* the method refuses this socket (x->why) */
	ZC_RECV_HANDSHAKE,
	ZC_RECV_PREPARE, /* the caller's prepare() */
	ZC_RECV_SEND,	 /* zc_xfer_run, the reply or the completions */
};

struct zc_recv_send {
	/* in */
	int transport;		 /* ZC_RECV_TCP, ZC_RECV_UNIX */
	double timeout_s;	 /* send and receive timeouts (0: none) */
	unsigned flags;		 /* ZC_RECV_CHECKSUM */
	uint64_t kill_after;	 /* the header's (0: none) */
	struct zc_counters *ctr; /* opened on this thread; NULL: none */
	int (*prepare)(void *arg);
	void *arg;
	/* out */
	enum zc_recv_step step; /* ZC_RECV_DONE, or the step that failed */
	char why[ZC_RECV_WHY];	/* what failed, as the sender saw it */
	int gone;		/* the receiver has died: how it ended */
	char how[ZC_RECV_WHY];
	uint64_t ns;		 /* the timed region */
	int cpu_start, cpu_end;	 /* the sender's CPU at its start and end */
	struct zc_counts counts; /* the sender's (ctr), over the region */
	struct zc_recv_reply reply;
};

/*
 * One transfer of x's file (x initialised, no socket attached yet):
 * connect over s->transport, zc_xfer_attach, header and ready, then
 * s->prepare(s->arg) when given (untimed, after the handshake: a page
 * cache drop belongs here), then the timed region: s->ctr started,
 * zc_xfer_run, EOF and the reply, zc_xfer_complete, s->ctr stopped. The
 * socket is closed on return. 0 with s->reply to check against the file;
 * else the -errno of step s->step with s->why ("connect: ...",
 * "handshake: ...", the method's x->why, "reading the receiver's reply:
 * ..."); a prepare() that returns non-zero ends it with that value.
 * After a failed connect, handshake or send (and no stop), s->gone says
 * whether the receiver died (zc_receiver_gone, 0.1 s), s->how how.
 */
int zc_receiver_send(struct zc_receiver *r, struct zc_xfer *x,
		     struct zc_recv_send *s);

/*
 * A failed zc_receiver_send (err, its -errno; not stopped) in a sentence,
 * to why: "the receiver died mid-transfer: <how> (sender: <why>)" when
 * s->gone, "handshake with the receiver: <strerror>" at the handshake,
 * else s->why. 1 when the receiver died (no later transfer can run), else
 * 0.
 */
int zc_receiver_failure(const struct zc_recv_send *s, int err, char *why,
			size_t len);

/*
 * The self-checks of a transfer zc_receiver_send completed: all size bytes
 * arrived, their checksum is sum (when s->flags had ZC_RECV_CHECKSUM), and
 * both ends ran where they were pinned (scpu, rcpu; -1: not checked).
 * 0, -EIO (bytes or checksum) or -EXDEV (placement), with why.
 */
int zc_receiver_check(const struct zc_recv_send *s, uint64_t size, uint64_t sum,
		      int scpu, int rcpu, char *why, size_t len);

/* Kill and reap the child, close the listeners; a no-op when stopped. */
void zc_receiver_stop(struct zc_receiver *r);

#endif
