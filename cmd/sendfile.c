/* SPDX-License-Identifier: MIT */
/*
 * zcbench sendfile — file to socket: every way a file can reach a stream
 * socket (lib/xfer.h), by file size, page cache hot and cold, over TCP
 * loopback and AF_UNIX, to a receiver in another process pinned to another
 * core (lib/receiver.h). Time, GB/s, CPU of both ends, the sender's system
 * calls, whether zero-copy really happened; every transfer's byte count
 * checked, at least one per case checksummed end to end. Reproduces IBM's
 * zero-copy table (lib/xfer_table.h). The cases are driven one file size
 * (one file) at a time; the senders compared: lib/xfer_set.h.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "builtin.h"
#include "receiver.h"
#include "testfile.h"
#include "xfer.h"
#include "xfer_set.h"
#include "xfer_table.h"

#define MIB	     (1ull << 20)
#define MAX_VARIANTS ZC_XFER_SET_MAX
/* Free space kept beyond the largest file. */
#define SPACE_MARGIN (64 * MIB)
/* The dry run's estimate: a rough loopback rate, bytes per second. */
#define EST_RATE 1e9
/* The baseline the ratios and the IBM table compare against: the
 * "traditional" copy through user space, with a 64 KiB buffer where one of
 * the --buffer sizes is 64 KiB (else the largest). */
#define BASE_METHOD "read-send"
#define BASE_BUFFER 65536
#define DIR_PREFIX  "zcbench-sendfile" /* our folder in --dir */

enum {
	CACHE_HOT,
	CACHE_COLD,
	RECV_SPLICE = 1, /* --receiver splice */
	VERIFY_ALL = 1,	 /* --verify all */
};

static struct zc_word method_words[MAX_VARIANTS + 1]; /* from the table */
static const struct zc_word cache_words[] = {
	{"hot", CACHE_HOT}, {"cold", CACHE_COLD}, {NULL, 0}};
static const struct zc_word transport_words[] = {
	{"tcp", ZC_RECV_TCP}, {"unix", ZC_RECV_UNIX}, {NULL, 0}};
static const struct zc_word receiver_words[] = {
	{"buffer", 0}, {"splice", RECV_SPLICE}, {NULL, 0}};
static const struct zc_word verify_words[] = {
	{"first", 0}, {"all", VERIFY_ALL}, {NULL, 0}};

static struct zc_list opt_method, opt_buffer, opt_sizes, opt_cache,
	opt_transport;
static const char *opt_dir;
static long long opt_pipe;
static int opt_receiver, opt_verify;

static const struct zc_opt sf_opts[] = {
	ZC_OPT_CHOICES("method", "all",
		       "sender methods: read-send, read-write, mmap-send, "
		       "sendfile, splice, io-uring, io-uring-zc, msg-zerocopy",
		       &opt_method, method_words),
	ZC_OPT_LIST("buffer", "LIST", "bytes", "4096,65536,1048576",
		    "buffer of read-send, read-write and io-uring; read-send "
		    "with 65536 (else the largest) is the baseline",
		    &opt_buffer, 1, 64 << 20, 0, NULL),
	ZC_OPT_LIST("sizes", "LIST", "MiB", "7,21,63,98,200,350,700,1024",
		    "file sizes (IBM's table)", &opt_sizes, 1, 1 << 20, 0, NULL,
		    .quick = "7,21"),
	ZC_OPT_CHOICES("cache", "hot,cold",
		       "page cache: hot (file cached before timing), cold "
		       "(posix_fadvise DONTNEED before each transfer)",
		       &opt_cache, cache_words),
	ZC_OPT_CHOICES("transport", "tcp,unix",
		       "tcp (127.0.0.1 loopback), unix (AF_UNIX stream)",
		       &opt_transport, transport_words),
	ZC_OPT_STR("dir", "DIR", NULL,
		   "where the test files go (default: a new folder in $TMPDIR, "
		   "/var/tmp or /tmp, the first not in memory); removed after",
		   &opt_dir),
	ZC_OPT_INT("pipe", "BYTES", "bytes", "1048576",
		   "pipe size asked for by splice (F_SETPIPE_SZ)", &opt_pipe,
		   4096, 1 << 30),
	ZC_OPT_CHOICE("receiver", "buffer",
		      "buffer: recv() into a fixed 256 KiB buffer; splice: "
		      "socket -> pipe -> /dev/null (checksummed runs use recv)",
		      &opt_receiver, receiver_words),
	ZC_OPT_CHOICE("verify", "first",
		      "checksum at the receiver: first (the warm-up transfer "
		      "of each case, untimed), all (every transfer, timed)",
		      &opt_verify, verify_words),
	ZC_OPT_END};

static const char *const sf_keys[] = {"method", "buffer", "size_mib", "cache",
				      "transport"};
#define NKEYS 5

enum {
	M_MS,
	M_GBPS,
	M_RATIO,
	M_SND_CPU,
	M_RCV_CPU,
	M_SYSCALLS,
	M_SND_USER,
	M_SND_SYS,
	M_RCV_USER,
	M_RCV_SYS,
	M_CPU_PER_GB,
	M_SND_CSW,
	M_RCV_CSW,
	M_ZC_PCT,
	M_COUNT
};

static const struct zc_metric sf_metrics[M_COUNT] = {
	[M_MS] = {"ms", "ms", ZC_BETTER_LOWER,
		  "time per transfer: first byte sent to the receiver's "
		  "acknowledgement of the last",
		  ZC_M_SHOW, ZC_GB_REAL_TIME, 1e6},
	[M_GBPS] = {"gbps", "GB/s", ZC_BETTER_HIGHER,
		    "file bytes per second (1e9 bytes)", ZC_M_SHOW,
		    ZC_GB_BYTES_PER_SECOND, 1e9},
	[M_RATIO] = {"ratio_to_read_send", "x", ZC_BETTER_LOWER,
		     "time relative to read-send (baseline buffer) at the same "
		     "size, cache and transport, same repetition",
		     ZC_M_SHOW | ZC_M_PORTABLE, ZC_GB_NONE, 1},
	[M_SND_CPU] = {"sender_cpu_ms", "ms", ZC_BETTER_LOWER,
		       "sender CPU time (user + system) per transfer",
		       ZC_M_SHOW, ZC_GB_CPU_TIME, 1e6},
	[M_RCV_CPU] = {"receiver_cpu_ms", "ms", ZC_BETTER_LOWER,
		       "receiver CPU time (user + system) per transfer",
		       ZC_M_SHOW, ZC_GB_NONE, 1},
	[M_SYSCALLS] = {"sender_syscalls", "count", ZC_BETTER_LOWER,
			"system calls the sender made per transfer (counted by "
			"the method; io_uring_enter counts one)",
			ZC_M_SHOW | ZC_M_PORTABLE, ZC_GB_NONE, 1},
	[M_SND_USER] = {"sender_user_ms", "ms", ZC_BETTER_LOWER,
			"sender user CPU time (getrusage)", 0, ZC_GB_NONE, 1},
	[M_SND_SYS] = {"sender_sys_ms", "ms", ZC_BETTER_LOWER,
		       "sender system CPU time (getrusage)", 0, ZC_GB_NONE, 1},
	[M_RCV_USER] = {"receiver_user_ms", "ms", ZC_BETTER_LOWER,
			"receiver user CPU time (getrusage)", 0, ZC_GB_NONE, 1},
	[M_RCV_SYS] = {"receiver_sys_ms", "ms", ZC_BETTER_LOWER,
		       "receiver system CPU time (getrusage)", 0, ZC_GB_NONE,
		       1},
	[M_CPU_PER_GB] = {"cpu_ms_per_gb", "ms/GB", ZC_BETTER_LOWER,
			  "CPU time of both ends per GB moved", 0, ZC_GB_NONE,
			  1},
	[M_SND_CSW] = {"sender_ctx_switches", "count", ZC_BETTER_LOWER,
		       "sender context switches, voluntary + involuntary", 0,
		       ZC_GB_NONE, 1},
	[M_RCV_CSW] = {"receiver_ctx_switches", "count", ZC_BETTER_LOWER,
		       "receiver context switches, voluntary + involuntary", 0,
		       ZC_GB_NONE, 1},
	[M_ZC_PCT] = {"zerocopy_pct", "%", ZC_BETTER_NONE,
		      "sends the kernel completed without copying (100 = true "
		      "zero-copy, 0 = it copied)",
		      0, ZC_GB_NONE, 1},
};

struct sf_case {
	int variant, size, cache, transport; /* size: index in --sizes */
	int verified;	/* transfers checksummed at the receiver */
	int transfers;	/* transfers done, warm-up included */
	const char *zc; /* what the kernel reported of zero-copy sends */
};

struct sf_state {
	struct zc_xfer_set set; /* the variants, their senders for the file */
	struct zc_plan plan;	/* sender, receiver */
	int plan_err;		/* no pair here: every case skipped */
	cpu_set_t saved_affinity;
	int pinned;
	struct zc_counters ctr; /* the sender's (this thread) */
	int ctr_open;
	struct zc_testfile tf; /* --dir, our folder, the current file */
	struct zc_receiver rcv;
	uint64_t kill_after; /* fault injection for tests */
};

/* ---- files ---- */

/* Our folder and what is in it go. */
static void files_remove(struct zc_bench *b)
{
	struct sf_state *st = b->st;
	char dir[sizeof(st->tf.dir)];
	int err;

	memcpy(dir, st->tf.dir, sizeof(dir));
	err = zc_testfile_release(&st->tf);
	if (err < 0)
		zc_warn(b->ctx, "cannot remove '%s': %s", dir, strerror(-err));
}

/* Check --dir before anything is written: an existing, writable folder
 * that holds the largest file, whose file system has the calls the methods
 * need (tried unless this is a dry run). 0 or an exit status. */
static int check_dir(struct zc_bench *b, long long max_mib)
{
	struct sf_state *st = b->st;
	struct zc_testfile *t = &st->tf;
	const struct zc_xfer_method *m[MAX_VARIANTS];
	char why[2 * ZC_XFER_WHY + 4096];
	int err, cold = 0;
	double frac;

	err = zc_testfile_check(
		t, opt_dir ? opt_dir : zc_testfile_default_parent(), why,
		sizeof(why));
	if (err < 0)
		return zc_usage(b->ctx, "--dir %s", why);
	err = zc_testfile_room(t, (uint64_t)max_mib * MIB, SPACE_MARGIN, why,
			       sizeof(why));
	if (err < 0) /* -EFBIG: the largest of --sizes does not fit */
		return zc_usage(b->ctx, "%s%s",
				err == -EFBIG ? "--sizes: " : "--dir ", why);
	if (b->ctx->dry_run)
		return 0;
	for (int v = 0; v < st->set.n; v++)
		m[v] = st->set.var[v].m;
	for (int i = 0; i < opt_cache.n; i++)
		cold |= opt_cache.v[i] == CACHE_COLD && !t->in_memory;
	err = zc_testfile_probe(t, DIR_PREFIX, m, st->set.n, why, sizeof(why));
	if (!err && cold &&
	    (err = zc_xfer_cache_drop(t->fd, t->size, &frac)) < 0)
		snprintf(why, sizeof(why),
			 "'%s' (%s): posix_fadvise: %s: use --cache hot",
			 t->parent, t->fstype, strerror(-err));
	files_remove(b);
	return err < 0 ? zc_usage(b->ctx, "--dir %s", why) : 0;
}

/* ---- one size: its file and the senders ---- */

/* The file and the senders for size `group` (an index in --sizes). 0 or
 * -errno (b->fatal says why, unless stopped). */
static int sf_group_begin(struct zc_bench *b, int group)
{
	struct sf_state *st = b->st;
	long long mib = opt_sizes.v[group];
	char name[32], why[sizeof(b->fatal)];
	size_t pipe = 0;
	int err;

	snprintf(name, sizeof(name), "file-%lldMiB", mib);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\rsendfile: writing %lld MiB to %s/%s   ", mib,
			st->tf.dir, name);
	err = zc_testfile_create(&st->tf, name, (uint64_t)mib * MIB,
				 (uint64_t)mib, zc_stopped, why, sizeof(why));
	if (err < 0 && (st->tf.fd < 0 || err != -EINTR)) /* EINTR: stopped */
		snprintf(b->fatal, sizeof(b->fatal), "%s", why);
	if (!err)
		pipe = zc_xfer_set_init(&st->set, st->tf.fd, st->tf.size,
					(size_t)opt_pipe);
	if (pipe)
		zc_warn(b->ctx,
			"splice: the kernel gave a %zu-byte pipe, not %lld",
			pipe, opt_pipe);
	return err;
}

static void sf_group_end(struct zc_bench *b, int group)
{
	struct sf_state *st = b->st;

	(void)group;
	zc_xfer_set_release(&st->set);
	zc_testfile_remove(&st->tf);
}

/* ---- one transfer ---- */

struct prepare_arg {
	struct zc_bench *b;
	const struct sf_case *fc;
	struct zc_case *c;
};

/* After the handshake, before the clock: bring the file into the state
 * the case asks for. The handshake's packets made this CPU free the socket
 * buffers the previous transfer deferred to it (skb defer lists), and with
 * them their references to the file's pages, which would otherwise keep a
 * "cold" file partly cached. 0, 1 when the case is skipped, or -errno. */
static int set_cache(void *arg)
{
	const struct prepare_arg *a = arg;
	struct sf_state *st = a->b->st;
	char why[ZC_XFER_WHY];
	int err = zc_testfile_cache(&st->tf, a->fc->cache == CACHE_COLD, why,
				    sizeof(why));

	if (err > 0)
		zc_case_skip(a->c, "%s", why);
	else if (err < 0 && err != -EINTR)
		zc_case_fail(&a->b->res, a->c, "%s", why);
	return err;
}

static void record(struct zc_bench *b, int i, int rep,
		   const struct zc_recv_send *s)
{
	struct sf_state *st = b->st;
	struct zc_case *c = zc_bench_case(b, i);
	const struct sf_case *fc = zc_bench_priv(b, i);
	const struct zc_xfer *x = &st->set.xf[fc->variant];
	const struct zc_counts *sc = &s->counts, *rc = &s->reply.counts;
	double ms = (double)s->ns / 1e6, gb = (double)st->tf.size / 1e9;
	double su = sc->utime_ns / 1e6, ss = sc->stime_ns / 1e6;
	double ru = rc->utime_ns / 1e6, rs = rc->stime_ns / 1e6;
	const double v[M_COUNT] = {
		[M_MS] = ms,
		[M_GBPS] = gb / (ms / 1e3),
		[M_RATIO] = NAN, /* derived */
		[M_SND_CPU] = su + ss,
		[M_RCV_CPU] = ru + rs,
		[M_SYSCALLS] = (double)x->syscalls,
		[M_SND_USER] = su,
		[M_SND_SYS] = ss,
		[M_RCV_USER] = ru,
		[M_RCV_SYS] = rs,
		[M_CPU_PER_GB] = (su + ss + ru + rs) / gb,
		[M_SND_CSW] = sc->nvcsw + sc->nivcsw,
		[M_RCV_CSW] = rc->nvcsw + rc->nivcsw,
		[M_ZC_PCT] = zc_xfer_set_zc(&st->set, fc->variant, NULL),
	};

	zc_bench_count(b, i, rep, 0, sc, (double)st->tf.size / MIB);
	zc_bench_count(b, i, rep, 1, rc, (double)st->tf.size / MIB);
	if (rep < 0)
		return;
	c->iterations[rep] = 1;
	for (int m = 0; m < M_COUNT; m++)
		if (!isnan(v[m]))
			zc_case_set(&b->res, c, rep, m, v[m]);
}

static int sf_one(struct zc_bench *b, int i, int rep)
{
	struct sf_state *st = b->st;
	struct sf_case *fc = zc_bench_priv(b, i);
	struct zc_case *c = zc_bench_case(b, i);
	struct zc_xfer *x = &st->set.xf[fc->variant];
	struct prepare_arg pa = {b, fc, c};
	int sum_it = rep < 0 || opt_verify == VERIFY_ALL, err;
	char why[sizeof(b->fatal)];
	const char *zc;
	struct zc_recv_send s = {
		.transport = fc->transport,
		.timeout_s = b->ctx->timeout_s, /* a stuck receiver: -EAGAIN */
		.flags = sum_it ? ZC_RECV_CHECKSUM : 0,
		.kill_after = st->kill_after,
		.ctr = &st->ctr,
		.prepare = set_cache,
		.arg = &pa,
	};

	if (!st->set.ok[fc->variant]) {
		zc_case_skip(c, "%s", st->set.why[fc->variant]);
		return 0;
	}
	err = zc_receiver_send(&st->rcv, x, &s);
	if (s.step == ZC_RECV_ATTACH)
		zc_case_skip(c, "%s", s.why);
	if (s.step == ZC_RECV_ATTACH || s.step == ZC_RECV_PREPARE)
		return err < 0 ? err : 0;
	if (err && zc_stopped())
		return err;
	if (err && zc_receiver_failure(&s, err, why, sizeof(why)))
		/* the run cannot go on: the driver marks the rest not run */
		snprintf(b->fatal, sizeof(b->fatal), "%s", why);
	else if (!err)
		err = zc_receiver_check(&s, st->tf.size, st->tf.sum,
					st->plan.cpu[0], st->plan.cpu[1], why,
					sizeof(why));
	if (err) { /* nothing is left running: never the driver's -ETIMEDOUT */
		zc_case_fail(&b->res, c, "%s", why);
		return err == -ETIMEDOUT ? -EIO : err;
	}
	fc->verified += sum_it;
	fc->transfers++;
	snprintf(c->cpus, sizeof(c->cpus), "%d,%d", s.cpu_start,
		 s.reply.cpu_start);
	zc_xfer_set_zc(&st->set, fc->variant, &zc);
	fc->zc = zc ? zc : fc->zc;
	snprintf(c->label, sizeof(c->label), "%d of %d checksummed%s%s",
		 fc->verified, fc->transfers, fc->zc ? "; " : "",
		 fc->zc ? fc->zc : "");
	record(b, i, rep, &s);
	return 0;
}

/* The case of variant v, size s, cache and transport, or -1. */
static int find_case(struct zc_bench *b, int v, int s, int cache, int tr)
{
	for (int i = 0; i < b->res.ncases; i++) {
		const struct sf_case *fc = zc_bench_priv(b, i);
		if (fc->variant == v && fc->size == s && fc->cache == cache &&
		    fc->transport == tr)
			return i;
	}
	return -1;
}

/* The baseline case of case i (the same size, cache and transport). */
static int base_case(struct zc_bench *b, int i)
{
	const struct sf_case *fc = zc_bench_priv(b, i);
	const struct sf_state *st = b->st;
	return find_case(b, st->set.base, fc->size, fc->cache, fc->transport);
}

/* ratio = ms of each repetition over the baseline's ms in the same
 * round and host regime (lib/out.h). */
static void sf_derive(struct zc_bench *b)
{
	struct sf_state *st = b->st;

	for (int i = 0; i < b->res.ncases; i++) {
		const struct sf_case *fc = zc_bench_priv(b, i);
		struct zc_case *c = zc_bench_case(b, i);
		int bi = base_case(b, i);
		struct zc_case *base = bi >= 0 ? zc_bench_case(b, bi) : NULL;

		if (c->status != ZC_CASE_OK)
			continue;
		if (!(st->set.var[fc->variant].m->flags & ZC_XFER_ZC))
			zc_case_absent(
				&b->res, c, M_ZC_PCT,
				"the method reports no zero-copy status");
		if (!base || base->status != ZC_CASE_OK || !base->nrep)
			zc_case_absent(&b->res, c, M_RATIO,
				       "no read-send baseline at this size, "
				       "cache and transport");
		else
			zc_results_ratio_of(&b->res, M_MS, M_RATIO, c, base, 0);
	}
}

/* ---- output ---- */

/* The IBM table of one cache and transport (lib/xfer_table.h). */
static void ibm_block(struct zc_bench *b, FILE *f, int cache, int tr)
{
	struct sf_state *st = b->st;
	double ms[ZC_LIST_MAX * MAX_VARIANTS];
	char title[64];
	const struct zc_xfer_table t = {title,	     &st->set,	  BASE_METHOD,
					opt_sizes.v, opt_sizes.n, ms};

	snprintf(title, sizeof(title), "%s, page cache %s",
		 tr == ZC_RECV_TCP ? "TCP loopback" : "AF_UNIX",
		 cache_words[cache].name);
	for (int v = 0; v < st->set.n; v++)
		for (int s = 0; s < opt_sizes.n; s++)
			ms[s * st->set.n + v] = zc_bench_median(
				b, find_case(b, v, s, cache, tr), M_MS);
	zc_xfer_table_print(f, &t);
}

/* The headlines: the IBM table per cache and transport. */
static void sf_headlines(struct zc_bench *b, FILE *f)
{
	for (int ci = 0; ci < opt_cache.n; ci++)
		for (int ti = 0; ti < opt_transport.n; ti++)
			ibm_block(b, f, (int)opt_cache.v[ci],
				  (int)opt_transport.v[ti]);
}

static int sf_files(struct zc_bench *b)
{
	struct zc_afile a;
	int err = zc_afile_open(&a, b->ctx->dir, "sendfile.ibm.txt");

	if (err < 0)
		return err;
	sf_headlines(b, a.f);
	return zc_afile_commit(&a);
}

/* Does variant v have measured cases in this cache and transport? */
static int has_data(struct zc_bench *b, int v, int cache, int tr)
{
	for (int s = 0; s < opt_sizes.n; s++)
		if (!isnan(zc_bench_median(b, find_case(b, v, s, cache, tr),
					   M_MS)))
			return 1;
	return 0;
}

/* The two plots: time and CPU cost against size, a line per method. */
static const struct {
	const char *name, *title, *subtitle, *ylabel, *metric;
	int logy, bars;
} sf_plot_desc[2] = {
	{"sendfile", "File to socket: time per transfer by file size",
	 "each line a sender method; zero-copy methods skip the copy into user "
	 "space; bars min..max",
	 "ms per transfer (median)", "ms", 1, 1},
	{"sendfile-cpu", "File to socket: CPU time of sender + receiver per GB",
	 "getrusage user + system of both processes; what each method costs "
	 "the machine, not just the clock",
	 "CPU ms per GB (median)", "cpu_ms_per_gb", 0, 0},
};

/* The plots for the first cache and transport, series only for methods
 * with data. Returns how many plots to render (0 when nothing ran). */
static int sf_plots(struct zc_bench *b, struct zc_plot *p, int max)
{
	struct sf_state *st = b->st;
	int cache = (int)opt_cache.v[0], tr = (int)opt_transport.v[0];

	for (int k = 0; k < 2 && k < max; k++) {
		struct zc_plot *q = &p[k];
		const char *m = sf_plot_desc[k].metric;

		zc_plot_init(q, sf_plot_desc[k].name, "size_mib", m, 1,
			     sf_plot_desc[k].logy);
		snprintf(q->csv, sizeof(q->csv), "sendfile.csv");
		if (!sf_plot_desc[k].bars)
			q->ylo[0] = q->yhi[0] = 0;
		snprintf(q->title, sizeof(q->title),
			 "%s (%s, cache %s; lower is better)",
			 sf_plot_desc[k].title, transport_words[tr].name,
			 cache_words[cache].name);
		snprintf(q->subtitle, sizeof(q->subtitle), "%s",
			 sf_plot_desc[k].subtitle);
		snprintf(q->xlabel, sizeof(q->xlabel), "file size [MiB]");
		snprintf(q->ylabel, sizeof(q->ylabel), "%s",
			 sf_plot_desc[k].ylabel);
		for (int v = 0; v < st->set.n; v++) {
			const struct zc_xfer_variant *var = &st->set.var[v];
			if (!has_data(b, v, cache, tr))
				continue;
			zc_plot_add_series(q, var->name, "method", var->m->name,
					   "buffer", var->buffer_key, "cache",
					   cache_words[cache].name, "transport",
					   transport_words[tr].name, NULL);
		}
	}
	return max >= 2 && p[0].nseries ? 2 : 0;
}

/* ---- the sweep ---- */

/* Everything the user can get wrong is refused before anything is
 * written: the CPUs, --dir (and, unless this is a dry run, whether its
 * file system has the calls the methods need). */
static int sf_check(struct zc_bench *b)
{
	struct sf_state *st = b->st;
	struct zc_ctx *ctx = b->ctx;
	const char *k = getenv("ZCBENCH_TEST_KILL_RECEIVER");
	long long max_mib = 0;

	zc_testfile_init(&st->tf);
	zc_receiver_init(&st->rcv);
	st->kill_after = k ? strtoull(k, NULL, 0) : 0;
	/* every method x buffer; the baseline is BASE_METHOD with BASE_BUFFER,
	 * or its largest buffer when BASE_BUFFER is not among them */
	zc_xfer_set_build(&st->set, opt_method.v, opt_method.n, opt_buffer.v,
			  opt_buffer.n, BASE_METHOD, BASE_BUFFER);
	if (ctx->ncpus == 1)
		return zc_usage(ctx, "--cpus: give two CPUs, the sender's and "
				     "the receiver's");
	if (ctx->ncpus >= 2 && ctx->cpus[0] == ctx->cpus[1])
		return zc_usage(ctx, "--cpus: sender and receiver need two "
				     "different CPUs");
	/* Too few CPUs: the cases are skipped with the reason (a dry run
	 * still shows the plan; a run then exits 77). */
	st->plan_err = zc_topo_plan_closest(&ctx->topo, ctx->cpus, ctx->ncpus,
					    &st->plan);
	if (st->plan_err && ctx->ncpus)
		return zc_usage(ctx, "--cpus: %s", st->plan.why);
	for (int i = 0; i < opt_sizes.n; i++)
		max_mib = opt_sizes.v[i] > max_mib ? opt_sizes.v[i] : max_mib;
	return check_dir(b, max_mib);
}

/* Sizes outermost, each a group (one file at a time), then cache (hot
 * cases together, so the file is read in once), transport, method. */
static int sf_sweep(struct zc_bench *b)
{
	static const int family[ZC_RECV_NTRANSPORTS] = {AF_INET, AF_UNIX};
	struct sf_state *st = b->st;
	int nv = st->set.n, nt = opt_transport.n, nc = opt_cache.n;
	char why[MAX_VARIANTS][ZC_RECV_NTRANSPORTS][ZC_XFER_WHY];
	int perr[MAX_VARIANTS][ZC_RECV_NTRANSPORTS];

	for (int v = 0; v < nv; v++)
		for (int k = 0; k < nt; k++) {
			int t = (int)opt_transport.v[k];
			perr[v][t] =
				zc_xfer_probe(st->set.var[v].m, family[t],
					      why[v][t], sizeof(why[v][t]));
		}
	for (int k = 0; k < opt_sizes.n * nc * nt * nv; k++) {
		int v = k % nv, t = (int)opt_transport.v[k / nv % nt],
		    cache = (int)opt_cache.v[k / nv / nt % nc],
		    s = k / nv / nt / nc, i;
		const struct zc_xfer_variant *var = &st->set.var[v];
		char sz[24];
		const char *vals[NKEYS] = {var->m->name, var->buffer_key, sz,
					   cache_words[cache].name,
					   transport_words[t].name};

		snprintf(sz, sizeof(sz), "%lld", opt_sizes.v[s]);
		i = zc_bench_add(b, vals, &st->plan, st->plan_err, s);
		if (i == -EEXIST)
			continue;
		if (i < 0)
			return i;
		*(struct sf_case *)zc_bench_priv(b, i) =
			(struct sf_case){v, s, cache, t};
		if (st->plan_err)
			; /* skipped by zc_bench_add with the plan's reason */
		else if (perr[v][t] < 0)
			zc_case_skip(zc_bench_case(b, i), "%s", why[v][t]);
		else if (cache == CACHE_COLD && st->tf.in_memory)
			zc_case_skip(zc_bench_case(b, i),
				     "--dir is on %s (in memory): pages cannot "
				     "be dropped",
				     st->tf.fstype);
	}
	return 0;
}

static double sf_estimate(struct zc_bench *b, int i)
{
	const struct sf_case *fc = zc_bench_priv(b, i);
	return (double)opt_sizes.v[fc->size] * MIB / EST_RATE + 0.01;
}

static void sf_plan_head(struct zc_bench *b)
{
	struct sf_state *st = b->st;
	long long total = 0;

	for (int i = 0; i < b->res.ncases; i++) {
		const struct sf_case *fc = zc_bench_priv(b, i);
		if (zc_bench_case(b, i)->status == ZC_CASE_OK)
			total += opt_sizes.v[fc->size];
	}
	if (st->plan_err)
		printf("no sender/receiver pair: %s\n", st->plan.why);
	else
		printf("sender on CPU %d, receiver (another process) on CPU %d "
		       "(%s)\n",
		       st->plan.cpu[0], st->plan.cpu[1],
		       zc_place_name(st->plan.place));
	printf("files in a new folder in '%s' (%s%s, %llu MiB free), one at a "
	       "time, removed after; %lld MiB sent in all\n",
	       st->tf.parent, st->tf.fstype,
	       st->tf.in_memory ? ", in memory" : "",
	       (unsigned long long)(st->tf.free_bytes / MIB),
	       total * (b->ctx->reps + 1));
}

/* ---- set-up and teardown ---- */

/* The results folder exists: our folder for the files, the receiver, the
 * sender pinned with its counters. 0 or an exit status; teardown undoes
 * whatever was done. */
static int sf_setup(struct zc_bench *b)
{
	struct sf_state *st = b->st;
	struct zc_ctx *ctx = b->ctx;
	const struct zc_receiver_config rc = {&ctx->topo, st->plan.cpu[1],
					      opt_receiver == RECV_SPLICE,
					      &ctx->events};
	int err;

	if (st->tf.in_memory)
		zc_warn(ctx,
			"'%s' is %s: the files live in memory, cold cache is "
			"skipped",
			st->tf.parent, st->tf.fstype);
	err = zc_testfile_mkdir(&st->tf, DIR_PREFIX);
	if (err < 0)
		return zc_error(ctx, "cannot create a folder in '%s': %s",
				st->tf.parent, strerror(-err));
	if (zc_receiver_start(&st->rcv, &rc) < 0)
		return zc_error(ctx, "%s", st->rcv.why);
	sched_getaffinity(0, sizeof(st->saved_affinity), &st->saved_affinity);
	st->pinned = 1;
	err = zc_topo_pin_self(&ctx->topo, st->plan.cpu[0]);
	if (err < 0)
		snprintf(b->fatal, sizeof(b->fatal),
			 "cannot pin the sender to CPU %d: %s", st->plan.cpu[0],
			 strerror(-err));
	else if (zc_counters_open(&st->ctr, &ctx->events) < 0)
		return zc_error(ctx, "cannot open the sender's counters");
	st->ctr_open = !err;
	return 0;
}

/* Everything this run put on disk goes, whatever happened. */
static void sf_teardown(struct zc_bench *b)
{
	struct sf_state *st = b->st;
	size_t n = strlen(b->fatal);

	sf_group_end(b, -1);
	files_remove(b);
	zc_receiver_stop(&st->rcv);
	if (st->ctr_open)
		zc_counters_close(&st->ctr);
	if (st->pinned)
		sched_setaffinity(0, sizeof(st->saved_affinity),
				  &st->saved_affinity);
	if (n)
		snprintf(b->fatal + n, sizeof(b->fatal) - n,
			 "; test files removed");
	if (zc_stopped())
		fprintf(stderr,
			"zcbench sendfile: stopping on signal %d; test files "
			"removed\n",
			zc_stopped());
}

static void sf_init(void)
{
	for (int i = 0; i < zc_xfer_nmethods && i < MAX_VARIANTS; i++)
		method_words[i] = (struct zc_word){zc_xfer_methods[i].name, i};
}

static const struct zc_side sf_sides[] = {
	{"snd", "sender"}, {"rcv", "receiver (another process)"}};

static const struct zc_bench_def sf_bench = {
	.opts = sf_opts,
	.keys = sf_keys,
	.nkeys = NKEYS,
	.metrics = sf_metrics,
	.nmetrics = M_COUNT,
	.item = "mib",
	.sides = sf_sides,
	.nsides = 2,
	.events_note = "per MiB of file sent; snd: the sending thread over "
		       "the timed transfer (first byte to the receiver's reply "
		       "and the zero-copy completions), rcv: the receiver "
		       "process from its ready byte to EOF",
	.state_size = sizeof(struct sf_state),
	.case_size = sizeof(struct sf_case),
	.init = sf_init,
	.check = sf_check,
	.sweep = sf_sweep,
	.plan_head = sf_plan_head,
	.estimate = sf_estimate,
	.setup = sf_setup,
	.teardown = sf_teardown,
	.group_begin = sf_group_begin,
	.group_end = sf_group_end,
	.one = sf_one,
	.derive = sf_derive,
	.plots = sf_plots,
	.headlines = sf_headlines,
	.files = sf_files,
};

static const struct zc_headline sf_headline[] = {
	{"ratio_to_read_send", "method", "sendfile",
	 "sendfile time vs read+send"},
	{"ratio_to_read_send", "method", "splice", "splice time vs read+send"},
	{NULL}};

const struct zc_command zc_cmd_sendfile = {
	.name = "sendfile",
	.summary = "file to socket: read+send vs sendfile, splice, io_uring, "
		   "zero-copy",
	.what = "a file to a socket: read+send, read+write, mmap+send, "
		"sendfile, splice, io_uring, MSG_ZEROCOPY; IBM's file sizes, "
		"hot "
		"and cold cache, TCP loopback and AF_UNIX; time, CPU of both "
		"ends, syscalls, bytes verified",
	.why = "the CPU and time that zero-copy saves over copying through "
	       "user space, by file size",
	.flags = ZC_CMD_RESULTS,
	.headlines = sf_headline,
	.bench = &sf_bench,
};
