/* SPDX-License-Identifier: MIT */
/*
 * zcbench plot DIR — re-render every <name>.gp of a results folder to
 * <name>.png (where gnuplot was missing, or after --no-plot). Only
 * scripts this zcbench sealed are run (lib/seal.h): a folder from
 * someone else runs none of their code.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builtin.h"
#include "seal.h"

static const struct zc_opt plot_opts[] = {ZC_OPT_END};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_plot(int argc, char **argv, struct zc_ctx *ctx)
{
	char **pv, *names[256], msg[1024];
	int rc, n = 0, done = 0, failed = 0;
	struct dirent *e;
	struct stat st;
	DIR *d;

	rc = zc_cmd_parse(ctx, plot_opts, argc, argv);
	if (rc == ZC_DONE)
		printf("\narguments: DIR   a results folder; each <name>.gp in "
		       "it is rendered to <name>.png\n");
	if (rc)
		return rc;
	pv = ctx->pos;
	if (stat(pv[0], &st) < 0)
		return zc_usage(ctx, "'%s': %s", pv[0],
				errno == ENOENT ? "no such folder"
						: strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return zc_usage(ctx, "'%s' is not a folder", pv[0]);
	d = opendir(pv[0]);
	if (!d)
		return zc_error(ctx, "cannot read '%s': %s", pv[0],
				strerror(errno));
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 4 ||
		    strcmp(e->d_name + l - 3, ".gp"))
			continue;
		names[n] = strndup(e->d_name, l - 3);
		if (!names[n])
			break;
		n++;
	}
	closedir(d);
	if (n == 0)
		return zc_error(ctx, "no plots (*.gp) in '%s'", pv[0]);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_name);
	if (!zc_plot_available()) {
		zc_error(ctx,
			 "gnuplot is not installed: cannot render %d plot(s) "
			 "(apt-get install gnuplot-nox)",
			 n);
		rc = ZC_EXIT_SKIP;
		goto out;
	}
	for (int i = 0; i < n && !zc_stopped(); i++) {
		char gp[300];
		int err;
		snprintf(gp, sizeof(gp), "%s.gp", names[i]);
		if (zc_seal_check(pv[0], gp, msg, sizeof(msg)) < 0) {
			zc_error(ctx,
				 "refusing %s: %s (render it with 'gnuplot "
				 "%s' yourself if you trust it)",
				 gp, msg, gp);
			failed++;
			continue;
		}
		err = zc_plot_render(pv[0], names[i], msg, sizeof(msg));
		if (err < 0) {
			zc_error(ctx, "cannot render %s.png: %s", names[i],
				 err == -EIO ? msg : strerror(-err));
			failed++;
			continue;
		}
		printf("%s/%s.png\n", pv[0], names[i]);
		done++;
	}
	fprintf(stderr, "zcbench plot: %d of %d plot(s) rendered in %s\n", done,
		n, pv[0]);
	rc = failed ? ZC_EXIT_FAIL : ZC_EXIT_OK;
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

const struct zc_command zc_cmd_plot = {
	.name = "plot",
	.summary = "re-render every plot of a results folder",
	.what = "re-renders every plot of a results folder",
	.args = "DIR",
	.min_args = 1,
	.max_args = 1,
	.flags = ZC_CMD_NO_GLOBALS | ZC_CMD_NO_SUITE,
	.fn = cmd_plot,
	.opts = plot_opts,
};
