// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the check_run seeds: the example and test programs, as the raw
 * instruction bytes check_run reads.  Run by `make -C fuzz corpus`; its
 * output is committed under corpus/check_run/.
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sysring_insn.h"

/* examples/sr-cat.c: cat(1) as one block. */
static const struct sysring_insn cat[] = {
	SR_SYS(10, __NR_openat, 1, 3),
	SR_MOV(11, 10),
	SR_MOV(12, 4),
	SR_MOV(13, 5),
	SR_SYS(14, __NR_read, 11, 3),
	SR_JMP_K(JEQ, 14, 0, 6),
	SR_ADD(16, 14),
	SR_MOV_K(20, STDOUT_FILENO),
	SR_MOV(21, 4),
	SR_MOV(22, 14),
	SR_SYS(23, __NR_write, 20, 3),
	SR_JA(-8),
	SR_SYS(15, __NR_close, 11, 1),
	SR_EXIT(16),
};

/* tests/loop.c: sum 1..100 with a backward jump, then a spin. */
static const struct sysring_insn sum[] = {
	SR_MOV_K(1, 0),
	SR_MOV_K(2, 1),
	SR_ADD(1, 2),
	SR_ADD_K(2, 1),
	SR_JMP_K(JLE, 2, 100, -3),
	SR_EXIT(1),
};

static const struct sysring_insn spin[] = {
	SR_ADD_K(1, 1),
	SR_JA(-2),
};

/* LDDW into the fuzz window (0x10000000), LD/ST every size, COPY, FIND. */
static const struct sysring_insn mem[] = {
	SR_LDDW(5, 0x10000000ULL),
	SR_MOV_K(6, 0x10000100),
	SR_LD(SYSRING_MEM_DW, 7, 5, 8),
	SR_ST(SYSRING_MEM_W | SYSRING_MEM_BE, 6, 7, 4),
	SR_LD(SYSRING_MEM_H | SYSRING_MEM_SX, 8, 6, 4),
	SR_ST(SYSRING_MEM_B, 5, 8, 0xffff),
	SR_MOV_K(9, 300),
	SR_COPY(6, 5, 9),
	SR_MOV(0, 5),
	SR_MOV_K(1, 4096),
	SR_MOV(2, 6),
	SR_MOV_K(3, 4),
	SR_FIND(4, 0, 2),
	SR_JMP_K(JEQ, 4, -1, 1),
	SR_EXIT(4),
	SR_DIV(4, 3),
	SR_SYS_KEEPERR(4, __NR_getppid, 0, 0),
	SR_EXIT(4),
};

static int put(const char *name, const void *p, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s", name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(void)
{
	return put("cat", cat, sizeof(cat)) | put("sum", sum, sizeof(sum)) |
	       put("spin", spin, sizeof(spin)) | put("mem", mem, sizeof(mem));
}
