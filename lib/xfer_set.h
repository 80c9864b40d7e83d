/* SPDX-License-Identifier: MIT */
#ifndef ZC_XFER_SET_H
#define ZC_XFER_SET_H
/*
 * xfer_set — the senders a file-to-socket sweep compares: every method of
 * lib/xfer.h asked for, with every buffer size when the method takes one
 * (ZC_XFER_BUFFERED), each named ("read-send/64k", "sendfile"), one of
 * them the baseline; and, per file, each one's struct zc_xfer made ready,
 * or the reason it cannot be.
 *
 * Usage:
 *	struct zc_xfer_set s;
 *	zc_xfer_set_build(&s, methods, nm, buffers, nb, "read-send", 65536);
 *	per file:
 *		zc_xfer_set_init(&s, fd, size, pipe_bytes); (a short pipe?)
 *		per variant v: s.ok[v] ? send with s.xf[v] : skip, s.why[v];
 *		zc_xfer_set_release(&s);	(a no-op when nothing is ready)
 *
 * Names: the method, then the buffer in m (whole MiB), k (whole KiB) or
 * bytes: "read-send/1m", "read-send/64k", "read-write/1000"; the buffer
 * as a case key or column value: "65536", "-" when the method takes none.
 *
 * Limitations: at most ZC_XFER_SET_MAX variants; the rest are left out.
 *
 * Errors: none returned: a variant that cannot be prepared for the file
 * has ok[v] 0 and why[v] from zc_xfer_init (its -errno is not kept).
 */
#include <stddef.h>
#include <stdint.h>

#include "xfer.h"

#define ZC_XFER_SET_MAX 32

/* A sender method with its buffer (0: the method takes none). */
struct zc_xfer_variant {
	const struct zc_xfer_method *m;
	size_t buffer;
	char name[32];	     /* "read-send/64k", "sendfile" */
	char buffer_key[24]; /* "65536", "-" */
};

struct zc_xfer_set {
	struct zc_xfer_variant var[ZC_XFER_SET_MAX];
	int n, base; /* base: the baseline's index, -1 when none */
	/* for the current file (zc_xfer_set_init) */
	struct zc_xfer xf[ZC_XFER_SET_MAX];
	int ok[ZC_XFER_SET_MAX];		/* xf[v] is ready */
	char why[ZC_XFER_SET_MAX][ZC_XFER_WHY]; /* when not: why */
};

/*
 * Every method methods[0..nm) (indices in zc_xfer_methods[]) with every
 * buffer buffers[0..nb) when it is buffered, else once with none, in that
 * order. The baseline is base_method with base_buffer when that is one
 * of the buffers, else with the largest (none when base_method is not
 * among the methods). Clears everything else in s.
 */
void zc_xfer_set_build(struct zc_xfer_set *s, const long long *methods, int nm,
		       const long long *buffers, int nb,
		       const char *base_method, long long base_buffer);

/* zc_xfer_init of every variant for bytes [0, size) of file, splice with
 * a pipe of pipe_bytes asked for; ok and why say which are ready. The
 * smallest pipe a ready variant got when the kernel gave less than asked
 * (xf[v].pipe_got), else 0. */
size_t zc_xfer_set_init(struct zc_xfer_set *s, int file, uint64_t size,
			size_t pipe_bytes);

/*
 * What the kernel did with the zero-copy sends of variant v's last run
 * (xf[v].zc_reports, zc_copied): the % of them it completed without
 * copying, NAN when it reported none; *note (note may be NULL)
 * "zero-copy", "partly copied", "kernel copied (no zero-copy)", or NULL
 * when it reported none.
 */
double zc_xfer_set_zc(const struct zc_xfer_set *s, int v, const char **note);

/* Release the ready ones; none is ready after. */
void zc_xfer_set_release(struct zc_xfer_set *s);

#endif
