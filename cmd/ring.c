/* SPDX-License-Identifier: MIT */
/*
 * zcbench ring — the SPSC shared-memory ring between two pinned threads and
 * between two processes, against its peers (a mutex+condvar queue, the
 * Disruptor paper's ArrayBlockingQueue stand-in; a pipe; an AF_UNIX stream
 * socket; Concurrency Kit's ck_ring; boost::lockfree::spsc_queue). Every
 * transport carries the same message stream and is read by the same
 * consumer loop, which verifies each message's sequence and checksum, or
 * for the raw 8-byte message its sequence and the running sum
 * (lib/chan.h).
 *
 * Modes: tput (one way, as fast as the producer can go: msgs/s, GB/s, CPU
 * per message each side), rtt (ping-pong over a pair of channels), lat
 * (open loop at a fixed offered rate; latency from the intended send time,
 * so a stalled consumer cannot hide its queueing: no coordinated omission).
 *
 * Method notes. Each repetition builds its channels afresh, touched before
 * the clock starts; the warm-up repetition also sizes the run so that a
 * repetition lasts about --seconds, and a sized run is time-boxed (5x) so
 * that a machine that takes the CPU away cannot turn it into a timeout.
 * Test hooks: ZC_RING_FAULT=corrupt damages message 100 after the producer
 * filled it; ZC_RING_FAULT=kill-consumer kills the consumer process
 * halfway.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "chanpair.h"

/* ---- options ------------------------------------------------------------ */

/* Filled from zc_chan_transports before parsing. */
static struct zc_word transport_words[16];
static const struct zc_word mode_words[] = {{"tput", ZC_CHAN_TPUT},
					    {"rtt", ZC_CHAN_RTT},
					    {"lat", ZC_CHAN_LAT},
					    {NULL, 0}};

#define CAP_MIN	  64
#define CAP_MAX	  (1 << 20)
#define BATCH_MAX 65536

static struct zc_list opt_transport, opt_size, opt_batch, opt_cap, opt_iso,
	opt_place, opt_mode;
static long long opt_rate, opt_messages;
static double opt_seconds;
static int opt_mem_node, opt_huge;

enum {
	NODE_PRODUCER,
	NODE_CONSUMER,
	NODE_LOCAL
};
static const struct zc_word node_words[] = {{"producer", NODE_PRODUCER},
					    {"consumer", NODE_CONSUMER},
					    {"local", NODE_LOCAL},
					    {NULL, 0}};

static const struct zc_opt ring_opts[] = {
	ZC_OPT_CHOICES(
		"transport", "thread,process,mutex,pipe,unix,ck,boost",
		"thread: the ring between two pinned threads; process: "
		"the ring in shared memory, consumer forked; peers: mutex "
		"(mutex+condvar bounded queue), pipe, unix (AF_UNIX "
		"stream), ck (Concurrency Kit ck_ring SPSC), boost "
		"(boost::lockfree::spsc_queue)",
		&opt_transport, transport_words),
	ZC_OPT_LIST("size", "LIST", "bytes", "8,32,64,256,1024,4096",
		    "message (slot) size: 8 (the raw sequence, checked with a "
		    "running sum and the count) or 32..4096 (fields and a "
		    "checksum)",
		    &opt_size, ZC_MSG_RAW, ZC_RING_SLOT_MAX, 8, NULL,
		    .quick = "8,32,4096"),
	ZC_OPT_LIST("batch", "LIST", "messages", "1,8,64,256",
		    "messages per claim/publish (ring), per write/read "
		    "(pipe, unix), per lock (mutex)",
		    &opt_batch, 1, BATCH_MAX, 0, NULL, .quick = "1,64"),
	ZC_OPT_LIST("capacity", "LIST", "slots", "4096",
		    "ring/queue capacity, a power of two (pipe: buffer "
		    "capacity x size bytes)",
		    &opt_cap, CAP_MIN, CAP_MAX, 0, NULL),
	ZC_OPT_LIST("isolation", "LIST", "bytes", "128",
		    "bytes between the ring's header, producer index and "
		    "consumer index: 64 or 128",
		    &opt_iso, 64, 128, 64, NULL),
	ZC_OPT_CHOICES("place", "l3",
		       "placement classes of the producer/consumer pair "
		       "(cpus: the first two of --cpus)",
		       &opt_place, zc_pair_place_words),
	ZC_OPT_CHOICES("mode", "tput,rtt,lat",
		       "tput: one-way throughput; rtt: ping-pong round trip; "
		       "lat: open-loop one-way latency at --rate (rtt and lat "
		       "with --quick: the first size only)",
		       &opt_mode, mode_words),
	ZC_OPT_INT("rate", "N", "msgs/s", "100000",
		   "offered rate of the lat mode", &opt_rate, 1000, 10000000),
	ZC_OPT_INT("messages", "N", "messages", "0",
		   "messages (tput, lat) or round trips (rtt) per repetition; "
		   "0: sized by the warm-up to last --seconds",
		   &opt_messages, 0, 10000000000LL),
	ZC_OPT_CHOICE("memory-node", "producer",
		      "NUMA node for ring/queue memory: the producer's CPU's "
		      "node, the consumer's, or local (first touch); the "
		      "binding is verified and recorded in the case label",
		      &opt_mem_node, node_words),
	ZC_OPT_FLAG("huge",
		    "ring/queue memory on huge pages (hugetlb, else "
		    "THP; recorded in the label)",
		    &opt_huge),
	ZC_OPT_DOUBLE("seconds", "S", "s", "0.04",
		      "target time per repetition when --messages is 0 (lat: "
		      "at least 5000 messages)",
		      &opt_seconds, 0.001, 60, .quick = "0.04"),
	ZC_OPT_END};

static const char *const ring_keys[] = {
	"transport", "size", "batch", "capacity", "isolation", "place", "mode"};
#define NKEYS 7

enum {
	M_MMSGS,
	M_GBPS,
	M_NS_PER_MSG,
	M_PROD_CPU,
	M_CONS_CPU,
	M_RTT,
	M_P50,
	M_P99,
	M_P999,
	M_MAX,
	M_CPU_UTIL,
	M_VS_MUTEX,
	M_VS_PIPE,
	M_COUNT
};
static const struct zc_metric ring_metrics[M_COUNT] = {
	[M_MMSGS] = {"mmsgs_per_s", "Mmsg/s", ZC_BETTER_HIGHER,
		     "messages per second, end to end (tput)", ZC_M_SHOW,
		     ZC_GB_ITEMS_PER_SECOND, 1e6},
	[M_GBPS] = {"gbps", "GB/s", ZC_BETTER_HIGHER,
		    "message bytes per second, end to end (tput)", ZC_M_SHOW,
		    ZC_GB_BYTES_PER_SECOND, 1e9},
	[M_NS_PER_MSG] = {"ns_per_msg", "ns", ZC_BETTER_LOWER,
			  "wall time per message (tput) or per round trip "
			  "(rtt)",
			  0, ZC_GB_REAL_TIME, 1},
	[M_PROD_CPU] = {"prod_cpu_ns_per_msg", "ns", ZC_BETTER_LOWER,
			"producer CPU time per message (rtt: ping side per "
			"round trip)",
			ZC_M_SHOW, ZC_GB_CPU_TIME, 1},
	[M_CONS_CPU] = {"cons_cpu_ns_per_msg", "ns", ZC_BETTER_LOWER,
			"consumer CPU time per message, spinning while empty "
			"included (rtt: pong side per round trip)",
			ZC_M_SHOW, ZC_GB_NONE, 1},
	[M_RTT] = {"rtt_ns", "ns", ZC_BETTER_LOWER,
		   "ping-pong round trip (rtt)", ZC_M_SHOW, ZC_GB_NONE, 1},
	[M_P50] = {"lat_p50_ns", "ns", ZC_BETTER_LOWER,
		   "one-way latency median at the offered rate (lat)",
		   ZC_M_SHOW, ZC_GB_NONE, 1},
	[M_P99] = {"lat_p99_ns", "ns", ZC_BETTER_LOWER,
		   "one-way latency 99th percentile (lat)", ZC_M_SHOW,
		   ZC_GB_NONE, 1},
	[M_P999] = {"lat_p999_ns", "ns", ZC_BETTER_LOWER,
		    "one-way latency 99.9th percentile (lat)", 0, ZC_GB_NONE,
		    1},
	[M_MAX] = {"lat_max_ns", "ns", ZC_BETTER_LOWER,
		   "one-way latency maximum (lat)", 0, ZC_GB_NONE, 1},
	[M_CPU_UTIL] = {"cpu_util", "fraction", ZC_BETTER_NONE,
			"CPU time over wall time, mean of both sides: below 1 "
			"a side slept (peers that block) or was preempted "
			"(spinning transports: the label says so)",
			0, ZC_GB_NONE, 1},
	[M_VS_MUTEX] = {"speedup_vs_mutex", "x", ZC_BETTER_HIGHER,
			"throughput over the mutex+condvar queue's with the "
			"same size, batch, capacity and placement (tput)",
			ZC_M_SHOW | ZC_M_PORTABLE, ZC_GB_NONE, 1},
	[M_VS_PIPE] = {"speedup_vs_pipe", "x", ZC_BETTER_HIGHER,
		       "throughput over the pipe's with the same size, batch, "
		       "capacity and placement (tput)",
		       ZC_M_PORTABLE, ZC_GB_NONE, 1},
};

/* ---- one repetition ------------------------------------------------------ */

struct rcase {
	const struct zc_chan_transport *t;
	int mode;
	struct zc_chan_cfg cfg;
	uint64_t count; /* per repetition, from --messages or the warm-up */
};

/* Messages (round trips) actually sent: all, or what the time box let. */
static double sent(const struct zc_chanpair *p)
{
	uint64_t n = zc_chanpair_sent(p);
	return n ? (double)n : 1;
}

static void record(struct zc_bench *b, int i, int rep,
		   const struct zc_chanpair *p)
{
	const struct rcase *rc = zc_bench_priv(b, i);
	const struct zc_results *r = &b->res;
	const struct zc_chan_shared *sh = p->sh;
	struct zc_case *c = zc_bench_case(b, i);
	double n = sent(p), el = (double)(sh->cons.t1 - sh->prod.t0), util;

	c->iterations[rep] = n;
	zc_case_set(r, c, rep, M_PROD_CPU, (double)sh->prod.cpu_ns / n);
	zc_case_set(r, c, rep, M_CONS_CPU, (double)sh->cons.cpu_ns / n);
	switch (rc->mode) {
	case ZC_CHAN_TPUT:
		zc_case_set(r, c, rep, M_MMSGS, n / el * 1e3);
		zc_case_set(r, c, rep, M_GBPS, n * rc->cfg.size / el);
		zc_case_set(r, c, rep, M_NS_PER_MSG, el / n);
		break;
	case ZC_CHAN_RTT:
		el = (double)(sh->prod.t1 - sh->prod.t0);
		zc_case_set(r, c, rep, M_RTT, el / n);
		zc_case_set(r, c, rep, M_NS_PER_MSG, el / n);
		break;
	default:
		zc_case_set(r, c, rep, M_P50,
			    (double)zc_hist_quantile(&sh->hist, 0.5));
		zc_case_set(r, c, rep, M_P99,
			    (double)zc_hist_quantile(&sh->hist, 0.99));
		zc_case_set(r, c, rep, M_P999,
			    (double)zc_hist_quantile(&sh->hist, 0.999));
		zc_case_set(r, c, rep, M_MAX, (double)sh->hist.max);
		break;
	}
	util = ((double)sh->prod.cpu_ns / (double)(sh->prod.t1 - sh->prod.t0) +
		(double)sh->cons.cpu_ns / (double)(sh->cons.t1 - sh->cons.t0)) /
	       2;
	zc_case_set(r, c, rep, M_CPU_UTIL, util);
	/* Both sides of the lock-free transports spin: less than 90 % on CPU
	 * means this machine took the CPU away (oversubscribed, a VM). */
	if (util < 0.9 && rc->t->spins && !strstr(c->label, "preempted")) {
		size_t l = strlen(c->label);
		snprintf(c->label + l, sizeof(c->label) - l,
			 "; preempted: ran %.0f%% of the time", 100 * util);
	}
	if (!c->cpus[0])
		snprintf(c->cpus, sizeof(c->cpus), "%d,%d", sh->prod.cpu_start,
			 sh->cons.cpu_start);
}

/* Messages for the warm-up, which then sizes the measured repetitions. */
static uint64_t warm_count(const struct rcase *rc)
{
	if (rc->mode == ZC_CHAN_LAT)
		return 1000;
	if (rc->mode == ZC_CHAN_RTT)
		return 2000;
	return 20000 > 4 * (uint64_t)rc->cfg.batch ? 20000 : 4 * rc->cfg.batch;
}

#define LAT_MIN_MSGS 5000.0

static void size_run(struct zc_bench *b, struct rcase *rc,
		     const struct zc_chanpair *p)
{
	const struct zc_chan_shared *sh = p->sh;
	double el = (double)(sh->prod.t1 - sh->prod.t0);
	double target = b->seconds * 1e9, n;

	if (rc->mode == ZC_CHAN_LAT) {
		/* At least LAT_MIN_MSGS: a repetition's p99.9 rests on five
		 * messages or more, however short --seconds is. */
		n = fmax(b->seconds * (double)opt_rate, LAT_MIN_MSGS);
	} else {
		if (rc->mode == ZC_CHAN_TPUT)
			el = (double)(sh->cons.t1 - sh->prod.t0);
		n = sent(p) * target / (el > 1 ? el : 1);
	}
	/* At least 1000 messages; whole batches. */
	n = n < 1000 ? 1000 : n > 1e10 ? 1e10 : n;
	rc->count = (uint64_t)n;
	if (rc->mode == ZC_CHAN_TPUT)
		rc->count = (rc->count + rc->cfg.batch - 1) / rc->cfg.batch *
			    rc->cfg.batch;
}

static int ring_one(struct zc_bench *b, int i, int rep)
{
	struct rcase *rc = zc_bench_priv(b, i);
	struct zc_case *c = zc_bench_case(b, i);
	struct zc_ctx *ctx = b->ctx;
	const char *fault = getenv("ZC_RING_FAULT");
	struct zc_chanpair *p = aligned_alloc(128, sizeof(*p));
	struct zc_plan plan;
	char why[ZC_WHY_LEN];
	int err;
	struct zc_chanpair_run run = {
		.count = rep < 0 && !rc->count ? warm_count(rc) : rc->count,
		.rate = (uint64_t)opt_rate,
		/* --messages is a count the user asked for; sized runs are
		 * boxed */
		.budget_ns = opt_messages
				     ? 0
				     : (uint64_t)((5 * b->seconds + 0.5) * 1e9),
		.topo = &ctx->topo,
		.plan = &plan,
		.events = ctx->events.n ? &ctx->events : NULL,
		.timeout_s = ctx->timeout_s,
		.corrupt = fault && !strcmp(fault, "corrupt"),
		.corrupt_seq = 100,
		.kill_consumer = fault && !strcmp(fault, "kill-consumer")};

	zc_bench_plan(b, i, &plan);
	if (!p) {
		zc_case_fail(&b->res, c, "out of memory");
		return -ENOMEM;
	}
	err = zc_chanpair_open(p, rc->t->family, &rc->cfg, rc->mode);
	if (err) {
		zc_case_fail(&b->res, c, "cannot set up %s: %s", rc->t->name,
			     zc_ring_strerror(err));
		free(p);
		return err;
	}
	if (!c->label[0]) {
		const struct zc_mem *m = zc_chan_mem(&p->ch[0]);
		if (m)
			snprintf(c->label, sizeof(c->label), "mem %s, %s",
				 m->binding, m->pages);
		else
			snprintf(c->label, sizeof(c->label), "kernel buffers");
	}
	err = zc_chanpair_run(p, &run, why, sizeof(why));
	if (err == -ETIMEDOUT) {
		zc_case_fail(&b->res, c, "%s", why);
		return err; /* its threads still use *p: never freed */
	}
	if (err == -EINTR) {
		/* interrupted: keep what was measured, record nothing */
	} else if (err) {
		zc_case_fail(&b->res, c, "%s", why);
	} else {
		if (rep < 0 && !opt_messages)
			size_run(b, rc, p);
		else if (rep >= 0)
			record(b, i, rep, p);
		zc_bench_count(b, i, rep, 0, &p->sh->prod.counts, sent(p));
		zc_bench_count(b, i, rep, 1, &p->sh->cons.counts, sent(p));
	}
	zc_chanpair_close(p);
	free(p);
	return err;
}

/* ---- the sweep ------------------------------------------------------------ */

/* The axes of the sweep inside a placement, outermost first. */
enum {
	AX_MODE,
	AX_TRANSPORT,
	AX_SIZE,
	AX_BATCH,
	AX_CAP,
	AX_ISO,
	AX_COUNT
};

static int add_case(struct zc_bench *b, const struct zc_plan *plan, int perr,
		    const int *ix)
{
	struct zc_ctx *ctx = b->ctx;
	const struct zc_chan_transport *t =
		&zc_chan_transports[opt_transport.v[ix[AX_TRANSPORT]]];
	struct rcase rc = {.t = t,
			   .mode = (int)opt_mode.v[ix[AX_MODE]],
			   .cfg = {.size = (uint32_t)opt_size.v[ix[AX_SIZE]],
				   .batch = (uint32_t)opt_batch.v[ix[AX_BATCH]],
				   .cap = (uint64_t)opt_cap.v[ix[AX_CAP]],
				   .iso = (uint32_t)opt_iso.v[ix[AX_ISO]],
				   .mem_flags = opt_huge ? ZC_MEM_HUGE : 0,
				   .process = t->process},
			   .count = (uint64_t)opt_messages};
	char v[NKEYS][24], why[160];
	const char *vals[NKEYS];
	struct zc_case *c;
	int i;

	/* rtt and lat are per message; --quick measures them at the first
	 * size. The batches then name one case (-EEXIST for the others). */
	if (rc.mode != ZC_CHAN_TPUT) {
		rc.cfg.batch = 1;
		if (ctx->quick && ix[AX_SIZE] > 0)
			return 0;
	}
	snprintf(v[0], 24, "%s", t->name);
	snprintf(v[1], 24, "%u", rc.cfg.size);
	snprintf(v[2], 24, "%u", rc.cfg.batch);
	snprintf(v[3], 24, t->uses & ZC_CHAN_USES_CAP ? "%llu" : "-",
		 (unsigned long long)rc.cfg.cap);
	snprintf(v[4], 24, t->uses & ZC_CHAN_USES_ISO ? "%u" : "-", rc.cfg.iso);
	snprintf(v[5], 24, "%s", zc_place_name(plan->place));
	snprintf(v[6], 24, "%s", mode_words[rc.mode].name);
	for (int k = 0; k < NKEYS; k++)
		vals[k] = v[k];
	i = zc_bench_add(b, vals, plan, perr, 0);
	if (i == -EEXIST)
		return 0; /* a parameter the transport ignores */
	if (i < 0)
		return i;
	rc.cfg.node =
		opt_mem_node == NODE_LOCAL || perr
			? -1
			: zc_topo_cpu_node(
				  &ctx->topo,
				  plan->cpu[opt_mem_node == NODE_CONSUMER]);
	*(struct rcase *)zc_bench_priv(b, i) = rc;
	c = zc_bench_case(b, i);
	c->threads = 2;
	if (!perr && !zc_chan_available(t->family, why, sizeof(why)))
		zc_case_skip(c, "%s", why);
	for (int m = 0; m < M_COUNT; m++) {
		static const int mode_of[M_COUNT] = {
			[M_MMSGS] = ZC_CHAN_TPUT, [M_GBPS] = ZC_CHAN_TPUT,
			[M_NS_PER_MSG] = -1,	  [M_PROD_CPU] = -1,
			[M_CONS_CPU] = -1,	  [M_RTT] = ZC_CHAN_RTT,
			[M_P50] = ZC_CHAN_LAT,	  [M_P99] = ZC_CHAN_LAT,
			[M_P999] = ZC_CHAN_LAT,	  [M_MAX] = ZC_CHAN_LAT};
		if (mode_of[m] >= 0 && mode_of[m] != rc.mode) {
			snprintf(why, sizeof(why), "measured in mode %s",
				 mode_words[mode_of[m]].name);
			zc_case_absent(&b->res, c, m, why);
		} else if (m == M_NS_PER_MSG && rc.mode == ZC_CHAN_LAT) {
			zc_case_absent(&b->res, c, m,
				       "lat runs at a fixed offered rate");
		}
	}
	return 0;
}

static int ring_sweep(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	const int dim[AX_COUNT] = {
		[AX_MODE] = opt_mode.n, [AX_TRANSPORT] = opt_transport.n,
		[AX_SIZE] = opt_size.n, [AX_BATCH] = opt_batch.n,
		[AX_CAP] = opt_cap.n,	[AX_ISO] = opt_iso.n};
	/* --cpus without --place: the pair is the first two of --cpus, as in
	 * the other commands, not a CPU pair of the default class */
	int only_cpus = ctx->ncpus && !opt_place.given;
	long long total = 1;

	for (int d = 0; d < AX_COUNT; d++)
		total *= dim[d];
	for (int pl = 0; pl < (only_cpus ? 1 : opt_place.n); pl++) {
		struct zc_plan plan;
		int place = only_cpus ? ZC_PLACE_CPUS : (int)opt_place.v[pl];
		int perr = zc_topo_plan(&ctx->topo, place, 2, ctx->cpus,
					ctx->ncpus, &plan);
		plan.place = place;
		for (long long k = 0; k < total; k++) {
			int ix[AX_COUNT], err;
			long long r = k;
			for (int d = AX_COUNT - 1; d >= 0; d--) {
				ix[d] = (int)(r % dim[d]);
				r /= dim[d];
			}
			err = add_case(b, &plan, perr, ix);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Where the messages' memory lives, when not where the driver says. */
static void ring_plan_note(struct zc_bench *b, int i, char *buf, size_t len)
{
	const struct rcase *rc = zc_bench_priv(b, i);

	if (rc->t->kernel)
		snprintf(buf, len, "kernel buffers");
	else if (rc->cfg.node < 0)
		snprintf(buf, len, "memory: first touch");
	else if (rc->cfg.node != b->bc[i].node)
		snprintf(buf, len, "memory node %d", rc->cfg.node);
}

/* ---- plots and headlines --------------------------------------------------- */

static int ring_plots(struct zc_bench *b, struct zc_plot *pl, int max)
{
	struct zc_plot *p = &pl[0];
	int np = 0;

	zc_plot_init(p, "ring", "size", "mmsgs_per_s", 1, 1);
	snprintf(p->title, sizeof(p->title),
		 "SPSC transports: one-way throughput vs message size "
		 "(higher is better)");
	snprintf(p->subtitle, sizeof(p->subtitle),
		 "every message's sequence and checksum verified; batch = "
		 "messages per publish, write or lock");
	snprintf(p->xlabel, sizeof(p->xlabel), "message size [bytes]");
	snprintf(p->ylabel, sizeof(p->ylabel),
		 "million messages/s (median, bars min..max)");
	for (int i = 0; i < b->res.ncases; i++) {
		const struct rcase *a = zc_bench_priv(b, i);
		const char *bv =
			zc_case_param(&b->res, zc_bench_case(b, i), "batch");
		char title[96];

		if (a->mode != ZC_CHAN_TPUT ||
		    zc_bench_find(b, "mode", "tput", "transport", a->t->name,
				  "batch", bv, NULL) != i)
			continue;
		snprintf(title, sizeof(title), "%s, batch %s", a->t->name, bv);
		zc_plot_add_series(p, title, "mode", "tput", "transport",
				   a->t->name, "batch", bv, NULL);
	}
	if (p->nseries)
		np++;

	/* Latency: p99 at the offered rate, by transport, one series per
	 * size. */
	p = &pl[np];
	zc_plot_init(p, "ring-latency", "transport", "lat_p99_ns", 0, 1);
	snprintf(p->csv, sizeof(p->csv), "ring.csv");
	snprintf(p->title, sizeof(p->title),
		 "SPSC transports: one-way latency p99 at %lld msgs/s offered "
		 "(lower is better)",
		 opt_rate);
	snprintf(p->subtitle, sizeof(p->subtitle),
		 "open loop, measured from the intended send time (no "
		 "coordinated omission); bars min..max over repetitions");
	snprintf(p->xlabel, sizeof(p->xlabel), "transport");
	snprintf(p->ylabel, sizeof(p->ylabel), "ns (log scale)");
	p->points_only = 1;
	for (const struct zc_chan_transport *t = zc_chan_transports;
	     t->name && p->ncats < ZC_PLOT_MAX_CATS; t++)
		snprintf(p->cats[p->ncats++], sizeof(p->cats[0]), "%s",
			 t->name);
	for (int i = 0; i < b->res.ncases; i++) {
		const char *sv =
			zc_case_param(&b->res, zc_bench_case(b, i), "size");
		char title[64];

		if (zc_bench_find(b, "mode", "lat", "size", sv, NULL) != i)
			continue;
		snprintf(title, sizeof(title), "p99, %s B", sv);
		zc_plot_add_series(p, title, "mode", "lat", "size", sv, NULL);
	}
	if (p->nseries)
		np++;
	return np < max ? np : max;
}

/* Median of metric m of the first OK case of this transport, mode, size
 * and batch (NULL: any); NaN when there is none. */
static double median_of(struct zc_bench *b, const char *t, const char *mode,
			const char *size, const char *batch, int m)
{
	int i = batch ? zc_bench_find(b, "transport", t, "mode", mode, "size",
				      size, "batch", batch, NULL)
		      : zc_bench_find(b, "transport", t, "mode", mode, "size",
				      size, NULL);
	return zc_bench_median(b, i, m);
}

/* The best tput median at this size over batches >= 64: of transport t,
 * or (t NULL) of any peer, named in *who. NaN when there is none. */
static double best_tput(struct zc_bench *b, const char *t, uint32_t size,
			const char **who)
{
	double best = NAN;

	for (int i = 0; i < b->res.ncases; i++) {
		const struct rcase *r = zc_bench_priv(b, i);
		double m = zc_bench_median(b, i, M_MMSGS);
		if (r->mode != ZC_CHAN_TPUT || r->cfg.size != size ||
		    r->cfg.batch < 64 || isnan(m) || !(m > best || isnan(best)))
			continue;
		if (t ? strcmp(r->t->name, t) : r->t->family == ZC_CHAN_RING)
			continue;
		best = m;
		if (who)
			*who = r->t->name;
	}
	return best;
}

/* The questions, answered from this run's medians, per size. */
static void ring_headlines(struct zc_bench *b, FILE *f)
{
	char buf[4096], sv[16];
	const char *who = "", *s0;
	size_t n = 0;
	double x, y;

	if (!b->res.ncases)
		return;
#define ADD(...)                                                               \
	n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0,  \
			      __VA_ARGS__)
	for (int k = 0; k < opt_size.n; k++) {
		uint32_t size = (uint32_t)opt_size.v[k];
		snprintf(sv, sizeof(sv), "%u", size);
		x = best_tput(b, "thread", size, NULL);
		y = best_tput(b, NULL, size, &who);
		if (!isnan(x))
			ADD("  %4u B ring, batch >= 64 (best): %7.2f Mmsg/s",
			    size, x);
		if (!isnan(x) && !isnan(y))
			ADD(", %.2fx the best peer (%s %.2f)", x / y, who, y);
		if (!isnan(x))
			ADD("\n");
		x = median_of(b, "thread", "tput", sv, "1", M_MMSGS);
		y = median_of(b, "ck", "tput", sv, "1", M_MMSGS);
		if (!isnan(x) && !isnan(y))
			ADD("  %4u B ring vs ck_ring, batch 1: %7.2f vs %7.2f "
			    "Mmsg/s (%.2fx)\n",
			    size, x, y, x / y);
		for (int j = 0; j < opt_batch.n; j++) {
			char bv[16];
			snprintf(bv, sizeof(bv), "%lld", opt_batch.v[j]);
			x = median_of(b, "thread", "tput", sv, bv, M_MMSGS);
			y = median_of(b, "process", "tput", sv, bv, M_MMSGS);
			if (!isnan(x) && !isnan(y))
				ADD("  %4u B process vs thread, batch %-4s "
				    "%7.2f "
				    "vs %7.2f Mmsg/s (%+.1f %%)\n",
				    size, bv, y, x, (y / x - 1) * 100);
		}
	}
	s0 = zc_case_param(&b->res, zc_bench_case(b, 0), "size");
	for (const struct zc_chan_transport *t = zc_chan_transports; t->name;
	     t++) {
		x = median_of(b, t->name, "rtt", s0, NULL, M_RTT);
		if (!isnan(x))
			ADD("  round trip %-8s %4s B          %9.0f ns\n",
			    t->name, s0, x);
	}
#undef ADD
	if (n)
		fprintf(f, "\nheadlines (medians of this run):\n%s", buf);
}

/* ---- validation and the command -------------------------------------------
 */

static int ring_check(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	long long bmax = 0, smax = 0;
	char why[256];

	for (int k = 0; k < opt_batch.n; k++)
		bmax = opt_batch.v[k] > bmax ? opt_batch.v[k] : bmax;
	for (int k = 0; k < opt_size.n; k++)
		smax = opt_size.v[k] > smax ? opt_size.v[k] : smax;
	/* rtt uses two channels; ck a pool of twice the slots */
	for (int c = 0; c < opt_cap.n; c++)
		for (int i = 0; i < opt_iso.n; i++)
			if (zc_ring_geometry_check(
				    (uint64_t)opt_cap.v[c], CAP_MIN, CAP_MAX,
				    (uint64_t)opt_iso.v[i], (uint64_t)bmax,
				    (uint64_t)smax, 4, why, sizeof(why)))
				return zc_usage(ctx, "%s", why);
	for (int k = 0; k < opt_size.n; k++)
		if (!zc_msg_size_ok((uint32_t)opt_size.v[k]))
			return zc_usage(ctx,
					"--size: %lld: expected 8 (the raw "
					"sequence) or 32..%u, a multiple of 8",
					opt_size.v[k], ZC_RING_SLOT_MAX);
	if (ctx->ncpus == 1)
		return zc_usage(ctx,
				"--cpus: give two CPUs (producer,consumer), "
				"not one");
	for (int p = 0; p < opt_place.n; p++)
		if (opt_place.v[p] == ZC_PLACE_CPUS && ctx->ncpus < 2 &&
		    opt_place.n == 1)
			return zc_usage(ctx,
					"--place cpus needs --cpus with two "
					"CPUs (producer, consumer)");
	return 0;
}

static void ring_init(void)
{
	int n = 0;

	for (const struct zc_chan_transport *t = zc_chan_transports;
	     t->name && n < 15; t++, n++)
		transport_words[n] = (struct zc_word){t->name, n};
	transport_words[n] = (struct zc_word){NULL, 0};
}

static const struct zc_side ring_sides[] = {{"prod", "producer (rtt: ping)"},
					    {"cons", "consumer (rtt: pong)"}};

/* The peers have no isolation: compare with theirs. */
static const char *const ring_ratio_ignore[] = {"isolation", NULL};
static const struct zc_ratio_def ring_ratios[] = {
	{"speedup_vs_mutex", "mmsgs_per_s", "transport", "mutex",
	 ring_ratio_ignore},
	{"speedup_vs_pipe", "mmsgs_per_s", "transport", "pipe",
	 ring_ratio_ignore},
	{NULL}};

static const struct zc_bench_def ring_bench = {
	.opts = ring_opts,
	.keys = ring_keys,
	.nkeys = NKEYS,
	.metrics = ring_metrics,
	.nmetrics = M_COUNT,
	.item = "msg",
	.sides = ring_sides,
	.repeat = 25,
	.nsides = 2,
	.events_note = "per message (rtt: per round trip), each side on its "
		       "own: prod the producer (ping), cons the consumer "
		       "(pong), which counts inside the forked process for "
		       "the process transport",
	.case_size = sizeof(struct rcase),
	.init = ring_init,
	.check = ring_check,
	.sweep = ring_sweep,
	.plan_note = ring_plan_note,
	.one = ring_one,
	.ratios = ring_ratios,
	.plots = ring_plots,
	.headlines = ring_headlines,
};

static const struct zc_headline ring_headline[] = {
	{"speedup_vs_mutex", "transport", "thread",
	 "SPSC ring between threads vs a mutex+condvar queue (throughput)"},
	{"speedup_vs_pipe", "transport", "process",
	 "SPSC ring between processes vs a pipe (throughput)"},
	{NULL}};

const struct zc_command zc_cmd_ring = {
	.name = "ring",
	.summary = "SPSC shared-memory ring vs mutex queue, pipe, unix socket, "
		   "ck_ring, boost::lockfree",
	.what = "the SPSC shared-memory ring (Disruptor-style) between threads "
		"and processes against a mutex+condvar queue, a pipe, an "
		"AF_UNIX socket, ck_ring and boost::lockfree::spsc_queue: "
		"throughput, CPU per message, round trip, open-loop latency; "
		"every message verified",
	.why = "what a preallocated, cache-line-isolated ring saves over the "
	       "usual queues, and how placement changes it",
	.flags = ZC_CMD_RESULTS,
	.headlines = ring_headline,
	.bench = &ring_bench,
};
