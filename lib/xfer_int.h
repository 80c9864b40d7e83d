/* SPDX-License-Identifier: MIT */
#ifndef ZC_XFER_INT_H
#define ZC_XFER_INT_H
/*
 * Internal to lib/: what xfer.c and xfer_file.c share. Not for commands or
 * tests (xfer.h is the interface).
 */
#include <stddef.h>
#include <stdint.h>

/* The smaller of a and b, as a size_t (a byte count for one call). */
size_t zc_xfer_min_sz(uint64_t a, uint64_t b);

#endif
