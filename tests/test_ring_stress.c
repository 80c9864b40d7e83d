/* SPDX-License-Identifier: MIT */
/*
 * Description: SPSC ring stress: >= 10^8 messages between two threads and
 * between two processes (fork, memfd), every sequence number and checksum
 * verified; a consumer that dies mid-run is noticed by the producer
 * (env ZC_STRESS_SCALE scales the counts; the full count also runs under
 * TSan, about a minute on 2 vCPUs)
 * Labels: unit stress threads
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "ring.h"

#ifndef DEFAULT_SCALE
#define DEFAULT_SCALE 1.0
#endif

struct stress {
	const char *what;
	uint32_t size, iso, prod_batch, cons_batch;
	uint64_t cap, count;
};

/* What the consumer found; in shared memory for the process case. */
struct verdict {
	uint64_t received, bad_seq, bad_sum, first_bad;
	int first_err;
};

static void produce(struct zc_ring *r, const struct stress *s, int *err)
{
	uint64_t seq = 0, lo;
	uint32_t b = 1;

	*err = 0;
	while (seq < s->count) {
		uint32_t n =
			s->count - seq < b ? (uint32_t)(s->count - seq) : b;
		*err = zc_ring_claim(r, n, &lo);
		if (*err)
			return;
		for (uint64_t q = lo; q < lo + n; q++)
			zc_msg_fill(zc_ring_slot(r, q), s->size, q);
		zc_ring_publish(r, lo, lo + n - 1);
		seq += n;
		/* Vary the batch so claims straddle the wrap point. */
		b = b % s->prod_batch + 1;
	}
}

static void consume(struct zc_ring *r, const struct stress *s,
		    struct verdict *v)
{
	uint64_t expect = 0, lo;

	memset(v, 0, sizeof(*v));
	while (expect < s->count) {
		int n = zc_ring_wait_avail(r, s->cons_batch, &lo);
		if (n < 0) {
			v->first_err = n;
			break;
		}
		if (lo != expect) {
			v->bad_seq++;
			v->first_err = v->first_err ? v->first_err : -EILSEQ;
		}
		for (uint64_t q = lo; q < lo + (uint64_t)n; q++, expect++) {
			int e = zc_msg_verify(zc_ring_slot(r, q), s->size,
					      expect);
			if (e) {
				if (!v->first_err) {
					v->first_err = e;
					v->first_bad = expect;
				}
				if (e == -EILSEQ)
					v->bad_seq++;
				else
					v->bad_sum++;
			}
		}
		zc_ring_consume(r, lo + n - 1);
		v->received += (uint64_t)n;
	}
}

static int make_ring(struct zc_ring *r, const struct stress *s)
{
	struct zc_ring_cfg c = {.slot_size = s->size,
				.capacity = s->cap,
				.isolation = s->iso,
				.node = -1,
				.mem_flags = ZC_MEM_MEMFD};
	int err = zc_ring_create(r, &c);
	CHECKF(err == 0, "zc_ring_create: %s", zc_ring_strerror(err));
	return err;
}

static void check_verdict(const char *how, const struct stress *s,
			  const struct verdict *v)
{
	CHECKF(v->received == s->count && !v->bad_seq && !v->bad_sum &&
		       !v->first_err,
	       "%s %s: received %llu of %llu, %llu bad sequence, %llu bad "
	       "checksum, first at %llu (%s)",
	       how, s->what, (unsigned long long)v->received,
	       (unsigned long long)s->count, (unsigned long long)v->bad_seq,
	       (unsigned long long)v->bad_sum, (unsigned long long)v->first_bad,
	       strerror(-v->first_err));
}

struct targ {
	struct zc_ring *r;
	const struct stress *s;
	struct verdict v;
};

static void *consumer_thread(void *p)
{
	struct targ *t = p;
	consume(t->r, t->s, &t->v);
	return NULL;
}

static void run_threads(const struct stress *s)
{
	struct zc_ring r;
	struct targ t;
	pthread_t tid;
	int err;

	if (make_ring(&r, s))
		return;
	t = (struct targ){.r = &r, .s = s};
	err = pthread_create(&tid, NULL, consumer_thread, &t);
	CHECKF(err == 0, "pthread_create: %s", strerror(err));
	if (err) {
		zc_ring_free(&r);
		return;
	}
	produce(&r, s, &err);
	CHECK(err == 0);
	pthread_join(tid, NULL);
	check_verdict("threads", s, &t.v);
	zc_ring_free(&r);
}

/* The producer's wait hook: a dead consumer must not hang it. */
static int child_alive(void *arg, _Atomic uint64_t *word, uint64_t seen,
		       uint64_t iter)
{
	pid_t pid = *(pid_t *)arg;
	int st;

	if ((iter & 1023) == 1023 && waitpid(pid, &st, WNOHANG) == pid) {
		*(pid_t *)arg = -1; /* reaped */
		return -EPIPE;
	}
	zc_cpu_relax();
	return 0;
}

/* Fork a consumer; die_after > 0 makes it kill itself after that many. */
static void run_process(const struct stress *s, uint64_t die_after)
{
	struct verdict *v;
	struct zc_ring r;
	pid_t pid;
	int err, st;

	v = mmap(NULL, sizeof(*v), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(v != MAP_FAILED);
	if (v == MAP_FAILED || make_ring(&r, s))
		return;
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (die_after) {
			struct stress part = *s;
			part.count = die_after;
			consume(&r, &part, v);
			raise(SIGKILL);
		}
		consume(&r, s, v);
		_exit(0);
	}
	if (pid < 0) {
		zc_ring_free(&r);
		return;
	}
	r.prod_wait = (struct zc_ring_wait){.wait = child_alive, .arg = &pid};
	produce(&r, s, &err);
	if (die_after) {
		CHECKF(err == -EPIPE,
		       "producer should notice the dead "
		       "consumer, got %d",
		       err);
		CHECK(pid == -1);
	} else {
		CHECKF(err == 0, "producer: %s", strerror(-err));
		if (pid > 0) {
			CHECK(waitpid(pid, &st, 0) == pid);
			CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			       "consumer exit status %#x", st);
		}
		check_verdict("processes", s, v);
	}
	zc_ring_free(&r);
	munmap(v, sizeof(*v));
}

int main(void)
{
	const char *env = getenv("ZC_STRESS_SCALE");
	double scale = env ? atof(env) : DEFAULT_SCALE;
	uint64_t big = (uint64_t)(1e8 * scale), small = (uint64_t)(1e6 * scale);
	struct stress cases[] = {
		{"32B cap 1024 iso 128 batches 1..64", 32, 128, 64, 256, 1024,
		 big},
		{"64B cap 2 iso 64 batch 1", 64, 64, 1, 1, 2, small},
		{"4096B cap 8 iso 64 batches 1..8", 4096, 64, 8, 3, 8,
		 small / 4},
	};

	if (scale <= 0 || scale > 100) {
		fprintf(stderr, "ZC_STRESS_SCALE must be in (0, 100]\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!cases[i].count)
			cases[i].count = 1;
		printf("%s: %llu messages\n", cases[i].what,
		       (unsigned long long)cases[i].count);
		fflush(stdout);
		run_threads(&cases[i]);
		run_process(&cases[i], 0);
	}
	run_process(&cases[0], cases[0].count / 2 + 1);
	return zc_check_result();
}
