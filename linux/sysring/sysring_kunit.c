// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for sysring: the checker, the interpreter, the SYS
 * instruction and the ring set-up, submission and register paths.
 *
 * User memory comes from kunit_vm_mmap(), which gives the test kthread an
 * mm of its own, so LD, ST, COPY, FIND and the system calls see ordinary
 * user addresses.
 *
 * Run with: ./tools/testing/kunit/kunit.py run --kunitconfig=sysring
 */
#include <kunit/test.h>
#include <linux/args.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/mman.h>
#include <linux/mm.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/time64.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/syscall.h>

#include "core.h"

/* An instruction as a compound literal, like BPF_ALU64_REG() and friends. */
#define SR_RAW(c, d, s, m, i)						\
	((struct sysring_insn){ .code = (c), .dst = (d), .src = (s),	\
				.mod = (m), .imm = (i) })
#define SR(op, d, s, m, i)	SR_RAW(SYSRING_OP_##op, d, s, m, i)
#define SR_EXIT(d)		SR(EXIT, d, 0, 0, 0)
#define SR_MOVK(d, i)		SR(MOV_K, d, 0, 0, i)
/* LDDW takes two slots: the low and the high half of the constant. */
#define SR_LDDW_LO(d, v)	SR(LDDW, d, 0, 0, (s32)lower_32_bits(v))
#define SR_LDDW_HI(v)		SR_RAW(0, 0, 0, 0, (s32)upper_32_bits(v))

#define SR_NINSNS(...)		COUNT_ARGS(__VA_ARGS__)

#define SR_PROG_MAX	16

static const char *sysring_reason_name(int reason)
{
	if (reason < 0 || reason >= __SYSRING_CHECK_MAX ||
	    !sysring_check_reasons[reason])
		return "(unknown reason)";
	return sysring_check_reasons[reason];
}

static struct sysring_vm *sysring_test_vm(struct kunit *test)
{
	struct sysring_vm *vm = kunit_kzalloc(test, sizeof(*vm), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vm);
	return vm;
}

/* Check @insns, which must be accepted, and run it. */
static void sysring_test_run(struct kunit *test, struct sysring_vm *vm,
			     const struct sysring_insn *insns, u32 len,
			     u32 budget)
{
	u32 pc = ~0U;
	int reason = sysring_check(insns, len, SYSRING_MAX_PROG_INSNS, &pc);

	KUNIT_ASSERT_EQ_MSG(test, reason, SYSRING_CHECK_OK,
			    "checker rejected the test program at pc %u: %s",
			    pc, sysring_reason_name(reason));
	sysring_vm_run(vm, insns, budget);
}

static void sysring_expect_stop(struct kunit *test,
				const struct sysring_vm *vm, u8 status,
				s64 res, u16 pc, u32 executed)
{
	KUNIT_EXPECT_EQ_MSG(test, vm->status, status,
			    "status (res %lld, pc %u)", vm->res, vm->pc);
	KUNIT_EXPECT_EQ_MSG(test, vm->res, res, "res (status %u, pc %u)",
			    vm->status, vm->pc);
	KUNIT_EXPECT_EQ_MSG(test, vm->pc, pc, "pc where the block stopped");
	KUNIT_EXPECT_EQ_MSG(test, vm->executed, executed,
			    "instructions executed");
}

/* Anonymous user memory in the test's own mm. */
static u64 sysring_test_umem(struct kunit *test, size_t len,
			     unsigned long prot)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, len, prot,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0, "kunit_vm_mmap() failed");
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr),
			       "kunit_vm_mmap() failed: %ld", (long)addr);
	return addr;
}

static u64 sysring_test_urw(struct kunit *test, size_t len)
{
	return sysring_test_umem(test, len, PROT_READ | PROT_WRITE);
}

static void sysring_test_put(struct kunit *test, u64 uaddr, const void *src,
			     size_t len)
{
	KUNIT_ASSERT_EQ_MSG(test, copy_to_user(u64_to_user_ptr(uaddr), src, len),
			    0, "copy_to_user(%#llx, %zu)", uaddr, len);
}

static void sysring_test_get(struct kunit *test, void *dst, u64 uaddr,
			     size_t len)
{
	KUNIT_ASSERT_EQ_MSG(test,
			    copy_from_user(dst, u64_to_user_ptr(uaddr), len),
			    0, "copy_from_user(%#llx, %zu)", uaddr, len);
}

/*
 * Make a fatal signal pending on the test kthread, as for a task being
 * killed in the middle of sysring_enter(), and take it back.
 */
static void sysring_test_kill_self(struct kunit *test)
{
	allow_signal(SIGKILL);
	send_sig(SIGKILL, current, 1);
	KUNIT_ASSERT_TRUE_MSG(test, fatal_signal_pending(current),
			      "SIGKILL is not pending");
}

static void sysring_test_unkill(void)
{
	flush_signals(current);
	disallow_signal(SIGKILL);
}

/* ------------------------------------------------------------------ */
/* sysring_check: one case per rejection reason, and accepted programs */

struct sysring_check_case {
	const char *desc;
	struct sysring_insn insns[SR_PROG_MAX];
	u32 len;
	u32 max_len;	/* 0: SYSRING_MAX_PROG_INSNS */
	int reason;
	u32 pc;
};

#define CHECK_CASE(_desc, _reason, _pc, ...) {				\
	.desc = _desc, .reason = SYSRING_CHECK_##_reason, .pc = _pc,	\
	.insns = { __VA_ARGS__ }, .len = SR_NINSNS(__VA_ARGS__),	\
}

#define SR_SYS(d, s, m, nr)	SR(SYS, d, s, m, __NR_##nr)

static const struct sysring_check_case sysring_check_cases[] = {
	{ .desc = "empty", .len = 0, .reason = SYSRING_CHECK_EMPTY },
	{
		.desc = "too long",
		.insns = { SR_EXIT(0), SR_EXIT(0), SR_EXIT(0) },
		.len = 3, .max_len = 2, .reason = SYSRING_CHECK_TOO_LONG,
	},
	{
		.desc = "too long for an SQE",
		.len = SYSRING_SQE_INSNS + 1, .max_len = SYSRING_SQE_INSNS,
		.reason = SYSRING_CHECK_TOO_LONG,
	},
	CHECK_CASE("opcode 0", BAD_OPCODE, 0, SR_RAW(0, 0, 0, 0, 0), SR_EXIT(0)),
	CHECK_CASE("gap opcode 0x76", BAD_OPCODE, 1,
		   SR_MOVK(0, 1), SR_RAW(0x76, 0, 0, 0, 0), SR_EXIT(0)),
	CHECK_CASE("gap opcode 0x7f", BAD_OPCODE, 0,
		   SR_RAW(0x7f, 0, 0, 0, 0), SR_EXIT(0)),
	CHECK_CASE("gap opcode 0x02", BAD_OPCODE, 0,
		   SR_RAW(0x02, 0, 0, 0, 0), SR_EXIT(0)),
	CHECK_CASE("opcode 0xff", BAD_OPCODE, 2,
		   SR_MOVK(0, 1), SR_MOVK(0, 1), SR_RAW(0xff, 0, 0, 0, 0),
		   SR_EXIT(0)),
	CHECK_CASE("exit with src", RESERVED, 0, SR(EXIT, 0, 1, 0, 0)),
	CHECK_CASE("exit with imm", RESERVED, 0, SR(EXIT, 0, 0, 0, 1)),
	CHECK_CASE("mov_k with src", RESERVED, 0, SR(MOV_K, 1, 2, 0, 3),
		   SR_EXIT(0)),
	CHECK_CASE("add_x with imm", RESERVED, 0, SR(ADD_X, 1, 2, 0, 3),
		   SR_EXIT(0)),
	CHECK_CASE("add_x with mod", RESERVED, 0, SR(ADD_X, 1, 2, 1, 0),
		   SR_EXIT(0)),
	CHECK_CASE("neg with src", RESERVED, 0, SR(NEG, 1, 2, 0, 0),
		   SR_EXIT(0)),
	CHECK_CASE("ja with dst", RESERVED, 0, SR(JA, 1, 0, 0, 0), SR_EXIT(0)),
	CHECK_CASE("jeq_x with mod", RESERVED, 0, SR(JEQ_X, 1, 2, 1, 0),
		   SR_EXIT(0)),
	CHECK_CASE("lddw with src", RESERVED, 0, SR(LDDW, 1, 2, 0, 0),
		   SR_RAW(0, 0, 0, 0, 0), SR_EXIT(0)),
	CHECK_CASE("copy with imm", RESERVED, 0, SR(COPY, 1, 2, 3, 4),
		   SR_EXIT(0)),
	CHECK_CASE("find with imm", RESERVED, 0, SR(FIND, 1, 2, 4, 4),
		   SR_EXIT(0)),
	CHECK_CASE("sys without arguments with src", RESERVED, 0,
		   SR_SYS(0, 1, 0, getpid), SR_EXIT(0)),
	CHECK_CASE("ja past the end", BAD_JUMP, 0, SR(JA, 0, 0, 0, 1),
		   SR_EXIT(0)),
	CHECK_CASE("ja before the start", BAD_JUMP, 1, SR_EXIT(0),
		   SR(JA, 0, 0, 0, -3)),
	CHECK_CASE("ja S32_MIN", BAD_JUMP, 0, SR(JA, 0, 0, 0, S32_MIN),
		   SR_EXIT(0)),
	CHECK_CASE("ja S32_MAX", BAD_JUMP, 0, SR(JA, 0, 0, 0, S32_MAX),
		   SR_EXIT(0)),
	CHECK_CASE("jeq_k past the end", BAD_JUMP, 1, SR_MOVK(1, 0),
		   SR(JEQ_K, 1, 0, 0, 5), SR_EXIT(0)),
	CHECK_CASE("jne_x before the start", BAD_JUMP, 0,
		   SR(JNE_X, 1, 2, 0, -2), SR_EXIT(0)),
	CHECK_CASE("ja into the second slot of lddw", BAD_JUMP, 0,
		   SR(JA, 0, 0, 0, 1), SR_LDDW_LO(1, 0x100000002ULL),
		   SR_LDDW_HI(0x100000002ULL), SR_EXIT(1)),
	CHECK_CASE("backward jump into lddw", BAD_JUMP, 2,
		   SR_LDDW_LO(1, 7), SR_LDDW_HI(7), SR(JEQ_K, 1, 0, 0, -2),
		   SR_EXIT(1)),
	CHECK_CASE("sys fork", BAD_SYSCALL, 0, SR_SYS(0, 0, 0, fork),
		   SR_EXIT(0)),
	CHECK_CASE("sys execve", BAD_SYSCALL, 1, SR_MOVK(1, 0),
		   SR_SYS(0, 1, 3, execve), SR_EXIT(0)),
	CHECK_CASE("sys clone", BAD_SYSCALL, 0, SR_SYS(0, 1, 5, clone),
		   SR_EXIT(0)),
	CHECK_CASE("sys exit_group", BAD_SYSCALL, 0,
		   SR_SYS(0, 1, 1, exit_group), SR_EXIT(0)),
	CHECK_CASE("sys rt_sigreturn", BAD_SYSCALL, 0,
		   SR_SYS(0, 0, 0, rt_sigreturn), SR_EXIT(0)),
	CHECK_CASE("sys sysring_enter", BAD_SYSCALL, 0,
		   SR_SYS(0, 1, 4, sysring_enter), SR_EXIT(0)),
	CHECK_CASE("sys negative number", BAD_SYSCALL, 0,
		   SR(SYS, 0, 0, 0, -1), SR_EXIT(0)),
	CHECK_CASE("sys number past the table", BAD_SYSCALL, 0,
		   SR(SYS, 0, 0, 0, SYSRING_PROBE_SYSCALLS), SR_EXIT(0)),
	CHECK_CASE("falls off the end", NO_EXIT, 0, SR_MOVK(0, 1)),
	CHECK_CASE("conditional jump last", NO_EXIT, 1, SR_MOVK(0, 1),
		   SR(JEQ_K, 0, 0, 0, -2)),
	CHECK_CASE("lddw last", NO_EXIT, 1, SR_LDDW_LO(0, 1), SR_LDDW_HI(1)),
	CHECK_CASE("sys last", NO_EXIT, 0, SR_SYS(0, 0, 0, getpid)),
	CHECK_CASE("div_k by zero", DIV_ZERO, 1, SR_MOVK(1, 1),
		   SR(DIV_K, 1, 0, 0, 0), SR_EXIT(1)),
	CHECK_CASE("mod_k by zero", DIV_ZERO, 0, SR(MOD_K, 1, 0, 0, 0),
		   SR_EXIT(1)),
	CHECK_CASE("lddw without a second slot", BAD_LDDW, 1, SR_EXIT(0),
		   SR(LDDW, 1, 0, 0, 1)),
	CHECK_CASE("lddw second slot with an opcode", BAD_LDDW, 0,
		   SR(LDDW, 1, 0, 0, 1), SR_EXIT(0)),
	CHECK_CASE("lddw second slot with dst", BAD_LDDW, 0,
		   SR(LDDW, 1, 0, 0, 1), SR_RAW(0, 1, 0, 0, 0), SR_EXIT(0)),
	CHECK_CASE("lddw second slot with mod", BAD_LDDW, 0,
		   SR(LDDW, 1, 0, 0, 1), SR_RAW(0, 0, 0, 1, 0), SR_EXIT(0)),
	CHECK_CASE("ld mod 0x10", BAD_MOD, 0, SR(LD, 1, 2, 0x10, 0),
		   SR_EXIT(1)),
	CHECK_CASE("ld mod 0x80", BAD_MOD, 0, SR(LD, 1, 2, 0x80, 0),
		   SR_EXIT(1)),
	CHECK_CASE("st sign-extend", BAD_MOD, 0,
		   SR(ST, 1, 2, SYSRING_MEM_SX | SYSRING_MEM_W, 0), SR_EXIT(1)),
	CHECK_CASE("st mod 0x10", BAD_MOD, 0, SR(ST, 1, 2, 0x10, 0),
		   SR_EXIT(1)),
	CHECK_CASE("sys mod 0x40", BAD_MOD, 0, SR_SYS(0, 1, 0x41, close),
		   SR_EXIT(0)),
	CHECK_CASE("sys seven arguments", BAD_MOD, 0, SR_SYS(0, 1, 7, read),
		   SR_EXIT(0)),
	CHECK_CASE("sys arguments past r255", BAD_REG, 0,
		   SR_SYS(0, 251, 6, read), SR_EXIT(0)),
	CHECK_CASE("sys two arguments from r255", BAD_REG, 0,
		   SR_SYS(0, 255, 2 | SYSRING_SYS_KEEPERR, write), SR_EXIT(0)),
	CHECK_CASE("find haystack pair at r255", BAD_REG, 0,
		   SR(FIND, 0, 255, 2, 0), SR_EXIT(0)),
	CHECK_CASE("find needle pair at r255", BAD_REG, 0,
		   SR(FIND, 0, 2, 255, 0), SR_EXIT(0)),
	CHECK_CASE("lsh_k 64", BAD_SHIFT, 0, SR(LSH_K, 1, 0, 0, 64),
		   SR_EXIT(1)),
	CHECK_CASE("rsh_k 100", BAD_SHIFT, 0, SR(RSH_K, 1, 0, 0, 100),
		   SR_EXIT(1)),
	CHECK_CASE("arsh_k -1", BAD_SHIFT, 0, SR(ARSH_K, 1, 0, 0, -1),
		   SR_EXIT(1)),

	/* Accepted programs. */
	CHECK_CASE("exit only", OK, 0, SR_EXIT(255)),
	CHECK_CASE("ja to itself last", OK, 0, SR(JA, 0, 0, 0, -1)),
	CHECK_CASE("loop", OK, 0, SR_MOVK(1, 10), SR(SUB_K, 1, 0, 0, 1),
		   SR(JNE_K, 1, 0, 0, -2), SR_EXIT(1)),
	CHECK_CASE("lddw and a jump over it", OK, 0, SR(JA, 0, 0, 0, 2),
		   SR_LDDW_LO(1, 0xffffffff00000000ULL),
		   SR_LDDW_HI(0xffffffff00000000ULL), SR_EXIT(1)),
	CHECK_CASE("every class", OK, 0,
		   SR_LDDW_LO(1, 1), SR_LDDW_HI(1), SR(ADD_X, 1, 2, 0, 0),
		   SR(ADD_K, 1, 0, 0, -1),
		   SR(NEG, 1, 0, 0, 0), SR(JGT_X, 1, 2, 0, 0),
		   SR(JSET_K, 1, 0x80, 0, 0),
		   SR(LD, 1, 2, SYSRING_MEM_MASK, -8),
		   SR(ST, 1, 2, SYSRING_MEM_DW | SYSRING_MEM_BE, 8),
		   SR_SYS(3, 0, 0, getpid), SR(COPY, 1, 2, 3, 0),
		   SR(FIND, 0, 254, 253, 0), SR(JA, 0, 0, 0, 0), SR_EXIT(0)),
	CHECK_CASE("sys arguments r250..r255", OK, 0,
		   SR_SYS(0, 250, 6 | SYSRING_SYS_KEEPERR, read), SR_EXIT(0)),
	CHECK_CASE("sys without arguments, keeperr", OK, 0,
		   SR_SYS(0, 0, SYSRING_SYS_KEEPERR, getpid), SR_EXIT(0)),
	CHECK_CASE("shifts by 63", OK, 0, SR(LSH_K, 1, 0, 0, 63),
		   SR(RSH_K, 1, 0, 0, 63), SR(ARSH_K, 1, 0, 0, 63), SR_EXIT(1)),
	CHECK_CASE("div_k and mod_k by -1", OK, 0, SR(DIV_K, 1, 0, 0, -1),
		   SR(MOD_K, 1, 0, 0, -1), SR_EXIT(1)),
	{
		.desc = "length equal to the limit",
		.insns = { SR_MOVK(1, 1), SR_EXIT(1) },
		.len = 2, .max_len = 2, .reason = SYSRING_CHECK_OK,
	},
};

KUNIT_ARRAY_PARAM_DESC(sysring_check, sysring_check_cases, desc);

static void sysring_check_reason_test(struct kunit *test)
{
	const struct sysring_check_case *c = test->param_value;
	u32 max_len = c->max_len ?: SYSRING_MAX_PROG_INSNS;
	struct sysring_insn *insns;
	u32 pc = ~0U;
	int reason;

	/* A heap copy of exactly @len instructions: KASAN sees overreads. */
	insns = kunit_kmalloc_array(test, max(c->len, 1U), sizeof(*insns),
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, insns);
	memset(insns, 0, max(c->len, 1U) * sizeof(*insns));
	memcpy(insns, c->insns, min_t(u32, c->len, SR_PROG_MAX) * sizeof(*insns));

	reason = sysring_check(insns, c->len, max_len, &pc);
	KUNIT_EXPECT_EQ_MSG(test, reason, c->reason, "got \"%s\" at pc %u, want \"%s\"",
			    sysring_reason_name(reason), pc,
			    sysring_reason_name(c->reason));
	KUNIT_EXPECT_EQ_MSG(test, pc, c->pc, "bad pc for \"%s\"",
			    sysring_reason_name(reason));
}

/*
 * The uapi opcodes and their classes, written out independently of
 * opcodes.h and opdef.c so that the three can be compared.
 */
#define UAPI_OP(op, cls)	{ SYSRING_OP_##op, SYSRING_CLASS_##cls }
static const struct {
	u8 code;
	u8 class;
} sysring_uapi_ops[] = {
	UAPI_OP(EXIT, EXIT), UAPI_OP(LDDW, LDDW),
	UAPI_OP(MOV_X, ALU_X), UAPI_OP(ADD_X, ALU_X), UAPI_OP(SUB_X, ALU_X),
	UAPI_OP(MUL_X, ALU_X), UAPI_OP(DIV_X, ALU_X), UAPI_OP(MOD_X, ALU_X),
	UAPI_OP(AND_X, ALU_X), UAPI_OP(OR_X, ALU_X), UAPI_OP(XOR_X, ALU_X),
	UAPI_OP(LSH_X, ALU_X), UAPI_OP(RSH_X, ALU_X), UAPI_OP(ARSH_X, ALU_X),
	UAPI_OP(NEG, NEG),
	UAPI_OP(MOV_K, ALU_K), UAPI_OP(ADD_K, ALU_K), UAPI_OP(SUB_K, ALU_K),
	UAPI_OP(MUL_K, ALU_K), UAPI_OP(DIV_K, ALU_K), UAPI_OP(MOD_K, ALU_K),
	UAPI_OP(AND_K, ALU_K), UAPI_OP(OR_K, ALU_K), UAPI_OP(XOR_K, ALU_K),
	UAPI_OP(LSH_K, ALU_K), UAPI_OP(RSH_K, ALU_K), UAPI_OP(ARSH_K, ALU_K),
	UAPI_OP(JA, JA),
	UAPI_OP(JEQ_X, JMP_X), UAPI_OP(JNE_X, JMP_X), UAPI_OP(JGT_X, JMP_X),
	UAPI_OP(JGE_X, JMP_X), UAPI_OP(JLT_X, JMP_X), UAPI_OP(JLE_X, JMP_X),
	UAPI_OP(JSGT_X, JMP_X), UAPI_OP(JSGE_X, JMP_X),
	UAPI_OP(JSLT_X, JMP_X), UAPI_OP(JSLE_X, JMP_X),
	UAPI_OP(JSET_X, JMP_X),
	UAPI_OP(JEQ_K, JMP_K), UAPI_OP(JNE_K, JMP_K), UAPI_OP(JGT_K, JMP_K),
	UAPI_OP(JGE_K, JMP_K), UAPI_OP(JLT_K, JMP_K), UAPI_OP(JLE_K, JMP_K),
	UAPI_OP(JSGT_K, JMP_K), UAPI_OP(JSGE_K, JMP_K),
	UAPI_OP(JSLT_K, JMP_K), UAPI_OP(JSLE_K, JMP_K),
	UAPI_OP(JSET_K, JMP_K),
	UAPI_OP(LD, LD), UAPI_OP(ST, ST), UAPI_OP(SYS, SYS),
	UAPI_OP(COPY, COPY), UAPI_OP(FIND, FIND),
	UAPI_OP(XFER, IO), UAPI_OP(READN, IO), UAPI_OP(WRITET, IO),
	UAPI_OP(WAIT, IO),
};

/* The list the checker's allow-list and the interpreter are built from. */
#define SYSRING_OP(name)	SYSRING_OP_##name,
static const u8 sysring_list_ops[] = {
#include "opcodes.h"
};

#undef SYSRING_OP

static bool sysring_is_uapi_op(unsigned int code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sysring_uapi_ops); i++)
		if (sysring_uapi_ops[i].code == code)
			return true;
	return false;
}

static bool sysring_is_listed_op(unsigned int code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sysring_list_ops); i++)
		if (sysring_list_ops[i] == code)
			return true;
	return false;
}

/*
 * Every uapi opcode is in opcodes.h and has its class and a name in
 * sysring_opdefs[]; nothing else does.
 */
static void sysring_check_opdefs_test(struct kunit *test)
{
	unsigned int i, code, nr_classes = 0;

	for (i = 0; i < ARRAY_SIZE(sysring_uapi_ops); i++) {
		code = sysring_uapi_ops[i].code;
		KUNIT_EXPECT_EQ_MSG(test, sysring_opdefs[code].class,
				    sysring_uapi_ops[i].class,
				    "class of uapi opcode %#x", code);
		KUNIT_EXPECT_NOT_NULL_MSG(test, sysring_opdefs[code].name,
					  "uapi opcode %#x has no name", code);
		KUNIT_EXPECT_TRUE_MSG(test, sysring_is_listed_op(code),
				      "uapi opcode %#x is not in opcodes.h", code);
	}
	for (code = 0; code < 256; code++) {
		if (sysring_opdefs[code].class != SYSRING_CLASS_NONE)
			nr_classes++;
		if (!sysring_is_uapi_op(code)) {
			KUNIT_EXPECT_EQ_MSG(test, sysring_opdefs[code].class,
					    SYSRING_CLASS_NONE,
					    "opcode %#x is not in the uapi but has a class",
					    code);
			KUNIT_EXPECT_FALSE_MSG(test, sysring_is_listed_op(code),
					       "opcode %#x is in opcodes.h only",
					       code);
		}
	}
	KUNIT_EXPECT_EQ(test, nr_classes, ARRAY_SIZE(sysring_uapi_ops));
	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(sysring_list_ops),
			ARRAY_SIZE(sysring_uapi_ops));
	for (code = 0; code < __SYSRING_CHECK_MAX; code++)
		KUNIT_EXPECT_NOT_NULL_MSG(test, sysring_check_reasons[code],
					  "reason %u has no text", code);
}

/*
 * All 256 opcodes with every field zero (and what an opcode needs to be
 * valid): the checker accepts exactly the uapi ones, and each accepted one
 * runs without reaching the interpreter's impossible path.
 */
static void sysring_check_sweep_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn prog[3];
	unsigned int code;
	u32 len, pc;
	int reason;

	/* LD and ST of address 0 must fault in an mm, not oops. */
	sysring_test_urw(test, PAGE_SIZE);

	for (code = 0; code < 256; code++) {
		prog[0] = SR_RAW(code, 0, 0, 0, 0);
		prog[1] = SR_EXIT(0);
		prog[2] = SR_EXIT(0);
		len = 2;
		if (code == SYSRING_OP_DIV_K || code == SYSRING_OP_MOD_K)
			prog[0].imm = 1;
		if (code == SYSRING_OP_SYS)
			prog[0].imm = __NR_getpid;
		if (code == SYSRING_OP_LDDW) {
			prog[1] = SR_RAW(0, 0, 0, 0, 0);
			len = 3;
		}

		reason = sysring_check(prog, len, SYSRING_MAX_PROG_INSNS, &pc);
		if (!sysring_is_uapi_op(code)) {
			KUNIT_EXPECT_EQ_MSG(test, reason, SYSRING_CHECK_BAD_OPCODE,
					    "opcode %#x outside the uapi", code);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, reason, SYSRING_CHECK_OK,
				    "uapi opcode %#x rejected at %u: %s", code,
				    pc, sysring_reason_name(reason));
		if (reason != SYSRING_CHECK_OK)
			continue;

		memset(vm->regs, 0, sizeof(vm->regs));
		sysring_vm_run(vm, prog, 16);
		KUNIT_EXPECT_NE_MSG(test, vm->status, SYSRING_STATUS_INVALID,
				    "opcode %#x reached the impossible path", code);
		KUNIT_EXPECT_LT_MSG(test, vm->status, __SYSRING_STATUS_MAX,
				    "opcode %#x: bad status", code);
	}
}

static struct kunit_case sysring_check_test_cases[] = {
	KUNIT_CASE_PARAM(sysring_check_reason_test, sysring_check_gen_params),
	KUNIT_CASE(sysring_check_opdefs_test),
	KUNIT_CASE(sysring_check_sweep_test),
	{}
};

static struct kunit_suite sysring_check_test_suite = {
	.name = "sysring_check",
	.test_cases = sysring_check_test_cases,
};

/* ------------------------------------------------------------------ */
/* sysring_vm: the interpreter */

/* One instruction on r1 (dst) and r2 (src), then EXIT r1. */
struct sysring_alu_case {
	const char *desc;
	struct sysring_insn insn;
	u64 dst;
	u64 src;
	u64 want;
};

static const struct sysring_alu_case sysring_alu_cases[] = {
	{ "mov_x", SR(MOV_X, 1, 2, 0, 0), 5, 7, 7 },
	{ "mov_k negative", SR(MOV_K, 1, 0, 0, -1), 5, 0, U64_MAX },
	{ "mov_k S32_MIN", SR(MOV_K, 1, 0, 0, S32_MIN), 0, 0,
	  0xffffffff80000000ULL },
	{ "add_x wraps", SR(ADD_X, 1, 2, 0, 0), U64_MAX, 2, 1 },
	{ "add_k negative", SR(ADD_K, 1, 0, 0, -3), 10, 0, 7 },
	{ "sub_x", SR(SUB_X, 1, 2, 0, 0), 3, 5, (u64)-2 },
	{ "sub_k negative", SR(SUB_K, 1, 0, 0, -1), 5, 0, 6 },
	{ "mul_x wraps", SR(MUL_X, 1, 2, 0, 0), 1ULL << 32, 1ULL << 32, 0 },
	{ "mul_k negative", SR(MUL_K, 1, 0, 0, -2), 7, 0, (u64)-14 },
	{ "div_x", SR(DIV_X, 1, 2, 0, 0), 100, 7, 14 },
	{ "div_x unsigned", SR(DIV_X, 1, 2, 0, 0), (u64)-10, 2,
	  0x7ffffffffffffffbULL },
	{ "div_k", SR(DIV_K, 1, 0, 0, 7), 100, 0, 14 },
	{ "div_k by -1 is unsigned", SR(DIV_K, 1, 0, 0, -1), U64_MAX, 0, 1 },
	{ "mod_x", SR(MOD_X, 1, 2, 0, 0), 100, 7, 2 },
	{ "mod_k", SR(MOD_K, 1, 0, 0, 7), 100, 0, 2 },
	{ "mod_k negative", SR(MOD_K, 1, 0, 0, -1), 5, 0, 5 },
	{ "and_x", SR(AND_X, 1, 2, 0, 0), 0xf0f0, 0xff00, 0xf000 },
	{ "and_k negative", SR(AND_K, 1, 0, 0, -16), 0x1234, 0, 0x1230 },
	{ "or_x", SR(OR_X, 1, 2, 0, 0), 0xf0, 0x0f, 0xff },
	{ "or_k S32_MIN", SR(OR_K, 1, 0, 0, S32_MIN), 1, 0,
	  0xffffffff80000001ULL },
	{ "xor_x", SR(XOR_X, 1, 2, 0, 0), 0xff, 0x0f, 0xf0 },
	{ "xor_k negative", SR(XOR_K, 1, 0, 0, -1), 0, 0, U64_MAX },
	{ "lsh_x 63", SR(LSH_X, 1, 2, 0, 0), 1, 63, 1ULL << 63 },
	{ "lsh_x 64 is masked", SR(LSH_X, 1, 2, 0, 0), 1, 64, 1 },
	{ "lsh_k", SR(LSH_K, 1, 0, 0, 4), 0x1f00000000000001ULL, 0,
	  0xf000000000000010ULL },
	{ "rsh_x", SR(RSH_X, 1, 2, 0, 0), 1ULL << 63, 63, 1 },
	{ "rsh_k is logical", SR(RSH_K, 1, 0, 0, 60), U64_MAX, 0, 0xf },
	{ "arsh_x", SR(ARSH_X, 1, 2, 0, 0), 1ULL << 63, 63, U64_MAX },
	{ "arsh_x positive", SR(ARSH_X, 1, 2, 0, 0), 16, 2, 4 },
	{ "arsh_k", SR(ARSH_K, 1, 0, 0, 2), (u64)-16, 0, (u64)-4 },
	{ "neg", SR(NEG, 1, 0, 0, 0), 5, 0, (u64)-5 },
	{ "neg S64_MIN", SR(NEG, 1, 0, 0, 0), (u64)S64_MIN, 0, (u64)S64_MIN },
};

KUNIT_ARRAY_PARAM_DESC(sysring_alu, sysring_alu_cases, desc);

static void sysring_vm_alu_test(struct kunit *test)
{
	const struct sysring_alu_case *c = test->param_value;
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn prog[] = { c->insn, SR_EXIT(1) };

	vm->regs[1] = c->dst;
	vm->regs[2] = c->src;
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, (s64)c->want, 1, 2);
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[1], c->want, "%#llx -> %#llx, want %#llx",
			    c->dst, vm->regs[1], c->want);
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[2], c->src, "src register changed");
}

static void sysring_vm_div_zero_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn div[] = {
		SR_MOVK(1, 10), SR(DIV_X, 1, 2, 0, 0), SR_EXIT(1),
	};
	struct sysring_insn mod[] = {
		SR_MOVK(1, 10), SR(MOD_X, 1, 2, 0, 0), SR_EXIT(1),
	};

	sysring_test_run(test, vm, div, ARRAY_SIZE(div), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -EDOM, 1, 2);
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[1], 10, "dst changed by div by 0");

	memset(vm->regs, 0, sizeof(vm->regs));
	sysring_test_run(test, vm, mod, ARRAY_SIZE(mod), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -EDOM, 1, 2);
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[1], 10, "dst changed by mod by 0");
}

static void sysring_vm_lddw_test(struct kunit *test)
{
	static const u64 vals[] = {
		0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x80000000ULL,
		0xffffffffULL, 0, U64_MAX,
	};
	struct sysring_vm *vm = sysring_test_vm(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		struct sysring_insn prog[] = {
			SR_LDDW_LO(7, vals[i]), SR_LDDW_HI(vals[i]),
			SR_MOVK(8, 1), SR_EXIT(7),
		};

		sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
		sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, (s64)vals[i],
				    3, 3);
		KUNIT_EXPECT_EQ_MSG(test, vm->regs[7], vals[i], "lddw %#llx",
				    vals[i]);
		KUNIT_EXPECT_EQ_MSG(test, vm->regs[8], 1,
				    "instruction after lddw did not run");
	}
}

/* A conditional jump on r1 and r2 (or the imm8 in src). */
struct sysring_jmp_case {
	const char *desc;
	u8 code;
	u8 imm8;
	u64 dst;
	u64 src;
	bool taken;
};

#define JX(op, d, s, t)	{ #op " " #d ", " #s, SYSRING_OP_##op, 0, d, s, t }
#define JK(op, d, k, t)	{ #op " " #d ", " #k, SYSRING_OP_##op, (u8)(k), d, 0, t }

static const struct sysring_jmp_case sysring_jmp_cases[] = {
	JX(JEQ_X, 5, 5, true), JX(JEQ_X, 5, 6, false),
	JX(JNE_X, 5, 6, true), JX(JNE_X, 5, 5, false),
	JX(JGT_X, U64_MAX, 1, true), JX(JGT_X, 1, U64_MAX, false),
	JX(JGT_X, 5, 5, false),
	JX(JGE_X, 5, 5, true), JX(JGE_X, 4, 5, false),
	JX(JLT_X, 1, U64_MAX, true), JX(JLT_X, U64_MAX, 1, false),
	JX(JLT_X, 5, 5, false),
	JX(JLE_X, 5, 5, true), JX(JLE_X, 6, 5, false),
	JX(JSGT_X, 1, (u64)-1, true), JX(JSGT_X, (u64)-1, 1, false),
	JX(JSGT_X, (u64)S64_MAX, (u64)S64_MIN, true),
	JX(JSGE_X, (u64)-1, (u64)-1, true),
	JX(JSGE_X, (u64)S64_MIN, (u64)S64_MAX, false),
	JX(JSLT_X, (u64)-1, 1, true), JX(JSLT_X, 1, (u64)-1, false),
	JX(JSLT_X, 3, 3, false),
	JX(JSLE_X, (u64)S64_MIN, (u64)S64_MIN, true),
	JX(JSLE_X, 0, (u64)-1, false),
	JX(JSET_X, 6, 2, true), JX(JSET_X, 4, 3, false),
	JX(JSET_X, 1ULL << 63, 1ULL << 63, true),
	JK(JEQ_K, U64_MAX, -1, true), JK(JEQ_K, 0xff, -1, false),
	JK(JEQ_K, 127, 127, true),
	JK(JNE_K, 0xff, -1, true), JK(JNE_K, U64_MAX, -1, false),
	JK(JGT_K, 128, 127, true), JK(JGT_K, 5, -1, false),
	JK(JGE_K, 127, 127, true), JK(JGE_K, 126, 127, false),
	JK(JGE_K, U64_MAX, -1, true),
	JK(JLT_K, 5, -1, true), JK(JLT_K, 5, 5, false),
	JK(JLE_K, 0, 0, true), JK(JLE_K, 1, 0, false),
	JK(JSGT_K, 0, -1, true), JK(JSGT_K, (u64)-128, -128, false),
	JK(JSGE_K, (u64)-128, -128, true), JK(JSGE_K, (u64)-129, -128, false),
	JK(JSLT_K, (u64)-129, -128, true), JK(JSLT_K, 127, 127, false),
	JK(JSLT_K, (u64)S64_MIN, 0, true),
	JK(JSLE_K, (u64)-1, -1, true), JK(JSLE_K, 0, -1, false),
	JK(JSET_K, 1ULL << 63, -128, true), JK(JSET_K, 0x7f, -128, false),
	JK(JSET_K, 0x100, 1, false), JK(JSET_K, 0x101, 1, true),
};

KUNIT_ARRAY_PARAM_DESC(sysring_jmp, sysring_jmp_cases, desc);

static void sysring_vm_jmp_test(struct kunit *test)
{
	const struct sysring_jmp_case *c = test->param_value;
	struct sysring_vm *vm = sysring_test_vm(test);
	bool k = sysring_opdefs[c->code].class == SYSRING_CLASS_JMP_K;
	struct sysring_insn prog[] = {
		/* The X forms compare r1 with r2, the K forms with imm8. */
		SR_RAW(c->code, 1, k ? c->imm8 : 2, 0, 2),
		SR_MOVK(0, 1),
		SR_EXIT(0),
		SR_MOVK(0, 2),
		SR_EXIT(0),
	};

	vm->regs[1] = c->dst;
	vm->regs[2] = c->src;
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	if (c->taken)
		sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 2, 4, 3);
	else
		sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 1, 2, 3);
}

static void sysring_vm_ja_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn fwd[] = {
		SR(JA, 0, 0, 0, 1), SR_MOVK(0, 1), SR_MOVK(1, 3), SR_EXIT(0),
	};
	struct sysring_insn zero[] = {
		SR_MOVK(0, 4), SR(JA, 0, 0, 0, 0), SR_EXIT(0),
	};

	sysring_test_run(test, vm, fwd, ARRAY_SIZE(fwd), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 0, 3, 3);
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[1], 3, "ja skipped too much");

	sysring_test_run(test, vm, zero, ARRAY_SIZE(zero), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 4, 2, 3);
}

static const struct sysring_insn sysring_loop_prog[] = {
	SR_MOVK(1, 10),
	SR_MOVK(2, 0),
	SR(ADD_K, 2, 0, 0, 3),
	SR(SUB_K, 1, 0, 0, 1),
	SR(JNE_K, 1, 0, 0, -3),
	SR_EXIT(2),
};

static void sysring_vm_loop_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	u32 len = ARRAY_SIZE(sysring_loop_prog);

	/* 2 + 10 * 3 + 1 instructions. */
	sysring_test_run(test, vm, sysring_loop_prog, len, 33);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 30, 5, 33);

	/* One short: stops before EXIT, with EXIT's pc. */
	sysring_test_run(test, vm, sysring_loop_prog, len, 32);
	sysring_expect_stop(test, vm, SYSRING_STATUS_BUDGET, -ETIME, 5, 32);
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[2], 30, "loop state at budget end");
}

static void sysring_vm_budget_test(struct kunit *test)
{
	static const u32 budgets[] = { 1, 2, 1023, 1024, 1025, 5000,
				       SYSRING_DEFAULT_BUDGET };
	struct sysring_insn self[] = { SR(JA, 0, 0, 0, -1) };
	struct sysring_insn two[] = {
		SR(ADD_K, 1, 0, 0, 1), SR(JA, 0, 0, 0, -2),
	};
	struct sysring_vm *vm = sysring_test_vm(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(budgets); i++) {
		sysring_test_run(test, vm, self, 1, budgets[i]);
		sysring_expect_stop(test, vm, SYSRING_STATUS_BUDGET, -ETIME, 0,
				    budgets[i]);
	}

	vm->regs[1] = 0;
	sysring_test_run(test, vm, two, ARRAY_SIZE(two), 1001);
	sysring_expect_stop(test, vm, SYSRING_STATUS_BUDGET, -ETIME, 1, 1001);
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[1], 501, "ADDs run within budget");
}

/* A fatal signal stops a long block: every 1024 instructions, uncharged. */
static void sysring_vm_cancel_test(struct kunit *test)
{
	struct sysring_insn self[] = { SR(JA, 0, 0, 0, -1) };
	struct sysring_vm *vm = sysring_test_vm(test);

	sysring_test_kill_self(test);
	sysring_test_run(test, vm, self, 1, 5000);
	sysring_expect_stop(test, vm, SYSRING_STATUS_CANCELED, -EINTR, 0,
			    5000 - 4096);
	sysring_test_run(test, vm, self, 1, 1024);
	sysring_expect_stop(test, vm, SYSRING_STATUS_CANCELED, -EINTR, 0, 0);
	/* Fewer than 1024 instructions never look. */
	sysring_test_run(test, vm, self, 1, 1000);
	sysring_expect_stop(test, vm, SYSRING_STATUS_BUDGET, -ETIME, 0, 1000);
	sysring_test_unkill();

	sysring_test_run(test, vm, self, 1, 5000);
	sysring_expect_stop(test, vm, SYSRING_STATUS_BUDGET, -ETIME, 0, 5000);
}

static void sysring_vm_exit_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn prog[] = {
		SR_MOVK(7, -5), SR(JA, 0, 0, 0, 1), SR_EXIT(0), SR_EXIT(7),
		SR_EXIT(255),
	};
	struct sysring_insn r255[] = { SR_EXIT(255) };

	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, -5, 3, 3);

	vm->regs[255] = 0x8000000000000000ULL;
	sysring_test_run(test, vm, r255, 1, 1);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, S64_MIN, 0, 1);
}

/* LD from 8 known bytes, r2 = base + 16, imm = -16. */
struct sysring_ld_case {
	const char *desc;
	u8 mod;
	u64 want;
};

static const struct sysring_ld_case sysring_ld_cases[] = {
	{ "b", SYSRING_MEM_B, 0x81 },
	{ "b sx", SYSRING_MEM_B | SYSRING_MEM_SX, 0xffffffffffffff81ULL },
	{ "b be", SYSRING_MEM_B | SYSRING_MEM_BE, 0x81 },
	{ "h", SYSRING_MEM_H, 0x8281 },
	{ "h be", SYSRING_MEM_H | SYSRING_MEM_BE, 0x8182 },
	{ "h sx", SYSRING_MEM_H | SYSRING_MEM_SX, 0xffffffffffff8281ULL },
	{ "h be sx", SYSRING_MEM_H | SYSRING_MEM_BE | SYSRING_MEM_SX,
	  0xffffffffffff8182ULL },
	{ "w", SYSRING_MEM_W, 0x84838281 },
	{ "w be", SYSRING_MEM_W | SYSRING_MEM_BE, 0x81828384 },
	{ "w sx", SYSRING_MEM_W | SYSRING_MEM_SX, 0xffffffff84838281ULL },
	{ "w be sx", SYSRING_MEM_W | SYSRING_MEM_BE | SYSRING_MEM_SX,
	  0xffffffff81828384ULL },
	{ "dw", SYSRING_MEM_DW, 0x8887868584838281ULL },
	{ "dw be", SYSRING_MEM_DW | SYSRING_MEM_BE, 0x8182838485868788ULL },
	{ "dw sx", SYSRING_MEM_DW | SYSRING_MEM_SX, 0x8887868584838281ULL },
};

KUNIT_ARRAY_PARAM_DESC(sysring_ld, sysring_ld_cases, desc);

static void sysring_vm_ld_test(struct kunit *test)
{
	static const u8 bytes[16] = {
		0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x7f,
	};
	const struct sysring_ld_case *c = test->param_value;
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn prog[] = {
		SR(LD, 1, 2, c->mod, -16),
		SR(LD, 3, 2, c->mod, -8),
		SR_EXIT(1),
	};
	u32 size = 1U << (c->mod & SYSRING_MEM_SIZE_MASK);
	u64 base = sysring_test_urw(test, PAGE_SIZE);
	u64 pos = 0;
	u32 i;

	sysring_test_put(test, base, bytes, sizeof(bytes));
	vm->regs[2] = base + 16;
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, (s64)c->want, 2, 3);
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[1], c->want, "ld mod %#x", c->mod);

	/* Bytes without their top bit set never sign-extend. */
	for (i = 0; i < size; i++) {
		u32 b = (c->mod & SYSRING_MEM_BE) ? i : size - 1 - i;

		pos = (pos << 8) | bytes[8 + b];
	}
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[3], pos, "ld mod %#x, positive",
			    c->mod);
}

struct sysring_st_case {
	const char *desc;
	u8 mod;
	u8 want[8];
};

static const struct sysring_st_case sysring_st_cases[] = {
	{ "b", SYSRING_MEM_B, { 0x08, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee } },
	{ "b be", SYSRING_MEM_B | SYSRING_MEM_BE,
	  { 0x08, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee } },
	{ "h", SYSRING_MEM_H, { 0x08, 0x07, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee } },
	{ "h be", SYSRING_MEM_H | SYSRING_MEM_BE,
	  { 0x07, 0x08, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee } },
	{ "w", SYSRING_MEM_W, { 0x08, 0x07, 0x06, 0x05, 0xee, 0xee, 0xee, 0xee } },
	{ "w be", SYSRING_MEM_W | SYSRING_MEM_BE,
	  { 0x05, 0x06, 0x07, 0x08, 0xee, 0xee, 0xee, 0xee } },
	{ "dw", SYSRING_MEM_DW, { 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 } },
	{ "dw be", SYSRING_MEM_DW | SYSRING_MEM_BE,
	  { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 } },
};

KUNIT_ARRAY_PARAM_DESC(sysring_st, sysring_st_cases, desc);

static void sysring_vm_st_test(struct kunit *test)
{
	const struct sysring_st_case *c = test->param_value;
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn prog[] = {
		SR(ST, 1, 2, c->mod, 8),
		SR(LD, 3, 1, c->mod, 8),
		SR_EXIT(3),
	};
	u32 size = 1U << (c->mod & SYSRING_MEM_SIZE_MASK);
	u64 base = sysring_test_urw(test, PAGE_SIZE);
	u8 got[16];

	memset(got, 0xee, sizeof(got));
	sysring_test_put(test, base, got, sizeof(got));
	vm->regs[1] = base;
	vm->regs[2] = 0x0102030405060708ULL;
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	/* ST then LD of the same size and order gives the low bytes back. */
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT,
			    (s64)(0x0102030405060708ULL &
				  GENMASK_ULL(8 * size - 1, 0)), 2, 3);
	sysring_test_get(test, got, base, sizeof(got));
	KUNIT_EXPECT_MEMEQ_MSG(test, got + 8, c->want, 8, "st mod %#x", c->mod);
	KUNIT_EXPECT_EQ_MSG(test, got[7], 0xee, "st wrote before its address");
}

static u8 sysring_pattern(u32 i)
{
	return (i * 7 + 3) & 0xff;
}

static void sysring_vm_copy_test(struct kunit *test)
{
	const u32 n = 3000, len = 4 * PAGE_SIZE;
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn prog[] = {
		SR_MOVK(9, 1), SR(COPY, 1, 2, 3, 0), SR_EXIT(9),
	};
	u64 base = sysring_test_urw(test, len);
	u8 *buf, *got;
	u32 i;

	buf = kunit_kmalloc(test, len, GFP_KERNEL);
	got = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, got);
	for (i = 0; i < len; i++)
		buf[i] = sysring_pattern(i);

	/* Disjoint, not a multiple of the bounce buffer. */
	sysring_test_put(test, base, buf, len);
	vm->regs[1] = base + 2 * PAGE_SIZE;
	vm->regs[2] = base + 1;
	vm->regs[3] = n;
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 1, 2, 3);
	sysring_test_get(test, got, base + 2 * PAGE_SIZE, n + 1);
	KUNIT_EXPECT_MEMEQ_MSG(test, got, buf + 1, n, "disjoint copy");
	KUNIT_EXPECT_EQ_MSG(test, got[n], buf[2 * PAGE_SIZE + n],
			    "copy wrote past its end");

	/* Overlap, destination above the source: memmove semantics. */
	sysring_test_put(test, base, buf, len);
	vm->regs[1] = base + 100;
	vm->regs[2] = base;
	vm->regs[3] = n;
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 1, 2, 3);
	sysring_test_get(test, got, base, len);
	KUNIT_EXPECT_MEMEQ_MSG(test, got, buf, 100, "below the destination");
	KUNIT_EXPECT_MEMEQ_MSG(test, got + 100, buf, n, "overlapping copy up");
	KUNIT_EXPECT_MEMEQ_MSG(test, got + 100 + n, buf + 100 + n,
			       len - 100 - n, "past the destination");

	/* Overlap, destination below the source. */
	sysring_test_put(test, base, buf, len);
	vm->regs[1] = base;
	vm->regs[2] = base + 100;
	vm->regs[3] = n;
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 1, 2, 3);
	sysring_test_get(test, got, base, len);
	KUNIT_EXPECT_MEMEQ_MSG(test, got, buf + 100, n, "overlapping copy down");
	KUNIT_EXPECT_MEMEQ_MSG(test, got + n, buf + n, len - n,
			       "past the destination");

	/* Zero bytes touch nothing, not even an invalid address. */
	vm->regs[1] = 0;
	vm->regs[2] = 0;
	vm->regs[3] = 0;
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 1, 2, 3);

	/* Over the limit: refused before any access. */
	vm->regs[1] = base;
	vm->regs[2] = base + PAGE_SIZE;
	vm->regs[3] = SYSRING_COPY_MAX + 1;
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -E2BIG, 1, 2);
	vm->regs[3] = U64_MAX;
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -E2BIG, 1, 2);
}

/* FIND r0 in (r2, r3) for (r4, r5). */
static void sysring_test_find(struct kunit *test, struct sysring_vm *vm,
			      u64 hay, u64 hlen, u64 needle, u64 nlen)
{
	static const struct sysring_insn prog[] = {
		SR_MOVK(0, 12345), SR(FIND, 0, 2, 4, 0), SR_EXIT(0),
	};

	vm->regs[2] = hay;
	vm->regs[3] = hlen;
	vm->regs[4] = needle;
	vm->regs[5] = nlen;
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
}

static void sysring_vm_find_test(struct kunit *test)
{
	static const char text[] = "hello sysring world, sysring again";
	struct sysring_vm *vm = sysring_test_vm(test);
	u64 base = sysring_test_urw(test, PAGE_SIZE);
	u64 hay = base, needle = base + 256;
	u32 tlen = sizeof(text) - 1;

	sysring_test_put(test, hay, text, tlen);
	sysring_test_put(test, needle, "sysring", 7);
	sysring_test_find(test, vm, hay, tlen, needle, 7);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 6, 2, 3);

	/* First occurrence after the start of the haystack. */
	sysring_test_find(test, vm, hay + 7, tlen - 7, needle, 7);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 21 - 7, 2, 3);

	/* Not found: -1. */
	sysring_test_put(test, needle, "sysrinG", 7);
	sysring_test_find(test, vm, hay, tlen, needle, 7);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, -1, 2, 3);
	KUNIT_EXPECT_EQ(test, vm->regs[0], U64_MAX);

	/* Match at the very end; one byte short of it. */
	sysring_test_put(test, needle, "again", 5);
	sysring_test_find(test, vm, hay, tlen, needle, 5);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, tlen - 5, 2, 3);
	sysring_test_find(test, vm, hay, tlen - 1, needle, 5);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, -1, 2, 3);

	/* Empty needle matches at 0; a needle longer than the haystack never. */
	sysring_test_find(test, vm, hay, tlen, needle, 0);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 0, 2, 3);
	sysring_test_find(test, vm, hay, 4, needle, 5);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, -1, 2, 3);
	sysring_test_find(test, vm, hay, 0, needle, 1);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, -1, 2, 3);

	/* Limits. */
	sysring_test_find(test, vm, hay, tlen, needle,
			  SYSRING_FIND_NEEDLE_MAX + 1);
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -E2BIG, 1, 2);
	sysring_test_find(test, vm, hay, SYSRING_COPY_MAX + 1, needle, 1);
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -E2BIG, 1, 2);
	sysring_test_find(test, vm, hay, PAGE_SIZE - 256, base,
			  SYSRING_FIND_NEEDLE_MAX);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 0, 2, 3);
}

/* Every position around the haystack windows, 64 bytes growing to 512. */
static void sysring_vm_find_window_test(struct kunit *test)
{
	static const u32 nlens[] = { 1, 2, 7, 255, 256 };
	const u32 hlen = 1100;
	struct sysring_vm *vm = sysring_test_vm(test);
	u64 base = sysring_test_urw(test, 2 * PAGE_SIZE);
	u64 needle = base + PAGE_SIZE;
	u8 *hay, *pat;
	unsigned int i;
	u32 at;

	hay = kunit_kmalloc(test, hlen, GFP_KERNEL);
	pat = kunit_kmalloc(test, SYSRING_FIND_NEEDLE_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hay);
	KUNIT_ASSERT_NOT_NULL(test, pat);
	for (i = 0; i < SYSRING_FIND_NEEDLE_MAX; i++)
		pat[i] = 'A' + i % 26;
	memset(hay, 'a', hlen);
	sysring_test_put(test, needle, pat, SYSRING_FIND_NEEDLE_MAX);
	sysring_test_put(test, base, hay, hlen);

	for (i = 0; i < ARRAY_SIZE(nlens); i++) {
		u32 nlen = nlens[i];

		for (at = 0; at + nlen <= hlen; at++) {
			sysring_test_put(test, base + at, pat, nlen);
			sysring_test_find(test, vm, base, hlen, needle, nlen);
			sysring_test_put(test, base + at, hay, nlen);
			KUNIT_EXPECT_EQ_MSG(test, vm->status, SYSRING_STATUS_EXIT,
					    "needle of %u bytes at %u", nlen, at);
			KUNIT_EXPECT_EQ_MSG(test, vm->regs[0], at,
					    "needle of %u bytes at %u", nlen, at);
			if (vm->regs[0] != at)
				break;	/* one report per length is enough */
		}
	}
}

/* Each memory op at a bad address faults at its pc, never oopses. */
static void sysring_vm_fault_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	u64 good = sysring_test_urw(test, PAGE_SIZE);
	u64 none = sysring_test_umem(test, PAGE_SIZE, PROT_NONE);
	u64 ro = sysring_test_umem(test, PAGE_SIZE, PROT_READ);
	const u64 bad[] = { 0, 8, none, (u64)(uintptr_t)vm, (u64)-4096, ro };
	/*
	 * r1 is the bad address, r2 and r5 are lengths (8), r3 the COPY
	 * length (16), r4 and r6 good addresses.
	 */
	static const struct {
		struct sysring_insn insn;
		bool ro_faults;	/* a read-only page faults too */
	} ops[] = {
		{ SR(LD, 7, 1, SYSRING_MEM_DW, 0), false },
		{ SR(ST, 1, 7, SYSRING_MEM_W, 0), true },
		{ SR(COPY, 6, 1, 3, 0), false },	/* from r1 */
		{ SR(COPY, 1, 6, 3, 0), true },		/* to r1 */
		{ SR(FIND, 7, 1, 4, 0), false },	/* haystack (r1, r2) */
		{ SR(FIND, 7, 4, 1, 0), false },	/* needle (r1, r2) */
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		for (j = 0; j < ARRAY_SIZE(ops); j++) {
			struct sysring_insn prog[] = {
				SR_MOVK(9, 1), ops[j].insn, SR_EXIT(9),
			};
			bool faults = bad[i] != ro || ops[j].ro_faults;

			memset(vm->regs, 0, sizeof(vm->regs));
			vm->regs[1] = bad[i];
			vm->regs[2] = 8;
			vm->regs[3] = 16;
			vm->regs[4] = good;
			vm->regs[5] = 8;
			vm->regs[6] = good;
			vm->regs[7] = 0x5a5a;
			sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
			if (faults) {
				sysring_expect_stop(test, vm, SYSRING_STATUS_FAULT,
						    -EFAULT, 1, 2);
				KUNIT_EXPECT_EQ_MSG(test, vm->regs[7], 0x5a5a,
						    "op %u changed r7 and faulted", j);
				if (vm->status != SYSRING_STATUS_FAULT)
					kunit_info(test, "address %#llx, op %u\n",
						   bad[i], j);
			} else {
				sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT,
						    1, 2, 3);
			}
		}
	}
}

static void sysring_vm_fault_partial_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	u64 base = sysring_test_urw(test, 2 * PAGE_SIZE);
	u64 end = base + PAGE_SIZE;
	struct sysring_insn ld[] = {
		SR(LD, 7, 1, SYSRING_MEM_DW, -4), SR_EXIT(7),
	};
	struct sysring_insn copy[] = {
		SR(COPY, 2, 1, 3, 0), SR_EXIT(0),
	};

	/* Unmap the second page: a range that runs into it faults. */
	KUNIT_ASSERT_EQ(test, vm_munmap(end, PAGE_SIZE), 0);

	vm->regs[1] = end - 4;
	sysring_test_run(test, vm, ld, ARRAY_SIZE(ld), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 0, 1, 2);
	vm->regs[1] = end;
	sysring_test_run(test, vm, ld, ARRAY_SIZE(ld), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_FAULT, -EFAULT, 0, 1);

	vm->regs[1] = end - 300;
	vm->regs[2] = base;
	vm->regs[3] = 300;
	sysring_test_run(test, vm, copy, ARRAY_SIZE(copy), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 0, 1, 2);
	vm->regs[3] = 301;
	sysring_test_run(test, vm, copy, ARRAY_SIZE(copy), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_FAULT, -EFAULT, 0, 1);
}

static struct kunit_case sysring_vm_test_cases[] = {
	KUNIT_CASE_PARAM(sysring_vm_alu_test, sysring_alu_gen_params),
	KUNIT_CASE(sysring_vm_div_zero_test),
	KUNIT_CASE(sysring_vm_lddw_test),
	KUNIT_CASE_PARAM(sysring_vm_jmp_test, sysring_jmp_gen_params),
	KUNIT_CASE(sysring_vm_ja_test),
	KUNIT_CASE(sysring_vm_loop_test),
	KUNIT_CASE(sysring_vm_budget_test),
	KUNIT_CASE(sysring_vm_cancel_test),
	KUNIT_CASE(sysring_vm_exit_test),
	KUNIT_CASE_PARAM(sysring_vm_ld_test, sysring_ld_gen_params),
	KUNIT_CASE_PARAM(sysring_vm_st_test, sysring_st_gen_params),
	KUNIT_CASE(sysring_vm_copy_test),
	KUNIT_CASE(sysring_vm_find_test),
	KUNIT_CASE(sysring_vm_find_window_test),
	KUNIT_CASE(sysring_vm_fault_test),
	KUNIT_CASE(sysring_vm_fault_partial_test),
	{}
};

static struct kunit_suite sysring_vm_test_suite = {
	.name = "sysring_vm",
	.test_cases = sysring_vm_test_cases,
};

/* ------------------------------------------------------------------ */
/* sysring_sys: the SYS instruction and its allow-list */

static s64 sysring_test_sys0(struct kunit *test, u32 nr)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn prog[] = { SR(SYS, 0, 0, 0, nr), SR_EXIT(0) };

	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	KUNIT_EXPECT_EQ_MSG(test, vm->status, SYSRING_STATUS_EXIT,
			    "syscall %u: res %lld", nr, vm->res);
	return vm->res;
}

static void sysring_sys_ids_test(struct kunit *test)
{
	pid_t ppid;

	rcu_read_lock();
	ppid = task_tgid_vnr(rcu_dereference(current->real_parent));
	rcu_read_unlock();

	KUNIT_EXPECT_EQ(test, sysring_test_sys0(test, __NR_getpid),
			task_tgid_vnr(current));
	KUNIT_EXPECT_EQ(test, sysring_test_sys0(test, __NR_gettid),
			task_pid_vnr(current));
	KUNIT_EXPECT_EQ(test, sysring_test_sys0(test, __NR_getppid), ppid);
	KUNIT_EXPECT_EQ(test, sysring_test_sys0(test, __NR_getuid),
			from_kuid_munged(current_user_ns(), current_uid()));
	KUNIT_EXPECT_EQ(test, sysring_test_sys0(test, __NR_getegid),
			from_kgid_munged(current_user_ns(), current_egid()));
}

/* Arguments from a register window: pipe2, write, read and close. */
static void sysring_sys_args_test(struct kunit *test)
{
	static const char msg[] = "sysring";
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn prog[] = {
		SR_SYS(0, 10, 2, pipe2),
		SR(LD, 20, 10, SYSRING_MEM_W | SYSRING_MEM_SX, 0),
		SR(LD, 21, 10, SYSRING_MEM_W | SYSRING_MEM_SX, 4),
		SR(MOV_X, 30, 21, 0, 0),
		SR_SYS(1, 30, 3, write),
		SR(MOV_X, 33, 20, 0, 0),
		SR_SYS(2, 33, 3, read),
		SR(MOV_X, 36, 20, 0, 0),
		SR_SYS(3, 36, 1, close),
		SR(MOV_X, 36, 21, 0, 0),
		SR_SYS(4, 36, 1, close),
		SR_EXIT(2),
	};
	u64 base = sysring_test_urw(test, PAGE_SIZE);
	char got[16] = "";

	if (!current->files)
		kunit_skip(test, "no file table in the test thread");
	sysring_test_put(test, base + 64, msg, sizeof(msg));
	vm->regs[10] = base;			/* int fds[2] */
	vm->regs[11] = 0;			/* flags */
	vm->regs[31] = base + 64;		/* write buffer */
	vm->regs[32] = sizeof(msg);
	vm->regs[34] = base + 128;		/* read buffer */
	vm->regs[35] = sizeof(got);
	sysring_test_run(test, vm, prog, ARRAY_SIZE(prog), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, sizeof(msg),
			    ARRAY_SIZE(prog) - 1, ARRAY_SIZE(prog));
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[0], 0, "pipe2");
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[1], sizeof(msg), "write");
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[3], 0, "close read end");
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[4], 0, "close write end");
	KUNIT_EXPECT_NE(test, vm->regs[20], vm->regs[21]);
	sysring_test_get(test, got, base + 128, sizeof(msg));
	KUNIT_EXPECT_STREQ(test, got, msg);
}

static void sysring_sys_error_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn stop[] = {
		SR_MOVK(1, -1), SR_SYS(5, 1, 1, close), SR_MOVK(0, 7),
		SR_EXIT(0),
	};
	struct sysring_insn keep[] = {
		SR_MOVK(1, -1), SR_SYS(5, 1, 1 | SYSRING_SYS_KEEPERR, close),
		SR_MOVK(0, 7), SR_EXIT(5),
	};

	vm->regs[5] = 99;
	sysring_test_run(test, vm, stop, ARRAY_SIZE(stop), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -EBADF, 1, 2);
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[5], 99,
			    "a failed SYS without KEEPERR wrote its register");
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[0], 0, "ran past the failed SYS");

	sysring_test_run(test, vm, keep, ARRAY_SIZE(keep), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, -EBADF, 3, 4);
	KUNIT_EXPECT_EQ(test, (s64)vm->regs[5], -EBADF);
	KUNIT_EXPECT_EQ_MSG(test, vm->regs[0], 7,
			    "KEEPERR did not continue after the error");
}

/* An interrupted call reports -EINTR, never a kernel-internal restart code. */
static void sysring_sys_restart_test(struct kunit *test)
{
	static const struct __kernel_timespec ts = { .tv_sec = 10 };
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_insn stop[] = {
		SR_MOVK(3, 0), SR_SYS(0, 2, 2, nanosleep), SR_EXIT(0),
	};
	struct sysring_insn keep[] = {
		SR_SYS(0, 2, 2 | SYSRING_SYS_KEEPERR, nanosleep), SR_EXIT(0),
	};
	u64 uts = sysring_test_urw(test, PAGE_SIZE);

	sysring_test_put(test, uts, &ts, sizeof(ts));
	vm->regs[2] = uts;
	sysring_test_kill_self(test);
	sysring_test_run(test, vm, stop, ARRAY_SIZE(stop), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -EINTR, 1, 2);
	sysring_test_run(test, vm, keep, ARRAY_SIZE(keep), 100);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, -EINTR, 1, 2);
	sysring_test_unkill();
}

static void sysring_sys_allowed_test(struct kunit *test)
{
	static const u32 allowed[] = {
		__NR_read, __NR_write, __NR_openat, __NR_close, __NR_getpid,
		__NR_pipe2, __NR_futex, __NR_mmap,
	};
	static const u32 refused[] = {
		__NR_fork, __NR_vfork, __NR_clone, __NR_clone3, __NR_execve,
		__NR_execveat, __NR_exit, __NR_exit_group, __NR_rt_sigreturn,
		__NR_rt_sigaction, __NR_ptrace, __NR_seccomp, __NR_prctl,
		__NR_unshare, __NR_setns, __NR_setuid, __NR_bpf,
		__NR_io_uring_setup, __NR_io_uring_enter,
		__NR_sysring_setup, __NR_sysring_enter, __NR_sysring_register,
		SYSRING_PROBE_SYSCALLS, U32_MAX,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(allowed); i++)
		KUNIT_EXPECT_TRUE_MSG(test, sysring_syscall_allowed(allowed[i]),
				      "syscall %u", allowed[i]);
	for (i = 0; i < ARRAY_SIZE(refused); i++)
		KUNIT_EXPECT_FALSE_MSG(test, sysring_syscall_allowed(refused[i]),
				       "syscall %u", refused[i]);
}

/* The checker accepts SYS exactly for the syscalls on the allow-list. */
static void sysring_sys_check_sweep_test(struct kunit *test)
{
	struct sysring_insn prog[2] = { {}, SR_EXIT(0) };
	unsigned int nr, nr_allowed = 0;
	int reason;
	u32 pc;

	for (nr = 0; nr < SYSRING_PROBE_SYSCALLS + 64; nr++) {
		bool ok = sysring_syscall_allowed(nr);

		nr_allowed += ok;
		prog[0] = SR(SYS, 0, 1, 6, nr);
		reason = sysring_check(prog, 2, SYSRING_MAX_PROG_INSNS, &pc);
		KUNIT_EXPECT_EQ_MSG(test, reason,
				    ok ? SYSRING_CHECK_OK : SYSRING_CHECK_BAD_SYSCALL,
				    "syscall %u", nr);
	}
	KUNIT_EXPECT_GT(test, nr_allowed, 100);
}

static struct kunit_case sysring_sys_test_cases[] = {
	KUNIT_CASE(sysring_sys_ids_test),
	KUNIT_CASE(sysring_sys_args_test),
	KUNIT_CASE(sysring_sys_error_test),
	KUNIT_CASE(sysring_sys_restart_test),
	KUNIT_CASE(sysring_sys_allowed_test),
	KUNIT_CASE(sysring_sys_check_sweep_test),
	{}
};

static struct kunit_suite sysring_sys_test_suite = {
	.name = "sysring_sys",
	.test_cases = sysring_sys_test_cases,
};

/* ------------------------------------------------------------------ */
/* sysring_ring: the system calls, from the test kthread */

static long sysring_test_syscall6(u32 nr, u64 a0, u64 a1, u64 a2, u64 a3,
				  u64 a4, u64 a5)
{
#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
	struct pt_regs regs = {
		.di = a0, .si = a1, .dx = a2, .r10 = a3, .r8 = a4, .r9 = a5,
		.orig_ax = nr,
	};

	return x64_sys_call(&regs, nr);
#elif !defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER)
	switch (nr) {
	case __NR_sysring_setup:
		return sys_sysring_setup(a0, u64_to_user_ptr(a1));
	case __NR_sysring_enter:
		return sys_sysring_enter(a0, a1, a2, a3, u64_to_user_ptr(a4),
					 a5);
	case __NR_sysring_register:
		return sys_sysring_register(a0, a1, u64_to_user_ptr(a2), a3);
	}
	return -EOPNOTSUPP;
#else
	return -EOPNOTSUPP;
#endif
}

static long sysring_test_syscall(u32 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	return sysring_test_syscall6(nr, a0, a1, a2, a3, 0, 0);
}

struct sysring_test_ring {
	int fd;
	struct sysring_params p;
	u64 rings;	/* user mapping of SYSRING_OFF_RINGS */
	u64 sqes;	/* user mapping of SYSRING_OFF_SQES */
	u32 sq_tail;
	u32 cq_head;
};

static void sysring_test_close(void *fd)
{
	close_fd((unsigned long)fd);
}

static long sysring_test_setup(struct kunit *test, u32 entries,
			       const struct sysring_params *p, u64 up)
{
	sysring_test_put(test, up, p, sizeof(*p));
	return sysring_test_syscall(__NR_sysring_setup, entries, up, 0, 0);
}

static void sysring_test_ring_init(struct kunit *test,
				   struct sysring_test_ring *r, u32 entries,
				   u32 snap_regs)
{
	struct sysring_params p = { .snap_regs = snap_regs };
	u64 up = sysring_test_urw(test, PAGE_SIZE);
	struct file *file;
	unsigned long addr;
	long fd;

	if (!current->files)
		kunit_skip(test, "no file table in the test thread");
	fd = sysring_test_setup(test, entries, &p, up);
	if (fd == -EOPNOTSUPP)
		kunit_skip(test, "no way to call sysring_setup here");
	KUNIT_ASSERT_GE_MSG(test, fd, 0, "sysring_setup(%u)", entries);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, sysring_test_close,
							(void *)fd), 0);
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	sysring_test_get(test, &r->p, up, sizeof(r->p));

	file = fget(fd);
	KUNIT_ASSERT_NOT_NULL(test, file);
	KUNIT_EXPECT_PTR_EQ(test, file->f_op, &sysring_fops);
	addr = kunit_vm_mmap(test, file, 0, r->p.rings_size,
			     PROT_READ | PROT_WRITE, MAP_SHARED,
			     SYSRING_OFF_RINGS);
	r->rings = addr;
	addr = kunit_vm_mmap(test, file, 0, r->p.sqes_size,
			     PROT_READ | PROT_WRITE, MAP_SHARED,
			     SYSRING_OFF_SQES);
	r->sqes = addr;
	fput(file);
	KUNIT_ASSERT_FALSE_MSG(test, !r->rings || IS_ERR_VALUE(r->rings),
			       "mmap of the rings: %lld", (s64)r->rings);
	KUNIT_ASSERT_FALSE_MSG(test, !r->sqes || IS_ERR_VALUE(r->sqes),
			       "mmap of the SQEs: %lld", (s64)r->sqes);
}

static u32 sysring_test_ring_u32(struct kunit *test,
				 struct sysring_test_ring *r, u32 off)
{
	u32 v;

	sysring_test_get(test, &v, r->rings + off, sizeof(v));
	return v;
}

/* Queue @n SQEs: write them and publish the new SQ tail. */
static void sysring_test_queue(struct kunit *test, struct sysring_test_ring *r,
			       const struct sysring_sqe *sqes, u32 n)
{
	u32 mask = r->p.sq_entries - 1;
	u32 i;

	for (i = 0; i < n; i++)
		sysring_test_put(test, r->sqes + ((r->sq_tail + i) & mask) *
				 sizeof(*sqes), &sqes[i], sizeof(*sqes));
	r->sq_tail += n;
	sysring_test_put(test, r->rings + r->p.sq_off.tail, &r->sq_tail,
			 sizeof(r->sq_tail));
}

static long sysring_test_enter(struct sysring_test_ring *r, u32 to_submit)
{
	return sysring_test_syscall(__NR_sysring_enter, r->fd, to_submit, 0, 0);
}

/* Queue @n SQEs and submit them; expect all @n to be consumed. */
static void sysring_test_submit(struct kunit *test, struct sysring_test_ring *r,
				const struct sysring_sqe *sqes, u32 n)
{
	long ret;

	sysring_test_queue(test, r, sqes, n);
	ret = sysring_test_enter(r, n);
	KUNIT_ASSERT_EQ_MSG(test, ret, n, "sysring_enter(%u)", n);
	KUNIT_EXPECT_EQ_MSG(test, sysring_test_ring_u32(test, r, r->p.sq_off.head),
			    r->sq_tail, "sq head after submission");
}

/* Reap the next CQE into @cqe (and its registers into @regs). */
static void sysring_test_reap(struct kunit *test, struct sysring_test_ring *r,
			      struct sysring_cqe *cqe, u64 *regs)
{
	u32 mask = r->p.cq_entries - 1;
	u64 at;

	KUNIT_ASSERT_NE_MSG(test, sysring_test_ring_u32(test, r, r->p.cq_off.tail),
			    r->cq_head, "no completion to reap");
	at = r->rings + r->p.cq_off.cqes + (r->cq_head & mask) * r->p.cqe_size;
	sysring_test_get(test, cqe, at, sizeof(*cqe));
	if (regs)
		sysring_test_get(test, regs, at + sizeof(*cqe),
				 r->p.cqe_size - sizeof(*cqe));
	r->cq_head++;
	sysring_test_put(test, r->rings + r->p.cq_off.head, &r->cq_head,
			 sizeof(r->cq_head));
}

static void sysring_expect_cqe(struct kunit *test, const struct sysring_cqe *cqe,
			       u64 user_data, u8 status, s64 res, u16 pc)
{
	KUNIT_EXPECT_EQ_MSG(test, cqe->user_data, user_data, "cqe user_data");
	KUNIT_EXPECT_EQ_MSG(test, cqe->status, status, "cqe %llu status (res %lld)",
			    user_data, cqe->res);
	KUNIT_EXPECT_EQ_MSG(test, cqe->res, res, "cqe %llu res", user_data);
	KUNIT_EXPECT_EQ_MSG(test, cqe->pc, pc, "cqe %llu pc", user_data);
}

static void sysring_ring_setup_test(struct kunit *test)
{
	struct sysring_test_ring r;

	sysring_test_ring_init(test, &r, 3, 8);
	KUNIT_EXPECT_EQ(test, r.p.magic, SYSRING_MAGIC);
	KUNIT_EXPECT_EQ(test, r.p.sq_entries, 4);
	KUNIT_EXPECT_EQ(test, r.p.cq_entries, 8);
	KUNIT_EXPECT_EQ(test, r.p.snap_regs, 8);
	KUNIT_EXPECT_EQ(test, r.p.budget, SYSRING_DEFAULT_BUDGET);
	KUNIT_EXPECT_EQ(test, r.p.sqe_size, sizeof(struct sysring_sqe));
	KUNIT_EXPECT_EQ(test, r.p.cqe_size, sizeof(struct sysring_cqe) + 8 * 8);
	KUNIT_EXPECT_TRUE(test, r.p.features & SYSRING_FEAT_INLINE);
	KUNIT_EXPECT_TRUE(test, r.p.features & SYSRING_FEAT_PROGS);
	KUNIT_EXPECT_GE(test, r.p.rings_size,
			r.p.cq_off.cqes + r.p.cq_entries * r.p.cqe_size);
	KUNIT_EXPECT_GE(test, r.p.sqes_size,
			r.p.sq_entries * sizeof(struct sysring_sqe));

	/* The header as userspace sees it through the mapping. */
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.sq_off.ring_entries), 4);
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.sq_off.ring_mask), 3);
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.cq_off.ring_entries), 8);
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.cq_off.ring_mask), 7);
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.sq_off.head), 0);
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.cq_off.tail), 0);

	/* Nothing queued: nothing to do. */
	KUNIT_EXPECT_EQ(test, sysring_test_syscall(__NR_sysring_enter, r.fd, 4,
						   0, 0), 0);
	KUNIT_EXPECT_EQ(test, sysring_test_syscall(__NR_sysring_enter, r.fd, 0,
						   0, ~0U), -EINVAL);
	KUNIT_EXPECT_EQ(test, sysring_test_syscall(__NR_sysring_enter, -1, 1,
						   0, 0), -EBADF);
}

static void sysring_ring_setup_invalid_test(struct kunit *test)
{
	static const struct {
		const char *desc;
		u32 entries;
		struct sysring_params p;
	} bad[] = {
		{ "0 entries", 0, {} },
		{ "too many entries", SYSRING_MAX_ENTRIES + 1, {} },
		{ "3 snapshot registers", 4, { .snap_regs = 3 } },
		{ "128 snapshot registers", 4, { .snap_regs = 128 } },
		{ "budget over the limit", 4, { .budget = SYSRING_MAX_BUDGET + 1 } },
		{ "unknown flag", 4, { .flags = 1U << 31 } },
		{ "reserved field", 4, { .__resv = { 0, 0, 1 } } },
		{ "idle time without SQPOLL", 4, { .sq_thread_idle = 1 } },
		{ "idle time over the limit", 4, { .flags = SYSRING_SETUP_SQPOLL,
		  .sq_thread_idle = SYSRING_MAX_SQ_THREAD_IDLE + 1 } },
		{ "too many workers", 4,
		  { .max_workers = SYSRING_MAX_WORKERS + 1 } },
		{ "cq smaller than sq", 8,
		  { .flags = SYSRING_SETUP_CQSIZE, .cq_entries = 4 } },
		{ "cq too large", 8, { .flags = SYSRING_SETUP_CQSIZE,
				       .cq_entries = SYSRING_MAX_CQ_ENTRIES + 1 } },
	};
	u64 up = sysring_test_urw(test, PAGE_SIZE);
	unsigned int i;
	long ret;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ret = sysring_test_setup(test, bad[i].entries, &bad[i].p, up);
		if (ret == -EOPNOTSUPP)
			kunit_skip(test, "no way to call sysring_setup here");
		if (ret >= 0)
			close_fd(ret);
		KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "%s", bad[i].desc);
	}
	ret = sysring_test_syscall(__NR_sysring_setup, 4, 0, 0, 0);
	if (ret >= 0)
		close_fd(ret);
	KUNIT_EXPECT_EQ_MSG(test, ret, -EFAULT, "NULL params");
}

static void sysring_ring_enter_test(struct kunit *test)
{
	struct sysring_sqe sqe = {
		.user_data = 0x1234567890abcdefULL,
		.ninsns = 4,
		.nregs = 2,
		.reg_base = 10,
		.snap_base = 8,
		.regs = { 40, 2 },
		.insns = {
			SR(MOV_X, 8, 10, 0, 0),
			SR(ADD_X, 8, 11, 0, 0),
			SR(SUB_K, 11, 0, 0, 1),
			SR_EXIT(8),
		},
	};
	struct sysring_test_ring r;
	struct sysring_cqe cqe;
	u64 regs[4];

	sysring_test_ring_init(test, &r, 4, 4);
	sysring_test_submit(test, &r, &sqe, 1);
	sysring_test_reap(test, &r, &cqe, regs);
	sysring_expect_cqe(test, &cqe, sqe.user_data, SYSRING_STATUS_EXIT, 42, 3);
	KUNIT_EXPECT_EQ(test, cqe.insns, 4);
	KUNIT_EXPECT_EQ(test, cqe.reg_base, 8);
	KUNIT_EXPECT_EQ(test, cqe.nregs, 4);
	KUNIT_EXPECT_EQ(test, regs[0], 42);	/* r8 */
	KUNIT_EXPECT_EQ(test, regs[1], 0);	/* r9 */
	KUNIT_EXPECT_EQ(test, regs[2], 40);	/* r10 */
	KUNIT_EXPECT_EQ(test, regs[3], 1);	/* r11 */

	/* Unlinked blocks start from a clean register file. */
	sqe.nregs = 0;
	memset(sqe.regs, 0, sizeof(sqe.regs));
	sqe.user_data = 2;
	sysring_test_submit(test, &r, &sqe, 1);
	sysring_test_reap(test, &r, &cqe, regs);
	sysring_expect_cqe(test, &cqe, 2, SYSRING_STATUS_EXIT, 0, 3);
	KUNIT_EXPECT_EQ(test, regs[3], (u64)-1);
}

/* SQEs refused before they run: SYSRING_STATUS_INVALID. */
struct sysring_sqe_case {
	const char *desc;
	struct sysring_sqe sqe;
	s64 res;
	int reason;
	u16 pc;
};

#define SQE_EXIT0	.ninsns = 1, .insns = { SR_EXIT(0) }

static const struct sysring_sqe_case sysring_sqe_cases[] = {
	{ "unknown opcode at pc 1",
	  { .ninsns = 3, .insns = { SR_MOVK(0, 1),
		SR_RAW(0x76, 0, 0, 0, 0), SR_EXIT(0) } },
	  -EINVAL, SYSRING_CHECK_BAD_OPCODE, 1 },
	{ "no instructions", { .ninsns = 0 }, -EINVAL, SYSRING_CHECK_EMPTY, 0 },
	{ "falls off the end", { .ninsns = 2,
	  .insns = { SR_EXIT(0), SR_MOVK(0, 1) } },
	  -EINVAL, SYSRING_CHECK_NO_EXIT, 1 },
	{ "ninsns 7", { .ninsns = SYSRING_SQE_INSNS + 1, .insns = { SR_EXIT(0) } },
	  -EINVAL },
	{ "unused instruction slot set", { .ninsns = 1,
	  .insns = { SR_EXIT(0), SR_EXIT(0) } }, -EINVAL },
	{ "__resv1 set", { SQE_EXIT0, .__resv1 = 1 }, -EINVAL },
	{ "__resv2 set", { SQE_EXIT0, .__resv2 = 1 }, -EINVAL },
	{ "nregs 7", { SQE_EXIT0, .nregs = SYSRING_SQE_REGS + 1 }, -EINVAL },
	{ "registers past r255", { SQE_EXIT0, .reg_base = 252, .nregs = 5 },
	  -EINVAL },
	{ "value past nregs", { SQE_EXIT0, .nregs = 1, .regs = { 1, 2 } },
	  -EINVAL },
	{ "budget over the limit",
	  { SQE_EXIT0, .budget = SYSRING_MAX_BUDGET + 1 }, -EINVAL },
	{ "flag 0x20", { SQE_EXIT0, .flags = SYSRING_SQE_ASYNC << 1 }, -EINVAL },
	{ "flag 0x8000", { SQE_EXIT0, .flags = 0x8000 }, -EINVAL },
	{ "prog index without the PROG flag", { SQE_EXIT0, .prog = 1 },
	  -EINVAL },
	{ "PROG flag with inline instructions",
	  { SQE_EXIT0, .flags = SYSRING_SQE_PROG }, -EINVAL },
	{ "PROG flag, nothing registered", { .flags = SYSRING_SQE_PROG },
	  -ENOENT },
};

KUNIT_ARRAY_PARAM_DESC(sysring_sqe, sysring_sqe_cases, desc);

static void sysring_ring_invalid_sqe_test(struct kunit *test)
{
	const struct sysring_sqe_case *c = test->param_value;
	struct sysring_sqe sqe = c->sqe;
	struct sysring_test_ring r;
	struct sysring_cqe cqe;

	sysring_test_ring_init(test, &r, 1, 0);
	KUNIT_EXPECT_EQ(test, r.p.cqe_size, sizeof(struct sysring_cqe));
	sqe.user_data = 0xabcd;
	sysring_test_submit(test, &r, &sqe, 1);
	sysring_test_reap(test, &r, &cqe, NULL);
	sysring_expect_cqe(test, &cqe, 0xabcd, SYSRING_STATUS_INVALID, c->res,
			   c->pc);
	KUNIT_EXPECT_EQ(test, cqe.reason, c->reason);
	KUNIT_EXPECT_EQ(test, cqe.insns, 0);
}

/* The CQE snapshot stops at r255; the rest of its slot is zeroed. */
static void sysring_ring_snapshot_test(struct kunit *test)
{
	struct sysring_sqe a = {
		.user_data = 1, .nregs = 4, .regs = { 1, 2, 3, 4 },
		SQE_EXIT0,
	};
	struct sysring_sqe b = {
		.user_data = 3, .snap_base = 254, .ninsns = 3,
		.insns = { SR_MOVK(254, 7), SR_MOVK(255, 8), SR_EXIT(255) },
	};
	struct sysring_test_ring r;
	struct sysring_cqe cqe;
	u64 regs[4];

	sysring_test_ring_init(test, &r, 1, 4);
	KUNIT_ASSERT_EQ(test, r.p.cq_entries, 2);
	sysring_test_submit(test, &r, &a, 1);
	sysring_test_reap(test, &r, &cqe, regs);
	KUNIT_EXPECT_EQ(test, cqe.nregs, 4);
	KUNIT_EXPECT_EQ(test, regs[3], 4);
	a.user_data = 2;
	sysring_test_submit(test, &r, &a, 1);
	sysring_test_reap(test, &r, &cqe, regs);

	/* Same CQ slot as the first one. */
	sysring_test_submit(test, &r, &b, 1);
	sysring_test_reap(test, &r, &cqe, regs);
	sysring_expect_cqe(test, &cqe, 3, SYSRING_STATUS_EXIT, 8, 2);
	KUNIT_EXPECT_EQ(test, cqe.reg_base, 254);
	KUNIT_EXPECT_EQ(test, cqe.nregs, 2);
	KUNIT_EXPECT_EQ(test, regs[0], 7);
	KUNIT_EXPECT_EQ(test, regs[1], 8);
	KUNIT_EXPECT_EQ_MSG(test, regs[2], 0, "stale snapshot register");
	KUNIT_EXPECT_EQ_MSG(test, regs[3], 0, "stale snapshot register");
}

static void sysring_ring_link_test(struct kunit *test)
{
	struct sysring_sqe sqes[5] = {
		{ .user_data = 1, .flags = SYSRING_SQE_LINK, .ninsns = 2,
		  .insns = { SR_MOVK(1, 5), SR_EXIT(1) } },
		{ .user_data = 2, .ninsns = 2,
		  .insns = { SR(ADD_K, 1, 0, 0, 1), SR_EXIT(1) } },
		{ .user_data = 3, .flags = SYSRING_SQE_LINK, .ninsns = 3,
		  .insns = { SR_MOVK(1, -1), SR_SYS(0, 1, 1, close),
			     SR_EXIT(0) } },
		{ .user_data = 4, .flags = SYSRING_SQE_HARDLINK, .ninsns = 1,
		  .insns = { SR_EXIT(1) } },
		{ .user_data = 5, .ninsns = 1, .insns = { SR_EXIT(1) } },
	};
	struct sysring_test_ring r;
	struct sysring_cqe cqe;

	sysring_test_ring_init(test, &r, 8, 4);
	sysring_test_submit(test, &r, sqes, 5);
	sysring_test_reap(test, &r, &cqe, NULL);
	sysring_expect_cqe(test, &cqe, 1, SYSRING_STATUS_EXIT, 5, 1);
	/* The chain shares one register file. */
	sysring_test_reap(test, &r, &cqe, NULL);
	sysring_expect_cqe(test, &cqe, 2, SYSRING_STATUS_EXIT, 6, 1);
	sysring_test_reap(test, &r, &cqe, NULL);
	sysring_expect_cqe(test, &cqe, 3, SYSRING_STATUS_ERROR, -EBADF, 1);
	sysring_test_reap(test, &r, &cqe, NULL);
	sysring_expect_cqe(test, &cqe, 4, SYSRING_STATUS_CANCELED, -ECANCELED, 0);
	sysring_test_reap(test, &r, &cqe, NULL);
	sysring_expect_cqe(test, &cqe, 5, SYSRING_STATUS_CANCELED, -ECANCELED, 0);
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.cq_off.tail), 5);
}

/* Register the @n instructions at @insns, claiming they are @len. */
static long sysring_test_register(struct kunit *test,
				  struct sysring_test_ring *r, u64 ureg,
				  const struct sysring_insn *insns, u32 n,
				  u32 len, struct sysring_prog_reg *reg)
{
	u64 uinsns = ureg + 64;
	long ret;

	sysring_test_put(test, uinsns, insns, n * sizeof(*insns));
	memset(reg, 0, sizeof(*reg));
	reg->insns = uinsns;
	reg->len = len;
	sysring_test_put(test, ureg, reg, sizeof(*reg));
	ret = sysring_test_syscall(__NR_sysring_register, r->fd,
				   SYSRING_REGISTER_PROG, ureg, 1);
	sysring_test_get(test, reg, ureg, sizeof(*reg));
	return ret;
}

static void sysring_ring_register_test(struct kunit *test)
{
	struct sysring_insn bad[] = {
		SR_MOVK(1, 1), SR_MOVK(2, 1), SR(LSH_K, 1, 0, 0, 64), SR_EXIT(1),
	};
	struct sysring_sqe sqe = {
		.user_data = 7, .flags = SYSRING_SQE_PROG, .budget = 1000,
		.nregs = 1, .reg_base = 1, .regs = { 3 },
	};
	u64 ureg = sysring_test_urw(test, 2 * PAGE_SIZE);
	u32 len = ARRAY_SIZE(sysring_loop_prog);
	struct sysring_prog_reg reg;
	struct sysring_test_ring r;
	struct sysring_cqe cqe;
	long idx, ret;

	sysring_test_ring_init(test, &r, 4, 4);

	idx = sysring_test_register(test, &r, ureg, sysring_loop_prog, len, len,
				    &reg);
	KUNIT_ASSERT_GE_MSG(test, idx, 0, "register (reason %u at %u)",
			    reg.reason, reg.pc);
	KUNIT_EXPECT_EQ(test, reg.index, idx);
	KUNIT_EXPECT_EQ(test, reg.reason, SYSRING_CHECK_OK);

	ret = sysring_test_register(test, &r, ureg, bad, ARRAY_SIZE(bad),
				    ARRAY_SIZE(bad), &reg);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	KUNIT_EXPECT_EQ(test, reg.reason, SYSRING_CHECK_BAD_SHIFT);
	KUNIT_EXPECT_EQ(test, reg.pc, 2);

	ret = sysring_test_register(test, &r, ureg, bad, ARRAY_SIZE(bad),
				    SYSRING_MAX_PROG_INSNS + 1, &reg);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	KUNIT_EXPECT_EQ(test, reg.reason, SYSRING_CHECK_TOO_LONG);

	sqe.prog = idx;
	sysring_test_submit(test, &r, &sqe, 1);
	sysring_test_reap(test, &r, &cqe, NULL);
	sysring_expect_cqe(test, &cqe, 7, SYSRING_STATUS_EXIT, 30, 5);
	KUNIT_EXPECT_EQ(test, cqe.insns, 33);

	/* The SQE's budget applies to registered programs too. */
	sqe.budget = 10;
	sysring_test_submit(test, &r, &sqe, 1);
	sysring_test_reap(test, &r, &cqe, NULL);
	KUNIT_EXPECT_EQ(test, cqe.status, SYSRING_STATUS_BUDGET);
	KUNIT_EXPECT_EQ(test, cqe.res, -ETIME);
	KUNIT_EXPECT_EQ(test, cqe.insns, 10);

	KUNIT_EXPECT_EQ(test, sysring_test_syscall(__NR_sysring_register, r.fd,
						   SYSRING_UNREGISTER_PROG, 0,
						   idx), 0);
	KUNIT_EXPECT_EQ(test, sysring_test_syscall(__NR_sysring_register, r.fd,
						   SYSRING_UNREGISTER_PROG, 0,
						   idx), -ENOENT);
	sqe.budget = 0;
	sysring_test_submit(test, &r, &sqe, 1);
	sysring_test_reap(test, &r, &cqe, NULL);
	sysring_expect_cqe(test, &cqe, 7, SYSRING_STATUS_INVALID, -ENOENT, 0);
}

/* A chain is never split by to_submit, and never runs unfinished. */
static void sysring_ring_chain_whole_test(struct kunit *test)
{
	struct sysring_sqe sqes[3] = {
		{ .user_data = 1, .flags = SYSRING_SQE_LINK, .ninsns = 2,
		  .insns = { SR_MOVK(1, 5), SR_EXIT(1) } },
		{ .user_data = 2, .ninsns = 2,
		  .insns = { SR(ADD_K, 1, 0, 0, 1), SR_EXIT(1) } },
		{ .user_data = 3, .flags = SYSRING_SQE_LINK, .ninsns = 1,
		  .insns = { SR_EXIT(1) } },
	};
	struct sysring_test_ring r;
	struct sysring_cqe cqe;

	sysring_test_ring_init(test, &r, 4, 0);
	sysring_test_queue(test, &r, sqes, 3);
	KUNIT_EXPECT_EQ_MSG(test, sysring_test_enter(&r, 1), 2,
			    "to_submit 1 inside a chain of 2");
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.sq_off.head), 2);
	sysring_test_reap(test, &r, &cqe, NULL);
	sysring_expect_cqe(test, &cqe, 1, SYSRING_STATUS_EXIT, 5, 1);
	sysring_test_reap(test, &r, &cqe, NULL);
	sysring_expect_cqe(test, &cqe, 2, SYSRING_STATUS_EXIT, 6, 1);

	/* The last queued entry links to nothing: refused, not run. */
	KUNIT_EXPECT_EQ(test, sysring_test_enter(&r, 1), 1);
	sysring_test_reap(test, &r, &cqe, NULL);
	sysring_expect_cqe(test, &cqe, 3, SYSRING_STATUS_INVALID, -EINVAL, 0);
	KUNIT_EXPECT_EQ(test, cqe.reason, SYSRING_CHECK_OK);
	KUNIT_EXPECT_EQ(test, cqe.insns, 0);
}

/*
 * A full CQ overflows: completions wait on the list, the SQ flag says so,
 * and any sysring_enter() moves them in, in order, once CQEs are consumed.
 */
static void sysring_ring_cq_full_test(struct kunit *test)
{
	struct sysring_sqe sqes[4];
	struct sysring_test_ring r;
	struct sysring_ctx *ctx;
	struct sysring_cqe cqe;
	struct file *file;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sqes); i++)
		sqes[i] = (struct sysring_sqe){
			.user_data = 100 + i, .ninsns = 2,
			.insns = { SR_MOVK(0, i), SR_EXIT(0) },
		};
	sysring_test_ring_init(test, &r, 4, 0);
	KUNIT_ASSERT_EQ(test, r.p.cq_entries, 8);
	KUNIT_EXPECT_TRUE(test, r.p.features & SYSRING_FEAT_NODROP);
	file = fget(r.fd);
	KUNIT_ASSERT_NOT_NULL(test, file);
	ctx = file->private_data;
	fput(file);

	for (i = 0; i < 3; i++)
		sysring_test_submit(test, &r, sqes, 4);
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.cq_off.tail), 8);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->ex.nr_ovf), 4);
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.sq_off.flags),
			SYSRING_SQ_CQ_OVERFLOW);
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.cq_off.overflow), 0);

	for (i = 0; i < 8; i++) {
		sysring_test_reap(test, &r, &cqe, NULL);
		sysring_expect_cqe(test, &cqe, 100 + i % 4, SYSRING_STATUS_EXIT,
				   i % 4, 1);
	}
	/* Reaped, not yet moved: an enter that does nothing else moves them. */
	KUNIT_EXPECT_EQ(test, sysring_test_enter(&r, 0), 0);
	KUNIT_EXPECT_EQ(test, sysring_test_ring_u32(test, &r, r.p.sq_off.flags), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->ex.nr_ovf), 0);
	for (i = 0; i < 4; i++) {
		sysring_test_reap(test, &r, &cqe, NULL);
		sysring_expect_cqe(test, &cqe, 100 + i, SYSRING_STATUS_EXIT, i, 1);
	}
}

/* SYSRING_ENTER_EXT_ARG: a wait with a timeout ends with -ETIME. */
static void sysring_ring_ext_arg_test(struct kunit *test)
{
	struct __kernel_timespec ts = { .tv_nsec = 10 * NSEC_PER_MSEC };
	u64 uts = sysring_test_urw(test, PAGE_SIZE);
	struct sysring_getevents_arg arg = { .ts = uts };
	u64 uarg = uts + 64;
	struct sysring_test_ring r;
	u32 flags = SYSRING_ENTER_GETEVENTS | SYSRING_ENTER_EXT_ARG;

	sysring_test_ring_init(test, &r, 4, 0);
	KUNIT_EXPECT_TRUE(test, r.p.features & SYSRING_FEAT_EXT_ARG);
	sysring_test_put(test, uts, &ts, sizeof(ts));
	sysring_test_put(test, uarg, &arg, sizeof(arg));
	KUNIT_EXPECT_EQ(test, sysring_test_syscall6(__NR_sysring_enter, r.fd, 0,
						    1, flags, uarg,
						    sizeof(arg)), -ETIME);
	KUNIT_EXPECT_EQ(test, sysring_test_syscall6(__NR_sysring_enter, r.fd, 0,
						    1, flags, uarg,
						    sizeof(arg) - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, sysring_test_syscall6(__NR_sysring_enter, r.fd, 0,
						    0, 0, uarg, 0), -EINVAL);
}

static void sysring_ring_probe_test(struct kunit *test)
{
	u64 up = sysring_test_urw(test, PAGE_SIZE);
	struct sysring_probe *probe;
	struct sysring_test_ring r;
	unsigned int i;
	long ret;

	probe = kunit_kzalloc(test, sizeof(*probe), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, probe);
	sysring_test_ring_init(test, &r, 1, 0);
	ret = sysring_test_syscall(__NR_sysring_register, r.fd,
				   SYSRING_REGISTER_PROBE, up, 0);
	KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "probe with nr_args 0");
	ret = sysring_test_syscall(__NR_sysring_register, r.fd,
				   SYSRING_REGISTER_PROBE, up, 1);
	KUNIT_ASSERT_EQ(test, ret, 0);
	sysring_test_get(test, probe, up, sizeof(*probe));

	for (i = 0; i < 256; i++)
		KUNIT_EXPECT_EQ_MSG(test, !!(probe->ops[i / 64] & BIT_ULL(i % 64)),
				    sysring_is_uapi_op(i), "probe: opcode %#x", i);
	for (i = 0; i < SYSRING_PROBE_SYSCALLS; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    !!(probe->syscalls[i / 64] & BIT_ULL(i % 64)),
				    sysring_syscall_allowed(i),
				    "probe: syscall %u", i);
	KUNIT_EXPECT_EQ(test, probe->max_prog_insns, SYSRING_MAX_PROG_INSNS);
	KUNIT_EXPECT_EQ(test, probe->max_budget, SYSRING_MAX_BUDGET);

	/* A probe with a non-zero input is refused. */
	probe->__resv[0] = 1;
	sysring_test_put(test, up, probe, sizeof(*probe));
	ret = sysring_test_syscall(__NR_sysring_register, r.fd,
				   SYSRING_REGISTER_PROBE, up, 1);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
}

static void sysring_ring_mmap_test(struct kunit *test)
{
	struct sysring_test_ring r;
	struct file *file;
	unsigned long addr;

	sysring_test_ring_init(test, &r, 4, 0);
	file = fget(r.fd);
	KUNIT_ASSERT_NOT_NULL(test, file);
	/* Another offset, or a length past the region, is refused. */
	addr = vm_mmap(file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, PAGE_SIZE);
	KUNIT_EXPECT_TRUE_MSG(test, IS_ERR_VALUE(addr), "mmap at offset 4096");
	if (!IS_ERR_VALUE(addr))
		vm_munmap(addr, PAGE_SIZE);
	addr = vm_mmap(file, 0, r.p.sqes_size + PAGE_SIZE, PROT_READ,
		       MAP_SHARED, SYSRING_OFF_SQES);
	KUNIT_EXPECT_TRUE_MSG(test, IS_ERR_VALUE(addr), "mmap past the SQEs");
	if (!IS_ERR_VALUE(addr))
		vm_munmap(addr, r.p.sqes_size + PAGE_SIZE);
	/* Only shared, never executable. */
	addr = vm_mmap(file, 0, r.p.sqes_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE, SYSRING_OFF_SQES);
	KUNIT_EXPECT_TRUE_MSG(test, IS_ERR_VALUE(addr), "private mapping");
	if (!IS_ERR_VALUE(addr))
		vm_munmap(addr, r.p.sqes_size);
	addr = vm_mmap(file, 0, r.p.rings_size, PROT_READ | PROT_EXEC,
		       MAP_SHARED, SYSRING_OFF_RINGS);
	KUNIT_EXPECT_TRUE_MSG(test, IS_ERR_VALUE(addr), "executable mapping");
	if (!IS_ERR_VALUE(addr))
		vm_munmap(addr, r.p.rings_size);
	fput(file);
}

static struct kunit_case sysring_ring_test_cases[] = {
	KUNIT_CASE(sysring_ring_setup_test),
	KUNIT_CASE(sysring_ring_setup_invalid_test),
	KUNIT_CASE(sysring_ring_enter_test),
	KUNIT_CASE_PARAM(sysring_ring_invalid_sqe_test, sysring_sqe_gen_params),
	KUNIT_CASE(sysring_ring_snapshot_test),
	KUNIT_CASE(sysring_ring_link_test),
	KUNIT_CASE(sysring_ring_chain_whole_test),
	KUNIT_CASE(sysring_ring_cq_full_test),
	KUNIT_CASE(sysring_ring_ext_arg_test),
	KUNIT_CASE(sysring_ring_register_test),
	KUNIT_CASE(sysring_ring_probe_test),
	KUNIT_CASE(sysring_ring_mmap_test),
	{}
};

static struct kunit_suite sysring_ring_test_suite = {
	.name = "sysring_ring",
	.test_cases = sysring_ring_test_cases,
};

/* ------------------------------------------------------------------ */
/*
 * sysring_async: the shared submission path's side of SYSRING_SQE_ASYNC
 * (CQ reservations, hand-off of a chain to a worker, program references),
 * on a ring in kernel memory with test ops standing in for the worker pool.
 */

#define SR_ASYNC_SQ	4
#define SR_ASYNC_CQ	8
#define SR_ASYNC_WORK	32

struct sysring_test_exec {
	struct sysring_exec	ex;
	struct kunit		*test;
	struct sysring_work	*queued[SR_ASYNC_WORK];
	unsigned int		nqueued;
	int			queue_err;	/* what work_queue returns */
	unsigned int		posted;
	unsigned int		freed_progs;
	unsigned int		live_works;
	struct sysring_prog	*prog;		/* index 0 */
	/* inline_step: the entry running, calls, and a user_data to cancel. */
	struct sysring_chain_ent *step_ent;
	unsigned int		steps;
	unsigned int		step_ends;
	unsigned int		step_marks;
	u64			step_cancel;
};

static struct sysring_test_exec *sysring_tex(struct sysring_exec *ex)
{
	return container_of(ex, struct sysring_test_exec, ex);
}

static const struct sysring_prog *
sysring_tex_prog_get(struct sysring_exec *ex, u32 index)
{
	struct sysring_test_exec *t = sysring_tex(ex);

	if (index || !t->prog)
		return NULL;
	refcount_inc(&t->prog->refs);
	return t->prog;
}

static void sysring_tex_prog_put(struct sysring_exec *ex,
				 const struct sysring_prog *prog)
{
	struct sysring_prog *p = (struct sysring_prog *)prog;

	if (refcount_dec_and_test(&p->refs)) {
		sysring_tex(ex)->freed_progs++;
		kfree(p);
	}
}

static struct sysring_work *sysring_tex_work_alloc(struct sysring_exec *ex,
						   u32 nr)
{
	struct sysring_work *work;

	work = kzalloc(struct_size(work, ents, nr), GFP_KERNEL);
	if (work)
		sysring_tex(ex)->live_works++;
	return work;
}

static void sysring_tex_work_free(struct sysring_exec *ex,
				  struct sysring_work *work)
{
	sysring_tex(ex)->live_works--;
	kfree(work);
}

static int sysring_tex_work_queue(struct sysring_exec *ex,
				  struct sysring_work *work)
{
	struct sysring_test_exec *t = sysring_tex(ex);

	if (t->queue_err)
		return t->queue_err;
	if (t->nqueued == SR_ASYNC_WORK)
		return -ENOSPC;
	t->queued[t->nqueued++] = work;
	return 0;
}

static void sysring_tex_nop(struct sysring_exec *ex)
{
}

static void sysring_tex_posted(struct sysring_exec *ex)
{
	sysring_tex(ex)->posted++;
}

/* What an SQPOLL thread's environment sees, and a cancel as a block starts. */
static void sysring_tex_inline_step(struct sysring_exec *ex,
				    struct sysring_chain_ent *ent)
{
	struct sysring_test_exec *t = sysring_tex(ex);
	struct sysring_cancel_reg reg = { .user_data = t->step_cancel };

	/* Strictly alternating: an entry, then NULL once it has posted. */
	KUNIT_EXPECT_NE(t->test, !ent, !t->step_ent);
	t->step_ent = ent;
	if (!ent) {
		t->step_ends++;
		return;
	}
	t->steps++;
	if (t->step_cancel && sysring_cancel_ent(ent, &reg))
		t->step_marks++;
}

static const struct sysring_exec_ops sysring_tex_ops = {
	.prog_get	= sysring_tex_prog_get,
	.prog_put	= sysring_tex_prog_put,
	.work_alloc	= sysring_tex_work_alloc,
	.work_free	= sysring_tex_work_free,
	.work_queue	= sysring_tex_work_queue,
	.cq_lock	= sysring_tex_nop,
	.cq_unlock	= sysring_tex_nop,
	.cq_posted	= sysring_tex_posted,
	.inline_step	= sysring_tex_inline_step,
};

static void sysring_tex_exit(void *data)
{
	struct sysring_test_exec *t = data;
	unsigned int i;

	for (i = 0; i < t->nqueued; i++)
		if (t->queued[i])
			sysring_work_free(&t->ex, t->queued[i]);
	if (t->prog)
		sysring_tex_prog_put(&t->ex, t->prog);
}

static void sysring_tex_cq_free(void *data)
{
	struct sysring_test_exec *t = data;

	sysring_cq_free(&t->ex);
}

/* r5 = 42; EXIT r5 */
static const struct sysring_insn sysring_tex_prog_insns[] = {
	SR_MOVK(5, 42), SR_EXIT(5),
};

static struct sysring_test_exec *sysring_tex_init(struct kunit *test, bool ops)
{
	struct sysring_params p = { .snap_regs = 8 };
	struct sysring_test_exec *t;
	struct sysring_prog *prog;
	u32 n = ARRAY_SIZE(sysring_tex_prog_insns);

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	p.flags = SYSRING_SETUP_CQSIZE;
	p.cq_entries = SR_ASYNC_CQ;
	KUNIT_ASSERT_EQ(test, sysring_params_check(SR_ASYNC_SQ, &p), 0);
	sysring_exec_init(&t->ex, &p);
	t->ex.rings = kunit_kzalloc(test, sysring_rings_bytes(&t->ex),
				    GFP_KERNEL);
	t->ex.sqes = kunit_kzalloc(test, sysring_sqes_bytes(&t->ex),
				   GFP_KERNEL);
	t->ex.vm = sysring_test_vm(test);
	KUNIT_ASSERT_NOT_NULL(test, t->ex.rings);
	KUNIT_ASSERT_NOT_NULL(test, t->ex.sqes);
	sysring_rings_init(&t->ex);
	t->test = test;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, sysring_tex_cq_free,
							t), 0);
	if (!ops)
		return t;
	t->ex.ops = &sysring_tex_ops;

	prog = kzalloc(struct_size(prog, insns, n), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, prog);
	refcount_set(&prog->refs, 1);
	prog->len = n;
	memcpy(prog->insns, sysring_tex_prog_insns, sizeof(sysring_tex_prog_insns));
	prog->footprint = sysring_prog_footprint(prog->insns, n);
	t->prog = prog;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, sysring_tex_exit,
							t), 0);
	return t;
}

static void sysring_tex_queue(struct sysring_test_exec *t,
			      const struct sysring_sqe *sqes, u32 n)
{
	struct sysring_rings *rings = t->ex.rings;
	u32 i;

	for (i = 0; i < n; i++)
		t->ex.sqes[(rings->sq_tail + i) & (t->ex.sq_entries - 1)] = sqes[i];
	/* Pairs with the acquire load of sq_tail in sysring_exec_submit(). */
	smp_store_release(&rings->sq_tail, rings->sq_tail + n);
}

static struct sysring_cqe *sysring_tex_cqe(struct sysring_test_exec *t, u32 i)
{
	return (void *)&t->ex.rings->cqes[(i & (t->ex.cq_entries - 1)) *
					  t->ex.cqe_size];
}

/*
 * The CQ's free slots, from the furthest cq_head seen: a cq_head that
 * moves back or past the tail is ignored, and indices wrap around u32.
 */
static void sysring_async_cq_room_test(struct kunit *test)
{
	struct sysring_test_exec *t = sysring_tex_init(test, false);
	struct sysring_exec *ex = &t->ex;

	KUNIT_EXPECT_EQ(test, sysring_cq_room(ex), SR_ASYNC_CQ);
	ex->cached_cq_tail = 5;
	KUNIT_EXPECT_EQ(test, sysring_cq_room(ex), 3);
	ex->rings->cq_head = 1;
	KUNIT_EXPECT_EQ(test, sysring_cq_room(ex), 4);
	/* Back: ignored, the room counted on stays. */
	ex->rings->cq_head = 0;
	KUNIT_EXPECT_EQ(test, sysring_cq_room(ex), 4);
	/* Past the tail: ignored too. */
	ex->rings->cq_head = 6;
	KUNIT_EXPECT_EQ(test, sysring_cq_room(ex), 4);
	ex->rings->cq_head = 5;
	KUNIT_EXPECT_EQ(test, sysring_cq_room(ex), SR_ASYNC_CQ);
	/* Indices wrap around u32. */
	ex->cached_cq_head = U32_MAX - 1;
	ex->cached_cq_tail = 2;
	ex->rings->cq_head = U32_MAX - 1;
	KUNIT_EXPECT_EQ(test, sysring_cq_room(ex), 4);
	ex->rings->cq_head = 1;
	KUNIT_EXPECT_EQ(test, sysring_cq_room(ex), 7);
}

/*
 * An async chain is copied, validated and queued whole, with its programs
 * referenced and its CQ slots reserved; the inline block after it runs at
 * once.  Unregistering the program before the worker runs is safe.
 */
static void sysring_async_handoff_test(struct kunit *test)
{
	struct sysring_test_exec *t = sysring_tex_init(test, true);
	struct sysring_exec *ex = &t->ex;
	struct sysring_vm *wvm = sysring_test_vm(test);
	const struct sysring_sqe sqes[4] = {
		{ .user_data = 10, .flags = SYSRING_SQE_ASYNC |
			SYSRING_SQE_PROG | SYSRING_SQE_LINK },
		/* r0 = r5 + 1: the chain shares registers. */
		{ .user_data = 11, .flags = SYSRING_SQE_LINK, .ninsns = 3,
		  .insns = { SR(MOV_X, 0, 5, 0, 0), SR(ADD_K, 0, 0, 0, 1),
			     SR_EXIT(0) } },
		/* Not a valid block: completes as such, in its turn. */
		{ .user_data = 12, .ninsns = 1, .insns = { SR_MOVK(0, 1) } },
		{ .user_data = 20, .ninsns = 2,
		  .insns = { SR_MOVK(0, 7), SR_EXIT(0) } },
	};
	struct sysring_work *work;
	struct sysring_cqe *cqe;

	sysring_tex_queue(t, sqes, 4);
	KUNIT_ASSERT_EQ(test, sysring_exec_submit(ex, 4), 4);
	KUNIT_ASSERT_EQ(test, t->nqueued, 1);
	work = t->queued[0];
	KUNIT_ASSERT_EQ(test, work->nr, 3);
	KUNIT_EXPECT_EQ(test, work->ents[0].sqe.user_data, 10);
	KUNIT_EXPECT_PTR_EQ(test, work->ents[0].prog,
			    (const struct sysring_prog *)t->prog);
	KUNIT_EXPECT_EQ(test, work->ents[0].err, 0);
	KUNIT_EXPECT_EQ(test, work->ents[2].err, -EINVAL);
	KUNIT_EXPECT_EQ(test, work->ents[2].reason, SYSRING_CHECK_NO_EXIT);
	KUNIT_EXPECT_EQ(test, refcount_read(&t->prog->refs), 2);
	/* Only the inline block completed; three slots are promised. */
	KUNIT_EXPECT_EQ(test, ex->rings->cq_tail, 1);
	KUNIT_EXPECT_EQ(test, ex->cq_reserved, 3);
	KUNIT_EXPECT_EQ(test, ex->rings->sq_head, 4);
	cqe = sysring_tex_cqe(t, 0);
	KUNIT_EXPECT_EQ(test, cqe->user_data, 20);
	KUNIT_EXPECT_EQ(test, cqe->res, 7);

	/* Userspace reuses the slots and unregisters: the copy is kept. */
	memset(ex->sqes, 0xff, sysring_sqes_bytes(ex));
	sysring_tex_prog_put(ex, t->prog);
	t->prog = NULL;
	KUNIT_EXPECT_EQ(test, t->freed_progs, 0);

	/* The worker's side, in its own register file. */
	t->queued[0] = NULL;
	sysring_work_run(ex, wvm, work);
	KUNIT_EXPECT_EQ(test, work->cur, work->nr);
	sysring_work_free(ex, work);
	KUNIT_EXPECT_EQ(test, t->freed_progs, 1);
	KUNIT_EXPECT_EQ(test, t->live_works, 0);
	KUNIT_EXPECT_EQ(test, ex->rings->cq_tail, 4);
	KUNIT_EXPECT_EQ(test, ex->cq_reserved, 0);
	/* Waiters are woken once per submission and once per worker chain. */
	KUNIT_EXPECT_EQ(test, t->posted, 2);
	cqe = sysring_tex_cqe(t, 1);
	KUNIT_EXPECT_EQ(test, cqe->user_data, 10);
	KUNIT_EXPECT_EQ(test, cqe->res, 42);
	cqe = sysring_tex_cqe(t, 2);
	KUNIT_EXPECT_EQ(test, cqe->user_data, 11);
	KUNIT_EXPECT_EQ(test, cqe->status, SYSRING_STATUS_EXIT);
	KUNIT_EXPECT_EQ(test, cqe->res, 43);
	cqe = sysring_tex_cqe(t, 3);
	KUNIT_EXPECT_EQ(test, cqe->user_data, 12);
	KUNIT_EXPECT_EQ(test, cqe->status, SYSRING_STATUS_INVALID);
	KUNIT_EXPECT_EQ(test, cqe->reason, SYSRING_CHECK_NO_EXIT);
}

static void sysring_tex_run_queued(struct sysring_test_exec *t,
				   struct sysring_vm *vm)
{
	unsigned int i;

	for (i = 0; i < t->nqueued; i++) {
		struct sysring_work *work = t->queued[i];

		t->queued[i] = NULL;
		sysring_work_run(&t->ex, vm, work);
		sysring_work_free(&t->ex, work);
	}
	t->nqueued = 0;
}

/*
 * Asynchronous chains owe their completions: past the CQ's room each one
 * accepted holds a spare overflow entry, up to the bound, then -EBUSY.
 * None is lost when they complete into a full CQ.
 */
static void sysring_async_backpressure_test(struct kunit *test)
{
	struct sysring_test_exec *t = sysring_tex_init(test, true);
	struct sysring_exec *ex = &t->ex;
	struct sysring_vm *wvm = sysring_test_vm(test);
	const struct sysring_sqe async = {
		.flags = SYSRING_SQE_ASYNC, .ninsns = 1, .insns = { SR_EXIT(0) },
	};
	const struct sysring_sqe sqes[4] = { async, async, async, async };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		sysring_tex_queue(t, sqes, 4);
		KUNIT_ASSERT_EQ(test, sysring_exec_submit(ex, 4), 4);
	}
	KUNIT_EXPECT_EQ(test, ex->cq_reserved, SR_ASYNC_CQ);
	KUNIT_EXPECT_EQ(test, ex->nr_spare, 0);
	for (i = 0; i < 4; i++) {
		sysring_tex_queue(t, sqes, 4);
		KUNIT_ASSERT_EQ(test, sysring_exec_submit(ex, 4), 4);
	}
	KUNIT_EXPECT_EQ(test, ex->cq_reserved, 3 * SR_ASYNC_CQ);
	KUNIT_EXPECT_EQ(test, ex->nr_spare, 2 * SR_ASYNC_CQ);
	sysring_tex_queue(t, sqes, 1);
	KUNIT_EXPECT_EQ(test, sysring_exec_submit(ex, 1), -EBUSY);
	KUNIT_EXPECT_EQ(test, ex->rings->sq_head, 6 * 4);

	/* They complete: eight into the CQ, sixteen onto the list. */
	sysring_tex_run_queued(t, wvm);
	KUNIT_EXPECT_EQ(test, ex->cq_reserved, 0);
	KUNIT_EXPECT_EQ(test, ex->rings->cq_tail, SR_ASYNC_CQ);
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, 2 * SR_ASYNC_CQ);
	KUNIT_EXPECT_EQ(test, ex->nr_spare, 0);
	KUNIT_EXPECT_EQ(test, sysring_exec_submit(ex, 1), -EBUSY);

	/* Consumed and flushed: room again, from the spares first. */
	ex->rings->cq_head = SR_ASYNC_CQ;
	KUNIT_EXPECT_FALSE(test, sysring_cq_flush(ex));
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, SR_ASYNC_CQ);
	KUNIT_EXPECT_EQ(test, ex->nr_spare, SR_ASYNC_CQ);
	KUNIT_EXPECT_EQ(test, sysring_exec_submit(ex, 1), 1);
	KUNIT_EXPECT_EQ(test, ex->cq_reserved, 1);
	KUNIT_EXPECT_EQ(test, ex->nr_spare, 1);
	sysring_tex_run_queued(t, wvm);
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, SR_ASYNC_CQ + 1);
}

/* A chain the workers cannot take is not consumed, and holds nothing. */
static void sysring_async_queue_error_test(struct kunit *test)
{
	struct sysring_test_exec *t = sysring_tex_init(test, true);
	struct sysring_exec *ex = &t->ex;
	const struct sysring_sqe sqe = {
		.user_data = 1, .flags = SYSRING_SQE_ASYNC | SYSRING_SQE_PROG,
	};

	t->queue_err = -EAGAIN;
	sysring_tex_queue(t, &sqe, 1);
	KUNIT_EXPECT_EQ(test, sysring_exec_submit(ex, 1), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ex->rings->sq_head, 0);
	KUNIT_EXPECT_EQ(test, ex->cq_reserved, 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&t->prog->refs), 1);
	KUNIT_EXPECT_EQ(test, t->live_works, 0);
	t->queue_err = 0;
	KUNIT_EXPECT_EQ(test, sysring_exec_submit(ex, 1), 1);
	KUNIT_EXPECT_EQ(test, t->nqueued, 1);
}

/* Work nobody will run completes as canceled, invalid entries as such. */
static void sysring_async_cancel_test(struct kunit *test)
{
	struct sysring_test_exec *t = sysring_tex_init(test, true);
	struct sysring_exec *ex = &t->ex;
	const struct sysring_sqe sqes[2] = {
		{ .user_data = 1, .flags = SYSRING_SQE_ASYNC | SYSRING_SQE_PROG |
		  SYSRING_SQE_HARDLINK },
		{ .user_data = 2, .flags = SYSRING_SQE_PROG, .prog = 9 },
	};
	struct sysring_work *work;

	sysring_tex_queue(t, sqes, 2);
	KUNIT_ASSERT_EQ(test, sysring_exec_submit(ex, 2), 2);
	KUNIT_ASSERT_EQ(test, t->nqueued, 1);
	work = t->queued[0];
	t->queued[0] = NULL;
	sysring_work_cancel(ex, sysring_test_vm(test), work);
	KUNIT_EXPECT_EQ(test, ex->rings->cq_tail, 2);
	KUNIT_EXPECT_EQ(test, ex->cq_reserved, 0);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 0)->status,
			SYSRING_STATUS_CANCELED);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 0)->res, -ECANCELED);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 1)->status,
			SYSRING_STATUS_INVALID);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 1)->res, -ENOENT);
	KUNIT_EXPECT_EQ(test, refcount_read(&t->prog->refs), 1);
}

/* Without workers (ops NULL) ASYNC is an invalid flag, as it was. */
static void sysring_async_no_workers_test(struct kunit *test)
{
	struct sysring_test_exec *t = sysring_tex_init(test, false);
	const struct sysring_sqe sqe = {
		.flags = SYSRING_SQE_ASYNC, .ninsns = 1, .insns = { SR_EXIT(0) },
	};

	sysring_tex_queue(t, &sqe, 1);
	KUNIT_ASSERT_EQ(test, sysring_exec_submit(&t->ex, 1), 1);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 0)->status,
			SYSRING_STATUS_INVALID);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 0)->res, -EINVAL);
}

static void sysring_async_default_workers_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sysring_default_workers(4, 8), 4);
	KUNIT_EXPECT_EQ(test, sysring_default_workers(4096, 2), 8);
	KUNIT_EXPECT_EQ(test, sysring_default_workers(4096, 1024),
			SYSRING_MAX_WORKERS);
}

static struct kunit_case sysring_async_test_cases[] = {
	KUNIT_CASE(sysring_async_cq_room_test),
	KUNIT_CASE(sysring_async_handoff_test),
	KUNIT_CASE(sysring_async_backpressure_test),
	KUNIT_CASE(sysring_async_queue_error_test),
	KUNIT_CASE(sysring_async_cancel_test),
	KUNIT_CASE(sysring_async_no_workers_test),
	KUNIT_CASE(sysring_async_default_workers_test),
	{}
};

static struct kunit_suite sysring_async_test_suite = {
	.name = "sysring_async",
	.test_cases = sysring_async_test_cases,
};

/* ------------------------------------------------------------------ */
/*
 * sysring_cq: the overflow list (cq.c), on a ring without workers: inline
 * blocks post in submission order, so every CQE is known in advance.
 */

/* Queue and submit @n blocks "r0 = user_data; EXIT r0" from @ud on. */
static long sysring_cq_submit(struct sysring_test_exec *t, u64 ud, u32 n)
{
	struct sysring_sqe sqes[SR_ASYNC_SQ] = { };
	u32 i;

	for (i = 0; i < n; i++) {
		sqes[i].user_data = ud + i;
		sqes[i].ninsns = 2;
		sqes[i].insns[0] = SR_MOVK(0, ud + i);
		sqes[i].insns[1] = SR_EXIT(0);
	}
	sysring_tex_queue(t, sqes, n);
	return sysring_exec_submit(&t->ex, n);
}

static bool sysring_cq_flag(struct sysring_test_exec *t)
{
	return atomic_read(&t->ex.rings->sq_flags) & SYSRING_SQ_CQ_OVERFLOW;
}

/* The CQEs from cq_head to the tail carry user_data @ud on, in order. */
static void sysring_cq_expect(struct kunit *test, struct sysring_test_exec *t,
			      u64 ud)
{
	u32 i;

	for (i = t->ex.rings->cq_head; i != t->ex.rings->cq_tail; i++, ud++) {
		KUNIT_EXPECT_EQ_MSG(test, sysring_tex_cqe(t, i)->user_data, ud,
				    "CQE %u", i);
		KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, i)->res, ud);
	}
}

/*
 * Past a full CQ completions wait on the list, flagged; nothing overtakes
 * them, not even with room made; a flush moves them in, oldest first, and
 * clears the flag; spare entries go at the next submission.
 */
static void sysring_cq_overflow_order_test(struct kunit *test)
{
	struct sysring_test_exec *t = sysring_tex_init(test, false);
	struct sysring_exec *ex = &t->ex;
	struct sysring_rings *rings = ex->rings;

	KUNIT_ASSERT_EQ(test, sysring_cq_submit(t, 0, 4), 4);
	KUNIT_ASSERT_EQ(test, sysring_cq_submit(t, 4, 4), 4);
	KUNIT_EXPECT_FALSE(test, sysring_cq_flag(t));
	KUNIT_ASSERT_EQ(test, sysring_cq_submit(t, 8, 4), 4);
	KUNIT_EXPECT_EQ(test, rings->cq_tail, 8);
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, 4);
	KUNIT_EXPECT_TRUE(test, sysring_cq_flag(t));
	KUNIT_EXPECT_EQ(test, ex->nr_spare, 0);
	KUNIT_EXPECT_EQ(test, ex->cq_reserved, 0);
	KUNIT_EXPECT_EQ(test, rings->cq_overflow, 0);
	/* A flush without room moves nothing. */
	KUNIT_EXPECT_FALSE(test, sysring_cq_flush(ex));
	KUNIT_EXPECT_EQ(test, rings->cq_tail, 8);

	/* Room for one, but the list waits: the new CQE goes behind it. */
	rings->cq_head = 1;
	KUNIT_ASSERT_EQ(test, sysring_cq_submit(t, 12, 1), 1);
	KUNIT_EXPECT_EQ(test, rings->cq_tail, 8);
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, 5);
	KUNIT_EXPECT_FALSE(test, sysring_cq_flush(ex));
	KUNIT_EXPECT_EQ(test, rings->cq_tail, 9);
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, 4);
	KUNIT_EXPECT_TRUE(test, sysring_cq_flag(t));
	sysring_cq_expect(test, t, 1);

	rings->cq_head = 9;
	KUNIT_EXPECT_FALSE(test, sysring_cq_flush(ex));
	KUNIT_EXPECT_EQ(test, rings->cq_tail, 13);
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, 0);
	KUNIT_EXPECT_FALSE(test, sysring_cq_flag(t));
	sysring_cq_expect(test, t, 9);
	/* The flushed entries are spares until a submission trims them. */
	KUNIT_EXPECT_EQ(test, ex->nr_spare, 5);
	KUNIT_ASSERT_EQ(test, sysring_cq_submit(t, 13, 1), 1);
	KUNIT_EXPECT_EQ(test, ex->nr_spare, 0);
	sysring_cq_expect(test, t, 9);
}

/*
 * Listed and spare entries are bounded by twice the CQ: past that,
 * -EBUSY, nothing consumed, nothing lost; room made and flushed takes
 * more again.
 */
static void sysring_cq_overflow_bound_test(struct kunit *test)
{
	struct sysring_test_exec *t = sysring_tex_init(test, false);
	struct sysring_exec *ex = &t->ex;
	struct sysring_rings *rings = ex->rings;
	u32 i, max = SR_ASYNC_CQ + sysring_cq_overflow_max(ex);

	KUNIT_EXPECT_EQ(test, sysring_cq_overflow_max(ex), 2 * SR_ASYNC_CQ);
	for (i = 0; i < max; i += 4)
		KUNIT_ASSERT_EQ(test, sysring_cq_submit(t, i, 4), 4);
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, 2 * SR_ASYNC_CQ);
	KUNIT_EXPECT_EQ(test, sysring_cq_submit(t, max, 1), -EBUSY);
	KUNIT_EXPECT_EQ(test, rings->sq_head, max);
	KUNIT_EXPECT_EQ(test, ex->nr_spare, 0);

	/* Consumed but not flushed: the list still holds the bound. */
	rings->cq_head = 4;
	KUNIT_EXPECT_EQ(test, sysring_exec_submit(ex, 1), -EBUSY);
	KUNIT_EXPECT_FALSE(test, sysring_cq_flush(ex));
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, 2 * SR_ASYNC_CQ - 4);
	KUNIT_EXPECT_EQ(test, sysring_exec_submit(ex, 1), 1);
	/* Everything, in order, from 4 on: the CQ, then the list. */
	sysring_cq_expect(test, t, 4);
	for (i = 0; i < max - 4; i += SR_ASYNC_CQ) {
		rings->cq_head = rings->cq_tail;
		while (sysring_cq_flush(ex))
			;
		sysring_cq_expect(test, t, 4 + SR_ASYNC_CQ + i);
	}
	KUNIT_EXPECT_EQ(test, rings->cq_tail, max + 1);
	KUNIT_EXPECT_FALSE(test, sysring_cq_flag(t));
}

/* A flush moves at most a batch under the lock and says whether more fit. */
static void sysring_cq_flush_batch_test(struct kunit *test)
{
	struct sysring_params p = { .flags = SYSRING_SETUP_CQSIZE,
				    .cq_entries = 64 };
	struct sysring_test_exec *t = sysring_tex_init(test, false);
	struct sysring_exec *ex = &t->ex;
	u32 i;

	/* Again, with a CQ larger than a batch. */
	KUNIT_ASSERT_EQ(test, sysring_params_check(SR_ASYNC_SQ, &p), 0);
	sysring_exec_init(ex, &p);
	ex->rings = kunit_kzalloc(test, sysring_rings_bytes(ex), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ex->rings);
	sysring_rings_init(ex);
	for (i = 0; i < 3 * 64; i += 4)
		KUNIT_ASSERT_EQ(test, sysring_cq_submit(t, i, 4), 4);
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, 128);
	ex->rings->cq_head = 64;
	KUNIT_EXPECT_TRUE(test, sysring_cq_flush(ex));
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, 128 - 32);
	KUNIT_EXPECT_FALSE(test, sysring_cq_flush(ex));
	KUNIT_EXPECT_EQ(test, ex->nr_ovf, 64);
	sysring_cq_expect(test, t, 64);
}

/* What sysring_enter(2)'s extended argument may be. */
struct sysring_wait_req_case {
	const char *desc;
	u32 flags;
	bool argp;		/* point at the argument (else 0) */
	u64 argsz;
	struct sysring_getevents_arg arg;
	s64 tv_sec, tv_nsec;
	int ret;
	u64 timeout_ns;
};

#define SR_UTS		0x100	/* where the timespec is, in the page */
#define SR_UMASK	0x200	/* where the signal mask is */
#define SR_EXT		SYSRING_ENTER_EXT_ARG
#define SR_ARGSZ	sizeof(struct sysring_getevents_arg)

static const struct sysring_wait_req_case sysring_wait_req_cases[] = {
	{ "no argument", 0, false, 0, {}, 0, 0, 0, 0 },
	{ "argp without EXT_ARG", 0, true, 0, {}, 0, 0, -EINVAL, 0 },
	{ "argsz without EXT_ARG", 0, false, 8, {}, 0, 0, -EINVAL, 0 },
	{ "empty", SR_EXT, true, SR_ARGSZ, {}, 0, 0, 0, 0 },
	{ "short argsz", SR_EXT, true, SR_ARGSZ - 8, {}, 0, 0, -EINVAL, 0 },
	{ "long argsz", SR_EXT, true, SR_ARGSZ + 8, {}, 0, 0, -EINVAL, 0 },
	{ "NULL argp", SR_EXT, false, SR_ARGSZ, {}, 0, 0, -EFAULT, 0 },
	{ "resv set", SR_EXT, true, SR_ARGSZ, { .resv = 1 }, 0, 0, -EINVAL, 0 },
	{ "mask size 4", SR_EXT, true, SR_ARGSZ,
	  { .sigmask = SR_UMASK, .sigmask_sz = 4 }, 0, 0, -EINVAL, 0 },
	{ "mask", SR_EXT, true, SR_ARGSZ,
	  { .sigmask = SR_UMASK, .sigmask_sz = 8 }, 0, 0, 0, 0 },
	{ "size without a mask", SR_EXT, true, SR_ARGSZ,
	  { .sigmask_sz = 128 }, 0, 0, 0, 0 },
	{ "mask unmapped", SR_EXT, true, SR_ARGSZ,
	  { .sigmask = 1, .sigmask_sz = 8 }, 0, 0, -EFAULT, 0 },
	{ "timeout", SR_EXT, true, SR_ARGSZ, { .ts = SR_UTS }, 1, 5, 0,
	  NSEC_PER_SEC + 5 },
	{ "zero timeout", SR_EXT, true, SR_ARGSZ, { .ts = SR_UTS }, 0, 0, 0, 0 },
	{ "centuries", SR_EXT, true, SR_ARGSZ, { .ts = SR_UTS }, S64_MAX, 0, 0,
	  U64_MAX },
	{ "negative seconds", SR_EXT, true, SR_ARGSZ, { .ts = SR_UTS }, -1, 0,
	  -EINVAL, 0 },
	{ "negative nanoseconds", SR_EXT, true, SR_ARGSZ, { .ts = SR_UTS }, 0,
	  -1, -EINVAL, 0 },
	{ "a second of nanoseconds", SR_EXT, true, SR_ARGSZ, { .ts = SR_UTS },
	  0, NSEC_PER_SEC, -EINVAL, 0 },
	{ "timespec unmapped", SR_EXT, true, SR_ARGSZ, { .ts = 1 }, 0, 0,
	  -EFAULT, 0 },
};

static void sysring_wait_req_desc(const struct sysring_wait_req_case *c,
				  char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sysring_wait_req, sysring_wait_req_cases,
		  sysring_wait_req_desc);

/* Pointers in the table are offsets into a page, or unmapped below it. */
static u64 sysring_test_uoff(u64 page, u64 off)
{
	return off >= SR_UTS ? page + off : off;
}

static void sysring_cq_wait_req_test(struct kunit *test)
{
	const struct sysring_wait_req_case *c = test->param_value;
	u64 page = sysring_test_urw(test, PAGE_SIZE);
	struct __kernel_timespec ts = { c->tv_sec, c->tv_nsec };
	struct sysring_getevents_arg arg = c->arg;
	struct sysring_wait_req req;
	u64 mask = 0x4000, argp = 0;

	arg.sigmask = sysring_test_uoff(page, arg.sigmask);
	arg.ts = sysring_test_uoff(page, arg.ts);
	if (c->argp) {
		argp = page;
		sysring_test_put(test, page, &arg, sizeof(arg));
	}
	sysring_test_put(test, page + SR_UTS, &ts, sizeof(ts));
	sysring_test_put(test, page + SR_UMASK, &mask, sizeof(mask));
	KUNIT_ASSERT_EQ(test, sysring_wait_req_get(&req, c->flags, argp,
						   c->argsz), c->ret);
	if (c->ret)
		return;
	KUNIT_EXPECT_EQ(test, req.has_timeout, !!arg.ts);
	KUNIT_EXPECT_EQ(test, req.timeout_ns, c->timeout_ns);
	KUNIT_EXPECT_EQ(test, req.has_sigmask, !!arg.sigmask);
	KUNIT_EXPECT_EQ(test, req.sigmask, arg.sigmask ? mask : 0);
}

static struct kunit_case sysring_cq_test_cases[] = {
	KUNIT_CASE(sysring_cq_overflow_order_test),
	KUNIT_CASE(sysring_cq_overflow_bound_test),
	KUNIT_CASE(sysring_cq_flush_batch_test),
	KUNIT_CASE_PARAM(sysring_cq_wait_req_test, sysring_wait_req_gen_params),
	{}
};

static struct kunit_suite sysring_cq_test_suite = {
	.name = "sysring_cq",
	.test_cases = sysring_cq_test_cases,
};

/* ------------------------------------------------------------------ */
/* sysring_io: XFER, READN, WRITET and WAIT on the kernel environment */

#define SR_NS_PER_MS		1000000ULL

struct sysring_io_check_case {
	const char *desc;
	struct sysring_insn insn;
	int reason;
};

static const struct sysring_io_check_case sysring_io_check_cases[] = {
	{ "XFER splice keeperr", SR(XFER, 0, 253, 0x81, 0), SYSRING_CHECK_OK },
	{ "READN last window", SR(READN, 255, 252, 0x80, 0), SYSRING_CHECK_OK },
	{ "WRITET last window", SR(WRITET, 0, 252, 0, 0), SYSRING_CHECK_OK },
	{ "WAIT every event", SR(WAIT, 0, 254, 0, SYSRING_WAIT_EVENTS),
	  SYSRING_CHECK_OK },
	{ "XFER window past r255", SR(XFER, 0, 254, 0, 0),
	  SYSRING_CHECK_BAD_REG },
	{ "READN window past r255", SR(READN, 0, 253, 0, 0),
	  SYSRING_CHECK_BAD_REG },
	{ "WRITET window past r255", SR(WRITET, 0, 253, 0, 0),
	  SYSRING_CHECK_BAD_REG },
	{ "WAIT window past r255", SR(WAIT, 0, 255, 0, 1),
	  SYSRING_CHECK_BAD_REG },
	{ "READN splice", SR(READN, 0, 1, 0x01, 0), SYSRING_CHECK_BAD_MOD },
	{ "XFER mod 0x40", SR(XFER, 0, 1, 0x40, 0), SYSRING_CHECK_BAD_MOD },
	{ "WAIT mod 0x02", SR(WAIT, 0, 1, 0x02, 1), SYSRING_CHECK_BAD_MOD },
	{ "XFER imm", SR(XFER, 0, 1, 0, 1), SYSRING_CHECK_RESERVED },
	{ "WRITET imm", SR(WRITET, 0, 1, 0, -1), SYSRING_CHECK_RESERVED },
	{ "WAIT POLLERR", SR(WAIT, 0, 1, 0, 0x8), SYSRING_CHECK_RESERVED },
	{ "WAIT bit 16", SR(WAIT, 0, 1, 0, 0x10000), SYSRING_CHECK_RESERVED },
};

static void sysring_io_check_desc(const struct sysring_io_check_case *c,
				  char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sysring_io_check, sysring_io_check_cases,
		  sysring_io_check_desc);

/* The checker's verdict, and the footprint covers the operand window. */
static void sysring_io_check_test(struct kunit *test)
{
	const struct sysring_io_check_case *c = test->param_value;
	struct sysring_insn prog[2] = { c->insn, SR_EXIT(0) };
	u32 pc = ~0U;

	KUNIT_EXPECT_EQ_MSG(test, sysring_check(prog, 2, 2, &pc), c->reason,
			    "%s", c->desc);
	if (c->reason == SYSRING_CHECK_OK)
		KUNIT_EXPECT_EQ(test, sysring_prog_footprint(prog, 2),
				max_t(u32, c->insn.dst + 1, c->insn.src +
				      sysring_io_nregs(c->insn.code)));
}

/* A pipe in the test's file table, closed when the test ends. */
static void sysring_io_pipe(struct kunit *test, struct sysring_vm *vm,
			    int fds[2])
{
	u64 uaddr = sysring_test_urw(test, PAGE_SIZE);
	const u64 args[6] = { uaddr, 0 };
	int i;

	KUNIT_ASSERT_EQ(test, sysring_env_syscall(vm, __NR_pipe2, args), 0);
	sysring_test_get(test, fds, uaddr, 2 * sizeof(int));
	for (i = 0; i < 2; i++) {
		void *fd = (void *)(unsigned long)fds[i];

		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
								sysring_test_close,
								fd), 0);
	}
}

/* Put @len bytes into the pipe through a nested write(2). */
static void sysring_io_fill(struct kunit *test, struct sysring_vm *vm, int fd,
			    u64 buf, u64 len)
{
	const u64 args[6] = { fd, buf, len };

	KUNIT_ASSERT_EQ(test, sysring_env_syscall(vm, __NR_write, args), len);
}

/* r0 = op(r1..), EXIT r0, with @budget. */
static void sysring_io_run1(struct kunit *test, struct sysring_vm *vm,
			    struct sysring_insn insn, u32 budget)
{
	struct sysring_insn prog[2] = { insn, SR_EXIT(0) };

	sysring_test_run(test, vm, prog, 2, budget);
}

static void sysring_io_readn_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	u64 buf = sysring_test_urw(test, PAGE_SIZE);
	char got[8];
	int fds[2];

	sysring_io_pipe(test, vm, fds);
	sysring_test_put(test, buf, "abcdefgh", 8);
	sysring_io_fill(test, vm, fds[1], buf, 3);
	sysring_io_fill(test, vm, fds[1], buf + 3, 5);
	vm->regs[1] = fds[0];
	vm->regs[2] = buf + 64;
	vm->regs[3] = 64;
	vm->regs[4] = 8;
	sysring_io_run1(test, vm, SR(READN, 0, 1, 0, 0), 16);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 8, 1, 2);
	sysring_test_get(test, got, buf + 64, 8);
	KUNIT_EXPECT_MEMEQ(test, got, "abcdefgh", 8);

	/* Limits first, whatever the descriptor. */
	vm->regs[3] = SYSRING_RW_MAX + 1;
	sysring_io_run1(test, vm, SR(READN, 0, 1, 0, 0), 16);
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -E2BIG, 0, 1);
	vm->regs[3] = 4;
	vm->regs[4] = 5;
	sysring_io_run1(test, vm, SR(READN, 0, 1, SYSRING_IO_KEEPERR, 0), 16);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, -EINVAL, 1, 2);
	vm->regs[1] = 1ULL << 31;
	vm->regs[4] = 0;
	sysring_io_run1(test, vm, SR(READN, 0, 1, 0, 0), 16);
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -EBADF, 0, 1);
}

/* WAIT: ready at once, 0 after a timeout, -EINTR on a signal. */
static void sysring_io_wait_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	u64 buf = sysring_test_urw(test, PAGE_SIZE);
	ktime_t t0;
	int fds[2];

	sysring_io_pipe(test, vm, fds);
	vm->regs[1] = fds[0];
	vm->regs[2] = 5 * SR_NS_PER_MS;
	t0 = ktime_get();
	sysring_io_run1(test, vm, SR(WAIT, 0, 1, 0, 0x1), 16);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 0, 1, 2);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), t0), 4);

	sysring_io_fill(test, vm, fds[1], buf, 1);
	sysring_io_run1(test, vm, SR(WAIT, 0, 1, 0, 0x1 | 0x4), 16);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 0x1, 1, 2);

	vm->regs[2] = SYSRING_TIMEOUT_MAX_NS + 1;
	sysring_io_run1(test, vm, SR(WAIT, 0, 1, 0, 0x1), 16);
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -EINVAL, 0, 1);

	/* Nothing to read and a long timeout: the signal ends it. */
	vm->regs[1] = fds[1];
	vm->regs[2] = SYSRING_TIMEOUT_MAX_NS;
	sysring_test_kill_self(test);
	sysring_io_run1(test, vm, SR(WAIT, 0, 1, 0, 0x1), 16);
	sysring_test_unkill();
	sysring_expect_stop(test, vm, SYSRING_STATUS_ERROR, -EINTR, 0, 1);
}

/* Each further step costs budget; a fatal signal stops the loop. */
static void sysring_io_steps_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	u64 buf = sysring_test_urw(test, 4 * PAGE_SIZE);
	int fds[2];

	sysring_io_pipe(test, vm, fds);
	/* WRITET of three steps: wait, write, wait, then out of budget. */
	vm->regs[1] = fds[1];
	vm->regs[2] = buf;
	vm->regs[3] = 3 * SYSRING_WRITET_STEP;
	vm->regs[4] = 100 * SR_NS_PER_MS;
	sysring_io_run1(test, vm, SR(WRITET, 0, 1, 0, 0), 3);
	sysring_expect_stop(test, vm, SYSRING_STATUS_BUDGET, -ETIME, 0, 3);
	KUNIT_EXPECT_EQ(test, vm->regs[0], SYSRING_WRITET_STEP);

	/* READN got 6 of 10, then the fatal signal: canceled, r0 = 6. */
	vm->regs[1] = fds[0];
	vm->regs[2] = buf;
	vm->regs[3] = 10;
	vm->regs[4] = 10;
	sysring_io_run1(test, vm, SR(READN, 0, 1, 0, 0), 16);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 10, 1, 2);
	vm->regs[3] = PAGE_SIZE;
	vm->regs[4] = PAGE_SIZE;
	sysring_test_kill_self(test);
	sysring_io_run1(test, vm, SR(READN, 0, 1, 0, 0), 16);
	sysring_test_unkill();
	/* The stop check is not charged: only the instruction ran. */
	sysring_expect_stop(test, vm, SYSRING_STATUS_CANCELED, -EINTR, 0, 1);
	KUNIT_EXPECT_EQ(test, vm->regs[0], SYSRING_WRITET_STEP - 10);
}

static struct kunit_case sysring_io_test_cases[] = {
	KUNIT_CASE_PARAM(sysring_io_check_test, sysring_io_check_gen_params),
	KUNIT_CASE(sysring_io_readn_test),
	KUNIT_CASE(sysring_io_wait_test),
	KUNIT_CASE(sysring_io_steps_test),
	{}
};

static struct kunit_suite sysring_io_test_suite = {
	.name = "sysring_io",
	.test_cases = sysring_io_test_cases,
};

/*
 * sysring_cancel: what a cancel request reaches (cancel.c) and how marked
 * blocks complete through the shared chain-running path.
 */

static struct sysring_work *sysring_test_work(struct kunit *test, u32 nr,
					      const u64 *user_data,
					      const u16 *flags)
{
	struct sysring_work *work;
	u32 i;

	work = kunit_kzalloc(test, struct_size(work, ents, nr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, work);
	work->nr = nr;
	for (i = 0; i < nr; i++) {
		work->ents[i].sqe.user_data = user_data[i];
		work->ents[i].sqe.flags = flags ? flags[i] : 0;
	}
	return work;
}

static void sysring_cancel_check_test(struct kunit *test)
{
	struct sysring_cancel_reg reg = { .user_data = 1 };

	KUNIT_EXPECT_EQ(test, sysring_cancel_check(&reg), 0);
	reg.flags = SYSRING_CANCEL_ALL | SYSRING_CANCEL_ANY;
	KUNIT_EXPECT_EQ(test, sysring_cancel_check(&reg), 0);
	reg.flags = SYSRING_CANCEL_FLAGS + 1;
	KUNIT_EXPECT_EQ(test, sysring_cancel_check(&reg), -EINVAL);
	reg.flags = 0x80000000;
	KUNIT_EXPECT_EQ(test, sysring_cancel_check(&reg), -EINVAL);
	reg.flags = 0;
	reg.__resv[4] = 1;
	KUNIT_EXPECT_EQ(test, sysring_cancel_check(&reg), -EINVAL);
}

/* By user_data or ANY, from an entry on, at most max; never twice. */
static void sysring_cancel_match_test(struct kunit *test)
{
	static const u64 ud[] = { 5, 6, 5, 5, 5 };
	struct sysring_work *work = sysring_test_work(test, 5, ud, NULL);
	struct sysring_cancel_reg reg = { .user_data = 5 };

	work->ents[3].err = -EINVAL;	/* invalid: never runs, never found */
	KUNIT_EXPECT_EQ(test, sysring_cancel_work(work, 0, &reg, 1), 1);
	KUNIT_EXPECT_EQ(test, work->ents[0].canceled, 1);
	KUNIT_EXPECT_EQ(test, work->ents[2].canceled, 0);
	/* Entries before @from are done: not found. */
	KUNIT_EXPECT_EQ(test, sysring_cancel_work(work, 4, &reg, U32_MAX), 1);
	KUNIT_EXPECT_EQ(test, work->ents[2].canceled, 0);
	KUNIT_EXPECT_EQ(test, sysring_cancel_work(work, 0, &reg, U32_MAX), 1);
	KUNIT_EXPECT_EQ(test, work->ents[2].canceled, 1);
	KUNIT_EXPECT_EQ(test, work->ents[3].canceled, 0);
	KUNIT_EXPECT_EQ(test, sysring_cancel_work(work, 0, &reg, U32_MAX), 0);
	reg.flags = SYSRING_CANCEL_ANY;
	KUNIT_EXPECT_EQ(test, sysring_cancel_work(work, 0, &reg, U32_MAX), 1);
	KUNIT_EXPECT_EQ(test, work->ents[1].canceled, 1);
	KUNIT_EXPECT_EQ(test, sysring_cancel_work(work, 0, &reg, U32_MAX), 0);
}

/* The link rules decide whether anything of a marked chain still runs. */
static void sysring_cancel_runs_nothing_test(struct kunit *test)
{
	static const u64 ud[] = { 1, 2, 3 };
	static const u16 link[] = { SYSRING_SQE_LINK, SYSRING_SQE_LINK, 0 };
	static const u16 hard[] = { SYSRING_SQE_HARDLINK, SYSRING_SQE_LINK, 0 };
	struct sysring_work *work;

	work = sysring_test_work(test, 3, ud, link);
	KUNIT_EXPECT_FALSE(test, sysring_work_runs_nothing(work));
	work->ents[1].canceled = 1;	/* 1 still runs */
	KUNIT_EXPECT_FALSE(test, sysring_work_runs_nothing(work));
	work->ents[0].canceled = 1;	/* LINK: 2 and 3 go with it */
	KUNIT_EXPECT_TRUE(test, sysring_work_runs_nothing(work));

	work = sysring_test_work(test, 3, ud, link);
	work->ents[0].err = -EINVAL;	/* an invalid head cuts it off too */
	KUNIT_EXPECT_TRUE(test, sysring_work_runs_nothing(work));

	work = sysring_test_work(test, 3, ud, hard);
	work->ents[0].canceled = 1;	/* HARDLINK: 2 runs regardless */
	KUNIT_EXPECT_FALSE(test, sysring_work_runs_nothing(work));
	work->ents[1].canceled = 1;
	KUNIT_EXPECT_TRUE(test, sysring_work_runs_nothing(work));
}

/*
 * Along the queue: chains that run nothing any more leave it, in order,
 * for the caller to complete; the others stay, marked; the tail follows.
 */
static void sysring_cancel_queued_test(struct kunit *test)
{
	static const u64 ud1[] = { 1 }, ud23[] = { 2, 3 };
	static const u16 hard[] = { SYSRING_SQE_HARDLINK, 0 };
	struct sysring_work *w1 = sysring_test_work(test, 1, ud1, NULL);
	struct sysring_work *w2 = sysring_test_work(test, 2, ud23, hard);
	struct sysring_work *w3 = sysring_test_work(test, 1, ud1, NULL);
	struct sysring_cancel_reg reg = { .user_data = 1 };
	struct sysring_work *head = w1, **tail = &w3->next, *done = NULL;

	w1->next = w2;
	w2->next = w3;
	w3->next = NULL;
	/* First match only. */
	KUNIT_EXPECT_EQ(test, sysring_cancel_queued(&head, &tail, &reg, 1,
						    &done), 1);
	KUNIT_EXPECT_PTR_EQ(test, done, w1);
	KUNIT_EXPECT_PTR_EQ(test, head, w2);
	KUNIT_EXPECT_PTR_EQ(test, tail, &w3->next);
	/* The last chain leaves: the tail moves back; done keeps order. */
	KUNIT_EXPECT_EQ(test, sysring_cancel_queued(&head, &tail, &reg,
						    U32_MAX, &done), 1);
	KUNIT_EXPECT_PTR_EQ(test, done, w1);
	KUNIT_EXPECT_PTR_EQ(test, w1->next, w3);
	KUNIT_EXPECT_NULL(test, w3->next);
	KUNIT_EXPECT_PTR_EQ(test, tail, &w2->next);
	KUNIT_EXPECT_NULL(test, w2->next);
	/* A HARDLINK head: the chain still has 3 to run, and stays. */
	reg.user_data = 2;
	KUNIT_EXPECT_EQ(test, sysring_cancel_queued(&head, &tail, &reg,
						    U32_MAX, &done), 1);
	KUNIT_EXPECT_PTR_EQ(test, head, w2);
	KUNIT_EXPECT_EQ(test, sysring_cancel_queued(&head, &tail, &reg,
						    U32_MAX, &done), 0);
	reg.user_data = 3;
	KUNIT_EXPECT_EQ(test, sysring_cancel_queued(&head, &tail, &reg,
						    U32_MAX, &done), 1);
	KUNIT_EXPECT_NULL(test, head);
	KUNIT_EXPECT_PTR_EQ(test, tail, &head);
	KUNIT_EXPECT_PTR_EQ(test, w3->next, w2);
	/* Nothing left to find, and max 0 finds nothing. */
	KUNIT_EXPECT_EQ(test, sysring_cancel_queued(&head, &tail, &reg,
						    U32_MAX, &done), 0);
	KUNIT_EXPECT_EQ(test, sysring_cancel_queued(&head, &tail, &reg, 0,
						    &done), 0);
}

/*
 * A worker creation that fails takes back only its own chain: those
 * queued before it stay for the next worker (a leak once, when all went).
 */
static void sysring_queue_remove_test(struct kunit *test)
{
	static const u64 ud[] = { 1 };
	struct sysring_work *w1 = sysring_test_work(test, 1, ud, NULL);
	struct sysring_work *w2 = sysring_test_work(test, 1, ud, NULL);
	struct sysring_work *w3 = sysring_test_work(test, 1, ud, NULL);
	struct sysring_work *head = w1, **tail = &w3->next;

	w1->next = w2;
	w2->next = w3;
	w3->next = NULL;
	KUNIT_EXPECT_TRUE(test, sysring_queue_remove(&head, &tail, w3));
	KUNIT_EXPECT_PTR_EQ(test, head, w1);
	KUNIT_EXPECT_PTR_EQ(test, w1->next, w2);
	KUNIT_EXPECT_NULL(test, w2->next);
	KUNIT_EXPECT_PTR_EQ(test, tail, &w2->next);
	KUNIT_EXPECT_FALSE(test, sysring_queue_remove(&head, &tail, w3));
	KUNIT_EXPECT_TRUE(test, sysring_queue_remove(&head, &tail, w1));
	KUNIT_EXPECT_PTR_EQ(test, head, w2);
	KUNIT_EXPECT_PTR_EQ(test, tail, &w2->next);
	KUNIT_EXPECT_TRUE(test, sysring_queue_remove(&head, &tail, w2));
	KUNIT_EXPECT_NULL(test, head);
	KUNIT_EXPECT_PTR_EQ(test, tail, &head);
}

/*
 * Marked blocks complete once each, as canceled, in their turn: through a
 * worker's run of the chain (HARDLINK lets the next one run) and through
 * the completion of a chain taken off the queue; every reservation is
 * consumed and no CQE is posted twice.
 */
static void sysring_cancel_complete_test(struct kunit *test)
{
	struct sysring_test_exec *t = sysring_tex_init(test, true);
	struct sysring_exec *ex = &t->ex;
	const struct sysring_insn exit7[] = { SR_MOVK(0, 7), SR_EXIT(0) };
	struct sysring_sqe sqes[5] = { };
	struct sysring_cancel_reg reg = { .user_data = 2 };
	struct sysring_work *run, *gone;
	unsigned int i;

	for (i = 0; i < 5; i++) {
		sqes[i].user_data = i + 1;
		sqes[i].ninsns = 2;
		memcpy(sqes[i].insns, exit7, sizeof(exit7));
	}
	sqes[0].flags = SYSRING_SQE_ASYNC | SYSRING_SQE_LINK;
	sqes[1].flags = SYSRING_SQE_HARDLINK;
	sqes[3].flags = SYSRING_SQE_ASYNC | SYSRING_SQE_LINK;
	sysring_tex_queue(t, sqes, 3);
	KUNIT_ASSERT_EQ(test, sysring_exec_submit(ex, 3), 3);
	sysring_tex_queue(t, &sqes[3], 2);
	KUNIT_ASSERT_EQ(test, sysring_exec_submit(ex, 2), 2);
	KUNIT_ASSERT_EQ(test, t->nqueued, 2);
	run = t->queued[0];
	gone = t->queued[1];
	t->queued[0] = NULL;
	t->queued[1] = NULL;
	KUNIT_EXPECT_EQ(test, ex->cq_reserved, 5);

	KUNIT_EXPECT_EQ(test, sysring_cancel_work(run, 0, &reg, 1), 1);
	sysring_work_run(ex, sysring_test_vm(test), run);
	sysring_work_free(ex, run);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 0)->status,
			SYSRING_STATUS_EXIT);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 1)->user_data, 2);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 1)->status,
			SYSRING_STATUS_CANCELED);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 1)->res, -ECANCELED);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 1)->insns, 0);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 2)->status,
			SYSRING_STATUS_EXIT);
	KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, 2)->res, 7);

	reg.user_data = 4;
	KUNIT_EXPECT_EQ(test, sysring_cancel_work(gone, 0, &reg, 1), 1);
	KUNIT_EXPECT_TRUE(test, sysring_work_runs_nothing(gone));
	sysring_work_cancel(ex, sysring_test_vm(test), gone);
	for (i = 3; i < 5; i++) {
		KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, i)->user_data, i + 1);
		KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, i)->status,
				SYSRING_STATUS_CANCELED);
		KUNIT_EXPECT_EQ(test, sysring_tex_cqe(t, i)->res, -ECANCELED);
	}
	KUNIT_EXPECT_EQ(test, ex->rings->cq_tail, 5);
	KUNIT_EXPECT_EQ(test, ex->cq_reserved, 0);
	KUNIT_EXPECT_EQ(test, t->live_works, 0);
}

/* The interpreter's stop check sees the running block's flag. */
static void sysring_cancel_vm_flag_test(struct kunit *test)
{
	struct sysring_insn self[] = { SR(JA, 0, 0, 0, -1) };
	struct sysring_vm *vm = sysring_test_vm(test);
	u8 flag = 0;

	vm->cancel = &flag;
	sysring_test_run(test, vm, self, 1, 5000);
	sysring_expect_stop(test, vm, SYSRING_STATUS_BUDGET, -ETIME, 0, 5000);
	flag = 1;
	sysring_test_run(test, vm, self, 1, 5000);
	sysring_expect_stop(test, vm, SYSRING_STATUS_CANCELED, -EINTR, 0,
			    5000 - 4096);
	vm->cancel = NULL;
	sysring_test_run(test, vm, self, 1, 5000);
	sysring_expect_stop(test, vm, SYSRING_STATUS_BUDGET, -ETIME, 0, 5000);
}

static struct kunit_case sysring_cancel_test_cases[] = {
	KUNIT_CASE(sysring_cancel_check_test),
	KUNIT_CASE(sysring_cancel_match_test),
	KUNIT_CASE(sysring_cancel_runs_nothing_test),
	KUNIT_CASE(sysring_cancel_queued_test),
	KUNIT_CASE(sysring_queue_remove_test),
	KUNIT_CASE(sysring_cancel_complete_test),
	KUNIT_CASE(sysring_cancel_vm_flag_test),
	{}
};

static struct kunit_suite sysring_cancel_test_suite = {
	.name = "sysring_cancel",
	.test_cases = sysring_cancel_test_cases,
};

/* ------------------------------------------------------------------ */
/* sysring_sqpoll: the SQPOLL parameters, and what its thread relies on */

struct sysring_sqpoll_params_case {
	const char *desc;
	u32 flags;
	u32 idle;
	int ret;
	u32 effective;	/* ex->sq_thread_idle and the value written back */
};

static const struct sysring_sqpoll_params_case sysring_sqpoll_params_cases[] = {
	{ "no SQPOLL", 0, 0, 0, 0 },
	{ "idle time without SQPOLL", 0, 10, -EINVAL },
	{ "idle time without SQPOLL, with CQSIZE", SYSRING_SETUP_CQSIZE, 1,
	  -EINVAL },
	{ "SQPOLL, default idle time", SYSRING_SETUP_SQPOLL, 0, 0,
	  SYSRING_DEFAULT_SQ_THREAD_IDLE },
	{ "SQPOLL, 1 ms", SYSRING_SETUP_SQPOLL, 1, 0, 1 },
	{ "SQPOLL, the limit", SYSRING_SETUP_SQPOLL,
	  SYSRING_MAX_SQ_THREAD_IDLE, 0, SYSRING_MAX_SQ_THREAD_IDLE },
	{ "SQPOLL, over the limit", SYSRING_SETUP_SQPOLL,
	  SYSRING_MAX_SQ_THREAD_IDLE + 1, -EINVAL },
	{ "SQPOLL, U32_MAX ms", SYSRING_SETUP_SQPOLL, U32_MAX, -EINVAL },
	{ "SQPOLL and CQSIZE", SYSRING_SETUP_SQPOLL | SYSRING_SETUP_CQSIZE, 5,
	  0, 5 },
};

KUNIT_ARRAY_PARAM_DESC(sysring_sqpoll_params, sysring_sqpoll_params_cases,
		       desc);

/* Checked, kept in the ring and written back; 0 means no thread. */
static void sysring_sqpoll_params_test(struct kunit *test)
{
	const struct sysring_sqpoll_params_case *c = test->param_value;
	struct sysring_params p = {
		.flags = c->flags, .sq_thread_idle = c->idle, .cq_entries = 8,
	};
	struct sysring_exec ex = { };

	KUNIT_ASSERT_EQ(test, sysring_params_check(4, &p), c->ret);
	if (c->ret)
		return;
	sysring_exec_init(&ex, &p);
	KUNIT_EXPECT_EQ(test, ex.sq_thread_idle, c->effective);
	memset(&p, 0xff, sizeof(p));
	sysring_params_fill(&ex, &p);
	KUNIT_EXPECT_EQ(test, p.sq_thread_idle, c->effective);
}

/*
 * The inline path tells the environment which entry it runs, and only
 * inline ones: an SQPOLL thread publishes it there for cancel requests.
 * A request that marks it as it starts keeps it from running, and the
 * link rules cancel the rest of its chain; invalid entries are not found.
 */
static void sysring_sqpoll_inline_step_test(struct kunit *test)
{
	struct sysring_test_exec *t = sysring_tex_init(test, true);
	const struct sysring_insn exit7[] = { SR_MOVK(0, 7), SR_EXIT(0) };
	struct sysring_exec *ex = &t->ex;
	struct sysring_sqe sqes[SR_ASYNC_SQ] = { };
	struct sysring_cqe *cqe;
	unsigned int i;

	for (i = 0; i < SR_ASYNC_SQ; i++) {
		sqes[i].user_data = i + 1;
		sqes[i].ninsns = 2;
		memcpy(sqes[i].insns, exit7, sizeof(exit7));
	}
	sqes[1].flags = SYSRING_SQE_LINK;
	sqes[3].flags = SYSRING_SQE_ASYNC;
	t->step_cancel = 2;
	sysring_tex_queue(t, sqes, 4);
	KUNIT_ASSERT_EQ(test, sysring_exec_submit(ex, 4), 4);
	KUNIT_EXPECT_EQ(test, t->steps, 3);
	KUNIT_EXPECT_EQ(test, t->step_ends, 3);
	KUNIT_EXPECT_NULL(test, t->step_ent);
	KUNIT_EXPECT_EQ(test, t->step_marks, 1);
	KUNIT_EXPECT_EQ(test, t->nqueued, 1);

	cqe = sysring_tex_cqe(t, 0);
	KUNIT_EXPECT_EQ(test, cqe->user_data, 1);
	KUNIT_EXPECT_EQ(test, cqe->status, SYSRING_STATUS_EXIT);
	KUNIT_EXPECT_EQ(test, cqe->res, 7);
	for (i = 1; i < 3; i++) {
		cqe = sysring_tex_cqe(t, i);
		KUNIT_EXPECT_EQ(test, cqe->user_data, i + 1);
		KUNIT_EXPECT_EQ(test, cqe->status, SYSRING_STATUS_CANCELED);
		KUNIT_EXPECT_EQ(test, cqe->res, -ECANCELED);
		KUNIT_EXPECT_EQ(test, cqe->insns, 0);
	}

	/* An invalid entry is stepped through, never found. */
	t->step_cancel = 5;
	sqes[0].user_data = 5;
	sqes[0].ninsns = 0;
	sysring_tex_queue(t, sqes, 1);
	KUNIT_ASSERT_EQ(test, sysring_exec_submit(ex, 1), 1);
	KUNIT_EXPECT_EQ(test, t->steps, 4);
	KUNIT_EXPECT_EQ(test, t->step_marks, 1);
	cqe = sysring_tex_cqe(t, 3);
	KUNIT_EXPECT_EQ(test, cqe->user_data, 5);
	KUNIT_EXPECT_EQ(test, cqe->status, SYSRING_STATUS_INVALID);
}

static struct kunit_case sysring_sqpoll_test_cases[] = {
	KUNIT_CASE_PARAM(sysring_sqpoll_params_test,
			 sysring_sqpoll_params_gen_params),
	KUNIT_CASE(sysring_sqpoll_inline_step_test),
	{}
};

static struct kunit_suite sysring_sqpoll_test_suite = {
	.name = "sysring_sqpoll",
	.test_cases = sysring_sqpoll_test_cases,
};

/*
 * sysring_poll: a WAIT at the head of an async chain, armed at submission
 * (poll.c), sees the wake-ups from then on, even of data gone by the time
 * it runs; a WAIT that is not the armed one polls as before.
 */

static u64 sysring_arm_ns(int ms)
{
	return ms * SR_NS_PER_MS;
}

/* A one-entry work item whose head block is WAIT r0, r1, @events; EXIT r0. */
static struct sysring_work *sysring_arm_work(struct kunit *test, u64 fd,
					     u64 timeout, u32 events)
{
	struct sysring_work *work;
	struct sysring_sqe *sqe;

	work = kunit_kzalloc(test, struct_size(work, ents, 1), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, work);
	work->nr = 1;
	sqe = &work->ents[0].sqe;
	sqe->ninsns = 2;
	sqe->insns[0] = SR(WAIT, 0, 1, 0, events);
	sqe->insns[1] = SR_EXIT(0);
	sqe->reg_base = 1;
	sqe->nregs = 2;
	sqe->regs[0] = fd;
	sqe->regs[1] = timeout;
	return work;
}

KUNIT_DEFINE_ACTION_WRAPPER(sysring_arm_free_action, sysring_arm_free,
			    struct sysring_wait_arm *);
KUNIT_DEFINE_ACTION_WRAPPER(sysring_fput_action, fput, struct file *);

/* Free @arm when the test ends. */
static void sysring_arm_defer_free(struct kunit *test,
				   struct sysring_wait_arm *arm)
{
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, arm);
	ret = kunit_add_action_or_reset(test, sysring_arm_free_action, arm);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

static struct sysring_wait_arm *sysring_arm_test_file(struct kunit *test,
						      struct file *file,
						      __poll_t key)
{
	struct sysring_wait_arm *arm = sysring_arm_file(file, key);

	sysring_arm_defer_free(test, arm);
	return arm;
}

static struct file *sysring_arm_fget(struct kunit *test, int fd)
{
	struct file *file = fget(fd);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, file);
	ret = kunit_add_action_or_reset(test, sysring_fput_action, file);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return file;
}

/* A pipe in the test's file table; its read end's file and pipe. */
static struct pipe_inode_info *sysring_arm_pipe(struct kunit *test,
						struct sysring_vm *vm,
						int fds[2], struct file **rd)
{
	struct pipe_inode_info *pipe;

	sysring_io_pipe(test, vm, fds);
	*rd = sysring_arm_fget(test, fds[0]);
	pipe = get_pipe_info(*rd, false);
	KUNIT_ASSERT_NOT_NULL(test, pipe);
	return pipe;
}

/* Take back what sysring_io_fill() put in. */
static void sysring_arm_drain(struct kunit *test, struct sysring_vm *vm,
			      int fd, u64 buf, u64 len)
{
	const u64 args[6] = { fd, buf, len };

	KUNIT_ASSERT_EQ(test, sysring_env_syscall(vm, __NR_read, args), len);
}

/* Which head blocks are armed: only operands known before they run. */
static void sysring_arm_target_test(struct kunit *test)
{
	struct sysring_prog *prog;
	struct sysring_work *work;
	struct sysring_chain_ent *ent;
	__poll_t key;
	u32 fd;

	work = sysring_arm_work(test, 7, sysring_arm_ns(5), 0x1);
	ent = &work->ents[0];
	KUNIT_ASSERT_TRUE(test, sysring_arm_target(ent, &fd, &key));
	KUNIT_EXPECT_EQ(test, fd, 7);
	KUNIT_EXPECT_EQ(test, (__force u32)key,
			(__force u32)(EPOLLIN | EPOLLERR | EPOLLHUP));

	/* A register outside the SQE's window starts at zero. */
	ent->sqe.reg_base = 2;
	ent->sqe.nregs = 1;
	ent->sqe.regs[0] = sysring_arm_ns(5);
	KUNIT_ASSERT_TRUE(test, sysring_arm_target(ent, &fd, &key));
	KUNIT_EXPECT_EQ(test, fd, 0);
	ent->sqe.regs[0] = 0;		/* a zero timeout only looks */
	KUNIT_EXPECT_FALSE(test, sysring_arm_target(ent, &fd, &key));

	work = sysring_arm_work(test, 7, SYSRING_TIMEOUT_MAX_NS + 1, 0x1);
	KUNIT_EXPECT_FALSE(test, sysring_arm_target(&work->ents[0], &fd, &key));
	work = sysring_arm_work(test, 1ULL << 31, sysring_arm_ns(5), 0x1);
	KUNIT_EXPECT_FALSE(test, sysring_arm_target(&work->ents[0], &fd, &key));
	work = sysring_arm_work(test, 7, sysring_arm_ns(5), 0x1);
	work->ents[0].err = -EINVAL;
	KUNIT_EXPECT_FALSE(test, sysring_arm_target(&work->ents[0], &fd, &key));
	work = sysring_arm_work(test, 7, sysring_arm_ns(5), 0x1);
	work->ents[0].sqe.insns[0] = SR_MOVK(0, 1);
	KUNIT_EXPECT_FALSE(test, sysring_arm_target(&work->ents[0], &fd, &key));

	/* A registered program's first instruction counts, not the SQE's. */
	prog = kunit_kzalloc(test, struct_size(prog, insns, 2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, prog);
	prog->insns[0] = SR(WAIT, 0, 1, 0, 0x4);
	prog->insns[1] = SR_EXIT(0);
	work->ents[0].prog = prog;
	KUNIT_ASSERT_TRUE(test, sysring_arm_target(&work->ents[0], &fd, &key));
	KUNIT_EXPECT_EQ(test, (__force u32)key,
			(__force u32)(EPOLLOUT | EPOLLERR | EPOLLHUP));
}

/*
 * The pipe is written and read back before the WAIT runs: armed, it
 * reports POLLIN, as io_uring's POLL_ADD does; not armed, it times out.
 */
static void sysring_arm_latch_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	u64 buf = sysring_test_urw(test, PAGE_SIZE);
	struct sysring_work *work;
	struct sysring_wait_arm *arm;
	int fds[2];

	sysring_io_pipe(test, vm, fds);
	work = sysring_arm_work(test, fds[0], sysring_arm_ns(5), 0x1);
	sysring_work_arm(NULL, work);
	arm = work->arm;
	sysring_arm_defer_free(test, arm);
	sysring_io_fill(test, vm, fds[1], buf, 1);
	sysring_arm_drain(test, vm, fds[0], buf, 1);

	/* Another file's wait leaves the arm alone. */
	vm->arm = arm;
	vm->regs[1] = fds[1];
	vm->regs[2] = sysring_arm_ns(5);
	sysring_io_run1(test, vm, SR(WAIT, 0, 1, 0, 0x4), 16);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 0x4, 1, 2);
	KUNIT_EXPECT_PTR_EQ(test, vm->arm, arm);

	vm->regs[1] = fds[0];
	sysring_io_run1(test, vm, SR(WAIT, 0, 1, 0, 0x1), 16);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 0x1, 1, 2);
	/* Reported: the arm is done with, the next WAIT polls. */
	KUNIT_EXPECT_NULL(test, vm->arm);
	sysring_io_run1(test, vm, SR(WAIT, 0, 1, 0, 0x1), 16);
	sysring_expect_stop(test, vm, SYSRING_STATUS_EXIT, 0, 1, 2);

	/* A descriptor that is not open is left to the WAIT (-EBADF). */
	work = sysring_arm_work(test, 1000, sysring_arm_ns(5), 0x1);
	sysring_work_arm(NULL, work);
	KUNIT_EXPECT_NULL(test, work->arm);
}

/* A ring is never armed: its arm would hold it past its last close. */
static void sysring_arm_ring_test(struct kunit *test)
{
	struct sysring_test_ring r;
	struct sysring_work *work;

	sysring_test_ring_init(test, &r, 4, 0);
	work = sysring_arm_work(test, r.fd, sysring_arm_ns(5), 0x1);
	sysring_work_arm(NULL, work);
	KUNIT_EXPECT_NULL(test, work->arm);
}

/* Ready when armed; events not asked for are not latched. */
static void sysring_arm_events_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	u64 buf = sysring_test_urw(test, PAGE_SIZE);
	__poll_t key = EPOLLIN | EPOLLERR | EPOLLHUP;
	struct sysring_wait_arm *arm;
	struct file *rd, *wr;
	int fds[2];

	sysring_io_pipe(test, vm, fds);
	rd = sysring_arm_fget(test, fds[0]);
	wr = sysring_arm_fget(test, fds[1]);
	arm = sysring_arm_test_file(test, wr, EPOLLOUT | EPOLLERR | EPOLLHUP);
	KUNIT_EXPECT_EQ(test, sysring_arm_wait(arm, ktime_get(), true),
			EPOLLOUT);

	arm = sysring_arm_test_file(test, rd, EPOLLPRI | EPOLLERR | EPOLLHUP);
	sysring_io_fill(test, vm, fds[1], buf, 1);
	KUNIT_EXPECT_EQ(test, sysring_arm_wait(arm, ktime_get(), true), 0);

	arm = sysring_arm_test_file(test, rd, key);
	KUNIT_EXPECT_EQ(test, sysring_arm_wait(arm, ktime_get(), true), EPOLLIN);
	/* Taken: nothing new is latched. */
	KUNIT_EXPECT_EQ(test, sysring_arm_wait(arm, ktime_get(), true), 0);
}

/* A wake-up without events makes the WAIT poll the file itself. */
static void sysring_arm_repoll_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	u64 buf = sysring_test_urw(test, PAGE_SIZE);
	__poll_t key = EPOLLIN | EPOLLERR | EPOLLHUP;
	struct sysring_wait_arm *arm;
	struct pipe_inode_info *pipe;
	struct file *rd;
	int fds[2];

	pipe = sysring_arm_pipe(test, vm, fds, &rd);
	arm = sysring_arm_test_file(test, rd, key);
	wake_up(&pipe->rd_wait);
	KUNIT_EXPECT_EQ(test, sysring_arm_wait(arm, ktime_get(), true), 0);

	sysring_io_fill(test, vm, fds[1], buf, 1);
	KUNIT_EXPECT_EQ(test, sysring_arm_wait(arm, ktime_get(), true), EPOLLIN);
	wake_up(&pipe->rd_wait);
	KUNIT_EXPECT_EQ(test, sysring_arm_wait(arm, ktime_get(), true), EPOLLIN);
}

struct sysring_arm_writer {
	struct delayed_work	dwork;
	struct file		*file;
	ssize_t			ret;
};

static void sysring_arm_write_fn(struct work_struct *work)
{
	struct sysring_arm_writer *w = container_of(to_delayed_work(work),
						    struct sysring_arm_writer,
						    dwork);
	loff_t pos = 0;

	w->ret = kernel_write(w->file, "x", 1, &pos);
}

/*
 * Asleep in the WAIT: a write from another thread wakes it; with nothing,
 * the timeout ends it; a signal, -EINTR.
 */
static void sysring_arm_sleep_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	__poll_t key = EPOLLIN | EPOLLERR | EPOLLHUP;
	struct sysring_arm_writer w = { .ret = -1 };
	struct sysring_wait_arm *arm;
	struct file *rd;
	ktime_t t0;
	int fds[2];

	sysring_io_pipe(test, vm, fds);
	rd = sysring_arm_fget(test, fds[0]);
	w.file = sysring_arm_fget(test, fds[1]);
	arm = sysring_arm_test_file(test, rd, key);

	t0 = ktime_get();
	KUNIT_EXPECT_EQ(test, sysring_arm_wait(arm, ktime_add_ms(t0, 5), false),
			0);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), t0), 4);

	INIT_DELAYED_WORK(&w.dwork, sysring_arm_write_fn);
	schedule_delayed_work(&w.dwork, msecs_to_jiffies(20));
	t0 = ktime_get();
	KUNIT_EXPECT_EQ(test, sysring_arm_wait(arm, ktime_add_ms(t0, 10000),
					       false), EPOLLIN);
	KUNIT_EXPECT_LT(test, ktime_ms_delta(ktime_get(), t0), 10000);
	flush_delayed_work(&w.dwork);
	KUNIT_EXPECT_EQ(test, w.ret, 1);

	sysring_test_kill_self(test);
	KUNIT_EXPECT_EQ(test, sysring_arm_wait(arm, ktime_add_ms(t0, 10000),
					       false), -EINTR);
	sysring_test_unkill();
}

/* POLLFREE takes the entry off a queue about to go: the WAIT polls. */
static void sysring_arm_pollfree_test(struct kunit *test)
{
	struct sysring_vm *vm = sysring_test_vm(test);
	struct sysring_wait_arm *arm;
	struct pipe_inode_info *pipe;
	struct file *rd;
	int fds[2];

	pipe = sysring_arm_pipe(test, vm, fds, &rd);
	arm = sysring_arm_test_file(test, rd, EPOLLIN | EPOLLERR | EPOLLHUP);
	KUNIT_EXPECT_PTR_EQ(test, arm->head, &pipe->rd_wait);
	wake_up_pollfree(&pipe->rd_wait);
	KUNIT_EXPECT_NULL(test, arm->head);
	KUNIT_EXPECT_EQ(test, sysring_arm_wait(arm, ktime_get(), true), -ENOENT);
}

static struct kunit_case sysring_poll_test_cases[] = {
	KUNIT_CASE(sysring_arm_target_test),
	KUNIT_CASE(sysring_arm_latch_test),
	KUNIT_CASE(sysring_arm_ring_test),
	KUNIT_CASE(sysring_arm_events_test),
	KUNIT_CASE(sysring_arm_repoll_test),
	KUNIT_CASE(sysring_arm_sleep_test),
	KUNIT_CASE(sysring_arm_pollfree_test),
	{}
};

static struct kunit_suite sysring_poll_test_suite = {
	.name = "sysring_poll",
	.test_cases = sysring_poll_test_cases,
};

kunit_test_suites(&sysring_check_test_suite, &sysring_vm_test_suite,
		  &sysring_sys_test_suite, &sysring_ring_test_suite,
		  &sysring_async_test_suite, &sysring_cq_test_suite,
		  &sysring_io_test_suite, &sysring_cancel_test_suite,
		  &sysring_sqpoll_test_suite, &sysring_poll_test_suite);

MODULE_DESCRIPTION("KUnit tests for sysring");
MODULE_LICENSE("GPL");
