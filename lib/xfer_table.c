/* SPDX-License-Identifier: MIT */
/*
 * xfer_table — the IBM-style table: size x method, median ms and % saved
 * against the baseline, IBM's figures beside.
 */
#include <math.h>
#include <stdio.h>

#include "xfer_table.h"

/* IBM's figures (Linux 2.6, "Efficient data transfer through zero copy"):
 * size MB, traditional ms, sendfile ms. */
static const struct {
	int mb;
	double trad, zc;
} ibm[] = {{7, 156, 45},       {21, 337, 128},	   {63, 843, 387},
	   {98, 1320, 617},    {200, 2124, 1150},  {350, 3631, 1762},
	   {700, 13498, 4422}, {1024, 18399, 8537}};

#define NIBM (int)(sizeof(ibm) / sizeof(ibm[0]))

static int ibm_row(long long mib)
{
	for (int k = 0; k < NIBM; k++)
		if (ibm[k].mb == mib)
			return k;
	return -1;
}

/* One cell: median ms and % saved against the baseline, or "-". */
static void cell(const struct zc_xfer_table *t, int s, int v, char *buf,
		 size_t len)
{
	const double *row = t->ms + (size_t)s * (size_t)t->set->n;
	int b = t->set->base;
	double ms = row[v], base = v != b && b >= 0 ? row[b] : NAN;

	if (isnan(ms))
		snprintf(buf, len, "-");
	else if (!isnan(base))
		snprintf(buf, len, "%.1f %+4.0f%%", ms, (1 - ms / base) * 100);
	else
		snprintf(buf, len, "%.1f", ms);
}

void zc_xfer_table_print(FILE *f, const struct zc_xfer_table *t)
{
	const struct zc_xfer_set *set = t->set;
	int has_ibm = 0;

	if (set->base >= 0)
		fprintf(f,
			"\nIBM-style table: %s: ms per transfer (median) and "
			"%% saved against %s\n",
			t->title, set->var[set->base].name);
	else
		fprintf(f,
			"\nIBM-style table: %s: ms per transfer (median); no "
			"%s baseline in this run\n",
			t->title, t->base_method);
	for (int s = 0; s < t->nsize; s++)
		has_ibm |= ibm_row(t->mib[s]) >= 0;
	for (int v0 = 0, v1; v0 < set->n; v0 = v1) {
		int last;
		v1 = v0 + ZC_XFER_TABLE_COLS < set->n ? v0 + ZC_XFER_TABLE_COLS
						      : set->n;
		last = v1 == set->n && has_ibm;
		fprintf(f, "%-10s", "size MiB");
		for (int v = v0; v < v1; v++)
			fprintf(f, "%15s", set->var[v].name);
		fprintf(f, "%s\n", last ? "  | IBM 2.6: read  sendfile" : "");
		for (int s = 0; s < t->nsize; s++) {
			int k = ibm_row(t->mib[s]);
			fprintf(f, "%-10lld", t->mib[s]);
			for (int v = v0; v < v1; v++) {
				char buf[32];
				cell(t, s, v, buf, sizeof(buf));
				fprintf(f, "%15s", buf);
			}
			if (last && k >= 0)
				fprintf(f, "  | %13.0f %9.0f", ibm[k].trad,
					ibm[k].zc);
			fputc('\n', f);
		}
	}
}
