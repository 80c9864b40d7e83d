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
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "builtin.h"
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

/* The paths as data: who produces, and how messages reach the sink. */
static const struct ffi_path {
	const char *name;
	int python;   /* produced by the Python host */
	int ring;     /* through the ring to a consumer process */
	int baseline; /* the per-call path this one is compared with */
	const char *desc;
} paths[NPATHS] = {
	[P_CALL] = {"call", 0, 0, P_CALL,
		    "C, one call per message through a function pointer into "
		    "the dlopen'ed sink"},
	[P_MARSHAL] = {"call-marshal", 0, 0, P_CALL,
		       "C, text record (as a dict or JSON object holds it) "
		       "converted to the plain struct for every call"},
	[P_PYCALL] = {"python-call", 1, 0, P_PYCALL,
		      "CPython, dict packed into a ctypes buffer, one ctypes "
		      "call per message"},
	[P_RING] = {"ring", 0, 1, P_CALL,
		    "C, messages written into the shared ring, a consumer "
		    "process calls the sink"},
	[P_PYRING] =
		{"python-ring", 1, 1, P_PYCALL,
		 "CPython, dict packed into the ring's slots through mmap, "
		 "a C consumer process calls the sink"},
};

static const struct zc_word path_words[] = {
	{"call", P_CALL},	   {"call-marshal", P_MARSHAL},
	{"python-call", P_PYCALL}, {"ring", P_RING},
	{"python-ring", P_PYRING}, {NULL, 0}};
enum {
	SHM_MEMFD,
	SHM_NAMED
};
static const struct zc_word shm_words[] = {
	{"memfd", SHM_MEMFD}, {"named", SHM_NAMED}, {NULL, 0}};
#define PLACE_AUTO (-1)
static const struct zc_word place_words[] = {
	{"auto", PLACE_AUTO},
	{"smt", ZC_PLACE_SMT},
	{"l2", ZC_PLACE_L2},
	{"l3", ZC_PLACE_L3},
	{"cross-l3", ZC_PLACE_CROSS_L3},
	{"cross-numa", ZC_PLACE_CROSS_NUMA},
	{"cross-package", ZC_PLACE_CROSS_PACKAGE},
	{"cpus", ZC_PLACE_CPUS},
	{NULL, 0}};

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
		    "message sizes (--quick: 32,256,4096)", &opt_size,
		    ZC_FFI_SIZE_MIN, ZC_FFI_SIZE_MAX, 8, NULL),
	ZC_OPT_LIST("batch", "LIST", "messages", "1,8,64,256",
		    "ring paths: messages per claim/publish (--quick: 1,64)",
		    &opt_batch, 1, 1 << 20, 0, NULL),
	ZC_OPT_INT("capacity", "N", "slots", "1024",
		   "ring slots, a power of two", &opt_capacity, 2, 1 << 24),
	ZC_OPT_INT("isolation", "N", "bytes", "128",
		   "ring: bytes between header, head and tail (64 or 128)",
		   &opt_iso, 64, 128),
	ZC_OPT_DOUBLE("seconds", "S", "s", NULL,
		      "measured time per repetition (default 0.2; 0.05 with "
		      "--quick)",
		      &opt_seconds, 0, 60),
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

#define OPT_SIZE  (&ffi_opts[1])
#define OPT_BATCH (&ffi_opts[2])

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
	int idx;	/* case index in results */
};

/* What the ring consumer process reports, in a shared page. */
struct cons_report {
	struct zc_ffi_verdict v;
	uint64_t t_end, cpu_ns;
	int cpu_start, cpu_end, err;
	int done;
};

/* A child process under watch, with its stdout/stderr when piped. */
struct child {
	const char *what;
	pid_t pid;
	int status, exited;
	int fd[2]; /* stdout, stderr read ends; -1 when closed */
	char out[4096], err[4096];
	size_t nout, nerr;
};

struct ffi_run {
	struct zc_ctx *ctx;
	struct zc_results res;
	struct ffi_case *cases;
	int ncases;
	double seconds;
	int host_cpu, cons_cpu, pair_ok;
	char pair_why[160];
	cpu_set_t saved_affinity;
	/* the sink */
	char sink_path[PATH_MAX], host_path[PATH_MAX], python[PATH_MAX];
	char sink_why[300], python_why[300];
	void *dl;
	zc_ffi_begin_fn begin;
	zc_ffi_consume_fn consume;
	zc_ffi_end_fn end;
	unsigned char *pool[ZC_FFI_PAYLOADS];
	struct cons_report *rep;
	unsigned seq; /* names of named segments */
};

/* One repetition's raw figures. */
struct sample {
	uint64_t count, t0, t1, cpu_ns, t_e2e_end, cons_cpu_ns;
	int has_cons;
};

/* ---- locating the native side and the interpreter ----------------------- */

/* env override, next to the binary (build tree), or the libexec dir. */
static int find_file(const char *env, const char *name, char *out, size_t len,
		     char *why, size_t wlen)
{
	const char *e = getenv(env);
	char dir[PATH_MAX];

	if (e && *e) {
		snprintf(out, len, "%s", e);
		if (access(out, R_OK) == 0)
			return 0;
		snprintf(why, wlen, "%s='%s': %s", env, e, strerror(errno));
		return -ENOENT;
	}
	if (zc_exe_dir(dir, sizeof(dir)) == 0) {
		/* the build tree, then an installed tree that was moved */
		snprintf(out, len, "%s/%s", dir, name);
		if (access(out, R_OK) == 0)
			return 0;
		snprintf(out, len, "%s/../libexec/zcbench/%s", dir, name);
		if (access(out, R_OK) == 0)
			return 0;
	}
	snprintf(out, len, "%s/%s", ZC_LIBEXECDIR, name);
	if (access(out, R_OK) == 0)
		return 0;
	snprintf(why, wlen, "%s not found next to zcbench or in %s", name,
		 ZC_LIBEXECDIR);
	return -ENOENT;
}

static int find_python(const char *name, char *out, size_t len, char *why,
		       size_t wlen)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		if (access(out, X_OK) == 0)
			return 0;
		snprintf(why, wlen, "no Python interpreter: '%s': %s", name,
			 strerror(errno));
		return -ENOENT;
	}
	while (path && *path) {
		const char *c = strchr(path, ':');
		int n = c ? (int)(c - path) : (int)strlen(path);
		snprintf(out, len, "%.*s/%s", n ? n : 1, n ? path : ".", name);
		if (access(out, X_OK) == 0)
			return 0;
		path = c ? c + 1 : NULL;
	}
	snprintf(why, wlen,
		 "no Python interpreter: '%s' is not on PATH "
		 "(give --python PATH)",
		 name);
	return -ENOENT;
}

static int load_sink(struct ffi_run *run)
{
	if (find_file("ZC_FFI_SINK", ZC_FFI_SINK_NAME, run->sink_path,
		      sizeof(run->sink_path), run->sink_why,
		      sizeof(run->sink_why)) < 0)
		return -ENOENT;
	run->dl = dlopen(run->sink_path, RTLD_NOW | RTLD_LOCAL);
	if (!run->dl) {
		snprintf(run->sink_why, sizeof(run->sink_why),
			 "cannot load the sink library: %s", dlerror());
		return -ENOENT;
	}
	run->begin = (zc_ffi_begin_fn)dlsym(run->dl, "zc_ffi_sink_begin");
	run->consume = (zc_ffi_consume_fn)dlsym(run->dl, "zc_ffi_consume");
	run->end = (zc_ffi_end_fn)dlsym(run->dl, "zc_ffi_sink_end");
	if (!run->begin || !run->consume || !run->end) {
		snprintf(run->sink_why, sizeof(run->sink_why),
			 "%s lacks the zc_ffi_* functions", run->sink_path);
		return -ENOENT;
	}
	return 0;
}

/* ---- children --------------------------------------------------------- */

static void child_init(struct child *ch, const char *what, pid_t pid)
{
	memset(ch, 0, sizeof(*ch));
	ch->what = what;
	ch->pid = pid;
	ch->fd[0] = ch->fd[1] = -1;
}

static void child_drain(struct child *ch, int i)
{
	char *buf = i ? ch->err : ch->out;
	size_t *n = i ? &ch->nerr : &ch->nout, cap = sizeof(ch->out) - 1;
	char tmp[1024];
	ssize_t k;

	while (ch->fd[i] >= 0) {
		k = read(ch->fd[i], tmp, sizeof(tmp));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			return;
		if (k <= 0) {
			close(ch->fd[i]);
			ch->fd[i] = -1;
			return;
		}
		/* Keep the end: the last line is what explains a failure
		 * (tmp is smaller than buf, so k always fits). */
		if (*n + (size_t)k > cap) {
			size_t drop = *n + (size_t)k - cap;
			memmove(buf, buf + drop, *n - drop);
			*n -= drop;
		}
		memcpy(buf + *n, tmp, (size_t)k);
		*n += (size_t)k;
		buf[*n] = 0;
	}
}

static void child_kill(struct child *ch)
{
	if (ch->pid > 0 && !ch->exited) {
		kill(ch->pid, SIGKILL);
		while (waitpid(ch->pid, &ch->status, 0) < 0 && errno == EINTR)
			;
		ch->exited = 1;
	}
	for (int i = 0; i < 2; i++)
		if (ch->fd[i] >= 0) {
			close(ch->fd[i]);
			ch->fd[i] = -1;
		}
}

static int child_ok(const struct child *ch)
{
	return WIFEXITED(ch->status) && WEXITSTATUS(ch->status) == 0;
}

/* The last non-empty line of s (in place). */
static const char *last_line(char *s)
{
	size_t n = strlen(s);
	char *p;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = 0;
	p = strrchr(s, '\n');
	return p ? p + 1 : s;
}

static void child_explain(struct child *ch, char *why, size_t len)
{
	const char *line = last_line(ch->err);

	if (WIFSIGNALED(ch->status))
		snprintf(why, len, "%s was killed by signal %d (%s)%s%s",
			 ch->what, WTERMSIG(ch->status),
			 strsignal(WTERMSIG(ch->status)), *line ? ": " : "",
			 line);
	else
		snprintf(why, len, "%s exited with status %d: %s", ch->what,
			 WEXITSTATUS(ch->status),
			 *line ? line : "(no message on stderr)");
}

/*
 * Watch children until all exited. Any that exits unsuccessfully, a signal
 * to us, or the timeout: kill the rest and say why. Returns 0, -EPIPE (a
 * child failed), -EINTR, -ETIMEDOUT.
 */
static int supervise(struct child *ch, int n, double timeout_s, char *why,
		     size_t len)
{
	uint64_t deadline = zc_now_ns() + (uint64_t)(timeout_s * 1e9);
	int err = 0;

	for (;;) {
		struct pollfd pf[8];
		int np = 0, alive = 0;

		for (int c = 0; c < n; c++)
			for (int i = 0; i < 2; i++)
				if (ch[c].fd[i] >= 0)
					pf[np++] = (struct pollfd){ch[c].fd[i],
								   POLLIN, 0};
		poll(pf, (nfds_t)np, 20);
		for (int c = 0; c < n; c++) {
			child_drain(&ch[c], 0);
			child_drain(&ch[c], 1);
			if (!ch[c].exited && waitpid(ch[c].pid, &ch[c].status,
						     WNOHANG) == ch[c].pid) {
				ch[c].exited = 1;
				/* what it wrote before exiting */
				for (int i = 0; i < 2; i++) {
					int fl = ch[c].fd[i] >= 0
							 ? fcntl(ch[c].fd[i],
								 F_GETFL)
							 : 0;
					if (ch[c].fd[i] >= 0)
						fcntl(ch[c].fd[i], F_SETFL,
						      fl & ~O_NONBLOCK);
					child_drain(&ch[c], i);
				}
				if (!child_ok(&ch[c]) && !err) {
					child_explain(&ch[c], why, len);
					err = -EPIPE;
				}
			}
			alive += !ch[c].exited;
		}
		if (!alive)
			return err;
		if (!err && zc_stopped()) {
			snprintf(why, len, "interrupted");
			err = -EINTR;
		}
		if (!err && zc_now_ns() > deadline) {
			snprintf(why, len, "no result within --timeout %g s",
				 timeout_s);
			err = -ETIMEDOUT;
		}
		if (err) {
			for (int c = 0; c < n; c++)
				child_kill(&ch[c]);
			return err;
		}
	}
}

static void pin_child(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Fork and exec the Python host pinned to cpu, stdout/stderr piped,
 * keep_fd inherited. */
static int spawn_python(struct ffi_run *run, char **argv, int cpu, int keep_fd,
			struct child *ch)
{
	int out[2], err[2];
	pid_t pid;

	child_init(ch, "the Python host", -1);
	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		int e = -errno;
		close(out[0]);
		close(out[1]);
		return e;
	}
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (keep_fd >= 0)
			fcntl(keep_fd, F_SETFD, 0);
		pin_child(cpu);
		signal(SIGPIPE, SIG_DFL);
		execv(run->python, argv);
		dprintf(2, "cannot run '%s': %s\n", run->python,
			strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		int e = -errno;
		close(out[0]);
		close(err[0]);
		return e;
	}
	ch->pid = pid;
	ch->fd[0] = out[0];
	ch->fd[1] = err[0];
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	fcntl(err[0], F_SETFL, fcntl(err[0], F_GETFL) | O_NONBLOCK);
	return 0;
}

/* ---- the ring consumer process ------------------------------------------ */

struct cons_wait_arg {
	pid_t parent;
};

static int cons_wait(void *arg, _Atomic uint64_t *word, uint64_t seen,
		     uint64_t iter)
{
	struct cons_wait_arg *a = arg;

	if ((iter & 4095) == 4095) {
		if (zc_stopped())
			return -EINTR;
		if (getppid() != a->parent)
			return -EPIPE;
	}
	zc_cpu_relax();
	return 0;
}

static __attribute__((noreturn)) void
consumer_main(struct ffi_run *run, struct zc_ring *r, const struct ffi_case *fc,
	      uint64_t count, pid_t parent)
{
	struct cons_report *rep = run->rep;
	struct cons_wait_arg wa = {parent};
	const char *kill_env = getenv("ZC_FFI_KILL_CONSUMER");
	uint64_t kill_after = kill_env ? strtoull(kill_env, NULL, 10) : 0;
	uint64_t got = 0, lo, c0;
	uint32_t maxb =
		(uint32_t)(r->capacity / 4 < 256 ? r->capacity / 4 : 256);
	int n;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	pin_child(run->cons_cpu);
	rep->cpu_start = sched_getcpu();
	run->begin(fc->size);
	r->cons_wait = (struct zc_ring_wait){.wait = cons_wait, .arg = &wa};
	c0 = zc_thread_cpu_ns();
	while (got < count) {
		n = zc_ring_wait_avail(r, maxb ? maxb : 1, &lo);
		if (n < 0) {
			rep->err = n;
			break;
		}
		for (uint64_t q = lo; q < lo + (uint64_t)n; q++)
			run->consume(zc_ring_slot(r, q));
		zc_ring_consume(r, lo + (uint64_t)n - 1);
		got += (uint64_t)n;
		if (kill_after && got >= kill_after)
			raise(SIGKILL);
	}
	rep->t_end = zc_now_ns();
	rep->cpu_ns = zc_thread_cpu_ns() - c0;
	rep->cpu_end = sched_getcpu();
	run->end(&rep->v);
	rep->done = 1;
	_exit(rep->err ? 1 : 0);
}

/* ---- the C producers ---------------------------------------------------- */

struct text_rec {
	char price[16], quantity[12], symbol[12];
};

static struct text_rec text_recs[ZC_FFI_RECS];

static void build_text_recs(void)
{
	for (uint64_t k = 0; k < ZC_FFI_RECS; k++) {
		snprintf(text_recs[k].price, sizeof(text_recs[k].price), "%.2f",
			 zc_ffi_price(k));
		snprintf(text_recs[k].quantity, sizeof(text_recs[k].quantity),
			 "%u", zc_ffi_quantity(k));
		snprintf(text_recs[k].symbol, sizeof(text_recs[k].symbol),
			 "%.8s", ZC_FFI_SYMS[k & 7]);
	}
}

/* The marshalling tax: parse the record's text into the plain struct. */
static void marshal(void *dst, uint32_t size, uint64_t id,
		    unsigned char *const *pool)
{
	const struct text_rec *t = &text_recs[id & (ZC_FFI_RECS - 1)];
	char sym[8] = {0};
	char *p = dst;

	memcpy(sym, t->symbol, strnlen(t->symbol, sizeof(sym)));
	zc_ffi_head(p, id, strtod(t->price, NULL),
		    (uint32_t)strtoul(t->quantity, NULL, 10), sym);
	if (size > 32) {
		memcpy(p + 32, pool[id & (ZC_FFI_PAYLOADS - 1)], size - 40);
		memcpy(p + size - 8, &id, 8);
	}
}

typedef void (*fill_fn)(void *dst, uint32_t size, uint64_t id,
			unsigned char *const *pool);

/* Producer's wait hook: a dead consumer or a signal must not hang it. */
static int prod_wait(void *arg, _Atomic uint64_t *word, uint64_t seen,
		     uint64_t iter)
{
	struct child *ch = arg;

	if ((iter & 1023) == 1023) {
		if (zc_stopped())
			return -EINTR;
		if (waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid) {
			ch->exited = 1;
			return -EPIPE;
		}
	}
	zc_cpu_relax();
	return 0;
}

#define STOP_CHECK 4095 /* messages between looks at the stop flag */

/* Per-message calls from this thread. 0 or -EINTR. */
static int produce_calls(struct ffi_run *run, const struct ffi_case *fc,
			 fill_fn fill, struct sample *s)
{
	_Alignas(64) unsigned char buf[ZC_FFI_SIZE_MAX];
	zc_ffi_consume_fn consume = run->consume;
	uint64_t id;

	s->t0 = zc_now_ns();
	s->cpu_ns = zc_thread_cpu_ns();
	for (id = 0; id < s->count; id++) {
		fill(buf, fc->size, id, run->pool);
		consume(buf);
		if ((id & STOP_CHECK) == STOP_CHECK && zc_stopped())
			return -EINTR;
	}
	s->cpu_ns = zc_thread_cpu_ns() - s->cpu_ns;
	s->t1 = zc_now_ns();
	s->t_e2e_end = s->t1;
	return 0;
}

static int produce_ring(struct zc_ring *r, struct ffi_run *run,
			const struct ffi_case *fc, struct child *cons,
			struct sample *s)
{
	uint64_t id = 0, lo;
	int err;

	r->prod_wait = (struct zc_ring_wait){.wait = prod_wait, .arg = cons};
	s->t0 = zc_now_ns();
	s->cpu_ns = zc_thread_cpu_ns();
	while (id < s->count) {
		uint32_t n = s->count - id < fc->batch
				     ? (uint32_t)(s->count - id)
				     : fc->batch;
		err = zc_ring_claim(r, n, &lo);
		if (err)
			return err;
		for (uint64_t q = lo; q < lo + n; q++)
			zc_ffi_fill(zc_ring_slot(r, q), fc->size, q, run->pool);
		zc_ring_publish(r, lo, lo + n - 1);
		id += n;
		if ((id & ~(uint64_t)STOP_CHECK) !=
			    ((id - n) & ~(uint64_t)STOP_CHECK) &&
		    zc_stopped())
			return -EINTR;
	}
	s->cpu_ns = zc_thread_cpu_ns() - s->cpu_ns;
	s->t1 = zc_now_ns();
	return 0;
}

/* ---- one case ----------------------------------------------------------- */

/* Pull a number out of the Python host's JSON line. */
static int json_u64(json_t *o, const char *key, uint64_t *v)
{
	json_t *x = json_object_get(o, key);

	if (!json_is_integer(x))
		return -EPROTO;
	*v = (uint64_t)json_integer_value(x);
	return 0;
}

static int python_result(struct ffi_run *run, struct child *py,
			 const struct ffi_case *fc, struct sample *s, char *why,
			 size_t len)
{
	json_error_t je;
	json_t *o = json_loads(last_line(py->out), 0, &je), *cpus, *v;
	uint64_t cnt = 0, host_ns = 0, t_end = 0;
	int err = -EPROTO;

	if (!o) {
		snprintf(why, len, "the Python host's report is not JSON: %s",
			 je.text);
		return -EPROTO;
	}
	if (json_u64(o, "count", &cnt) || json_u64(o, "host_ns", &host_ns) ||
	    json_u64(o, "cpu_ns", &s->cpu_ns) ||
	    json_u64(o, "t_start", &s->t0) || json_u64(o, "t_end", &t_end)) {
		snprintf(why, len, "the Python host's report lacks a field");
		goto out;
	}
	s->t1 = s->t0 + host_ns;
	s->t_e2e_end = t_end;
	if (cnt != s->count) {
		snprintf(why, len, "the Python host sent %llu messages of %llu",
			 (unsigned long long)cnt, (unsigned long long)s->count);
		goto out;
	}
	cpus = json_object_get(o, "cpus");
	if (!json_is_array(cpus) || json_array_size(cpus) != 1 ||
	    json_integer_value(json_array_get(cpus, 0)) != run->host_cpu) {
		snprintf(why, len, "the Python host was not pinned to CPU %d",
			 run->host_cpu);
		err = -EXDEV;
		goto out;
	}
	v = json_object_get(o, "verdict");
	if (v) {
		uint64_t rec = 0, bad = 1, first = 0;
		json_u64(v, "received", &rec);
		json_u64(v, "bad", &bad);
		json_u64(v, "first_bad", &first);
		if (rec != s->count || bad) {
			snprintf(why, len,
				 "sink received %llu of %llu messages, "
				 "%llu bad (first at %llu: %s)",
				 (unsigned long long)rec,
				 (unsigned long long)s->count,
				 (unsigned long long)bad,
				 (unsigned long long)first,
				 strerror(-(int)json_integer_value(
					 json_object_get(v, "first_err"))));
			err = -EBADMSG;
			goto out;
		}
	}
	err = 0;
out:
	json_decref(o);
	return err;
}

static int check_verdict(const struct zc_ffi_verdict *v, uint64_t count,
			 char *why, size_t len)
{
	if (v->received == count && !v->bad)
		return 0;
	snprintf(why, len,
		 "sink received %llu of %llu messages, %llu bad "
		 "(first at %llu: %s)",
		 (unsigned long long)v->received, (unsigned long long)count,
		 (unsigned long long)v->bad, (unsigned long long)v->first_bad,
		 v->first_err ? strerror(-v->first_err) : "missing");
	return -EBADMSG;
}

/* Run one repetition of a case into s. 0 or -errno with why filled. */
static int run_case(struct ffi_run *run, const struct ffi_case *fc,
		    struct sample *s, char *why, size_t len)
{
	const struct ffi_path *pd = &paths[fc->path];
	struct zc_ring_cfg cfg = {
		.slot_size = fc->size,
		.capacity = (uint64_t)opt_capacity,
		.isolation = (uint32_t)opt_iso,
		.node = -1,
		.mem_flags = opt_shm == SHM_NAMED && pd->python ? ZC_MEM_NAMED
								: ZC_MEM_MEMFD};
	struct child ch[2];
	struct zc_ring r;
	char name[64], a_size[16], a_count[24], a_batch[16], a_fd[16],
		a_len[24];
	char *argv[20];
	int argc = 0, err, nch = 0, cpu0, cpu1;
	pid_t parent = getpid();

	if (!pd->ring) {
		if (pd->python) {
			snprintf(a_size, sizeof(a_size), "%u", fc->size);
			snprintf(a_count, sizeof(a_count), "%llu",
				 (unsigned long long)s->count);
			argv[argc++] = run->python;
			argv[argc++] = run->host_path;
			argv[argc++] = "--mode";
			argv[argc++] = "call";
			argv[argc++] = "--lib";
			argv[argc++] = run->sink_path;
			argv[argc++] = "--size";
			argv[argc++] = a_size;
			argv[argc++] = "--count";
			argv[argc++] = a_count;
			argv[argc] = NULL;
			err = spawn_python(run, argv, run->host_cpu, -1,
					   &ch[0]);
			if (err < 0) {
				snprintf(why, len,
					 "cannot start the Python "
					 "host: %s",
					 strerror(-err));
				return err;
			}
			err = supervise(ch, 1, run->ctx->timeout_s, why, len);
			if (!err)
				err = python_result(run, &ch[0], fc, s, why,
						    len);
			child_kill(&ch[0]);
			return err;
		}
		/* C calls from this thread, pinned to the host CPU. */
		err = zc_topo_pin_self(&run->ctx->topo, run->host_cpu);
		if (err < 0) {
			snprintf(why, len, "cannot pin to CPU %d: %s",
				 run->host_cpu, strerror(-err));
			return err;
		}
		cpu0 = sched_getcpu();
		run->begin(fc->size);
		err = produce_calls(
			run, fc, fc->path == P_MARSHAL ? marshal : zc_ffi_fill,
			s);
		cpu1 = sched_getcpu();
		if (err)
			return err;
		if (cpu0 != run->host_cpu || cpu1 != run->host_cpu) {
			snprintf(why, len, "host ran on CPU %d..%d, planned %d",
				 cpu0, cpu1, run->host_cpu);
			return -EXDEV;
		}
		run->end(&run->rep->v);
		return check_verdict(&run->rep->v, s->count, why, len);
	}

	/* Ring paths: a fresh ring, a consumer process, then the producer. */
	snprintf(name, sizeof(name), "/zc-ffi-%d-%u", (int)getpid(),
		 run->seq++);
	cfg.name = name;
	err = zc_ring_create(&r, &cfg);
	if (err < 0) {
		snprintf(why, len, "cannot create the ring: %s",
			 zc_ring_strerror(err));
		return err;
	}
	memset(run->rep, 0, sizeof(*run->rep));
	fflush(NULL);
	child_init(&ch[nch], "the consumer process", fork());
	if (ch[nch].pid == 0)
		consumer_main(run, &r, fc, s->count, parent);
	if (ch[nch].pid < 0) {
		err = -errno;
		snprintf(why, len, "cannot fork the consumer: %s",
			 strerror(-err));
		zc_ring_free(&r);
		return err;
	}
	nch++;
	if (pd->python) {
		snprintf(a_size, sizeof(a_size), "%u", fc->size);
		snprintf(a_count, sizeof(a_count), "%llu",
			 (unsigned long long)s->count);
		snprintf(a_batch, sizeof(a_batch), "%u", fc->batch);
		snprintf(a_fd, sizeof(a_fd), "%d", r.mem.fd);
		snprintf(a_len, sizeof(a_len), "%zu", zc_ring_bytes(&cfg));
		argv[argc++] = run->python;
		argv[argc++] = run->host_path;
		argv[argc++] = "--mode";
		argv[argc++] = "ring";
		argv[argc++] =
			cfg.mem_flags == ZC_MEM_NAMED ? "--name" : "--fd";
		argv[argc++] = cfg.mem_flags == ZC_MEM_NAMED ? name : a_fd;
		argv[argc++] = "--len";
		argv[argc++] = a_len;
		argv[argc++] = "--size";
		argv[argc++] = a_size;
		argv[argc++] = "--count";
		argv[argc++] = a_count;
		argv[argc++] = "--batch";
		argv[argc++] = a_batch;
		argv[argc++] = "--lib";
		argv[argc++] = run->sink_path;
		argv[argc] = NULL;
		err = spawn_python(run, argv, run->host_cpu,
				   cfg.mem_flags == ZC_MEM_NAMED ? -1
								 : r.mem.fd,
				   &ch[nch]);
		if (err < 0) {
			snprintf(why, len, "cannot start the Python host: %s",
				 strerror(-err));
			child_kill(&ch[0]);
			zc_ring_free(&r);
			return err;
		}
		nch++;
		err = supervise(ch, nch, run->ctx->timeout_s, why, len);
		if (!err)
			err = python_result(run, &ch[1], fc, s, why, len);
	} else {
		err = zc_topo_pin_self(&run->ctx->topo, run->host_cpu);
		if (err < 0)
			snprintf(why, len, "cannot pin to CPU %d: %s",
				 run->host_cpu, strerror(-err));
		cpu0 = sched_getcpu();
		if (!err)
			err = produce_ring(&r, run, fc, &ch[0], s);
		cpu1 = sched_getcpu();
		if (err == -EPIPE) {
			child_explain(&ch[0], why, len);
			snprintf(why + strlen(why), len - strlen(why),
				 "; the producer noticed with %llu of %llu "
				 "messages sent",
				 (unsigned long long)(r.prod_next),
				 (unsigned long long)s->count);
		} else if (err == -EINTR) {
			snprintf(why, len, "interrupted");
		} else if (!err) {
			err = supervise(ch, 1, run->ctx->timeout_s, why, len);
			if (!err &&
			    (cpu0 != run->host_cpu || cpu1 != run->host_cpu)) {
				snprintf(why, len,
					 "host ran on CPU %d..%d, "
					 "planned %d",
					 cpu0, cpu1, run->host_cpu);
				err = -EXDEV;
			}
		}
	}
	for (int c = 0; c < nch; c++)
		child_kill(&ch[c]);
	zc_ring_free(&r);
	if (err)
		return err;
	if (!run->rep->done) {
		snprintf(why, len,
			 "the consumer process ended without a report");
		return -EPIPE;
	}
	if (run->rep->cpu_start != run->cons_cpu ||
	    run->rep->cpu_end != run->cons_cpu) {
		snprintf(why, len, "consumer ran on CPU %d..%d, planned %d",
			 run->rep->cpu_start, run->rep->cpu_end, run->cons_cpu);
		return -EXDEV;
	}
	s->t_e2e_end = run->rep->t_end;
	s->cons_cpu_ns = run->rep->cpu_ns;
	s->has_cons = 1;
	return check_verdict(&run->rep->v, s->count, why, len);
}

static int ffi_skip(void *vctx, int i)
{
	struct ffi_run *run = vctx;
	return run->res.cases[run->cases[i].idx].status != ZC_CASE_OK;
}

static int ffi_one(void *vctx, int i, int rep)
{
	struct ffi_run *run = vctx;
	struct ffi_case *fc = &run->cases[i];
	struct zc_case *c = &run->res.cases[fc->idx];
	const struct ffi_path *pd = &paths[fc->path];
	struct sample s = {0};
	char why[ZC_WHY_LEN];
	double ns, e2e;
	int err;

	/* The warm-up sizes the repetitions: a probe, then enough messages
	 * for --seconds at the rate it showed. */
	if (rep < 0 || !fc->count) {
		uint64_t probe = pd->python ? 3000 : (1u << 22) / fc->size;
		s.count = probe < 4096 && !pd->python ? 4096 : probe;
	} else {
		s.count = fc->count;
	}
	why[0] = 0;
	err = run_case(run, fc, &s, why, sizeof(why));
	sched_setaffinity(0, sizeof(run->saved_affinity), &run->saved_affinity);
	if (err == -EINTR || (err && zc_stopped()))
		return -EINTR;
	if (err) {
		zc_case_fail(&run->res, c, "%s", why);
		fprintf(stderr, "zcbench ffi: %s failed: %s\n", c->name, why);
		return err;
	}
	ns = (double)(s.t1 - s.t0);
	if (rep < 0 || !fc->count) {
		double rate = (double)s.count / (ns > 1 ? ns : 1);
		double want = rate * run->seconds * 1e9;
		fc->count = want < 1000	 ? 1000
			    : want > 4e9 ? 4e9
					 : (uint64_t)want;
		if (rep < 0)
			return 0;
	}
	e2e = (double)(s.t_e2e_end - s.t0);
	c->iterations[rep] = (double)s.count;
	zc_case_set(&run->res, c, rep, M_HOST_NS, ns / (double)s.count);
	zc_case_set(&run->res, c, rep, M_HOST_CPU,
		    (double)s.cpu_ns / (double)s.count);
	zc_case_set(&run->res, c, rep, M_MMSGS, (double)s.count / e2e * 1e3);
	zc_case_set(&run->res, c, rep, M_MBPS,
		    (double)s.count * fc->size / e2e * 1e3);
	if (s.has_cons)
		zc_case_set(&run->res, c, rep, M_CONS_CPU,
			    (double)s.cons_cpu_ns / (double)s.count);
	else if (!c->absent[M_CONS_CPU][0])
		zc_case_absent(&run->res, c, M_CONS_CPU,
			       "no consumer process: the sink runs inside the "
			       "host's call (counted in host_cpu_ns_per_msg)");
	if (!c->cpus[0]) {
		if (pd->ring)
			snprintf(c->cpus, sizeof(c->cpus), "%d,%d",
				 run->host_cpu, run->cons_cpu);
		else
			snprintf(c->cpus, sizeof(c->cpus), "%d", run->host_cpu);
	}
	return 0;
}

/* ---- after the run: ratios, crossover, plot ------------------------------ */

static struct ffi_case *find_case(struct ffi_run *run, int path, uint32_t size,
				  uint32_t batch)
{
	for (int i = 0; i < run->ncases; i++) {
		struct ffi_case *fc = &run->cases[i];
		if (fc->path == path && fc->size == size &&
		    (batch == 0 || fc->batch == batch) &&
		    run->res.cases[fc->idx].status == ZC_CASE_OK)
			return fc;
	}
	return NULL;
}

static int median_of(struct ffi_run *run, const struct ffi_case *fc, int m,
		     double *v)
{
	struct zc_summary s;

	if (!fc || zc_case_summary(&run->res, &run->res.cases[fc->idx], m, &s))
		return -EINVAL;
	*v = s.median;
	return 0;
}

/* A producer that had its CPU much less than the wall time was preempted
 * (a loaded machine): its wall-clock figures are not its own cost. */
static void note_preempted(struct ffi_run *run, const struct ffi_case *fc,
			   struct zc_case *c)
{
	double ns, cpu;
	size_t n = strlen(c->label);

	if (median_of(run, fc, M_HOST_NS, &ns) ||
	    median_of(run, fc, M_HOST_CPU, &cpu) || ns <= 0 || cpu / ns > 0.9)
		return;
	snprintf(c->label + n, sizeof(c->label) - n,
		 "%shost had its CPU %.0f%% of the time (preempted)",
		 n ? "; " : "", 100 * cpu / ns);
}

static void ffi_ratios(struct ffi_run *run)
{
	for (int i = 0; i < run->ncases; i++) {
		struct ffi_case *fc = &run->cases[i];
		struct zc_case *c = &run->res.cases[fc->idx];
		int base = paths[fc->path].baseline;
		double b;

		if (c->status != ZC_CASE_OK)
			continue;
		note_preempted(run, fc, c);
		if (median_of(run, find_case(run, base, fc->size, 0), M_HOST_NS,
			      &b)) {
			char why[ZC_WHY_LEN];
			snprintf(why, sizeof(why),
				 "no successful %s case of %u B "
				 "to compare with",
				 paths[base].name, fc->size);
			zc_case_absent(&run->res, c, M_VS_CALL, why);
			continue;
		}
		for (int r = 0; r < c->nrep; r++)
			zc_case_set(
				&run->res, c, r, M_VS_CALL,
				b / zc_case_get(&run->res, c, r, M_HOST_NS));
	}
}

/*
 * The crossover, per language (ring vs call, python-ring vs python-call)
 * and message size: the smallest batch from which the ring's host cost per
 * message (metric m: wall or CPU ns) stays below the call's. Printed, or
 * (print == 0) marked into the plot's extra commands at the smallest size
 * where it happens.
 */
static void ffi_crossover(struct ffi_run *run, int m, int print, char *extra,
			  size_t len)
{
	static const int pairs[2][2] = {{P_RING, P_CALL}, {P_PYRING, P_PYCALL}};
	size_t used = strlen(extra);
	int printed = 0, label = 1;

	for (int p = 0; p < 2; p++) {
		int ring = pairs[p][0], call = pairs[p][1];
		uint32_t first_size = 0, first_batch = 0;

		for (int si = 0; si < opt_size.n; si++) {
			uint32_t size = (uint32_t)opt_size.v[si];
			double cv, rv, best = INFINITY;
			char verdict[64];
			uint32_t from = 0, best_b = 0;

			if (median_of(run, find_case(run, call, size, 0), m,
				      &cv))
				continue;
			for (int bi = 0; bi < opt_batch.n; bi++) {
				uint32_t b = (uint32_t)opt_batch.v[bi];
				if (median_of(run,
					      find_case(run, ring, size, b), m,
					      &rv))
					continue;
				if (rv < best) {
					best = rv;
					best_b = b;
				}
				if (rv < cv && !from)
					from = b;
				else if (rv >= cv)
					from = 0; /* must stay ahead */
			}
			if (!best_b)
				continue;
			if (print) {
				if (!printed++)
					printf("\ncrossover by %s, ring vs "
					       "per-message call:\n",
					       m == M_HOST_NS ? "host wall ns "
								"per message"
							      : "host CPU ns "
								"per message");
				if (from)
					snprintf(verdict, sizeof(verdict),
						 "wins from batch %u", from);
				else
					snprintf(verdict, sizeof(verdict), "%s",
						 best < cv
							 ? "wins only at some "
							   "batches (noise?)"
							 : "never wins");
				printf("  %-11s %4u B: %s (best %.1f ns at "
				       "batch "
				       "%u vs %s %.1f ns, %.2fx)\n",
				       paths[ring].name, size, verdict, best,
				       best_b, paths[call].name, cv, cv / best);
			}
			if (from && !first_size) {
				first_size = size;
				first_batch = from;
			}
		}
		if (first_size && used < len)
			used += (size_t)snprintf(
				extra + used, len - used,
				"set arrow %d from %u, graph 0 to %u, graph 1 "
				"nohead dt 2 lc rgb \"%s\"\n"
				"set label %d \"%s wins from %u B (batch %u)\" "
				"at "
				"%u, graph %.2f left offset 0.5,0 front\n",
				label, first_size, first_size,
				p ? "#d62728" : "#1f77b4", label,
				paths[ring].name, first_size, first_batch,
				first_size, p ? 0.90 : 0.96);
		else if (opt_size.n && used < len)
			used += (size_t)snprintf(
				extra + used, len - used,
				"set label %d \"%s: no crossover measured\" at "
				"graph 0.02, graph %.2f front\n",
				label, paths[ring].name, p ? 0.90 : 0.96);
		label++;
	}
}

static void ffi_plot(struct ffi_run *run, struct zc_plot *p)
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
		int path = (int)opt_paths.v[pi];
		char b[16], title[96];
		if (!paths[path].ring) {
			zc_plot_add_series(p, paths[path].name, "path",
					   paths[path].name, NULL);
			continue;
		}
		for (int bi = 0; bi < opt_batch.n; bi++) {
			snprintf(b, sizeof(b), "%lld", opt_batch.v[bi]);
			snprintf(title, sizeof(title), "%s, batch %s",
				 paths[path].name, b);
			zc_plot_add_series(p, title, "path", paths[path].name,
					   "batch", b, NULL);
		}
	}
	ffi_crossover(run, M_HOST_NS, 0, p->extra, sizeof(p->extra));
}

/* ---- the command -------------------------------------------------------- */

static int plan_cpus(struct ffi_run *run)
{
	static const int order[] = {ZC_PLACE_L3,
				    ZC_PLACE_L2,
				    ZC_PLACE_CROSS_L3,
				    ZC_PLACE_CROSS_NUMA,
				    ZC_PLACE_CROSS_PACKAGE,
				    ZC_PLACE_SMT};
	struct zc_ctx *ctx = run->ctx;
	struct zc_plan plan;
	int err = -ENODEV;

	if (opt_place == PLACE_AUTO) {
		for (size_t k = 0; k < sizeof(order) / sizeof(order[0]) && err;
		     k++)
			err = zc_topo_plan(&ctx->topo, order[k], 2, NULL, 0,
					   &plan);
	} else {
		err = zc_topo_plan(&ctx->topo, opt_place, 2, ctx->cpus,
				   ctx->ncpus, &plan);
	}
	if (err == -EINVAL)
		return err;
	if (!err) {
		run->pair_ok = 1;
		run->host_cpu = plan.cpu[0];
		run->cons_cpu = plan.cpu[1];
		return 0;
	}
	snprintf(run->pair_why, sizeof(run->pair_why), "%s", plan.why);
	if (zc_topo_plan(&ctx->topo, ZC_PLACE_COMPACT, 1, NULL, 0, &plan) == 0)
		run->host_cpu = plan.cpu[0];
	run->cons_cpu = -1;
	return 0;
}

static int use_quick_default(struct zc_list *l, const struct zc_opt *o,
			     const char *text)
{
	char msg[200];

	if (l->given)
		return 0;
	return zc_opt_parse_list(o, text, l, msg, sizeof(msg));
}

static int build_cases(struct ffi_run *run)
{
	int cap = NPATHS * opt_size.n * opt_batch.n;

	run->cases = calloc((size_t)cap, sizeof(*run->cases));
	if (!run->cases)
		return -ENOMEM;
	for (int pi = 0; pi < opt_paths.n; pi++) {
		int path = (int)opt_paths.v[pi];
		const struct ffi_path *pd = &paths[path];
		for (int si = 0; si < opt_size.n; si++)
			for (int bi = 0; bi < (pd->ring ? opt_batch.n : 1);
			     bi++) {
				struct ffi_case *fc = &run->cases[run->ncases];
				char sv[16], bv[16];
				const char *vals[NKEYS] = {pd->name, sv, bv};
				struct zc_case *c;

				fc->path = path;
				fc->size = (uint32_t)opt_size.v[si];
				fc->batch = pd->ring ? (uint32_t)opt_batch.v[bi]
						     : 1;
				snprintf(sv, sizeof(sv), "%u", fc->size);
				snprintf(bv, sizeof(bv), "%u", fc->batch);
				c = zc_results_add(&run->res, vals);
				if (!c)
					return -ENOMEM;
				fc->idx = run->res.ncases - 1;
				c->threads = pd->ring ? 2 : 1;
				snprintf(
					c->label, sizeof(c->label), "%s",
					pd->ring
						? (pd->python && opt_shm ==
									   SHM_NAMED
							   ? "ring: named shm"
							   : "ring: memfd")
						: "");
				if (run->sink_why[0])
					zc_case_skip(c, "%s", run->sink_why);
				else if (pd->python && run->python_why[0])
					zc_case_skip(c, "%s", run->python_why);
				else if (pd->python && run->host_path[0] == 0)
					zc_case_skip(c,
						     "the Python host script "
						     "was not found");
				else if (pd->ring && !run->pair_ok)
					zc_case_skip(c, "needs two CPUs: %s",
						     run->pair_why);
				run->ncases++;
			}
	}
	return 0;
}

static void dry_run(struct ffi_run *run)
{
	int nrun = 0;

	printf("ffi plan on %s: host CPU %d, consumer CPU %d\n",
	       run->ctx->topo.source, run->host_cpu, run->cons_cpu);
	printf("  sink   %s\n",
	       run->sink_why[0] ? run->sink_why : run->sink_path);
	printf("  python %s\n",
	       run->python_why[0] ? run->python_why : run->python);
	printf("  host   %s\n",
	       run->host_path[0] ? run->host_path : "(not found)");
	for (int i = 0; i < run->ncases; i++) {
		struct zc_case *c = &run->res.cases[run->cases[i].idx];
		if (c->status == ZC_CASE_OK) {
			printf("  %s\n", c->name);
			nrun++;
		} else {
			printf("  %-40s skipped: %s\n", c->name, c->reason);
		}
	}
	printf("%d cases to run, %d skipped; %d repetitions + 1 warm-up of "
	       "%.3g s each\n",
	       nrun, run->ncases - nrun, run->ctx->reps, run->seconds);
}

static int cmd_ffi(int argc, char **argv, struct zc_ctx *ctx)
{
	struct ffi_run run = {.ctx = ctx};
	struct zc_plot plot;
	char why[300];
	int rc, err;
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	rc = zc_cmd_parse(ctx, ffi_opts, argc, argv);
	if (rc)
		return rc;
	run.seconds = opt_seconds > 0 ? opt_seconds : ctx->quick ? 0.05 : 0.2;
	if (run.seconds < 0.001)
		return zc_usage(ctx,
				"--seconds: %g is too short: expected "
				"0.001..60",
				opt_seconds);
	if (ctx->quick &&
	    (use_quick_default(&opt_size, OPT_SIZE, "32,256,4096") ||
	     use_quick_default(&opt_batch, OPT_BATCH, "1,64")))
		return zc_error(ctx, "internal error: bad --quick defaults");
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
			return zc_usage(
				ctx,
				"--capacity %lld of %lld-byte "
				"slots needs more than a quarter of "
				"this machine's memory: use fewer slots",
				opt_capacity, opt_size.v[i]);
	if (opt_place == ZC_PLACE_CPUS && ctx->ncpus != 2)
		return zc_usage(ctx, "--place cpus needs --cpus with two CPUs "
				     "(host,consumer)");
	if (ctx->ncpus && opt_place != ZC_PLACE_CPUS)
		opt_place = ZC_PLACE_CPUS;
	if (ctx->ncpus && ctx->ncpus != 2)
		return zc_usage(ctx,
				"--cpus: give two CPUs (host,consumer), "
				"not %d",
				ctx->ncpus);

	err = plan_cpus(&run);
	if (err < 0)
		return zc_usage(ctx, "--place: %s", run.pair_why);
	load_sink(&run);
	if (find_file("ZC_FFI_HOST", "zcbench_ffi_host.py", run.host_path,
		      sizeof(run.host_path), why, sizeof(why)) < 0) {
		run.host_path[0] = 0;
		snprintf(run.python_why, sizeof(run.python_why), "%s", why);
	}
	if (find_python(opt_python, run.python, sizeof(run.python), why,
			sizeof(why)) < 0)
		snprintf(run.python_why, sizeof(run.python_why), "%s", why);
	if (zc_results_init(&run.res, "ffi", ffi_keys, NKEYS, ffi_metrics,
			    NMETRICS, ctx->reps) < 0)
		return zc_error(ctx, "out of memory");
	if (build_cases(&run) < 0) {
		rc = zc_error(ctx, "out of memory");
		goto out;
	}
	if (ctx->dry_run) {
		dry_run(&run);
		rc = ZC_EXIT_OK;
		goto out;
	}
	for (int i = 0; i < run.res.ncases; i++)
		if (run.res.cases[i].status == ZC_CASE_SKIPPED &&
		    (i == 0 || strcmp(run.res.cases[i].reason,
				      run.res.cases[i - 1].reason)))
			zc_warn(ctx, "%s skipped: %s", run.res.cases[i].name,
				run.res.cases[i].reason);
	rc = zc_cmd_can_run(ctx, &run.res);
	if (rc)
		goto out;
	run.rep = mmap(NULL, sizeof(*run.rep), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (run.rep == MAP_FAILED) {
		run.rep = NULL;
		rc = zc_error(ctx, "cannot map the consumer's report page: %s",
			      strerror(errno));
		goto out;
	}
	for (unsigned v = 0; v < ZC_FFI_PAYLOADS; v++) {
		run.pool[v] = aligned_alloc(64, ZC_FFI_SIZE_MAX);
		if (!run.pool[v]) {
			rc = zc_error(ctx, "out of memory");
			goto out;
		}
	}
	for (unsigned v = 0; v < ZC_FFI_PAYLOADS; v++)
		zc_ffi_payload(run.pool[v], ZC_FFI_SIZE_MAX,
			       v); /* any size's prefix */
	sched_getaffinity(0, sizeof(run.saved_affinity), &run.saved_affinity);
	build_text_recs();
	rc = zc_cmd_begin(ctx);
	if (rc)
		goto out;
	zc_bench_drive("ffi", run.ncases, ctx->reps, 1, ffi_one, ffi_skip,
		       &run);
	ffi_ratios(&run);
	ffi_plot(&run, &plot);
	rc = zc_cmd_finish(ctx, &run.res, &plot, plot.nseries ? 1 : 0);
	if (ctx->format == ZC_FMT_TEXT && !ctx->quiet) {
		char unused[1] = "";
		ffi_crossover(&run, M_HOST_NS, 1, unused, 0);
		ffi_crossover(&run, M_HOST_CPU, 1, unused, 0);
	}
out:
	for (unsigned v = 0; v < ZC_FFI_PAYLOADS; v++)
		free(run.pool[v]);
	if (run.rep)
		munmap(run.rep, sizeof(*run.rep));
	if (run.dl)
		dlclose(run.dl);
	zc_results_release(&run.res);
	free(run.cases);
	return rc;
}

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
	.fn = cmd_ffi,
};
