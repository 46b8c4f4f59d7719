/* SPDX-License-Identifier: MIT */
/* Description: SYSRING_REGISTER_CANCEL: queued, looping and blocked asynchronous blocks are canceled by user_data (first match, ALL, ANY), link rules apply, inline blocks are not found, bad requests are refused, and under racing cancels every block completes exactly once */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "syscall.h"

#define WAIT_S		20	/* TCG is slow: generous, but a hang fails */

static bool kernel_backend;

static struct sysring_sqe *queue_block(struct sysring *ring,
				       const struct sysring_insn *insns,
				       unsigned n, unsigned flags, __u64 ud)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);

	sysring_prep_insns(sqe, insns, n);
	sysring_sqe_set_flags(sqe, flags);
	sysring_sqe_set_data64(sqe, ud);
	return sqe;
}

/* r0 = read(fd, buf, 1) on a worker. */
static void queue_read(struct sysring *ring, int fd, char *buf,
		       unsigned flags, __u64 ud)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);

	sysring_prep_read(sqe, fd, buf, 1);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC | flags);
	sysring_sqe_set_data64(sqe, ud);
}

static const struct sysring_insn nop_prog[] = {
	SR_MOV_K(0, 7),
	SR_EXIT(0),
};

/* About 3000 instructions, then r0 = 7: long enough to be caught running. */
static const struct sysring_insn spin_prog[] = {
	SR_MOV_K(1, 1000),
	SR_SUB_K(1, 1),
	SR_JMP_K(JNE, 1, 0, -2),
	SR_MOV_K(0, 7),
	SR_EXIT(0),
};

/* for (;;) { getppid(); *r2 = ++r1; } until the budget is spent */
static const struct sysring_insn loop_prog[] = {
	SR_SYS(0, __NR_getppid, 0, 0),
	SR_ADD_K(1, 1),
	SR_ST(SYSRING_MEM_DW, 2, 1, 0),
	SR_JA(-4),
};

static void queue_loop(struct sysring *ring, volatile __u64 *counter,
		       unsigned flags, __u64 ud)
{
	struct sysring_sqe *sqe;
	__u64 regs[2] = { 0, t_ptr((const void *)counter) };

	sqe = queue_block(ring, loop_prog, ARRAY_SIZE(loop_prog),
			  SYSRING_SQE_ASYNC | flags, ud);
	sysring_sqe_set_regs(sqe, 1, regs, 2);
	sysring_sqe_set_budget(sqe, SYSRING_MAX_BUDGET);
}

static int cancel(struct sysring *ring, __u64 ud, unsigned flags)
{
	return sysring_register_cancel(ring, ud, flags);
}

/* Take the next CQE within WAIT_S seconds. */
static int next_cqe(struct sysring *ring, struct t_cqe *c)
{
	struct timespec ts = { WAIT_S, 0 };
	struct sysring_cqe *cqe;
	int ret;

	ret = sysring_wait_cqe_timeout(ring, &cqe, &ts);
	if (ret) {
		fprintf(stderr, "no completion in %d s: %s\n", WAIT_S,
			strerror(-ret));
		return T_EXIT_FAIL;
	}
	memset(c, 0, sizeof(*c));
	c->user_data = cqe->user_data;
	c->res = cqe->res;
	c->status = cqe->status;
	c->pc = cqe->pc;
	c->insns = cqe->insns;
	sysring_cqe_seen(ring, cqe);
	return T_EXIT_PASS;
}

/* The next CQE is @ud's, with @status and @res. */
static int expect_next(struct sysring *ring, __u64 ud, unsigned status,
		       long long res)
{
	struct t_cqe c;

	if (next_cqe(ring, &c))
		return T_EXIT_FAIL;
	T_EQ(c.user_data, ud);
	T_EXPECT(&c, status, res);
	return T_EXIT_PASS;
}

static void ring_init(struct sysring *ring, unsigned entries, unsigned workers)
{
	struct sysring_params p;

	memset(&p, 0, sizeof(p));
	p.max_workers = workers;
	t_ring_init(ring, entries, &p);
}

/* Bad requests: EINVAL for flags, reserved fields, nr_args; EFAULT. */
static int test_bad_input(void)
{
	struct sysring_cancel_reg reg;
	struct sysring ring;

	ring_init(&ring, 4, 1);
	T_EQ(cancel(&ring, 1, 0x4), -EINVAL);
	T_EQ(cancel(&ring, 1, ~SYSRING_CANCEL_FLAGS), -EINVAL);
	memset(&reg, 0, sizeof(reg));
	reg.__resv[4] = 1;
	T_EQ(__sys_sysring_register(ring.ring_fd, SYSRING_REGISTER_CANCEL,
				    &reg, 1), -EINVAL);
	reg.__resv[4] = 0;
	T_EQ(__sys_sysring_register(ring.ring_fd, SYSRING_REGISTER_CANCEL,
				    &reg, 2), -EINVAL);
	T_EQ(__sys_sysring_register(ring.ring_fd, SYSRING_REGISTER_CANCEL,
				    &reg, 0), -EINVAL);
	T_EQ(__sys_sysring_register(ring.ring_fd, SYSRING_REGISTER_CANCEL,
				    NULL, 1), -EFAULT);
	/* Valid, on an idle ring: nothing to find. */
	T_EQ(cancel(&ring, 1, 0), -ENOENT);
	T_EQ(cancel(&ring, 0, SYSRING_CANCEL_ANY | SYSRING_CANCEL_ALL),
	     -ENOENT);
	T_EQ(sysring_register_cancel(NULL, 1, 0), -EINVAL);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/*
 * One worker, kept busy by a blocked read (1): chains queued behind it are
 * canceled at once, with their LINK successors, while 1 still blocks; a
 * HARDLINK successor still runs; canceled blocks are not found twice.
 */
static int test_queued(void)
{
	const unsigned A = SYSRING_SQE_ASYNC;
	struct sysring ring;
	int p[2], ret;
	char buf;

	ring_init(&ring, 16, 1);
	T_CHECK(pipe(p) == 0);
	queue_read(&ring, p[0], &buf, 0, 1);
	queue_block(&ring, nop_prog, 2, A | SYSRING_SQE_LINK, 2);
	queue_block(&ring, nop_prog, 2, 0, 3);
	queue_block(&ring, nop_prog, 2, A | SYSRING_SQE_HARDLINK, 4);
	queue_block(&ring, nop_prog, 2, 0, 5);
	T_EQ(sysring_submit(&ring), 5);
	t_sleep_ms(50);

	T_EQ(cancel(&ring, 2, 0), 1);
	/* 2 and the block linked to it complete now: 1 still blocks. */
	ret = expect_next(&ring, 2, SYSRING_STATUS_CANCELED, -ECANCELED);
	if (!ret)
		ret = expect_next(&ring, 3, SYSRING_STATUS_CANCELED,
				  -ECANCELED);
	if (ret)
		return ret;
	T_EQ(cancel(&ring, 2, 0), -ENOENT);

	/* 4 is canceled, 5 still runs after it: the chain stays queued. */
	T_EQ(cancel(&ring, 4, 0), 1);
	T_EQ(cancel(&ring, 4, 0), -ENOENT);
	t_sleep_ms(50);
	T_EQ(sysring_cq_ready(&ring), 0);

	T_CHECK(write(p[1], "q", 1) == 1);
	ret = expect_next(&ring, 1, SYSRING_STATUS_EXIT, 1);
	if (!ret)
		ret = expect_next(&ring, 4, SYSRING_STATUS_CANCELED,
				  -ECANCELED);
	if (!ret)
		ret = expect_next(&ring, 5, SYSRING_STATUS_EXIT, 7);
	if (ret)
		return ret;
	T_EQ(buf, 'q');
	/* Nothing left: no stray completion. */
	T_EQ(sysring_cq_ready(&ring), 0);
	close(p[0]);
	close(p[1]);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* A block looping on a worker stops at its next stop check. */
static int test_running_loop(void)
{
	volatile __u64 counter = 0;
	struct sysring ring;
	struct t_cqe c;
	int i;

	ring_init(&ring, 4, 2);
	queue_loop(&ring, &counter, SYSRING_SQE_LINK, 10);
	queue_block(&ring, nop_prog, 2, 0, 11);
	T_EQ(sysring_submit(&ring), 2);
	for (i = 0; i < WAIT_S * 100 && !counter; i++)
		t_sleep_ms(10);
	T_CHECK(counter);
	T_EQ(cancel(&ring, 10, 0), 1);
	if (next_cqe(&ring, &c))
		return T_EXIT_FAIL;
	T_EQ(c.user_data, 10);
	T_EXPECT(&c, SYSRING_STATUS_CANCELED, -ECANCELED);
	/* Stopped early, well within its budget. */
	T_CHECK(c.insns < SYSRING_MAX_BUDGET);
	T_CHECK(c.insns >= 3 * counter);
	if (expect_next(&ring, 11, SYSRING_STATUS_CANCELED, -ECANCELED))
		return T_EXIT_FAIL;
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/*
 * A block sleeping in read(2), nanosleep(2) or WAIT on a worker is
 * interrupted and completes as canceled; the same worker then runs the next block
 * with nothing left over (its read is not interrupted too).
 */
static int test_blocked(void)
{
	const struct timespec ts = { 60, 0 };
	struct sysring ring;
	struct sysring_sqe *sqe;
	int p[2], ret;
	char buf = 0;

	if (!kernel_backend) {
		printf("blocked in a system call: skipped, the userspace "
		       "backend cannot interrupt a worker's system call\n");
		return T_EXIT_PASS;
	}
	ring_init(&ring, 8, 1);
	T_CHECK(pipe(p) == 0);
	queue_read(&ring, p[0], &buf, SYSRING_SQE_LINK, 20);
	queue_block(&ring, nop_prog, 2, 0, 21);
	T_EQ(sysring_submit(&ring), 2);
	t_sleep_ms(100);
	T_EQ(sysring_cq_ready(&ring), 0);
	T_EQ(cancel(&ring, 20, 0), 1);
	ret = expect_next(&ring, 20, SYSRING_STATUS_CANCELED, -ECANCELED);
	if (!ret)
		ret = expect_next(&ring, 21, SYSRING_STATUS_CANCELED,
				  -ECANCELED);
	if (ret)
		return ret;

	sqe = t_get_sqe(&ring);
	sysring_prep_syscall(sqe, __NR_nanosleep, 2, t_ptr(&ts), 0, 0, 0, 0,
			     0);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	sysring_sqe_set_data64(sqe, 22);
	T_EQ(sysring_submit(&ring), 1);
	t_sleep_ms(100);
	T_EQ(cancel(&ring, 22, 0), 1);
	if (expect_next(&ring, 22, SYSRING_STATUS_CANCELED, -ECANCELED))
		return T_EXIT_FAIL;

	/* WAIT (a poll of the pipe for 60 s) is interrupted the same way. */
	{
		static const struct sysring_insn wait_prog[] = {
			SR_WAIT(0, 1, POLLIN, 0),
			SR_EXIT(0),
		};
		__u64 regs[2] = { p[0], 60000000000ULL };

		sqe = queue_block(&ring, wait_prog, ARRAY_SIZE(wait_prog),
				  SYSRING_SQE_ASYNC, 24);
		sysring_sqe_set_regs(sqe, 1, regs, 2);
		T_EQ(sysring_submit(&ring), 1);
		t_sleep_ms(100);
		T_EQ(sysring_cq_ready(&ring), 0);
		T_EQ(cancel(&ring, 24, 0), 1);
		if (expect_next(&ring, 24, SYSRING_STATUS_CANCELED,
				-ECANCELED))
			return T_EXIT_FAIL;
	}

	/* The interruption was for those blocks only. */
	queue_read(&ring, p[0], &buf, 0, 23);
	T_EQ(sysring_submit(&ring), 1);
	t_sleep_ms(100);
	T_EQ(sysring_cq_ready(&ring), 0);
	T_CHECK(write(p[1], "r", 1) == 1);
	if (expect_next(&ring, 23, SYSRING_STATUS_EXIT, 1))
		return T_EXIT_FAIL;
	T_EQ(buf, 'r');
	close(p[0]);
	close(p[1]);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* First match by default, every match with ALL, any block with ANY. */
static int test_all_any(void)
{
	const unsigned A = SYSRING_SQE_ASYNC;
	unsigned i, canceled = 0, blocker = 0;
	struct sysring ring;
	struct t_cqe c;
	int p[2];
	char buf;

	ring_init(&ring, 16, 1);
	T_CHECK(pipe(p) == 0);
	queue_read(&ring, p[0], &buf, 0, 1);
	for (i = 0; i < 3; i++)
		queue_block(&ring, nop_prog, 2, A, 7);
	for (i = 0; i < 2; i++)
		queue_block(&ring, nop_prog, 2, A, 8 + i);
	T_EQ(sysring_submit(&ring), 6);
	t_sleep_ms(50);

	T_EQ(cancel(&ring, 7, 0), 1);
	T_EQ(cancel(&ring, 7, SYSRING_CANCEL_ALL), 2);
	T_EQ(cancel(&ring, 7, SYSRING_CANCEL_ALL), -ENOENT);
	for (i = 0; i < 3; i++) {
		if (expect_next(&ring, 7, SYSRING_STATUS_CANCELED, -ECANCELED))
			return T_EXIT_FAIL;
	}
	/* ANY alone: one block, the running one (queued before the rest). */
	T_EQ(cancel(&ring, 12345, SYSRING_CANCEL_ANY), 1);
	T_EQ(cancel(&ring, 0, SYSRING_CANCEL_ANY | SYSRING_CANCEL_ALL), 2);
	T_EQ(cancel(&ring, 0, SYSRING_CANCEL_ANY | SYSRING_CANCEL_ALL),
	     -ENOENT);
	/* The userspace backend's blocked read finishes when fed. */
	if (!kernel_backend)
		T_CHECK(write(p[1], "a", 1) == 1);
	for (i = 0; i < 3; i++) {
		if (next_cqe(&ring, &c))
			return T_EXIT_FAIL;
		if (c.user_data == 1) {
			blocker++;
			if (kernel_backend)
				T_EXPECT(&c, SYSRING_STATUS_CANCELED,
					 -ECANCELED);
			else
				T_EXPECT(&c, SYSRING_STATUS_EXIT, 1);
			continue;
		}
		T_CHECK(c.user_data == 8 || c.user_data == 9);
		T_EXPECT(&c, SYSRING_STATUS_CANCELED, -ECANCELED);
		canceled++;
	}
	T_EQ(blocker, 1);
	T_EQ(canceled, 2);
	close(p[0]);
	close(p[1]);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

struct inline_arg {
	struct sysring *ring;
	int ret;
};

static void *inline_submit(void *data)
{
	struct inline_arg *a = data;

	a->ret = sysring_submit(a->ring);
	return NULL;
}

/*
 * An inline block runs in its submitter's sysring_enter(2): cancel does
 * not find it, and does not wait for it either.
 */
static int test_inline(void)
{
	struct inline_arg a;
	struct sysring ring;
	struct sysring_sqe *sqe;
	pthread_t t;
	int p[2];
	char buf;

	ring_init(&ring, 4, 1);
	T_CHECK(pipe(p) == 0);
	sqe = t_get_sqe(&ring);
	sysring_prep_read(sqe, p[0], &buf, 1);
	sysring_sqe_set_data64(sqe, 30);
	a.ring = &ring;
	a.ret = -1;
	T_CHECK(pthread_create(&t, NULL, inline_submit, &a) == 0);
	t_sleep_ms(100);
	T_EQ(cancel(&ring, 30, 0), -ENOENT);
	T_EQ(cancel(&ring, 0, SYSRING_CANCEL_ANY), -ENOENT);
	T_CHECK(write(p[1], "i", 1) == 1);
	pthread_join(t, NULL);
	T_EQ(a.ret, 1);
	if (expect_next(&ring, 30, SYSRING_STATUS_EXIT, 1))
		return T_EXIT_FAIL;
	close(p[0]);
	close(p[1]);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

struct storm {
	struct sysring *ring;
	volatile bool stop;
	unsigned long reached;
};

static void *cancel_storm(void *data)
{
	struct storm *s = data;
	int ret;

	while (!s->stop) {
		ret = sysring_register_cancel(s->ring, 0, SYSRING_CANCEL_ANY |
					      SYSRING_CANCEL_ALL);
		if (ret > 0)
			s->reached += ret;
	}
	return NULL;
}

/*
 * Short chains racing with a thread that cancels everything it finds:
 * each block completes exactly once, as it ran or as canceled.
 */
static int test_exactly_once(void)
{
	const unsigned rounds = kernel_backend ? 40 : 200, per = 8;
	unsigned r, i, got = 0, exited = 0, canceled = 0, mine = 0;
	unsigned char *seen;
	struct storm s = { 0 };
	struct sysring ring;
	pthread_t t;
	struct t_cqe c;
	int ret;

	ring_init(&ring, 2 * per, 4);
	seen = calloc(rounds * per, 1);
	T_CHECK(seen);
	s.ring = &ring;
	T_CHECK(pthread_create(&t, NULL, cancel_storm, &s) == 0);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < per; i++) {
			/* Chains of two: LINK rules apply under the race. */
			queue_block(&ring, spin_prog, ARRAY_SIZE(spin_prog),
				    SYSRING_SQE_ASYNC |
				    (i % 2 ? 0 : SYSRING_SQE_LINK),
				    r * per + i);
		}
		T_EQ(sysring_submit(&ring), per);
		/* And one from here, while the workers start and finish. */
		ret = cancel(&ring, r * per + r % per, 0);
		T_CHECK(ret == 1 || ret == -ENOENT);
		mine += ret == 1;
		for (i = 0; i < per; i++) {
			if (next_cqe(&ring, &c))
				return T_EXIT_FAIL;
			T_CHECK(c.user_data < rounds * per);
			T_EQ(seen[c.user_data], 0);
			seen[c.user_data] = 1;
			got++;
			if (c.status == SYSRING_STATUS_EXIT) {
				T_EQ(c.res, 7);
				exited++;
			} else {
				T_EXPECT(&c, SYSRING_STATUS_CANCELED,
					 -ECANCELED);
				canceled++;
			}
		}
	}
	s.stop = true;
	pthread_join(t, NULL);
	t_sleep_ms(50);
	T_EQ(sysring_cq_ready(&ring), 0);
	T_EQ(got, rounds * per);
	T_CHECK(canceled <= got);
	printf("%u blocks under racing cancels: %u ran, %u canceled "
	       "(reached: %lu by a thread, %u right after submission)\n",
	       got, exited, canceled, s.reached, mine);
	free(seen);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;

	t_ring_init(&ring, 4, NULL);
	t_require_features(&ring, SYSRING_FEAT_CANCEL, "cancel requests");
	kernel_backend = !(ring.features & SYSRING_FEAT_USER_BACKEND);
	sysring_queue_exit(&ring);

	T_RUN(test_bad_input);
	T_RUN(test_queued);
	T_RUN(test_running_loop);
	T_RUN(test_blocked);
	T_RUN(test_all_any);
	T_RUN(test_inline);
	T_RUN(test_exactly_once);
	return T_EXIT_PASS;
}
