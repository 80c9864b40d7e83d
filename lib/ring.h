/* SPDX-License-Identifier: MIT */
#ifndef ZC_RING_H
#define ZC_RING_H
/*
 * ring — a single-producer/single-consumer ring of fixed-size slots in
 * shared memory, Disruptor style: preallocated slots, free-running 64-bit
 * sequences instead of wrapped head/tail, each side caching the other's
 * index, batch claim/publish, and back-pressure when full.
 *
 * Usage (producer and consumer may be two threads of one process, two
 * processes after fork(), or unrelated processes attached by name):
 *
 *	struct zc_ring_cfg cfg = {.slot_size = 32, .capacity = 4096,
 *				  .isolation = 128, .node = -1,
 *				  .mem_flags = ZC_MEM_MEMFD};
 *	struct zc_ring r;
 *	zc_ring_create(&r, &cfg);			(formats and touches)
 *
 *	producer:
 *		uint64_t lo;
 *		zc_ring_claim(&r, n, &lo);	(waits while full)
 *		for (uint64_t s = lo; s < lo + n; s++)
 *			fill(zc_ring_slot(&r, s));
 *		zc_ring_publish(&r, lo, lo + n - 1);
 *	consumer:
 *		uint64_t lo;
 *		int n = zc_ring_wait_avail(&r, max, &lo);  (waits while empty)
 *		for (uint64_t s = lo; s < lo + n; s++)
 *			use(zc_ring_slot(&r, s));
 *		zc_ring_consume(&r, lo + n - 1);
 *	zc_ring_free(&r);
 *
 * A producer must publish what it claimed, in order, before claiming past
 * it; a consumer must consume what it was given, in order. Sequences start
 * at 0 and never wrap in practice (2^64 messages).
 *
 * ---------------------------------------------------------------------
 * Shared-memory layout, version 1 (ZC_RING_VERSION). Every integer is
 * little-endian (native x86-64/arm64), offsets in bytes from the start of
 * the mapping. I = isolation (64 or 128), C = capacity (slots, a power of
 * two), S = slot size (8..4096, a multiple of 8).
 *
 *   header block, offset 0, I bytes (read-only once formatted):
 *	0   u8[8] magic	"ZCRING\0\0" (0x0000474e4952435a as a u64);
 *			written LAST when formatting (release), so an
 *			attacher that sees it sees the whole header
 *	8   u32 version	1
 *	12  u32 slot_size	S
 *	16  u64 capacity	C
 *	24  u32 isolation	I
 *	28  u32 flags		0 (reserved)
 *	32  u64 prod_off	I	offset of the producer index
 *	40  u64 cons_off	2*I	offset of the consumer index
 *	48  u64 slots_off	3*I	offset of slot 0
 *	56  u64 total_len	3*I + C*S  bytes the ring occupies
 *
 *   producer block, offset I, I bytes: u64 head at offset I, the rest of
 *	the block is padding that nobody writes. head = number of messages
 *	published: sequences [0, head) are readable. Written only by the
 *	producer, with a RELEASE store after the slots' contents.
 *   consumer block, offset 2*I, I bytes: u64 tail at offset 2*I, rest
 *	padding. tail = number of messages consumed: slots of sequences
 *	[0, tail) may be overwritten. Written only by the consumer, with a
 *	RELEASE store after it has finished reading those slots.
 *   slots, offset 3*I: slot of sequence s at 3*I + (s & (C-1)) * S.
 *
 * The protocol, for a producer in any language (e.g. Python with
 * struct.pack_into on an mmap of the segment):
 *	1. keep s_next (next sequence) and a cached tail; while
 *	   s_next + n - cached_tail > C, reload tail from offset 2*I (an
 *	   8-byte aligned load: acquire on arm64, plain on x86) and wait
 *	   (spin or sleep) if it is still too full.
 *	2. write the n messages into the slots of s_next .. s_next+n-1.
 *	3. store head = s_next + n at offset I as ONE aligned 8-byte store
 *	   (release: on x86 a plain store after the slot writes; on arm64
 *	   stlr or a dmb first). From CPython, e.g. a memoryview of the
 *	   mapping cast to 'Q' and indexed (one 8-byte store on x86-64);
 *	   never two 4-byte halves, which a reader may see torn.
 * The consumer mirrors it: read head (acquire) when its cache runs out,
 * read slots [tail, head), then store tail (release).
 * ---------------------------------------------------------------------
 *
 * Message format (zc_msg_fill / zc_msg_verify), for slots of 32 bytes or
 * more (smaller slots carry raw data of the caller's choosing):
 *	0   u64 id		the sequence number, 0, 1, 2 ... in order
 *	8   f64 price
 *	16  u32 quantity
 *	20  char symbol[8]	not NUL-terminated when 8 characters long
 *	28  u32 check		zc_msg_check32(bytes 0..27), see below
 *	32 .. S-9		payload (S > 32): any bytes; zc_msg_fill writes
 *				u64 words id * 0x9e3779b97f4a7c15 + i*8 + 1
 *	S-8 u64 csum		(S > 32) zc_csum64(bytes 0 .. S-9), lib/csum.h
 * check32: w0..w2 the u64 words at 0, 8, 16 and w3 the u32 at 24 (zero
 * extended), all arithmetic mod 2^64 (four independent multiplies, so the
 * check costs a few cycles and never becomes the benchmark):
 *	h = (w0 ^ 0xc2b2ae3d27d4eb4f) * 0x9e3779b97f4a7c15
 *	  + w1 * 0xc2b2ae3d27d4eb4f + w2 * 0x165667b19e3779f9
 *	  + w3 * 0xd6e8feb86659fd93
 *	check = (u32)(h ^ (h >> 32))
 * Field values written by zc_msg_fill (any values are valid; these are
 * what the tests expect): price = (id & 0xfffff) * 0.25 + 1,
 * quantity = (u32)id ^ 0x5bd1e995, symbol = one of 8 tickers by id & 7.
 * Every message is verified: id must be the expected sequence, check32
 * must match, and (S > 32) the trailing csum must match.
 *
 * Waiting: a full ring (producer) or an empty one (consumer) calls the
 * ring's wait hook, or spins with zc_cpu_relax() when none is set. The hook
 * sees the word it waits on and the value it saw, so a futex- or
 * eventfd-based strategy (lib/wait.h) can sleep on it; `wake` is called
 * after each publish/consume when set. A hook returns 0 to keep waiting
 * or -errno to give up (-EINTR on a signal, -EPIPE when the peer died,
 * -ETIMEDOUT): the blocking calls then return that error.
 *
 * Limitations: one producer and one consumer at a time (no check: a
 * second producer corrupts the ring); the handle's cached indices are
 * private to the process (fork copies them, so reset before forking a new
 * pair); hot paths are inline in this header.
 *
 * Errors: 0 or -errno. zc_ring_create: -EINVAL (slot size, capacity or
 * isolation out of range), -E2BIG (size overflows), and zc_mem_alloc's
 * errors (-ENOMEM, -EEXIST ...). Attach: -EPROTO (no ring magic, or an
 * unknown layout version), -EINVAL (a header field out of range or
 * inconsistent, or different from what the caller expected), -EFBIG (the
 * mapping is shorter than the ring), plus zc_mem_attach's errors.
 * Claim: -EINVAL (n == 0 or n > capacity), -EAGAIN (try_claim: no room),
 * or the wait hook's error. zc_msg_verify: -EILSEQ (wrong id: a loss,
 * duplicate or reordering), -EBADMSG (check or csum mismatch).
 */
#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "clock.h"
#include "shm.h"

#define ZC_RING_MAGIC	 0x0000474e4952435aull /* "ZCRING\0\0" little-endian */
#define ZC_RING_VERSION	 1u
#define ZC_RING_SLOT_MIN 8u
#define ZC_RING_SLOT_MAX 4096u
#define ZC_RING_CAP_MIN	 2ull
#define ZC_RING_CAP_MAX	 (1ull << 32)
#define ZC_RING_ISO_MAX	 128 /* alignment of the handle's private blocks */
#define ZC_MSG_SIZE	 32u

/* The header block as laid out in memory (see the table above). */
struct zc_ring_header {
	uint64_t magic;
	uint32_t version;
	uint32_t slot_size;
	uint64_t capacity;
	uint32_t isolation;
	uint32_t flags;
	uint64_t prod_off;
	uint64_t cons_off;
	uint64_t slots_off;
	uint64_t total_len;
};
static_assert(offsetof(struct zc_ring_header, version) == 8, "layout v1");
static_assert(offsetof(struct zc_ring_header, slot_size) == 12, "layout v1");
static_assert(offsetof(struct zc_ring_header, capacity) == 16, "layout v1");
static_assert(offsetof(struct zc_ring_header, isolation) == 24, "layout v1");
static_assert(offsetof(struct zc_ring_header, prod_off) == 32, "layout v1");
static_assert(offsetof(struct zc_ring_header, slots_off) == 48, "layout v1");
static_assert(sizeof(struct zc_ring_header) == 64, "fits the smallest block");

/* The 32-byte message. */
struct zc_msg {
	uint64_t id;
	double price;
	uint32_t quantity;
	char symbol[8];
	uint32_t check;
};
static_assert(offsetof(struct zc_msg, quantity) == 16, "message layout");
static_assert(offsetof(struct zc_msg, symbol) == 20, "message layout");
static_assert(offsetof(struct zc_msg, check) == 28, "message layout");
static_assert(sizeof(struct zc_msg) == ZC_MSG_SIZE, "message layout");

struct zc_ring_cfg {
	uint32_t slot_size; /* 8..4096, multiple of 8 */
	uint64_t capacity;  /* slots, power of two, 2..2^32 */
	uint32_t isolation; /* 64 or 128: bytes between header/head/tail */
	int node;	    /* NUMA node for the memory, -1 local */
	unsigned mem_flags; /* ZC_MEM_PRIVATE, _MEMFD, _NAMED, | _HUGE */
	const char *name;   /* shm_open name for ZC_MEM_NAMED ("/zc-...") */
};

/*
 * Wait hook. wait() is called with the shared index being waited on, the
 * value last seen in it and the number of calls so far in this wait
 * (0, 1, 2 ...); it returns 0 to check again or -errno to give up. wake()
 * is called after every publish (head) and consume (tail) with the index
 * just stored, for strategies that put the other side to sleep.
 */
struct zc_ring_wait {
	int (*wait)(void *arg, _Atomic uint64_t *word, uint64_t seen,
		    uint64_t iter);
	void (*wake)(void *arg, _Atomic uint64_t *word);
	void *arg;
};

struct zc_ring {
	/* shared, read-only after attach: read by both sides */
	unsigned char *base;
	unsigned char *slots;
	_Atomic uint64_t *head; /* in the producer block of the mapping */
	_Atomic uint64_t *tail; /* in the consumer block */
	uint64_t capacity, mask;
	uint32_t slot_size, isolation;
	struct zc_ring_wait prod_wait; /* producer: ring full */
	struct zc_ring_wait cons_wait; /* consumer: ring empty */
	struct zc_mem mem;	       /* valid when owned */
	int owned;		       /* created or attached by name here */
	/* producer's private state, alone on its block */
	_Alignas(ZC_RING_ISO_MAX) uint64_t prod_next; /* next to claim */
	uint64_t tail_cache; /* consumer's tail, last loaded */
	/* consumer's private state, alone on its block */
	_Alignas(ZC_RING_ISO_MAX) uint64_t cons_next; /* next to read */
	uint64_t head_cache; /* producer's head, last loaded */
	_Alignas(ZC_RING_ISO_MAX) char end[1];
};
static_assert(offsetof(struct zc_ring, cons_next) -
			      offsetof(struct zc_ring, prod_next) >=
		      ZC_RING_ISO_MAX,
	      "private producer and consumer state on separate blocks");

/* Bytes a ring with this geometry occupies (header, indices, slots);
 * 0 when cfg is out of range. */
size_t zc_ring_bytes(const struct zc_ring_cfg *cfg);
/* Check slot size, capacity and isolation: 0 or -EINVAL. */
int zc_ring_cfg_check(const struct zc_ring_cfg *cfg);

/* Allocate (lib/shm.h) with cfg's node and flags, touch every page, format
 * the header and attach r to it as creator. */
int zc_ring_create(struct zc_ring *r, const struct zc_ring_cfg *cfg);

/* Format a ring into caller-provided memory p of len bytes (zeroes the
 * indices and slots, writes the header, magic last) and attach r to it. */
int zc_ring_format(struct zc_ring *r, void *p, size_t len,
		   const struct zc_ring_cfg *cfg);

/*
 * Attach to a ring already formatted at p (len bytes mapped): checks the
 * header; `expect` may be NULL, or give slot_size/capacity/isolation to
 * require (0 fields: any). Does not take ownership of the memory.
 */
int zc_ring_attach_mem(struct zc_ring *r, void *p, size_t len,
		       const struct zc_ring_cfg *expect);

/* Attach to a named segment (ZC_MEM_NAMED) created by another process;
 * r then owns the mapping (not the name). */
int zc_ring_attach(struct zc_ring *r, const char *name,
		   const struct zc_ring_cfg *expect);

/* Unmap what r owns (a named segment's creator also unlinks it). */
void zc_ring_free(struct zc_ring *r);

/* Back to empty (head = tail = 0, caches cleared). Only while neither side
 * is running; a forked peer must fork after the reset. */
void zc_ring_reset(struct zc_ring *r);

/* Explain an attach/create error in words ("not a zcbench ring (bad
 * magic)" ...). */
const char *zc_ring_strerror(int err);

static inline uint32_t zc_msg_check32_words(uint64_t w0, uint64_t w1,
					    uint64_t w2, uint32_t w3)
{
	uint64_t h = (w0 ^ 0xc2b2ae3d27d4eb4full) * 0x9e3779b97f4a7c15ull +
		     w1 * 0xc2b2ae3d27d4eb4full + w2 * 0x165667b19e3779f9ull +
		     (uint64_t)w3 * 0xd6e8feb86659fd93ull;
	return (uint32_t)(h ^ (h >> 32));
}

static inline uint32_t zc_msg_check32(const void *msg)
{
	uint64_t w0, w1, w2;
	uint32_t w3;

	memcpy(&w0, (const char *)msg, 8);
	memcpy(&w1, (const char *)msg + 8, 8);
	memcpy(&w2, (const char *)msg + 16, 8);
	memcpy(&w3, (const char *)msg + 24, 4);
	return zc_msg_check32_words(w0, w1, w2, w3);
}

/* Slots above 32 bytes: payload and trailing csum (out of line). */
void zc_msg_fill_tail(void *slot, uint32_t size, uint64_t id);
int zc_msg_verify_tail(const void *slot, uint32_t size);

/* Messages: fill a slot of `size` bytes (>= 32, a multiple of 8) as
 * message `id`; verify one. fill returns 0 or -EINVAL (bad size). Inline:
 * they run once per message on the benchmarks' hot paths. */
static inline int zc_msg_fill(void *slot, uint32_t size, uint64_t id)
{
	static const char syms[8][8] = {"AAPL", "MSFT",	 "GOOG", "AMZN",
					"NVDA", "BRK.B", "TSLA", "ZCBENCH1"};
	double price = (double)(id & 0xfffff) * 0.25 + 1.0;
	uint64_t w[4], sym;
	uint32_t qty = (uint32_t)id ^ 0x5bd1e995u;

	if (__builtin_expect(size < ZC_MSG_SIZE || size % 8, 0))
		return -EINVAL;
	/* Built as four words in registers: a struct written field by field
	 * and read back as words stalls store forwarding (~15 ns here). */
	memcpy(&sym, syms[id & 7], 8);
	w[0] = id;
	memcpy(&w[1], &price, 8);
	w[2] = qty | sym << 32;
	w[3] = sym >> 32;
	w[3] |= (uint64_t)zc_msg_check32_words(w[0], w[1], w[2], (uint32_t)w[3])
		<< 32;
	memcpy(slot, w, sizeof(w));
	if (size > ZC_MSG_SIZE)
		zc_msg_fill_tail(slot, size, id);
	return 0;
}

static inline int zc_msg_verify(const void *slot, uint32_t size, uint64_t id)
{
	uint64_t got;
	uint32_t check;

	if (__builtin_expect(size < ZC_MSG_SIZE || size % 8, 0))
		return -EINVAL;
	memcpy(&got, slot, 8);
	memcpy(&check, (const char *)slot + 28, 4);
	if (check != zc_msg_check32(slot))
		return -EBADMSG;
	if (got != id)
		return -EILSEQ;
	return size > ZC_MSG_SIZE ? zc_msg_verify_tail(slot, size) : 0;
}

/* ---- hot path ---------------------------------------------------------- */

static inline void *zc_ring_slot(const struct zc_ring *r, uint64_t seq)
{
	return r->slots + (size_t)(seq & r->mask) * r->slot_size;
}

/* Claim n slots without waiting: 0 and *lo = first sequence, -EAGAIN when
 * the ring has no room for n, -EINVAL when n is 0 or above capacity. */
static inline int zc_ring_try_claim(struct zc_ring *r, uint32_t n, uint64_t *lo)
{
	uint64_t s = r->prod_next;

	if (__builtin_expect(n == 0 || n > r->capacity, 0))
		return -EINVAL;
	if (s + n - r->tail_cache > r->capacity) {
		/* acquire: pairs with the consumer's release of tail, so its
		 * reads of the slots we are about to reuse are finished */
		r->tail_cache =
			atomic_load_explicit(r->tail, memory_order_acquire);
		if (s + n - r->tail_cache > r->capacity)
			return -EAGAIN;
	}
	r->prod_next = s + n;
	*lo = s;
	return 0;
}

/* Claim n slots, waiting (back-pressure) while the ring is too full. */
static inline int zc_ring_claim(struct zc_ring *r, uint32_t n, uint64_t *lo)
{
	uint64_t iter = 0;
	int err;

	while ((err = zc_ring_try_claim(r, n, lo)) == -EAGAIN) {
		if (r->prod_wait.wait) {
			err = r->prod_wait.wait(r->prod_wait.arg, r->tail,
						r->tail_cache, iter++);
			if (err)
				return err;
		} else {
			zc_cpu_relax();
		}
	}
	return err;
}

/* Publish sequences lo..hi (inclusive; lo is the first unpublished one). */
static inline void zc_ring_publish(struct zc_ring *r, uint64_t lo, uint64_t hi)
{
	(void)lo;
	/* release: the slot writes for lo..hi happen before the consumer
	 * can observe head > hi (pairs with its acquire load of head) */
	atomic_store_explicit(r->head, hi + 1, memory_order_release);
	if (r->prod_wait.wake)
		r->prod_wait.wake(r->prod_wait.arg, r->head);
}

/* Messages ready to read without waiting, at most max: returns the count
 * (0 when empty) and *lo = the first sequence. */
static inline uint32_t zc_ring_try_avail(struct zc_ring *r, uint32_t max,
					 uint64_t *lo)
{
	uint64_t s = r->cons_next, n;

	if (r->head_cache == s) {
		/* acquire: pairs with the producer's release of head, so the
		 * slot contents below head are visible */
		r->head_cache =
			atomic_load_explicit(r->head, memory_order_acquire);
	}
	n = r->head_cache - s;
	*lo = s;
	return n < max ? (uint32_t)n : max;
}

/* Wait until at least one message is ready (max >= 1); returns how many
 * (1..max), or the wait hook's -errno. */
static inline int zc_ring_wait_avail(struct zc_ring *r, uint32_t max,
				     uint64_t *lo)
{
	uint64_t iter = 0;
	uint32_t n;
	int err;

	while ((n = zc_ring_try_avail(r, max, lo)) == 0) {
		if (r->cons_wait.wait) {
			err = r->cons_wait.wait(r->cons_wait.arg, r->head,
						r->head_cache, iter++);
			if (err)
				return err;
		} else {
			zc_cpu_relax();
		}
	}
	return (int)n;
}

/* Done reading sequences up to hi (inclusive): their slots may be reused. */
static inline void zc_ring_consume(struct zc_ring *r, uint64_t hi)
{
	r->cons_next = hi + 1;
	/* release: our reads of the slots up to hi happen before the
	 * producer sees them free (pairs with its acquire load of tail) */
	atomic_store_explicit(r->tail, hi + 1, memory_order_release);
	if (r->cons_wait.wake)
		r->cons_wait.wake(r->cons_wait.arg, r->tail);
}

#endif
