/* SPDX-License-Identifier: MIT */
#ifndef ZC_WAIT_H
#define ZC_WAIT_H
/*
 * wait — ways for a thread to wait until a sequence reaches N, behind one
 * interface: the publisher stores an increasing sequence, waiters block
 * until it is at least the value they need.
 *
 *	struct zc_waiter w;
 *	struct zc_wait_config cfg;
 *	zc_wait_config_default(&cfg);		(spin window 50 us ...)
 *	zc_waiter_init(&w, zc_wait_find("hybrid"), &cfg);
 *	publisher:  write the data of event i; zc_waiter_publish(&w, i);
 *	waiter:	    got = zc_waiter_wait(&w, i);  (got >= i: events <= got
 *						   are visible)
 *	zc_waiter_release(&w);
 *
 * The strategies (zc_wait_table[], in this order):
 *	spin	 plain load loop
 *	pause	 load loop with the CPU's spin-wait hint (pause / yield)
 *	yield	 sched_yield() between checks
 *	sleep	 spin, then yield, then nanosleep with exponential back-off
 *		 from sleep_min_ns to sleep_max_ns (LMAX Disruptor Sleeping)
 *	futex	 park on a futex whenever nothing is there
 *	hybrid	 spin (with pause) for up to spin_ns, then futex; the
 *		 window adapts: it doubles (up to spin_ns) after a wait that
 *		 ended within spin_ns and halves (down to spin_ns/32) after
 *		 one that outlasted it, so a steady low rate stops paying
 *		 for a spin that never catches anything, and a burst gets
 *		 the whole window back within a few events
 *	condvar	 pthread mutex + condition variable (Disruptor Blocking)
 *	eventfd	 blocking read(2) of an eventfd
 *	phased	 spin for spin_ns, yield for yield_ns, then futex (Disruptor
 *		 PhasedBackoff with a blocking fallback)
 *
 * The publisher of futex, hybrid, phased and eventfd makes a system call
 * only when a waiter is parked: waiters announce themselves in a counter
 * before their final check, and publisher and waiter order "store mine,
 * load theirs" with sequentially consistent operations (Dekker), so at
 * least one of them sees the other and no wake-up is lost. condvar's
 * publisher always takes the mutex (that is the cost Disruptor Blocking
 * pays) but signals only when someone waits.
 *
 * Acquire/release: everything the publisher wrote before
 * zc_waiter_publish(w, s) is visible to a waiter whose wait returned s or
 * more.
 *
 * Limitations: one publisher per waiter object (the sequence is a plain
 * store, so it must only grow, from one thread). Any number of waiters,
 * except eventfd (one: a read consumes the wake-up). Sequences stop at
 * ZC_WAIT_CANCELLED (the largest value), reserved for zc_waiter_cancel().
 * The futex word is 32 bits: a waiter that sleeps through exactly 2^32
 * publishes-with-wake-up would miss one (not reachable in practice).
 * sleep's nanosleep is subject to the thread's timer slack (50 us by
 * default on Linux), which bounds its latency from below.
 *
 * Errors: zc_waiter_init returns 0, -EINVAL (NULL strategy, a
 * configuration out of range), or -errno from eventfd(2) / pthread init.
 * Waiting and publishing cannot fail (interrupted system calls are
 * retried).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define ZC_WAIT_CANCELLED UINT64_MAX

/* Limits zc_waiter_init accepts (a spin window over 1 s is a mistake). */
#define ZC_WAIT_MAX_NS 1000000000ull

struct zc_wait_config {
	uint64_t spin_ns;      /* phased: spin window; hybrid: its upper
				  bound (default 50 us) */
	uint64_t yield_ns;     /* phased: yield window after the spin (50 us) */
	uint64_t sleep_min_ns; /* sleep: first nanosleep (1 us) */
	uint64_t sleep_max_ns; /* sleep: back-off cap (100 us) */
	unsigned spin_tries;   /* sleep: checks spinning, then as many
				  yielding, before sleeping (100) */
};

struct zc_waiter;

/* Strategy flags. */
#define ZC_WAIT_BLOCKS 1u /* may park in the kernel until woken */
#define ZC_WAIT_SPINS  2u /* uses spin_ns (hybrid, phased) */
#define ZC_WAIT_BURNS  4u /* never gives the CPU back (spin, pause) */

struct zc_wait_strategy {
	const char *name;
	const char *desc;
	unsigned flags;
	/* Slow path: the sequence was below n when checked. Returns the
	 * sequence observed, >= n. */
	uint64_t (*wait)(struct zc_waiter *w, uint64_t n);
	void (*publish)(struct zc_waiter *w, uint64_t seq);
};

extern const struct zc_wait_strategy zc_wait_table[];
extern const int zc_wait_count;

/* Strategy by name, or NULL. */
const struct zc_wait_strategy *zc_wait_find(const char *name);

/* The defaults listed in struct zc_wait_config. */
void zc_wait_config_default(struct zc_wait_config *c);

struct zc_waiter {
	/* Stored by the publisher, loaded by every waiter: own line pair. */
	_Alignas(128) _Atomic uint64_t seq;
	uint64_t wakes; /* publisher only: wake-up calls made */
	/* Waiters announce themselves here; the publisher loads it. */
	_Alignas(128) atomic_uint parked;
	atomic_uint epoch;	   /* the futex word: bumped before each wake */
	atomic_ulong parks;	   /* times a waiter blocked in the kernel */
	_Atomic uint64_t spin_cur; /* hybrid: the current spin window */
	/* Read-only after init, plus condvar's lock. */
	_Alignas(128) const struct zc_wait_strategy *s;
	struct zc_wait_config cfg;
	int efd;	     /* eventfd, -1 when not used */
	unsigned cv_waiting; /* condvar: waiters inside cond_wait (under mu) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Initialise w with strategy s (cfg NULL: defaults). Sequence starts at 0. */
int zc_waiter_init(struct zc_waiter *w, const struct zc_wait_strategy *s,
		   const struct zc_wait_config *cfg);
/* Free what init allocated. No thread may be waiting. */
void zc_waiter_release(struct zc_waiter *w);

/* The current sequence (acquire: data published with it is visible). */
static inline uint64_t zc_waiter_seq(struct zc_waiter *w)
{
	/* acquire: pairs with the publisher's release/seq_cst store */
	return atomic_load_explicit(&w->seq, memory_order_acquire);
}

/* Wait until the sequence is >= n; returns the sequence seen (>= n), or
 * ZC_WAIT_CANCELLED after zc_waiter_cancel(). */
static inline uint64_t zc_waiter_wait(struct zc_waiter *w, uint64_t n)
{
	uint64_t s = zc_waiter_seq(w);
	if (s >= n)
		return s;
	return w->s->wait(w, n);
}

/* Make the sequence seq (> the previous one) and wake whoever needs it.
 * Publisher thread only. */
static inline void zc_waiter_publish(struct zc_waiter *w, uint64_t seq)
{
	w->s->publish(w, seq);
}

/* Release every waiter with ZC_WAIT_CANCELLED. Call it from the publisher
 * thread, or once the publisher has stopped, and publish nothing after it
 * (a later publish would overwrite the cancellation). */
static inline void zc_waiter_cancel(struct zc_waiter *w)
{
	w->s->publish(w, ZC_WAIT_CANCELLED);
}

/* Times a waiter entered the kernel to block (futex, condvar, eventfd;
 * sleep's nanosleeps). Read it once the threads have stopped. */
static inline unsigned long zc_waiter_parks(struct zc_waiter *w)
{
	/* relaxed: a statistic, read after the threads were joined */
	return atomic_load_explicit(&w->parks, memory_order_relaxed);
}

#endif
