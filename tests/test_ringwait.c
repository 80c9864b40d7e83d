/* SPDX-License-Identifier: MIT */
/*
 * Description: a ring whose back-pressure and consumer wait through every
 * lib/wait.h strategy: 10^6 messages per strategy through a 64-slot ring
 * with random stalls on both sides, every message verified, the consumer
 * released by the producer's done (no lost wake-up, no hang).
 * Labels: unit threads stress
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "ringwait.h"

#define SLOT 32u

struct side {
	struct zc_ring *r;
	struct zc_ringwait *rw;
	uint64_t n;
	uint64_t seed;
	uint64_t got;
	int err;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Now and then stall long enough for the other side to reach its slow
 * path: a full ring for the producer's, an empty one for the consumer's. */
static void stall(uint64_t *seed)
{
	uint64_t x = rnd(seed) % 4096;
	if (x < 2) {
		struct timespec ts = {0, 200000}; /* past every spin window */
		nanosleep(&ts, NULL);
	} else if (x < 40) {
		for (int i = 0; i < 200; i++)
			zc_cpu_relax();
	}
}

static void *producer(void *arg)
{
	struct side *p = arg;
	for (uint64_t id = 0; id < p->n;) {
		uint32_t batch = 1 + (uint32_t)(rnd(&p->seed) % 8), k;
		uint64_t lo;
		if (batch > p->n - id)
			batch = (uint32_t)(p->n - id);
		p->err = zc_ring_claim(p->r, batch, &lo);
		if (p->err)
			return NULL;
		for (k = 0; k < batch; k++)
			zc_msg_fill(zc_ring_slot(p->r, lo + k), SLOT, id + k);
		zc_ring_publish(p->r, lo, lo + batch - 1);
		id += batch;
		stall(&p->seed);
	}
	zc_ringwait_producer_done(p->rw);
	return NULL;
}

static void *consumer(void *arg)
{
	struct side *c = arg;
	for (;;) {
		uint64_t lo;
		int n = zc_ring_wait_avail(c->r, 16, &lo);
		if (n == -ECANCELED)
			return NULL; /* producer done, ring drained */
		if (n < 0) {
			c->err = n;
			return NULL;
		}
		for (int k = 0; k < n; k++)
			if (zc_msg_verify(zc_ring_slot(c->r, lo + k), SLOT,
					  c->got + k)) {
				c->err = -EBADMSG;
				zc_ringwait_consumer_done(c->rw);
				return NULL;
			}
		c->got += (uint64_t)n;
		zc_ring_consume(c->r, lo + (uint64_t)n - 1);
		stall(&c->seed);
	}
}

int main(void)
{
	const char *e = getenv("ZC_STRESS_SCALE");
	double scale = e ? atof(e) : 1.0;
	uint64_t n = (uint64_t)(1000000 * (scale > 0 ? scale : 1.0));
	struct zc_ring_cfg cfg = {.slot_size = SLOT,
				  .capacity = 64,
				  .isolation = 128,
				  .node = -1,
				  .mem_flags = ZC_MEM_PRIVATE};

	alarm(600); /* a lost wake-up fails the test instead of hanging */
	for (int i = 0; i < zc_wait_count; i++) {
		const struct zc_wait_strategy *s = &zc_wait_table[i];
		struct zc_ring r;
		struct zc_ringwait rw;
		struct side p = {0}, c = {0};
		pthread_t tp, tc;
		uint64_t t0 = zc_now_ns();

		CHECK(zc_ring_create(&r, &cfg) == 0);
		CHECK(zc_ringwait_init(&rw, &r, s, NULL) == 0);
		p = (struct side){&r, &rw, n, 88172645463325252ull + i, 0, 0};
		c = (struct side){&r, &rw, n, 0x9E3779B97F4A7C15ull + i, 0, 0};
		CHECK(pthread_create(&tc, NULL, consumer, &c) == 0);
		CHECK(pthread_create(&tp, NULL, producer, &p) == 0);
		pthread_join(tp, NULL);
		pthread_join(tc, NULL);
		CHECKF(p.err == 0 && c.err == 0 && c.got == n,
		       "%s: producer %d consumer %d, %llu of %llu messages",
		       s->name, p.err, c.err, (unsigned long long)c.got,
		       (unsigned long long)n);
		printf("%-8s %llu messages in %.2f s, %lu + %lu parks\n",
		       s->name, (unsigned long long)c.got,
		       (double)(zc_now_ns() - t0) / 1e9,
		       zc_waiter_parks(&rw.head), zc_waiter_parks(&rw.tail));
		zc_ringwait_release(&rw, &r);
		zc_ring_free(&r);
	}
	return zc_check_result();
}
