/* SPDX-License-Identifier: MIT */
/*
 * zcbench events — which perf counters this machine can read, and why not.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <perfmon/pfmlib.h>

#include "builtin.h"

#define MAX_ROWS 64
#define MAX_PMUS 64

static const struct zc_opt events_opts[] = {ZC_OPT_END};

/* What is listed without --events, each group probed in turn. */
static const struct {
	const char *from;
	const char *list;
} groups[] = {
	{"default", ZC_EVENTS_DEFAULT},
	{"generic", "cycles,instructions,cache-references,cache-misses,"
		    "branches,branch-misses,bus-cycles,ref-cycles,"
		    "stalled-cycles-frontend,stalled-cycles-backend"},
	{"generic", "L1-dcache-load-misses,LLC-load-misses,dTLB-load-misses"},
	{"generic", "cpu-clock,task-clock,page-faults,minor-faults,"
		    "major-faults,context-switches,cpu-migrations,"
		    "alignment-faults,emulation-faults"},
};

struct row {
	const char *from;
	struct zc_event ev;
};

struct pmu {
	char name[64];
	char desc[128];
	int nevents;
	int dfl;
	int core;
};

struct listing {
	int paranoid;
	int nrows, npmus;
	struct row rows[MAX_ROWS];
	struct pmu pmus[MAX_PMUS];
	int pfm_ok, ncore;
	int hw_ok, hw_total, sw_ok, sw_total;
};

static const char pmu_note[] =
	"from CPUID, also where the kernel exposes none: only "
	"perf_event_open shows whether counters work";

static int has_row(const struct listing *l, const char *name)
{
	for (int i = 0; i < l->nrows; i++)
		if (!strcasecmp(l->rows[i].ev.name, name))
			return 1;
	return 0;
}

/* Probe list; with dedup, names already listed are skipped. */
static int add_rows(struct listing *l, const char *from, const char *list,
		    int dedup)
{
	static struct zc_evset set;
	int err = zc_evset_resolve(&set, list);

	if (err < 0)
		return err;
	for (int i = 0; i < set.n && l->nrows < MAX_ROWS; i++) {
		if (dedup && has_row(l, set.ev[i].name))
			continue;
		l->rows[l->nrows].from = from;
		l->rows[l->nrows].ev = set.ev[i];
		l->nrows++;
	}
	return 0;
}

static void list_pmus(struct listing *l)
{
	pfm_pmu_info_t pi;
	int i;

	l->pfm_ok = zc_counters_init() == 0;
	if (!l->pfm_ok)
		return;
	pfm_for_all_pmus(i)
	{
		struct pmu *p;

		memset(&pi, 0, sizeof(pi));
		pi.size = sizeof(pi);
		if (pfm_get_pmu_info(i, &pi) != PFM_SUCCESS || !pi.is_present)
			continue;
		if (l->npmus == MAX_PMUS)
			break;
		p = &l->pmus[l->npmus++];
		snprintf(p->name, sizeof(p->name), "%s", pi.name);
		snprintf(p->desc, sizeof(p->desc), "%s",
			 pi.desc ? pi.desc : "");
		p->nevents = pi.nevents;
		p->dfl = pi.is_dfl;
		p->core = pi.type == PFM_PMU_TYPE_CORE;
		l->ncore += p->core;
	}
}

static void summarise(struct listing *l)
{
	for (int i = 0; i < l->nrows; i++) {
		const struct zc_event *e = &l->rows[i].ev;
		int ok = e->status == ZC_EV_OK;

		if (!e->resolved && strcasecmp(e->name, "c2c"))
			continue;
		if (e->hw) {
			l->hw_total++;
			l->hw_ok += ok;
		} else {
			l->sw_total++;
			l->sw_ok += ok;
		}
	}
}

static const char *kind(const struct zc_event *e)
{
	if (!e->resolved && strcasecmp(e->name, "c2c"))
		return NULL;
	return e->hw ? "hw" : "sw";
}

static int print_text(FILE *f, const struct listing *l)
{
	fprintf(f, "perf events (perf_event_paranoid=%d)\n\n", l->paranoid);
	fprintf(f, "%-24s %-4s %-12s %-8s %s\n", "event", "kind", "status",
		"from", "encoding, or why not");
	for (int i = 0; i < l->nrows; i++) {
		const struct zc_event *e = &l->rows[i].ev;
		const char *k = kind(e);
		int ok = e->status == ZC_EV_OK;

		fprintf(f, "%-24s %-4s %-12s %-8s %s%s%s%s\n", e->name,
			k ? k : "-", zc_ev_status_name(e->status),
			l->rows[i].from, ok ? e->fstr : e->why,
			ok && e->why[0] ? " (" : "", ok ? e->why : "",
			ok && e->why[0] ? ")" : "");
	}
	fprintf(f, "\nhardware events: %d of %d can be counted here\n",
		l->hw_ok, l->hw_total);
	fprintf(f, "software events: %d of %d can be counted here\n", l->sw_ok,
		l->sw_total);
	fprintf(f, "getrusage and the thread CPU clock: always recorded\n\n");
	if (!l->pfm_ok) {
		fprintf(f, "PMUs: libpfm4 failed to initialise\n");
		return 0;
	}
	fprintf(f, "PMUs libpfm4 detects\n(%s):\n", pmu_note);
	fprintf(f, "  %-24s %7s  %s\n", "name", "events", "description");
	for (int i = 0; i < l->npmus; i++)
		fprintf(f, "  %-24s %7d  %s%s\n", l->pmus[i].name,
			l->pmus[i].nevents, l->pmus[i].desc,
			l->pmus[i].dfl ? " (default)" : "");
	if (!l->ncore)
		fprintf(f,
			"  no core PMU: libpfm4 does not know this CPU model, "
			"or CPUID hides it (VM)\n");
	return 0;
}

static void csv_field(FILE *f, const char *s, const char *sep)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fprintf(f, "\"%s", sep);
}

static int print_csv(FILE *f, const struct listing *l)
{
	fprintf(f, "event,kind,status,from,encoding,why\n");
	for (int i = 0; i < l->nrows; i++) {
		const struct zc_event *e = &l->rows[i].ev;

		csv_field(f, e->name, ",");
		csv_field(f, kind(e), ",");
		csv_field(f, zc_ev_status_name(e->status), ",");
		csv_field(f, l->rows[i].from, ",");
		csv_field(f, e->resolved ? e->fstr : "", ",");
		csv_field(f, e->why, "\n");
	}
	return 0;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *event_json(const struct row *r)
{
	const struct zc_event *e = &r->ev;
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "kind", str_or_null(kind(e)));
	json_object_set_new(o, "status",
			    json_string(zc_ev_status_name(e->status)));
	json_object_set_new(o, "from", json_string(r->from));
	json_object_set_new(o, "encoding",
			    str_or_null(e->resolved ? e->fstr : NULL));
	json_object_set_new(o, "type",
			    e->resolved ? json_integer(e->type) : json_null());
	json_object_set_new(o, "config",
			    e->resolved ? json_integer((json_int_t)e->config)
					: json_null());
	json_object_set_new(o, "why", str_or_null(e->why));
	return o;
}

static int print_json(FILE *f, const struct listing *l)
{
	json_t *root = json_object(), *evs = json_array(), *pmus = json_array();
	int rc;

	json_object_set_new(root, "perf_event_paranoid",
			    l->paranoid == -100 ? json_null()
						: json_integer(l->paranoid));
	for (int i = 0; i < l->nrows; i++)
		json_array_append_new(evs, event_json(&l->rows[i]));
	json_object_set_new(root, "events", evs);
	json_object_set_new(root, "summary",
			    json_pack("{s:i,s:i,s:i,s:i}", "hw_ok", l->hw_ok,
				      "hw_total", l->hw_total, "sw_ok",
				      l->sw_ok, "sw_total", l->sw_total));
	for (int i = 0; i < l->npmus; i++)
		json_array_append_new(pmus,
				      json_pack("{s:s,s:s,s:i,s:b}", "name",
						l->pmus[i].name, "description",
						l->pmus[i].desc, "events",
						l->pmus[i].nevents, "default",
						l->pmus[i].dfl));
	json_object_set_new(root, "pmus", l->pfm_ok ? pmus : json_null());
	if (!l->pfm_ok)
		json_decref(pmus);
	json_object_set_new(root, "pmu_note", json_string(pmu_note));
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	fputc('\n', f);
	json_decref(root);
	return rc;
}

/* One printer per --format, indexed by enum zc_format. */
static int (*const printers[])(FILE *, const struct listing *) = {
	[ZC_FMT_TEXT] = print_text,
	[ZC_FMT_CSV] = print_csv,
	[ZC_FMT_JSON] = print_json,
};

static int cmd_events(int argc, char **argv, struct zc_ctx *ctx)
{
	static struct listing l;
	int err = zc_cmd_parse(ctx, events_opts, argc, argv);
	int given;

	if (err)
		return err;
	memset(&l, 0, sizeof(l));
	given = ctx->events_text && strcmp(ctx->events_text, ZC_EVENTS_DEFAULT);
	if (given) {
		err = add_rows(&l, "--events", ctx->events_text, 0);
		if (err == -EINVAL)
			return zc_usage(ctx,
					"bad --events '%s': give 1 to %d "
					"comma-separated event names of "
					"at most %d characters",
					ctx->events_text, ZC_EV_MAX,
					ZC_EV_NAME - 1);
	} else {
		for (size_t g = 0;
		     g < sizeof(groups) / sizeof(groups[0]) && !err; g++)
			err = add_rows(&l, groups[g].from, groups[g].list, 1);
	}
	if (err < 0)
		return zc_error(ctx, "cannot probe events: %s", strerror(-err));
	l.paranoid = zc_counters_paranoid();
	list_pmus(&l);
	summarise(&l);
	if (printers[ctx->format](stdout, &l) < 0)
		return zc_error(ctx, "cannot write the listing: %s",
				strerror(errno));
	/* Nothing countable is a finding about the machine, not a failure. */
	return ZC_EXIT_OK;
}

const struct zc_command zc_cmd_events = {
	.name = "events",
	.summary = "perf counters this machine can read, and why not",
	.what = "which perf counters this machine can read, and why not",
	.why = "hardware counters explain a result (cache misses, cycles); "
	       "where they are missing the report says so instead of showing "
	       "zeros",
	.fn = cmd_events,
	.opts = events_opts,
};
