// SPDX-License-Identifier: MIT
/*
 * Description: cp(1) as one sysring block: both opens, the read/write loop
 * (short writes included) and both closes run in the kernel.
 *
 *   sr-cp SRC DST
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "sysring.h"
#include "sysring_insn.h"

/* The block's parameters, read from user memory with LD. */
struct cp_args {
	__u64 src, dst, buf, len;
};

/*
 * r1 = &args.  r20/r21: the two fds; r40: bytes copied.
 * Syscall arguments go in consecutive registers: r10..r13 for openat,
 * r30..r32 for read, r34..r36 for write, r38 for close.
 */
static const struct sysring_insn cp_prog[] = {
	SR_MOV_K(10, AT_FDCWD),
	SR_LD(SYSRING_MEM_DW, 11, 1, 0),		/* args.src */
	SR_MOV_K(12, O_RDONLY),
	SR_SYS(20, __NR_openat, 10, 3),
	SR_LD(SYSRING_MEM_DW, 11, 1, 8),		/* args.dst */
	SR_MOV_K(12, O_WRONLY | O_CREAT | O_TRUNC),
	SR_MOV_K(13, 0644),
	SR_SYS(21, __NR_openat, 10, 4),
	SR_LD(SYSRING_MEM_DW, 31, 1, 16),		/* args.buf */
	SR_LD(SYSRING_MEM_DW, 32, 1, 24),		/* args.len */
	SR_MOV(30, 20),
	SR_MOV(34, 21),
/* 12: read a chunk */
	SR_SYS(33, __NR_read, 30, 3),
	SR_JMP_K(JEQ, 33, 0, 8),			/* EOF: to 22 */
	SR_ADD(40, 33),
	SR_MOV(35, 31),
	SR_MOV(36, 33),
/* 17: write it, however many calls it takes */
	SR_SYS(37, __NR_write, 34, 3),
	SR_ADD(35, 37),
	SR_SUB(36, 37),
	SR_JMP_K(JNE, 36, 0, -4),			/* to 17 */
	SR_JA(-10),					/* to 12 */
/* 22: done */
	SR_MOV(38, 20),
	SR_SYS(39, __NR_close, 38, 1),
	SR_MOV(38, 21),
	SR_SYS(39, __NR_close, 38, 1),
	SR_EXIT(40),
};

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	struct cp_args args;
	struct sysring_prog_reg reg;
	struct sysring_cqe *cqe;
	struct sysring_sqe *sqe;
	struct sysring ring;
	int prog, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SRC DST\n", argv[0]);
		return 2;
	}
	ret = sysring_queue_init(4, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "sr-cp: sysring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	prog = sysring_register_prog(&ring, cp_prog,
				     sizeof(cp_prog) / sizeof(cp_prog[0]), &reg);
	if (prog < 0) {
		fprintf(stderr, "sr-cp: program refused: %s (reason %u at %u)\n",
			strerror(-prog), reg.reason, reg.pc);
		return 1;
	}

	args.src = (__u64)(unsigned long)argv[1];
	args.dst = (__u64)(unsigned long)argv[2];
	args.buf = (__u64)(unsigned long)buf;
	args.len = sizeof(buf);
	sqe = sysring_get_sqe(&ring);
	if (!sqe)
		return 1;
	sysring_prep_prog(sqe, prog);
	sysring_sqe_set_regs(sqe, 1, (const __u64[]){ (__u64)(unsigned long)&args }, 1);
	sysring_sqe_set_budget(sqe, SYSRING_MAX_BUDGET);

	ret = sysring_submit_and_wait(&ring, 1);
	if (ret >= 0)
		ret = sysring_wait_cqe(&ring, &cqe);
	if (ret < 0) {
		fprintf(stderr, "sr-cp: %s\n", strerror(-ret));
		return 1;
	}
	if (cqe->status != SYSRING_STATUS_EXIT) {
		fprintf(stderr, "sr-cp: block stopped at instruction %u: status %u, %s\n",
			cqe->pc, cqe->status, strerror((int)-cqe->res));
		return 1;
	}
	printf("sr-cp: %lld bytes in one block, %u instructions\n",
	       (long long)cqe->res, cqe->insns);
	sysring_cqe_seen(&ring, cqe);
	sysring_queue_exit(&ring);
	return 0;
}
