/* SPDX-License-Identifier: MIT */
/*
 * drain — a consumer process emptying a ring (drain.h).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"
#include "drain.h"

int zc_drain_init(struct zc_drain *d)
{
	memset(d, 0, sizeof(*d));
	d->rep = mmap(NULL, sizeof(*d->rep), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (d->rep == MAP_FAILED) {
		d->rep = NULL;
		return -errno;
	}
	return 0;
}

void zc_drain_release(struct zc_drain *d)
{
	zc_host_release(&d->prog);
	if (d->rep)
		munmap(d->rep, sizeof(*d->rep));
	d->rep = NULL;
}

/* The consumer's wait hook: give up on a signal or when the parent left
 * (the death signal covers a parent that died; this one a parent thread
 * that is gone). */
static int cons_wait(void *arg, _Atomic uint64_t *word, uint64_t seen,
		     uint64_t iter)
{
	const pid_t *parent = arg;

	if ((iter & 4095) == 4095) {
		if (zc_stopped())
			return -EINTR;
		if (getppid() != *parent)
			return -EPIPE;
	}
	zc_cpu_relax();
	return 0;
}

static __attribute__((noreturn)) void drain_main(struct zc_drain_report *rep,
						 struct zc_ring *r,
						 const struct zc_drain_cfg *cfg,
						 uint64_t count)
{
	uint32_t maxb = r->capacity / 4 < 256 ? (uint32_t)r->capacity / 4 : 256;
	pid_t parent = getppid();
	struct zc_counters ctr;
	uint64_t got = 0, lo, c0;
	int n;

	if (cfg->cpu >= 0)
		zc_topo_pin_self(cfg->topo, cfg->cpu); /* checked after */
	rep->cpu_start = sched_getcpu();
	r->cons_wait = (struct zc_ring_wait){.wait = cons_wait, .arg = &parent};
	zc_counters_open(&ctr, cfg->events);
	zc_counters_start(&ctr);
	c0 = zc_thread_cpu_ns();
	while (got < count) {
		uint64_t left = count - got;
		n = zc_ring_wait_avail(
			r, left < maxb ? (uint32_t)left : (maxb ? maxb : 1),
			&lo);
		if (n < 0) {
			rep->err = n;
			break;
		}
		for (uint64_t q = lo; q < lo + (uint64_t)n; q++)
			cfg->consume(zc_ring_slot(r, q));
		zc_ring_consume(r, lo + (uint64_t)n - 1);
		got += (uint64_t)n;
		if (cfg->kill_after && got >= cfg->kill_after)
			raise(SIGKILL);
	}
	rep->t_end = zc_now_ns();
	rep->cpu_ns = zc_thread_cpu_ns() - c0;
	zc_counters_stop(&ctr, &rep->counts);
	rep->cpu_end = sched_getcpu();
	rep->got = got;
	if (cfg->end)
		cfg->end(cfg->arg, rep->out);
	rep->done = 1;
	_exit(rep->err ? 1 : 0);
}

int zc_drain_fork(struct zc_drain *d, struct zc_child *ch, struct zc_ring *r,
		  const struct zc_drain_cfg *cfg, uint64_t count)
{
	pid_t pid;

	memset(d->rep, 0, sizeof(*d->rep));
	d->rep->counted = 1;
	d->cpu = cfg->cpu;
	d->ch = ch;
	d->is_prog = 0;
	pid = zc_child_fork(ch, "the consumer process", 0);
	if (pid == 0)
		drain_main(d->rep, r, cfg, count);
	return pid < 0 ? (int)pid : 0;
}

static int prod_wait(void *arg, _Atomic uint64_t *word, uint64_t seen,
		     uint64_t iter)
{
	if ((iter & 1023) == 1023) {
		if (zc_stopped())
			return -EINTR;
		if (zc_child_poll(arg))
			return -EPIPE;
	}
	zc_cpu_relax();
	return 0;
}

int zc_drain_spawn(struct zc_drain *d, struct zc_child *ch,
		   const struct zc_spawn *sp, const struct zc_evset *ev,
		   char *why, size_t len)
{
	memset(d->rep, 0, sizeof(*d->rep));
	zc_host_release(&d->prog);
	d->cpu = -1; /* zc_host_finish checks the program's own report */
	d->ch = ch;
	d->is_prog = 1;
	return zc_host_start(&d->prog, sp, ch, ev, why, len);
}

int zc_drain_end(struct zc_drain *d, int ok, char *why, size_t len)
{
	struct zc_drain_report *rep = d->rep;
	int err;

	if (!d->is_prog) {
		zc_child_kill(d->ch);
		return ok ? zc_drain_result(d, why, len) : 0;
	}
	err = zc_host_finish(&d->prog, d->ch, ok, why, len);
	if (!ok || err)
		return ok ? err : 0;
	rep->got = d->prog.count;
	rep->t_end = d->prog.t_end;
	rep->cpu_ns = d->prog.cpu_ns;
	rep->counts = d->prog.counts;
	rep->counted = d->prog.counted;
	rep->done = 1;
	return 0;
}

void zc_drain_guard_child(struct zc_ring *r, struct zc_child *consumer)
{
	r->prod_wait =
		(struct zc_ring_wait){.wait = prod_wait, .arg = consumer};
}

void zc_drain_guard(struct zc_drain *d, struct zc_ring *r)
{
	zc_drain_guard_child(r, d->ch);
}

int zc_drain_result(const struct zc_drain *d, char *why, size_t len)
{
	const struct zc_drain_report *rep = d->rep;

	if (!rep->done) {
		snprintf(why, len, "%s ended without a report", d->ch->what);
		return -EPIPE;
	}
	if (d->cpu >= 0 &&
	    (rep->cpu_start != d->cpu || rep->cpu_end != d->cpu)) {
		snprintf(why, len, "consumer ran on CPU %d..%d, planned %d",
			 rep->cpu_start, rep->cpu_end, d->cpu);
		return -EXDEV;
	}
	return 0;
}
