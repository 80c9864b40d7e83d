/* SPDX-License-Identifier: MIT */
/*
 * The native side of `zcbench ffi`: the consumer code every path ends in,
 * loaded with dlopen by zcbench and with ctypes by the Python host. Built as
 * a MODULE library by cmd/ffi.cmake; the interface is in ffi_msg.h.
 *
 * Checking stays cheap against the boundary being measured (a few compares
 * and zc_csum64 at ~20 GB/s) yet covers every byte of every message.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include "../lib/csum.h"
#include "ffi_msg.h"

#define EXPORT __attribute__((visibility("default")))

int zc_ffi_sink_begin(uint32_t size);
int zc_ffi_consume(const void *msg);
void zc_ffi_sink_end(struct zc_ffi_verdict *v);
void zc_ffi_store_release(uint64_t *word, uint64_t value);
uint64_t zc_ffi_load_acquire(const uint64_t *word);

static struct zc_ffi_verdict st;
static uint64_t pool_sum[ZC_FFI_PAYLOADS];
static unsigned char pool_buf[ZC_FFI_SIZE_MAX];

EXPORT int zc_ffi_sink_begin(uint32_t size)
{
	if (size < ZC_FFI_SIZE_MIN || size > ZC_FFI_SIZE_MAX || size % 8)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	st.size = size;
	for (unsigned v = 0; v < ZC_FFI_PAYLOADS; v++) {
		zc_ffi_payload(pool_buf, size, v);
		pool_sum[v] = zc_csum64(pool_buf, size > 40 ? size - 40 : 0);
	}
	return 0;
}

static int check(const unsigned char *p, uint64_t id)
{
	double price;
	uint32_t qty, chk;
	uint64_t tail;

	memcpy(&price, p + 8, 8);
	memcpy(&qty, p + 16, 4);
	memcpy(&chk, p + 28, 4);
	if (price != zc_ffi_price(id) || qty != zc_ffi_quantity(id) ||
	    memcmp(p + 20, ZC_FFI_SYMS[id & 7], 8) || chk != (uint32_t)~id)
		return -EBADMSG;
	if (st.size > 32) {
		memcpy(&tail, p + st.size - 8, 8);
		if (tail != id || zc_csum64(p + 32, st.size - 40) !=
					  pool_sum[id & (ZC_FFI_PAYLOADS - 1)])
			return -EBADMSG;
	}
	return 0;
}

EXPORT int zc_ffi_consume(const void *msg)
{
	const unsigned char *p = msg;
	uint64_t id;
	int err;

	memcpy(&id, p, 8);
	err = check(p, id);
	if (!err && id != st.next_id)
		err = -EILSEQ;
	if (err) {
		if (!st.bad++) {
			st.first_bad = st.received;
			st.first_err = err;
		}
	}
	/* A garbled id gives no position to resynchronise on. */
	st.next_id = err == -EBADMSG ? st.next_id + 1 : id + 1;
	st.received++;
	return err;
}

EXPORT void zc_ffi_sink_end(struct zc_ffi_verdict *v)
{
	*v = st;
}

EXPORT void zc_ffi_store_release(uint64_t *word, uint64_t value)
{
	/* release: the caller's slot writes happen before the consumer sees
	 * the new index (pairs with its acquire load) */
	atomic_store_explicit((_Atomic uint64_t *)word, value,
			      memory_order_release);
}

EXPORT uint64_t zc_ffi_load_acquire(const uint64_t *word)
{
	/* acquire: the consumer's reads of slots below this tail are done
	 * before the caller overwrites them (pairs with its release) */
	return atomic_load_explicit((_Atomic uint64_t *)word,
				    memory_order_acquire);
}
