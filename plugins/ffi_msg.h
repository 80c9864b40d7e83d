/* SPDX-License-Identifier: MIT */
#ifndef ZC_FFI_MSG_H
#define ZC_FFI_MSG_H
/*
 * ffi_msg — the logical messages `zcbench ffi` delivers on all its paths,
 * and the sink library's interface. Shared by cmd/ffi.c, the sink library
 * (plugins/ffi_sink.c) and tests/test_ffi.c, mirrored by
 * scripts/ffi_host.py and scripts/ffi_host.js (producers) and
 * plugins/ffi_consumer.rs (the Rust consumer).
 *
 * A message of S bytes (32..4096, a multiple of 8) is a function of its id:
 *	0   u64 id		0, 1, 2 ... in order
 *	8   f64 price		1.0 + k * 0.25, k = id & 1023
 *	16  u32 quantity	100 + 3 * k
 *	20  char symbol[8]	ZC_FFI_SYMS[id & 7], NUL-padded
 *	28  u32 check		(u32)~id
 *	32 .. S-9		payload: variant v = id & 15, u64 word j is
 *				(v + 1) * 0x9e3779b97f4a7c15 + j (mod 2^64)
 *	S-8 u64 id		(S > 32) the id again, so a slot whose tail is
 *				stale shows
 * Why not lib/ring.h's zc_msg_fill format: its check32 and payload csum
 * cost a Python host microseconds per message (pure-Python 64-bit
 * multiplies), which would bury the boundary cost being measured. Here a
 * host only packs fields and copies one of 16 prebuilt payloads; the
 * consumer still checks everything: the id sequence, every head field
 * against what message `id` must hold, the payload's zc_csum64 against its
 * variant's, and the trailing id.
 *
 * The fields repeat with period 1024 so a host keeps its records (a pool
 * of 1024 dicts or text records) prebuilt, as an application would hold
 * its data; the per-message work is converting and delivering them.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZC_FFI_SIZE_MIN 32u
#define ZC_FFI_SIZE_MAX 4096u
#define ZC_FFI_RECS	1024u /* field period (record pool) */
#define ZC_FFI_PAYLOADS 16u   /* payload variants */
#define ZC_FFI_K	0x9e3779b97f4a7c15ull

static const char ZC_FFI_SYMS[8][8] = {"AAPL", "MSFT",	"GOOG", "AMZN",
				       "NVDA", "BRK.B", "TSLA", "ZCBENCH1"};

static inline double zc_ffi_price(uint64_t id)
{
	return 1.0 + (double)(id & (ZC_FFI_RECS - 1)) * 0.25;
}

static inline uint32_t zc_ffi_quantity(uint64_t id)
{
	return 100u + 3u * (uint32_t)(id & (ZC_FFI_RECS - 1));
}

/* Payload bytes of variant v for messages of `size` bytes: size - 40
 * bytes (none for size <= 40). */
static inline void zc_ffi_payload(void *dst, uint32_t size, unsigned v)
{
	uint64_t w = (uint64_t)(v + 1) * ZC_FFI_K;

	for (uint32_t j = 0; size > 40 && j < (size - 40) / 8; j++, w++)
		memcpy((char *)dst + 8 * j, &w, 8);
}

/* Write the head (32 bytes) of message id into dst, after its payload
 * and trailer: the id word comes last, stored with release, so a message
 * written in place in a slot-sequence ring (lib/ring.h) publishes itself
 * complete. */
static inline void zc_ffi_head(void *dst, uint64_t id, double price,
			       uint32_t quantity, const char sym[8])
{
	char *p = dst;
	uint32_t check = (uint32_t)~id;

	memcpy(p + 8, &price, 8);
	memcpy(p + 16, &quantity, 4);
	memcpy(p + 20, sym, 8);
	memcpy(p + 28, &check, 4);
	/* release: the bytes above are visible to a consumer whose acquire
	 * load reads this id */
	atomic_store_explicit((_Atomic uint64_t *)dst, id,
			      memory_order_release);
}

static inline void zc_ffi_tail(char *p, uint32_t size, uint64_t id,
			       unsigned char *const *pool)
{
	if (size > 32) {
		memcpy(p + 32, pool[id & (ZC_FFI_PAYLOADS - 1)], size - 40);
		memcpy(p + size - 8, &id, 8);
	}
}

/* Complete message id into dst (8-byte aligned) from a prebuilt payload
 * pool (pool[v] = zc_ffi_payload(v)); the reference producer. */
static inline void zc_ffi_fill(void *dst, uint32_t size, uint64_t id,
			       unsigned char *const *pool)
{
	zc_ffi_tail(dst, size, id, pool);
	zc_ffi_head(dst, id, zc_ffi_price(id), zc_ffi_quantity(id),
		    ZC_FFI_SYMS[id & 7]);
}

/* The test hook's message id: its price off by one, its id stored last
 * (a host writing a corrupt message; every consumer must catch it). */
static inline void zc_ffi_fill_bad(void *dst, uint32_t size, uint64_t id,
				   unsigned char *const *pool)
{
	zc_ffi_tail(dst, size, id, pool);
	zc_ffi_head(dst, id, zc_ffi_price(id) + 1, zc_ffi_quantity(id),
		    ZC_FFI_SYMS[id & 7]);
}

/* The payload pool of the largest size (every size's payload is its
 * prefix): 0 or -ENOMEM (then nothing is left allocated). */
static inline int zc_ffi_pool_new(unsigned char **pool)
{
	for (unsigned v = 0; v < ZC_FFI_PAYLOADS; v++) {
		pool[v] = (unsigned char *)aligned_alloc(64, ZC_FFI_SIZE_MAX);
		if (!pool[v]) {
			while (v--) {
				free(pool[v]);
				pool[v] = NULL;
			}
			return -ENOMEM;
		}
		zc_ffi_payload(pool[v], ZC_FFI_SIZE_MAX, v);
	}
	return 0;
}

static inline void zc_ffi_pool_free(unsigned char **pool)
{
	for (unsigned v = 0; v < ZC_FFI_PAYLOADS; v++)
		free(pool[v]);
}

/* Record k of the pool as text, as a dict or a JSON object holds it: the
 * input of the call-marshal path. */
struct zc_ffi_text {
	char price[16], quantity[12], symbol[12];
};

static inline void zc_ffi_text_rec(struct zc_ffi_text *t, uint64_t k)
{
	snprintf(t->price, sizeof(t->price), "%.2f", zc_ffi_price(k));
	snprintf(t->quantity, sizeof(t->quantity), "%u", zc_ffi_quantity(k));
	snprintf(t->symbol, sizeof(t->symbol), "%.8s", ZC_FFI_SYMS[k & 7]);
}

/* Message id from its text record recs[id % ZC_FFI_RECS]: the marshalling
 * tax is parsing the text into the plain struct. Byte for byte what
 * zc_ffi_fill writes. */
static inline void zc_ffi_marshal(void *dst, uint32_t size, uint64_t id,
				  const struct zc_ffi_text *recs,
				  unsigned char *const *pool)
{
	const struct zc_ffi_text *t = &recs[id & (ZC_FFI_RECS - 1)];
	char sym[8] = {0};
	char *p = dst;

	memcpy(sym, t->symbol, strnlen(t->symbol, sizeof(sym)));
	zc_ffi_tail(p, size, id, pool);
	zc_ffi_head(p, id, strtod(t->price, NULL),
		    (uint32_t)strtoul(t->quantity, NULL, 10), sym);
}

/*
 * The sink library (zcbench_ffi_sink.so), the consumer code every path
 * ends in. It keeps one consumer state per process:
 *	zc_ffi_sink_begin(size)	 reset: the next message expected is id 0
 *	zc_ffi_consume(msg)	 verify msg as the next message: 0, -EILSEQ
 *				 (wrong id: loss, duplicate, reordering) or
 *				 -EBADMSG (a field, payload or trailer wrong)
 *	zc_ffi_sink_end(&v)	 copy the verdict out
 * A wrong id resynchronises on it (the next expected is id + 1), so one
 * loss counts once. zc_ffi_store_release/zc_ffi_load_acquire give a host
 * without atomics (Python on arm64) the ring's ordered index accesses.
 */
struct zc_ffi_verdict {
	uint64_t received;  /* messages consumed */
	uint64_t bad;	    /* of which failed a check */
	uint64_t first_bad; /* position of the first bad one */
	int32_t first_err;  /* its error: 0, -EILSEQ, -EBADMSG */
	uint32_t size;	    /* message size being verified */
	uint64_t next_id;   /* id expected next */
};

#define ZC_FFI_SINK_NAME "zcbench_ffi_sink.so"

typedef int (*zc_ffi_begin_fn)(uint32_t size);
typedef int (*zc_ffi_consume_fn)(const void *msg);
typedef void (*zc_ffi_end_fn)(struct zc_ffi_verdict *v);

/* The sink library as zcbench and the tests load it. */
struct zc_ffi_sink {
	void *dl;
	zc_ffi_begin_fn begin;
	zc_ffi_consume_fn consume;
	zc_ffi_end_fn end;
};

/* dlopen the sink at path: 0, or with why (nothing stays open) -ENOENT
 * when it does not load, -ENOSYS when it lacks a function. */
static inline int zc_ffi_sink_open(struct zc_ffi_sink *s, const char *path,
				   char *why, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!s->dl) {
		snprintf(why, len, "cannot load the sink library: %s",
			 dlerror());
		return -ENOENT;
	}
	s->begin = (zc_ffi_begin_fn)dlsym(s->dl, "zc_ffi_sink_begin");
	s->consume = (zc_ffi_consume_fn)dlsym(s->dl, "zc_ffi_consume");
	s->end = (zc_ffi_end_fn)dlsym(s->dl, "zc_ffi_sink_end");
	if (s->begin && s->consume && s->end)
		return 0;
	snprintf(why, len, "%s lacks the zc_ffi_* functions", path);
	dlclose(s->dl);
	s->dl = NULL;
	return -ENOSYS;
}

/* A verdict on a stream of count messages: 0 when all arrived and passed,
 * else -EBADMSG with why. */
static inline int zc_ffi_verdict_check(const struct zc_ffi_verdict *v,
				       uint64_t count, char *why, size_t len)
{
	if (v->received == count && !v->bad)
		return 0;
	snprintf(why, len,
		 "sink received %llu of %llu messages, %llu bad (first at "
		 "%llu: %s)",
		 (unsigned long long)v->received, (unsigned long long)count,
		 (unsigned long long)v->bad, (unsigned long long)v->first_bad,
		 v->first_err ? strerror(-v->first_err) : "missing");
	return -EBADMSG;
}

#endif
