/* SPDX-License-Identifier: MIT */
/*
 * topo_load — a topology from this machine, a synthetic description or an
 * XML file (see topo.h), with the screens that keep hostile input away from
 * hwloc: synthetic PU counts bounded and plain decimal, XML read first by a
 * child process that hands back hwloc's own export (hwloc 2.9 crashes on
 * some malformed files), OS indexes and sets bounded, the tree checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "topo.h"
#include "topo_int.h"

/* PUs a synthetic description asks for: the level counts multiplied
 * ("pack:2 core:8 pu:2(indexes=core)" is 32); -E2BIG beyond the limit,
 * -EINVAL for a count that is not plain decimal (hwloc reads counts with
 * strtoul base 0: "pu:0x2000" or "pu:+5000" would pass a decimal count
 * of 0 here and build 8192 PUs there). */
static long long synthetic_pus(const char *d)
{
	long long n = 1;

	while (*d) {
		const char *tok = d, *colon, *p;
		size_t len;
		long long k = 0;

		while (*d && *d != ' ' && *d != '\t')
			d++;
		len = (size_t)(d - tok);
		while (*d == ' ' || *d == '\t')
			d++;
		if (tok[0] == '[' || tok[0] == '(')
			continue; /* memory children, attributes: no count */
		colon = memchr(tok, ':', len);
		p = colon ? colon + 1 : tok;
		if (p < tok + len && *p >= '1' && *p <= '9') {
			for (; p < tok + len && *p >= '0' && *p <= '9'; p++) {
				k = k * 10 + (*p - '0');
				if (k > ZC_TOPO_MAX_PUS)
					return -E2BIG;
			}
		} else if (!colon && p < tok + len && *p != '0') {
			continue; /* a word hwloc will judge */
		}
		if (k == 0 || (p < tok + len && *p != '('))
			return -EINVAL;
		if ((n *= k) > ZC_TOPO_MAX_PUS)
			return -E2BIG;
	}
	return n;
}

/* Every object's cpuset is the union of its children's (hwloc makes sure
 * of it for a machine; a malformed XML file, loaded "out of order", may
 * not: plans walk the tree and trust it). -EINVAL with t->err. Level by
 * level, not by recursion: a file may nest deeply. */
static int check_tree(struct zc_topo *t)
{
	hwloc_bitmap_t u = hwloc_bitmap_alloc();
	int depth = hwloc_topology_get_depth(t->t), bad = 0;

	if (!u)
		return -ENOMEM;
	for (int d = 0; d < depth && !bad; d++) {
		hwloc_obj_t o = NULL;
		while (!bad && (o = hwloc_get_next_obj_by_depth(t->t, d, o))) {
			if (!o->first_child)
				continue;
			hwloc_bitmap_zero(u);
			for (hwloc_obj_t c = o->first_child; c;
			     c = c->next_sibling)
				if (c->cpuset)
					hwloc_bitmap_or(u, u, c->cpuset);
			bad = !o->cpuset || !hwloc_bitmap_isequal(u, o->cpuset);
			if (bad)
				snprintf(
					t->err, sizeof(t->err),
					"a %s whose CPUs are not its "
					"children's: not a consistent topology",
					hwloc_obj_type_string(o->type));
		}
	}
	hwloc_bitmap_free(u);
	return bad ? -EINVAL : 0;
}

/* How long a child may take to read an XML file (64 MiB take seconds). */
#define XML_CHILD_SECONDS 30

/* Before hwloc sees it: a PU or NUMA node whose OS index is beyond
 * ZC_TOPO_MAX_OS_INDEX makes hwloc build bitmaps of up to 2^32 bits (and
 * export gigabytes of them). 0, or -E2BIG with the index in *idx. */
static int xml_indexes(const char *xml, unsigned long long *idx)
{
	static const char *const tags[] = {"<object type=\"PU\"",
					   "<object type=\"NUMANode\"", NULL};

	for (int k = 0; tags[k]; k++)
		for (const char *p = xml; (p = strstr(p, tags[k])); p++) {
			const char *end = strchr(p, '>'),
				   *o = strstr(p, " os_index=\"");
			unsigned long long v = 0;
			if (!o || (end && o > end))
				continue;
			for (o += 11;
			     *o >= '0' && *o <= '9' && v < (1ull << 40); o++)
				v = v * 10 + (unsigned)(*o - '0');
			if (v >= ZC_TOPO_MAX_OS_INDEX) {
				*idx = v;
				return -E2BIG;
			}
		}
	return 0;
}

static int set_bounded(hwloc_const_bitmap_t b)
{
	return !b || hwloc_bitmap_iszero(b) ||
	       (hwloc_bitmap_last(b) >= 0 &&
		hwloc_bitmap_last(b) < ZC_TOPO_MAX_OS_INDEX);
}

/* Every object's CPU and node sets are finite and below the limit. */
static int sets_bounded(hwloc_topology_t t)
{
	int depth = hwloc_topology_get_depth(t);

	for (int d = -1; d < depth; d++) {
		hwloc_obj_t o = NULL;
		int dd = d < 0 ? HWLOC_TYPE_DEPTH_NUMANODE : d;
		while ((o = hwloc_get_next_obj_by_depth(t, dd, o)))
			if (!set_bounded(o->cpuset) ||
			    !set_bounded(o->complete_cpuset) ||
			    !set_bounded(o->nodeset) ||
			    !set_bounded(o->complete_nodeset) ||
			    (o->type == HWLOC_OBJ_PU &&
			     o->os_index >= ZC_TOPO_MAX_OS_INDEX) ||
			    (o->type == HWLOC_OBJ_NUMANODE &&
			     o->os_index >= ZC_TOPO_MAX_OS_INDEX))
				return 0;
	}
	return 1;
}

/* The child's side: load xml as the parent would, write hwloc's export of
 * it to fd. Exit 0, 2 (hwloc refused it), 3 (could not write), 4 (more
 * than ZC_TOPO_MAX_PUS PUs), 5 (an OS index too large): 4 and 5 before
 * the export, which would be gigabytes. */
static void __attribute__((noreturn))
xml_child(const char *xml, size_t len, int fd)
{
	hwloc_topology_t t;
	char *out;
	int n, null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	/* hwloc's warnings (and a sanitizer's report of its crash) */
	if (null >= 0)
		dup2(null, 2);
	/* A crash here is hwloc's, and this process's only: die of it (a
	 * sanitizer's or fuzzer's handler would report it as the parent's). */
	static const int deadly[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
	for (size_t i = 0; i < sizeof(deadly) / sizeof(*deadly); i++)
		signal(deadly[i], SIG_DFL);
	if (hwloc_topology_init(&t) < 0 ||
	    hwloc_topology_set_xmlbuffer(t, xml, (int)len + 1) < 0)
		_exit(2);
	hwloc_topology_set_icache_types_filter(t, HWLOC_TYPE_FILTER_KEEP_ALL);
	if (hwloc_topology_load(t) < 0)
		_exit(2);
	if (hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU) > ZC_TOPO_MAX_PUS)
		_exit(4);
	/* xml_indexes' check as hwloc read the file: every object's sets
	 * finite and below ZC_TOPO_MAX_OS_INDEX (a NUMA node without an
	 * os_index gets 2^32-1, and its nodeset that many bits) */
	if (!sets_bounded(t))
		_exit(5);
	if (hwloc_topology_export_xmlbuffer(t, &out, &n, 0) < 0)
		_exit(2);
	for (int off = 0; off < n - 1;) {
		ssize_t w = write(fd, out + off, (size_t)(n - 1 - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3);
		off += (int)w;
	}
	_exit(0);
}

/*
 * hwloc's XML reader trusts its input: a malformed cpuset makes hwloc 2.9
 * dereference NULL in hwloc_insert_object_by_parent. So a file is read
 * first by a child process, which loads it and writes back hwloc's own
 * export of what it read; only that is loaded here. A child that crashes,
 * refuses the file or takes over XML_CHILD_SECONDS is an error (-EINVAL,
 * why says which). On success *out (malloc'ed, NUL-terminated) holds the
 * export, *outlen its length.
 */
static int xml_through_child(const char *xml, size_t len, char **out,
			     size_t *outlen, char *why, size_t wlen)
{
	size_t n = 0, cap = len + 65536, max = 2 * (size_t)ZC_READ_MAX_XML;
	struct timespec t0, now;
	int p[2], status = 0, err = 0;
	char *buf = malloc(cap + 1);
	pid_t pid;

	unsigned long long idx;

	*out = NULL;
	if (xml_indexes(xml, &idx) < 0) {
		free(buf);
		snprintf(why, wlen,
			 "a PU or NUMA node with OS index %llu (OS indexes are "
			 "below %d): not a topology zcbench can plan for",
			 idx, ZC_TOPO_MAX_OS_INDEX);
		return -EINVAL;
	}
	if (!buf)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(buf);
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		xml_child(xml, len, p[1]);
	}
	close(p[1]);
	if (pid < 0) {
		err = -errno;
		close(p[0]);
		free(buf);
		return err;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		long ms;
		ssize_t r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = XML_CHILD_SECONDS * 1000L -
		     (now.tv_sec - t0.tv_sec) * 1000L -
		     (now.tv_nsec - t0.tv_nsec) / 1000000L;
		if (ms <= 0 || poll(&pf, 1, (int)ms) == 0) {
			snprintf(why, wlen, "hwloc took over %d s to read it",
				 XML_CHILD_SECONDS);
			err = -EINVAL;
			break;
		}
		if (n == cap) {
			char *nb;
			if (cap >= max) {
				snprintf(why, wlen,
					 "its topology is too large");
				err = -EINVAL;
				break;
			}
			cap = cap * 2 < max ? cap * 2 : max;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
		}
		r = read(p[0], buf + n, cap - n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(p[0]);
	if (err)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!err && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
			snprintf(why, wlen,
				 "more than %d PUs, the most zcbench plans for",
				 ZC_TOPO_MAX_PUS);
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 5)
			snprintf(why, wlen,
				 "a CPU or NUMA node set reaching OS index %d "
				 "or beyond: not a topology zcbench can plan "
				 "for",
				 ZC_TOPO_MAX_OS_INDEX);
		else if (WIFSIGNALED(status))
			snprintf(why, wlen,
				 "hwloc crashed reading it (signal %d): not a "
				 "well-formed hwloc XML topology",
				 WTERMSIG(status));
		else
			snprintf(why, wlen, "not a hwloc XML topology");
		err = -EINVAL;
	}
	if (err) {
		free(buf);
		return err;
	}
	buf[n] = 0;
	*out = buf;
	*outlen = n;
	return 0;
}

int zc_topo_load(struct zc_topo *t, const char *spec)
{
	char *xml = NULL;
	size_t xml_len = 0;
	int err;

	memset(t, 0, sizeof(*t));
	if (hwloc_topology_init(&t->t) < 0) {
		snprintf(t->err, sizeof(t->err), "hwloc_topology_init failed");
		return -ENOMEM;
	}
	if (!spec || !*spec) {
		t->real = 1;
		snprintf(t->source, sizeof(t->source), "this machine");
	} else if (!strncmp(spec, "synthetic:", 10)) {
		snprintf(t->source, sizeof(t->source), "%s", spec);
		long long pus = synthetic_pus(spec + 10);
		if (pus == -E2BIG) {
			snprintf(t->err, sizeof(t->err),
				 "synthetic description '%s' has more than %d "
				 "PUs: the largest topology zcbench plans for",
				 spec + 10, ZC_TOPO_MAX_PUS);
			err = -EINVAL;
			goto fail;
		}
		/* hwloc says nothing about why; give the expected shape. */
		if (pus < 0 ||
		    hwloc_topology_set_synthetic(t->t, spec + 10) < 0) {
			snprintf(
				t->err, sizeof(t->err),
				"invalid synthetic description '%s': expected "
				"levels such as \"pack:2 numa:2 l3:4 core:8 "
				"pu:2\"%s",
				spec + 10,
				pus < 0 ? " (counts are decimal numbers from 1)"
					: "");
			err = -EINVAL;
			goto fail;
		}
	} else {
		snprintf(t->source, sizeof(t->source), "%s", spec);
		err = zc_read_file(spec, ZC_READ_MAX_XML, &xml, &xml_len);
		if (err < 0) {
			snprintf(t->err, sizeof(t->err),
				 "cannot read '%s': %s (expected "
				 "synthetic:DESC or "
				 "an XML file from lstopo --of xml, at most %u "
				 "MiB)",
				 spec, zc_file_strerror(err, 0),
				 ZC_READ_MAX_XML >> 20);
			goto fail;
		}
		{
			char why[160] = "", *clean;
			size_t clean_len = 0;
			err = xml_through_child(xml, xml_len, &clean,
						&clean_len, why, sizeof(why));
			free(xml);
			xml = clean;
			xml_len = clean_len;
			if (err == 0 &&
			    hwloc_topology_set_xmlbuffer(
				    t->t, xml, (int)xml_len + 1) < 0) {
				snprintf(why, sizeof(why),
					 "not a hwloc XML topology");
				err = -EINVAL;
			}
			if (err < 0) {
				snprintf(t->err, sizeof(t->err), "%s",
					 why[0] ? why : strerror(-err));
				goto fail;
			}
		}
	}
	/* Keep instruction caches too: meta.json and the Google Benchmark
	 * context list every cache. */
	hwloc_topology_set_icache_types_filter(t->t,
					       HWLOC_TYPE_FILTER_KEEP_ALL);
	if (hwloc_topology_load(t->t) < 0) {
		err = errno ? -errno : -EINVAL;
		snprintf(t->err, sizeof(t->err), "cannot load the topology: %s",
			 strerror(-err));
		goto fail;
	}
	free(xml);
	xml = NULL;
	if (hwloc_get_nbobjs_by_type(t->t, HWLOC_OBJ_PU) > ZC_TOPO_MAX_PUS) {
		snprintf(t->err, sizeof(t->err),
			 "'%s' has %d PUs, more than the %d zcbench plans for",
			 spec ? spec : "this machine",
			 hwloc_get_nbobjs_by_type(t->t, HWLOC_OBJ_PU),
			 ZC_TOPO_MAX_PUS);
		err = -EINVAL;
		goto fail;
	}
	t->allowed = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(t->t));
	if (!t->allowed) {
		err = -ENOMEM;
		goto fail;
	}
	if (t->real) {
		/* The topology does not reflect taskset: honour it here. */
		hwloc_bitmap_t b = hwloc_bitmap_alloc();
		if (b && hwloc_get_cpubind(t->t, b, HWLOC_CPUBIND_PROCESS) == 0)
			hwloc_bitmap_and(t->allowed, t->allowed, b);
		hwloc_bitmap_free(b);
	}
	err = zc_topo_build_sigs(t);
	if (err == 0)
		err = check_tree(t);
	if (err < 0) {
		if (err == -ENOMEM)
			snprintf(t->err, sizeof(t->err), "out of memory");
		goto fail;
	}
	if (hwloc_bitmap_iszero(t->allowed)) {
		snprintf(t->err, sizeof(t->err), "no CPU is allowed");
		err = -ENODEV;
		goto fail;
	}
	return 0;
fail:
	free(xml);
	free(t->sig);
	t->sig = NULL;
	if (t->allowed)
		hwloc_bitmap_free(t->allowed);
	t->allowed = NULL;
	hwloc_topology_destroy(t->t);
	t->t = NULL;
	return err;
}

void zc_topo_release(struct zc_topo *t)
{
	free(t->sig);
	t->sig = NULL;
	t->nsig = 0;
	if (t->allowed)
		hwloc_bitmap_free(t->allowed);
	if (t->t)
		hwloc_topology_destroy(t->t);
	t->allowed = NULL;
	t->t = NULL;
}
