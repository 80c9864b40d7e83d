/* SPDX-License-Identifier: MIT */
/*
 * Description: the receiver process takes a real file over TCP and AF_UNIX,
 * byte-exact and checksummed, replies with its CPUs and counters; a bad
 * header, a receiver killed mid-transfer and a stop are noticed and leave
 * no process and no file behind
 * Labels: unit
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "receiver.h"
#include "testfile.h"

/* Odd size: not a multiple of any buffer (but of 8, as the pattern is). */
static const uint64_t fsize = (3u << 20) + 4104;

static struct zc_evset events;

static int gone_for_good(pid_t pid)
{
	return pid > 0 && kill(pid, 0) < 0 && errno == ESRCH;
}

/* One transfer through zc_receiver_send with the sendfile method. */
static int send_file(struct zc_receiver *r, const struct zc_testfile *t,
		     int transport, unsigned flags, uint64_t kill_after,
		     struct zc_counters *ctr, struct zc_recv_send *s)
{
	struct zc_xfer x;
	int err = zc_xfer_init(&x, zc_xfer_method_find("sendfile"), t->fd,
			       t->size, 0, 0);

	CHECKF(err == 0, "xfer init: %s", x.why);
	*s = (struct zc_recv_send){.transport = transport,
				   .timeout_s = 10,
				   .flags = flags,
				   .kill_after = kill_after,
				   .ctr = ctr};
	err = zc_receiver_send(r, &x, s);
	zc_xfer_release(&x);
	return err;
}

static void check_counts(const struct zc_counts *c, const char *side)
{
	CHECKF(c->n == events.n, "%s: %d events", side, c->n);
	CHECKF(c->cpu_ns > 0, "%s: no CPU time", side);
	if (c->status[0] == ZC_EV_OK)
		CHECKF(c->value[0] > 0, "%s: task-clock %g", side, c->value[0]);
	else
		CHECKF(c->why[0][0], "%s: task-clock absent without a reason",
		       side);
}

static void test_transfers(struct zc_receiver *r, struct zc_testfile *t)
{
	static const char *const name[] = {"tcp", "unix"};
	struct zc_counters ctr;
	struct zc_recv_send s;
	char why[ZC_RECV_WHY];
	int err;

	CHECK(zc_counters_open(&ctr, &events) == 0);
	for (int tr = 0; tr < ZC_RECV_NTRANSPORTS; tr++) {
		err = send_file(r, t, tr, ZC_RECV_CHECKSUM, 0, &ctr, &s);
		CHECKF(err == 0 && s.step == ZC_RECV_DONE, "%s: %s (step %d)",
		       name[tr], s.why, s.step);
		CHECKF(s.reply.bytes == fsize && s.reply.err == 0,
		       "%s: %llu bytes, err %d", name[tr],
		       (unsigned long long)s.reply.bytes, s.reply.err);
		CHECKF(s.reply.sum == t->sum, "%s: checksum differs", name[tr]);
		CHECKF(zc_receiver_check(&s, fsize, t->sum, -1, -1, why,
					 sizeof(why)) == 0,
		       "%s: %s", name[tr], why);
		CHECKF(s.ns > 0 && s.cpu_start >= 0 && s.reply.cpu_start >= 0,
		       "%s: ns %llu, cpus %d %d", name[tr],
		       (unsigned long long)s.ns, s.cpu_start,
		       s.reply.cpu_start);
		check_counts(&s.counts, "sender");
		check_counts(&s.reply.counts, "receiver");
		printf("ok   %-4s %llu bytes in %.2f ms, sender CPU %d, "
		       "receiver CPU %d, receiver task-clock %s\n",
		       name[tr], (unsigned long long)s.reply.bytes,
		       (double)s.ns / 1e6, s.cpu_start, s.reply.cpu_start,
		       s.reply.counts.status[0] == ZC_EV_OK
			       ? "counted"
			       : s.reply.counts.why[0]);
		/* the checks catch what they are there for */
		CHECK(zc_receiver_check(&s, fsize, t->sum + 1, -1, -1, why,
					sizeof(why)) == -EIO);
		CHECK(zc_receiver_check(&s, fsize + 8, t->sum, -1, -1, why,
					sizeof(why)) == -EIO);
		CHECK(zc_receiver_check(&s, fsize, t->sum, -1,
					s.reply.cpu_start + 1, why,
					sizeof(why)) == -EXDEV);
	}
	/* not checksummed: the bytes are counted, the sum stays 0 */
	err = send_file(r, t, ZC_RECV_TCP, 0, 0, NULL, &s);
	CHECKF(err == 0 && s.reply.bytes == fsize && s.reply.sum == 0,
	       "unchecksummed: %s, %llu bytes", s.why,
	       (unsigned long long)s.reply.bytes);
	zc_counters_close(&ctr);
}

/* A header with another magic: closed without a reply; the receiver
 * serves the next connection. */
static void test_bad_header(struct zc_receiver *r, struct zc_testfile *t)
{
	struct zc_recv_hdr h = {.magic = 42, .size = 1};
	struct zc_recv_reply rp;
	struct zc_recv_send s;
	int sock = zc_receiver_connect(r, ZC_RECV_UNIX, 10);

	CHECKF(sock >= 0, "connect: %s", strerror(-sock));
	CHECK(send(sock, &h, sizeof(h), MSG_NOSIGNAL) == sizeof(h));
	CHECK(zc_receiver_end(sock, &rp) == -ECONNRESET);
	close(sock);
	CHECK(send_file(r, t, ZC_RECV_UNIX, ZC_RECV_CHECKSUM, 0, NULL, &s) ==
	      0);
	CHECK(s.reply.sum == t->sum);
}

/* Killed after 1 MiB: the sender fails, and learns that the receiver is
 * gone and how; later transfers are refused at once, not hung. */
static void test_killed(struct zc_receiver *r, struct zc_testfile *t)
{
	struct zc_recv_send s;
	char how[ZC_RECV_WHY];
	int err = send_file(r, t, ZC_RECV_TCP, ZC_RECV_CHECKSUM, 1 << 20, NULL,
			    &s);

	CHECKF(err == -EPIPE || err == -ECONNRESET,
	       "killed mid-transfer: %d (%s), step %d", err, s.why, s.step);
	CHECKF(s.step == ZC_RECV_SEND, "step %d", s.step);
	CHECKF(s.gone && strstr(s.how, "killed by signal 9"), "gone %d: '%s'",
	       s.gone, s.how);
	CHECK(zc_receiver_gone(r, 0, how, sizeof(how)) == 1);
	printf("ok   killed mid-transfer: %s (sender: %s)\n", s.how, s.why);
	err = send_file(r, t, ZC_RECV_UNIX, 0, 0, NULL, &s);
	CHECKF(err == -ECONNREFUSED && s.step == ZC_RECV_CONNECT && s.gone,
	       "after its death: %d (%s)", err, s.why);
}

int main(void)
{
	struct zc_receiver r;
	struct zc_receiver_config cfg = {.cpu = -1, .events = &events};
	struct zc_testfile t;
	char why[4200], dir[4096], how[ZC_RECV_WHY];
	pid_t pid;
	int err;

	signal(SIGPIPE, SIG_IGN);
	zc_testfile_init(&t);
	if (zc_testfile_check(&t, zc_testfile_default_parent(), why,
			      sizeof(why)) < 0 ||
	    zc_testfile_mkdir(&t, "zc-test-receiver") < 0) {
		fprintf(stderr, "no folder for a test file: %s\n", why);
		return 77;
	}
	err = zc_testfile_create(&t, "data", fsize, 42, NULL, NULL, 0);
	if (err < 0) {
		fprintf(stderr, "cannot create a test file: %s\n",
			strerror(-err));
		zc_testfile_release(&t);
		return 77;
	}
	CHECK(zc_evset_resolve(&events, "task-clock") == 0);
	/* the page cache states a transfer asks for */
	CHECKF(zc_testfile_cache(&t, 0, why, sizeof(why)) == 0, "hot: %s", why);
	err = zc_testfile_cache(&t, 1, why, sizeof(why));
	CHECKF(err == 0 || (err == 1 && why[0]), "cold: %d %s", err, why);

	/* stop before start, and twice, is harmless */
	zc_receiver_init(&r);
	zc_receiver_stop(&r);
	CHECK(zc_receiver_start(&r, &cfg) == 0);
	pid = r.child.pid;
	CHECK(zc_receiver_gone(&r, 0, how, sizeof(how)) == 0);
	test_transfers(&r, &t);
	test_bad_header(&r, &t);
	zc_receiver_stop(&r);
	zc_receiver_stop(&r);
	CHECKF(gone_for_good(pid), "receiver %d still there", (int)pid);

	CHECK(zc_receiver_start(&r, &cfg) == 0);
	pid = r.child.pid;
	test_killed(&r, &t);
	zc_receiver_stop(&r);
	CHECKF(gone_for_good(pid), "killed receiver %d still there", (int)pid);

	/* the file and the folder go */
	snprintf(dir, sizeof(dir), "%s", t.dir);
	CHECK(zc_testfile_release(&t) == 0);
	CHECKF(access(dir, F_OK) < 0 && errno == ENOENT, "'%s' left", dir);
	return zc_check_result();
}
