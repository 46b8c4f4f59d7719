// SPDX-License-Identifier: MIT
/*
 * Submission: the SQEs liburing's inline helpers queued in the io_uring SQ
 * are taken chain by chain (IOSQE_IO_LINK/IO_HARDLINK), turned into sysring
 * blocks of one chain, and submitted with sysring_submit().  A chain runs
 * inline in sysring_enter when none of its operations can wait for an event;
 * otherwise it runs on the ring's workers (SYSRING_SQE_ASYNC).  A single
 * read, write, send or receive is first tried inline without blocking and
 * run again on a worker when that would block, as io_uring does.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "compat.h"

struct compat_req *compat_req_get(struct compat_ring *c)
{
	struct compat_req *req;

	if (c->free_req >= 0) {
		req = &c->reqs[c->free_req];
		c->free_req = req->next_free;
	} else if (c->reqs_used < c->nr_reqs) {
		req = &c->reqs[c->reqs_used++];
	} else {
		return NULL;
	}
	memset(req, 0, sizeof(*req));
	req->in_use = true;
	req->direct_slot = -1;
	req->close_slot = -1;
	req->fd_reg = -1;
	req->chain_next = -1;
	return req;
}

void compat_req_put(struct compat_ring *c, struct compat_req *req)
{
	req->in_use = false;
	req->next_free = c->free_req;
	c->free_req = (int)(req - c->reqs);
}

/* sysring's link flags for one SQE, and @head_flags (ASYNC) on a head. */
static __u16 compat_sqe_flags(__u8 flags, __u16 head_flags)
{
	__u16 f = head_flags;

	if (flags & IOSQE_IO_HARDLINK)
		f |= SYSRING_SQE_HARDLINK;
	else if (flags & IOSQE_IO_LINK)
		f |= SYSRING_SQE_LINK;
	return f;
}

/* Cancel every request whose io_uring user_data is @user_data. */
static int compat_cancel(struct compat_ring *c, __u64 user_data, bool all,
			 bool any, unsigned opcode)
{
	unsigned i;
	int found = 0, ret;

	for (i = 0; i < c->reqs_used; i++) {
		struct compat_req *req = &c->reqs[i];

		if (!req->in_use || req->canceled)
			continue;
		if (!any && req->user_data != user_data)
			continue;
		if (opcode != IORING_OP_LAST && req->sqe.opcode != opcode)
			continue;
		ret = sysring_register_cancel(&c->sr, i, 0);
		/* A multishot receive between two receives is still live. */
		if (ret < 0 && !req->multishot)
			continue;	/* ran inline, or already done */
		req->canceled = true;
		found++;
		if (!all)
			break;
	}
	return found;
}

/* A library operation's CQE, unless IOSQE_CQE_SKIP_SUCCESS hides it. */
static void compat_post_op(struct compat_ring *c,
			   const struct io_uring_sqe *sqe, int res)
{
	if (res < 0 || !(sqe->flags & IOSQE_CQE_SKIP_SUCCESS))
		compat_post(c, sqe->user_data, res);
}

static int compat_files_update_op(struct compat_ring *c,
				  const struct io_uring_sqe *sqe)
{
	const int *fds = (const int *)(unsigned long)sqe->addr;
	unsigned i;
	int ret = 0;

	if (sqe->off > c->nr_files || sqe->len > c->nr_files - sqe->off)
		return c->files ? -EINVAL : -ENXIO;
	for (i = 0; i < sqe->len; i++) {
		int fd = fds[i];

		if (fd >= 0) {
			fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
			if (fd < 0) {
				ret = ret ? ret : -errno;
				break;
			}
		}
		compat_file_install(c, sqe->off + i, fd);
		ret++;
	}
	return ret;
}

/*
 * Operations on the library's own state: cancels, provided buffers and
 * file table updates.  They complete at once, after what was queued
 * before them has started; returns the CQE's res.
 */
static int compat_library_op(struct compat_ring *c,
			     const struct io_uring_sqe *sqe)
{
	unsigned flags = sqe->cancel_flags;
	int n;

	/* What was queued before runs before, as it would in the kernel. */
	if (sysring_sq_ready(&c->sr))
		sysring_submit(&c->sr);
	switch (sqe->opcode) {
	case IORING_OP_ASYNC_CANCEL:
		if (flags & ~(IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_ANY))
			return -EINVAL;
		n = compat_cancel(c, sqe->addr, flags & IORING_ASYNC_CANCEL_ALL,
				  flags & IORING_ASYNC_CANCEL_ANY, IORING_OP_LAST);
		return n ? (flags & IORING_ASYNC_CANCEL_ALL ? n : 0) : -ENOENT;
	case IORING_OP_POLL_REMOVE:
	case IORING_OP_TIMEOUT_REMOVE:
		if (sqe->len || sqe->timeout_flags)
			return -EINVAL;
		n = compat_cancel(c, sqe->addr, false, false,
				  sqe->opcode == IORING_OP_POLL_REMOVE ?
				  IORING_OP_POLL_ADD : IORING_OP_TIMEOUT);
		return n ? 0 : -ENOENT;
	case IORING_OP_PROVIDE_BUFFERS:
		return compat_provide_buffers(c, sqe);
	case IORING_OP_REMOVE_BUFFERS:
		return compat_remove_buffers(c, sqe);
	case IORING_OP_FILES_UPDATE:
		return compat_files_update_op(c, sqe);
	}
	return -EINVAL;
}

/*
 * A chain of library operations only: run in order, and as a link does,
 * a failure cancels the rest (a hard link goes on).
 */
static bool compat_library_chain(struct compat_ring *c,
				 struct io_uring_sqe **sqes, unsigned n)
{
	bool broken = false;
	unsigned i;
	int res;

	for (i = 0; i < n; i++)
		if (!compat_op_is_library(sqes[i]->opcode))
			return false;
	for (i = 0; i < n; i++) {
		res = broken ? -ECANCELED : compat_library_op(c, sqes[i]);
		compat_post_op(c, sqes[i], res);
		if (res < 0 && !(sqes[i]->flags & IOSQE_IO_HARDLINK))
			broken = true;
	}
	return true;
}

static bool compat_sqe_links(const struct io_uring_sqe *sqe)
{
	return sqe->flags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK);
}

/* Complete a chain that cannot run: @err for @bad, -ECANCELED for the rest. */
static void compat_fail_chain(struct compat_ring *c,
			      struct io_uring_sqe **sqes, unsigned n,
			      unsigned bad, int err)
{
	unsigned i;

	for (i = 0; i < n; i++)
		compat_post(c, sqes[i]->user_data, i == bad ? err : -ECANCELED);
}

/*
 * Whether an SQE of a chain of @n must run blocking on a worker: the ones
 * that wait for an event, and a non-blocking try in a chain (it could not
 * be run again alone), that asks for all of its bytes, or on a file known
 * not to do non-blocking I/O.
 */
static bool compat_must_block(struct compat_ring *c,
			      const struct io_uring_sqe *sqe, unsigned n)
{
	enum compat_block b = compat_op_block(sqe->opcode);
	bool waitall = false;

	switch (sqe->opcode) {
	case IORING_OP_SEND:
	case IORING_OP_RECV:
	case IORING_OP_SENDMSG:
	case IORING_OP_RECVMSG:
		waitall = sqe->msg_flags & MSG_WAITALL;
		break;
	}
	return (sqe->flags & IOSQE_ASYNC) || b == COMPAT_ALWAYS ||
	       (b == COMPAT_NOWAIT &&
		(n > 1 || waitall || compat_no_nowait(c, sqe)));
}

/*
 * An SQE names a fixed-file slot that an earlier SQE, outside its chain,
 * is still opening into: run what is queued and wait for the slot.
 * Returns false when that cannot make progress.
 */
static bool compat_settle_files(struct compat_ring *c)
{
	struct sysring_cqe *scqe;
	unsigned i;

	sysring_submit(&c->sr);
	for (;;) {
		compat_reap(c);
		for (i = 0; i < c->nr_files; i++)
			if (c->files[i] == COMPAT_FILE_RESERVED)
				break;
		if (i == c->nr_files)
			return true;
		if (!c->inflight || sysring_wait_cqe(&c->sr, &scqe))
			return false;
	}
}

/* Undo the last @n sysring SQEs taken for a chain that cannot run. */
static void compat_unqueue(struct compat_ring *c, unsigned n)
{
	while (n--) {
		struct sysring_sqe *s;
		struct compat_req *req;

		c->sr.sq.sqe_tail--;
		s = &c->sr.sq.sqes[c->sr.sq.sqe_tail & c->sr.sq.ring_mask];
		req = &c->reqs[s->user_data];
		if (req->sqe.opcode == IORING_OP_TIMEOUT && req->timeout_target)
			c->count_timeouts--;
		if (req->direct_slot >= 0 &&
		    c->files[req->direct_slot] == COMPAT_FILE_RESERVED)
			c->files[req->direct_slot] = -1;
		compat_buf_done(c, req, false);
		compat_req_put(c, req);
	}
}

/* Keep a chain for later, in order (see compat_ring.deferred). */
static int compat_defer(struct compat_ring *c, struct io_uring_sqe **sqes,
			unsigned n)
{
	unsigned i;

	if (c->nr_deferred + n > c->deferred_size) {
		unsigned size = 2 * (c->nr_deferred + n);
		struct io_uring_sqe *d;

		d = realloc(c->deferred, size * sizeof(*d));
		if (!d)
			return -EBUSY;
		c->deferred = d;
		c->deferred_size = size;
	}
	for (i = 0; i < n; i++)
		c->deferred[c->nr_deferred++] = *sqes[i];
	return 0;
}

/*
 * Queue one chain of @n SQEs as one sysring chain.  Returns 0 when queued,
 * 1 when it was completed with an error instead (a bad SQE), -EINPROGRESS
 * when it needs a descriptor that is still being opened, or -EBUSY when the
 * sysring SQ or the request table has no room for it: nothing is queued and
 * the caller stops there.  sysring_get_sqe() only moves the local tail, so
 * a chain is built whole before sysring_submit() publishes it.
 */
static int compat_queue_chain(struct compat_ring *c,
			      struct io_uring_sqe **sqes, unsigned n)
{
	struct compat_chain chain = { 0 };
	struct compat_req *prev = NULL;
	struct sysring_sqe *s = NULL;
	bool async = false, drain = false;
	unsigned i;
	int ret;

	for (i = 0; i < n; i++) {
		async |= compat_must_block(c, sqes[i], n);
		drain |= sqes[i]->flags & IOSQE_IO_DRAIN;
	}
	if (c->nr_deferred || c->fence || (drain && c->inflight))
		return compat_defer(c, sqes, n);
	if (compat_library_chain(c, sqes, n))
		return 0;
	if (sysring_sq_space_left(&c->sr) < n)
		return -EBUSY;
	for (i = 0; i < n; i++) {
		struct compat_req *req = compat_req_get(c);

		if (!req) {
			compat_unqueue(c, i);
			return -EBUSY;
		}
		if (prev)
			prev->chain_next = (int)(req - c->reqs);
		prev = req;
		req->sqe = *sqes[i];
		req->user_data = sqes[i]->user_data;
		s = sysring_get_sqe(&c->sr);
		sysring_sqe_set_data64(s, (__u64)(req - c->reqs));
		ret = compat_prep(c, req, s, &chain, async);
		if (ret) {
			compat_unqueue(c, i + 1);
			if (ret == -EINPROGRESS)
				return ret;
			compat_fail_chain(c, sqes, n, i, ret);
			return 1;
		}
		sysring_sqe_set_flags(s, compat_sqe_flags(sqes[i]->flags,
			!i && async ? SYSRING_SQE_ASYNC : 0));
	}
	/* A chain ends within one submission, as io_uring's does. */
	s->flags &= ~(SYSRING_SQE_LINK | SYSRING_SQE_HARDLINK);
	c->inflight += n;
	c->fence = drain;
	return 0;
}

/*
 * Queue a request again: a non-blocking try that would block goes to a
 * worker (@async), a multishot receive tries its next receive inline.
 */
int compat_resubmit(struct compat_ring *c, struct compat_req *req, bool async)
{
	struct compat_chain chain = { 0 };
	struct sysring_sqe *s;
	int ret;

	s = sysring_get_sqe(&c->sr);
	if (!s)
		return -EBUSY;
	sysring_sqe_set_data64(s, (__u64)(req - c->reqs));
	ret = compat_prep(c, req, s, &chain, async);
	if (ret) {
		c->sr.sq.sqe_tail--;
		return ret;
	}
	sysring_sqe_set_flags(s, async ? SYSRING_SQE_ASYNC : 0);
	c->inflight++;
	return 0;
}

/*
 * Queue the @nr SQEs at @sqes[0..nr) (consecutive ring slots from @head,
 * @mask) chain by chain; returns how many were taken.
 */
static unsigned compat_queue_sqes(struct compat_ring *c, bool submit_all,
				  struct io_uring_sqe *sqes, unsigned head,
				  unsigned nr, unsigned mask)
{
	struct io_uring_sqe *chain[SYSRING_MAX_ENTRIES];
	unsigned done = 0, n;
	int ret;

	while (done != nr) {
		n = 0;
		do {
			chain[n] = &sqes[(head + done + n) & mask];
			n++;
		} while (done + n != nr && n < SYSRING_MAX_ENTRIES &&
			 compat_sqe_links(chain[n - 1]));
		ret = compat_queue_chain(c, chain, n);
		if (ret == -EINPROGRESS) {
			if (compat_settle_files(c))
				continue;
			compat_fail_chain(c, chain, n, 0, -EBADF);
		} else if (ret == -EBUSY) {
			break;
		}
		done += n;
		/* As io_uring: a bad SQE ends the submission there. */
		if (ret == 1 && !submit_all)
			break;
	}
	return done;
}

/*
 * Queue what waited for a drain, once nothing is in flight: it runs up to
 * the next drained link (which fences what follows again).
 */
void compat_run_deferred(struct compat_ring *c)
{
	unsigned nr = c->nr_deferred, done;

	if (!nr || c->inflight)
		return;
	c->nr_deferred = 0;
	c->fence = false;
	/* Chains queued from here may be deferred again: work on a copy. */
	{
		struct io_uring_sqe *copy = c->deferred;

		c->deferred = NULL;
		c->deferred_size = 0;
		done = compat_queue_sqes(c, true, copy, 0, nr, ~0U);
		for (; done < nr; done++) {
			struct io_uring_sqe *sqe = &copy[done];

			compat_defer(c, &sqe, 1);
		}
		free(copy);
	}
	if (sysring_sq_ready(&c->sr))
		sysring_submit(&c->sr);
}

/* Take the SQEs queued in the io_uring SQ; returns how many. */
static unsigned compat_take_sqes(struct compat_ring *c, struct io_uring *ring)
{
	unsigned head = c->sq_head, n;

	n = compat_queue_sqes(c, ring->flags & IORING_SETUP_SUBMIT_ALL,
			      c->sqes, head, ring->sq.sqe_tail - head,
			      c->sq_mask);
	/* Pairs with the acquire in liburing's io_uring_get_sqe(). */
	__atomic_store_n(&c->sq_head, head + n, __ATOMIC_RELEASE);
	c->sq_tail = head + n;
	return n;
}

/*
 * Submit and reap what completed inline.  Returns the number of SQEs
 * taken, or -EBUSY when none could be (no CQ room: reap and retry).
 */
int compat_submit_locked(struct compat_ring *c, struct io_uring *ring)
{
	unsigned pending = ring->sq.sqe_tail - c->sq_head;
	unsigned taken;
	int ret;

	taken = compat_take_sqes(c, ring);
	if (sysring_sq_ready(&c->sr)) {
		ret = sysring_submit(&c->sr);
		if (ret < 0 && ret != -EBUSY)
			return ret;
	}
	compat_reap(c);
	if (!taken && pending)
		return -EBUSY;
	return (int)taken;
}

int compat_submit(struct io_uring *ring)
{
	struct compat_ring *c = compat_ring(ring);
	int ret;

	pthread_mutex_lock(&c->lock);
	ret = compat_submit_locked(c, ring);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int io_uring_submit(struct io_uring *ring)
{
	return compat_submit(ring);
}

int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr)
{
	struct io_uring_cqe *cqe;
	int ret, submitted;

	submitted = compat_submit(ring);
	if (submitted < 0 || !wait_nr)
		return submitted;
	ret = __io_uring_get_cqe(ring, &cqe, 0, wait_nr, NULL);
	return ret < 0 ? ret : submitted;
}

int io_uring_submit_and_get_events(struct io_uring *ring)
{
	return compat_submit(ring);
}

int io_uring_get_events(struct io_uring *ring)
{
	struct compat_ring *c = compat_ring(ring);
	int ret;

	pthread_mutex_lock(&c->lock);
	ret = sysring_sq_ready(&c->sr) ? sysring_submit(&c->sr) : 0;
	compat_reap(c);
	pthread_mutex_unlock(&c->lock);
	/* As io_uring_enter with nothing to submit: 0 or an error. */
	return ret < 0 && ret != -EBUSY ? ret : 0;
}

/* SQEs queued and not submitted yet. */
unsigned __io_uring_flush_sq(struct io_uring *ring)
{
	return ring->sq.sqe_tail - compat_ring(ring)->sq_head;
}

/* Every SQE is taken at submission: the SQ has room once submitted. */
int __io_uring_sqring_wait(struct io_uring *ring)
{
	(void)ring;
	return 0;
}
