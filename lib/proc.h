/* SPDX-License-Identifier: MIT */
#ifndef ZC_PROC_H
#define ZC_PROC_H
/*
 * proc — child processes under supervision: the ring's forked consumer,
 * ffi's consumer and Python host, sendfile's receiver, gnuplot.
 *
 * Usage:
 *	struct zc_child ch;
 *	pid = zc_child_fork(&ch, "the consumer process", 0);
 *	if (pid == 0) { ...child...; _exit(0); }
 *	...
 *	err = zc_child_supervise(&ch, 1, timeout_s, why, sizeof(why));
 *	zc_child_kill(&ch);		(reaps; a no-op once reaped)
 * or zc_child_spawn() for a program (fork + exec), optionally pinned, with
 * stdout/stderr captured.
 *
 * Every child dies with zcbench: PR_SET_PDEATHSIG(SIGKILL) is set in the
 * child, which also leaves at once if its parent is already gone (the race
 * between fork and prctl). The death signal follows the *thread* that
 * forked: fork from the thread that outlives the child (the main thread).
 * Captured output keeps its last 4 KiB; the last line of stderr is what
 * explains a failure. Every child is reaped on every path: supervise()
 * kills the others when one fails, on a signal (zc_stopped) and at the
 * time limit (on a signal the children get SIGTERM first and up to
 * ZC_CHILD_GRACE_NS to clean up); kill() reaps.
 *
 * Limitations: at most ZC_CHILD_MAX children per supervise() call.
 *
 * Errors: 0 or -errno. zc_child_fork/spawn: -errno of pipe2/fork;
 * zc_child_supervise: -EPIPE (a child failed: why says which and how),
 * -EINTR (stopped by a signal), -ETIMEDOUT.
 */
#include <stddef.h>
#include <sys/types.h>

#define ZC_CHILD_MAX	  8
#define ZC_CHILD_GRACE_NS 5000000000ull /* after SIGTERM, before SIGKILL */
#define ZC_CHILD_BUF	  4096

/* What to capture of an exec'ed child (the rest goes to /dev/null). */
#define ZC_CHILD_OUT 1u /* stdout into ch->out */
#define ZC_CHILD_ERR 2u /* stderr into ch->err */

struct zc_child {
	const char *what; /* "the consumer process": for messages */
	pid_t pid;	  /* 0: none */
	int status;	  /* waitpid status once exited */
	int exited;	  /* reaped */
	int fd[2];	  /* stdout, stderr read ends; -1 when not captured */
	char out[ZC_CHILD_BUF], err[ZC_CHILD_BUF];
	size_t nout, nerr;
};

struct zc_spawn {
	const char *what;
	const char *path;  /* program (a path; see zc_which for a name) */
	char *const *argv; /* NULL-terminated */
	const char *dir;   /* chdir before exec; NULL: stay */
	int cpu;	   /* pin the child there before exec; -1: no */
	int keep_fd;	   /* inherited across exec; -1: none */
	unsigned capture;  /* ZC_CHILD_OUT | ZC_CHILD_ERR */
	const int *keep;   /* more fds as keep_fd, -1-ended; NULL: none */
};

/* An empty child (no process), for code that may fail before forking. */
void zc_child_init(struct zc_child *ch, const char *what);

/*
 * fork(): 0 in the child (death signal set, stdin/out/err untouched), the
 * pid in the parent, -errno on failure. capture captures the child's
 * stdout/stderr into pipes as spawn does.
 */
pid_t zc_child_fork(struct zc_child *ch, const char *what, unsigned capture);

/* fork + exec sp->path. An exec that fails exits 127 with the reason on
 * the child's stderr. 0 or -errno. */
int zc_child_spawn(struct zc_child *ch, const struct zc_spawn *sp);

/* Has the child exited? Drains captured output, reaps without blocking.
 * 1 exited (ch->status set), 0 still running. */
int zc_child_poll(struct zc_child *ch);

/*
 * Watch n children until every one exited. One that exits unsuccessfully,
 * a stop signal, or the time limit: the others are killed and reaped, and
 * why explains. 0 when all exited with status 0.
 */
int zc_child_supervise(struct zc_child *ch, int n, double timeout_s, char *why,
		       size_t len);

/* Wait up to timeout_s for the child to exit by itself, then kill it;
 * reaped either way. Returns its status. */
int zc_child_reap(struct zc_child *ch, double timeout_s);

/* SIGKILL and reap (no-op when reaped), close the pipes. */
void zc_child_kill(struct zc_child *ch);

/* Exited with status 0. */
int zc_child_ok(const struct zc_child *ch);

/* "<what> was killed by signal 9 (Killed): <last stderr line>" or
 * "<what> exited with status 1: ...". */
void zc_child_explain(const struct zc_child *ch, char *why, size_t len);

/* The last non-empty line of captured stdout (0) or stderr (1), trimmed in
 * place; "" when none. */
const char *zc_child_last_line(struct zc_child *ch, int which);

/* A waitpid status as text: "exited with status 3", "killed by signal 9
 * (Killed)". */
void zc_proc_status_text(int status, char *buf, size_t len);

#endif
