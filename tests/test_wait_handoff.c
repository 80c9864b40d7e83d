/* SPDX-License-Identifier: MIT */
/*
 * Description: every wait strategy hands off 10^6 events at random intervals,
 * in order, with no lost wake-up Labels: unit threads stress
 *
 * A producer and a consumer pass events through an 8-slot ring whose two
 * sequences are waiters of the strategy under test (full: the producer
 * publishes, free: the consumer publishes back-pressure), so both sides
 * park and wake. Intervals are random: mostly back to back, sometimes a
 * few microseconds of spinning, sometimes a sleep longer than the spin
 * windows, so every strategy reaches its parking path. The consumer checks
 * each event's sequence and payload. A lost wake-up would leave both sides
 * blocked: a watchdog fails the test when nothing moves for
 * ZC_WATCHDOG_S seconds (default 20) instead of hanging.
 *
 * ZC_STRESS_SCALE (default 1, also in the TSan run) scales the event
 * count.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "wait.h"

#define SLOTS 8

struct handoff {
	struct zc_waiter full, free;
	uint64_t n;
	uint64_t slot[SLOTS];
	uint64_t seed;
	/* watched by the main thread: relaxed, progress counters only */
	_Atomic uint64_t produced, consumed;
	atomic_int done;
	uint64_t bad_seq, bad_at; /* consumer only; read after join */
};

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t payload(uint64_t i)
{
	return i * 0x9E3779B97F4A7C15ull ^ 0x5bd1e995u;
}

static void spin_ns(uint64_t ns)
{
	uint64_t t0 = zc_now_ns();
	while (zc_now_ns() - t0 < ns)
		zc_cpu_relax();
}

static void nap_ns(uint64_t ns)
{
	struct timespec ts = {0, (long)ns};
	nanosleep(&ts, NULL);
}

/* Random gap: 1 % sleep up to 200 us (past every spin window), 9 % spin
 * up to 5 us, the rest back to back. `rare` scales the sleep odds down. */
static void random_gap(uint64_t *rng, int rare)
{
	uint64_t r = xorshift(rng);
	unsigned p = (unsigned)(r % 1000);
	if (p < 10u / (unsigned)rare)
		nap_ns((r >> 20) % 200000);
	else if (p < 100)
		spin_ns((r >> 20) % 5000);
}

static void *producer(void *arg)
{
	struct handoff *h = arg;
	uint64_t rng = h->seed;

	for (uint64_t i = 1; i <= h->n; i++) {
		random_gap(&rng, 1);
		if (i > SLOTS &&
		    zc_waiter_wait(&h->free, i - SLOTS) == ZC_WAIT_CANCELLED)
			break;
		/* ordered before the consumer's read by publish (release)
		 * and after its previous read by the wait on free above */
		h->slot[i % SLOTS] = payload(i);
		zc_waiter_publish(&h->full, i);
		/* relaxed: progress for the watchdog only */
		atomic_store_explicit(&h->produced, i, memory_order_relaxed);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct handoff *h = arg;
	uint64_t rng = h->seed ^ 0xabcdef;

	for (uint64_t i = 1; i <= h->n; i++) {
		uint64_t got = zc_waiter_wait(&h->full, i);
		if (got < i || got == ZC_WAIT_CANCELLED || got > h->n ||
		    h->slot[i % SLOTS] != payload(i)) {
			h->bad_seq = got;
			h->bad_at = i;
			zc_waiter_cancel(&h->free);
			break;
		}
		zc_waiter_publish(&h->free, i);
		/* relaxed: progress for the watchdog only */
		atomic_store_explicit(&h->consumed, i, memory_order_relaxed);
		random_gap(&rng, 2);
	}
	return NULL;
}

static double watchdog_s(void)
{
	const char *e = getenv("ZC_WATCHDOG_S");
	double v = e ? atof(e) : 20;
	return v > 0 ? v : 20;
}

/* Join threads t[0..n) while watching a progress function; on a stall of
 * watchdog_s() seconds print what is known and exit 1 (blocked threads
 * cannot be joined). */
static void join_watched(pthread_t *t, int n, atomic_int *done,
			 uint64_t (*progress)(void *), void *arg,
			 const char *what)
{
	uint64_t last = progress(arg), since = zc_now_ns();
	double limit = watchdog_s();

	/* acquire: the threads' results before their done count */
	while (atomic_load_explicit(done, memory_order_acquire) < n) {
		uint64_t p;
		nap_ns(20000000);
		p = progress(arg);
		if (p != last) {
			last = p;
			since = zc_now_ns();
		} else if ((zc_now_ns() - since) / 1e9 > limit) {
			fprintf(stderr,
				"FAIL %s: no progress for %.0f s at %" PRIu64
				": a lost wake-up\n",
				what, limit, p);
			fflush(stderr);
			_exit(1);
		}
	}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

struct thread_arg {
	void *(*fn)(void *);
	void *arg;
	atomic_int *done;
};

static void *counted(void *p)
{
	struct thread_arg *a = p;
	a->fn(a->arg);
	/* release: the thread's results before its done count */
	atomic_fetch_add_explicit(a->done, 1, memory_order_release);
	return NULL;
}

/* Put producer and consumer on different CPUs where there are two: left
 * to the scheduler, a loaded machine sometimes stacks both on one CPU, and
 * a spinning side then burns whole time slices waiting for the other. */
static void spread(pthread_t *t, int n)
{
	cpu_set_t all;
	int cpu = -1;

	if (sched_getaffinity(0, sizeof(all), &all) || CPU_COUNT(&all) < n)
		return;
	for (int i = 0; i < n; i++) {
		cpu_set_t one;
		while (!CPU_ISSET(++cpu, &all))
			;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pthread_setaffinity_np(t[i], sizeof(one), &one);
	}
}

static uint64_t handoff_progress(void *arg)
{
	struct handoff *h = arg;
	/* relaxed: progress counters only */
	return atomic_load_explicit(&h->produced, memory_order_relaxed) +
	       atomic_load_explicit(&h->consumed, memory_order_relaxed);
}

static void run_handoff(const struct zc_wait_strategy *s,
			const struct zc_wait_config *cfg, uint64_t n,
			const char *label)
{
	struct handoff *h = calloc(1, sizeof(*h));
	struct thread_arg a[2];
	pthread_t t[2];
	uint64_t t0 = zc_now_ns();
	char what[96];
	int err;

	if (!h) {
		CHECKF(h != NULL, "out of memory");
		return;
	}
	snprintf(what, sizeof(what), "%s%s", s->name, label);
	err = zc_waiter_init(&h->full, s, cfg);
	CHECKF(err == 0, "%s: init full: %s", what, strerror(-err));
	err = err ? err : zc_waiter_init(&h->free, s, cfg);
	CHECKF(err == 0, "%s: init free: %s", what, strerror(-err));
	if (err) {
		free(h);
		return;
	}
	h->n = n;
	h->seed = 0x1234567ull + (uint64_t)(s - zc_wait_table) * 7919;
	a[0] = (struct thread_arg){producer, h, &h->done};
	a[1] = (struct thread_arg){consumer, h, &h->done};
	for (int i = 0; i < 2; i++) {
		err = pthread_create(&t[i], NULL, counted, &a[i]);
		if (err) {
			fprintf(stderr, "FAIL %s: pthread_create: %s\n", what,
				strerror(err));
			exit(1);
		}
	}
	spread(t, 2);
	join_watched(t, 2, &h->done, handoff_progress, h, what);

	CHECKF(h->bad_at == 0,
	       "%s: event %" PRIu64 ": wait returned %" PRIu64
	       " or a wrong payload",
	       what, h->bad_at, h->bad_seq);
	CHECKF(handoff_progress(h) == 2 * n,
	       "%s: %" PRIu64 " of %" PRIu64 " events arrived", what,
	       handoff_progress(h) / 2, n);
	/* The test must reach the parking paths it is there to check. */
	if (s->flags & ZC_WAIT_BLOCKS || !strcmp(s->name, "sleep"))
		CHECKF(zc_waiter_parks(&h->full) + zc_waiter_parks(&h->free) >
			       0,
		       "%s: never parked: the slow path went untested", what);
	printf("%-16s %8" PRIu64 " events %6.2f s  parks %lu+%lu  wakes "
	       "%" PRIu64 "+%" PRIu64 "\n",
	       what, n, (zc_now_ns() - t0) / 1e9, zc_waiter_parks(&h->full),
	       zc_waiter_parks(&h->free), h->full.wakes, h->free.wakes);
	fflush(stdout);
	zc_waiter_release(&h->full);
	zc_waiter_release(&h->free);
	free(h);
}

/* Several waiters on one sequence (not eventfd: one reader per wake). */
#define NWAITERS 3

struct multi {
	struct zc_waiter w;
	uint64_t n;
	atomic_int done;
	_Atomic uint64_t seen[NWAITERS];
	atomic_int bad;
};

struct multi_arg {
	struct multi *m;
	int i;
};

static void *multi_waiter(void *p)
{
	struct multi_arg *a = p;
	struct multi *m = a->m;
	uint64_t prev = 0, rng = 99 + (uint64_t)a->i;

	for (uint64_t i = 1; i <= m->n; i++) {
		uint64_t got = zc_waiter_wait(&m->w, i);
		if (got < i || got < prev || got > m->n)
			/* relaxed: read after the join */
			atomic_store_explicit(&m->bad, 1, memory_order_relaxed);
		prev = got;
		i = got;
		/* relaxed: progress for the watchdog only */
		atomic_store_explicit(&m->seen[a->i], got,
				      memory_order_relaxed);
		random_gap(&rng, 1);
	}
	/* release: m->bad before the done count */
	atomic_fetch_add_explicit(&m->done, 1, memory_order_release);
	return NULL;
}

static uint64_t multi_progress(void *arg)
{
	struct multi *m = arg;
	uint64_t p = 0;
	for (int i = 0; i < NWAITERS; i++)
		/* relaxed: progress counters only */
		p += atomic_load_explicit(&m->seen[i], memory_order_relaxed);
	return p;
}

static void run_multi(const struct zc_wait_strategy *s, uint64_t n)
{
	struct multi m = {.n = n};
	struct multi_arg a[NWAITERS];
	pthread_t t[NWAITERS];
	uint64_t rng = 7;
	char what[64];
	int err = zc_waiter_init(&m.w, s, NULL);

	snprintf(what, sizeof(what), "%s/3 waiters", s->name);
	CHECKF(err == 0, "%s: init: %s", what, strerror(-err));
	if (err)
		return;
	for (int i = 0; i < NWAITERS; i++) {
		a[i] = (struct multi_arg){&m, i};
		if (pthread_create(&t[i], NULL, multi_waiter, &a[i])) {
			fprintf(stderr, "FAIL %s: pthread_create\n", what);
			exit(1);
		}
	}
	for (uint64_t i = 1; i <= n; i++) {
		random_gap(&rng, 1);
		zc_waiter_publish(&m.w, i);
	}
	join_watched(t, NWAITERS, &m.done, multi_progress, &m, what);
	CHECKF(!atomic_load_explicit(&m.bad, memory_order_relaxed),
	       "%s: a wait returned a sequence out of order", what);
	zc_waiter_release(&m.w);
}

/* A waiter blocked on a sequence that never comes is released by cancel. */
struct cancel_arg {
	struct zc_waiter *w;
	uint64_t got;
	atomic_int done;
};

static void *cancel_waiter(void *p)
{
	struct cancel_arg *a = p;
	a->got = zc_waiter_wait(a->w, 1000);
	/* release: got before done */
	atomic_store_explicit(&a->done, 1, memory_order_release);
	return NULL;
}

static void run_cancel(const struct zc_wait_strategy *s)
{
	struct zc_waiter w;
	struct cancel_arg a = {.w = &w};
	pthread_t t;
	uint64_t t0;

	if (zc_waiter_init(&w, s, NULL)) {
		CHECKF(0, "%s: init", s->name);
		return;
	}
	zc_waiter_publish(&w, 5);
	if (pthread_create(&t, NULL, cancel_waiter, &a)) {
		fprintf(stderr, "FAIL pthread_create\n");
		exit(1);
	}
	nap_ns(20000000); /* long enough for every strategy to park */
	zc_waiter_cancel(&w);
	t0 = zc_now_ns();
	while (!atomic_load_explicit(&a.done, memory_order_acquire)) {
		nap_ns(1000000);
		if ((zc_now_ns() - t0) / 1e9 > watchdog_s()) {
			fprintf(stderr,
				"FAIL %s: cancel did not release the "
				"waiter\n",
				s->name);
			_exit(1);
		}
	}
	pthread_join(t, NULL);
	CHECKF(a.got == ZC_WAIT_CANCELLED, "%s: cancel returned %" PRIu64,
	       s->name, a.got);
	if (s->flags & ZC_WAIT_BLOCKS)
		CHECKF(zc_waiter_parks(&w) > 0, "%s: waiter never parked",
		       s->name);
	zc_waiter_release(&w);
}

static void test_table(void)
{
	struct zc_wait_config c;
	struct zc_waiter w;

	CHECKF(zc_wait_count == 9, "%d strategies", zc_wait_count);
	for (int i = 0; i < zc_wait_count; i++) {
		CHECKF(zc_wait_find(zc_wait_table[i].name) == &zc_wait_table[i],
		       "find %s", zc_wait_table[i].name);
		CHECKF(zc_wait_table[i].desc && zc_wait_table[i].wait &&
			       zc_wait_table[i].publish,
		       "entry %d incomplete", i);
	}
	CHECKF(zc_wait_find("nope") == NULL, "unknown name found");
	CHECKF(zc_wait_find(NULL) == NULL, "NULL name found");
	zc_wait_config_default(&c);
	CHECKF(c.spin_ns == 50000, "default spin window %" PRIu64, c.spin_ns);
	CHECKF(zc_waiter_init(&w, NULL, &c) == -EINVAL, "NULL strategy");
	c.sleep_min_ns = 0;
	CHECKF(zc_waiter_init(&w, zc_wait_find("sleep"), &c) == -EINVAL,
	       "zero sleep");
	zc_wait_config_default(&c);
	c.spin_ns = ZC_WAIT_MAX_NS + 1;
	CHECKF(zc_waiter_init(&w, zc_wait_find("hybrid"), &c) == -EINVAL,
	       "absurd spin window");
	zc_wait_config_default(&c);
	c.sleep_min_ns = c.sleep_max_ns + 1;
	CHECKF(zc_waiter_init(&w, zc_wait_find("sleep"), &c) == -EINVAL,
	       "min > max");
}

int main(void)
{
	const char *e = getenv("ZC_STRESS_SCALE");
	double scale = e ? atof(e) : 1.0;
	uint64_t n = (uint64_t)(1e6 * (scale > 0 ? scale : 1.0));
	struct zc_wait_config fast;

	if (n < 1000)
		n = 1000;
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_table();
	for (int i = 0; i < zc_wait_count; i++)
		run_cancel(&zc_wait_table[i]);
	for (int i = 0; i < zc_wait_count; i++)
		run_handoff(&zc_wait_table[i], NULL, n, "");
	/* Short windows: hybrid and phased park on nearly every gap. */
	zc_wait_config_default(&fast);
	fast.spin_ns = 1000;
	fast.yield_ns = 1000;
	run_handoff(zc_wait_find("hybrid"), &fast, n / 4, " spin 1us");
	run_handoff(zc_wait_find("phased"), &fast, n / 4, " spin 1us");
	for (int i = 0; i < zc_wait_count; i++)
		if (zc_wait_table[i].flags & ZC_WAIT_BLOCKS &&
		    strcmp(zc_wait_table[i].name, "eventfd"))
			run_multi(&zc_wait_table[i], n / 20);
	return zc_check_result();
}
