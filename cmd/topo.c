/* SPDX-License-Identifier: MIT */
/*
 * zcbench topo — the topology as zcbench sees it and the placement plan of
 * every class, for this machine or a synthetic/XML one.
 */
#include <errno.h>
#include <string.h>

#include "builtin.h"

static struct zc_list opt_threads;
static const struct zc_word all_word[] = {{"all", -1}, {NULL, 0}};

static const struct zc_opt topo_opts[] = {
	ZC_OPT_LIST("threads", "LIST", NULL, "2,4,8,all",
		    "thread counts to plan compact and scatter for",
		    &opt_threads, 1, ZC_TOPO_MAX_THREADS, 0, all_word),
	ZC_OPT_END};

static void human_size(unsigned long long b, char *buf, size_t len)
{
	if (b >= (1ull << 30) && !(b % (1ull << 30)))
		snprintf(buf, len, "%llu GiB", b >> 30);
	else if (b >= (1ull << 20) && !(b % (1ull << 20)))
		snprintf(buf, len, "%llu MiB", b >> 20);
	else if (b >= 1024)
		snprintf(buf, len, "%llu KiB", b >> 10);
	else
		snprintf(buf, len, "%llu B", b);
}

/* One line per object down to cores; long runs of like siblings folded. */
static void print_tree(hwloc_topology_t t, hwloc_obj_t o, int depth)
{
	char type[64], attr[128], cpus[128];
	int shown = 0, nkids = 0;
	hwloc_obj_t c;

	if (o->type == HWLOC_OBJ_PU)
		return;
	hwloc_obj_type_snprintf(type, sizeof(type), o, 0);
	hwloc_obj_attr_snprintf(attr, sizeof(attr), o, " ", 0);
	hwloc_bitmap_list_snprintf(cpus, sizeof(cpus), o->cpuset);
	printf("%*s%s L#%u%s%s%s  cpus %s", depth * 2, "", type,
	       o->logical_index, attr[0] ? " (" : "", attr, attr[0] ? ")" : "",
	       cpus);
	for (c = o->memory_first_child; c; c = c->next_sibling)
		if (c->type == HWLOC_OBJ_NUMANODE)
			printf("  [NUMA node P#%u]", c->os_index);
	putchar('\n');
	if (o->type == HWLOC_OBJ_CORE)
		return;
	for (c = o->first_child; c; c = c->next_sibling)
		nkids++;
	for (c = o->first_child; c; c = c->next_sibling) {
		if (nkids > 4 && shown == 2) {
			printf("%*s... %d more %s like these\n",
			       (depth + 1) * 2, "", nkids - 2,
			       hwloc_obj_type_string(c->type));
			break;
		}
		print_tree(t, c, depth + 1);
		shown++;
	}
}

static void plan_line(struct zc_ctx *ctx, enum zc_place pl, int n, json_t *arr)
{
	struct zc_plan p;
	char cpus[256] = "", nthreads[16];
	int err = zc_topo_plan(&ctx->topo, pl, n, ctx->cpus, ctx->ncpus, &p);
	json_t *o = json_object();

	snprintf(nthreads, sizeof(nthreads), "%d", n);
	if (!err)
		zc_topo_format_cpus(p.cpu, n, cpus, sizeof(cpus));
	json_object_set_new(o, "class", json_string(zc_place_name(pl)));
	json_object_set_new(o, "threads", json_integer(n));
	if (!err) {
		json_object_set_new(o, "cpus", json_string(cpus));
		json_object_set_new(o, "node", json_integer(p.node));
	} else {
		json_object_set_new(o, "cpus", json_null());
		json_object_set_new(o, "skipped", json_string(p.why));
	}
	json_array_append_new(arr, o);
	if (ctx->format != ZC_FMT_TEXT)
		return;
	if (!err)
		printf("  %-14s %7s  cpus %-20s node %d\n", zc_place_name(pl),
		       nthreads, cpus, p.node);
	else
		printf("  %-14s %7s  skipped: %s\n", zc_place_name(pl),
		       nthreads, p.why);
}

static int cmd_topo(int argc, char **argv, struct zc_ctx *ctx)
{
	struct zc_topo *t = &ctx->topo;
	char allowed[128], buf[64];
	json_t *plans, *root;
	int rc = zc_cmd_parse(ctx, topo_opts, argc, argv);
	int npus;

	if (rc)
		return rc;
	npus = zc_topo_npus(t);
	zc_topo_format_allowed(t, allowed, sizeof(allowed));
	plans = json_array();
	if (ctx->format == ZC_FMT_TEXT) {
		unsigned long long size;
		unsigned line;
		int sharers, cpu0 = hwloc_bitmap_first(t->allowed);

		printf("topology: %s (hwloc %s)\n", t->source, HWLOC_VERSION);
		printf("  %d package(s), %d NUMA node(s), %d core(s), %d "
		       "PU(s); "
		       "SMT %s; allowed CPUs %s\n",
		       zc_topo_npackages(t), zc_topo_nnumanodes(t),
		       zc_topo_ncores(t), npus,
		       zc_topo_has_smt(t) ? "yes" : "no", allowed);
		printf("  caches seen from CPU %d:", cpu0);
		for (int level = 1; level <= 3; level++)
			if (zc_topo_cache(t, cpu0, level, 1, &size, &line,
					  &sharers) == 0) {
				human_size(size, buf, sizeof(buf));
				printf("  L%d %s (%d PU%s, %u B lines)", level,
				       buf, sharers, sharers == 1 ? "" : "s",
				       line);
			}
		printf("\n\n");
		print_tree(t->t, hwloc_get_root_obj(t->t), 1);
		printf("\nplacement plans (OS CPU numbers):\n");
	}
	for (int pl = ZC_PLACE_SMT; pl <= ZC_PLACE_CROSS_PACKAGE; pl++)
		plan_line(ctx, pl, 2, plans);
	for (int i = 0; i < opt_threads.n; i++) {
		int n = opt_threads.v[i] < 0 ? npus : (int)opt_threads.v[i];
		plan_line(ctx, ZC_PLACE_COMPACT, n, plans);
		plan_line(ctx, ZC_PLACE_SCATTER, n, plans);
	}
	if (ctx->ncpus)
		plan_line(ctx, ZC_PLACE_CPUS, ctx->ncpus, plans);
	if (ctx->format == ZC_FMT_TEXT) {
		if (!zc_topo_is_real(t))
			printf("\n(planned against %s: nothing here is pinned "
			       "or "
			       "measured)\n",
			       t->source);
		json_decref(plans);
		return ZC_EXIT_OK;
	}
	root = json_object();
	json_object_set_new(root, "source", json_string(t->source));
	json_object_set_new(root, "packages",
			    json_integer(zc_topo_npackages(t)));
	json_object_set_new(root, "numa_nodes",
			    json_integer(zc_topo_nnumanodes(t)));
	json_object_set_new(root, "cores", json_integer(zc_topo_ncores(t)));
	json_object_set_new(root, "pus", json_integer(npus));
	json_object_set_new(root, "smt", json_boolean(zc_topo_has_smt(t)));
	json_object_set_new(root, "allowed", json_string(allowed));
	json_object_set_new(root, "plans", plans);
	if (ctx->format == ZC_FMT_JSON) {
		json_dumpf(root, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		size_t n = json_array_size(plans);
		printf("class,threads,cpus,node,skipped\n");
		for (size_t i = 0; i < n; i++) {
			json_t *o = json_array_get(plans, i);
			json_t *node = json_object_get(o, "node");
			const char *cpus =
				json_string_value(json_object_get(o, "cpus"));
			const char *why = json_string_value(
				json_object_get(o, "skipped"));
			printf("%s,%lld,",
			       json_string_value(json_object_get(o, "class")),
			       json_integer_value(
				       json_object_get(o, "threads")));
			zc_csv_field(stdout, cpus ? cpus : "");
			putchar(',');
			if (node)
				printf("%lld", json_integer_value(node));
			putchar(',');
			zc_csv_field(stdout, why ? why : "");
			putchar('\n');
		}
	}
	json_decref(root);
	return ZC_EXIT_OK;
}

const struct zc_command zc_cmd_topo = {
	.name = "topo",
	.summary = "topology and the placement plans of each class",
	.what = "the topology as zcbench sees it and the placement plan of "
		"every class",
	.why = "every other figure depends on where its threads ran",
	.fn = cmd_topo,
	.opts = topo_opts,
};
