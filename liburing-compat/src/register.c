// SPDX-License-Identifier: MIT
/*
 * io_uring_register_*: registered files and buffers live in the library.
 * A registered file is a duplicate of the caller's descriptor, so it stays
 * usable after the caller closes its own, as io_uring's does; a direct
 * descriptor (openat/accept/socket into a slot) is a real descriptor held
 * only by the table.  Registered buffers are only checked: every access is
 * a uaccess copy anyway.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "compat.h"

int compat_file(struct compat_ring *c, unsigned slot)
{
	if (slot >= c->nr_files || c->files[slot] < 0)
		return -EBADF;
	return c->files[slot];
}

/* The descriptor an SQE's fd names, through the fixed-file table or not. */
int compat_sqe_fd(struct compat_ring *c, const struct io_uring_sqe *sqe)
{
	if (sqe->flags & IOSQE_FIXED_FILE)
		return compat_file(c, (unsigned)sqe->fd);
	return sqe->fd;
}

/*
 * The library's own descriptors (dups of registered files, direct
 * descriptors, eventfds) stay out of 0..2: a program that closes stdio or
 * dup2()s over it, as a daemon does, must not close one it cannot see.
 * io_uring holds no descriptor there at all.  Returns the fd or -errno;
 * @fd is consumed either way.
 */
int compat_fd_hide(int fd)
{
	int nfd;

	if (fd < 0 || fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		nfd = -errno;
	close(fd);
	return nfd;
}

void compat_file_install(struct compat_ring *c, unsigned slot, int fd)
{
	if (c->files[slot] >= 0)
		close(c->files[slot]);
	c->files[slot] = fd;
}

/* IORING_FILE_INDEX_ALLOC: a free slot in the allocation range. */
int compat_file_alloc(struct compat_ring *c)
{
	unsigned i, end = c->alloc_end ? c->alloc_end : c->nr_files;

	for (i = c->alloc_start; i < end && i < c->nr_files; i++) {
		if (c->files[i] == -1) {
			c->files[i] = COMPAT_FILE_RESERVED;
			return (int)i;
		}
	}
	return -ENFILE;
}

void compat_files_free(struct compat_ring *c)
{
	unsigned i;

	for (i = 0; i < c->nr_files; i++)
		if (c->files[i] >= 0)
			close(c->files[i]);
	free(c->files);
	c->files = NULL;
	c->nr_files = 0;
	c->alloc_start = c->alloc_end = 0;
}

static int compat_files_alloc(struct compat_ring *c, unsigned nr)
{
	unsigned i;

	if (c->files)
		return -EBUSY;
	if (!nr || nr > COMPAT_MAX_FILES)
		return -EINVAL;
	c->files = malloc(nr * sizeof(*c->files));
	if (!c->files)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		c->files[i] = -1;
	c->nr_files = nr;
	return 0;
}

/* Put dup(fds[i]) into slots off + i; fd -1 empties a slot. */
static int compat_files_set(struct compat_ring *c, unsigned off,
			    const int *fds, unsigned nr)
{
	unsigned i;

	if (off > c->nr_files || nr > c->nr_files - off)
		return c->files ? -EINVAL : -ENXIO;
	for (i = 0; i < nr; i++) {
		int fd = fds ? fds[i] : -1;

		/* A ring cannot hold its own fd, as io_uring's cannot. */
		if (fd >= 0 && fd == c->sr.ring_fd)
			return i ? (int)i : -EBADF;
		if (fd >= 0) {
			fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
			if (fd < 0)
				return i ? (int)i : -errno;
		} else if (fd != -1) {
			return i ? (int)i : -EBADF;
		}
		compat_file_install(c, off + i, fd);
	}
	return (int)nr;
}

static int compat_files_register(struct compat_ring *c, const int *files,
				 unsigned nr_files)
{
	int ret;

	ret = compat_files_alloc(c, nr_files);
	if (ret || !files)
		return ret;
	ret = compat_files_set(c, 0, files, nr_files);
	if (ret < 0 || (unsigned)ret != nr_files) {
		compat_files_free(c);
		return ret < 0 ? ret : -EBADF;
	}
	return 0;
}

/* The reaper installs direct descriptors: the table is under c->lock. */
int io_uring_register_files(struct io_uring *ring, const int *files,
			    unsigned nr_files)
{
	struct compat_ring *c = compat_ring(ring);
	int ret;

	pthread_mutex_lock(&c->lock);
	ret = compat_files_register(c, files, nr_files);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int io_uring_register_files_tags(struct io_uring *ring, const int *files,
				 const __u64 *tags, unsigned nr)
{
	unsigned i;

	/* Tags post a CQE when a file is released: not emulated. */
	for (i = 0; tags && i < nr; i++)
		if (tags[i])
			return -EINVAL;
	return io_uring_register_files(ring, files, nr);
}

int io_uring_register_files_sparse(struct io_uring *ring, unsigned nr)
{
	if (!nr)
		return -EINVAL;
	return io_uring_register_files(ring, NULL, nr);
}

int io_uring_register_files_update(struct io_uring *ring, unsigned off,
				   const int *files, unsigned nr_files)
{
	struct compat_ring *c = compat_ring(ring);
	int ret;

	pthread_mutex_lock(&c->lock);
	ret = compat_files_set(c, off, files, nr_files);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int io_uring_register_files_update_tag(struct io_uring *ring, unsigned off,
				       const int *files, const __u64 *tags,
				       unsigned nr_files)
{
	unsigned i;

	for (i = 0; tags && i < nr_files; i++)
		if (tags[i])
			return -EINVAL;
	return io_uring_register_files_update(ring, off, files, nr_files);
}

int io_uring_unregister_files(struct io_uring *ring)
{
	struct compat_ring *c = compat_ring(ring);
	int ret = -ENXIO;

	pthread_mutex_lock(&c->lock);
	if (c->files) {
		compat_files_free(c);
		ret = 0;
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int io_uring_register_file_alloc_range(struct io_uring *ring, unsigned off,
				       unsigned len)
{
	struct compat_ring *c = compat_ring(ring);

	if (!c->files)
		return -ENXIO;
	if (off > c->nr_files || len > c->nr_files - off)
		return -EINVAL;
	c->alloc_start = off;
	c->alloc_end = off + len;
	return 0;
}

static int compat_bufs_set(struct compat_ring *c, const struct iovec *iovecs,
			   unsigned nr)
{
	if (c->bufs)
		return -EBUSY;
	if (!nr || nr > COMPAT_MAX_BUFS)
		return -EINVAL;
	c->bufs = calloc(nr, sizeof(*c->bufs));
	if (!c->bufs)
		return -ENOMEM;
	if (iovecs)
		memcpy(c->bufs, iovecs, nr * sizeof(*iovecs));
	c->nr_bufs = nr;
	return 0;
}

int io_uring_register_buffers(struct io_uring *ring, const struct iovec *iovecs,
			      unsigned nr_iovecs)
{
	unsigned i;

	for (i = 0; i < nr_iovecs; i++)
		if (!iovecs[i].iov_base && iovecs[i].iov_len)
			return -EFAULT;
	return compat_bufs_set(compat_ring(ring), iovecs, nr_iovecs);
}

int io_uring_register_buffers_tags(struct io_uring *ring,
				   const struct iovec *iovecs,
				   const __u64 *tags, unsigned nr)
{
	unsigned i;

	for (i = 0; tags && i < nr; i++)
		if (tags[i])
			return -EINVAL;
	return io_uring_register_buffers(ring, iovecs, nr);
}

int io_uring_register_buffers_sparse(struct io_uring *ring, unsigned nr)
{
	return compat_bufs_set(compat_ring(ring), NULL, nr);
}

int io_uring_register_buffers_update_tag(struct io_uring *ring, unsigned off,
					 const struct iovec *iovecs,
					 const __u64 *tags, unsigned nr)
{
	struct compat_ring *c = compat_ring(ring);
	unsigned i;

	if (!c->bufs)
		return -ENXIO;
	if (off > c->nr_bufs || nr > c->nr_bufs - off)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		if (tags && tags[i])
			return -EINVAL;
		c->bufs[off + i] = iovecs[i];
	}
	return (int)nr;
}

int io_uring_unregister_buffers(struct io_uring *ring)
{
	struct compat_ring *c = compat_ring(ring);

	if (!c->bufs)
		return -ENXIO;
	free(c->bufs);
	c->bufs = NULL;
	c->nr_bufs = 0;
	return 0;
}

/* Probing: what the opcode table maps. */
int io_uring_register_probe(struct io_uring *ring, struct io_uring_probe *p,
			    unsigned nr)
{
	unsigned i;

	(void)ring;
	memset(p, 0, sizeof(*p) + nr * sizeof(p->ops[0]));
	p->last_op = IORING_OP_LAST - 1;
	p->ops_len = nr < IORING_OP_LAST ? nr : IORING_OP_LAST;
	for (i = 0; i < p->ops_len; i++) {
		p->ops[i].op = i;
		if (compat_op_supported(i))
			p->ops[i].flags = IO_URING_OP_SUPPORTED;
	}
	return 0;
}

struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring)
{
	size_t len = sizeof(struct io_uring_probe) +
		     256 * sizeof(struct io_uring_probe_op);
	struct io_uring_probe *p = malloc(len);

	if (p && io_uring_register_probe(ring, p, 256)) {
		free(p);
		return NULL;
	}
	return p;
}

struct io_uring_probe *io_uring_get_probe(void)
{
	struct io_uring ring;
	struct io_uring_probe *p;

	if (io_uring_queue_init(2, &ring, 0))
		return NULL;
	p = io_uring_get_probe_ring(&ring);
	io_uring_queue_exit(&ring);
	return p;
}

void io_uring_free_probe(struct io_uring_probe *probe)
{
	free(probe);
}

/* io-wq's bounded workers are sysring's workers; unbounded has no twin. */
int io_uring_register_iowq_max_workers(struct io_uring *ring, unsigned *values)
{
	int ret = sysring_register_workers(&compat_ring(ring)->sr, values[0]);

	if (ret < 0)
		return ret;
	values[0] = (unsigned)ret;
	values[1] = 0;
	return 0;
}

/* The ring fd is only a handle here: registering it changes nothing. */
int io_uring_register_ring_fd(struct io_uring *ring)
{
	(void)ring;
	return 1;
}

int io_uring_unregister_ring_fd(struct io_uring *ring)
{
	(void)ring;
	return 0;
}

/*
 * The eventfd is signalled when CQEs are posted (by the reaper for blocks
 * that ran on workers): with _async, only then.
 */
static int compat_eventfd_set(struct io_uring *ring, int fd, bool async)
{
	struct compat_ring *c = compat_ring(ring);
	int ret = 0, dup;

	pthread_mutex_lock(&c->lock);
	if (c->eventfd >= 0) {
		ret = -EBUSY;
	} else {
		dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (dup < 0) {
			ret = -errno;
		} else {
			c->eventfd = dup;
			c->eventfd_async = async;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int io_uring_register_eventfd(struct io_uring *ring, int fd)
{
	return compat_eventfd_set(ring, fd, false);
}

int io_uring_register_eventfd_async(struct io_uring *ring, int fd)
{
	return compat_eventfd_set(ring, fd, true);
}

int io_uring_unregister_eventfd(struct io_uring *ring)
{
	struct compat_ring *c = compat_ring(ring);
	int ret = 0;

	pthread_mutex_lock(&c->lock);
	if (c->eventfd < 0)
		ret = -ENXIO;
	else
		close(c->eventfd);
	c->eventfd = -1;
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* Not emulated: they fail with EINVAL, as on a kernel that predates them. */
int io_uring_register_personality(struct io_uring *ring)
{
	(void)ring;
	return -EINVAL;
}

int io_uring_unregister_personality(struct io_uring *ring, int id)
{
	(void)ring;
	(void)id;
	return -EINVAL;
}

int io_uring_register_restrictions(struct io_uring *ring,
				   struct io_uring_restriction *res,
				   unsigned int nr_res)
{
	(void)ring;
	(void)res;
	(void)nr_res;
	return -EINVAL;
}

int io_uring_enable_rings(struct io_uring *ring)
{
	(void)ring;
	return -EINVAL;
}

int io_uring_register_iowq_aff(struct io_uring *ring, size_t cpusz,
			       const cpu_set_t *mask)
{
	(void)ring;
	(void)cpusz;
	(void)mask;
	return -EINVAL;
}

int io_uring_unregister_iowq_aff(struct io_uring *ring)
{
	(void)ring;
	return -EINVAL;
}

int io_uring_register_sync_cancel(struct io_uring *ring,
				  struct io_uring_sync_cancel_reg *reg)
{
	(void)ring;
	(void)reg;
	return -EINVAL;
}
