/* SPDX-License-Identifier: MIT */
#include <linux/time_types.h>

#include "syscall.h"

/*
 * Publish the locally queued SQEs and return how many the kernel has yet to
 * consume, including any a previous sysring_enter left behind.
 */
static unsigned sysring_flush_sq(struct sysring *ring)
{
	struct sysring_sq *sq = &ring->sq;

	if (*sq->ktail != sq->sqe_tail)
		sysring_smp_store_release(sq->ktail, sq->sqe_tail);
	return sysring_sq_ready(ring);
}

/*
 * Whether the SQPOLL thread sleeps and must be woken to see the new tail.
 * The full barrier pairs with the kernel's between setting the flag and
 * reading the tail again: either it sees our tail, or we see its flag.
 */
static int sysring_sq_needs_wakeup(const struct sysring *ring)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(ring->sq.kflags, __ATOMIC_RELAXED) &
	       SYSRING_SQ_NEED_WAKEUP;
}

/*
 * Under SQPOLL publishing the tail is the submission: enter only to wake
 * the thread or to wait, and return what the thread has yet to consume,
 * as enter would.
 */
int sysring_submit_and_wait(struct sysring *ring, unsigned wait_nr)
{
	unsigned submitted, flags = 0;

	if (!ring)
		return -EINVAL;
	submitted = sysring_flush_sq(ring);
	if (ring->flags & SYSRING_SETUP_SQPOLL) {
		if (sysring_sq_needs_wakeup(ring))
			flags |= SYSRING_ENTER_SQ_WAKEUP;
		else if (!wait_nr)
			return submitted;
	}
	if (wait_nr)
		flags |= SYSRING_ENTER_GETEVENTS;
	return __sys_sysring_enter(ring->ring_fd, submitted, wait_nr, flags);
}

int sysring_sqring_wait(struct sysring *ring)
{
	int ret;

	if (!ring || !(ring->flags & SYSRING_SETUP_SQPOLL))
		return -EINVAL;
	if (sysring_sq_space_left(ring))
		return 0;
	ret = __sys_sysring_enter(ring->ring_fd, 0, 0, SYSRING_ENTER_SQ_WAIT);
	return ret < 0 ? ret : 0;
}

int sysring_submit(struct sysring *ring)
{
	return sysring_submit_and_wait(ring, 0);
}

/*
 * Nothing ready to peek at, but completions wait on the kernel's overflow
 * list: any sysring_enter moves them into the CQ (as liburing's peek
 * does).  Returns whether it entered.
 */
static int sysring_flush_overflow(struct sysring *ring)
{
	if (!sysring_cq_has_overflow(ring))
		return 0;
	return __sys_sysring_enter(ring->ring_fd, 0, 0, 0) >= 0;
}

/* The oldest CQE once @wait_nr (at least one) are ready, else NULL. */
static struct sysring_cqe *sysring_cqe_ready(struct sysring *ring,
					     unsigned wait_nr)
{
	unsigned ready = sysring_cq_ready(ring);

	if (!ready || ready < wait_nr)
		return NULL;
	return sysring_cqe_at(ring, *ring->cq.khead);
}

/* The CQ never holds more: the kernel caps its wait the same way. */
static unsigned sysring_wait_cap(const struct sysring *ring, unsigned wait_nr)
{
	return wait_nr < ring->cq.ring_entries ? wait_nr :
						 ring->cq.ring_entries;
}

/* With @wait_nr 0 this only peeks and returns -EAGAIN when nothing is ready. */
int sysring_wait_cqe_nr(struct sysring *ring, struct sysring_cqe **cqe_ptr,
			unsigned wait_nr)
{
	int flushed = 0, ret;

	if (!ring || !cqe_ptr)
		return -EINVAL;
	wait_nr = sysring_wait_cap(ring, wait_nr);
	for (;;) {
		*cqe_ptr = sysring_cqe_ready(ring, wait_nr);
		if (*cqe_ptr)
			return 0;
		if (!wait_nr) {
			/* Once: another thread may take what it moved in. */
			if (!flushed && sysring_flush_overflow(ring)) {
				flushed = 1;
				continue;
			}
			return -EAGAIN;
		}
		ret = __sys_sysring_enter(ring->ring_fd, 0, wait_nr,
					  SYSRING_ENTER_GETEVENTS);
		if (ret < 0)
			return ret;
	}
}

unsigned sysring_peek_batch_cqe(struct sysring *ring,
				struct sysring_cqe **cqes, unsigned count)
{
	unsigned ready, head, i;

	if (!ring || !cqes)
		return 0;
	ready = sysring_cq_ready(ring);
	if (!ready && sysring_flush_overflow(ring))
		ready = sysring_cq_ready(ring);
	if (count > ready)
		count = ready;
	head = *ring->cq.khead;
	for (i = 0; i < count; i++)
		cqes[i] = sysring_cqe_at(ring, head + i);
	return count;
}

static void sysring_ts_add(struct timespec *t, const struct timespec *d)
{
	t->tv_sec += d->tv_sec;
	t->tv_nsec += d->tv_nsec;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static int sysring_ts_ok(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 &&
	       ts->tv_nsec < 1000000000L;
}

/* Kernels without SYSRING_FEAT_EXT_ARG: poll(2) the ring until a deadline. */
static int sysring_wait_cqe_poll(struct sysring *ring,
				 struct sysring_cqe **cqe_ptr,
				 const struct timespec *ts)
{
	struct timespec deadline;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	sysring_ts_add(&deadline, ts);
	/*
	 * poll(2) does not wake an SQPOLL thread that sleeps on entries the
	 * overflow bound held back: wake it, as the wait of enter would.
	 */
	if ((ring->flags & SYSRING_SETUP_SQPOLL) &&
	    sysring_sq_needs_wakeup(ring)) {
		ret = __sys_sysring_enter(ring->ring_fd, 0, 0,
					  SYSRING_ENTER_SQ_WAKEUP);
		if (ret < 0)
			return ret;
	}
	for (;;) {
		ret = sysring_peek_cqe(ring, cqe_ptr);
		if (ret != -EAGAIN)
			return ret;
		ret = __sys_sysring_wait(ring->ring_fd, &deadline);
		if (ret < 0)
			return ret;
	}
}

/*
 * sysring_enter with SYSRING_ENTER_EXT_ARG: submit @submit, wait for
 * @wait_nr at most @ts with @sigmask.  The C library's sigset_t starts
 * with the kernel's 64 signals, which is all the kernel reads (as liburing
 * passes it).
 */
static int sysring_enter_ext(struct sysring *ring, unsigned submit,
			     unsigned wait_nr, const struct timespec *ts,
			     const sigset_t *sigmask)
{
	struct sysring_getevents_arg arg;
	struct __kernel_timespec kts;

	memset(&arg, 0, sizeof(arg));
	if (ts) {
		kts.tv_sec = ts->tv_sec;
		kts.tv_nsec = ts->tv_nsec;
		arg.ts = (__u64)(unsigned long)&kts;
	}
	arg.sigmask = (__u64)(unsigned long)sigmask;
	arg.sigmask_sz = _NSIG / 8;
	return __sys_sysring_enter2(ring->ring_fd, submit, wait_nr,
				    SYSRING_ENTER_GETEVENTS |
				    SYSRING_ENTER_EXT_ARG, &arg, sizeof(arg));
}

int sysring_wait_cqe_timeout(struct sysring *ring,
			     struct sysring_cqe **cqe_ptr,
			     const struct timespec *ts)
{
	int ret;

	if (!ts)
		return sysring_wait_cqe(ring, cqe_ptr);
	if (!ring || !cqe_ptr || !sysring_ts_ok(ts))
		return -EINVAL;
	if (!(ring->features & SYSRING_FEAT_EXT_ARG))
		return sysring_wait_cqe_poll(ring, cqe_ptr, ts);
	ret = sysring_peek_cqe(ring, cqe_ptr);
	if (ret != -EAGAIN)
		return ret;
	ret = sysring_enter_ext(ring, 0, 1, ts, NULL);
	if (ret < 0)
		return ret;
	/* Another thread may have taken it: the time is spent all the same. */
	*cqe_ptr = sysring_cqe_ready(ring, 1);
	return *cqe_ptr ? 0 : -ETIME;
}

int sysring_submit_and_wait_timeout(struct sysring *ring,
				    struct sysring_cqe **cqe_ptr,
				    unsigned wait_nr,
				    const struct timespec *ts,
				    const sigset_t *sigmask)
{
	int ret;

	if (!ring || !cqe_ptr || (ts && !sysring_ts_ok(ts)))
		return -EINVAL;
	*cqe_ptr = NULL;
	if (!(ring->features & SYSRING_FEAT_EXT_ARG))
		return -EOPNOTSUPP;
	wait_nr = sysring_wait_cap(ring, wait_nr);
	ret = sysring_enter_ext(ring, sysring_flush_sq(ring), wait_nr, ts,
				sigmask);
	if (ret < 0)
		return ret;
	*cqe_ptr = sysring_cqe_ready(ring, wait_nr);
	return ret;
}
