/* SPDX-License-Identifier: MIT */
/*
 * ring — set-up, attach checks and messages; the hot path is inline in
 * ring.h so that it is compiled into the loops that use it.
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "csum.h"
#include "ring.h"

static int is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

int zc_ring_cfg_check(const struct zc_ring_cfg *cfg)
{
	if (cfg->slot_size < ZC_RING_SLOT_MIN ||
	    cfg->slot_size > ZC_RING_SLOT_MAX || cfg->slot_size % 8)
		return -EINVAL;
	if (cfg->capacity < ZC_RING_CAP_MIN ||
	    cfg->capacity > ZC_RING_CAP_MAX || !is_pow2(cfg->capacity))
		return -EINVAL;
	if (cfg->isolation != 64 && cfg->isolation != 128)
		return -EINVAL;
	if (cfg->flags & ~ZC_RING_F_SLOT_SEQ)
		return -EINVAL;
	return 0;
}

int zc_ring_geometry_check(uint64_t cap, uint64_t cap_min, uint64_t cap_max,
			   uint64_t iso, uint64_t batch_max, uint64_t size_max,
			   unsigned copies, char *why, size_t len)
{
	long long phys = sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
	double need = (double)copies * (double)cap * (double)size_max;

	if (!is_pow2(cap) || cap < cap_min || cap > cap_max)
		snprintf(why, len,
			 "--capacity: %llu is not a power of two: expected "
			 "%llu, %llu, ... %llu slots",
			 (unsigned long long)cap, (unsigned long long)cap_min,
			 (unsigned long long)cap_min * 2,
			 (unsigned long long)cap_max);
	else if (iso != 64 && iso != 128)
		snprintf(why, len,
			 "--isolation: %llu: expected 64 or 128 bytes",
			 (unsigned long long)iso);
	else if (batch_max > cap)
		snprintf(why, len,
			 "--batch %llu is larger than --capacity %llu: "
			 "expected 1..%llu",
			 (unsigned long long)batch_max, (unsigned long long)cap,
			 (unsigned long long)cap);
	else if (phys > 0 && need > (double)phys / 2)
		snprintf(why, len,
			 "--capacity %llu x --size %llu needs %.0f MiB; this "
			 "machine has %lld MiB (at most half is used): lower "
			 "--capacity",
			 (unsigned long long)cap, (unsigned long long)size_max,
			 need / 1048576, phys >> 20);
	else
		return 0;
	return -EINVAL;
}

size_t zc_ring_bytes(const struct zc_ring_cfg *cfg)
{
	uint64_t slots;

	if (zc_ring_cfg_check(cfg))
		return 0;
	/* capacity <= 2^32 and slot_size <= 2^12: no overflow in 64 bits */
	slots = cfg->capacity * cfg->slot_size;
	if (slots > SIZE_MAX - 3 * (uint64_t)cfg->isolation)
		return 0;
	return (size_t)(3 * (uint64_t)cfg->isolation + slots);
}

static void attach_fields(struct zc_ring *r, unsigned char *p,
			  const struct zc_ring_header *h)
{
	r->base = p;
	r->slots = p + h->slots_off;
	r->head = (_Atomic uint64_t *)(p + h->prod_off);
	r->tail = (_Atomic uint64_t *)(p + h->cons_off);
	r->capacity = h->capacity;
	r->mask = h->capacity - 1;
	r->slot_size = h->slot_size;
	r->isolation = h->isolation;
	r->slot_seq = !!(h->flags & ZC_RING_F_SLOT_SEQ);
	/* The indices may be non-zero when attaching to a running ring: start
	 * each side from what is in memory. */
	r->prod_next = atomic_load_explicit(r->head, memory_order_acquire);
	r->tail_cache = atomic_load_explicit(r->tail, memory_order_acquire);
	r->cons_next = r->tail_cache;
	r->head_cache = r->prod_next;
}

/* Slot i's seq word: i - C, the lap before 0 (layout v2). */
static void format_slots(unsigned char *slots, uint64_t cap, uint32_t size)
{
	for (uint64_t i = 0; i < cap; i++) {
		uint64_t v = i - cap;
		memcpy(slots + i * size, &v, 8);
	}
}

int zc_ring_format(struct zc_ring *r, void *p, size_t len,
		   const struct zc_ring_cfg *cfg)
{
	struct zc_ring_header *h = p;
	_Atomic uint64_t *magic = p;
	size_t need = zc_ring_bytes(cfg);
	uint32_t iso = cfg->isolation;

	if (!need)
		return zc_ring_cfg_check(cfg) ? -EINVAL : -E2BIG;
	if (len < need)
		return -EFBIG;
	/* relaxed: nobody may use the ring before the magic below */
	atomic_store_explicit(magic, 0, memory_order_relaxed);
	/* Touch every slot now so page faults stay out of measured loops. */
	memset((unsigned char *)p + 8, 0, need - 8);
	h->version = ZC_RING_VERSION;
	h->slot_size = cfg->slot_size;
	h->capacity = cfg->capacity;
	h->isolation = iso;
	h->flags = cfg->flags;
	h->prod_off = iso;
	h->cons_off = 2 * (uint64_t)iso;
	h->slots_off = 3 * (uint64_t)iso;
	h->total_len = need;
	format_slots((unsigned char *)p + h->slots_off, cfg->capacity,
		     cfg->slot_size);
	/* release: the header fields and zeroed indices happen before an
	 * attacher's acquire load sees the magic */
	atomic_store_explicit(magic, ZC_RING_MAGIC, memory_order_release);
	memset(r, 0, sizeof(*r));
	r->mem.fd = -1;
	attach_fields(r, p, h);
	return 0;
}

int zc_ring_attach_mem(struct zc_ring *r, void *p, size_t len,
		       const struct zc_ring_cfg *expect)
{
	const struct zc_ring_header *h = p;
	struct zc_ring_cfg got;

	if (len < sizeof(*h))
		return -EFBIG;
	/* acquire: pairs with the release of the magic in zc_ring_format */
	if (atomic_load_explicit((_Atomic uint64_t *)p, memory_order_acquire) !=
	    ZC_RING_MAGIC)
		return -EPROTO;
	if (h->version != ZC_RING_VERSION)
		return -EPROTONOSUPPORT;
	got = (struct zc_ring_cfg){.slot_size = h->slot_size,
				   .capacity = h->capacity,
				   .isolation = h->isolation,
				   .flags = h->flags};
	if (zc_ring_cfg_check(&got) || h->prod_off != h->isolation ||
	    h->cons_off != 2ull * h->isolation ||
	    h->slots_off != 3ull * h->isolation ||
	    h->total_len != zc_ring_bytes(&got))
		return -EINVAL;
	if (expect &&
	    ((expect->slot_size && expect->slot_size != got.slot_size) ||
	     (expect->capacity && expect->capacity != got.capacity) ||
	     (expect->isolation && expect->isolation != got.isolation)))
		return -EINVAL;
	if (len < h->total_len)
		return -EFBIG;
	memset(r, 0, sizeof(*r));
	r->mem.fd = -1;
	attach_fields(r, p, h);
	return 0;
}

int zc_ring_create(struct zc_ring *r, const struct zc_ring_cfg *cfg)
{
	struct zc_mem m;
	size_t need = zc_ring_bytes(cfg);
	int err;

	if (!need)
		return zc_ring_cfg_check(cfg) ? -EINVAL : -E2BIG;
	err = zc_mem_alloc(&m, need, cfg->node, cfg->mem_flags, cfg->name);
	if (err < 0)
		return err;
	err = zc_ring_format(r, m.p, m.len, cfg);
	if (err < 0) {
		zc_mem_free(&m);
		return err;
	}
	r->mem = m;
	r->owned = 1;
	return 0;
}

int zc_ring_attach(struct zc_ring *r, const char *name,
		   const struct zc_ring_cfg *expect)
{
	struct zc_mem m;
	int err;

	err = zc_mem_attach(&m, name, 0); /* 0: the whole segment */
	if (err < 0)
		return err;
	err = zc_ring_attach_mem(r, m.p, m.len, expect);
	if (err < 0) {
		zc_mem_free(&m);
		return err;
	}
	r->mem = m;
	r->owned = 1;
	return 0;
}

void zc_ring_free(struct zc_ring *r)
{
	if (r->owned)
		zc_mem_free(&r->mem);
	r->owned = 0;
	r->base = r->slots = NULL;
	r->head = r->tail = NULL;
}

void zc_ring_reset(struct zc_ring *r)
{
	/* relaxed: no side is running; the fork or thread start that
	 * follows orders these stores before the peers' first loads */
	atomic_store_explicit(r->head, 0, memory_order_relaxed);
	atomic_store_explicit(r->tail, 0, memory_order_relaxed);
	format_slots(r->slots, r->capacity, r->slot_size);
	r->prod_next = r->tail_cache = 0;
	r->cons_next = r->head_cache = 0;
}

const char *zc_ring_strerror(int err)
{
	switch (err) {
	case -EPROTO:
		return "not a zcbench ring (bad magic)";
	case -EPROTONOSUPPORT:
		return "ring layout version is not 2, the one this reader "
		       "speaks";
	case -EINVAL:
		return "ring geometry out of range or not the one expected";
	case -EFBIG:
		return "mapping shorter than the ring it holds";
	case -E2BIG:
		return "ring too large for the address space";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

int zc_ring_scan(struct zc_ring *r, uint64_t s, uint64_t e)
{
	uint64_t w = zc_ring_seq_of(r, s), q;

	if (w != s)
		/* the lap before: not written yet; anything else is foreign */
		return w == s - r->capacity ? 0 : -EILSEQ;
	for (q = s + 1; q < e && zc_ring_seq_of(r, q) == q; q++)
		;
	r->head_cache = q;
	return (int)(q - s);
}

#define FILL_K 0x9e3779b97f4a7c15ull

void zc_msg_fill_tail(void *slot, uint32_t size, const uint64_t head[4])
{
	unsigned char *p = slot;
	uint64_t w = head[0] * FILL_K + 1, sum;
	struct zc_csum c;

	for (uint32_t i = ZC_MSG_SIZE; i < size - 8; i += 8, w += 8)
		memcpy(p + i, &w, 8);
	/* The id word is stored last: the sum starts from head[] instead. */
	zc_csum_init(&c);
	zc_csum_update(&c, head, ZC_MSG_SIZE);
	zc_csum_update(&c, p + ZC_MSG_SIZE, size - 8 - ZC_MSG_SIZE);
	sum = zc_csum_final(&c);
	memcpy(p + size - 8, &sum, 8);
}

int zc_msg_verify_tail(const void *slot, uint32_t size)
{
	const unsigned char *p = slot;
	uint64_t sum;

	memcpy(&sum, p + size - 8, 8);
	return sum == zc_csum64(p, size - 8) ? 0 : -EBADMSG;
}

int zc_msg_verify_find(const void *p, uint32_t size, uint64_t id, uint32_t n,
		       uint32_t *at)
{
	const unsigned char *m = p;
	int err;

	for (uint32_t i = 0; i < n; i++, m += size)
		if ((err = zc_msg_verify(m, size, id + i))) {
			*at = i;
			return err;
		}
	*at = n;
	return -EBADMSG; /* unreachable: verify_n found a difference */
}
