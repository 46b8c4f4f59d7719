/* SPDX-License-Identifier: MIT */
/*
 * Description: sysring-asm (libsysring/asm): every opcode assembles as the
 * builder macros encode it and round-trips through the disassembler, labels
 * resolve forward and backward, every error is reported at its line:col,
 * random text and random binaries never crash it, and an assembled program
 * runs.
 */
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "helpers.h"
#include "vm.h"
#include "asm.h"

static int assemble(const char *text, struct sysring_asm_prog *prog,
		    struct sysring_asm_err *err)
{
	return sysring_asm(text, strlen(text), prog, err);
}

/* The disassembly of @n instructions, malloc'd. */
static char *disasm(const struct sysring_insn *insns, size_t n)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	if (sysring_disasm(f, insns, n)) {
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	return text;
}

/*
 * Disassemble @insns, assemble the text: the same bytes; disassemble
 * again: the same text.
 */
static int roundtrip(const struct sysring_insn *insns, size_t n)
{
	struct sysring_asm_prog prog;
	struct sysring_asm_err err;
	char *text = disasm(insns, n), *again;
	int ret = T_EXIT_FAIL;

	T_CHECK(text);
	if (assemble(text, &prog, &err)) {
		fprintf(stderr, "%u:%u: %s in:\n%s", err.line, err.col,
			err.msg, text);
		free(text);
		return T_EXIT_FAIL;
	}
	again = disasm(prog.insns, prog.len);
	if (prog.len == n &&
	    (!n || !memcmp(prog.insns, insns, n * sizeof(*insns))) &&
	    again && !strcmp(text, again))
		ret = T_EXIT_PASS;
	else
		fprintf(stderr, "round trip differs:\n%s---\n%s", text,
			again ? again : "(null)\n");
	free(again);
	free(text);
	sysring_asm_free(&prog);
	return ret;
}

/* Assembling each line gives what the builder macros give. */
static const struct {
	const char		*src;
	unsigned int		len;
	struct sysring_insn	insns[2];
} encodings[] = {
	{ "exit r0", 1, { SR_EXIT(0) } },
	{ "mov r1, r2", 1, { SR_MOV(1, 2) } },
	{ "mov r10, -100", 1, { SR_MOV_K(10, -100) } },
	{ "add r255, 0x7fffffff", 1, { SR_ADD_K(255, 0x7fffffff) } },
	{ "sub r1, -2147483648", 1, { SR_SUB_K(1, -2147483647 - 1) } },
	{ "arsh r3, r4", 1, { SR_ARSH(3, 4) } },
	{ "xor r3, 0xff", 1, { SR_XOR_K(3, 0xff) } },
	{ "neg r9", 1, { SR_NEG(9) } },
	{ "lddw r1, 0x1122334455667788", 2, { SR_LDDW(1, 0x1122334455667788ULL) } },
	{ "lddw r2, -2", 2, { SR_LDDW(2, -2) } },
	{ "lddw r3, 0xffffffffffffffff", 2, { SR_LDDW(3, ~0ULL) } },
	{ "ja -1", 1, { SR_JA(-1) } },
	{ "ja +0", 1, { SR_JA(0) } },
	{ "jeq r1, 0, +3", 1, { SR_JMP_K(JEQ, 1, 0, 3) } },
	{ "jsgt r1, -128, +2", 1, { SR_JMP_K(JSGT, 1, -128, 2) } },
	{ "jset r1, 127, -2", 1, { SR_JMP_K(JSET, 1, 127, -2) } },
	{ "jle r22, r4, +1", 1, { SR_JMP_X(JLE, 22, 4, 1) } },
	{ "ld.w r1, [r2+8]", 1, { SR_LD(SYSRING_MEM_W, 1, 2, 8) } },
	{ "ld.dw.be.sx r1, [r2]", 1,
	  { SR_LD(SYSRING_MEM_DW | SYSRING_MEM_BE | SYSRING_MEM_SX, 1, 2, 0) } },
	{ "ld.sx.h r1, [ r2 - 0x10 ]", 1,
	  { SR_LD(SYSRING_MEM_H | SYSRING_MEM_SX, 1, 2, -16) } },
	{ "st.b [r1-4], r2", 1, { SR_ST(SYSRING_MEM_B, 1, 2, -4) } },
	{ "st.h.be [r1+0], r2", 1,
	  { SR_ST(SYSRING_MEM_H | SYSRING_MEM_BE, 1, 2, 0) } },
	{ "sys r0, openat, r1, 3", 1, { SR_SYS(0, __NR_openat, 1, 3) } },
	{ "sys.keeperr r6, 5, r20, 2", 1, { SR_SYS_KEEPERR(6, 5, 20, 2) } },
	{ "sys r0, getpid", 1, { SR_SYS(0, __NR_getpid, 0, 0) } },
	{ "sys r0, 39, r0, 0", 1, { SR_SYS(0, 39, 0, 0) } },
	{ "copy r1, r2, r3", 1, { SR_COPY(1, 2, 3) } },
	{ "find r0, r1, r3", 1, { SR_FIND(0, 1, 3) } },
	{ ".insn 0x76, 1, 2, 3, 0xffffffff", 1, { SR_INSN(0x76, 1, 2, 3, -1) } },
	{ "xfer r0, r1", 1, { SR_XFER(0, 1, 0) } },
	{ "xfer.keeperr.splice r0, r253", 1,
	  { SR_XFER(0, 253, SYSRING_IO_KEEPERR | SYSRING_XFER_SPLICE) } },
	{ "readn.keeperr r9, r1", 1, { SR_READN(9, 1, SYSRING_IO_KEEPERR) } },
	{ "writet r0, r1", 1, { SR_WRITET(0, 1, 0) } },
	{ "wait r0, r1, 0x5", 1, { SR_WAIT(0, 1, 5, 0) } },
	{ "wait.keeperr r0, r254, 1", 1,
	  { SR_WAIT(0, 254, 1, SYSRING_IO_KEEPERR) } },
	{ "\tmov\tr1 ,r2\t# a comment", 1, { SR_MOV(1, 2) } },
	{ "x: y:mov r1, r2 ; two labels", 1, { SR_MOV(1, 2) } },
};

static int test_encodings(void)
{
	struct sysring_asm_prog prog;
	struct sysring_asm_err err;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(encodings); i++) {
		if (assemble(encodings[i].src, &prog, &err)) {
			fprintf(stderr, "'%s': %u:%u: %s\n", encodings[i].src,
				err.line, err.col, err.msg);
			return T_EXIT_FAIL;
		}
		T_EQ(prog.len, encodings[i].len);
		if (memcmp(prog.insns, encodings[i].insns,
			   prog.len * sizeof(*prog.insns))) {
			fprintf(stderr, "'%s' encodes wrongly\n", encodings[i].src);
			return T_EXIT_FAIL;
		}
		T_RUN(roundtrip, prog.insns, prog.len);
		sysring_asm_free(&prog);
	}
	return T_EXIT_PASS;
}

/* A valid instruction of opcode @code using every field it has; 0: none. */
static unsigned int sample_insn(u8 code, struct sysring_insn *i)
{
	static const struct sysring_insn by_class[] = {
		[SYSRING_CLASS_EXIT]	= { .dst = 7 },
		[SYSRING_CLASS_LDDW]	= { .dst = 7, .imm = -3 },
		[SYSRING_CLASS_ALU_X]	= { .dst = 7, .src = 9 },
		[SYSRING_CLASS_ALU_K]	= { .dst = 7, .imm = 5 },
		[SYSRING_CLASS_NEG]	= { .dst = 7 },
		[SYSRING_CLASS_JA]	= { .imm = 1 },
		[SYSRING_CLASS_JMP_X]	= { .dst = 7, .src = 9, .imm = 1 },
		[SYSRING_CLASS_JMP_K]	= { .dst = 7, .src = 0xfd, .imm = 1 },
		[SYSRING_CLASS_LD]	= { .dst = 7, .src = 9, .imm = -8,
					    .mod = SYSRING_MEM_W |
						   SYSRING_MEM_BE |
						   SYSRING_MEM_SX },
		[SYSRING_CLASS_ST]	= { .dst = 7, .src = 9, .imm = 8,
					    .mod = SYSRING_MEM_H |
						   SYSRING_MEM_BE },
		[SYSRING_CLASS_SYS]	= { .dst = 7, .src = 9, .imm = __NR_read,
					    .mod = 3 | SYSRING_SYS_KEEPERR },
		[SYSRING_CLASS_COPY]	= { .dst = 7, .src = 9, .mod = 11 },
		[SYSRING_CLASS_FIND]	= { .dst = 7, .src = 9, .mod = 11 },
		[SYSRING_CLASS_IO]	= { .dst = 7, .src = 9,
					    .mod = SYSRING_IO_KEEPERR },
	};
	u8 class = sysring_opdefs[code].class;

	if (class >= ARRAY_SIZE(by_class))
		return 0;
	i[0] = by_class[class];
	i[0].code = code;
	i[1] = (struct sysring_insn){ .imm = 0x12345678 };
	return class == SYSRING_CLASS_LDDW ? 2 : 1;
}

/* Every opcode the checker knows: disassembled by name, round trip. */
static int test_every_opcode(void)
{
	struct sysring_insn prog[4];
	unsigned int code, n, ops = 0;
	char *text, want[32];
	u32 pc;

	for (code = 0; code < 256; code++) {
		if (!sysring_op_valid(code))
			continue;
		n = sample_insn(code, prog);
		T_CHECK(n);
		prog[n++] = (struct sysring_insn)SR_EXIT(0);
		prog[n++] = (struct sysring_insn)SR_EXIT(1);
		T_EQ(sysring_check(prog, n, n, &pc), SYSRING_CHECK_OK);
		text = disasm(prog, n);
		T_CHECK(text);
		snprintf(want, sizeof(want), "\t%s", sysring_opdefs[code].name);
		if (strncmp(text, want, strlen(want)) || strstr(text, ".insn")) {
			fprintf(stderr, "opcode %#x disassembles as:\n%s",
				code, text);
			free(text);
			return T_EXIT_FAIL;
		}
		free(text);
		T_RUN(roundtrip, prog, n);
		ops++;
	}
	T_CHECK(ops >= 55);
	return T_EXIT_PASS;
}

static int test_labels(void)
{
	static const char src[] =
		"start:\n"
		"\tja fwd\t\t; forward: +2\n"
		"back:\tlddw r1, 1\n"
		"fwd: jeq r1, 0, back ; backward over lddw: -3\n"
		"\tjne r1, r2, end\n"
		"\tja start\n"
		"\texit r0\n"
		"end:\n";
	static const s32 imms[] = { 2, 1, 0, -3, 2, -6, 0 };
	struct sysring_asm_prog prog;
	struct sysring_asm_err err;
	size_t i;

	T_EQ(assemble(src, &prog, &err), 0);
	T_EQ(prog.len, ARRAY_SIZE(imms));
	for (i = 0; i < prog.len; i++)
		T_EQ(prog.insns[i].imm, imms[i]);
	T_EQ(prog.lines[3], 4);
	T_RUN(roundtrip, prog.insns, prog.len);
	sysring_asm_free(&prog);
	return T_EXIT_PASS;
}

/* Each error, where it is reported and what it says. */
static const struct {
	const char	*src;
	unsigned int	line;
	unsigned int	col;
	const char	*msg;
} errors[] = {
	{ "exit r0\n  foo r1", 2, 3, "unknown instruction 'foo'" },
	{ "mov r1", 1, 7, "expected ','" },
	{ "mov r1,", 1, 8, "expected a register or a number at end of line" },
	{ "mov r1, r2, r3", 1, 11, "unexpected ','" },
	{ "mov r1, lbl", 1, 9, "expected a register or a number, got 'lbl'" },
	{ "exit 5", 1, 6, "expected a register, got '5'" },
	{ "mov r256, 1", 1, 5, "register 'r256' out of range" },
	{ "mov r1, 0x80000000", 1, 9, "immediate 2147483648 out of range" },
	{ "add r1, -2147483649", 1, 9, "out of range (-2147483648..2147483647)" },
	{ "mov r1, 12abc", 1, 9, "invalid number '12abc'" },
	{ "mov r1, 0x", 1, 9, "invalid number '0x'" },
	{ "mov r1, 18446744073709551616", 1, 9, "is too large" },
	{ "lddw r1, -9223372036854775809", 1, 10, "out of range for lddw" },
	{ "jeq r1, 128, +1", 1, 9, "compare immediate 128 out of range (-128..127)" },
	{ "jeq r1, -129, +1", 1, 9, "compare immediate -129 out of range" },
	{ "ja 3", 1, 4, "jump offset needs a sign" },
	{ "ja +2147483648", 1, 4, "jump offset 2147483648 out of range" },
	{ "exit r0\n\tjne r1, r2, nowhere", 2, 14, "undefined label 'nowhere'" },
	{ "a: exit r0\n a: exit r0", 2, 2, "label 'a' already defined on line 1" },
	{ "r7: exit r0", 1, 1, "label 'r7' is a register name" },
	{ "ld r1, [r2]", 1, 3, "'ld' needs a size" },
	{ "ld.w.be.w r1, [r2]", 1, 8, "duplicate modifier '.w'" },
	{ "st.b.dw [r1], r2", 1, 5, "more than one size modifier" },
	{ "st.w.sx [r1], r2", 1, 5, "unknown modifier '.sx' for 'st'" },
	{ "exit.keeperr r0", 1, 5, "unknown modifier '.keeperr' for 'exit'" },
	{ "ld.w r1, r2", 1, 10, "expected '[', got 'r2'" },
	{ "ld.w r1, [r2+]", 1, 14, "expected a displacement, got ']'" },
	{ "ld.w r1, [r2 8]", 1, 14, "expected ']', got '8'" },
	{ "st.w [r1+0x80000000], r2", 1, 9, "displacement 2147483648 out of range" },
	{ "sys r0, fork", 1, 9, "unknown system call 'fork'" },
	{ "sys r0, read, r1, 7", 1, 19, "argument count 7 out of range (0..6)" },
	{ "sys r0, read, r1", 1, 17, "expected ','" },
	{ ".insn 256, 0, 0, 0, 0", 1, 7, "code 256 out of range (0..255)" },
	{ ".insn 1, 0, 0, 0, 0x100000000", 1, 19, "imm 4294967296 out of range" },
	{ "\n\n  mov r1, @", 3, 11, "unexpected character '@'" },
	{ "mov r1,\x01 2", 1, 8, "unexpected byte 0x01" },
	{ "mov r1, \xff", 1, 9, "unexpected byte 0xff" },
	{ ", exit r0", 1, 1, "expected an instruction or a label, got ','" },
};

static int test_errors(void)
{
	struct sysring_asm_prog prog;
	struct sysring_asm_err err;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errors); i++) {
		if (!assemble(errors[i].src, &prog, &err)) {
			fprintf(stderr, "'%s' assembled\n", errors[i].src);
			return T_EXIT_FAIL;
		}
		if (err.line != errors[i].line || err.col != errors[i].col ||
		    !strstr(err.msg, errors[i].msg)) {
			fprintf(stderr, "'%s': got %u:%u: %s, want %u:%u: %s\n",
				errors[i].src, err.line, err.col, err.msg,
				errors[i].line, errors[i].col, errors[i].msg);
			return T_EXIT_FAIL;
		}
		T_CHECK(!prog.insns && !prog.len);
	}
	return T_EXIT_PASS;
}

/* The name table and the kernel's allow-list agree. */
static int test_syscall_names(void)
{
	const char *name;
	int nr;

	for (nr = 0; nr < SYSRING_PROBE_SYSCALLS; nr++) {
		name = sysring_asm_sysname(nr);
		T_EQ(!!name, sysring_syscall_allowed(nr));
		if (name)
			T_EQ(sysring_asm_sysnr(name, strlen(name)), nr);
	}
	return T_EXIT_PASS;
}

static unsigned long long rnd_state = 0x9e3779b97f4a7c15ULL;

static unsigned int rnd(unsigned int n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % n;
}

/* Assembling @text must not crash; if it succeeds, it must round-trip. */
static int try_text(const char *text, size_t len)
{
	struct sysring_asm_prog prog;
	struct sysring_asm_err err;
	int ret = T_EXIT_PASS;

	if (!sysring_asm(text, len, &prog, &err)) {
		ret = roundtrip(prog.insns, prog.len);
		sysring_asm_free(&prog);
	} else {
		T_CHECK(err.line >= 1 && err.col >= 1 && err.msg[0]);
	}
	return ret;
}

/* A smoke test of hostile input; fuzz/ does the long runs. */
static int test_random_bytes(void)
{
	char buf[96];
	unsigned int iter, i, len;

	for (iter = 0; iter < 2000; iter++) {
		len = rnd(sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = rnd(4) ? " \n,[]+-:;#.rx0123abw"[rnd(20)] :
					  (char)rnd(256);
		T_RUN(try_text, buf, len);
	}
	return T_EXIT_PASS;
}

/* Sentences of real tokens reach deeper into the parser. */
static int test_random_tokens(void)
{
	static const char *const toks[] = {
		"mov", "add", "lsh", "neg", "exit", "lddw", "ja", "jeq",
		"jsle", "ld.w", "ld.dw.be.sx", "st.b", "st.h.be", "sys",
		"sys.keeperr", "copy", "find", "xfer.splice", "readn",
		"writet", "wait.keeperr", ".insn", "r0", "r1", "r255",
		"r256", ",", ",", ",", "[", "]", "+", "-", "0", "1", "-1",
		"127", "128", "0x7fffffff", "0xffffffffffffffff", "openat",
		"read", "6", "7", "lbl", "lbl:", "top:", "top", "\n", "\n",
		";c", "#c", "\t",
	};
	char buf[512];
	unsigned int iter, n, len;
	const char *t;

	for (iter = 0; iter < 5000; iter++) {
		len = 0;
		for (n = rnd(24); n--; ) {
			t = toks[rnd(ARRAY_SIZE(toks))];
			len += snprintf(buf + len, sizeof(buf) - len, "%s ", t);
		}
		T_RUN(try_text, buf, len);
	}
	return T_EXIT_PASS;
}

/* Any binary disassembles to text that assembles to the same bytes. */
static int test_random_binary(void)
{
	struct sysring_insn insns[16];
	unsigned int iter, i, n;

	for (iter = 0; iter < 2000; iter++) {
		n = rnd(ARRAY_SIZE(insns) + 1);
		for (i = 0; i < n; i++) {
			insns[i] = (struct sysring_insn){
				.code = rnd(2) ? rnd(256) : rnd(0x80),
				.dst = rnd(256),
				.src = rnd(2) ? rnd(256) : 0,
				.mod = rnd(2) ? rnd(256) : rnd(8),
				.imm = rnd(2) ? (s32)rnd_state : (s32)rnd(9) - 4,
			};
		}
		T_RUN(roundtrip, insns, n);
	}
	return T_EXIT_PASS;
}

/* The sum loop: assembled, checked and run on a ring. */
static int test_run(void)
{
	static const char src[] =
		"\tmov r0, 0\n"
		"loop:\tadd r0, r1\n"
		"\tsub r1, 1\n"
		"\tjne r1, 0, loop\n"
		"\texit r0\n";
	struct sysring_asm_prog prog;
	struct sysring_asm_err err;
	const __u64 n = 10;
	struct sysring ring;
	struct t_cqe c;
	u32 pc;
	int ret;

	T_EQ(assemble(src, &prog, &err), 0);
	T_EQ(sysring_check(prog.insns, prog.len, SYSRING_SQE_INSNS, &pc),
	     SYSRING_CHECK_OK);
	ret = sysring_queue_init(4, &ring, 0);
	if (ret < 0) {
		printf("no sysring (%s): not running the program\n",
		       strerror(-ret));
		sysring_asm_free(&prog);
		return T_EXIT_PASS;
	}
	ret = t_run_insns(&ring, prog.insns, prog.len, 1, &n, 1, &c);
	sysring_asm_free(&prog);
	sysring_queue_exit(&ring);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, 55);
	return T_EXIT_PASS;
}

int main(void)
{
	T_RUN(test_encodings);
	T_RUN(test_every_opcode);
	T_RUN(test_labels);
	T_RUN(test_errors);
	T_RUN(test_syscall_names);
	T_RUN(test_random_bytes);
	T_RUN(test_random_tokens);
	T_RUN(test_random_binary);
	T_RUN(test_run);
	return T_EXIT_PASS;
}
