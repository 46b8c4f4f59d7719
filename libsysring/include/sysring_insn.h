/* SPDX-License-Identifier: MIT */
/*
 * Program builder macros for sysring, in the spirit of the kernel's BPF_*
 * macros: each expands to one struct sysring_insn (SR_LDDW to two), so a
 * program is an array initialiser:
 *
 *	struct sysring_insn prog[] = {
 *		SR_MOV_K(1, 0),
 *		SR_SYS(2, __NR_close, 1, 1),
 *		SR_EXIT(0),
 *	};
 */
#ifndef LIBSYSRING_INSN_H
#define LIBSYSRING_INSN_H

#include <linux/sysring.h>

#define SR_INSN(CODE, DST, SRC, MOD, IMM)				\
	((struct sysring_insn) {					\
		.code = (CODE),						\
		.dst = (DST),						\
		.src = (SRC),						\
		.mod = (MOD),						\
		.imm = (IMM) })

/* End the block; its result is r[r]. */
#define SR_EXIT(r)		SR_INSN(SYSRING_OP_EXIT, r, 0, 0, 0)

#define SR_MOV(dst, src)	SR_INSN(SYSRING_OP_MOV_X, dst, src, 0, 0)
#define SR_MOV_K(dst, imm)	SR_INSN(SYSRING_OP_MOV_K, dst, 0, 0, imm)

/* dst = imm64: two slots, the second all zero but the high half. */
#define SR_LDDW(dst, imm64)						\
	SR_INSN(SYSRING_OP_LDDW, dst, 0, 0,				\
		(__s32)(__u32)((__u64)(imm64) & 0xffffffffu)),		\
	SR_INSN(0, 0, 0, 0, (__s32)(__u32)((__u64)(imm64) >> 32))

/* ALU: OP is ADD, SUB, MUL, DIV, MOD, AND, OR, XOR, LSH, RSH or ARSH. */
#define SR_ALU_X(OP, dst, src)	SR_INSN(SYSRING_OP_##OP##_X, dst, src, 0, 0)
#define SR_ALU_K(OP, dst, imm)	SR_INSN(SYSRING_OP_##OP##_K, dst, 0, 0, imm)

#define SR_ADD(dst, src)	SR_ALU_X(ADD, dst, src)
#define SR_SUB(dst, src)	SR_ALU_X(SUB, dst, src)
#define SR_MUL(dst, src)	SR_ALU_X(MUL, dst, src)
#define SR_DIV(dst, src)	SR_ALU_X(DIV, dst, src)
#define SR_MOD(dst, src)	SR_ALU_X(MOD, dst, src)
#define SR_AND(dst, src)	SR_ALU_X(AND, dst, src)
#define SR_OR(dst, src)		SR_ALU_X(OR, dst, src)
#define SR_XOR(dst, src)	SR_ALU_X(XOR, dst, src)
#define SR_LSH(dst, src)	SR_ALU_X(LSH, dst, src)
#define SR_RSH(dst, src)	SR_ALU_X(RSH, dst, src)
#define SR_ARSH(dst, src)	SR_ALU_X(ARSH, dst, src)
#define SR_ADD_K(dst, imm)	SR_ALU_K(ADD, dst, imm)
#define SR_SUB_K(dst, imm)	SR_ALU_K(SUB, dst, imm)
#define SR_MUL_K(dst, imm)	SR_ALU_K(MUL, dst, imm)
#define SR_DIV_K(dst, imm)	SR_ALU_K(DIV, dst, imm)
#define SR_MOD_K(dst, imm)	SR_ALU_K(MOD, dst, imm)
#define SR_AND_K(dst, imm)	SR_ALU_K(AND, dst, imm)
#define SR_OR_K(dst, imm)	SR_ALU_K(OR, dst, imm)
#define SR_XOR_K(dst, imm)	SR_ALU_K(XOR, dst, imm)
#define SR_LSH_K(dst, imm)	SR_ALU_K(LSH, dst, imm)
#define SR_RSH_K(dst, imm)	SR_ALU_K(RSH, dst, imm)
#define SR_ARSH_K(dst, imm)	SR_ALU_K(ARSH, dst, imm)
#define SR_NEG(dst)		SR_INSN(SYSRING_OP_NEG, dst, 0, 0, 0)

/*
 * Jumps: OP is JEQ, JNE, JGT, JGE, JLT, JLE, JSGT, JSGE, JSLT, JSLE or JSET;
 * @off counts instructions from the next one.  The _K form compares with a
 * signed 8-bit immediate, carried in the src byte.
 */
#define SR_JMP_X(OP, dst, src, off)					\
	SR_INSN(SYSRING_OP_##OP##_X, dst, src, 0, off)
#define SR_JMP_K(OP, dst, imm8, off)					\
	SR_INSN(SYSRING_OP_##OP##_K, dst, (__u8)(__s8)(imm8), 0, off)
#define SR_JA(off)		SR_INSN(SYSRING_OP_JA, 0, 0, 0, off)

/* dst = *(r[src] + off) and *(r[dst] + off) = r[src]; SYSRING_MEM_* flags. */
#define SR_LD(size_flags, dst, src, off)				\
	SR_INSN(SYSRING_OP_LD, dst, src, size_flags, off)
#define SR_ST(size_flags, dst, src, off)				\
	SR_INSN(SYSRING_OP_ST, dst, src, size_flags, off)

/*
 * r[dst] = syscall nr(r[argreg], ..., r[argreg + nargs - 1]); with no
 * arguments argreg must be 0.
 */
#define SR_SYS(dst, nr, argreg, nargs)					\
	SR_INSN(SYSRING_OP_SYS, dst, argreg,				\
		(nargs) & SYSRING_SYS_NARGS_MASK, nr)
/* The same, but a -errno result is kept in r[dst] instead of stopping. */
#define SR_SYS_KEEPERR(dst, nr, argreg, nargs)				\
	SR_INSN(SYSRING_OP_SYS, dst, argreg,				\
		((nargs) & SYSRING_SYS_NARGS_MASK) | SYSRING_SYS_KEEPERR, nr)

/* Copy r[lenreg] bytes from address r[s] to address r[d]. */
#define SR_COPY(d, s, lenreg)	SR_INSN(SYSRING_OP_COPY, d, s, lenreg, 0)
/*
 * r[d] = offset of needle (r[needlereg], length r[needlereg + 1]) in the
 * haystack (r[hayreg], length r[hayreg + 1]), or -1.
 */
#define SR_FIND(d, hayreg, needlereg)					\
	SR_INSN(SYSRING_OP_FIND, d, hayreg, needlereg, 0)

/*
 * I/O: operands in consecutive registers from r[reg] on, the result in
 * r[d]; flags is 0 or SYSRING_IO_KEEPERR (and SYSRING_XFER_SPLICE for
 * SR_XFER).  SR_XFER: r[reg] out fd, r[reg + 1] in fd, r[reg + 2] count.
 * SR_READN: fd, buffer, length, minimum.  SR_WRITET: fd, buffer, length,
 * timeout in ns.  SR_WAIT: fd, timeout in ns; @events as for poll(2).
 */
#define SR_XFER(d, reg, flags)	SR_INSN(SYSRING_OP_XFER, d, reg, flags, 0)
#define SR_READN(d, reg, flags)	SR_INSN(SYSRING_OP_READN, d, reg, flags, 0)
#define SR_WRITET(d, reg, flags)					\
	SR_INSN(SYSRING_OP_WRITET, d, reg, flags, 0)
#define SR_WAIT(d, reg, events, flags)					\
	SR_INSN(SYSRING_OP_WAIT, d, reg, flags, events)

#endif /* LIBSYSRING_INSN_H */
