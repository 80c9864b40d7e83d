/* SPDX-License-Identifier: MIT */
/*
 * zcbench ring — the SPSC shared-memory ring between two pinned threads and
 * between two processes, against its peers (a mutex+condvar queue, a pipe,
 * an AF_UNIX stream socket, Concurrency Kit's ck_ring). Every transport
 * carries the same message stream and is read by the same consumer loop,
 * which verifies each message's sequence and checksum.
 *
 * Modes: tput (one way, as fast as the producer can go: msgs/s, GB/s, CPU
 * per message each side), rtt (ping-pong over a pair of channels), lat
 * (open loop at a fixed offered rate; latency from the intended send time,
 * so a stalled consumer cannot hide its queueing: no coordinated omission).
 *
 * Method notes. Each repetition builds its channels afresh, touched before
 * the clock starts; the warm-up repetition also sizes the run so that a
 * repetition lasts about --seconds. The loops below are written once and
 * instantiated per transport (always_inline over a const ops table), so
 * the ring's hot path has no indirect call that the peers would not have.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef ZC_HAVE_CK
#include <ck_ring.h>
#endif

#include "builtin.h"
#include "csum.h"
#include "ring.h"
#include "shm.h"
#include "stats.h"

#define INLINE static inline __attribute__((always_inline))

/* ---- options ------------------------------------------------------------ */

enum {
	T_THREAD,
	T_PROCESS,
	T_MUTEX,
	T_PIPE,
	T_UNIX,
	T_CK,
	T_COUNT
};
enum {
	MODE_TPUT,
	MODE_RTT,
	MODE_LAT
};

static const struct zc_word transport_words[] = {{"thread", T_THREAD},
						 {"process", T_PROCESS},
						 {"mutex", T_MUTEX},
						 {"pipe", T_PIPE},
						 {"unix", T_UNIX},
						 {"ck", T_CK},
						 {NULL, 0}};
static const struct zc_word mode_words[] = {
	{"tput", MODE_TPUT}, {"rtt", MODE_RTT}, {"lat", MODE_LAT}, {NULL, 0}};

#define CAP_MIN	  64
#define CAP_MAX	  (1 << 20)
#define BATCH_MAX 65536

static struct zc_list opt_transport, opt_size, opt_batch, opt_cap, opt_iso,
	opt_place, opt_mode;
static long long opt_rate, opt_messages;
static double opt_seconds;
static int opt_mem_node, opt_huge;

enum {
	NODE_PRODUCER,
	NODE_CONSUMER,
	NODE_LOCAL
};
static const struct zc_word node_words[] = {{"producer", NODE_PRODUCER},
					    {"consumer", NODE_CONSUMER},
					    {"local", NODE_LOCAL},
					    {NULL, 0}};

static const struct zc_opt ring_opts[] = {
	ZC_OPT_CHOICES(
		"transport", "thread,process,mutex,pipe,unix,ck",
		"thread: the ring between two pinned threads; process: "
		"the ring in shared memory, consumer forked; peers: mutex "
		"(mutex+condvar bounded queue), pipe, unix (AF_UNIX "
		"stream), ck (Concurrency Kit ck_ring SPSC)",
		&opt_transport, transport_words),
	ZC_OPT_LIST("size", "LIST", "bytes", NULL,
		    "message (slot) size (default 32,64,256,1024,4096; "
		    "32,256,4096 with --quick)",
		    &opt_size, ZC_MSG_SIZE, ZC_RING_SLOT_MAX, 8, NULL),
	ZC_OPT_LIST("batch", "LIST", "messages", NULL,
		    "messages per claim/publish (ring), per write/read "
		    "(pipe, unix), per lock (mutex) (default 1,8,64,256; 1,64 "
		    "with --quick)",
		    &opt_batch, 1, BATCH_MAX, 0, NULL),
	ZC_OPT_LIST("capacity", "LIST", "slots", "4096",
		    "ring/queue capacity, a power of two (pipe: buffer "
		    "capacity x size bytes)",
		    &opt_cap, CAP_MIN, CAP_MAX, 0, NULL),
	ZC_OPT_LIST("isolation", "LIST", "bytes", "128",
		    "bytes between the ring's header, producer index and "
		    "consumer index: 64 or 128",
		    &opt_iso, 64, 128, 64, NULL),
	ZC_OPT_CHOICES("place", "l3",
		       "placement classes of the producer/consumer pair "
		       "(cpus: the first two of --cpus)",
		       &opt_place, zc_pair_place_words),
	ZC_OPT_CHOICES("mode", "tput,rtt,lat",
		       "tput: one-way throughput; rtt: ping-pong round trip; "
		       "lat: open-loop one-way latency at --rate",
		       &opt_mode, mode_words),
	ZC_OPT_INT("rate", "N", "msgs/s", "100000",
		   "offered rate of the lat mode", &opt_rate, 1000, 10000000),
	ZC_OPT_INT("messages", "N", "messages", "0",
		   "messages (tput, lat) or round trips (rtt) per repetition; "
		   "0: sized by the warm-up to last --seconds",
		   &opt_messages, 0, 10000000000LL),
	ZC_OPT_CHOICE("memory-node", "producer",
		      "NUMA node for ring/queue memory: the producer's CPU's "
		      "node, the consumer's, or local (first touch); the "
		      "binding is verified and recorded in the case label",
		      &opt_mem_node, node_words),
	ZC_OPT_FLAG("huge",
		    "ring/queue memory on huge pages (hugetlb, else "
		    "THP; recorded in the label)",
		    &opt_huge),
	ZC_OPT_DOUBLE("seconds", "S", "s", NULL,
		      "target time per repetition when --messages is 0 "
		      "(default 0.2; 0.05 with --quick)",
		      &opt_seconds, 0.001, 60),
	ZC_OPT_END};

#define OPT_SIZE (&ring_opts[1])

static const char *const ring_keys[] = {
	"transport", "size", "batch", "capacity", "isolation", "place", "mode"};
#define NKEYS 7

enum {
	M_MMSGS,
	M_GBPS,
	M_NS_PER_MSG,
	M_PROD_CPU,
	M_CONS_CPU,
	M_RTT,
	M_P50,
	M_P99,
	M_P999,
	M_MAX,
	M_CPU_UTIL,
	M_VS_MUTEX,
	M_VS_PIPE,
	M_COUNT
};
static const struct zc_metric ring_metrics[M_COUNT] = {
	[M_MMSGS] = {"mmsgs_per_s", "Mmsg/s", ZC_BETTER_HIGHER,
		     "messages per second, end to end (tput)", ZC_M_SHOW,
		     ZC_GB_ITEMS_PER_SECOND, 1e6},
	[M_GBPS] = {"gbps", "GB/s", ZC_BETTER_HIGHER,
		    "message bytes per second, end to end (tput)", ZC_M_SHOW,
		    ZC_GB_BYTES_PER_SECOND, 1e9},
	[M_NS_PER_MSG] = {"ns_per_msg", "ns", ZC_BETTER_LOWER,
			  "wall time per message (tput) or per round trip "
			  "(rtt)",
			  0, ZC_GB_REAL_TIME, 1},
	[M_PROD_CPU] = {"prod_cpu_ns_per_msg", "ns", ZC_BETTER_LOWER,
			"producer CPU time per message (rtt: ping side per "
			"round trip)",
			ZC_M_SHOW, ZC_GB_CPU_TIME, 1},
	[M_CONS_CPU] = {"cons_cpu_ns_per_msg", "ns", ZC_BETTER_LOWER,
			"consumer CPU time per message, spinning while empty "
			"included (rtt: pong side per round trip)",
			ZC_M_SHOW, ZC_GB_NONE, 1},
	[M_RTT] = {"rtt_ns", "ns", ZC_BETTER_LOWER,
		   "ping-pong round trip (rtt)", ZC_M_SHOW, ZC_GB_NONE, 1},
	[M_P50] = {"lat_p50_ns", "ns", ZC_BETTER_LOWER,
		   "one-way latency median at the offered rate (lat)",
		   ZC_M_SHOW, ZC_GB_NONE, 1},
	[M_P99] = {"lat_p99_ns", "ns", ZC_BETTER_LOWER,
		   "one-way latency 99th percentile (lat)", ZC_M_SHOW,
		   ZC_GB_NONE, 1},
	[M_P999] = {"lat_p999_ns", "ns", ZC_BETTER_LOWER,
		    "one-way latency 99.9th percentile (lat)", 0, ZC_GB_NONE,
		    1},
	[M_MAX] = {"lat_max_ns", "ns", ZC_BETTER_LOWER,
		   "one-way latency maximum (lat)", 0, ZC_GB_NONE, 1},
	[M_CPU_UTIL] = {"cpu_util", "fraction", ZC_BETTER_NONE,
			"CPU time over wall time, mean of both sides: below 1 "
			"a side slept (peers that block) or was preempted "
			"(spinning transports: the label says so)",
			0, ZC_GB_NONE, 1},
	[M_VS_MUTEX] = {"speedup_vs_mutex", "x", ZC_BETTER_HIGHER,
			"throughput over the mutex+condvar queue's with the "
			"same size, batch, capacity and placement (tput)",
			ZC_M_SHOW | ZC_M_PORTABLE, ZC_GB_NONE, 1},
	[M_VS_PIPE] = {"speedup_vs_pipe", "x", ZC_BETTER_HIGHER,
		       "throughput over the pipe's with the same size, batch, "
		       "capacity and placement (tput)",
		       ZC_M_PORTABLE, ZC_GB_NONE, 1},
};

/* ---- state shared by the two sides (and processes) ---------------------- */

/* What one side did; the consumer's copy lives in shared memory so that a
 * forked consumer can report it. */
struct side {
	int err;
	uint64_t bad_seq; /* the sequence that failed its check */
	uint64_t t0, t1, cpu_ns;
	int cpu_start, cpu_end;
};

struct shared {
	_Alignas(128) atomic_int go;	/* the producer's clock has started */
	_Alignas(128) atomic_int abort; /* one side failed: the other stops */
	/* The producer ran out of time (budget_ns) and sent only `final`
	 * messages (rtt: round trips); UINT64_MAX while it goes on. */
	_Alignas(128) _Atomic uint64_t final;
	uint64_t budget_ns; /* 0: send them all */
	_Alignas(128) struct side prod;
	_Alignas(128) struct side cons;
	struct zc_hist hist; /* lat: written by the consumer only */
};

struct params {
	int transport, mode;
	int node;	    /* memory node, -1 local */
	unsigned mem_flags; /* ZC_MEM_HUGE or 0 */
	uint32_t size, batch, iso;
	uint64_t cap, count;
};

/* A mutex + condvar bounded queue of fixed-size messages (the Disruptor
 * paper's ArrayBlockingQueue). */
struct mq {
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	uint64_t head, tail; /* messages put / taken */
	unsigned char *buf;
};

/* One direction of a transport. Producer and consumer state sit on their
 * own blocks so that the peers' bookkeeping does not false-share. */
struct chan {
	const struct params *p;
	struct shared *sh;
	pid_t *child; /* process transport: the forked peer, for hooks */
	struct zc_ring ring;
	struct mq *mq;
	struct zc_mem mem; /* mq / ck memory */
	int fd[2];	   /* pipe, unix: [0] read end, [1] write end */
#ifdef ZC_HAVE_CK
	struct ck_ring ck;
	struct ck_ring_buffer *ckbuf;
#endif
	unsigned char *pool; /* ck: messages the pointers point to */
	uint64_t pool_mask;
	_Alignas(128) uint64_t pseq; /* producer: next sequence */
	unsigned char *pbuf;	     /* producer staging (peers) */
	_Alignas(128) uint64_t cseq; /* consumer: next sequence */
	unsigned char *cbuf;	     /* consumer staging (peers) */
	size_t chave;		     /* bytes in cbuf (stream peers) */
	const void *cptr;	     /* ck: the message dequeued */
	_Alignas(128) char end[1];
};

/* Checks between spins: rare enough to cost nothing on the hot path. */
#define POLL_MASK 1023

static int peer_gone(struct chan *c)
{
	int st;
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
	if (c->child && *c->child > 0 &&
	    waitpid(*c->child, &st, WNOHANG) == *c->child) {
		*c->child =
			-st - 1; /* reaped: keep the status for the report */
		return -EPIPE;
	}
	return 0;
}

static int spin_wait(void *arg, _Atomic uint64_t *word, uint64_t seen,
		     uint64_t iter)
{
	if ((iter & POLL_MASK) == POLL_MASK)
		return peer_gone(arg);
	zc_cpu_relax();
	return 0;
}

/* ---- transports: the ring ------------------------------------------------ */

static int ring_open(struct chan *c)
{
	struct zc_ring_cfg cfg = {.slot_size = c->p->size,
				  .capacity = c->p->cap,
				  .isolation = c->p->iso,
				  .node = c->p->node,
				  .mem_flags = c->p->mem_flags |
					       (c->p->transport == T_PROCESS
							? ZC_MEM_MEMFD
							: ZC_MEM_PRIVATE)};
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
	c->ring.prod_wait = (struct zc_ring_wait){.wait = spin_wait, .arg = c};
	c->ring.cons_wait = c->ring.prod_wait;
	return 0;
}

static void ring_close(struct chan *c)
{
	zc_ring_free(&c->ring);
}

INLINE int ring_claim(struct chan *c, uint32_t n, uint64_t *lo)
{
	return zc_ring_claim(&c->ring, n, lo);
}

INLINE void *ring_slot(struct chan *c, uint64_t seq)
{
	return zc_ring_slot(&c->ring, seq);
}

INLINE int ring_publish(struct chan *c, uint64_t lo, uint32_t n)
{
	zc_ring_publish(&c->ring, lo, lo + n - 1);
	return 0;
}

INLINE int ring_receive(struct chan *c, uint32_t max, uint64_t *lo)
{
	return zc_ring_wait_avail(&c->ring, max, lo);
}

INLINE const void *ring_rslot(struct chan *c, uint64_t seq)
{
	return zc_ring_slot(&c->ring, seq);
}

INLINE void ring_release(struct chan *c, uint64_t lo, uint32_t n)
{
	zc_ring_consume(&c->ring, lo + n - 1);
}

/* ---- transports: staging shared by the peers ---------------------------- */

static int staging_open(struct chan *c, size_t extra)
{
	size_t b = (size_t)c->p->batch * c->p->size;
	c->pbuf = aligned_alloc(128, (b + 127) & ~(size_t)127);
	c->cbuf = aligned_alloc(128, (b + extra + 127) & ~(size_t)127);
	if (!c->pbuf || !c->cbuf)
		return -ENOMEM;
	memset(c->pbuf, 0, b);
	memset(c->cbuf, 0, b + extra);
	return 0;
}

static void staging_close(struct chan *c)
{
	free(c->pbuf);
	free(c->cbuf);
	c->pbuf = c->cbuf = NULL;
}

INLINE int stage_claim(struct chan *c, uint32_t n, uint64_t *lo)
{
	*lo = c->pseq;
	return 0;
}

INLINE void *stage_slot(struct chan *c, uint64_t seq)
{
	return c->pbuf + (size_t)(seq - c->pseq) * c->p->size;
}

INLINE const void *stage_rslot(struct chan *c, uint64_t seq)
{
	return c->cbuf + (size_t)(seq - c->cseq) * c->p->size;
}

/* ---- transports: mutex + condvar queue ---------------------------------- */

static int mq_open(struct chan *c)
{
	size_t len = sizeof(struct mq) + c->p->cap * c->p->size + 128;
	int err = zc_mem_alloc(&c->mem, len, c->p->node,
			       ZC_MEM_PRIVATE | c->p->mem_flags, NULL);
	if (err)
		return err;
	c->mq = c->mem.p;
	c->mq->buf = (unsigned char *)c->mem.p +
		     128 * ((sizeof(struct mq) + 127) / 128);
	pthread_mutex_init(&c->mq->lock, NULL);
	pthread_cond_init(&c->mq->not_full, NULL);
	pthread_cond_init(&c->mq->not_empty, NULL);
	return staging_open(c, 0);
}

static void mq_close(struct chan *c)
{
	if (c->mq) {
		pthread_mutex_destroy(&c->mq->lock);
		pthread_cond_destroy(&c->mq->not_full);
		pthread_cond_destroy(&c->mq->not_empty);
		zc_mem_free(&c->mem);
		c->mq = NULL;
	}
	staging_close(c);
}

/* Wait on cv with a short timeout so that a stop or a failed peer is
 * noticed; the lock is held. */
static int mq_wait(struct chan *c, pthread_cond_t *cv)
{
	struct timespec ts;
	int err = peer_gone(c);
	if (err)
		return err;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 10000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(cv, &c->mq->lock, &ts);
	return 0;
}

/* Copy n messages between the staging buffer and the circular queue. */
static void mq_copy(struct chan *c, uint64_t at, unsigned char *buf, uint32_t n,
		    int put)
{
	uint64_t cap = c->p->cap, i = at & (cap - 1);
	size_t sz = c->p->size, first = (size_t)(cap - i < n ? cap - i : n);
	unsigned char *q = c->mq->buf;

	if (put) {
		memcpy(q + i * sz, buf, first * sz);
		memcpy(q, buf + first * sz, (n - first) * sz);
	} else {
		memcpy(buf, q + i * sz, first * sz);
		memcpy(buf + first * sz, q, (n - first) * sz);
	}
}

INLINE int mq_publish(struct chan *c, uint64_t lo, uint32_t n)
{
	struct mq *q = c->mq;
	int err = 0;

	pthread_mutex_lock(&q->lock);
	while (q->head + n - q->tail > c->p->cap && !err)
		err = mq_wait(c, &q->not_full);
	if (!err) {
		mq_copy(c, q->head, c->pbuf, n, 1);
		q->head += n;
		pthread_cond_signal(&q->not_empty);
	}
	pthread_mutex_unlock(&q->lock);
	c->pseq += n;
	return err;
}

INLINE int mq_receive(struct chan *c, uint32_t max, uint64_t *lo)
{
	struct mq *q = c->mq;
	uint32_t n = 0;
	int err = 0;

	pthread_mutex_lock(&q->lock);
	while (q->head == q->tail && !err)
		err = mq_wait(c, &q->not_empty);
	if (!err) {
		n = q->head - q->tail < max ? (uint32_t)(q->head - q->tail)
					    : max;
		mq_copy(c, q->tail, c->cbuf, n, 0);
		q->tail += n;
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->lock);
	*lo = c->cseq;
	return err ? err : (int)n;
}

INLINE void mq_release(struct chan *c, uint64_t lo, uint32_t n)
{
	c->cseq += n;
}

/* ---- transports: pipe and AF_UNIX stream -------------------------------- */

static int fd_open(struct chan *c)
{
	int err = 0;

	if (c->p->transport == T_PIPE) {
		if (pipe2(c->fd, O_CLOEXEC) < 0)
			return -errno;
		/* Buffer what the ring would hold; the kernel may cap it
		 * (pipe-max-size), which is what a user would get too. */
		fcntl(c->fd[1], F_SETPIPE_SZ, (int)(c->p->cap * c->p->size));
	} else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->fd) <
		   0) {
		return -errno;
	}
	err = staging_open(c, c->p->size);
	return err;
}

static void fd_close(struct chan *c)
{
	for (int i = 0; i < 2; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	c->fd[0] = c->fd[1] = -1;
	staging_close(c);
}

INLINE int fd_publish(struct chan *c, uint64_t lo, uint32_t n)
{
	size_t len = (size_t)n * c->p->size, done = 0;

	while (done < len) {
		ssize_t w = write(c->fd[1], c->pbuf + done, len - done);
		if (w < 0) {
			int err = errno == EINTR ? peer_gone(c) : -errno;
			if (err)
				return err;
			continue;
		}
		done += (size_t)w;
	}
	c->pseq += n;
	return 0;
}

/* Read until at least one whole message is there; a partial message stays
 * at the end of cbuf for the next call. */
INLINE int fd_receive(struct chan *c, uint32_t max, uint64_t *lo)
{
	size_t sz = c->p->size, want = (size_t)max * sz;

	while (c->chave < sz) {
		ssize_t r = read(c->fd[0], c->cbuf + c->chave, want - c->chave);
		if (r == 0)
			return -EPIPE; /* the producer went away early */
		if (r < 0) {
			int err = errno == EINTR ? peer_gone(c) : -errno;
			if (err)
				return err;
			continue;
		}
		c->chave += (size_t)r;
	}
	*lo = c->cseq;
	return (int)(c->chave / sz);
}

static void fd_quit(struct chan *c, int producer)
{
	int *fd = &c->fd[producer ? 1 : 0];
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

INLINE void fd_release(struct chan *c, uint64_t lo, uint32_t n)
{
	size_t used = (size_t)n * c->p->size;
	c->cseq += n;
	c->chave -= used;
	if (c->chave)
		memmove(c->cbuf, c->cbuf + used, c->chave);
}

/* ---- transports: Concurrency Kit ck_ring -------------------------------- */

#ifdef ZC_HAVE_CK
/*
 * ck_ring carries pointers. The producer writes message s into
 * pool[s % 2C] and enqueues its address; the consumer reads one message
 * at a time. The ring holds at most C-1 entries and a batch is at most C,
 * so the slot being written is never the one being read.
 */
static int ck_open(struct chan *c)
{
	size_t pool = 2 * c->p->cap * c->p->size;
	size_t bufl = c->p->cap * sizeof(struct ck_ring_buffer);
	int err = zc_mem_alloc(&c->mem, pool + bufl, c->p->node,
			       ZC_MEM_PRIVATE | c->p->mem_flags, NULL);
	if (err)
		return err;
	c->pool = c->mem.p;
	c->pool_mask = 2 * c->p->cap - 1;
	c->ckbuf = (struct ck_ring_buffer *)(c->pool + pool);
	ck_ring_init(&c->ck, (unsigned)c->p->cap);
	return 0;
}

static void ck_close(struct chan *c)
{
	if (c->pool)
		zc_mem_free(&c->mem);
	c->pool = NULL;
}

INLINE int ck_claim(struct chan *c, uint32_t n, uint64_t *lo)
{
	*lo = c->pseq;
	return 0;
}

INLINE void *ck_slot(struct chan *c, uint64_t seq)
{
	return c->pool + (size_t)(seq & c->pool_mask) * c->p->size;
}

INLINE int ck_publish(struct chan *c, uint64_t lo, uint32_t n)
{
	for (uint64_t s = lo; s < lo + n; s++) {
		uint64_t iter = 0;
		while (!ck_ring_enqueue_spsc(&c->ck, c->ckbuf, ck_slot(c, s))) {
			int err = spin_wait(c, NULL, 0, iter++);
			if (err)
				return err;
		}
	}
	c->pseq += n;
	return 0;
}

INLINE int ck_receive(struct chan *c, uint32_t max, uint64_t *lo)
{
	uint64_t iter = 0;
	void *ptr;

	while (!ck_ring_dequeue_spsc(&c->ck, c->ckbuf, &ptr)) {
		int err = spin_wait(c, NULL, 0, iter++);
		if (err)
			return err;
	}
	c->cptr = ptr;
	*lo = c->cseq;
	return 1;
}

INLINE const void *ck_rslot(struct chan *c, uint64_t seq)
{
	return c->cptr;
}

INLINE void ck_release(struct chan *c, uint64_t lo, uint32_t n)
{
	c->cseq += n;
}

static int ck_avail(char *why, size_t len)
{
#if defined(__SANITIZE_THREAD__)
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
#else
static int ck_avail(char *why, size_t len)
{
	snprintf(why, len,
		 "Concurrency Kit not built in (install libck-dev "
		 "and rebuild)");
	return 0;
}
#endif

/* ---- the loops, written once --------------------------------------------- */

struct ops {
	int (*claim)(struct chan *c, uint32_t n, uint64_t *lo);
	void *(*slot)(struct chan *c, uint64_t seq);
	int (*publish)(struct chan *c, uint64_t lo, uint32_t n);
	int (*receive)(struct chan *c, uint32_t max, uint64_t *lo);
	const void *(*rslot)(struct chan *c, uint64_t seq);
	void (*release)(struct chan *c, uint64_t lo, uint32_t n);
	/* A side gives up: unblock a peer stuck in a system call. */
	void (*quit)(struct chan *c, int producer);
};

/* lat: the intended send time rides in the price field; the checks are
 * recomputed so the consumer verifies the stamped message. */
static void stamp(void *slot, uint32_t size, uint64_t t)
{
	struct zc_msg m;
	memcpy(&m, slot, sizeof(m));
	m.price = (double)t;
	m.check = zc_msg_check32(&m);
	memcpy(slot, &m, sizeof(m));
	if (size > ZC_MSG_SIZE) {
		uint64_t sum = zc_csum64(slot, size - 8);
		memcpy((char *)slot + size - 8, &sum, 8);
	}
}

INLINE int send_n(const struct ops *o, struct chan *c, uint64_t seq, uint32_t n,
		  uint64_t when)
{
	uint64_t lo;
	int err = o->claim(c, n, &lo);
	if (err)
		return err;
	if (lo != seq)
		return -EILSEQ;
	for (uint64_t q = lo; q < lo + n; q++) {
		void *s = o->slot(c, q);
		zc_msg_fill(s, c->p->size, q);
		if (when)
			stamp(s, c->p->size, when);
	}
	return o->publish(c, lo, n);
}

/* Receive up to max messages, verify each against the expected sequence;
 * on failure *bad is the sequence that failed. Returns the count or -errno. */
INLINE int recv_n(const struct ops *o, struct chan *c, uint64_t expect,
		  uint32_t max, uint64_t *bad, struct zc_hist *h)
{
	uint64_t lo = 0;
	int n = o->receive(c, max, &lo), err;

	if (n < 0)
		return n;
	for (uint64_t q = lo; q < lo + (uint64_t)n; q++) {
		const void *s = o->rslot(c, q);
		err = zc_msg_verify(s, c->p->size, expect + (q - lo));
		if (err) {
			*bad = expect + (q - lo);
			return err;
		}
		if (h) {
			double t;
			memcpy(&t, (const char *)s + 8, sizeof(t));
			zc_hist_record(h, zc_now_ns() - (uint64_t)t);
		}
	}
	o->release(c, lo, (uint32_t)n);
	return n;
}

static void side_begin(struct side *s)
{
	s->cpu_start = zc_topo_current_cpu();
	s->cpu_ns = zc_thread_cpu_ns();
	s->t0 = zc_now_ns();
}

static void side_end(struct side *s, int err)
{
	s->t1 = zc_now_ns();
	s->cpu_ns = zc_thread_cpu_ns() - s->cpu_ns;
	s->cpu_end = zc_topo_current_cpu();
	s->err = err;
}

/* Tell the peer to give up: it polls the flag while it waits, and a
 * peer blocked in read/write sees its channel closed. */
INLINE void fail_side(const struct ops *o, struct shared *sh, struct side *s,
		      int err, struct chan *prod_of, struct chan *cons_of)
{
	side_end(s, err);
	if (!err)
		return;
	/* relaxed: a flag; the details are read after join/wait */
	atomic_store_explicit(&sh->abort, 1, memory_order_relaxed);
	if (o->quit && prod_of)
		o->quit(prod_of, 1);
	if (o->quit && cons_of)
		o->quit(cons_of, 0);
}

/* Producer: tput and lat (lat paces sends at the offered rate). */
/* Time-boxing: a machine that takes the CPU away (a loaded VM) must not
 * turn a 0.2 s repetition into a timeout. Checked every 256 batches. */
INLINE int over_budget(struct shared *sh, uint64_t t0, uint64_t seq,
		       uint32_t batch)
{
	return sh->budget_ns && ((seq / batch) & 255) == 0 &&
	       zc_now_ns() - t0 > sh->budget_ns;
}

/* Tell the consumer how many messages there are, and unblock it. */
INLINE void stop_early(const struct ops *o, struct chan *c, struct chan *back,
		       struct side *s, uint64_t sent)
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

INLINE void produce(const struct ops *o, struct chan *c, uint64_t rate)
{
	const struct params *p = c->p;
	struct side *s = &c->sh->prod;
	uint64_t seq = 0, period = rate ? 1000000000ull / rate : 0, t0;
	int err = 0;

	side_begin(s);
	t0 = s->t0;
	/* release: our clock is running; the forked consumer starts its */
	atomic_store_explicit(&c->sh->go, 1, memory_order_release);
	while (seq < p->count && !err) {
		if (over_budget(c->sh, t0, seq, p->batch)) {
			stop_early(o, c, NULL, s, seq);
			return;
		}
		uint32_t n = p->count - seq < p->batch
				     ? (uint32_t)(p->count - seq)
				     : p->batch;
		uint64_t when = 0;
		if (period) {
			n = 1;
			when = t0 + seq * period;
			while (zc_now_ns() < when)
				zc_cpu_relax();
			if ((seq & POLL_MASK) == 0)
				err = peer_gone(c);
		}
		if (!err)
			err = send_n(o, c, seq, n, when);
		seq += n;
	}
	fail_side(o, c->sh, s, err, c, NULL);
}

INLINE void consume(const struct ops *o, struct chan *c, int lat)
{
	const struct params *p = c->p;
	struct side *s = &c->sh->cons;
	struct zc_hist *h = lat ? &c->sh->hist : NULL;
	uint64_t seq = 0, lim = p->count;
	int err = 0, retried = 0;

	side_begin(s);
	while (seq < lim) {
		int n = recv_n(o, c, seq, p->batch, &s->bad_seq, h);
		if (n == -ESHUTDOWN || (n == -EPIPE && o->quit)) {
			/* The producer stopped early: take what it sent
			 * (acquire: pairs with its release of final). */
			lim = atomic_load_explicit(&c->sh->final,
						   memory_order_acquire);
			if (lim == UINT64_MAX) {
				err = n; /* EOF without a word: it died */
				break;
			}
			if (lim > p->count || (retried++ && seq < lim)) {
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
		err = -EILSEQ; /* more than was sent: duplicates */
		s->bad_seq = seq;
	}
	fail_side(o, c->sh, s, err, NULL, c);
}

/* rtt: ping sends i on fwd and waits for i on back; pong echoes. */
INLINE void ping(const struct ops *o, struct chan *fwd, struct chan *back)
{
	struct side *s = &fwd->sh->prod;
	int err = 0;

	side_begin(s);
	atomic_store_explicit(&fwd->sh->go, 1, memory_order_release);
	for (uint64_t i = 0; i < fwd->p->count && !err; i++) {
		if (over_budget(fwd->sh, s->t0, i, 1)) {
			stop_early(o, fwd, back, s, i);
			return;
		}
		err = send_n(o, fwd, i, 1, 0);
		if (!err) {
			int n = recv_n(o, back, i, 1, &s->bad_seq, NULL);
			err = n < 0 ? n : 0;
		}
	}
	fail_side(o, fwd->sh, s, err, fwd, back);
}

INLINE void pong(const struct ops *o, struct chan *fwd, struct chan *back)
{
	struct side *s = &fwd->sh->cons;
	int err = 0;

	side_begin(s);
	for (uint64_t i = 0; i < fwd->p->count && !err; i++) {
		int n = recv_n(o, fwd, i, 1, &s->bad_seq, NULL);
		if (n == -ESHUTDOWN || (n == -EPIPE && o->quit)) {
			/* acquire: pairs with ping's release of final */
			if (atomic_load_explicit(&fwd->sh->final,
						 memory_order_acquire) == i)
				break; /* every round trip was answered */
		}
		err = n < 0 ? n : send_n(o, back, i, 1, 0);
	}
	fail_side(o, fwd->sh, s, err, back, fwd);
}

/* One instantiation of the loops per transport family. */
#define DEFINE_LOOPS(fam, ...)                                                 \
	static const struct ops fam##_ops = {__VA_ARGS__};                     \
	static void fam##_run(struct chan *a, struct chan *b, int role,        \
			      uint64_t rate)                                   \
	{                                                                      \
		if (a->p->mode == MODE_RTT)                                    \
			role ? pong(&fam##_ops, a, b)                          \
			     : ping(&fam##_ops, a, b);                         \
		else if (role)                                                 \
			consume(&fam##_ops, a, a->p->mode == MODE_LAT);        \
		else                                                           \
			produce(&fam##_ops, a, rate);                          \
	}

DEFINE_LOOPS(ring, ring_claim, ring_slot, ring_publish, ring_receive,
	     ring_rslot, ring_release, NULL)
DEFINE_LOOPS(mq, stage_claim, stage_slot, mq_publish, mq_receive, stage_rslot,
	     mq_release, NULL)
DEFINE_LOOPS(fd, stage_claim, stage_slot, fd_publish, fd_receive, stage_rslot,
	     fd_release, fd_quit)
#ifdef ZC_HAVE_CK
DEFINE_LOOPS(ck, ck_claim, ck_slot, ck_publish, ck_receive, ck_rslot,
	     ck_release, NULL)
#endif

struct transport {
	const char *name;
	int proc; /* the consumer is a forked process */
	int (*avail)(char *why, size_t len);
	int (*open)(struct chan *c);
	void (*close)(struct chan *c);
	void (*run)(struct chan *a, struct chan *b, int role, uint64_t rate);
	int uses_iso, uses_cap;
	int spins; /* both sides busy-poll: CPU time == wall time */
};

static const struct transport transports[T_COUNT] = {
	[T_THREAD] = {"thread", 0, NULL, ring_open, ring_close, ring_run, 1, 1,
		      1},
	[T_PROCESS] = {"process", 1, NULL, ring_open, ring_close, ring_run, 1,
		       1, 1},
	[T_MUTEX] = {"mutex", 0, NULL, mq_open, mq_close, mq_run, 0, 1},
	[T_PIPE] = {"pipe", 0, NULL, fd_open, fd_close, fd_run, 0, 1},
	[T_UNIX] = {"unix", 0, NULL, fd_open, fd_close, fd_run, 0, 0},
#ifdef ZC_HAVE_CK
	[T_CK] = {"ck", 0, ck_avail, ck_open, ck_close, ck_run, 0, 1, 1},
#else
	[T_CK] = {"ck", 0, ck_avail, NULL, NULL, NULL, 0, 1, 1},
#endif
};

/* ---- one repetition --------------------------------------------------------
 */

struct rcase {
	struct params p;
	struct zc_plan plan;
	int idx;
	uint64_t count; /* per repetition, from --messages or the warm-up */
};

struct run {
	struct zc_ctx *ctx;
	struct zc_results res;
	struct rcase *cases;
	int ncases;
	double seconds;
	int tainted; /* a team timed out: threads still run */
};

struct job;
struct role {
	struct job *j;
	int role;
};

/* On the heap: after a timeout the threads still use it, so it is never
 * freed (the process exits soon after). */
struct job {
	const struct transport *t;
	struct chan ch[2];
	struct shared *sh;
	pid_t child;
	uint64_t rate;
	struct role roles[2];
	struct zc_team team;
};

static void role_worker(struct zc_worker *w)
{
	struct role *r = w->arg;
	struct job *j = r->j;
	zc_worker_begin(w);
	j->t->run(&j->ch[0], &j->ch[1], r->role, j->rate);
	zc_worker_end(w);
}

static void job_close(struct job *j)
{
	for (int i = 0; i < 2; i++)
		if (j->ch[i].p)
			j->t->close(&j->ch[i]);
	if (j->sh)
		munmap(j->sh, sizeof(*j->sh));
	j->sh = NULL;
}

static int job_open(struct job *j, const struct transport *t,
		    const struct params *p)
{
	int nch = p->mode == MODE_RTT ? 2 : 1, err;

	memset(j, 0, sizeof(*j));
	j->t = t;
	j->child = 0;
	j->sh = mmap(NULL, sizeof(*j->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (j->sh == MAP_FAILED) {
		j->sh = NULL;
		return -errno;
	}
	zc_hist_init(&j->sh->hist);
	atomic_init(&j->sh->final, UINT64_MAX);
	for (int i = 0; i < nch; i++) {
		struct chan *c = &j->ch[i];
		c->fd[0] = c->fd[1] = -1;
		c->p = p;
		c->sh = j->sh;
		c->child = t->proc ? &j->child : NULL;
		err = t->open(c);
		if (err) {
			if (err < 0)
				t->close(c);
			c->p = NULL;
			job_close(j);
			return err;
		}
	}
	return 0;
}

/* The forked consumer: pin, wait for the producer's start, run, exit. */
static void child_main(struct run *run, struct job *j, int cpu)
{
	struct side *s = &j->sh->cons;
	const char *fault;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	s->err = zc_topo_pin_self(&run->ctx->topo, cpu);
	if (s->err)
		_exit(1);
	/* Attach as an outside process would: the header is checked
	 * against the geometry this side expects. */
	for (int i = 0; i < 2; i++) {
		struct chan *c = &j->ch[i];
		struct zc_ring_cfg want = {.slot_size = c->p ? c->p->size : 0,
					   .capacity = c->p ? c->p->cap : 0,
					   .isolation = c->p ? c->p->iso : 0};
		struct zc_ring_wait hook = c->ring.prod_wait;
		if (!c->p)
			continue;
		s->err = zc_ring_attach_mem(&c->ring, c->ring.base,
					    c->ring.mem.len, &want);
		if (s->err)
			_exit(1);
		c->ring.prod_wait = c->ring.cons_wait = hook;
	}
	/* acquire: pairs with the producer's release of go */
	while (!atomic_load_explicit(&j->sh->go, memory_order_acquire)) {
		if (peer_gone(&j->ch[0]))
			_exit(1);
		zc_cpu_relax();
	}
	fault = getenv("ZC_RING_FAULT");
	if (fault && !strcmp(fault, "corrupt")) {
		/* Test hook: damage message 100 in the ring before reading
		 * it, as a bad transport would; the producer cannot reuse the
		 * slot before we consume it. */
		struct zc_ring *r = &j->ch[0].ring;
		/* acquire: message 100 is complete before we damage it */
		while (atomic_load_explicit(r->head, memory_order_acquire) <=
			       100 &&
		       !peer_gone(&j->ch[0]))
			zc_cpu_relax();
		((unsigned char *)zc_ring_slot(r, 100))[3] ^= 0x40;
	}
	if (fault && !strcmp(fault, "kill-consumer")) {
		/* Test hook: die mid-run, as a crashed consumer would. */
		struct params part = *j->ch[0].p;
		part.count = part.count / 2 + 1;
		j->ch[0].p = &part;
		j->t->run(&j->ch[0], &j->ch[1], 1, 0);
		raise(SIGKILL);
	}
	j->t->run(&j->ch[0], &j->ch[1], 1, 0);
	_exit(s->err ? 1 : 0);
}

static void describe_status(int st, char *buf, size_t len)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
}

/* Reap the child: wait up to timeout_s, then kill it. Returns its status. */
static int reap(pid_t pid, double timeout_s)
{
	uint64_t limit = zc_now_ns() + (uint64_t)(timeout_s * 1e9);
	int st = 0;

	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (zc_now_ns() > limit || zc_stopped()) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		usleep(200);
	}
	return st;
}

static const char *err_text(int err)
{
	switch (err) {
	case -EILSEQ:
		return "wrong sequence (a loss, duplicate or reordering)";
	case -EBADMSG:
		return "checksum mismatch (corrupted message)";
	case -EPIPE:
		return "the peer went away";
	case -ECANCELED:
		return "stopped because the other side failed";
	default:
		return strerror(-err);
	}
}

/* Run one repetition; fills j->sh. Returns 0 or -errno with why. */
static int run_job(struct run *run, struct rcase *rc, struct job *j, char *why,
		   size_t len)
{
	struct zc_ctx *ctx = run->ctx;
	const struct transport *t = &transports[rc->p.transport];
	void *args[2] = {&j->roles[0], &j->roles[1]};
	struct zc_plan plan = rc->plan;
	struct zc_team *team = &j->team;
	int err, st;

	j->rate = rc->p.mode == MODE_LAT ? (uint64_t)opt_rate : 0;
	/* --messages is a count the user asked for; sized runs are boxed */
	j->sh->budget_ns =
		opt_messages ? 0 : (uint64_t)((5 * run->seconds + 0.5) * 1e9);
	j->roles[0] = (struct role){j, 0};
	j->roles[1] = (struct role){j, 1};
	if (t->proc) {
		fflush(NULL);
		j->child = fork();
		if (j->child < 0) {
			snprintf(why, len, "fork: %s", strerror(errno));
			return -errno;
		}
		if (j->child == 0)
			child_main(run, j, plan.cpu[1]);
		plan.nthreads = 1;
	}
	err = zc_team_run(team, &ctx->topo, &plan, NULL, role_worker, args, 0,
			  ctx->timeout_s);
	if (err == -ETIMEDOUT) {
		run->tainted = 1;
		snprintf(why, len, "%s", team->why);
		if (j->child > 0)
			kill(j->child, SIGKILL);
		return err;
	}
	zc_team_release(team);
	if (err && err != -EINTR && !j->sh->prod.err && !j->sh->cons.err) {
		snprintf(why, len, "%s", team->why);
		/* relaxed: a flag; a forked consumer waiting for go leaves */
		atomic_store_explicit(&j->sh->abort, 1, memory_order_relaxed);
	}
	if (t->proc && j->child > 0) {
		st = reap(j->child, ctx->timeout_s);
		j->child = -st - 1;
	}
	if (zc_stopped())
		return -EINTR;
	if (err && err != -EINTR && !j->sh->prod.err && !j->sh->cons.err)
		return err;
	if (t->proc) {
		char how[96];
		st = -j->child - 1;
		describe_status(st, how, sizeof(how));
		if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0) &&
		    !j->sh->cons.err) {
			snprintf(why, len, "consumer process %s before the end",
				 how);
			return -EPIPE;
		}
		if (j->sh->prod.err == -EPIPE) {
			snprintf(why, len, "consumer process %s mid-run", how);
			return -EPIPE;
		}
	}
	/* The side that failed first explains; the other only stopped. */
	if (j->sh->cons.err && j->sh->cons.err != -ECANCELED) {
		snprintf(why, len, "consumer: message %llu: %s",
			 (unsigned long long)j->sh->cons.bad_seq,
			 err_text(j->sh->cons.err));
		return j->sh->cons.err;
	}
	if (j->sh->prod.err) {
		snprintf(why, len, "producer: %s%s", err_text(j->sh->prod.err),
			 j->sh->prod.err == -EILSEQ ? " (reply)" : "");
		return j->sh->prod.err;
	}
	if (j->sh->cons.err) {
		snprintf(why, len, "consumer: %s", err_text(j->sh->cons.err));
		return j->sh->cons.err;
	}
	if (zc_topo_is_real(&ctx->topo) &&
	    (j->sh->prod.cpu_start != rc->plan.cpu[0] ||
	     j->sh->prod.cpu_end != rc->plan.cpu[0] ||
	     j->sh->cons.cpu_start != rc->plan.cpu[1] ||
	     j->sh->cons.cpu_end != rc->plan.cpu[1])) {
		snprintf(why, len,
			 "ran on CPUs %d/%d (producer) and %d/%d (consumer), "
			 "planned %d and %d",
			 j->sh->prod.cpu_start, j->sh->prod.cpu_end,
			 j->sh->cons.cpu_start, j->sh->cons.cpu_end,
			 rc->plan.cpu[0], rc->plan.cpu[1]);
		return -EXDEV;
	}
	return 0;
}

/* Messages (round trips) actually sent: all, or what the time box let. */
static double sent(const struct rcase *rc, struct shared *sh)
{
	/* relaxed: read after the sides were joined or reaped */
	uint64_t f = atomic_load_explicit(&sh->final, memory_order_relaxed);
	f = f < rc->p.count ? f : rc->p.count;
	return f ? (double)f : 1;
}

static void record(struct run *run, struct rcase *rc, struct zc_case *c,
		   int rep, struct shared *sh)
{
	const struct zc_results *r = &run->res;
	double n = sent(rc, sh);
	double el = (double)(sh->cons.t1 - sh->prod.t0), util;

	c->iterations[rep] = n;
	zc_case_set(r, c, rep, M_PROD_CPU, (double)sh->prod.cpu_ns / n);
	zc_case_set(r, c, rep, M_CONS_CPU, (double)sh->cons.cpu_ns / n);
	switch (rc->p.mode) {
	case MODE_TPUT:
		zc_case_set(r, c, rep, M_MMSGS, n / el * 1e3);
		zc_case_set(r, c, rep, M_GBPS, n * rc->p.size / el);
		zc_case_set(r, c, rep, M_NS_PER_MSG, el / n);
		break;
	case MODE_RTT:
		el = (double)(sh->prod.t1 - sh->prod.t0);
		zc_case_set(r, c, rep, M_RTT, el / n);
		zc_case_set(r, c, rep, M_NS_PER_MSG, el / n);
		break;
	default:
		zc_case_set(r, c, rep, M_P50,
			    (double)zc_hist_quantile(&sh->hist, 0.5));
		zc_case_set(r, c, rep, M_P99,
			    (double)zc_hist_quantile(&sh->hist, 0.99));
		zc_case_set(r, c, rep, M_P999,
			    (double)zc_hist_quantile(&sh->hist, 0.999));
		zc_case_set(r, c, rep, M_MAX, (double)sh->hist.max);
		break;
	}
	util = ((double)sh->prod.cpu_ns / (double)(sh->prod.t1 - sh->prod.t0) +
		(double)sh->cons.cpu_ns / (double)(sh->cons.t1 - sh->cons.t0)) /
	       2;
	zc_case_set(r, c, rep, M_CPU_UTIL, util);
	/* Both sides of the lock-free transports spin: less than 90 % on CPU
	 * means this machine took the CPU away (oversubscribed, a VM). */
	if (util < 0.9 && transports[rc->p.transport].spins &&
	    !strstr(c->label, "preempted")) {
		size_t l = strlen(c->label);
		snprintf(c->label + l, sizeof(c->label) - l,
			 "; preempted: ran %.0f%% of the time", 100 * util);
	}
	if (!c->cpus[0])
		snprintf(c->cpus, sizeof(c->cpus), "%d,%d", sh->prod.cpu_start,
			 sh->cons.cpu_start);
}

/* Messages for the warm-up, which then sizes the measured repetitions. */
static uint64_t warm_count(const struct rcase *rc)
{
	if (rc->p.mode == MODE_LAT)
		return 1000;
	if (rc->p.mode == MODE_RTT)
		return 2000;
	return 20000 > 4 * (uint64_t)rc->p.batch ? 20000 : 4 * rc->p.batch;
}

static void size_run(struct run *run, struct rcase *rc, struct shared *sh)
{
	double el = (double)(sh->prod.t1 - sh->prod.t0);
	double target = run->seconds * 1e9, n;

	if (rc->p.mode == MODE_LAT) {
		n = run->seconds * (double)opt_rate;
	} else {
		if (rc->p.mode == MODE_TPUT)
			el = (double)(sh->cons.t1 - sh->prod.t0);
		n = sent(rc, sh) * target / (el > 1 ? el : 1);
	}
	/* At least 1000 messages; whole batches. */
	n = n < 1000 ? 1000 : n > 1e10 ? 1e10 : n;
	rc->count = (uint64_t)n;
	if (rc->p.mode == MODE_TPUT)
		rc->count = (rc->count + rc->p.batch - 1) / rc->p.batch *
			    rc->p.batch;
}

static int ring_skip(void *vctx, int i)
{
	struct run *run = vctx;
	return run->tainted ||
	       run->res.cases[run->cases[i].idx].status != ZC_CASE_OK;
}

static int ring_one(void *vctx, int i, int rep)
{
	struct run *run = vctx;
	struct rcase *rc = &run->cases[i];
	struct zc_case *c = &run->res.cases[rc->idx];
	const struct transport *t = &transports[rc->p.transport];
	char why[ZC_WHY_LEN];
	struct job *jp = aligned_alloc(128, sizeof(*jp));
	int err;

	if (!jp) {
		zc_case_fail(&run->res, c, "out of memory");
		return -ENOMEM;
	}
	rc->p.count = rep < 0 && !rc->count ? warm_count(rc) : rc->count;
	err = job_open(jp, t, &rc->p);
	if (err) {
		zc_case_fail(&run->res, c, "cannot set up %s: %s", t->name,
			     zc_ring_strerror(err));
		free(jp);
		return err;
	}
	if (!c->label[0]) {
		const struct zc_mem *m = t->open == ring_open
						 ? &jp->ch[0].ring.mem
					 : jp->ch[0].mem.p ? &jp->ch[0].mem
							   : NULL;
		if (m)
			snprintf(c->label, sizeof(c->label), "mem %s, %s",
				 m->binding, m->pages);
		else
			snprintf(c->label, sizeof(c->label), "kernel buffers");
	}
	err = run_job(run, rc, jp, why, sizeof(why));
	if (err == -ETIMEDOUT) {
		zc_case_fail(&run->res, c, "%s", why);
		return err; /* its threads still use *jp: never freed */
	}
	if (err == -EINTR) {
		/* interrupted: keep what was measured, record nothing */
	} else if (err) {
		zc_case_fail(&run->res, c, "%s", why);
	} else if (rep < 0) {
		if (!opt_messages)
			size_run(run, rc, jp->sh);
	} else {
		record(run, rc, c, rep, jp->sh);
	}
	job_close(jp);
	free(jp);
	return err;
}

/* ---- sweep, plots, headline ---------------------------------------------- */

static int is_pow2(long long x)
{
	return x > 0 && !(x & (x - 1));
}

static int plan_for(struct zc_ctx *ctx, int place, struct zc_plan *plan)
{
	return zc_topo_plan(&ctx->topo, place, 2, ctx->cpus, ctx->ncpus, plan);
}

static void case_name_vals(const struct params *p, int place, char v[][24])
{
	snprintf(v[0], 24, "%s", transports[p->transport].name);
	snprintf(v[1], 24, "%u", p->size);
	snprintf(v[2], 24, "%u", p->batch);
	if (transports[p->transport].uses_cap)
		snprintf(v[3], 24, "%llu", (unsigned long long)p->cap);
	else
		snprintf(v[3], 24, "-");
	if (transports[p->transport].uses_iso)
		snprintf(v[4], 24, "%u", p->iso);
	else
		snprintf(v[4], 24, "-");
	snprintf(v[5], 24, "%s", zc_place_name(place));
	snprintf(v[6], 24, "%s", mode_words[p->mode].name);
}

static int add_case(struct run *run, const struct params *p, int place,
		    const struct zc_plan *plan, int perr)
{
	const struct transport *t = &transports[p->transport];
	char v[NKEYS][24], why[160];
	const char *vals[NKEYS];
	struct rcase *rc;
	struct zc_case *c;

	case_name_vals(p, place, v);
	for (int k = 0; k < NKEYS; k++)
		vals[k] = v[k];
	/* A parameter a transport ignores gives one case, not copies. */
	for (int i = 0; i < run->res.ncases; i++) {
		int same = 1;
		for (int k = 0; k < NKEYS && same; k++)
			same = !strcmp(run->res.cases[i].param[k], v[k]);
		if (same)
			return 0;
	}
	c = zc_results_add(&run->res, vals);
	if (!c)
		return -ENOMEM;
	rc = &run->cases[run->ncases++];
	rc->p = *p;
	rc->p.mem_flags = opt_huge ? ZC_MEM_HUGE : 0;
	rc->p.node =
		opt_mem_node == NODE_LOCAL || perr
			? -1
			: zc_topo_cpu_node(
				  &run->ctx->topo,
				  plan->cpu[opt_mem_node == NODE_CONSUMER ? 1
									  : 0]);
	rc->plan = *plan;
	rc->plan.place = place;
	rc->idx = run->res.ncases - 1;
	rc->count = (uint64_t)opt_messages;
	c->threads = 2;
	if (perr)
		zc_case_skip(c, "%s", plan->why);
	else if (t->avail && !t->avail(why, sizeof(why)))
		zc_case_skip(c, "%s", why);
	for (int m = 0; m < M_COUNT; m++) {
		static const int mode_of[M_COUNT] = {
			[M_MMSGS] = MODE_TPUT, [M_GBPS] = MODE_TPUT,
			[M_NS_PER_MSG] = -1,   [M_PROD_CPU] = -1,
			[M_CONS_CPU] = -1,     [M_RTT] = MODE_RTT,
			[M_P50] = MODE_LAT,    [M_P99] = MODE_LAT,
			[M_P999] = MODE_LAT,   [M_MAX] = MODE_LAT};
		if (mode_of[m] >= 0 && mode_of[m] != p->mode) {
			snprintf(why, sizeof(why), "measured in mode %s",
				 mode_words[mode_of[m]].name);
			zc_case_absent(&run->res, c, m, why);
		} else if (m == M_NS_PER_MSG && p->mode == MODE_LAT) {
			zc_case_absent(&run->res, c, m,
				       "lat runs at a fixed offered rate");
		}
	}
	return 0;
}

/* The sizes and batches to run: given, or the defaults for the run. */
static struct zc_list eff_size, eff_batch;

static void effective_lists(struct zc_ctx *ctx)
{
	static const long long def_sizes[] = {32, 64, 256, 1024, 4096};
	static const long long quick_sizes[] = {32, 256, 4096};
	static const long long def_batch[] = {1, 8, 64, 256};
	static const long long quick_batch[] = {1, 64};

	eff_size = opt_size;
	eff_batch = opt_batch;
	if (!opt_size.given) {
		eff_size.n = ctx->quick ? 3 : 5;
		memcpy(eff_size.v, ctx->quick ? quick_sizes : def_sizes,
		       sizeof(long long) * eff_size.n);
	}
	if (!opt_batch.given) {
		eff_batch.n = ctx->quick ? 2 : 4;
		memcpy(eff_batch.v, ctx->quick ? quick_batch : def_batch,
		       sizeof(long long) * eff_batch.n);
	}
}

static int build_sweep(struct run *run, struct zc_ctx *ctx)
{
	const long long *sizes = eff_size.v, *batches = eff_batch.v;
	int nsizes = eff_size.n, nbatches = eff_batch.n, err;

	run->cases = calloc((size_t)opt_place.n * opt_mode.n * opt_transport.n *
				    nsizes * nbatches * opt_cap.n * opt_iso.n,
			    sizeof(*run->cases));
	if (!run->cases)
		return -ENOMEM;
	for (int pl = 0; pl < opt_place.n; pl++) {
		int place = (int)opt_place.v[pl];
		struct zc_plan plan;
		int perr = plan_for(ctx, place, &plan);
		for (int mi = 0; mi < opt_mode.n; mi++)
			for (int ti = 0; ti < opt_transport.n; ti++)
				for (int si = 0; si < nsizes; si++)
					for (int bi = 0; bi < nbatches; bi++)
						for (int ci = 0; ci < opt_cap.n;
						     ci++)
							for (int ii = 0;
							     ii < opt_iso.n;
							     ii++) {
								struct params p = {
									.transport =
										(int)opt_transport
											.v[ti],
									.mode = (int)opt_mode
											.v[mi],
									.size = (uint32_t)sizes
										[si],
									.batch = (uint32_t)batches
										[bi],
									.cap = (uint64_t)opt_cap
										       .v[ci],
									.iso = (uint32_t)opt_iso
										       .v[ii],
								};
								/* rtt and lat
								 * are per
								 * message;
								 * --quick
								 * measures them
								 * at the first
								 * size. */
								if (p.mode !=
								    MODE_TPUT) {
									p.batch =
										1;
									if (ctx->quick &&
									    si > 0)
										continue;
								}
								err = add_case(
									run, &p,
									place,
									&plan,
									perr);
								if (err)
									return err;
							}
	}
	return 0;
}

static void make_plots(struct run *run, struct zc_plot *pl, int *np)
{
	struct zc_plot *p = &pl[0];
	char bv[16];

	memset(pl, 0, 2 * sizeof(*pl));
	*np = 0;
	zc_plot_init(p, "ring", "size", "mmsgs_per_s", 1, 1);
	snprintf(p->title, sizeof(p->title),
		 "SPSC transports: one-way throughput vs message size "
		 "(higher is better)");
	snprintf(p->subtitle, sizeof(p->subtitle),
		 "every message's sequence and checksum verified; batch = "
		 "messages per publish, write or lock");
	snprintf(p->xlabel, sizeof(p->xlabel), "message size [bytes]");
	snprintf(p->ylabel, sizeof(p->ylabel),
		 "million messages/s (median, bars min..max)");
	for (int i = 0; i < run->ncases; i++) {
		struct rcase *a = &run->cases[i];
		char title[96];
		int dup = 0;
		if (a->p.mode != MODE_TPUT ||
		    run->res.cases[a->idx].status != ZC_CASE_OK)
			continue;
		for (int k = 0; k < i; k++) {
			struct rcase *b = &run->cases[k];
			dup |= b->p.mode == MODE_TPUT &&
			       b->p.transport == a->p.transport &&
			       b->p.batch == a->p.batch &&
			       run->res.cases[b->idx].status == ZC_CASE_OK;
		}
		if (dup)
			continue;
		snprintf(bv, sizeof(bv), "%u", a->p.batch);
		snprintf(title, sizeof(title), "%s, batch %u",
			 transports[a->p.transport].name, a->p.batch);
		zc_plot_add_series(p, title, "mode", "tput", "transport",
				   transports[a->p.transport].name, "batch", bv,
				   NULL);
	}
	if (p->nseries)
		(*np)++;

	/* Latency: p99 at the offered rate and the round trip, by transport. */
	p = &pl[*np];
	zc_plot_init(p, "ring-latency", "transport", "lat_p99_ns", 0, 1);
	snprintf(p->csv, sizeof(p->csv), "ring.csv");
	snprintf(p->title, sizeof(p->title),
		 "SPSC transports: one-way latency p99 at %lld msgs/s offered "
		 "(lower is better)",
		 opt_rate);
	snprintf(p->subtitle, sizeof(p->subtitle),
		 "open loop, measured from the intended send time (no "
		 "coordinated omission); bars min..max over repetitions");
	snprintf(p->xlabel, sizeof(p->xlabel), "transport");
	snprintf(p->ylabel, sizeof(p->ylabel), "ns (log scale)");
	p->points_only = 1;
	for (int t = 0; t < T_COUNT; t++)
		snprintf(p->cats[p->ncats++], sizeof(p->cats[0]), "%s",
			 transports[t].name);
	for (int i = 0; i < run->ncases; i++) {
		struct rcase *a = &run->cases[i];
		char title[64], sv[16];
		int dup = 0;
		if (a->p.mode != MODE_LAT ||
		    run->res.cases[a->idx].status != ZC_CASE_OK)
			continue;
		for (int k = 0; k < i; k++)
			dup |= run->cases[k].p.mode == MODE_LAT &&
			       run->cases[k].p.size == a->p.size;
		if (dup)
			continue;
		snprintf(sv, sizeof(sv), "%u", a->p.size);
		snprintf(title, sizeof(title), "p99, %u B", a->p.size);
		zc_plot_add_series(p, title, "mode", "lat", "size", sv, NULL);
	}
	if (p->nseries)
		(*np)++;
}

static int find_case(struct run *run, int transport, int mode, uint32_t size,
		     uint32_t batch, struct zc_summary *s, int m)
{
	for (int i = 0; i < run->ncases; i++) {
		struct rcase *a = &run->cases[i];
		if (a->p.transport == transport && a->p.mode == mode &&
		    a->p.size == size && (!batch || a->p.batch == batch) &&
		    run->res.cases[a->idx].status == ZC_CASE_OK &&
		    zc_case_summary(&run->res, &run->res.cases[a->idx], m, s) ==
			    0)
			return 1;
	}
	return 0;
}

/* The questions, answered from this run's medians. */
static void headlines(struct run *run)
{
	struct zc_summary a, b;
	uint32_t s0 = run->cases[0].p.size;
	char buf[2048];
	size_t n = 0;
	double best = 0;

#define ADD(...)                                                               \
	n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0,  \
			      __VA_ARGS__)
	if (find_case(run, T_THREAD, MODE_TPUT, s0, 1, &a, M_MMSGS) &&
	    find_case(run, T_CK, MODE_TPUT, s0, 1, &b, M_MMSGS))
		ADD("  ring vs ck_ring, batch 1:      %7.2f vs %7.2f Mmsg/s "
		    "(%.2fx)\n",
		    a.median, b.median, a.median / b.median);
	for (int i = 0; i < run->ncases; i++) {
		struct rcase *r = &run->cases[i];
		if (r->p.transport == T_THREAD && r->p.mode == MODE_TPUT &&
		    r->p.size == s0 && r->p.batch >= 64 &&
		    zc_case_summary(&run->res, &run->res.cases[r->idx], M_MMSGS,
				    &a) == 0 &&
		    a.median > best)
			best = a.median;
	}
	if (best > 0)
		ADD("  ring, batch >= 64 (best):      %7.2f Mmsg/s\n", best);
	for (int i = 0; i < run->ncases; i++) {
		struct rcase *r = &run->cases[i];
		if (r->p.transport == T_THREAD && r->p.mode == MODE_TPUT &&
		    r->p.size == s0 &&
		    find_case(run, T_THREAD, MODE_TPUT, s0, r->p.batch, &a,
			      M_MMSGS) &&
		    find_case(run, T_PROCESS, MODE_TPUT, s0, r->p.batch, &b,
			      M_MMSGS))
			ADD("  process vs thread, batch %-4u %7.2f vs %7.2f "
			    "Mmsg/s (%+.1f %%)\n",
			    r->p.batch, b.median, a.median,
			    (b.median / a.median - 1) * 100);
	}
	for (int t = 0; t < T_COUNT; t++)
		if (find_case(run, t, MODE_RTT, s0, 0, &a, M_RTT))
			ADD("  round trip %-8s            %9.0f ns\n",
			    transports[t].name, a.median);
#undef ADD
	if (n)
		printf("\nheadlines (%u B messages, medians of this run):\n%s",
		       s0, buf);
}

/* ---- validation and the command -------------------------------------------
 */

static int validate(struct zc_ctx *ctx)
{
	long long phys = sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);

	for (int i = 0; i < opt_cap.n; i++)
		if (!is_pow2(opt_cap.v[i]))
			return zc_usage(ctx,
					"--capacity: %lld is not a power of "
					"two: expected 64, 128, ... %d slots",
					opt_cap.v[i], CAP_MAX);
	for (int i = 0; i < opt_iso.n; i++)
		if (opt_iso.v[i] != 64 && opt_iso.v[i] != 128)
			return zc_usage(ctx,
					"--isolation: %lld: expected 64 or "
					"128 bytes",
					opt_iso.v[i]);
	effective_lists(ctx);
	for (int b = 0; b < eff_batch.n; b++)
		for (int c = 0; c < opt_cap.n; c++)
			if (eff_batch.v[b] > opt_cap.v[c])
				return zc_usage(ctx,
						"--batch %lld is larger than "
						"--capacity %lld: expected "
						"1..%lld",
						eff_batch.v[b], opt_cap.v[c],
						opt_cap.v[c]);
	for (int s = 0; s < eff_size.n; s++)
		for (int c = 0; c < opt_cap.n; c++) {
			/* rtt uses two channels; ck a pool of twice the slots
			 */
			long long need = 4 * opt_cap.v[c] * eff_size.v[s];
			if (phys > 0 && need > phys / 2)
				return zc_usage(
					ctx,
					"--capacity %lld x --size %lld "
					"needs %lld MiB; this machine has "
					"%lld MiB (at most half is used): "
					"lower --capacity",
					opt_cap.v[c], eff_size.v[s], need >> 20,
					phys >> 20);
		}
	for (int p = 0; p < opt_place.n; p++)
		if (opt_place.v[p] == ZC_PLACE_CPUS && ctx->ncpus < 2 &&
		    opt_place.n == 1)
			return zc_usage(ctx,
					"--place cpus needs --cpus with two "
					"CPUs (producer, consumer)");
	return 0;
}

static int cmd_ring(int argc, char **argv, struct zc_ctx *ctx)
{
	struct run run = {.ctx = ctx};
	struct zc_plot plots[2];
	int rc, nplots = 0;

	rc = zc_cmd_parse(ctx, ring_opts, argc, argv);
	if (rc)
		return rc;
	rc = validate(ctx);
	if (rc)
		return rc;
	run.seconds = opt_seconds > 0 ? opt_seconds : ctx->quick ? 0.05 : 0.2;
	if (zc_results_init(&run.res, "ring", ring_keys, NKEYS, ring_metrics,
			    M_COUNT, ctx->reps) < 0)
		return zc_error(ctx, "out of memory");
	if (build_sweep(&run, ctx)) {
		rc = zc_error(ctx, "out of memory");
		goto out;
	}
	if (ctx->dry_run) {
		int nrun = 0;
		printf("ring plan on %s\n", ctx->topo.source);
		for (int i = 0; i < run.ncases; i++) {
			struct zc_case *c = &run.res.cases[run.cases[i].idx];
			if (c->status == ZC_CASE_OK) {
				printf("  %-72s cpus %d,%d\n", c->name,
				       run.cases[i].plan.cpu[0],
				       run.cases[i].plan.cpu[1]);
				nrun++;
			} else {
				printf("  %-72s skipped: %s\n", c->name,
				       c->reason);
			}
		}
		printf("%d cases to run, %d skipped; %d repetitions + 1 "
		       "warm-up of about %.3g s each\n",
		       nrun, run.ncases - nrun, ctx->reps, run.seconds);
		rc = ZC_EXIT_OK;
		goto out;
	}
	rc = zc_cmd_can_run(ctx, &run.res);
	if (!rc)
		rc = zc_cmd_begin(ctx);
	if (rc)
		goto out;
	zc_bench_drive("ring", run.ncases, ctx->reps, 1, ring_one, ring_skip,
		       &run);
	if (run.tainted) {
		zc_error(ctx,
			 "a case did not finish within --timeout %.0f s: "
			 "its threads still run, so the rest was skipped",
			 ctx->timeout_s);
		for (int i = 0; i < run.res.ncases; i++)
			if (run.res.cases[i].status == ZC_CASE_OK &&
			    !run.res.cases[i].nrep)
				zc_case_skip(&run.res.cases[i],
					     "not run: an earlier case timed "
					     "out");
	}
	/* The headline ratios, measured within this run (portable). */
	{
		/* The peers have no isolation: compare with theirs. */
		static const char *const ignore[] = {"isolation", NULL};
		zc_results_ratio(&run.res, M_MMSGS, M_VS_MUTEX, "transport",
				 "mutex", ignore, 0);
		zc_results_ratio(&run.res, M_MMSGS, M_VS_PIPE, "transport",
				 "pipe", ignore, 0);
	}
	make_plots(&run, plots, &nplots);
	rc = zc_cmd_finish(ctx, &run.res, plots, nplots);
	if (ctx->format == ZC_FMT_TEXT && !ctx->quiet)
		headlines(&run);
	if (run.tainted) {
		fflush(NULL);
		_exit(ZC_EXIT_FAIL); /* the stuck threads must not run on */
	}
out:
	zc_results_release(&run.res);
	free(run.cases);
	return rc;
}

static const struct zc_headline ring_headline[] = {
	{"speedup_vs_mutex", "transport", "thread",
	 "SPSC ring between threads vs a mutex+condvar queue (throughput)"},
	{"speedup_vs_pipe", "transport", "process",
	 "SPSC ring between processes vs a pipe (throughput)"},
	{NULL}};

const struct zc_command zc_cmd_ring = {
	.name = "ring",
	.summary = "SPSC shared-memory ring vs mutex queue, pipe, unix socket, "
		   "ck_ring",
	.what = "the SPSC shared-memory ring (Disruptor-style) between threads "
		"and processes against a mutex+condvar queue, a pipe, an "
		"AF_UNIX socket and ck_ring: throughput, CPU per message, "
		"round trip, open-loop latency; every message verified",
	.why = "what a preallocated, cache-line-isolated ring saves over the "
	       "usual queues, and how placement changes it",
	.flags = ZC_CMD_RESULTS,
	.headlines = ring_headline,
	.fn = cmd_ring,
};
