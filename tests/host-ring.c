/* SPDX-License-Identifier: MIT */
/* Description: host-only: SQ/CQ accounting and argument checks on a ring faked in memory */
#include <string.h>

#include "helpers.h"

#define SQ_ENTRIES	4
#define CQ_ENTRIES	8
#define SNAP		4
#define CQE_SIZE	(sizeof(struct sysring_cqe) + 8 * SNAP)

/* The memory the kernel would map, with indices the test plays kernel on. */
static struct {
	unsigned sq_head, sq_tail, sq_mask, sq_entries;
	unsigned cq_head, cq_tail, cq_mask, cq_entries, zero;
	struct sysring_sqe sqes[SQ_ENTRIES];
	__u64 cqes[CQ_ENTRIES * CQE_SIZE / 8];
} k;

static void fake_ring(struct sysring *ring, unsigned start)
{
	memset(&k, 0, sizeof(k));
	memset(ring, 0, sizeof(*ring));
	k.sq_head = k.sq_tail = start;
	k.cq_head = k.cq_tail = start;
	k.sq_mask = SQ_ENTRIES - 1;
	k.sq_entries = SQ_ENTRIES;
	k.cq_mask = CQ_ENTRIES - 1;
	k.cq_entries = CQ_ENTRIES;
	ring->sq.khead = &k.sq_head;
	ring->sq.ktail = &k.sq_tail;
	ring->sq.kring_mask = &k.sq_mask;
	ring->sq.kring_entries = &k.sq_entries;
	ring->sq.kflags = ring->sq.kdropped = &k.zero;
	ring->sq.sqes = k.sqes;
	ring->sq.sqe_tail = start;
	ring->sq.ring_mask = SQ_ENTRIES - 1;
	ring->sq.ring_entries = SQ_ENTRIES;
	ring->cq.khead = &k.cq_head;
	ring->cq.ktail = &k.cq_tail;
	ring->cq.kring_mask = &k.cq_mask;
	ring->cq.kring_entries = &k.cq_entries;
	ring->cq.koverflow = ring->cq.kflags = &k.zero;
	ring->cq.cqes = k.cqes;
	ring->cq.cqe_size = CQE_SIZE;
	ring->cq.ring_mask = CQ_ENTRIES - 1;
	ring->cq.ring_entries = CQ_ENTRIES;
	ring->ring_fd = -1;
	ring->snap_regs = SNAP;
}

/* Post a CQE as the kernel would: entry first, then the tail (release). */
static void post_cqe(__u64 user_data)
{
	struct sysring_cqe *cqe = (struct sysring_cqe *)((char *)k.cqes +
				  (k.cq_tail & k.cq_mask) * CQE_SIZE);

	memset(cqe, 0, CQE_SIZE);
	cqe->user_data = user_data;
	cqe->nregs = SNAP;
	cqe->regs[SNAP - 1] = user_data * 2;
	__atomic_store_n(&k.cq_tail, k.cq_tail + 1, __ATOMIC_RELEASE);
}

static int test_sq(unsigned start)
{
	struct sysring ring;
	struct sysring_sqe *sqe;
	unsigned i;

	fake_ring(&ring, start);
	T_EQ(sysring_sq_space_left(&ring), SQ_ENTRIES);
	for (i = 0; i < SQ_ENTRIES; i++) {
		sqe = sysring_get_sqe(&ring);
		T_CHECK(sqe == &k.sqes[(start + i) & (SQ_ENTRIES - 1)]);
		sqe->user_data = i;
	}
	T_CHECK(sysring_get_sqe(&ring) == NULL);
	T_EQ(sysring_sq_ready(&ring), SQ_ENTRIES);
	/* Nothing is published before sysring_submit. */
	T_EQ(k.sq_tail, start);

	/* The kernel consumes two: two slots come back, zeroed on reuse. */
	k.sq_head += 2;
	T_EQ(sysring_sq_space_left(&ring), 2);
	sqe = sysring_get_sqe(&ring);
	T_CHECK(sqe == &k.sqes[start & (SQ_ENTRIES - 1)]);
	T_EQ(sqe->user_data, 0);
	return T_EXIT_PASS;
}

static int test_cq(unsigned start)
{
	struct sysring_cqe *cqe, *batch[CQ_ENTRIES];
	struct sysring ring;
	unsigned head, i, n = 0;
	__u64 v;

	fake_ring(&ring, start);
	T_EQ(sysring_peek_cqe(&ring, &cqe), -EAGAIN);
	T_CHECK(cqe == NULL);
	for (i = 0; i < 5; i++)
		post_cqe(i);
	T_EQ(sysring_cq_ready(&ring), 5);

	T_EQ(sysring_peek_cqe(&ring, &cqe), 0);
	T_EQ(cqe->user_data, 0);
	/* wait_nr already satisfied: no syscall is made. */
	T_EQ(sysring_wait_cqe_nr(&ring, &cqe, 5), 0);

	sysring_for_each_cqe(&ring, head, cqe) {
		T_EQ(cqe->user_data, n);
		T_EQ(sysring_cqe_reg(cqe, SNAP - 1, &v), 0);
		T_EQ(v, 2 * n);
		n++;
	}
	T_EQ(n, 5);

	T_EQ(sysring_peek_batch_cqe(&ring, batch, 3), 3);
	T_EQ(batch[2]->user_data, 2);
	sysring_cq_advance(&ring, 3);
	T_EQ(k.cq_head, start + 3);
	T_EQ(sysring_peek_batch_cqe(&ring, batch, CQ_ENTRIES), 2);
	T_EQ(batch[0]->user_data, 3);
	sysring_cqe_seen(&ring, batch[0]);
	sysring_cqe_seen(&ring, NULL);
	T_EQ(sysring_cq_ready(&ring), 1);
	sysring_cq_advance(&ring, 1);
	T_EQ(sysring_peek_cqe(&ring, &cqe), -EAGAIN);
	return T_EXIT_PASS;
}

static int test_bad_args(void)
{
	struct sysring_params p;
	struct sysring_probe probe;
	struct sysring_cqe *cqe;
	struct sysring ring;

	memset(&p, 0, sizeof(p));
	T_EQ(sysring_queue_init(4, NULL, 0), -EINVAL);
	T_EQ(sysring_queue_init_params(4, NULL, &p), -EINVAL);
	T_EQ(sysring_queue_init_params(4, &ring, NULL), -EINVAL);
	T_EQ(ring.ring_fd, -1);
	sysring_queue_exit(NULL);
	sysring_queue_exit(&ring);
	T_EQ(sysring_submit(NULL), -EINVAL);
	T_EQ(sysring_submit_and_wait(NULL, 1), -EINVAL);
	T_EQ(sysring_wait_cqe(NULL, &cqe), -EINVAL);
	T_EQ(sysring_wait_cqe(&ring, NULL), -EINVAL);
	T_EQ(sysring_peek_batch_cqe(NULL, &cqe, 1), 0);
	T_CHECK(sysring_get_sqe(NULL) == NULL);
	T_EQ(sysring_register_prog(NULL, NULL, 0, NULL), -EINVAL);
	T_EQ(sysring_unregister_prog(NULL, 0), -EINVAL);
	T_EQ(sysring_probe(NULL, &probe), -EINVAL);
	T_EQ(sysring_probe(&ring, NULL), -EINVAL);
	return T_EXIT_PASS;
}

int main(void)
{
	T_RUN(test_sq, 0);
	T_RUN(test_sq, 0xfffffffeU);	/* indices wrap */
	T_RUN(test_cq, 0);
	T_RUN(test_cq, 0xfffffffdU);
	T_RUN(test_bad_args);
	return T_EXIT_PASS;
}
