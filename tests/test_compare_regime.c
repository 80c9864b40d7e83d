/* SPDX-License-Identifier: MIT */
/*
 * Description: compare within host regimes: runs written by the real back
 * ends with sentinels; regimes matched by hand-off, compared regime by
 * regime; a regime seen in one run only is "not comparable", never a
 * change; steady runs compare as before (no regime labels); a regime whose
 * pace differs by more than ZC_CMP_REGIME_MATCH (the host slowed one
 * run's CPUs all along) is not comparable either.
 * Labels: unit
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "report.h"

static char tmp[] = "/tmp/zc-cmp-regime-XXXXXX";
static double run_pace = NAN; /* the sentinel's pace of the next run */

static const char *const keys[] = {"stride"};
static const struct zc_metric metrics[] = {
	{"ns_per_op", "ns", ZC_BETTER_LOWER, "time", ZC_M_SHOW, ZC_GB_REAL_TIME,
	 1},
};

/* A run of one case, 12 repetitions: the first `near` in the ~50 ns
 * regime at near_ns per op, the rest at ~220 ns at far_ns per op. */
static void write_run(const char *name, int near, double near_ns, double far_ns,
		      double handoff_near)
{
	static const char *const v[] = {"8"};
	struct zc_results r;
	struct zc_case *c;
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/%s", tmp, name);
	mkdir(dir, 0777);
	CHECK(zc_results_init(&r, "falseshare", keys, 1, metrics, 1, 12) == 0);
	c = zc_results_add(&r, v);
	for (int i = 0; i < 12; i++) {
		double h = i < near ? handoff_near : 220,
		       x = i < near ? near_ns : far_ns;
		zc_case_set(&r, c, i, 0, x * (1 + 0.002 * (i % 3)));
		c->iterations[i] = 1000;
		zc_case_sentinel(&r, c, i, h, h * 1.01, i, 0, 1);
		c->pace[i][0] = run_pace;
		c->pace[i][1] = run_pace * 1.01;
	}
	CHECK(zc_results_regimes(&r) == 0);
	CHECK(zc_out_write_all(dir, &r) == 0);
	zc_results_release(&r);
}

static int compare(const char *a, const char *b, struct zc_cmp *c)
{
	struct zc_rset ra, rb;
	struct zc_cmp_opts o = {.threshold = 0.05, .alpha = 0.05};
	char pa[600], pb[600], err[512];
	int rc;

	snprintf(pa, sizeof(pa), "%s/%s", tmp, a);
	snprintf(pb, sizeof(pb), "%s/%s", tmp, b);
	CHECK(zc_rset_load(&ra, pa, err, sizeof(err)) == 0);
	CHECK(zc_rset_load(&rb, pb, err, sizeof(err)) == 0);
	rc = zc_cmp_run(c, &ra, &rb, &o);
	zc_rset_release(&ra);
	zc_rset_release(&rb);
	return rc;
}

static const struct zc_cmp_row *row(const struct zc_cmp *c, const char *reg)
{
	for (int i = 0; i < c->nrows; i++)
		if (!strcmp(c->rows[i].metric, "ns_per_op") &&
		    !strcmp(c->rows[i].regime, reg))
			return &c->rows[i];
	return NULL;
}

int main(void)
{
	struct zc_cmp c;
	const struct zc_cmp_row *r;

	if (!mkdtemp(tmp))
		return 1;
	write_run("mixed", 6, 20, 3, 50);      /* both regimes */
	write_run("near", 12, 20, 3, 52);      /* near only, same speed */
	write_run("near-slow", 12, 26, 3, 51); /* near only, 30 % slower */
	write_run("far", 0, 20, 3, 50);	       /* far only */
	write_run("steady", 12, 20, 3, 50);    /* one regime */
	write_run("steady2", 12, 20.1, 3, 55); /* one, close hand-off */
	run_pace = 640;
	write_run("pace", 12, 20, 3, 50);
	run_pace = 720; /* within 1.3x */
	write_run("pace2", 12, 20.2, 3, 50);
	run_pace = 1400; /* slowed by the host all run long */
	write_run("pace-slowed", 12, 26, 3, 50);
	run_pace = NAN;

	/* A mixed run against a near-only run: the near regime compared
	 * (unchanged), the far one not comparable; no regression. */
	CHECK(compare("mixed", "near", &c) == 0);
	r = row(&c, "@50ns");
	CHECKF(r && r->status == ZC_CMP_UNCHANGED && r->nb == 6 && r->nn == 12,
	       "%s", r ? zc_cmp_status_name(r->status) : "no row");
	r = row(&c, "@221ns"); /* 220 and 222.2 */
	CHECK(r && r->status == ZC_CMP_NOT_COMPARABLE);
	if (getenv("ZC_DEBUG"))
		for (int i = 0; i < c.nrows; i++)
			fprintf(stderr, "%s %s %s %s\n", c.rows[i].cs,
				c.rows[i].metric, c.rows[i].regime,
				zc_cmp_status_name(c.rows[i].status));
	CHECK(c.count[ZC_CMP_REGRESSED] == 0 &&
	      c.count[ZC_CMP_NOT_COMPARABLE] == 1);
	zc_cmp_release(&c);

	/* The near regime got 30 % slower: found, within that regime. */
	CHECK(compare("mixed", "near-slow", &c) == 0);
	r = row(&c, "@50ns");
	CHECK(r && r->status == ZC_CMP_REGRESSED);
	CHECK(zc_cmp_regressions(&c) == 1);
	zc_cmp_release(&c);

	/* Near-only against far-only: nothing in common, nothing claimed
	 * (the old comparison of all samples would call 20 -> 3 ns a
	 * 85 % improvement). */
	CHECK(compare("near", "far", &c) == 0);
	CHECK(c.count[ZC_CMP_NOT_COMPARABLE] == 2);
	CHECK(c.count[ZC_CMP_IMPROVED] == 0 && c.count[ZC_CMP_REGRESSED] == 0);
	zc_cmp_release(&c);

	/* Two steady runs: one row, as before regimes existed. */
	CHECK(compare("steady", "steady2", &c) == 0);
	r = row(&c, "");
	CHECK(r && r->status == ZC_CMP_UNCHANGED && r->nb == 12);
	CHECK(c.nrows == 1);
	zc_cmp_release(&c);

	/* The same placement at a pace 2.2x slower: not comparable, not a
	 * regression; at a close pace, compared as before. */
	CHECK(compare("pace", "pace-slowed", &c) == 0);
	r = row(&c, "@50ns");
	CHECKF(r && r->status == ZC_CMP_NOT_COMPARABLE &&
		       strstr(r->note, "pace"),
	       "%s", r ? r->note : "no row");
	CHECK(c.count[ZC_CMP_REGRESSED] == 0 && c.nrows == 1);
	zc_cmp_release(&c);
	CHECK(compare("pace", "pace2", &c) == 0);
	r = row(&c, "");
	CHECK(r && r->status == ZC_CMP_UNCHANGED && c.nrows == 1);
	zc_cmp_release(&c);
	/* A run without paces (older results) compares by hand-off alone. */
	CHECK(compare("steady", "pace-slowed", &c) == 0);
	CHECK(zc_cmp_regressions(&c) == 1);
	zc_cmp_release(&c);

	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (!getenv("ZC_DEBUG"))
			CHECK(system(cmd) == 0);
	}
	return zc_check_result();
}
