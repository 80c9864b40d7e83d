/* SPDX-License-Identifier: MIT */
#ifndef ZC_MDREPORT_H
#define ZC_MDREPORT_H
/*
 * mdreport — report.md for a suite run (`zcbench run`): the machine, what
 * makes its numbers noisy (doctor's checks), the headline ratios, the host
 * placement regimes seen (with regimes.png, the sentinel over time), the
 * suite's lines, and per command what it measures, why it matters, its
 * table (<cmd>.txt), metrics, plots and files.
 *
 * The facts about each command come from the caller (cmd/'s command
 * table), the figures from the results folder itself (rset.h), so the
 * report says only what the files hold. Written atomically.
 *
 * Errors: 0 or -errno from writing report.md or regimes.gp (the report is
 * still written when regimes.gp cannot be; msg says which failed); a
 * results folder that cannot be read gives a report without figures and
 * a message in msg.
 */
#include <stddef.h>
#include "sysinfo.h"

/* A headline ratio: metric `metric` of the cases whose parameter `key`
 * has `value`. */
struct zc_headline {
	const char *metric, *key, *value, *text;
};

/* What a command measures and why it matters, and its headlines. */
struct zc_md_about {
	const char *name, *what, *why;
	const struct zc_headline *headlines; /* {NULL}-terminated or NULL */
};

/* One line of the suite and how it went. */
struct zc_md_line {
	int lineno;
	const char *cmd, *text;
	const char *status; /* "ok", "failed", "not run" ... */
	int ran;
	double seconds;
};

struct zc_md_run {
	const char *dir; /* the results folder */
	const char *suite_name, *suite_path;
	double start;	/* Unix time the suite started */
	double seconds; /* how long it ran */
	int stopped;	/* interrupted */
	const struct zc_sysinfo *si;
	const struct zc_md_about *about;
	int nabout;
	const struct zc_md_line *lines;
	int nlines;
};

int zc_mdreport_write(const struct zc_md_run *run, char *msg, size_t len);

#endif
