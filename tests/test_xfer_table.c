/* SPDX-License-Identifier: MIT */
/*
 * Description: xfer_set names every method x buffer and picks the
 * baseline; xfer_table prints the IBM-style grid, % saved and IBM's figures
 * Labels: unit
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xfer_set.h"
#include "xfer_table.h"

static long long method(const char *name)
{
	return zc_xfer_method_find(name) - zc_xfer_methods;
}

static void test_set(void)
{
	const long long m[] = {method("read-send"), method("sendfile")};
	const long long odd[] = {1000, 2 << 20};
	const long long buf[] = {4096, 65536};
	struct zc_xfer_set s;
	const char *note = "x";

	zc_xfer_set_build(&s, m, 2, buf, 2, "read-send", 65536);
	CHECK(s.n == 3 && s.base == 1);
	CHECK(!strcmp(s.var[0].name, "read-send/4k"));
	CHECK(!strcmp(s.var[1].buffer_key, "65536"));
	CHECK(!strcmp(s.var[2].name, "sendfile"));
	CHECK(!strcmp(s.var[2].buffer_key, "-") && s.var[2].buffer == 0);
	/* 65536 not among them: the largest buffer is the baseline's */
	zc_xfer_set_build(&s, m, 2, odd, 2, "read-send", 65536);
	CHECK(s.base == 1 && !strcmp(s.var[1].name, "read-send/2m"));
	CHECK(!strcmp(s.var[0].name, "read-send/1000"));
	zc_xfer_set_build(&s, m + 1, 1, buf, 2, "read-send", 65536);
	CHECK(s.n == 1 && s.base == -1);
	CHECK(isnan(zc_xfer_set_zc(&s, 0, &note)) && note == NULL);
	s.xf[0].zc_reports = 4;
	s.xf[0].zc_copied = 1;
	CHECK(zc_xfer_set_zc(&s, 0, &note) == 75 &&
	      !strcmp(note, "partly copied"));
	s.xf[0].zc_copied = 4;
	CHECK(zc_xfer_set_zc(&s, 0, &note) == 0 &&
	      !strcmp(note, "kernel copied (no zero-copy)"));
	zc_xfer_set_release(&s); /* nothing ready: a no-op */
}

static char *print(const struct zc_xfer_table *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	zc_xfer_table_print(f, t);
	fclose(f);
	return text;
}

static void test_table(void)
{
	const long long m[] = {method("read-send"), method("sendfile")};
	const long long buf[] = {4096, 65536}, mib[] = {7, 5};
	const double ms[] = {5.2, 3.1, 1.55, NAN, NAN, 2};
	struct zc_xfer_set s;
	struct zc_xfer_table t = {
		"TCP loopback, page cache hot", &s, "read-send", mib, 2, ms};
	char *text;

	zc_xfer_set_build(&s, m, 2, buf, 2, "read-send", 65536);
	text = print(&t);
	CHECK(text != NULL);
	CHECKF(text && !strcmp(text,
			       "\nIBM-style table: TCP loopback, page cache "
			       "hot: ms per transfer (median) and % saved "
			       "against read-send/64k\n"
			       "size MiB     read-send/4k  read-send/64k"
			       "       sendfile  | IBM 2.6: read  sendfile\n"
			       "7               5.2  -68%            3.1"
			       "      1.6  +50%  |           156        45\n"
			       "5                       -              -"
			       "            2.0\n"),
	       "got:\n%s", text);
	free(text);
	/* no baseline; sizes IBM never measured: no IBM columns */
	zc_xfer_set_build(&s, m + 1, 1, buf, 2, "read-send", 65536);
	t.mib = mib + 1;
	t.nsize = 1;
	text = print(&t);
	CHECKF(text && !strcmp(text,
			       "\nIBM-style table: TCP loopback, page cache "
			       "hot: ms per transfer (median); no read-send "
			       "baseline in this run\n"
			       "size MiB         sendfile\n"
			       "5                     5.2\n"),
	       "got:\n%s", text);
	free(text);
}

int main(void)
{
	test_set();
	test_table();
	return zc_check_result();
}
