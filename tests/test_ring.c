/* SPDX-License-Identifier: MIT */
/*
 * Description: SPSC ring, one thread: geometry checks, layout v2 offsets
 * and slot sequence words, attach checks (another version refused),
 * claim/publish/consume across wrap-around in both publication modes,
 * slot-sequence availability without the producer's index, a foreign
 * sequence caught, back-pressure, wait hooks, message fill/verify (8-byte
 * and field messages, runs checked with one branch finding the first bad
 * one), memfd and named segments
 * Labels: unit
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "ring.h"

static void test_cfg(void)
{
	struct zc_ring_cfg c = {
		.slot_size = 32, .capacity = 64, .isolation = 128};
	static const uint32_t bad_size[] = {0, 4, 12, 4100, 8192};
	static const uint64_t bad_cap[] = {0, 1, 3, 1000, (1ull << 32) + 2};

	CHECK(zc_ring_cfg_check(&c) == 0);
	CHECK(zc_ring_bytes(&c) == 3 * 128 + 64 * 32);
	for (size_t i = 0; i < sizeof(bad_size) / sizeof(bad_size[0]); i++) {
		struct zc_ring_cfg b = c;
		b.slot_size = bad_size[i];
		CHECK(zc_ring_cfg_check(&b) == -EINVAL);
		CHECK(zc_ring_bytes(&b) == 0);
	}
	for (size_t i = 0; i < sizeof(bad_cap) / sizeof(bad_cap[0]); i++) {
		struct zc_ring_cfg b = c;
		b.capacity = bad_cap[i];
		CHECK(zc_ring_cfg_check(&b) == -EINVAL);
	}
	c.isolation = 32;
	CHECK(zc_ring_cfg_check(&c) == -EINVAL);
	c.isolation = 64;
	c.slot_size = 8;
	c.capacity = 2;
	CHECK(zc_ring_cfg_check(&c) == 0);
	c.slot_size = 4096;
	CHECK(zc_ring_cfg_check(&c) == 0);
}

/* The documented byte offsets are what a Python producer relies on. */
static void test_layout(uint32_t iso)
{
	struct zc_ring_cfg c = {
		.slot_size = 40, .capacity = 8, .isolation = iso};
	size_t len = zc_ring_bytes(&c);
	unsigned char *p = aligned_alloc(4096, 8192);
	struct zc_ring r;
	uint64_t lo, v;
	uint32_t u;

	CHECK(zc_ring_format(&r, p, len, &c) == 0);
	CHECK(!memcmp(p, "ZCRING\0\0", 8));
	memcpy(&u, p + 8, 4);
	CHECK(u == ZC_RING_VERSION);
	memcpy(&u, p + 12, 4);
	CHECK(u == 40);
	memcpy(&v, p + 16, 8);
	CHECK(v == 8);
	memcpy(&u, p + 24, 4);
	CHECK(u == iso);
	memcpy(&v, p + 48, 8);
	CHECK(v == 3 * iso);
	memcpy(&v, p + 56, 8);
	CHECK(v == len);
	CHECK((unsigned char *)r.head == p + iso);
	CHECK((unsigned char *)r.tail == p + 2 * iso);
	CHECK(zc_ring_slot(&r, 0) == p + 3 * iso);
	CHECK(zc_ring_slot(&r, 9) == p + 3 * iso + 40);
	memcpy(&u, p + 28, 4);
	CHECK(u == 0); /* flags: head mode */
	/* Each slot's seq word is formatted as the lap before 0: i - C. */
	for (uint64_t i = 0; i < 8; i++) {
		memcpy(&v, p + 3 * iso + i * 40, 8);
		CHECK(v == i - 8);
	}

	CHECK(zc_ring_claim(&r, 3, &lo) == 0 && lo == 0);
	zc_ring_publish(&r, 0, 2);
	memcpy(&v, p + iso, 8);
	CHECK(v == 3);
	CHECK(zc_ring_try_avail(&r, 10, &lo) == 3 && lo == 0);
	zc_ring_consume(&r, 1);
	memcpy(&v, p + 2 * iso, 8);
	CHECK(v == 2);
	free(p);
}

static void test_attach(void)
{
	struct zc_ring_cfg c = {
		.slot_size = 64, .capacity = 16, .isolation = 64};
	struct zc_ring_cfg e = {0};
	size_t len = zc_ring_bytes(&c);
	unsigned char *p = aligned_alloc(4096, 8192);
	struct zc_ring r, a;
	uint32_t v;

	memset(p, 0, 8192);
	CHECK(zc_ring_attach_mem(&a, p, len, NULL) == -EPROTO);
	CHECK(zc_ring_format(&r, p, len - 8, &c) == -EFBIG);
	CHECK(zc_ring_format(&r, p, len, &c) == 0);
	CHECK(zc_ring_attach_mem(&a, p, len, NULL) == 0);
	CHECK(a.capacity == 16 && a.slot_size == 64 && a.isolation == 64);
	CHECK(zc_ring_attach_mem(&a, p, len - 1, NULL) == -EFBIG);
	e.slot_size = 64;
	e.isolation = 64;
	CHECK(zc_ring_attach_mem(&a, p, len, &e) == 0);
	e.isolation = 128;
	CHECK(zc_ring_attach_mem(&a, p, len, &e) == -EINVAL);
	e.isolation = 0;
	e.capacity = 32;
	CHECK(zc_ring_attach_mem(&a, p, len, &e) == -EINVAL);
	v = 1; /* a layout-1 ring: refused, the error names version 2 */
	memcpy(p + 8, &v, 4);
	CHECK(zc_ring_attach_mem(&a, p, len, NULL) == -EPROTONOSUPPORT);
	CHECK(strstr(zc_ring_strerror(-EPROTONOSUPPORT), "version") != NULL);
	CHECK(strstr(zc_ring_strerror(-EPROTONOSUPPORT), "2") != NULL);
	v = 2;
	memcpy(p + 8, &v, 4);
	v = 4; /* a flag this reader does not know */
	memcpy(p + 28, &v, 4);
	CHECK(zc_ring_attach_mem(&a, p, len, NULL) == -EINVAL);
	v = ZC_RING_F_SLOT_SEQ;
	memcpy(p + 28, &v, 4);
	CHECK(zc_ring_attach_mem(&a, p, len, NULL) == 0 && a.slot_seq);
	v = 96; /* inconsistent isolation */
	memcpy(p + 24, &v, 4);
	CHECK(zc_ring_attach_mem(&a, p, len, NULL) == -EINVAL);
	CHECK(strstr(zc_ring_strerror(-EPROTO), "magic") != NULL);
	c.flags = 2;
	CHECK(zc_ring_format(&r, p, len, &c) == -EINVAL);
	free(p);
}

/* Runs: fill_n writes what fill writes message by message (the 32-byte
 * price steps across the 2^20 wrap of the id); verify_n passes a good run
 * and names the first bad message of a damaged one. */
static void test_runs(uint32_t s)
{
	enum {
		N = 40
	};
	static _Alignas(8) unsigned char run[N * 4096], one[4096];
	static const uint64_t base[] = {0, 0xfffff - 5, 1ull << 40};
	uint64_t sum = 0;
	uint32_t at;

	for (size_t b = 0; b < sizeof(base) / sizeof(base[0]); b++) {
		uint64_t id = base[b];
		CHECK(zc_msg_fill_n(run, s, id, N) == 0);
		for (uint32_t i = 0; i < N; i++) {
			zc_msg_fill(one, s, id + i);
			CHECKF(!memcmp(one, run + (size_t)i * s, s),
			       "size %u id %llu", s,
			       (unsigned long long)(id + i));
		}
		for (uint32_t n = 0; n <= N; n += 13) {
			sum = 0;
			CHECK(zc_msg_verify_n(run, s, id, n, &at, &sum) == 0);
			if (s == ZC_MSG_RAW)
				CHECK(sum ==
				      n * id + (uint64_t)n * (n - 1) / 2);
		}
		for (uint32_t bad = 0; bad < N; bad += 7) {
			uint32_t byte = s == ZC_MSG_RAW ? 2 : (bad * 5) % s;
			run[(size_t)bad * s + byte] ^= 0x04;
			CHECK(zc_msg_verify_n(run, s, id, N, &at, &sum) < 0);
			CHECKF(at == bad, "size %u: bad %u found at %u", s, bad,
			       at);
			run[(size_t)bad * s + byte] ^= 0x04;
		}
		/* a run that starts at the wrong sequence */
		CHECK(zc_msg_verify_n(run, s, id + 1, N, &at, &sum) ==
			      -EILSEQ &&
		      at == 0);
	}
}

static void test_msgs(void)
{
	static const uint32_t sizes[] = {8, 32, 40, 64, 256, 4096};
	_Alignas(8) unsigned char buf[4096];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t s = sizes[i];
		CHECK(zc_msg_fill(buf, s, 12345) == 0);
		CHECK(zc_msg_verify(buf, s, 12345) == 0);
		CHECK(zc_msg_verify(buf, s, 12346) == -EILSEQ);
		for (uint32_t b = 0; b < s; b += s / 8 + 1) {
			buf[b] ^= 0x10;
			CHECK(zc_msg_verify(buf, s, 12345) ==
			      (s == ZC_MSG_RAW ? -EILSEQ : -EBADMSG));
			buf[b] ^= 0x10;
		}
		test_runs(s);
	}
	/* the 8-byte message is its sequence, nothing else */
	zc_msg_fill(buf, 8, 0x0102030405060708ull);
	CHECK(!memcmp(buf, "\x08\x07\x06\x05\x04\x03\x02\x01", 8));
	CHECK(zc_msg_fill(buf, 24, 1) == -EINVAL);
	CHECK(zc_msg_fill(buf, 16, 1) == -EINVAL);
	CHECK(zc_msg_verify(buf, 36, 1) == -EINVAL);
	CHECK(zc_msg_verify(buf, 16, 1) == -EINVAL);
	/* the ticker table is the fields check32 reads */
	zc_msg_fill(buf, 32, 5);
	CHECK(!memcmp(buf + 20, "BRK.B\0\0\0", 8));
	zc_msg_fill(buf, 32, 7);
	CHECK(!memcmp(buf + 20, "ZCBENCH1", 8));
	/* The check32 reference value, for other implementations. */
	{
		struct zc_msg m = {.id = 1, .price = 2.5, .quantity = 3};
		memcpy(m.symbol, "ABC", 3);
		m.check = zc_msg_check32(&m);
		printf("check32 reference: id=1 price=2.5 quantity=3 "
		       "symbol=ABC -> 0x%08x\n",
		       m.check);
	}
}

/* Claim, fill, publish, read, verify, consume across many wrap-arounds. */
static void test_wrap(uint32_t size, uint64_t cap, unsigned flags)
{
	struct zc_ring_cfg c = {.slot_size = size,
				.capacity = cap,
				.isolation = 128,
				.flags = flags};
	size_t len = zc_ring_bytes(&c);
	unsigned char *p = aligned_alloc(4096, (len + 4095) & ~4095ul);
	struct zc_ring r;
	uint64_t lo, next_read = 0, next_write = 0;
	uint32_t step = 1;

	CHECK(zc_ring_format(&r, p, len, &c) == 0);
	CHECK(zc_ring_try_avail(&r, 8, &lo) == 0);
	CHECK(zc_ring_try_claim(&r, 0, &lo) == -EINVAL);
	CHECK(zc_ring_try_claim(&r, (uint32_t)cap + 1, &lo) == -EINVAL);
	/* Fill to the brim: one more does not fit. */
	CHECK(zc_ring_try_claim(&r, (uint32_t)cap, &lo) == 0 && lo == 0);
	for (uint64_t s = 0; s < cap; s++)
		zc_msg_fill(zc_ring_slot(&r, s), size, s);
	zc_ring_publish(&r, 0, cap - 1);
	next_write = cap;
	CHECK(zc_ring_try_claim(&r, 1, &lo) == -EAGAIN);
	while (next_read < 20 * cap + 7) {
		int n = zc_ring_try_avail(&r, step, &lo);
		CHECK(n >= 0);
		CHECK(lo == next_read);
		for (uint64_t s = lo; s < lo + n; s++)
			CHECK(zc_msg_verify(zc_ring_slot(&r, s), size, s) == 0);
		if (n)
			zc_ring_consume(&r, lo + n - 1);
		next_read += n;
		while (zc_ring_try_claim(&r, step, &lo) == 0) {
			CHECK(lo == next_write);
			for (uint64_t s = lo; s < lo + step; s++)
				zc_msg_fill(zc_ring_slot(&r, s), size, s);
			zc_ring_publish(&r, lo, lo + step - 1);
			next_write += step;
		}
		CHECK(next_write - next_read <= cap);
		step = step % (uint32_t)cap + 1;
	}
	zc_ring_reset(&r);
	CHECK(zc_ring_try_avail(&r, 8, &lo) == 0 && lo == 0);
	CHECK(zc_ring_try_claim(&r, (uint32_t)cap, &lo) == 0 && lo == 0);
	free(p);
}

/* Slot mode: what is readable comes from the slots' seq words, written
 * last; head is not read (it stays 0 here) and a foreign word is caught. */
static void test_slot_seq(void)
{
	struct zc_ring_cfg c = {.slot_size = 32,
				.capacity = 8,
				.isolation = 64,
				.flags = ZC_RING_F_SLOT_SEQ};
	unsigned char *p = aligned_alloc(4096, 4096);
	struct zc_ring r;
	uint64_t lo, v;

	CHECK(zc_ring_format(&r, p, zc_ring_bytes(&c), &c) == 0);
	CHECK(r.slot_seq);
	CHECK(zc_ring_try_avail(&r, 4, &lo) == 0);
	CHECK(zc_ring_try_claim(&r, 5, &lo) == 0 && lo == 0);
	for (uint64_t s = 0; s < 3; s++)
		zc_msg_fill(zc_ring_slot(&r, s), 32, s); /* not published */
	CHECK(atomic_load(r.head) == 0);
	CHECK(zc_ring_try_avail(&r, 3, &lo) == 3 && lo == 0); /* the end */
	r.head_cache = 0;
	CHECK(zc_ring_try_avail(&r, 8, &lo) == 3 && lo == 0); /* a scan */
	CHECK(zc_ring_try_avail(&r, 8, &lo) == 3);	      /* remembered */
	zc_ring_consume(&r, 1);
	CHECK(zc_ring_try_avail(&r, 8, &lo) == 1 && lo == 2);
	zc_ring_consume(&r, 2);
	CHECK(zc_ring_try_avail(&r, 1, &lo) == 0);
	v = 12345; /* slot 3 holds neither 3 nor 3 - C */
	memcpy(zc_ring_slot(&r, 3), &v, 8);
	CHECK(zc_ring_try_avail(&r, 1, &lo) == -EILSEQ);
	CHECK(zc_ring_try_avail(&r, 4, &lo) == -EILSEQ);
	zc_msg_fill(zc_ring_slot(&r, 3), 32, 3);
	CHECK(zc_ring_wait_avail(&r, 4, &lo) == 1 && lo == 3);
	/* reset formats the seq words again */
	zc_ring_reset(&r);
	memcpy(&v, zc_ring_slot(&r, 3), 8);
	CHECK(v == 3 - 8ull);
	CHECK(zc_ring_try_avail(&r, 4, &lo) == 0);
	free(p);
}

struct hook {
	int waits, wakes;
};

static int hook_wait(void *arg, _Atomic uint64_t *word, uint64_t seen,
		     uint64_t iter)
{
	struct hook *h = arg;
	CHECK(atomic_load(word) == seen);
	CHECK(iter == (uint64_t)h->waits);
	return ++h->waits == 3 ? -EPIPE : 0;
}

static void hook_wake(void *arg, _Atomic uint64_t *word)
{
	((struct hook *)arg)->wakes++;
}

static void test_hooks(void)
{
	struct zc_ring_cfg c = {
		.slot_size = 32, .capacity = 4, .isolation = 64};
	unsigned char *p = aligned_alloc(4096, 4096);
	struct hook ph = {0}, ch = {0};
	struct zc_ring r;
	uint64_t lo;

	CHECK(zc_ring_format(&r, p, zc_ring_bytes(&c), &c) == 0);
	r.prod_wait = (struct zc_ring_wait){hook_wait, hook_wake, &ph};
	r.cons_wait = (struct zc_ring_wait){hook_wait, hook_wake, &ch};
	CHECK(zc_ring_wait_avail(&r, 4, &lo) == -EPIPE);
	CHECK(ch.waits == 3);
	CHECK(zc_ring_claim(&r, 4, &lo) == 0);
	zc_ring_publish(&r, lo, lo + 3);
	CHECK(ph.wakes == 1);
	CHECK(zc_ring_claim(&r, 1, &lo) == -EPIPE);
	CHECK(ph.waits == 3);
	CHECK(zc_ring_wait_avail(&r, 2, &lo) == 2 && lo == 0);
	zc_ring_consume(&r, 1);
	CHECK(ch.wakes == 1);
	ph.waits = 0;
	CHECK(zc_ring_claim(&r, 2, &lo) == 0 && lo == 4);
	CHECK(ph.waits == 0);
	free(p);
}

static void test_shm(void)
{
	struct zc_ring_cfg c = {.slot_size = 64,
				.capacity = 1024,
				.isolation = 128,
				.node = -1,
				.mem_flags = ZC_MEM_MEMFD};
	struct zc_ring r, a;
	char name[64];
	uint64_t lo;
	int err;

	err = zc_ring_create(&r, &c);
	CHECK(err == 0);
	if (err)
		return;
	CHECK(r.owned && r.mem.fd >= 0);
	CHECK(zc_ring_claim(&r, 1, &lo) == 0);
	zc_msg_fill(zc_ring_slot(&r, lo), 64, lo);
	zc_ring_publish(&r, lo, lo);
	zc_ring_free(&r);

	snprintf(name, sizeof(name), "/zc-test-ring-%d", (int)getpid());
	c.mem_flags = ZC_MEM_NAMED;
	c.name = name;
	err = zc_ring_create(&r, &c);
	CHECK(err == 0);
	if (err)
		return;
	CHECK(zc_ring_claim(&r, 2, &lo) == 0);
	zc_msg_fill(zc_ring_slot(&r, 0), 64, 0);
	zc_msg_fill(zc_ring_slot(&r, 1), 64, 1);
	zc_ring_publish(&r, 0, 1);
	c.slot_size = 0;
	c.isolation = 0;
	CHECK(zc_ring_attach(&a, name, &c) == 0);
	/* A second mapping sees the published messages and our head. */
	CHECK(zc_ring_try_avail(&a, 8, &lo) == 2 && lo == 0);
	CHECK(zc_msg_verify(zc_ring_slot(&a, 1), 64, 1) == 0);
	zc_ring_consume(&a, 1);
	CHECK(atomic_load(r.tail) == 2);
	zc_ring_free(&a);
	c.isolation = 64;
	CHECK(zc_ring_attach(&a, name, &c) == -EINVAL);
	zc_ring_free(&r);
	CHECK(zc_ring_attach(&a, name, NULL) == -ENOENT);
	c.capacity = 3;
	CHECK(zc_ring_create(&r, &c) == -EINVAL);
}

int main(void)
{
	test_cfg();
	test_layout(64);
	test_layout(128);
	test_attach();
	test_msgs();
	for (unsigned f = 0; f <= ZC_RING_F_SLOT_SEQ; f++) {
		test_wrap(8, 16, f);
		test_wrap(32, 4, f);
		test_wrap(40, 64, f);
		test_wrap(4096, 8, f);
	}
	test_slot_seq();
	test_hooks();
	test_shm();
	return zc_check_result();
}
