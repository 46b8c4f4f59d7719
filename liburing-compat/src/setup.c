// SPDX-License-Identifier: MIT
/*
 * Ring setup: a sysring ring, and io_uring SQ/CQ rings in one anonymous
 * mapping that the library owns (liburing's inline helpers see them
 * through struct io_uring exactly as they would see the kernel's).
 */
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compat.h"

/* What io_uring_setup(2) flags mean here: accepted as hints, or refused. */
#define COMPAT_SETUP_FLAGS	(IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF | \
				 IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | \
				 IORING_SETUP_SUBMIT_ALL | \
				 IORING_SETUP_COOP_TASKRUN | \
				 IORING_SETUP_TASKRUN_FLAG | \
				 IORING_SETUP_SINGLE_ISSUER | \
				 IORING_SETUP_DEFER_TASKRUN)

#define COMPAT_FEATURES		(IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | \
				 IORING_FEAT_RW_CUR_POS | \
				 IORING_FEAT_EXT_ARG | IORING_FEAT_CQE_SKIP)

static unsigned roundup_pow2(unsigned v)
{
	unsigned r = 1;

	while (r < v)
		r <<= 1;
	return r;
}

static int compat_sizes(unsigned entries, struct io_uring_params *p)
{
	unsigned cq;

	if (!entries)
		return -EINVAL;
	if (entries > COMPAT_MAX_ENTRIES) {
		if (!(p->flags & IORING_SETUP_CLAMP))
			return -EINVAL;
		entries = COMPAT_MAX_ENTRIES;
	}
	p->sq_entries = roundup_pow2(entries);
	if (p->flags & IORING_SETUP_CQSIZE) {
		cq = p->cq_entries;
		if (!cq)
			return -EINVAL;
		if (cq > COMPAT_MAX_CQ_ENTRIES) {
			if (!(p->flags & IORING_SETUP_CLAMP))
				return -EINVAL;
			cq = COMPAT_MAX_CQ_ENTRIES;
		}
		cq = roundup_pow2(cq);
		if (cq < p->sq_entries)
			return -EINVAL;
	} else {
		cq = 2 * p->sq_entries;
	}
	p->cq_entries = cq;
	return 0;
}

static bool compat_params_valid(const struct io_uring_params *p)
{
	unsigned i;

	if (p->flags & ~COMPAT_SETUP_FLAGS)
		return false;
	for (i = 0; i < sizeof(p->resv) / sizeof(p->resv[0]); i++)
		if (p->resv[i])
			return false;
	return true;
}

static size_t compat_map_size(const struct io_uring_params *p)
{
	return sizeof(struct compat_ring) +
	       p->sq_entries * (sizeof(struct io_uring_sqe) + sizeof(unsigned)) +
	       p->cq_entries * sizeof(struct io_uring_cqe);
}

static void compat_fill_ring(struct io_uring *ring, struct compat_ring *c,
			     const struct io_uring_params *p, size_t size,
			     unsigned *array)
{
	memset(ring, 0, sizeof(*ring));
	ring->sq.khead = &c->sq_head;
	ring->sq.ktail = &c->sq_tail;
	ring->sq.kring_mask = &c->sq_mask;
	ring->sq.kring_entries = &c->sq_entries;
	ring->sq.kflags = &c->sq_flags;
	ring->sq.kdropped = &c->sq_dropped;
	ring->sq.array = array;
	ring->sq.sqes = c->sqes;
	ring->sq.ring_sz = size;
	ring->sq.ring_ptr = c;
	ring->sq.ring_mask = c->sq_mask;
	ring->sq.ring_entries = c->sq_entries;

	ring->cq.khead = &c->cq_head;
	ring->cq.ktail = &c->cq_tail;
	ring->cq.kring_mask = &c->cq_mask;
	ring->cq.kring_entries = &c->cq_entries;
	ring->cq.kflags = &c->cq_flags;
	ring->cq.koverflow = &c->cq_overflow;
	ring->cq.cqes = c->cqes;
	ring->cq.ring_sz = size;
	ring->cq.ring_ptr = c;
	ring->cq.ring_mask = c->cq_mask;
	ring->cq.ring_entries = c->cq_entries;

	ring->flags = p->flags;
	ring->ring_fd = c->sr.ring_fd;
	ring->enter_ring_fd = c->sr.ring_fd;
	ring->features = p->features;
}

/* Offsets into the mapping, for programs that look at them. */
static void compat_fill_offsets(struct io_uring_params *p,
				const struct compat_ring *c)
{
#define OFF(field) ((unsigned)((const char *)&c->field - (const char *)c))
	p->sq_off = (struct io_sqring_offsets){
		.head = OFF(sq_head), .tail = OFF(sq_tail),
		.ring_mask = OFF(sq_mask), .ring_entries = OFF(sq_entries),
		.flags = OFF(sq_flags), .dropped = OFF(sq_dropped),
		.array = (unsigned)sizeof(*c),
	};
	p->cq_off = (struct io_cqring_offsets){
		.head = OFF(cq_head), .tail = OFF(cq_tail),
		.ring_mask = OFF(cq_mask), .ring_entries = OFF(cq_entries),
		.overflow = OFF(cq_overflow), .flags = OFF(cq_flags),
		.cqes = (unsigned)((const char *)c->cqes - (const char *)c),
	};
#undef OFF
}

static void compat_free(struct compat_ring *c, size_t size)
{
	compat_reaper_stop(c);
	if (c->sr.ring_fd >= 0)
		sysring_queue_exit(&c->sr);
	if (c->notify_fd >= 0)
		close(c->notify_fd);
	if (c->eventfd >= 0)
		close(c->eventfd);
	pthread_mutex_destroy(&c->lock);
	compat_files_free(c);
	compat_bgs_free(c);
	free(c->bufs);
	free(c->reqs);
	free(c->pending.cqes);
	free(c->deferred);
	munmap(c, size);
}

static int compat_init_reqs(struct compat_ring *c)
{
	c->nr_reqs = c->sq_entries + COMPAT_INFLIGHT_CQS * c->cq_entries;
	c->reqs = calloc(c->nr_reqs, sizeof(*c->reqs));
	if (!c->reqs)
		return -ENOMEM;
	c->free_req = -1;
	return 0;
}

int io_uring_queue_init_params(unsigned entries, struct io_uring *ring,
			       struct io_uring_params *p)
{
	struct sysring_params sp = { 0 };
	struct compat_ring *c;
	unsigned *array, i;
	size_t size;
	int ret;

	if (!ring || !p || !compat_params_valid(p))
		return -EINVAL;
	ret = compat_sizes(entries, p);
	if (ret)
		return ret;
	size = compat_map_size(p);
	c = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return -ENOMEM;
	c->sq_entries = p->sq_entries;
	c->sq_mask = p->sq_entries - 1;
	c->cq_entries = p->cq_entries;
	c->cq_mask = p->cq_entries - 1;
	array = (unsigned *)(c + 1);
	c->sqes = (struct io_uring_sqe *)(array + c->sq_entries);
	c->cqes = (struct io_uring_cqe *)(c->sqes + c->sq_entries);
	for (i = 0; i < c->sq_entries; i++)
		array[i] = i;
	c->eventfd = -1;
	c->sr.ring_fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	c->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->notify_fd = c->notify_fd < 0 ? -errno : compat_fd_hide(c->notify_fd);
	if (c->notify_fd < 0) {
		ret = c->notify_fd;
		goto fail;
	}

	ret = compat_init_reqs(c);
	if (ret)
		goto fail;
	sp.flags = SYSRING_SETUP_CQSIZE;
	sp.cq_entries = c->cq_entries;
	sp.snap_regs = COMPAT_SNAP_REGS;
	/*
	 * io-wq's workers are bounded by RLIMIT_NPROC only, and a POLL_ADD
	 * or ACCEPT here holds a worker while it waits: allow the most.
	 * Workers are created on demand and reaped when idle.
	 */
	sp.max_workers = SYSRING_MAX_WORKERS;
	ret = sysring_queue_init_params(c->sq_entries, &c->sr, &sp);
	if (ret) {
		c->sr.ring_fd = -1;
		goto fail;
	}
	ret = compat_register_progs(c);
	if (ret)
		goto fail;
	ret = -pthread_create(&c->reaper, NULL, compat_reaper, c);
	if (ret)
		goto fail;
	c->reaper_started = true;

	p->features = COMPAT_FEATURES;
	compat_fill_offsets(p, c);
	compat_fill_ring(ring, c, p, size, array);
	return 0;
fail:
	compat_free(c, size);
	return ret;
}

int io_uring_queue_init(unsigned entries, struct io_uring *ring,
			unsigned flags)
{
	struct io_uring_params p = { .flags = flags };

	return io_uring_queue_init_params(entries, ring, &p);
}

/*
 * Nothing can be in flight once the ring is gone: blocks still on workers
 * are cancelled, as io_uring's are.
 */
void io_uring_queue_exit(struct io_uring *ring)
{
	struct compat_ring *c = compat_ring(ring);

	if (!c)
		return;
	compat_free(c, ring->sq.ring_sz);
	memset(ring, 0, sizeof(*ring));
	ring->ring_fd = -1;
}

/* An io_uring fd from io_uring_setup(2) is not something sysring can map. */
int io_uring_queue_mmap(int fd, struct io_uring_params *p,
			struct io_uring *ring)
{
	(void)fd;
	(void)p;
	(void)ring;
	return -EOPNOTSUPP;
}

int io_uring_ring_dontfork(struct io_uring *ring)
{
	struct compat_ring *c;

	if (!ring || !ring->sq.ring_ptr)
		return -EINVAL;
	c = compat_ring(ring);
	if (madvise(c, ring->sq.ring_sz, MADV_DONTFORK))
		return -errno;
	return 0;
}

/* Nothing is locked memory: the rings are ordinary pages. */
ssize_t io_uring_mlock_size_params(unsigned entries, struct io_uring_params *p)
{
	(void)entries;
	(void)p;
	return 0;
}

ssize_t io_uring_mlock_size(unsigned entries, unsigned flags)
{
	(void)entries;
	(void)flags;
	return 0;
}

/*
 * The raw io_uring system calls are not emulated: a program that makes
 * them talks to the kernel's io_uring, which is not there (or disabled).
 */
int io_uring_setup(unsigned entries, struct io_uring_params *p)
{
	(void)entries;
	(void)p;
	return -ENOSYS;
}

int io_uring_enter(unsigned fd, unsigned to_submit, unsigned min_complete,
		   unsigned flags, sigset_t *sig)
{
	(void)fd;
	(void)to_submit;
	(void)min_complete;
	(void)flags;
	(void)sig;
	return -ENOSYS;
}

int io_uring_enter2(unsigned fd, unsigned to_submit, unsigned min_complete,
		    unsigned flags, sigset_t *sig, size_t sz)
{
	(void)sz;
	return io_uring_enter(fd, to_submit, min_complete, flags, sig);
}

int io_uring_register(unsigned fd, unsigned opcode, const void *arg,
		      unsigned nr_args)
{
	(void)fd;
	(void)opcode;
	(void)arg;
	(void)nr_args;
	return -ENOSYS;
}
