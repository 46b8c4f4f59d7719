/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A structure-aware program generator: the fuzz input steers it, and what
 * it builds is mostly well formed (valid opcodes, jump targets on
 * instructions, backward loops, whole LDDW pairs, allowed syscalls, memory
 * operands in and around the fake window, COPY/FIND lengths around their
 * limits), with the occasional deliberate defect so the checker's
 * rejections stay exercised.
 */
#ifndef SYSRING_FUZZ_GEN_H
#define SYSRING_FUZZ_GEN_H

#include "fuzz_env.h"

/* Build up to @max instructions into @out; returns how many (>= 1). */
u32 gen_program(struct fz *f, struct sysring_insn *out, u32 max);

/* Initial registers: address/length pairs in r0..r15, edges in r248..r255. */
void gen_regs(struct fz *f, u64 *regs, u32 nregs);

/* An address or a length worth trying. */
u64 gen_addr(struct fz *f);
u64 gen_len(struct fz *f);

#endif /* SYSRING_FUZZ_GEN_H */
