// SPDX-License-Identifier: MIT
/*
 * The sysring disassembler: struct sysring_insn[] to the canonical text
 * that asm.c reads back to the same bytes.  Jumps to an instruction are
 * written with labels named after the target's index (L12), other jumps
 * with an offset; an instruction the syntax cannot express (a reserved
 * field set, an unknown opcode, an LDDW without its second slot) is
 * written as a .insn directive.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "vm.h"
#include "asm.h"

static const char *const mem_sizes[] = { "b", "h", "w", "dw" };

static const struct sysring_opdef *opdef(const struct sysring_insn *insn)
{
	return &sysring_opdefs[insn->code];
}

/* Whether slot @pc is an LDDW followed by a well-formed second slot. */
static bool is_lddw(const struct sysring_insn *insns, size_t n, size_t pc)
{
	const struct sysring_insn *i = &insns[pc], *t = &insns[pc + 1];

	return opdef(i)->class == SYSRING_CLASS_LDDW && !i->src && !i->mod &&
	       pc + 1 < n && !t->code && !t->dst && !t->src && !t->mod;
}

/* Whether the mnemonic syntax can express every field of @i. */
static bool expressible(const struct sysring_insn *i)
{
	switch (opdef(i)->class) {
	case SYSRING_CLASS_EXIT:
	case SYSRING_CLASS_NEG:
		return !i->src && !i->mod && !i->imm;
	case SYSRING_CLASS_ALU_X:
		return !i->mod && !i->imm;
	case SYSRING_CLASS_ALU_K:
		return !i->src && !i->mod;
	case SYSRING_CLASS_JA:
		return !i->dst && !i->src && !i->mod;
	case SYSRING_CLASS_JMP_X:
	case SYSRING_CLASS_JMP_K:
		return !i->mod;
	case SYSRING_CLASS_LD:
		return !(i->mod & ~SYSRING_MEM_MASK);
	case SYSRING_CLASS_ST:
		return !(i->mod & ~(SYSRING_MEM_SIZE_MASK | SYSRING_MEM_BE));
	case SYSRING_CLASS_SYS:
		return !(i->mod & ~SYSRING_SYS_MASK) &&
		       (i->mod & SYSRING_SYS_NARGS_MASK) <= 6;
	case SYSRING_CLASS_COPY:
	case SYSRING_CLASS_FIND:
		return !i->imm;
	case SYSRING_CLASS_IO:
		if (i->code == SYSRING_OP_XFER)
			return !(i->mod & ~SYSRING_XFER_MASK) && !i->imm;
		return !(i->mod & ~SYSRING_IO_MASK) &&
		       (i->code == SYSRING_OP_WAIT || !i->imm);
	}
	return false;	/* LDDW is is_lddw()'s, the rest are not opcodes */
}

static bool is_jump(const struct sysring_insn *i)
{
	u8 class = opdef(i)->class;

	return expressible(i) && (class == SYSRING_CLASS_JA ||
				  class == SYSRING_CLASS_JMP_X ||
				  class == SYSRING_CLASS_JMP_K);
}

/* What the disassembly needs to know about each slot. */
struct layout {
	bool	*tail;		/* second slot of an LDDW: no line of its own */
	bool	*label;		/* a jump lands here; n + 1 entries */
	size_t	n;
};

static int64_t jump_target(size_t pc, const struct sysring_insn *i)
{
	return (int64_t)pc + 1 + i->imm;
}

static int layout_init(struct layout *l, const struct sysring_insn *insns,
		       size_t n)
{
	int64_t target;
	size_t pc;

	l->n = n;
	l->tail = calloc(n + 1, sizeof(*l->tail));
	l->label = calloc(n + 1, sizeof(*l->label));
	if (!l->tail || !l->label)
		return -1;
	for (pc = 0; pc < n; pc++)
		if (is_lddw(insns, n, pc))
			l->tail[++pc] = true;
	for (pc = 0; pc < n; pc++) {
		if (l->tail[pc] || !is_jump(&insns[pc]))
			continue;
		target = jump_target(pc, &insns[pc]);
		if (target >= 0 && target <= (int64_t)n && !l->tail[target])
			l->label[target] = true;
	}
	return 0;
}

static void layout_free(struct layout *l)
{
	free(l->tail);
	free(l->label);
}

static void print_target(FILE *out, const struct layout *l, size_t pc,
			 const struct sysring_insn *i)
{
	int64_t target = jump_target(pc, i);

	if (target >= 0 && target <= (int64_t)l->n && l->label[target])
		fprintf(out, "L%lld", (long long)target);
	else
		fprintf(out, "%+d", i->imm);
}

static void print_mem(FILE *out, u8 reg, s32 disp)
{
	if (disp)
		fprintf(out, "[r%u%+d]", reg, disp);
	else
		fprintf(out, "[r%u]", reg);
}

static void print_mem_mods(FILE *out, u8 mod)
{
	fprintf(out, ".%s%s%s ", mem_sizes[mod & SYSRING_MEM_SIZE_MASK],
		mod & SYSRING_MEM_BE ? ".be" : "",
		mod & SYSRING_MEM_SX ? ".sx" : "");
}

static void print_sys(FILE *out, const struct sysring_insn *i)
{
	const char *name = sysring_asm_sysname(i->imm);
	u8 nargs = i->mod & SYSRING_SYS_NARGS_MASK;

	fprintf(out, "%s r%u, ", i->mod & SYSRING_SYS_KEEPERR ? ".keeperr" : "",
		i->dst);
	if (name)
		fputs(name, out);
	else
		fprintf(out, "%d", i->imm);
	if (nargs || i->src)
		fprintf(out, ", r%u, %u", i->src, nargs);
}

static void print_insn(FILE *out, const struct layout *l,
		       const struct sysring_insn *insns, size_t pc)
{
	const struct sysring_insn *i = &insns[pc];
	const char *name = opdef(i)->name;

	fprintf(out, "\t%s", name);
	switch (opdef(i)->class) {
	case SYSRING_CLASS_EXIT:
	case SYSRING_CLASS_NEG:
		fprintf(out, " r%u", i->dst);
		break;
	case SYSRING_CLASS_LDDW:
		fprintf(out, " r%u, 0x%llx", i->dst,
			(unsigned long long)(u32)i->imm |
			(unsigned long long)(u32)insns[pc + 1].imm << 32);
		break;
	case SYSRING_CLASS_ALU_X:
		fprintf(out, " r%u, r%u", i->dst, i->src);
		break;
	case SYSRING_CLASS_ALU_K:
		fprintf(out, " r%u, %d", i->dst, i->imm);
		break;
	case SYSRING_CLASS_JA:
		fputc(' ', out);
		print_target(out, l, pc, i);
		break;
	case SYSRING_CLASS_JMP_X:
		fprintf(out, " r%u, r%u, ", i->dst, i->src);
		print_target(out, l, pc, i);
		break;
	case SYSRING_CLASS_JMP_K:
		fprintf(out, " r%u, %d, ", i->dst, (s8)i->src);
		print_target(out, l, pc, i);
		break;
	case SYSRING_CLASS_LD:
		print_mem_mods(out, i->mod);
		fprintf(out, "r%u, ", i->dst);
		print_mem(out, i->src, i->imm);
		break;
	case SYSRING_CLASS_ST:
		print_mem_mods(out, i->mod);
		print_mem(out, i->dst, i->imm);
		fprintf(out, ", r%u", i->src);
		break;
	case SYSRING_CLASS_SYS:
		print_sys(out, i);
		break;
	case SYSRING_CLASS_COPY:
	case SYSRING_CLASS_FIND:
		fprintf(out, " r%u, r%u, r%u", i->dst, i->src, i->mod);
		break;
	case SYSRING_CLASS_IO:
		fprintf(out, "%s%s r%u, r%u",
			i->mod & SYSRING_XFER_SPLICE ? ".splice" : "",
			i->mod & SYSRING_IO_KEEPERR ? ".keeperr" : "",
			i->dst, i->src);
		if (i->code == SYSRING_OP_WAIT)
			fprintf(out, ", %#x", (u32)i->imm);
		break;
	}
	fputc('\n', out);
}

static void print_raw(FILE *out, const struct sysring_insn *i)
{
	fprintf(out, "\t.insn 0x%02x, %u, %u, %u, %d\n", i->code, i->dst,
		i->src, i->mod, i->imm);
}

int sysring_disasm(FILE *out, const struct sysring_insn *insns, size_t n)
{
	struct layout l;
	size_t pc;
	int ret = 0;

	if (layout_init(&l, insns, n)) {
		ret = -1;
		goto out;
	}
	for (pc = 0; pc < n; pc++) {
		if (l.tail[pc])
			continue;
		if (l.label[pc])
			fprintf(out, "L%zu:\n", pc);
		if (l.tail[pc + 1] || expressible(&insns[pc]))
			print_insn(out, &l, insns, pc);
		else
			print_raw(out, &insns[pc]);
	}
	if (l.label[n])
		fprintf(out, "L%zu:\n", n);
	if (ferror(out))
		ret = -1;
out:
	layout_free(&l);
	return ret;
}
