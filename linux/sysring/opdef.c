// SPDX-License-Identifier: GPL-2.0
/*
 * sysring opcode and syscall tables, shared by the checker, the interpreter
 * and userspace tools.
 */
#include "vm.h"

#define OP(op, mnemonic, cls)	\
	[SYSRING_OP_##op] = { .name = mnemonic, .class = SYSRING_CLASS_##cls }

const struct sysring_opdef sysring_opdefs[256] = {
	OP(EXIT,	"exit",		EXIT),
	OP(LDDW,	"lddw",		LDDW),
	OP(MOV_X,	"mov",		ALU_X),
	OP(ADD_X,	"add",		ALU_X),
	OP(SUB_X,	"sub",		ALU_X),
	OP(MUL_X,	"mul",		ALU_X),
	OP(DIV_X,	"div",		ALU_X),
	OP(MOD_X,	"mod",		ALU_X),
	OP(AND_X,	"and",		ALU_X),
	OP(OR_X,	"or",		ALU_X),
	OP(XOR_X,	"xor",		ALU_X),
	OP(LSH_X,	"lsh",		ALU_X),
	OP(RSH_X,	"rsh",		ALU_X),
	OP(ARSH_X,	"arsh",		ALU_X),
	OP(NEG,		"neg",		NEG),
	OP(MOV_K,	"mov",		ALU_K),
	OP(ADD_K,	"add",		ALU_K),
	OP(SUB_K,	"sub",		ALU_K),
	OP(MUL_K,	"mul",		ALU_K),
	OP(DIV_K,	"div",		ALU_K),
	OP(MOD_K,	"mod",		ALU_K),
	OP(AND_K,	"and",		ALU_K),
	OP(OR_K,	"or",		ALU_K),
	OP(XOR_K,	"xor",		ALU_K),
	OP(LSH_K,	"lsh",		ALU_K),
	OP(RSH_K,	"rsh",		ALU_K),
	OP(ARSH_K,	"arsh",		ALU_K),
	OP(JA,		"ja",		JA),
	OP(JEQ_X,	"jeq",		JMP_X),
	OP(JNE_X,	"jne",		JMP_X),
	OP(JGT_X,	"jgt",		JMP_X),
	OP(JGE_X,	"jge",		JMP_X),
	OP(JLT_X,	"jlt",		JMP_X),
	OP(JLE_X,	"jle",		JMP_X),
	OP(JSGT_X,	"jsgt",		JMP_X),
	OP(JSGE_X,	"jsge",		JMP_X),
	OP(JSLT_X,	"jslt",		JMP_X),
	OP(JSLE_X,	"jsle",		JMP_X),
	OP(JSET_X,	"jset",		JMP_X),
	OP(JEQ_K,	"jeq",		JMP_K),
	OP(JNE_K,	"jne",		JMP_K),
	OP(JGT_K,	"jgt",		JMP_K),
	OP(JGE_K,	"jge",		JMP_K),
	OP(JLT_K,	"jlt",		JMP_K),
	OP(JLE_K,	"jle",		JMP_K),
	OP(JSGT_K,	"jsgt",		JMP_K),
	OP(JSGE_K,	"jsge",		JMP_K),
	OP(JSLT_K,	"jslt",		JMP_K),
	OP(JSLE_K,	"jsle",		JMP_K),
	OP(JSET_K,	"jset",		JMP_K),
	OP(LD,		"ld",		LD),
	OP(ST,		"st",		ST),
	OP(SYS,		"sys",		SYS),
	OP(COPY,	"copy",		COPY),
	OP(FIND,	"find",		FIND),
	OP(XFER,	"xfer",		IO),
	OP(READN,	"readn",	IO),
	OP(WRITET,	"writet",	IO),
	OP(WAIT,	"wait",		IO),
};

const char *const sysring_check_reasons[__SYSRING_CHECK_MAX] = {
	[SYSRING_CHECK_OK]		= "accepted",
	[SYSRING_CHECK_EMPTY]		= "program has no instructions",
	[SYSRING_CHECK_TOO_LONG]	= "program exceeds the size limit",
	[SYSRING_CHECK_BAD_OPCODE]	= "unknown or reserved opcode",
	[SYSRING_CHECK_RESERVED]	= "field unused by the opcode is not zero",
	[SYSRING_CHECK_BAD_JUMP]	= "jump target outside the program or inside lddw",
	[SYSRING_CHECK_BAD_SYSCALL]	= "system call not allowed",
	[SYSRING_CHECK_NO_EXIT]		= "execution can run past the last instruction",
	[SYSRING_CHECK_DIV_ZERO]	= "division by constant zero",
	[SYSRING_CHECK_BAD_LDDW]	= "lddw without its second slot",
	[SYSRING_CHECK_BAD_MOD]		= "invalid modifier",
	[SYSRING_CHECK_BAD_REG]		= "register window past r255",
	[SYSRING_CHECK_BAD_SHIFT]	= "constant shift of 64 or more",
};

/*
 * System calls a SYS instruction may run.  Left out on purpose: everything
 * that depends on being the calling thread at its return to user mode or
 * that changes who the task is: fork, clone*, vfork, execve*, exit*,
 * rt_sig*, sigaltstack, arch_prctl, set_tid_address, set_robust_list, rseq,
 * ptrace, seccomp, prctl, the set*id family, capset, unshare, setns,
 * personality, chroot, pivot_root, mount family, module and kexec calls,
 * reboot, bpf, perf_event_open, io_uring_* and sysring_* themselves.
 */
/* Indexed by syscall number; a name the architecture lacks fails the build. */
#define SYSRING_SYSCALL(name)	\
	[__NR_##name] = true,
static const bool sysring_syscalls[SYSRING_PROBE_SYSCALLS] = {
#include "allowlist.h"
};

#undef SYSRING_SYSCALL

bool sysring_syscall_allowed(u32 nr)
{
	return nr < SYSRING_PROBE_SYSCALLS && sysring_syscalls[nr];
}
