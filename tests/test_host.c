/* SPDX-License-Identifier: MIT */
/*
 * Description: region and host: a child's announced region is counted and
 * nothing outside it; a child that dies inside it or breaks the protocol
 * gives no count and is never left waiting; a host program's report is
 * read, its failure explained by its last stderr line, a missing field
 * refused, its peers supervised and reaped; argv built within its bounds,
 * a probe's refusal given in its own words
 * Labels: unit
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "host.h"
#include "region.h"

static struct zc_evset set;
static int task_clock_ok;

/* Burn ms of this thread's CPU time. */
static void burn(double ms)
{
	uint64_t end = zc_thread_cpu_ns() + (uint64_t)(ms * 1e6);
	volatile uint64_t x = 0;

	while (zc_thread_cpu_ns() < end)
		x++;
}

static int say(int fd, char c)
{
	char r;

	if (write(fd, &c, 1) != 1)
		return -1;
	return read(fd, &r, 1) == 1 && r == '+' ? 0 : -1;
}

enum {
	GOOD,
	DIES_INSIDE,
	GARBAGE
};

/* A forked child speaking the protocol as told. */
static void region_case(int how)
{
	struct zc_region rg;
	struct zc_child ch;
	struct zc_counts c;
	pid_t pid;
	int err;

	CHECK(zc_region_init(&rg) == 0);
	pid = zc_child_fork(&ch, "the test child", 0);
	if (pid == 0) {
		char r;
		close(rg.fd);
		burn(30); /* not counted */
		if (how == GARBAGE) {
			if (write(rg.child_fd, "x", 1) != 1)
				_exit(2);
			/* EOF, not a wait for ever */
			_exit(read(rg.child_fd, &r, 1) == 0 ? 0 : 1);
		}
		if (say(rg.child_fd, 'b'))
			_exit(2);
		burn(20);
		if (how == DIES_INSIDE)
			_exit(0);
		if (say(rg.child_fd, 'e'))
			_exit(2);
		burn(30); /* not counted */
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(zc_region_attach(&rg, &set, pid) == 0);
	zc_child_reap(&ch, 10);
	CHECKF(zc_child_ok(&ch), "child status %d (case %d)", ch.status, how);
	err = zc_region_end(&rg, &c);
	if (how != GOOD) {
		CHECKF(err == -ENODATA, "case %d: %d", how, err);
		return;
	}
	CHECK(err == 0);
	CHECK(c.n == 1);
	if (c.status[0] != ZC_EV_OK) {
		fprintf(stderr,
			"task-clock not counted here (%s): values "
			"unchecked\n",
			c.why[0]);
		return;
	}
	task_clock_ok = 1;
	/* 20 ms of CPU inside; the 60 ms outside must not show */
	CHECKF(c.value[0] > 19e6 && c.value[0] < 35e6, "region counted %.0f ns",
	       c.value[0]);
	CHECK(c.cpu_ns == 0 && c.nvcsw == 0); /* not the caller's own */
}

static const char script[] =
	"#!/bin/bash\n"
	"fd=${@: -1}\n"
	"case $1 in\n"
	"ok) printf b >&$fd; read -r -n1 -u $fd a\n"
	"    x=0; for i in $(seq 3000); do x=$((x+i)); done\n"
	"    printf e >&$fd; read -r -n1 -u $fd a\n"
	"    echo '{\"count\": 7, \"host_ns\": 5, \"cpu_ns\": 4, "
	"\"t_start\": 10, \"t_end\": 15, \"cpus\": [0], \"more\": 1}';;\n"
	"fail) echo first >&2; echo 'boom: host broke' >&2; exit 3;;\n"
	"nofield) echo '{\"count\": 7}';;\n"
	"silent) echo '{\"count\": 1, \"host_ns\": 1, \"cpu_ns\": 1, "
	"\"t_start\": 1, \"t_end\": 2, \"cpus\": [0]}';;\n"
	"esac\n";

static int run(const char *path, const char *mode, int cpu, int peer,
	       struct zc_host *h, char *why, size_t len)
{
	char *argv[] = {(char *)path, (char *)mode, NULL};
	struct zc_spawn sp = {.what = "the test host",
			      .path = path,
			      .argv = argv,
			      .cpu = cpu,
			      .keep_fd = -1,
			      .capture = ZC_CHILD_OUT | ZC_CHILD_ERR};
	struct zc_child ch[2];
	int err;

	if (peer && zc_child_fork(&ch[1], "the peer", 0) == 0) {
		usleep(20000);
		_exit(0);
	}
	why[0] = 0;
	err = zc_host_run(h, &sp, ch, peer, &set, 20, why, len);
	for (int i = 0; i <= peer; i++)
		CHECK(ch[i].exited); /* reaped */
	return err;
}

/* The argv builder and the probe. */
static void argv_probe(const char *path)
{
	struct zc_argv a;
	struct zc_spawn sp = {.what = "the test host", .path = path};
	char why[300] = "";
	int err;

	zc_argv_init(&a);
	CHECK(zc_argv_add(&a, path) == 0 && zc_argv_addf(&a, "--n=%d", 7) == 0);
	CHECK(a.n == 2 && !strcmp(a.v[1], "--n=7") && !a.v[2] && !a.err);
	for (int i = 0; i < ZC_HOST_ARGV_MAX; i++)
		zc_argv_add(&a, "x");
	CHECK(a.err == -E2BIG && a.n == ZC_HOST_ARGV_MAX && !a.v[a.n]);
	zc_argv_init(&a);
	zc_argv_add(&a, path);
	zc_argv_add(&a, "fail");
	sp.argv = a.v;
	err = zc_host_probe(&sp, 20, why, sizeof(why));
	CHECKF(err == -EPIPE && !strcmp(why, "boom: host broke"), "%d: %s", err,
	       why);
	a.v[1] = "silent";
	CHECK(zc_host_probe(&sp, 20, why, sizeof(why)) == 0);
}

static void host_cases(void)
{
	char path[] = "/tmp/zc-test-host-XXXXXX", why[300];
	struct zc_host h;
	cpu_set_t cs;
	int fd = mkstemp(path), other = -1, err;

	CHECK(fd >= 0 &&
	      write(fd, script, strlen(script)) == (ssize_t)strlen(script));
	close(fd);
	chmod(path, 0700);
	if (access("/bin/bash", X_OK)) {
		fprintf(stderr, "no /bin/bash: host cases skipped\n");
		unlink(path);
		return;
	}
	err = run(path, "ok", -1, 1, &h, why, sizeof(why));
	CHECKF(err == 0, "%d: %s", err, why);
	CHECK(h.count == 7 && h.host_ns == 5 && h.cpu_ns == 4 &&
	      h.t_start == 10 && h.t_end == 15 && h.counted);
	CHECK(json_integer_value(json_object_get(h.report, "more")) == 1);
	if (task_clock_ok)
		CHECK(h.counts.status[0] == ZC_EV_OK && h.counts.value[0] > 0);
	zc_host_release(&h);

	err = run(path, "fail", -1, 1, &h, why, sizeof(why));
	CHECKF(err == -EPIPE && strstr(why, "the test host exited with "
					    "status 3: boom: host broke"),
	       "%d: %s", err, why);
	zc_host_release(&h);

	err = run(path, "nofield", -1, 0, &h, why, sizeof(why));
	CHECKF(err == -EPROTO && strstr(why, "lacks a field"), "%d: %s", err,
	       why);
	zc_host_release(&h);

	err = run(path, "silent", -1, 0, &h, why, sizeof(why));
	CHECKF(err == 0 && !h.counted, "%d: %s", err, why);
	zc_host_release(&h);

	/* Pinned to a CPU other than the one its report names. */
	sched_getaffinity(0, sizeof(cs), &cs);
	for (int c = 1; c < CPU_SETSIZE && other < 0; c++)
		if (CPU_ISSET(c, &cs))
			other = c;
	if (other > 0) {
		err = run(path, "ok", other, 0, &h, why, sizeof(why));
		CHECKF(err == -EXDEV && strstr(why, "not pinned to CPU"),
		       "%d: %s", err, why);
		zc_host_release(&h);
	}
	argv_probe(path);
	unlink(path);
}

int main(void)
{
	CHECK(zc_evset_resolve(&set, "task-clock") == 0);
	region_case(GOOD);
	region_case(DIES_INSIDE);
	region_case(GARBAGE);
	host_cases();
	return zc_check_result();
}
