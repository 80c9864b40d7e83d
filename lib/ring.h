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
 *				  .mem_flags = ZC_MEM_MEMFD,
 *				  .flags = ZC_RING_F_SLOT_SEQ};
 *	struct zc_ring r;
 *	zc_ring_create(&r, &cfg);			(formats and touches)
 *
 *	producer:
 *		uint64_t lo;
 *		zc_ring_claim(&r, n, &lo);	(waits while full)
 *		for (uint64_t s = lo; s < lo + n; s++)
 *			zc_msg_fill(zc_ring_slot(&r, s), size, s);
 *		zc_ring_publish(&r, lo, lo + n - 1);
 *	consumer:
 *		uint64_t lo;
 *		int n = zc_ring_wait_avail(&r, max, &lo);  (waits while empty)
 *		for (uint64_t s = lo; s < lo + n; s++)
 *			use(zc_ring_slot(&r, s));
 *		zc_ring_consume(&r, lo + n - 1);
 *	zc_ring_free(&r);
 * A run of slots without the wrap in it: zc_ring_run (the producer fills
 * it with zc_msg_fill_n, the consumer checks it with zc_msg_verify_n).
 *
 * A producer must publish what it claimed, in order, before claiming past
 * it (in slot mode every slot's seq word, written last, publishes it); a
 * consumer must consume what it was given, in order. Sequences start at 0
 * and never wrap in practice (2^64 messages).
 *
 * ---------------------------------------------------------------------
 * Shared-memory layout, version 2 (ZC_RING_VERSION). Every integer is
 * little-endian (native x86-64/arm64), offsets in bytes from the start of
 * the mapping. I = isolation (64 or 128), C = capacity (slots, a power of
 * two), S = slot size (8..4096, a multiple of 8). Version 1 had no slot
 * sequence words and no flags; a reader of one version refuses the other.
 *
 *   header block, offset 0, I bytes (read-only once formatted):
 *	0   u8[8] magic	"ZCRING\0\0" (0x0000474e4952435a as a u64);
 *			written LAST when formatting (release), so an
 *			attacher that sees it sees the whole header
 *	8   u32 version	2
 *	12  u32 slot_size	S
 *	16  u64 capacity	C
 *	24  u32 isolation	I
 *	28  u32 flags		bit 0 ZC_RING_F_SLOT_SEQ (below); other bits 0
 *	32  u64 prod_off	I	offset of the producer index
 *	40  u64 cons_off	2*I	offset of the consumer index
 *	48  u64 slots_off	3*I	offset of slot 0
 *	56  u64 total_len	3*I + C*S  bytes the ring occupies
 *
 *   producer block, offset I, I bytes: u64 head at offset I, the rest of
 *	the block is padding that nobody writes. head = number of messages
 *	published: sequences [0, head) are readable. Written only by the
 *	producer, with a RELEASE store after the slots' contents, after every
 *	batch (in both publication modes).
 *   consumer block, offset 2*I, I bytes: u64 tail at offset 2*I, rest
 *	padding. tail = number of messages consumed: slots of sequences
 *	[0, tail) may be overwritten. Written only by the consumer, with a
 *	RELEASE store after it has finished reading those slots.
 *   slots, offset 3*I: slot of sequence s at 3*I + (s & (C-1)) * S. The
 *	first 8 bytes of a slot, u64 seq, are the sequence of the message it
 *	holds (the message's id); formatting writes slot i's seq as i - C
 *	(mod 2^64: "the lap before 0"), so a slot never looks like a message
 *	that was not written.
 *
 * Publication, two modes chosen by whoever formats the ring:
 *   head (flags 0): the consumer learns what is readable from head only.
 *	For producers that write a whole batch at once in any order (NumPy,
 *	struct.pack_into, typed arrays), then publish it with one head store.
 *   slot sequence (ZC_RING_F_SLOT_SEQ): the producer writes bytes 8..S-1
 *	of slot s first and its seq word s LAST, as one aligned 8-byte
 *	RELEASE store, slot after slot in sequence order, and still stores
 *	head after each batch. Message s is then published exactly when its
 *	slot's seq reads s (ACQUIRE load); s - C means not yet written, any
 *	other value is a broken producer or a corrupted message. Since the
 *	stores come in order, seeing s+k published means s..s+k are: the
 *	consumer looks at the last slot of the batch it wants and, when it is
 *	there, takes the whole batch without reading the producer's line.
 *	Disruptor-style availability; a consumer may still use head.
 *
 * The protocol, for a producer in any language (e.g. Python with
 * struct.pack_into on an mmap of the segment):
 *	0. check magic, version 2 and flags: a producer that publishes by
 *	   head must refuse a ring flagged ZC_RING_F_SLOT_SEQ (its consumer
 *	   would take a message whose seq word came before its other bytes).
 *	1. keep s_next (next sequence) and a cached tail; while
 *	   s_next + n - cached_tail > C, reload tail from offset 2*I (an
 *	   8-byte aligned load: acquire on arm64, plain on x86) and wait
 *	   (spin or sleep) if it is still too full.
 *	2. write the n messages into the slots of s_next .. s_next+n-1 (in
 *	   slot mode: each slot's seq word last, as above).
 *	3. store head = s_next + n at offset I as ONE aligned 8-byte store
 *	   (release: on x86 a plain store after the slot writes; on arm64
 *	   stlr or a dmb first). From CPython, e.g. a memoryview of the
 *	   mapping cast to 'Q' and indexed (one 8-byte store on x86-64);
 *	   never two 4-byte halves, which a reader may see torn.
 * The consumer mirrors it: learn what is readable (head, acquire, when its
 * cache runs out; or the slots' seq words in slot mode), read those slots,
 * then store tail (release).
 * ---------------------------------------------------------------------
 *
 * Message format (zc_msg_fill / zc_msg_verify): a slot of 8 bytes is the
 * raw message, its u64 sequence and nothing else. Slots of 32 bytes or
 * more (16 and 24 are not messages):
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
 * must match, and (S > 32) the trailing csum must match; an 8-byte
 * message must be its sequence. zc_msg_verify_n checks a run of messages
 * with one branch: the differences are OR-ed together and only a non-zero
 * result looks for the first bad message, so what is verified is the same
 * as one zc_msg_verify per message. For 8-byte messages it also keeps a
 * running sum (the Disruptor perftests' check, beside the exact one).
 * Every writer stores the id word last (release), so a message filled in
 * place publishes itself in a slot-sequence ring.
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
 * Errors: 0 or -errno. zc_ring_create: -EINVAL (slot size, capacity,
 * isolation or flags out of range), -E2BIG (size overflows), and
 * zc_mem_alloc's errors (-ENOMEM, -EEXIST ...). Attach: -EPROTO (no ring
 * magic), -EPROTONOSUPPORT (another layout version: zc_ring_strerror
 * names this one), -EINVAL (a header field out of range or inconsistent,
 * an unknown flag, or different from what the caller expected), -EFBIG
 * (the mapping is shorter than the ring), plus zc_mem_attach's errors.
 * Claim: -EINVAL (n == 0 or n > capacity), -EAGAIN (try_claim: no room),
 * or the wait hook's error. Avail (slot mode): -EILSEQ when the next
 * message's slot holds a sequence that is neither it nor the lap before
 * (a broken producer or a corrupted message). zc_msg_verify: -EILSEQ
 * (wrong id: a loss, duplicate or reordering), -EBADMSG (check or csum
 * mismatch), -EINVAL (not a message size).
 */
#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "clock.h"
#include "shm.h"

#define ZC_RING_MAGIC	   0x0000474e4952435aull /* "ZCRING\0\0" little-endian */
#define ZC_RING_VERSION	   2u
#define ZC_RING_SLOT_MIN   8u
#define ZC_RING_SLOT_MAX   4096u
#define ZC_RING_CAP_MIN	   2ull
#define ZC_RING_CAP_MAX	   (1ull << 32)
#define ZC_RING_ISO_MAX	   128 /* alignment of the handle's private blocks */
#define ZC_MSG_SIZE	   32u /* the smallest message with fields */
#define ZC_MSG_RAW	   8u  /* the raw message: its sequence only */
#define ZC_RING_F_SLOT_SEQ 1u  /* header flags: publication by slot seq */

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
static_assert(offsetof(struct zc_ring_header, version) == 8, "layout v2");
static_assert(offsetof(struct zc_ring_header, slot_size) == 12, "layout v2");
static_assert(offsetof(struct zc_ring_header, capacity) == 16, "layout v2");
static_assert(offsetof(struct zc_ring_header, isolation) == 24, "layout v2");
static_assert(offsetof(struct zc_ring_header, prod_off) == 32, "layout v2");
static_assert(offsetof(struct zc_ring_header, slots_off) == 48, "layout v2");
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
	unsigned flags;	    /* header flags: 0 or ZC_RING_F_SLOT_SEQ */
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
	int slot_seq; /* ZC_RING_F_SLOT_SEQ: publication by the slots */
	struct zc_ring_wait prod_wait; /* producer: ring full */
	struct zc_ring_wait cons_wait; /* consumer: ring empty */
	struct zc_mem mem;	       /* valid when owned */
	int owned;		       /* created or attached by name here */
	/* producer's private state, alone on its block */
	_Alignas(ZC_RING_ISO_MAX) uint64_t prod_next; /* next to claim */
	uint64_t tail_cache; /* consumer's tail, last loaded */
	/* consumer's private state, alone on its block */
	_Alignas(ZC_RING_ISO_MAX) uint64_t cons_next; /* next to read */
	uint64_t head_cache; /* published up to here, as last learnt */
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
/* A command's ring options, in a user's words: capacity a power of two in
 * cap_min..cap_max, isolation 64 or 128, no batch above the capacity, and
 * `copies` rings of the largest slots within half of this machine's
 * memory. 0, or -EINVAL with why naming the option and the valid range. */
int zc_ring_geometry_check(uint64_t cap, uint64_t cap_min, uint64_t cap_max,
			   uint64_t iso, uint64_t batch_max, uint64_t size_max,
			   unsigned copies, char *why, size_t len);

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

/* Back to empty (head = tail = 0, slot seq words formatted, caches
 * cleared). Only while neither side is running; a forked peer must fork
 * after the reset. */
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

/* 8, or 32..4096 and a multiple of 8. */
static inline int zc_msg_size_ok(uint32_t size)
{
	return size == ZC_MSG_RAW ||
	       (size >= ZC_MSG_SIZE && size <= ZC_RING_SLOT_MAX && !(size % 8));
}

/* Store a message's id word, its last store (see the layout). */
static inline void zc_msg_publish_id(void *slot, uint64_t id)
{
	/* release: the message's other bytes, written before, are visible
	 * to a consumer whose acquire load reads this id (slot mode) */
	atomic_store_explicit((_Atomic uint64_t *)slot, id,
			      memory_order_release);
}

/* Slots above 32 bytes: payload and trailing csum (out of line); head is
 * the message's first four words, id first (not yet stored). */
void zc_msg_fill_tail(void *slot, uint32_t size, const uint64_t head[4]);
int zc_msg_verify_tail(const void *slot, uint32_t size);

/* The eight tickers as the words they make in a message: the upper half
 * of the word at 16, the lower half of the word at 24, and what both
 * contribute to check32 (w2 * K3 + w3 * K4 splits into a quantity part
 * and this constant, since the halves do not overlap). */
#define ZC_MSG_K3 0x165667b19e3779f9ull
#define ZC_MSG_K4 0xd6e8feb86659fd93ull
#define ZC_C8(a, b, c, d, e, f, g, h)                                          \
	((uint64_t)(a) | (uint64_t)(b) << 8 | (uint64_t)(c) << 16 |            \
	 (uint64_t)(d) << 24 | (uint64_t)(e) << 32 | (uint64_t)(f) << 40 |     \
	 (uint64_t)(g) << 48 | (uint64_t)(h) << 56)
#define ZC_MSG_SYM(v)                                                          \
	{                                                                      \
		(v) << 32, (v) >> 32,                                          \
			((v) << 32) * ZC_MSG_K3 + ((v) >> 32) * ZC_MSG_K4      \
	}
struct zc_msg_sym {
	uint64_t hi, lo, k;
};
static const struct zc_msg_sym zc_msg_syms[8] = {
	ZC_MSG_SYM(ZC_C8('A', 'A', 'P', 'L', 0, 0, 0, 0)),
	ZC_MSG_SYM(ZC_C8('M', 'S', 'F', 'T', 0, 0, 0, 0)),
	ZC_MSG_SYM(ZC_C8('G', 'O', 'O', 'G', 0, 0, 0, 0)),
	ZC_MSG_SYM(ZC_C8('A', 'M', 'Z', 'N', 0, 0, 0, 0)),
	ZC_MSG_SYM(ZC_C8('N', 'V', 'D', 'A', 0, 0, 0, 0)),
	ZC_MSG_SYM(ZC_C8('B', 'R', 'K', '.', 'B', 0, 0, 0)),
	ZC_MSG_SYM(ZC_C8('T', 'S', 'L', 'A', 0, 0, 0, 0)),
	ZC_MSG_SYM(ZC_C8('Z', 'C', 'B', 'E', 'N', 'C', 'H', '1'))};

/* Message id with this price, in place; the id word last. size >= 32. */
static inline void zc_msg_make(void *slot, uint32_t size, uint64_t id,
			       double price)
{
	const struct zc_msg_sym *y = &zc_msg_syms[id & 7];
	unsigned char *m = slot;
	uint64_t qty = (uint32_t)id ^ 0x5bd1e995u, w1, w2, w3, h;

	/* Built as words in registers and stored one by one: a struct
	 * written field by field and read back as words stalls store
	 * forwarding (~15 ns here), and so does a staging array. check32
	 * as zc_msg_check32_words computes it, the ticker's part from the
	 * table. */
	memcpy(&w1, &price, 8);
	w2 = qty | y->hi;
	h = (id ^ 0xc2b2ae3d27d4eb4full) * 0x9e3779b97f4a7c15ull +
	    w1 * 0xc2b2ae3d27d4eb4full + qty * ZC_MSG_K3 + y->k;
	w3 = y->lo | (uint64_t)(uint32_t)(h ^ (h >> 32)) << 32;
	memcpy(m + 8, &w1, 8);
	memcpy(m + 16, &w2, 8);
	memcpy(m + 24, &w3, 8);
	if (size > ZC_MSG_SIZE) {
		const uint64_t head[4] = {id, w1, w2, w3};
		zc_msg_fill_tail(slot, size, head);
	}
	zc_msg_publish_id(slot, id);
}

static inline double zc_msg_price(uint64_t id)
{
	return (double)(id & 0xfffff) * 0.25 + 1.0;
}

/*
 * Fill n consecutive messages of `size` bytes at p (a run of slots, or a
 * buffer), ids id .. id+n-1, each message's id word stored last. Inline:
 * one loop per shape, so the hot path has no per-message branch on the
 * size. fill returns 0 or -EINVAL (not a message size).
 */
static inline __attribute__((always_inline)) int
zc_msg_fill_n(void *p, uint32_t size, uint64_t id, uint32_t n)
{
	unsigned char *m = p;

	if (size == ZC_MSG_RAW) {
#pragma GCC unroll 4
		for (uint32_t i = 0; i < n; i++)
			zc_msg_publish_id(m + 8 * (size_t)i, id + i);
	} else if (size == ZC_MSG_SIZE) {
		/* the price steps by 0.25 (exactly) until id's low 20 bits
		 * wrap: split the run there */
		while (n) {
			uint64_t room = 0x100000 - (id & 0xfffff);
			uint32_t k = n < room ? n : (uint32_t)room;
			double price = zc_msg_price(id);
			for (uint32_t i = 0; i < k; i++, m += ZC_MSG_SIZE) {
				zc_msg_make(m, ZC_MSG_SIZE, id + i, price);
				price += 0.25;
			}
			id += k;
			n -= k;
		}
	} else if (zc_msg_size_ok(size)) {
		for (uint32_t i = 0; i < n; i++, m += size)
			zc_msg_make(m, size, id + i, zc_msg_price(id + i));
	} else {
		return -EINVAL;
	}
	return 0;
}

static inline int zc_msg_fill(void *slot, uint32_t size, uint64_t id)
{
	return zc_msg_fill_n(slot, size, id, 1);
}

static inline int zc_msg_verify(const void *slot, uint32_t size, uint64_t id)
{
	uint64_t got;
	uint32_t check;

	if (__builtin_expect(!zc_msg_size_ok(size), 0))
		return -EINVAL;
	memcpy(&got, slot, 8);
	if (size == ZC_MSG_RAW)
		return got == id ? 0 : -EILSEQ;
	memcpy(&check, (const char *)slot + 28, 4);
	if (check != zc_msg_check32(slot))
		return -EBADMSG;
	if (got != id)
		return -EILSEQ;
	return size > ZC_MSG_SIZE ? zc_msg_verify_tail(slot, size) : 0;
}

/* The first bad message of a run that failed its check (out of line). */
int zc_msg_verify_find(const void *p, uint32_t size, uint64_t id, uint32_t n,
		       uint32_t *at);

/* Two u64 lanes (GCC vector extension): the 8-byte check runs two
 * messages per instruction without asking for more than SSE2/NEON. */
typedef uint64_t zc_u64x2 __attribute__((vector_size(16)));

/*
 * Verify n consecutive messages at p, ids id .. id+n-1: 0, or the error of
 * the first bad one with *at its index. Every message is checked as
 * zc_msg_verify would; the differences are OR-ed and tested once. For
 * 8-byte messages *sum also gains every one (the running sum).
 */
static inline __attribute__((always_inline)) int
zc_msg_verify_n(const void *p, uint32_t size, uint64_t id, uint32_t n,
		uint32_t *at, uint64_t *sum)
{
	const unsigned char *m = p;
	uint64_t acc = 0;

	if (size == ZC_MSG_RAW) {
		const unsigned char *end = m + 8 * (size_t)(n & ~1u);
		zc_u64x2 va = {0, 0}, vs = {0, 0}, vi = {id, id + 1},
			 two = {2, 2}, v;
		uint64_t w;
#pragma GCC unroll 4
		for (; m < end; m += 16, vi += two) {
			memcpy(&v, m, 16);
			va |= v ^ vi;
			vs += v;
		}
		acc = va[0] | va[1];
		*sum += vs[0] + vs[1];
		if (n & 1) {
			memcpy(&w, m, 8);
			acc |= w ^ (id + n - 1);
			*sum += w;
		}
	} else if (size == ZC_MSG_SIZE) {
		for (uint32_t i = 0; i < n; i++, m += ZC_MSG_SIZE) {
			uint64_t w0, w1, w2, w3;
			memcpy(&w0, m, 8);
			memcpy(&w1, m + 8, 8);
			memcpy(&w2, m + 16, 8);
			memcpy(&w3, m + 24, 8);
			acc |= (w0 ^ (id + i)) |
			       ((w3 >> 32) ^
				zc_msg_check32_words(w0, w1, w2, (uint32_t)w3));
		}
	} else {
		for (uint32_t i = 0; i < n; i++, m += size)
			acc |= (uint64_t)zc_msg_verify(m, size, id + i);
	}
	return acc ? zc_msg_verify_find(p, size, id, n, at) : 0;
}

/* ---- hot path ---------------------------------------------------------- */

static inline void *zc_ring_slot(const struct zc_ring *r, uint64_t seq)
{
	return r->slots + (size_t)(seq & r->mask) * r->slot_size;
}

/* The slots of seq .. seq+n-1 that lie before the wrap: their address,
 * and in *k how many (1..n). */
static inline void *zc_ring_run(const struct zc_ring *r, uint64_t seq,
				uint32_t n, uint32_t *k)
{
	uint64_t room = r->capacity - (seq & r->mask);

	*k = n < room ? n : (uint32_t)room;
	return zc_ring_slot(r, seq);
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

/* Publish sequences lo..hi (inclusive; lo is the first unpublished one):
 * head (in slot mode the slots' seq words already published them). */
static inline void zc_ring_publish(struct zc_ring *r, uint64_t lo, uint64_t hi)
{
	(void)lo;
	/* release: the slot writes for lo..hi happen before the consumer
	 * can observe head > hi (pairs with its acquire load of head) */
	atomic_store_explicit(r->head, hi + 1, memory_order_release);
	if (r->prod_wait.wake)
		r->prod_wait.wake(r->prod_wait.arg, r->head);
}

/* Slot mode: the seq word of message s's slot. */
static inline uint64_t zc_ring_seq_of(const struct zc_ring *r, uint64_t s)
{
	/* acquire: pairs with the producer's release store of this word, so
	 * the bytes of message s (and of every message before it) are
	 * visible once it reads s */
	return atomic_load_explicit((_Atomic uint64_t *)zc_ring_slot(r, s),
				    memory_order_acquire);
}

/* Slot mode, after the end e of a run was not there: how many of s .. e-1
 * are published, their words read in order; 0 when s is not, -EILSEQ when
 * s holds a foreign sequence (out of line). */
int zc_ring_scan(struct zc_ring *r, uint64_t s, uint64_t e);

/* Slot mode, the first look: max when the last slot of the max it could
 * take is published (so is the run before it: neither the producer's line
 * nor the other slots' words are read), what is known to be published,
 * else 0. */
static inline int zc_ring_try_full(struct zc_ring *r, uint32_t max,
				   uint64_t *lo)
{
	uint64_t s = r->cons_next, n = r->head_cache - s, e;

	*lo = s;
	if (n)
		return n < max ? (int)n : (int)max;
	e = s + (max < r->capacity ? max : r->capacity) - 1;
	if (zc_ring_seq_of(r, e) != e)
		return 0;
	r->head_cache = e + 1;
	return (int)(e + 1 - s);
}

/*
 * Messages ready to read without waiting, at most max (>= 1): returns the
 * count (0 when empty) and *lo = the first sequence; in slot mode -EILSEQ
 * when the next slot holds a foreign sequence. Slot mode looks at the end
 * of the run first (zc_ring_try_full), then at the slots from the first.
 */
static inline int zc_ring_try_avail(struct zc_ring *r, uint32_t max,
				    uint64_t *lo)
{
	uint64_t s = r->cons_next, n;
	int k;

	if (r->slot_seq) {
		k = zc_ring_try_full(r, max, lo);
		return k ? k
			 : zc_ring_scan(
				   r, s,
				   s + (max < r->capacity ? max : r->capacity) -
					   1);
	}
	*lo = s;
	n = r->head_cache - s;
	if (n == 0) {
		/* acquire: pairs with the producer's release of head, so the
		 * slot contents below head are visible */
		r->head_cache =
			atomic_load_explicit(r->head, memory_order_acquire);
		n = r->head_cache - s;
	}
	return n < max ? (int)n : (int)max;
}

/*
 * Wait until at least one message is ready (max >= 1); returns how many
 * (1..max), or the wait hook's -errno, or try_avail's. In slot mode it
 * waits on the end of the run for up to 63 looks before it takes part of
 * one: the consumer then reads lines the producer has finished, instead
 * of taking the line the producer is writing from under it, message by
 * message (batch 1: the end is the first, nothing changes).
 */
static inline int zc_ring_wait_avail(struct zc_ring *r, uint32_t max,
				     uint64_t *lo)
{
	uint64_t iter = 0;
	int n, err;

	for (;;) {
		n = r->slot_seq && (iter & 63) != 63
			    ? zc_ring_try_full(r, max, lo)
			    : zc_ring_try_avail(r, max, lo);
		if (n)
			return n;
		if (r->cons_wait.wait) {
			/* empty: head_cache == cons_next, and head moves past
			 * it after the next publish (wake) */
			err = r->cons_wait.wait(r->cons_wait.arg, r->head,
						r->head_cache, iter);
			if (err)
				return err;
		} else {
			zc_cpu_relax();
		}
		iter++;
	}
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
