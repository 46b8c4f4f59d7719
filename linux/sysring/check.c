// SPDX-License-Identifier: GPL-2.0
/*
 * The sysring checker: one pass over a program before it may run, in the
 * manner of classic BPF's bpf_check_classic().  It proves what the
 * interpreter relies on: every opcode is known, every field an opcode does
 * not use is zero, every jump lands on an instruction, every SYS names an
 * allowed system call with its arguments inside the register file (and
 * every I/O instruction its operand window), and execution cannot run past
 * the last instruction.  Loops are allowed; the
 * run-time budget bounds them.
 */
#include "vm.h"

/* The allow-list: exactly the opcodes the interpreter has labels for. */
#define SYSRING_OP(name)	\
	[SYSRING_OP_##name] = true,
static const bool sysring_op_known[256] = {
#include "opcodes.h"
};

#undef SYSRING_OP

/* Fields an instruction class may set; the rest must be zero. */
#define F_DST	BIT(0)
#define F_SRC	BIT(1)
#define F_MOD	BIT(2)
#define F_IMM	BIT(3)

static const u8 sysring_class_fields[] = {
	[SYSRING_CLASS_EXIT]	= F_DST,
	[SYSRING_CLASS_LDDW]	= F_DST | F_IMM,
	[SYSRING_CLASS_ALU_X]	= F_DST | F_SRC,
	[SYSRING_CLASS_ALU_K]	= F_DST | F_IMM,
	[SYSRING_CLASS_NEG]	= F_DST,
	[SYSRING_CLASS_JA]	= F_IMM,
	[SYSRING_CLASS_JMP_X]	= F_DST | F_SRC | F_IMM,
	[SYSRING_CLASS_JMP_K]	= F_DST | F_SRC | F_IMM,
	[SYSRING_CLASS_LD]	= F_DST | F_SRC | F_MOD | F_IMM,
	[SYSRING_CLASS_ST]	= F_DST | F_SRC | F_MOD | F_IMM,
	[SYSRING_CLASS_SYS]	= F_DST | F_SRC | F_MOD | F_IMM,
	[SYSRING_CLASS_COPY]	= F_DST | F_SRC | F_MOD,
	[SYSRING_CLASS_FIND]	= F_DST | F_SRC | F_MOD,
	[SYSRING_CLASS_IO]	= F_DST | F_SRC | F_MOD | F_IMM,
};

bool sysring_op_valid(u8 code)
{
	return sysring_op_known[code] &&
	       sysring_opdefs[code].class != SYSRING_CLASS_NONE;
}

static bool sysring_fields_ok(const struct sysring_insn *insn, u8 allowed)
{
	return (insn->dst == 0 || (allowed & F_DST)) &&
	       (insn->src == 0 || (allowed & F_SRC)) &&
	       (insn->mod == 0 || (allowed & F_MOD)) &&
	       (insn->imm == 0 || (allowed & F_IMM));
}

static bool sysring_is_lddw_tail(const struct sysring_insn *insns, u32 pc)
{
	return pc > 0 && insns[pc - 1].code == SYSRING_OP_LDDW;
}

static int sysring_check_jump(const struct sysring_insn *insns, u32 len,
			      u32 pc, s32 off)
{
	s64 target = (s64)pc + 1 + off;

	if (target < 0 || target >= len)
		return SYSRING_CHECK_BAD_JUMP;
	/* The second slot of LDDW is data, never an instruction. */
	if (sysring_is_lddw_tail(insns, target))
		return SYSRING_CHECK_BAD_JUMP;
	return SYSRING_CHECK_OK;
}

static int sysring_check_alu_k(const struct sysring_insn *insn)
{
	switch (insn->code) {
	case SYSRING_OP_DIV_K:
	case SYSRING_OP_MOD_K:
		return insn->imm ? SYSRING_CHECK_OK : SYSRING_CHECK_DIV_ZERO;
	case SYSRING_OP_LSH_K:
	case SYSRING_OP_RSH_K:
	case SYSRING_OP_ARSH_K:
		return (u32)insn->imm < 64 ? SYSRING_CHECK_OK :
					     SYSRING_CHECK_BAD_SHIFT;
	}
	return SYSRING_CHECK_OK;
}

static int sysring_check_sys(const struct sysring_insn *insn)
{
	u32 nargs = insn->mod & SYSRING_SYS_NARGS_MASK;

	if ((insn->mod & ~SYSRING_SYS_MASK) || nargs > 6)
		return SYSRING_CHECK_BAD_MOD;
	if (!nargs && insn->src)
		return SYSRING_CHECK_RESERVED;
	if (nargs && insn->src + nargs > SYSRING_NR_REGS)
		return SYSRING_CHECK_BAD_REG;
	if (insn->imm < 0 || !sysring_syscall_allowed(insn->imm))
		return SYSRING_CHECK_BAD_SYSCALL;
	return SYSRING_CHECK_OK;
}

/* The I/O instructions: an operand window, flags in mod, WAIT's events. */
static int sysring_check_io(const struct sysring_insn *insn)
{
	u8 mods = insn->code == SYSRING_OP_XFER ? SYSRING_XFER_MASK :
						  SYSRING_IO_MASK;
	u32 imm_ok = insn->code == SYSRING_OP_WAIT ? SYSRING_WAIT_EVENTS : 0;

	if (insn->mod & ~mods)
		return SYSRING_CHECK_BAD_MOD;
	if (insn->src + sysring_io_nregs(insn->code) > SYSRING_NR_REGS)
		return SYSRING_CHECK_BAD_REG;
	if ((u32)insn->imm & ~imm_ok)
		return SYSRING_CHECK_RESERVED;
	return SYSRING_CHECK_OK;
}

static int sysring_check_insn(const struct sysring_insn *insns, u32 len,
			      u32 pc)
{
	const struct sysring_insn *insn = &insns[pc];
	u8 class = sysring_opdefs[insn->code].class;

	if (!sysring_op_valid(insn->code))
		return SYSRING_CHECK_BAD_OPCODE;
	if (!sysring_fields_ok(insn, sysring_class_fields[class]))
		return SYSRING_CHECK_RESERVED;

	switch (class) {
	case SYSRING_CLASS_LDDW:
		if (pc + 1 >= len || insns[pc + 1].code ||
		    insns[pc + 1].dst || insns[pc + 1].src ||
		    insns[pc + 1].mod)
			return SYSRING_CHECK_BAD_LDDW;
		return SYSRING_CHECK_OK;
	case SYSRING_CLASS_ALU_K:
		return sysring_check_alu_k(insn);
	case SYSRING_CLASS_JA:
	case SYSRING_CLASS_JMP_X:
	case SYSRING_CLASS_JMP_K:
		return sysring_check_jump(insns, len, pc, insn->imm);
	case SYSRING_CLASS_LD:
		return insn->mod & ~SYSRING_MEM_MASK ? SYSRING_CHECK_BAD_MOD :
						       SYSRING_CHECK_OK;
	case SYSRING_CLASS_ST:
		return insn->mod & ~(SYSRING_MEM_SIZE_MASK | SYSRING_MEM_BE) ?
		       SYSRING_CHECK_BAD_MOD : SYSRING_CHECK_OK;
	case SYSRING_CLASS_SYS:
		return sysring_check_sys(insn);
	case SYSRING_CLASS_FIND:
		/* Both operands are (address, length) register pairs. */
		if (insn->src == SYSRING_NR_REGS - 1 ||
		    insn->mod == SYSRING_NR_REGS - 1)
			return SYSRING_CHECK_BAD_REG;
		return SYSRING_CHECK_OK;
	case SYSRING_CLASS_IO:
		return sysring_check_io(insn);
	}
	return SYSRING_CHECK_OK;
}

int sysring_check(const struct sysring_insn *insns, u32 len, u32 max_len,
		  u32 *bad_pc)
{
	const struct sysring_insn *last;
	u32 pc;
	int ret;

	*bad_pc = 0;
	if (!len)
		return SYSRING_CHECK_EMPTY;
	if (len > max_len)
		return SYSRING_CHECK_TOO_LONG;

	for (pc = 0; pc < len; pc++) {
		ret = sysring_check_insn(insns, len, pc);
		if (ret != SYSRING_CHECK_OK) {
			*bad_pc = pc;
			return ret;
		}
		if (insns[pc].code == SYSRING_OP_LDDW)
			pc++;
	}

	/* Only EXIT and JA end a program without falling off its end. */
	last = &insns[len - 1];
	if (last->code != SYSRING_OP_EXIT && last->code != SYSRING_OP_JA) {
		*bad_pc = len - 1;
		return SYSRING_CHECK_NO_EXIT;
	}
	return SYSRING_CHECK_OK;
}

/* One past the highest register @insn reads or writes. */
static u32 sysring_insn_footprint(const struct sysring_insn *insn)
{
	u32 n = insn->dst + 1;

	switch (sysring_opdefs[insn->code].class) {
	case SYSRING_CLASS_ALU_X:
	case SYSRING_CLASS_JMP_X:
	case SYSRING_CLASS_LD:
	case SYSRING_CLASS_ST:
		return max_t(u32, n, insn->src + 1);
	case SYSRING_CLASS_SYS:
		return max_t(u32, n, insn->src + (insn->mod & SYSRING_SYS_NARGS_MASK));
	case SYSRING_CLASS_COPY:
		return max3(n, insn->src + 1U, insn->mod + 1U);
	case SYSRING_CLASS_FIND:
		return max3(n, insn->src + 2U, insn->mod + 2U);
	case SYSRING_CLASS_IO:
		return max_t(u32, n, insn->src + sysring_io_nregs(insn->code));
	}
	return n;
}

u32 sysring_prog_footprint(const struct sysring_insn *insns, u32 len)
{
	u32 pc, n = 0;

	for (pc = 0; pc < len; pc++)
		n = max(n, sysring_insn_footprint(&insns[pc]));
	return n;
}
