// SPDX-License-Identifier: GPL-2.0
/*
 * check_run: raw bytes as a program.  The checker must give the same
 * verdict twice; whatever it accepts must run to a valid end under a small
 * budget without ever reaching the interpreter's impossible path, with
 * ASan watching every access and UBSan every operation.
 */
#include "fuzz_env.h"

#define CHECK_RUN_BUDGET	4096

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct sysring_insn *insns;
	struct sysring_vm *vm;
	u32 len = size / sizeof(*insns);
	u32 pc1, pc2;
	int r1, r2;
	u64 h;

	if (len > SYSRING_MAX_PROG_INSNS)
		len = SYSRING_MAX_PROG_INSNS;
	/* Exactly sized copy: ASan sees a read past the last instruction. */
	insns = malloc(len ? len * sizeof(*insns) : 1);
	FUZZ_ASSERT(insns);
	memcpy(insns, data, len * sizeof(*insns));

	r1 = sysring_check(insns, len, SYSRING_MAX_PROG_INSNS, &pc1);
	r2 = sysring_check(insns, len, SYSRING_MAX_PROG_INSNS, &pc2);
	FUZZ_ASSERT(r1 == r2 && pc1 == pc2);
	FUZZ_ASSERT(r1 >= 0 && r1 < __SYSRING_CHECK_MAX);
	FUZZ_ASSERT(r1 == SYSRING_CHECK_OK ? pc1 == 0 : !len || pc1 < len);
	FUZZ_ASSERT(!len == (r1 == SYSRING_CHECK_EMPTY));
	FUZZ_ASSERT(len <= SYSRING_SQE_INSNS ||
		    sysring_check(insns, len, SYSRING_SQE_INSNS, &pc2) ==
		    SYSRING_CHECK_TOO_LONG);
	if (r1 != SYSRING_CHECK_OK) {
		free(insns);
		return 0;
	}

	h = fuzz_hash(data, size);
	fuzz_env_reset(NULL, 0, h);
	vm = calloc(1, sizeof(*vm));
	FUZZ_ASSERT(vm);
	/* A few registers point into the window so LD/ST get somewhere. */
	vm->regs[1] = FUZZ_MEM_BASE;
	vm->regs[2] = FUZZ_MEM_BASE + (h % FUZZ_MEM_SIZE);
	vm->regs[3] = h % 1024;
	fuzz_run_twice(vm, insns, len, CHECK_RUN_BUDGET,
		       (struct fz){ NULL, 0 }, h);
	free(vm);
	free(insns);
	return 0;
}
