/* SPDX-License-Identifier: MIT */
/* Description: SYSRING_FEAT_WAIT_ARM: a WAIT heading an asynchronous chain is armed at submission, so a pipe written and read back before a worker runs it still reports POLLIN; with nothing written it times out with 0; a file ready at submission reports at once; an armed WAIT is canceled, and a ring closed with armed WAITs pending does not hang */
#include <poll.h>
#include <unistd.h>

#include "helpers.h"

#define NR_WAITS	16
#define ROUNDS		50
#define NS_PER_MS	1000000ULL

/* WAIT r0, r1 = fd, r2 = timeout, @events; EXIT r0 on a worker. */
static void queue_wait(struct sysring *ring, int fd, __u64 timeout_ms,
		       short events, __u64 ud)
{
	const struct sysring_insn prog[] = {
		SR_WAIT(0, 1, events, 0),
		SR_EXIT(0),
	};
	struct sysring_sqe *sqe = t_get_sqe(ring);
	__u64 regs[2] = { (__u64)fd, timeout_ms * NS_PER_MS };

	sysring_prep_insns(sqe, prog, ARRAY_SIZE(prog));
	sysring_sqe_set_regs(sqe, 1, regs, 2);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	sysring_sqe_set_data64(sqe, ud);
}

/*
 * The byte is gone before most workers look: only the arm can tell them.
 * Unarmed, they would sleep to their 10 s timeout and report 0.
 */
static int test_transient(struct sysring *ring, const int *p)
{
	struct t_cqe out[NR_WAITS];
	double t0 = t_now_ms();
	char c = 'x';
	unsigned i, r;

	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < NR_WAITS; i++)
			queue_wait(ring, p[0], 10000, POLLIN, i);
		T_EQ(sysring_submit(ring), NR_WAITS);
		T_EQ(write(p[1], &c, 1), 1);
		T_EQ(read(p[0], &c, 1), 1);
		T_EQ(t_reap(ring, out, NR_WAITS), T_EXIT_PASS);
		for (i = 0; i < NR_WAITS; i++)
			T_EXPECT(&out[i], SYSRING_STATUS_EXIT, POLLIN);
	}
	T_CHECK(t_now_ms() - t0 < 10000);
	return T_EXIT_PASS;
}

/* Armed and never woken: the timeout passes, 0, as unarmed. */
static int test_timeout(struct sysring *ring, const int *p)
{
	struct t_cqe out[1];
	double t0 = t_now_ms();

	queue_wait(ring, p[0], 100, POLLIN, 0);
	T_EQ(t_submit_reap(ring, out, 1), T_EXIT_PASS);
	T_EXPECT(&out[0], SYSRING_STATUS_EXIT, 0);
	T_CHECK(t_now_ms() - t0 >= 90);
	return T_EXIT_PASS;
}

/* Ready when submitted: reported at once, only the events asked for. */
static int test_ready(struct sysring *ring, const int *p)
{
	struct t_cqe out[2];

	queue_wait(ring, p[1], 10000, POLLOUT | POLLIN, 0);
	queue_wait(ring, p[0], 100, POLLPRI, 1);
	T_EQ(sysring_submit(ring), 2);
	T_EQ(t_reap(ring, out, 2), T_EXIT_PASS);
	T_EXPECT(&out[0], SYSRING_STATUS_EXIT, POLLOUT);
	T_EXPECT(&out[1], SYSRING_STATUS_EXIT, 0);
	return T_EXIT_PASS;
}

static int test_cancel(struct sysring *ring, const int *p)
{
	struct t_cqe out[1];
	double t0 = t_now_ms();

	queue_wait(ring, p[0], 30000, POLLIN, 0);
	T_EQ(sysring_submit(ring), 1);
	t_sleep_ms(50);
	T_EQ(sysring_register_cancel(ring, 0, 0), 1);
	T_EQ(t_reap(ring, out, 1), T_EXIT_PASS);
	T_EXPECT(&out[0], SYSRING_STATUS_CANCELED, -ECANCELED);
	T_CHECK(t_now_ms() - t0 < 10000);
	return T_EXIT_PASS;
}

/* Closing the ring stops the armed WAITs and takes their entries off. */
static int test_close(const int *p)
{
	struct sysring ring;
	double t0 = t_now_ms();
	unsigned i;

	t_ring_init(&ring, NR_WAITS, NULL);
	for (i = 0; i < NR_WAITS; i++)
		queue_wait(&ring, p[0], 30000, POLLIN, i);
	T_EQ(sysring_submit(&ring), NR_WAITS);
	sysring_queue_exit(&ring);
	T_CHECK(t_now_ms() - t0 < 10000);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;
	int p[2];

	t_ring_init(&ring, NR_WAITS, NULL);
	t_require_features(&ring, SYSRING_FEAT_ASYNC | SYSRING_FEAT_WAIT_ARM,
			   "WAIT armed at submission");
	if (pipe(p)) {
		perror("pipe");
		return T_EXIT_FAIL;
	}
	T_RUN(test_transient, &ring, p);
	T_RUN(test_timeout, &ring, p);
	T_RUN(test_ready, &ring, p);
	T_RUN(test_cancel, &ring, p);
	sysring_queue_exit(&ring);
	T_RUN(test_close, p);
	return T_EXIT_PASS;
}
