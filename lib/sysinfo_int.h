/* SPDX-License-Identifier: MIT */
#ifndef ZC_SYSINFO_INT_H
#define ZC_SYSINFO_INT_H
/*
 * Internal to lib/: what sysinfo.c and meta.c share. Not for commands or
 * tests (sysinfo.h is the interface).
 */
#include <stddef.h>

/* src into dst (len bytes), trimmed, with every byte that is not
 * printable ASCII replaced by '?': fit for JSON and terminals. */
void zc_sysinfo_copy(char *dst, size_t len, const char *src);

#endif
