// SPDX-License-Identifier: MIT
/*
 * Provided buffers: groups filled by IORING_OP_PROVIDE_BUFFERS (a list) or
 * registered as a buffer ring (io_uring_register_buf_ring), from which an
 * IOSQE_BUFFER_SELECT read or receive takes its buffer.  io_uring picks the
 * buffer when the data is there; the library picks it when it builds the
 * block, so a request holds its buffer while it waits.  A request that
 * fails gives its buffer back (to the front of a list; to a ring when no
 * later request took one since), so only a completion that used it
 * reports IORING_CQE_F_BUFFER, and a buffer is never lost.  Everything
 * here wants c->lock held.
 */
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "compat.h"

/* Buffer IDs are 16 bits in a CQE, so a group holds at most 65536. */
#define COMPAT_MAX_BIDS		(1U << 16)

/* Read @len bytes at @src, which the program may have got wrong. */
int compat_copy_in(void *dst, __u64 src, size_t len)
{
	struct iovec local = { dst, len };
	struct iovec remote = { (void *)(unsigned long)src, len };

	if (!len)
		return 0;
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)len)
		return -EFAULT;
	return 0;
}

/* Write @len bytes to @dst, in the program's memory. */
int compat_copy_out(__u64 dst, const void *src, size_t len)
{
	struct iovec local = { (void *)src, len };
	struct iovec remote = { (void *)(unsigned long)dst, len };

	if (process_vm_writev(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)len)
		return -EFAULT;
	return 0;
}

static struct compat_buf_group *compat_bg_find(struct compat_ring *c,
					       __u16 bgid)
{
	unsigned i;

	for (i = 0; i < c->nr_bgs; i++)
		if (c->bgs[i].bgid == bgid)
			return &c->bgs[i];
	return NULL;
}

static struct compat_buf_group *compat_bg_add(struct compat_ring *c,
					      __u16 bgid)
{
	struct compat_buf_group *bgs, *bg;

	bgs = realloc(c->bgs, (c->nr_bgs + 1) * sizeof(*bgs));
	if (!bgs)
		return NULL;
	c->bgs = bgs;
	bg = &bgs[c->nr_bgs++];
	memset(bg, 0, sizeof(*bg));
	bg->bgid = bgid;
	return bg;
}

static void compat_bg_del(struct compat_ring *c, struct compat_buf_group *bg)
{
	free(bg->list);
	*bg = c->bgs[--c->nr_bgs];
}

void compat_bgs_free(struct compat_ring *c)
{
	while (c->nr_bgs)
		compat_bg_del(c, &c->bgs[0]);
	free(c->bgs);
	c->bgs = NULL;
}

/* A list is a deque: provided buffers go to the back, taken from the front. */
static struct compat_pbuf *compat_list_at(struct compat_buf_group *bg,
					  unsigned i)
{
	return &bg->list[(bg->first + i) & (bg->size - 1)];
}

static int compat_list_grow(struct compat_buf_group *bg, unsigned more)
{
	unsigned size = bg->size ? bg->size : 16, i;
	struct compat_pbuf *n;

	while (size < bg->nr + more)
		size *= 2;
	if (size == bg->size)
		return 0;
	n = malloc(size * sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (i = 0; i < bg->nr; i++)
		n[i] = *compat_list_at(bg, i);
	free(bg->list);
	bg->list = n;
	bg->first = 0;
	bg->size = size;
	return 0;
}

/* IORING_OP_PROVIDE_BUFFERS, with io_uring's checks; returns the CQE res. */
int compat_provide_buffers(struct compat_ring *c,
			   const struct io_uring_sqe *sqe)
{
	__u64 nbufs = (__u32)sqe->fd, size, end, i;
	struct compat_buf_group *bg;
	__u32 len = sqe->len;

	if (sqe->rw_flags || sqe->splice_fd_in)
		return -EINVAL;
	if (!nbufs || nbufs > COMPAT_MAX_BIDS)
		return -E2BIG;
	if (!len)
		return -EINVAL;
	size = (__u64)len * nbufs;
	if (__builtin_add_overflow(sqe->addr, size, &end))
		return -EOVERFLOW;
	if (sqe->off > 0xffff)
		return -E2BIG;
	if (sqe->off + nbufs > COMPAT_MAX_BIDS)
		return -EINVAL;
	bg = compat_bg_find(c, sqe->buf_group);
	if (!bg)
		bg = compat_bg_add(c, sqe->buf_group);
	if (!bg)
		return -ENOMEM;
	if (bg->br)
		return -EINVAL;
	if (compat_list_grow(bg, (unsigned)nbufs))
		return -ENOMEM;
	for (i = 0; i < nbufs; i++) {
		struct compat_pbuf *b = compat_list_at(bg, bg->nr++);

		b->addr = sqe->addr + i * len;
		b->len = len > COMPAT_MAX_RW ? COMPAT_MAX_RW : len;
		b->bid = (__u16)(sqe->off + i);
	}
	return 0;
}

/* IORING_OP_REMOVE_BUFFERS: how many were removed, from the front. */
int compat_remove_buffers(struct compat_ring *c,
			  const struct io_uring_sqe *sqe)
{
	__u64 nbufs = (__u32)sqe->fd;
	struct compat_buf_group *bg;
	unsigned n;

	if (sqe->rw_flags || sqe->addr || sqe->len || sqe->off ||
	    sqe->splice_fd_in || !nbufs || nbufs > COMPAT_MAX_BIDS)
		return -EINVAL;
	bg = compat_bg_find(c, sqe->buf_group);
	if (!bg)
		return -ENOENT;
	if (bg->br)
		return -EINVAL;
	n = nbufs < bg->nr ? (unsigned)nbufs : bg->nr;
	bg->first += n;
	bg->nr -= n;
	return (int)n;
}

int io_uring_register_buf_ring(struct io_uring *ring,
			       struct io_uring_buf_reg *reg, unsigned int flags)
{
	struct compat_ring *c = compat_ring(ring);
	struct compat_buf_group *bg;
	unsigned char probe[64];
	__u64 size, off;
	int ret = 0;

	(void)flags;	/* liburing 2.3 passes it nowhere either */
	if (reg->pad || reg->resv[0] || reg->resv[1] || reg->resv[2])
		return -EINVAL;
	if (!reg->ring_addr)
		return -EFAULT;
	if (reg->ring_addr & 4095 || !reg->ring_entries ||
	    (reg->ring_entries & (reg->ring_entries - 1)) ||
	    reg->ring_entries >= COMPAT_MAX_BIDS)
		return -EINVAL;
	/* The kernel would pin the ring: see that it is all there. */
	size = (__u64)reg->ring_entries * sizeof(struct io_uring_buf);
	for (off = 0; off < size; off += 4096)
		if (compat_copy_in(probe, reg->ring_addr + off, sizeof(probe)))
			return -EFAULT;
	pthread_mutex_lock(&c->lock);
	bg = compat_bg_find(c, reg->bgid);
	if (bg && (bg->br || bg->nr)) {
		ret = -EEXIST;
		goto out;
	}
	if (!bg)
		bg = compat_bg_add(c, reg->bgid);
	if (!bg) {
		ret = -ENOMEM;
		goto out;
	}
	bg->br = (struct io_uring_buf_ring *)(unsigned long)reg->ring_addr;
	bg->mask = reg->ring_entries - 1;
	bg->head = 0;
out:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int io_uring_unregister_buf_ring(struct io_uring *ring, int bgid)
{
	struct compat_ring *c = compat_ring(ring);
	struct compat_buf_group *bg;
	int ret = 0;

	pthread_mutex_lock(&c->lock);
	bg = compat_bg_find(c, (__u16)bgid);
	if (!bg)
		ret = -ENOENT;
	else if (!bg->br)
		ret = -EINVAL;
	else
		compat_bg_del(c, bg);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/*
 * Take a buffer of group sqe->buf_group for @req, which wants at most
 * *@len bytes (0: the whole buffer); *@len becomes what it may use.  A
 * request run again keeps the buffer it has.  -ENOBUFS when none is left.
 */
int compat_buf_select(struct compat_ring *c, struct compat_req *req,
		      __u64 *len)
{
	struct compat_kbuf *kb = &req->kbuf;
	struct compat_buf_group *bg;

	if (!kb->held) {
		bg = compat_bg_find(c, req->sqe.buf_group);
		if (!bg)
			return -ENOBUFS;
		if (bg->br) {
			/* Pairs with the release in io_uring_buf_ring_advance(). */
			__u16 tail = __atomic_load_n(&bg->br->tail,
						     __ATOMIC_ACQUIRE);
			const struct io_uring_buf *b;

			if (bg->head == tail)
				return -ENOBUFS;
			b = &bg->br->bufs[bg->head & bg->mask];
			kb->addr = b->addr;
			kb->len = b->len;
			kb->bid = b->bid;
			kb->ring_head = bg->head++;
		} else {
			struct compat_pbuf *b;

			if (!bg->nr)
				return -ENOBUFS;
			b = compat_list_at(bg, 0);
			kb->addr = b->addr;
			kb->len = b->len;
			kb->bid = b->bid;
			bg->first++;
			bg->nr--;
		}
		kb->bgid = req->sqe.buf_group;
		kb->held = true;
	}
	if (!*len || *len > kb->len)
		*len = kb->len;
	return 0;
}

/*
 * The request is done with its buffer: its CQE flags when it used it
 * (@used), else it goes back where it came from and the flags are 0,
 * unless a later request took a ring's next buffer already: then the CQE
 * hands it back to the program.
 */
__u32 compat_buf_done(struct compat_ring *c, struct compat_req *req,
		      bool used)
{
	struct compat_kbuf *kb = &req->kbuf;
	struct compat_buf_group *bg;

	if (!kb->held)
		return 0;
	kb->held = false;
	bg = compat_bg_find(c, kb->bgid);
	if (!used && bg && bg->br && bg->head == (__u16)(kb->ring_head + 1)) {
		bg->head--;
		return 0;
	}
	if (!used && bg && !bg->br && !compat_list_grow(bg, 1)) {
		bg->first--;
		bg->nr++;
		*compat_list_at(bg, 0) = (struct compat_pbuf){
			.addr = kb->addr, .len = kb->len, .bid = kb->bid,
		};
		return 0;
	}
	return IORING_CQE_F_BUFFER | ((__u32)kb->bid << IORING_CQE_BUFFER_SHIFT);
}
