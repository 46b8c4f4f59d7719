/* SPDX-License-Identifier: MIT */
/* Description: register a program, run it by index, unregister it, and use after unregister fails */
#include <string.h>

#include "helpers.h"

/* r0 = r1 * 2 + 1 */
static const struct sysring_insn prog[] = {
	SR_MOV(0, 1),
	SR_MUL_K(0, 2),
	SR_ADD_K(0, 1),
	SR_EXIT(0),
};

static void queue_prog(struct sysring *ring, unsigned idx, __u64 arg,
		       __u64 user_data)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);

	sysring_prep_prog(sqe, idx);
	sysring_sqe_set_regs(sqe, 1, &arg, 1);
	sysring_sqe_set_data64(sqe, user_data);
}

int main(void)
{
	struct sysring_prog_reg reg;
	struct sysring ring;
	struct t_cqe c[2];
	int idx, idx2, ret;

	t_ring_init(&ring, 4, NULL);
	t_require_features(&ring, SYSRING_FEAT_PROGS, "registered programs");

	memset(&reg, 0xff, sizeof(reg));
	idx = sysring_register_prog(&ring, prog, ARRAY_SIZE(prog), &reg);
	T_CHECK(idx >= 0);
	T_EQ(reg.index, idx);
	T_EQ(reg.reason, SYSRING_CHECK_OK);

	/* A second registration gets its own index; out may be NULL. */
	idx2 = sysring_register_prog(&ring, prog, ARRAY_SIZE(prog), NULL);
	T_CHECK(idx2 >= 0 && idx2 != idx);

	queue_prog(&ring, idx, 20, 0);
	queue_prog(&ring, idx2, 7, 1);
	ret = t_submit_reap(&ring, c, 2);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_EXIT, 41);
	T_EXPECT(&c[1], SYSRING_STATUS_EXIT, 15);
	T_EQ(c[0].pc, 3);
	T_EQ(c[0].insns, 4);

	T_EQ(sysring_unregister_prog(&ring, idx), 0);
	T_EQ(sysring_unregister_prog(&ring, idx), -ENOENT);

	/* The other program is unaffected; the unregistered one is gone. */
	queue_prog(&ring, idx, 1, 0);
	queue_prog(&ring, idx2, 1, 1);
	ret = t_submit_reap(&ring, c, 2);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_INVALID, -ENOENT);
	T_EXPECT(&c[1], SYSRING_STATUS_EXIT, 3);

	/* An index never handed out. */
	queue_prog(&ring, SYSRING_MAX_PROGS + 5, 1, 0);
	ret = t_submit_reap(&ring, c, 1);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_INVALID, -ENOENT);
	T_EQ(sysring_unregister_prog(&ring, SYSRING_MAX_PROGS + 5), -ENOENT);

	T_EQ(sysring_unregister_prog(&ring, idx2), 0);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
