// SPDX-License-Identifier: MIT
/*
 * Description: cat(1) as one sysring block: open, a read/write loop and
 * close run in the kernel with no return to user space between them.
 *
 *   sr-cat FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sysring.h"
#include "sysring_insn.h"

/* r1..r5 = AT_FDCWD, path, O_RDONLY, buf, sizeof(buf); r16 counts bytes. */
static const struct sysring_insn cat_prog[] = {
	SR_SYS(10, __NR_openat, 1, 3),		/* r10 = openat(r1, r2, r3) */
	SR_MOV(11, 10),				/* read(fd, buf, len) args */
	SR_MOV(12, 4),
	SR_MOV(13, 5),
	SR_SYS(14, __NR_read, 11, 3),		/* loop: r14 = read() */
	SR_JMP_K(JEQ, 14, 0, 6),		/* EOF: to close */
	SR_ADD(16, 14),
	SR_MOV_K(20, STDOUT_FILENO),		/* write(1, buf, r14) args */
	SR_MOV(21, 4),
	SR_MOV(22, 14),
	SR_SYS(23, __NR_write, 20, 3),
	SR_JA(-8),				/* back to read */
	SR_SYS(15, __NR_close, 11, 1),
	SR_EXIT(16),
};

int main(int argc, char **argv)
{
	static char buf[65536];
	struct sysring_prog_reg reg;
	struct sysring_cqe *cqe;
	struct sysring_sqe *sqe;
	struct sysring ring;
	int prog, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	ret = sysring_queue_init(8, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "sr-cat: sysring_queue_init: %s\n", strerror(-ret));
		return ret == -ENOSYS ? 77 : 1;
	}
	prog = sysring_register_prog(&ring, cat_prog,
				     sizeof(cat_prog) / sizeof(cat_prog[0]), &reg);
	if (prog < 0) {
		fprintf(stderr, "sr-cat: program refused: %s (reason %u at %u)\n",
			strerror(-prog), reg.reason, reg.pc);
		return 1;
	}

	sqe = sysring_get_sqe(&ring);
	if (!sqe)
		return 1;
	sysring_prep_prog(sqe, prog);
	sysring_sqe_set_regs(sqe, 1, (const __u64[]){ (__u64)AT_FDCWD,
			     (__u64)(unsigned long)argv[1], O_RDONLY,
			     (__u64)(unsigned long)buf, sizeof(buf) }, 5);
	sysring_sqe_set_budget(sqe, SYSRING_MAX_BUDGET);

	ret = sysring_submit_and_wait(&ring, 1);
	if (ret >= 0)
		ret = sysring_wait_cqe(&ring, &cqe);
	if (ret < 0) {
		fprintf(stderr, "sr-cat: %s\n", strerror(-ret));
		return 1;
	}
	if (cqe->status != SYSRING_STATUS_EXIT) {
		fprintf(stderr, "sr-cat: %s: block stopped at instruction %u: status %u, %s\n",
			argv[1], cqe->pc, cqe->status, strerror((int)-cqe->res));
		return 1;
	}
	fprintf(stderr, "sr-cat: %lld bytes in one block: %u instructions, 0 returns to user space\n",
		(long long)cqe->res, cqe->insns);
	sysring_cqe_seen(&ring, cqe);
	sysring_queue_exit(&ring);
	return 0;
}
