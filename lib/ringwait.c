/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "ringwait.h"

/* Wait until the waiter's sequence passes what the ring showed last; the
 * caller then re-reads the ring index itself. */
static int wait_past(struct zc_waiter *w, _Atomic uint64_t *word, uint64_t seen)
{
	if (zc_waiter_wait(w, seen + 1) != ZC_WAIT_CANCELLED)
		return 0;
	/* acquire: the cancel was published after the other side's last
	 * index store, so that store is visible now; the caller's earlier
	 * read of the index may have been older than it */
	if (atomic_load_explicit(word, memory_order_acquire) > seen)
		return 0;
	return -ECANCELED;
}

static void publish_index(struct zc_waiter *w, _Atomic uint64_t *word)
{
	/* relaxed: this thread stored the index itself just before; the
	 * waiter's publish orders what the other side may skip reading */
	zc_waiter_publish(w, atomic_load_explicit(word, memory_order_relaxed));
}

static int prod_wait(void *arg, _Atomic uint64_t *word, uint64_t seen,
		     uint64_t iter)
{
	struct zc_ringwait *rw = arg;
	(void)iter;
	return wait_past(&rw->tail, word, seen);
}

static void prod_wake(void *arg, _Atomic uint64_t *word)
{
	struct zc_ringwait *rw = arg;
	publish_index(&rw->head, word);
}

static int cons_wait(void *arg, _Atomic uint64_t *word, uint64_t seen,
		     uint64_t iter)
{
	struct zc_ringwait *rw = arg;
	(void)iter;
	return wait_past(&rw->head, word, seen);
}

static void cons_wake(void *arg, _Atomic uint64_t *word)
{
	struct zc_ringwait *rw = arg;
	publish_index(&rw->tail, word);
}

int zc_ringwait_init(struct zc_ringwait *rw, struct zc_ring *r,
		     const struct zc_wait_strategy *s,
		     const struct zc_wait_config *cfg)
{
	int err;

	memset(rw, 0, sizeof(*rw));
	err = zc_waiter_init(&rw->head, s, cfg);
	if (err)
		return err;
	err = zc_waiter_init(&rw->tail, s, cfg);
	if (err) {
		zc_waiter_release(&rw->head);
		return err;
	}
	r->prod_wait = (struct zc_ring_wait){prod_wait, prod_wake, rw};
	r->cons_wait = (struct zc_ring_wait){cons_wait, cons_wake, rw};
	return 0;
}

void zc_ringwait_producer_done(struct zc_ringwait *rw)
{
	zc_waiter_cancel(&rw->head);
}

void zc_ringwait_consumer_done(struct zc_ringwait *rw)
{
	zc_waiter_cancel(&rw->tail);
}

void zc_ringwait_release(struct zc_ringwait *rw, struct zc_ring *r)
{
	memset(&r->prod_wait, 0, sizeof(r->prod_wait));
	memset(&r->cons_wait, 0, sizeof(r->cons_wait));
	zc_waiter_release(&rw->head);
	zc_waiter_release(&rw->tail);
}
