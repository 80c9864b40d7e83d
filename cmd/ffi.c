/* SPDX-License-Identifier: MIT */
/*
 * zcbench ffi — a host delivering messages to native code: one call across
 * the boundary per message (C through a function pointer into a dlopen'ed
 * library, C with marshalling of a text record, CPython through ctypes,
 * Node.js through koffi with and without marshalling a JS object) versus
 * writing plain messages into the shared-memory ring that a consumer
 * process drains (C producer; CPython through mmap, field by field or a
 * batch at a time with NumPy; Node.js through typed arrays on the mapped
 * memory), drained by the C sink forked or by a Rust program. Every
 * message is verified; the crossover is where the ring's host cost per
 * message drops below the call's, per host and consumer.
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
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "ffirun.h"
#include "xover.h"

enum {
	H_C,
	H_PYTHON,
	H_NODE,
	NHOSTS,
	H_RUST = NHOSTS
};
#define CONS_C	   0 /* the ring paths' consumers */
#define CONS_RUST  1
#define NCONS	   2
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

typedef void (*fill_fn)(void *dst, uint32_t size, uint64_t id,
			unsigned char *const *pool);

/* The paths as data (the table is below the functions it names). */
struct ffi_path {
	const char *name;
	int host;	  /* H_*: who produces */
	int ring;	  /* through the ring to a consumer process */
	int baseline;	  /* the per-call path this one is compared with */
	fill_fn fill;	  /* C calls: how message id is made */
	const char *mode; /* host programs: their --mode */
	/* host programs: what to check first (--need); NULL: nothing, a
	 * failure then fails the case */
	const char *probe;
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

/* The programs (lib/host.h): the hosts, and the Rust consumer. */
static struct zc_host_prog progs[NHOSTS + 1] = {
	[H_C] = {"this thread", "C"},
	[H_PYTHON] = {"the Python host", "Python", "python", "/usr/bin/python3",
		      "ZC_FFI_HOST", "zcbench_ffi_host.py"},
	[H_NODE] = {"the Node.js host", "Node.js", "node", "/usr/bin/node",
		    "ZC_FFI_NODE_HOST", "zcbench_ffi_host.js"},
	[H_RUST] = {"the Rust consumer process", .env = "ZC_FFI_CONSUMER",
		    .file = "zcbench_ffi_consumer",
		    .missing = "Rust consumer not built (no rustc when zcbench "
			       "was built)"},
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
		"a call per message (call, call-marshal: C; python-call: "
		"ctypes; node-call*: koffi) or the ring (ring: C; python-ring"
		"*: struct, NumPy batches; node-ring: typed arrays)",
		&opt_paths, path_words),
	ZC_OPT_CHOICES("consumer", "c,rust",
		       "the ring paths' consumer process: c (the sink, forked) "
		       "or rust (rustc-built); the calls call the C sink",
		       &opt_cons, cons_words),
	ZC_OPT_LIST("size", "LIST", "bytes", "32,64,256,1024,4096",
		    "message sizes", &opt_size, ZC_FFI_SIZE_MIN,
		    ZC_FFI_SIZE_MAX, 8, NULL, .quick = "32"),
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
		      .quick = "0.03"),
	ZC_OPT_STR("python", "PATH", "auto",
		   "Python 3 for the python paths (auto: Debian's "
		   "/usr/bin/python3, else python3 on PATH; a name is looked "
		   "up on PATH; none: skipped)",
		   &opt_interp[H_PYTHON]),
	ZC_OPT_STR("node", "PATH", "auto",
		   "Node.js for the node paths (as --python), with koffi "
		   "(scripts/setup.sh)",
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
	char sink_path[PATH_MAX], sink_why[300], koffi[PATH_MAX];
	char path_why[NPATHS][300]; /* its probe said no */
	struct zc_ffi_sink sink;    /* closed in teardown (or at exit) */
	unsigned char *pool[ZC_FFI_PAYLOADS];
	struct zc_drain drain; /* the ring paths' consumer process */
	int64_t corrupt;       /* ZC_FFI_CORRUPT, -1 none */
	uint64_t kill_after;   /* ZC_FFI_KILL_CONSUMER, 0 none */
};

static const char no_consumer[] = "no consumer process: the sink runs inside "
				  "the host's call (counted on the host side)";
static const char no_region[] = "the program did not announce a whole "
				"measured region";

/* ---- finding what the paths need --------------------------------------- */

static const char *const beside_binary[] = {".", "../libexec/zcbench", NULL};
static const char *const koffi_dirs[] = {
	"node_modules", "../scripts/node_modules",
	"../libexec/zcbench/node_modules", NULL};

/* The sink, the programs and koffi, a reason for each missing; then each
 * host program's word on what its paths need (zc_host_probe). */
static void find_all(struct ffi_st *st)
{
	char why[300];

	if (zc_locate("ZC_FFI_SINK", ZC_FFI_SINK_NAME, beside_binary,
		      ZC_LIBEXECDIR, st->sink_path, sizeof(st->sink_path),
		      st->sink_why, sizeof(st->sink_why)) == 0)
		zc_ffi_sink_open(&st->sink, st->sink_path, st->sink_why,
				 sizeof(st->sink_why));
	for (int h = H_PYTHON; h <= H_RUST; h++)
		zc_host_find(&progs[h], h < NHOSTS ? opt_interp[h] : NULL,
			     beside_binary, ZC_LIBEXECDIR);
	if (!progs[H_NODE].why[0] &&
	    zc_locate("ZC_FFI_KOFFI", "koffi/package.json", koffi_dirs,
		      ZC_NODE_MODULES, st->koffi, sizeof(st->koffi), why,
		      sizeof(why)) < 0)
		snprintf(progs[H_NODE].why, 300,
			 "koffi (npm) not installed: %s; scripts/setup.sh "
			 "installs it",
			 why);
	else if (!progs[H_NODE].why[0])
		*strrchr(st->koffi, '/') = 0; /* the package folder */
	for (int k = 0; k < opt_paths.n && !st->sink_why[0]; k++) {
		const struct ffi_path *pd = &paths[opt_paths.v[k]];
		struct zc_host_args x = {.mode = "probe",
					 .lib = st->sink_path,
					 .koffi = pd->host == H_NODE ? st->koffi
								     : NULL,
					 .need = pd->probe,
					 .corrupt = -1,
					 .fd = -1};
		if (pd->probe && !progs[pd->host].why[0])
			zc_host_probe_prog(&progs[pd->host], &x, 30,
					   st->path_why[opt_paths.v[k]], 300);
	}
}

/* What a program is told (lib/host.h zc_host_args): a host (its --mode)
 * or the Rust consumer; fr NULL: a call path, alone. */
static int prog_argv(const struct ffi_st *st, int prog,
		     const struct ffi_case *fc, const struct zc_ffi_ring *fr,
		     uint64_t count, struct zc_argv *a)
{
	const char *mode = prog == H_RUST ? NULL : paths[fc->path].mode;
	struct zc_host_args x = {.mode = mode,
				 .lib = mode ? st->sink_path : NULL,
				 .koffi = prog == H_NODE ? st->koffi : NULL,
				 .name = fr && fr->named ? fr->name : NULL,
				 .size = fc->size,
				 .batch = fr && mode ? fc->batch : 0,
				 .count = count,
				 .len = fr ? fr->bytes : 0,
				 .kill_after = mode ? 0 : st->kill_after,
				 .corrupt = fr && mode ? st->corrupt : -1,
				 .fd = fr && !fr->named ? fr->r.mem.fd : -1};

	zc_argv_init(a);
	return zc_host_argv(a, &progs[prog], &x);
}

/* A program attaches to the ring by name (--shm named). */
static int named(const struct ffi_case *fc)
{
	return opt_shm == SHM_NAMED &&
	       (paths[fc->path].host != H_C || fc->cons == CONS_RUST);
}

/* ---- one repetition (lib/ffirun.h) -------------------------------------- */

static struct zc_ffi_text text_recs[ZC_FFI_RECS]; /* call-marshal's input */

static void marshal(void *dst, uint32_t size, uint64_t id,
		    unsigned char *const *pool)
{
	zc_ffi_marshal(dst, size, id, text_recs, pool);
}

struct argv_ctx {
	const struct ffi_st *st;
	const struct ffi_case *fc;
	uint64_t count;
};

static int run_argv(void *arg, int who, const struct zc_ffi_ring *fr,
		    struct zc_argv *a)
{
	const struct argv_ctx *x = arg;
	int prog = who == ZC_FFI_WHO_HOST ? paths[x->fc->path].host : H_RUST;

	return prog_argv(x->st, prog, x->fc, fr, x->count, a);
}

/* Case fc's path, count messages, into res. 0 or -errno with why. */
static int run_path(struct zc_bench *b, const struct ffi_case *fc,
		    uint64_t count, struct zc_ffi_result *res, char *why,
		    size_t len)
{
	const struct ffi_path *pd = &paths[fc->path];
	struct ffi_st *st = b->st;
	struct argv_ctx x = {st, fc, count};
	struct zc_ffi_run run = {
		.ring = pd->ring,
		.fill = pd->fill,
		.size = fc->size,
		.batch = fc->batch,
		.isolation = (uint32_t)opt_iso,
		.capacity = (uint64_t)opt_capacity,
		.count = count,
		.named = named(fc),
		.topo = &b->ctx->topo,
		.host_cpu = st->host_cpu,
		.cons_cpu = st->cons_cpu,
		.events = &b->ctx->events,
		.timeout_s = b->ctx->timeout_s,
		.sink = &st->sink,
		.pool = st->pool,
		.corrupt = st->corrupt,
		.kill_after = st->kill_after,
		.host = pd->host == H_C ? NULL : &progs[pd->host],
		.consumer = fc->cons == CONS_RUST ? &progs[H_RUST] : NULL,
		.argv = run_argv,
		.arg = &x};

	return zc_ffi_run(&st->drain, &run, res, why, len);
}

/* ---- the paths ---------------------------------------------------------- */

static const struct ffi_path paths[NPATHS] = {
	/* C: a call per message through a function pointer into the sink */
	[P_CALL] = {"call", H_C, 0, P_CALL, zc_ffi_fill},
	/* C: the same, each message parsed from a text record first */
	[P_MARSHAL] = {"call-marshal", H_C, 0, P_CALL, marshal},
	/* CPython: a dict packed into a ctypes buffer, a ctypes call each */
	[P_PYCALL] = {"python-call", H_PYTHON, 0, P_PYCALL, .mode = "call"},
	/* Node.js: typed-array stores into a Buffer, a koffi call each */
	[P_NODECALL] = {"node-call", H_NODE, 0, P_NODECALL, .mode = "call",
			.probe = "koffi"},
	/* Node.js: a JS object that koffi converts into the C struct */
	[P_NODEMARSHAL] = {"node-call-marshal", H_NODE, 0, P_NODECALL,
			   .mode = "call-marshal", .probe = "koffi"},
	/* C: batches written into the ring, a consumer process checks */
	[P_RING] = {"ring", H_C, 1, P_CALL},
	/* CPython: dicts packed into the ring's slots through mmap */
	[P_PYRING] = {"python-ring", H_PYTHON, 1, P_PYCALL, .mode = "ring"},
	/* CPython: a NumPy structured array over the slots, batch at once */
	[P_PYNUMPY] = {"python-ring-numpy", H_PYTHON, 1, P_PYCALL,
		       .mode = "ring-numpy", .probe = "numpy"},
	/* Node.js: typed arrays over the mapped ring, one head store */
	[P_NODERING] = {"node-ring", H_NODE, 1, P_NODECALL, .mode = "ring",
			.probe = "koffi"},
};

/* ---- one repetition ----------------------------------------------------- */

static int ffi_one(struct zc_bench *b, int i, int rep)
{
	struct ffi_case *fc = zc_bench_priv(b, i);
	struct zc_case *c = zc_bench_case(b, i);
	const struct ffi_path *pd = &paths[fc->path];
	struct zc_ffi_result s;
	char why[ZC_WHY_LEN] = "";
	uint64_t count = fc->count;
	double n, ns, e2e;
	int err;

	/* The warm-up sizes the repetitions: a probe, then enough for
	 * --seconds at its rate. */
	if (rep < 0 || !fc->count)
		count = pd->host != H_C		       ? 3000
			: (1u << 22) / fc->size > 4096 ? (1u << 22) / fc->size
						       : 4096;
	err = run_path(b, fc, count, &s, why, sizeof(why));
	if (err == -EINTR || (err && zc_stopped()))
		return -EINTR;
	if (err) {
		zc_case_fail(&b->res, c, "%s", why);
		zc_error(b->ctx, "%s failed: %s", c->name, why);
		return err;
	}
	n = (double)count;
	ns = (double)s.host.host_ns;
	e2e = (double)(s.e2e_end - s.host.t_start);
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
	zc_case_set(&b->res, c, rep, M_HOST_CPU, (double)s.host.cpu_ns / n);
	zc_case_set(&b->res, c, rep, M_MMSGS, n / e2e * 1e3);
	zc_case_set(&b->res, c, rep, M_MBPS, n * fc->size / e2e * 1e3);
	if (s.host.counted)
		zc_bench_count(b, i, rep, SIDE_HOST, &s.host.counts, n);
	else
		zc_bench_count_absent(b, i, SIDE_HOST, no_region);
	if (pd->ring)
		zc_case_set(&b->res, c, rep, M_CONS_CPU,
			    (double)s.cons_cpu_ns / n);
	else
		zc_case_absent(&b->res, c, M_CONS_CPU, no_consumer);
	if (pd->ring && s.sink_counted)
		zc_bench_count(b, i, rep, SIDE_SINK, &s.sink, n);
	else
		zc_bench_count_absent(b, i, SIDE_SINK,
				      pd->ring ? no_region : no_consumer);
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

		if (c->status != ZC_CASE_OK)
			continue;
		if (ns > 0 && cpu / ns <= 0.9)
			snprintf(c->label + n, sizeof(c->label) - n,
				 "%shost had its CPU %.0f%% of the time "
				 "(preempted)",
				 n ? "; " : "", 100 * cpu / ns);
		if (isnan(bv))
			zc_case_absent(&b->res, c, M_VS_CALL,
				       "no successful per-call case of this "
				       "host and size to compare with");
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
	int ns = opt_size.n;

	for (int m = M_HOST_NS; m <= M_HOST_CPU; m++)
		for (int k = 0, printed = 0; k < NXPAIRS * NCONS * ns; k++) {
			int p = k / (NCONS * ns), cons = k / ns % NCONS;
			uint32_t size = (uint32_t)opt_size.v[k % ns];
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
				progs[paths[xpairs[p][0]].host].lang,
				paths[xpairs[p][0]].name, cons_names[cons],
				size);
			zc_xover_print(f, &x, "batch",
				       paths[xpairs[p][1]].name);
		}
}

static int ffi_plots(struct zc_bench *b, struct zc_plot *p, int max)
{
	static const char *const colour[] = {"#1f77b4", "#d62728", "#2ca02c",
					     "#9467bd"};
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
	/* where each host's ring first wins (by wall) */
	for (int k = 0; k < NXPAIRS && opt_size.n; k++) {
		struct zc_xover x = {0};
		uint32_t size = 0;
		for (int si = 0; si < opt_size.n && !x.from; si++) {
			size = (uint32_t)opt_size.v[si];
			xover(b, k, size, (int)opt_cons.v[0], M_HOST_NS, &x);
		}
		zc_xover_mark(p->extra, sizeof(p->extra), k + 1,
			      paths[xpairs[k][0]].name, size, &x, colour[k],
			      0.96 - 0.05 * k);
	}
	return p->nseries && max > 0 ? 1 : 0;
}

/* ---- planning ----------------------------------------------------------- */

static int ffi_check(struct zc_bench *b)
{
	struct zc_ctx *ctx = b->ctx;
	struct ffi_st *st = b->st;
	long long bmax = 0, smax = 0;
	const char *e;
	char why[256];

	for (int k = 0; k < opt_batch.n; k++)
		bmax = opt_batch.v[k] > bmax ? opt_batch.v[k] : bmax;
	for (int k = 0; k < opt_size.n; k++)
		smax = opt_size.v[k] > smax ? opt_size.v[k] : smax;
	if (zc_ring_geometry_check((uint64_t)opt_capacity, 2, 1 << 24,
				   (uint64_t)opt_iso, (uint64_t)bmax,
				   (uint64_t)smax, 2, why, sizeof(why)))
		return zc_usage(ctx, "%s", why);
	if (ctx->ncpus && ctx->ncpus != 2)
		return zc_usage(ctx,
				"--cpus: give two CPUs (host,consumer), not %d",
				ctx->ncpus);
	if (opt_place == ZC_PLACE_CPUS && ctx->ncpus != 2)
		return zc_usage(ctx, "--place cpus needs --cpus with two CPUs "
				     "(host,consumer)");
	if (ctx->ncpus)
		opt_place = ZC_PLACE_CPUS;
	/* host and consumer CPUs; the call paths need the host's only */
	st->pair_err = zc_topo_plan_pair(&ctx->topo, opt_place, ctx->cpus,
					 ctx->ncpus, &st->pair, &st->solo);
	if (st->pair_err == -EINVAL)
		return zc_usage(ctx, "--place: %s", st->pair.why);
	st->host_cpu = st->solo.cpu[0];
	st->cons_cpu = st->pair_err ? -1 : st->pair.cpu[1];
	e = getenv("ZC_FFI_CORRUPT");
	st->corrupt = e ? strtoll(e, NULL, 10) : -1;
	e = getenv("ZC_FFI_KILL_CONSUMER");
	st->kill_after = e ? strtoull(e, NULL, 10) : 0;
	find_all(st);
	return 0;
}

/* Why case fc cannot run here, "" when it can. */
static const char *skip_why(const struct ffi_st *st, const struct ffi_case *fc)
{
	int h = paths[fc->path].host;
	const char *w = st->sink_why[0]		      ? st->sink_why
			: h != H_C && progs[h].why[0] ? progs[h].why
						      : st->path_why[fc->path];

	return *w || fc->cons != CONS_RUST ? w : progs[H_RUST].why;
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
					 "ring: %s, by %s",
					 named(&fc) ? "named shm" : "memfd",
					 pd->host ? "head" : "slot sequence");
			if (*skip_why(st, &fc))
				zc_case_skip(c, "%s", skip_why(st, &fc));
		}
	}
	return 0;
}

static void ffi_plan_head(struct zc_bench *b)
{
	struct ffi_st *st = b->st;

	printf("  sink     %s\n",
	       st->sink_why[0] ? st->sink_why : st->sink_path);
	for (int h = H_PYTHON; h <= H_RUST; h++)
		printf("  %-8s %s %s\n", h == H_RUST ? "Rust" : progs[h].lang,
		       progs[h].why[0] ? progs[h].why : progs[h].interp,
		       progs[h].why[0] ? "" : progs[h].path);
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
	if (zc_ffi_pool_new(st->pool))
		return zc_error(b->ctx, "out of memory");
	for (unsigned k = 0; k < ZC_FFI_RECS; k++)
		zc_ffi_text_rec(&text_recs[k], k);
	return 0;
}

static void ffi_teardown(struct zc_bench *b)
{
	struct ffi_st *st = b->st;

	zc_ffi_pool_free(st->pool);
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
	.events_note = "per message; host: this thread (C) or the host "
		       "program's main thread over its announced region "
		       "(lib/region.h: a socket read and write more, a few "
		       "us); sink: the ring paths' consumer process, C or Rust "
		       "(on the call paths the sink runs in the host's call)",
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
