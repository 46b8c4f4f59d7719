/* SPDX-License-Identifier: MIT */
/* Description: host-only: builder macros and SQE prep helpers encode as the uapi header says */
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

#define T_INSN(i, c, d, s, m, k) do {					\
	T_EQ((i).code, c);						\
	T_EQ((i).dst, d);						\
	T_EQ((i).src, s);						\
	T_EQ((i).mod, m);						\
	T_EQ((i).imm, k);						\
} while (0)

static int test_abi_sizes(void)
{
	T_EQ(sizeof(struct sysring_insn), 8);
	T_EQ(sizeof(struct sysring_sqe), 128);
	T_EQ(sizeof(struct sysring_cqe), 32);
	T_EQ(offsetof(struct sysring_sqe, regs), 32);
	T_EQ(offsetof(struct sysring_sqe, insns), 80);
	T_EQ(offsetof(struct sysring_cqe, regs), 32);
	T_EQ(sizeof(struct sysring_params), 128);
	T_EQ(offsetof(struct sysring_params, sq_off), 64);
	T_EQ(sizeof(struct sysring_prog_reg), 40);
	return T_EXIT_PASS;
}

static int test_macros(void)
{
	static const struct sysring_insn ldi[] = {
		SR_LDDW(5, 0x1122334455667788ULL),
		SR_LDDW(6, -2),
	};
	struct sysring_insn i;

	T_EQ(ARRAY_SIZE(ldi), 4);
	T_INSN(ldi[0], SYSRING_OP_LDDW, 5, 0, 0, 0x55667788);
	T_INSN(ldi[1], 0, 0, 0, 0, 0x11223344);
	T_INSN(ldi[2], SYSRING_OP_LDDW, 6, 0, 0, -2);
	T_INSN(ldi[3], 0, 0, 0, 0, -1);

	i = SR_EXIT(3);
	T_INSN(i, SYSRING_OP_EXIT, 3, 0, 0, 0);
	i = SR_MOV(1, 2);
	T_INSN(i, SYSRING_OP_MOV_X, 1, 2, 0, 0);
	i = SR_MOV_K(7, -100);
	T_INSN(i, SYSRING_OP_MOV_K, 7, 0, 0, -100);
	i = SR_ADD(1, 2);
	T_INSN(i, SYSRING_OP_ADD_X, 1, 2, 0, 0);
	i = SR_ARSH_K(4, 3);
	T_INSN(i, SYSRING_OP_ARSH_K, 4, 0, 0, 3);
	i = SR_ALU_X(XOR, 9, 8);
	T_INSN(i, SYSRING_OP_XOR_X, 9, 8, 0, 0);
	i = SR_MOD_K(1, 7);
	T_INSN(i, SYSRING_OP_MOD_K, 1, 0, 0, 7);
	i = SR_NEG(4);
	T_INSN(i, SYSRING_OP_NEG, 4, 0, 0, 0);

	i = SR_JMP_X(JSGT, 1, 2, -4);
	T_INSN(i, SYSRING_OP_JSGT_X, 1, 2, 0, -4);
	i = SR_JMP_K(JEQ, 1, -1, 2);
	T_INSN(i, SYSRING_OP_JEQ_K, 1, 0xff, 0, 2);
	i = SR_JMP_K(JLE, 2, 100, -3);
	T_INSN(i, SYSRING_OP_JLE_K, 2, 100, 0, -3);
	i = SR_JA(-1);
	T_INSN(i, SYSRING_OP_JA, 0, 0, 0, -1);

	i = SR_LD(SYSRING_MEM_W | SYSRING_MEM_BE | SYSRING_MEM_SX, 2, 1, 4);
	T_INSN(i, SYSRING_OP_LD, 2, 1, 0x0e, 4);
	i = SR_ST(SYSRING_MEM_H, 1, 3, -2);
	T_INSN(i, SYSRING_OP_ST, 1, 3, 0x01, -2);

	i = SR_SYS(0, 39, 1, 3);
	T_INSN(i, SYSRING_OP_SYS, 0, 1, 3, 39);
	i = SR_SYS_KEEPERR(4, 3, 5, 1);
	T_INSN(i, SYSRING_OP_SYS, 4, 5, 0x81, 3);
	i = SR_COPY(1, 2, 3);
	T_INSN(i, SYSRING_OP_COPY, 1, 2, 3, 0);
	i = SR_FIND(0, 1, 3);
	T_INSN(i, SYSRING_OP_FIND, 0, 1, 3, 0);
	return T_EXIT_PASS;
}

static int test_prep_syscall(void)
{
	struct sysring_sqe sqe;
	unsigned i;

	memset(&sqe, 0, sizeof(sqe));
	sysring_prep_syscall(&sqe, 17, 4, 1, 2, 3, 4, 5, 6);
	T_EQ(sqe.ninsns, 2);
	T_EQ(sqe.flags, 0);
	T_INSN(sqe.insns[0], SYSRING_OP_SYS, 0, 1, 4, 17);
	T_INSN(sqe.insns[1], SYSRING_OP_EXIT, 0, 0, 0, 0);
	T_EQ(sqe.reg_base, 1);
	T_EQ(sqe.nregs, 4);
	for (i = 0; i < 4; i++)
		T_EQ(sqe.regs[i], i + 1);

	memset(&sqe, 0, sizeof(sqe));
	sysring_prep_openat(&sqe, -100, "/x", 0x80000, 0644);
	T_EQ(sqe.insns[0].imm, __NR_openat);
	T_EQ(sqe.insns[0].mod, 4);
	T_EQ(sqe.regs[0], (__u64)-100);
	T_EQ(sqe.regs[2], 0x80000);
	T_EQ(sqe.regs[3], 0644);

	memset(&sqe, 0, sizeof(sqe));
	sysring_prep_close(&sqe, -1);
	T_EQ(sqe.insns[0].imm, __NR_close);
	T_EQ(sqe.nregs, 1);
	T_EQ(sqe.regs[0], (__u64)-1);

	memset(&sqe, 0, sizeof(sqe));
	sysring_prep_pread(&sqe, 3, &sqe, 10, 1ULL << 40);
	T_EQ(sqe.insns[0].imm, __NR_pread64);
	T_EQ(sqe.regs[1], t_ptr(&sqe));
	T_EQ(sqe.regs[3], 1ULL << 40);

	memset(&sqe, 0, sizeof(sqe));
	sysring_prep_getppid(&sqe);
	T_INSN(sqe.insns[0], SYSRING_OP_SYS, 0, 0, 0, __NR_getppid);
	T_EQ(sqe.nregs, 0);

	/* No memset: prep_nop must clear the SYS slot pair it replaces. */
	sysring_prep_pread(&sqe, 3, &sqe, 10, 7);
	sysring_prep_nop(&sqe);
	T_EQ(sqe.ninsns, 1);
	T_INSN(sqe.insns[0], SYSRING_OP_EXIT, 0, 0, 0, 0);
	/* Slots and values a previous prep left behind are cleared. */
	T_EQ(sqe.insns[1].code, 0);
	return T_EXIT_PASS;
}

static int test_prep_fields(void)
{
	const struct sysring_insn seven[7] = {
		SR_MOV_K(1, 1), SR_MOV_K(1, 2), SR_MOV_K(1, 3),
		SR_MOV_K(1, 4), SR_MOV_K(1, 5), SR_MOV_K(1, 6), SR_EXIT(1),
	};
	const __u64 vals[7] = { 10, 11, 12, 13, 14, 15, 16 };
	struct sysring_sqe sqe;

	/* Oversized blocks keep their count so the kernel rejects them. */
	memset(&sqe, 0, sizeof(sqe));
	sysring_prep_insns(&sqe, seven, 7);
	T_EQ(sqe.ninsns, 7);
	T_EQ(sqe.insns[5].imm, 6);
	T_EQ(sqe.__resv2, 0);
	sysring_sqe_set_regs(&sqe, 250, vals, 7);
	T_EQ(sqe.reg_base, 250);
	T_EQ(sqe.nregs, 7);
	T_EQ(sqe.regs[5], 15);
	T_EQ(sqe.insns[0].imm, 1);

	memset(&sqe, 0, sizeof(sqe));
	sysring_prep_prog(&sqe, 42);
	sysring_sqe_set_flags(&sqe, SYSRING_SQE_LINK);
	T_EQ(sqe.flags, SYSRING_SQE_PROG | SYSRING_SQE_LINK);
	T_EQ(sqe.prog, 42);
	T_EQ(sqe.ninsns, 0);
	sysring_sqe_set_flags(&sqe, 0);
	T_EQ(sqe.flags, SYSRING_SQE_PROG);
	/* Inline instructions replace a program reference. */
	sysring_prep_nop(&sqe);
	T_EQ(sqe.flags, 0);

	sysring_sqe_set_data64(&sqe, 0xfeedfacecafebeefULL);
	sysring_sqe_set_budget(&sqe, 1000);
	sysring_sqe_set_snap(&sqe, 200);
	T_EQ(sqe.user_data, 0xfeedfacecafebeefULL);
	T_EQ(sqe.budget, 1000);
	T_EQ(sqe.snap_base, 200);
	T_EQ(sqe.__resv1, 0);
	return T_EXIT_PASS;
}

static int test_cqe_reg(void)
{
	__u64 buf[4 + 4];
	struct sysring_cqe *cqe = (struct sysring_cqe *)buf;
	__u64 v = 0;
	unsigned i;

	memset(buf, 0, sizeof(buf));
	cqe->reg_base = 10;
	cqe->nregs = 4;
	for (i = 0; i < 4; i++)
		cqe->regs[i] = 100 + i;
	T_EQ(sysring_cqe_reg(cqe, 9, &v), -ERANGE);
	T_EQ(sysring_cqe_reg(cqe, 14, &v), -ERANGE);
	T_EQ(sysring_cqe_reg(cqe, 10, &v), 0);
	T_EQ(v, 100);
	T_EQ(sysring_cqe_reg(cqe, 13, &v), 0);
	T_EQ(v, 103);
	T_EQ(sysring_cqe_reg(NULL, 13, &v), -EINVAL);
	T_EQ(sysring_cqe_reg(cqe, 13, NULL), -EINVAL);

	cqe->reg_base = 254;
	T_EQ(sysring_cqe_reg(cqe, 255, &v), 0);
	T_EQ(v, 101);
	T_EQ(sysring_cqe_reg(cqe, 0, &v), -ERANGE);
	return T_EXIT_PASS;
}

static int test_probe_helpers(void)
{
	struct sysring_probe p;

	memset(&p, 0, sizeof(p));
	p.ops[SYSRING_OP_FIND / 64] |= 1ULL << (SYSRING_OP_FIND % 64);
	p.syscalls[__NR_getppid / 64] |= 1ULL << (__NR_getppid % 64);
	T_CHECK(sysring_opcode_supported(&p, SYSRING_OP_FIND));
	T_CHECK(!sysring_opcode_supported(&p, SYSRING_OP_COPY));
	T_CHECK(!sysring_opcode_supported(&p, 256));
	T_CHECK(!sysring_opcode_supported(NULL, SYSRING_OP_FIND));
	T_CHECK(sysring_syscall_supported(&p, __NR_getppid));
	T_CHECK(!sysring_syscall_supported(&p, __NR_getpid));
	T_CHECK(!sysring_syscall_supported(&p, SYSRING_PROBE_SYSCALLS));
	return T_EXIT_PASS;
}

int main(void)
{
	T_RUN(test_abi_sizes);
	T_RUN(test_macros);
	T_RUN(test_prep_syscall);
	T_RUN(test_prep_fields);
	T_RUN(test_cqe_reg);
	T_RUN(test_probe_helpers);
	return T_EXIT_PASS;
}
