/* SPDX-License-Identifier: MIT */
/* Description: bad user addresses in LD, ST and COPY end the block with SYSRING_STATUS_FAULT */
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

static int expect_fault(struct sysring *ring, const struct sysring_insn *insns,
			unsigned n, const __u64 *regs, unsigned nregs,
			unsigned pc)
{
	struct t_cqe c;
	int ret;

	ret = t_run_insns(ring, insns, n, 1, regs, nregs, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_FAULT, -EFAULT);
	T_EQ(c.pc, pc);
	/* The instructions after the fault did not run. */
	T_EQ(t_reg(&c, 5), 0);
	return T_EXIT_PASS;
}

int main(void)
{
	const struct sysring_insn ld[] = {
		SR_MOV_K(4, 1),
		SR_LD(SYSRING_MEM_DW, 3, 1, 0),
		SR_MOV_K(5, 1),
		SR_EXIT(3),
	};
	const struct sysring_insn st[] = {
		SR_ST(SYSRING_MEM_W, 1, 2, 8),
		SR_MOV_K(5, 1),
		SR_EXIT(0),
	};
	const struct sysring_insn copy[] = {
		SR_COPY(2, 1, 3),
		SR_MOV_K(5, 1),
		SR_EXIT(0),
	};
	long page = sysconf(_SC_PAGESIZE);
	struct sysring ring;
	__u64 regs[3];
	char *gone, *ro;

	t_ring_init_snap(&ring, 4, 8);

	gone = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(gone != MAP_FAILED && ro != MAP_FAILED);
	T_CHECK(!munmap(gone, page));

	regs[0] = t_ptr(gone);
	T_RUN(expect_fault, &ring, ld, ARRAY_SIZE(ld), regs, 1, 1);
	regs[0] = 0;
	T_RUN(expect_fault, &ring, ld, ARRAY_SIZE(ld), regs, 1, 1);
	/* A kernel address is no better than an unmapped one. */
	regs[0] = 0xffffffff81000000ULL;
	T_RUN(expect_fault, &ring, ld, ARRAY_SIZE(ld), regs, 1, 1);

	regs[0] = t_ptr(ro);
	regs[1] = 42;
	T_RUN(expect_fault, &ring, st, ARRAY_SIZE(st), regs, 2, 0);

	/* COPY from an unmapped page and into a read-only one. */
	regs[0] = t_ptr(gone);
	regs[1] = t_ptr(&regs[2]);
	regs[2] = 8;
	T_RUN(expect_fault, &ring, copy, ARRAY_SIZE(copy), regs, 3, 0);
	regs[0] = t_ptr(regs);
	regs[1] = t_ptr(ro);
	T_RUN(expect_fault, &ring, copy, ARRAY_SIZE(copy), regs, 3, 0);

	munmap(ro, page);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
