/* SPDX-License-Identifier: MIT */
/*
 * chanpair — one repetition over channels: threads, or a forked consumer
 * under lib/proc.h's supervision; the verdict in words.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chanpair.h"
#include "clock.h"

int zc_chanpair_open(struct zc_chanpair *p, enum zc_chan_family f,
		     const struct zc_chan_cfg *cfg, int mode)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->family = f;
	p->cfg = *cfg;
	zc_child_init(&p->child, "consumer process");
	p->sh = mmap(NULL, sizeof(*p->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->sh == MAP_FAILED) {
		p->sh = NULL;
		return -errno;
	}
	zc_chan_shared_init(p->sh, mode);
	for (int i = 0; i < (mode == ZC_CHAN_RTT ? 2 : 1); i++) {
		err = zc_chan_open(&p->ch[i], f, cfg, p->sh);
		if (err) {
			zc_chanpair_close(p);
			return err;
		}
		p->ch[i].child = cfg->process ? &p->child : NULL;
		p->nch = i + 1;
	}
	return 0;
}

void zc_chanpair_close(struct zc_chanpair *p)
{
	for (int i = 0; i < p->nch; i++)
		zc_chan_close(&p->ch[i]);
	p->nch = 0;
	zc_child_kill(&p->child);
	if (p->sh)
		munmap(p->sh, sizeof(*p->sh));
	p->sh = NULL;
}

uint64_t zc_chanpair_sent(const struct zc_chanpair *p)
{
	/* relaxed: read after the sides were joined or reaped */
	uint64_t f = atomic_load_explicit(&p->sh->final, memory_order_relaxed);
	return f < p->count ? f : p->count;
}

static void role_worker(struct zc_worker *w)
{
	struct zc_chanpair_role *r = w->arg;
	struct zc_chanpair *p = r->p;

	zc_worker_begin(w);
	zc_chan_loop(&p->ch[0], &p->ch[1], r->role, p->count);
	zc_worker_end(w);
}

/* In each process after fork: ch[0] carries producer to consumer, ch[1]
 * (rtt) back. */
static int after_fork(struct zc_chanpair *p, int child)
{
	int err = 0;

	for (int i = 0; i < p->nch && !err; i++)
		err = zc_chan_after_fork(&p->ch[i],
					 (i == 0) == child ? ZC_CHAN_CONSUMER
							   : ZC_CHAN_PRODUCER,
					 child);
	return err;
}

/* The forked consumer: pin, attach, wait for the producer's start, count
 * its own events, run, report in the shared block, exit. */
static void child_main(struct zc_chanpair *p, const struct zc_chanpair_run *r,
		       int cpu)
{
	struct zc_chan_side *s = &p->sh->cons;
	uint64_t n = r->kill_consumer ? r->count / 2 + 1 : r->count;
	struct zc_counters ctr;

	if (r->topo && cpu >= 0)
		s->err = zc_topo_pin_self(r->topo, cpu);
	if (!s->err)
		s->err = after_fork(p, 1);
	if (!s->err && r->events)
		s->err = zc_counters_open(&ctr, r->events);
	if (s->err)
		_exit(1);
	/* acquire: pairs with the producer's release of go */
	while (!atomic_load_explicit(&p->sh->go, memory_order_acquire)) {
		if (zc_chan_peer_gone(&p->ch[0]))
			_exit(1);
		zc_cpu_relax();
	}
	if (r->events)
		zc_counters_start(&ctr);
	zc_chan_loop(&p->ch[0], &p->ch[1], ZC_CHAN_CONSUMER, n);
	if (r->events) {
		zc_counters_stop(&ctr, &s->counts);
		zc_counters_close(&ctr);
	}
	if (r->kill_consumer)
		raise(SIGKILL); /* die mid-run, as a crashed consumer would */
	_exit(s->err ? 1 : 0);
}

static const char *err_text(int err)
{
	switch (err) {
	case -EILSEQ:
		return "wrong sequence (a loss, duplicate or reordering)";
	case -EBADMSG:
		return "checksum mismatch (corrupted message)";
	case -EPIPE:
		return "the peer went away";
	case -ECANCELED:
		return "stopped because the other side failed";
	default:
		return strerror(-err);
	}
}

/* After both sides ended: the side that failed first explains; a forked
 * consumer that reported nothing, by how it ended. */
static int verdict(struct zc_chanpair *p, const struct zc_chanpair_run *r,
		   const struct zc_plan *plan, char *why, size_t len)
{
	const struct zc_chan_side *pr = &p->sh->prod, *co = &p->sh->cons;
	char how[96];

	if (p->cfg.process) {
		zc_proc_status_text(p->child.status, how, sizeof(how));
		if (!zc_child_ok(&p->child) && !co->err) {
			snprintf(why, len, "consumer process %s before the end",
				 how);
			return -EPIPE;
		}
		if (pr->err == -EPIPE && !co->err) {
			snprintf(why, len, "consumer process %s mid-run", how);
			return -EPIPE;
		}
	}
	if (co->err && co->err != -ECANCELED) {
		snprintf(why, len, "consumer: message %llu: %s",
			 (unsigned long long)co->bad_seq, err_text(co->err));
		return co->err;
	}
	if (pr->err) {
		snprintf(why, len, "producer: %s%s", err_text(pr->err),
			 pr->err == -EILSEQ ? " (reply)" : "");
		return pr->err;
	}
	if (co->err) {
		snprintf(why, len, "consumer: %s", err_text(co->err));
		return co->err;
	}
	if (r->topo && zc_topo_is_real(r->topo) &&
	    (pr->cpu_start != plan->cpu[0] || pr->cpu_end != plan->cpu[0] ||
	     co->cpu_start != plan->cpu[1] || co->cpu_end != plan->cpu[1])) {
		snprintf(why, len,
			 "ran on CPUs %d/%d (producer) and %d/%d (consumer), "
			 "planned %d and %d",
			 pr->cpu_start, pr->cpu_end, co->cpu_start, co->cpu_end,
			 plan->cpu[0], plan->cpu[1]);
		return -EXDEV;
	}
	return 0;
}

int zc_chanpair_run(struct zc_chanpair *p, const struct zc_chanpair_run *r,
		    char *why, size_t len)
{
	struct zc_chan_shared *sh = p->sh;
	void *args[2] = {&p->roles[0], &p->roles[1]};
	struct zc_team *team = &p->team;
	struct zc_plan plan = {.nthreads = 2, .cpu = {-1, -1}};
	int err, failed;

	if (p->ran++)
		return -EALREADY;
	if (r->plan)
		plan = *r->plan;
	p->count = r->count;
	sh->rate = r->rate;
	sh->budget_ns = r->budget_ns;
	sh->corrupt_at = r->corrupt ? r->corrupt_seq : UINT64_MAX;
	if (r->events) {
		zc_counts_init(&sh->prod.counts, r->events);
		zc_counts_init(&sh->cons.counts, r->events);
	}
	p->roles[0] = (struct zc_chanpair_role){p, ZC_CHAN_PRODUCER};
	p->roles[1] = (struct zc_chanpair_role){p, ZC_CHAN_CONSUMER};
	if (p->cfg.process) {
		pid_t pid = zc_child_fork(&p->child, "consumer process", 0);
		if (pid < 0) {
			snprintf(why, len, "fork: %s", strerror((int)-pid));
			return (int)pid;
		}
		if (pid == 0)
			child_main(p, r, plan.cpu[1]);
		after_fork(p, 0);
		plan.nthreads = 1;
	}
	err = zc_team_run(team, r->topo, &plan, r->events, role_worker, args, 0,
			  r->timeout_s);
	if (err == -ETIMEDOUT) {
		snprintf(why, len, "%s", team->why);
		if (p->child.pid > 0)
			kill(p->child.pid, SIGKILL);
		return err;
	}
	if (r->events && team->w) {
		sh->prod.counts = team->w[0].counts;
		if (!p->cfg.process)
			sh->cons.counts = team->w[1].counts;
	}
	failed = err && err != -EINTR && !sh->prod.err && !sh->cons.err;
	if (failed) {
		snprintf(why, len, "%s", team->why);
		/* relaxed: a flag; a forked consumer waiting for go leaves */
		atomic_store_explicit(&sh->abort, 1, memory_order_relaxed);
	}
	zc_team_release(team);
	if (p->cfg.process)
		zc_child_reap(&p->child, r->timeout_s);
	if (zc_stopped())
		return -EINTR;
	if (failed)
		return err;
	return verdict(p, r, &plan, why, len);
}
