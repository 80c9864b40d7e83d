/* SPDX-License-Identifier: MIT */
/*
 * region — a child's announced region, counted from here (region.h).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "region.h"

int zc_region_init(struct zc_region *rg)
{
	int sv[2];

	memset(rg, 0, sizeof(*rg));
	rg->fd = rg->child_fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	rg->fd = sv[0];
	rg->child_fd = sv[1];
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The serving thread: start on 'b', stop on 'e', reply after each; ends
 * at EOF (the child exited, or zc_region_end shut the socket down). */
static void *serve(void *arg)
{
	struct zc_region *rg = arg;
	const char ok = '+';
	char cmd;

	for (;;) {
		ssize_t n = read(rg->fd, &cmd, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (cmd == 'b' && rg->state == ZC_REGION_IDLE) {
			zc_counters_start(&rg->ctr);
			rg->state = ZC_REGION_OPEN;
		} else if (cmd == 'e' && rg->state == ZC_REGION_OPEN) {
			zc_counters_stop(&rg->ctr, &rg->counts);
			rg->state = ZC_REGION_DONE;
		} else {
			rg->state = ZC_REGION_BROKEN;
			/* the child's read returns 0: it is not left waiting */
			shutdown(rg->fd, SHUT_RDWR);
			break;
		}
		if (write(rg->fd, &ok, 1) != 1)
			break; /* the child is gone (SIGPIPE is ignored) */
	}
	return NULL;
}

int zc_region_attach(struct zc_region *rg, const struct zc_evset *s, pid_t pid)
{
	sigset_t all, old;
	int err;

	close_fd(&rg->child_fd);
	err = zc_counters_open_pid(&rg->ctr, s, pid);
	if (err < 0)
		return err;
	/* Signals go to the main thread, whose waits they interrupt. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&rg->thread, NULL, serve, rg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		zc_counters_close(&rg->ctr);
		return -err;
	}
	rg->serving = 1;
	return 0;
}

int zc_region_end(struct zc_region *rg, struct zc_counts *out)
{
	if (rg->serving) {
		/* Data already sent is still read before the EOF this makes. */
		shutdown(rg->fd, SHUT_RDWR);
		pthread_join(rg->thread, NULL);
		rg->serving = 0;
		zc_counters_close(&rg->ctr);
	}
	close_fd(&rg->fd);
	close_fd(&rg->child_fd);
	if (rg->state != ZC_REGION_DONE)
		return -ENODATA;
	if (out)
		*out = rg->counts;
	return 0;
}
