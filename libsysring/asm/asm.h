/* SPDX-License-Identifier: MIT */
/*
 * sysring-asm: a text assembler and disassembler for sysring programs.
 * The syntax is described in Documentation/userspace-api/sysring-isa.rst,
 * section "Assembler".  Opcode names and classes come from the kernel's own
 * table, sysring_opdefs[] (linux/sysring/opdef.c).
 */
#ifndef SYSRING_ASM_H
#define SYSRING_ASM_H

#include <stddef.h>
#include <stdio.h>
#include <linux/sysring.h>

/* Where and why assembly failed; line and col count from 1. */
struct sysring_asm_err {
	unsigned int	line;
	unsigned int	col;
	char		msg[160];
};

/* An assembled program, with the source line of every slot. */
struct sysring_asm_prog {
	struct sysring_insn	*insns;
	unsigned int		*lines;
	size_t			len;
};

/*
 * sysring_asm - assemble @len bytes of @text
 *
 * Return: 0 with @prog filled (release it with sysring_asm_free()), or -1
 * with @err saying where and why; @prog is then empty.
 */
int sysring_asm(const char *text, size_t len, struct sysring_asm_prog *prog,
		struct sysring_asm_err *err);
void sysring_asm_free(struct sysring_asm_prog *prog);

/*
 * sysring_disasm - write @n instructions as canonical assembler text
 *
 * Any array of instructions is printed, valid or not, so that assembling
 * the text gives back the same bytes.  Return: 0, or -1 on a write error.
 */
int sysring_disasm(FILE *out, const struct sysring_insn *insns, size_t n);

/* Syscall names of the allow-list (sysnames.c). */
int sysring_asm_sysnr(const char *name, size_t len);
const char *sysring_asm_sysname(int nr);

#endif /* SYSRING_ASM_H */
