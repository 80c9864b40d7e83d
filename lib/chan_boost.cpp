// SPDX-License-Identifier: MIT
/*
 * chan_boost — boost::lockfree::spsc_queue<uint64_t> behind lib/chan.h's
 * boost family: a queue of message words placed in memory the caller
 * provides (shared with a forked consumer), reached from C through the
 * five functions below. The queue's own push/pop (bulk copies, its
 * indices on their own cache lines) are what is measured; the calls into
 * this file are one per batch.
 */
#include <boost/lockfree/spsc_queue.hpp>
#include <cstddef>
#include <cstdint>
#include <new>

extern "C" {
#include "chan_boost.h"
}

namespace
{

/* Hands out the one block of words that follows the queue object. */
template <class T> struct arena {
	typedef T value_type;
	void *p;
	explicit arena(void *q) : p(q)
	{
	}
	template <class U> arena(const arena<U> &o) : p(o.p)
	{
	}
	T *allocate(std::size_t)
	{
		return static_cast<T *>(p);
	}
	void deallocate(T *, std::size_t)
	{
	}
	bool operator==(const arena &o) const
	{
		return p == o.p;
	}
	bool operator!=(const arena &o) const
	{
		return p != o.p;
	}
};

typedef boost::lockfree::spsc_queue<uint64_t,
				    boost::lockfree::allocator<arena<uint64_t>>>
	queue;

std::size_t head_bytes()
{
	return (sizeof(queue) + 127) & ~std::size_t(127);
}

} // namespace

size_t zc_boost_bytes(size_t words)
{
	return head_bytes() + (words + 1) * sizeof(uint64_t); /* boost: +1 */
}

void *zc_boost_init(void *mem, size_t words)
{
	arena<uint64_t> a(static_cast<char *>(mem) + head_bytes());
	return new (mem) queue(words, a);
}

void zc_boost_fini(void *q)
{
	static_cast<queue *>(q)->~queue();
}

size_t zc_boost_push(void *q, const uint64_t *w, size_t n)
{
	return static_cast<queue *>(q)->push(w, n);
}

size_t zc_boost_pop(void *q, uint64_t *w, size_t n)
{
	return static_cast<queue *>(q)->pop(w, n);
}
