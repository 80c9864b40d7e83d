/* SPDX-License-Identifier: MIT */
/*
 * fuzz_opt — the option parser over the real command tables.
 * Input: lines; the first names the command, each further line is one
 * word of its command line. The words go through what zc_cmd_parse does
 * before it acts: positional arguments taken out (zc_args_split), the
 * command's table and the global one parsed (zc_opt_parse), every value
 * recorded (zc_opt_format); each word is also parsed as a CPU list.
 * Invariants: an error has a message; a parsed list holds no value twice
 * and every number within the option's range.
 */
#include <math.h>
#include <stdio.h>

#include "builtin.h"
#include "fuzz.h"
#include "report.h"

#define MAX_WORDS 64

static const struct zc_opt empty[] = {ZC_OPT_END};

static void check_value(const struct zc_opt *o)
{
	char buf[4096], item[64];

	if (!o->dest)
		return;
	zc_opt_format(o, buf, sizeof(buf));
	switch (o->type) {
	case ZC_OPT_TINT: {
		long long v = *(long long *)o->dest;
		ZC_FUZZ_CHECK(!o->def || (v >= o->min && v <= o->max));
		break;
	}
	case ZC_OPT_TDOUBLE: {
		double v = *(double *)o->dest;
		ZC_FUZZ_CHECK(!o->def ||
			      (isfinite(v) && v >= o->dmin && v <= o->dmax));
		break;
	}
	case ZC_OPT_TLIST:
	case ZC_OPT_TCHOICES: {
		const struct zc_list *l = o->dest;
		ZC_FUZZ_CHECK(l->n >= 0 && l->n <= ZC_LIST_MAX);
		for (int i = 0; i < l->n; i++) {
			zc_list_item(o, l, i, item, sizeof(item));
			if (l->word[i] < 0)
				ZC_FUZZ_CHECK(l->v[i] >= o->min &&
					      l->v[i] <= o->max &&
					      (o->multiple <= 1 ||
					       l->v[i] % o->multiple == 0));
			for (int j = 0; j < i; j++)
				ZC_FUZZ_CHECK(l->v[i] != l->v[j] ||
					      l->word[i] != l->word[j]);
		}
		break;
	}
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *argv[MAX_WORDS + 1], *optv[MAX_WORDS + 1],
		*pos[MAX_WORDS + 1], msg[512], **words = argv;
	const struct zc_opt *tables[3] = {NULL, NULL, NULL};
	const struct zc_command *c;
	int argc = 0, nopt, npos, first = 0, err, cpus[ZC_TOPO_MAX_THREADS];

	if (size > 8192 || !(text = zc_fuzz_text(data, size)))
		return 0;
	for (char *p = text; argc < MAX_WORDS;) {
		char *nl = strchr(p, '\n');
		argv[argc++] = p;
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	argv[argc] = NULL;
	c = zc_command_find(argv[0]);
	if (!c)
		goto out;
	tables[0] = zc_command_opts(c) ? zc_command_opts(c) : empty;
	if (!(c->flags & ZC_CMD_NO_GLOBALS))
		tables[1] = zc_global_opts;
	nopt = argc;
	if (c->args) {
		zc_args_split(tables, argc, argv, &nopt, optv, &npos, pos);
		ZC_FUZZ_CHECK(nopt + npos >= argc - 1 && nopt + npos <= argc &&
			      optv[nopt] == NULL && pos[npos] == NULL);
		words = optv;
	}
	msg[0] = 0;
	err = zc_opt_parse(tables, nopt - 1, words + 1, &first, msg,
			   sizeof(msg));
	ZC_FUZZ_CHECK(err == 0 || err == 1 || (err == -EINVAL && msg[0]));
	if (err == 0) {
		ZC_FUZZ_CHECK(first >= 0 && first <= nopt - 1);
		for (int t = 0; tables[t]; t++)
			for (const struct zc_opt *o = tables[t]; o->name; o++)
				check_value(o);
	}
	for (int i = 1; i < argc; i++) {
		int n = zc_topo_parse_cpus(argv[i], cpus, ZC_TOPO_MAX_THREADS);
		ZC_FUZZ_CHECK(n == -EINVAL ||
			      (n > 0 && n <= ZC_TOPO_MAX_THREADS));
		for (int j = 0; j < n; j++)
			ZC_FUZZ_CHECK(cpus[j] >= 0);
	}
out:
	free(text);
	return 0;
}
