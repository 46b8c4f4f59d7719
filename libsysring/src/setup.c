/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "syscall.h"

static void sysring_unmap_rings(struct sysring *ring)
{
	if (ring->sq.sqes)
		munmap(ring->sq.sqes, ring->sq.sqes_sz);
	if (ring->ring_ptr)
		munmap(ring->ring_ptr, ring->ring_sz);
}

static void *sysring_mmap(int fd, size_t len, off_t offset)
{
	void *ptr = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, fd, offset);

	return ptr == MAP_FAILED ? NULL : ptr;
}

#define SR_PTR(base, off)	((unsigned *)((char *)(base) + (off)))

static int sysring_queue_mmap(int fd, const struct sysring_params *p,
			      struct sysring *ring)
{
	struct sysring_sq *sq = &ring->sq;
	struct sysring_cq *cq = &ring->cq;
	void *base;

	ring->ring_sz = p->rings_size;
	ring->ring_ptr = base = sysring_mmap(fd, p->rings_size,
					     SYSRING_OFF_RINGS);
	if (!base)
		return -errno;
	sq->sqes_sz = p->sqes_size;
	sq->sqes = sysring_mmap(fd, p->sqes_size, SYSRING_OFF_SQES);
	if (!sq->sqes) {
		int ret = -errno;

		sysring_unmap_rings(ring);
		return ret;
	}

	sq->khead = SR_PTR(base, p->sq_off.head);
	sq->ktail = SR_PTR(base, p->sq_off.tail);
	sq->kring_mask = SR_PTR(base, p->sq_off.ring_mask);
	sq->kring_entries = SR_PTR(base, p->sq_off.ring_entries);
	sq->kflags = SR_PTR(base, p->sq_off.flags);
	sq->kdropped = SR_PTR(base, p->sq_off.dropped);
	sq->ring_mask = *sq->kring_mask;
	sq->ring_entries = *sq->kring_entries;
	/* A fresh ring is empty, but start from whatever the kernel says. */
	sq->sqe_tail = *sq->ktail;

	cq->khead = SR_PTR(base, p->cq_off.head);
	cq->ktail = SR_PTR(base, p->cq_off.tail);
	cq->kring_mask = SR_PTR(base, p->cq_off.ring_mask);
	cq->kring_entries = SR_PTR(base, p->cq_off.ring_entries);
	cq->koverflow = SR_PTR(base, p->cq_off.overflow);
	cq->kflags = SR_PTR(base, p->cq_off.flags);
	cq->cqes = (char *)base + p->cq_off.cqes;
	cq->cqe_size = p->cqe_size;
	cq->ring_mask = *cq->kring_mask;
	cq->ring_entries = *cq->kring_entries;
	return 0;
}

/*
 * Something else may sit at our syscall number on a kernel without sysring:
 * accept the fd only if it identifies itself and speaks our entry sizes.
 */
static int sysring_params_ok(const struct sysring_params *p)
{
	return p->magic == SYSRING_MAGIC &&
	       p->sqe_size == sizeof(struct sysring_sqe) &&
	       p->cqe_size == sizeof(struct sysring_cqe) + 8 * p->snap_regs;
}

int sysring_queue_init_params(unsigned entries, struct sysring *ring,
			      struct sysring_params *p)
{
	int fd, ret;

	if (!ring)
		return -EINVAL;
	/* A failed init leaves a ring that sysring_queue_exit ignores. */
	memset(ring, 0, sizeof(*ring));
	ring->ring_fd = -1;
	if (!p)
		return -EINVAL;

	p->sq_entries = entries;
	fd = __sys_sysring_setup(entries, p);
	if (fd < 0)
		return fd;
	if (!sysring_params_ok(p)) {
		__sys_sysring_close(fd);
		return -ENOSYS;
	}

	ret = sysring_queue_mmap(fd, p, ring);
	if (ret) {
		__sys_sysring_close(fd);
		return ret;
	}
	ring->ring_fd = fd;
	ring->flags = p->flags;
	ring->features = p->features;
	ring->snap_regs = p->snap_regs;
	return 0;
}

int sysring_queue_init(unsigned entries, struct sysring *ring, unsigned flags)
{
	struct sysring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return sysring_queue_init_params(entries, ring, &p);
}

void sysring_queue_exit(struct sysring *ring)
{
	if (!ring || ring->ring_fd < 0)
		return;
	sysring_unmap_rings(ring);
	__sys_sysring_close(ring->ring_fd);
	memset(ring, 0, sizeof(*ring));
	ring->ring_fd = -1;
}
