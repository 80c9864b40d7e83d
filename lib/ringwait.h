/* SPDX-License-Identifier: MIT */
#ifndef ZC_RINGWAIT_H
#define ZC_RINGWAIT_H
/*
 * ringwait — a ring (lib/ring.h) whose back-pressure (producer, ring full)
 * and consumer (ring empty) wait through a wait strategy (lib/wait.h)
 * instead of spinning: spin, pause, yield, sleep, futex, hybrid, condvar,
 * eventfd, phased.
 *
 * Two waiters mirror the ring's indices: `head` is published by the
 * producer after every zc_ring_publish and waited on by the consumer when
 * the ring is empty; `tail` is published by the consumer after every
 * zc_ring_consume and waited on by the producer when the ring is full.
 * The ring's own release/acquire orders the messages; the waiters only
 * decide how to wait, and their protocol loses no wake-up.
 *
 *	struct zc_ringwait rw;
 *	zc_ringwait_init(&rw, &ring, zc_wait_find("hybrid"), NULL);
 *	producer: zc_ring_claim / zc_ring_publish as usual, then, after its
 *		  last publish, zc_ringwait_producer_done(&rw)
 *	consumer: zc_ring_wait_avail / zc_ring_consume as usual; once the
 *		  producer is done and the ring is drained, zc_ring_wait_avail
 *		  returns -ECANCELED
 *	zc_ringwait_release(&rw, &ring);	(both threads stopped)
 *
 * Limitations: producer and consumer are threads of one process (the
 * waiters live in private memory and futexes are process-private).
 * eventfd allows one waiter per index, which is what an SPSC ring has.
 *
 * Errors: zc_ringwait_init returns 0 or zc_waiter_init's -errno (-EINVAL
 * for a NULL strategy). Waits return -ECANCELED after the other side's
 * *_done call.
 */
#include "ring.h"
#include "wait.h"

struct zc_ringwait {
	struct zc_waiter head; /* producer publishes, consumer waits */
	struct zc_waiter tail; /* consumer publishes, producer waits */
};

int zc_ringwait_init(struct zc_ringwait *rw, struct zc_ring *r,
		     const struct zc_wait_strategy *s,
		     const struct zc_wait_config *cfg);
/* Producer thread, after its last publish: a consumer waiting on an empty
 * ring gets -ECANCELED instead of waiting for ever. */
void zc_ringwait_producer_done(struct zc_ringwait *rw);
/* Consumer thread, when it stops early: a producer waiting on a full ring
 * gets -ECANCELED. */
void zc_ringwait_consumer_done(struct zc_ringwait *rw);
/* Detach the hooks from r and free the waiters. */
void zc_ringwait_release(struct zc_ringwait *rw, struct zc_ring *r);

#endif
