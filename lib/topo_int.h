/* SPDX-License-Identifier: MIT */
#ifndef ZC_TOPO_INT_H
#define ZC_TOPO_INT_H
/*
 * Internal to lib/: what topo_load.c (loading and screening) and topo.c
 * (queries and plans) share. Not for commands or tests (topo.h is the
 * interface).
 */
#include "topo.h"

/* Each PU's signature (its core, caches, node, package), for
 * zc_topo_classify and the plans: 0, -ENOMEM, or -EINVAL with t->err for a
 * PU whose OS index is ZC_TOPO_MAX_OS_INDEX or more or whose cpuset is not
 * its own index alone (see topo.c). */
int zc_topo_build_sigs(struct zc_topo *t);

#endif
