/* SPDX-License-Identifier: MIT */
#ifndef ZC_OPT_H
#define ZC_OPT_H
/*
 * opt — option tables. One table per command drives parsing, `-h` and the
 * parameters recorded with each result: the options are the schema.
 *
 * Usage:
 *	static struct zc_list strides;
 *	static const struct zc_opt opts[] = {
 *		ZC_OPT_LIST("stride", "BYTES", "bytes", "8,64,128,256,local",
 *			    "distance between counters", &strides, 8, 4096, 8,
 *			    stride_words),
 *		ZC_OPT_END
 *	};
 *	err = zc_opt_parse(opts, argc, argv, &first_arg, msg, sizeof(msg));
 *
 * Long options only (`--name VALUE` or `--name=VALUE`), plus `-h`. Values
 * are checked against the table (range, multiple, keywords); defaults are
 * applied from the table's text so that `-h` and behaviour cannot differ.
 * An option may carry a second default for `--quick` (`.quick = "..."`,
 * appended to any ZC_OPT_* macro): when the arguments contain the option
 * marked ZC_OPT_F_QUICK (the global --quick), that text is the default.
 *
 * Input rules, the same for every option (issue "no crash, no hang"):
 *  - numbers are decimal: an optional '-', digits, and for ZC_OPT_TDOUBLE
 *    a fraction and exponent; no leading blanks, '+', octal, hex or hex
 *    floats, no "inf"/"nan" ("010" is ten, "0x40" is refused);
 *  - a list names each value once: "64,64" or "all,call" is refused with
 *    the repeated value named (a repeated value would only make cases with
 *    the same name).
 *
 * Errors: zc_opt_parse returns 0, or -EINVAL with a one-line message naming
 * the option and its valid values in msg (the caller exits 2), or 1 when
 * `-h`/`--help` was given.
 */
#include <stddef.h>
#include <stdio.h>

#define ZC_LIST_MAX 64

enum zc_opt_type {
	ZC_OPT_TFLAG,	/* no value; dest is int, set to 1 */
	ZC_OPT_TINT,	/* one integer in [min, max]; dest long long */
	ZC_OPT_TDOUBLE, /* one number in [min, max]; dest double */
	ZC_OPT_TSTR,	/* free text; dest const char * */
	ZC_OPT_TCHOICE, /* one of words[]; dest int (index into words) */
	ZC_OPT_TLIST, /* comma list of integers and/or words; struct zc_list */
	ZC_OPT_TCHOICES, /* comma list of words[] (or "all"); struct zc_list */
};

/* A keyword accepted in a list and the value it stands for. */
struct zc_word {
	const char *name;
	long long value;
};

/* Parsed list: values in the order given; word[i] is the keyword index or -1. */
struct zc_list {
	int n;
	long long v[ZC_LIST_MAX];
	int word[ZC_LIST_MAX];
	int given; /* set by the user (not the default) */
};

struct zc_opt {
	const char *name; /* kebab-case, without "--"; NULL ends the table */
	enum zc_opt_type type;
	const char *metavar; /* "N", "LIST", "DIR" */
	const char *unit;    /* "bytes", "s", "msgs/s"; NULL when unitless */
	const char *def;     /* default as the user would type it; NULL: none */
	const char *help;
	void *dest;
	long long min, max; /* integer range (inclusive) */
	double dmin, dmax;  /* ZC_OPT_TDOUBLE range (inclusive) */
	long long multiple; /* integers must be a multiple of this (0: any) */
	const struct zc_word *words; /* keywords, {NULL,0}-terminated */
	int record;	   /* recorded as a run parameter (meta.json) */
	const char *quick; /* default under --quick; NULL: def */
	unsigned flags;	   /* ZC_OPT_F_* */
};

/* The flag that selects the .quick defaults (the global --quick). */
#define ZC_OPT_F_QUICK 1u

/* Each macro takes extra designated initialisers at the end, e.g.
 * ZC_OPT_LIST(..., NULL, .quick = "32,256"). */
#define ZC_OPT_FLAG(n, h, d, ...)                                              \
	{                                                                      \
		.name = n, .type = ZC_OPT_TFLAG, .help = h, .dest = d,         \
		__VA_ARGS__                                                    \
	}
#define ZC_OPT_INT(n, mv, u, df, h, d, lo, hi, ...)                            \
	{                                                                      \
		.name = n, .type = ZC_OPT_TINT, .metavar = mv, .unit = u,      \
		.def = df, .help = h, .dest = d, .min = lo, .max = hi,         \
		.record = 1, __VA_ARGS__                                       \
	}
#define ZC_OPT_DOUBLE(n, mv, u, df, h, d, lo, hi, ...)                         \
	{                                                                      \
		.name = n, .type = ZC_OPT_TDOUBLE, .metavar = mv, .unit = u,   \
		.def = df, .help = h, .dest = d, .dmin = lo, .dmax = hi,       \
		.record = 1, __VA_ARGS__                                       \
	}
#define ZC_OPT_STR(n, mv, df, h, d, ...)                                       \
	{                                                                      \
		.name = n, .type = ZC_OPT_TSTR, .metavar = mv, .def = df,      \
		.help = h, .dest = d, .record = 1, __VA_ARGS__                 \
	}
#define ZC_OPT_CHOICE(n, df, h, d, w, ...)                                     \
	{                                                                      \
		.name = n, .type = ZC_OPT_TCHOICE, .metavar = "WORD",          \
		.def = df, .help = h, .dest = d, .words = w, .record = 1,      \
		__VA_ARGS__                                                    \
	}
#define ZC_OPT_LIST(n, mv, u, df, h, d, lo, hi, mult, w, ...)                  \
	{                                                                      \
		.name = n, .type = ZC_OPT_TLIST, .metavar = mv, .unit = u,     \
		.def = df, .help = h, .dest = d, .min = lo, .max = hi,         \
		.multiple = mult, .words = w, .record = 1, __VA_ARGS__         \
	}
#define ZC_OPT_CHOICES(n, df, h, d, w, ...)                                    \
	{                                                                      \
		.name = n, .type = ZC_OPT_TCHOICES, .metavar = "LIST",         \
		.def = df, .help = h, .dest = d, .words = w, .record = 1,      \
		__VA_ARGS__                                                    \
	}
#define ZC_OPT_END                                                             \
	{                                                                      \
		.name = NULL                                                   \
	}

/*
 * Parse argv[0..argc) against up to two tables (tables[] NULL-terminated:
 * typically the command's and the global one). Defaults are applied first.
 * Stops at the first non-option argument or "--"; *optind receives its index.
 * Returns 0, 1 for -h/--help, or -EINVAL with msg filled.
 */
int zc_opt_parse(const struct zc_opt *const *tables, int argc, char **argv,
		 int *optind, char *msg, size_t msglen);

/* Was option `name` given among argv's options (before the first
 * argument or "--")? NULL asks for the ZC_OPT_F_QUICK flag. 1 or 0. */
int zc_opt_given(const struct zc_opt *const *tables, int argc, char **argv,
		 const char *name);

/* Apply the table's defaults only (used by tests and dry runs); quick != 0
 * takes the .quick defaults. 0 or -EINVAL. */
int zc_opt_defaults(const struct zc_opt *table, int quick, char *msg,
		    size_t msglen);

/* Print the table as `-h` text: name, metavar, help, unit, default, range. */
void zc_opt_help(FILE *f, const struct zc_opt *table);

/*
 * Parse one list value as `--name` would (for suite files and tests).
 * 0 or -EINVAL with msg.
 */
int zc_opt_parse_list(const struct zc_opt *o, const char *text,
		      struct zc_list *out, char *msg, size_t msglen);

/* Format the current value of option o as text (for recording). */
void zc_opt_format(const struct zc_opt *o, char *buf, size_t len);

/* Name of list item i: the keyword or the number, into buf. */
const char *zc_list_item(const struct zc_opt *o, const struct zc_list *l, int i,
			 char *buf, size_t len);

#endif
