/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"

static int word_index(const struct zc_word *w, const char *s, size_t len)
{
	for (int i = 0; w && w[i].name; i++)
		if (strlen(w[i].name) == len && !strncmp(w[i].name, s, len))
			return i;
	return -1;
}

static void words_text(const struct zc_word *w, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	for (int i = 0; w && w[i].name && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				w[i].name);
}

/* The valid values of o, for error messages and -h. */
static void valid_text(const struct zc_opt *o, char *buf, size_t len)
{
	char w[512];
	words_text(o->words, w, sizeof(w));
	switch (o->type) {
	case ZC_OPT_TINT:
	case ZC_OPT_TLIST:
		if (o->multiple > 1)
			snprintf(buf, len,
				 "integers %lld..%lld, multiples of %lld%s%s",
				 o->min, o->max, o->multiple,
				 w[0] ? ", or " : "", w);
		else
			snprintf(buf, len, "%s %lld..%lld%s%s",
				 o->type == ZC_OPT_TINT ? "an integer"
							: "integers",
				 o->min, o->max, w[0] ? ", or " : "", w);
		break;
	case ZC_OPT_TDOUBLE:
		snprintf(buf, len, "a number %g..%g", o->dmin, o->dmax);
		break;
	case ZC_OPT_TCHOICE:
		snprintf(buf, len, "one of %s", w);
		break;
	case ZC_OPT_TCHOICES:
		snprintf(buf, len, "a list of %s, or all", w);
		break;
	default:
		snprintf(buf, len, "text");
	}
}

/* Decimal only: an optional '-' and digits (no blanks, '+', octal, hex). */
static int parse_ll(const char *s, size_t len, long long *v)
{
	char tmp[64], *end;
	size_t i = s[0] == '-';
	if (len == 0 || len >= sizeof(tmp) || i == len)
		return -EINVAL;
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	errno = 0;
	*v = strtoll(tmp, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

/* Decimal only: [-]digits[.digits][e[+-]digits]; strtod alone would take
 * blanks, hex floats, "inf" and "nan". */
static int parse_double(const char *s, double *v)
{
	const char *p = s + (*s == '-');
	char *end;
	int digits = 0;

	while (*p >= '0' && *p <= '9')
		p++, digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (!digits)
		return -EINVAL;
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '-' || *p == '+';
		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	if (errno || *end || !isfinite(*v))
		return -EINVAL;
	return 0;
}

static int bad(const struct zc_opt *o, const char *text, char *msg,
	       size_t msglen, const char *what)
{
	char valid[600];
	valid_text(o, valid, sizeof(valid));
	snprintf(msg, msglen, "--%s: %s '%s': expected %s", o->name, what, text,
		 valid);
	return -EINVAL;
}

int zc_opt_parse_list(const struct zc_opt *o, const char *text,
		      struct zc_list *out, char *msg, size_t msglen)
{
	const char *p = text;
	struct zc_list l = {0};

	if (!*text)
		return bad(o, text, msg, msglen, "empty value");
	for (;;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		int wi = word_index(o->words, p, len);
		long long v;
		char item[64];

		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		if (l.n == ZC_LIST_MAX) {
			snprintf(msg, msglen, "--%s: more than %d values",
				 o->name, ZC_LIST_MAX);
			return -EINVAL;
		}
		if (o->type == ZC_OPT_TCHOICES && len == 3 &&
		    !strncmp(p, "all", 3) && wi < 0) {
			for (int i = 0; o->words[i].name && l.n < ZC_LIST_MAX;
			     i++) {
				l.v[l.n] = o->words[i].value;
				l.word[l.n++] = i;
			}
		} else if (wi >= 0) {
			l.v[l.n] = o->words[wi].value;
			l.word[l.n++] = wi;
		} else if (o->type == ZC_OPT_TCHOICES) {
			return bad(o, item, msg, msglen, "unknown value");
		} else if (parse_ll(p, len, &v) < 0) {
			return bad(o, item, msg, msglen, "malformed value");
		} else if (v < o->min || v > o->max ||
			   (o->multiple > 1 && v % o->multiple)) {
			return bad(o, item, msg, msglen, "out of range");
		} else {
			l.v[l.n] = v;
			l.word[l.n++] = -1;
		}
		if (!c)
			break;
		p = c + 1;
	}
	for (int i = 0; i < l.n; i++)
		for (int j = i + 1; j < l.n; j++)
			if (l.v[i] == l.v[j] && l.word[i] == l.word[j]) {
				char item[64];
				return bad(o,
					   zc_list_item(o, &l, j, item,
							sizeof(item)),
					   msg, msglen, "repeated value");
			}
	l.given = 1;
	*out = l;
	return 0;
}

static int set_value(const struct zc_opt *o, const char *text, char *msg,
		     size_t msglen)
{
	switch (o->type) {
	case ZC_OPT_TFLAG:
		*(int *)o->dest = 1;
		return 0;
	case ZC_OPT_TINT: {
		long long v;
		if (parse_ll(text, strlen(text), &v) < 0)
			return bad(o, text, msg, msglen, "malformed value");
		if (v < o->min || v > o->max ||
		    (o->multiple > 1 && v % o->multiple))
			return bad(o, text, msg, msglen, "out of range");
		*(long long *)o->dest = v;
		return 0;
	}
	case ZC_OPT_TDOUBLE: {
		double v;
		if (parse_double(text, &v) < 0)
			return bad(o, text, msg, msglen, "malformed value");
		if (v < o->dmin || v > o->dmax)
			return bad(o, text, msg, msglen, "out of range");
		*(double *)o->dest = v;
		return 0;
	}
	case ZC_OPT_TSTR:
		if (!*text)
			return bad(o, text, msg, msglen, "empty value");
		*(const char **)o->dest = text;
		return 0;
	case ZC_OPT_TCHOICE: {
		int wi = word_index(o->words, text, strlen(text));
		if (wi < 0)
			return bad(o, text, msg, msglen, "unknown value");
		*(int *)o->dest = (int)o->words[wi].value;
		return 0;
	}
	case ZC_OPT_TLIST:
	case ZC_OPT_TCHOICES:
		return zc_opt_parse_list(o, text, o->dest, msg, msglen);
	}
	return -EINVAL;
}

int zc_opt_defaults(const struct zc_opt *table, int quick, char *msg,
		    size_t msglen)
{
	for (const struct zc_opt *o = table; o && o->name; o++) {
		const char *def = quick && o->quick ? o->quick : o->def;
		int err;
		if (!o->dest)
			continue;
		if (!def) {
			if (o->type == ZC_OPT_TLIST ||
			    o->type == ZC_OPT_TCHOICES)
				memset(o->dest, 0, sizeof(struct zc_list));
			else if (o->type == ZC_OPT_TSTR)
				*(const char **)o->dest = NULL;
			else if (o->type == ZC_OPT_TINT)
				*(long long *)o->dest = 0;
			else if (o->type == ZC_OPT_TFLAG)
				*(int *)o->dest = 0;
			continue;
		}
		err = set_value(o, def, msg, msglen);
		if (err)
			return err;
		if (o->type == ZC_OPT_TLIST || o->type == ZC_OPT_TCHOICES)
			((struct zc_list *)o->dest)->given = 0;
	}
	return 0;
}

static const struct zc_opt *find(const struct zc_opt *const *tables,
				 const char *name, size_t len)
{
	for (int t = 0; tables[t]; t++)
		for (const struct zc_opt *o = tables[t]; o->name; o++)
			if (strlen(o->name) == len &&
			    !strncmp(o->name, name, len))
				return o;
	return NULL;
}

/* Is option `name` (NULL: the ZC_OPT_F_QUICK flag) among the options,
 * values skipped as the parser would? */
int zc_opt_given(const struct zc_opt *const *tables, int argc, char **argv,
		 const char *name)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		const struct zc_opt *o;
		size_t len;

		if (!strcmp(a, "--") || strncmp(a, "--", 2) || !a[2])
			break;
		eq = strchr(a + 2, '=');
		len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		o = find(tables, a + 2, len);
		if (!o)
			break;
		if (name ? !strcmp(o->name, name)
			 : o->type == ZC_OPT_TFLAG &&
				    (o->flags & ZC_OPT_F_QUICK))
			return 1;
		if (o->type != ZC_OPT_TFLAG && !eq)
			i++;
	}
	return 0;
}

int zc_opt_parse(const struct zc_opt *const *tables, int argc, char **argv,
		 int *optind, char *msg, size_t msglen)
{
	int i, err, quick = zc_opt_given(tables, argc, argv, NULL);

	for (int t = 0; tables[t]; t++) {
		err = zc_opt_defaults(tables[t], quick, msg, msglen);
		if (err)
			return err;
	}
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		const struct zc_opt *o;
		size_t len;

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 1;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (strncmp(a, "--", 2) || !a[2]) {
			if (a[0] == '-') {
				snprintf(msg, msglen, "unknown option '%s'", a);
				return -EINVAL;
			}
			break;
		}
		eq = strchr(a + 2, '=');
		len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		o = find(tables, a + 2, len);
		if (!o) {
			snprintf(msg, msglen, "unknown option '%.*s'",
				 (int)len + 2, a);
			return -EINVAL;
		}
		if (o->type == ZC_OPT_TFLAG) {
			if (eq) {
				snprintf(msg, msglen, "--%s takes no value",
					 o->name);
				return -EINVAL;
			}
			*(int *)o->dest = 1;
			continue;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			char valid[600];
			valid_text(o, valid, sizeof(valid));
			snprintf(msg, msglen, "--%s needs a value: %s", o->name,
				 valid);
			return -EINVAL;
		}
		err = set_value(o, val, msg, msglen);
		if (err)
			return err;
	}
	*optind = i;
	return 0;
}

void zc_opt_help(FILE *f, const struct zc_opt *table)
{
	for (const struct zc_opt *o = table; o && o->name; o++) {
		char head[64], valid[600];
		snprintf(head, sizeof(head), "--%s%s%s", o->name,
			 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		fprintf(f, "  %-22s %s", head, o->help);
		if (o->unit)
			fprintf(f, " [%s]", o->unit);
		fputc('\n', f);
		if (o->type != ZC_OPT_TFLAG && o->type != ZC_OPT_TSTR) {
			valid_text(o, valid, sizeof(valid));
			fprintf(f, "  %-22s   valid: %s\n", "", valid);
		}
		if (o->def || o->quick)
			fprintf(f, "  %-22s   default: %s%s%s%s\n", "",
				o->def ? o->def : "none", o->quick ? " (" : "",
				o->quick ? o->quick : "",
				o->quick ? " with --quick)" : "");
	}
}

const char *zc_list_item(const struct zc_opt *o, const struct zc_list *l, int i,
			 char *buf, size_t len)
{
	if (l->word[i] >= 0 && o && o->words)
		snprintf(buf, len, "%s", o->words[l->word[i]].name);
	else
		snprintf(buf, len, "%lld", l->v[i]);
	return buf;
}

void zc_opt_format(const struct zc_opt *o, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	switch (o->type) {
	case ZC_OPT_TFLAG:
		snprintf(buf, len, "%s", *(int *)o->dest ? "true" : "false");
		break;
	case ZC_OPT_TINT:
		snprintf(buf, len, "%lld", *(long long *)o->dest);
		break;
	case ZC_OPT_TDOUBLE:
		snprintf(buf, len, "%g", *(double *)o->dest);
		break;
	case ZC_OPT_TSTR: {
		const char *s = *(const char **)o->dest;
		snprintf(buf, len, "%s", s ? s : "");
		break;
	}
	case ZC_OPT_TCHOICE: {
		int v = *(int *)o->dest;
		for (int i = 0; o->words[i].name; i++)
			if (o->words[i].value == v)
				snprintf(buf, len, "%s", o->words[i].name);
		break;
	}
	case ZC_OPT_TLIST:
	case ZC_OPT_TCHOICES: {
		const struct zc_list *l = o->dest;
		for (int i = 0; i < l->n && off < len; i++) {
			char item[64];
			off += snprintf(
				buf + off, len - off, "%s%s", i ? "," : "",
				zc_list_item(o, l, i, item, sizeof(item)));
		}
		break;
	}
	}
}
