/* SPDX-License-Identifier: MIT */
/*
 * chan — the families' open/close, the loops written once and instantiated
 * per family, the transports zcbench ring offers.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "chan.h"
#include "inject.h"
#include "clock.h"
#include "topo.h"

/* Checks between spins: rare enough to cost nothing on the hot path. */
#define POLL_MASK 1023

int zc_chan_peer_gone(struct zc_chan *c)
{
	if (zc_stopped())
		return -EINTR;
	/* relaxed: a flag; the failing side's report is read after join */
	if (atomic_load_explicit(&c->sh->abort, memory_order_relaxed))
		return -ECANCELED;
	/* acquire: what the producer published before it stopped early is
	 * visible when the waiter looks again */
	if (atomic_load_explicit(&c->sh->final, memory_order_acquire) !=
	    UINT64_MAX)
		return -ESHUTDOWN;
	if (c->child && c->child->pid > 0 && zc_child_poll(c->child))
		return -EPIPE;
	return 0;
}

int zc_chan_spin_wait(void *arg, _Atomic uint64_t *word, uint64_t seen,
		      uint64_t iter)
{
	if ((iter & POLL_MASK) == POLL_MASK)
		return zc_chan_peer_gone(arg);
	zc_cpu_relax();
	return 0;
}

/* Wait on cv with a short timeout so that a stop or a failed peer is
 * noticed; the lock is held (and still held on return). */
int zc_chan_mq_wait(struct zc_chan *c, pthread_cond_t *cv)
{
	struct timespec ts;
	int err = zc_chan_peer_gone(c);

	if (err)
		return err;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 10000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	if (pthread_cond_timedwait(cv, &c->mq->lock, &ts) == EOWNERDEAD) {
		pthread_mutex_consistent(&c->mq->lock);
		return -EPIPE; /* the forked peer died holding the lock */
	}
	return 0;
}

/* ---- open and close ---------------------------------------------------- */

static unsigned mem_kind(const struct zc_chan *c)
{
	/* A forked peer needs the very pages: MAP_SHARED, mapped before. */
	return (c->cfg.process ? ZC_MEM_MEMFD : ZC_MEM_PRIVATE) |
	       c->cfg.mem_flags;
}

static void ring_hooks(struct zc_chan *c)
{
	c->ring.prod_wait =
		(struct zc_ring_wait){.wait = zc_chan_spin_wait, .arg = c};
	c->ring.cons_wait = c->ring.prod_wait;
}

static int ring_open(struct zc_chan *c)
{
	struct zc_ring_cfg cfg = {.slot_size = c->cfg.size,
				  .capacity = c->cfg.cap,
				  .isolation = c->cfg.iso,
				  .node = c->cfg.node,
				  .mem_flags = mem_kind(c),
				  .flags = ZC_RING_F_SLOT_SEQ};
	int err = zc_ring_create(&c->ring, &cfg);

	if (err == -ENOMEM && (cfg.mem_flags & ZC_MEM_HUGE)) {
		/* shm.c falls back to small pages only when memfd_create
		 * refuses MFD_HUGETLB; with no huge pages reserved the mmap
		 * fails instead. Fall back here; the label says "4k". */
		cfg.mem_flags &= ~ZC_MEM_HUGE;
		err = zc_ring_create(&c->ring, &cfg);
	}
	if (err)
		return err;
	ring_hooks(c);
	return 0;
}

static void ring_close(struct zc_chan *c)
{
	zc_ring_free(&c->ring);
}

/* The forked consumer attaches as an outside process would: the header
 * is checked against the geometry this side expects. */
static int ring_after_fork(struct zc_chan *c, int role, int child)
{
	struct zc_ring_cfg want = {.slot_size = c->cfg.size,
				   .capacity = c->cfg.cap,
				   .isolation = c->cfg.iso};
	int err;

	if (!child)
		return 0;
	err = zc_ring_attach_mem(&c->ring, c->ring.base, c->ring.mem.len,
				 &want);
	if (!err)
		ring_hooks(c);
	return err;
}

static size_t round128(size_t n)
{
	return (n + 127) & ~(size_t)127;
}

static int staging_open(struct zc_chan *c, size_t extra)
{
	size_t b = (size_t)c->cfg.batch * c->cfg.size;

	c->pbuf = aligned_alloc(128, round128(b));
	c->cbuf = aligned_alloc(128, round128(b + extra));
	if (!c->pbuf || !c->cbuf)
		return -ENOMEM;
	memset(c->pbuf, 0, b);
	memset(c->cbuf, 0, b + extra);
	return 0;
}

static void staging_close(struct zc_chan *c)
{
	free(c->pbuf);
	free(c->cbuf);
	c->pbuf = c->cbuf = NULL;
}

static void mem_close(struct zc_chan *c)
{
	if (c->mem.p)
		zc_mem_free(&c->mem);
}

static int mq_open(struct zc_chan *c)
{
	size_t hdr = round128(sizeof(struct zc_chan_mq));
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	struct zc_chan_mq *q;
	int err = zc_mem_alloc(&c->mem, hdr + c->cfg.cap * c->cfg.size,
			       c->cfg.node, mem_kind(c), NULL);

	if (err)
		return err;
	q = c->mem.p;
	q->buf = (unsigned char *)c->mem.p + hdr;
	pthread_mutexattr_init(&ma);
	pthread_condattr_init(&ca);
	if (c->cfg.process) {
		/* The forked consumer takes the same lock; robust, so that
		 * a peer dying inside it is EOWNERDEAD, not a hang. */
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
		pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	}
	pthread_mutex_init(&q->lock, &ma);
	pthread_cond_init(&q->not_full, &ca);
	pthread_cond_init(&q->not_empty, &ca);
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_destroy(&ca);
	c->mq = q;
	return staging_open(c, 0);
}

static void mq_close(struct zc_chan *c)
{
	if (c->mq) {
		pthread_mutex_destroy(&c->mq->lock);
		pthread_cond_destroy(&c->mq->not_full);
		pthread_cond_destroy(&c->mq->not_empty);
		c->mq = NULL;
	}
	mem_close(c);
	staging_close(c);
}

static int fd_open(struct zc_chan *c)
{
	if (c->family == ZC_CHAN_PIPE) {
		if (pipe2(c->fd, O_CLOEXEC) < 0)
			return -errno;
		/* Buffer what the ring would hold; the kernel may cap it
		 * (pipe-max-size), which is what a user would get too. */
		fcntl(c->fd[1], F_SETPIPE_SZ, (int)(c->cfg.cap * c->cfg.size));
	} else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->fd) <
		   0) {
		return -errno;
	}
	return staging_open(c, c->cfg.size);
}

static void fd_drop(struct zc_chan *c, int end)
{
	if (c->fd[end] >= 0)
		close(c->fd[end]);
	c->fd[end] = -1;
}

static void fd_close(struct zc_chan *c)
{
	fd_drop(c, 0);
	fd_drop(c, 1);
	staging_close(c);
}

/* A side gives up: its end closed, a peer blocked in read/write sees EOF
 * or EPIPE. */
static void fd_quit(struct zc_chan *c, int producer)
{
	fd_drop(c, producer ? 1 : 0);
}

/* Each process keeps only the end it uses, so that the other's exit is
 * EOF (reader) or EPIPE (writer). */
static int fd_after_fork(struct zc_chan *c, int role, int child)
{
	fd_drop(c, role == ZC_CHAN_PRODUCER ? 0 : 1);
	return 0;
}

#ifdef ZC_HAVE_CK
static int ck_open(struct zc_chan *c)
{
	size_t head = round128(sizeof(struct ck_ring));
	size_t pool = 2 * c->cfg.cap * c->cfg.size;
	size_t bufl = c->cfg.cap * sizeof(struct ck_ring_buffer);
	int err = zc_mem_alloc(&c->mem, head + pool + bufl, c->cfg.node,
			       mem_kind(c), NULL);

	if (err)
		return err;
	c->ck = c->mem.p;
	c->pool = (unsigned char *)c->mem.p + head;
	c->pool_mask = 2 * c->cfg.cap - 1;
	c->ckbuf = (struct ck_ring_buffer *)(c->pool + pool);
	ck_ring_init(c->ck, (unsigned)c->cfg.cap);
	return 0;
}
#else
static int ck_open(struct zc_chan *c)
{
	return -EOPNOTSUPP;
}
#endif

static int ck_avail(char *why, size_t len)
{
#if !defined(ZC_HAVE_CK)
	snprintf(why, len,
		 "Concurrency Kit not built in (install libck-dev "
		 "and rebuild)");
	return 0;
#elif defined(__SANITIZE_THREAD__)
	/* ck_pr's fences are inline assembly that TSan cannot see: every
	 * message would be reported as a race. */
	snprintf(why, len,
		 "ck_ring cannot be checked under ThreadSanitizer "
		 "(its fences are inline assembly)");
	return 0;
#else
	return 1;
#endif
}

#ifdef ZC_HAVE_BOOST
static int boost_open(struct zc_chan *c)
{
	size_t words = c->cfg.cap * c->cfg.size / 8;
	int err = zc_mem_alloc(&c->mem, zc_boost_bytes(words), c->cfg.node,
			       mem_kind(c), NULL);

	if (err)
		return err;
	c->bq = zc_boost_init(c->mem.p, words);
	return staging_open(c, 0);
}
#else
static int boost_open(struct zc_chan *c)
{
	return -EOPNOTSUPP;
}
#endif

static void boost_close(struct zc_chan *c)
{
#ifdef ZC_HAVE_BOOST
	if (c->bq)
		zc_boost_fini(c->bq);
	c->bq = NULL;
#endif
	mem_close(c);
	staging_close(c);
}

static int boost_avail(char *why, size_t len)
{
#ifdef ZC_HAVE_BOOST
	return 1;
#else
	snprintf(why, len,
		 "boost::lockfree not built in (install libboost-dev and a "
		 "C++ compiler, and rebuild)");
	return 0;
#endif
}

/* ---- the loops, written once ------------------------------------------- */

#define LOOP_INLINE static inline __attribute__((always_inline))

struct ops {
	int (*claim)(struct zc_chan *c, uint32_t n, uint64_t *lo);
	void *(*seg)(struct zc_chan *c, uint64_t seq, uint32_t n, uint32_t *k);
	int (*publish)(struct zc_chan *c, uint64_t lo, uint32_t n);
	int (*receive)(struct zc_chan *c, uint32_t max, uint64_t *lo);
	const void *(*rseg)(struct zc_chan *c, uint64_t seq, uint32_t n,
			    uint32_t *k);
	void (*release)(struct zc_chan *c, uint64_t lo, uint32_t n);
	/* A side gives up: unblock a peer stuck in a system call. NULL for
	 * families whose waits poll the shared flags. */
	void (*quit)(struct zc_chan *c, int producer);
};

/* The test hook's message: damaged before its id word publishes it, as a
 * broken producer would (a price byte; the 8-byte message's sequence). */
static void fill_damaged(void *slot, uint32_t size, uint64_t seq)
{
	_Alignas(8) unsigned char m[ZC_RING_SLOT_MAX];
	uint64_t id;

	zc_msg_fill(m, size, seq);
	m[size == ZC_MSG_RAW ? 3 : 11] ^= 0x40;
	memcpy(&id, m, 8);
	memcpy((unsigned char *)slot + 8, m + 8, size - 8);
	zc_msg_publish_id(slot, id);
}

/* Fill and publish messages seq .. seq+n-1, run by run (zc_msg_fill_n:
 * one loop per run, no per-message branch); message `bad` (the test hook)
 * is damaged. */
LOOP_INLINE int send_n(const struct ops *o, struct zc_chan *c, uint64_t seq,
		       uint32_t n, uint64_t bad)
{
	uint32_t size = c->cfg.size, k;
	uint64_t lo;
	int err = o->claim(c, n, &lo);

	if (err)
		return err;
	if (lo != seq)
		return -EILSEQ;
	for (uint32_t i = 0; ZC_INJECT_NS && i < n; i++)
		zc_inject(); /* a planted regression per message (tests) */
	if (n == 1 && bad != lo) {
		/* batch 1 (rtt, lat): the loops below fold into one message */
		zc_msg_fill_n(o->seg(c, lo, 1, &k), size, lo, 1);
		return o->publish(c, lo, 1);
	}
	for (uint64_t q = lo; q < lo + n; q += k) {
		void *p = o->seg(c, q, (uint32_t)(lo + n - q), &k);
		if (__builtin_expect(bad - q < k, 0)) {
			k = (uint32_t)(bad - q) + 1;
			zc_msg_fill_n(p, size, q, k - 1);
			fill_damaged((unsigned char *)p +
					     (size_t)(k - 1) * size,
				     size, bad);
		} else {
			zc_msg_fill_n(p, size, q, k);
		}
	}
	return o->publish(c, lo, n);
}

/* lat: each message's latency from its intended send time, which the
 * open-loop schedule gives (t0 + seq * period; t0 was written before
 * message 0 was published, so it is visible here). */
static void record_lat(const struct zc_chan *c, uint64_t seq, uint32_t n)
{
	const struct zc_chan_shared *sh = c->sh;
	uint64_t now = zc_now_ns(), period = 1000000000ull / sh->rate;

	for (uint32_t i = 0; i < n; i++)
		zc_hist_record(&c->sh->hist,
			       now - (sh->prod.t0 + (seq + i) * period));
}

/* Receive up to max messages and verify them against the expected
 * sequence, run by run (zc_msg_verify_n: every message checked, one
 * branch per run); on failure *bad is the sequence that failed. Returns
 * the count or -errno. */
LOOP_INLINE int recv_n(const struct ops *o, struct zc_chan *c, uint64_t expect,
		       uint32_t max, uint64_t *bad, int lat)
{
	uint64_t lo = 0;
	uint32_t k, at;
	int n = o->receive(c, max, &lo), err;

	if (n == -EILSEQ)
		*bad = expect; /* the ring: its slot holds another sequence */
	if (n < 0)
		return n;
	if (n == 1) { /* folds into one message's check */
		err = zc_msg_verify_n(o->rseg(c, lo, 1, &k), c->cfg.size,
				      expect, 1, &at, &c->idsum);
		if (err) {
			*bad = expect;
			return err;
		}
		if (lat)
			record_lat(c, expect, 1);
		o->release(c, lo, 1);
		return 1;
	}
	for (uint64_t q = lo; q < lo + (uint64_t)n; q += k) {
		const void *p = o->rseg(c, q, (uint32_t)(lo + n - q), &k);
		uint64_t e = expect + (q - lo);
		err = zc_msg_verify_n(p, c->cfg.size, e, k, &at, &c->idsum);
		if (err) {
			*bad = e + at;
			return err;
		}
		if (lat)
			record_lat(c, e, k);
	}
	o->release(c, lo, (uint32_t)n);
	return n;
}

static void side_begin(struct zc_chan_side *s)
{
	s->cpu_start = zc_topo_current_cpu();
	s->cpu_ns = zc_thread_cpu_ns();
	s->t0 = zc_now_ns();
}

static void side_end(struct zc_chan_side *s, int err)
{
	s->t1 = zc_now_ns();
	s->cpu_ns = zc_thread_cpu_ns() - s->cpu_ns;
	s->cpu_end = zc_topo_current_cpu();
	s->err = err;
}

/* Tell the peer to give up: it polls the flag while it waits, and a
 * peer blocked in read/write sees its channel closed. */
LOOP_INLINE void fail_side(const struct ops *o, struct zc_chan_side *s, int err,
			   struct zc_chan *prod_of, struct zc_chan *cons_of)
{
	struct zc_chan *any = prod_of ? prod_of : cons_of;

	side_end(s, err);
	if (!err)
		return;
	/* relaxed: a flag; the details are read after join/wait */
	atomic_store_explicit(&any->sh->abort, 1, memory_order_relaxed);
	if (o->quit && prod_of)
		o->quit(prod_of, 1);
	if (o->quit && cons_of)
		o->quit(cons_of, 0);
}

/* Time-boxing: a machine that takes the CPU away (a loaded VM) must not
 * turn a 0.2 s repetition into a timeout. Checked every 256 batches. */
LOOP_INLINE int over_budget(const struct zc_chan_shared *sh, uint64_t t0,
			    uint64_t seq, uint32_t batch)
{
	return sh->budget_ns && ((seq / batch) & 255) == 0 &&
	       zc_now_ns() - t0 > sh->budget_ns;
}

/* Tell the consumer how many messages there are, and unblock it. */
LOOP_INLINE void stop_early(const struct ops *o, struct zc_chan *c,
			    struct zc_chan *back, struct zc_chan_side *s,
			    uint64_t sent)
{
	/* release: every message published before this is visible to a
	 * consumer that reads final with acquire */
	atomic_store_explicit(&c->sh->final, sent, memory_order_release);
	if (o->quit) {
		o->quit(c, 1);
		if (back)
			o->quit(back, 0);
	}
	side_end(s, 0);
}

/* Producer: tput and lat (lat paces sends at the offered rate). */
LOOP_INLINE void produce(const struct ops *o, struct zc_chan *c, uint64_t count)
{
	struct zc_chan_shared *sh = c->sh;
	struct zc_chan_side *s = &sh->prod;
	uint32_t batch = c->cfg.batch;
	uint64_t rate = sh->mode == ZC_CHAN_LAT ? sh->rate : 0;
	uint64_t seq = 0, period = rate ? 1000000000ull / rate : 0, t0;
	uint64_t bad = sh->corrupt_at;
	int err = 0;

	side_begin(s);
	t0 = s->t0;
	/* release: our clock is running; the forked consumer starts its */
	atomic_store_explicit(&sh->go, 1, memory_order_release);
	while (seq < count && !err) {
		if (over_budget(sh, t0, seq, batch)) {
			stop_early(o, c, NULL, s, seq);
			return;
		}
		uint32_t n =
			count - seq < batch ? (uint32_t)(count - seq) : batch;
		if (period) {
			uint64_t when = t0 + seq * period;
			n = 1;
			while (zc_now_ns() < when)
				zc_cpu_relax();
			if ((seq & POLL_MASK) == 0)
				err = zc_chan_peer_gone(c);
		}
		if (!err)
			err = send_n(o, c, seq, n, bad);
		seq += n;
	}
	fail_side(o, s, err, c, NULL);
}

LOOP_INLINE void consume(const struct ops *o, struct zc_chan *c, uint64_t count)
{
	struct zc_chan_shared *sh = c->sh;
	struct zc_chan_side *s = &sh->cons;
	int lat = sh->mode == ZC_CHAN_LAT;
	uint64_t seq = 0, lim = count;
	uint32_t batch = c->cfg.batch;
	int err = 0, retried = 0;

	side_begin(s);
	while (seq < lim) {
		/* Never more than is due: a consumer told to stop early
		 * (lim) must not take the next batch's messages. */
		uint32_t max =
			lim - seq < batch ? (uint32_t)(lim - seq) : batch;
		int n = recv_n(o, c, seq, max, &s->bad_seq, lat);
		if (n == -ESHUTDOWN || (n == -EPIPE && o->quit)) {
			/* The producer stopped early: take what it sent
			 * (acquire: pairs with its release of final). */
			lim = atomic_load_explicit(&sh->final,
						   memory_order_acquire);
			if (lim == UINT64_MAX) {
				err = n; /* EOF without a word: it died */
				break;
			}
			if (lim > count || (retried++ && seq < lim)) {
				err = -EILSEQ; /* it said more than came */
				s->bad_seq = seq;
				break;
			}
			continue;
		}
		if (n < 0) {
			err = n;
			break;
		}
		retried = 0;
		seq += (uint64_t)n;
	}
	if (!err && seq != lim) {
		err = -EILSEQ; /* more than it said it sent: duplicates */
		s->bad_seq = seq;
	}
	/* 8-byte messages: the Disruptor perftests' check beside the exact
	 * one, the running sum is 0 + 1 + ... + (lim - 1) (mod 2^64). */
	if (!err && c->cfg.size == ZC_MSG_RAW &&
	    c->idsum != (lim % 2 ? (lim - 1) / 2 * lim : lim / 2 * (lim - 1))) {
		err = -EBADMSG;
		s->bad_seq = lim;
	}
	fail_side(o, s, err, NULL, c);
}

/* rtt: ping sends i on fwd and waits for i on back; pong echoes. */
LOOP_INLINE void ping(const struct ops *o, struct zc_chan *fwd,
		      struct zc_chan *back, uint64_t count)
{
	struct zc_chan_side *s = &fwd->sh->prod;
	uint64_t bad = fwd->sh->corrupt_at;
	int err = 0;

	side_begin(s);
	/* release: as in produce */
	atomic_store_explicit(&fwd->sh->go, 1, memory_order_release);
	for (uint64_t i = 0; i < count && !err; i++) {
		if (over_budget(fwd->sh, s->t0, i, 1)) {
			stop_early(o, fwd, back, s, i);
			return;
		}
		err = send_n(o, fwd, i, 1, bad);
		if (!err) {
			int n = recv_n(o, back, i, 1, &s->bad_seq, 0);
			err = n < 0 ? n : 0;
		}
	}
	fail_side(o, s, err, fwd, back);
}

LOOP_INLINE void pong(const struct ops *o, struct zc_chan *fwd,
		      struct zc_chan *back, uint64_t count)
{
	struct zc_chan_side *s = &fwd->sh->cons;
	int err = 0;

	side_begin(s);
	for (uint64_t i = 0; i < count && !err; i++) {
		int n = recv_n(o, fwd, i, 1, &s->bad_seq, 0);
		if (n == -ESHUTDOWN || (n == -EPIPE && o->quit)) {
			/* acquire: pairs with ping's release of final */
			if (atomic_load_explicit(&fwd->sh->final,
						 memory_order_acquire) == i)
				break; /* every round trip was answered */
		}
		err = n < 0 ? n : send_n(o, back, i, 1, UINT64_MAX);
	}
	fail_side(o, s, err, back, fwd);
}

LOOP_INLINE void run_side(const struct ops *o, struct zc_chan *a,
			  struct zc_chan *b, int role, uint64_t count)
{
	if (a->sh->mode == ZC_CHAN_RTT)
		role == ZC_CHAN_CONSUMER ? pong(o, a, b, count)
					 : ping(o, a, b, count);
	else if (role == ZC_CHAN_CONSUMER)
		consume(o, a, count);
	else
		produce(o, a, count);
}

/* One instantiation of the loops per family. */
#define DEFINE_LOOPS(fam, ...)                                                 \
	static const struct ops fam##_ops = {__VA_ARGS__};                     \
	static void fam##_run(struct zc_chan *a, struct zc_chan *b, int role,  \
			      uint64_t count)                                  \
	{                                                                      \
		run_side(&fam##_ops, a, b, role, count);                       \
	}

/* A family not built in: never run (zc_chan_open refuses it). */
#define DEFINE_NO_LOOPS(fam)                                                   \
	static void fam##_run(struct zc_chan *a, struct zc_chan *b, int role,  \
			      uint64_t count)                                  \
	{                                                                      \
	}

DEFINE_LOOPS(ring, .claim = zc_chan_ring_claim, .seg = zc_chan_ring_seg,
	     .publish = zc_chan_ring_publish, .receive = zc_chan_ring_receive,
	     .rseg = zc_chan_ring_rseg, .release = zc_chan_ring_release)
DEFINE_LOOPS(mq, .claim = zc_chan_stage_claim, .seg = zc_chan_stage_seg,
	     .publish = zc_chan_mq_publish, .receive = zc_chan_mq_receive,
	     .rseg = zc_chan_stage_rseg, .release = zc_chan_mq_release)
DEFINE_LOOPS(fd, .claim = zc_chan_stage_claim, .seg = zc_chan_stage_seg,
	     .publish = zc_chan_fd_publish, .receive = zc_chan_fd_receive,
	     .rseg = zc_chan_stage_rseg, .release = zc_chan_fd_release,
	     .quit = fd_quit)
#ifdef ZC_HAVE_CK
DEFINE_LOOPS(ck, .claim = zc_chan_ck_claim, .seg = zc_chan_ck_seg,
	     .publish = zc_chan_ck_publish, .receive = zc_chan_ck_receive,
	     .rseg = zc_chan_ck_rseg, .release = zc_chan_ck_release)
#else
DEFINE_NO_LOOPS(ck)
#endif
#ifdef ZC_HAVE_BOOST
DEFINE_LOOPS(boost, .claim = zc_chan_stage_claim, .seg = zc_chan_stage_seg,
	     .publish = zc_chan_boost_publish, .receive = zc_chan_boost_receive,
	     .rseg = zc_chan_stage_rseg, .release = zc_chan_fd_release)
#else
DEFINE_NO_LOOPS(boost)
#endif

/* ---- the families and the transports ----------------------------------- */

struct family {
	const char *name;
	int (*open)(struct zc_chan *c);
	void (*close)(struct zc_chan *c);
	/* After fork, in each process, for the role it plays on c. */
	int (*after_fork)(struct zc_chan *c, int role, int child);
	void (*run)(struct zc_chan *a, struct zc_chan *b, int role,
		    uint64_t count);
	int (*avail)(char *why, size_t len); /* NULL: always */
};

static const struct family families[ZC_CHAN_NFAMILIES] = {
	[ZC_CHAN_RING] = {.name = "ring",
			  .open = ring_open,
			  .close = ring_close,
			  .after_fork = ring_after_fork,
			  .run = ring_run},
	[ZC_CHAN_MUTEX] = {.name = "mutex",
			   .open = mq_open,
			   .close = mq_close,
			   .run = mq_run},
	[ZC_CHAN_PIPE] = {.name = "pipe",
			  .open = fd_open,
			  .close = fd_close,
			  .after_fork = fd_after_fork,
			  .run = fd_run},
	[ZC_CHAN_UNIX] = {.name = "unix",
			  .open = fd_open,
			  .close = fd_close,
			  .after_fork = fd_after_fork,
			  .run = fd_run},
	[ZC_CHAN_CK] = {.name = "ck",
			.open = ck_open,
			.close = mem_close,
			.run = ck_run,
			.avail = ck_avail},
	[ZC_CHAN_BOOST] = {.name = "boost",
			   .open = boost_open,
			   .close = boost_close,
			   .run = boost_run,
			   .avail = boost_avail},
};

const struct zc_chan_transport zc_chan_transports[] = {
	{.name = "thread",
	 .family = ZC_CHAN_RING,
	 .uses = ZC_CHAN_USES_CAP | ZC_CHAN_USES_ISO,
	 .spins = 1},
	{.name = "process",
	 .family = ZC_CHAN_RING,
	 .process = 1,
	 .uses = ZC_CHAN_USES_CAP | ZC_CHAN_USES_ISO,
	 .spins = 1},
	{.name = "mutex", .family = ZC_CHAN_MUTEX, .uses = ZC_CHAN_USES_CAP},
	{.name = "pipe",
	 .family = ZC_CHAN_PIPE,
	 .uses = ZC_CHAN_USES_CAP,
	 .kernel = 1},
	{.name = "unix", .family = ZC_CHAN_UNIX, .kernel = 1},
	{.name = "ck",
	 .family = ZC_CHAN_CK,
	 .uses = ZC_CHAN_USES_CAP,
	 .spins = 1},
	{.name = "boost",
	 .family = ZC_CHAN_BOOST,
	 .uses = ZC_CHAN_USES_CAP,
	 .spins = 1},
	{.name = NULL}};

const struct zc_chan_transport *zc_chan_transport_find(const char *name)
{
	for (const struct zc_chan_transport *t = zc_chan_transports; t->name;
	     t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

int zc_chan_available(enum zc_chan_family f, char *why, size_t len)
{
	if ((unsigned)f >= ZC_CHAN_NFAMILIES) {
		snprintf(why, len, "no such channel family");
		return 0;
	}
	return families[f].avail ? families[f].avail(why, len) : 1;
}

const char *zc_chan_family_name(enum zc_chan_family f)
{
	return (unsigned)f < ZC_CHAN_NFAMILIES ? families[f].name : "?";
}

/* ---- channels ------------------------------------------------------------ */

void zc_chan_shared_init(struct zc_chan_shared *sh, int mode)
{
	memset(sh, 0, sizeof(*sh));
	sh->mode = mode;
	sh->corrupt_at = UINT64_MAX;
	atomic_init(&sh->go, 0);
	atomic_init(&sh->abort, 0);
	atomic_init(&sh->final, UINT64_MAX);
	zc_hist_init(&sh->hist);
}

int zc_chan_open(struct zc_chan *c, enum zc_chan_family f,
		 const struct zc_chan_cfg *cfg, struct zc_chan_shared *sh)
{
	char why[160];
	int err;

	memset(c, 0, sizeof(*c));
	c->fd[0] = c->fd[1] = c->mem.fd = -1;
	c->family = f;
	c->cfg = *cfg;
	c->sh = sh;
	if (!zc_chan_available(f, why, sizeof(why)))
		return -EOPNOTSUPP;
	if (!zc_msg_size_ok(cfg->size) || !cfg->batch ||
	    cfg->batch > cfg->cap || cfg->cap & (cfg->cap - 1))
		return -EINVAL;
	err = families[f].open(c);
	if (err)
		families[f].close(c);
	return err;
}

void zc_chan_close(struct zc_chan *c)
{
	if ((unsigned)c->family < ZC_CHAN_NFAMILIES && c->sh)
		families[c->family].close(c);
	c->sh = NULL;
}

const struct zc_mem *zc_chan_mem(const struct zc_chan *c)
{
	if (c->family == ZC_CHAN_RING)
		return &c->ring.mem;
	return c->mem.p ? &c->mem : NULL;
}

void zc_chan_loop(struct zc_chan *fwd, struct zc_chan *back, int role,
		  uint64_t count)
{
	families[fwd->family].run(fwd, back, role, count);
}

int zc_chan_after_fork(struct zc_chan *c, int role, int child)
{
	const struct family *f = &families[c->family];
	return f->after_fork ? f->after_fork(c, role, child) : 0;
}
