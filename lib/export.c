/* SPDX-License-Identifier: MIT */
/*
 * export — a results set in github-action-benchmark's custom format (see
 * export.h).
 */
#include <errno.h>
#include <string.h>

#include "export.h"
#include "rset_int.h"
#include "stats.h"

static int ghb_entry(json_t *out, json_t *cs, const char *metric,
		     const char *unit, const double *x, int n)
{
	struct zc_summary s;
	char name[400], range[64], extra[300];
	json_t *e;

	if (zc_stats_summary(x, (size_t)n, &s) < 0)
		return 0;
	snprintf(name, sizeof(name), "%s (%s)", zc_res_str(cs, "name"), metric);
	snprintf(range, sizeof(range), "± %.4g", (s.ci_hi - s.ci_lo) / 2);
	snprintf(extra, sizeof(extra),
		 "median of %d repetitions; min %.4g, max %.4g; 95%% interval "
		 "of the median %.4g..%.4g%s; cv %.1f %%",
		 s.n, s.min, s.max, s.ci_lo, s.ci_hi,
		 s.ci_exact ? "" : " (full range: fewer than 6 repetitions)",
		 s.cv * 100);
	e = json_pack("{s:s, s:s, s:o, s:s, s:s}", "name", name, "unit",
		      *unit ? unit : "value", "value", zc_json_real(s.median),
		      "range", range, "extra", extra);
	if (!e || json_array_append_new(out, e) < 0)
		return -ENOMEM;
	return 0;
}

json_t *zc_ghb_export(const struct zc_rset *s, enum zc_better better,
		      int portable_only)
{
	json_t *out = json_array();

	if (!out)
		return NULL;
	for (int f = 0; f < s->n; f++) {
		json_t *zc = json_object_get(s->res[f], "zcbench");
		json_t *cs, *m;
		size_t i, j;

		json_array_foreach(json_object_get(zc, "cases"), i, cs)
		{
			if (strcmp(zc_res_str(cs, "status"), "ok"))
				continue;
			json_array_foreach(json_object_get(zc, "metrics"), j, m)
			{
				double x[ZC_MAX_REP];
				const char *name = zc_res_str(m, "name");
				int n;
				if (zc_res_better(zc_res_str(m, "better")) !=
					    better ||
				    (portable_only &&
				     !json_is_true(
					     json_object_get(m, "portable"))))
					continue;
				n = zc_res_samples(cs, name, x, ZC_MAX_REP);
				if (n && ghb_entry(out, cs, name,
						   zc_res_str(m, "unit"), x,
						   n) < 0) {
					json_decref(out);
					return NULL;
				}
			}
		}
	}
	return out;
}
