/* SPDX-License-Identifier: MIT */
#ifndef ZC_SHM_H
#define ZC_SHM_H
/*
 * shm — memory for benchmarks: private or shared mappings, touched before
 * use, optionally on huge pages, bound to a NUMA node with libnuma and the
 * binding checked (the kernel may refuse it: containers return EPERM, a
 * missing node EINVAL) and recorded as text, never assumed.
 *
 *	ZC_MEM_PRIVATE	anonymous private mapping (threads of one process)
 *	ZC_MEM_MEMFD	memfd_create + MAP_SHARED: survives fork, fd can be
 *			passed to another process
 *	ZC_MEM_NAMED	shm_open(name, O_CREAT|O_EXCL, 0600) + MAP_SHARED so
 *			an unrelated process can attach; unlinked by zc_mem_free
 *			of the creator (and by zc_mem_unlink_all on a signal)
 *	ZC_MEM_HUGE	ask for huge pages (MAP_HUGETLB, falling back to THP
 *			madvise; what happened is recorded in `pages`)
 *
 * binding: "bound:N" (verified with get_mempolicy on a touched page),
 * "unbound:<ERRNO>" (refused), "local" (node < 0: first touch),
 * "unavailable" (no NUMA support).
 *
 * Errors: 0 or -errno (-ENOMEM, -EEXIST for a named segment that exists,
 * -EINVAL bad arguments, errno of mmap/memfd_create/shm_open).
 */
#include <stddef.h>

#define ZC_MEM_PRIVATE 0u
#define ZC_MEM_MEMFD   1u
#define ZC_MEM_NAMED   2u
#define ZC_MEM_HUGE    4u

struct zc_mem {
	void *p;
	size_t len;
	int fd;	   /* memfd or shm fd; -1 for private */
	int node;  /* requested node, -1 = local */
	int owner; /* created (and will unlink) the named segment */
	unsigned flags;
	char name[64]; /* shm_open name for ZC_MEM_NAMED */
	char binding[48];
	char pages[24]; /* "4k", "2M hugetlb", "thp" */
};

/* Allocate len bytes (rounded up to pages) on node (-1: local). */
int zc_mem_alloc(struct zc_mem *m, size_t len, int node, unsigned flags,
		 const char *name);
/* Attach to an existing named segment (no binding changes). */
int zc_mem_attach(struct zc_mem *m, const char *name, size_t len);
void zc_mem_free(struct zc_mem *m);

/* NUMA node of the page holding p, or -errno. */
int zc_mem_node_of(const void *p);

/*
 * Can this process bind memory to node 0? Writes "bound", "unbound:EPERM"
 * or "unavailable" with an explanation into why. Returns 1 if it can.
 */
int zc_mem_probe_binding(char *why, size_t len);

/* Remove every named segment this process created and still holds
 * (async-signal-safe; for signal handlers and atexit). */
void zc_mem_unlink_all(void);

#endif
