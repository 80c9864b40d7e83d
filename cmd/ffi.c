/* SPDX-License-Identifier: MIT */
/*
 * zcbench ffi — a host delivering messages to native code: one call across
 * the boundary per message (C through a function pointer into a dlopen'ed
 * library, C with marshalling of a text record, CPython through ctypes)
 * versus writing plain messages into the shared-memory ring that a
 * consumer process drains (C producer, CPython producer through mmap).
 * Every path ends in the same consumer code (the sink library), which
 * verifies every message; the crossover is where the ring's host-side cost
 * per message drops below the call's.
 *
 * Test hook: ZC_FFI_KILL_CONSUMER=N makes the ring consumer process kill
 * itself (SIGKILL) after N messages. ZC_FFI_SINK / ZC_FFI_HOST override
 * where the sink library and the Python host script are found.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "drain.h"
#include "host.h"
#include "proc.h"
#include "ring.h"
#include "../plugins/ffi_msg.h"

enum {
	P_CALL,
	P_MARSHAL,
	P_PYCALL,
	P_RING,
	P_PYRING,
	NPATHS
};
#define SHM_MEMFD  0
#define SHM_NAMED  1
#define SIDE_HOST  0 /* zc_side: the producer */
#define SIDE_SINK  1 /* the ring's consumer process */
#define PLACE_AUTO (-1)

/* Filled from paths[] and zc_pair_place_words before parsing. */
static struct zc_word path_words[NPATHS + 1];
static struct zc_word place_words[ZC_PLACE_COUNT + 2];
static const struct zc_word shm_words[] = {
	{"memfd", SHM_MEMFD}, {"named", SHM_NAMED}, {NULL, 0}};

static struct zc_list opt_paths, opt_size, opt_batch;
static long long opt_capacity, opt_iso;
static double opt_seconds;
static const char *opt_python;
static int opt_shm, opt_place;

static const struct zc_opt ffi_opts[] = {
	ZC_OPT_CHOICES("paths",
		       "call,call-marshal,python-call,ring,python-ring",
		       "how messages reach the sink: call, call-marshal, "
		       "python-call (per-message calls); ring, python-ring "
		       "(through the shared ring)",
		       &opt_paths, path_words),
	ZC_OPT_LIST("size", "LIST", "bytes", "32,64,256,1024,4096",
		    "message sizes", &opt_size, ZC_FFI_SIZE_MIN,
		    ZC_FFI_SIZE_MAX, 8, NULL, .quick = "32,256,4096"),
	ZC_OPT_LIST("batch", "LIST", "messages", "1,8,64,256",
		    "ring paths: messages per claim/publish", &opt_batch, 1,
		    1 << 20, 0, NULL, .quick = "1,64"),
	ZC_OPT_INT("capacity", "N", "slots", "1024",
		   "ring slots, a power of two", &opt_capacity, 2, 1 << 24),
	ZC_OPT_INT("isolation", "N", "bytes", "128",
		   "ring: bytes between header, head and tail (64 or 128)",
		   &opt_iso, 64, 128),
	ZC_OPT_DOUBLE("seconds", "S", "s", "0.2",
		      "measured time per repetition", &opt_seconds, 0.001, 60,
		      .quick = "0.05"),
	ZC_OPT_STR("python", "PATH", "python3",
		   "Python 3 interpreter for the python paths (a name is "
		   "looked up on PATH); none: those paths are skipped",
		   &opt_python),
	ZC_OPT_CHOICE("shm", "memfd",
		      "how the Python host reaches the ring: memfd (inherits "
		      "the fd) or named (shm_open, 0600, unlinked at the end)",
		      &opt_shm, shm_words),
	ZC_OPT_CHOICE("place", "auto",
		      "host and consumer CPUs: a pair class (auto: the closest "
		      "pair of distinct cores) or cpus (with --cpus A,B)",
		      &opt_place, place_words),
	ZC_OPT_END};

static const char *const ffi_keys[] = {"path", "size", "batch"};
#define NKEYS 3

enum {
	M_HOST_NS,
	M_HOST_CPU,
	M_MMSGS,
	M_MBPS,
	M_CONS_CPU,
	M_VS_CALL,
	NMETRICS
};
static const struct zc_metric ffi_metrics[NMETRICS] = {
	[M_HOST_NS] = {"host_ns_per_msg", "ns", ZC_BETTER_LOWER,
		       "producer's wall time per message (fill and deliver)",
		       ZC_M_SHOW, ZC_GB_REAL_TIME, 1},
	[M_HOST_CPU] = {"host_cpu_ns_per_msg", "ns", ZC_BETTER_LOWER,
			"producer's CPU time per message (thread CPU clock); "
			"call paths include the sink's checking",
			ZC_M_SHOW, ZC_GB_CPU_TIME, 1},
	[M_MMSGS] = {"mmsgs_per_s", "M msgs/s", ZC_BETTER_HIGHER,
		     "end to end: messages verified by the sink per second, "
		     "from the producer's first message to the last check",
		     ZC_M_SHOW, ZC_GB_ITEMS_PER_SECOND, 1e6},
	[M_MBPS] = {"mb_per_s", "MB/s", ZC_BETTER_HIGHER,
		    "end to end: message bytes per second", 0,
		    ZC_GB_BYTES_PER_SECOND, 1e6},
	[M_CONS_CPU] = {"consumer_cpu_ns_per_msg", "ns", ZC_BETTER_NONE,
			"ring consumer process's CPU per message (it spins "
			"while the ring is empty)",
			0, ZC_GB_NONE, 1},
	[M_VS_CALL] = {"speedup_vs_call", "x", ZC_BETTER_HIGHER,
		       "host ns/msg of the per-call path of the same language "
		       "and size (call or python-call) over this case's; > 1: "
		       "this path costs the host less",
		       ZC_M_SHOW | ZC_M_PORTABLE, ZC_GB_NONE, 1},
};

struct ffi_case {
	int path;
	uint32_t size, batch;
	uint64_t count; /* messages per repetition, from the warm-up */
};

struct ffi_st {
	int host_cpu, cons_cpu, pair_err;
	struct zc_plan pair, solo; /* ring paths: host, consumer; calls */
	char sink_path[PATH_MAX], host_path[PATH_MAX], python[PATH_MAX];
	char sink_why[300], python_why[300];
	struct zc_ffi_sink sink; /* closed in teardown (or at exit) */
	unsigned char *pool[ZC_FFI_PAYLOADS];
	struct zc_ffi_verdict v; /* call paths' */
	struct zc_drain drain;	 /* ring paths: the consumer process */
	unsigned seq;		 /* names of named segments */
	cpu_set_t saved_affinity;
};

/* One repetition's raw figures. */
struct sample {
	uint64_t count;	  /* messages */
	struct zc_host h; /* the producer's region (lib/host.h) */
	uint64_t e2e_end; /* the last message checked */
	uint64_t cons_cpu_ns;
	struct zc_counts sink;
	int has_cons;
};

/* A ring for one repetition and the children around it: ch[0] a Python
 * producer, ch[1] the consumer process. */
struct ffi_ring {
	struct zc_ring r;
	char name[64];
	size_t bytes;
	struct zc_child ch[2];
};

typedef void (*fill_fn)(void *dst, uint32_t size, uint64_t id,
			unsigned char *const *pool);
/* One repetition into s, or a ring path's producer (fr: the repetition's
 * ring; NULL for a whole repetition). 0 or -errno with why. */
typedef int (*run_fn)(struct zc_bench *b, const struct ffi_case *fc,
		      struct ffi_ring *fr, struct sample *s, char *why,
		      size_t len);

/* The paths as data (the table is below the functions it names). */
struct ffi_path {
	const char *name;
	int python;	/* produced by the Python host */
	int ring;	/* through the ring to a consumer process */
	int baseline;	/* the per-call path this one is compared with */
	run_fn run;	/* one repetition */
	fill_fn fill;	/* C calls: how message id is made */
	run_fn produce; /* ring paths: who writes into the ring */
};
static const struct ffi_path paths[NPATHS];

static const char no_consumer[] = "no consumer process: the sink runs inside "
				  "the host's call (counted on the host side)";

/* ---- the sink library and the interpreter ------------------------------- */

static const char *const beside_binary[] = {".", "../libexec/zcbench", NULL};

static void load_sink(struct ffi_st *st)
{
	if (zc_locate("ZC_FFI_SINK", ZC_FFI_SINK_NAME, beside_binary,
		      ZC_LIBEXECDIR, st->sink_path, sizeof(st->sink_path),
		      st->sink_why, sizeof(st->sink_why)) == 0)
		zc_ffi_sink_open(&st->sink, st->sink_path, st->sink_why,
				 sizeof(st->sink_why));
}

static void find_python(struct ffi_st *st)
{
	char why[300];

	if (zc_locate("ZC_FFI_HOST", "zcbench_ffi_host.py", beside_binary,
		      ZC_LIBEXECDIR, st->host_path, sizeof(st->host_path), why,
		      sizeof(why)) < 0) {
		st->host_path[0] = 0;
		snprintf(st->python_why, sizeof(st->python_why), "%s", why);
	}
	if (zc_which(opt_python, st->python, sizeof(st->python), why,
		     sizeof(why)) < 0)
		snprintf(st->python_why, sizeof(st->python_why),
			 "no Python interpreter: %s%s", why,
			 strchr(opt_python, '/') ? ""
						 : " (give --python PATH)");
}

#define STOP_CHECK 4095 /* messages between looks at the stop flag */

/* A C host's measured loop (lib/host.h zc_host_self). */
struct loop {
	struct ffi_st *st;
	const struct ffi_case *fc;
	struct zc_ring *r; /* ring paths */
	uint64_t count;
};

/* ---- call, call-marshal: calls from this thread ------------------------- */

static struct zc_ffi_text text_recs[ZC_FFI_RECS]; /* call-marshal's input */

static void marshal(void *dst, uint32_t size, uint64_t id,
		    unsigned char *const *pool)
{
	zc_ffi_marshal(dst, size, id, text_recs, pool);
}

static int call_loop(void *arg)
{
	_Alignas(64) unsigned char buf[ZC_FFI_SIZE_MAX];
	const struct loop *l = arg;
	const struct ffi_case *fc = l->fc;
	zc_ffi_consume_fn consume = l->st->sink.consume;
	fill_fn fill = paths[fc->path].fill;
	unsigned char *const *pool = l->st->pool;

	for (uint64_t id = 0; id < l->count; id++) {
		fill(buf, fc->size, id, pool);
		consume(buf);
		if ((id & STOP_CHECK) == STOP_CHECK && zc_stopped())
			return -EINTR;
	}
	return 0;
}

static int run_call(struct zc_bench *b, const struct ffi_case *fc,
		    struct ffi_ring *no_ring, struct sample *s, char *why,
		    size_t len)
{
	struct ffi_st *st = b->st;
	struct loop l = {st, fc, NULL, s->count};
	int err;

	st->sink.begin(fc->size);
	err = zc_host_self(&s->h, &b->ctx->topo, st->host_cpu, &b->ctx->events,
			   call_loop, &l, why, len);
	s->e2e_end = s->h.t_end;
	if (err)
		return err;
	st->sink.end(&st->v);
	return zc_ffi_verdict_check(&st->v, s->count, why, len);
}

/* ---- ring paths: a consumer process drains the ring --------------------- */

static void sink_end(void *arg, void *out)
{
	const struct ffi_st *st = arg;
	st->sink.end(out);
}
static_assert(sizeof(struct zc_ffi_verdict) <= ZC_DRAIN_OUT, "verdict fits");

/* A fresh ring (named for a Python host that attaches by name), the
 * consumer process (lib/drain.h), the path's producer; then the consumer's
 * report and the sink's verdict. */
static int run_ring(struct zc_bench *b, const struct ffi_case *fc,
		    struct ffi_ring *no_ring, struct sample *s, char *why,
		    size_t len)
{
	const struct ffi_path *pd = &paths[fc->path];
	int named = pd->python && opt_shm == SHM_NAMED;
	struct ffi_st *st = b->st;
	struct zc_ring_cfg cfg = {.slot_size = fc->size,
				  .capacity = (uint64_t)opt_capacity,
				  .isolation = (uint32_t)opt_iso,
				  .node = -1,
				  .mem_flags =
					  named ? ZC_MEM_NAMED : ZC_MEM_MEMFD,
				  .name = NULL};
	const char *kill = getenv("ZC_FFI_KILL_CONSUMER");
	struct zc_drain_cfg dc = {.topo = &b->ctx->topo,
				  .cpu = st->cons_cpu,
				  .events = &b->ctx->events,
				  .consume = st->sink.consume,
				  .end = sink_end,
				  .arg = st,
				  .kill_after =
					  kill ? strtoull(kill, NULL, 10) : 0};
	const struct zc_drain_report *rep = st->drain.rep;
	struct ffi_ring fr;
	int err;

	snprintf(fr.name, sizeof(fr.name), "/zc-ffi-%d-%u", (int)getpid(),
		 st->seq++);
	cfg.name = fr.name;
	fr.bytes = zc_ring_bytes(&cfg);
	err = zc_ring_create(&fr.r, &cfg);
	if (err < 0) {
		snprintf(why, len, "cannot create the ring: %s",
			 zc_ring_strerror(err));
		return err;
	}
	zc_child_init(&fr.ch[0], "the Python host");
	/* The consumer's sink state is this process's, copied by fork. */
	st->sink.begin(fc->size);
	err = zc_drain_fork(&st->drain, &fr.ch[1], &fr.r, &dc, s->count);
	if (err < 0)
		snprintf(why, len, "cannot fork the consumer: %s",
			 strerror(-err));
	else
		err = pd->produce(b, fc, &fr, s, why, len);
	zc_child_kill(&fr.ch[0]);
	zc_child_kill(&fr.ch[1]);
	zc_ring_free(&fr.r);
	if (!err)
		err = zc_drain_result(&st->drain, why, len);
	if (err)
		return err;
	s->e2e_end = rep->t_end;
	s->cons_cpu_ns = rep->cpu_ns;
	s->sink = rep->counts;
	s->has_cons = 1;
	memcpy(&st->v, rep->out, sizeof(st->v));
	return zc_ffi_verdict_check(&st->v, s->count, why, len);
}

static int ring_loop(void *arg)
{
	const struct loop *l = arg;
	const struct ffi_case *fc = l->fc;
	unsigned char *const *pool = l->st->pool;
	struct zc_ring *r = l->r;
	uint64_t id = 0, lo, count = l->count;
	int err;

	while (id < count) {
		uint32_t n = count - id < fc->batch ? (uint32_t)(count - id)
						    : fc->batch;
		err = zc_ring_claim(r, n, &lo);
		if (err)
			return err;
		for (uint64_t q = lo; q < lo + n; q++)
			zc_ffi_fill(zc_ring_slot(r, q), fc->size, q, pool);
		zc_ring_publish(r, lo, lo + n - 1);
		id += n;
		if ((id & ~(uint64_t)STOP_CHECK) !=
			    ((id - n) & ~(uint64_t)STOP_CHECK) &&
		    zc_stopped())
			return -EINTR;
	}
	return 0;
}

/* ring: this thread writes batches into the ring. */
static int produce_c(struct zc_bench *b, const struct ffi_case *fc,
		     struct ffi_ring *fr, struct sample *s, char *why,
		     size_t len)
{
	struct ffi_st *st = b->st;
	struct loop l = {st, fc, &fr->r, s->count};
	int err;

	zc_drain_guard(&st->drain, &fr->r);
	err = zc_host_self(&s->h, &b->ctx->topo, st->host_cpu, &b->ctx->events,
			   ring_loop, &l, why, len);
	if (err == -EPIPE) {
		size_t k;
		zc_child_explain(&fr->ch[1], why, len);
		k = strlen(why);
		snprintf(why + k, len - k,
			 "; the producer noticed with %llu of %llu messages "
			 "sent",
			 (unsigned long long)fr->r.prod_next,
			 (unsigned long long)s->count);
	} else if (err == -EINTR) {
		snprintf(why, len, "interrupted");
	}
	return err ? err
		   : zc_child_supervise(&fr->ch[1], 1, b->ctx->timeout_s, why,
					len);
}

/* ---- python-call, python-ring: the Python host (lib/host.h) ------------- */

static uint64_t json_u64(json_t *o, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(o, key));
}

/* The Python host (lib/host.h), beside the ring's consumer process (fr
 * NULL: call mode, alone). */
static int run_python(struct zc_bench *b, const struct ffi_case *fc,
		      struct ffi_ring *fr, struct sample *s, char *why,
		      size_t len)
{
	struct ffi_st *st = b->st;
	char num[5][24];
	char *argv[20] = {
		st->python, st->host_path, "--mode", fr ? "ring" : "call",
		"--lib",    st->sink_path, "--size", num[0],
		"--count",  num[1]};
	int named = fr && opt_shm == SHM_NAMED, keep[2] = {-1, -1}, err;
	struct zc_spawn sp = {.what = "the Python host",
			      .path = st->python,
			      .argv = argv,
			      .cpu = st->host_cpu,
			      .keep = keep,
			      .capture = ZC_CHILD_OUT | ZC_CHILD_ERR};
	struct zc_child alone;
	json_t *v;

	snprintf(num[0], sizeof(num[0]), "%u", fc->size);
	snprintf(num[1], sizeof(num[1]), "%llu", (unsigned long long)s->count);
	if (fr) {
		snprintf(num[2], sizeof(num[2]), "%u", fc->batch);
		snprintf(num[3], sizeof(num[3]), "%zu", fr->bytes);
		snprintf(num[4], sizeof(num[4]), "%d", fr->r.mem.fd);
		argv[10] = "--batch";
		argv[11] = num[2];
		argv[12] = "--len";
		argv[13] = num[3];
		argv[14] = named ? "--name" : "--fd";
		argv[15] = named ? fr->name : num[4];
		keep[0] = named ? -1 : fr->r.mem.fd;
	}
	err = zc_host_run(&s->h, &sp, fr ? fr->ch : &alone, fr ? 1 : 0,
			  &b->ctx->events, b->ctx->timeout_s, why, len);
	v = json_object_get(s->h.report, "verdict");
	st->v = (struct zc_ffi_verdict){
		.received = json_u64(v, "received"),
		.bad = json_u64(v, "bad"),
		.first_bad = json_u64(v, "first_bad"),
		.first_err = (int32_t)json_u64(v, "first_err")};
	if (!err && s->h.count != s->count) {
		snprintf(why, len, "the Python host sent %llu messages of %llu",
			 (unsigned long long)s->h.count,
			 (unsigned long long)s->count);
		err = -EPROTO;
	} else if (!err && v) {
		err = zc_ffi_verdict_check(&st->v, s->count, why, len);
	}
	s->e2e_end = s->h.t_end;
	zc_host_release(&s->h);
	return err;
}

/* ---- the paths ---------------------------------------------------------- */

static const struct ffi_path paths[NPATHS] = {
	/* C: a call per message through a function pointer into the sink */
	[P_CALL] = {.name = "call",
		    .baseline = P_CALL,
		    .run = run_call,
		    .fill = zc_ffi_fill},
	/* C: the same, each message parsed from a text record first */
	[P_MARSHAL] = {.name = "call-marshal",
		       .baseline = P_CALL,
		       .run = run_call,
		       .fill = marshal},
	/* CPython: a dict packed into a ctypes buffer, a ctypes call each */
	[P_PYCALL] = {.name = "python-call",
		      .python = 1,
		      .baseline = P_PYCALL,
		      .run = run_python},
	/* C: batches written into the ring, a consumer process calls */
	[P_RING] = {.name = "ring",
		    .ring = 1,
		    .baseline = P_CALL,
		    .run = run_ring,
		    .produce = produce_c},
	/* CPython: dicts packed into the ring's slots through mmap */
	[P_PYRING] = {.name = "python-ring",
		      .python = 1,
		      .ring = 1,
		      .baseline = P_PYCALL,
		      .run = run_ring,
		      .produce = run_python},
};

/* ---- one repetition ----------------------------------------------------- */

static int ffi_one(struct zc_bench *b, int i, int rep)
{
	struct ffi_st *st = b->st;
	struct ffi_case *fc = zc_bench_priv(b, i);
	struct zc_case *c = zc_bench_case(b, i);
	const struct ffi_path *pd = &paths[fc->path];
	struct sample s = {0};
	char why[ZC_WHY_LEN] = "";
	double n, ns, e2e;
	int err;

	/* The warm-up sizes the repetitions: a probe, then enough messages
	 * for --seconds at the rate it showed. */
	if (rep < 0 || !fc->count) {
		uint64_t probe = pd->python ? 3000 : (1u << 22) / fc->size;
		s.count = probe < 4096 && !pd->python ? 4096 : probe;
	} else {
		s.count = fc->count;
	}
	err = pd->run(b, fc, NULL, &s, why, sizeof(why));
	sched_setaffinity(0, sizeof(st->saved_affinity), &st->saved_affinity);
	if (err == -EINTR || (err && zc_stopped()))
		return -EINTR;
	if (err) {
		zc_case_fail(&b->res, c, "%s", why);
		zc_error(b->ctx, "%s failed: %s", c->name, why);
		return err;
	}
	n = (double)s.count;
	ns = (double)s.h.host_ns;
	e2e = (double)(s.e2e_end - s.h.t_start);
	if (rep < 0 || !fc->count) {
		double want = n / (ns > 1 ? ns : 1) * b->seconds * 1e9;
		fc->count = want < 1000 ? 1000 : want > 4e9 ? 4e9 : want;
		if (rep < 0)
			return 0;
	}
	if (!c->cpus[0]) /* verified by the run */
		zc_topo_format_cpus(b->bc[i].cpu, b->bc[i].ncpu, c->cpus,
				    sizeof(c->cpus));
	c->iterations[rep] = n;
	zc_case_set(&b->res, c, rep, M_HOST_NS, ns / n);
	zc_case_set(&b->res, c, rep, M_HOST_CPU, (double)s.h.cpu_ns / n);
	zc_case_set(&b->res, c, rep, M_MMSGS, n / e2e * 1e3);
	zc_case_set(&b->res, c, rep, M_MBPS, n * fc->size / e2e * 1e3);
	if (s.h.counted)
		zc_bench_count(b, i, rep, SIDE_HOST, &s.h.counts, n);
	else
		zc_bench_count_absent(b, i, SIDE_HOST,
				      "the Python host did not announce a "
				      "whole measured region");
	if (s.has_cons) {
		zc_case_set(&b->res, c, rep, M_CONS_CPU,
			    (double)s.cons_cpu_ns / n);
		zc_bench_count(b, i, rep, SIDE_SINK, &s.sink, n);
	} else {
		zc_case_absent(&b->res, c, M_CONS_CPU, no_consumer);
		zc_bench_count_absent(b, i, SIDE_SINK, no_consumer);
	}
	return 0;
}

/* ---- after the run: ratios, crossover, plot ------------------------------ */

/* Metric m's median in the first OK case of path and size (batch 0: any
 * batch); NaN when there is none. */
static double median_of(struct zc_bench *b, int path, uint32_t size,
			uint32_t batch, int m)
{
	char sv[16], bv[16];

	snprintf(sv, sizeof(sv), "%u", size);
	snprintf(bv, sizeof(bv), "%u", batch);
	/* batch 0: the NULL key ends the list before "batch" */
	return zc_bench_median(b,
			       zc_bench_find(b, "path", paths[path].name,
					     "size", sv, batch ? "batch" : NULL,
					     bv, NULL),
			       m);
}

/* speedup_vs_call's base is the per-call path of the same language and
 * size (a zc_ratio_def has one base for all). A host that had its CPU much
 * less than the wall time was preempted: its label says so. */
static void ffi_derive(struct zc_bench *b)
{
	for (int i = 0; i < b->res.ncases; i++) {
		const struct ffi_case *fc = zc_bench_priv(b, i);
		struct zc_case *c = zc_bench_case(b, i);
		int base = paths[fc->path].baseline;
		double bv = median_of(b, base, fc->size, 0, M_HOST_NS),
		       ns = zc_bench_median(b, i, M_HOST_NS),
		       cpu = zc_bench_median(b, i, M_HOST_CPU);
		size_t n = strlen(c->label);
		char why[ZC_WHY_LEN];

		if (c->status != ZC_CASE_OK)
			continue;
		if (ns > 0 && cpu / ns <= 0.9)
			snprintf(c->label + n, sizeof(c->label) - n,
				 "%shost had its CPU %.0f%% of the time "
				 "(preempted)",
				 n ? "; " : "", 100 * cpu / ns);
		snprintf(why, sizeof(why),
			 "no successful %s case of %u B to compare with",
			 paths[base].name, fc->size);
		if (isnan(bv))
			zc_case_absent(&b->res, c, M_VS_CALL, why);
		for (int r = 0; r < c->nrep && !isnan(bv); r++)
			zc_case_set(&b->res, c, r, M_VS_CALL,
				    bv / zc_case_get(&b->res, c, r, M_HOST_NS));
	}
}

/* Per language: the ring path and the per-call path it is set against. */
static const int xpairs[2][2] = {{P_RING, P_CALL}, {P_PYRING, P_PYCALL}};

struct xover {
	uint32_t from, best_b; /* from: 0 when the ring never stays ahead */
	double best, cv;
};

/*
 * The crossover of pair p at one message size by metric m (host wall or
 * CPU ns): the smallest batch from which the ring's cost per message stays
 * below the call's, and the ring's best batch. -ENOENT when either side
 * has no data.
 */
static int xover(struct zc_bench *b, int p, uint32_t size, int m,
		 struct xover *x)
{
	*x = (struct xover){.best = INFINITY,
			    .cv = median_of(b, xpairs[p][1], size, 0, m)};
	for (int bi = 0; bi < opt_batch.n && !isnan(x->cv); bi++) {
		uint32_t bt = (uint32_t)opt_batch.v[bi];
		double rv = median_of(b, xpairs[p][0], size, bt, m);
		if (isnan(rv))
			continue;
		if (rv < x->best) {
			x->best = rv;
			x->best_b = bt;
		}
		/* the ring must stay ahead from there on */
		x->from = rv >= x->cv ? 0 : x->from ? x->from : bt;
	}
	return x->best_b ? 0 : -ENOENT;
}

static void print_xover(FILE *f, int p, uint32_t size, const struct xover *x)
{
	fprintf(f, "  %-11s %4u B: ", paths[xpairs[p][0]].name, size);
	if (x->from)
		fprintf(f, "wins from batch %u", x->from);
	else
		fprintf(f, "%s",
			x->best < x->cv ? "wins only at some batches (noise?)"
					: "never wins");
	fprintf(f, " (best %.1f ns at batch %u vs %s %.1f ns, %.2fx)\n",
		x->best, x->best_b, paths[xpairs[p][1]].name, x->cv,
		x->cv / x->best);
}

/* The crossover by host wall and CPU time, per language and size. */
static void ffi_headlines(struct zc_bench *b, FILE *f)
{
	for (int m = M_HOST_NS; m <= M_HOST_CPU; m++)
		for (int k = 0, printed = 0; k < 2 * opt_size.n; k++) {
			uint32_t size = (uint32_t)opt_size.v[k % opt_size.n];
			struct xover x;

			if (xover(b, k / opt_size.n, size, m, &x))
				continue;
			if (!printed++)
				fprintf(f,
					"\ncrossover by host %s ns per "
					"message, "
					"ring vs per-message call:\n",
					m == M_HOST_NS ? "wall" : "CPU");
			print_xover(f, k / opt_size.n, size, &x);
		}
}

/* The plot's marks: where each language's ring first wins (by wall). */
static void mark_crossover(struct zc_bench *b, char *extra, size_t len)
{
	size_t used = strlen(extra);

	for (int p = 0; p < 2 && used < len; p++) {
		const char *ring = paths[xpairs[p][0]].name;
		uint32_t size = 0;
		struct xover x = {0};

		for (int si = 0; si < opt_size.n && !x.from; si++) {
			size = (uint32_t)opt_size.v[si];
			xover(b, p, size, M_HOST_NS, &x);
		}
		if (x.from)
			used += (size_t)snprintf(
				extra + used, len - used,
				"set arrow %d from %u, graph 0 to %u, graph 1 "
				"nohead dt 2 lc rgb \"%s\"\n"
				"set label %d \"%s wins from %u B (batch %u)\" "
				"at %u, graph %.2f left offset 0.5,0 front\n",
				p + 1, size, size, p ? "#d62728" : "#1f77b4",
				p + 1, ring, size, x.from, size,
				p ? 0.90 : 0.96);
		else if (opt_size.n)
			used += (size_t)snprintf(
				extra + used, len - used,
				"set label %d \"%s: no crossover measured\" at "
				"graph 0.02, graph %.2f front\n",
				p + 1, ring, p ? 0.90 : 0.96);
	}
}

static int ffi_plots(struct zc_bench *b, struct zc_plot *p, int max)
{
	zc_plot_init(p, "ffi", "size", "host_ns_per_msg", 1, 1);
	snprintf(p->title, sizeof(p->title),
		 "Host cost per message: a call per message vs writing into "
		 "the shared ring (lower is better)");
	snprintf(p->subtitle, sizeof(p->subtitle),
		 "every message verified by the same sink; dashed line: "
		 "smallest size where a ring batch beats the call");
	snprintf(p->xlabel, sizeof(p->xlabel), "message size [bytes]");
	snprintf(p->ylabel, sizeof(p->ylabel),
		 "host ns per message (median, bars min..max)");
	for (int pi = 0; pi < opt_paths.n; pi++) {
		const struct ffi_path *pd = &paths[opt_paths.v[pi]];
		char bv[16], title[96];
		if (!pd->ring)
			zc_plot_add_series(p, pd->name, "path", pd->name, NULL);
		for (int bi = 0; pd->ring && bi < opt_batch.n; bi++) {
			snprintf(bv, sizeof(bv), "%lld", opt_batch.v[bi]);
			snprintf(title, sizeof(title), "%s, batch %s", pd->name,
				 bv);
			zc_plot_add_series(p, title, "path", pd->name, "batch",
					   bv, NULL);
		}
	}
	mark_crossover(b, p->extra, sizeof(p->extra));
	return p->nseries && max > 0 ? 1 : 0;
}

/* ---- planning ----------------------------------------------------------- */

/* Host and consumer CPUs; the call paths need the host's only. */
static int plan_cpus(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	struct ffi_st *st = b->st;

	if (opt_place == PLACE_AUTO)
		st->pair_err = zc_topo_plan_closest(&ctx->topo, ctx->cpus,
						    ctx->ncpus, &st->pair);
	else
		st->pair_err = zc_topo_plan(&ctx->topo, opt_place, 2, ctx->cpus,
					    ctx->ncpus, &st->pair);
	if (st->pair_err == -EINVAL)
		return zc_usage(ctx, "--place: %s", st->pair.why);
	st->solo = st->pair;
	if (st->pair_err)
		zc_topo_plan(&ctx->topo, ZC_PLACE_COMPACT, 1, NULL, 0,
			     &st->solo);
	st->solo.nthreads = 1;
	st->host_cpu = st->solo.cpu[0];
	st->cons_cpu = st->pair_err ? -1 : st->pair.cpu[1];
	return 0;
}

static int ffi_check(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	int rc;

	if (opt_capacity & (opt_capacity - 1))
		return zc_usage(ctx,
				"--capacity: %lld is not a power of two: "
				"expected 2, 4, 8 ... %d",
				opt_capacity, 1 << 24);
	if (opt_iso != 64 && opt_iso != 128)
		return zc_usage(ctx, "--isolation: %lld: expected 64 or 128",
				opt_iso);
	for (int i = 0; i < opt_batch.n; i++)
		if (opt_batch.v[i] > opt_capacity)
			return zc_usage(ctx,
					"--batch: %lld is larger than the "
					"ring (--capacity %lld): expected "
					"1..%lld",
					opt_batch.v[i], opt_capacity,
					opt_capacity);
	for (int i = 0; i < opt_size.n; i++)
		if (pages > 0 && psz > 0 &&
		    (double)opt_capacity * (double)opt_size.v[i] >
			    (double)pages * (double)psz / 4)
			return zc_usage(ctx,
					"--capacity %lld of %lld-byte slots "
					"needs more than a quarter of this "
					"machine's memory: use fewer slots",
					opt_capacity, opt_size.v[i]);
	if (opt_place == ZC_PLACE_CPUS && ctx->ncpus != 2)
		return zc_usage(ctx, "--place cpus needs --cpus with two CPUs "
				     "(host,consumer)");
	if (ctx->ncpus && ctx->ncpus != 2)
		return zc_usage(ctx,
				"--cpus: give two CPUs (host,consumer), not %d",
				ctx->ncpus);
	if (ctx->ncpus)
		opt_place = ZC_PLACE_CPUS;
	rc = plan_cpus(b);
	if (!rc) {
		load_sink(b->st);
		find_python(b->st);
	}
	return rc;
}

/* Every path and size, and every batch for the ring paths. */
static int ffi_sweep(struct zc_bench *b)
{
	struct ffi_st *st = b->st;

	for (int pi = 0; pi < opt_paths.n; pi++) {
		const struct ffi_path *pd = &paths[opt_paths.v[pi]];
		int nb = pd->ring ? opt_batch.n : 1;
		for (int k = 0; k < opt_size.n * nb; k++) {
			struct ffi_case fc = {
				.path = (int)opt_paths.v[pi],
				.size = (uint32_t)opt_size.v[k / nb],
				.batch = pd->ring
						 ? (uint32_t)opt_batch.v[k % nb]
						 : 1};
			char sv[16], bv[16];
			const char *vals[NKEYS] = {pd->name, sv, bv};
			struct zc_case *c;
			int i;

			snprintf(sv, sizeof(sv), "%u", fc.size);
			snprintf(bv, sizeof(bv), "%u", fc.batch);
			i = zc_bench_add(b, vals,
					 pd->ring ? &st->pair : &st->solo,
					 pd->ring ? st->pair_err : 0, 0);
			if (i < 0)
				return i;
			*(struct ffi_case *)zc_bench_priv(b, i) = fc;
			c = zc_bench_case(b, i);
			if (pd->ring)
				snprintf(c->label, sizeof(c->label), "ring: %s",
					 pd->python && opt_shm == SHM_NAMED
						 ? "named shm"
						 : "memfd");
			if (st->sink_why[0])
				zc_case_skip(c, "%s", st->sink_why);
			else if (pd->python && st->python_why[0])
				zc_case_skip(c, "%s", st->python_why);
		}
	}
	return 0;
}

static void ffi_plan_head(struct zc_bench *b)
{
	struct ffi_st *st = b->st;

	printf("  sink   %s\n", st->sink_why[0] ? st->sink_why : st->sink_path);
	printf("  python %s\n",
	       st->python_why[0] ? st->python_why : st->python);
	printf("  host   %s\n",
	       st->host_path[0] ? st->host_path : "(not found)");
}

/* A Python repetition also starts an interpreter. */
static double ffi_estimate(struct zc_bench *b, int i)
{
	const struct ffi_case *fc = zc_bench_priv(b, i);
	return b->seconds + (paths[fc->path].python ? 0.1 : 0.01);
}

static int ffi_setup(struct zc_bench *b)
{
	struct ffi_st *st = b->st;
	int err = zc_drain_init(&st->drain);

	if (err < 0)
		return zc_error(b->ctx,
				"cannot map the consumer's report page: %s",
				strerror(-err));
	for (unsigned v = 0; v < ZC_FFI_PAYLOADS; v++) {
		st->pool[v] = aligned_alloc(64, ZC_FFI_SIZE_MAX);
		if (!st->pool[v])
			return zc_error(b->ctx, "out of memory");
		/* the largest size: every size's payload is its prefix */
		zc_ffi_payload(st->pool[v], ZC_FFI_SIZE_MAX, v);
	}
	for (unsigned k = 0; k < ZC_FFI_RECS; k++)
		zc_ffi_text_rec(&text_recs[k], k);
	sched_getaffinity(0, sizeof(st->saved_affinity), &st->saved_affinity);
	return 0;
}

static void ffi_teardown(struct zc_bench *b)
{
	struct ffi_st *st = b->st;

	for (unsigned v = 0; v < ZC_FFI_PAYLOADS; v++)
		free(st->pool[v]);
	zc_drain_release(&st->drain);
	if (st->sink.dl)
		dlclose(st->sink.dl);
}

static void ffi_init(void)
{
	int n = 0;

	for (int i = 0; i < NPATHS; i++)
		path_words[i] = (struct zc_word){paths[i].name, i};
	place_words[n++] = (struct zc_word){"auto", PLACE_AUTO};
	for (int i = 0; zc_pair_place_words[i].name && n <= ZC_PLACE_COUNT; i++)
		place_words[n++] = zc_pair_place_words[i];
}

static const struct zc_side ffi_sides[] = {
	[SIDE_HOST] = {"host", "host (producer)"},
	[SIDE_SINK] = {"sink", "sink (consumer process)"},
};

static const struct zc_bench_def ffi_bench = {
	.opts = ffi_opts,
	.keys = ffi_keys,
	.nkeys = NKEYS,
	.metrics = ffi_metrics,
	.nmetrics = NMETRICS,
	.item = "msg",
	.sides = ffi_sides,
	.nsides = 2,
	.events_note =
		"per message; host: this thread on the C paths, the Python "
		"process's main thread on the python paths (enabled when the "
		"host announces its measured region over a socket, "
		"lib/region.h: one socket read and write more, a few us); "
		"sink: the ring paths' consumer process (on the call paths the "
		"sink runs inside the host's call, counted as the host)",
	.state_size = sizeof(struct ffi_st),
	.case_size = sizeof(struct ffi_case),
	.init = ffi_init,
	.check = ffi_check,
	.sweep = ffi_sweep,
	.plan_head = ffi_plan_head,
	.estimate = ffi_estimate,
	.setup = ffi_setup,
	.teardown = ffi_teardown,
	.one = ffi_one,
	.derive = ffi_derive,
	.plots = ffi_plots,
	.headlines = ffi_headlines,
};

static const struct zc_headline ffi_headline[] = {
	{"speedup_vs_call", "path", "ring",
	 "C producer writing into the ring vs a call per message (host cost)"},
	{"speedup_vs_call", "path", "python-ring",
	 "Python writing into the ring vs a ctypes call per message"},
	{NULL}};

const struct zc_command zc_cmd_ffi = {
	.name = "ffi",
	.summary = "per-message calls into native code vs the shared ring",
	.what = "a call per message into a dlopen'ed library (plain, with "
		"marshalling, from Python through ctypes) against writing "
		"plain "
		"messages into the shared ring (from C, from Python through "
		"mmap): host cost per message and the crossover",
	.why = "shows where batching messages through a ring beats calling "
	       "per message, by message and batch size",
	.flags = ZC_CMD_RESULTS,
	.headlines = ffi_headline,
	.bench = &ffi_bench,
};
