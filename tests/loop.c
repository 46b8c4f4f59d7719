/* SPDX-License-Identifier: MIT */
/* Description: backward jumps: a counted loop, signed 8-bit jump immediates, and the instruction budget */
#include <string.h>

#include "helpers.h"

/* Sum 1..100 with a backward conditional jump. */
static int test_sum(struct sysring *ring)
{
	static const struct sysring_insn insns[] = {
		SR_MOV_K(1, 0),			/* sum */
		SR_MOV_K(2, 1),			/* i */
		SR_ADD(1, 2),			/* 2: sum += i */
		SR_ADD_K(2, 1),
		SR_JMP_K(JLE, 2, 100, -3),	/* i <= 100: back to 2 */
		SR_EXIT(1),
	};
	struct t_cqe c;
	int ret;

	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 0, NULL, 0, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, 5050);
	T_EQ(c.pc, 5);
	/* 2 set-up + 100 rounds of 3 + EXIT */
	T_EQ(c.insns, 2 + 100 * 3 + 1);
	T_EQ(t_reg(&c, 2), 101);
	return T_EXIT_PASS;
}

/* The K-form immediate is signed: r1 = -1 matches JEQ_K -1. */
static int test_signed_imm8(struct sysring *ring)
{
	static const struct sysring_insn insns[] = {
		SR_JMP_K(JEQ, 1, -1, 1),
		SR_EXIT(2),
		SR_JMP_K(JSLT, 1, -128, 1),	/* -1 < -128 is false */
		SR_MOV_K(2, 1),
		SR_EXIT(2),
	};
	const __u64 minus1 = (__u64)-1;
	struct t_cqe c;
	int ret;

	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 1, &minus1, 1, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, 1);
	T_EQ(c.pc, 4);
	return T_EXIT_PASS;
}

/* An infinite loop ends when its per-SQE budget is spent. */
static int test_budget(struct sysring *ring)
{
	static const struct sysring_insn spin[] = {
		SR_ADD_K(1, 1),
		SR_JA(-2),
	};
	struct sysring_sqe *sqe = t_get_sqe(ring);
	struct t_cqe c;
	int ret;

	sysring_prep_insns(sqe, spin, ARRAY_SIZE(spin));
	sysring_sqe_set_budget(sqe, 1000);
	ret = t_submit_reap(ring, &c, 1);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_BUDGET, -ETIME);
	T_EQ(c.insns, 1000);
	/* 1000 instructions ran: 500 ADDs and 500 JAs; next is the ADD. */
	T_EQ(t_reg(&c, 1), 500);
	T_EQ(c.pc, 0);
	return T_EXIT_PASS;
}

/* Without a per-SQE budget the ring's default from setup applies. */
static int test_ring_budget(void)
{
	static const struct sysring_insn self[] = { SR_JA(-1) };
	struct sysring_params p;
	struct sysring ring;
	struct t_cqe c;
	int ret;

	memset(&p, 0, sizeof(p));
	p.budget = 300;
	t_ring_init(&ring, 2, &p);
	ret = t_run_insns(&ring, self, 1, 0, NULL, 0, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_BUDGET, -ETIME);
	T_EQ(c.insns, 300);
	T_EQ(c.pc, 0);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* Default budget: SYSRING_DEFAULT_BUDGET instructions. */
static int test_default_budget(struct sysring *ring)
{
	static const struct sysring_insn self[] = { SR_JA(-1) };
	struct t_cqe c;
	int ret;

	ret = t_run_insns(ring, self, 1, 0, NULL, 0, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_BUDGET, -ETIME);
	T_EQ(c.insns, SYSRING_DEFAULT_BUDGET);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;

	t_ring_init_snap(&ring, 4, 4);
	T_RUN(test_sum, &ring);
	T_RUN(test_signed_imm8, &ring);
	T_RUN(test_budget, &ring);
	T_RUN(test_default_budget, &ring);
	T_RUN(test_ring_budget);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
