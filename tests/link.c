/* SPDX-License-Identifier: MIT */
/* Description: LINK and HARDLINK chains: registers flow down the chain, failures cancel LINK successors */
#include <unistd.h>

#include "helpers.h"

static const struct sysring_insn set_r5[] = {
	SR_MOV_K(5, 42),
	SR_SYS(6, __NR_getppid, 0, 0),
	SR_EXIT(0),
};
/* r0 = r5 + 1 */
static const struct sysring_insn use_r5[] = {
	SR_MOV(0, 5),
	SR_ADD_K(0, 1),
	SR_EXIT(0),
};
static const struct sysring_insn fail[] = {
	SR_MOV_K(5, 42),
	SR_SYS(0, __NR_close, 1, 1),	/* r1 = -1: EBADF */
	SR_EXIT(0),
};

static void queue(struct sysring *ring, const struct sysring_insn *insns,
		  unsigned n, unsigned flags, __u64 user_data)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);
	const __u64 minus1 = (__u64)-1;

	sysring_prep_insns(sqe, insns, n);
	sysring_sqe_set_regs(sqe, 1, &minus1, 1);
	sysring_sqe_set_flags(sqe, flags);
	sysring_sqe_set_data64(sqe, user_data);
}

#define QUEUE(ring, insns, flags, ud) \
	queue(ring, insns, ARRAY_SIZE(insns), flags, ud)

static int test_link_passes_regs(struct sysring *ring)
{
	struct t_cqe c[3];
	int ret;

	QUEUE(ring, set_r5, SYSRING_SQE_LINK, 0);
	QUEUE(ring, use_r5, SYSRING_SQE_LINK, 1);
	QUEUE(ring, use_r5, 0, 2);		/* r0 was 43: r5 is still 42 */
	ret = t_submit_reap(ring, c, 3);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_EXIT, 0);
	T_EXPECT(&c[1], SYSRING_STATUS_EXIT, 43);
	T_EQ(t_reg(&c[1], 6), getppid());
	T_EXPECT(&c[2], SYSRING_STATUS_EXIT, 43);
	return T_EXIT_PASS;
}

/* Unlinked blocks start from zeroed registers. */
static int test_unlinked_fresh(struct sysring *ring)
{
	struct t_cqe c[2];
	int ret;

	QUEUE(ring, set_r5, 0, 0);
	QUEUE(ring, use_r5, 0, 1);
	ret = t_submit_reap(ring, c, 2);
	if (ret)
		return ret;
	T_EXPECT(&c[1], SYSRING_STATUS_EXIT, 1);
	return T_EXIT_PASS;
}

static int test_link_cancel(struct sysring *ring)
{
	struct t_cqe c[4];
	int ret;

	QUEUE(ring, fail, SYSRING_SQE_LINK, 0);
	QUEUE(ring, use_r5, SYSRING_SQE_LINK, 1);
	QUEUE(ring, use_r5, 0, 2);
	QUEUE(ring, use_r5, 0, 3);		/* after the chain: runs */
	ret = t_submit_reap(ring, c, 4);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_ERROR, -EBADF);
	T_EXPECT(&c[1], SYSRING_STATUS_CANCELED, -ECANCELED);
	T_EXPECT(&c[2], SYSRING_STATUS_CANCELED, -ECANCELED);
	T_EXPECT(&c[3], SYSRING_STATUS_EXIT, 1);
	return T_EXIT_PASS;
}

/* HARDLINK: the next block runs even after a failure, with its registers. */
static int test_hardlink(struct sysring *ring)
{
	struct t_cqe c[2];
	int ret;

	QUEUE(ring, fail, SYSRING_SQE_HARDLINK, 0);
	QUEUE(ring, use_r5, 0, 1);
	ret = t_submit_reap(ring, c, 2);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_ERROR, -EBADF);
	T_EXPECT(&c[1], SYSRING_STATUS_EXIT, 43);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;

	t_ring_init_snap(&ring, 8, 8);
	t_require_features(&ring, SYSRING_FEAT_LINK, "linked blocks");
	T_RUN(test_link_passes_regs, &ring);
	T_RUN(test_unlinked_fresh, &ring);
	T_RUN(test_link_cancel, &ring);
	T_RUN(test_hardlink, &ring);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
