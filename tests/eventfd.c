/* SPDX-License-Identifier: MIT */
/* Description: SYSRING_REGISTER_EVENTFD: the eventfd counts batches of posted completions (inline, asynchronous, overflowed), stops after SYSRING_UNREGISTER_EVENTFD, outlives the caller's descriptor, and bad registrations fail with EBUSY, EBADF, EINVAL, EFAULT and ENXIO; the ring fd polls readable for CQEs and for overflowed ones */
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "syscall.h"

/* The eventfd's counter, reset; 0 when nothing was signalled. */
static __u64 ev_take(int efd)
{
	uint64_t v;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void queue_nops(struct sysring *ring, unsigned n, unsigned flags)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct sysring_sqe *sqe = t_get_sqe(ring);

		sysring_prep_nop(sqe);
		sysring_sqe_set_flags(sqe, flags);
		sysring_sqe_set_data64(sqe, i);
	}
}

static int reap(struct sysring *ring, unsigned n)
{
	struct t_cqe c[32];

	return t_reap(ring, c, n);
}

/* One signal per batch: a submission's inline blocks, a worker's chain. */
static int test_counts(struct sysring *ring, int efd)
{
	static const struct timespec nap = { .tv_nsec = 20 * 1000000L };
	struct sysring_sqe *sqe;

	T_EQ(ev_take(efd), 0);
	queue_nops(ring, 1, 0);
	T_EQ(sysring_submit(ring), 1);
	T_EQ(ev_take(efd), 1);
	T_EQ(reap(ring, 1), T_EXIT_PASS);
	queue_nops(ring, 4, 0);
	T_EQ(sysring_submit(ring), 4);
	T_EQ(ev_take(efd), 1);
	T_EQ(reap(ring, 4), T_EXIT_PASS);
	/* Reaping posts nothing. */
	T_EQ(ev_take(efd), 0);

	sqe = t_get_sqe(ring);
	sysring_prep_syscall(sqe, __NR_nanosleep, 2, t_ptr(&nap), 0, 0, 0, 0, 0);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	sysring_sqe_set_data64(sqe, 0);
	T_EQ(sysring_submit(ring), 1);
	/* Queued for a worker, not posted yet: no signal from the submit. */
	T_EQ(ev_take(efd), 0);
	T_EQ(reap(ring, 1), T_EXIT_PASS);
	T_EQ(ev_take(efd), 1);
	return T_EXIT_PASS;
}

/*
 * Completions that go to the overflow list signal when posted, and again
 * when a later call moves them into the CQ, as io_uring does.
 */
static int test_overflow(int efd)
{
	struct sysring_params p;
	struct sysring ring;
	unsigned i;

	memset(&p, 0, sizeof(p));
	p.flags = SYSRING_SETUP_CQSIZE;
	p.cq_entries = 4;
	t_ring_init(&ring, 4, &p);
	if (!(ring.features & SYSRING_FEAT_NODROP)) {
		sysring_queue_exit(&ring);
		return T_EXIT_PASS;
	}
	T_EQ(sysring_register_eventfd(&ring, efd), 0);
	for (i = 0; i < 2; i++) {
		queue_nops(&ring, 4, 0);
		T_EQ(sysring_submit(&ring), 4);
	}
	T_EQ(ev_take(efd), 2);
	T_CHECK(sysring_cq_has_overflow(&ring));
	sysring_cq_advance(&ring, 4);
	T_EQ(__sys_sysring_enter(ring.ring_fd, 0, 0, 0), 0);
	T_CHECK(!sysring_cq_has_overflow(&ring));
	T_EQ(ev_take(efd), 1);
	T_EQ(sysring_cq_ready(&ring), 4);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* Unregistered: nothing more; the application's fd was never the ring's. */
static int test_unregister(struct sysring *ring, int efd)
{
	T_EQ(sysring_unregister_eventfd(ring), 0);
	queue_nops(ring, 1, 0);
	T_EQ(sysring_submit(ring), 1);
	T_EQ(reap(ring, 1), T_EXIT_PASS);
	T_EQ(ev_take(efd), 0);
	T_EQ(sysring_unregister_eventfd(ring), -ENXIO);
	return T_EXIT_PASS;
}

/* The ring keeps its own reference: closing ours does not stop it. */
static int test_outlives_fd(struct sysring *ring, int efd)
{
	int tmp = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int alias;

	T_CHECK(tmp >= 0);
	T_EQ(sysring_register_eventfd(ring, tmp), 0);
	/* Keep a way to read it, by another descriptor of the same file. */
	alias = dup(tmp);
	T_CHECK(alias >= 0);
	close(tmp);
	queue_nops(ring, 1, 0);
	T_EQ(sysring_submit(ring), 1);
	T_EQ(reap(ring, 1), T_EXIT_PASS);
	T_EQ(ev_take(alias), 1);
	T_EQ(ev_take(efd), 0);
	T_EQ(sysring_unregister_eventfd(ring), 0);
	close(alias);
	return T_EXIT_PASS;
}

static int test_errors(struct sysring *ring, int efd)
{
	int fds[2], closed;

	T_EQ(sysring_register_eventfd(ring, efd), 0);
	T_EQ(sysring_register_eventfd(ring, efd), -EBUSY);
	T_EQ(sysring_unregister_eventfd(ring), 0);

	T_CHECK(pipe(fds) == 0);
	T_EQ(sysring_register_eventfd(ring, fds[0]), -EINVAL);
	close(fds[0]);
	close(fds[1]);
	closed = fds[0];
	T_EQ(sysring_register_eventfd(ring, closed), -EBADF);
	T_EQ(sysring_register_eventfd(ring, -1), -EBADF);
	T_EQ(__sys_sysring_register(ring->ring_fd, SYSRING_REGISTER_EVENTFD,
				    NULL, 1), -EFAULT);
	T_EQ(__sys_sysring_register(ring->ring_fd, SYSRING_REGISTER_EVENTFD,
				    &efd, 0), -EINVAL);
	T_EQ(__sys_sysring_register(ring->ring_fd, SYSRING_REGISTER_EVENTFD,
				    &efd, 2), -EINVAL);
	T_EQ(__sys_sysring_register(ring->ring_fd, SYSRING_UNREGISTER_EVENTFD,
				    &efd, 0), -EINVAL);
	T_EQ(__sys_sysring_register(ring->ring_fd, SYSRING_UNREGISTER_EVENTFD,
				    NULL, 1), -EINVAL);
	T_EQ(sysring_unregister_eventfd(ring), -ENXIO);
	T_EQ(sysring_register_eventfd(NULL, efd), -EINVAL);
	T_EQ(sysring_unregister_eventfd(NULL), -EINVAL);
	/* None of it left anything registered. */
	T_EQ(sysring_register_eventfd(ring, efd), 0);
	return T_EXIT_PASS;
}

/* epoll(7) on a kernel ring: readable for CQEs, and for overflowed ones. */
static int test_epoll(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct sysring_params p;
	struct sysring ring;
	int ep;

	memset(&p, 0, sizeof(p));
	p.flags = SYSRING_SETUP_CQSIZE;
	p.cq_entries = 4;
	t_ring_init(&ring, 4, &p);
	if (ring.features & SYSRING_FEAT_USER_BACKEND) {
		/* Its ring is a memfd: nothing to poll. */
		sysring_queue_exit(&ring);
		return T_EXIT_PASS;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	T_CHECK(ep >= 0);
	T_CHECK(!epoll_ctl(ep, EPOLL_CTL_ADD, ring.ring_fd, &ev));
	T_EQ(epoll_wait(ep, &out, 1, 0), 0);
	queue_nops(&ring, 4, 0);
	T_EQ(sysring_submit(&ring), 4);
	T_EQ(epoll_wait(ep, &out, 1, 1000), 1);
	T_CHECK(out.events & EPOLLIN);
	if (ring.features & SYSRING_FEAT_NODROP) {
		queue_nops(&ring, 4, 0);
		T_EQ(sysring_submit(&ring), 4);
		/* The CQ consumed: the overflowed four still make it readable. */
		sysring_cq_advance(&ring, 4);
		T_EQ(sysring_cq_ready(&ring), 0);
		T_EQ(epoll_wait(ep, &out, 1, 1000), 1);
		T_EQ(reap(&ring, 4), T_EXIT_PASS);
	} else {
		sysring_cq_advance(&ring, 4);
	}
	T_EQ(epoll_wait(ep, &out, 1, 0), 0);
	close(ep);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;
	int efd, ret;

	t_ring_init(&ring, 8, NULL);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	T_CHECK(efd >= 0);
	/* An older kernel knows no such operation. */
	ret = sysring_register_eventfd(&ring, efd);
	if (ret == -EINVAL) {
		printf("kernel lacks SYSRING_REGISTER_EVENTFD\n");
		return T_EXIT_SKIP;
	}
	T_EQ(ret, 0);
	T_EQ(sysring_unregister_eventfd(&ring), 0);
	T_RUN(test_errors, &ring, efd);
	T_RUN(test_counts, &ring, efd);
	T_RUN(test_unregister, &ring, efd);
	T_RUN(test_outlives_fd, &ring, efd);
	T_RUN(test_overflow, efd);
	T_RUN(test_epoll);
	sysring_queue_exit(&ring);
	/* The ring is gone: the eventfd is the application's alone again. */
	ret = write(efd, &(uint64_t){ 1 }, 8) == 8 ? T_EXIT_PASS : T_EXIT_FAIL;
	close(efd);
	return ret;
}
