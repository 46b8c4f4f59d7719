/* SPDX-License-Identifier: MIT */
/* Description: SYS error policy: a failing syscall stops the block unless SYSRING_SYS_KEEPERR is set */
#include <unistd.h>

#include "helpers.h"

static int test_stop(struct sysring *ring)
{
	static const struct sysring_insn insns[] = {
		SR_SYS(2, __NR_close, 1, 1),
		SR_MOV_K(3, 7),
		SR_EXIT(2),
	};
	const __u64 fd = (__u64)-1;
	struct t_cqe c;
	int ret;

	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 1, &fd, 1, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_ERROR, -EBADF);
	T_EQ(c.pc, 0);
	T_EQ(c.insns, 1);
	T_EQ(t_reg(&c, 3), 0);
	return T_EXIT_PASS;
}

/* The typed helper behaves the same way. */
static int test_prep_close(struct sysring *ring)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);
	struct t_cqe c;
	int ret;

	sysring_prep_close(sqe, -1);
	ret = t_submit_reap(ring, &c, 1);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_ERROR, -EBADF);
	T_EQ(c.pc, 0);
	return T_EXIT_PASS;
}

/* KEEPERR: the error lands in the register and the program branches on it. */
static int test_keeperr(struct sysring *ring)
{
	static const struct sysring_insn insns[] = {
		SR_SYS_KEEPERR(2, __NR_close, 1, 1),
		SR_JMP_K(JSLT, 2, 0, 1),
		SR_EXIT(0),
		SR_MOV_K(3, 7),
		SR_EXIT(2),
	};
	const __u64 fd = (__u64)-1;
	struct t_cqe c;
	int ret;

	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 1, &fd, 1, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, -EBADF);
	T_EQ(c.pc, 4);
	T_EQ(t_reg(&c, 2), (__u64)-EBADF);
	T_EQ(t_reg(&c, 3), 7);
	return T_EXIT_PASS;
}

/* KEEPERR changes nothing for a syscall that succeeds. */
static int test_keeperr_ok(struct sysring *ring)
{
	static const struct sysring_insn insns[] = {
		SR_SYS_KEEPERR(2, __NR_getppid, 0, 0),
		SR_EXIT(2),
	};
	struct t_cqe c;
	int ret;

	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 0, NULL, 0, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, getppid());
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;

	t_ring_init_snap(&ring, 4, 4);
	T_RUN(test_stop, &ring);
	T_RUN(test_prep_close, &ring);
	T_RUN(test_keeperr, &ring);
	T_RUN(test_keeperr_ok, &ring);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
