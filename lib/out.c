/* SPDX-License-Identifier: MIT */
/*
 * out — the results model (zc_results_*, zc_case_*), the table of output
 * back ends and the writers that go through it (see out.h). The back ends
 * are out_text.c, out_csv.c and out_json.c (out_backends.h); atomic files
 * and results folders are afile.c.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "out_backends.h"

/* ---- the results model -------------------------------------------------- */

int zc_results_init(struct zc_results *r, const char *cmd,
		    const char *const *keys, int nkeys,
		    const struct zc_metric *metrics, int nmetrics, int max_rep)
{
	memset(r, 0, sizeof(*r));
	if (!cmd || nkeys < 0 || nkeys > ZC_MAX_PARAMS || (nkeys && !keys) ||
	    nmetrics < 0 || nmetrics > ZC_MAX_METRICS ||
	    (nmetrics && !metrics) || max_rep < 1 || max_rep > ZC_MAX_REP ||
	    strlen(cmd) >= sizeof(r->cmd))
		return -EINVAL;
	strcpy(r->cmd, cmd);
	r->keys = keys;
	r->nkeys = nkeys;
	r->metrics = metrics;
	r->nmetrics = nmetrics;
	r->max_rep = max_rep;
	return 0;
}

void zc_results_release(struct zc_results *r)
{
	for (int i = 0; i < r->ncases; i++) {
		free(r->cases[i].v);
		free(r->cases[i].absent);
	}
	free(r->cases);
	free(r->pairs);
	json_decref(r->options);
	json_decref(r->context);
	r->cases = NULL;
	r->ncases = r->cap = 0;
	r->pairs = NULL;
	r->npairs = r->pairs_cap = 0;
	r->options = r->context = NULL;
}

static void set_nan(double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = NAN;
}

struct zc_case *zc_results_add(struct zc_results *r, const char *const *vals)
{
	struct zc_case *c;
	size_t nv = (size_t)r->max_rep * (size_t)r->nmetrics, off;

	if (r->ncases == r->cap) {
		int cap = r->cap ? 2 * r->cap : 16;
		c = realloc(r->cases, (size_t)cap * sizeof(*c));
		if (!c)
			return NULL;
		r->cases = c;
		r->cap = cap;
	}
	c = &r->cases[r->ncases];
	memset(c, 0, sizeof(*c));
	c->v = malloc((nv ? nv : 1) * sizeof(*c->v));
	c->absent = calloc(r->nmetrics ? (size_t)r->nmetrics : 1,
			   sizeof(*c->absent));
	if (!c->v || !c->absent) {
		free(c->v);
		free(c->absent);
		return NULL;
	}
	set_nan(c->v, nv);
	set_nan(&c->sent[0][0], 2 * ZC_MAX_REP);
	set_nan(&c->pace[0][0], 2 * ZC_MAX_REP);
	set_nan(c->at, ZC_MAX_REP);
	for (int i = 0; i < ZC_MAX_REP; i++) {
		c->regime[i] = ZC_REGIME_NONE;
		c->prev[i] = -1;
	}
	c->pair = -1;
	c->threads = 1;
	off = (size_t)snprintf(c->name, sizeof(c->name), "%s", r->cmd);
	for (int k = 0; k < r->nkeys; k++) {
		const char *val = vals && vals[k] ? vals[k] : "";
		snprintf(c->param[k], sizeof(c->param[k]), "%s", val);
		if (off < sizeof(c->name))
			off += (size_t)snprintf(c->name + off,
						sizeof(c->name) - off, "/%s:%s",
						r->keys[k], c->param[k]);
		/* Google Benchmark's threads field follows a "threads" key. */
		if (!strcmp(r->keys[k], "threads") && atoi(c->param[k]) > 0)
			c->threads = atoi(c->param[k]);
	}
	r->ncases++;
	return c;
}

int zc_results_metric(const struct zc_results *r, const char *name)
{
	for (int m = 0; m < r->nmetrics; m++)
		if (!strcmp(r->metrics[m].name, name))
			return m;
	return -ENOENT;
}

int zc_out_key_index(const struct zc_results *r, const char *key)
{
	for (int k = 0; k < r->nkeys; k++)
		if (!strcmp(r->keys[k], key))
			return k;
	return -1;
}

const char *zc_case_param(const struct zc_results *r, const struct zc_case *c,
			  const char *key)
{
	int k = zc_out_key_index(r, key);

	return k >= 0 ? c->param[k] : NULL;
}

void zc_case_set(const struct zc_results *r, struct zc_case *c, int rep, int m,
		 double value)
{
	if (rep < 0 || rep >= r->max_rep || m < 0 || m >= r->nmetrics)
		return;
	c->v[rep * r->nmetrics + m] = value;
	if (rep >= c->nrep)
		c->nrep = rep + 1;
}

double zc_case_get(const struct zc_results *r, const struct zc_case *c, int rep,
		   int m)
{
	if (rep < 0 || rep >= c->nrep || m < 0 || m >= r->nmetrics)
		return NAN;
	return c->v[rep * r->nmetrics + m];
}

void zc_case_absent(const struct zc_results *r, struct zc_case *c, int m,
		    const char *why)
{
	if (m < 0 || m >= r->nmetrics)
		return;
	snprintf(c->absent[m], sizeof(c->absent[m]), "%s",
		 why && *why ? why : "not measured");
	/* Absent is never a number, not even one recorded earlier. */
	for (int rep = 0; rep < r->max_rep; rep++)
		c->v[rep * r->nmetrics + m] = NAN;
}

/* Neither a skipped nor a failed case keeps repetitions. */
static void set_status(struct zc_case *c, enum zc_case_status st,
		       const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void set_status(struct zc_case *c, enum zc_case_status st,
		       const char *fmt, va_list ap)
{
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	c->status = st;
	c->nrep = 0;
}

void zc_case_skip(struct zc_case *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_status(c, ZC_CASE_SKIPPED, fmt, ap);
	va_end(ap);
}

void zc_case_fail(const struct zc_results *r, struct zc_case *c,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_status(c, ZC_CASE_FAILED, fmt, ap);
	va_end(ap);
	/* A case that failed its check must not leave a number behind. */
	set_nan(c->v, (size_t)r->max_rep * (size_t)r->nmetrics);
	memset(c->iterations, 0, sizeof(c->iterations));
}

int zc_case_summary(const struct zc_results *r, const struct zc_case *c, int m,
		    struct zc_summary *s)
{
	double x[ZC_MAX_REP];

	if (m < 0 || m >= r->nmetrics || c->nrep <= 0) {
		memset(s, 0, sizeof(*s));
		return -EINVAL;
	}
	for (int rep = 0; rep < c->nrep; rep++)
		x[rep] = c->v[rep * r->nmetrics + m];
	return zc_stats_summary(x, (size_t)c->nrep, s);
}

double zc_case_median(const struct zc_results *r, const struct zc_case *c,
		      int m)
{
	struct zc_summary s;

	if (!c || zc_case_summary(r, c, m, &s) < 0)
		return NAN;
	return s.median;
}

int zc_results_vfind(const struct zc_results *r, int ok_only, va_list ap)
{
	const char *key[ZC_MAX_PARAMS], *val[ZC_MAX_PARAMS];
	int k[ZC_MAX_PARAMS], n = 0;

	for (const char *kv; (kv = va_arg(ap, const char *)) != NULL;) {
		if (n == ZC_MAX_PARAMS)
			return -EINVAL;
		key[n] = kv;
		val[n] = va_arg(ap, const char *);
		k[n] = zc_out_key_index(r, key[n]);
		if (k[n] < 0 || !val[n])
			return -EINVAL;
		n++;
	}
	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		int match = !ok_only || c->status == ZC_CASE_OK;
		for (int j = 0; j < n && match; j++)
			match = !strcmp(c->param[k[j]], val[j]);
		if (match)
			return i;
	}
	return -ENOENT;
}

int zc_results_find(const struct zc_results *r, int ok_only, ...)
{
	va_list ap;
	int i;

	va_start(ap, ok_only);
	i = zc_results_vfind(r, ok_only, ap);
	va_end(ap);
	return i;
}

static int is_baseline_of(const struct zc_results *r, const struct zc_case *b,
			  const struct zc_case *c, int kk, const char *base,
			  const char *const *ignore)
{
	if (b->status != ZC_CASE_OK || strcmp(b->param[kk], base))
		return 0;
	for (int k = 0; k < r->nkeys; k++) {
		int skip = k == kk;
		for (int i = 0; ignore && ignore[i] && !skip; i++)
			skip = !strcmp(ignore[i], r->keys[k]);
		if (!skip && strcmp(b->param[k], c->param[k]))
			return 0;
	}
	return 1;
}

/* A sample's hand-off regime, slowed or not: a slowed sample's ratio is
 * still taken, to its baseline of the same round and hand-off regime (the
 * host's slowing lasts seconds, a round less: both were slowed alike); its
 * per-regime figures leave it out all the same. */
static int handoff_regime(const struct zc_results *r, const struct zc_case *c,
			  int rep)
{
	return c->regime[rep] == ZC_REGIME_SLOWED
		       ? zc_regime_sample(&r->pairs[c->pair].reg,
					  c->sent[rep][0], c->sent[rep][1])
		       : c->regime[rep];
}

/* Regimes of case c's samples for ratios: a case without a sentinel is one
 * regime (0), or follows the other side's regimes round by round. */
static void ratio_regimes(const struct zc_results *r, const struct zc_case *c,
			  const struct zc_case *other, int *out)
{
	for (int rep = 0; rep < c->nrep; rep++)
		out[rep] = c->pair >= 0 ? handoff_regime(r, c, rep)
			   : other->pair >= 0 && rep < other->nrep
				   ? handoff_regime(r, other, rep)
				   : 0;
}

int zc_results_ratio_of(struct zc_results *r, int src, int dst,
			struct zc_case *c, const struct zc_case *b, int invert)
{
	double x[ZC_MAX_REP], bx[ZC_MAX_REP], out[ZC_MAX_REP];
	int xr[ZC_MAX_REP], br[ZC_MAX_REP], n;

	for (int rep = 0; rep < c->nrep; rep++)
		x[rep] = zc_case_get(r, c, rep, src);
	for (int rep = 0; rep < b->nrep; rep++)
		bx[rep] = zc_case_get(r, b, rep, src);
	ratio_regimes(r, c, b, xr);
	ratio_regimes(r, b, c, br);
	n = zc_regime_ratio(x, xr, c->nrep, bx, br, b->nrep, invert, out);
	for (int rep = 0; rep < c->nrep; rep++)
		zc_case_set(r, c, rep, dst, out[rep]);
	return n;
}

int zc_results_ratio(struct zc_results *r, int src, int dst, const char *key,
		     const char *base, const char *const *ignore, int invert)
{
	int kk = zc_out_key_index(r, key), n = 0;

	if (kk < 0 || src < 0 || dst < 0 || src >= r->nmetrics ||
	    dst >= r->nmetrics)
		return -EINVAL;
	for (int i = 0; i < r->ncases; i++) {
		struct zc_case *c = &r->cases[i], *b = NULL;
		struct zc_summary own, bs;

		if (c->status != ZC_CASE_OK ||
		    zc_case_summary(r, c, src, &own) < 0)
			continue;
		for (int j = 0; j < r->ncases && !b; j++)
			if (is_baseline_of(r, &r->cases[j], c, kk, base,
					   ignore) &&
			    zc_case_summary(r, &r->cases[j], src, &bs) == 0 &&
			    bs.median != 0)
				b = &r->cases[j];
		if (!b) {
			char why[ZC_WHY_LEN];
			snprintf(why, sizeof(why),
				 "no successful %s:%s case to compare with",
				 key, base);
			zc_case_absent(r, c, dst, why);
			continue;
		}
		zc_results_ratio_of(r, src, dst, c, b, invert);
		n++;
	}
	return n;
}

/* ---- sentinels and regimes ---------------------------------------------- */

int zc_case_sentinel(struct zc_results *r, struct zc_case *c, int rep,
		     double before, double after, double at, int a, int b)
{
	int p;

	if (rep < 0 || rep >= r->max_rep)
		return -EINVAL;
	if (a > b) {
		int t = a;
		a = b;
		b = t;
	}
	for (p = 0; p < r->npairs; p++)
		if (r->pairs[p].a == a && r->pairs[p].b == b)
			break;
	if (p == r->npairs) {
		if (p == r->pairs_cap) {
			int cap = r->pairs_cap ? 2 * r->pairs_cap : 16;
			struct zc_pair *np =
				realloc(r->pairs, (size_t)cap * sizeof(*np));
			if (!np)
				return -ENOMEM;
			r->pairs = np;
			r->pairs_cap = cap;
		}
		memset(&r->pairs[p], 0, sizeof(r->pairs[p]));
		r->pairs[p].a = a;
		r->pairs[p].b = b;
		r->npairs++;
	}
	c->pair = p;
	c->sent[rep][0] = before;
	c->sent[rep][1] = after;
	c->at[rep] = at;
	return 0;
}

/* The previous work of case c's repetition rep, as an index into the
 * floors of pace_floors (0: none). */
static int prev_work(const struct zc_results *r, const struct zc_case *c,
		     int rep)
{
	return c->prev[rep] >= 0 && c->prev[rep] < r->ncases ? c->prev[rep] + 1
							     : 0;
}

/* Pair p's pace floors, one per work (lib/regime.h): the fastest pace
 * taken right after it, after its own repetitions or before those that
 * followed them; the bound of the paces relative to them; then every
 * sample's slowed mark. */
static int pace_floors(struct zc_results *r, int p)
{
	struct zc_pair *pr = &r->pairs[p];
	double *fl = malloc(((size_t)r->ncases + 1) * sizeof(*fl)), *rel;
	size_t n = 0;
	int err;

	if (!fl)
		return -ENOMEM;
	for (int i = 0; i <= r->ncases; i++)
		fl[i] = INFINITY; /* fmin skips the NaN ones */
	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		for (int rep = 0; c->pair == p && rep < c->nrep; rep++) {
			double *b = &fl[prev_work(r, c, rep)];
			*b = fmin(*b, c->pace[rep][0]);
			fl[i + 1] = fmin(fl[i + 1], c->pace[rep][1]);
		}
	}
	pr->pace_floor = INFINITY;
	for (int i = 0; i <= r->ncases; i++)
		pr->pace_floor = fmin(pr->pace_floor, fl[i]);
	if (isinf(pr->pace_floor))
		pr->pace_floor = NAN;
	for (int i = 0; i < r->ncases; i++)
		if (r->cases[i].pair == p)
			n += 2 * (size_t)r->cases[i].nrep;
	rel = malloc((n ? n : 1) * sizeof(*rel));
	if (!rel) {
		free(fl);
		return -ENOMEM;
	}
	n = 0;
	for (int i = 0; i < r->ncases; i++) {
		const struct zc_case *c = &r->cases[i];
		for (int rep = 0; c->pair == p && rep < c->nrep; rep++) {
			rel[n++] = c->pace[rep][0] / fl[prev_work(r, c, rep)];
			rel[n++] = c->pace[rep][1] / fl[i + 1];
		}
	}
	err = zc_pace_bound(rel, n, &pr->pace_bound);
	free(rel);
	if (err < 0) {
		free(fl);
		return err;
	}
	pr->samples = pr->moved = pr->slowed = 0;
	for (int i = 0; i < r->ncases; i++) {
		struct zc_case *c = &r->cases[i];
		int ok = c->status == ZC_CASE_OK;
		for (int rep = 0; c->pair == p && rep < c->nrep; rep++) {
			int *g = &c->regime[rep];
			*g = zc_regime_sample(&pr->reg, c->sent[rep][0],
					      c->sent[rep][1]);
			if (*g >= 0 &&
			    zc_pace_slowed(fl[prev_work(r, c, rep)], fl[i + 1],
					   c->pace[rep][0], c->pace[rep][1],
					   pr->pace_bound))
				*g = ZC_REGIME_SLOWED;
			pr->samples += ok;
			pr->moved += ok && *g == ZC_REGIME_MOVED;
			pr->slowed += ok && *g == ZC_REGIME_SLOWED;
		}
	}
	free(fl);
	return 0;
}

int zc_results_regimes(struct zc_results *r)
{
	for (int p = 0; p < r->npairs; p++) {
		struct zc_pair *pr = &r->pairs[p];
		size_t n = 0, k = 0;
		double *v;
		int err;

		for (int i = 0; i < r->ncases; i++)
			if (r->cases[i].pair == p)
				n += 2 * (size_t)r->cases[i].nrep;
		v = malloc((n ? n : 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (int i = 0; i < r->ncases; i++) {
			const struct zc_case *c = &r->cases[i];
			for (int rep = 0; c->pair == p && rep < c->nrep;
			     rep++) {
				v[k++] = c->sent[rep][0];
				v[k++] = c->sent[rep][1];
			}
		}
		err = zc_regimes_find(v, k, &pr->reg);
		free(v);
		if (err)
			return err;
		err = pace_floors(r, p);
		if (err)
			return err;
	}
	return 0;
}

const struct zc_regimes *zc_case_regimes(const struct zc_results *r,
					 const struct zc_case *c)
{
	return c->pair >= 0 && c->pair < r->npairs ? &r->pairs[c->pair].reg
						   : NULL;
}

int zc_case_split(const struct zc_results *r, const struct zc_case *c)
{
	const struct zc_regimes *g = zc_case_regimes(r, c);

	return c->status == ZC_CASE_OK && g &&
	       (g->n > 1 || zc_case_regime_count(c, ZC_REGIME_SLOWED) > 0);
}

int zc_results_multi_regime(const struct zc_results *r)
{
	for (int p = 0; p < r->npairs; p++)
		if (r->pairs[p].reg.n > 1)
			return 1;
	return 0;
}

int zc_case_regime_count(const struct zc_case *c, int k)
{
	int n = 0;

	for (int rep = 0; rep < c->nrep; rep++)
		n += c->regime[rep] == k;
	return n;
}

double zc_case_regime_pace(const struct zc_case *c, int k)
{
	double x[ZC_MAX_REP];
	size_t n = 0;

	for (int rep = 0; rep < c->nrep; rep++) {
		double p = fmax(c->pace[rep][0], c->pace[rep][1]);
		if (c->regime[rep] == k && isfinite(p))
			x[n++] = p;
	}
	if (!n)
		return NAN;
	zc_stats_sort(x, n);
	return zc_stats_quantile_sorted(x, n, 0.5);
}

int zc_case_regime_summary(const struct zc_results *r, const struct zc_case *c,
			   int m, int k, struct zc_summary *s)
{
	double x[ZC_MAX_REP];
	int n = 0;

	for (int rep = 0; rep < c->nrep; rep++)
		if (c->regime[rep] == k)
			x[n++] = c->v[rep * r->nmetrics + m];
	if (m < 0 || m >= r->nmetrics || !n) {
		memset(s, 0, sizeof(*s));
		return -EINVAL;
	}
	return zc_stats_summary(x, (size_t)n, s);
}

int zc_results_count(const struct zc_results *r, enum zc_case_status st)
{
	int n = 0;

	for (int i = 0; i < r->ncases; i++)
		n += r->cases[i].status == st;
	return n;
}

const char *zc_out_status_name(enum zc_case_status st)
{
	static const char *const names[] = {
		[ZC_CASE_OK] = "ok",
		[ZC_CASE_SKIPPED] = "skipped",
		[ZC_CASE_FAILED] = "failed",
	};
	return (unsigned)st < 3 ? names[st] : "unknown";
}

/* A stream that saw a write error; errno is the best guess at why. */
int zc_out_stream_status(FILE *f)
{
	if (!ferror(f))
		return 0;
	return errno ? -errno : -EIO;
}

/* ---- back ends ----------------------------------------------------------- */

static const struct zc_out_backend backends[] = {
	{"text", ".txt", zc_out_text_write},
	{"csv", ".csv", zc_out_csv_write},
	{"samples", ".samples.csv", zc_out_samples_write},
	{"json", ".json", zc_out_json_write},
};

const struct zc_out_backend *zc_out_backend(const char *name)
{
	for (size_t i = 0; name && i < sizeof(backends) / sizeof(*backends);
	     i++)
		if (!strcmp(backends[i].name, name))
			return &backends[i];
	return NULL;
}

int zc_out_write_file(const char *dir, const struct zc_out_backend *b,
		      const struct zc_results *r)
{
	struct zc_afile a;
	char name[64];
	int err;

	if (!b || !r)
		return -EINVAL;
	snprintf(name, sizeof(name), "%s%s", r->cmd, b->ext);
	err = zc_afile_open(&a, dir, name);
	if (err < 0)
		return err;
	errno = 0;
	err = b->write(a.f, r);
	if (err < 0) {
		zc_afile_abort(&a);
		return err;
	}
	return zc_afile_commit(&a);
}

static const char *const all_files[] = {"csv", "samples", "json"};
#define NALL (sizeof(all_files) / sizeof(*all_files))

int zc_out_write_all(const char *dir, const struct zc_results *r)
{
	int err;

	for (size_t i = 0; i < NALL; i++) {
		err = zc_out_write_file(dir, zc_out_backend(all_files[i]), r);
		if (err < 0)
			return err;
	}
	return 0;
}

int zc_out_check_all(const char *dir, const char *cmd, char *bad, size_t len)
{
	for (size_t i = 0; i < NALL; i++) {
		char name[64];
		int err;
		snprintf(name, sizeof(name), "%s%s", cmd,
			 zc_out_backend(all_files[i])->ext);
		err = zc_afile_check(dir, name);
		if (err < 0) {
			snprintf(bad, len, "%s", name);
			return err;
		}
	}
	return 0;
}
