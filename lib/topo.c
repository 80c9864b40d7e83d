/* SPDX-License-Identifier: MIT */
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

static const struct {
	const char *name;
	const char *desc;
} places[ZC_PLACE_COUNT] = {
	[ZC_PLACE_SMT] = {"smt", "two hardware threads of one core"},
	[ZC_PLACE_L2] = {"l2", "different cores sharing an L2 cache"},
	[ZC_PLACE_L3] = {"l3", "different cores (own L2) sharing an L3 cache"},
	[ZC_PLACE_CROSS_L3] = {"cross-l3",
			       "different L3 caches within one NUMA node"},
	[ZC_PLACE_CROSS_NUMA] = {"cross-numa",
				 "different NUMA nodes within one package"},
	[ZC_PLACE_CROSS_PACKAGE] = {"cross-package", "different packages"},
	[ZC_PLACE_COMPACT] = {"compact",
			      "N threads packed: siblings, then neighbours"},
	[ZC_PLACE_SCATTER] = {"scatter",
			      "N threads spread over packages, nodes, caches"},
	[ZC_PLACE_CPUS] = {"cpus", "the CPUs given with --cpus"},
};

/* clang-format off */
#define PAIR_WORDS                                                             \
	{"smt", ZC_PLACE_SMT},                                                 \
	{"l2", ZC_PLACE_L2},                                                   \
	{"l3", ZC_PLACE_L3},                                                   \
	{"cross-l3", ZC_PLACE_CROSS_L3},                                       \
	{"cross-numa", ZC_PLACE_CROSS_NUMA},                                   \
	{"cross-package", ZC_PLACE_CROSS_PACKAGE}
/* clang-format on */
const struct zc_word zc_place_words[] = {PAIR_WORDS,
					 {"compact", ZC_PLACE_COMPACT},
					 {"scatter", ZC_PLACE_SCATTER},
					 {"cpus", ZC_PLACE_CPUS},
					 {NULL, 0}};
const struct zc_word zc_pair_place_words[] = {
	PAIR_WORDS, {"cpus", ZC_PLACE_CPUS}, {NULL, 0}};

const char *zc_place_name(enum zc_place p)
{
	return (unsigned)p < ZC_PLACE_COUNT ? places[p].name : NULL;
}

const char *zc_place_desc(enum zc_place p)
{
	return (unsigned)p < ZC_PLACE_COUNT ? places[p].desc : NULL;
}

int zc_place_from_name(const char *name)
{
	for (int i = 0; i < ZC_PLACE_COUNT; i++)
		if (!strcmp(places[i].name, name))
			return i;
	return -EINVAL;
}

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

static int build_sigs(struct zc_topo *t);

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
	err = build_sigs(t);
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

static int count_type(const struct zc_topo *t, hwloc_obj_type_t type)
{
	int n = 0;
	hwloc_obj_t o = NULL;
	while ((o = hwloc_get_next_obj_by_type(t->t, type, o)))
		if (hwloc_bitmap_intersects(o->cpuset, t->allowed))
			n++;
	return n;
}

int zc_topo_npus(const struct zc_topo *t)
{
	return hwloc_bitmap_weight(t->allowed);
}

int zc_topo_ncores(const struct zc_topo *t)
{
	int n = count_type(t, HWLOC_OBJ_CORE);
	return n ? n : zc_topo_npus(t);
}

int zc_topo_nnumanodes(const struct zc_topo *t)
{
	int n = count_type(t, HWLOC_OBJ_NUMANODE);
	return n ? n : 1;
}

int zc_topo_npackages(const struct zc_topo *t)
{
	int n = count_type(t, HWLOC_OBJ_PACKAGE);
	return n ? n : 1;
}

int zc_topo_has_smt(const struct zc_topo *t)
{
	hwloc_obj_t o = NULL;
	hwloc_bitmap_t b = hwloc_bitmap_alloc();
	int smt = 0;
	while (b && !smt &&
	       (o = hwloc_get_next_obj_by_type(t->t, HWLOC_OBJ_CORE, o))) {
		hwloc_bitmap_and(b, o->cpuset, t->allowed);
		smt = hwloc_bitmap_weight(b) > 1;
	}
	hwloc_bitmap_free(b);
	return smt;
}

static hwloc_obj_t pu_obj(const struct zc_topo *t, int cpu)
{
	if (cpu < 0)
		return NULL;
	return hwloc_get_pu_obj_by_os_index(t->t, (unsigned)cpu);
}

/* The cache of a given depth above PU o; NULL if none. */
static hwloc_obj_t cache_above(hwloc_obj_t o, unsigned depth)
{
	for (o = o->parent; o; o = o->parent)
		if (hwloc_obj_type_is_cache(o->type) && o->attr &&
		    o->attr->cache.depth == depth &&
		    o->attr->cache.type != HWLOC_OBJ_CACHE_INSTRUCTION)
			return o;
	return NULL;
}

static hwloc_obj_t type_above(hwloc_obj_t o, hwloc_obj_type_t type)
{
	for (o = o->parent; o; o = o->parent)
		if (o->type == type)
			return o;
	return NULL;
}

static const struct zc_pu_sig *sig_of(const struct zc_topo *t, int cpu)
{
	return cpu >= 0 && cpu < t->nsig && t->sig[cpu].pu ? &t->sig[cpu]
							   : NULL;
}

static int node_of(const struct zc_topo *t, int cpu)
{
	hwloc_obj_t n = NULL;
	while ((n = hwloc_get_next_obj_by_type(t->t, HWLOC_OBJ_NUMANODE, n)))
		if (n->cpuset && hwloc_bitmap_isset(n->cpuset, (unsigned)cpu))
			return (int)n->os_index;
	return -1;
}

/* The signatures of every PU; 0, -ENOMEM, or -EINVAL with t->err for a
 * PU whose OS index is ZC_TOPO_MAX_OS_INDEX or more, or whose cpuset is
 * not its own index alone (an XML file written by hand: the signatures
 * are indexed by OS index, and plans name CPUs by it). */
static int build_sigs(struct zc_topo *t)
{
	hwloc_obj_t o = NULL;
	int max = -1;

	while ((o = hwloc_get_next_obj_by_type(t->t, HWLOC_OBJ_PU, o))) {
		if (o->os_index >= ZC_TOPO_MAX_OS_INDEX || !o->cpuset ||
		    hwloc_bitmap_weight(o->cpuset) != 1 ||
		    !hwloc_bitmap_isset(o->cpuset, o->os_index)) {
			snprintf(t->err, sizeof(t->err),
				 "a PU with OS index %u%s: not a topology "
				 "zcbench can plan for",
				 o->os_index,
				 o->os_index >= ZC_TOPO_MAX_OS_INDEX
					 ? " (OS indexes are below 65536)"
					 : " has a cpuset other than that "
					   "index");
			return -EINVAL;
		}
		max = (int)o->os_index > max ? (int)o->os_index : max;
	}
	t->nsig = max + 1;
	t->sig = calloc((size_t)(t->nsig > 0 ? t->nsig : 1), sizeof(*t->sig));
	if (!t->sig)
		return -ENOMEM;
	while ((o = hwloc_get_next_obj_by_type(t->t, HWLOC_OBJ_PU, o))) {
		struct zc_pu_sig *g = &t->sig[o->os_index];
		g->pu = o;
		g->core = type_above(o, HWLOC_OBJ_CORE);
		g->l2 = cache_above(o, 2);
		g->l3 = cache_above(o, 3);
		g->pkg = type_above(o, HWLOC_OBJ_PACKAGE);
		g->node = node_of(t, (int)o->os_index);
	}
	return 0;
}

int zc_topo_cpu_node(const struct zc_topo *t, int cpu)
{
	const struct zc_pu_sig *g = sig_of(t, cpu);
	hwloc_obj_t n = NULL;

	if (g)
		return g->node;
	while ((n = hwloc_get_next_obj_by_type(t->t, HWLOC_OBJ_NUMANODE, n)))
		if (n->cpuset && hwloc_bitmap_isset(n->cpuset, (unsigned)cpu))
			return (int)n->os_index;
	return -1;
}

int zc_topo_classify(const struct zc_topo *t, int a, int b)
{
	const struct zc_pu_sig *ga = sig_of(t, a), *gb = sig_of(t, b);
	hwloc_obj_t pa, pb, x, y;

	if (ga && gb && a != b) {
		if (ga->core && ga->core == gb->core)
			return ZC_PLACE_SMT;
		if (ga->l2 && ga->l2 == gb->l2)
			return ZC_PLACE_L2;
		x = ga->l3;
		y = gb->l3;
		if (!x && !y) {
			x = ga->pkg;
			y = gb->pkg;
		}
		if (x == y)
			return ZC_PLACE_L3;
		if (ga->pkg != gb->pkg)
			return ZC_PLACE_CROSS_PACKAGE;
		if (ga->node != gb->node)
			return ZC_PLACE_CROSS_NUMA;
		return ZC_PLACE_CROSS_L3;
	}
	pa = pu_obj(t, a);
	pb = pu_obj(t, b);

	if (!pa || !pb || a == b)
		return -EINVAL;
	x = type_above(pa, HWLOC_OBJ_CORE);
	if (x && x == type_above(pb, HWLOC_OBJ_CORE))
		return ZC_PLACE_SMT;
	x = cache_above(pa, 2);
	if (x && x == cache_above(pb, 2))
		return ZC_PLACE_L2;
	x = cache_above(pa, 3);
	y = cache_above(pb, 3);
	if (!x && !y) {
		/* No L3 object: the package is the shared level. */
		x = type_above(pa, HWLOC_OBJ_PACKAGE);
		y = type_above(pb, HWLOC_OBJ_PACKAGE);
	}
	if (x == y)
		return ZC_PLACE_L3;
	/* Outer levels first: a NUMA node reported across two packages (no
	 * NUMA info) must not hide the package boundary. */
	if (type_above(pa, HWLOC_OBJ_PACKAGE) !=
	    type_above(pb, HWLOC_OBJ_PACKAGE))
		return ZC_PLACE_CROSS_PACKAGE;
	if (zc_topo_cpu_node(t, a) != zc_topo_cpu_node(t, b))
		return ZC_PLACE_CROSS_NUMA;
	return ZC_PLACE_CROSS_L3;
}

/* Allowed PUs in hwloc logical order (siblings adjacent). */
static int allowed_pus(const struct zc_topo *t, int *out, int max)
{
	hwloc_obj_t o = NULL;
	int n = 0;
	while ((o = hwloc_get_next_obj_by_type(t->t, HWLOC_OBJ_PU, o)) &&
	       n < max)
		if (hwloc_bitmap_isset(t->allowed, o->os_index))
			out[n++] = (int)o->os_index;
	return n;
}

/* Count allowed PUs below o. */
static int weight(const struct zc_topo *t, hwloc_obj_t o)
{
	int w = 0;
	unsigned i;
	hwloc_bitmap_foreach_begin(i, o->cpuset)
	{
		if (hwloc_bitmap_isset(t->allowed, i))
			w++;
	}
	hwloc_bitmap_foreach_end();
	return w;
}

/*
 * Spread n threads below o over its children in proportion to their allowed
 * PUs (like hwloc_distrib, but over the allowed set so taskset counts).
 */
static void distribute(const struct zc_topo *t, hwloc_obj_t o, int n, int *out,
		       int *k)
{
	int nc = 0, total = 0, given = 0;
	hwloc_obj_t c, kids[1024];
	int share[1024];

	if (n <= 0)
		return;
	if (o->type == HWLOC_OBJ_PU) {
		out[(*k)++] = (int)o->os_index;
		return;
	}
	for (c = o->first_child; c && nc < 1024; c = c->next_sibling) {
		int w = c->cpuset ? weight(t, c) : 0;
		if (w > 0) {
			kids[nc] = c;
			share[nc++] = w;
			total += w;
		}
	}
	if (nc == 0)
		return;
	/* Children holding fewer PUs than their parent (a tree built from a
	 * malformed file): place what fits, the caller sees the shortfall
	 * (the round-robin below would look for room forever). */
	if (total < n)
		n = total;
	{
		int want[1024];
		for (int i = 0; i < nc; i++) {
			want[i] = (int)((long long)n * share[i] / total);
			if (want[i] > share[i])
				want[i] = share[i];
			given += want[i];
		}
		/* Remainders go round-robin to children with room, in order,
		 * so the first thread of each level is spread first. */
		for (int i = 0; given < n; i = (i + 1) % nc)
			if (want[i] < share[i]) {
				want[i]++;
				given++;
			}
		for (int i = 0; i < nc; i++)
			distribute(t, kids[i], want[i], out, k);
	}
}

static int plan_pair(const struct zc_topo *t, enum zc_place place,
		     struct zc_plan *p)
{
	int pus[ZC_TOPO_MAX_THREADS * 4],
		n = allowed_pus(t, pus, ZC_TOPO_MAX_THREADS * 4);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			if (i != j &&
			    zc_topo_classify(t, pus[i], pus[j]) == (int)place) {
				p->cpu[0] = pus[i];
				p->cpu[1] = pus[j];
				return 0;
			}
	return -ENODEV;
}

void zc_topo_class_why(const struct zc_topo *t, enum zc_place place, char *why,
		       size_t len)
{
	int npus = zc_topo_npus(t), ncores = zc_topo_ncores(t);
	int nnuma = zc_topo_nnumanodes(t), npack = zc_topo_npackages(t);
	int nl3 = count_type(t, HWLOC_OBJ_L3CACHE);

	why[0] = 0;
	if (npus < 2) {
		snprintf(why, len, "needs 2 CPUs; this process may use %d",
			 npus);
		return;
	}
	switch (place) {
	case ZC_PLACE_SMT:
		snprintf(why, len, "%s",
			 zc_topo_has_smt(t)
				 ? "no core has two allowed hardware threads"
				 : "no SMT: each core has one hardware thread");
		break;
	case ZC_PLACE_L2:
		snprintf(why, len,
			 "no two cores share an L2 cache (each core has its "
			 "own)");
		break;
	case ZC_PLACE_L3:
		if (ncores < 2)
			snprintf(why, len,
				 "needs 2 cores; this process may use %d",
				 ncores);
		else
			snprintf(why, len,
				 "no two cores with private L2 caches share an "
				 "L3");
		break;
	case ZC_PLACE_CROSS_L3:
		snprintf(why, len,
			 "no NUMA node holds two L3 caches (%d L3, %d node%s)",
			 nl3, nnuma, nnuma == 1 ? "" : "s");
		break;
	case ZC_PLACE_CROSS_NUMA:
		snprintf(why, len, "%s",
			 nnuma < 2 ? "one NUMA node"
				   : "no package holds two NUMA nodes");
		break;
	case ZC_PLACE_CROSS_PACKAGE:
		snprintf(why, len, "%s",
			 npack < 2 ? "one package" : "no two packages allowed");
		break;
	default:
		break;
	}
}

int zc_topo_plan(const struct zc_topo *t, enum zc_place place, int nthreads,
		 const int *cpus, int ncpus, struct zc_plan *p)
{
	int npus = zc_topo_npus(t), k = 0;

	memset(p, 0, sizeof(*p));
	p->place = place;
	p->nthreads = nthreads;
	p->node = -1;
	if (nthreads < 1 || nthreads > ZC_TOPO_MAX_THREADS ||
	    (unsigned)place >= ZC_PLACE_COUNT) {
		snprintf(p->why, sizeof(p->why), "threads must be 1..%d",
			 ZC_TOPO_MAX_THREADS);
		return -EINVAL;
	}
	switch (place) {
	case ZC_PLACE_CPUS:
		if (ncpus < nthreads) {
			snprintf(p->why, sizeof(p->why),
				 "--cpus lists %d CPU%s for %d threads", ncpus,
				 ncpus == 1 ? "" : "s", nthreads);
			return -EINVAL;
		}
		for (int i = 0; i < nthreads; i++) {
			if (!hwloc_bitmap_isset(t->allowed, cpus[i])) {
				char a[128];
				zc_topo_format_allowed(t, a, sizeof(a));
				snprintf(p->why, sizeof(p->why),
					 "CPU %d is not allowed (allowed: %s)",
					 cpus[i], a);
				return -EINVAL;
			}
			p->cpu[i] = cpus[i];
		}
		break;
	case ZC_PLACE_COMPACT:
	case ZC_PLACE_SCATTER:
		if (nthreads > npus) {
			char a[128];
			zc_topo_format_allowed(t, a, sizeof(a));
			snprintf(p->why, sizeof(p->why),
				 "needs %d CPUs; this process may use %d (%s)",
				 nthreads, npus, a);
			return -ENODEV;
		}
		if (place == ZC_PLACE_COMPACT) {
			allowed_pus(t, p->cpu, nthreads);
		} else {
			distribute(t, hwloc_get_root_obj(t->t), nthreads,
				   p->cpu, &k);
			if (k != nthreads) {
				snprintf(p->why, sizeof(p->why),
					 "the topology's tree holds %d of the "
					 "%d PUs asked for",
					 k, nthreads);
				return -ENODEV;
			}
		}
		break;
	default:
		if (nthreads != 2) {
			snprintf(p->why, sizeof(p->why),
				 "class %s places a pair: 2 threads, not %d",
				 zc_place_name(place), nthreads);
			return -EINVAL;
		}
		if (plan_pair(t, place, p) < 0) {
			zc_topo_class_why(t, place, p->why, sizeof(p->why));
			return -ENODEV;
		}
	}
	p->node = zc_topo_cpu_node(t, p->cpu[0]);
	return 0;
}

int zc_topo_plan_closest(const struct zc_topo *t, const int *cpus, int ncpus,
			 struct zc_plan *plan)
{
	static const enum zc_place order[] = {ZC_PLACE_L2,
					      ZC_PLACE_L3,
					      ZC_PLACE_CROSS_L3,
					      ZC_PLACE_CROSS_NUMA,
					      ZC_PLACE_CROSS_PACKAGE,
					      ZC_PLACE_SMT};
	int err = -ENODEV;

	if (ncpus >= 2)
		return zc_topo_plan(t, ZC_PLACE_CPUS, 2, cpus, ncpus, plan);
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]) && err; k++)
		err = zc_topo_plan(t, order[k], 2, NULL, 0, plan);
	if (err) {
		char a[128];
		zc_topo_format_allowed(t, a, sizeof(a));
		snprintf(plan->why, sizeof(plan->why),
			 "needs two CPUs; this process may use %d (%s)",
			 zc_topo_npus(t), a);
	}
	return err;
}

int zc_topo_pin_self(const struct zc_topo *t, int cpu)
{
	hwloc_bitmap_t b;
	int err = 0;

	if (!t->real || cpu < 0 || !hwloc_bitmap_isset(t->allowed, cpu))
		return -EINVAL;
	b = hwloc_bitmap_alloc();
	if (!b)
		return -ENOMEM;
	hwloc_bitmap_only(b, (unsigned)cpu);
	if (hwloc_set_cpubind(
		    t->t, b, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT) < 0) {
		err = -errno;
		/* STRICT is not supported everywhere; plain binding is enough
		 * because placement is verified after the run anyway. */
		if (hwloc_set_cpubind(t->t, b, HWLOC_CPUBIND_THREAD) == 0)
			err = 0;
	}
	hwloc_bitmap_free(b);
	return err;
}

int zc_topo_current_cpu(void)
{
	int c = sched_getcpu();
	return c < 0 ? -errno : c;
}

void zc_topo_format_cpus(const int *cpu, int n, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	for (int i = 0; i < n; i++) {
		int w = snprintf(buf + off, len - off, "%s%d", i ? "," : "",
				 cpu[i]);
		if (w < 0 || (size_t)w >= len - off) {
			if (len > 4)
				strcpy(buf + len - 4, "...");
			return;
		}
		off += (size_t)w;
	}
}

int zc_topo_parse_cpus(const char *text, int *cpus, int max)
{
	int n = 0;
	const char *p = text;

	if (!text || !*text)
		return -EINVAL;
	for (;;) {
		char *end;
		long a, b;
		/* decimal digits only: strtol would take blanks and a sign */
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		a = strtol(p, &end, 10);
		if (a > INT_MAX / 2 || errno)
			return -EINVAL;
		b = a;
		p = end;
		if (*p == '-') {
			if (*++p < '0' || *p > '9')
				return -EINVAL;
			b = strtol(p, &end, 10);
			if (b < a || b > INT_MAX / 2 || errno)
				return -EINVAL;
			p = end;
		}
		for (long c = a; c <= b; c++) {
			if (n == max)
				return -EINVAL;
			for (int i = 0; i < n; i++)
				if (cpus[i] == c)
					return -EINVAL;
			cpus[n++] = (int)c;
		}
		if (!*p)
			return n;
		if (*p++ != ',')
			return -EINVAL;
	}
}

void zc_topo_format_allowed(const struct zc_topo *t, char *buf, size_t len)
{
	hwloc_bitmap_list_snprintf(buf, len, t->allowed);
}

int zc_topo_export_xml(const struct zc_topo *t, const char *dir)
{
	struct zc_afile a;
	char *xml;
	int len, err;

	/* Through afile: only a regular topology.xml (or none) is replaced,
	 * never a symlink, FIFO or device someone left in the folder. */
	if (hwloc_topology_export_xmlbuffer(t->t, &xml, &len, 0) < 0)
		return errno ? -errno : -EIO;
	err = zc_afile_open(&a, dir, "topology.xml");
	if (err == 0) {
		/* buflen counts the final NUL */
		if (len > 1 &&
		    fwrite(xml, 1, (size_t)len - 1, a.f) != (size_t)len - 1) {
			err = errno ? -errno : -EIO;
			zc_afile_abort(&a);
		} else {
			err = zc_afile_commit(&a);
		}
	}
	hwloc_free_xmlbuffer(t->t, xml);
	return err;
}

int zc_topo_cache(const struct zc_topo *t, int cpu, int level, int data,
		  unsigned long long *size, unsigned *line, int *sharers)
{
	hwloc_obj_t o = pu_obj(t, cpu);
	if (!o)
		return -ENOENT;
	for (o = o->parent; o; o = o->parent) {
		if (!hwloc_obj_type_is_cache(o->type) || !o->attr ||
		    o->attr->cache.depth != (unsigned)level)
			continue;
		if (data ? o->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION
			 : o->attr->cache.type == HWLOC_OBJ_CACHE_DATA)
			continue;
		if (size)
			*size = o->attr->cache.size;
		if (line)
			*line = o->attr->cache.linesize;
		if (sharers)
			*sharers = hwloc_bitmap_weight(o->cpuset);
		return 0;
	}
	return -ENOENT;
}

int zc_topo_plan_pair(const struct zc_topo *t, int place, const int *cpus,
		      int ncpus, struct zc_plan *pair, struct zc_plan *solo)
{
	int err = place < 0 ? zc_topo_plan_closest(t, cpus, ncpus, pair)
			    : zc_topo_plan(t, place, 2, cpus, ncpus, pair);

	*solo = *pair;
	if (err)
		zc_topo_plan(t, ZC_PLACE_COMPACT, 1, NULL, 0, solo);
	solo->nthreads = 1;
	return err;
}
