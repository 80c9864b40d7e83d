/* SPDX-License-Identifier: MIT */
#ifndef ZC_FFIRUN_H
#define ZC_FFIRUN_H
/*
 * ffirun — one repetition of a `zcbench ffi` path: a call per message
 * into the sink library (from this thread, or from a host program alone),
 * or the ring: a fresh ring (lib/ring.h), a consumer process that checks
 * every message (lib/drain.h: the C sink library forked, or a consumer
 * program such as the Rust one, plugins/ffi_consumer.rs), a producer (this
 * thread writing plugins/ffi_msg.h's messages, or a host program,
 * lib/host.h); then the consumer's verdict on the whole stream.
 *
 * Usage:
 *	struct zc_ffi_run run = {.ring = 1, .size = 64, .batch = 16,
 *		.capacity = 1024, .isolation = 128, .count = n,
 *		.topo = &topo, .host_cpu = 0, .cons_cpu = 1,
 *		.events = &ev, .timeout_s = 60, .sink = &sink, .pool = pool,
 *		.corrupt = -1,
 *		.host = NULL,	      (this thread; or a program, e.g. Python)
 *		.consumer = NULL,     (the C sink; or a program, e.g. Rust)
 *		.argv = build, .arg = ctx};   (the programs' arguments)
 *	struct zc_ffi_result res;
 *	zc_drain_init(&d);			(once)
 *	err = zc_ffi_run(&d, &run, &res, why, sizeof(why));
 *	... res.host (the producer's region), res.e2e_end, res.v ...
 * A call path: .ring = 0 and .fill (this thread) or .host (a program).
 *
 * This thread publishes by the slots' sequence words (every message's id
 * stored last), a host program by head (lib/ring.h). A program is spawned
 * pinned with the arguments run->argv gives for the ring it is to use
 * (who: ZC_FFI_WHO_HOST or _CONSUMER; the ring's name, fd and length in
 * fr), its region counted, its report read; the sink's verdict comes from
 * the consumer's report (the C sink's out page, or the program's
 * "verdict" object). Every child is reaped, the ring unmapped (a named
 * one unlinked) and this thread's affinity restored on every path.
 *
 * Test hooks: corrupt >= 0 makes this thread write that message with a
 * wrong price (a host program is told through its argv); kill_after makes
 * the C consumer kill itself (SIGKILL) after that many messages.
 *
 * Errors: 0 or -errno with why: the ring's (cannot create), the
 * consumer's start, the producer's (-EPIPE: the consumer died, with how;
 * -EXDEV: it ran elsewhere;
 * -EINTR; a host program's failure, -EPROTO when it sent fewer messages),
 * the consumer's end (lib/drain.h), -EBADMSG when the verdict finds a
 * message missing or bad ("sink received N of N messages, 1 bad (first
 * at 100: Bad message)").
 */
#include <stdint.h>
#include "drain.h"
#include "host.h"
#include "ring.h"
#include "../plugins/ffi_msg.h"

enum {
	ZC_FFI_WHO_HOST,
	ZC_FFI_WHO_CONSUMER
};

/* The ring of one repetition, as a program's arguments need it. */
struct zc_ffi_ring {
	struct zc_ring r;
	char name[64]; /* the shm_open name when named */
	size_t bytes;
	int named;
	struct zc_child ch[2]; /* a host program, the consumer */
};

struct zc_ffi_run {
	int ring; /* through the ring (else a call per message) */
	void (*fill)(void *dst, uint32_t size, uint64_t id,
		     unsigned char *const *pool); /* this thread's calls */
	uint32_t size, batch, isolation;
	uint64_t capacity, count;
	int named; /* a shm_open segment (programs attach by name) */
	const struct zc_topo *topo;
	int host_cpu, cons_cpu; /* -1: not pinned */
	const struct zc_evset *events;
	double timeout_s;
	const struct zc_ffi_sink *sink;	     /* the C consumer's code */
	unsigned char *const *pool;	     /* this thread's payloads */
	int64_t corrupt;		     /* -1: none */
	uint64_t kill_after;		     /* 0: none */
	const struct zc_host_prog *host;     /* NULL: this thread */
	const struct zc_host_prog *consumer; /* NULL: the C sink */
	/* a program's arguments; fr NULL for a call path */
	int (*argv)(void *arg, int who, const struct zc_ffi_ring *fr,
		    struct zc_argv *a);
	void *arg;
};

struct zc_ffi_result {
	struct zc_host host;	 /* the producer's region (report freed) */
	uint64_t e2e_end;	 /* the consumer's last check */
	uint64_t cons_cpu_ns;	 /* the consumer's CPU over its loop */
	struct zc_counts sink;	 /* its counters */
	int sink_counted;	 /* valid: it counted its whole loop */
	struct zc_ffi_verdict v; /* its verdict */
};

int zc_ffi_run(struct zc_drain *d, const struct zc_ffi_run *run,
	       struct zc_ffi_result *res, char *why, size_t len);

/* The verdict a program's report carries ({"verdict": {"received",
 * "bad", "first_bad", "first_err"}}), checked against count as
 * zc_ffi_verdict_check does. */
int zc_ffi_report_verdict(const struct zc_host *h, struct zc_ffi_verdict *v,
			  uint64_t count, char *why, size_t len);

#endif
