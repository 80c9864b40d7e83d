/* SPDX-License-Identifier: MIT */
/*
 * Description: channels (lib/chan.h, lib/chanpair.h): every family (ring,
 * mutex queue, pipe, unix, ck, boost) between two threads and between two
 * processes (fork, memory shared), tput, rtt and lat loops with every
 * message's sequence and checksum verified, 64-byte and raw 8-byte
 * messages; a message damaged in flight is caught at its sequence, a
 * time-boxed producer stops early and the consumer takes exactly what was
 * sent, a dying consumer process is
 * noticed, the forked consumer's perf counters come back
 * Labels: unit threads
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chanpair.h"
#include "check.h"

static struct zc_chan_cfg base = {
	.size = 64, .batch = 8, .cap = 256, .iso = 128, .node = -1};
static const char *const mode_name[] = {"tput", "rtt", "lat"};

#define WHY ZC_WHY_LEN_BENCH

/* One repetition of family f, expecting zc_chanpair_run to return want;
 * why receives its explanation. The pair stays open for the caller's
 * checks (pair_free); NULL when it could not be opened. */
static struct zc_chanpair *expect_run(int f, int process, int mode,
				      const struct zc_chanpair_run *r, int want,
				      char *why)
{
	struct zc_chanpair *p = aligned_alloc(128, sizeof(*p));
	struct zc_chan_cfg cfg = base;
	int err;

	if (!p)
		abort();
	cfg.process = process;
	why[0] = 0;
	err = zc_chanpair_open(p, f, &cfg, mode);
	CHECKF(err == 0, "%s open: %s", zc_chan_family_name(f), strerror(-err));
	if (err) {
		free(p);
		return NULL;
	}
	err = zc_chanpair_run(p, r, why, WHY);
	CHECKF(err == want, "%s %s %s: returned %d, expected %d: %s",
	       zc_chan_family_name(f), process ? "process" : "thread",
	       mode_name[mode], err, want, why);
	return p;
}

static void pair_free(struct zc_chanpair *p)
{
	zc_chanpair_close(p);
	free(p);
}

/* Every message of every loop arrives in order, intact, once. */
static void test_clean(int f, int process, int mode)
{
	struct zc_chanpair_run r = {.count = mode == ZC_CHAN_TPUT  ? 20000
					     : mode == ZC_CHAN_RTT ? 2000
								   : 500,
				    .rate = 200000,
				    .timeout_s = 60};
	char why[WHY];
	struct zc_chanpair *p = expect_run(f, process, mode, &r, 0, why);

	if (!p)
		return;
	CHECK(zc_chanpair_sent(p) == r.count);
	CHECK(p->sh->prod.err == 0 && p->sh->cons.err == 0);
	CHECK(p->sh->prod.t1 >= p->sh->prod.t0);
	CHECK(p->sh->cons.t1 >= p->sh->cons.t0);
	if (mode == ZC_CHAN_LAT)
		CHECKF(p->sh->hist.count == r.count, "%s: %llu latencies",
		       zc_chan_family_name(f),
		       (unsigned long long)p->sh->hist.count);
	pair_free(p);
}

/* A message damaged after the producer filled it is caught at its
 * sequence by the consumer's check, and no side claims success. */
static void test_corrupt(int f, int process, int mode)
{
	struct zc_chanpair_run r = {.count = 1000,
				    .timeout_s = 60,
				    .corrupt = 1,
				    .corrupt_seq = 100};
	char why[WHY];
	/* a damaged 8-byte message is a wrong sequence: it is nothing else */
	int want = base.size == ZC_MSG_RAW ? -EILSEQ : -EBADMSG;
	struct zc_chanpair *p = expect_run(f, process, mode, &r, want, why);

	if (!p)
		return;
	CHECK(p->sh->cons.err == want);
	CHECK(p->sh->cons.bad_seq == 100);
	CHECKF(strstr(why, want == -EBADMSG
				   ? "consumer: message 100: checksum mismatch"
				   : "consumer: message 100: wrong sequence"),
	       "%s", why);
	pair_free(p);
}

/* Out of time: the producer says how many it sent; the consumer (EOF on
 * a stream, the flag elsewhere) verifies exactly those and stops. */
static void test_time_box(int f, int process, int mode)
{
	struct zc_chanpair_run r = {.count = 1000000000000ull,
				    .budget_ns = 20000000,
				    .timeout_s = 60};
	char why[WHY];
	struct zc_chanpair *p = expect_run(f, process, mode, &r, 0, why);
	uint64_t n;

	if (!p)
		return;
	n = zc_chanpair_sent(p);
	CHECKF(n > 0 && n < r.count, "%s: sent %llu", zc_chan_family_name(f),
	       (unsigned long long)n);
	pair_free(p);
}

/* The consumer process dies halfway: the producer notices (no hang) and
 * the verdict names the signal. */
static void test_dead_consumer(int f, int mode)
{
	struct zc_chanpair_run r = {.count =
					    mode == ZC_CHAN_RTT ? 2000 : 100000,
				    .timeout_s = 60,
				    .kill_consumer = 1};
	char why[WHY];
	struct zc_chanpair *p = expect_run(f, 1, mode, &r, -EPIPE, why);

	if (!p)
		return;
	CHECKF(strstr(why, "consumer process killed by signal 9"), "%s", why);
	pair_free(p);
}

/* --events: each side's counters come back, the forked consumer's through
 * the shared block; an event this machine cannot count says why. */
static void test_counters(int f, int process, const struct zc_evset *ev)
{
	struct zc_chanpair_run r = {
		.count = 20000, .events = ev, .timeout_s = 60};
	char why[WHY];
	struct zc_chanpair *p =
		expect_run(f, process, ZC_CHAN_TPUT, &r, 0, why);

	if (!p)
		return;
	for (int s = 0; s < 2; s++) {
		const struct zc_counts *c =
			s ? &p->sh->cons.counts : &p->sh->prod.counts;
		CHECK(c->n == ev->n);
		CHECK(c->cpu_ns > 0);
		for (int e = 0; e < c->n; e++)
			if (c->status[e] == ZC_EV_OK)
				CHECKF(c->value[e] > 0, "%s side %d: %s = %g",
				       process ? "process" : "thread", s,
				       ev->ev[e].name, c->value[e]);
			else
				CHECK(c->why[e][0]);
	}
	pair_free(p);
}

static void test_open_checks(void)
{
	struct zc_chan_shared sh;
	struct zc_chan c __attribute__((aligned(128)));
	struct zc_chan_cfg cfg = base;
	char why[160];

	zc_chan_shared_init(&sh, ZC_CHAN_TPUT);
	cfg.size = 36;
	CHECK(zc_chan_open(&c, ZC_CHAN_PIPE, &cfg, &sh) == -EINVAL);
	cfg = base;
	cfg.size = 16; /* 8 is the raw message; 16 and 24 are nothing */
	CHECK(zc_chan_open(&c, ZC_CHAN_RING, &cfg, &sh) == -EINVAL);
	cfg = base;
	cfg.cap = 100;
	CHECK(zc_chan_open(&c, ZC_CHAN_MUTEX, &cfg, &sh) == -EINVAL);
	cfg = base;
	cfg.batch = 512;
	CHECK(zc_chan_open(&c, ZC_CHAN_RING, &cfg, &sh) == -EINVAL);
	CHECK(zc_chan_available(ZC_CHAN_NFAMILIES, why, sizeof(why)) == 0);
	/* The ring's label comes from its memory; streams have none. */
	CHECK(zc_chan_open(&c, ZC_CHAN_RING, &base, &sh) == 0);
	CHECK(zc_chan_mem(&c) && zc_chan_mem(&c)->binding[0]);
	zc_chan_close(&c);
	CHECK(zc_chan_open(&c, ZC_CHAN_UNIX, &base, &sh) == 0);
	CHECK(zc_chan_mem(&c) == NULL);
	zc_chan_close(&c);
}

static void test_transports(void)
{
	int n = 0;

	for (const struct zc_chan_transport *t = zc_chan_transports; t->name;
	     t++, n++) {
		CHECK(zc_chan_transport_find(t->name) == t);
		CHECK((unsigned)t->family < ZC_CHAN_NFAMILIES);
	}
	CHECK(n == 7);
	CHECK(zc_chan_transport_find("process")->process);
	CHECK(zc_chan_transport_find("carrier-pigeon") == NULL);
}

int main(void)
{
	struct zc_evset ev;
	char why[160];

	zc_bench_signals_install(); /* SIGPIPE ignored: a closed stream */
	test_open_checks();
	test_transports();
	CHECK(zc_evset_resolve(&ev, "task-clock,cycles") == 0);
	for (int f = 0; f < ZC_CHAN_NFAMILIES; f++) {
		if (!zc_chan_available(f, why, sizeof(why))) {
			/* ck: not built in, or under TSan (its fences are
			 * inline assembly TSan cannot see) */
			printf("skip %s: %s\n", zc_chan_family_name(f), why);
			continue;
		}
		for (int process = 0; process < 2; process++) {
			for (int mode = 0; mode < 3; mode++)
				test_clean(f, process, mode);
			test_corrupt(f, process, ZC_CHAN_TPUT);
			test_corrupt(f, process, ZC_CHAN_RTT);
			test_time_box(f, process, ZC_CHAN_TPUT);
			test_time_box(f, process, ZC_CHAN_RTT);
			test_counters(f, process, &ev);
			base.size = ZC_MSG_RAW;
			for (int mode = 0; mode < 3; mode++)
				test_clean(f, process, mode);
			test_corrupt(f, process, ZC_CHAN_TPUT);
			test_time_box(f, process, ZC_CHAN_TPUT);
			base.size = 64;
		}
		test_dead_consumer(f, ZC_CHAN_TPUT);
		test_dead_consumer(f, ZC_CHAN_RTT);
		printf("%s: threads and processes ok\n",
		       zc_chan_family_name(f));
	}
	return zc_check_result();
}
