/* SPDX-License-Identifier: MIT */
/*
 * c2c_pingpong — an independent check of `zcbench c2c` (none of zcbench's
 * code): two pinned threads pass a cache line by store/load, as
 * rigtorp/c2clat does, and the one-way time (half a round trip) is printed.
 *
 * Usage: c2c_pingpong CPU_A CPU_B [ROUND_TRIPS [BATCHES]]
 * Prints "<median> <min>": ns per one-way hand-off over BATCHES (64)
 * timed batches of ROUND_TRIPS (2000) round trips each.
 * Build: cc -O2 -pthread -o c2c_pingpong scripts/c2c_pingpong.c
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Alignas(128) _Atomic unsigned long line;
static long rounds = 2000, batches = 64;

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (pthread_setaffinity_np(pthread_self(), sizeof(s), &s)) {
		fprintf(stderr, "c2c_pingpong: cannot pin to CPU %d\n", cpu);
		exit(1);
	}
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* The answering side: waits for each odd value, answers with the next. */
static void *pong(void *arg)
{
	pin(*(int *)arg);
	for (unsigned long v = 1; v < 2ul * rounds * batches; v += 2) {
		while (atomic_load_explicit(&line, memory_order_acquire) != v)
			;
		atomic_store_explicit(&line, v + 1, memory_order_release);
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	unsigned long v = 1;
	pthread_t t;
	double *ns;
	int a, b;

	if (argc < 3) {
		fprintf(stderr, "usage: c2c_pingpong CPU_A CPU_B "
				"[ROUND_TRIPS [BATCHES]]\n");
		return 2;
	}
	a = atoi(argv[1]);
	b = atoi(argv[2]);
	rounds = argc > 3 ? atol(argv[3]) : rounds;
	batches = argc > 4 ? atol(argv[4]) : batches;
	ns = malloc((size_t)batches * sizeof(*ns));
	if (!ns || rounds < 1 || batches < 1 ||
	    pthread_create(&t, NULL, pong, &b))
		return 1;
	pin(a);
	for (long k = 0; k < batches; k++) {
		double t0 = now_ns();
		for (long r = 0; r < rounds; r++, v += 2) {
			atomic_store_explicit(&line, v, memory_order_release);
			while (atomic_load_explicit(
				       &line, memory_order_acquire) != v + 1)
				;
		}
		ns[k] = (now_ns() - t0) / (2.0 * rounds);
	}
	pthread_join(t, NULL);
	qsort(ns, (size_t)batches, sizeof(*ns), cmp);
	printf("%.1f %.1f\n", ns[batches / 2], ns[0]);
	free(ns);
	return 0;
}
