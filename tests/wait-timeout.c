/* SPDX-License-Identifier: MIT */
/* Description: sysring_wait_cqe_timeout and sysring_register_workers */
#include <time.h>

#include "helpers.h"

static long long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000LL +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Nothing queued: the wait ends with -ETIME after about the timeout. */
static int test_times_out(struct sysring *ring)
{
	struct timespec ts = { .tv_nsec = 100 * 1000000L }, t0;
	struct sysring_cqe *cqe;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	T_EQ(sysring_wait_cqe_timeout(ring, &cqe, &ts), -ETIME);
	T_CHECK(ms_since(&t0) >= 90);
	return T_EXIT_PASS;
}

/* An async block completes while we wait: the wait returns its CQE. */
static int test_completes(struct sysring *ring)
{
	static const struct timespec nap = { .tv_nsec = 50 * 1000000L };
	struct timespec ts = { .tv_sec = 30 };
	struct sysring_sqe *sqe = t_get_sqe(ring);
	struct sysring_cqe *cqe;

	sysring_prep_syscall(sqe, __NR_nanosleep, 2, t_ptr(&nap), 0, 0, 0, 0, 0);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	sysring_sqe_set_data64(sqe, 7);
	T_EQ(sysring_submit(ring), 1);
	T_EQ(sysring_wait_cqe_timeout(ring, &cqe, &ts), 0);
	T_EQ(cqe->user_data, 7);
	T_EXPECT(cqe, SYSRING_STATUS_EXIT, 0);
	sysring_cqe_seen(ring, cqe);
	return T_EXIT_PASS;
}

static int test_bad_timeout(struct sysring *ring)
{
	struct timespec ts = { .tv_nsec = 1000000000L };
	struct sysring_cqe *cqe;

	T_EQ(sysring_wait_cqe_timeout(ring, &cqe, &ts), -EINVAL);
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	T_EQ(sysring_wait_cqe_timeout(ring, &cqe, &ts), -EINVAL);
	T_EQ(sysring_wait_cqe_timeout(NULL, &cqe, &ts), -EINVAL);
	return T_EXIT_PASS;
}

static int test_workers(struct sysring *ring)
{
	int old = sysring_register_workers(ring, 0);

	T_CHECK(old > 0);
	T_EQ(sysring_register_workers(ring, 2), old);
	T_EQ(sysring_register_workers(ring, 0), 2);
	T_EQ(sysring_register_workers(ring, SYSRING_MAX_WORKERS + 1), -EINVAL);
	T_EQ(sysring_register_workers(ring, 0), 2);
	T_EQ(sysring_register_workers(NULL, 1), -EINVAL);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;

	t_ring_init(&ring, 8, NULL);
	t_require_features(&ring, SYSRING_FEAT_ASYNC, "asynchronous blocks");
	T_RUN(test_times_out, &ring);
	T_RUN(test_completes, &ring);
	T_RUN(test_bad_timeout, &ring);
	T_RUN(test_workers, &ring);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
