/* SPDX-License-Identifier: MIT */
/*
 * xfer_set — sender methods x buffers, named, with a baseline; their
 * senders for one file at a time.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "xfer_set.h"

#define MIB (1ull << 20)

/* "read-send/64k", "sendfile": the method, and its buffer in k or m;
 * the buffer as a key. */
static void variant_name(struct zc_xfer_variant *v)
{
	size_t b = v->buffer;
	const char *m = v->m->name;

	snprintf(v->buffer_key, sizeof(v->buffer_key), b ? "%zu" : "-", b);
	if (!b)
		snprintf(v->name, sizeof(v->name), "%s", m);
	else if (b % MIB == 0)
		snprintf(v->name, sizeof(v->name), "%s/%zum", m, b >> 20);
	else if (b % 1024 == 0)
		snprintf(v->name, sizeof(v->name), "%s/%zuk", m, b >> 10);
	else
		snprintf(v->name, sizeof(v->name), "%s/%zu", m, b);
}

void zc_xfer_set_build(struct zc_xfer_set *s, const long long *methods, int nm,
		       const long long *buffers, int nb,
		       const char *base_method, long long base_buffer)
{
	long long base = -1;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < nb; i++)
		if (buffers[i] == base_buffer || base < 0 ||
		    (base != base_buffer && buffers[i] > base))
			base = buffers[i];
	s->base = -1;
	for (int i = 0; i < nm; i++) {
		const struct zc_xfer_method *m = &zc_xfer_methods[methods[i]];
		int n = m->flags & ZC_XFER_BUFFERED ? nb : 1;
		for (int k = 0; k < n && s->n < ZC_XFER_SET_MAX; k++) {
			struct zc_xfer_variant *v = &s->var[s->n];
			v->m = m;
			v->buffer = m->flags & ZC_XFER_BUFFERED
					    ? (size_t)buffers[k]
					    : 0;
			variant_name(v);
			if (!strcmp(m->name, base_method) &&
			    (long long)v->buffer == base)
				s->base = s->n;
			s->n++;
		}
	}
}

size_t zc_xfer_set_init(struct zc_xfer_set *s, int file, uint64_t size,
			size_t pipe_bytes)
{
	size_t shortest = 0;

	for (int v = 0; v < s->n; v++) {
		struct zc_xfer *x = &s->xf[v];
		int e = zc_xfer_init(x, s->var[v].m, file, size,
				     s->var[v].buffer, pipe_bytes);
		s->ok[v] = e == 0;
		if (e < 0)
			snprintf(s->why[v], sizeof(s->why[v]), "%s", x->why);
		else if (x->pipe_got && x->pipe_got < pipe_bytes &&
			 (!shortest || x->pipe_got < shortest))
			shortest = x->pipe_got;
	}
	return shortest;
}

double zc_xfer_set_zc(const struct zc_xfer_set *s, int v, const char **note)
{
	const struct zc_xfer *x = &s->xf[v];
	uint64_t zc = x->zc_reports - x->zc_copied;

	if (note)
		*note = !x->zc_reports	      ? NULL
			: zc == 0	      ? "kernel copied (no zero-copy)"
			: zc == x->zc_reports ? "zero-copy"
					      : "partly copied";
	return x->zc_reports ? 100.0 * (double)zc / (double)x->zc_reports : NAN;
}

void zc_xfer_set_release(struct zc_xfer_set *s)
{
	for (int v = 0; v < s->n; v++)
		if (s->ok[v]) {
			zc_xfer_release(&s->xf[v]);
			s->ok[v] = 0;
		}
}
