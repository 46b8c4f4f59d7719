/* SPDX-License-Identifier: MIT */
/* Description: CQE register snapshots: width fixed at setup, window chosen per SQE by snap_base */
#include <string.h>

#include "helpers.h"

/* r[100..105] = initial values, r106 = r100 + r105; snapshot from @base. */
static int run_window(struct sysring *ring, unsigned snap, unsigned base)
{
	static const struct sysring_insn insns[] = {
		SR_MOV(106, 100),
		SR_ADD(106, 105),
		SR_EXIT(106),
	};
	const __u64 vals[6] = { 1000, 1001, 1002, 1003, 1004, 1005 };
	struct sysring_sqe *sqe = t_get_sqe(ring);
	struct t_cqe c;
	unsigned i;
	int ret;

	sysring_prep_insns(sqe, insns, ARRAY_SIZE(insns));
	sysring_sqe_set_regs(sqe, 100, vals, 6);
	sysring_sqe_set_snap(sqe, base);
	ret = t_submit_reap(ring, &c, 1);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, 2005);
	T_EQ(c.reg_base, base);
	T_EQ(c.nregs, snap);
	for (i = 0; i < snap; i++) {
		unsigned r = base + i;
		__u64 want = r >= 100 && r <= 105 ? 900 + r : r == 106 ? 2005 : 0;

		T_EQ(c.regs[i], want);
	}
	return T_EXIT_PASS;
}

static int test_width(unsigned snap)
{
	struct sysring ring;
	int ret;

	t_ring_init_snap(&ring, 2, snap);
	ret = run_window(&ring, snap, 98);
	if (!ret)
		ret = run_window(&ring, snap, 104);
	if (!ret)
		ret = run_window(&ring, snap, 0);
	sysring_queue_exit(&ring);
	return ret;
}

/*
 * A window reaching past r255 is not spelt out by the ABI: accept either a
 * rejection or a snapshot cut at r255 with correct contents.
 */
static int test_high_window(void)
{
	static const struct sysring_insn insns[] = {
		SR_MOV_K(255, 77),
		SR_EXIT(255),
	};
	struct sysring_sqe *sqe;
	struct sysring ring;
	struct t_cqe c;
	int ret;

	t_ring_init_snap(&ring, 2, 8);
	sqe = t_get_sqe(&ring);
	sysring_prep_insns(sqe, insns, ARRAY_SIZE(insns));
	sysring_sqe_set_snap(sqe, 252);
	ret = t_submit_reap(&ring, &c, 1);
	if (ret)
		return ret;
	if (c.status == SYSRING_STATUS_INVALID) {
		T_EQ(c.res, -EINVAL);
	} else {
		T_EXPECT(&c, SYSRING_STATUS_EXIT, 77);
		T_EQ(c.reg_base, 252);
		T_EQ(c.nregs, 4);
		T_EQ(t_reg(&c, 255), 77);
	}
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

int main(void)
{
	static const unsigned widths[] = { 0, 4, 8, 16, 32, 64 };
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(widths); i++)
		T_RUN(test_width, widths[i]);
	T_RUN(test_high_window);
	return T_EXIT_PASS;
}
