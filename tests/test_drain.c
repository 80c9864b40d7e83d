/* SPDX-License-Identifier: MIT */
/*
 * Description: drain: a consumer process empties a ring in order, pinned,
 * and reports what it saw after exiting; killed mid-stream, the producer
 * waiting on the full ring notices instead of hanging, and the report says
 * it never finished
 * Labels: unit
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/wait.h>

#include "bench.h"
#include "check.h"
#include "drain.h"

static uint64_t next, bad;

/* In the child: every message must be the next id. */
static int consume(const void *slot)
{
	uint64_t id;

	memcpy(&id, slot, sizeof(id));
	bad += id != next++;
	return 0;
}

static void end(void *arg, void *out)
{
	uint64_t v[2] = {next, bad};
	memcpy(out, v, sizeof(v));
}

/* Produce count messages through the guard; 0 or the claim's -errno. */
static int produce(struct zc_ring *r, uint64_t count)
{
	uint64_t lo;

	for (uint64_t id = 0; id < count; id++) {
		int err = zc_ring_claim(r, 1, &lo);
		if (err)
			return err;
		memcpy(zc_ring_slot(r, lo), &id, sizeof(id));
		zc_ring_publish(r, lo, lo);
	}
	return 0;
}

static int first_cpu(void)
{
	cpu_set_t cs;

	sched_getaffinity(0, sizeof(cs), &cs);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &cs))
			return c;
	return -1;
}

static void one(struct zc_topo *t, const struct zc_evset *set,
		uint64_t kill_after)
{
	struct zc_ring_cfg cfg = {.slot_size = 16,
				  .capacity = 64,
				  .isolation = 128,
				  .node = -1,
				  .mem_flags = ZC_MEM_MEMFD};
	struct zc_drain_cfg dc = {.topo = t,
				  .cpu = first_cpu(),
				  .events = set,
				  .consume = consume,
				  .end = end,
				  .kill_after = kill_after};
	const uint64_t count = 20000;
	struct zc_drain d;
	struct zc_child ch;
	struct zc_ring r;
	char why[300] = "";
	uint64_t v[2];
	int err;

	CHECK(zc_drain_init(&d) == 0);
	CHECK(zc_ring_create(&r, &cfg) == 0);
	CHECK(zc_drain_fork(&d, &ch, &r, &dc, count) == 0);
	zc_drain_guard(&d, &r);
	err = produce(&r, count);
	if (kill_after) {
		/* the ring filled behind the dead consumer */
		CHECKF(err == -EPIPE, "%d", err);
		zc_child_explain(&ch, why, sizeof(why));
		CHECKF(strstr(why, "the consumer process was killed by "
				   "signal 9"),
		       "%s", why);
		CHECK(zc_drain_result(&d, why, sizeof(why)) == -EPIPE);
		CHECKF(strstr(why, "without a report"), "%s", why);
	} else {
		CHECK(err == 0);
		err = zc_child_supervise(&ch, 1, 30, why, sizeof(why));
		CHECKF(err == 0, "%s", why);
		err = zc_drain_result(&d, why, sizeof(why));
		CHECKF(err == 0, "%s", why);
		memcpy(v, d.rep->out, sizeof(v));
		CHECKF(d.rep->got == count && v[0] == count && v[1] == 0,
		       "got %llu, next %llu, bad %llu",
		       (unsigned long long)d.rep->got, (unsigned long long)v[0],
		       (unsigned long long)v[1]);
		CHECK(d.rep->counts.n == set->n && d.rep->t_end > 0);
	}
	zc_child_kill(&ch);
	zc_ring_free(&r);
	zc_drain_release(&d);
}

int main(void)
{
	struct zc_evset set;
	struct zc_topo t;

	if (zc_topo_load(&t, NULL) < 0) {
		fprintf(stderr, "no topology: %s\n", t.err);
		return 77;
	}
	zc_bench_signals_install();
	CHECK(zc_evset_resolve(&set, "task-clock") == 0);
	one(&t, &set, 0);
	one(&t, &set, 100);
	zc_topo_release(&t);
	return zc_check_result();
}
