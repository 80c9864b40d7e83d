/* SPDX-License-Identifier: MIT */
/*
 * sendfile_baseline — the plainest loops of the calls `zcbench sendfile`
 * times, to show the harness is not the bottleneck: sendfile() and
 * read()+send() (64 KiB) of a hot file over TCP loopback to a receiver
 * process, sender on CPU 0 and receiver on CPU 1, one connection per
 * transfer, time from the first call to the receiver's 1-byte reply.
 * Nothing from lib/ on purpose.
 *
 *	cc -O2 -o /tmp/sfb scripts/sendfile_baseline.c
 *	/tmp/sfb [MiB [repetitions [folder]]]	(default 200 10 /var/tmp)
 *	zcbench sendfile --sizes 200 --method read-send,sendfile \
 *		--buffer 65536 --cache hot --transport tcp --repeat 10
 *
 * Prints the median ms of each loop; compare with zcbench's ms column.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (sched_setaffinity(0, sizeof(s), &s))
		die("sched_setaffinity");
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 200;
	int reps = argc > 2 ? atoi(argv[2]) : 10;
	const char *folder = argc > 3 ? argv[3] : "/var/tmp";
	size_t size = (size_t)mib << 20;
	static char buf[1 << 20];
	char path[4096];
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);
	double *t[2];
	uint64_t x = 88172645463325252ull;
	int fd, l;
	pid_t rx;

	if (mib < 1 || reps < 1)
		return fprintf(stderr, "usage: %s [MiB [reps [folder]]]\n",
			       argv[0]),
		       2;
	t[0] = calloc(reps, sizeof(double));
	t[1] = calloc(reps, sizeof(double));
	snprintf(path, sizeof(path), "%s/sendfile-baseline.%d", folder,
		 (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		die("open");
	for (size_t off = 0; off < size; off += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i += 8) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			memcpy(buf + i, &x, 8);
		}
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			die("write");
	}
	fdatasync(fd);
	unlink(path); /* the open fd keeps it until we exit */
	for (size_t off = 0; off < size; off += sizeof(buf))
		if (pread(fd, buf, sizeof(buf), off) < 0) /* hot */
			die("read");

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 4) ||
	    getsockname(l, (void *)&a, &al))
		die("listen");
	rx = fork();
	if (rx == 0) {
		static char rb[256 << 10];
		pin(1);
		for (;;) {
			int s = accept(l, NULL, NULL);
			size_t got = 0;
			ssize_t r;
			while ((r = recv(s, rb, sizeof(rb), 0)) > 0)
				got += r;
			if (got != size)
				fprintf(stderr, "receiver: %zu of %zu bytes\n",
					got, size);
			send(s, "k", 1, 0);
			close(s);
		}
	}
	pin(0);
	signal(SIGPIPE, SIG_IGN);
	for (int r = -1; r < reps; r++)
		for (int m = 0; m < 2; m++) {
			int s = socket(AF_INET, SOCK_STREAM, 0);
			off_t off = 0;
			char k;
			double t0;
			if (connect(s, (void *)&a, sizeof(a)))
				die("connect");
			t0 = now_ms();
			if (m == 0) {
				while ((size_t)off < size)
					if (sendfile(s, fd, &off, size - off) <=
					    0)
						die("sendfile");
			} else {
				for (size_t o = 0; o < size;) {
					ssize_t n = pread(fd, buf, 65536, o);
					if (n <= 0)
						die("read");
					for (ssize_t w = 0; w < n;) {
						ssize_t k2 = send(s, buf + w,
								  n - w, 0);
						if (k2 <= 0)
							die("send");
						w += k2;
					}
					o += n;
				}
			}
			shutdown(s, SHUT_WR);
			if (recv(s, &k, 1, MSG_WAITALL) != 1)
				die("reply");
			if (r >= 0)
				t[m][r] = now_ms() - t0;
			close(s);
		}
	kill(rx, SIGKILL);
	waitpid(rx, NULL, 0);
	for (int m = 0; m < 2; m++) {
		qsort(t[m], reps, sizeof(double), cmp);
		printf("%-16s %ld MiB: median %.2f ms (min %.2f, max %.2f) "
		       "over %d; samples",
		       m ? "read-send/64k" : "sendfile", mib, t[m][reps / 2],
		       t[m][0], t[m][reps - 1], reps);
		for (int r = 0; r < reps; r++)
			printf(" %.2f", t[m][r]);
		putchar('\n');
	}
	return 0;
}
