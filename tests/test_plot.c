/* SPDX-License-Identifier: MIT */
/*
 * Description: gnuplot scripts: write, render to PNG, failure and no-gnuplot
 * paths Labels: unit
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "plot.h"

static char dir[256];

static void put(const char *name, const char *text)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static long file_size(const char *name)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) < 0 ? -1 : (long)st.st_size;
}

static int is_png(const char *name)
{
	static const unsigned char magic[8] = {0x89, 'P',  'N',	 'G',
					       '\r', '\n', 0x1a, '\n'};
	unsigned char buf[8];
	char path[512];
	FILE *f;
	size_t n;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == sizeof(buf) && !memcmp(buf, magic, sizeof(magic)) &&
	       file_size(name) > 100;
}

/* Temporary files left in the folder (names with ".tmp."). */
static int temps(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static char *slurp(const char *name)
{
	static char buf[16384];
	char path[512];
	FILE *f;
	size_t n;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static const char csv[] =
	"op,stride,threads,ns_per_op_median,ns_per_op_min,ns_per_op_max\n"
	"atomic,8,2,40.5,39,42\n"
	"plain,8,2,12,11,13.5\n"
	"atomic,64,2,6.1,6,6.3\n"
	"plain,64,2,2.2,2.1,2.4\n"
	"atomic,128,2,6,5.9,6.2\n"
	"plain,128,2,2.1,2,2.3\n"
	"atomic,local,2,5.8,5.7,6\n"
	"plain,local,2,2,1.9,2.1\n";

static void base_plot(struct zc_plot *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->csv, sizeof(p->csv), "fs.csv");
	snprintf(p->title, sizeof(p->title), "False sharing: it's \"packed\"");
	snprintf(p->subtitle, sizeof(p->subtitle),
		 "lower is better; 2 threads");
	snprintf(p->xlabel, sizeof(p->xlabel), "stride (bytes)");
	snprintf(p->ylabel, sizeof(p->ylabel), "ns per op");
	snprintf(p->xcol, sizeof(p->xcol), "stride");
	snprintf(p->ycol, sizeof(p->ycol), "ns_per_op_median");
	snprintf(p->ylo, sizeof(p->ylo), "ns_per_op_min");
	snprintf(p->yhi, sizeof(p->yhi), "ns_per_op_max");
	p->logy = 1;
}

/* Run `gnuplot name.gp` in the folder, as a user would. */
static int plain_gnuplot(const char *gp)
{
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		if (chdir(dir) == 0)
			execlp("gnuplot", "gnuplot", gp, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_series(void)
{
	struct zc_plot p;
	memset(&p, 0, sizeof(p));
	CHECK(zc_plot_add_series(&p, "a", "op", "atomic", NULL) != NULL);
	CHECK(p.nseries == 1 && p.series[0].nfilter == 1);
	CHECK(!strcmp(p.series[0].filter[0].val, "atomic"));
	CHECK(zc_plot_add_series(&p, "all", NULL) != NULL);
	CHECK(p.series[1].nfilter == 0);
	/* Five pairs do not fit. */
	CHECK(zc_plot_add_series(&p, "x", "a", "1", "b", "2", "c", "3", "d",
				 "4", "e", "5", NULL) == NULL);
	CHECK(p.nseries == 2);
	p.nseries = ZC_PLOT_MAX_SERIES;
	CHECK(zc_plot_add_series(&p, "full", NULL) == NULL);
}

static void test_write_invalid(void)
{
	struct zc_plot p;
	base_plot(&p, "bad/name");
	zc_plot_add_series(&p, "a", "op", "atomic", NULL);
	CHECK(zc_plot_write(dir, &p) == -EINVAL);
	base_plot(&p, "noseries");
	CHECK(zc_plot_write(dir, &p) == -EINVAL);
	CHECK(file_size("noseries.gp") < 0);
}

static void test_numeric(void)
{
	struct zc_plot p;
	char err[512], *gp;

	base_plot(&p, "fs");
	zc_plot_add_series(&p, "atomic", "op", "atomic", "threads", "2", NULL);
	zc_plot_add_series(&p, "plain", "op", "plain", "threads", "2", NULL);
	/* A series without rows is left out; the plot still renders. */
	zc_plot_add_series(&p, "none", "op", "nosuch", NULL);
	snprintf(p.extra, sizeof(p.extra),
		 "set arrow from 64, graph 0 to 64, graph 1 nohead dt 2");
	p.logx = 1;
	CHECK(zc_plot_write(dir, &p) == 0);
	gp = slurp("fs.gp");
	CHECK(gp != NULL);
	if (gp) {
		CHECK(strstr(gp, "set datafile separator \",\"") != NULL);
		CHECK(strstr(gp, "set datafile columnheaders") != NULL);
		CHECK(strstr(gp, "pngcairo size 900,560 noenhanced font "
				 "\"DejaVu Sans,10\"") != NULL);
		CHECK(strstr(gp, "strcol('op') eq 'atomic'") != NULL);
		CHECK(strstr(gp, "yerrorlines") != NULL);
		CHECK(strstr(gp, "'fs.csv'") != NULL);
		CHECK(strstr(gp, "it''s") != NULL);
		CHECK(strstr(gp, "set arrow from 64") != NULL);
		CHECK(strstr(gp, "set logscale x") != NULL);
	}
	CHECK(temps() == 0);
	CHECK(zc_plot_render(dir, "fs", err, sizeof(err)) == 0);
	if (err[0])
		fprintf(stderr, "gnuplot said: %s\n", err);
	CHECK(is_png("fs.png"));
	CHECK(temps() == 0);

	/* The script stands alone: plain gnuplot in the folder re-renders. */
	CHECK(unlink(strcat(strcpy(err, dir), "/fs.png")) == 0);
	CHECK(plain_gnuplot("fs.gp") == 0);
	CHECK(is_png("fs.png"));
	CHECK(temps() == 0);
}

static void test_categorical(void)
{
	static const char *const cats[] = {"8", "64", "128", "local"};
	struct zc_plot p;
	char err[512];

	base_plot(&p, "cat");
	p.ncats = 4;
	for (int i = 0; i < 4; i++)
		snprintf(p.cats[i], sizeof(p.cats[i]), "%s", cats[i]);
	p.points_only = 1;
	p.subtitle[0] = 0;
	zc_plot_add_series(&p, "atomic", "op", "atomic", NULL);
	zc_plot_add_series(&p, "plain", "op", "plain", NULL);
	CHECK(zc_plot_write(dir, &p) == 0);
	CHECK(strstr(slurp("cat.gp"), "'local' 3") != NULL);
	CHECK(strstr(slurp("cat.gp"), "yerrorbars") != NULL);
	CHECK(zc_plot_render(dir, "cat", err, sizeof(err)) == 0);
	CHECK(is_png("cat.png"));

	/* No error bars, no filter: one series of all rows. */
	base_plot(&p, "all");
	p.ylo[0] = p.yhi[0] = 0;
	zc_plot_add_series(&p, "everything", NULL);
	CHECK(zc_plot_write(dir, &p) == 0);
	CHECK(strstr(slurp("all.gp"), "linespoints") != NULL);
	CHECK(zc_plot_render(dir, "all", err, sizeof(err)) == 0);
	CHECK(is_png("all.png"));
	CHECK(temps() == 0);
}

static void test_broken(void)
{
	struct zc_plot p;
	char err[512];

	base_plot(&p, "broken");
	snprintf(p.ycol, sizeof(p.ycol), "no_such_column");
	zc_plot_add_series(&p, "atomic", "op", "atomic", NULL);
	CHECK(zc_plot_write(dir, &p) == 0);
	CHECK(zc_plot_render(dir, "broken", err, sizeof(err)) == -EIO);
	CHECK(err[0] != 0);
	fprintf(stderr, "expected failure, gnuplot said: %s\n", err);
	CHECK(file_size("broken.png") < 0);
	CHECK(temps() == 0);

	/* A script with a syntax error. */
	put("syntax.gp", "set terminal pngcairo\nset output ARG1\n"
			 "plot sin(x) with nosuchstyle\n");
	CHECK(zc_plot_render(dir, "syntax", err, sizeof(err)) == -EIO);
	CHECK(file_size("syntax.png") < 0);
	CHECK(temps() == 0);

	/* No script at all is a caller's mistake, not a missing gnuplot. */
	CHECK(zc_plot_render(dir, "missing", err, sizeof(err)) == -EINVAL);
}

static void test_no_gnuplot(void)
{
	char empty[300], err[512], *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;

	snprintf(empty, sizeof(empty), "%s/emptybin", dir);
	CHECK(mkdir(empty, 0700) == 0);
	setenv("PATH", empty, 1);
	put("nog.gp", "set terminal pngcairo\nset output ARG1\nplot x\n");
	CHECK(!zc_plot_available());
	CHECK(zc_plot_render(dir, "nog", err, sizeof(err)) == -ENOENT);
	CHECK(file_size("nog.png") < 0);
	CHECK(temps() == 0);
	if (saved)
		setenv("PATH", saved, 1);
	else
		unsetenv("PATH");
	free(saved);
	rmdir(empty);
}

static void cleanup(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' &&
		    (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "%s/zc-plot-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	put("fs.csv", csv);
	test_series();
	test_write_invalid();
	test_no_gnuplot();
	if (!zc_plot_available()) {
		fprintf(stderr,
			"gnuplot is not installed: rendering not tested\n");
		cleanup();
		return zc_check_failures ? 1 : 77;
	}
	test_numeric();
	test_categorical();
	test_broken();
	if (getenv("ZC_KEEP"))
		fprintf(stderr, "kept %s\n", dir);
	else
		cleanup();
	return zc_check_result();
}
