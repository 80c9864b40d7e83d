/* SPDX-License-Identifier: MIT */
/*
 * topo — queries and placement plans over a loaded topology: counts,
 * PU signatures and the class of a pair, plans per placement, pinning,
 * CPU lists (see topo.h; loading is in topo_load.c).
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
int zc_topo_build_sigs(struct zc_topo *t)
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
