/* SPDX-License-Identifier: MIT */
#ifndef ZC_CHAN_BOOST_H
#define ZC_CHAN_BOOST_H
/*
 * chan_boost — boost::lockfree::spsc_queue<uint64_t> for lib/chan.h's
 * boost family (lib/chan_boost.cpp, built when a C++ compiler and
 * boost/lockfree are found: ZC_HAVE_BOOST).
 *
 *	void *q = zc_boost_init(mem, words);	(mem: zc_boost_bytes(words),
 *						 128-byte aligned)
 *	producer: k = zc_boost_push(q, w, n);	(k of n words went in)
 *	consumer: k = zc_boost_pop(q, w, n);	(k words came out, k <= n)
 *	zc_boost_fini(q);
 *
 * One producer and one consumer; the queue lives wholly in mem, so a
 * process forked after init shares it. No errors (push and pop may move
 * fewer words than asked, 0 when full or empty).
 */
#include <stddef.h>
#include <stdint.h>

size_t zc_boost_bytes(size_t words);
void *zc_boost_init(void *mem, size_t words);
void zc_boost_fini(void *q);
size_t zc_boost_push(void *q, const uint64_t *w, size_t n);
size_t zc_boost_pop(void *q, uint64_t *w, size_t n);

#endif
