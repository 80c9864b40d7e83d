/* SPDX-License-Identifier: MIT */
/*
 * zcbench ffi — a host delivering messages to native code: one call across
 * the boundary per message (C through a function pointer into a dlopen'ed
 * library, C with marshalling of a text record, CPython through ctypes,
 * Node.js through koffi with and without marshalling a JS object) versus
 * writing plain messages into the shared-memory ring that a consumer
 * process drains (C producer; CPython through mmap, field by field or a
 * batch at a time with NumPy; Node.js through typed arrays on the mapped
 * memory). The consumer is the C sink in a forked process or a Rust
 * program; every path's consumer verifies every message, and the
 * crossover is where the ring's host-side cost per message drops below
 * the call's, per host and per consumer.
 *
 * Test hooks: ZC_FFI_KILL_CONSUMER=N makes the ring consumer (C or Rust)
 * kill itself (SIGKILL) after N messages; ZC_FFI_CORRUPT=N makes the ring
 * paths' hosts write message N with a wrong price. ZC_FFI_SINK,
 * ZC_FFI_HOST, ZC_FFI_NODE_HOST, ZC_FFI_KOFFI, ZC_FFI_CONSUMER override
 * where the sink library, the Python and Node.js hosts, koffi and the
 * Rust consumer are found.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "drain.h"
#include "host.h"
#include "ring.h"
#include "xover.h"
#include "../plugins/ffi_msg.h"

enum {
	H_C,
	H_PYTHON,
	H_NODE,
	NHOSTS
};
enum {
	CONS_C,
	CONS_RUST,
	NCONS
};
#define SHM_MEMFD  0
#define SHM_NAMED  1
#define SIDE_HOST  0 /* zc_side: the producer */
#define SIDE_SINK  1 /* the ring's consumer process */
#define PLACE_AUTO (-1)

struct ffi_case {
	int path, cons;
	uint32_t size, batch;
	uint64_t count; /* messages per repetition, from the warm-up */
};

/* One repetition's raw figures. */
struct sample {
	uint64_t count;	  /* messages */
	struct zc_host h; /* the producer's region (lib/host.h) */
	uint64_t e2e_end; /* the last message checked */
	uint64_t cons_cpu_ns;
	struct zc_counts sink;
	int has_cons, sink_counted;
};

/* A ring for one repetition and the children around it: ch[0] a host
 * program, ch[1] the consumer (a fork of the C sink or the Rust program,
 * lib/drain.h). */
struct ffi_ring {
	struct zc_ring r;
	char name[64];
	size_t bytes;
	struct zc_child ch[2];
};

struct ffi_path;
/* One repetition into s, or a ring path's producer (fr: the ring; NULL
 * for a whole repetition). 0 or -errno with why. */
typedef int (*run_fn)(struct zc_bench *b, const struct ffi_case *fc,
		      struct ffi_ring *fr, struct sample *s, char *why,
		      size_t len);
typedef void (*fill_fn)(void *dst, uint32_t size, uint64_t id,
			unsigned char *const *pool);

/* The paths as data (the table is below the functions it names). */
struct ffi_path {
	const char *name;
	int host;	   /* H_*: who produces */
	int ring;	   /* through the ring to a consumer process */
	int baseline;	   /* the per-call path this one is compared with */
	run_fn run;	   /* one repetition */
	fill_fn fill;	   /* C calls: how message id is made */
	run_fn produce;	   /* ring paths: who writes into the ring */
	const char *mode;  /* host programs: their --mode */
	const char *probe; /* host programs: what to check first (--need);
			      NULL: nothing (a failure then fails the case) */
};
enum {
	P_CALL,
	P_MARSHAL,
	P_PYCALL,
	P_NODECALL,
	P_NODEMARSHAL,
	P_RING,
	P_PYRING,
	P_PYNUMPY,
	P_NODERING,
	NPATHS
};
static const struct ffi_path paths[NPATHS];

/* The host programs: interpreter, script, how zcbench finds them. */
static const struct ffi_prog {
	const char *name, *what, *script, *env, *auto_path;
} progs[NHOSTS] = {
	[H_C] = {"C", "this thread", NULL, NULL, NULL},
	[H_PYTHON] = {"Python", "the Python host", "zcbench_ffi_host.py",
		      "ZC_FFI_HOST", "/usr/bin/python3"},
	[H_NODE] = {"Node.js", "the Node.js host", "zcbench_ffi_host.js",
		    "ZC_FFI_NODE_HOST", "/usr/bin/node"},
};
static const char *const cons_names[NCONS] = {"c", "rust"};

/* Filled from the tables and zc_pair_place_words before parsing. */
static struct zc_word path_words[NPATHS + 1], cons_words[NCONS + 1];
static struct zc_word place_words[ZC_PLACE_COUNT + 2];
static const struct zc_word shm_words[] = {
	{"memfd", SHM_MEMFD}, {"named", SHM_NAMED}, {NULL, 0}};

static struct zc_list opt_paths, opt_cons, opt_size, opt_batch;
static long long opt_capacity, opt_iso;
static double opt_seconds;
static const char *opt_interp[NHOSTS];
static int opt_shm, opt_place;

static const struct zc_opt ffi_opts[] = {
	ZC_OPT_CHOICES(
		"paths",
		"call,call-marshal,python-call,node-call,"
		"node-call-marshal,ring,python-ring,python-ring-numpy,"
		"node-ring",
		"how messages reach the consumer: a call per message "
		"(call, call-marshal: C; python-call: ctypes; node-call, "
		"node-call-marshal: koffi) or the shared ring (ring: C; "
		"python-ring: struct; python-ring-numpy: NumPy batches; "
		"node-ring: typed arrays)",
		&opt_paths, path_words),
	ZC_OPT_CHOICES("consumer", "c,rust",
		       "the ring paths' consumer process: c (the sink library, "
		       "forked) or rust (zcbench_ffi_consumer, built with "
		       "rustc); the call paths call the C sink",
		       &opt_cons, cons_words),
	ZC_OPT_LIST("size", "LIST", "bytes", "32,64,256,1024,4096",
		    "message sizes", &opt_size, ZC_FFI_SIZE_MIN,
		    ZC_FFI_SIZE_MAX, 8, NULL, .quick = "32,4096"),
	ZC_OPT_LIST("batch", "LIST", "messages", "1,8,16,64,256",
		    "ring paths: messages per claim/publish", &opt_batch, 1,
		    1 << 20, 0, NULL, .quick = "1,16,64"),
	ZC_OPT_INT("capacity", "N", "slots", "1024",
		   "ring slots, a power of two", &opt_capacity, 2, 1 << 24),
	ZC_OPT_INT("isolation", "N", "bytes", "128",
		   "ring: bytes between header, head and tail (64 or 128)",
		   &opt_iso, 64, 128),
	ZC_OPT_DOUBLE("seconds", "S", "s", "0.2",
		      "measured time per repetition", &opt_seconds, 0.001, 60,
		      .quick = "0.05"),
	ZC_OPT_STR("python", "PATH", "auto",
		   "Python 3 for the python paths (auto: /usr/bin/python3, "
		   "Debian's, with python3-numpy, else python3 on PATH; a "
		   "name is looked up on PATH); none: those paths are skipped",
		   &opt_interp[H_PYTHON]),
	ZC_OPT_STR("node", "PATH", "auto",
		   "Node.js for the node paths (auto: /usr/bin/node, else "
		   "node on PATH); they need koffi (scripts/setup.sh)",
		   &opt_interp[H_NODE]),
	ZC_OPT_CHOICE("shm", "memfd",
		      "how a host program reaches the ring: memfd (inherits "
		      "the fd) or named (shm_open, 0600, unlinked at the end)",
		      &opt_shm, shm_words),
	ZC_OPT_CHOICE("place", "auto",
		      "host and consumer CPUs: a pair class (auto: the closest "
		      "pair of distinct cores) or cpus (with --cpus A,B)",
		      &opt_place, place_words),
	ZC_OPT_END};

static const char *const ffi_keys[] = {"path", "size", "batch", "consumer"};
#define NKEYS 4

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
		     "end to end: messages verified by the consumer per "
		     "second, from the producer's first message to the last "
		     "check",
		     ZC_M_SHOW, ZC_GB_ITEMS_PER_SECOND, 1e6},
	[M_MBPS] = {"mb_per_s", "MB/s", ZC_BETTER_HIGHER,
		    "end to end: message bytes per second", 0,
		    ZC_GB_BYTES_PER_SECOND, 1e6},
	[M_CONS_CPU] = {"consumer_cpu_ns_per_msg", "ns", ZC_BETTER_NONE,
			"ring consumer process's CPU per message (it spins "
			"while the ring is empty)",
			0, ZC_GB_NONE, 1},
	[M_VS_CALL] = {"speedup_vs_call", "x", ZC_BETTER_HIGHER,
		       "host ns/msg of the per-call path of the same host and "
		       "size (call, python-call or node-call) over this "
		       "case's; > 1: this path costs the host less",
		       ZC_M_SHOW | ZC_M_PORTABLE, ZC_GB_NONE, 1},
};

struct ffi_st {
	int host_cpu, cons_cpu, pair_err;
	struct zc_plan pair, solo; /* ring paths: host, consumer; calls */
	char sink_path[PATH_MAX], sink_why[300];
	char interp[NHOSTS][PATH_MAX], script[NHOSTS][PATH_MAX];
	char prog_why[NHOSTS][300]; /* a host program cannot run: why */
	char path_why[NPATHS][300]; /* its probe said no */
	char koffi[PATH_MAX], rust[PATH_MAX], rust_why[300];
	struct zc_ffi_sink sink; /* closed in teardown (or at exit) */
	unsigned char *pool[ZC_FFI_PAYLOADS];
	struct zc_ffi_verdict v;
	struct zc_drain drain; /* the C consumer process */
	unsigned seq;	       /* names of named segments */
	uint64_t corrupt, kill_after;
	cpu_set_t saved_affinity;
};

static const char no_consumer[] = "no consumer process: the sink runs inside "
				  "the host's call (counted on the host side)";

/* ---- finding what the paths need --------------------------------------- */

static const char *const beside_binary[] = {".", "../libexec/zcbench", NULL};
static const char *const koffi_dirs[] = {
	"node_modules", "../scripts/node_modules",
	"../libexec/zcbench/node_modules", NULL};

/* The sink, the host programs (interpreter, script, koffi; then a probe
 * for what a path needs), the Rust consumer: a reason for each missing. */
static void find_all(struct ffi_st *st)
{
	char why[300];

	if (zc_locate("ZC_FFI_SINK", ZC_FFI_SINK_NAME, beside_binary,
		      ZC_LIBEXECDIR, st->sink_path, sizeof(st->sink_path),
		      st->sink_why, sizeof(st->sink_why)) == 0)
		zc_ffi_sink_open(&st->sink, st->sink_path, st->sink_why,
				 sizeof(st->sink_why));
	for (int h = H_PYTHON; h < NHOSTS; h++) {
		const struct ffi_prog *p = &progs[h];
		const char *want = opt_interp[h];
		char *w = st->prog_why[h];
		if (!strcmp(want, "auto"))
			want = access(p->auto_path, X_OK)
				       ? strrchr(p->auto_path, '/') + 1
				       : p->auto_path;
		if (zc_locate(p->env, p->script, beside_binary, ZC_LIBEXECDIR,
			      st->script[h], PATH_MAX, why, sizeof(why)) < 0)
			snprintf(w, 300, "%s", why);
		else if (zc_which(want, st->interp[h], PATH_MAX, why,
				  sizeof(why)) < 0)
			snprintf(w, 300,
				 "no %s interpreter: %s (give --%s PATH)",
				 p->name, why,
				 h == H_PYTHON ? "python" : "node");
	}
	if (!st->prog_why[H_NODE][0] &&
	    zc_locate("ZC_FFI_KOFFI", "koffi/package.json", koffi_dirs,
		      ZC_NODE_MODULES, st->koffi, sizeof(st->koffi), why,
		      sizeof(why)) < 0)
		snprintf(st->prog_why[H_NODE], 300,
			 "koffi (npm) not installed: %s; scripts/setup.sh "
			 "installs it",
			 why);
	if (!st->prog_why[H_NODE][0])
		*strrchr(st->koffi, '/') = 0; /* the package folder */
	if (zc_locate("ZC_FFI_CONSUMER", "zcbench_ffi_consumer", beside_binary,
		      ZC_LIBEXECDIR, st->rust, sizeof(st->rust), why,
		      sizeof(why)) < 0)
		snprintf(st->rust_why, sizeof(st->rust_why),
			 "Rust consumer not built (no rustc when zcbench was "
			 "built): %s",
			 why);
}

/* A host program's argv for case fc (fr: its ring); probe: the check of
 * what path pd needs instead. 0 or -E2BIG. */
static int host_argv(struct ffi_st *st, const struct ffi_path *pd,
		     const struct ffi_case *fc, const struct ffi_ring *fr,
		     uint64_t count, int probe, struct zc_argv *a)
{
	zc_argv_init(a);
	zc_argv_add(a, st->interp[pd->host]);
	zc_argv_add(a, st->script[pd->host]);
	zc_argv_addf(a, "--mode=%s", probe ? "probe" : pd->mode);
	zc_argv_addf(a, "--lib=%s", st->sink_path);
	if (pd->host == H_NODE)
		zc_argv_addf(a, "--koffi=%s", st->koffi);
	if (probe) {
		zc_argv_addf(a, "--need=%s", pd->probe);
		return a->err;
	}
	zc_argv_addf(a, "--size=%u", fc->size);
	zc_argv_addf(a, "--count=%llu", (unsigned long long)count);
	if (fr) {
		zc_argv_addf(a, "--batch=%u", fc->batch);
		zc_argv_addf(a, "--len=%zu", fr->bytes);
		if (opt_shm == SHM_NAMED)
			zc_argv_addf(a, "--name=%s", fr->name);
		else
			zc_argv_addf(a, "--fd=%d", fr->r.mem.fd);
		if (st->corrupt != UINT64_MAX)
			zc_argv_addf(a, "--corrupt=%llu",
				     (unsigned long long)st->corrupt);
	}
	return a->err;
}

/* Ask each host program once whether it can run each of its paths. */
static void probe_paths(struct ffi_st *st)
{
	for (int pi = 0; pi < opt_paths.n; pi++) {
		const struct ffi_path *pd = &paths[opt_paths.v[pi]];
		struct zc_argv a;
		struct zc_spawn sp = {.what = progs[pd->host].what};
		if (!pd->probe || st->prog_why[pd->host][0] ||
		    st->path_why[opt_paths.v[pi]][0] || st->sink_why[0])
			continue;
		if (host_argv(st, pd, NULL, NULL, 0, 1, &a) == 0) {
			sp.path = a.v[0];
			sp.argv = a.v;
			zc_host_probe(&sp, 30, st->path_why[opt_paths.v[pi]],
				      300);
		}
	}
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

/* ---- host programs: python-*, node-* (lib/host.h) ----------------------- */

/* A report's verdict (the sink's, or the Rust consumer's). */
static void verdict_of(const struct zc_host *h, struct zc_ffi_verdict *v)
{
	*v = (struct zc_ffi_verdict){
		.received = zc_host_u64(h, "verdict", "received"),
		.bad = zc_host_u64(h, "verdict", "bad"),
		.first_bad = zc_host_u64(h, "verdict", "first_bad"),
		.first_err = (int32_t)zc_host_u64(h, "verdict", "first_err")};
}

/* A host program, beside the ring's consumer process (fr NULL: a call
 * path, alone); its verdict is the sink's in its process. */
static int run_prog(struct zc_bench *b, const struct ffi_case *fc,
		    struct ffi_ring *fr, struct sample *s, char *why,
		    size_t len)
{
	const struct ffi_path *pd = &paths[fc->path];
	struct ffi_st *st = b->st;
	int keep[2] = {fr && opt_shm != SHM_NAMED ? fr->r.mem.fd : -1, -1};
	struct zc_spawn sp = {.what = progs[pd->host].what,
			      .cpu = st->host_cpu,
			      .keep = keep,
			      .capture = ZC_CHILD_OUT | ZC_CHILD_ERR};
	struct zc_argv a;
	struct zc_child alone;
	int err = host_argv(st, pd, fc, fr, s->count, 0, &a);

	sp.path = a.v[0];
	sp.argv = a.v;
	if (err) {
		snprintf(why, len, "%s: too many arguments", sp.what);
		return err;
	}
	err = zc_host_run(&s->h, &sp, fr ? fr->ch : &alone, fr ? 1 : 0,
			  &b->ctx->events, b->ctx->timeout_s, why, len);
	if (!err && s->h.count != s->count) {
		snprintf(why, len, "%s sent %llu messages of %llu", sp.what,
			 (unsigned long long)s->h.count,
			 (unsigned long long)s->count);
		err = -EPROTO;
	} else if (!err && !fr) {
		verdict_of(&s->h, &st->v);
		err = zc_ffi_verdict_check(&st->v, s->count, why, len);
	}
	s->e2e_end = s->h.t_end;
	zc_host_release(&s->h);
	return err;
}

/* ---- ring paths: a consumer process drains the ring --------------------- */

static void sink_end(void *arg, void *out)
{
	const struct ffi_st *st = arg;
	st->sink.end(out);
}
static_assert(sizeof(struct zc_ffi_verdict) <= ZC_DRAIN_OUT, "verdict fits");

/* The consumer process (lib/drain.h): a fork of this one calling the C
 * sink, or the Rust program. */
static int start_consumer(struct zc_bench *b, const struct ffi_case *fc,
			  struct ffi_ring *fr, uint64_t count, char *why,
			  size_t len)
{
	struct ffi_st *st = b->st;
	struct zc_drain_cfg dc = {.topo = &b->ctx->topo,
				  .cpu = st->cons_cpu,
				  .events = &b->ctx->events,
				  .consume = st->sink.consume,
				  .end = sink_end,
				  .arg = st,
				  .kill_after = st->kill_after};
	int keep[2] = {opt_shm == SHM_NAMED ? -1 : fr->r.mem.fd, -1}, err;
	struct zc_spawn sp = {.what = "the Rust consumer process",
			      .path = st->rust,
			      .cpu = st->cons_cpu,
			      .keep = keep,
			      .capture = ZC_CHILD_OUT | ZC_CHILD_ERR};
	struct zc_argv a;

	if (fc->cons == CONS_C) {
		/* The consumer's sink state is this process's, copied. */
		st->sink.begin(fc->size);
		err = zc_drain_fork(&st->drain, &fr->ch[1], &fr->r, &dc, count);
		if (err < 0)
			snprintf(why, len, "cannot fork the consumer: %s",
				 strerror(-err));
		return err;
	}
	zc_argv_init(&a);
	zc_argv_add(&a, st->rust);
	if (opt_shm == SHM_NAMED)
		zc_argv_addf(&a, "--name=%s", fr->name);
	else
		zc_argv_addf(&a, "--fd=%d", fr->r.mem.fd);
	zc_argv_addf(&a, "--len=%zu", fr->bytes);
	zc_argv_addf(&a, "--size=%u", fc->size);
	zc_argv_addf(&a, "--count=%llu", (unsigned long long)count);
	zc_argv_addf(&a, "--kill-after=%llu",
		     (unsigned long long)st->kill_after);
	sp.argv = a.v;
	return zc_drain_spawn(&st->drain, &fr->ch[1], &sp, &b->ctx->events, why,
			      len);
}

/* A fresh ring (named for a program that attaches by name; published by
 * its slots' sequence words when the C host writes it, by head for the
 * programs), the consumer, the path's producer; then the verdict. */
static int run_ring(struct zc_bench *b, const struct ffi_case *fc,
		    struct ffi_ring *no_ring, struct sample *s, char *why,
		    size_t len)
{
	const struct ffi_path *pd = &paths[fc->path];
	int named = (pd->host != H_C || fc->cons == CONS_RUST) &&
		    opt_shm == SHM_NAMED;
	struct ffi_st *st = b->st;
	const struct zc_drain_report *rep = st->drain.rep;
	struct zc_ring_cfg cfg = {
		.slot_size = fc->size,
		.capacity = (uint64_t)opt_capacity,
		.isolation = (uint32_t)opt_iso,
		.node = -1,
		.mem_flags = named ? ZC_MEM_NAMED : ZC_MEM_MEMFD,
		.flags = pd->host == H_C ? ZC_RING_F_SLOT_SEQ : 0};
	struct ffi_ring fr;
	int err, cerr;

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
	zc_child_init(&fr.ch[0], progs[pd->host].what);
	err = start_consumer(b, fc, &fr, s->count, why, len);
	if (!err)
		err = pd->produce(b, fc, &fr, s, why, len);
	zc_child_kill(&fr.ch[0]);
	cerr = zc_drain_end(&st->drain, !err, why, len);
	zc_ring_free(&fr.r);
	if (err || cerr)
		return err ? err : cerr;
	s->e2e_end = rep->t_end;
	s->cons_cpu_ns = rep->cpu_ns;
	s->sink = rep->counts;
	s->sink_counted = rep->counted;
	s->has_cons = 1;
	if (fc->cons == CONS_RUST)
		verdict_of(&st->drain.prog, &st->v);
	else
		memcpy(&st->v, rep->out, sizeof(st->v));
	return zc_ffi_verdict_check(&st->v, s->count, why, len);
}

/* The test hook's message: a wrong price, its id (last) publishing it. */
static void fill_damaged(void *slot, uint32_t size, uint64_t id,
			 unsigned char *const *pool)
{
	_Alignas(8) unsigned char m[ZC_FFI_SIZE_MAX];
	double price;

	zc_ffi_fill(m, size, id, pool);
	memcpy(&price, m + 8, 8);
	price += 1;
	memcpy(m + 8, &price, 8);
	memcpy((unsigned char *)slot + 8, m + 8, size - 8);
	zc_msg_publish_id(slot, id);
}

static int ring_loop(void *arg)
{
	const struct loop *l = arg;
	const struct ffi_case *fc = l->fc;
	unsigned char *const *pool = l->st->pool;
	struct zc_ring *r = l->r;
	uint64_t id = 0, lo, count = l->count, bad = l->st->corrupt;
	int err;

	while (id < count) {
		uint32_t n = count - id < fc->batch ? (uint32_t)(count - id)
						    : fc->batch;
		err = zc_ring_claim(r, n, &lo);
		if (err)
			return err;
		for (uint64_t q = lo; q < lo + n; q++)
			zc_ffi_fill(zc_ring_slot(r, q), fc->size, q, pool);
		if (__builtin_expect(bad - lo < n, 0))
			fill_damaged(zc_ring_slot(r, bad), fc->size, bad, pool);
		zc_ring_publish(r, lo, lo + n - 1);
		id += n;
		if ((id & ~(uint64_t)STOP_CHECK) !=
			    ((id - n) & ~(uint64_t)STOP_CHECK) &&
		    zc_stopped())
			return -EINTR;
	}
	return 0;
}

/* ring: this thread writes batches into the ring (every message's id word
 * last: a slot-sequence ring). */
static int produce_c(struct zc_bench *b, const struct ffi_case *fc,
		     struct ffi_ring *fr, struct sample *s, char *why,
		     size_t len)
{
	struct ffi_st *st = b->st;
	struct loop l = {st, fc, &fr->r, s->count};
	int err;

	zc_drain_guard_child(&fr->r, &fr->ch[1]);
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

/* ---- the paths ---------------------------------------------------------- */

static const struct ffi_path paths[NPATHS] = {
	/* C: a call per message through a function pointer into the sink */
	[P_CALL] = {"call", H_C, 0, P_CALL, run_call, zc_ffi_fill},
	/* C: the same, each message parsed from a text record first */
	[P_MARSHAL] = {"call-marshal", H_C, 0, P_CALL, run_call, marshal},
	/* CPython: a dict packed into a ctypes buffer, a ctypes call each */
	[P_PYCALL] = {"python-call", H_PYTHON, 0, P_PYCALL, run_prog,
		      .mode = "call"},
	/* Node.js: typed-array stores into a Buffer, a koffi call each */
	[P_NODECALL] = {"node-call", H_NODE, 0, P_NODECALL, run_prog,
			.mode = "call", .probe = "koffi"},
	/* Node.js: a JS object that koffi converts into the C struct */
	[P_NODEMARSHAL] = {"node-call-marshal", H_NODE, 0, P_NODECALL, run_prog,
			   .mode = "call-marshal", .probe = "koffi"},
	/* C: batches written into the ring, a consumer process checks */
	[P_RING] = {"ring", H_C, 1, P_CALL, run_ring, .produce = produce_c},
	/* CPython: dicts packed into the ring's slots through mmap */
	[P_PYRING] = {"python-ring", H_PYTHON, 1, P_PYCALL, run_ring,
		      .produce = run_prog, .mode = "ring"},
	/* CPython: a NumPy structured array over the slots, batch at once */
	[P_PYNUMPY] = {"python-ring-numpy", H_PYTHON, 1, P_PYCALL, run_ring,
		       .produce = run_prog, .mode = "ring-numpy",
		       .probe = "numpy"},
	/* Node.js: typed arrays over the mapped ring, one head store */
	[P_NODERING] = {"node-ring", H_NODE, 1, P_NODECALL, run_ring,
			.produce = run_prog, .mode = "ring", .probe = "koffi"},
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
		uint64_t probe = pd->host != H_C ? 3000 : (1u << 22) / fc->size;
		s.count = probe < 4096 && pd->host == H_C ? 4096 : probe;
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
				      "the host program did not announce a "
				      "whole measured region");
	if (s.has_cons)
		zc_case_set(&b->res, c, rep, M_CONS_CPU,
			    (double)s.cons_cpu_ns / n);
	else
		zc_case_absent(&b->res, c, M_CONS_CPU, no_consumer);
	if (s.has_cons && s.sink_counted)
		zc_bench_count(b, i, rep, SIDE_SINK, &s.sink, n);
	else
		zc_bench_count_absent(b, i, SIDE_SINK,
				      s.has_cons ? "the consumer program did "
						   "not announce a whole "
						   "measured region"
						 : no_consumer);
	return 0;
}

/* ---- after the run: ratios, crossover, plot ------------------------------ */

/* Metric m's median in the first OK case of path, size and consumer
 * (batch 0: any batch); NaN when there is none. */
static double median_of(struct zc_bench *b, int path, uint32_t size,
			uint32_t batch, int cons, int m)
{
	char sv[16], bv[16];

	snprintf(sv, sizeof(sv), "%u", size);
	snprintf(bv, sizeof(bv), "%u", batch);
	/* batch 0: the NULL key ends the list before "batch" */
	return zc_bench_median(b,
			       zc_bench_find(b, "path", paths[path].name,
					     "consumer", cons_names[cons],
					     "size", sv, batch ? "batch" : NULL,
					     bv, NULL),
			       m);
}

/* speedup_vs_call's base is the per-call path of the same host and size
 * (a zc_ratio_def has one base for all). A host that had its CPU much
 * less than the wall time was preempted: its label says so. */
static void ffi_derive(struct zc_bench *b)
{
	for (int i = 0; i < b->res.ncases; i++) {
		const struct ffi_case *fc = zc_bench_priv(b, i);
		struct zc_case *c = zc_bench_case(b, i);
		int base = paths[fc->path].baseline;
		double bv = median_of(b, base, fc->size, 0, CONS_C, M_HOST_NS),
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

/* Per host: the ring paths and the per-call path they are set against. */
static const int xpairs[][2] = {{P_RING, P_CALL},
				{P_PYRING, P_PYCALL},
				{P_PYNUMPY, P_PYCALL},
				{P_NODERING, P_NODECALL}};
#define NXPAIRS ((int)(sizeof(xpairs) / sizeof(xpairs[0])))

/* Pair p's crossover at one size and consumer by metric m (lib/xover.h):
 * from which batch the ring's host cost per message stays below the
 * call's. -ENOENT when either side has no data. */
static int xover(struct zc_bench *b, int p, uint32_t size, int cons, int m,
		 struct zc_xover *x)
{
	uint32_t knob[64];
	double v[64];
	int n = opt_batch.n < 64 ? opt_batch.n : 64;

	for (int k = 0; k < n; k++) {
		knob[k] = (uint32_t)opt_batch.v[k];
		v[k] = median_of(b, xpairs[p][0], size, knob[k], cons, m);
	}
	return zc_xover_find(x, knob, v, n,
			     median_of(b, xpairs[p][1], size, 0, CONS_C, m));
}

/* The crossover by host wall and CPU time, per host, consumer and size. */
static void ffi_headlines(struct zc_bench *b, FILE *f)
{
	for (int m = M_HOST_NS; m <= M_HOST_CPU; m++)
		for (int k = 0, printed = 0; k < NXPAIRS * NCONS * opt_size.n;
		     k++) {
			int p = k / (NCONS * opt_size.n);
			int cons = k / opt_size.n % NCONS;
			uint32_t size = (uint32_t)opt_size.v[k % opt_size.n];
			struct zc_xover x;

			if (xover(b, p, size, cons, m, &x))
				continue;
			if (!printed++)
				fprintf(f,
					"\ncrossover by host %s ns per "
					"message, "
					"ring vs a call per message:\n",
					m == M_HOST_NS ? "wall" : "CPU");
			fprintf(f, "  %-7s %-17s -> %-4s %4u B: ",
				progs[paths[xpairs[p][0]].host].name,
				paths[xpairs[p][0]].name, cons_names[cons],
				size);
			if (x.from)
				fprintf(f, "wins from batch %u", x.from);
			else
				fprintf(f, "%s",
					x.some ? "wins only at some batches "
						 "(noise?)"
					       : "never wins");
			fprintf(f,
				" (best %.1f ns at batch %u vs %s %.1f ns, "
				"%.2fx)\n",
				x.best, x.best_at, paths[xpairs[p][1]].name,
				x.base, x.base / x.best);
		}
}

/* The plot's marks: where each host's ring first wins (by wall, with the
 * first consumer asked for). */
static void mark_crossover(struct zc_bench *b, char *extra, size_t len)
{
	static const char *const colour[] = {"#1f77b4", "#d62728", "#2ca02c",
					     "#9467bd"};
	size_t used = strlen(extra);

	for (int p = 0; p < NXPAIRS && used < len; p++) {
		const char *ring = paths[xpairs[p][0]].name;
		double y = 0.96 - 0.05 * p;
		uint32_t size = 0;
		struct zc_xover x = {0};

		for (int si = 0; si < opt_size.n && !x.from; si++) {
			size = (uint32_t)opt_size.v[si];
			xover(b, p, size, (int)opt_cons.v[0], M_HOST_NS, &x);
		}
		if (x.from)
			used += (size_t)snprintf(
				extra + used, len - used,
				"set arrow %d from %u, graph 0 to %u, graph 1 "
				"nohead dt 2 lc rgb \"%s\"\n"
				"set label %d \"%s wins from %u B (batch %u)\" "
				"at %u, graph %.2f left offset 0.5,0 front\n",
				p + 1, size, size, colour[p], p + 1, ring, size,
				x.from, size, y);
		else if (opt_size.n)
			used += (size_t)snprintf(
				extra + used, len - used,
				"set label %d \"%s: no crossover measured\" at "
				"graph 0.02, graph %.2f front\n",
				p + 1, ring, y);
	}
}

static int ffi_plots(struct zc_bench *b, struct zc_plot *p, int max)
{
	const char *cons = cons_names[opt_cons.v[0]];

	zc_plot_init(p, "ffi", "size", "host_ns_per_msg", 1, 1);
	snprintf(p->title, sizeof(p->title),
		 "Host cost per message: a call per message vs writing into "
		 "the shared ring (lower is better)");
	snprintf(p->subtitle, sizeof(p->subtitle),
		 "every message verified by the consumer (ring: %s); dashed "
		 "line: smallest size where a ring batch beats the call",
		 cons);
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
					   bv, "consumer", cons, NULL);
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
	struct ffi_st *st = b->st;
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	const char *e;
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
	e = getenv("ZC_FFI_CORRUPT");
	st->corrupt = e ? strtoull(e, NULL, 10) : UINT64_MAX;
	e = getenv("ZC_FFI_KILL_CONSUMER");
	st->kill_after = e ? strtoull(e, NULL, 10) : 0;
	if (!rc) {
		find_all(st);
		probe_paths(st);
	}
	return rc;
}

/* Every path and size; for the ring paths every batch and consumer. */
static int ffi_sweep(struct zc_bench *b)
{
	struct ffi_st *st = b->st;

	for (int pi = 0; pi < opt_paths.n; pi++) {
		int path = (int)opt_paths.v[pi];
		const struct ffi_path *pd = &paths[path];
		int nb = pd->ring ? opt_batch.n : 1,
		    nc = pd->ring ? opt_cons.n : 1;
		for (int k = 0; k < opt_size.n * nb * nc; k++) {
			struct ffi_case fc = {
				.path = path,
				.cons = pd->ring ? (int)opt_cons.v[k % nc]
						 : CONS_C,
				.size = (uint32_t)opt_size.v[k / (nb * nc)],
				.batch = pd->ring ? (uint32_t)opt_batch
							    .v[k / nc % nb]
						  : 1};
			char sv[16], bv[16];
			const char *vals[NKEYS] = {pd->name, sv, bv,
						   cons_names[fc.cons]};
			const char *skip = st->sink_why;
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
				snprintf(c->label, sizeof(c->label),
					 "ring: %s, %s",
					 pd->host != H_C && opt_shm == SHM_NAMED
						 ? "named shm"
						 : "memfd",
					 pd->host == H_C ? "by slot sequence"
							 : "by head");
			if (!*skip && pd->host != H_C)
				skip = st->prog_why[pd->host][0]
					       ? st->prog_why[pd->host]
					       : st->path_why[path];
			if (!*skip && fc.cons == CONS_RUST)
				skip = st->rust_why;
			if (*skip)
				zc_case_skip(c, "%s", skip);
		}
	}
	return 0;
}

static void ffi_plan_head(struct zc_bench *b)
{
	struct ffi_st *st = b->st;

	printf("  sink   %s\n", st->sink_why[0] ? st->sink_why : st->sink_path);
	for (int h = H_PYTHON; h < NHOSTS; h++)
		printf("  %-7s%s %s\n", progs[h].name,
		       st->prog_why[h][0] ? st->prog_why[h] : st->interp[h],
		       st->prog_why[h][0] ? "" : st->script[h]);
	printf("  rust   %s\n", st->rust_why[0] ? st->rust_why : st->rust);
}

/* A host program's repetition also starts an interpreter. */
static double ffi_estimate(struct zc_bench *b, int i)
{
	const struct ffi_case *fc = zc_bench_priv(b, i);
	return b->seconds + (paths[fc->path].host != H_C ? 0.15 : 0.01);
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
	for (int i = 0; i < NCONS; i++)
		cons_words[i] = (struct zc_word){cons_names[i], i};
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
		"per message; host: this thread on the C paths, the host "
		"program's main thread on the python and node paths (enabled "
		"when it announces its measured region over a socket, "
		"lib/region.h: one socket read and write more, a few us); "
		"sink: the ring paths' consumer process, the Rust one counted "
		"the same way (on the call paths the sink runs inside the "
		"host's call, counted as the host)",
	.state_size = sizeof(struct ffi_st),
	.case_size = sizeof(struct ffi_case),
	.no_quick_warmup = 1, /* the first repetition sizes the others */
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
	{"speedup_vs_call", "path", "python-ring-numpy",
	 "Python with NumPy writing ring batches vs a ctypes call per message"},
	{"speedup_vs_call", "path", "node-ring",
	 "Node.js writing into the ring vs a koffi call per message"},
	{NULL}};

const struct zc_command zc_cmd_ffi = {
	.name = "ffi",
	.summary = "per-message calls into native code vs the shared ring",
	.what = "a call per message into a dlopen'ed library (plain, with "
		"marshalling, from Python through ctypes, from Node.js "
		"through koffi) against writing plain messages into the "
		"shared ring (from C; from Python through mmap, with struct "
		"or NumPy; from Node.js through typed arrays) drained by a C "
		"or Rust consumer: host cost per message and the crossover",
	.why = "shows where batching messages through a ring beats calling "
	       "per message, by message and batch size, per host language",
	.flags = ZC_CMD_RESULTS,
	.headlines = ffi_headline,
	.bench = &ffi_bench,
};
