/* SPDX-License-Identifier: MIT */
/* Description: every ALU and jump opcode run as a block through the library, checked against C */
#include <string.h>

#include "helpers.h"

/* r1 OP= r2 (or imm); EXIT r1.  A and B are what r1 and r2 start with. */
struct alu_case {
	const char		*name;
	struct sysring_insn	insn;
	__u64			a, b, want;
};

#define X(OP, a, b, want)	{ #OP "_X", SR_ALU_X(OP, 1, 2), a, b, want }
#define K(OP, a, imm, want)	{ #OP "_K", SR_ALU_K(OP, 1, imm), a, 0, want }

static const struct alu_case alu_cases[] = {
	X(ADD, 40, 2, 42),
	K(ADD, 40, -2, 38),
	X(SUB, 2, 5, (__u64)-3),
	K(SUB, 2, 5, (__u64)-3),
	X(MUL, 6, 7, 42),
	K(MUL, 6, -7, (__u64)-42),
	X(DIV, 85, 2, 42),
	K(DIV, 85, 2, 42),
	X(MOD, 85, 43, 42),
	K(MOD, 85, 43, 42),
	X(AND, 0xff0f, 0x0ff0, 0x0f00),
	K(AND, 0xffffffffffffffffULL, -16, 0xfffffffffffffff0ULL),
	X(OR, 0xf0, 0x0f, 0xff),
	K(OR, 0xf0, 0x0f, 0xff),
	X(XOR, 0xff, 0x0f, 0xf0),
	K(XOR, 0xff, 0x0f, 0xf0),
	X(LSH, 1, 65, 2),			/* register shifts use 6 bits */
	K(LSH, 1, 63, 0x8000000000000000ULL),
	X(RSH, 0x8000000000000000ULL, 63, 1),
	K(RSH, 0x8000000000000000ULL, 63, 1),
	X(ARSH, 0x8000000000000000ULL, 63, (__u64)-1),
	K(ARSH, (__u64)-64, 4, (__u64)-4),
	X(MOV, 1, 42, 42),
	K(MOV, 1, -1, (__u64)-1),
	{ "NEG", SR_NEG(1), 42, 0, (__u64)-42 },
};

/* if (r1 OP r2 / imm8) r0 = 1 else r0 = 0; EXIT r0. */
struct jmp_case {
	const char		*name;
	struct sysring_insn	insn;
	__u64			a, b;
	int			taken;
};

#define JX(OP, a, b, t)	{ #OP "_X", SR_JMP_X(OP, 1, 2, 2), a, b, t }
#define JK(OP, a, k, t)	{ #OP "_K", SR_JMP_K(OP, 1, k, 2), a, 0, t }

static const struct jmp_case jmp_cases[] = {
	JX(JEQ, 5, 5, 1), JK(JEQ, (__u64)-1, -1, 1), JX(JEQ, 5, 6, 0),
	JX(JNE, 5, 6, 1), JK(JNE, 5, 5, 0),
	JX(JGT, (__u64)-1, 1, 1), JK(JGT, 1, -1, 0),	/* unsigned */
	JX(JGE, 5, 5, 1), JK(JGE, 4, 5, 0),
	JX(JLT, 1, (__u64)-1, 1), JK(JLT, 5, 5, 0),
	JX(JLE, 5, 5, 1), JK(JLE, 6, 5, 0),
	JX(JSGT, 1, (__u64)-1, 1), JK(JSGT, (__u64)-2, -1, 0),	/* signed */
	JX(JSGE, (__u64)-1, (__u64)-1, 1), JK(JSGE, (__u64)-2, -1, 0),
	JX(JSLT, (__u64)-1, 1, 1), JK(JSLT, 0, -1, 0),
	JX(JSLE, (__u64)-5, (__u64)-5, 1), JK(JSLE, 1, 0, 0),
	JX(JSET, 6, 2, 1), JK(JSET, 6, 1, 0),
	{ "JA", SR_JA(2), 0, 0, 1 },
};

static int run_alu(struct sysring *ring, const struct alu_case *c)
{
	const struct sysring_insn insns[2] = { c->insn, SR_EXIT(1) };
	const __u64 regs[2] = { c->a, c->b };
	struct t_cqe out;
	int ret;

	ret = t_run_insns(ring, insns, 2, 1, regs, 2, &out);
	if (ret)
		return ret;
	if (out.status != SYSRING_STATUS_EXIT || (__u64)out.res != c->want) {
		fprintf(stderr, "%s: status %u res %#llx, expected %#llx\n",
			c->name, out.status, (unsigned long long)out.res,
			(unsigned long long)c->want);
		return T_EXIT_FAIL;
	}
	return T_EXIT_PASS;
}

static int run_jmp(struct sysring *ring, const struct jmp_case *c)
{
	const struct sysring_insn insns[5] = {
		c->insn,
		SR_MOV_K(0, 0),		/* not taken */
		SR_JA(1),
		SR_MOV_K(0, 1),		/* taken: the jump lands here */
		SR_EXIT(0),
	};
	const __u64 regs[2] = { c->a, c->b };
	struct t_cqe out;
	int ret;

	ret = t_run_insns(ring, insns, 5, 1, regs, 2, &out);
	if (ret)
		return ret;
	if (out.status != SYSRING_STATUS_EXIT || out.res != c->taken) {
		fprintf(stderr, "%s: status %u res %lld, expected taken=%d\n",
			c->name, out.status, (long long)out.res, c->taken);
		return T_EXIT_FAIL;
	}
	return T_EXIT_PASS;
}

/* Every opcode the probe reports is exercised here or in another test. */
static int check_coverage(struct sysring *ring)
{
	static const __u8 elsewhere[] = {
		SYSRING_OP_EXIT, SYSRING_OP_LDDW, SYSRING_OP_LD, SYSRING_OP_ST,
		SYSRING_OP_SYS, SYSRING_OP_COPY, SYSRING_OP_FIND,
		/* smart-ops.c */
		SYSRING_OP_XFER, SYSRING_OP_READN, SYSRING_OP_WRITET,
		SYSRING_OP_WAIT,
	};
	struct sysring_probe p;
	unsigned int op, i;
	int seen;

	T_EQ(sysring_probe(ring, &p), 0);
	for (op = 0; op < 256; op++) {
		if (!sysring_opcode_supported(&p, op))
			continue;
		seen = 0;
		for (i = 0; i < ARRAY_SIZE(alu_cases); i++)
			seen |= alu_cases[i].insn.code == op;
		for (i = 0; i < ARRAY_SIZE(jmp_cases); i++)
			seen |= jmp_cases[i].insn.code == op;
		for (i = 0; i < ARRAY_SIZE(elsewhere); i++)
			seen |= elsewhere[i] == op;
		if (!seen) {
			fprintf(stderr, "opcode %#x is not exercised\n", op);
			return T_EXIT_FAIL;
		}
	}
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;
	unsigned int i;

	t_ring_init(&ring, 8, NULL);
	for (i = 0; i < ARRAY_SIZE(alu_cases); i++)
		T_RUN(run_alu, &ring, &alu_cases[i]);
	for (i = 0; i < ARRAY_SIZE(jmp_cases); i++)
		T_RUN(run_jmp, &ring, &jmp_cases[i]);
	T_RUN(check_coverage, &ring);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
