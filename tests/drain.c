/* SPDX-License-Identifier: MIT */
/* Description: SYSRING_SQE_DRAIN: a chain starts only after every earlier one, async ones included */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define DELAY_MS	200

static int pipefd[2];

static void *late_writer(void *arg)
{
	(void)arg;
	usleep(DELAY_MS * 1000);
	if (write(pipefd[1], "x", 1) != 1)
		exit(T_EXIT_FAIL);
	return NULL;
}

static long long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000LL +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void)
{
	static char byte;
	struct sysring_sqe *sqe;
	struct sysring ring;
	struct timespec t0;
	struct t_cqe c[3];
	pthread_t th;
	int ret;

	t_ring_init(&ring, 8, NULL);
	t_require_features(&ring, SYSRING_FEAT_ASYNC, "asynchronous blocks");
	T_CHECK(!pipe(pipefd));

	/* 0: an async read the writer releases after DELAY_MS. */
	sqe = t_get_sqe(&ring);
	sysring_prep_read(sqe, pipefd[0], &byte, 1);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	sysring_sqe_set_data64(sqe, 0);
	/* 1: inline, no drain: runs at once. */
	sqe = t_get_sqe(&ring);
	sysring_prep_getppid(sqe);
	sysring_sqe_set_data64(sqe, 1);
	/* 2: inline with DRAIN: waits for 0. */
	sqe = t_get_sqe(&ring);
	sysring_prep_getppid(sqe);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_DRAIN);
	sysring_sqe_set_data64(sqe, 2);

	T_CHECK(!pthread_create(&th, NULL, late_writer, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = sysring_submit(&ring);
	T_EQ(ret, 3);
	/* The submission returned only once the async read had completed. */
	T_CHECK(ms_since(&t0) >= DELAY_MS - 20);
	T_EQ(sysring_cq_ready(&ring), 3);
	pthread_join(th, NULL);

	T_EQ(t_reap(&ring, c, 3), T_EXIT_PASS);
	T_EXPECT(&c[0], SYSRING_STATUS_EXIT, 1);
	T_EXPECT(&c[1], SYSRING_STATUS_EXIT, getppid());
	T_EXPECT(&c[2], SYSRING_STATUS_EXIT, getppid());

	/* Nothing outstanding: DRAIN costs nothing. */
	sqe = t_get_sqe(&ring);
	sysring_prep_nop(sqe);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_DRAIN);
	sysring_sqe_set_data64(sqe, 0);
	T_EQ(t_submit_reap(&ring, c, 1), T_EXIT_PASS);
	T_EXPECT(&c[0], SYSRING_STATUS_EXIT, 0);

	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
