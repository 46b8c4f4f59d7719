// SPDX-License-Identifier: GPL-2.0
/* The structure-aware program generator: see gen.h. */
#include "gen.h"

static const u8 alu_x[] = {
	SYSRING_OP_MOV_X, SYSRING_OP_ADD_X, SYSRING_OP_SUB_X, SYSRING_OP_MUL_X,
	SYSRING_OP_DIV_X, SYSRING_OP_MOD_X, SYSRING_OP_AND_X, SYSRING_OP_OR_X,
	SYSRING_OP_XOR_X, SYSRING_OP_LSH_X, SYSRING_OP_RSH_X, SYSRING_OP_ARSH_X,
};

static const u8 alu_k[] = {
	SYSRING_OP_MOV_K, SYSRING_OP_ADD_K, SYSRING_OP_SUB_K, SYSRING_OP_MUL_K,
	SYSRING_OP_DIV_K, SYSRING_OP_MOD_K, SYSRING_OP_AND_K, SYSRING_OP_OR_K,
	SYSRING_OP_XOR_K, SYSRING_OP_LSH_K, SYSRING_OP_RSH_K, SYSRING_OP_ARSH_K,
};

static const u8 jmp_x[] = {
	SYSRING_OP_JEQ_X, SYSRING_OP_JNE_X, SYSRING_OP_JGT_X, SYSRING_OP_JGE_X,
	SYSRING_OP_JLT_X, SYSRING_OP_JLE_X, SYSRING_OP_JSGT_X, SYSRING_OP_JSGE_X,
	SYSRING_OP_JSLT_X, SYSRING_OP_JSLE_X, SYSRING_OP_JSET_X,
};

static const u8 jmp_k[] = {
	SYSRING_OP_JEQ_K, SYSRING_OP_JNE_K, SYSRING_OP_JGT_K, SYSRING_OP_JGE_K,
	SYSRING_OP_JLT_K, SYSRING_OP_JLE_K, SYSRING_OP_JSGT_K, SYSRING_OP_JSGE_K,
	SYSRING_OP_JSLT_K, SYSRING_OP_JSLE_K, SYSRING_OP_JSET_K,
};

static const s32 imms[] = {
	0, 1, -1, 2, 7, 8, 63, 64, 255, 256, 4096, 65535, 65536,
	0x7fffffff, -0x7fffffff - 1, 0x10000000, -8, -4096,
};

static const u64 lens[] = {
	0, 1, 2, 7, 8, 255, 256, 257, 511, 512, 513, 1024, 4096,
	FUZZ_MEM_SIZE - 1, FUZZ_MEM_SIZE, FUZZ_MEM_SIZE + 1,
	SYSRING_COPY_MAX - 1, SYSRING_COPY_MAX, SYSRING_COPY_MAX + 1,
	SYSRING_XFER_MAX, SYSRING_XFER_MAX + 1, SYSRING_TIMEOUT_MAX_NS,
	SYSRING_TIMEOUT_MAX_NS + 1, 0x7fffffff, 0x80000000,
	(u64)-1, 1ULL << 32, 1ULL << 63,
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static u32 nr_allowed;
static u16 allowed[SYSRING_PROBE_SYSCALLS];

static void gen_init(void)
{
	u32 nr;

	if (nr_allowed)
		return;
	for (nr = 0; nr < SYSRING_PROBE_SYSCALLS; nr++)
		if (sysring_syscall_allowed(nr))
			allowed[nr_allowed++] = nr;
	FUZZ_ASSERT(nr_allowed);
}

/* Mostly the 16 pair registers, sometimes the top of the file. */
static u8 gen_reg(struct fz *f)
{
	u8 b = fz_u8(f);

	if (b < 224)
		return b % 16;
	if (b < 248)
		return 248 + b % 8;
	return b;
}

static s32 gen_imm(struct fz *f)
{
	u8 b = fz_u8(f);

	if (b < 160)
		return imms[b % ARRAY_LEN(imms)];
	if (b < 224)
		return (s32)(fz_u8(f) % 64);
	return (s32)fz_u32(f);
}

u64 gen_addr(struct fz *f)
{
	u8 b = fz_u8(f);

	switch (b % 12) {
	case 0:
		return FUZZ_MEM_BASE;
	case 1:
		return FUZZ_MEM_BASE + FUZZ_MEM_SIZE - 1 - fz_u8(f) % 16;
	case 2:
		return FUZZ_MEM_BASE + FUZZ_MEM_SIZE - fz_u16(f) % 1024;
	case 3:
		return FUZZ_MEM_BASE + FUZZ_MEM_SIZE;
	case 4:
		return FUZZ_MEM_BASE - 1 - fz_u8(f) % 8;
	case 5:
		return (u64)-1 - fz_u8(f) % 16;
	case 6:
		return fz_u8(f) % 16;
	case 7:
		return fz_u64(f);
	default:
		return FUZZ_MEM_BASE + fz_u16(f) % FUZZ_MEM_SIZE;
	}
}

u64 gen_len(struct fz *f)
{
	u8 b = fz_u8(f);

	if (b < 200)
		return lens[b % ARRAY_LEN(lens)];
	if (b < 240)
		return fz_u16(f) % 1100;
	return fz_u64(f);
}

void gen_regs(struct fz *f, u64 *regs, u32 nregs)
{
	u32 i;

	for (i = 0; i < 16 && i < nregs; i += 2) {
		regs[i] = gen_addr(f);
		if (i + 1 < nregs)
			regs[i + 1] = gen_len(f);
	}
	for (i = 248; i < nregs; i++)
		regs[i] = fz_u8(f) & 1 ? gen_addr(f) : gen_len(f);
}

/* A jump from @pc to an instruction start (mostly), so it is taken. */
static s32 gen_jump(struct fz *f, const bool *tail, u32 pc, u32 len)
{
	u8 b = fz_u8(f);
	u32 target;
	int tries;

	if (b >= 250)
		return gen_imm(f);		/* anything, usually bad */
	for (tries = 0; tries < 4; tries++) {
		/* Prefer short hops, backward ones make loops. */
		if (b & 1)
			target = fz_below(f, len);
		else
			target = (u32)((s64)pc + 1 + (s8)fz_u8(f) % 8 + len) % len;
		if (!tail[target] || b == 249)
			break;
	}
	return (s32)((s64)target - pc - 1);
}

static void gen_mem(struct fz *f, struct sysring_insn *insn, bool ld)
{
	u8 b = fz_u8(f);

	insn->code = ld ? SYSRING_OP_LD : SYSRING_OP_ST;
	insn->dst = gen_reg(f);
	insn->src = gen_reg(f);
	insn->mod = b & (ld ? SYSRING_MEM_MASK :
			      SYSRING_MEM_SIZE_MASK | SYSRING_MEM_BE);
	if (b >= 252)
		insn->mod = fz_u8(f);		/* maybe bad bits */
	b = fz_u8(f);
	insn->imm = b < 128 ? 0 : b < 192 ? (s32)(s8)fz_u8(f) : gen_imm(f);
}

static void gen_sys(struct fz *f, struct sysring_insn *insn)
{
	u8 b = fz_u8(f);
	u32 nargs = b % 7;

	insn->code = SYSRING_OP_SYS;
	insn->dst = gen_reg(f);
	insn->src = nargs ? gen_reg(f) : 0;
	if (nargs && insn->src + nargs > SYSRING_NR_REGS && b < 200)
		insn->src = SYSRING_NR_REGS - nargs;
	insn->mod = nargs | (b & 0x80 ? SYSRING_SYS_KEEPERR : 0);
	insn->imm = allowed[fz_below(f, nr_allowed)];
	if (fz_u8(f) >= 250)
		insn->imm = (s32)fz_u16(f);	/* probably not allowed */
}

/* XFER, READN, WRITET or WAIT; now and then a window or a bit out of range. */
static void gen_io(struct fz *f, struct sysring_insn *insn)
{
	static const u8 ops[] = {
		SYSRING_OP_XFER, SYSRING_OP_READN, SYSRING_OP_WRITET,
		SYSRING_OP_WAIT,
	};
	u8 b = fz_u8(f);
	u32 nregs;

	insn->code = ops[b & 3];
	nregs = sysring_io_nregs(insn->code);
	insn->dst = gen_reg(f);
	insn->src = gen_reg(f);
	if (insn->src + nregs > SYSRING_NR_REGS && b < 200)
		insn->src = SYSRING_NR_REGS - nregs;
	insn->mod = b & 0x80 ? SYSRING_IO_KEEPERR : 0;
	if (insn->code == SYSRING_OP_XFER && (b & 0x40))
		insn->mod |= SYSRING_XFER_SPLICE;
	if (insn->code == SYSRING_OP_WAIT)
		insn->imm = fz_u16(f) & SYSRING_WAIT_EVENTS;
	if (b >= 252)
		insn->imm = (s32)fz_u16(f);	/* probably reserved bits */
}

/* One instruction (or an LDDW pair) at @pc; returns slots used. */
static u32 gen_insn(struct fz *f, struct sysring_insn *out, u32 pc, u32 max)
{
	struct sysring_insn *insn = &out[pc];
	u8 kind = fz_u8(f);
	u64 v;

	memset(insn, 0, sizeof(*insn));
	switch (kind % 18) {
	case 0:
	case 1:
		insn->code = alu_x[fz_below(f, ARRAY_LEN(alu_x))];
		insn->dst = gen_reg(f);
		insn->src = gen_reg(f);
		break;
	case 2:
	case 3:
		insn->code = alu_k[fz_below(f, ARRAY_LEN(alu_k))];
		insn->dst = gen_reg(f);
		insn->imm = gen_imm(f);
		break;
	case 4:
		insn->code = SYSRING_OP_NEG;
		insn->dst = gen_reg(f);
		break;
	case 5:
		if (pc + 1 >= max || kind >= 250)
			goto exit;
		v = fz_u8(f) & 1 ? gen_addr(f) : gen_len(f);
		insn->code = SYSRING_OP_LDDW;
		insn->dst = gen_reg(f);
		insn->imm = (s32)(u32)v;
		memset(&out[pc + 1], 0, sizeof(*insn));
		out[pc + 1].imm = (s32)(u32)(v >> 32);
		return 2;
	case 6:
	case 7:
		insn->code = jmp_x[fz_below(f, ARRAY_LEN(jmp_x))];
		insn->dst = gen_reg(f);
		insn->src = gen_reg(f);
		break;		/* imm: the jump pass */
	case 8:
		insn->code = jmp_k[fz_below(f, ARRAY_LEN(jmp_k))];
		insn->dst = gen_reg(f);
		insn->src = fz_u8(f);
		break;
	case 9:
		insn->code = SYSRING_OP_JA;
		break;
	case 10:
	case 11:
		gen_mem(f, insn, kind & 1);
		break;
	case 12:
		gen_sys(f, insn);
		break;
	case 13:
		insn->code = SYSRING_OP_COPY;
		insn->dst = gen_reg(f);
		insn->src = gen_reg(f);
		insn->mod = gen_reg(f) | 1;	/* a length register */
		break;
	case 14:
		insn->code = SYSRING_OP_FIND;
		insn->dst = gen_reg(f);
		insn->src = gen_reg(f) & ~1;	/* (address, length) pairs */
		insn->mod = gen_reg(f) & ~1;
		if (kind >= 240)
			insn->mod = 255;		/* BAD_REG */
		break;
	case 15:
		gen_io(f, insn);
		break;
	default:
	exit:
		insn->code = SYSRING_OP_EXIT;
		insn->dst = gen_reg(f);
		break;
	}
	/* Now and then a stray field or a raw instruction. */
	if (kind == 0xff)
		memcpy(insn, (u64[]){ fz_u64(f) }, sizeof(*insn));
	else if (kind == 0xfe)
		insn->mod |= fz_u8(f);
	return 1;
}

static bool gen_is_jump(u8 code)
{
	u8 class = sysring_opdefs[code].class;

	return class == SYSRING_CLASS_JA || class == SYSRING_CLASS_JMP_X ||
	       class == SYSRING_CLASS_JMP_K;
}

u32 gen_program(struct fz *f, struct sysring_insn *out, u32 max)
{
	bool tail[SYSRING_MAX_PROG_INSNS] = { false };
	u8 b = fz_u8(f);
	u32 len, pc;

	gen_init();
	if (max > SYSRING_MAX_PROG_INSNS)
		max = SYSRING_MAX_PROG_INSNS;
	len = b < 224 ? 1 + b % 24 : b < 252 ? 1 + fz_u8(f) : 1 + fz_u16(f);
	if (len > max)
		len = max;

	/* Pass 1: instructions, the last slot kept for the end. */
	for (pc = 0; pc + 1 < len;) {
		u32 n = gen_insn(f, out, pc, len - 1);

		if (n == 2)
			tail[pc + 1] = true;
		pc += n;
	}
	memset(&out[len - 1], 0, sizeof(out[0]));
	b = fz_u8(f);
	out[len - 1].code = b < 200 ? SYSRING_OP_EXIT : b < 252 ?
			    SYSRING_OP_JA : alu_k[b % ARRAY_LEN(alu_k)];
	out[len - 1].dst = out[len - 1].code == SYSRING_OP_JA ? 0 : gen_reg(f);

	/* Pass 2: jump targets, now that the LDDW tails are known. */
	for (pc = 0; pc < len; pc++) {
		if (tail[pc] || !gen_is_jump(out[pc].code))
			continue;
		out[pc].imm = gen_jump(f, tail, pc, len);
	}
	return len;
}
