/* SPDX-License-Identifier: MIT */
/*
 * proc — child processes: fork/spawn with a death signal, captured output,
 * supervision with a time limit, reaping on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"
#include "proc.h"

void zc_child_init(struct zc_child *ch, const char *what)
{
	memset(ch, 0, sizeof(*ch));
	ch->what = what;
	ch->fd[0] = ch->fd[1] = -1;
}

static void close_pipes(int p[2][2])
{
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 2; k++)
			if (p[i][k] >= 0) {
				close(p[i][k]);
				p[i][k] = -1;
			}
}

pid_t zc_child_fork(struct zc_child *ch, const char *what, unsigned capture)
{
	int p[2][2] = {{-1, -1}, {-1, -1}};
	pid_t parent = getpid(), pid;

	zc_child_init(ch, what);
	for (int i = 0; i < 2; i++)
		if ((capture & (1u << i)) && pipe2(p[i], O_CLOEXEC) < 0) {
			int e = -errno;
			close_pipes(p);
			return e;
		}
	fflush(NULL); /* no buffered output written twice */
	pid = fork();
	if (pid < 0) {
		int e = -errno;
		close_pipes(p);
		return e;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1); /* the parent left before prctl */
		for (int i = 0; i < 2; i++)
			if (p[i][1] >= 0 && dup2(p[i][1], 1 + i) < 0)
				_exit(127);
		return 0;
	}
	ch->pid = pid;
	for (int i = 0; i < 2; i++) {
		if (p[i][1] >= 0)
			close(p[i][1]);
		ch->fd[i] = p[i][0];
		if (ch->fd[i] >= 0)
			fcntl(ch->fd[i], F_SETFL,
			      fcntl(ch->fd[i], F_GETFL) | O_NONBLOCK);
	}
	return pid;
}

int zc_child_spawn(struct zc_child *ch, const struct zc_spawn *sp)
{
	pid_t pid = zc_child_fork(ch, sp->what, sp->capture);
	int null;

	if (pid < 0)
		return (int)pid;
	if (pid > 0)
		return 0;
	/* The child: only async-signal-safe calls from here. */
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		if (!(sp->capture & ZC_CHILD_OUT))
			dup2(null, 1);
		if (!(sp->capture & ZC_CHILD_ERR))
			dup2(null, 2);
	}
	if (sp->keep_fd >= 0)
		fcntl(sp->keep_fd, F_SETFD, 0);
	for (const int *k = sp->keep; k && *k >= 0; k++)
		fcntl(*k, F_SETFD, 0);
	if (sp->cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(sp->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	if (sp->dir && chdir(sp->dir) < 0) {
		dprintf(2, "cannot enter '%s': %s\n", sp->dir, strerror(errno));
		_exit(127);
	}
	signal(SIGPIPE, SIG_DFL);
	execv(sp->path, sp->argv);
	dprintf(2, "cannot run '%s': %s\n", sp->path, strerror(errno));
	_exit(127);
}

static void drain(struct zc_child *ch, int i)
{
	char *buf = i ? ch->err : ch->out;
	size_t *n = i ? &ch->nerr : &ch->nout, cap = ZC_CHILD_BUF - 1;
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

/* After exit: what is still in the pipes (written just before exiting). */
static void drain_all(struct zc_child *ch)
{
	for (int i = 0; i < 2; i++) {
		if (ch->fd[i] < 0)
			continue;
		fcntl(ch->fd[i], F_SETFL,
		      fcntl(ch->fd[i], F_GETFL) & ~O_NONBLOCK);
		drain(ch, i);
	}
}

int zc_child_poll(struct zc_child *ch)
{
	if (ch->pid <= 0)
		ch->exited = 1; /* never started: nothing to wait for */
	if (ch->exited)
		return 1;
	drain(ch, 0);
	drain(ch, 1);
	if (waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid) {
		ch->exited = 1;
		drain_all(ch);
		return 1;
	}
	return 0;
}

void zc_child_kill(struct zc_child *ch)
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

int zc_child_reap(struct zc_child *ch, double timeout_s)
{
	uint64_t limit = zc_now_ns() + (uint64_t)(timeout_s * 1e9);

	while (!zc_child_poll(ch)) {
		if (zc_now_ns() > limit || zc_stopped())
			break;
		usleep(200);
	}
	zc_child_kill(ch);
	return ch->status;
}

int zc_child_ok(const struct zc_child *ch)
{
	return ch->exited && WIFEXITED(ch->status) &&
	       WEXITSTATUS(ch->status) == 0;
}

void zc_proc_status_text(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "exited with status %d",
			 WEXITSTATUS(status));
}

const char *zc_child_last_line(struct zc_child *ch, int which)
{
	char *s = which ? ch->err : ch->out, *p;
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = 0;
	p = strrchr(s, '\n');
	return p ? p + 1 : s;
}

void zc_child_explain(const struct zc_child *ch, char *why, size_t len)
{
	struct zc_child *c = (struct zc_child *)ch; /* trims its buffer */
	const char *line = zc_child_last_line(c, 1);
	char how[96];

	zc_proc_status_text(ch->status, how, sizeof(how));
	if (WIFSIGNALED(ch->status))
		snprintf(why, len, "%s was %s%s%s", ch->what, how,
			 *line ? ": " : "", line);
	else
		snprintf(why, len, "%s %s: %s", ch->what, how,
			 *line ? line : "(no message on stderr)");
}

int zc_child_supervise(struct zc_child *ch, int n, double timeout_s, char *why,
		       size_t len)
{
	uint64_t deadline = zc_now_ns() + (uint64_t)(timeout_s * 1e9);
	int err = 0;

	if (n > ZC_CHILD_MAX)
		return -EINVAL;
	for (;;) {
		struct pollfd pf[2 * ZC_CHILD_MAX];
		int np = 0, alive = 0;

		for (int c = 0; c < n; c++)
			for (int i = 0; i < 2; i++)
				if (ch[c].fd[i] >= 0)
					pf[np++] = (struct pollfd){ch[c].fd[i],
								   POLLIN, 0};
		if (np)
			poll(pf, (nfds_t)np, 20);
		else
			usleep(500);
		for (int c = 0; c < n; c++) {
			int was = ch[c].exited;
			if (zc_child_poll(&ch[c]) && !was &&
			    !zc_child_ok(&ch[c]) && !err) {
				zc_child_explain(&ch[c], why, len);
				err = -EPIPE;
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
			snprintf(why, len, "%s gave no result within %g s",
				 ch[0].what, timeout_s);
			err = -ETIMEDOUT;
		}
		if (err == -EINTR) {
			/* Stopped by a signal: pass it on so a zcbench child
			 * removes its temporary files, then give them time. */
			uint64_t end = zc_now_ns() + ZC_CHILD_GRACE_NS;
			int left = 1;
			for (int c = 0; c < n; c++)
				if (!ch[c].exited)
					kill(ch[c].pid, SIGTERM);
			while (left && zc_now_ns() < end) {
				left = 0;
				for (int c = 0; c < n; c++)
					left += !zc_child_poll(&ch[c]);
				if (left)
					usleep(2000);
			}
		}
		if (err) {
			for (int c = 0; c < n; c++)
				zc_child_kill(&ch[c]);
			return err;
		}
	}
}
