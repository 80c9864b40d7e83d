/* SPDX-License-Identifier: MIT */
#ifndef ZC_CHAN_H
#define ZC_CHAN_H
/*
 * chan — one-way message channels behind one interface: the SPSC ring
 * (lib/ring.h) and its peers, a mutex+condvar bounded queue (the Disruptor
 * paper's ArrayBlockingQueue stand-in), a pipe, an AF_UNIX stream socket,
 * Concurrency Kit's ck_ring and boost::lockfree::spsc_queue. Every family
 * carries the same message stream (lib/ring.h's zc_msg_fill: sequence +
 * checksum) and is read by the same consumer loop, which verifies every
 * message. A
 * pair of channels runs one repetition of a benchmark (tput: one way as
 * fast as it goes; rtt: ping-pong over two channels; lat: open loop at an
 * offered rate, latency from the intended send time) between two pinned
 * threads, or between a thread and a forked consumer process
 * (lib/chanpair.h).
 *
 * Usage (lib/chanpair.h runs a pair of these for zcbench ring):
 *	struct zc_chan_cfg cfg = {.size = 64, .batch = 8, .cap = 4096,
 *				  .iso = 128, .node = -1};
 *	struct zc_chan_shared *sh = (mmap'ed MAP_SHARED for a forked peer);
 *	struct zc_chan c;			(128-byte aligned)
 *	zc_chan_shared_init(sh, ZC_CHAN_TPUT);
 *	err = zc_chan_open(&c, ZC_CHAN_PIPE, &cfg, sh);
 *	producer thread: zc_chan_loop(&c, NULL, ZC_CHAN_PRODUCER, n);
 *	consumer thread: zc_chan_loop(&c, NULL, ZC_CHAN_CONSUMER, n);
 *	(join) sh->prod, sh->cons: err, bad_seq, times, CPU time, CPUs;
 *	       sh->hist (lat)
 *	zc_chan_close(&c);
 * rtt opens two channels, fwd and back: zc_chan_loop(&fwd, &back, ...).
 *
 * The loops (chan.c) are written once and instantiated per family over a
 * const table of the always-inline operations below, so the ring's hot
 * path has no indirect call that the peers would not have. A family's
 * operations: claim n slots, give them as contiguous runs (seg) that the
 * loop fills with zc_msg_fill_n, publish them; receive up to max, give
 * them as runs (rseg) that the loop checks with zc_msg_verify_n (one
 * branch per run), release them; quit (streams: close one's end so that a
 * peer blocked in read/write sees EOF/EPIPE). The ring is formatted in
 * slot-sequence mode (lib/ring.h): its consumer learns what is published
 * from the slots, not from the producer's index line.
 *
 * Stopping. Both sides watch the shared flags while they wait (every 1024
 * spins, every 10 ms of a condvar wait, on EINTR): abort (the other side
 * failed), final (the producer's time box ran out: `final` messages were
 * sent, take them and stop), zc_stopped() (a signal), and the forked
 * consumer's exit (zc_child_poll). A time-boxed producer checks the clock
 * every 256 batches.
 *
 * Process mode (cfg.process): the memory is MAP_SHARED (memfd) and mapped
 * before fork, so pointers stay valid in the child; the mutex and condvars
 * are process-shared and robust (a peer that dies holding the lock is
 * -EPIPE, not a hang); ck_ring's indices live in the shared block. After
 * fork each process calls zc_chan_after_fork for the role it plays: a
 * stream drops the end it does not use (so that the peer's exit is EOF or
 * EPIPE), the child attaches to the ring as an outside process would
 * (header checked against the geometry it expects). The consumer watches
 * the forked child set in c->child (zc_child_poll) while it waits.
 *
 * Limitations: one producer and one consumer per channel. SIGPIPE must be
 * ignored (zc_bench_signals_install does): a closed stream is then EPIPE,
 * not death. Fork from the thread that outlives the child (lib/proc.h).
 * ck_ring is available only where Concurrency Kit was built in, and not
 * under ThreadSanitizer (its fences are inline assembly TSan cannot see);
 * boost only where a C++ compiler and boost/lockfree were found
 * (lib/chan_boost.cpp). Sizes: 8 (the raw sequence) or 32..4096 bytes, a
 * multiple of 8; batch 1..cap; cap a power of two (the pipe's buffer is
 * cap x size bytes, capped by the kernel's pipe-max-size; boost's queue
 * holds cap x size bytes of words; unix ignores cap; only the ring uses
 * iso).
 *
 * Errors: 0 or -errno. zc_chan_open: -EINVAL (geometry), -EOPNOTSUPP (the
 * family is not available here: zc_chan_available says why), -ENOMEM,
 * errno of pipe2/socketpair, zc_ring_create's and zc_mem_alloc's errors;
 * zc_chan_after_fork: zc_ring_attach_mem's. A side's result (sh->prod.err,
 * sh->cons.err): -EBADMSG (checksum mismatch) or -EILSEQ (wrong sequence:
 * a loss, duplicate or reordering) with bad_seq, -EPIPE (the peer went
 * away), -ECANCELED (stopped because the other side failed), -EINTR
 * (zc_stopped), or a system call's -errno.
 *
 * Adding a transport (in this order):
 *  1. here: the family in enum zc_chan_family, its state in struct zc_chan
 *     (producer fields after pseq, consumer fields after cseq), its
 *     operations in the hot-path section (always-inline, -errno from the
 *     waits through zc_chan_peer_gone);
 *  2. chan.c: open/close (and after_fork if a process must drop or
 *     re-attach something), the loops' instantiation (DEFINE_LOOPS), its
 *     entry in families[] and, to offer it in `zcbench ring`, in
 *     zc_chan_transports[] (name, parameters it uses, spins, kernel);
 *  3. tests/test_chan.c runs every family between threads and between
 *     processes (lib/chanpair.h): make it pass, under TSan too;
 *  4. cmd/ring.c: the --transport help text and default (the words come
 *     from zc_chan_transports); tests/cli_ring.sh's list; README.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#ifdef ZC_HAVE_CK
#include <ck_ring.h>
#endif
#ifdef ZC_HAVE_BOOST
#include "chan_boost.h"
#endif

#include "counters.h"
#include "proc.h"
#include "ring.h"
#include "shm.h"
#include "stats.h"

#define ZC_CHAN_INLINE static inline __attribute__((always_inline))

enum zc_chan_family {
	ZC_CHAN_RING,
	ZC_CHAN_MUTEX,
	ZC_CHAN_PIPE,
	ZC_CHAN_UNIX,
	ZC_CHAN_CK,
	ZC_CHAN_BOOST,
	ZC_CHAN_NFAMILIES
};

enum zc_chan_mode {
	ZC_CHAN_TPUT,
	ZC_CHAN_RTT,
	ZC_CHAN_LAT
};

/* The two sides; in rtt the producer pings and the consumer pongs. */
enum {
	ZC_CHAN_PRODUCER,
	ZC_CHAN_CONSUMER
};

struct zc_chan_cfg {
	uint32_t size;	    /* message (slot) bytes: 32..4096, multiple of 8 */
	uint32_t batch;	    /* messages per claim/publish, write or lock */
	uint64_t cap;	    /* slots, a power of two */
	uint32_t iso;	    /* ring: 64 or 128 bytes between its blocks */
	int node;	    /* NUMA node of the memory, -1 local */
	unsigned mem_flags; /* 0 or ZC_MEM_HUGE */
	int process;	    /* the consumer will be a forked process */
};

/* Parameters a transport uses (the others do not apply to it). */
#define ZC_CHAN_USES_CAP 1u
#define ZC_CHAN_USES_ISO 2u

/* zcbench ring's transports: a family, and where the consumer runs. */
struct zc_chan_transport {
	const char *name; /* --transport word, case names */
	enum zc_chan_family family;
	int process;   /* the consumer is a forked process */
	unsigned uses; /* ZC_CHAN_USES_* */
	int spins;     /* both sides busy-poll: CPU time == wall time */
	int kernel;    /* messages pass through kernel buffers, no memory */
};
extern const struct zc_chan_transport zc_chan_transports[]; /* {NULL} ends */

const struct zc_chan_transport *zc_chan_transport_find(const char *name);
/* 1 when the family can run here; 0 with the reason in why. */
int zc_chan_available(enum zc_chan_family f, char *why, size_t len);
const char *zc_chan_family_name(enum zc_chan_family f);

/* What one side did. */
struct zc_chan_side {
	int err;	  /* 0, or why it stopped (-errno) */
	uint64_t bad_seq; /* the sequence that failed its check */
	uint64_t t0, t1;  /* zc_now_ns at its start and end */
	uint64_t cpu_ns;  /* thread CPU time in between */
	int cpu_start, cpu_end;
	struct zc_counts counts; /* perf counters (lib/chanpair.h) */
};

/* What both sides share; MAP_SHARED by the pair, so that a forked
 * consumer reports here. Each group one side writes has its own lines. */
struct zc_chan_shared {
	/* Set before the sides start, read-only while they run. */
	int mode;	     /* enum zc_chan_mode */
	uint64_t rate;	     /* lat: offered messages per second */
	uint64_t budget_ns;  /* 0: send all; else stop after this long */
	uint64_t corrupt_at; /* test hook: damaged message; UINT64_MAX none */
	_Alignas(128) atomic_int go;	/* the producer's clock has started */
	_Alignas(128) atomic_int abort; /* one side failed: the other stops */
	/* The producer ran out of time (budget_ns) and sent only `final`
	 * messages (rtt: round trips); UINT64_MAX while it goes on. */
	_Alignas(128) _Atomic uint64_t final;
	_Alignas(128) struct zc_chan_side prod;
	_Alignas(128) struct zc_chan_side cons;
	struct zc_hist hist; /* lat: written by the consumer only */
};

/* The mutex+condvar bounded queue's shared header (the Disruptor paper's
 * ArrayBlockingQueue); the messages follow it. */
struct zc_chan_mq {
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	uint64_t head, tail; /* messages put / taken */
	unsigned char *buf;
};

/* One direction. Producer and consumer state sit on their own blocks so
 * that the peers' bookkeeping does not false-share. */
struct zc_chan {
	enum zc_chan_family family;
	struct zc_chan_cfg cfg;
	struct zc_chan_shared *sh;
	struct zc_child *child; /* the forked consumer, watched; or NULL */
	struct zc_ring ring;
	struct zc_chan_mq *mq;
	struct zc_mem mem; /* mq / ck memory */
	int fd[2];	   /* pipe, unix: [0] read end, [1] write end */
#ifdef ZC_HAVE_CK
	struct ck_ring *ck; /* in mem, shared with a forked peer */
	struct ck_ring_buffer *ckbuf;
#endif
	void *bq;	     /* boost: its spsc_queue, in mem */
	unsigned char *pool; /* ck: the messages its pointers point to */
	uint64_t pool_mask;
	_Alignas(128) uint64_t pseq; /* producer: next sequence */
	unsigned char *pbuf;	     /* producer staging (peers) */
	_Alignas(128) uint64_t cseq; /* consumer: next sequence */
	unsigned char *cbuf;	     /* consumer staging (peers) */
	size_t chave;		     /* bytes in cbuf (streams) */
	uint64_t idsum;		     /* running sum of the ids received */
	const void *cptr;	     /* ck: the message dequeued */
	_Alignas(128) char end[1];
};

/* Zero the flags and sides, final = UINT64_MAX, the histogram empty. */
void zc_chan_shared_init(struct zc_chan_shared *sh, int mode);
/* Open one channel of family f in sh's run (memory touched, indices 0). */
int zc_chan_open(struct zc_chan *c, enum zc_chan_family f,
		 const struct zc_chan_cfg *cfg, struct zc_chan_shared *sh);
void zc_chan_close(struct zc_chan *c);
/* The memory the messages pass through (binding, page size), or NULL for
 * kernel buffers (pipe, unix). */
const struct zc_mem *zc_chan_mem(const struct zc_chan *c);
/* Run one side in sh->mode: tput/lat produce or consume `count` messages
 * on fwd, rtt pings (producer) or pongs (consumer) `count` round trips
 * over fwd and back. The result is in fwd->sh->prod or ->cons. */
void zc_chan_loop(struct zc_chan *fwd, struct zc_chan *back, int role,
		  uint64_t count);
/* After fork, in each process, for the role it plays on c. 0 or -errno. */
int zc_chan_after_fork(struct zc_chan *c, int role, int child);
/* While waiting: 0 to go on, or why to stop (-EINTR, -ECANCELED: the
 * other side failed, -ESHUTDOWN: the producer stopped early, -EPIPE: the
 * consumer process exited). */
int zc_chan_peer_gone(struct zc_chan *c);
/* A spinning wait (the ring's wait hook, ck): relax, and every 1024th
 * call ask zc_chan_peer_gone(arg). */
int zc_chan_spin_wait(void *arg, _Atomic uint64_t *word, uint64_t seen,
		      uint64_t iter);

/* ---- hot path: the families' operations ------------------------------- */

/* The ring: the slots are the messages. */
ZC_CHAN_INLINE int zc_chan_ring_claim(struct zc_chan *c, uint32_t n,
				      uint64_t *lo)
{
	return zc_ring_claim(&c->ring, n, lo);
}

ZC_CHAN_INLINE void *zc_chan_ring_seg(struct zc_chan *c, uint64_t seq,
				      uint32_t n, uint32_t *k)
{
	return zc_ring_run(&c->ring, seq, n, k);
}

ZC_CHAN_INLINE int zc_chan_ring_publish(struct zc_chan *c, uint64_t lo,
					uint32_t n)
{
	zc_ring_publish(&c->ring, lo, lo + n - 1);
	return 0;
}

ZC_CHAN_INLINE int zc_chan_ring_receive(struct zc_chan *c, uint32_t max,
					uint64_t *lo)
{
	return zc_ring_wait_avail(&c->ring, max, lo);
}

ZC_CHAN_INLINE const void *zc_chan_ring_rseg(struct zc_chan *c, uint64_t seq,
					     uint32_t n, uint32_t *k)
{
	return zc_ring_run(&c->ring, seq, n, k);
}

ZC_CHAN_INLINE void zc_chan_ring_release(struct zc_chan *c, uint64_t lo,
					 uint32_t n)
{
	zc_ring_consume(&c->ring, lo + n - 1);
}

/* The peers stage a batch in private buffers and copy it in one go. */
ZC_CHAN_INLINE int zc_chan_stage_claim(struct zc_chan *c, uint32_t n,
				       uint64_t *lo)
{
	*lo = c->pseq;
	return 0;
}

ZC_CHAN_INLINE void *zc_chan_stage_seg(struct zc_chan *c, uint64_t seq,
				       uint32_t n, uint32_t *k)
{
	*k = n;
	return c->pbuf + (size_t)(seq - c->pseq) * c->cfg.size;
}

ZC_CHAN_INLINE const void *zc_chan_stage_rseg(struct zc_chan *c, uint64_t seq,
					      uint32_t n, uint32_t *k)
{
	*k = n;
	return c->cbuf + (size_t)(seq - c->cseq) * c->cfg.size;
}

/* Mutex + condvar queue. */
int zc_chan_mq_wait(struct zc_chan *c, pthread_cond_t *cv);

ZC_CHAN_INLINE int zc_chan_mq_lock(struct zc_chan_mq *q)
{
	int e = pthread_mutex_lock(&q->lock);

	if (__builtin_expect(e == EOWNERDEAD, 0)) {
		/* Robust (process mode): the peer died holding the lock. */
		pthread_mutex_consistent(&q->lock);
		pthread_mutex_unlock(&q->lock);
		return -EPIPE;
	}
	return -e;
}

/* Copy n messages between a staging buffer and the circular queue. */
ZC_CHAN_INLINE void zc_chan_mq_copy(struct zc_chan *c, uint64_t at,
				    unsigned char *buf, uint32_t n, int put)
{
	uint64_t cap = c->cfg.cap, i = at & (cap - 1);
	size_t sz = c->cfg.size, first = (size_t)(cap - i < n ? cap - i : n);
	unsigned char *q = c->mq->buf;

	if (put) {
		memcpy(q + i * sz, buf, first * sz);
		memcpy(q, buf + first * sz, (n - first) * sz);
	} else {
		memcpy(buf, q + i * sz, first * sz);
		memcpy(buf + first * sz, q, (n - first) * sz);
	}
}

ZC_CHAN_INLINE int zc_chan_mq_publish(struct zc_chan *c, uint64_t lo,
				      uint32_t n)
{
	struct zc_chan_mq *q = c->mq;
	int err = zc_chan_mq_lock(q);

	if (err)
		return err;
	while (q->head + n - q->tail > c->cfg.cap && !err)
		err = zc_chan_mq_wait(c, &q->not_full);
	if (!err) {
		zc_chan_mq_copy(c, q->head, c->pbuf, n, 1);
		q->head += n;
		pthread_cond_signal(&q->not_empty);
	}
	pthread_mutex_unlock(&q->lock);
	c->pseq += n;
	return err;
}

ZC_CHAN_INLINE int zc_chan_mq_receive(struct zc_chan *c, uint32_t max,
				      uint64_t *lo)
{
	struct zc_chan_mq *q = c->mq;
	uint32_t n = 0;
	int err = zc_chan_mq_lock(q);

	if (err)
		return err;
	while (q->head == q->tail && !err)
		err = zc_chan_mq_wait(c, &q->not_empty);
	if (!err) {
		n = q->head - q->tail < max ? (uint32_t)(q->head - q->tail)
					    : max;
		zc_chan_mq_copy(c, q->tail, c->cbuf, n, 0);
		q->tail += n;
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->lock);
	*lo = c->cseq;
	return err ? err : (int)n;
}

ZC_CHAN_INLINE void zc_chan_mq_release(struct zc_chan *c, uint64_t lo,
				       uint32_t n)
{
	c->cseq += n;
}

/* Pipe and AF_UNIX stream. After a failed read or write: 0 to try again
 * (interrupted, and nobody asks to stop), or why to stop. */
ZC_CHAN_INLINE int zc_chan_fd_error(struct zc_chan *c)
{
	return errno == EINTR ? zc_chan_peer_gone(c) : -errno;
}

ZC_CHAN_INLINE int zc_chan_fd_publish(struct zc_chan *c, uint64_t lo,
				      uint32_t n)
{
	size_t len = (size_t)n * c->cfg.size, done = 0;
	int err;

	while (done < len) {
		ssize_t w = write(c->fd[1], c->pbuf + done, len - done);
		if (w >= 0)
			done += (size_t)w;
		else if ((err = zc_chan_fd_error(c)))
			return err;
	}
	c->pseq += n;
	return 0;
}

/* Read until at least one whole message is there; a partial message stays
 * at the end of cbuf for the next call. */
ZC_CHAN_INLINE int zc_chan_fd_receive(struct zc_chan *c, uint32_t max,
				      uint64_t *lo)
{
	size_t sz = c->cfg.size, want = (size_t)max * sz;
	int err;

	while (c->chave < sz) {
		ssize_t r = read(c->fd[0], c->cbuf + c->chave, want - c->chave);
		if (r > 0)
			c->chave += (size_t)r;
		else if (r == 0)
			return -EPIPE; /* the producer went away early */
		else if ((err = zc_chan_fd_error(c)))
			return err;
	}
	*lo = c->cseq;
	return (int)(c->chave / sz);
}

ZC_CHAN_INLINE void zc_chan_fd_release(struct zc_chan *c, uint64_t lo,
				       uint32_t n)
{
	size_t used = (size_t)n * c->cfg.size;

	c->cseq += n;
	c->chave -= used;
	if (c->chave)
		memmove(c->cbuf, c->cbuf + used, c->chave);
}

#ifdef ZC_HAVE_CK
/*
 * ck_ring carries pointers. The producer writes message s into
 * pool[s % 2C] and enqueues its address; the consumer reads one message
 * at a time. The ring holds at most C-1 entries and a batch is at most C,
 * so the slot being written is never the one being read. ck_ring's own
 * fences (ck_pr) order the pool writes before the enqueue.
 */

ZC_CHAN_INLINE int zc_chan_ck_claim(struct zc_chan *c, uint32_t n, uint64_t *lo)
{
	*lo = c->pseq;
	return 0;
}

ZC_CHAN_INLINE void *zc_chan_ck_slot(struct zc_chan *c, uint64_t seq)
{
	return c->pool + (size_t)(seq & c->pool_mask) * c->cfg.size;
}

ZC_CHAN_INLINE void *zc_chan_ck_seg(struct zc_chan *c, uint64_t seq, uint32_t n,
				    uint32_t *k)
{
	uint64_t room = c->pool_mask + 1 - (seq & c->pool_mask);

	*k = n < room ? n : (uint32_t)room;
	return zc_chan_ck_slot(c, seq);
}

ZC_CHAN_INLINE int zc_chan_ck_publish(struct zc_chan *c, uint64_t lo,
				      uint32_t n)
{
	for (uint64_t s = lo; s < lo + n; s++) {
		uint64_t iter = 0;
		while (!ck_ring_enqueue_spsc(c->ck, c->ckbuf,
					     zc_chan_ck_slot(c, s))) {
			int err = zc_chan_spin_wait(c, NULL, 0, iter++);
			if (err)
				return err;
		}
	}
	c->pseq += n;
	return 0;
}

ZC_CHAN_INLINE int zc_chan_ck_receive(struct zc_chan *c, uint32_t max,
				      uint64_t *lo)
{
	uint64_t iter = 0;
	void *ptr;

	while (!ck_ring_dequeue_spsc(c->ck, c->ckbuf, &ptr)) {
		int err = zc_chan_spin_wait(c, NULL, 0, iter++);
		if (err)
			return err;
	}
	c->cptr = ptr;
	*lo = c->cseq;
	return 1;
}

ZC_CHAN_INLINE const void *zc_chan_ck_rseg(struct zc_chan *c, uint64_t seq,
					   uint32_t n, uint32_t *k)
{
	*k = 1; /* receive gave one */
	return c->cptr;
}

ZC_CHAN_INLINE void zc_chan_ck_release(struct zc_chan *c, uint64_t lo,
				       uint32_t n)
{
	c->cseq += n;
}
#endif

#ifdef ZC_HAVE_BOOST
/*
 * boost::lockfree::spsc_queue of message words (lib/chan_boost.h): a batch
 * staged in pbuf is pushed whole (in parts while the queue is full); the
 * consumer pops whole messages into cbuf, a partial one staying there as
 * with the streams (zc_chan_fd_release moves it down).
 */
ZC_CHAN_INLINE int zc_chan_boost_publish(struct zc_chan *c, uint64_t lo,
					 uint32_t n)
{
	const uint64_t *w = (const uint64_t *)c->pbuf;
	size_t left = (size_t)n * c->cfg.size / 8;
	uint64_t iter = 0;
	int err;

	while (left) {
		size_t k = zc_boost_push(c->bq, w, left);
		w += k;
		left -= k;
		if (!k && (err = zc_chan_spin_wait(c, NULL, 0, iter++)))
			return err;
	}
	c->pseq += n;
	return 0;
}

ZC_CHAN_INLINE int zc_chan_boost_receive(struct zc_chan *c, uint32_t max,
					 uint64_t *lo)
{
	size_t sz = c->cfg.size, want = (size_t)max * sz;
	uint64_t iter = 0;
	int err;

	while (c->chave < sz) {
		size_t k = zc_boost_pop(c->bq, (uint64_t *)(c->cbuf + c->chave),
					(want - c->chave) / 8);
		c->chave += 8 * k;
		if (!k && (err = zc_chan_spin_wait(c, NULL, 0, iter++)))
			return err;
	}
	*lo = c->cseq;
	return (int)(c->chave / sz);
}
#endif

#endif
