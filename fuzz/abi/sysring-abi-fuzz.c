// SPDX-License-Identifier: GPL-2.0
/*
 * sysring-abi-fuzz: hammer the real sysring system calls (600-602 on
 * x86_64) with raw syscall(2), seeded and time-bounded.
 *
 *   sysring-abi-fuzz [-s SEED] [-t SECONDS] [-j PROCS] [-T THREADS] [-v]
 *
 * PROCS processes each run episodes: create a ring with random (valid or
 * invalid) parameters, map it with random offsets/lengths/prot/flags, and
 * run THREADS threads on it that submit random SQEs (mostly-valid programs
 * whose memory operands point at valid, read-only, unmapped, kernel and
 * non-canonical addresses, allow-listed cheap SYS calls), register and
 * unregister programs, call sysring_register with random opcodes, reap
 * CQEs, and scribble garbage into the ring indices.  The supervisor also
 * forks victims that do the same (plus chains blocked in a read on an empty
 * pipe) and SIGKILLs them after a random delay.
 *
 * Errors from the kernel are expected and counted.  The fuzzer fails
 * (exit 1) only when it hangs: a process makes no progress for
 * SYSRING_FUZZ_HANG_S seconds (default 120), or a SIGKILLed victim is not
 * reaped within that time, or worker threads outlive their rings.  Kernel
 * reports are judged by whoever reads the kernel log (fuzz/abi/run.sh).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sysring.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/time_types.h>
#include <unistd.h>

#define NR_SETUP	600
#define NR_ENTER	601
#define NR_REGISTER	602

#define KADDR		0xffff888000000000ULL

/* ---- random numbers: splitmix64 seeding xorshift64* ---------------- */

struct rng {
	uint64_t s;
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_init(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;

	r->s = splitmix(&x) | 1;
}

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

static bool one_in(struct rng *r, uint32_t n)
{
	return below(r, n) == 0;
}

/* ---- shared statistics ---------------------------------------------- */

enum op {
	OP_SETUP, OP_SETUP_BAD, OP_MMAP, OP_MPROTECT, OP_MREMAP, OP_ENTER,
	OP_ENTER_WAIT, OP_ENTER_BADFD, OP_REG_PROG, OP_REG_GARBAGE,
	OP_UNREG, OP_PROBE, OP_WORKERS, OP_REG_RANDOM, OP_POLL, OP_CLOSE_EARLY,
	OP_VICTIM, OP_FORK_SUBMIT, OP_CANCEL, OP_ENTER_EXT, OP_EVENTFD, OP_MAX
};

static const char *const op_names[OP_MAX] = {
	"setup", "setup(invalid)", "mmap", "mprotect", "mremap", "enter",
	"enter(wait)", "enter(bad fd)", "register prog", "register garbage",
	"unregister", "probe", "workers", "register(random)", "poll",
	"close early", "victims killed", "fork+submit", "cancel",
	"enter(ext arg)", "eventfd",
};

#define NERR 134

struct stats {
	_Atomic uint64_t calls[OP_MAX][NERR + 1];	/* [NERR]: success */
	_Atomic uint64_t iters;
	_Atomic uint64_t sqes;
	_Atomic uint64_t cqes;
	_Atomic uint64_t status[8];
	_Atomic uint64_t episodes;
	_Atomic uint64_t heartbeat[64];
	_Atomic int hang;
};

static struct stats *st;

/*
 * The fuzzed programs store anywhere the process can write, and pointer
 * arithmetic on an operand (ADD_K to an address in ro_page, say) reaches
 * whatever mapping lies next to it.  Keep the shared counters in the middle
 * of a large PROT_NONE reservation so that only a wild 64-bit value could
 * land on them.
 */
#define STATS_GAP	(512UL << 20)

static struct stats *stats_map(void)
{
	size_t len = (sizeof(struct stats) + 4095) & ~4095UL;
	uint8_t *g, *m;

	g = mmap(NULL, 2 * STATS_GAP + len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g == MAP_FAILED)
		return NULL;
	m = mmap(g + STATS_GAP, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	return m == MAP_FAILED ? NULL : (struct stats *)m;
}

static void count(enum op op, long ret)
{
	int e = ret < 0 ? errno : NERR;

	if (e < 0 || e > NERR)
		e = 0;
	atomic_fetch_add_explicit(&st->calls[op][e], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->iters, 1, memory_order_relaxed);
}

/* ---- options ---------------------------------------------------------- */

static uint64_t opt_seed;
static unsigned int opt_secs = 60, opt_procs = 2, opt_threads = 3;
static int opt_verbose;
static double t_end;
static unsigned int hang_s = 120;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- memory the programs point at -------------------------------------- */

#define SCRATCH_SZ	(256 * 1024)

static uint8_t *scratch;	/* RW, followed by a PROT_NONE guard page */
static uint8_t *ro_page;	/* PROT_READ; holds a 1 ms timespec */
static uint8_t *hole;		/* unmapped */
static int pipe_nb[2];		/* O_NONBLOCK */
static int pipe_blk[2];		/* blocking, kept empty: victims block on it */

static void mem_init(void)
{
	uint8_t *p;
	struct timespec ts = { 0, 1000000 };

	p = mmap(NULL, SCRATCH_SZ + 2 * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	scratch = p;
	mprotect(p + SCRATCH_SZ, 4096, PROT_NONE);
	ro_page = p + SCRATCH_SZ + 4096;
	memcpy(ro_page, &ts, sizeof(ts));
	memset(ro_page + 64, 'x', 512);
	/*
	 * A valid sysring_prog_reg at +1024 for a one-EXIT program at +2048:
	 * registering it succeeds up to the copy_to_user() of the answer.
	 * Zeroed sysring_params at +3072: a ring is created, then the
	 * answer cannot be written back.
	 */
	{
		struct sysring_prog_reg reg = { 0 };
		struct sysring_insn ex = { SYSRING_OP_EXIT, 0, 0, 0, 0 };

		reg.insns = (uintptr_t)(ro_page + 2048);
		reg.len = 1;
		memcpy(ro_page + 1024, &reg, sizeof(reg));
		memcpy(ro_page + 2048, &ex, sizeof(ex));
	}
	mprotect(ro_page, 4096, PROT_READ);
	/*
	 * Unmapped, and never reused by a later mmap (top-down, far above):
	 * below the static binary's load address.  A hole freed with munmap
	 * could be refilled by a ring mapping, and a long COPY from there
	 * would then run into the fuzzer's own memory.
	 */
	hole = (uint8_t *)0x200000;
	if (pipe2(pipe_nb, O_NONBLOCK) || pipe(pipe_blk)) {
		perror("pipe");
		exit(2);
	}
}

/* Per-ring mapping addresses, also used as operands. */
struct ring {
	int fd;
	struct sysring_params p;
	uint8_t *rings;		/* may be NULL when the mmap was refused */
	uint8_t *sqes;
	size_t rings_len, sqes_len;
	_Atomic uint32_t *sq_tail, *sq_head, *cq_head, *cq_tail;
	_Atomic int stop;
	bool victim;
	_Atomic int nprogs;
	_Atomic uint32_t progs[16];
};

static uint64_t pick_addr(struct rng *r, struct ring *rg, uint32_t len)
{
	uint32_t off;

	switch (below(r, 12)) {
	case 0: case 1: case 2: case 3:
		off = below(r, SCRATCH_SZ);
		if (!one_in(r, 4) && len < SCRATCH_SZ)
			off = below(r, SCRATCH_SZ - len + 1);
		return (uint64_t)(uintptr_t)scratch + off;
	case 4:
		return (uint64_t)(uintptr_t)ro_page + below(r, 4096);
	case 5:
		return (uint64_t)(uintptr_t)hole + below(r, 4096);
	case 6:
		return KADDR + below(r, 1 << 20) * 8ULL;
	case 7:
		if (rg && rg->rings)
			return (uint64_t)(uintptr_t)rg->rings +
			       below(r, rg->rings_len);
		return 0;
	case 8:
		if (rg && rg->sqes)
			return (uint64_t)(uintptr_t)rg->sqes +
			       below(r, rg->sqes_len);
		return 8;
	case 9:
		/* The guard page right after scratch: straddle it. */
		return (uint64_t)(uintptr_t)scratch + SCRATCH_SZ - below(r, 64);
	case 10:
		switch (below(r, 4)) {
		case 0: return 0x8000000000000000ULL;
		case 1: return 0x00007ffffffff000ULL + below(r, 4096);
		case 2: return below(r, 65536);
		default: return rnd(r);
		}
	default:
		return (uint64_t)(uintptr_t)scratch + SCRATCH_SZ - 4096;
	}
}

static uint64_t pick_len(struct rng *r)
{
	static const uint64_t lens[] = {
		0, 1, 2, 7, 8, 255, 256, 257, 511, 512, 513, 4095, 4096,
		65536, SYSRING_COPY_MAX - 1, SYSRING_COPY_MAX,
		SYSRING_COPY_MAX + 1, 0xffffffffULL, ~0ULL,
	};

	if (one_in(r, 3))
		return below(r, 300);
	return lens[below(r, sizeof(lens) / sizeof(lens[0]))];
}

/* ---- the program generator --------------------------------------------- */

static struct sysring_insn I(uint8_t code, uint8_t dst, uint8_t src,
			     uint8_t mod, int32_t imm)
{
	struct sysring_insn in = { code, dst, src, mod, imm };

	return in;
}

static const uint8_t alu_x[] = {
	SYSRING_OP_MOV_X, SYSRING_OP_ADD_X, SYSRING_OP_SUB_X, SYSRING_OP_MUL_X,
	SYSRING_OP_DIV_X, SYSRING_OP_MOD_X, SYSRING_OP_AND_X, SYSRING_OP_OR_X,
	SYSRING_OP_XOR_X, SYSRING_OP_LSH_X, SYSRING_OP_RSH_X,
	SYSRING_OP_ARSH_X,
};

static const uint8_t alu_k[] = {
	SYSRING_OP_MOV_K, SYSRING_OP_ADD_K, SYSRING_OP_SUB_K, SYSRING_OP_MUL_K,
	SYSRING_OP_DIV_K, SYSRING_OP_MOD_K, SYSRING_OP_AND_K, SYSRING_OP_OR_K,
	SYSRING_OP_XOR_K, SYSRING_OP_LSH_K, SYSRING_OP_RSH_K,
	SYSRING_OP_ARSH_K,
};

static uint8_t reg(struct rng *r)
{
	if (one_in(r, 16))
		return below(r, 256);
	return below(r, 12);
}

/* One instruction that is not a jump, memory operation or SYS. */
static struct sysring_insn gen_alu(struct rng *r)
{
	uint8_t c;
	int32_t imm;

	if (one_in(r, 8))
		return I(SYSRING_OP_NEG, reg(r), 0, 0, 0);
	if (one_in(r, 2))
		return I(alu_x[below(r, 12)], reg(r), reg(r), 0, 0);
	c = alu_k[below(r, 12)];
	imm = one_in(r, 2) ? (int32_t)below(r, 64) : (int32_t)rnd(r);
	if ((c == SYSRING_OP_DIV_K || c == SYSRING_OP_MOD_K) && !imm)
		imm = 3;
	if (c == SYSRING_OP_LSH_K || c == SYSRING_OP_RSH_K ||
	    c == SYSRING_OP_ARSH_K)
		imm &= 63;
	return I(c, reg(r), 0, 0, imm);
}

/*
 * A memory instruction over the operand registers r1..r6 (see fill_regs):
 * r1 = address A, r2 = length A, r3 = address B, r4 = length B, r5, r6 =
 * values.
 */
static struct sysring_insn gen_mem(struct rng *r)
{
	uint8_t mod;

	switch (below(r, 4)) {
	case 0:
		mod = below(r, 16);
		return I(SYSRING_OP_LD, reg(r), one_in(r, 2) ? 1 : 3, mod,
			 one_in(r, 2) ? 0 : (int32_t)below(r, 64) - 32);
	case 1:
		mod = below(r, 8) & (SYSRING_MEM_SIZE_MASK | SYSRING_MEM_BE);
		return I(SYSRING_OP_ST, one_in(r, 2) ? 1 : 3, 5, mod,
			 one_in(r, 2) ? 0 : (int32_t)below(r, 64) - 32);
	case 2:
		return I(SYSRING_OP_COPY, 3, 1, one_in(r, 2) ? 2 : 4, 0);
	default:
		return I(SYSRING_OP_FIND, reg(r), 1, 3, 0);
	}
}

static struct sysring_insn gen_jump(struct rng *r, uint32_t pc, uint32_t len)
{
	uint8_t c;
	int32_t off;

	/* Forward within the program, or backward (a loop: the budget ends it). */
	if (pc + 1 < len && !one_in(r, 6))
		off = below(r, len - pc - 1);
	else
		off = -(int32_t)below(r, pc + 1) - 1;
	switch (below(r, 3)) {
	case 0:
		return I(SYSRING_OP_JA, 0, 0, 0, off);
	case 1:
		c = SYSRING_OP_JEQ_X + below(r, 11);
		return I(c, reg(r), reg(r), 0, off);
	default:
		c = SYSRING_OP_JEQ_K + below(r, 11);
		return I(c, reg(r), below(r, 256), 0, off);
	}
}

/*
 * Programs: @max slots.  Memory/ALU/jumps mixed, EXIT last, LDDW pairs
 * kept whole.  Jumps into an LDDW tail are rare defects the checker
 * refuses.  No SYS here: SYS blocks are built whole by gen_sys_sqe() or
 * gen_sys_prog(), with every argument under control.
 */
static uint32_t gen_prog(struct rng *r, struct sysring_insn *in, uint32_t max)
{
	uint32_t len = 1 + below(r, max), pc;

	for (pc = 0; pc + 1 < len; pc++) {
		switch (below(r, 6)) {
		case 0: case 1:
			in[pc] = gen_mem(r);
			break;
		case 2:
			in[pc] = gen_jump(r, pc, len);
			break;
		case 3:
			if (pc + 2 < len) {
				in[pc] = I(SYSRING_OP_LDDW, 1 + below(r, 6), 0,
					   0, (int32_t)rnd(r));
				in[pc + 1] = I(0, 0, 0, 0, (int32_t)rnd(r));
				pc++;
				break;
			}
			/* fall through */
		default:
			in[pc] = gen_alu(r);
			break;
		}
	}
	in[len - 1] = I(SYSRING_OP_EXIT, one_in(r, 2) ? 0 : reg(r), 0, 0, 0);
	if (one_in(r, 20) && len > 1) {
		/* A defect: the checker must refuse it (or not care). */
		pc = below(r, len);
		if (in[pc].code == SYSRING_OP_SYS || in[pc].code == 0)
			return len;
		switch (below(r, 4)) {
		case 0: in[pc].code = below(r, 256); break;
		case 1: in[pc].mod = rnd(r); break;
		case 2: in[pc].imm = rnd(r); break;
		default: in[len - 1].code = SYSRING_OP_JA; break;
		}
		if (in[pc].code == SYSRING_OP_SYS)
			in[pc].code = SYSRING_OP_EXIT;
	}
	return len;
}

/* Operand registers for gen_mem(): values for r1..r6. */
static void fill_regs(struct rng *r, struct ring *rg, uint64_t *v)
{
	v[1] = pick_len(r);
	v[0] = pick_addr(r, rg, v[1]);
	v[3] = pick_len(r);
	v[2] = pick_addr(r, rg, v[3]);
	v[4] = rnd(r);
	v[5] = one_in(r, 2) ? below(r, 16) : rnd(r);
}

/* The SYS calls a block may make: cheap, bounded, never blocking. */
enum {
	SC_GETPID, SC_GETTID, SC_GETUID, SC_YIELD, SC_CLOSE, SC_READ,
	SC_WRITE, SC_NANOSLEEP, SC_CLOCK, SC_GETRANDOM, SC_READ_BLOCK, SC_MAX
};

/* Syscall number, nargs and argument values for one call. */
static int gen_sys_args(struct rng *r, struct ring *rg, uint64_t *a,
			int *nargs, bool may_block)
{
	int sc = below(r, may_block ? SC_MAX : SC_MAX - 1);

	memset(a, 0, 6 * sizeof(*a));
	switch (sc) {
	case SC_GETPID: *nargs = 0; return SYS_getpid;
	case SC_GETTID: *nargs = 0; return SYS_gettid;
	case SC_GETUID: *nargs = 0; return SYS_getuid;
	case SC_YIELD: *nargs = 0; return SYS_sched_yield;
	case SC_CLOSE:
		*nargs = 1;
		a[0] = -1;
		return SYS_close;
	case SC_READ:
		*nargs = 3;
		a[0] = pipe_nb[0];
		a[2] = below(r, 8192);
		a[1] = pick_addr(r, rg, a[2]);
		if (a[1] == (uint64_t)(uintptr_t)ro_page)
			a[1]++;
		return SYS_read;
	case SC_WRITE:
		*nargs = 3;
		a[0] = pipe_nb[1];
		a[2] = below(r, 8192);
		a[1] = pick_addr(r, rg, a[2]);
		return SYS_write;
	case SC_NANOSLEEP:
		*nargs = 2;
		a[0] = (uint64_t)(uintptr_t)ro_page;	/* 1 ms */
		if (one_in(r, 4))
			a[0] = pick_addr(r, rg, 16);
		/* The remainder goes to scratch or to a bad address. */
		a[1] = one_in(r, 2) ? 0 : pick_addr(r, rg, 16);
		if (a[1] >= (uint64_t)(uintptr_t)ro_page &&
		    a[1] < (uint64_t)(uintptr_t)ro_page + 4096)
			a[1] = 0;
		return SYS_nanosleep;
	case SC_CLOCK:
		*nargs = 2;
		a[0] = below(r, 8);
		a[1] = pick_addr(r, rg, 16);
		if (a[1] >= (uint64_t)(uintptr_t)ro_page &&
		    a[1] < (uint64_t)(uintptr_t)ro_page + 16)
			a[1] = 0;
		return SYS_clock_gettime;
	case SC_GETRANDOM:
		*nargs = 3;
		a[1] = below(r, 300);
		a[0] = pick_addr(r, rg, a[1]);
		if (a[0] >= (uint64_t)(uintptr_t)ro_page &&
		    a[0] < (uint64_t)(uintptr_t)ro_page + 4096)
			a[0] = 0;
		a[2] = GRND_NONBLOCK;
		return SYS_getrandom;
	default:
		/* Victims only: an empty blocking pipe; SIGKILL ends it. */
		*nargs = 3;
		a[0] = pipe_blk[0];
		a[1] = (uint64_t)(uintptr_t)scratch;
		a[2] = 16;
		return SYS_read;
	}
}

/* A registered program that sets its own arguments, then calls. */
static uint32_t gen_sys_prog(struct rng *r, struct ring *rg,
			     struct sysring_insn *in, bool may_block)
{
	uint64_t a[6];
	int nargs, nr, i;
	uint32_t n = 0;

	nr = gen_sys_args(r, rg, a, &nargs, may_block);
	for (i = 0; i < nargs; i++) {
		in[n++] = I(SYSRING_OP_LDDW, 10 + i, 0, 0, (int32_t)a[i]);
		in[n++] = I(0, 0, 0, 0, (int32_t)(a[i] >> 32));
	}
	in[n++] = I(SYSRING_OP_SYS, below(r, 10), nargs ? 10 : 0,
		    nargs | (one_in(r, 2) ? SYSRING_SYS_KEEPERR : 0), nr);
	if (one_in(r, 2))
		in[n++] = gen_alu(r);
	in[n++] = I(SYSRING_OP_EXIT, 0, 0, 0, 0);
	return n;
}

/* ---- rings -------------------------------------------------------------- */

static long sys_setup(uint32_t entries, void *p)
{
	return syscall(NR_SETUP, entries, p);
}

static long sys_enter2(int fd, uint32_t to_submit, uint32_t min_complete,
		       uint32_t flags, const void *argp, size_t argsz)
{
	return syscall(NR_ENTER, fd, to_submit, min_complete, flags, argp,
		       argsz);
}

static long sys_enter(int fd, uint32_t to_submit, uint32_t min_complete,
		      uint32_t flags)
{
	return sys_enter2(fd, to_submit, min_complete, flags, NULL, 0);
}

static long sys_register(int fd, uint32_t op, void *arg, uint32_t nr)
{
	return syscall(NR_REGISTER, fd, op, arg, nr);
}

static void random_params(struct rng *r, struct sysring_params *p,
			  uint32_t *entries, bool valid)
{
	static const uint32_t snaps[] = { 0, 4, 8, 16, 32, 64 };

	memset(p, 0, sizeof(*p));
	*entries = one_in(r, 2) ? 1 + below(r, 64) : 1 + below(r, 4096);
	p->snap_regs = snaps[below(r, 6)];
	p->budget = one_in(r, 2) ? 0 : below(r, 100000);
	p->max_workers = one_in(r, 2) ? 0 : 1 + below(r, 8);
	if (one_in(r, 3)) {
		p->flags = SYSRING_SETUP_CQSIZE;
		p->cq_entries = *entries + below(r, 2 * *entries + 1);
	}
	/* A short idle time: a polling thread spins while it lasts. */
	if (one_in(r, 6)) {
		p->flags |= SYSRING_SETUP_SQPOLL;
		p->sq_thread_idle = below(r, 20);
	}
	if (valid)
		return;
	switch (below(r, 11)) {
	case 0: p->__resv[below(r, 3)] = 1 + below(r, 100); break;
	case 1: p->flags = rnd(r); break;
	case 2: *entries = one_in(r, 2) ? 0 : 4097 + below(r, 4096); break;
	case 3: p->snap_regs = below(r, 130); break;
	case 4: p->budget = SYSRING_MAX_BUDGET + below(r, 3); break;
	case 5: p->max_workers = SYSRING_MAX_WORKERS + below(r, 3); break;
	case 6:
		p->flags = SYSRING_SETUP_CQSIZE;
		p->cq_entries = one_in(r, 2) ? below(r, *entries) :
				SYSRING_MAX_CQ_ENTRIES + below(r, 3);
		break;
	case 7: *entries = below(r, 8193); break;
	case 8:
		/* Out fields set on input are ignored. */
		p->sq_entries = rnd(r);
		p->features = rnd(r);
		p->magic = rnd(r);
		p->rings_size = rnd(r);
		break;
	case 9:
		/* An idle time without SQPOLL, or over the limit with it. */
		p->flags ^= one_in(r, 2) ? SYSRING_SETUP_SQPOLL : 0;
		p->sq_thread_idle = p->flags & SYSRING_SETUP_SQPOLL ?
				    SYSRING_MAX_SQ_THREAD_IDLE + 1 + below(r, 3) :
				    1 + below(r, 100);
		break;
	default:
		p->max_workers = SYSRING_MAX_WORKERS;
		p->budget = SYSRING_MAX_BUDGET;
		break;
	}
}

/* sysring_setup with bad parameter pointers or invalid parameters. */
static void fuzz_setup_bad(struct rng *r, struct ring *rg)
{
	struct sysring_params p;
	uint32_t entries;
	void *ptr = &p;
	long fd;

	random_params(r, &p, &entries, false);
	switch (below(r, 6)) {
	case 0: ptr = NULL; break;
	case 1: ptr = (void *)(uintptr_t)KADDR; break;
	case 2: ptr = hole; break;
	case 3:
		/* Readable, not writable: created, then copy_to_user fails. */
		ptr = ro_page + 3072;
		entries = 1 + below(r, 64);
		break;
	case 4:
		ptr = scratch + SCRATCH_SZ - below(r, 128);	/* straddles */
		break;
	default:
		break;
	}
	(void)rg;
	fd = sys_setup(entries, ptr);
	count(OP_SETUP_BAD, fd);
	if (fd >= 0)
		close(fd);
}

static void *map_rand(struct rng *r, int fd, size_t rings, size_t sqes)
{
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE,
		PROT_READ | PROT_WRITE | PROT_EXEC, PROT_EXEC, PROT_NONE,
	};
	off_t off;
	size_t len;
	int flags;
	void *m;

	off = one_in(r, 2) ? SYSRING_OFF_RINGS : SYSRING_OFF_SQES;
	len = off ? sqes : rings;
	switch (below(r, 8)) {
	case 0: off += 4096 * (1 + below(r, 3)); break;
	case 1: off = (off_t)below(r, 1 << 20) * 4096; break;
	case 2: len += 4096 * (1 + below(r, 4)); break;
	case 3: len = 1 + below(r, len); break;
	case 4: len = 0; break;
	case 5: len = (size_t)1 << (30 + below(r, 10)); break;
	default: break;
	}
	flags = one_in(r, 4) ? MAP_PRIVATE : MAP_SHARED;
	if (one_in(r, 8))
		flags |= MAP_POPULATE;
	if (one_in(r, 16))
		flags |= MAP_LOCKED;
	m = mmap(NULL, len, prots[below(r, 6)], flags, fd, off);
	count(OP_MMAP, m == MAP_FAILED ? -1 : 0);
	if (m == MAP_FAILED)
		return NULL;
	if (one_in(r, 2)) {
		count(OP_MPROTECT, mprotect(m, len, PROT_READ | PROT_EXEC));
	}
	if (one_in(r, 3)) {
		void *n = mremap(m, len, len + 4096, MREMAP_MAYMOVE);

		count(OP_MREMAP, n == MAP_FAILED ? -1 : 0);
		if (n != MAP_FAILED) {
			/* Must not be possible (VM_DONTEXPAND); never touch it. */
			munmap(n, len + 4096);
			return NULL;
		}
	}
	munmap(m, len);
	return NULL;
}

static void *map_guarded(int fd, size_t len, off_t off, int extra)
{
	void *g = mmap(NULL, len + 4096, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *m;

	if (g == MAP_FAILED)
		return MAP_FAILED;
	m = mmap(g, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED | extra,
		 fd, off);
	if (m == MAP_FAILED) {
		int e = errno;

		munmap(g, len + 4096);
		errno = e;
	}
	return m;
}

static void ring_unmap(void *m, size_t len)
{
	munmap(m, len + 4096);
}

static int ring_open(struct rng *r, struct ring *rg)
{
	uint32_t entries;
	long fd;

	memset(rg, 0, sizeof(*rg));
	random_params(r, &rg->p, &entries, true);
	fd = sys_setup(entries, &rg->p);
	count(OP_SETUP, fd);
	if (fd < 0)
		return -1;
	rg->fd = fd;
	rg->rings_len = rg->p.rings_size;
	rg->sqes_len = rg->p.sqes_size;
	for (int i = below(r, 3); i > 0; i--)
		map_rand(r, fd, rg->rings_len, rg->sqes_len);
	/*
	 * Each region inside a PROT_NONE reservation one page longer: a
	 * block's COPY or ST running off the end of a ring faults there
	 * instead of landing in the next mapping (a thread stack, stats).
	 */
	rg->rings = map_guarded(fd, rg->rings_len, SYSRING_OFF_RINGS,
				one_in(r, 4) ? MAP_POPULATE : 0);
	rg->sqes = map_guarded(fd, rg->sqes_len, SYSRING_OFF_SQES, 0);
	count(OP_MMAP, rg->rings == MAP_FAILED ? -1 : 0);
	count(OP_MMAP, rg->sqes == MAP_FAILED ? -1 : 0);
	if (rg->rings == MAP_FAILED || rg->sqes == MAP_FAILED) {
		fprintf(stderr, "abi-fuzz: mmap of a valid ring failed: %s\n",
			strerror(errno));
		if (rg->rings != MAP_FAILED)
			ring_unmap(rg->rings, rg->rings_len);
		if (rg->sqes != MAP_FAILED)
			ring_unmap(rg->sqes, rg->sqes_len);
		close(fd);
		return -1;
	}
	rg->sq_head = (void *)(rg->rings + rg->p.sq_off.head);
	rg->sq_tail = (void *)(rg->rings + rg->p.sq_off.tail);
	rg->cq_head = (void *)(rg->rings + rg->p.cq_off.head);
	rg->cq_tail = (void *)(rg->rings + rg->p.cq_off.tail);
	return 0;
}

static void ring_close(struct ring *rg)
{
	ring_unmap(rg->rings, rg->rings_len);
	ring_unmap(rg->sqes, rg->sqes_len);
	if (rg->fd >= 0)
		close(rg->fd);
}

/* ---- per-thread work ---------------------------------------------------- */

struct thr {
	pthread_t tid;
	struct ring *rg;
	struct rng r;
	int idx;
	_Atomic double wait_since;	/* 0: not in a waiting call */
	_Atomic uint64_t progress;
};

static struct thr *thrs;
static int nthrs;

/*
 * A block that starts with WAIT on operands from the SQE: at the head of
 * an asynchronous chain the kernel arms it at submission (poll.c).  The
 * files: the pipes, the ring itself (never armed), a closed descriptor.
 * Victims may wait long on the empty blocking pipe; SIGKILL ends it.
 */
static void gen_wait_sqe(struct rng *r, struct ring *rg, struct sysring_sqe *s)
{
	static const uint16_t events[] = { POLLIN, POLLOUT, POLLIN | POLLOUT,
					   POLLPRI | POLLRDHUP, 0 };
	const int fds[] = { pipe_nb[0], pipe_nb[1], pipe_blk[0], rg->fd, -1 };
	uint64_t timeout = below(r, 5000000);

	if (rg->victim && one_in(r, 2))
		timeout = 1000000000ULL * (1 + below(r, 30));
	else if (one_in(r, 8))
		timeout = one_in(r, 2) ? 0 : SYSRING_TIMEOUT_MAX_NS + 1;
	s->reg_base = 1;
	s->nregs = 2;
	s->regs[0] = (uint64_t)(int64_t)fds[below(r, sizeof(fds) / sizeof(fds[0]))];
	s->regs[1] = timeout;
	s->insns[0] = I(SYSRING_OP_WAIT, below(r, 8), 1,
			one_in(r, 2) ? SYSRING_IO_KEEPERR : 0,
			events[below(r, sizeof(events) / sizeof(events[0]))]);
	s->insns[1] = I(SYSRING_OP_EXIT, below(r, 8), 0, 0, 0);
	s->ninsns = 2;
	if (one_in(r, 2))
		s->flags |= SYSRING_SQE_ASYNC;
}

static void gen_sqe(struct rng *r, struct ring *rg, struct sysring_sqe *s)
{
	uint64_t a[6];
	int nargs, nr, kind;

	memset(s, 0, sizeof(*s));
	s->user_data = rnd(r);
	kind = below(r, 11);
	if (kind == 10) {
		gen_wait_sqe(r, rg, s);
	} else if (kind < 3) {
		/* SYS: arguments in the SQE's registers r1.., not mutated. */
		nr = gen_sys_args(r, rg, a, &nargs, rg->victim ?
				  one_in(r, 8) : one_in(r, 40));
		s->reg_base = 1;
		s->nregs = nargs;
		memcpy(s->regs, a, nargs * sizeof(a[0]));
		s->insns[0] = I(SYSRING_OP_SYS, below(r, 8), nargs ? 1 : 0,
				nargs | (one_in(r, 2) ?
					 SYSRING_SYS_KEEPERR : 0), nr);
		s->insns[1] = I(SYSRING_OP_EXIT, below(r, 8), 0, 0, 0);
		s->ninsns = 2;
	} else if (kind < 5 && atomic_load(&rg->nprogs)) {
		s->flags = SYSRING_SQE_PROG;
		s->prog = rg->progs[below(r, atomic_load(&rg->nprogs))];
		if (one_in(r, 8))
			s->prog = one_in(r, 2) ? below(r, 1100) : rnd(r);
		s->reg_base = 1;
		s->nregs = 6;
		fill_regs(r, rg, (uint64_t *)s->regs);
	} else {
		s->ninsns = gen_prog(r, s->insns, SYSRING_SQE_INSNS);
		s->reg_base = 1;
		s->nregs = 6;
		fill_regs(r, rg, (uint64_t *)s->regs);
		/* Mutations of the block's frame. */
		if (one_in(r, 6))
			s->nregs = below(r, 8);
		if (one_in(r, 8))
			s->reg_base = below(r, 256);
		if (one_in(r, 8))
			s->ninsns = below(r, 9);
	}
	if (one_in(r, 3))
		s->flags |= SYSRING_SQE_LINK;
	if (one_in(r, 6))
		s->flags |= SYSRING_SQE_HARDLINK;
	if (one_in(r, 4))
		s->flags |= SYSRING_SQE_ASYNC;
	if (one_in(r, 12))
		s->flags |= SYSRING_SQE_DRAIN;
	if (one_in(r, 40))
		s->flags |= 1u << (5 + below(r, 11));
	s->snap_base = one_in(r, 2) ? 0 : below(r, 256);
	switch (below(r, 8)) {
	case 0: s->budget = 1 + below(r, 16); break;
	case 1: s->budget = below(r, 5000); break;
	case 2:
		if (one_in(r, 400))
			s->budget = SYSRING_MAX_BUDGET + below(r, 2);
		break;
	default: break;
	}
	if (one_in(r, 60))
		s->__resv1 = 1;
	if (one_in(r, 60))
		s->__resv2 = rnd(r);
}

static void reap(struct rng *r, struct ring *rg)
{
	uint32_t head = atomic_load(rg->cq_head);
	uint32_t tail = atomic_load_explicit(rg->cq_tail, memory_order_acquire);
	uint32_t n = tail - head, i;
	uint32_t mask = rg->p.cq_entries - 1;

	if (n > rg->p.cq_entries)
		n = rg->p.cq_entries;	/* garbage in cq_head */
	for (i = 0; i < n; i++) {
		struct sysring_cqe *c = (void *)(rg->rings + rg->p.cq_off.cqes +
			(size_t)((head + i) & mask) * rg->p.cqe_size);
		uint8_t s = c->status;

		atomic_fetch_add_explicit(&st->status[s < 7 ? s : 7], 1,
					  memory_order_relaxed);
	}
	atomic_fetch_add_explicit(&st->cqes, n, memory_order_relaxed);
	if (one_in(r, 30))
		atomic_store(rg->cq_head, head + below(r, n + 2));
	else
		atomic_store_explicit(rg->cq_head, head + n,
				      memory_order_release);
}

/* Mostly none; the SQPOLL ones; now and then anything. */
static uint32_t enter_flags(struct rng *r)
{
	switch (below(r, 16)) {
	case 0: return rnd(r);
	case 1: return SYSRING_ENTER_SQ_WAKEUP;
	case 2: return SYSRING_ENTER_SQ_WAIT | SYSRING_ENTER_SQ_WAKEUP;
	default: return 0;
	}
}

static void do_submit(struct thr *t)
{
	struct rng *r = &t->r;
	struct ring *rg = t->rg;
	uint32_t mask = rg->p.sq_entries - 1, tail, head, n, i, space;
	long ret;

	head = atomic_load(rg->sq_head);
	tail = atomic_load(rg->sq_tail);
	space = rg->p.sq_entries - (tail - head);
	if (space > rg->p.sq_entries)
		space = one_in(r, 4) ? 1 : 0;	/* garbage indices */
	n = 1 + below(r, 8);
	if (n > space && !one_in(r, 8))
		n = space;
	for (i = 0; i < n; i++)
		gen_sqe(r, rg, &((struct sysring_sqe *)rg->sqes)
			[(tail + i) & mask]);
	/* A chain left open at the end is refused whole; mostly close it. */
	if (n && !one_in(r, 5))
		((struct sysring_sqe *)rg->sqes)[(tail + n - 1) & mask].flags &=
			~(SYSRING_SQE_LINK | SYSRING_SQE_HARDLINK);
	atomic_store_explicit(rg->sq_tail, tail + n, memory_order_release);
	atomic_fetch_add_explicit(&st->sqes, n, memory_order_relaxed);

	switch (below(r, 6)) {
	case 0: n = below(r, 3); break;
	case 1: n = rnd(r); break;
	case 2: n = ~0u; break;
	default: break;
	}
	/* A block may read an empty blocking pipe: the watchdog interrupts. */
	atomic_store(&t->wait_since, now());
	ret = sys_enter(rg->fd, n, 0, enter_flags(r));
	atomic_store(&t->wait_since, 0.0);
	count(OP_ENTER, ret);
}

static void do_wait(struct thr *t)
{
	struct rng *r = &t->r;
	struct ring *rg = t->rg;
	uint32_t min = one_in(r, 2) ? 1 : below(r, 2 * rg->p.cq_entries + 2);
	long ret;

	/* Bounded: the watchdog interrupts it after 200 ms. */
	atomic_store(&t->wait_since, now());
	ret = sys_enter(rg->fd, one_in(r, 2) ? below(r, 4) : 0, min,
			SYSRING_ENTER_GETEVENTS);
	atomic_store(&t->wait_since, 0.0);
	count(OP_ENTER_WAIT, ret);
}

/*
 * SYSRING_ENTER_EXT_ARG: mostly a short timeout and a mask, sometimes bad
 * sizes, reserved bits, timespecs and pointers.
 */
static void do_wait_ext(struct thr *t)
{
	struct rng *r = &t->r;
	struct ring *rg = t->rg;
	struct __kernel_timespec ts = { 0, below(r, 2000000) };
	/* The watchdog's SIGUSR1 must get through to end a wait. */
	uint64_t mask = (one_in(r, 2) ? 0 : rnd(r)) & ~(1ULL << (SIGUSR1 - 1));
	struct sysring_getevents_arg arg = {
		.ts = (uintptr_t)&ts,
		.sigmask = one_in(r, 2) ? 0 : (uintptr_t)&mask,
		.sigmask_sz = 8,
	};
	size_t argsz = sizeof(arg);
	uint32_t flags = SYSRING_ENTER_GETEVENTS | SYSRING_ENTER_EXT_ARG;
	long ret;

	switch (below(r, 12)) {
	case 0: argsz = below(r, 64); break;
	case 1: arg.resv = rnd(r); break;
	case 2: arg.sigmask_sz = below(r, 256); break;
	case 3: arg.ts = pick_addr(r, rg, 16); break;
	case 4: arg.sigmask = pick_addr(r, rg, 8); break;
	case 5: ts.tv_sec = (int64_t)rnd(r); ts.tv_nsec = (int64_t)rnd(r); break;
	case 6: flags = SYSRING_ENTER_EXT_ARG | (uint32_t)below(r, 2); break;
	case 7: arg.ts = 0; break;
	default: break;
	}
	atomic_store(&t->wait_since, now());
	ret = sys_enter2(rg->fd, one_in(r, 2) ? below(r, 4) : 0,
			 below(r, rg->p.cq_entries + 2), flags,
			 one_in(r, 16) ? (void *)(uintptr_t)pick_addr(r, rg, 24) :
			 &arg, argsz);
	atomic_store(&t->wait_since, 0.0);
	count(OP_ENTER_EXT, ret);
}

/*
 * Eventfds come and go: registered and closed at once (the ring keeps its
 * own reference), unregistered, or something else passed in.
 */
static void do_eventfd(struct rng *r, struct ring *rg)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int fd = one_in(r, 8) ? (int)below(r, 64) : efd;
	long ret;

	if (one_in(r, 2))
		ret = sys_register(rg->fd, SYSRING_REGISTER_EVENTFD,
				   one_in(r, 16) ? (void *)hole : &fd,
				   one_in(r, 16) ? 0 : 1);
	else
		ret = sys_register(rg->fd, SYSRING_UNREGISTER_EVENTFD,
				   one_in(r, 16) ? (void *)&fd : NULL,
				   one_in(r, 16));
	count(OP_EVENTFD, ret);
	if (efd >= 0)
		close(efd);
}

static void do_register(struct thr *t)
{
	struct rng *r = &t->r;
	struct ring *rg = t->rg;
	static __thread struct sysring_insn buf[SYSRING_MAX_PROG_INSNS + 8];
	struct sysring_prog_reg reg, *rp = &reg;
	struct sysring_probe probe;
	uint32_t len;
	long ret;
	int i;

	memset(&reg, 0, sizeof(reg));
	switch (below(r, 10)) {
	case 0: case 1: case 2:
		if (one_in(r, 3))
			len = gen_sys_prog(r, rg, buf, rg->victim &&
					   one_in(r, 6));
		else
			len = gen_prog(r, buf, one_in(r, 10) ?
				       SYSRING_MAX_PROG_INSNS : 64);
		reg.insns = (uintptr_t)buf;
		reg.len = len;
		if (one_in(r, 20))
			reg.len = SYSRING_MAX_PROG_INSNS + below(r, 3);
		if (one_in(r, 20))
			reg.flags = 1;
		if (one_in(r, 20))
			reg.__resv[below(r, 3)] = 1;
		switch (below(r, 16)) {
		case 0: reg.insns = 0; break;
		case 1: reg.insns = KADDR; break;
		case 2: reg.insns = (uintptr_t)hole; break;
		case 3:
			/* Straddles the guard page. */
			reg.insns = (uintptr_t)scratch + SCRATCH_SZ - 16;
			break;
		case 4: rp = (void *)(ro_page + 1024); break;
		case 5: rp = NULL; break;
		default: break;
		}
		ret = sys_register(rg->fd, SYSRING_REGISTER_PROG, rp,
				   one_in(r, 30) ? 2 : 1);
		count(OP_REG_PROG, ret);
		if (ret >= 0) {
			i = atomic_load(&rg->nprogs);
			if (i < 16) {
				rg->progs[i] = ret;
				atomic_store(&rg->nprogs, i + 1);
			} else {
				rg->progs[below(r, 16)] = ret;
			}
		}
		break;
	case 3:
		len = 1 + below(r, 64);
		for (i = 0; i < (int)len * 8; i++)
			((uint8_t *)buf)[i] = rnd(r);
		for (i = 0; i < (int)len; i++)
			if (buf[i].code == SYSRING_OP_SYS)
				buf[i].code = SYSRING_OP_EXIT;
		reg.insns = (uintptr_t)buf;
		reg.len = len;
		ret = sys_register(rg->fd, SYSRING_REGISTER_PROG, &reg, 1);
		count(OP_REG_GARBAGE, ret);
		break;
	case 4: case 5:
		i = atomic_load(&rg->nprogs);
		len = i && !one_in(r, 4) ? rg->progs[below(r, i)] :
		      (one_in(r, 2) ? below(r, 1100) : (uint32_t)rnd(r));
		ret = sys_register(rg->fd, SYSRING_UNREGISTER_PROG,
				   one_in(r, 20) ? scratch : NULL, len);
		count(OP_UNREG, ret);
		break;
	case 6:
		memset(&probe, 0, sizeof(probe));
		if (one_in(r, 4))
			probe.__resv[below(r, 4)] = 1;
		ret = sys_register(rg->fd, SYSRING_REGISTER_PROBE,
				   one_in(r, 6) ? (void *)ro_page :
				   one_in(r, 6) ? (void *)hole : &probe,
				   one_in(r, 10) ? 0 : 1);
		count(OP_PROBE, ret);
		break;
	case 7: case 8:
		ret = sys_register(rg->fd, SYSRING_REGISTER_WORKERS,
				   one_in(r, 20) ? scratch : NULL,
				   one_in(r, 10) ? SYSRING_MAX_WORKERS +
				   below(r, 3) : below(r, 9));
		count(OP_WORKERS, ret);
		break;
	default:
		ret = sys_register(one_in(r, 8) ? (int)below(r, 64) : rg->fd,
				   below(r, 16), (void *)(uintptr_t)
				   pick_addr(r, rg, 256), rnd(r));
		count(OP_REG_RANDOM, ret);
		break;
	}
}

/* Cancel requests while chains run: mostly ANY, sometimes malformed. */
static long do_cancel(struct rng *r, struct ring *rg)
{
	struct sysring_cancel_reg c = {
		.user_data = rnd(r),
		.flags = below(r, 4),
	};

	if (one_in(r, 20))
		c.flags |= 1u << below(r, 32);
	if (one_in(r, 20))
		c.__resv[below(r, 5)] = 1;
	return sys_register(rg->fd, SYSRING_REGISTER_CANCEL,
			    one_in(r, 20) ? (void *)hole : &c,
			    one_in(r, 20) ? 2 : 1);
}

static void scribble(struct rng *r, struct ring *rg)
{
	_Atomic uint32_t *f;
	uint32_t off;

	switch (below(r, 6)) {
	case 0: f = rg->sq_tail; break;
	case 1: f = rg->sq_head; break;
	case 2: f = rg->cq_head; break;
	case 3: f = rg->cq_tail; break;
	default:
		off = below(r, rg->p.cq_off.cqes / 4) * 4;
		f = (void *)(rg->rings + off);
		break;
	}
	switch (below(r, 4)) {
	case 0: atomic_store(f, rnd(r)); break;
	case 1: atomic_fetch_add(f, below(r, 5)); break;
	case 2: atomic_fetch_sub(f, below(r, 5)); break;
	default: atomic_store(f, atomic_load(f) ^ (1u << below(r, 32))); break;
	}
	if (one_in(r, 4)) {
		/* Flip SQE flags (LINK bits) under a running submission. */
		struct sysring_sqe *s = (void *)rg->sqes;

		s[below(r, rg->p.sq_entries)].flags ^= 1u << below(r, 6);
	}
}

static void *thr_fn(void *arg)
{
	struct thr *t = arg;
	struct ring *rg = t->rg;
	struct rng *r = &t->r;
	uint32_t role = t->idx;

	while (!atomic_load(&rg->stop) && now() < t_end) {
		uint32_t k = below(r, 100);

		if (role == 2 && k < 40) {
			scribble(r, rg);
			atomic_fetch_add(&st->iters, 1);
		} else if (k < 50) {
			do_submit(t);
		} else if (k < 55) {
			do_wait(t);
		} else if (k < 60) {
			do_wait_ext(t);
		} else if (k < 75) {
			reap(r, rg);
		} else if (k < 88) {
			do_register(t);
		} else if (k < 90) {
			do_eventfd(r, rg);
		} else if (k < 93) {
			struct pollfd pfd = { rg->fd, POLLIN, 0 };

			count(OP_POLL, poll(&pfd, 1, below(r, 3)));
		} else if (k < 95) {
			long ret = sys_enter(one_in(r, 2) ? -1 : (int)below(r, 8),
					     below(r, 4), below(r, 2),
					     below(r, 2));
			count(OP_ENTER_BADFD, ret);
		} else if (k < 97) {
			fuzz_setup_bad(r, rg);
		} else if (k == 97 && one_in(r, 4)) {
			/* Another process submits on the inherited ring. */
			pid_t pid = fork();

			if (pid == 0) {
				/*
				 * Its block may read the empty blocking pipe
				 * holding the ring's lock: SIGALRM ends it.
				 */
				alarm(1);
				do_submit(t);
				_exit(0);
			}
			while (pid > 0 && waitpid(pid, NULL, 0) < 0 &&
			       errno == EINTR)
				;
			count(OP_FORK_SUBMIT, pid);
		} else if (one_in(r, 2)) {
			count(OP_CANCEL, do_cancel(r, rg));
		} else {
			/* Shrink or read the worker limit while chains run. */
			count(OP_WORKERS, sys_register(rg->fd,
				SYSRING_REGISTER_WORKERS, NULL, below(r, 3)));
		}
		atomic_fetch_add(&t->progress, 1);
	}
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* Interrupt waits older than 200 ms; never let a wait block forever. */
static void *watchdog_fn(void *arg)
{
	struct ring *rg = arg;

	while (!atomic_load(&rg->stop)) {
		double t = now();

		for (int i = 0; i < nthrs; i++) {
			double w = atomic_load(&thrs[i].wait_since);

			if (w > 0 && t - w > 0.2)
				pthread_kill(thrs[i].tid, SIGUSR1);
		}
		usleep(50000);
	}
	return NULL;
}

/* One episode: a ring, threads on it for a while, then close. */
static void episode(struct rng *r, int slot, bool victim)
{
	struct ring rg;
	struct thr t[8];
	pthread_t wd;
	double until;
	int i, n;

	if (ring_open(r, &rg))
		return;
	rg.victim = victim;
	n = 1 + below(r, opt_threads);
	if (n > 8)
		n = 8;
	memset(t, 0, sizeof(t));
	thrs = t;
	nthrs = n;
	until = now() + 0.05 + below(r, 1000) / 1000.0;
	if (until > t_end)
		until = t_end;
	for (i = 0; i < n; i++) {
		t[i].rg = &rg;
		t[i].idx = i;
		rng_init(&t[i].r, rnd(r));
	}
	for (i = 0; i < n; i++)
		pthread_create(&t[i].tid, NULL, thr_fn, &t[i]);
	pthread_create(&wd, NULL, watchdog_fn, &rg);
	while (now() < until) {
		usleep(10000);
		if (slot >= 0)
			atomic_fetch_add(&st->heartbeat[slot], 1);
		if (one_in(r, 200)) {
			/* Close the fd under the threads (they get EBADF). */
			int fd = rg.fd;

			rg.fd = -1;
			close(fd);
			count(OP_CLOSE_EARLY, 0);
		}
	}
	atomic_store(&rg.stop, 1);
	for (i = 0; i < n; i++) {
		for (;;) {
			/* A thread still in a wait: interrupt it again. */
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			if (!pthread_timedjoin_np(t[i].tid, NULL, &ts))
				break;
			pthread_kill(t[i].tid, SIGUSR1);
			if (slot >= 0)
				atomic_fetch_add(&st->heartbeat[slot], 0);
		}
	}
	pthread_join(wd, NULL);
	/* Drain what the pipes hold so writers see room again. */
	{
		char b[4096];

		while (read(pipe_nb[0], b, sizeof(b)) > 0)
			;
	}
	ring_close(&rg);
	atomic_fetch_add(&st->episodes, 1);
}

/* Worker threads of closed rings must go; count "sysring-wrk" threads. */
static int count_workers(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[320], comm[32] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    (!strncmp(comm, "sysring-wrk", 11) ||
		     !strncmp(comm, "sysring-sqp", 11)))
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static int proc_main(int slot, uint64_t seed)
{
	struct rng r;
	int n = 0;

	rng_init(&r, seed);
	while (now() < t_end) {
		episode(&r, slot, false);
		atomic_fetch_add(&st->heartbeat[slot], 1);
	}
	/* Workers exit once their rings are released (after a wakeup). */
	for (int i = 0; i < 100; i++) {
		n = count_workers();
		if (!n)
			break;
		usleep(100000);
	}
	if (n) {
		fprintf(stderr, "abi-fuzz: FAIL: %d worker thread(s) outlive "
			"every ring 10 s after the last close (proc %d)\n",
			n, slot);
		return 1;
	}
	return 0;
}

static void dump_task(pid_t pid)
{
	char path[320], buf[4096];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		FILE *f;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		static const char *const files[] = { "comm", "wchan", "syscall",
						     "stack" };

		for (unsigned int i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), "/proc/%d/task/%s/%s",
				 pid, e->d_name, files[i]);
			f = fopen(path, "r");
			if (!f)
				continue;
			n = fread(buf, 1, sizeof(buf) - 1, f);
			buf[n] = 0;
			fclose(f);
			fprintf(stderr, "  task %s %s: %s%s", e->d_name,
				files[i], buf,
				n && buf[n - 1] == '\n' ? "" : "\n");
		}
	}
	closedir(d);
}

static void usage(void)
{
	fprintf(stderr, "usage: sysring-abi-fuzz [-s SEED] [-t SECONDS] "
		"[-j PROCS] [-T THREADS] [-v]\n");
	exit(2);
}

static void summary(double secs)
{
	uint64_t tot_ok = 0, tot_err = 0;

	printf("abi-fuzz: summary: seed %" PRIu64 ", %.0f s, %" PRIu64
	       " iterations, %" PRIu64 " episodes, %" PRIu64 " SQEs queued, %"
	       PRIu64 " CQEs reaped\n", opt_seed, secs,
	       atomic_load(&st->iters), atomic_load(&st->episodes),
	       atomic_load(&st->sqes), atomic_load(&st->cqes));
	printf("abi-fuzz: CQE status: exit %" PRIu64 " error %" PRIu64
	       " fault %" PRIu64 " budget %" PRIu64 " canceled %" PRIu64
	       " invalid %" PRIu64 " other %" PRIu64 "\n",
	       st->status[0], st->status[1], st->status[2], st->status[3],
	       st->status[4], st->status[5], st->status[6] + st->status[7]);
	for (int o = 0; o < OP_MAX; o++) {
		uint64_t ok = st->calls[o][NERR], err = 0;
		char line[1024];
		int len = 0;

		for (int e = 0; e < NERR; e++) {
			uint64_t c = st->calls[o][e];

			if (!c)
				continue;
			err += c;
			if (len < 900)
				len += snprintf(line + len, sizeof(line) - len,
						" %s:%" PRIu64,
						e ? strerrorname_np(e) ?: "?" :
						"E0", c);
		}
		if (!ok && !err)
			continue;
		tot_ok += ok;
		tot_err += err;
		line[len] = 0;
		printf("abi-fuzz:   %-17s ok %" PRIu64 ", errors %" PRIu64
		       "%s%s\n", op_names[o], ok, err, err ? ":" : "",
		       err ? line : "");
	}
	printf("abi-fuzz: calls: %" PRIu64 " succeeded, %" PRIu64
	       " failed (expected errors)\n", tot_ok, tot_err);
}

int main(int argc, char **argv)
{
	int c, fails = 0;
	pid_t pids[64];
	double t0, last_print;
	uint64_t last_hb[64] = { 0 };
	double last_hb_t[64];
	struct rng r;
	struct sigaction sa;
	const char *h = getenv("SYSRING_FUZZ_HANG_S");

	opt_seed = (uint64_t)time(NULL);
	while ((c = getopt(argc, argv, "s:t:j:T:v")) != -1) {
		switch (c) {
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 't': opt_secs = atoi(optarg); break;
		case 'j': opt_procs = atoi(optarg); break;
		case 'T': opt_threads = atoi(optarg); break;
		case 'v': opt_verbose++; break;
		default: usage();
		}
	}
	if (opt_procs < 1 || opt_procs > 32 || opt_threads < 1 ||
	    opt_threads > 8)
		usage();
	if (h)
		hang_s = atoi(h);
	setvbuf(stdout, NULL, _IOLBF, 0);
	st = stats_map();
	if (!st)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART: waits return EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	mem_init();

	{
		struct sysring_params p = { 0 };
		long fd = sys_setup(4, &p);

		if (fd < 0 && errno == ENOSYS) {
			printf("abi-fuzz: sysring_setup: ENOSYS (not a sysring "
			       "kernel)\n");
			return 77;
		}
		if (fd >= 0)
			close(fd);
	}

	printf("abi-fuzz: seed %" PRIu64 ", %u s, %u procs x %u threads "
	       "(reproduce: sysring-abi-fuzz -s %" PRIu64 " -t %u -j %u)\n",
	       opt_seed, opt_secs, opt_procs, opt_threads, opt_seed, opt_secs,
	       opt_procs);
	t0 = now();
	t_end = t0 + opt_secs;
	rng_init(&r, opt_seed);
	for (unsigned int i = 0; i < opt_procs; i++) {
		uint64_t s = rnd(&r);

		pids[i] = fork();
		if (pids[i] == 0)
			_exit(proc_main(i, s));
		last_hb_t[i] = t0;
	}

	/* Supervisor: victims killed at random points; hang detection. */
	last_print = t0;
	while (now() < t_end) {
		uint64_t s = rnd(&r);
		double delay = below(&r, 600) / 1000.0;
		pid_t v = fork();
		int status;
		double k;

		if (v == 0) {
			struct rng vr;

			rng_init(&vr, s);
			t_end = now() + 5;
			while (now() < t_end)
				episode(&vr, -1, true);
			_exit(0);
		}
		usleep(delay * 1e6);
		if (v > 0) {
			kill(v, SIGKILL);
			k = now();
			while (waitpid(v, &status, WNOHANG) == 0) {
				if (now() - k > hang_s) {
					fprintf(stderr, "abi-fuzz: FAIL: victim "
						"%d not reaped %u s after "
						"SIGKILL (seed %" PRIu64 ")\n",
						v, hang_s, opt_seed);
					dump_task(v);
					atomic_store(&st->hang, 1);
					break;
				}
				usleep(20000);
			}
			count(OP_VICTIM, 0);
		}
		for (unsigned int i = 0; i < opt_procs; i++) {
			uint64_t hb = atomic_load(&st->heartbeat[i]);

			if (hb != last_hb[i]) {
				last_hb[i] = hb;
				last_hb_t[i] = now();
			} else if (now() - last_hb_t[i] > hang_s &&
				   !atomic_load(&st->hang)) {
				fprintf(stderr, "abi-fuzz: FAIL: process %d "
					"(pid %d) made no progress for %u s "
					"(seed %" PRIu64 ")\n", i, pids[i],
					hang_s, opt_seed);
				dump_task(pids[i]);
				atomic_store(&st->hang, 1);
			}
		}
		if (atomic_load(&st->hang))
			break;
		if (now() - last_print >= 10) {
			last_print = now();
			printf("abi-fuzz: %4.0f s: %" PRIu64 " iterations, %"
			       PRIu64 " episodes, %" PRIu64 " victims\n",
			       last_print - t0, atomic_load(&st->iters),
			       atomic_load(&st->episodes),
			       st->calls[OP_VICTIM][NERR]);
		}
	}
	for (unsigned int i = 0; i < opt_procs; i++) {
		int status = 0;
		double k = now();

		if (atomic_load(&st->hang)) {
			kill(pids[i], SIGKILL);
		}
		while (waitpid(pids[i], &status, WNOHANG) == 0) {
			if (now() - k > hang_s + 30) {
				fprintf(stderr, "abi-fuzz: FAIL: process %d "
					"did not finish (seed %" PRIu64 ")\n",
					i, opt_seed);
				dump_task(pids[i]);
				kill(pids[i], SIGKILL);
				atomic_store(&st->hang, 1);
				k = now();
			}
			usleep(50000);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "abi-fuzz: FAIL: process %d ended "
				"with status 0x%x\n", i, status);
			fails++;
		}
	}
	summary(now() - t0);
	if (atomic_load(&st->hang) || fails) {
		printf("abi-fuzz: FAIL (seed %" PRIu64 ")\n", opt_seed);
		return 1;
	}
	printf("abi-fuzz: OK (no hang; check the kernel log for reports)\n");
	return 0;
}
