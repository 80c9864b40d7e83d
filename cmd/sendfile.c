/* SPDX-License-Identifier: MIT */
/*
 * zcbench sendfile — file to socket: every way a file can reach a stream
 * socket (lib/xfer.h), by file size, page cache hot and cold, over TCP
 * loopback and AF_UNIX, to a receiver in another process pinned to another
 * core. Time, GB/s, CPU of both ends, the sender's system calls, whether
 * zero-copy really happened; every transfer's byte count checked, at least
 * one per case checksummed end to end. Reproduces IBM's zero-copy table.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "builtin.h"
#include "xfer.h"

#define MIB	     (1ull << 20)
#define MAX_VARIANTS 32
#define MAX_SIZES    ZC_LIST_MAX
#define RECV_BUF     (256u << 10) /* the receiver's fixed buffer */
#define WARM_BUF     (1u << 20)
/* Free space kept beyond the largest file. */
#define SPACE_MARGIN (64 * MIB)
/* Fraction of a file that may stay cached and still count as cold. */
#define COLD_MAX     0.05
#define COLD_TRIES   100
#define COLD_WAIT_US 5000
#define HOT_MIN	     0.99

enum {
	CACHE_HOT,
	CACHE_COLD
};
enum {
	TR_TCP,
	TR_UNIX
};
enum {
	RECV_BUFFER,
	RECV_SPLICE
};
enum {
	VERIFY_FIRST,
	VERIFY_ALL
};

static struct zc_word method_words[MAX_VARIANTS + 1]; /* from the table */
static const struct zc_word cache_words[] = {
	{"hot", CACHE_HOT}, {"cold", CACHE_COLD}, {NULL, 0}};
static const struct zc_word transport_words[] = {
	{"tcp", TR_TCP}, {"unix", TR_UNIX}, {NULL, 0}};
static const struct zc_word receiver_words[] = {
	{"buffer", RECV_BUFFER}, {"splice", RECV_SPLICE}, {NULL, 0}};
static const struct zc_word verify_words[] = {
	{"first", VERIFY_FIRST}, {"all", VERIFY_ALL}, {NULL, 0}};

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
		    "file sizes (IBM's table; 7,21 with --quick)", &opt_sizes,
		    1, 1 << 20, 0, NULL),
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

#define OPT_BUFFER (&sf_opts[1])

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

/* A sender method with its buffer (0: the method takes none). */
struct sf_variant {
	const struct zc_xfer_method *m;
	size_t buffer;
	char name[32]; /* "read-send/64k", "sendfile" */
};

struct sf_case {
	int variant, size, cache, transport;
	int idx;	/* in results */
	int base;	/* case index of its baseline, -1: none */
	int verified;	/* transfers checksummed at the receiver */
	int transfers;	/* transfers done, warm-up included */
	const char *zc; /* what the kernel reported of zero-copy sends */
};

/* What travels to the receiver before a transfer, and back after it. */
#define SF_MAGIC     0x7a6373656e646669ull
#define HDR_CHECKSUM 1u
struct sf_hdr {
	uint64_t magic, size, kill_after;
	uint32_t flags, pad;
};
struct sf_reply {
	uint64_t bytes, sum;
	int32_t err, pin_err, cpu_start, cpu_end;
	double user_ns, sys_ns, csw;
};

struct sf_run {
	struct zc_ctx *ctx;
	struct zc_results res;
	struct sf_variant var[MAX_VARIANTS];
	int nvar, base_var;
	long long sizes[MAX_SIZES];
	int nsizes;
	struct sf_case *cases;
	int ncases;
	int first, count; /* the cases of the size being driven */
	/* placement */
	int scpu, rcpu;
	const char *place;
	cpu_set_t saved_affinity;
	/* files */
	char dir[4096];	 /* the --dir or the default parent */
	char work[4096]; /* our own folder inside it, "" when none */
	char path[4200]; /* the current file, "" when none */
	char fstype[32];
	int in_memory;
	uint64_t free_bytes;
	int fd;
	uint64_t fsize, fsum;
	void *warm_buf;
	struct zc_xfer xf[MAX_VARIANTS];
	int xf_ok[MAX_VARIANTS];
	char xf_why[MAX_VARIANTS][ZC_XFER_WHY];
	/* receiver */
	pid_t rpid;
	int lfd[2];
	struct sockaddr_storage addr[2];
	socklen_t alen[2];
	uint64_t kill_after; /* fault injection for tests */
	char fatal[300];     /* the run cannot go on: why */
};

static int sf_stopped(void)
{
	return zc_stopped();
}

static void size_name(size_t b, char *buf, size_t len)
{
	if (b >= MIB && b % MIB == 0)
		snprintf(buf, len, "%zum", b >> 20);
	else if (b >= 1024 && b % 1024 == 0)
		snprintf(buf, len, "%zuk", b >> 10);
	else
		snprintf(buf, len, "%zu", b);
}

/* ---- I/O helpers ---- */

static int io_full(int fd, void *p, size_t n, int out)
{
	char *c = p;
	while (n) {
		ssize_t r =
			out ? send(fd, c, n, MSG_NOSIGNAL) : recv(fd, c, n, 0);
		/* io_uring task work can interrupt a socket call that has a
		 * timeout (EINTR, not a restart): only a stop ends the wait */
		if (r < 0 && errno == EINTR && !zc_stopped())
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ECONNRESET; /* the peer closed early */
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

static double tv_ns(struct timeval tv)
{
	return (double)tv.tv_sec * 1e9 + (double)tv.tv_usec * 1e3;
}

/* ---- the receiver (a child process) ---- */

static void serve(int lfd, void *buf, int devnull, const int pipe[2], int pin)
{
	struct sf_reply rp = {.pin_err = pin};
	struct rusage r0, r1;
	struct sf_hdr h;
	uint64_t sum = 0;
	char ready = 1;
	int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (s < 0)
		return;
	if (io_full(s, &h, sizeof(h), 0) < 0 || h.magic != SF_MAGIC) {
		close(s);
		return;
	}
	getrusage(RUSAGE_THREAD, &r0);
	rp.cpu_start = sched_getcpu();
	if (io_full(s, &ready, 1, 1) < 0) {
		close(s);
		return;
	}
	rp.err = zc_xfer_recv(s, buf, RECV_BUF, &rp.bytes,
			      h.flags & HDR_CHECKSUM ? &sum : NULL, devnull,
			      pipe, h.kill_after);
	getrusage(RUSAGE_THREAD, &r1);
	rp.cpu_end = sched_getcpu();
	rp.sum = sum;
	rp.user_ns = tv_ns(r1.ru_utime) - tv_ns(r0.ru_utime);
	rp.sys_ns = tv_ns(r1.ru_stime) - tv_ns(r0.ru_stime);
	rp.csw = (double)(r1.ru_nvcsw - r0.ru_nvcsw + r1.ru_nivcsw -
			  r0.ru_nivcsw);
	io_full(s, &rp, sizeof(rp), 1);
	close(s);
}

static void receiver_main(struct sf_run *run)
{
	struct pollfd pfd[2];
	int devnull = -1, p[2] = {-1, -1};
	int pin = zc_topo_pin_self(&run->ctx->topo, run->rcpu);
	void *buf = aligned_alloc(4096, RECV_BUF);

	if (!buf)
		_exit(1);
	memset(buf, 0, RECV_BUF); /* touched: no page faults while timed */
	if (opt_receiver == RECV_SPLICE) {
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (devnull < 0 || pipe2(p, O_CLOEXEC) < 0)
			_exit(1);
		fcntl(p[1], F_SETPIPE_SZ, RECV_BUF);
	}
	for (int i = 0; i < 2; i++)
		pfd[i] = (struct pollfd){.fd = run->lfd[i], .events = POLLIN};
	while (!zc_stopped()) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		for (int i = 0; i < 2; i++)
			if (pfd[i].revents & POLLIN)
				serve(pfd[i].fd, buf, devnull, p, pin);
	}
	_exit(0);
}

static int receiver_start(struct sf_run *run)
{
	static const int fam[2] = {AF_INET, AF_UNIX};

	for (int i = 0; i < 2; i++) {
		run->lfd[i] =
			zc_xfer_listen(fam[i], &run->addr[i], &run->alen[i]);
		if (run->lfd[i] < 0)
			return zc_error(run->ctx, "cannot listen on %s: %s",
					i ? "AF_UNIX" : "127.0.0.1",
					strerror(-run->lfd[i]));
	}
	fflush(NULL);
	run->rpid = fork();
	if (run->rpid < 0)
		return zc_error(run->ctx, "cannot start the receiver: fork: %s",
				strerror(errno));
	if (run->rpid == 0)
		receiver_main(run);
	return 0;
}

/* Describe how the receiver ended, or "" while it lives. */
static int receiver_gone(struct sf_run *run, char *buf, size_t len)
{
	int st;
	pid_t r = run->rpid > 0 ? waitpid(run->rpid, &st, WNOHANG) : 0;

	if (r != run->rpid || r <= 0)
		return 0;
	run->rpid = 0;
	if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
	return 1;
}

static void receiver_stop(struct sf_run *run)
{
	if (run->rpid > 0) {
		kill(run->rpid, SIGKILL);
		while (waitpid(run->rpid, NULL, 0) < 0 && errno == EINTR)
			;
		run->rpid = 0;
	}
	for (int i = 0; i < 2; i++)
		if (run->lfd[i] >= 0)
			close(run->lfd[i]);
	run->lfd[0] = run->lfd[1] = -1;
}

/* ---- files ---- */

static void file_remove(struct sf_run *run)
{
	if (run->fd >= 0)
		close(run->fd);
	run->fd = -1;
	if (run->path[0])
		unlink(run->path);
	run->path[0] = 0;
}

/* Everything this run put on disk goes, whatever happened. */
static void cleanup(struct sf_run *run)
{
	for (int v = 0; v < run->nvar; v++)
		if (run->xf_ok[v]) {
			zc_xfer_release(&run->xf[v]);
			run->xf_ok[v] = 0;
		}
	file_remove(run);
	if (run->work[0] && rmdir(run->work) < 0 && errno != ENOENT)
		zc_warn(run->ctx, "cannot remove '%s': %s", run->work,
			strerror(errno));
	run->work[0] = 0;
	receiver_stop(run);
}

/* The default --dir: the first of $TMPDIR, /var/tmp, /tmp that is writable
 * and not in memory (else the first writable one). */
static const char *default_dir(void)
{
	const char *cand[3] = {getenv("TMPDIR"), "/var/tmp", "/tmp"};
	const char *first = NULL;

	for (int i = 0; i < 3; i++) {
		uint64_t fb;
		int mem;
		char t[32];
		if (!cand[i] || !cand[i][0] ||
		    access(cand[i], W_OK | X_OK) < 0 ||
		    zc_xfer_fs(cand[i], &fb, &mem, t, sizeof(t)) < 0)
			continue;
		if (!mem)
			return cand[i];
		if (!first)
			first = cand[i];
	}
	return first ? first : "/tmp";
}

/* Check --dir before anything is written: exists, is a writable folder,
 * holds the largest file. 0 or an exit status. */
static int check_dir(struct sf_run *run, long long max_mib)
{
	struct zc_ctx *ctx = run->ctx;
	uint64_t need = (uint64_t)max_mib * MIB + SPACE_MARGIN;
	struct stat st;
	int err;

	snprintf(run->dir, sizeof(run->dir), "%s",
		 opt_dir ? opt_dir : default_dir());
	if (stat(run->dir, &st) < 0)
		return zc_usage(
			ctx,
			"--dir '%s': %s: give an existing, writable folder",
			run->dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return zc_usage(ctx,
				"--dir '%s' is not a folder: give an existing, "
				"writable folder",
				run->dir);
	if (access(run->dir, W_OK | X_OK) < 0)
		return zc_usage(ctx, "--dir '%s' is not writable: %s", run->dir,
				strerror(errno));
	err = zc_xfer_fs(run->dir, &run->free_bytes, &run->in_memory,
			 run->fstype, sizeof(run->fstype));
	if (err < 0)
		return zc_usage(ctx, "--dir '%s': statfs: %s", run->dir,
				strerror(-err));
	if (need > run->free_bytes) {
		long long fit =
			(long long)((run->free_bytes > SPACE_MARGIN
					     ? run->free_bytes - SPACE_MARGIN
					     : 0) /
				    MIB);
		if (fit < 1)
			return zc_usage(
				ctx,
				"--dir '%s' has %llu MiB free: too little for "
				"any file",
				run->dir,
				(unsigned long long)(run->free_bytes / MIB));
		return zc_usage(ctx,
				"--sizes: %lld MiB does not fit in the %llu "
				"MiB free in '%s' (%s): expected 1..%lld MiB",
				max_mib,
				(unsigned long long)(run->free_bytes / MIB),
				run->dir, run->fstype, fit);
	}
	return 0;
}

/* Make our folder and try each method's file calls on a small file there.
 * 0 or an exit status (nothing left behind on failure). */
static int probe_dir(struct sf_run *run)
{
	struct zc_ctx *ctx = run->ctx;
	char why[ZC_XFER_WHY];
	uint64_t sum;
	int err;

	snprintf(run->work, sizeof(run->work), "%s/zcbench-sendfile.XXXXXX",
		 run->dir);
	if (!mkdtemp(run->work)) {
		err = errno;
		run->work[0] = 0;
		return zc_usage(ctx, "--dir '%s' is not writable: %s", run->dir,
				strerror(err));
	}
	snprintf(run->path, sizeof(run->path), "%s/probe", run->work);
	run->fd = open(run->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (run->fd < 0) {
		err = errno;
		run->path[0] = 0;
		cleanup(run);
		return zc_usage(ctx, "--dir '%s': cannot create a file: %s",
				run->dir, strerror(err));
	}
	err = zc_xfer_file_fill(run->fd, 1 << 16, 1, &sum, NULL);
	if (err < 0) {
		cleanup(run);
		return zc_usage(ctx, "--dir '%s': cannot write a file: %s",
				run->dir, strerror(-err));
	}
	for (int v = 0; v < run->nvar; v++) {
		err = zc_xfer_file_check(run->var[v].m, run->fd, why,
					 sizeof(why));
		if (err < 0) {
			cleanup(run);
			return zc_usage(ctx,
					"--dir '%s' (%s) lacks a call that "
					"method %s needs: %s",
					run->dir, run->fstype,
					run->var[v].m->name, why);
		}
	}
	if (!run->in_memory) {
		double frac;
		for (int i = 0; i < opt_cache.n; i++) {
			if (opt_cache.v[i] != CACHE_COLD)
				continue;
			err = zc_xfer_cache_drop(run->fd, 1 << 16, &frac);
			if (err < 0) {
				cleanup(run);
				return zc_usage(
					ctx,
					"--dir '%s' (%s): posix_fadvise: %s: "
					"use --cache hot",
					run->dir, run->fstype, strerror(-err));
			}
		}
	}
	file_remove(run);
	return 0;
}

/* ---- the cases ---- */

static int sf_skip(void *vrun, int i)
{
	struct sf_run *run = vrun;
	struct sf_case *fc = &run->cases[run->first + i];
	return run->fatal[0] || run->res.cases[fc->idx].status != ZC_CASE_OK;
}

/* Bring the file into the state the case asks for. 0, 1 when the case is
 * skipped, or -errno. */
static int set_cache(struct sf_run *run, struct sf_case *fc, struct zc_case *c)
{
	double frac = 0;
	int err;

	if (fc->cache == CACHE_COLD) {
		/* Pages that socket buffers of the last transfer still hold
		 * cannot be dropped; the handshake made this CPU free the
		 * ones deferred to it, stragglers get a moment. */
		for (int i = 0; i < COLD_TRIES; i++) {
			err = zc_xfer_cache_drop(run->fd, run->fsize, &frac);
			if (err < 0 || frac <= COLD_MAX)
				break;
			usleep(COLD_WAIT_US);
		}
		if (err < 0) {
			zc_case_fail(&run->res, c, "posix_fadvise: %s",
				     strerror(-err));
			return err;
		}
		if (frac > COLD_MAX) {
			zc_case_skip(c,
				     "the kernel kept %.0f %% of the file "
				     "cached after DONTNEED for %d ms",
				     frac * 100,
				     COLD_TRIES * COLD_WAIT_US / 1000);
			return 1;
		}
		return 0;
	}
	err = zc_xfer_resident(run->fd, run->fsize, &frac);
	if (!err && frac < 1)
		err = zc_xfer_cache_warm(run->fd, run->fsize, run->warm_buf,
					 WARM_BUF, &frac);
	if (err == -EINTR)
		return err;
	if (err < 0) {
		zc_case_fail(&run->res, c,
			     "cannot read the file into the cache: %s",
			     strerror(-err));
		return err;
	}
	if (frac < HOT_MIN) {
		zc_case_skip(c,
			     "the page cache holds only %.0f %% of the file "
			     "(memory short)",
			     frac * 100);
		return 1;
	}
	return 0;
}

/* The receiver is gone: stop the whole run with the reason. `what` is
 * what the sender saw. */
static int receiver_died(struct sf_run *run, struct zc_case *c,
			 const char *what)
{
	char how[96] = "";
	for (int i = 0; i < 50 && !receiver_gone(run, how, sizeof(how)); i++)
		usleep(2000);
	if (!how[0])
		return 0;
	snprintf(run->fatal, sizeof(run->fatal),
		 "the receiver died mid-transfer: %s (sender: %s)", how, what);
	zc_case_fail(&run->res, c, "%s", run->fatal);
	return 1;
}

static int sf_one(void *vrun, int i, int rep)
{
	struct sf_run *run = vrun;
	struct sf_case *fc = &run->cases[run->first + i];
	struct zc_case *c = &run->res.cases[fc->idx];
	struct zc_xfer *x = &run->xf[fc->variant];
	struct sf_hdr h = {.magic = SF_MAGIC,
			   .size = run->fsize,
			   .kill_after = run->kill_after};
	struct timeval tmo = {.tv_sec = (time_t)run->ctx->timeout_s};
	struct rusage r0, r1;
	struct sf_reply rp;
	uint64_t t0, t1;
	char ready;
	int err, sock, cpu0, cpu1, sum_it;

	if (!run->xf_ok[fc->variant]) {
		zc_case_skip(c, "%s", run->xf_why[fc->variant]);
		return 0;
	}
	sum_it = rep < 0 || opt_verify == VERIFY_ALL;
	h.flags = sum_it ? HDR_CHECKSUM : 0;
	sock = zc_xfer_connect(&run->addr[fc->transport],
			       run->alen[fc->transport]);
	if (sock < 0) {
		snprintf(x->why, sizeof(x->why), "connect: %s",
			 strerror(-sock));
		if (receiver_died(run, c, x->why))
			return sock;
		zc_case_fail(&run->res, c, "connect: %s", strerror(-sock));
		return sock;
	}
	/* A stuck receiver must not hang the run. */
	setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo));
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	err = zc_xfer_attach(x, sock);
	if (err < 0) {
		zc_case_skip(c, "%s", x->why);
		close(sock);
		return 0;
	}
	err = io_full(sock, &h, sizeof(h), 1);
	if (!err)
		err = io_full(sock, &ready, 1, 0);
	if (err < 0) {
		close(sock);
		snprintf(x->why, sizeof(x->why), "handshake: %s",
			 strerror(-err));
		if (err == -EINTR || receiver_died(run, c, x->why))
			return err;
		zc_case_fail(&run->res, c, "handshake with the receiver: %s",
			     strerror(-err));
		return err;
	}
	/* After the handshake: its packets made this CPU free the socket
	 * buffers the previous transfer deferred to it (skb defer lists),
	 * and with them their references to the file's pages, which would
	 * otherwise keep a "cold" file partly cached. */
	err = set_cache(run, fc, c);
	if (err) {
		close(sock);
		return err < 0 ? err : 0;
	}

	/* The measured transfer: the receiver waits in recv() already. */
	getrusage(RUSAGE_THREAD, &r0);
	cpu0 = sched_getcpu();
	t0 = zc_now_ns();
	err = zc_xfer_run(x);
	if (!err) {
		shutdown(sock, SHUT_WR);
		err = io_full(sock, &rp, sizeof(rp), 0);
		if (err < 0)
			snprintf(x->why, sizeof(x->why),
				 "reading the receiver's reply: %s",
				 strerror(-err));
	}
	/* zero-copy completions: the pages are free for reuse only now */
	int cerr = zc_xfer_complete(x);
	err = err ? err : cerr;
	t1 = zc_now_ns();
	cpu1 = sched_getcpu();
	getrusage(RUSAGE_THREAD, &r1);
	close(sock);

	if (err == -EINTR && zc_stopped())
		return err;
	if (err < 0) {
		if (receiver_died(run, c, x->why))
			return err;
		zc_case_fail(&run->res, c, "%s", x->why);
		return err;
	}
	/* Self-checks: bytes, checksum, placement. */
	if (rp.err || rp.bytes != run->fsize) {
		zc_case_fail(&run->res, c,
			     "the receiver got %llu of %llu bytes%s%s",
			     (unsigned long long)rp.bytes,
			     (unsigned long long)run->fsize, rp.err ? ": " : "",
			     rp.err ? strerror(-rp.err) : "");
		return -EIO;
	}
	if (sum_it && rp.sum != run->fsum) {
		zc_case_fail(&run->res, c,
			     "checksum at the receiver differs from the "
			     "file's: data corrupted");
		return -EIO;
	}
	if (cpu0 != run->scpu || cpu1 != run->scpu ||
	    rp.cpu_start != run->rcpu || rp.cpu_end != run->rcpu) {
		zc_case_fail(&run->res, c,
			     "pinned sender %d / receiver %d ran on %d..%d / "
			     "%d..%d%s%s",
			     run->scpu, run->rcpu, cpu0, cpu1, rp.cpu_start,
			     rp.cpu_end, rp.pin_err ? ": " : "",
			     rp.pin_err ? strerror(-rp.pin_err) : "");
		return -EXDEV;
	}
	fc->verified += sum_it;
	fc->transfers++;
	snprintf(c->cpus, sizeof(c->cpus), "%d,%d", cpu0, rp.cpu_start);
	if (x->zc_reports) {
		uint64_t zc = x->zc_reports - x->zc_copied;
		fc->zc = zc == 0 ? "; kernel copied (no zero-copy)"
			 : zc == x->zc_reports ? "; zero-copy"
					       : "; partly copied";
	}
	snprintf(c->label, sizeof(c->label), "%d of %d checksummed%s",
		 fc->verified, fc->transfers, fc->zc ? fc->zc : "");
	if (rep < 0)
		return 0;

	double ms = (double)(t1 - t0) / 1e6;
	double su = (tv_ns(r1.ru_utime) - tv_ns(r0.ru_utime)) / 1e6;
	double ss = (tv_ns(r1.ru_stime) - tv_ns(r0.ru_stime)) / 1e6;
	double gb = (double)run->fsize / 1e9;
	c->iterations[rep] = 1;
	zc_case_set(&run->res, c, rep, M_MS, ms);
	zc_case_set(&run->res, c, rep, M_GBPS, gb / (ms / 1e3));
	zc_case_set(&run->res, c, rep, M_SND_USER, su);
	zc_case_set(&run->res, c, rep, M_SND_SYS, ss);
	zc_case_set(&run->res, c, rep, M_SND_CPU, su + ss);
	zc_case_set(&run->res, c, rep, M_RCV_USER, rp.user_ns / 1e6);
	zc_case_set(&run->res, c, rep, M_RCV_SYS, rp.sys_ns / 1e6);
	zc_case_set(&run->res, c, rep, M_RCV_CPU,
		    (rp.user_ns + rp.sys_ns) / 1e6);
	zc_case_set(&run->res, c, rep, M_CPU_PER_GB,
		    (su + ss + (rp.user_ns + rp.sys_ns) / 1e6) / gb);
	zc_case_set(&run->res, c, rep, M_SND_CSW,
		    (double)(r1.ru_nvcsw - r0.ru_nvcsw + r1.ru_nivcsw -
			     r0.ru_nivcsw));
	zc_case_set(&run->res, c, rep, M_RCV_CSW, rp.csw);
	zc_case_set(&run->res, c, rep, M_SYSCALLS, (double)x->syscalls);
	if (x->zc_reports)
		zc_case_set(&run->res, c, rep, M_ZC_PCT,
			    100.0 * (double)(x->zc_reports - x->zc_copied) /
				    (double)x->zc_reports);
	return 0;
}

/* ratio = ms of each repetition over the baseline's ms in the same
 * repetition (interleaved, so both saw the same machine). */
static void sf_ratios(struct sf_run *run)
{
	for (int i = 0; i < run->ncases; i++) {
		struct sf_case *fc = &run->cases[i];
		struct zc_case *c = &run->res.cases[fc->idx];
		struct zc_case *b =
			fc->base >= 0
				? &run->res.cases[run->cases[fc->base].idx]
				: NULL;
		if (c->status != ZC_CASE_OK)
			continue;
		if (!(run->var[fc->variant].m->flags & ZC_XFER_ZC))
			zc_case_absent(
				&run->res, c, M_ZC_PCT,
				"the method reports no zero-copy status");
		if (!b || b->status != ZC_CASE_OK || b->nrep < c->nrep) {
			zc_case_absent(&run->res, c, M_RATIO,
				       "no read-send baseline at this size, "
				       "cache and transport");
			continue;
		}
		for (int r = 0; r < c->nrep; r++)
			zc_case_set(&run->res, c, r, M_RATIO,
				    zc_case_get(&run->res, c, r, M_MS) /
					    zc_case_get(&run->res, b, r, M_MS));
	}
}

/* Set up the file and the senders for one size. 0 or -errno (fatal). */
static int size_begin(struct sf_run *run, int si)
{
	struct zc_ctx *ctx = run->ctx;
	int err;

	run->fsize = (uint64_t)run->sizes[si] * MIB;
	snprintf(run->path, sizeof(run->path), "%s/file-%lldMiB", run->work,
		 run->sizes[si]);
	run->fd = open(run->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (run->fd < 0) {
		err = -errno;
		run->path[0] = 0;
		snprintf(run->fatal, sizeof(run->fatal),
			 "cannot create '%s/file-%lldMiB': %s", run->work,
			 run->sizes[si], strerror(-err));
		return err;
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\rsendfile: writing %lld MiB to %s   ",
			run->sizes[si], run->path);
	err = zc_xfer_file_fill(run->fd, run->fsize, (uint64_t)run->sizes[si],
				&run->fsum, sf_stopped);
	if (err < 0) {
		if (err != -EINTR)
			snprintf(run->fatal, sizeof(run->fatal),
				 "cannot write %lld MiB to '%s': %s",
				 run->sizes[si], run->path, strerror(-err));
		return err;
	}
	for (int v = 0; v < run->nvar; v++) {
		err = zc_xfer_init(&run->xf[v], run->var[v].m, run->fd,
				   run->fsize, run->var[v].buffer,
				   (size_t)opt_pipe);
		run->xf_ok[v] = err == 0;
		if (err < 0)
			snprintf(run->xf_why[v], sizeof(run->xf_why[v]), "%s",
				 run->xf[v].why);
		else if (run->xf[v].pipe_got &&
			 run->xf[v].pipe_got < (size_t)opt_pipe)
			zc_warn(ctx,
				"splice: the kernel gave a %zu-byte pipe, not "
				"%lld",
				run->xf[v].pipe_got, opt_pipe);
	}
	return 0;
}

static void size_end(struct sf_run *run)
{
	for (int v = 0; v < run->nvar; v++)
		if (run->xf_ok[v]) {
			zc_xfer_release(&run->xf[v]);
			run->xf_ok[v] = 0;
		}
	file_remove(run);
}

/* ---- output ---- */

/* IBM's figures (Linux 2.6, "Efficient data transfer through zero copy"):
 * size MB, traditional ms, sendfile ms. */
static const struct {
	int mb;
	double trad, zc;
} ibm[] = {{7, 156, 45},       {21, 337, 128},	   {63, 843, 387},
	   {98, 1320, 617},    {200, 2124, 1150},  {350, 3631, 1762},
	   {700, 13498, 4422}, {1024, 18399, 8537}};

#define NIBM (int)(sizeof(ibm) / sizeof(ibm[0]))

static int ibm_row(long long mib)
{
	for (int k = 0; k < NIBM; k++)
		if (ibm[k].mb == mib)
			return k;
	return -1;
}

static int median_of(struct sf_run *run, int ci, int m, double *v)
{
	struct zc_summary s;
	struct zc_case *c = &run->res.cases[run->cases[ci].idx];
	if (c->status != ZC_CASE_OK || zc_case_summary(&run->res, c, m, &s) < 0)
		return -1;
	*v = s.median;
	return 0;
}

/* One cell: median ms and % saved against the baseline, or "-". */
static void ibm_cell(struct sf_run *run, int v, int s, int cache, int tr,
		     char *cell, size_t len)
{
	double ms, base;
	int i;

	snprintf(cell, len, "-");
	for (i = 0; i < run->ncases; i++) {
		struct sf_case *fc = &run->cases[i];
		if (fc->variant == v && fc->size == s && fc->cache == cache &&
		    fc->transport == tr)
			break;
	}
	if (i == run->ncases || median_of(run, i, M_MS, &ms) < 0)
		return;
	if (v != run->base_var && run->cases[i].base >= 0 &&
	    median_of(run, run->cases[i].base, M_MS, &base) == 0)
		snprintf(cell, len, "%.1f %+4.0f%%", ms, (1 - ms / base) * 100);
	else
		snprintf(cell, len, "%.1f", ms);
}

/* Size x method, ms and % saved against the baseline, for one cache and
 * transport; the methods in blocks that fit 100 columns, IBM's figures
 * beside the last block. */
static void ibm_block(struct sf_run *run, FILE *f, int cache, int tr)
{
	int has_ibm = 0;

	fprintf(f,
		"\nIBM-style table: %s, page cache %s: ms per transfer "
		"(median)%s%s\n",
		tr == TR_TCP ? "TCP loopback" : "AF_UNIX",
		cache_words[cache].name,
		run->base_var >= 0 ? " and % saved against "
				   : "; no read-send baseline in this run",
		run->base_var >= 0 ? run->var[run->base_var].name : "");
	for (int s = 0; s < run->nsizes; s++)
		has_ibm |= ibm_row(run->sizes[s]) >= 0;
	for (int v0 = 0, v1; v0 < run->nvar; v0 = v1) {
		int last;
		v1 = v0 + 6 < run->nvar ? v0 + 6 : run->nvar;
		last = v1 == run->nvar && has_ibm;
		fprintf(f, "%-10s", "size MiB");
		for (int v = v0; v < v1; v++)
			fprintf(f, "%15s", run->var[v].name);
		fprintf(f, "%s\n", last ? "  | IBM 2.6: read  sendfile" : "");
		for (int s = 0; s < run->nsizes; s++) {
			int k = ibm_row(run->sizes[s]);
			fprintf(f, "%-10lld", run->sizes[s]);
			for (int v = v0; v < v1; v++) {
				char cell[32];
				ibm_cell(run, v, s, cache, tr, cell,
					 sizeof(cell));
				fprintf(f, "%15s", cell);
			}
			if (last && k >= 0)
				fprintf(f, "  | %13.0f %9.0f", ibm[k].trad,
					ibm[k].zc);
			fputc('\n', f);
		}
	}
}

static void ibm_table(struct sf_run *run, FILE *f)
{
	for (int ci = 0; ci < opt_cache.n; ci++)
		for (int ti = 0; ti < opt_transport.n; ti++)
			ibm_block(run, f, (int)opt_cache.v[ci],
				  (int)opt_transport.v[ti]);
}

/* Does variant v have measured cases in this cache and transport? */
static int has_data(struct sf_run *run, int v, int cache, int tr)
{
	for (int i = 0; i < run->ncases; i++) {
		struct sf_case *fc = &run->cases[i];
		struct zc_case *c = &run->res.cases[fc->idx];
		if (fc->variant == v && fc->cache == cache &&
		    fc->transport == tr && c->status == ZC_CASE_OK && c->nrep)
			return 1;
	}
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
static int sf_plots(struct sf_run *run, struct zc_plot *p)
{
	int cache = (int)opt_cache.v[0], tr = (int)opt_transport.v[0];

	for (int k = 0; k < 2; k++) {
		struct zc_plot *q = &p[k];
		const char *m = sf_plot_desc[k].metric;

		memset(q, 0, sizeof(*q));
		snprintf(q->name, sizeof(q->name), "%s", sf_plot_desc[k].name);
		snprintf(q->csv, sizeof(q->csv), "sendfile.csv");
		snprintf(q->title, sizeof(q->title),
			 "%s (%s, cache %s; lower is better)",
			 sf_plot_desc[k].title, transport_words[tr].name,
			 cache_words[cache].name);
		snprintf(q->subtitle, sizeof(q->subtitle), "%s",
			 sf_plot_desc[k].subtitle);
		snprintf(q->xlabel, sizeof(q->xlabel), "file size [MiB]");
		snprintf(q->ylabel, sizeof(q->ylabel), "%s",
			 sf_plot_desc[k].ylabel);
		snprintf(q->xcol, sizeof(q->xcol), "size_mib");
		snprintf(q->ycol, sizeof(q->ycol), "%s_median", m);
		if (sf_plot_desc[k].bars) {
			snprintf(q->ylo, sizeof(q->ylo), "%s_min", m);
			snprintf(q->yhi, sizeof(q->yhi), "%s_max", m);
		}
		q->logx = 1;
		q->logy = sf_plot_desc[k].logy;
		for (int v = 0; v < run->nvar; v++) {
			char b[24] = "-";
			if (!has_data(run, v, cache, tr))
				continue;
			if (run->var[v].buffer)
				snprintf(b, sizeof(b), "%zu",
					 run->var[v].buffer);
			zc_plot_add_series(q, run->var[v].name, "method",
					   run->var[v].m->name, "buffer", b,
					   "cache", cache_words[cache].name,
					   "transport",
					   transport_words[tr].name, NULL);
		}
	}
	return p[0].nseries ? 2 : 0;
}

/* ---- set-up ---- */

static int plan_cpus(struct sf_run *run)
{
	static const int order[] = {ZC_PLACE_L2,
				    ZC_PLACE_L3,
				    ZC_PLACE_CROSS_L3,
				    ZC_PLACE_CROSS_NUMA,
				    ZC_PLACE_CROSS_PACKAGE,
				    ZC_PLACE_SMT};
	struct zc_ctx *ctx = run->ctx;
	static struct zc_plan plan;

	if (ctx->ncpus == 1)
		return zc_usage(ctx, "--cpus: give two CPUs, the sender's and "
				     "the receiver's");
	if (ctx->ncpus >= 2) {
		run->scpu = ctx->cpus[0];
		run->rcpu = ctx->cpus[1];
		run->place = "cpus";
		if (run->scpu == run->rcpu)
			return zc_usage(ctx, "--cpus: sender and receiver need "
					     "two different CPUs");
		return 0;
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (zc_topo_plan(&ctx->topo, order[i], 2, NULL, 0, &plan) ==
		    0) {
			run->scpu = plan.cpu[0];
			run->rcpu = plan.cpu[1];
			run->place = zc_place_name(order[i]);
			return 0;
		}
	zc_error(
		ctx,
		"needs two CPUs (sender and receiver); this process may use %d",
		zc_topo_npus(&ctx->topo));
	return ZC_EXIT_SKIP;
}

static void build_variants(struct sf_run *run)
{
	long long base = -1;

	for (int i = 0; i < opt_buffer.n; i++)
		if (opt_buffer.v[i] == 65536 || base < 0 ||
		    (base != 65536 && opt_buffer.v[i] > base))
			base = opt_buffer.v[i];
	run->base_var = -1;
	for (int i = 0; i < opt_method.n; i++) {
		const struct zc_xfer_method *m =
			&zc_xfer_methods[opt_method.v[i]];
		int nb = m->flags & ZC_XFER_BUFFERED ? opt_buffer.n : 1;
		for (int b = 0; b < nb && run->nvar < MAX_VARIANTS; b++) {
			struct sf_variant *v = &run->var[run->nvar];
			char sz[24];
			v->m = m;
			v->buffer = m->flags & ZC_XFER_BUFFERED
					    ? (size_t)opt_buffer.v[b]
					    : 0;
			if (v->buffer) {
				size_name(v->buffer, sz, sizeof(sz));
				snprintf(v->name, sizeof(v->name), "%s/%s",
					 m->name, sz);
			} else {
				snprintf(v->name, sizeof(v->name), "%s",
					 m->name);
			}
			if (m->run == zc_xfer_methods[0].run &&
			    (long long)v->buffer == base)
				run->base_var = run->nvar;
			run->nvar++;
		}
	}
}

static int build_cases(struct sf_run *run)
{
	static const int family[2] = {AF_INET, AF_UNIX};
	char probe_why[MAX_VARIANTS][2][ZC_XFER_WHY];
	int probe_err[MAX_VARIANTS][2];

	for (int v = 0; v < run->nvar; v++)
		for (int t = 0; t < 2; t++)
			probe_err[v][t] = 1; /* not probed */
	run->cases = calloc((size_t)(run->nvar * run->nsizes * 4),
			    sizeof(*run->cases));
	if (!run->cases)
		return -ENOMEM;
	/* Sizes outermost (one file at a time), then cache (hot cases
	 * together, so the file is read in once), transport, method. */
	for (int s = 0; s < run->nsizes; s++)
		for (int ci = 0; ci < opt_cache.n; ci++)
			for (int ti = 0; ti < opt_transport.n; ti++) {
				int base_case = -1;
				for (int v = 0; v < run->nvar; v++) {
					struct sf_case *fc =
						&run->cases[run->ncases];
					int t = (int)opt_transport.v[ti];
					char b[24] = "-", sz[24];
					const char *vals[NKEYS];
					struct zc_case *c;

					fc->variant = v;
					fc->size = s;
					fc->cache = (int)opt_cache.v[ci];
					fc->transport = t;
					fc->base = -1;
					if (run->var[v].buffer)
						snprintf(b, sizeof(b), "%zu",
							 run->var[v].buffer);
					snprintf(sz, sizeof(sz), "%lld",
						 run->sizes[s]);
					vals[0] = run->var[v].m->name;
					vals[1] = b;
					vals[2] = sz;
					vals[3] = cache_words[fc->cache].name;
					vals[4] = transport_words[t].name;
					c = zc_results_add(&run->res, vals);
					if (!c)
						return -ENOMEM;
					c->threads = 2;
					fc->idx = run->res.ncases - 1;
					if (v == run->base_var)
						base_case = run->ncases;
					if (probe_err[v][t] == 1)
						probe_err[v][t] = zc_xfer_probe(
							run->var[v].m,
							family[t],
							probe_why[v][t],
							sizeof(probe_why[v]
									[t]));
					if (probe_err[v][t] < 0)
						zc_case_skip(c, "%s",
							     probe_why[v][t]);
					else if (fc->cache == CACHE_COLD &&
						 run->in_memory)
						zc_case_skip(
							c,
							"--dir is on %s (in "
							"memory): pages cannot "
							"be dropped",
							run->fstype);
					run->ncases++;
				}
				for (int k = run->ncases - run->nvar;
				     k < run->ncases; k++)
					run->cases[k].base = base_case;
			}
	return 0;
}

static void dry_run(struct sf_run *run)
{
	int nrun = 0;
	long long total = 0;

	printf("sendfile plan: sender on CPU %d, receiver (another process) on "
	       "CPU %d (%s)\n",
	       run->scpu, run->rcpu, run->place);
	printf("files in a new folder in '%s' (%s%s, %llu MiB free), one at a "
	       "time, removed after\n",
	       run->dir, run->fstype, run->in_memory ? ", in memory" : "",
	       (unsigned long long)(run->free_bytes / MIB));
	for (int i = 0; i < run->ncases; i++) {
		struct zc_case *c = &run->res.cases[run->cases[i].idx];
		if (c->status == ZC_CASE_OK) {
			nrun++;
			total += run->sizes[run->cases[i].size];
			printf("  %s\n", c->name);
		} else {
			printf("  %-64s skipped: %s\n", c->name, c->reason);
		}
	}
	printf("%d cases to run, %d skipped; %d repetitions + 1 warm-up: %lld "
	       "MiB sent\n",
	       nrun, run->ncases - nrun, run->ctx->reps,
	       total * (run->ctx->reps + 1));
}

/* Cases that never ran (a stop, a dead receiver) say so. */
static void mark_not_run(struct sf_run *run)
{
	const char *why = run->fatal[0] ? "not run: the run stopped early"
					: "not run: interrupted";
	for (int i = 0; i < run->ncases; i++) {
		struct zc_case *c = &run->res.cases[run->cases[i].idx];
		if (c->status == ZC_CASE_OK && c->nrep == 0)
			zc_case_skip(c, "%s", why);
	}
}

static int sf_measure(struct sf_run *run)
{
	struct zc_ctx *ctx = run->ctx;
	int err;

	sched_getaffinity(0, sizeof(run->saved_affinity), &run->saved_affinity);
	err = zc_topo_pin_self(&ctx->topo, run->scpu);
	if (err < 0) {
		snprintf(run->fatal, sizeof(run->fatal),
			 "cannot pin the sender to CPU %d: %s", run->scpu,
			 strerror(-err));
		return err;
	}
	for (int s = 0; s < run->nsizes && !zc_stopped() && !run->fatal[0];
	     s++) {
		run->first = -1;
		run->count = 0;
		for (int i = 0; i < run->ncases; i++)
			if (run->cases[i].size == s) {
				if (run->first < 0)
					run->first = i;
				run->count++;
			}
		if (!run->count)
			continue;
		err = size_begin(run, s);
		if (!err)
			zc_bench_drive("sendfile", run->count, ctx->reps, 1,
				       sf_one, sf_skip, run);
		size_end(run);
	}
	sched_setaffinity(0, sizeof(run->saved_affinity), &run->saved_affinity);
	return 0;
}

static int cmd_sendfile(int argc, char **argv, struct zc_ctx *ctx)
{
	struct sf_run run = {.ctx = ctx, .fd = -1, .lfd = {-1, -1}};
	struct zc_plot plots[2];
	long long max_mib = 0;
	const char *k;
	int rc;

	for (int i = 0; i < zc_xfer_nmethods && i < MAX_VARIANTS; i++)
		method_words[i] = (struct zc_word){zc_xfer_methods[i].name, i};
	rc = zc_cmd_parse(ctx, sf_opts, argc, argv);
	if (rc)
		return rc;
	if (ctx->quick && !opt_sizes.given) {
		opt_sizes.n = 2;
		opt_sizes.v[0] = 7;
		opt_sizes.v[1] = 21;
	}
	for (int i = 0; i < opt_sizes.n; i++) {
		run.sizes[run.nsizes++] = opt_sizes.v[i];
		max_mib = opt_sizes.v[i] > max_mib ? opt_sizes.v[i] : max_mib;
	}
	k = getenv("ZCBENCH_TEST_KILL_RECEIVER");
	run.kill_after = k ? strtoull(k, NULL, 0) : 0;

	/* Everything the user can get wrong is refused before anything is
	 * written. */
	build_variants(&run);
	rc = plan_cpus(&run);
	if (rc)
		return rc;
	rc = check_dir(&run, max_mib);
	if (rc)
		return rc;
	if (zc_results_init(&run.res, "sendfile", sf_keys, NKEYS, sf_metrics,
			    M_COUNT, ctx->reps) < 0)
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
	rc = probe_dir(&run);
	if (!rc)
		rc = zc_cmd_can_run(ctx, &run.res);
	if (rc)
		goto out;
	run.warm_buf = malloc(WARM_BUF);
	if (!run.warm_buf) {
		rc = zc_error(ctx, "out of memory");
		goto out;
	}
	rc = zc_cmd_begin(ctx);
	if (rc)
		goto out;
	if (run.in_memory)
		zc_warn(ctx,
			"'%s' is %s: the files live in memory, cold cache is "
			"skipped",
			run.dir, run.fstype);
	rc = receiver_start(&run);
	if (rc)
		goto out;
	sf_measure(&run);
	cleanup(&run);
	if (run.fatal[0])
		zc_error(ctx, "%s; test files removed", run.fatal);
	if (zc_stopped())
		fprintf(stderr,
			"zcbench sendfile: stopping on signal %d; test files "
			"removed\n",
			zc_stopped());
	mark_not_run(&run);
	sf_ratios(&run);
	rc = zc_cmd_finish(ctx, &run.res, plots, sf_plots(&run, plots));
	if (run.fatal[0] && rc == ZC_EXIT_OK)
		rc = ZC_EXIT_FAIL;
	if (ctx->format == ZC_FMT_TEXT && !ctx->quiet)
		ibm_table(&run, stdout);
	if (ctx->dir[0]) {
		struct zc_afile a;
		int err = zc_afile_open(&a, ctx->dir, "sendfile.ibm.txt");
		if (!err) {
			ibm_table(&run, a.f);
			err = zc_afile_commit(&a);
		}
		if (err < 0) {
			zc_error(ctx, "cannot write %s/sendfile.ibm.txt: %s",
				 ctx->dir, strerror(-err));
			rc = rc ? rc : ZC_EXIT_FAIL;
		}
	}
out:
	cleanup(&run);
	free(run.warm_buf);
	free(run.cases);
	zc_results_release(&run.res);
	return rc;
}

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
	.fn = cmd_sendfile,
};
