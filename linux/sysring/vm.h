/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sysring VM core: the checker and the interpreter.
 *
 * vm.c, check.c and opdef.c are freestanding: the same source builds in the
 * kernel and in userspace (libsysring's fallback backend, host tests and
 * fuzzers), the way kernel/bpf/disasm.c is shared with bpftool.  Everything
 * they need from their environment is declared here: the kernel gets it
 * from its own headers and sysring/syscall.c, userspace from the
 * <sysring_env.h> it puts on the include path.
 */
#ifndef _SYSRING_VM_H
#define _SYSRING_VM_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/uaccess.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/minmax.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/bug.h>
#include <linux/cache.h>
#include <linux/refcount.h>
#include <linux/atomic.h>
#include <asm/barrier.h>
#include <asm/unistd.h>
#else
#include <sysring_env.h>
#endif
#include <linux/time_types.h>
#include <linux/sysring.h>

struct sysring_wait_arm;

/* A block's execution state: one register file, shared along a link chain. */
struct sysring_vm {
	u64	regs[SYSRING_NR_REGS];
	s64	res;		/* EXIT value or the -errno that stopped it */
	u32	executed;	/* instructions run */
	u16	pc;		/* where it stopped */
	u8	status;		/* SYSRING_STATUS_* */
	u8	__pad;
	void	*env;		/* owned by the environment */
	/* The running block's cancel flag (sysring_chain_ent), or NULL. */
	const u8 *cancel;
	/* The environment's: the WAIT its chain armed at submission, or NULL. */
	struct sysring_wait_arm *arm;
};

/*
 * The memory shared with userspace at SYSRING_OFF_RINGS.  Userspace writes
 * sq_tail and cq_head, the kernel sq_head and cq_tail; each side publishes
 * with a release store and reads the other's index with an acquire load.
 */
struct sysring_rings {
	u32	sq_head;
	u32	sq_tail;
	u32	sq_mask;
	u32	sq_entries;
	/*
	 * SYSRING_SQ_*: bits have different writers, so each changes its own
	 * with an atomic read-modify-write; userspace only reads it.
	 */
	atomic_t sq_flags;
	u32	sq_dropped;
	u32	cq_head ____cacheline_aligned_in_smp;
	u32	cq_tail;
	u32	cq_mask;
	u32	cq_entries;
	u32	cq_overflow;
	u32	cq_flags;
	u8	cqes[] ____cacheline_aligned_in_smp;
};

/*
 * A registered program.  The table holds one reference, and every queued
 * entry that will run it one more: unregistering drops the table's, and the
 * program goes when the last chain using it is done.  The environment keeps
 * the count (sysring_exec_ops); the core never touches it.
 */
struct sysring_prog {
	refcount_t		refs;
	u32			len;
	u32			footprint;	/* sysring_prog_footprint() */
	struct sysring_insn	insns[] __counted_by(len);
};

/*
 * One entry of a chain, copied out of the SQ and validated when the chain is
 * accepted (sysring_ent_prepare()), then run by sysring_chain_run().
 */
struct sysring_chain_ent {
	struct sysring_sqe		sqe;	/* userspace can no longer change it */
	const struct sysring_prog	*prog;	/* referenced where ex->ops is set */
	s32				err;	/* 0, or the -errno it completes with */
	u16				bad_pc;	/* the checker's, with err */
	u8				reason;	/* SYSRING_CHECK_*, with err */
	/* A cancel request reached it: set under the environment's lock. */
	u8				canceled;
};

/*
 * A chain handed to the workers (SYSRING_SQE_ASYNC on its head).  @cur is
 * the entry a worker runs, or runs next: written and read under the
 * environment's lock, so that a cancel request knows which entry it may
 * have to interrupt (sysring_exec_ops.work_step).
 */
struct sysring_work {
	struct sysring_work		*next;	/* the environment's queue */
	/* The head's first WAIT, armed by sysring_exec_ops.work_arm. */
	struct sysring_wait_arm		*arm;
	u32				nr;
	u32				cur;
	struct sysring_chain_ent	ents[] __counted_by(nr);
};

/*
 * A completion the CQ had no room for, waiting on the overflow list (cq.c)
 * for sysring_cq_flush(), or a spare one allocated for a completion that
 * may need it.  @cqe holds a whole CQE: sysring_ovf_size() bytes in all.
 */
struct sysring_ovf {
	struct sysring_ovf	*next;
	u64			cqe[];
};

/* Which blocks of the chain being run go on, and which registers are set. */
struct sysring_chain {
	u32	zeroed;		/* r0..r[zeroed - 1] are this chain's own */
	bool	failed;		/* a LINK block in it did not EXIT */
	bool	broken;		/* it does not end in its submission */
};

struct sysring_exec;

/*
 * What an environment with workers provides.  Without it (ex->ops NULL) a
 * ring is single-threaded: SYSRING_SQE_ASYNC is refused as an invalid flag,
 * programs are not referenced and CQEs are posted without a lock.
 */
struct sysring_exec_ops {
	/* Look up program @index and take a reference on it, or NULL. */
	const struct sysring_prog *(*prog_get)(struct sysring_exec *ex,
					       u32 index);
	void (*prog_put)(struct sysring_exec *ex,
			 const struct sysring_prog *prog);
	/* A work item for @nr entries (nr and next set by the caller). */
	struct sysring_work *(*work_alloc)(struct sysring_exec *ex, u32 nr);
	void (*work_free)(struct sysring_exec *ex, struct sysring_work *work);
	/*
	 * Optional: @work is about to be queued.  When its head block starts
	 * with a WAIT, start watching the file now and set work->arm, so
	 * that the WAIT sees the events since submission (the kernel's
	 * poll.c); work_free drops it.
	 */
	void (*work_arm)(struct sysring_exec *ex, struct sysring_work *work);
	/* Hand @work to a worker, which frees it: 0, or -errno (not queued). */
	int (*work_queue)(struct sysring_exec *ex, struct sysring_work *work);
	/* Serialise CQE posting and CQ reservations between threads. */
	void (*cq_lock)(struct sysring_exec *ex);
	void (*cq_unlock)(struct sysring_exec *ex);
	/* A CQE was published: wake whoever waits for one. */
	void (*cq_posted)(struct sysring_exec *ex);
	/*
	 * Wait until every accepted asynchronous chain has posted its CQEs
	 * (cq_reserved is 0): 0, or -EINTR when a signal came first.
	 */
	int (*drain)(struct sysring_exec *ex);
	/*
	 * Optional: entry @i of @work is about to run on this thread, or the
	 * chain is done (@i == work->nr).  Set work->cur under the lock that
	 * cancel requests take, and drop an interruption a request sent for
	 * an earlier entry, so that it cannot reach this one.
	 */
	void (*work_step)(struct sysring_exec *ex, struct sysring_work *work,
			  u32 i);
	/*
	 * Optional: the inline entry @ent is about to run on this thread,
	 * or is done (@ent NULL).  The environment's SQPOLL thread publishes
	 * it there for cancel requests, as work_step does for workers.
	 */
	void (*inline_step)(struct sysring_exec *ex,
			    struct sysring_chain_ent *ent);
};

/* What running a submission ring needs, in the kernel or in userspace. */
struct sysring_exec {
	struct sysring_rings	*rings;
	struct sysring_sqe	*sqes;
	u32			sq_entries;
	u32			cq_entries;
	u32			cqe_size;
	u32			snap_regs;
	u32			budget;		/* default per block */
	u32			cached_sq_head;
	u32			cached_cq_tail;
	/*
	 * The rest of the CQ's state is under cq_lock (see cq.c): the
	 * furthest valid cq_head seen, the completions owed to accepted
	 * chains not yet completed, the overflow list (oldest first) with
	 * its length, and the spare entries with their number.
	 */
	u32			cached_cq_head;
	u32			cq_reserved;
	struct sysring_ovf	*ovf_head;
	struct sysring_ovf	*ovf_last;
	struct sysring_ovf	*ovf_spare;
	u32			nr_ovf;
	u32			nr_spare;
	u32			max_workers;	/* 0: the environment's default */
	/* SQPOLL thread's idle time in ms, never 0 with one; 0: no thread. */
	u32			sq_thread_idle;
	struct sysring_vm	*vm;		/* register file for inline runs */
	const struct sysring_exec_ops	*ops;	/* NULL: no workers */
};

/* Opcode classes: what the checker verifies and which fields an op uses. */
enum sysring_op_class {
	SYSRING_CLASS_NONE = 0,	/* not an opcode */
	SYSRING_CLASS_EXIT,
	SYSRING_CLASS_LDDW,
	SYSRING_CLASS_ALU_X,
	SYSRING_CLASS_ALU_K,
	SYSRING_CLASS_NEG,
	SYSRING_CLASS_JA,
	SYSRING_CLASS_JMP_X,
	SYSRING_CLASS_JMP_K,
	SYSRING_CLASS_LD,
	SYSRING_CLASS_ST,
	SYSRING_CLASS_SYS,
	SYSRING_CLASS_COPY,
	SYSRING_CLASS_FIND,
	SYSRING_CLASS_IO,	/* XFER, READN, WRITET, WAIT */
};

struct sysring_opdef {
	const char	*name;	/* assembler mnemonic */
	u8		class;	/* enum sysring_op_class */
};

extern const struct sysring_opdef sysring_opdefs[256];
extern const char *const sysring_check_reasons[__SYSRING_CHECK_MAX];

/* Whether the checker accepts opcode @code at all (check.c). */
bool sysring_op_valid(u8 code);

/* The allow-list of system calls SYS may run (opdef.c). */
bool sysring_syscall_allowed(u32 nr);

/*
 * sysring_check - verify a program before it may run
 * @insns: the program
 * @len: number of instructions
 * @max_len: the size limit to apply
 * @bad_pc: set to the offending instruction on rejection
 *
 * Return: SYSRING_CHECK_OK or the SYSRING_CHECK_* reason for rejection.
 */
int sysring_check(const struct sysring_insn *insns, u32 len, u32 max_len,
		  u32 *bad_pc);

/*
 * sysring_prog_footprint - registers a checked program can touch
 *
 * Return: one past the highest register any of its instructions reads or
 * writes; a block only needs those zeroed before it runs.
 */
u32 sysring_prog_footprint(const struct sysring_insn *insns, u32 len);

/*
 * sysring_vm_run - run a checked program to completion
 * @vm: the register file and result; regs are in/out
 * @insns: a program sysring_check() accepted
 * @budget: instructions it may execute, at least 1
 *
 * Sets vm->status, vm->res, vm->pc and vm->executed.
 */
void sysring_vm_run(struct sysring_vm *vm, const struct sysring_insn *insns,
		    u32 budget);

/*
 * What SYSRING_ENTER_EXT_ARG asks of sysring_enter(2)'s wait (params.c): a
 * signal mask (the kernel's sigset_t, SYSRING_SIGSET_SIZE bytes: 64
 * signals) and a relative timeout.
 */
#define SYSRING_SIGSET_SIZE	8

struct sysring_wait_req {
	u64	sigmask;
	u64	timeout_ns;	/* U64_MAX: longer than anyone waits */
	bool	has_sigmask;
	bool	has_timeout;
};

/*
 * sysring_wait_req_get - read and check sysring_enter(2)'s @argp, @argsz
 *
 * Return: 0, -EINVAL (@argp or @argsz without SYSRING_ENTER_EXT_ARG; with
 * it, a size other than the struct's, resv set, a signal mask of another
 * size, a negative or denormal timespec), -EFAULT.
 */
int sysring_wait_req_get(struct sysring_wait_req *w, u32 flags, u64 argp,
			 u64 argsz);

/* Ring geometry (params.c). */
int sysring_params_check(u32 entries, struct sysring_params *p);
void sysring_exec_init(struct sysring_exec *ex, const struct sysring_params *p);
void sysring_params_fill(const struct sysring_exec *ex, struct sysring_params *p);
size_t sysring_rings_bytes(const struct sysring_exec *ex);
size_t sysring_sqes_bytes(const struct sysring_exec *ex);
void sysring_rings_init(const struct sysring_exec *ex);
void sysring_probe_fill(struct sysring_probe *probe);
u32 sysring_default_workers(u32 sq_entries, u32 cpus);

/*
 * sysring_exec_submit - run up to @to_submit queued blocks (submit.c)
 *
 * Return: the number of SQEs consumed, or when nothing was: -EBUSY when
 * the completions of the next chain would take the overflow list past its
 * bound, -ENOMEM when its overflow entries or its asynchronous copy could
 * not be allocated, or the error that kept the next asynchronous chain
 * from being queued (the environment's).
 */
int sysring_exec_submit(struct sysring_exec *ex, u32 to_submit);

/*
 * The CQ (cq.c).  Completions past a full CQ wait on an overflow list of at
 * most SYSRING_CQ_OVERFLOW_RATIO * cq_entries entries, counting the spares
 * allocated for completions still to come.
 */
#define SYSRING_CQ_OVERFLOW_RATIO	2

static inline u32 sysring_cq_overflow_max(const struct sysring_exec *ex)
{
	return SYSRING_CQ_OVERFLOW_RATIO * ex->cq_entries;
}

static inline size_t sysring_ovf_size(const struct sysring_exec *ex)
{
	return sizeof(struct sysring_ovf) + ex->cqe_size;
}

/* Free CQ slots, from the furthest valid cq_head seen; under cq_lock. */
u32 sysring_cq_room(struct sysring_exec *ex);

/*
 * sysring_cq_reserve - promise a chain of @n blocks a place for each
 * completion, a CQ slot or an overflow entry allocated now; called by the
 * submitter, which the environment serialises.
 *
 * Return: 0, -EBUSY at the overflow bound, -ENOMEM.
 */
int sysring_cq_reserve(struct sysring_exec *ex, u32 n);
/* Take back a promise whose chain was not accepted after all. */
void sysring_cq_unreserve(struct sysring_exec *ex, u32 n);
/* Free the spare entries no completion owed can need any more (submitter). */
void sysring_cq_trim(struct sysring_exec *ex);

/* Post a block's CQE, into the CQ or onto the overflow list. */
void sysring_post_cqe(struct sysring_exec *ex, const struct sysring_sqe *sqe,
		      const struct sysring_vm *vm, u8 reason);
/* Wake whoever waits for CQEs (the environment's cq_posted). */
void sysring_cq_posted(struct sysring_exec *ex);

/*
 * sysring_cq_flush - move listed completions into the CQ, oldest first
 *
 * Moves a bounded batch under one hold of cq_lock.  Return: true when
 * more would fit now; call again, letting other work run in between.
 */
bool sysring_cq_flush(struct sysring_exec *ex);

/* Free the overflow list and the spares: the ring is going away. */
void sysring_cq_free(struct sysring_exec *ex);

/*
 * Overflow entries come from the environment: sysring_ovf_size() bytes,
 * charged like the rest of the ring's memory, or NULL; and go back to it.
 */
struct sysring_ovf *sysring_env_ovf_alloc(struct sysring_exec *ex);
void sysring_env_ovf_free(struct sysring_exec *ex, struct sysring_ovf *ovf);

/*
 * sysring_chain_run - run entries of one chain, posting one CQE for each
 * @ex: the ring
 * @vm: the register file, the caller's own: the inline one or a worker's
 * @s: the chain's state, from sysring_chain_start(), kept across calls
 * @ents: prepared entries; their program references are dropped
 * @n: how many
 *
 * Zeroes the registers a block can see, runs it (or completes it as
 * invalid or canceled), posts its CQE into a slot reserved when the chain
 * was accepted, and applies LINK/HARDLINK.  The inline path calls it one
 * entry at a time, a worker once for a whole chain.
 */
void sysring_chain_run(struct sysring_exec *ex, struct sysring_vm *vm,
		       struct sysring_chain *s, struct sysring_chain_ent *ents,
		       u32 n);

static inline void sysring_chain_start(struct sysring_chain *s, bool broken)
{
	s->zeroed = 0;
	s->failed = false;
	s->broken = broken;
}

/*
 * Run a worker's chain (the worker's side of ASYNC); the caller frees it
 * with sysring_work_free() once no cancel request can reach it.
 */
void sysring_work_run(struct sysring_exec *ex, struct sysring_vm *vm,
		      struct sysring_work *work);
/*
 * Complete every entry of @work as canceled (-ECANCELED, or invalid where
 * it was), consuming its reservations, then free it.
 */
void sysring_work_cancel(struct sysring_exec *ex, struct sysring_vm *vm,
			 struct sysring_work *work);
/* Free @work without completing it: the ring is going away. */
void sysring_work_free(struct sysring_exec *ex, struct sysring_work *work);

/*
 * Cancel requests (cancel.c).  sysring_cancel_check() validates one:
 * 0 or -EINVAL.  sysring_cancel_work() marks the entries of @work from
 * @from on that @reg matches, at most @max of them, and returns how many;
 * sysring_cancel_queued() does so along a queue of chains not started,
 * moving each chain that no longer runs any block onto *@done (to be
 * completed with sysring_work_cancel()).  Callers hold the lock that
 * guards the queue and work->cur.
 */
int sysring_cancel_check(const struct sysring_cancel_reg *reg);
/* Mark one entry if @reg matches it: whether it did. */
bool sysring_cancel_ent(struct sysring_chain_ent *ent,
			const struct sysring_cancel_reg *reg);
u32 sysring_cancel_work(struct sysring_work *work, u32 from,
			const struct sysring_cancel_reg *reg, u32 max);
u32 sysring_cancel_queued(struct sysring_work **head,
			  struct sysring_work ***tail,
			  const struct sysring_cancel_reg *reg, u32 max,
			  struct sysring_work **done);
/* Take @work off a queue of chains: whether it was on it. */
bool sysring_queue_remove(struct sysring_work **head,
			  struct sysring_work ***tail,
			  struct sysring_work *work);
/* Whether no entry of @work would run: each is canceled, invalid or cut off. */
bool sysring_work_runs_nothing(const struct sysring_work *work);

/* A cancel request reached the block @vm runs: the stop check looks. */
static inline bool sysring_vm_canceled(const struct sysring_vm *vm)
{
	return vm->cancel && READ_ONCE(*vm->cancel);
}

/* The registered program @index, or NULL: provided by the environment. */
const struct sysring_prog *sysring_env_prog(struct sysring_exec *ex, u32 index);

/*
 * Provided by the environment (sysring/syscall.c in the kernel):
 * run system call @nr with six arguments and return its result, and tell a
 * long-running block to stop (a fatal signal or cancellation pending).
 */
long sysring_env_syscall(struct sysring_vm *vm, u32 nr, const u64 *args);
bool sysring_env_should_stop(struct sysring_vm *vm);

/*
 * sysring_env_wait - wait for readiness of one file descriptor (WAIT, WRITET)
 * @vm: the block
 * @fd: the descriptor, at most INT_MAX
 * @events: the poll events waited for (SYSRING_WAIT_EVENTS bits)
 * @timeout_ns: in: how long to wait at most (SYSRING_TIMEOUT_MAX_NS at
 *	most, 0 to look without waiting); out: what is left of it
 *
 * Passes the task's seccomp filters as ppoll(NULL, 1, NULL, NULL, 0).
 *
 * Return: the ready events of @events plus POLLERR and POLLHUP, never 0;
 * 0 when the timeout passed first; -EINTR when a signal is pending;
 * -EBADF or another -errno.
 */
long sysring_env_wait(struct sysring_vm *vm, u32 fd, u32 events,
		      u64 *timeout_ns);

/* What an I/O instruction did (io.c). */
struct sysring_io_res {
	s64	res;	/* its result, or -errno */
	u32	left;	/* budget left after its further steps */
	u8	stop;	/* 0, or SYSRING_STATUS_BUDGET/_CANCELED: the block ends */
};

/*
 * sysring_io_run - run one XFER, READN, WRITET or WAIT
 * @vm: the block
 * @insn: the instruction, accepted by the checker
 * @left: budget left after the instruction itself
 *
 * Every step after the first (a nested system call or a wait) takes one
 * more unit of budget and first asks sysring_env_should_stop().  When
 * either says no, @stop is set and @res holds the progress made so far.
 */
struct sysring_io_res sysring_io_run(struct sysring_vm *vm,
				     const struct sysring_insn *insn, u32 left);

/* Registers an I/O instruction reads from r[src] on (io.c). */
u32 sysring_io_nregs(u8 code);

#ifdef __KERNEL__
/* User memory: only through uaccess; a fault is an error, never an oops. */
static inline int sysring_env_load(void *dst, u64 uaddr, u32 size)
{
	return copy_from_user(dst, u64_to_user_ptr(uaddr), size) ? -EFAULT : 0;
}

static inline int sysring_env_store(u64 uaddr, const void *src, u32 size)
{
	return copy_to_user(u64_to_user_ptr(uaddr), src, size) ? -EFAULT : 0;
}

/*
 * LD and ST, the most frequent accesses: one get_user() or put_user() of
 * 1, 2, 4 or 8 bytes, not a copy_from_user() call.  @buf is aligned for
 * the size; the user address need not be where the CPU allows that.
 */
static inline int sysring_env_load_word(void *buf, u64 uaddr, u32 size)
{
	void __user *p = u64_to_user_ptr(uaddr);

	if (!IS_ENABLED(CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS) &&
	    !IS_ALIGNED(uaddr, size))
		return sysring_env_load(buf, uaddr, size);
	switch (size) {
	case 1:
		return get_user(*(u8 *)buf, (u8 __user *)p);
	case 2:
		return get_user(*(u16 *)buf, (u16 __user *)p);
	case 4:
		return get_user(*(u32 *)buf, (u32 __user *)p);
	default:
		return get_user(*(u64 *)buf, (u64 __user *)p);
	}
}

static inline int sysring_env_store_word(u64 uaddr, const void *buf, u32 size)
{
	void __user *p = u64_to_user_ptr(uaddr);

	if (!IS_ENABLED(CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS) &&
	    !IS_ALIGNED(uaddr, size))
		return sysring_env_store(uaddr, buf, size);
	switch (size) {
	case 1:
		return put_user(*(const u8 *)buf, (u8 __user *)p);
	case 2:
		return put_user(*(const u16 *)buf, (u16 __user *)p);
	case 4:
		return put_user(*(const u32 *)buf, (u32 __user *)p);
	default:
		return put_user(*(const u64 *)buf, (u64 __user *)p);
	}
}

#define sysring_vm_impossible(code)					\
	WARN_ONCE(1, "sysring: opcode %#x passed the checker\n", code)

#define sysring_cq_impossible()						\
	WARN_ONCE(1, "sysring: a completion found no overflow entry\n")
#endif

#endif /* _SYSRING_VM_H */
