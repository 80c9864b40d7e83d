/* SPDX-License-Identifier: MIT */
/*
 * Description: every xfer sender method delivers a real file byte-exact over
 * TCP loopback and AF_UNIX, or says why it cannot Labels: unit threads
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "csum.h"
#include "xfer.h"

struct reader {
	int sock;
	int checksum;
	uint64_t bytes, sum;
	int err;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	static __thread char buf[1 << 16];
	r->err = zc_xfer_recv(r->sock, buf, sizeof(buf), &r->bytes,
			      r->checksum ? &r->sum : NULL, -1, NULL, 0);
	return NULL;
}

/* A file of odd size (not a multiple of any buffer) in a disk directory. */
static const uint64_t fsize = (3u << 20) + 4104;

static int make_file(char *dir, char *path, size_t len, uint64_t *sum)
{
	int fd;

	snprintf(dir, 64, "/var/tmp/zc-test-xfer.XXXXXX");
	if (!mkdtemp(dir)) {
		snprintf(dir, 64, "/tmp/zc-test-xfer.XXXXXX");
		if (!mkdtemp(dir))
			return -errno;
	}
	snprintf(path, len, "%s/data", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (zc_xfer_file_fill(fd, fsize, 42, sum, NULL) < 0) {
		close(fd);
		return -EIO;
	}
	return fd;
}

static void test_pattern(void)
{
	uint64_t a[16], b[9];
	int zero_words = 0;

	zc_xfer_pattern(a, sizeof(a), 0, 7);
	zc_xfer_pattern(b, sizeof(b), 56, 7);
	CHECKF(!memcmp(a + 7, b, sizeof(b)), "pattern depends on the cut");
	zc_xfer_pattern(b, sizeof(b), 56, 8);
	CHECKF(memcmp(a + 7, b, sizeof(b)), "seed ignored");
	for (int i = 0; i < 16; i++)
		zero_words += a[i] == 0;
	CHECKF(zero_words == 0, "zero words in the pattern");
}

static void test_file(int fd, uint64_t sum)
{
	struct stat st;
	char *buf = malloc(fsize);
	double frac = -1;

	CHECKF(fstat(fd, &st) == 0, "fstat");
	CHECKF((uint64_t)st.st_size == fsize, "size %lld",
	       (long long)st.st_size);
	CHECKF((uint64_t)st.st_blocks * 512 >= fsize, "sparse: %lld blocks",
	       (long long)st.st_blocks);
	CHECKF(pread(fd, buf, fsize, 0) == (ssize_t)fsize, "pread");
	CHECKF(zc_csum64(buf, fsize) == sum, "fill checksum differs");
	for (uint64_t off = 0; off + 4096 <= fsize; off += 4096) {
		static const char zero[4096];
		if (!memcmp(buf + off, zero, 4096)) {
			CHECKF(0, "zero page at %llu", (unsigned long long)off);
			break;
		}
	}
	CHECKF(zc_xfer_cache_warm(fd, fsize, buf, 1 << 20, &frac) == 0, "warm");
	CHECKF(frac > 0.99, "resident after warm-up: %.2f", frac);
	free(buf);
}

static void test_cache_drop(const char *dir, int fd)
{
	uint64_t free_bytes;
	char fstype[32];
	int in_memory;
	double frac = -1;

	CHECKF(zc_xfer_fs(dir, &free_bytes, &in_memory, fstype,
			  sizeof(fstype)) == 0,
	       "fs");
	CHECKF(free_bytes > 0, "no free space reported");
	if (in_memory) {
		printf("skip cache drop: %s is %s\n", dir, fstype);
		return;
	}
	CHECKF(zc_xfer_cache_drop(fd, fsize, &frac) == 0, "drop");
	CHECKF(frac < 0.5, "%s: %.2f resident after DONTNEED", fstype, frac);
}

/* One method over one family: a full transfer checked at the receiver. */
static void test_method(const struct zc_xfer_method *m, int family, int fd,
			uint64_t sum)
{
	static const size_t buffers[] = {4096, 65536, 1 << 20};
	const char *fam = family == AF_INET ? "tcp" : "unix";
	int nbuf = m->flags & ZC_XFER_BUFFERED ? 3 : 1;
	char why[ZC_XFER_WHY];
	int err = zc_xfer_probe(m, family, why, sizeof(why));

	if (err < 0) {
		printf("skip %-12s %-4s: %s\n", m->name, fam, why);
		/* only these can be missing here; anything else is a bug */
		CHECKF(err == -EOPNOTSUPP || err == -ENOSYS || err == -EPERM,
		       "%s/%s probe: %s", m->name, fam, why);
		return;
	}
	for (int b = 0; b < nbuf; b++) {
		struct sockaddr_storage addr;
		struct zc_xfer x;
		struct reader rd = {.checksum = 1};
		socklen_t alen;
		pthread_t tid;
		int lfd = zc_xfer_listen(family, &addr, &alen), cfd;

		CHECKF(lfd >= 0, "listen: %s", strerror(-lfd));
		err = zc_xfer_init(&x, m, fd, fsize, buffers[b], 1 << 20);
		CHECKF(err == 0, "%s init: %s", m->name, x.why);
		cfd = zc_xfer_connect(&addr, alen);
		rd.sock = accept(lfd, NULL, NULL);
		CHECKF(cfd >= 0 && rd.sock >= 0, "connect");
		pthread_create(&tid, NULL, reader_main, &rd);
		err = zc_xfer_attach(&x, cfd);
		if (!err)
			err = zc_xfer_run(&x);
		shutdown(cfd, SHUT_WR);
		pthread_join(tid, NULL);
		if (!err)
			err = zc_xfer_complete(&x);
		CHECKF(err == 0, "%s/%s: %s", m->name, fam, x.why);
		CHECKF(x.sent == fsize, "%s sent %llu", m->name,
		       (unsigned long long)x.sent);
		CHECKF(rd.err == 0 && rd.bytes == fsize, "%s/%s received %llu",
		       m->name, fam, (unsigned long long)rd.bytes);
		CHECKF(rd.sum == sum, "%s/%s: checksum differs", m->name, fam);
		CHECKF(x.syscalls > 0, "%s counted no system calls", m->name);
		if (m->flags & ZC_XFER_ZC)
			CHECKF(x.zc_reports > 0 && x.zc_copied <= x.zc_reports,
			       "%s: %llu reports", m->name,
			       (unsigned long long)x.zc_reports);
		else
			CHECKF(x.zc_reports == 0, "%s: reports", m->name);
		printf("ok   %-12s %-4s buffer %7zu: %llu syscalls, zc "
		       "%llu/%llu copied\n",
		       m->name, fam, nbuf > 1 ? buffers[b] : 0,
		       (unsigned long long)x.syscalls,
		       (unsigned long long)x.zc_copied,
		       (unsigned long long)x.zc_reports);
		zc_xfer_release(&x);
		close(cfd);
		close(rd.sock);
		close(lfd);
	}
}

/* The receiver goes away mid-transfer: the sender sees EPIPE/ECONNRESET,
 * never a success, and a later run on the same state works again. */
static void test_peer_gone(int fd, uint64_t sum)
{
	const struct zc_xfer_method *m = zc_xfer_method_find("splice");
	struct sockaddr_storage addr;
	struct zc_xfer x;
	socklen_t alen;
	int lfd = zc_xfer_listen(AF_UNIX, &addr, &alen), cfd, sfd, err;

	CHECKF(m && lfd >= 0, "setup");
	CHECKF(zc_xfer_init(&x, m, fd, fsize, 0, 1 << 16) == 0, "init: %s",
	       x.why);
	cfd = zc_xfer_connect(&addr, alen);
	sfd = accept(lfd, NULL, NULL);
	close(sfd);
	zc_xfer_attach(&x, cfd);
	err = zc_xfer_run(&x);
	CHECKF(err == -EPIPE || err == -ECONNRESET, "peer gone: %d %s", err,
	       x.why);
	CHECKF(zc_xfer_complete(&x) == 0, "complete after a failed run");
	close(cfd);

	/* the pipe may hold bytes of the failed run: they must not leak */
	struct reader rd = {.checksum = 1};
	pthread_t tid;
	cfd = zc_xfer_connect(&addr, alen);
	rd.sock = accept(lfd, NULL, NULL);
	pthread_create(&tid, NULL, reader_main, &rd);
	zc_xfer_attach(&x, cfd);
	err = zc_xfer_run(&x);
	shutdown(cfd, SHUT_WR);
	pthread_join(tid, NULL);
	CHECKF(err == 0 && rd.bytes == fsize && rd.sum == sum,
	       "run after a failed one: %s, %llu bytes", x.why,
	       (unsigned long long)rd.bytes);
	zc_xfer_release(&x);
	close(cfd);
	close(rd.sock);
	close(lfd);
}

static void test_bad_input(int fd)
{
	struct zc_xfer x;

	CHECKF(zc_xfer_init(&x, zc_xfer_method_find("read-send"), fd, fsize, 0,
			    0) == -EINVAL,
	       "buffer 0 accepted");
	CHECKF(zc_xfer_init(&x, zc_xfer_method_find("sendfile"), fd, 0, 0, 0) ==
		       -EINVAL,
	       "size 0 accepted");
	CHECKF(zc_xfer_method_find("carrier-pigeon") == NULL, "unknown method");
	CHECKF(zc_xfer_init(&x, zc_xfer_method_find("sendfile"), fd, fsize, 0,
			    0) == 0,
	       "init");
	CHECKF(zc_xfer_run(&x) == -EINVAL, "run without a socket");
	zc_xfer_release(&x);
}

int main(void)
{
	char dir[64], path[128];
	uint64_t sum = 0;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	test_pattern();
	fd = make_file(dir, path, sizeof(path), &sum);
	if (fd < 0) {
		fprintf(stderr, "cannot create a test file: %s\n",
			strerror(-fd));
		return 77;
	}
	test_file(fd, sum);
	test_bad_input(fd);
	for (int i = 0; i < zc_xfer_nmethods; i++) {
		test_method(&zc_xfer_methods[i], AF_INET, fd, sum);
		test_method(&zc_xfer_methods[i], AF_UNIX, fd, sum);
	}
	test_peer_gone(fd, sum);
	test_cache_drop(dir, fd);
	close(fd);
	unlink(path);
	rmdir(dir);
	return zc_check_result();
}
