/* SPDX-License-Identifier: MIT */
/* Description: SYSRING_REGISTER_PROBE reports the opcode table, the syscall allow-list and the limits */
#include <string.h>

#include "helpers.h"

static const unsigned opcodes[] = {
	SYSRING_OP_EXIT, SYSRING_OP_LDDW,
	SYSRING_OP_MOV_X, SYSRING_OP_ADD_X, SYSRING_OP_SUB_X, SYSRING_OP_MUL_X,
	SYSRING_OP_DIV_X, SYSRING_OP_MOD_X, SYSRING_OP_AND_X, SYSRING_OP_OR_X,
	SYSRING_OP_XOR_X, SYSRING_OP_LSH_X, SYSRING_OP_RSH_X,
	SYSRING_OP_ARSH_X, SYSRING_OP_NEG,
	SYSRING_OP_MOV_K, SYSRING_OP_ADD_K, SYSRING_OP_SUB_K, SYSRING_OP_MUL_K,
	SYSRING_OP_DIV_K, SYSRING_OP_MOD_K, SYSRING_OP_AND_K, SYSRING_OP_OR_K,
	SYSRING_OP_XOR_K, SYSRING_OP_LSH_K, SYSRING_OP_RSH_K,
	SYSRING_OP_ARSH_K,
	SYSRING_OP_JA, SYSRING_OP_JEQ_X, SYSRING_OP_JNE_X, SYSRING_OP_JGT_X,
	SYSRING_OP_JGE_X, SYSRING_OP_JLT_X, SYSRING_OP_JLE_X,
	SYSRING_OP_JSGT_X, SYSRING_OP_JSGE_X, SYSRING_OP_JSLT_X,
	SYSRING_OP_JSLE_X, SYSRING_OP_JSET_X,
	SYSRING_OP_JEQ_K, SYSRING_OP_JNE_K, SYSRING_OP_JGT_K, SYSRING_OP_JGE_K,
	SYSRING_OP_JLT_K, SYSRING_OP_JLE_K, SYSRING_OP_JSGT_K,
	SYSRING_OP_JSGE_K, SYSRING_OP_JSLT_K, SYSRING_OP_JSLE_K,
	SYSRING_OP_JSET_K,
	SYSRING_OP_LD, SYSRING_OP_ST, SYSRING_OP_SYS, SYSRING_OP_COPY,
	SYSRING_OP_FIND, SYSRING_OP_XFER, SYSRING_OP_READN, SYSRING_OP_WRITET,
	SYSRING_OP_WAIT,
};

static const unsigned allowed[] = {
	__NR_read, __NR_write, __NR_openat, __NR_close, __NR_fstat,
	__NR_pread64, __NR_pwrite64, __NR_getppid, __NR_accept4,
};

/* Syscalls that depend on being the calling thread, and sysring itself. */
static const unsigned denied[] = {
	__NR_fork, __NR_vfork, __NR_clone, __NR_clone3, __NR_execve,
	__NR_execveat, __NR_exit, __NR_exit_group, __NR_rt_sigreturn,
	__NR_sigaltstack, __NR_arch_prctl, __NR_set_tid_address, __NR_rseq,
	__NR_ptrace, __NR_seccomp, __NR_setuid, __NR_setresuid, __NR_unshare,
	__NR_setns, __NR_io_uring_setup, __NR_io_uring_enter,
	__NR_io_uring_register, __NR_sysring_setup, __NR_sysring_enter,
	__NR_sysring_register,
};

int main(void)
{
	struct sysring_probe p;
	struct sysring ring;
	unsigned i, nops = 0;

	t_ring_init(&ring, 2, NULL);
	T_EQ(sysring_probe(&ring, &p), 0);

	for (i = 0; i < ARRAY_SIZE(opcodes); i++)
		T_CHECK(sysring_opcode_supported(&p, opcodes[i]));
	for (i = 0; i < 256; i++)
		nops += sysring_opcode_supported(&p, i);
	T_EQ(nops, ARRAY_SIZE(opcodes));
	T_CHECK(!sysring_opcode_supported(&p, 0x76));
	T_CHECK(!sysring_opcode_supported(&p, 0x7f));

	for (i = 0; i < ARRAY_SIZE(allowed); i++)
		T_CHECK(sysring_syscall_supported(&p, allowed[i]));
	for (i = 0; i < ARRAY_SIZE(denied); i++) {
		if (sysring_syscall_supported(&p, denied[i])) {
			fprintf(stderr, "syscall %u is allowed\n", denied[i]);
			return T_EXIT_FAIL;
		}
	}

	T_EQ(p.max_prog_insns, SYSRING_MAX_PROG_INSNS);
	T_EQ(p.max_progs, SYSRING_MAX_PROGS);
	T_EQ(p.max_budget, SYSRING_MAX_BUDGET);
	T_EQ(p.max_entries, SYSRING_MAX_ENTRIES);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
