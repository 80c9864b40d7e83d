/* SPDX-License-Identifier: MIT */
/*
 * Description: ffirun (lib/ffirun.h): C calls into the sink, and the ring
 * from C into the C and the Rust consumer, from Python (struct and NumPy)
 * into the Rust consumer, from Node.js into the C consumer, every message
 * verified; a corrupt message is caught by each consumer at its place, a
 * consumer killed mid-run is noticed (a part whose runtime is missing is
 * skipped with the reason; needs the built sink)
 * Labels: unit
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "check.h"
#include "ffirun.h"

static const char *const beside[] = {".", NULL};
static struct zc_ffi_sink sink;
static unsigned char *pool[ZC_FFI_PAYLOADS];
static struct zc_topo topo;
static struct zc_evset ev;
static struct zc_drain drain;
static char sink_path[4096], koffi[4096];
static struct zc_plan pair, solo;

static struct zc_host_prog
	python = {"the Python host",  "Python", "python",
		  "/usr/bin/python3", NULL,	"zcbench_ffi_host.py"},
	node = {"the Node.js host", "Node.js", "node",
		"/usr/bin/node",    NULL,      "zcbench_ffi_host.js"},
	rust = {"the Rust consumer process", .file = "zcbench_ffi_consumer"},
	numpy;

struct mode {
	const struct zc_host_prog *host; /* NULL: this thread */
	const char *mode;		 /* its --mode */
	int64_t corrupt;
	uint64_t kill_after;
};

static int argv_of(void *arg, int who, const struct zc_ffi_ring *fr,
		   struct zc_argv *a)
{
	const struct mode *m = arg;
	struct zc_host_args x = {.size = (uint32_t)fr->r.slot_size,
				 .count = 20000,
				 .len = fr->bytes,
				 .corrupt = -1,
				 .fd = fr->r.mem.fd};

	zc_argv_init(a);
	if (who == ZC_FFI_WHO_CONSUMER) {
		x.kill_after = m->kill_after;
		return zc_host_argv(a, &rust, &x);
	}
	x.mode = m->mode;
	x.lib = sink_path;
	x.koffi = m->host == &node ? koffi : NULL;
	x.batch = 16;
	x.corrupt = m->corrupt;
	return zc_host_argv(a, m->host, &x);
}

/* One repetition; want: 0 or the error it must fail with (why checked
 * for has when set). */
static void one(const char *what, const struct zc_host_prog *cons,
		struct mode m, int want, const char *has)
{
	struct zc_ffi_run run = {.ring = 1,
				 .size = 64,
				 .batch = 16,
				 .isolation = 128,
				 .capacity = 256,
				 .count = 20000,
				 .topo = &topo,
				 .host_cpu = pair.cpu[0],
				 .cons_cpu = pair.cpu[1],
				 .events = &ev,
				 .timeout_s = 60,
				 .sink = &sink,
				 .pool = pool,
				 .corrupt = m.host ? -1 : m.corrupt,
				 .kill_after = m.kill_after,
				 .host = m.host,
				 .consumer = cons,
				 .argv = argv_of,
				 .arg = &m};
	struct zc_ffi_result res;
	char why[300] = "";
	int err;

	if ((m.host && m.host->why[0]) || (cons && cons->why[0])) {
		printf("%s: skipped: %s\n", what,
		       m.host && m.host->why[0] ? m.host->why : cons->why);
		return;
	}
	err = zc_ffi_run(&drain, &run, &res, why, sizeof(why));
	CHECKF(err == want && (!has || strstr(why, has)), "%s: %d: %s", what,
	       err, why);
	if (!want)
		CHECKF(res.v.received == run.count && !res.v.bad &&
			       res.e2e_end >= res.host.t_start,
		       "%s: received %llu, bad %llu", what,
		       (unsigned long long)res.v.received,
		       (unsigned long long)res.v.bad);
	printf("%s: %s\n", what, err ? why : "every message verified");
}

/* This thread calling the sink per message: every message verified. */
static void calls(void)
{
	struct zc_ffi_run run = {.fill = zc_ffi_fill,
				 .size = 256,
				 .count = 10000,
				 .topo = &topo,
				 .host_cpu = pair.cpu[0],
				 .events = &ev,
				 .sink = &sink,
				 .pool = pool,
				 .corrupt = -1};
	struct zc_ffi_result res;
	char why[300];

	CHECKF(zc_ffi_run(&drain, &run, &res, why, sizeof(why)) == 0, "%s",
	       why);
	CHECK(res.v.received == 10000 && !res.v.bad);
}

int main(void)
{
	const char *dir = getenv("ZC_BUILDDIR"), *src = getenv("ZC_SRCDIR");
	static const char bad[] = "1 bad (first at 100: Bad message)";
	char why[300];
	int err;

	if (!dir || chdir(dir)) {
		fprintf(stderr, "ZC_BUILDDIR not set or not a folder\n");
		return 77;
	}
	snprintf(sink_path, sizeof(sink_path), "%s/%s", dir, ZC_FFI_SINK_NAME);
	err = zc_ffi_sink_open(&sink, sink_path, why, sizeof(why));
	if (err < 0) {
		fprintf(stderr, "%s\n", why);
		return err == -ENOENT ? 77 : 1; /* not built : broken */
	}
	if (zc_topo_load(&topo, NULL) < 0) {
		fprintf(stderr, "no topology: %s\n", topo.err);
		return 77;
	}
	if (zc_topo_plan_pair(&topo, -1, NULL, 0, &pair, &solo)) {
		fprintf(stderr, "a host and a consumer need two CPUs: %s\n",
			pair.why);
		return 77;
	}
	zc_bench_signals_install();
	CHECK(zc_evset_resolve(&ev, "task-clock") == 0);
	CHECK(zc_drain_init(&drain) == 0 && zc_ffi_pool_new(pool) == 0);
	zc_host_find(&python, "auto", beside, NULL);
	zc_host_find(&node, "auto", beside, NULL);
	zc_host_find(&rust, NULL, beside, NULL);
	snprintf(koffi, sizeof(koffi), "%s/scripts/node_modules/koffi",
		 src ? src : "..");
	if (!node.why[0] && access(koffi, R_OK))
		snprintf(node.why, sizeof(node.why),
			 "koffi not installed in %s", koffi);

	calls();
	one("C -> C", NULL, (struct mode){NULL, NULL, -1}, 0, NULL);
	one("C -> Rust", &rust, (struct mode){NULL, NULL, -1}, 0, NULL);
	one("Python -> Rust", &rust, (struct mode){&python, "ring", -1}, 0,
	    NULL);
	if (!python.why[0]) { /* NumPy: the Python host says if it has it */
		struct zc_host_args x = {.mode = "probe",
					 .need = "numpy",
					 .corrupt = -1,
					 .fd = -1};
		numpy = python;
		zc_host_probe_prog(&python, &x, 30, numpy.why,
				   sizeof(numpy.why));
	}
	one("Python (NumPy) -> Rust", &rust,
	    (struct mode){&numpy, "ring-numpy", -1}, 0, NULL);
	one("Node.js -> C", NULL, (struct mode){&node, "ring", -1}, 0, NULL);
	/* a corrupt message: every consumer finds it, where it is */
	one("C -> C, message 100 corrupt", NULL, (struct mode){NULL, NULL, 100},
	    -EBADMSG, bad);
	one("C -> Rust, message 100 corrupt", &rust,
	    (struct mode){NULL, NULL, 100}, -EBADMSG, bad);
	one("Python -> Rust, message 100 corrupt", &rust,
	    (struct mode){&python, "ring", 100}, -EBADMSG, bad);
	one("Node.js -> C, message 100 corrupt", NULL,
	    (struct mode){&node, "ring", 100}, -EBADMSG, bad);
	/* the consumer dies mid-run: the producer notices, no hang */
	one("C -> C, consumer killed", NULL,
	    (struct mode){NULL, NULL, -1, 1000}, -EPIPE, "killed by signal 9");
	one("C -> Rust, consumer killed", &rust,
	    (struct mode){NULL, NULL, -1, 1000}, -EPIPE, "killed by signal 9");
	zc_ffi_pool_free(pool);
	zc_drain_release(&drain);
	dlclose(sink.dl);
	zc_topo_release(&topo);
	return zc_check_result();
}
