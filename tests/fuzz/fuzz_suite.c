/* SPDX-License-Identifier: MIT */
/*
 * fuzz_suite — suite files and the words of an invocation: zc_suite_parse
 * on the input, zc_words_split on it whole, and each line's options told
 * apart from its arguments with its command's tables (zc_args_split), as
 * `zcbench run` does before it checks a line.
 * Invariants: an error has a message; lines are numbered in order, hold
 * 1..ZC_SUITE_MAX_WORDS words, NULL-terminated.
 */
#include <errno.h>
#include <stdio.h>

#include "builtin.h"
#include "fuzz.h"
#include "report.h"

static const struct zc_opt empty[] = {ZC_OPT_END};

static void split_line(const struct zc_suite_line *l)
{
	const struct zc_command *c = zc_command_find(l->argv[0]);
	const struct zc_opt *tables[3] = {empty, zc_global_opts, NULL};
	char *opts[ZC_SUITE_MAX_WORDS + 1], *pos[ZC_SUITE_MAX_WORDS + 1];
	int no, np;

	if (c && zc_command_opts(c))
		tables[0] = zc_command_opts(c);
	zc_args_split(tables, l->argc, l->argv, &no, opts, &np, pos);
	ZC_FUZZ_CHECK(no + np >= l->argc - 1 && no + np <= l->argc &&
		      opts[0] == l->argv[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zc_suite *s;
	char *text, err[256] = "";
	char **words;
	int n, rc, last = 0;

	if (size > 65536 || !(text = zc_fuzz_text(data, size)))
		return 0;
	s = malloc(sizeof(*s));
	if (!s)
		goto out;
	rc = zc_suite_parse(s, "fuzz.suite", text);
	ZC_FUZZ_CHECK(rc == 0 || rc == -ENOMEM ||
		      ((rc == -EINVAL || rc == -E2BIG) && s->err[0]));
	for (int i = 0; rc == 0 && i < s->n; i++) {
		const struct zc_suite_line *l = &s->line[i];
		ZC_FUZZ_CHECK(l->lineno > last && l->argc >= 1 &&
			      l->argc <= ZC_SUITE_MAX_WORDS &&
			      l->argv[l->argc] == NULL);
		last = l->lineno;
		split_line(l);
	}
	if (rc == 0)
		zc_suite_release(s);
	free(s);
	rc = zc_words_split(text, &n, &words, err, sizeof(err));
	ZC_FUZZ_CHECK(rc == 0 || rc == -ENOMEM || err[0]);
	if (rc == 0) {
		ZC_FUZZ_CHECK(n >= 0 && n <= ZC_SUITE_MAX_WORDS && !words[n]);
		zc_words_free(words);
	}
out:
	free(text);
	return 0;
}
