// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzing environment: see fuzz_env.h.  Nothing here performs a real
 * system call or touches memory outside fuzz_mem on a program's behalf.
 */
#include "fuzz_env.h"

struct fuzz_env fuzz_env;
u8 fuzz_mem[FUZZ_MEM_SIZE];

static u64 splitmix64(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

u64 fuzz_hash(const u8 *data, size_t n)
{
	u64 h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *data++) * 0x100000001b3ULL;
	return h;
}

void fuzz_env_reset(const u8 *sys, size_t n, u64 seed)
{
	static u8 pristine[FUZZ_MEM_SIZE];
	static bool made;
	u64 s = 0x5eed;
	u32 i;

	/* A fixed pattern with repeats, so FIND has something to find. */
	for (i = 0; !made && i < FUZZ_MEM_SIZE; i += 8) {
		u64 v = splitmix64(&s);

		if (v & 1)
			v &= 0x0303030303030303ULL;
		memcpy(&pristine[i], &v, 8);
	}
	made = true;
	memcpy(fuzz_mem, pristine, FUZZ_MEM_SIZE);
	fuzz_env_free_progs();
	memset(&fuzz_env, 0, sizeof(fuzz_env));
	fuzz_env.sys.p = sys;
	fuzz_env.sys.n = n;
	fuzz_env.seed = seed;
}

int fuzz_env_add_prog(const struct sysring_insn *insns, u32 len)
{
	struct sysring_prog *prog;
	u32 pc;

	if (fuzz_env.nprogs >= FUZZ_MAX_PROGS ||
	    sysring_check(insns, len, SYSRING_MAX_PROG_INSNS, &pc))
		return -1;
	/* Exactly sized: ASan sees any read past the program. */
	prog = malloc(sizeof(*prog) + len * sizeof(*insns));
	FUZZ_ASSERT(prog);
	prog->len = len;
	memcpy(prog->insns, insns, len * sizeof(*insns));
	/* As register.c does: the submit path trusts it to clear registers. */
	prog->footprint = sysring_prog_footprint(insns, len);
	fuzz_env.progs[fuzz_env.nprogs] = prog;
	return fuzz_env.nprogs++;
}

void fuzz_env_free_progs(void)
{
	u32 i;

	for (i = 0; i < fuzz_env.nprogs; i++) {
		free(fuzz_env.progs[i]);
		fuzz_env.progs[i] = NULL;
	}
	fuzz_env.nprogs = 0;
}

/* The part of [uaddr, uaddr + size) inside the window, from its start. */
static u32 fuzz_mem_span(u64 uaddr, u32 size)
{
	u64 off = uaddr - FUZZ_MEM_BASE;

	if (uaddr < FUZZ_MEM_BASE || off >= FUZZ_MEM_SIZE)
		return 0;
	return min_t(u64, size, FUZZ_MEM_SIZE - off);
}

/*
 * Like copy_from_user(): copy what is mapped, zero the rest, report a
 * fault.  The VM never asks for more than its largest stack buffer.
 */
int sysring_env_load(void *dst, u64 uaddr, u32 size)
{
	u32 n = fuzz_mem_span(uaddr, size);

	FUZZ_ASSERT(size >= 1 && size <= 512);
	fuzz_env.loads++;
	memcpy(dst, n ? &fuzz_mem[uaddr - FUZZ_MEM_BASE] : fuzz_mem, n);
	memset((u8 *)dst + n, 0, size - n);
	if (n == size)
		return 0;
	fuzz_env.faults++;
	return -EFAULT;
}

/* Like copy_to_user(): a faulting store may have written a prefix. */
int sysring_env_store(u64 uaddr, const void *src, u32 size)
{
	u32 n = fuzz_mem_span(uaddr, size);

	FUZZ_ASSERT(size >= 1 && size <= 512);
	fuzz_env.stores++;
	if (n)
		memcpy(&fuzz_mem[uaddr - FUZZ_MEM_BASE], src, n);
	if (n == size)
		return 0;
	fuzz_env.faults++;
	return -EFAULT;
}

/* The differential check: the checker let through what the VM can't run. */
void sysring_vm_impossible(unsigned int code)
{
	fprintf(stderr, "sysring fuzz: opcode %#x passed the checker\n", code);
	__builtin_trap();
}

/*
 * Results a real syscall could give and some it could not: 0, small
 * counts, every -errno, -EFAULT, -4096 (not an error), an address in the
 * window, an argument echoed back, any 64-bit value.
 */
long sysring_env_syscall(struct sysring_vm *vm, u32 nr, const u64 *args)
{
	struct fz *f = &fuzz_env.sys;
	u64 raw = f->n ? fz_u64(f) : splitmix64(&fuzz_env.seed);
	long ret;

	(void)vm;
	/* Only the checker's allow-list may get this far. */
	FUZZ_ASSERT(sysring_syscall_allowed(nr));
	fuzz_env.sys_calls++;
	switch (raw & 7) {
	case 0:
		ret = 0;
		break;
	case 1:
		ret = (raw >> 8) & 0xffff;
		break;
	case 2:
		ret = -(long)(1 + (raw >> 8) % 4095);
		break;
	case 3:
		ret = -EFAULT;
		break;
	case 4:
		ret = -4096;
		break;
	case 5:
		ret = FUZZ_MEM_BASE + ((raw >> 8) % FUZZ_MEM_SIZE);
		break;
	case 6:
		ret = args[(raw >> 8) % 6];
		break;
	default:
		ret = (long)raw;
		break;
	}
	if (fuzz_env.hook)
		fuzz_env.hook(nr, args);
	return ret;
}

/*
 * A readiness wait answered from the same input as the syscalls: timed
 * out, an -errno, or some of the events (POLLERR and POLLHUP included)
 * with part of the timeout used.
 */
long sysring_env_wait(struct sysring_vm *vm, u32 fd, u32 events,
		      u64 *timeout_ns)
{
	struct fz *f = &fuzz_env.sys;
	u64 raw = f->n ? fz_u64(f) : splitmix64(&fuzz_env.seed);
	u32 mask = (events | 0x18) & (u32)(raw >> 32);

	(void)vm;
	/* io.c checks both before it waits. */
	FUZZ_ASSERT(fd <= 0x7fffffff);
	FUZZ_ASSERT(*timeout_ns <= SYSRING_TIMEOUT_MAX_NS);
	FUZZ_ASSERT(!(events & ~SYSRING_WAIT_EVENTS));
	fuzz_env.waits++;
	switch (raw & 3) {
	case 0:
		*timeout_ns = 0;
		return 0;
	case 1:
		return -(long)(1 + (raw >> 8) % 4095);
	default:
		*timeout_ns -= min_t(u64, *timeout_ns, (raw >> 8) & 0xffffff);
		return mask ? mask : 0x10;	/* POLLHUP */
	}
}

bool sysring_env_should_stop(struct sysring_vm *vm)
{
	(void)vm;
	fuzz_env.stop_calls++;
	return fuzz_env.stop_after && fuzz_env.stop_calls >= fuzz_env.stop_after;
}

/* Overflow entries, exactly sized; from the ovf_fail_at-th on, none. */
struct sysring_ovf *sysring_env_ovf_alloc(struct sysring_exec *ex)
{
	fuzz_env.ovf_allocs++;
	if (fuzz_env.ovf_fail_at && fuzz_env.ovf_allocs >= fuzz_env.ovf_fail_at)
		return NULL;
	return malloc(sysring_ovf_size(ex));
}

void sysring_env_ovf_free(struct sysring_exec *ex, struct sysring_ovf *ovf)
{
	(void)ex;
	free(ovf);
}

/* cq.c's invariant failed: a completion would have been lost. */
void sysring_cq_impossible(void)
{
	fprintf(stderr, "sysring fuzz: a completion found no overflow entry\n");
	__builtin_trap();
}

const struct sysring_prog *sysring_env_prog(struct sysring_exec *ex, u32 index)
{
	(void)ex;
	return index < fuzz_env.nprogs ? fuzz_env.progs[index] : NULL;
}

static bool fuzz_is_insn_start(const struct sysring_insn *insns, u32 len,
			       u32 pc)
{
	u32 i;

	for (i = 0; i < len && i < pc; i++)
		if (insns[i].code == SYSRING_OP_LDDW)
			i++;
	return i == pc;
}

void fuzz_check_run(const struct sysring_vm *vm,
		    const struct sysring_insn *insns, u32 len, u32 budget)
{
	const struct sysring_insn *insn;
	s64 res = vm->res;

	FUZZ_ASSERT(vm->status < __SYSRING_STATUS_MAX);
	FUZZ_ASSERT(vm->pc < len);
	FUZZ_ASSERT(fuzz_is_insn_start(insns, len, vm->pc));
	FUZZ_ASSERT(vm->executed <= budget);
	insn = &insns[vm->pc];

	switch (vm->status) {
	case SYSRING_STATUS_EXIT:
		FUZZ_ASSERT(insn->code == SYSRING_OP_EXIT);
		FUZZ_ASSERT(res == (s64)vm->regs[insn->dst]);
		FUZZ_ASSERT(vm->executed >= 1);
		break;
	case SYSRING_STATUS_ERROR:
		FUZZ_ASSERT(vm->executed >= 1);
		if (insn->code == SYSRING_OP_SYS) {
			FUZZ_ASSERT(res >= -4095 && res <= -1);
			FUZZ_ASSERT(!(insn->mod & SYSRING_SYS_KEEPERR));
		} else if (sysring_opdefs[insn->code].class ==
			   SYSRING_CLASS_IO) {
			FUZZ_ASSERT(res >= -4095 && res <= -1);
			FUZZ_ASSERT(!(insn->mod & SYSRING_IO_KEEPERR));
		} else if (insn->code == SYSRING_OP_DIV_X ||
			   insn->code == SYSRING_OP_MOD_X) {
			FUZZ_ASSERT(res == -EDOM && !vm->regs[insn->src]);
		} else {
			FUZZ_ASSERT(insn->code == SYSRING_OP_COPY ||
				    insn->code == SYSRING_OP_FIND);
			FUZZ_ASSERT(res == -E2BIG);
		}
		break;
	case SYSRING_STATUS_FAULT:
		FUZZ_ASSERT(res == -EFAULT && vm->executed >= 1);
		FUZZ_ASSERT(insn->code == SYSRING_OP_LD ||
			    insn->code == SYSRING_OP_ST ||
			    insn->code == SYSRING_OP_COPY ||
			    insn->code == SYSRING_OP_FIND);
		FUZZ_ASSERT(fuzz_env.faults);
		break;
	case SYSRING_STATUS_BUDGET:
		/* Stopped only because the budget ran out: all of it ran. */
		FUZZ_ASSERT(res == -ETIME && vm->executed == budget);
		break;
	case SYSRING_STATUS_CANCELED:
		FUZZ_ASSERT(res == -EINTR && fuzz_env.stop_after);
		break;
	default:
		/* INVALID comes only from the impossible path. */
		FUZZ_ASSERT(0);
	}
}

/*
 * Run an accepted program twice, the registers at and above its footprint
 * holding different garbage each time, with the same syscall results and
 * memory.  The footprint is what the submit path clears before a block
 * runs, so the block must neither read nor write past it: both runs end
 * alike and leave the garbage alone.
 */
void fuzz_run_twice(struct sysring_vm *vm, const struct sysring_insn *insns,
		    u32 len, u32 budget, struct fz sys, u64 seed)
{
	static struct sysring_vm first;
	u32 fp = sysring_prog_footprint(insns, len);
	u32 stop_after = fuzz_env.stop_after;
	u64 regs[SYSRING_NR_REGS];
	int pass;

	FUZZ_ASSERT(fp <= SYSRING_NR_REGS);
	memcpy(regs, vm->regs, sizeof(regs));
	for (pass = 0; pass < 2; pass++) {
		u32 i;

		fuzz_env_reset(NULL, 0, seed);
		fuzz_env.sys = sys;
		fuzz_env.stop_after = stop_after;
		memcpy(vm->regs, regs, sizeof(regs));
		for (i = fp; i < SYSRING_NR_REGS; i++)
			vm->regs[i] = pass ? 0xa5a5a5a5a5a5a5a5ULL * (i + 1) : 0;
		sysring_vm_run(vm, insns, budget);
		fuzz_check_run(vm, insns, len, budget);
		for (i = fp; i < SYSRING_NR_REGS; i++)
			FUZZ_ASSERT(vm->regs[i] ==
				    (pass ? 0xa5a5a5a5a5a5a5a5ULL * (i + 1) : 0));
		if (!pass) {
			first = *vm;
			continue;
		}
		FUZZ_ASSERT(vm->status == first.status && vm->res == first.res &&
			    vm->pc == first.pc &&
			    vm->executed == first.executed);
		FUZZ_ASSERT(!memcmp(vm->regs, first.regs, fp * sizeof(u64)));
	}
}
