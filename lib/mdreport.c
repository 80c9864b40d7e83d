/* SPDX-License-Identifier: MIT */
/*
 * mdreport — the report.md writer (see mdreport.h).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "counters.h"
#include "mdreport.h"
#include "plot.h"
#include "regime.h"
#include "seal.h"
#include "report.h"

#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

static void md_size(FILE *f, const char *label, unsigned long long b)
{
	if (!b)
		return;
	if (b >= 1 << 20)
		fprintf(f, "%s %llu MiB", label, b >> 20);
	else
		fprintf(f, "%s %llu KiB", label, b >> 10);
}

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "unknown";
}

static void md_machine(FILE *f, const struct zc_sysinfo *si)
{
	struct zc_check checks[32];
	int n, shown = 0;

	fprintf(f, "## Machine\n\n| | |\n|---|---|\n");
	fprintf(f, "| host | %s |\n", or_unknown(si->host));
	fprintf(f, "| CPU | %s (%s, %s); %.0f MHz nominal |\n",
		or_unknown(si->cpu_model), or_unknown(si->vendor),
		or_unknown(si->arch), si->mhz);
	fprintf(f,
		"| CPUs this process may use | %d PUs, %d cores, %d "
		"package(s), SMT %s (%s) |\n",
		si->npus, si->ncores, si->npackages, si->smt ? "on" : "off",
		or_unknown(si->allowed));
	fprintf(f, "| caches |");
	md_size(f, " L1d", si->l1d);
	md_size(f, ", L2", si->l2);
	md_size(f, ", L3", si->l3);
	fprintf(f, ", line %u B |\n", si->line);
	fprintf(f, "| NUMA | %d node(s); memory binding: %s |\n", si->nnuma,
		or_unknown(si->numa_binding));
	fprintf(f, "| kernel | %s |\n", or_unknown(si->kernel));
	fprintf(f, "| virtualization | %s |\n", or_unknown(si->virt));
	fprintf(f, "| governor / boost | %s / %s |\n", or_unknown(si->governor),
		or_unknown(si->boost));
	fprintf(f, "| transparent huge pages | %s |\n", or_unknown(si->thp));
	fprintf(f, "| isolcpus / nohz_full | %s / %s |\n",
		or_unknown(si->isolcpus), or_unknown(si->nohz_full));
	if (si->paranoid != -100)
		fprintf(f, "| perf_event_paranoid | %d |\n", si->paranoid);
	fprintf(f, "| load average (1 min) at start | %.2f |\n\n",
		si->loadavg1);

	{
		/* The default events, so the report says which counters work. */
		struct zc_evset ev;
		int have = zc_evset_resolve(&ev, ZC_EVENTS_DEFAULT) == 0;
		n = zc_sysinfo_checks(si, have ? &ev : NULL, checks,
				      NELEM(checks));
	}
	fprintf(f, "## What makes numbers noisy here\n\n");
	for (int i = 0; i < n; i++) {
		if (checks[i].level == ZC_CHECK_OK)
			continue;
		fprintf(f, "- **%s** %s: %s%s%s\n",
			zc_check_level_name(checks[i].level), checks[i].name,
			checks[i].finding, checks[i].advice[0] ? " — " : "",
			checks[i].advice);
		shown++;
	}
	if (!shown)
		fprintf(f, "Nothing found: no virtualization, frequency "
			   "scaling or isolation problems detected.\n");
	fputc('\n', f);
}

static json_t *find_res(const struct zc_rset *s, const char *cmd)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(zc_res_command(s->res[i]), cmd))
			return s->res[i];
	return NULL;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void md_headlines(FILE *f, const struct zc_md_run *run,
			 const struct zc_rset *set)
{
	int shown = 0;

	fprintf(f, "## Headlines\n\nRatios measured within this run "
		   "(median over repetitions, and their range).\n\n");
	for (int k = 0; k < run->nabout; k++)
		for (const struct zc_headline *hl = run->about[k].headlines;
		     hl && hl->metric; hl++) {
			json_t *res = find_res(set, run->about[k].name), *cs;
			const char *hcmd = run->about[k].name;
			const char *unit = "";
			int rows = 0;
			size_t i;

			if (!res || zc_res_metric(res, hl->metric, NULL, &unit,
						  NULL) < 0)
				continue;
			json_array_foreach(
				json_object_get(json_object_get(res, "zcbench"),
						"cases"),
				i, cs)
			{
				double x[ZC_MAX_REP];
				struct zc_summary s;
				const char *name = jstr(cs, "name");
				size_t pre = strlen(hcmd) + 1;
				int n;
				if (strcmp(jstr(cs, "status"), "ok") ||
				    strcmp(jstr(json_object_get(cs, "params"),
						hl->key),
					   hl->value))
					continue;
				n = zc_res_samples(cs, hl->metric, x,
						   ZC_MAX_REP);
				if (!n ||
				    zc_stats_summary(x, (size_t)n, &s) < 0)
					continue;
				if (!rows++)
					fprintf(f,
						"**%s** (`%s`, %s)\n\n| case | "
						"median "
						"| range |\n|---|--:|--:|\n",
						hl->text, hl->metric, unit);
				fprintf(f, "| %s | **%.2f** | %.2f..%.2f |\n",
					strlen(name) > pre ? name + pre : name,
					s.median, s.min, s.max);
			}
			if (rows)
				fputc('\n', f);
			shown += rows;
		}
	if (!shown)
		fprintf(f, "No headline ratios in this suite's results.\n");
	fputc('\n', f);
}

static void md_text_file(FILE *f, const char *dir, const char *name)
{
	char path[4200], *text, *p;
	int lines = 0, more = 0;
	size_t len;

	/* A regular file of bounded size only: a FIFO left in the folder
	 * under this name must not hang the report. */
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (zc_read_file(path, ZC_READ_MAX_TEXT, &text, &len) < 0)
		return;
	for (p = text; *p; p += len + (p[len] == '\n')) {
		len = strcspn(p, "\n");
		if (lines == 60) {
			more++;
			continue;
		}
		if (!lines++)
			fprintf(f, "```text\n");
		fprintf(f, "%.*s\n", (int)len, p);
	}
	free(text);
	if (lines)
		fprintf(f, "```\n");
	if (more)
		fprintf(f, "(%d more lines in [%s](%s))\n", more, name, name);
	fputc('\n', f);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a command in the folder: <cmd>.* and <cmd>-*. */
static int cmd_files(const char *dir, const char *cmd, char **names, int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t l = strlen(cmd);
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max)
		if (!strncmp(e->d_name, cmd, l) &&
		    (e->d_name[l] == '.' || e->d_name[l] == '-') &&
		    (names[n] = strdup(e->d_name)))
			n++;
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_name);
	return n;
}

static const struct zc_md_about *about_of(const struct zc_md_run *run,
					  const char *cmd)
{
	for (int k = 0; k < run->nabout; k++)
		if (!strcmp(run->about[k].name, cmd))
			return &run->about[k];
	return NULL;
}

static void md_command(FILE *f, const struct zc_md_run *run,
		       const struct zc_rset *set, int k)
{
	const struct zc_md_line *l = &run->lines[k];
	const char *cmd = l->cmd, *dir = run->dir;
	const struct zc_md_about *ab = about_of(run, cmd);
	json_t *res = find_res(set, cmd), *x;
	char *files[64], txt[160];
	int nf, count[3] = {0, 0, 0};
	size_t i;

	fprintf(f, "## %s\n\n`zcbench %s` — %s", cmd,
		l->text + (strncmp(l->text, "zcbench ", 8) ? 0 : 8), l->status);
	if (l->ran)
		fprintf(f, " in %.1f s", l->seconds);
	fprintf(f, "\n\n");
	if (ab && ab->why)
		fprintf(f, "**What:** %s.\n\n**Why it matters:** %s.\n\n",
			ab->what, ab->why);
	if (res) {
		json_t *zc = json_object_get(res, "zcbench");
		fprintf(f, "Metrics:\n");
		json_array_foreach(json_object_get(zc, "metrics"), i, x)
		{
			const char *b = jstr(x, "better");
			fprintf(f, "- `%s` [%s]%s%s%s: %s\n", jstr(x, "name"),
				jstr(x, "unit"), strcmp(b, "none") ? ", " : "",
				!strcmp(b, "lower")    ? "lower is better"
				: !strcmp(b, "higher") ? "higher is better"
						       : "",
				json_is_true(json_object_get(x, "portable"))
					? ", machine-independent"
					: "",
				jstr(x, "description"));
		}
		json_array_foreach(json_object_get(zc, "cases"), i, x)
		{
			const char *s = jstr(x, "status");
			count[!strcmp(s, "ok")	      ? 0
			      : !strcmp(s, "skipped") ? 1
						      : 2]++;
		}
		fprintf(f, "\nCases: %d measured, %d skipped, %d failed.\n\n",
			count[0], count[1], count[2]);
	}
	snprintf(txt, sizeof(txt), "%s.txt", cmd);
	md_text_file(f, dir, txt);
	nf = cmd_files(dir, cmd, files, NELEM(files));
	for (int j = 0; j < nf; j++) {
		size_t n = strlen(files[j]);
		if (n > 4 && !strcmp(files[j] + n - 4, ".png"))
			fprintf(f, "![%s](%s)\n\n", files[j], files[j]);
	}
	if (nf) {
		fprintf(f, "Files:");
		for (int j = 0; j < nf; j++)
			fprintf(f, " [%s](%s)", files[j], files[j]);
		fprintf(f, "\n\n");
	}
	for (int j = 0; j < nf; j++)
		free(files[j]);
}

/* The regimes seen in the run: per command and CPU pair, and a time
 * series of the sentinel (regimes.gp -> regimes.png). */
/* 0, or -errno when regimes.gp could not be written. */
static int md_regimes(FILE *f, const struct zc_md_run *run,
		      const struct zc_rset *set)
{
	struct zc_afile a;
	double t0 = run->start;
	int rows = 0, series = 0, err;

	fprintf(f, "## Host placement (regimes)\n\n");
	for (int i = 0; i < set->n; i++) {
		json_t *pairs = json_object_get(
			       json_object_get(set->res[i], "zcbench"),
			       "regimes"),
		       *p, *r;
		size_t j, k;
		json_array_foreach(pairs, j, p)
		{
			json_t *cpus = json_object_get(p, "cpus");
			if (!rows++)
				fprintf(f, "Before and after every repetition "
					   "of a case on two CPUs, zcbench "
					   "measured the cache-line hand-off "
					   "between them (the sentinel) and "
					   "grouped the samples by it.\n\n"
					   "| command | CPUs | regimes: "
					   "hand-off (share of measurements) "
					   "| samples | moved during a "
					   "sample | slowed by the host "
					   "|\n|---|---|---|--:|--:|--:|\n");
			fprintf(f, "| %s | %lld, %lld | ",
				zc_res_command(set->res[i]),
				json_integer_value(json_array_get(cpus, 0)),
				json_integer_value(json_array_get(cpus, 1)));
			json_array_foreach(json_object_get(p, "regimes"), k, r)
				fprintf(f, "%s%.0f ns (%.0f %%)%s",
					k ? ", " : "",
					json_number_value(json_object_get(
						r, "handoff_ns")),
					100 * json_number_value(json_object_get(
						      r, "share")),
					json_is_true(
						json_object_get(r, "drifting"))
						? " drifting"
						: "");
			fprintf(f, " | %lld | %lld | %lld |\n",
				json_integer_value(
					json_object_get(p, "samples")),
				json_integer_value(json_object_get(p, "moved")),
				json_integer_value(
					json_object_get(p, "slowed")));
		}
	}
	if (!rows) {
		fprintf(f, "No case of this suite ran on two CPUs with the "
			   "sentinel on.\n\n");
		return 0;
	}
	fprintf(f, "\nOne regime per pair: the host kept the vCPUs in place "
		   "(or this is bare metal). Several: the host moved them "
		   "between near and far cores, every cross-core figure "
		   "follows, and each command's table gives figures per "
		   "regime (rows `@<n>ns`). Slowed: samples during which "
		   "the sentinel's pace loop, relative to its fastest in "
		   "the run after the same work, ran at a slower level set "
		   "apart from the others by a gap (another tenant on the "
		   "host core's other hyperthread, or a lower clock); they "
		   "stay in the overall figures, not in a regime's.\n\n");
	/* The time series: every command's samples file, sentinel before
	 * each repetition against the time since the suite started. */
	err = zc_afile_open(&a, run->dir, "regimes.gp");
	if (err < 0)
		return err;
	fprintf(a.f,
		"# zcbench plot: the sentinel over the run (gnuplot "
		"regimes.gp)\nout = (ARGC >= 1 && ARG1 ne \"\") ? ARG1 : "
		"'regimes.png'\nset datafile separator \",\"\n"
		"set datafile columnheaders\nset terminal pngcairo size "
		"900,360 noenhanced font \"DejaVu Sans,10\"\nset output out\n"
		"set title 'Cache-line hand-off between the measured CPUs "
		"over the run (the sentinel)'\nset xlabel 's since the suite "
		"started'\nset ylabel 'one-way hand-off [ns]'\nset logscale "
		"y\nset grid\nset key outside right top\nT0 = %.6f\nplot ",
		t0);
	for (int i = 0; i < set->n; i++) {
		const char *cmd = zc_res_command(set->res[i]);
		if (!json_array_size(json_object_get(
			    json_object_get(set->res[i], "zcbench"),
			    "regimes")))
			continue;
		fprintf(a.f,
			"%s'%s.samples.csv' using (column('at_unix_s') - T0):"
			"(column('sentinel_before_ns')) with points pt 7 ps "
			"0.5 title '%s'",
			series++ ? ", \\\n     " : "", cmd, cmd);
	}
	fputs("\nset output\n", a.f);
	err = zc_seal_commit(&a);
	if (err == 0 && zc_plot_render(run->dir, "regimes", NULL, 0) == 0)
		fprintf(f, "![regimes.png](regimes.png)\n\n");
	return err;
}

int zc_mdreport_write(const struct zc_md_run *run, char *msg, size_t len)
{
	struct zc_rset set;
	struct zc_afile a;
	char err[1024];
	int e, eg, have;
	FILE *f;

	have = zc_rset_load(&set, run->dir, err, sizeof(err)) == 0;
	if (!have && !strstr(err, "no zcbench results"))
		snprintf(msg, len, "report.md without results: %s", err);
	e = zc_afile_open(&a, run->dir, "report.md");
	if (e < 0) {
		if (have)
			zc_rset_release(&set);
		return e;
	}
	f = a.f;
	fprintf(f, "# zcbench report: the %s suite\n\n", run->suite_name);
	fprintf(f, "zcbench %s (git %s) · suite `%s` · %.0f s%s\n\n",
		ZC_VERSION, ZC_GIT_REV, run->suite_path, run->seconds,
		run->stopped ? " · **interrupted**: what finished is kept"
			     : "");
	fprintf(f, "Every file named here is in this folder. `zcbench plot .` "
		   "re-renders the plots; `zcbench compare OLD .` checks this "
		   "run against an older one.\n\n");
	md_machine(f, run->si);
	md_headlines(f, run, have ? &set : &(struct zc_rset){0});
	eg = md_regimes(f, run, have ? &set : &(struct zc_rset){0});
	if (eg < 0)
		snprintf(msg, len, "cannot write regimes.gp in '%s': %s",
			 run->dir, zc_file_strerror(eg, 1));
	fprintf(f, "## Suite\n\n| line | command | status | time |\n"
		   "|--:|---|---|--:|\n");
	for (int k = 0; k < run->nlines; k++) {
		const struct zc_md_line *l = &run->lines[k];
		fprintf(f, "| %d | `zcbench %s` | %s | ", l->lineno, l->text,
			l->status);
		if (l->ran)
			fprintf(f, "%.1f s", l->seconds);
		fprintf(f, " |\n");
	}
	fputc('\n', f);
	for (int k = 0; k < run->nlines; k++)
		if (run->lines[k].ran)
			md_command(f, run, have ? &set : &(struct zc_rset){0},
				   k);
	if (have)
		zc_rset_release(&set);
	e = zc_afile_commit(&a);
	return e < 0 ? e : eg;
}
