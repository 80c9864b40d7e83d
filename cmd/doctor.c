/* SPDX-License-Identifier: MIT */
/*
 * zcbench doctor — what makes numbers noisy or impossible on this machine,
 * and what to do about each. Findings are advice, not failures: exit 0.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "builtin.h"
#include "sentinel.h"

#define MAX_FINDINGS 32
#define WATCH_STEP_S 0.01 /* one hand-off measurement every 10 ms */
#define WATCH_MAX    6000

static double opt_seconds;

static const struct zc_opt options[] = {
	ZC_OPT_DOUBLE("seconds", "S", "s", "3",
		      "how long to watch the cache-line hand-off between the "
		      "closest pair of CPUs (does the host move the vCPUs?); "
		      "0: skip",
		      &opt_seconds, 0, 60, .quick = "1"),
	ZC_OPT_END};

/* The host-placement finding: watch the closest pair's hand-off. */
static int watch_handoff(struct zc_ctx *ctx, struct zc_check *k)
{
	static double v[WATCH_MAX], pace[WATCH_MAX], at[WATCH_MAX];
	struct zc_plan pair;
	char why[160];
	int n;

	if (opt_seconds <= 0 || !zc_topo_is_real(&ctx->topo) ||
	    zc_topo_plan_closest(&ctx->topo, ctx->cpus, ctx->ncpus, &pair))
		return 0;
	n = zc_sentinel_watch(&ctx->topo, pair.cpu[0], pair.cpu[1], opt_seconds,
			      WATCH_STEP_S, v, pace, at, WATCH_MAX, why,
			      sizeof(why));
	if (n < 0) {
		memset(k, 0, sizeof(*k));
		k->name = "host placement";
		k->level = ZC_CHECK_INFO;
		snprintf(k->finding, sizeof(k->finding),
			 "cannot measure the hand-off between CPUs %d and %d: "
			 "%s",
			 pair.cpu[0], pair.cpu[1], why);
		return 1;
	}
	zc_check_handoff(k, pair.cpu[0], pair.cpu[1], v, n, opt_seconds);
	zc_check_pace(k + 1, pair.cpu[0], pair.cpu[1], pace, n, opt_seconds);
	return 2;
}

static void print_text(const struct zc_sysinfo *si, const struct zc_check *k,
		       int n)
{
	int count[ZC_CHECK_BAD + 1] = {0};

	printf("host %s: %s, %d PUs (%d cores, %d package%s, %d NUMA node%s), "
	       "Linux %s %s, %s\n\n",
	       si->host[0] ? si->host : "?",
	       si->cpu_model[0] ? si->cpu_model : "unknown CPU", si->npus,
	       si->ncores, si->npackages, si->npackages == 1 ? "" : "s",
	       si->nnuma, si->nnuma == 1 ? "" : "s",
	       si->kernel[0] ? si->kernel : "?", si->arch,
	       !si->virt[0]		   ? "virtualization unknown"
	       : !strcmp(si->virt, "none") ? "bare metal"
					   : si->virt);
	for (int i = 0; i < n; i++) {
		count[k[i].level]++;
		printf("%-4s  %-20s %s\n", zc_check_level_name(k[i].level),
		       k[i].name, k[i].finding);
		if (k[i].advice[0])
			printf("      %-20s -> %s\n", "", k[i].advice);
	}
	printf("\n%d ok, %d info, %d warn, %d bad (findings are advice, not "
	       "failures)\n",
	       count[ZC_CHECK_OK], count[ZC_CHECK_INFO], count[ZC_CHECK_WARN],
	       count[ZC_CHECK_BAD]);
}

static void print_csv(const struct zc_check *k, int n)
{
	printf("name,level,finding,advice\n");
	for (int i = 0; i < n; i++) {
		zc_csv_field(stdout, k[i].name);
		putchar(',');
		zc_csv_field(stdout, zc_check_level_name(k[i].level));
		putchar(',');
		zc_csv_field(stdout, k[i].finding);
		putchar(',');
		zc_csv_field(stdout, k[i].advice);
		putchar('\n');
	}
}

static int print_json(struct zc_ctx *ctx, const struct zc_check *k, int n)
{
	struct zc_meta m = {
		.command = ctx->cmd,
		.argc = ctx->argc,
		.argv = ctx->argv,
		.start = (double)time(NULL),
		.status = "complete",
		.si = &ctx->si,
		.events = &ctx->events,
		.options = ctx->options,
	};
	json_t *o = json_object(), *a = json_array(), *sys = zc_meta_json(&m);
	int bad = !o || !a || !sys;

	for (int i = 0; i < n && !bad; i++)
		bad = json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:s?}", "name", k[i].name,
				     "level", zc_check_level_name(k[i].level),
				     "finding", k[i].finding, "advice",
				     k[i].advice[0] ? k[i].advice : NULL));
	if (!bad)
		bad = json_object_set(o, "findings", a) ||
		      json_object_set(o, "system", sys);
	if (!bad) {
		bad = json_dumpf(o, stdout,
				 JSON_INDENT(2) | JSON_REAL_PRECISION(15));
		putchar('\n');
	}
	json_decref(o);
	json_decref(a);
	json_decref(sys);
	return bad ? zc_error(ctx, "cannot build the JSON report: %s",
			      strerror(ENOMEM))
		   : ZC_EXIT_OK;
}

static int cmd_doctor(int argc, char **argv, struct zc_ctx *ctx)
{
	struct zc_check k[MAX_FINDINGS];
	const char *events;
	int err, n;

	err = zc_cmd_parse(ctx, options, argc, argv);
	if (err)
		return err;
	/* The hub resolves events only for result-writing commands. */
	events = ctx->events_text ? ctx->events_text : ZC_EVENTS_DEFAULT;
	err = zc_evset_resolve(&ctx->events, events);
	if (err == -EINVAL)
		return zc_usage(ctx,
				"bad --events '%s': give 1 to %d "
				"comma-separated event names",
				events, ZC_EV_MAX);
	if (err < 0)
		return zc_error(ctx, "cannot set up counters: %s",
				strerror(-err));
	err = zc_sysinfo_collect(&ctx->si, &ctx->topo);
	if (err < 0)
		return zc_error(ctx, "cannot collect system information: %s",
				strerror(-err));
	n = zc_sysinfo_checks(&ctx->si, &ctx->events, k, MAX_FINDINGS - 2);
	n += watch_handoff(ctx, &k[n]);
	switch (ctx->format) {
	case ZC_FMT_JSON:
		return print_json(ctx, k, n);
	case ZC_FMT_CSV:
		print_csv(k, n);
		break;
	default:
		print_text(&ctx->si, k, n);
	}
	return ZC_EXIT_OK;
}

const struct zc_command zc_cmd_doctor = {
	.name = "doctor",
	.summary = "what makes numbers noisy or impossible here",
	.what = "what makes numbers noisy or impossible here, and what to do "
		"about it",
	.why = "a benchmark result means little without the conditions it "
	       "ran under",
	.fn = cmd_doctor,
	.opts = options,
};
