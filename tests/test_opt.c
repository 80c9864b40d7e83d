/* SPDX-License-Identifier: MIT */
/*
 * Description: option tables: defaults, lists with keywords, ranges,
 * multiples, choices, malformed values and the messages naming valid values.
 * Labels: unit
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "check.h"
#include "opt.h"

static struct zc_list stride, ops;
static long long reps;
static double secs;
static int flag, choice;
static const char *dir;
static const struct zc_word local_w[] = {{"local", 0}, {NULL, 0}};
static const struct zc_word op_w[] = {
	{"atomic", 0}, {"store", 1}, {"cas", 2}, {NULL, 0}};
static const struct zc_opt table[] = {
	ZC_OPT_LIST("stride", "LIST", "bytes", "8,64,local", "h", &stride, 8,
		    4096, 8, local_w, .quick = "8,local"),
	ZC_OPT_CHOICES("op", "atomic", "h", &ops, op_w),
	ZC_OPT_INT("repeat", "N", NULL, "5", "h", &reps, 1, 100),
	ZC_OPT_DOUBLE("seconds", "S", "s", "0.5", "h", &secs, 0, 60,
		      .quick = "0.1"),
	ZC_OPT_FLAG("quick", "h", &flag, .flags = ZC_OPT_F_QUICK),
	ZC_OPT_CHOICE("format", "atomic", "h", &choice, op_w),
	ZC_OPT_STR("out", "DIR", NULL, "h", &dir),
	ZC_OPT_END};

static int parse(char *msg, size_t len, int argc, ...)
{
	char *argv[16];
	const struct zc_opt *tables[] = {table, NULL};
	int ind;
	va_list ap;
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	return zc_opt_parse(tables, argc, argv, &ind, msg, len);
}

int main(void)
{
	char msg[512];

	CHECK(parse(msg, sizeof(msg), 0) == 0);
	CHECK(stride.n == 3 && stride.v[0] == 8 && stride.v[2] == 0 &&
	      stride.word[2] == 0 && !stride.given);
	CHECK(reps == 5 && secs == 0.5 && !flag && !dir);
	CHECK(ops.n == 1 && ops.v[0] == 0);

	CHECK(parse(msg, sizeof(msg), 4, "--stride", "128,local", "--op=all",
		    "--quick") == 0);
	CHECK(stride.n == 2 && stride.v[0] == 128 && stride.given);
	CHECK(ops.n == 3 && ops.v[2] == 2 && flag);
	CHECK(secs == 0.1); /* the --quick default */

	/* --quick defaults, wherever --quick stands; a given value wins */
	CHECK(parse(msg, sizeof(msg), 1, "--quick") == 0);
	CHECK(stride.n == 2 && stride.v[0] == 8 && stride.word[1] == 0 &&
	      !stride.given && secs == 0.1);
	CHECK(parse(msg, sizeof(msg), 3, "--seconds", "2", "--quick") == 0);
	CHECK(secs == 2 && stride.n == 2);
	CHECK(parse(msg, sizeof(msg), 2, "--out", "--quick") == 0);
	CHECK(!flag && secs == 0.5 && !strcmp(dir, "--quick"));

	/* decimal numbers only */
	CHECK(parse(msg, sizeof(msg), 2, "--repeat", "010") == 0 && reps == 10);
	CHECK(parse(msg, sizeof(msg), 2, "--repeat", "0x4") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--repeat", " 4") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--repeat", "+4") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--stride", "0x40") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--seconds", "0x1p3") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--seconds", "inf") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--seconds", " 1") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--seconds", "1.") == 0 && secs == 1);
	CHECK(parse(msg, sizeof(msg), 2, "--seconds", ".5e1") == 0 &&
	      secs == 5);
	CHECK(parse(msg, sizeof(msg), 2, "--seconds", "1e") == -EINVAL);

	/* a value named twice is refused, naming it */
	CHECK(parse(msg, sizeof(msg), 2, "--stride", "64,8,64") == -EINVAL);
	CHECKF(strstr(msg, "repeated value '64'"), "%s", msg);
	CHECK(parse(msg, sizeof(msg), 2, "--stride", "local,local") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--op", "all,store") == -EINVAL);
	CHECKF(strstr(msg, "repeated value 'store'"), "%s", msg);

	CHECK(parse(msg, sizeof(msg), 2, "--stride", "0") == -EINVAL);
	CHECKF(strstr(msg, "8..4096") && strstr(msg, "multiples of 8") &&
		       strstr(msg, "local"),
	       "%s", msg);
	CHECK(parse(msg, sizeof(msg), 2, "--stride", "12") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--stride", "8,,64") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--stride", "") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--op", "xor") == -EINVAL);
	CHECKF(strstr(msg, "atomic, store, cas"), "%s", msg);
	CHECK(parse(msg, sizeof(msg), 2, "--repeat", "0") == -EINVAL);
	CHECKF(strstr(msg, "1..100"), "%s", msg);
	CHECK(parse(msg, sizeof(msg), 2, "--repeat", "3x") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 1, "--repeat") == -EINVAL);
	CHECKF(strstr(msg, "needs a value"), "%s", msg);
	CHECK(parse(msg, sizeof(msg), 2, "--seconds", "nan") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--seconds", "61") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 1, "--nope") == -EINVAL);
	CHECKF(strstr(msg, "unknown option '--nope'"), "%s", msg);
	CHECK(parse(msg, sizeof(msg), 1, "-x") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 1, "--quick=1") == -EINVAL);
	CHECK(parse(msg, sizeof(msg), 2, "--format", "store") == 0 &&
	      choice == 1);
	CHECK(parse(msg, sizeof(msg), 1, "-h") == 1);
	CHECK(parse(msg, sizeof(msg), 2, "--out", "x") == 0 &&
	      !strcmp(dir, "x"));
	{
		char buf[128];
		CHECK(parse(msg, sizeof(msg), 2, "--stride", "64,local") == 0);
		zc_opt_format(&table[0], buf, sizeof(buf));
		CHECKF(!strcmp(buf, "64,local"), "%s", buf);
		zc_opt_format(&table[3], buf, sizeof(buf));
		CHECKF(!strcmp(buf, "0.5"), "%s", buf);
	}
	return zc_check_result();
}
