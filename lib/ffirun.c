/* SPDX-License-Identifier: MIT */
/*
 * ffirun — one repetition of a zcbench ffi path (ffirun.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "ffirun.h"

#define STOP_CHECK 4095 /* messages between looks at the stop flag */

/* This thread as the host: its loop (lib/host.h zc_host_self). */
struct feed {
	const struct zc_ffi_run *run;
	struct zc_ring *r;
};

static int feed_loop(void *arg)
{
	const struct feed *f = arg;
	const struct zc_ffi_run *run = f->run;
	unsigned char *const *pool = run->pool;
	struct zc_ring *r = f->r;
	uint64_t id = 0, lo, count = run->count, bad = (uint64_t)run->corrupt;
	uint32_t size = run->size;
	int err;

	while (id < count) {
		uint32_t n = count - id < run->batch ? (uint32_t)(count - id)
						     : run->batch;
		err = zc_ring_claim(r, n, &lo);
		if (err)
			return err;
		/* every message's id is stored last: each publishes itself
		 * (slot mode), head follows for the batch */
		for (uint64_t q = lo; q < lo + n; q++)
			if (__builtin_expect(q != bad, 1))
				zc_ffi_fill(zc_ring_slot(r, q), size, q, pool);
			else
				zc_ffi_fill_bad(zc_ring_slot(r, q), size, q,
						pool);
		zc_ring_publish(r, lo, lo + n - 1);
		id += n;
		if ((id & ~(uint64_t)STOP_CHECK) !=
			    ((id - n) & ~(uint64_t)STOP_CHECK) &&
		    zc_stopped())
			return -EINTR;
	}
	return 0;
}

/* This thread writes the messages, then waits for the consumer to end. */
static int produce_self(struct zc_drain *d, const struct zc_ffi_run *run,
			struct zc_ffi_ring *fr, struct zc_ffi_result *res,
			char *why, size_t len)
{
	struct feed f = {run, &fr->r};
	int err;

	zc_drain_guard(d, &fr->r);
	err = zc_host_self(&res->host, run->topo, run->host_cpu, run->events,
			   feed_loop, &f, why, len);
	if (err == -EPIPE) {
		size_t k;
		zc_child_explain(&fr->ch[1], why, len);
		k = strlen(why);
		snprintf(why + k, len - k,
			 "; the producer noticed with %llu of %llu messages "
			 "sent",
			 (unsigned long long)fr->r.prod_next,
			 (unsigned long long)run->count);
	} else if (err == -EINTR) {
		snprintf(why, len, "interrupted");
	}
	return err ? err
		   : zc_child_supervise(&fr->ch[1], 1, run->timeout_s, why,
					len);
}

/* A program (the host or the consumer) as the run describes it. */
static int spawn_of(const struct zc_ffi_run *run, int who,
		    const struct zc_ffi_ring *fr, struct zc_argv *a,
		    int keep[2], struct zc_spawn *sp, char *why, size_t len)
{
	const struct zc_host_prog *p =
		who == ZC_FFI_WHO_HOST ? run->host : run->consumer;
	int err = run->argv(run->arg, who, fr, a);

	keep[0] = !fr || fr->named ? -1 : fr->r.mem.fd;
	keep[1] = -1;
	*sp = (struct zc_spawn){.what = p->what,
				.path = a->v[0],
				.argv = a->v,
				.cpu = who == ZC_FFI_WHO_HOST ? run->host_cpu
							      : run->cons_cpu,
				.keep_fd = -1,
				.keep = keep,
				.capture = ZC_CHILD_OUT | ZC_CHILD_ERR};
	if (err)
		snprintf(why, len, "%s: cannot build its arguments: %s",
			 p->what, strerror(-err));
	return err;
}

/* A host program, beside the ring's consumer (fr) or alone (NULL). */
static int produce_prog(struct zc_drain *d, const struct zc_ffi_run *run,
			struct zc_ffi_ring *fr, struct zc_ffi_result *res,
			char *why, size_t len)
{
	struct zc_child alone;
	struct zc_argv a;
	struct zc_spawn sp;
	int keep[2];
	int err = spawn_of(run, ZC_FFI_WHO_HOST, fr, &a, keep, &sp, why, len);

	if (!err)
		err = zc_host_run(&res->host, &sp, fr ? fr->ch : &alone,
				  fr ? 1 : 0, run->events, run->timeout_s, why,
				  len);
	if (!err && res->host.count != run->count) {
		snprintf(why, len, "%s sent %llu messages of %llu", sp.what,
			 (unsigned long long)res->host.count,
			 (unsigned long long)run->count);
		err = -EPROTO;
	} else if (!err && !fr) { /* a call path: the sink was its own */
		err = zc_ffi_report_verdict(&res->host, &res->v, run->count,
					    why, len);
	}
	res->e2e_end = res->host.t_end;
	zc_host_release(&res->host);
	return err;
}

/* A call per message from this thread (lib/host.h zc_host_self). */
static int call_loop(void *arg)
{
	_Alignas(64) unsigned char buf[ZC_FFI_SIZE_MAX];
	const struct zc_ffi_run *run = arg;
	zc_ffi_consume_fn consume = run->sink->consume;

	for (uint64_t id = 0; id < run->count; id++) {
		run->fill(buf, run->size, id, run->pool);
		consume(buf);
		if ((id & STOP_CHECK) == STOP_CHECK && zc_stopped())
			return -EINTR;
	}
	return 0;
}

static int call_self(const struct zc_ffi_run *run, struct zc_ffi_result *res,
		     char *why, size_t len)
{
	int err;

	run->sink->begin(run->size);
	err = zc_host_self(&res->host, run->topo, run->host_cpu, run->events,
			   call_loop, (void *)run, why, len);
	res->e2e_end = res->host.t_end;
	if (err)
		return err;
	run->sink->end(&res->v);
	return zc_ffi_verdict_check(&res->v, run->count, why, len);
}

static void sink_end(void *arg, void *out)
{
	const struct zc_ffi_sink *sink = arg;
	sink->end(out);
}
static_assert(sizeof(struct zc_ffi_verdict) <= ZC_DRAIN_OUT, "verdict fits");

/* The consumer: this process forked, calling the C sink, or a program. */
static int start_consumer(struct zc_drain *d, const struct zc_ffi_run *run,
			  struct zc_ffi_ring *fr, char *why, size_t len)
{
	struct zc_drain_cfg dc = {.topo = run->topo,
				  .cpu = run->cons_cpu,
				  .events = run->events,
				  .consume = run->sink->consume,
				  .end = sink_end,
				  .arg = (void *)run->sink,
				  .kill_after = run->kill_after};
	struct zc_argv a;
	struct zc_spawn sp;
	int keep[2], err;

	if (run->consumer) {
		err = spawn_of(run, ZC_FFI_WHO_CONSUMER, fr, &a, keep, &sp, why,
			       len);
		return err ? err
			   : zc_drain_spawn(d, &fr->ch[1], &sp, run->events,
					    why, len);
	}
	/* The consumer's sink state is this process's, copied by fork. */
	run->sink->begin(run->size);
	err = zc_drain_fork(d, &fr->ch[1], &fr->r, &dc, run->count);
	if (err < 0)
		snprintf(why, len, "cannot fork the consumer: %s",
			 strerror(-err));
	return err;
}

int zc_ffi_report_verdict(const struct zc_host *h, struct zc_ffi_verdict *v,
			  uint64_t count, char *why, size_t len)
{
	*v = (struct zc_ffi_verdict){
		.received = zc_host_u64(h, "verdict", "received"),
		.bad = zc_host_u64(h, "verdict", "bad"),
		.first_bad = zc_host_u64(h, "verdict", "first_bad"),
		.first_err = (int32_t)zc_host_u64(h, "verdict", "first_err")};
	return zc_ffi_verdict_check(v, count, why, len);
}

int zc_ffi_run(struct zc_drain *d, const struct zc_ffi_run *run,
	       struct zc_ffi_result *res, char *why, size_t len)
{
	static unsigned seq; /* names of named segments */
	const struct zc_drain_report *rep = d->rep;
	struct zc_ring_cfg cfg = {.slot_size = run->size,
				  .capacity = run->capacity,
				  .isolation = run->isolation,
				  .node = -1,
				  .mem_flags = run->named ? ZC_MEM_NAMED
							  : ZC_MEM_MEMFD,
				  .flags = run->host ? 0 : ZC_RING_F_SLOT_SEQ};
	struct zc_ffi_ring fr = {.named = run->named};
	cpu_set_t cpus; /* this thread's, pinned while it produces */
	int err, cerr;

	memset(res, 0, sizeof(*res));
	if (!run->ring) {
		if (run->host)
			return produce_prog(d, run, NULL, res, why, len);
		sched_getaffinity(0, sizeof(cpus), &cpus);
		err = call_self(run, res, why, len);
		sched_setaffinity(0, sizeof(cpus), &cpus);
		return err;
	}
	snprintf(fr.name, sizeof(fr.name), "/zc-ffi-%d-%u", (int)getpid(),
		 seq++);
	cfg.name = fr.name;
	fr.bytes = zc_ring_bytes(&cfg);
	err = zc_ring_create(&fr.r, &cfg);
	if (err < 0) {
		snprintf(why, len, "cannot create the ring: %s",
			 zc_ring_strerror(err));
		return err;
	}
	zc_child_init(&fr.ch[0], run->host ? run->host->what : "this thread");
	sched_getaffinity(0, sizeof(cpus), &cpus);
	err = start_consumer(d, run, &fr, why, len);
	if (!err)
		err = (run->host ? produce_prog : produce_self)(d, run, &fr,
								res, why, len);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	zc_child_kill(&fr.ch[0]);
	cerr = zc_drain_end(d, !err, why, len);
	zc_ring_free(&fr.r);
	if (err || cerr)
		return err ? err : cerr;
	res->e2e_end = rep->t_end;
	res->cons_cpu_ns = rep->cpu_ns;
	res->sink = rep->counts;
	res->sink_counted = rep->counted;
	if (run->consumer)
		return zc_ffi_report_verdict(&d->prog, &res->v, run->count, why,
					     len);
	memcpy(&res->v, rep->out, sizeof(res->v));
	return zc_ffi_verdict_check(&res->v, run->count, why, len);
}
