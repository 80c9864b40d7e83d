/* SPDX-License-Identifier: MIT */
/*
 * Description: suite files: words, quotes, comments, line numbers, errors;
 *   options split from positional arguments
 * Labels: unit
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report.h"

static void test_words(void)
{
	char err[200], **v;
	int n;

	CHECK(zc_words_split("  falseshare --quick\t--repeat 5 # comment", &n,
			     &v, err, sizeof(err)) == 0);
	CHECK(n == 4 && !strcmp(v[0], "falseshare") && !strcmp(v[3], "5") &&
	      v[4] == NULL);
	zc_words_free(v);

	CHECK(zc_words_split("ring --topology synthetic:\"pack:2 core:8\" "
			     "'a b'c \"q\\\"x\" x#y",
			     &n, &v, err, sizeof(err)) == 0);
	CHECK(n == 6);
	CHECK(!strcmp(v[2], "synthetic:pack:2 core:8"));
	CHECK(!strcmp(v[3], "a bc"));
	CHECK(!strcmp(v[4], "q\"x"));
	CHECK(!strcmp(v[5], "x#y")); /* '#' starts a comment only at a word */
	zc_words_free(v);

	CHECK(zc_words_split("# only a comment", &n, &v, err, sizeof(err)) ==
	      0);
	CHECK(n == 0);
	zc_words_free(v);

	CHECK(zc_words_split("a 'open", &n, &v, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "unterminated ' quote") != NULL);
	CHECK(zc_words_split("a \"open", &n, &v, err, sizeof(err)) == -EINVAL);
}

static void test_suite(void)
{
	struct zc_suite s;

	CHECK(zc_suite_parse(&s, "experiments/x",
			     "# the x suite\n"
			     "\n"
			     "zcbench falseshare --quick   \n"
			     "   topo # where things are\n"
			     "doctor\n") == 0);
	CHECK(s.n == 3);
	CHECK(!strcmp(s.name, "x"));
	CHECK(s.line[0].lineno == 3 && s.line[0].argc == 2);
	CHECK(!strcmp(s.line[0].argv[0], "falseshare"));
	CHECK(!strcmp(s.line[0].text, "zcbench falseshare --quick"));
	CHECK(s.line[1].lineno == 4 && !strcmp(s.line[1].argv[0], "topo"));
	CHECK(s.line[2].lineno == 5 && s.line[2].argv[1] == NULL);
	zc_suite_release(&s);

	CHECK(zc_suite_parse(&s, "experiments/y",
			     "falseshare\n\nring --size '32\n") == -EINVAL);
	CHECK(!strcmp(s.err, "experiments/y:3: unterminated ' quote"));

	CHECK(zc_suite_parse(&s, "y", "# a\nzcbench   # nothing\n") == -EINVAL);
	CHECK(strstr(s.err, "y:2: 'zcbench' without a command") != NULL);

	CHECK(zc_suite_parse(&s, "empty", "# nothing\n\n") == 0);
	CHECK(s.n == 0);

	CHECK(zc_suite_load(&s, "/nonexistent/suite") == -ENOENT);
	CHECK(zc_suite_load(&s, "/") == -EINVAL); /* not a regular file */
}

static long long n_opt;
static int flag_opt;
static const char *s_opt;
static const struct zc_opt opts[] = {
	ZC_OPT_INT("threshold", "PCT", "%", "5", "t", &n_opt, 0, 100),
	ZC_OPT_FLAG("all", "a", &flag_opt),
	ZC_OPT_STR("json", "FILE", NULL, "j", &s_opt), ZC_OPT_END};

static void test_args(void)
{
	char *argv[] = {"compare", "--threshold", "10",
			"base",	   "--all",	  "--json=x.json",
			"new",	   "--json",	  "y",
			"--",	   "--odd",	  NULL};
	const struct zc_opt *const tables[] = {opts, NULL};
	char *o[12], *p[12];
	int no, np;

	zc_args_split(tables, 11, argv, &no, o, &np, p);
	CHECK(no == 7 && np == 3);
	CHECK(!strcmp(o[0], "compare") && !strcmp(o[2], "10") &&
	      !strcmp(o[4], "--json=x.json") && !strcmp(o[6], "y"));
	CHECK(!strcmp(p[0], "base") && !strcmp(p[1], "new") &&
	      !strcmp(p[2], "--odd"));
	CHECK(o[7] == NULL && p[3] == NULL);
}

int main(void)
{
	test_words();
	test_suite();
	test_args();
	return zc_check_result();
}
