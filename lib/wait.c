/* SPDX-License-Identifier: MIT */
/*
 * wait — the strategies. Each is a slow-path wait and a publish; the fast
 * path (the sequence is already there) is inline in wait.h.
 *
 * The parking protocol shared by futex, hybrid, phased and eventfd:
 *
 *	waiter				publisher
 *	e = epoch			seq = s		  (seq_cst)
 *	parked++	   (seq_cst)	if (parked)	  (seq_cst)
 *	if (seq >= n) done (seq_cst)	    epoch++; wake
 *	sleep unless epoch != e
 *
 * All four marked operations are seq_cst, so they fall in one total order
 * and the two "store mine, load theirs" pairs cannot both miss (Dekker):
 * either the waiter sees the new sequence and does not sleep, or the
 * publisher sees parked > 0 and wakes. The waiter read e before its
 * parked++ that the publisher observed, so the publisher's epoch++ comes
 * later in the word's history: FUTEX_WAIT(e) then either returns at once
 * (the word moved) or is queued before the wake. Fences would do the same
 * with release/relaxed accesses, but ThreadSanitizer does not model
 * atomic_thread_fence; seq_cst accesses it checks.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>

#include "clock.h"
#include "wait.h"

static uint64_t seq_acquire(struct zc_waiter *w)
{
	/* acquire: what the publisher wrote before this sequence */
	return atomic_load_explicit(&w->seq, memory_order_acquire);
}

static void count_park(struct zc_waiter *w)
{
	/* relaxed: a statistic, read after the threads were joined */
	atomic_fetch_add_explicit(&w->parks, 1, memory_order_relaxed);
}

/* ---- spinning ---------------------------------------------------------- */

static void publish_release(struct zc_waiter *w, uint64_t seq)
{
	/* release: the event's data before the sequence that announces it */
	atomic_store_explicit(&w->seq, seq, memory_order_release);
}

static uint64_t wait_spin(struct zc_waiter *w, uint64_t n)
{
	uint64_t s;

	while ((s = seq_acquire(w)) < n)
		;
	return s;
}

static uint64_t wait_pause(struct zc_waiter *w, uint64_t n)
{
	uint64_t s;

	while ((s = seq_acquire(w)) < n)
		zc_cpu_relax();
	return s;
}

static uint64_t wait_yield(struct zc_waiter *w, uint64_t n)
{
	uint64_t s;

	while ((s = seq_acquire(w)) < n)
		sched_yield();
	return s;
}

/*
 * Spin (pause) or yield until the sequence reaches n or `ns` have passed
 * since t0.
 * The clock is read every 16 pauses only: a vDSO read costs about as much
 * as the check it would delay.
 */
static int spin_until(struct zc_waiter *w, uint64_t n, uint64_t t0, uint64_t ns,
		      int yield, uint64_t *out)
{
	if (!ns)
		return 0;
	for (unsigned i = 1;; i++) {
		uint64_t s = seq_acquire(w);
		if (s >= n) {
			*out = s;
			return 1;
		}
		if (yield)
			sched_yield();
		else
			zc_cpu_relax();
		if ((yield || !(i & 15)) && zc_now_ns() - t0 >= ns)
			return 0;
	}
}

static uint64_t wait_sleep(struct zc_waiter *w, uint64_t n)
{
	uint64_t d = w->cfg.sleep_min_ns, s;
	unsigned tries = w->cfg.spin_tries;

	for (unsigned i = 0;; i++) {
		s = seq_acquire(w);
		if (s >= n)
			return s;
		if (i < tries) {
			continue;
		} else if (i < 2 * tries) {
			sched_yield();
		} else {
			struct timespec ts = {(time_t)(d / 1000000000u),
					      (long)(d % 1000000000u)};
			/* EINTR: the loop checks again, as after any nap */
			nanosleep(&ts, NULL);
			count_park(w);
			d = d * 2 > w->cfg.sleep_max_ns ? w->cfg.sleep_max_ns
							: d * 2;
		}
	}
}

/* ---- futex family -------------------------------------------------------- */

static long futex(atomic_uint *word, int op, unsigned val)
{
	return syscall(SYS_futex, (unsigned *)word, op, val, NULL, NULL, 0);
}

static void publish_futex(struct zc_waiter *w, uint64_t seq)
{
	/* seq_cst: Dekker with the waiter's parked++ (see the top) */
	atomic_store_explicit(&w->seq, seq, memory_order_seq_cst);
	/* seq_cst: the other half of the Dekker pair */
	if (!atomic_load_explicit(&w->parked, memory_order_seq_cst))
		return;
	/* release: the bump is stored before FUTEX_WAKE looks for sleepers
	 * (the kernel adds its own full barrier there too) */
	atomic_fetch_add_explicit(&w->epoch, 1, memory_order_release);
	futex(&w->epoch, FUTEX_WAKE_PRIVATE, INT_MAX);
	w->wakes++;
}

static uint64_t park_futex(struct zc_waiter *w, uint64_t n)
{
	for (;;) {
		/* relaxed: sequenced before parked++ (a release), which the
		 * publisher reads before bumping; coherence does the rest */
		unsigned e =
			atomic_load_explicit(&w->epoch, memory_order_relaxed);
		uint64_t s;

		/* seq_cst: Dekker with the publisher's sequence store */
		atomic_fetch_add_explicit(&w->parked, 1, memory_order_seq_cst);
		/* seq_cst: the other half; also acquires the event data */
		s = atomic_load_explicit(&w->seq, memory_order_seq_cst);
		if (s < n) {
			/* EAGAIN (word moved), EINTR, or woken: recheck */
			futex(&w->epoch, FUTEX_WAIT_PRIVATE, e);
			count_park(w);
		}
		/* relaxed: only gates the publisher's optional wake; a stale
		 * count costs it one needless FUTEX_WAKE */
		atomic_fetch_sub_explicit(&w->parked, 1, memory_order_relaxed);
		if (s >= n)
			return s;
		s = seq_acquire(w);
		if (s >= n)
			return s;
	}
}

static uint64_t wait_futex(struct zc_waiter *w, uint64_t n)
{
	return park_futex(w, n);
}

/*
 * A fixed window costs spin_ns per event whenever events are further apart
 * than that (5 % of a core at 1 k/s for 50 us, before any wake-up). So the
 * window follows the waits: one that ended within spin_ns (spinning would
 * have caught it) doubles it, one that outlasted spin_ns halves it.
 */
static uint64_t wait_hybrid(struct zc_waiter *w, uint64_t n)
{
	/* relaxed: a heuristic; waiters racing on it lose an update only */
	uint64_t win = atomic_load_explicit(&w->spin_cur, memory_order_relaxed);
	uint64_t max = w->cfg.spin_ns, t0 = zc_now_ns(), s, waited;

	if (spin_until(w, n, t0, win, 0, &s)) {
		waited = 0;
	} else {
		s = park_futex(w, n);
		waited = zc_now_ns() - t0;
	}
	if (waited <= max)
		win = win * 2 + 1 > max ? max : win * 2 + 1;
	else
		win = win / 2 < max / 32 ? max / 32 : win / 2;
	atomic_store_explicit(&w->spin_cur, win, memory_order_relaxed);
	return s;
}

static uint64_t wait_phased(struct zc_waiter *w, uint64_t n)
{
	uint64_t s, t0 = zc_now_ns();

	if (spin_until(w, n, t0, w->cfg.spin_ns, 0, &s))
		return s;
	if (spin_until(w, n, t0 + w->cfg.spin_ns, w->cfg.yield_ns, 1, &s))
		return s;
	return park_futex(w, n);
}

/* ---- eventfd: the same protocol, the kernel object is an eventfd -------- */

static void publish_eventfd(struct zc_waiter *w, uint64_t seq)
{
	uint64_t one = 1;

	/* seq_cst: Dekker with the waiter's parked++ */
	atomic_store_explicit(&w->seq, seq, memory_order_seq_cst);
	/* seq_cst: the other half */
	if (!atomic_load_explicit(&w->parked, memory_order_seq_cst))
		return;
	/* The counter is sticky: a write before the waiter's read is not
	 * lost, the read returns at once. */
	while (write(w->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	w->wakes++;
}

static uint64_t wait_eventfd(struct zc_waiter *w, uint64_t n)
{
	for (;;) {
		uint64_t s, v;

		/* seq_cst: Dekker with the publisher's sequence store */
		atomic_fetch_add_explicit(&w->parked, 1, memory_order_seq_cst);
		/* seq_cst: the other half; also acquires the event data */
		s = atomic_load_explicit(&w->seq, memory_order_seq_cst);
		if (s < n) {
			while (read(w->efd, &v, sizeof(v)) < 0 &&
			       errno == EINTR)
				;
			count_park(w);
		}
		/* relaxed: as in park_futex, a stale count only costs the
		 * publisher a needless write */
		atomic_fetch_sub_explicit(&w->parked, 1, memory_order_relaxed);
		if (s >= n)
			return s;
		s = seq_acquire(w);
		if (s >= n)
			return s;
	}
}

/* ---- condvar (Disruptor Blocking) --------------------------------------- */

static void publish_condvar(struct zc_waiter *w, uint64_t seq)
{
	pthread_mutex_lock(&w->mu);
	/* release: for waiters on the inline fast path, which read the
	 * sequence without the mutex */
	atomic_store_explicit(&w->seq, seq, memory_order_release);
	if (w->cv_waiting) {
		pthread_cond_broadcast(&w->cv);
		w->wakes++;
	}
	pthread_mutex_unlock(&w->mu);
}

static uint64_t wait_condvar(struct zc_waiter *w, uint64_t n)
{
	uint64_t s;

	pthread_mutex_lock(&w->mu);
	/* relaxed: the mutex orders it against the publisher's store */
	while ((s = atomic_load_explicit(&w->seq, memory_order_relaxed)) < n) {
		w->cv_waiting++;
		pthread_cond_wait(&w->cv, &w->mu);
		w->cv_waiting--;
		count_park(w);
	}
	pthread_mutex_unlock(&w->mu);
	return s;
}

/* ---- the table ----------------------------------------------------------- */

const struct zc_wait_strategy zc_wait_table[] = {
	{"spin", "plain load loop", ZC_WAIT_BURNS, wait_spin, publish_release},
	{"pause", "load loop with the CPU's pause hint", ZC_WAIT_BURNS,
	 wait_pause, publish_release},
	{"yield", "sched_yield between checks", 0, wait_yield, publish_release},
	{"sleep", "spin, yield, then nanosleep back-off (Disruptor Sleeping)",
	 0, wait_sleep, publish_release},
	{"futex", "park on a futex; wake only when parked", ZC_WAIT_BLOCKS,
	 wait_futex, publish_futex},
	{"hybrid", "spin for up to the (adaptive) spin window, then futex",
	 ZC_WAIT_BLOCKS | ZC_WAIT_SPINS, wait_hybrid, publish_futex},
	{"condvar", "mutex + condition variable (Disruptor Blocking)",
	 ZC_WAIT_BLOCKS, wait_condvar, publish_condvar},
	{"eventfd", "blocking read of an eventfd; write only when parked",
	 ZC_WAIT_BLOCKS, wait_eventfd, publish_eventfd},
	{"phased", "spin, then yield, then futex (Disruptor PhasedBackoff)",
	 ZC_WAIT_BLOCKS | ZC_WAIT_SPINS, wait_phased, publish_futex},
};
const int zc_wait_count = sizeof(zc_wait_table) / sizeof(zc_wait_table[0]);

const struct zc_wait_strategy *zc_wait_find(const char *name)
{
	for (int i = 0; name && i < zc_wait_count; i++)
		if (!strcmp(zc_wait_table[i].name, name))
			return &zc_wait_table[i];
	return NULL;
}

void zc_wait_config_default(struct zc_wait_config *c)
{
	c->spin_ns = 50000;
	c->yield_ns = 50000;
	c->sleep_min_ns = 1000;
	c->sleep_max_ns = 100000;
	c->spin_tries = 100;
}

int zc_waiter_init(struct zc_waiter *w, const struct zc_wait_strategy *s,
		   const struct zc_wait_config *cfg)
{
	struct zc_wait_config def;
	int err;

	if (!cfg) {
		zc_wait_config_default(&def);
		cfg = &def;
	}
	if (!s || cfg->spin_ns > ZC_WAIT_MAX_NS ||
	    cfg->yield_ns > ZC_WAIT_MAX_NS || !cfg->sleep_min_ns ||
	    cfg->sleep_min_ns > cfg->sleep_max_ns ||
	    cfg->sleep_max_ns > ZC_WAIT_MAX_NS || cfg->spin_tries > 1000000)
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	atomic_init(&w->seq, 0);
	atomic_init(&w->parked, 0);
	atomic_init(&w->epoch, 0);
	atomic_init(&w->parks, 0);
	atomic_init(&w->spin_cur, cfg->spin_ns);
	w->s = s;
	w->cfg = *cfg;
	w->efd = -1;
	err = pthread_mutex_init(&w->mu, NULL);
	if (err)
		return -err;
	err = pthread_cond_init(&w->cv, NULL);
	if (err) {
		pthread_mutex_destroy(&w->mu);
		return -err;
	}
	if (s->wait == wait_eventfd) {
		w->efd = eventfd(0, EFD_CLOEXEC);
		if (w->efd < 0) {
			err = -errno;
			pthread_cond_destroy(&w->cv);
			pthread_mutex_destroy(&w->mu);
			return err;
		}
	}
	return 0;
}

void zc_waiter_release(struct zc_waiter *w)
{
	if (w->efd >= 0)
		close(w->efd);
	w->efd = -1;
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}
