/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * sysring: rings of small register-machine programs run by the kernel.
 *
 * A submission queue entry (SQE) carries a block: either up to
 * SYSRING_SQE_INSNS inline instructions or the index of a program registered
 * with sysring_register(2), plus initial values for a window of registers.
 * Each finished block posts a completion queue entry (CQE) with its result,
 * its exit status, the instruction where it stopped and a snapshot of a
 * window of its registers.  Documentation/userspace-api/sysring.rst and
 * Documentation/userspace-api/sysring-isa.rst describe the ABI.
 */
#ifndef _UAPI_LINUX_SYSRING_H
#define _UAPI_LINUX_SYSRING_H

#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Identifies a sysring: returned in sysring_params.magic. */
#define SYSRING_MAGIC		0x53595352	/* "SYSR" */

/*
 * The instruction set: 256 registers of 64 bits, fixed 8-byte instructions.
 * _X forms take a register operand (src), _K forms a sign-extended 32-bit
 * immediate (imm).  Conditional jumps compare dst with src (_X) or with
 * the signed 8-bit immediate held in the src byte (_K) and jump by imm
 * instructions, relative to the next one.
 */
enum sysring_opcode {
	SYSRING_OP_EXIT			= 0x01,
	SYSRING_OP_LDDW			= 0x08,
	SYSRING_OP_MOV_X		= 0x10,
	SYSRING_OP_ADD_X		= 0x11,
	SYSRING_OP_SUB_X		= 0x12,
	SYSRING_OP_MUL_X		= 0x13,
	SYSRING_OP_DIV_X		= 0x14,
	SYSRING_OP_MOD_X		= 0x15,
	SYSRING_OP_AND_X		= 0x16,
	SYSRING_OP_OR_X			= 0x17,
	SYSRING_OP_XOR_X		= 0x18,
	SYSRING_OP_LSH_X		= 0x19,
	SYSRING_OP_RSH_X		= 0x1a,
	SYSRING_OP_ARSH_X		= 0x1b,
	SYSRING_OP_NEG			= 0x1c,
	SYSRING_OP_MOV_K		= 0x20,
	SYSRING_OP_ADD_K		= 0x21,
	SYSRING_OP_SUB_K		= 0x22,
	SYSRING_OP_MUL_K		= 0x23,
	SYSRING_OP_DIV_K		= 0x24,
	SYSRING_OP_MOD_K		= 0x25,
	SYSRING_OP_AND_K		= 0x26,
	SYSRING_OP_OR_K			= 0x27,
	SYSRING_OP_XOR_K		= 0x28,
	SYSRING_OP_LSH_K		= 0x29,
	SYSRING_OP_RSH_K		= 0x2a,
	SYSRING_OP_ARSH_K		= 0x2b,
	SYSRING_OP_JA			= 0x30,
	SYSRING_OP_JEQ_X		= 0x31,
	SYSRING_OP_JNE_X		= 0x32,
	SYSRING_OP_JGT_X		= 0x33,
	SYSRING_OP_JGE_X		= 0x34,
	SYSRING_OP_JLT_X		= 0x35,
	SYSRING_OP_JLE_X		= 0x36,
	SYSRING_OP_JSGT_X		= 0x37,
	SYSRING_OP_JSGE_X		= 0x38,
	SYSRING_OP_JSLT_X		= 0x39,
	SYSRING_OP_JSLE_X		= 0x3a,
	SYSRING_OP_JSET_X		= 0x3b,
	SYSRING_OP_JEQ_K		= 0x41,
	SYSRING_OP_JNE_K		= 0x42,
	SYSRING_OP_JGT_K		= 0x43,
	SYSRING_OP_JGE_K		= 0x44,
	SYSRING_OP_JLT_K		= 0x45,
	SYSRING_OP_JLE_K		= 0x46,
	SYSRING_OP_JSGT_K		= 0x47,
	SYSRING_OP_JSGE_K		= 0x48,
	SYSRING_OP_JSLT_K		= 0x49,
	SYSRING_OP_JSLE_K		= 0x4a,
	SYSRING_OP_JSET_K		= 0x4b,
	SYSRING_OP_LD			= 0x50,
	SYSRING_OP_ST			= 0x51,
	SYSRING_OP_SYS			= 0x60,
	SYSRING_OP_COPY			= 0x70,
	SYSRING_OP_FIND			= 0x71,
	SYSRING_OP_XFER			= 0x72,
	SYSRING_OP_READN		= 0x73,
	SYSRING_OP_WRITET		= 0x74,
	SYSRING_OP_WAIT			= 0x75,
};

#define SYSRING_NR_REGS		256

struct sysring_insn {
	__u8	code;	/* SYSRING_OP_* */
	__u8	dst;	/* destination register */
	__u8	src;	/* source register, or an 8-bit immediate for J*_K */
	__u8	mod;	/* modifier: SYS, LD/ST, COPY, FIND and I/O ops */
	__s32	imm;	/* immediate, jump offset or memory displacement */
};

/*
 * LD and ST: mod selects the access.  LD: dst = *(r[src] + imm);
 * ST: *(r[dst] + imm) = r[src].  User memory only, through uaccess.
 */
#define SYSRING_MEM_SIZE_MASK	0x03	/* log2 of the size: 1, 2, 4, 8 */
#define SYSRING_MEM_B		0x00
#define SYSRING_MEM_H		0x01
#define SYSRING_MEM_W		0x02
#define SYSRING_MEM_DW		0x03
#define SYSRING_MEM_BE		0x04	/* big endian (default little) */
#define SYSRING_MEM_SX		0x08	/* LD only: sign-extend */
#define SYSRING_MEM_MASK	0x0f

/*
 * SYS: r[dst] = syscall(imm, r[src], ..., r[src + nargs - 1]).
 * A result from -4095 to -1 (an -errno) stops the block with
 * SYSRING_STATUS_ERROR unless SYSRING_SYS_KEEPERR is set, in which case it
 * is stored in r[dst] like any other result.
 */
#define SYSRING_SYS_NARGS_MASK	0x07	/* 0..6 */
#define SYSRING_SYS_KEEPERR	0x80
#define SYSRING_SYS_MASK	(SYSRING_SYS_NARGS_MASK | SYSRING_SYS_KEEPERR)

/*
 * COPY: copy r[mod] bytes of user memory from r[src] to r[dst] (at most
 * SYSRING_COPY_MAX).  FIND: r[dst] = offset of the first occurrence of the
 * needle (address r[mod], length r[mod + 1], at most SYSRING_FIND_NEEDLE_MAX)
 * in the haystack (address r[src], length r[src + 1], at most
 * SYSRING_COPY_MAX), or -1 when there is none.  Both pay one unit of budget
 * per SYSRING_WORK_UNIT bytes they move or compare, besides their own.
 */
#define SYSRING_COPY_MAX	(1024 * 1024)
#define SYSRING_WORK_UNIT	4096
#define SYSRING_FIND_NEEDLE_MAX	256

/*
 * The I/O operations take their operands from consecutive registers
 * starting at r[src] and put their result in r[dst]:
 *   XFER   r[src..src+2] = out fd, in fd, count: move up to count bytes
 *          from in to out with sendfile(2) (or splice(2) with
 *          SYSRING_XFER_SPLICE); r[dst] = bytes moved.
 *   READN  r[src..src+3] = fd, buffer, length, minimum: read(2) until at
 *          least minimum bytes, EOF or an error; r[dst] = bytes read.
 *   WRITET r[src..src+3] = fd, buffer, length, timeout in ns: wait for
 *          POLLOUT and write(2) until all is written; r[dst] = bytes
 *          written, -ETIMEDOUT when the timeout passed before any was.
 *   WAIT   r[src..src+1] = fd, timeout in ns; imm = poll events:
 *          r[dst] = revents, 0 when the timeout passed.
 * An -errno result stops the block with SYSRING_STATUS_ERROR unless
 * SYSRING_IO_KEEPERR is set.  Only WAIT uses imm.
 */
#define SYSRING_IO_KEEPERR	0x80
#define SYSRING_XFER_SPLICE	0x01	/* XFER: splice(2), not sendfile(2) */
#define SYSRING_IO_MASK		SYSRING_IO_KEEPERR
#define SYSRING_XFER_MASK	(SYSRING_IO_KEEPERR | SYSRING_XFER_SPLICE)
/* POLLIN POLLPRI POLLOUT POLLRDNORM POLLRDBAND POLLWRNORM POLLWRBAND POLLRDHUP */
#define SYSRING_WAIT_EVENTS	0x23c7
#define SYSRING_XFER_MAX	(16 * 1024 * 1024)	/* bytes per XFER */
#define SYSRING_RW_MAX		SYSRING_COPY_MAX	/* READN, WRITET */
#define SYSRING_WRITET_STEP	4096	/* bytes per write(2) of WRITET */
#define SYSRING_TIMEOUT_MAX_NS	(60ULL * 1000 * 1000 * 1000)	/* 60 s */

/* Limits. */
#define SYSRING_MAX_ENTRIES	4096	/* SQ entries */
#define SYSRING_MAX_CQ_ENTRIES	(2 * SYSRING_MAX_ENTRIES)
#define SYSRING_MAX_PROG_INSNS	4096
#define SYSRING_MAX_PROGS	1024	/* registered programs per ring */
#define SYSRING_MAX_SNAP_REGS	64
#define SYSRING_DEFAULT_BUDGET	65536	/* instructions per block */
#define SYSRING_MAX_BUDGET	(16 * 1024 * 1024)
#define SYSRING_MAX_WORKERS	1024	/* worker threads per ring */
#define SYSRING_DEFAULT_SQ_THREAD_IDLE	1000	/* ms, SQPOLL thread */
#define SYSRING_MAX_SQ_THREAD_IDLE	60000	/* ms */

/* Checker verdicts, as reported in sysring_prog_reg.reason and CQEs. */
enum sysring_check_reason {
	SYSRING_CHECK_OK = 0,
	SYSRING_CHECK_EMPTY,		/* zero instructions */
	SYSRING_CHECK_TOO_LONG,		/* more than the size limit */
	SYSRING_CHECK_BAD_OPCODE,	/* unknown or reserved opcode */
	SYSRING_CHECK_RESERVED,		/* a field the opcode ignores is set */
	SYSRING_CHECK_BAD_JUMP,		/* target outside or inside LDDW */
	SYSRING_CHECK_BAD_SYSCALL,	/* syscall not in the allow-list */
	SYSRING_CHECK_NO_EXIT,		/* execution can run off the end */
	SYSRING_CHECK_DIV_ZERO,		/* division by a constant zero */
	SYSRING_CHECK_BAD_LDDW,		/* LDDW without its second slot */
	SYSRING_CHECK_BAD_MOD,		/* invalid modifier bits */
	SYSRING_CHECK_BAD_REG,		/* register window past r255 */
	SYSRING_CHECK_BAD_SHIFT,	/* constant shift of 64 or more */
	__SYSRING_CHECK_MAX,
};

/*
 * Submission queue entry: 128 bytes.  With SYSRING_SQE_PROG the block runs
 * registered program @prog and @ninsns must be 0; otherwise it runs the
 * @ninsns inline instructions.  Before it starts, r[reg_base + i] = regs[i]
 * for i < nregs; every other register is zero, or inherited from the
 * previous block of a link chain.
 */
#define SYSRING_SQE_INSNS	6
#define SYSRING_SQE_REGS	6

struct sysring_sqe {
	__u64	user_data;	/* passed back in the CQE */
	__u16	flags;		/* SYSRING_SQE_* */
	__u8	ninsns;		/* inline instructions used */
	__u8	nregs;		/* initial register values used */
	__u8	reg_base;	/* first register they are written to */
	__u8	snap_base;	/* first register of the CQE snapshot */
	__u16	__resv1;
	__u32	prog;		/* registered program index */
	__u32	budget;		/* instruction budget, 0: ring default */
	__u64	__resv2;
	__u64	regs[SYSRING_SQE_REGS];
	struct sysring_insn insns[SYSRING_SQE_INSNS];
};

#define SYSRING_SQE_PROG	0x01	/* run registered program */
#define SYSRING_SQE_LINK	0x02	/* next runs if this succeeds */
#define SYSRING_SQE_HARDLINK	0x04	/* next runs regardless */
#define SYSRING_SQE_DRAIN	0x08	/* wait for all before */
#define SYSRING_SQE_ASYNC	0x10	/* on a chain's head: run it on a worker */
#define SYSRING_SQE_FLAGS_SUPPORTED	(SYSRING_SQE_PROG | SYSRING_SQE_LINK | \
					 SYSRING_SQE_HARDLINK | \
					 SYSRING_SQE_DRAIN | SYSRING_SQE_ASYNC)

/* How a block ended: sysring_cqe.status. */
enum sysring_status {
	SYSRING_STATUS_EXIT = 0,	/* EXIT ran; res = r[dst] */
	SYSRING_STATUS_ERROR,		/* SYS failed; res = -errno */
	SYSRING_STATUS_FAULT,		/* bad user address; res = -EFAULT */
	SYSRING_STATUS_BUDGET,		/* budget spent; res = -ETIME */
	SYSRING_STATUS_CANCELED,	/* not run or stopped; res = -ECANCELED/-EINTR */
	SYSRING_STATUS_INVALID,		/* rejected before running; res = -errno */
	__SYSRING_STATUS_MAX,
};

/*
 * Completion queue entry: a 32-byte header followed by @nregs registers
 * starting at @reg_base.  The entry size is fixed at setup:
 * sizeof(struct sysring_cqe) + 8 * sysring_params.snap_regs.
 */
struct sysring_cqe {
	__u64	user_data;
	__s64	res;
	__u8	status;		/* SYSRING_STATUS_* */
	__u8	reason;		/* SYSRING_CHECK_* when status is INVALID */
	__u8	reg_base;
	__u8	nregs;
	__u16	pc;		/* instruction index where the block stopped */
	__u16	flags;		/* SYSRING_CQE_* */
	__u32	insns;		/* budget spent: instructions and work */
	__u32	__resv;
	__u64	regs[];
};

/* Setup flags: sysring_params.flags. */
#define SYSRING_SETUP_CQSIZE	0x01	/* cq_entries is set */
#define SYSRING_SETUP_SQPOLL	0x02	/* a kernel thread consumes the SQ */
#define SYSRING_SETUP_FLAGS	(SYSRING_SETUP_CQSIZE | SYSRING_SETUP_SQPOLL)

/* Features: sysring_params.features. */
#define SYSRING_FEAT_INLINE	0x01	/* blocks run in sysring_enter */
#define SYSRING_FEAT_PROGS	0x02	/* registered programs */
#define SYSRING_FEAT_LINK	0x04	/* LINK/HARDLINK share registers */
#define SYSRING_FEAT_ASYNC	0x08	/* SYSRING_SQE_ASYNC: worker threads */
#define SYSRING_FEAT_CANCEL	0x10	/* SYSRING_REGISTER_CANCEL */
#define SYSRING_FEAT_NODROP	0x20	/* a full CQ overflows, never drops */
#define SYSRING_FEAT_EXT_ARG	0x40	/* SYSRING_ENTER_EXT_ARG */
#define SYSRING_FEAT_SQPOLL	0x80	/* SYSRING_SETUP_SQPOLL */
#define SYSRING_FEAT_WAIT_ARM	0x100	/* an async head's WAIT arms at submit */

/*
 * The SQ ring's flags word (sq_off.flags), written by the kernel.
 * SYSRING_SQ_NEED_WAKEUP: the SQPOLL thread is asleep; sysring_enter(2)
 * with SYSRING_ENTER_SQ_WAKEUP wakes it.  Read it after a full barrier
 * that follows the store of the SQ tail.
 * SYSRING_SQ_CQ_OVERFLOW: completions wait on the overflow list for room
 * in the CQ; consume CQEs and call sysring_enter(2) to flush them.
 */
#define SYSRING_SQ_NEED_WAKEUP	0x01
#define SYSRING_SQ_CQ_OVERFLOW	0x02

struct sysring_sq_offsets {
	__u32	head;
	__u32	tail;
	__u32	ring_mask;
	__u32	ring_entries;
	__u32	flags;
	__u32	dropped;
	__u32	__resv[2];
};

struct sysring_cq_offsets {
	__u32	head;
	__u32	tail;
	__u32	ring_mask;
	__u32	ring_entries;
	__u32	overflow;
	__u32	cqes;
	__u32	flags;
	__u32	__resv;
};

struct sysring_params {
	__u32	sq_entries;	/* out: the entries argument, rounded up */
	__u32	cq_entries;	/* in with SYSRING_SETUP_CQSIZE; out */
	__u32	flags;		/* SYSRING_SETUP_* */
	__u32	snap_regs;	/* registers in each CQE: 0, 4, 8, 16, 32, 64 */
	__u32	budget;		/* default budget, 0: SYSRING_DEFAULT_BUDGET */
	__u32	features;	/* out: SYSRING_FEAT_* */
	__u32	magic;		/* out: SYSRING_MAGIC */
	__u32	sqe_size;	/* out */
	__u32	cqe_size;	/* out */
	__u32	rings_size;	/* out: length to mmap at SYSRING_OFF_RINGS */
	__u32	sqes_size;	/* out: length to mmap at SYSRING_OFF_SQES */
	__u32	max_workers;	/* in/out: worker limit, 0: the default */
	__u32	sq_thread_idle;	/* in/out: SQPOLL idle ms, 0: the default */
	__u32	__resv[3];
	struct sysring_sq_offsets sq_off;
	struct sysring_cq_offsets cq_off;
};

/* mmap offsets. */
#define SYSRING_OFF_RINGS	0ULL
#define SYSRING_OFF_SQES	0x10000000ULL

/* sysring_enter flags. */
#define SYSRING_ENTER_GETEVENTS	0x01
#define SYSRING_ENTER_EXT_ARG	0x02	/* argp: struct sysring_getevents_arg */
#define SYSRING_ENTER_SQ_WAKEUP	0x04	/* SQPOLL: wake the thread up */
#define SYSRING_ENTER_SQ_WAIT	0x08	/* SQPOLL: wait for a free SQ slot */
#define SYSRING_ENTER_FLAGS	(SYSRING_ENTER_GETEVENTS | \
				 SYSRING_ENTER_EXT_ARG | \
				 SYSRING_ENTER_SQ_WAKEUP | \
				 SYSRING_ENTER_SQ_WAIT)

/*
 * With SYSRING_ENTER_EXT_ARG, sysring_enter's argp points to this and argsz
 * is its size.  @sigmask (a user pointer to a kernel sigset_t of
 * @sigmask_sz bytes, or 0) is the signal mask during the wait, as for
 * ppoll(2); @ts (a user pointer to a struct __kernel_timespec, or 0) is a
 * relative timeout for the wait, which then ends with ETIME.
 */
struct sysring_getevents_arg {
	__u64	sigmask;
	__u32	sigmask_sz;
	__u32	resv;		/* must be 0 */
	__u64	ts;
};

/*
 * sysring_register opcodes.  SYSRING_REGISTER_WORKERS sets the worker limit
 * to nr_args (0 only reads it) and returns the previous limit.
 */
enum sysring_register_op {
	SYSRING_REGISTER_PROG = 0,	/* arg: struct sysring_prog_reg, nr_args 1 */
	SYSRING_UNREGISTER_PROG = 1,	/* arg NULL, nr_args: program index */
	SYSRING_REGISTER_PROBE = 2,	/* arg: struct sysring_probe, nr_args 1 */
	SYSRING_REGISTER_WORKERS = 3,	/* arg NULL, nr_args: limit or 0 */
	SYSRING_REGISTER_CANCEL = 4,	/* arg: struct sysring_cancel_reg, nr_args 1 */
	SYSRING_REGISTER_EVENTFD = 5,	/* arg: int *, nr_args 1 */
	SYSRING_UNREGISTER_EVENTFD = 6,	/* arg NULL, nr_args 0 */
	__SYSRING_REGISTER_MAX,
};

/*
 * SYSRING_REGISTER_PROG: on success sysring_register() returns the program
 * index (also stored in @index).  When the checker rejects the program the
 * call fails with EINVAL and @reason/@pc say why and where.
 */
struct sysring_prog_reg {
	__u64	insns;		/* user pointer to struct sysring_insn[] */
	__u32	len;		/* number of instructions */
	__u32	flags;		/* must be 0 */
	__u32	index;		/* out */
	__u32	reason;		/* out: SYSRING_CHECK_* */
	__u32	pc;		/* out: offending instruction */
	__u32	__resv[3];
};

/*
 * SYSRING_REGISTER_CANCEL: cancel blocks of asynchronous chains, found by
 * @user_data, that are queued for the ring's workers or running on one.
 * Returns the number of blocks the request reached, or fails with ENOENT
 * when none matched.  Queued blocks complete with SYSRING_STATUS_CANCELED
 * and -ECANCELED; a running one is stopped (a system call it sleeps in is
 * interrupted) and completes the same way unless it ended first.
 */
#define SYSRING_CANCEL_ALL	0x01	/* every match, not only the first */
#define SYSRING_CANCEL_ANY	0x02	/* match any block; @user_data ignored */
#define SYSRING_CANCEL_FLAGS	(SYSRING_CANCEL_ALL | SYSRING_CANCEL_ANY)

struct sysring_cancel_reg {
	__u64	user_data;
	__u32	flags;		/* SYSRING_CANCEL_* */
	__u32	__resv[5];	/* must be 0 */
};

/*
 * SYSRING_REGISTER_PROBE: which opcodes and syscalls this kernel accepts.
 * Bit n of @ops is set when opcode n is valid, bit n of @syscalls when
 * syscall n may be used by SYS.
 */
#define SYSRING_PROBE_SYSCALLS	1024
struct sysring_probe {
	__u64	ops[256 / 64];
	__u64	syscalls[SYSRING_PROBE_SYSCALLS / 64];
	__u32	max_prog_insns;
	__u32	max_progs;
	__u32	max_budget;
	__u32	max_entries;
	__u64	__resv[4];
};

#ifdef __cplusplus
}
#endif

#endif /* _UAPI_LINUX_SYSRING_H */
