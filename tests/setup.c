/* SPDX-License-Identifier: MIT */
/* Description: sysring_setup and the mmaped rings: params out fields, magic, features, entry sizes */
#include <string.h>

#include "helpers.h"

static int check_offsets(const struct sysring_params *p)
{
	T_CHECK(p->sq_off.head + 4 <= p->rings_size);
	T_CHECK(p->sq_off.tail + 4 <= p->rings_size);
	T_CHECK(p->sq_off.ring_mask + 4 <= p->rings_size);
	T_CHECK(p->sq_off.ring_entries + 4 <= p->rings_size);
	T_CHECK(p->sq_off.flags + 4 <= p->rings_size);
	T_CHECK(p->sq_off.dropped + 4 <= p->rings_size);
	T_CHECK(p->cq_off.head + 4 <= p->rings_size);
	T_CHECK(p->cq_off.tail + 4 <= p->rings_size);
	T_CHECK(p->cq_off.overflow + 4 <= p->rings_size);
	T_CHECK(p->cq_off.cqes % 8 == 0);
	T_CHECK(p->cq_off.cqes + (__u64)p->cq_entries * p->cqe_size <=
		p->rings_size);
	T_CHECK(p->sqes_size >= p->sq_entries * sizeof(struct sysring_sqe));
	T_EQ(p->sq_off.__resv[0], 0);
	T_EQ(p->cq_off.__resv, 0);
	return T_EXIT_PASS;
}

static int test_params(void)
{
	struct sysring_params p;
	struct sysring ring;
	int ret;

	memset(&p, 0, sizeof(p));
	p.snap_regs = 8;
	t_ring_init(&ring, 5, &p);
	T_EQ(p.magic, SYSRING_MAGIC);
	T_EQ(p.sq_entries, 8);		/* rounded up to a power of two */
	T_EQ(p.cq_entries, 16);		/* twice the SQ by default */
	T_EQ(p.sqe_size, 128);
	T_EQ(p.cqe_size, 32 + 8 * 8);
	T_EQ(p.snap_regs, 8);
	T_CHECK(p.features & SYSRING_FEAT_INLINE);
	ret = check_offsets(&p);
	if (ret)
		return ret;

	T_EQ(*ring.sq.kring_entries, 8);
	T_EQ(*ring.sq.kring_mask, 7);
	T_EQ(*ring.cq.kring_entries, 16);
	T_EQ(*ring.cq.kring_mask, 15);
	T_EQ(*ring.sq.khead, 0);
	T_EQ(*ring.sq.ktail, 0);
	T_EQ(*ring.cq.khead, 0);
	T_EQ(*ring.cq.ktail, 0);
	T_EQ(*ring.sq.kdropped, 0);
	T_EQ(*ring.cq.koverflow, 0);
	T_EQ(ring.features, p.features);
	T_EQ(sysring_sq_space_left(&ring), 8);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

static int test_cqsize(void)
{
	struct sysring_params p;
	struct sysring ring;

	memset(&p, 0, sizeof(p));
	p.flags = SYSRING_SETUP_CQSIZE;
	p.cq_entries = 100;
	t_ring_init(&ring, 16, &p);
	T_EQ(p.sq_entries, 16);
	T_EQ(p.cq_entries, 128);
	T_EQ(*ring.cq.kring_entries, 128);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* Every snapshot width gives CQEs of 32 + 8 * width bytes that work. */
static int test_snap_width(unsigned snap)
{
	struct sysring ring;
	struct sysring_params p;
	struct sysring_sqe *sqe;
	struct t_cqe c;
	int ret;

	memset(&p, 0, sizeof(p));
	p.snap_regs = snap;
	t_ring_init(&ring, 4, &p);
	T_EQ(p.cqe_size, 32 + 8 * snap);
	T_EQ(ring.cq.cqe_size, 32 + 8 * snap);
	T_EQ(ring.snap_regs, snap);

	/* Two rounds so CQEs past the first are at the right stride. */
	for (int round = 0; round < 2; round++) {
		sqe = t_get_sqe(&ring);
		sysring_prep_nop(sqe);
		sysring_sqe_set_data64(sqe, 0);
		ret = t_submit_reap(&ring, &c, 1);
		if (ret)
			return ret;
		T_EXPECT(&c, SYSRING_STATUS_EXIT, 0);
		T_EQ(c.nregs, snap);
		T_EQ(c.reg_base, 0);
		T_EQ(c.pc, 0);
		T_EQ(c.insns, 1);
	}
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* A full SQ of NOPs, submitted in one go, twice around the ring. */
static int test_fill(void)
{
	struct t_cqe c[8];
	struct sysring ring;
	unsigned i;
	int round, ret;

	t_ring_init(&ring, 8, NULL);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 8; i++) {
			struct sysring_sqe *sqe = t_get_sqe(&ring);

			sysring_prep_nop(sqe);
			sysring_sqe_set_data64(sqe, i);
		}
		T_CHECK(sysring_get_sqe(&ring) == NULL);
		ret = t_submit_reap(&ring, c, 8);
		if (ret)
			return ret;
		for (i = 0; i < 8; i++)
			T_EXPECT(&c[i], SYSRING_STATUS_EXIT, 0);
		T_EQ(sysring_sq_space_left(&ring), 8);
		T_EQ(sysring_cq_ready(&ring), 0);
	}
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

int main(void)
{
	static const unsigned widths[] = { 0, 4, 8, 16, 32, 64 };
	unsigned i;

	T_RUN(test_params);
	T_RUN(test_cqsize);
	for (i = 0; i < ARRAY_SIZE(widths); i++)
		T_RUN(test_snap_width, widths[i]);
	T_RUN(test_fill);
	return T_EXIT_PASS;
}
