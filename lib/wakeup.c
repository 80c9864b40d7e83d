/* SPDX-License-Identifier: MIT */
/*
 * wakeup — the open-loop producer, the waiter, busy threads and the
 * ping-pong reference of `zcbench wait` (see wakeup.h).
 */
#include <sched.h>
#include <sys/prctl.h>

#include "clock.h"
#include "wakeup.h"

static void pace_until(uint64_t due)
{
	uint64_t now = zc_now_ns();

	/* Sleep the long part (EINTR: the spin below finishes the job). */
	if (due > now + 40000)
		zc_sleep_until_ns(due - 20000);
	while (zc_now_ns() < due)
		zc_cpu_relax();
}

void zc_wakeup_producer(struct zc_worker *w, struct zc_wakeup *sh)
{
	struct zc_wakeup_slot *ring = sh->ring;
	uint64_t k = 0, cached = 0, end, t = 0, t0, t2, pub_ns = 0, stalls = 0,
		 n = 0;
	double period = sh->rate > 0 ? 1e9 / (double)sh->rate : 0;

	/* Precise pacing sleeps: the default 50 us slack would bunch events */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	zc_worker_begin(w);
	t0 = zc_now_ns();
	end = t0 + sh->duration_ns;
	/* Idle: nothing to publish; wake every 10 ms to honour a stop. */
	for (uint64_t now = t0; sh->rate == ZC_WAKEUP_IDLE &&
				!zc_worker_should_stop(w) && now < end;
	     now = zc_now_ns())
		zc_sleep_until_ns(now + 10000000 < end ? now + 10000000 : end);
	while (sh->rate != ZC_WAKEUP_IDLE && !zc_worker_should_stop(w)) {
		struct zc_wakeup_slot *s;

		if (sh->rate > 0) {
			uint64_t due = t0 + (uint64_t)((double)k * period);
			if (due >= end)
				break;
			pace_until(due);
		} else if (t >= end) {
			break;
		}
		k++;
		if (k - cached > ZC_WAKEUP_RING) {
			/* acquire: the waiter is done with the slot we reuse */
			cached = atomic_load_explicit(&sh->consumed,
						      memory_order_acquire);
			while (k - cached > ZC_WAKEUP_RING &&
			       !zc_worker_should_stop(w)) {
				stalls++;
				sched_yield();
				cached = atomic_load_explicit(
					&sh->consumed, memory_order_acquire);
			}
		}
		t = zc_now_ns();
		s = &ring[k & (ZC_WAKEUP_RING - 1)];
		/* relaxed: published by the release in zc_waiter_publish */
		atomic_store_explicit(&s->tag, k, memory_order_relaxed);
		atomic_store_explicit(&s->t, t, memory_order_relaxed);
		zc_waiter_publish(&sh->w, k);
		t2 = zc_now_ns();
		pub_ns += t2 - t;
		n = k;
		t = t2;
	}
	/* A paced run lasts its whole duration: the last event is due a
	 * period before the end. */
	if (sh->rate > 0 && !zc_worker_should_stop(w))
		pace_until(end);
	sh->t1 = zc_now_ns();
	sh->t0 = t0;
	sh->published = n;
	sh->publish_ns = pub_ns;
	sh->stalls = stalls;
	/* Let the waiter see every event, then release it. acquire: pairs
	 * with its release of consumed (nothing is read, it only orders). */
	while (atomic_load_explicit(&sh->consumed, memory_order_acquire) <
		       sh->published &&
	       !zc_worker_should_stop(w))
		sched_yield();
	zc_waiter_cancel(&sh->w);
	zc_worker_end(w);
}

void zc_wakeup_waiter(struct zc_worker *w, struct zc_wakeup *sh)
{
	struct zc_wakeup_slot *ring = sh->ring;
	uint64_t next = 1, got, t;

	zc_worker_begin(w);
	for (;;) {
		got = zc_waiter_wait(&sh->w, next);
		if (got == ZC_WAIT_CANCELLED)
			break;
		t = zc_now_ns();
		for (uint64_t j = next; j <= got; j++) {
			struct zc_wakeup_slot *s =
				&ring[j & (ZC_WAKEUP_RING - 1)];
			/* relaxed: ordered by the acquire in the wait */
			uint64_t tag = atomic_load_explicit(
				&s->tag, memory_order_relaxed);
			uint64_t ts = atomic_load_explicit(
				&s->t, memory_order_relaxed);
			if (tag != j && !sh->bad_at) {
				sh->bad_at = j;
				sh->bad_tag = tag;
			}
			zc_hist_record(&sh->hist, t > ts ? t - ts : 0);
		}
		next = got + 1;
		/* release: our reads of the slots before the producer reuses
		 * them */
		atomic_store_explicit(&sh->consumed, got, memory_order_release);
	}
	zc_worker_end(w);
	sh->received = next - 1;
	/* relaxed: a stop flag for the busy threads, nothing published */
	atomic_store_explicit(&sh->done, 1, memory_order_relaxed);
}

void zc_wakeup_busy(struct zc_worker *w, struct zc_wakeup *sh)
{
	zc_worker_begin(w);
	/* relaxed: a stop flag only */
	while (!atomic_load_explicit(&sh->done, memory_order_relaxed) &&
	       !zc_worker_should_stop(w))
		for (int i = 0; i < 1000; i++)
			zc_cpu_relax();
	zc_worker_end(w);
}

/* Thread 0 serves and times each round trip; thread 1 returns
 * (lib/sentinel.h's loops, one round trip per batch). */
void zc_wakeup_pingpong(struct zc_worker *w, struct zc_wakeup *sh)
{
	zc_worker_begin(w);
	if (w->index == 0)
		sh->pp_err = zc_handoff_ping(&sh->ball, ZC_HANDOFF_STORE,
					     ZC_WAKEUP_PINGPONG, 1, sh->pp_ns,
					     &w->team->stop, 0);
	else
		zc_handoff_pong(&sh->ball, ZC_HANDOFF_STORE, ZC_WAKEUP_PINGPONG,
				&w->team->stop, 0);
	zc_worker_end(w);
}
