// SPDX-License-Identifier: GPL-2.0
/*
 * gen_run: structure-aware.  The input steers gen.c into mostly valid
 * programs, so the interpreter's deep paths (loops, LDDW, SYS, LD/ST at the
 * window's edges, COPY/FIND around their limits) run under the same
 * invariants as check_run.  One input in 16 instead checks a single COPY
 * or FIND against a naive model of the fake memory.  At exit it prints how
 * often the checker accepted and how the runs ended.
 */
#include "gen.h"

#define GEN_MAX_INSNS	512

static struct {
	u64	runs, accepted, model_runs;
	u64	reasons[__SYSRING_CHECK_MAX];
	u64	status[__SYSRING_STATUS_MAX];
	u64	syscalls, waits, loads, stores, faults, executed;
} st;

static void gen_stats(void)
{
	static const char *const sname[] = {
		"exit", "error", "fault", "budget", "canceled", "invalid",
	};
	u32 i;

	if (!st.runs)
		return;
	fprintf(stderr, "gen_run: %llu programs, %llu accepted (%.1f%%), %llu model runs\n",
		(unsigned long long)st.runs, (unsigned long long)st.accepted,
		100.0 * st.accepted / st.runs,
		(unsigned long long)st.model_runs);
	fprintf(stderr, "gen_run: ended:");
	for (i = 0; i < __SYSRING_STATUS_MAX; i++)
		fprintf(stderr, " %s %llu", sname[i],
			(unsigned long long)st.status[i]);
	fprintf(stderr, "\ngen_run: rejected:");
	for (i = 1; i < __SYSRING_CHECK_MAX; i++)
		if (st.reasons[i])
			fprintf(stderr, " %u:%llu", i,
				(unsigned long long)st.reasons[i]);
	fprintf(stderr, "\ngen_run: %llu insns run, %llu syscalls, %llu waits, %llu loads, %llu stores, %llu faults\n",
		(unsigned long long)st.executed,
		(unsigned long long)st.syscalls, (unsigned long long)st.waits,
		(unsigned long long)st.loads,
		(unsigned long long)st.stores, (unsigned long long)st.faults);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	atexit(gen_stats);
	return 0;
}

/* [addr, addr + len) lies inside the window. */
static bool mapped(u64 addr, u64 len)
{
	u64 off = addr - FUZZ_MEM_BASE;

	return addr >= FUZZ_MEM_BASE && off <= FUZZ_MEM_SIZE &&
	       len <= FUZZ_MEM_SIZE - off;
}

static const u8 *mem_at(u64 addr)
{
	return &fuzz_mem[addr - FUZZ_MEM_BASE];
}

/*
 * COPY and FIND charge a budget unit per 4 KiB they move or compare: enough
 * for the worst FIND (1 MiB haystack, 256-byte needle), so that a model
 * run never stops on its budget.
 */
#define MODEL_BUDGET	(1U << 20)

static bool match_at(u64 hay, u64 i, u64 needle, u64 nlen)
{
	return mapped(hay + i, nlen) &&
	       !memcmp(mem_at(hay + i), mem_at(needle), nlen);
}

static void model_find(struct sysring_vm *vm, u64 hay, u64 hlen, u64 needle,
		       u64 nlen)
{
	static const struct sysring_insn prog[] = {
		{ .code = SYSRING_OP_FIND, .dst = 9, .src = 0, .mod = 2 },
		{ .code = SYSRING_OP_EXIT, .dst = 9 },
	};
	u64 r, i;

	vm->regs[0] = hay;
	vm->regs[1] = hlen;
	vm->regs[2] = needle;
	vm->regs[3] = nlen;
	sysring_vm_run(vm, prog, MODEL_BUDGET);
	fuzz_check_run(vm, prog, 2, MODEL_BUDGET);
	r = vm->regs[9];

	if (hlen > SYSRING_COPY_MAX || nlen > SYSRING_FIND_NEEDLE_MAX) {
		FUZZ_ASSERT(vm->status == SYSRING_STATUS_ERROR);
		return;
	}
	if (!nlen || nlen > hlen) {
		FUZZ_ASSERT(vm->status == SYSRING_STATUS_EXIT);
		FUZZ_ASSERT(r == (nlen ? (u64)-1 : 0));
		return;
	}
	if (!mapped(needle, nlen)) {
		FUZZ_ASSERT(vm->status == SYSRING_STATUS_FAULT);
		return;
	}
	if (vm->status == SYSRING_STATUS_FAULT) {
		FUZZ_ASSERT(!mapped(hay, hlen));
		return;
	}
	FUZZ_ASSERT(vm->status == SYSRING_STATUS_EXIT);
	if (r == (u64)-1) {
		/* It read the whole haystack and found nothing. */
		FUZZ_ASSERT(mapped(hay, hlen));
		for (i = 0; i + nlen <= hlen; i++)
			FUZZ_ASSERT(!match_at(hay, i, needle, nlen));
		return;
	}
	/* A match, and the first one: everything before it was read. */
	FUZZ_ASSERT(r + nlen <= hlen && match_at(hay, r, needle, nlen));
	for (i = 0; i < r; i++)
		FUZZ_ASSERT(mapped(hay + i, nlen) &&
			    !match_at(hay, i, needle, nlen));
}

static void model_copy(struct sysring_vm *vm, u64 dst, u64 src, u64 len)
{
	static const struct sysring_insn prog[] = {
		{ .code = SYSRING_OP_COPY, .dst = 0, .src = 1, .mod = 2 },
		{ .code = SYSRING_OP_EXIT, .dst = 2 },
	};
	static u8 want[FUZZ_MEM_SIZE];
	bool ok = mapped(dst, len) && mapped(src, len);

	vm->regs[0] = dst;
	vm->regs[1] = src;
	vm->regs[2] = len;
	memcpy(want, fuzz_mem, FUZZ_MEM_SIZE);
	if (ok && len)
		memmove(&want[dst - FUZZ_MEM_BASE], mem_at(src), len);
	sysring_vm_run(vm, prog, MODEL_BUDGET);
	fuzz_check_run(vm, prog, 2, MODEL_BUDGET);

	if (len > SYSRING_COPY_MAX) {
		FUZZ_ASSERT(vm->status == SYSRING_STATUS_ERROR);
	} else if (!len || ok) {
		/* memmove() semantics, overlap included. */
		FUZZ_ASSERT(vm->status == SYSRING_STATUS_EXIT);
		FUZZ_ASSERT(!memcmp(want, fuzz_mem, FUZZ_MEM_SIZE));
	} else {
		FUZZ_ASSERT(vm->status == SYSRING_STATUS_FAULT);
	}
}

static void model_run(struct fz *f, struct sysring_vm *vm, u8 mode)
{
	u64 a = gen_addr(f), b = gen_addr(f), len = gen_len(f);

	st.model_runs++;
	/* Keep most models inside the window so the compare means something. */
	if (mode & 2)
		b = a + (s64)(s16)fz_u16(f);
	if (mode & 4)
		len %= 1100;
	if (mode & 1)
		model_find(vm, a, len, b, fz_u8(f) & 1 ? gen_len(f) % 300 :
				      fz_u16(f) % 9);
	else
		model_copy(vm, a, b, len);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct sysring_insn gen_buf[GEN_MAX_INSNS];
	struct sysring_insn *insns;
	struct sysring_vm *vm;
	struct fz f = { data, size };
	u32 len, budget, pc1, pc2;
	u8 mode = fz_u8(&f);
	int r1, r2;
	u64 seed;

	vm = calloc(1, sizeof(*vm));
	FUZZ_ASSERT(vm);
	fuzz_env_reset(NULL, 0, fuzz_hash(data, size));
	if (mode < 16) {
		model_run(&f, vm, mode);
		free(vm);
		return 0;
	}

	budget = 1 + fz_u16(&f) % 4096;
	if (mode & 0x80)
		fuzz_env.stop_after = 1 + fz_u8(&f) % 4;
	gen_regs(&f, vm->regs, SYSRING_NR_REGS);
	len = gen_program(&f, gen_buf, GEN_MAX_INSNS);
	/* Exactly sized: ASan sees a read past the last instruction. */
	insns = malloc(len * sizeof(*insns));
	FUZZ_ASSERT(insns);
	memcpy(insns, gen_buf, len * sizeof(*insns));
	/* What is left answers the program's syscalls. */
	fuzz_env.sys = f;
	seed = fuzz_hash(data, size);

	st.runs++;
	r1 = sysring_check(insns, len, SYSRING_MAX_PROG_INSNS, &pc1);
	r2 = sysring_check(insns, len, SYSRING_MAX_PROG_INSNS, &pc2);
	FUZZ_ASSERT(r1 == r2 && pc1 == pc2);
	FUZZ_ASSERT(r1 >= 0 && r1 < __SYSRING_CHECK_MAX);
	FUZZ_ASSERT(r1 == SYSRING_CHECK_OK ? pc1 == 0 : pc1 < len);
	st.reasons[r1]++;
	if (r1 == SYSRING_CHECK_OK) {
		st.accepted++;
		fuzz_run_twice(vm, insns, len, budget, f, seed);
		st.status[vm->status]++;
		st.executed += vm->executed;
		st.syscalls += fuzz_env.sys_calls;
		st.waits += fuzz_env.waits;
		st.loads += fuzz_env.loads;
		st.stores += fuzz_env.stores;
		st.faults += fuzz_env.faults;
	}
	free(insns);
	free(vm);
	return 0;
}
