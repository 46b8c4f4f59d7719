/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzing environment of the sysring VM core: what vm.h asks of an
 * environment, with no side effect outside this process.  System calls are
 * recorded and answered from the fuzz input, never performed; user memory
 * is one fake 64 KiB window at FUZZ_MEM_BASE and every other address
 * faults with -EFAULT, as uaccess would.  sysring_vm_impossible() traps:
 * an accepted program must never reach the interpreter's default label;
 * so does sysring_cq_impossible(): a completion must never be lost.
 * Overflow entries come from malloc(), or fail on request.
 */
#ifndef SYSRING_FUZZ_ENV_H
#define SYSRING_FUZZ_ENV_H

#include <stdio.h>
#include <stdlib.h>

#include "vm.h"

/* Reachable with a 32-bit MOV_K, so raw byte fuzzing hits it too. */
#define FUZZ_MEM_BASE	0x10000000ULL
#define FUZZ_MEM_SIZE	(64 * 1024)
#define FUZZ_MAX_PROGS	4

/* A failed invariant: a crash libFuzzer reports, with the reason first. */
#define FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant failed: %s\n",\
				__FILE__, __LINE__, #cond);		\
			__builtin_trap();				\
		}							\
	} while (0)

/* Reads the fuzz input front to back; zeros once it is used up. */
struct fz {
	const u8	*p;
	size_t		n;
};

static inline u8 fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline u16 fz_u16(struct fz *f)
{
	return fz_u8(f) | (u16)fz_u8(f) << 8;
}

static inline u32 fz_u32(struct fz *f)
{
	return fz_u16(f) | (u32)fz_u16(f) << 16;
}

static inline u64 fz_u64(struct fz *f)
{
	return fz_u32(f) | (u64)fz_u32(f) << 32;
}

/* Uniform enough in [0, n) for n > 0. */
static inline u32 fz_below(struct fz *f, u32 n)
{
	return n <= 256 ? fz_u8(f) % n : fz_u32(f) % n;
}

/* What a SYS stub call may do to its surroundings (submit_ring's hostile user). */
typedef void (*fuzz_sys_hook_t)(u32 nr, const u64 *args);

struct fuzz_env {
	struct fz	sys;		/* syscall results, in order */
	u64		seed;		/* results once sys is used up */
	u32		sys_calls;	/* SYS instructions that reached the stub */
	u32		waits;		/* sysring_env_wait() calls */
	u32		stop_after;	/* should_stop() true from this call (0: never) */
	u32		stop_calls;	/* should_stop() calls */
	u32		loads, stores, faults;
	u32		ovf_allocs;	/* overflow entries asked for */
	u32		ovf_fail_at;	/* the first refused (0: none is) */
	fuzz_sys_hook_t	hook;
	u32		nprogs;
	struct sysring_prog *progs[FUZZ_MAX_PROGS];
};

extern struct fuzz_env fuzz_env;
extern u8 fuzz_mem[FUZZ_MEM_SIZE];

/* Fresh environment: the fixed memory pattern, results from @sys, then @seed. */
void fuzz_env_reset(const u8 *sys, size_t n, u64 seed);
/* Register a copy of @insns if the checker accepts it; its index or -1. */
int fuzz_env_add_prog(const struct sysring_insn *insns, u32 len);
void fuzz_env_free_progs(void);
u64 fuzz_hash(const u8 *data, size_t n);

/*
 * Properties every finished sysring_vm_run() must have, whatever the
 * program did: a valid status that the run could produce, pc on an
 * instruction (never inside LDDW), executed within the budget, and the
 * result the status implies.
 */
void fuzz_check_run(const struct sysring_vm *vm,
		    const struct sysring_insn *insns, u32 len, u32 budget);

/*
 * sysring_vm_run() twice with different garbage at and above the program's
 * register footprint: the block must neither read nor write it.
 */
void fuzz_run_twice(struct sysring_vm *vm, const struct sysring_insn *insns,
		    u32 len, u32 budget, struct fz sys, u64 seed);

#endif /* SYSRING_FUZZ_ENV_H */
