/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <numaif.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm.h"

/*
 * Named segments this process created, so a signal handler can unlink them
 * (unlink(2) on /dev/shm is async-signal-safe; shm_unlink is not listed).
 */
#define MAX_NAMED 32
static char named[MAX_NAMED][64 + 9];
static volatile sig_atomic_t named_used[MAX_NAMED];

static void named_add(const char *name)
{
	for (int i = 0; i < MAX_NAMED; i++)
		if (!named_used[i]) {
			snprintf(named[i], sizeof(named[i]), "/dev/shm%s",
				 name);
			named_used[i] = 1;
			return;
		}
}

static void named_del(const char *name)
{
	char path[sizeof(named[0])];
	snprintf(path, sizeof(path), "/dev/shm%s", name);
	for (int i = 0; i < MAX_NAMED; i++)
		if (named_used[i] && !strcmp(named[i], path))
			named_used[i] = 0;
}

void zc_mem_unlink_all(void)
{
	for (int i = 0; i < MAX_NAMED; i++)
		if (named_used[i]) {
			unlink(named[i]);
			named_used[i] = 0;
		}
}

int zc_mem_node_of(const void *p)
{
	int node = -1;
	if (get_mempolicy(&node, NULL, 0, (void *)p,
			  MPOL_F_NODE | MPOL_F_ADDR) < 0)
		return -errno;
	return node;
}

static size_t page_round(size_t len, size_t page)
{
	return (len + page - 1) / page * page;
}

/* Bind [p, p+len) to node and check where a touched page landed. */
static void bind_node(struct zc_mem *m, int node)
{
	unsigned long mask[16] = {0};
	int where;

	if (node < 0) {
		snprintf(m->binding, sizeof(m->binding), "local");
		return;
	}
	if (numa_available() < 0) {
		snprintf(m->binding, sizeof(m->binding), "unavailable");
		return;
	}
	if (node >= (int)(sizeof(mask) * 8) || node > numa_max_node()) {
		snprintf(m->binding, sizeof(m->binding),
			 "unbound:EINVAL (no node %d)", node);
		return;
	}
	mask[node / (8 * sizeof(long))] |= 1ul << (node % (8 * sizeof(long)));
	if (mbind(m->p, m->len, MPOL_BIND, mask, sizeof(mask) * 8,
		  MPOL_MF_STRICT | MPOL_MF_MOVE) < 0) {
		snprintf(m->binding, sizeof(m->binding), "unbound:%s",
			 errno == EPERM	   ? "EPERM"
			 : errno == EINVAL ? "EINVAL"
			 : errno == EIO	   ? "EIO"
					   : strerror(errno));
		return;
	}
	*(volatile char *)m->p = *(volatile char *)m->p;
	where = zc_mem_node_of(m->p);
	if (where == node)
		snprintf(m->binding, sizeof(m->binding), "bound:%d", node);
	else
		snprintf(m->binding, sizeof(m->binding), "unbound:on node %d",
			 where);
}

int zc_mem_alloc(struct zc_mem *m, size_t len, int node, unsigned flags,
		 const char *name)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int mflags = MAP_PRIVATE | MAP_ANONYMOUS, err;
	int huge = (flags & ZC_MEM_HUGE) != 0;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->node = node;
	m->flags = flags;
	if (len == 0 ||
	    ((flags & ZC_MEM_NAMED) &&
	     (!name || name[0] != '/' || strlen(name) >= sizeof(m->name))))
		return -EINVAL;
	m->len = page_round(len, huge ? 2u << 20 : page);
	snprintf(m->pages, sizeof(m->pages), "4k");

	if (flags & ZC_MEM_NAMED) {
		m->fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (m->fd < 0)
			return -errno;
		snprintf(m->name, sizeof(m->name), "%s", name);
		m->owner = 1;
		named_add(name);
	} else if (flags & ZC_MEM_MEMFD) {
		m->fd = memfd_create("zcbench",
				     MFD_CLOEXEC | (huge ? MFD_HUGETLB : 0));
		if (m->fd < 0 && huge) {
			huge = 0;
			m->len = page_round(len, page);
			m->fd = memfd_create("zcbench", MFD_CLOEXEC);
		}
		if (m->fd < 0)
			return -errno;
	}
	if (m->fd >= 0) {
		if (ftruncate(m->fd, (off_t)m->len) < 0) {
			err = -errno;
			goto fail;
		}
		mflags = MAP_SHARED;
	}
	m->p = MAP_FAILED;
	if (huge && m->fd < 0)
		m->p = mmap(NULL, m->len, PROT_READ | PROT_WRITE,
			    mflags | MAP_HUGETLB, -1, 0);
	if (m->p != MAP_FAILED) {
		snprintf(m->pages, sizeof(m->pages), "2M hugetlb");
	} else {
		m->p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, mflags, m->fd,
			    0);
		if (m->p == MAP_FAILED && huge && (flags & ZC_MEM_MEMFD)) {
			/* A hugetlb memfd maps only when huge pages are
			 * reserved (vm.nr_hugepages): fall back to 4k. */
			close(m->fd);
			huge = 0;
			m->len = page_round(len, page);
			m->fd = memfd_create("zcbench", MFD_CLOEXEC);
			if (m->fd < 0 || ftruncate(m->fd, (off_t)m->len) < 0) {
				err = -errno;
				goto fail;
			}
			m->p = mmap(NULL, m->len, PROT_READ | PROT_WRITE,
				    mflags, m->fd, 0);
		}
		if (m->p == MAP_FAILED) {
			err = -errno;
			m->p = NULL;
			goto fail;
		}
		if (huge && m->fd >= 0 && (flags & ZC_MEM_MEMFD))
			snprintf(m->pages, sizeof(m->pages), "2M hugetlb");
		else if (huge && madvise(m->p, m->len, MADV_HUGEPAGE) == 0)
			snprintf(m->pages, sizeof(m->pages), "thp");
	}
	bind_node(m, node);
	/* Touch every page now so that no page fault lands in a measured
	 * region (Disruptor pre-allocation). */
	memset(m->p, 0, m->len);
	return 0;
fail:
	zc_mem_free(m);
	return err;
}

int zc_mem_attach(struct zc_mem *m, const char *name, size_t len)
{
	struct stat st;
	memset(m, 0, sizeof(*m));
	m->node = -1;
	m->fd = shm_open(name, O_RDWR, 0);
	if (m->fd < 0)
		return -errno;
	if (fstat(m->fd, &st) < 0 || (size_t)st.st_size < len) {
		int err = st.st_size < (off_t)len ? -EINVAL : -errno;
		close(m->fd);
		m->fd = -1;
		return err;
	}
	m->len = len ? len : (size_t)st.st_size;
	m->p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->p == MAP_FAILED) {
		int err = -errno;
		m->p = NULL;
		close(m->fd);
		m->fd = -1;
		return err;
	}
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->binding, sizeof(m->binding), "attached");
	return 0;
}

void zc_mem_free(struct zc_mem *m)
{
	if (m->p)
		munmap(m->p, m->len);
	if (m->fd >= 0)
		close(m->fd);
	if (m->owner && m->name[0]) {
		shm_unlink(m->name);
		named_del(m->name);
	}
	m->p = NULL;
	m->fd = -1;
	m->owner = 0;
}

int zc_mem_probe_binding(char *why, size_t len)
{
	struct zc_mem m;
	int ok;

	if (numa_available() < 0) {
		snprintf(why, len,
			 "unavailable: the kernel has no NUMA support");
		return 0;
	}
	if (zc_mem_alloc(&m, 4096, 0, ZC_MEM_PRIVATE, NULL) < 0) {
		snprintf(why, len, "unavailable: cannot map a probe page");
		return 0;
	}
	ok = !strncmp(m.binding, "bound", 5);
	if (ok)
		snprintf(why, len, "bound: mbind to node 0 verified");
	else if (!strncmp(m.binding, "unbound:EPERM", 13))
		snprintf(why, len,
			 "%s: the kernel refused mbind (container or "
			 "seccomp policy)",
			 m.binding);
	else
		snprintf(why, len, "%s", m.binding);
	zc_mem_free(&m);
	return ok;
}
