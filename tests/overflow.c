/* SPDX-License-Identifier: MIT */
/* Description: CQ overflow (SYSRING_FEAT_NODROP): with a CQ of 8, 1000 blocks in chains lose no completion, each user_data comes once and in order within its chain, SYSRING_SQ_CQ_OVERFLOW is set and cleared, and EBUSY at the bound (the CQ and twice it listed) is lifted by reaping; inline and asynchronous */
#include <sched.h>
#include <stdbool.h>
#include <string.h>

#include "helpers.h"

#define CQ		8
#define BOUND		(3 * CQ)	/* the CQ, and twice it listed */
#define NBLOCKS		1000
#define MAX_CHAIN	4

/* user_data: chain number and position in the chain. */
#define UD(chain, pos)	(((__u64)(chain) << 8) | (pos))
#define UD_CHAIN(ud)	((ud) >> 8)
#define UD_POS(ud)	((ud) & 0xff)

struct tally {
	unsigned char next[NBLOCKS];	/* position expected next, per chain */
	unsigned char len[NBLOCKS];	/* blocks in each chain */
	unsigned chains;		/* chains queued */
	unsigned blocks;		/* blocks queued */
	unsigned reaped;
	unsigned busy;			/* submissions refused with EBUSY */
	bool saw_flag;
};

static void ring_init(struct sysring *ring)
{
	struct sysring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = SYSRING_SETUP_CQSIZE;
	p.cq_entries = CQ;
	t_ring_init(ring, CQ, &p);
	t_require_features(ring, SYSRING_FEAT_NODROP,
			   "CQ overflow (SYSRING_FEAT_NODROP)");
}

/* Queue a chain of @len blocks, each exiting with its own user_data. */
static void queue_chain(struct sysring *ring, struct tally *t, unsigned len,
			bool async)
{
	struct sysring_sqe *sqe;
	unsigned i, flags;

	for (i = 0; i < len; i++) {
		struct sysring_insn insns[2] = {
			SR_MOV_K(0, (__s32)UD(t->chains, i)),
			SR_EXIT(0),
		};

		flags = i + 1 < len ? SYSRING_SQE_LINK : 0;
		if (!i && async)
			flags |= SYSRING_SQE_ASYNC;
		sqe = t_get_sqe(ring);
		sysring_prep_insns(sqe, insns, 2);
		sysring_sqe_set_flags(sqe, flags);
		sysring_sqe_set_data64(sqe, UD(t->chains, i));
	}
	t->len[t->chains++] = len;
	t->blocks += len;
}

/* One completion: the next block of its chain, exited with its user_data. */
static int account(struct tally *t, const struct sysring_cqe *cqe)
{
	__u64 chain = UD_CHAIN(cqe->user_data);

	T_CHECK(chain < t->chains);
	T_EQ(UD_POS(cqe->user_data), t->next[chain]);
	T_CHECK(t->next[chain] < t->len[chain]);
	T_EXPECT(cqe, SYSRING_STATUS_EXIT, (__s64)cqe->user_data);
	t->next[chain]++;
	t->reaped++;
	return T_EXIT_PASS;
}

/*
 * Reap what is there, the overflow list included: sysring_peek_cqe()
 * enters the kernel to move it in when the CQ is empty and the flag set.
 */
static int reap_ready(struct sysring *ring, struct tally *t)
{
	struct sysring_cqe *cqe;
	int ret;

	for (;;) {
		if (sysring_cq_has_overflow(ring))
			t->saw_flag = true;
		if (sysring_peek_cqe(ring, &cqe))
			return T_EXIT_PASS;
		ret = account(t, cqe);
		sysring_cqe_seen(ring, cqe);
		if (ret)
			return ret;
	}
}

/* Reap every block queued; then nothing is left, nor flagged. */
static int reap_all(struct sysring *ring, struct tally *t)
{
	struct sysring_cqe *cqe;
	unsigned chain;
	int ret;

	while (t->reaped < t->blocks) {
		ret = sysring_wait_cqe(ring, &cqe);
		if (ret) {
			fprintf(stderr, "sysring_wait_cqe: %s (%u of %u)\n",
				strerror(-ret), t->reaped, t->blocks);
			return T_EXIT_FAIL;
		}
		ret = account(t, cqe);
		sysring_cqe_seen(ring, cqe);
		if (ret)
			return ret;
	}
	for (chain = 0; chain < t->chains; chain++)
		T_EQ(t->next[chain], t->len[chain]);
	T_EQ(sysring_cq_ready(ring), 0);
	T_CHECK(!sysring_cq_has_overflow(ring));
	T_EQ(*ring->cq.koverflow, 0);
	return T_EXIT_PASS;
}

/*
 * Without reaping, a CQ of 8 takes 24 completions (8 in the CQ, 16 on the
 * overflow list) and the flag says so; the 25th block is refused with
 * EBUSY and stays queued.  Consuming the CQ lets the next call move the
 * list in and take it.
 */
static int test_bound(bool async)
{
	static struct tally t;
	struct sysring ring;
	unsigned i;
	int ret;

	memset(&t, 0, sizeof(t));
	ring_init(&ring);
	for (i = 0; i < BOUND; i++) {
		queue_chain(&ring, &t, 1, async);
		T_EQ(sysring_submit(&ring), 1);
	}
	queue_chain(&ring, &t, 1, async);
	T_EQ(sysring_submit(&ring), -EBUSY);
	T_EQ(sysring_sq_ready(&ring), 1);
	/* Asynchronous blocks complete in their own time. */
	while (sysring_cq_ready(&ring) < CQ || !sysring_cq_has_overflow(&ring))
		t_sleep_ms(1);
	T_EQ(sysring_cq_ready(&ring), CQ);
	T_EQ(sysring_submit(&ring), -EBUSY);

	/* Consume the CQ only: the list moves in when the kernel is entered. */
	for (i = 0; i < CQ; i++) {
		ret = account(&t, sysring_cqe_at(&ring, *ring.cq.khead + i));
		if (ret)
			return ret;
	}
	sysring_cq_advance(&ring, CQ);
	T_CHECK(sysring_cq_has_overflow(&ring));
	T_EQ(sysring_submit(&ring), 1);
	ret = reap_all(&ring, &t);
	if (ret)
		return ret;
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/*
 * 1000 blocks in chains of 1 to 4, submitted as fast as the SQ takes them
 * and reaped only when the kernel says EBUSY: none lost, none twice, each
 * chain in order.
 */
static int test_many(bool async)
{
	static struct tally t;
	struct sysring ring;
	unsigned len;
	int ret;

	memset(&t, 0, sizeof(t));
	ring_init(&ring);
	while (t.blocks < NBLOCKS || sysring_sq_ready(&ring)) {
		for (;;) {
			len = 1 + (t.chains * 7) % MAX_CHAIN;
			if (len > NBLOCKS - t.blocks)
				len = NBLOCKS - t.blocks;
			if (!len || sysring_sq_space_left(&ring) < len)
				break;
			queue_chain(&ring, &t, len, async);
		}
		ret = sysring_submit(&ring);
		if (ret == -EBUSY) {
			t.busy++;
			ret = reap_ready(&ring, &t);
			if (ret)
				return ret;
			/* Workers may still be at it. */
			sched_yield();
			continue;
		}
		T_CHECK(ret > 0);
	}
	ret = reap_all(&ring, &t);
	if (ret)
		return ret;
	T_EQ(t.reaped, NBLOCKS);
	T_CHECK(t.busy > 0);
	if (!async)
		T_CHECK(t.saw_flag);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

int main(void)
{
	T_RUN(test_bound, false);
	T_RUN(test_bound, true);
	T_RUN(test_many, false);
	T_RUN(test_many, true);
	return T_EXIT_PASS;
}
