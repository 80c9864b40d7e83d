/* SPDX-License-Identifier: MIT */
/*
 * c2c — the pair plan for core-to-core latency: CPUs in topology order,
 * their classes, the pair sets, boundaries and class summaries (c2c.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "c2c.h"
#include "stats.h"

/* The innermost ancestors of PU o: its place in the topology order. */
static void place_of(const struct zc_topo *t, hwloc_obj_t pu,
		     struct zc_c2c_cpu *c)
{
	hwloc_obj_t n = NULL;

	c->cpu = (int)pu->os_index;
	c->pu = (int)pu->logical_index;
	c->pkg = c->l3 = c->core = c->node = c->node_l = -1;
	for (hwloc_obj_t o = pu->parent; o; o = o->parent) {
		int cache = hwloc_obj_type_is_cache(o->type) && o->attr &&
			    o->attr->cache.type != HWLOC_OBJ_CACHE_INSTRUCTION;
		if (o->type == HWLOC_OBJ_CORE && c->core < 0)
			c->core = (int)o->logical_index;
		else if (cache && o->attr->cache.depth == 3 && c->l3 < 0)
			c->l3 = (int)o->logical_index;
		else if (o->type == HWLOC_OBJ_PACKAGE && c->pkg < 0)
			c->pkg = (int)o->logical_index;
	}
	/* The first node holding the PU, as zc_topo_cpu_node finds it. */
	while ((n = hwloc_get_next_obj_by_type(t->t, HWLOC_OBJ_NUMANODE, n)))
		if (n->cpuset && hwloc_bitmap_isset(n->cpuset, pu->os_index)) {
			c->node = (int)n->os_index;
			c->node_l = (int)n->logical_index;
			break;
		}
}

static int cmp_place(const void *pa, const void *pb)
{
	const struct zc_c2c_cpu *a = pa, *b = pb;
	const int ka[] = {a->pkg, a->node_l, a->l3, a->core, a->pu};
	const int kb[] = {b->pkg, b->node_l, b->l3, b->core, b->pu};

	for (size_t k = 0; k < sizeof(ka) / sizeof(ka[0]); k++)
		if (ka[k] != kb[k])
			return ka[k] < kb[k] ? -1 : 1;
	return 0;
}

int zc_c2c_map_build(struct zc_c2c_map *m, const struct zc_topo *t,
		     const int *cpus, int ncpus)
{
	int n = ncpus ? ncpus : zc_topo_npus(t), k = 0;
	hwloc_obj_t o = NULL;

	m->n = 0;
	m->t = t;
	m->c = calloc((size_t)(n > 0 ? n : 1), sizeof(*m->c));
	if (!m->c)
		return -ENOMEM;
	for (int i = 0; i < ncpus; i++) {
		if (cpus[i] < 0 || !hwloc_bitmap_isset(t->allowed, cpus[i]) ||
		    !(o = hwloc_get_pu_obj_by_os_index(t->t,
						       (unsigned)cpus[i]))) {
			zc_c2c_map_release(m);
			return -EINVAL;
		}
		place_of(t, o, &m->c[k++]);
	}
	while (!ncpus && k < n &&
	       (o = hwloc_get_next_obj_by_type(t->t, HWLOC_OBJ_PU, o)))
		if (hwloc_bitmap_isset(t->allowed, o->os_index))
			place_of(t, o, &m->c[k++]);
	m->n = k;
	qsort(m->c, (size_t)k, sizeof(*m->c), cmp_place);
	return 0;
}

void zc_c2c_map_release(struct zc_c2c_map *m)
{
	free(m->c);
	m->c = NULL;
	m->n = 0;
}

int zc_c2c_pos(const struct zc_c2c_map *m, int cpu)
{
	for (int i = 0; i < m->n; i++)
		if (m->c[i].cpu == cpu)
			return i;
	return -1;
}

int zc_c2c_class(const struct zc_c2c_map *m, int i, int j)
{
	return i == j ? -EINVAL
		      : zc_topo_classify(m->t, m->c[i].cpu, m->c[j].cpu);
}

static void put(struct zc_c2c_pair *out, long long max, long long k, int ping,
		int pong, int cls)
{
	if (out && k < max)
		out[k] = (struct zc_c2c_pair){ping, pong, cls};
}

/* Class representatives (see c2c.h), into out[0..max). */
static long long representatives(const struct zc_c2c_map *m, int per_class,
				 struct zc_c2c_pair *out, long long max,
				 long long *per_cls)
{
	struct zc_c2c_pair *got = calloc((size_t)per_class, sizeof(*got));
	unsigned char *pinged = calloc((size_t)m->n + 1, 1);
	long long total = 0;
	int n = m->n;

	if (!got || !pinged) {
		free(got);
		free(pinged);
		return -ENOMEM;
	}
	for (int cls = 0; cls < ZC_C2C_NCLASS; cls++) {
		int found = 0;
		memset(pinged, 0, (size_t)n);
		for (int t = 0; t < n + per_class && found < per_class; t++) {
			int a = t < per_class
					? (int)((long long)t * n / per_class)
					: t - per_class;
			if (a >= n || pinged[a])
				continue;
			for (int d = 1; d < n; d++) {
				int b = (a + d) % n, dup = 0;
				if (zc_c2c_class(m, a, b) != cls)
					continue;
				for (int k = 0; k < found && !dup; k++)
					dup = (got[k].ping == a &&
					       got[k].pong == b) ||
					      (got[k].ping == b &&
					       got[k].pong == a);
				if (dup)
					continue;
				pinged[a] = 1;
				got[found++] = (struct zc_c2c_pair){a, b, cls};
				break;
			}
		}
		for (int k = 0; k < found; k++, total++)
			put(out, max, total, got[k].ping, got[k].pong, cls);
		if (per_cls)
			per_cls[cls] = found;
	}
	free(got);
	free(pinged);
	return total;
}

long long zc_c2c_plan(const struct zc_c2c_map *m, enum zc_c2c_mode mode,
		      int per_class, struct zc_c2c_pair *out, long long max,
		      long long *per_cls)
{
	long long k = 0;

	if (mode == ZC_C2C_CLASS)
		return per_class < 1 ? -EINVAL
				     : representatives(m, per_class, out, max,
						       per_cls);
	if (mode != ZC_C2C_ALL && mode != ZC_C2C_LOWER)
		return -EINVAL;
	if (per_cls)
		memset(per_cls, 0, ZC_C2C_NCLASS * sizeof(*per_cls));
	for (int i = 0; i < m->n; i++)
		for (int j = 0; j < (mode == ZC_C2C_ALL ? m->n : i); j++) {
			int cls;
			if (i == j)
				continue;
			cls = zc_c2c_class(m, i, j);
			put(out, max, k++, i, j, cls);
			if (per_cls)
				per_cls[cls]++;
		}
	return k;
}

int zc_c2c_boundary(const struct zc_c2c_map *m, int i, int j)
{
	const struct zc_c2c_cpu *a, *b;

	if (i < 0 || j < 0 || i >= m->n || j >= m->n || i == j)
		return -1;
	a = &m->c[i];
	b = &m->c[j];
	if (a->pkg != b->pkg)
		return 0;
	if (a->node != b->node)
		return 1;
	return a->l3 != b->l3 ? 2 : -1;
}

int zc_c2c_nodes(const struct zc_topo *t, int *nodes, int max)
{
	hwloc_obj_t o = NULL;
	int n = 0;

	while ((o = hwloc_get_next_obj_by_type(t->t, HWLOC_OBJ_NUMANODE, o))) {
		int v = (int)o->os_index, k = n < max ? n : max;
		/* insertion keeps them ascending */
		while (k > 0 && nodes[k - 1] > v) {
			if (k < max)
				nodes[k] = nodes[k - 1];
			k--;
		}
		if (k < max)
			nodes[k] = v;
		n++;
	}
	return n;
}

int zc_c2c_kinds(const struct zc_topo *t, char *buf, size_t len)
{
	int n = hwloc_cpukinds_get_nr(t->t, 0);
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	size_t o = 0;

	buf[0] = 0;
	for (int k = 0; n > 1 && set && k < n && o < len; k++) {
		struct hwloc_info_s *info = NULL;
		const char *type = "";
		unsigned ninfo = 0;
		char cpus[128];
		int eff = -1;
		if (hwloc_cpukinds_get_info(t->t, (unsigned)k, set, &eff,
					    &ninfo, &info, 0) < 0)
			break;
		for (unsigned i = 0; i < ninfo; i++)
			if (!strcmp(info[i].name, "CoreType"))
				type = info[i].value;
		hwloc_bitmap_list_snprintf(cpus, sizeof(cpus), set);
		o += (size_t)snprintf(buf + o, len - o,
				      "%s%s%s%s (efficiency %d)", k ? "; " : "",
				      cpus, type[0] ? " " : "", type, eff);
	}
	hwloc_bitmap_free(set);
	return n < 0 ? 0 : n;
}

int zc_c2c_home(const struct zc_topo *t, const char *text, int *node, char *msg,
		size_t len)
{
	int nodes[256], n = zc_c2c_nodes(t, nodes, 256), v = -1;
	char list[512] = "none";
	size_t o = 0;

	for (int i = 0; i < n && i < 256 && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%d",
				      i ? "," : "", nodes[i]);
	if (!strcmp(text, "ping"))
		return ZC_C2C_HOME_PING;
	if (!strcmp(text, "pong"))
		return ZC_C2C_HOME_PONG;
	if (strncmp(text, "node:", 5)) {
		snprintf(msg, len,
			 "'%s': expected ping, pong or node:N (nodes: %s)",
			 text, list);
		return -EINVAL;
	}
	/* Decimal digits only, as every number zcbench reads. */
	for (const char *p = text + 5; *p >= '0' && *p <= '9' && v < 1 << 20;
	     p++)
		v = (v < 0 ? 0 : v * 10) + (*p - '0');
	for (int i = 0; i < n && i < 256; i++)
		if (nodes[i] == v &&
		    text[5 + strspn(text + 5, "0123456789")] == 0) {
			*node = v;
			return ZC_C2C_HOME_NODE;
		}
	snprintf(msg, len, "'%s': this machine has no NUMA node %s (nodes: %s)",
		 text, text + 5, list);
	return -EINVAL;
}

void zc_c2c_summarise(const double *v, const int *cls, int n,
		      struct zc_c2c_class_sum out[ZC_C2C_NCLASS])
{
	double *x = malloc((size_t)(n > 0 ? n : 1) * sizeof(*x));
	int nearest = -1;

	for (int c = 0; c < ZC_C2C_NCLASS; c++) {
		struct zc_c2c_class_sum *s = &out[c];
		int k = 0;
		for (int i = 0; x && i < n; i++)
			if (cls[i] == c && !isnan(v[i]))
				x[k++] = v[i];
		memset(s, 0, sizeof(*s));
		s->median = s->lo = s->hi = s->ratio = NAN;
		s->pairs = k;
		if (!k)
			continue;
		zc_stats_sort(x, (size_t)k);
		s->median = zc_stats_quantile_sorted(x, (size_t)k, 0.5);
		s->lo = x[0];
		s->hi = x[k - 1];
		if (nearest < 0)
			nearest = c;
	}
	for (int c = 0; c < ZC_C2C_NCLASS; c++) {
		out[c].nearest = nearest;
		if (out[c].pairs && nearest >= 0)
			out[c].ratio = out[c].median / out[nearest].median;
	}
	free(x);
}
