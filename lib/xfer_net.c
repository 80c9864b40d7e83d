/* SPDX-License-Identifier: MIT */
/*
 * xfer_net — the sockets of a transfer (a loopback TCP or abstract AF_UNIX
 * listener, its connected peer) and the receiving end. See xfer.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "csum.h"
#include "xfer.h"

/* ---- sockets ---- */

int zc_xfer_listen(int family, struct sockaddr_storage *addr, socklen_t *alen)
{
	static atomic_uint serial; /* unique abstract names in a process */
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -errno;
	memset(addr, 0, sizeof(*addr));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)addr;
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*alen = sizeof(*in);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	} else if (family == AF_UNIX) {
		struct sockaddr_un *un = (struct sockaddr_un *)addr;
		un->sun_family = AF_UNIX;
		/* abstract: sun_path[0] == 0, nothing in the file system */
		int n = snprintf(un->sun_path + 1, sizeof(un->sun_path) - 1,
				 "zcbench-xfer-%d-%u", (int)getpid(),
				 /* relaxed: a counter, orders nothing */
				 atomic_fetch_add_explicit(
					 &serial, 1, memory_order_relaxed));
		*alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				    (size_t)n);
	} else {
		close(fd);
		return -EAFNOSUPPORT;
	}
	if (bind(fd, (struct sockaddr *)addr, *alen) < 0 ||
	    listen(fd, 16) < 0 ||
	    (family == AF_INET &&
	     getsockname(fd, (struct sockaddr *)addr, alen) < 0)) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int zc_xfer_connect(const struct sockaddr_storage *addr, socklen_t alen)
{
	int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	while (connect(fd, (const struct sockaddr *)addr, alen) < 0) {
		int e = -errno;
		if (e == -EINTR)
			continue;
		close(fd);
		return e;
	}
	return fd;
}

/* ---- the receiving end ---- */

int zc_xfer_recv(int sock, void *buf, size_t len, uint64_t *bytes,
		 uint64_t *sum, int devnull, const int pipe[2],
		 uint64_t kill_after)
{
	struct zc_csum c;
	uint64_t got = 0;
	int spliced = !sum && devnull >= 0 && pipe;

	zc_csum_init(&c);
	for (;;) {
		ssize_t r;
		if (spliced) {
			r = splice(sock, NULL, pipe[1], NULL, len,
				   SPLICE_F_MOVE);
			for (ssize_t left = r; left > 0;) {
				ssize_t w = splice(pipe[0], NULL, devnull, NULL,
						   (size_t)left, SPLICE_F_MOVE);
				if (w <= 0) {
					*bytes = got;
					return w < 0 ? -errno : -EIO;
				}
				left -= w;
			}
		} else {
			r = recv(sock, buf, len, 0);
		}
		if (r < 0) {
			*bytes = got;
			return -errno;
		}
		if (r == 0)
			break;
		if (sum)
			zc_csum_update(&c, buf, (size_t)r);
		got += (uint64_t)r;
		if (kill_after && got >= kill_after)
			raise(SIGKILL);
	}
	*bytes = got;
	if (sum)
		*sum = zc_csum_final(&c);
	return 0;
}
