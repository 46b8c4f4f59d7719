// SPDX-License-Identifier: MIT
/*
 * Completion: sysring CQEs are turned back into io_uring CQEs in the
 * io_uring CQ that liburing's inline helpers read.  What finds that CQ
 * full waits, in order, on the library's overflow list (c->pending), as
 * io_uring keeps its own: IORING_SQ_CQ_OVERFLOW says so, and it is
 * bounded only by memory.  So the sysring CQ is always drained and
 * nothing is dropped.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "compat.h"

static bool compat_cq_full(const struct compat_ring *c)
{
	return c->cq_tail - c->cq_head >= c->cq_entries;
}

/* Pending CQEs of TIMEOUTs, which count-based timeouts do not count. */
#define COMPAT_CQE_UNCOUNTED	(1U << 31)

static void compat_cq_write(struct compat_ring *c, __u64 user_data, __s32 res,
			    __u32 cflags, bool counts)
{
	struct io_uring_cqe *cqe = &c->cqes[c->cq_tail & c->cq_mask];

	cqe->user_data = user_data;
	cqe->res = res;
	cqe->flags = cflags;
	/* Pairs with the acquire in liburing's __io_uring_peek_cqe(). */
	__atomic_store_n(&c->cq_tail, c->cq_tail + 1, __ATOMIC_RELEASE);
	c->posted = true;
	if (counts)
		c->cq_seq++;
}

/* Wake waiters, and the registered eventfd unless the program muted it. */
void compat_notify(struct compat_ring *c)
{
	__u64 one = 1;

	if (!c->posted)
		return;
	c->posted = false;
	if (write(c->notify_fd, &one, sizeof(one)) < 0) {
		/* only EAGAIN: the counter is already far from zero */
	}
	if (c->eventfd >= 0 && (!c->eventfd_async || c->in_reaper) &&
	    !(__atomic_load_n(&c->cq_flags, __ATOMIC_RELAXED) &
	      IORING_CQ_EVENTFD_DISABLED) &&
	    write(c->eventfd, &one, sizeof(one)) < 0) {
		/* an eventfd at its maximum stays readable: nothing lost */
	}
}

static bool compat_pending_flush(struct compat_ring *c)
{
	struct compat_pending *p = &c->pending;

	while (p->head != p->tail) {
		struct io_uring_cqe *cqe = &p->cqes[p->head & (p->size - 1)];

		if (compat_cq_full(c))
			return false;
		compat_cq_write(c, cqe->user_data, cqe->res,
				cqe->flags & ~COMPAT_CQE_UNCOUNTED,
				!(cqe->flags & COMPAT_CQE_UNCOUNTED));
		p->head++;
	}
	return true;
}

static void compat_post_counted(struct compat_ring *c, __u64 user_data,
				__s32 res, __u32 cflags, bool counts);

/*
 * Complete count-based timeouts whose count the CQ has reached, right
 * there in CQ order as io_uring does; the sleeping block is cancelled and
 * its own completion is dropped.  Not re-entered from its own posts.
 */
static void compat_timeouts_fire(struct compat_ring *c)
{
	unsigned i;

	if (!c->count_timeouts || c->firing)
		return;
	c->firing = true;
	for (i = 0; i < c->reqs_used; i++) {
		struct compat_req *req = &c->reqs[i];

		if (!req->in_use || req->sqe.opcode != IORING_OP_TIMEOUT ||
		    !req->sqe.off || req->timeout_done ||
		    c->cq_seq < req->timeout_target)
			continue;
		req->timeout_done = true;
		sysring_register_cancel(&c->sr, i, 0);
		compat_post_counted(c, req->user_data, 0, 0, false);
	}
	c->firing = false;
}

/*
 * Post a completion the library made itself.  When the CQ is full it
 * waits in order behind the others; the list grows (or, out of memory, the
 * CQ overflow counter says a completion was lost).
 */
static void compat_post_counted(struct compat_ring *c, __u64 user_data,
				__s32 res, __u32 cflags, bool counts)
{
	struct compat_pending *p = &c->pending;

	if (compat_pending_flush(c) && !compat_cq_full(c)) {
		compat_cq_write(c, user_data, res, cflags, counts);
		compat_timeouts_fire(c);
		return;
	}
	if (p->tail - p->head == p->size) {
		unsigned size = p->size ? 2 * p->size : 16, i;
		struct io_uring_cqe *n = malloc(size * sizeof(*n));

		if (!n) {
			c->cq_overflow++;
			return;
		}
		for (i = 0; i < p->tail - p->head; i++)
			n[i] = p->cqes[(p->head + i) & (p->size - 1)];
		free(p->cqes);
		p->cqes = n;
		p->tail -= p->head;
		p->head = 0;
		p->size = size;
	}
	p->cqes[p->tail++ & (p->size - 1)] = (struct io_uring_cqe){
		.user_data = user_data, .res = res,
		.flags = cflags | (counts ? 0 : COMPAT_CQE_UNCOUNTED),
	};
}

void compat_post(struct compat_ring *c, __u64 user_data, __s32 res)
{
	compat_post_counted(c, user_data, res, 0, true);
}

static __s32 compat_res(const struct sysring_cqe *scqe)
{
	switch (scqe->status) {
	case SYSRING_STATUS_FAULT:
		return -EFAULT;
	case SYSRING_STATUS_CANCELED:
		return -ECANCELED;
	default:
		return (__s32)scqe->res;
	}
}

/*
 * A new descriptor for a fixed-file slot: install it and return what the
 * CQE reports (the slot, or 0), or free the slot and return @res or why the
 * descriptor could not be kept.
 */
static int compat_direct_done(struct compat_ring *c, struct compat_req *req,
			      const struct sysring_cqe *scqe, int res)
{
	unsigned slot = (unsigned)req->direct_slot;
	__u64 fd;

	if (scqe->status == SYSRING_STATUS_EXIT &&
	    !sysring_cqe_reg(scqe, (unsigned)req->fd_reg, &fd)) {
		res = compat_fd_hide((int)fd);
		if (res >= 0) {
			compat_file_install(c, slot, res);
			return req->sqe.file_index == IORING_FILE_INDEX_ALLOC ?
			       (int)slot : 0;
		}
	}
	if (c->files[slot] == COMPAT_FILE_RESERVED)
		c->files[slot] = -1;
	return res;
}

/*
 * io_uring answers -EAGAIN for a descriptor the program made O_NONBLOCK,
 * rather than waiting on it: so does the library, instead of running the
 * non-blocking try again on a worker.
 */
static bool compat_fd_nonblock(struct compat_ring *c,
			       const struct io_uring_sqe *sqe)
{
	int fd = compat_sqe_fd(c, sqe), fl;

	fl = fd < 0 ? -1 : fcntl(fd, F_GETFL);
	return fl >= 0 && (fl & O_NONBLOCK);
}

/*
 * A file that cannot say "would block" (EOPNOTSUPP to RWF_NOWAIT: tmpfs,
 * for one) goes to a worker at once next time, as io_uring sends it to
 * io-wq.  The mark outlives the descriptor: a later file with its number
 * only loses the inline try.
 */
static void compat_mark_no_nowait(struct compat_ring *c,
				  const struct io_uring_sqe *sqe)
{
	int fd = compat_sqe_fd(c, sqe);
	unsigned bits = 8 * sizeof(long);

	if (fd >= 0 && fd < COMPAT_NOWAIT_FDS)
		c->no_nowait[fd / bits] |= 1UL << (fd % bits);
}

bool compat_no_nowait(struct compat_ring *c, const struct io_uring_sqe *sqe)
{
	int fd = compat_sqe_fd(c, sqe);
	unsigned bits = 8 * sizeof(long);

	return fd >= 0 && fd < COMPAT_NOWAIT_FDS &&
	       (c->no_nowait[fd / bits] >> (fd % bits)) & 1;
}

/*
 * A failed request with IOSQE_CQE_SKIP_SUCCESS hides the -ECANCELED
 * completions of the rest of its chain, as io_uring does.
 */
static void compat_chain_skip(struct compat_ring *c, struct compat_req *req)
{
	if (req->chain_next >= 0 && (req->sqe.flags & IOSQE_IO_LINK))
		c->reqs[req->chain_next].chain_skip = true;
}

/*
 * A RECVMSG into a provided buffer received @res bytes.  Alone, the
 * program's msghdr learns what recvmsg(2) would have told it; multishot,
 * the io_uring_recvmsg_out at the buffer's start does, and the CQE's res
 * is how much of the buffer is used.  Returns that res, or -EFAULT.
 */
static __s32 compat_recvmsg_done(struct compat_req *req, __s32 res)
{
	const struct msghdr *msg = &req->msg;
	struct io_uring_recvmsg_out out;
	__u64 umsg = req->sqe.addr;
	__u32 room = (__u32)req->iov.iov_len;

	if (!req->multishot) {
		if (compat_copy_out(umsg + offsetof(struct msghdr, msg_namelen),
				    &msg->msg_namelen, sizeof(msg->msg_namelen)) ||
		    compat_copy_out(umsg + offsetof(struct msghdr, msg_controllen),
				    &msg->msg_controllen,
				    sizeof(msg->msg_controllen)) ||
		    compat_copy_out(umsg + offsetof(struct msghdr, msg_flags),
				    &msg->msg_flags, sizeof(msg->msg_flags)))
			return -EFAULT;
		return res;
	}
	out = (struct io_uring_recvmsg_out){
		.namelen = msg->msg_namelen,
		.controllen = (__u32)msg->msg_controllen,
		.payloadlen = (__u32)res,
		.flags = (__u32)msg->msg_flags,
	};
	if (compat_copy_out(req->kbuf.addr, &out, sizeof(out)))
		return -EFAULT;
	return (__s32)(sizeof(out) + req->namelen + req->controllen) +
	       ((__u32)res < room ? res : (__s32)room);
}

/* CQEs posted now go straight into the CQ, not onto the overflow list. */
static bool compat_cq_room(const struct compat_ring *c)
{
	return c->pending.head == c->pending.tail && !compat_cq_full(c);
}

/*
 * Multishot receive: post this completion with IORING_CQE_F_MORE and run
 * the request again with a new buffer, while it receives data, is not
 * cancelled and its CQEs fit in the CQ (io_uring ends a multishot request
 * whose CQE overflows).  Out of buffers, it ends with -ENOBUFS after this
 * CQE, and cancelled between two receives with -ECANCELED.  Returns false
 * when this completion is its last.
 */
static bool compat_mshot_again(struct compat_ring *c, struct compat_req *req,
			       __s32 got, __s32 res, __u32 cflags)
{
	__u64 user_data = req->user_data;
	int ret;

	if (got <= 0 || res < 0 || !compat_cq_room(c) ||
	    (!req->canceled && !sysring_sq_space_left(&c->sr)))
		return false;
	compat_post_counted(c, user_data, res, cflags | IORING_CQE_F_MORE,
			    true);
	ret = req->canceled ? -ECANCELED : compat_resubmit(c, req, false);
	if (ret) {
		compat_buf_done(c, req, false);
		compat_req_put(c, req);
		compat_post(c, user_data, ret);
	}
	return true;
}

/* Returns true when the request was run again instead of completing. */
static bool compat_complete(struct compat_ring *c,
			    const struct sysring_cqe *scqe)
{
	struct compat_req *req;
	__s32 res = compat_res(scqe), got;
	bool timeout, skip, post, zc;
	__u64 user_data;
	__u32 cflags;

	if (scqe->user_data >= c->nr_reqs)
		return false;
	req = &c->reqs[scqe->user_data];
	/* A zero-copy send's notification comes after its CQE, if any. */
	zc = req->sqe.opcode == IORING_OP_SEND_ZC ||
	     req->sqe.opcode == IORING_OP_SENDMSG_ZC;
	c->inflight--;
	if (req->nowait && res == -EOPNOTSUPP)
		compat_mark_no_nowait(c, &req->sqe);
	if (req->nowait && (res == -EAGAIN || res == -EOPNOTSUPP)) {
		if (req->canceled)
			res = -ECANCELED;
		else if ((req->multishot || !compat_fd_nonblock(c, &req->sqe)) &&
			 !compat_resubmit(c, req, true))
			return true;
	}
	/* A file with no non-blocking reads says EOPNOTSUPP; io_uring EAGAIN. */
	if (res == -EOPNOTSUPP && compat_op_block(req->sqe.opcode) ==
	    COMPAT_NOWAIT && compat_app_nowait(&req->sqe))
		res = -EAGAIN;
	/* An ASYNC_CANCEL interrupted its system call. */
	if (req->canceled && res == -EINTR)
		res = -ECANCELED;
	got = res;
	if (res >= 0 && req->kbuf.held && req->sqe.opcode == IORING_OP_RECVMSG)
		res = compat_recvmsg_done(req, res);
	cflags = compat_buf_done(c, req, res > 0);
	if (req->multishot && compat_mshot_again(c, req, got, res, cflags))
		return true;
	if (req->chain_skip && res == -ECANCELED) {
		compat_chain_skip(c, req);
		if (zc)
			compat_post_counted(c, req->user_data, 0,
					    IORING_CQE_F_NOTIF, true);
		compat_req_put(c, req);
		return false;
	}
	if (req->direct_slot >= 0)
		res = compat_direct_done(c, req, scqe, res);
	if (res < 0 && (req->sqe.flags & IOSQE_CQE_SKIP_SUCCESS))
		compat_chain_skip(c, req);
	/* The block closed the slot's descriptor: forget it, do not close. */
	if (req->close_slot >= 0 && scqe->status == SYSRING_STATUS_EXIT &&
	    (unsigned)req->close_slot < c->nr_files)
		c->files[req->close_slot] = -1;
	skip = req->sqe.flags & IOSQE_CQE_SKIP_SUCCESS;
	post = !(skip && res >= 0);
	timeout = req->sqe.opcode == IORING_OP_TIMEOUT;
	if (timeout) {
		if (req->sqe.off)
			c->count_timeouts--;
		/* compat_timeouts_fire() posted it already */
		if (req->timeout_done)
			post = false;
		else if (res == -EINTR)
			res = -ECANCELED;
	}
	user_data = req->user_data;
	compat_req_put(c, req);
	if (post)
		compat_post_counted(c, user_data, res,
				    cflags | (zc ? IORING_CQE_F_MORE : 0),
				    !timeout);
	if (zc)
		compat_post_counted(c, user_data, 0, IORING_CQE_F_NOTIF, true);
	return false;
}

/* Move what sysring completed into the io_uring CQ; returns how many. */
int compat_reap(struct compat_ring *c)
{
	struct sysring_cqe *scqe;
	bool resubmit = false;
	unsigned before = c->cq_tail;

	compat_pending_flush(c);
	while (!sysring_peek_cqe(&c->sr, &scqe)) {
		resubmit |= compat_complete(c, scqe);
		sysring_cqe_seen(&c->sr, scqe);
	}
	if (resubmit)
		sysring_submit(&c->sr);
	compat_timeouts_fire(c);
	compat_run_deferred(c);
	if (c->pending.head != c->pending.tail)
		__atomic_or_fetch(&c->sq_flags, IORING_SQ_CQ_OVERFLOW,
				  __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&c->sq_flags, ~IORING_SQ_CQ_OVERFLOW,
				   __ATOMIC_RELAXED);
	compat_notify(c);
	return (int)(c->cq_tail - before);
}

/*
 * The reaper: wait for sysring completions and move them into the io_uring
 * CQ.  While some wait on the overflow list, the program frees room
 * without a library call (io_uring_cqe_seen only moves the head), so look
 * again a little later.  It wakes at least once a second to notice
 * c->stop.
 */
void *compat_reaper(void *arg)
{
	const struct timespec slice = { .tv_sec = 1 };
	struct compat_ring *c = arg;
	struct sysring_cqe *scqe;
	sigset_t all;
	bool overflow;

	/* Signals are for the program's threads, as with io_uring. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		pthread_mutex_lock(&c->lock);
		if (c->stop) {
			pthread_mutex_unlock(&c->lock);
			return NULL;
		}
		c->in_reaper = true;
		compat_reap(c);
		c->in_reaper = false;
		overflow = c->pending.head != c->pending.tail;
		pthread_mutex_unlock(&c->lock);
		if (overflow)
			usleep(1000);
		else
			sysring_wait_cqe_timeout(&c->sr, &scqe, &slice);
	}
}

/*
 * Stop the reaper: cancel what runs on workers, and post a block of our
 * own so that its wait ends now rather than at the next tick.
 */
void compat_reaper_stop(struct compat_ring *c)
{
	struct sysring_sqe *s;

	if (!c->reaper_started)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	sysring_register_cancel(&c->sr, 0,
				SYSRING_CANCEL_ANY | SYSRING_CANCEL_ALL);
	s = sysring_get_sqe(&c->sr);
	if (s) {
		sysring_prep_nop(s);
		sysring_sqe_set_data64(s, ~0ULL);
		sysring_submit(&c->sr);
	}
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->reaper, NULL);
	c->reaper_started = false;
}

/* Sleep until something is posted, @left passes (0) or a signal (-EINTR). */
static int compat_sleep(struct compat_ring *c, const struct timespec *left,
			const sigset_t *sigmask)
{
	struct pollfd pfd = { .fd = c->notify_fd, .events = POLLIN };
	__u64 cnt;
	int ret;

	ret = ppoll(&pfd, 1, left, sigmask);
	if (ret < 0)
		return -errno;
	if (ret && read(c->notify_fd, &cnt, sizeof(cnt)) < 0) {
		/* EAGAIN: another waiter took it; look at the CQ anyway */
	}
	return 0;
}

static void ts_add(struct timespec *t, const struct __kernel_timespec *d)
{
	t->tv_sec += d->tv_sec;
	t->tv_nsec += d->tv_nsec;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* Time left until @deadline (CLOCK_MONOTONIC), or false when it passed. */
static bool ts_left(const struct timespec *deadline, struct timespec *left)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left->tv_sec = deadline->tv_sec - now.tv_sec;
	left->tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += 1000000000L;
	}
	return left->tv_sec >= 0;
}

/*
 * Wait for @wait_nr io_uring CQEs (at most a CQ's worth), until @ts passes
 * (-ETIME) or a signal comes (-EINTR); @sigmask is in force while it
 * sleeps, as with io_uring_enter.  Called with c->lock held.
 */
static int compat_get_cqe_locked(struct compat_ring *c,
				 struct io_uring_cqe **cqe_ptr,
				 unsigned wait_nr,
				 const struct __kernel_timespec *ts,
				 const sigset_t *sigmask)
{
	struct timespec deadline, left;
	int ret;

	if (ts) {
		if (ts->tv_sec < 0 || ts->tv_nsec < 0 ||
		    ts->tv_nsec >= 1000000000L)
			return -EINVAL;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		ts_add(&deadline, ts);
	}
	if (wait_nr > c->cq_entries)
		wait_nr = c->cq_entries;
	for (;;) {
		unsigned avail;

		compat_reap(c);
		avail = c->cq_tail - c->cq_head;
		if (avail && avail >= wait_nr) {
			*cqe_ptr = &c->cqes[c->cq_head & c->cq_mask];
			return 0;
		}
		*cqe_ptr = NULL;
		if (!wait_nr)
			return -EAGAIN;
		/* As liburing: when time is up, fewer than asked will do. */
		if (ts && !ts_left(&deadline, &left)) {
			if (!avail)
				return -ETIME;
			*cqe_ptr = &c->cqes[c->cq_head & c->cq_mask];
			return 0;
		}
		pthread_mutex_unlock(&c->lock);
		ret = compat_sleep(c, ts ? &left : NULL, sigmask);
		pthread_mutex_lock(&c->lock);
		if (ret)
			return ret;
	}
}

int compat_get_cqe(struct compat_ring *c, struct io_uring_cqe **cqe_ptr,
		   unsigned wait_nr, const struct __kernel_timespec *ts,
		   const sigset_t *sigmask)
{
	int ret;

	pthread_mutex_lock(&c->lock);
	ret = compat_get_cqe_locked(c, cqe_ptr, wait_nr, ts, sigmask);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned submit, unsigned wait_nr, sigset_t *sigmask)
{
	int ret;

	if (submit) {
		ret = compat_submit(ring);
		if (ret < 0 && ret != -EBUSY)
			return ret;
	}
	return compat_get_cqe(compat_ring(ring), cqe_ptr, wait_nr, NULL,
			      sigmask);
}

int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned wait_nr, struct __kernel_timespec *ts,
		       sigset_t *sigmask)
{
	return compat_get_cqe(compat_ring(ring), cqe_ptr, wait_nr, ts, sigmask);
}

int io_uring_wait_cqe_timeout(struct io_uring *ring,
			      struct io_uring_cqe **cqe_ptr,
			      struct __kernel_timespec *ts)
{
	return compat_get_cqe(compat_ring(ring), cqe_ptr, 1, ts, NULL);
}

int io_uring_submit_and_wait_timeout(struct io_uring *ring,
				     struct io_uring_cqe **cqe_ptr,
				     unsigned wait_nr,
				     struct __kernel_timespec *ts,
				     sigset_t *sigmask)
{
	int submitted, ret;

	submitted = compat_submit(ring);
	if (submitted < 0 && submitted != -EBUSY)
		return submitted;
	ret = compat_get_cqe(compat_ring(ring), cqe_ptr, wait_nr, ts, sigmask);
	if (ret < 0)
		return ret;
	return submitted < 0 ? 0 : submitted;
}

unsigned io_uring_peek_batch_cqe(struct io_uring *ring,
				 struct io_uring_cqe **cqes, unsigned count)
{
	struct compat_ring *c = compat_ring(ring);
	unsigned ready, i;

	pthread_mutex_lock(&c->lock);
	compat_reap(c);
	ready = c->cq_tail - c->cq_head;
	if (count > ready)
		count = ready;
	for (i = 0; i < count; i++)
		cqes[i] = &c->cqes[(c->cq_head + i) & c->cq_mask];
	pthread_mutex_unlock(&c->lock);
	return count;
}
