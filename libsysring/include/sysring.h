/* SPDX-License-Identifier: MIT */
/*
 * libsysring: the userspace side of sysring(7), in the image of liburing.
 *
 * Every function returns 0 (or a count) on success and -errno on failure;
 * errno is never used.
 */
#ifndef LIBSYSRING_H
#define LIBSYSRING_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <linux/sysring.h>

#ifdef __cplusplus
extern "C" {
#endif

/* System headers of an unpatched distribution do not know the numbers. */
#if defined(__x86_64__)
#ifndef __NR_sysring_setup
#define __NR_sysring_setup	600
#endif
#ifndef __NR_sysring_enter
#define __NR_sysring_enter	601
#endif
#ifndef __NR_sysring_register
#define __NR_sysring_register	602
#endif
#endif

/*
 * Set in sysring_params.features and sysring.features when the ring runs on
 * the library's userspace backend (no kernel sysring, or SYSRING_BACKEND=user).
 */
#define SYSRING_FEAT_USER_BACKEND	(1U << 31)

/* The kernel and user space share the ring indices: pair acquire/release. */
#define sysring_smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define sysring_smp_store_release(p, v)	\
	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

struct sysring_sq {
	unsigned *khead;
	unsigned *ktail;
	unsigned *kring_mask;
	unsigned *kring_entries;
	unsigned *kflags;
	unsigned *kdropped;
	struct sysring_sqe *sqes;

	unsigned sqe_tail;	/* local tail, published by sysring_submit */
	unsigned ring_mask;
	unsigned ring_entries;
	size_t sqes_sz;
};

struct sysring_cq {
	unsigned *khead;
	unsigned *ktail;
	unsigned *kring_mask;
	unsigned *kring_entries;
	unsigned *koverflow;
	unsigned *kflags;
	void *cqes;		/* entries of cqe_size bytes, not an array */

	unsigned cqe_size;
	unsigned ring_mask;
	unsigned ring_entries;
};

struct sysring {
	struct sysring_sq sq;
	struct sysring_cq cq;
	unsigned flags;		/* SYSRING_SETUP_* */
	int ring_fd;
	unsigned features;	/* SYSRING_FEAT_* */
	unsigned snap_regs;	/* registers in each CQE */
	void *ring_ptr;		/* the SYSRING_OFF_RINGS mapping */
	size_t ring_sz;
};

/* Setup and teardown. */
int sysring_queue_init(unsigned entries, struct sysring *ring, unsigned flags);
int sysring_queue_init_params(unsigned entries, struct sysring *ring,
			      struct sysring_params *p);
void sysring_queue_exit(struct sysring *ring);

/* Submission and completion. */
int sysring_submit(struct sysring *ring);
int sysring_submit_and_wait(struct sysring *ring, unsigned wait_nr);
/*
 * SQPOLL: wait until the SQ has a free entry (returns 0 at once when it
 * has one); -EINVAL without SYSRING_SETUP_SQPOLL.
 */
int sysring_sqring_wait(struct sysring *ring);
int sysring_wait_cqe_nr(struct sysring *ring, struct sysring_cqe **cqe_ptr,
			unsigned wait_nr);
unsigned sysring_peek_batch_cqe(struct sysring *ring,
				struct sysring_cqe **cqes, unsigned count);

/* Registration and probing. */
int sysring_register_prog(struct sysring *ring,
			  const struct sysring_insn *insns, unsigned len,
			  struct sysring_prog_reg *out);
int sysring_unregister_prog(struct sysring *ring, unsigned index);
int sysring_probe(struct sysring *ring, struct sysring_probe *p);
/* Set the ring's worker limit (0: only read it); returns the old limit. */
int sysring_register_workers(struct sysring *ring, unsigned max_workers);
/*
 * Cancel asynchronous blocks by user_data (SYSRING_CANCEL_ALL: every match;
 * SYSRING_CANCEL_ANY: any block); returns how many it reached, -ENOENT.
 */
int sysring_register_cancel(struct sysring *ring, __u64 user_data,
			    unsigned flags);
/* Signal eventfd @fd whenever CQEs are posted (-EBUSY: one already is). */
int sysring_register_eventfd(struct sysring *ring, int fd);
int sysring_unregister_eventfd(struct sysring *ring);

static inline int sysring_opcode_supported(const struct sysring_probe *p,
					   unsigned op)
{
	if (!p || op >= 256)
		return 0;
	return (p->ops[op / 64] >> (op % 64)) & 1;
}

static inline int sysring_syscall_supported(const struct sysring_probe *p,
					    unsigned nr)
{
	if (!p || nr >= SYSRING_PROBE_SYSCALLS)
		return 0;
	return (p->syscalls[nr / 64] >> (nr % 64)) & 1;
}

/*
 * SQ accounting: the kernel (or the SQPOLL thread, at any moment) consumes
 * entries by advancing the SQ head.
 */
static inline unsigned sysring_sq_ready(const struct sysring *ring)
{
	return ring->sq.sqe_tail - sysring_smp_load_acquire(ring->sq.khead);
}

static inline unsigned sysring_sq_space_left(const struct sysring *ring)
{
	return ring->sq.ring_entries - sysring_sq_ready(ring);
}

/* Returns a zeroed SQE, or NULL when the SQ is full. */
static inline struct sysring_sqe *sysring_get_sqe(struct sysring *ring)
{
	struct sysring_sqe *sqe;

	if (!ring || !sysring_sq_space_left(ring))
		return NULL;
	sqe = &ring->sq.sqes[ring->sq.sqe_tail & ring->sq.ring_mask];
	ring->sq.sqe_tail++;
	memset(sqe, 0, sizeof(*sqe));
	return sqe;
}

/* CQ accounting: CQEs are cqe_size bytes apart (header + snapshot). */
static inline struct sysring_cqe *sysring_cqe_at(const struct sysring *ring,
						 unsigned idx)
{
	return (struct sysring_cqe *)((char *)ring->cq.cqes +
		(size_t)(idx & ring->cq.ring_mask) * ring->cq.cqe_size);
}

static inline unsigned sysring_cq_ready(const struct sysring *ring)
{
	return sysring_smp_load_acquire(ring->cq.ktail) - *ring->cq.khead;
}

/*
 * Whether completions wait in the kernel for room in the CQ: consume CQEs
 * and enter the kernel (any sysring_enter, sysring_wait_cqe, ...) to get
 * them.  Only a hint: the kernel moves them while you look.
 */
static inline int sysring_cq_has_overflow(const struct sysring *ring)
{
	return !!(__atomic_load_n(ring->sq.kflags, __ATOMIC_RELAXED) &
		  SYSRING_SQ_CQ_OVERFLOW);
}

static inline void sysring_cq_advance(struct sysring *ring, unsigned nr)
{
	if (nr)
		sysring_smp_store_release(ring->cq.khead,
					  *ring->cq.khead + nr);
}

static inline void sysring_cqe_seen(struct sysring *ring,
				    struct sysring_cqe *cqe)
{
	if (ring && cqe)
		sysring_cq_advance(ring, 1);
}

#define sysring_for_each_cqe(ring, head, cqe)				\
	for ((head) = *(ring)->cq.khead;				\
	     ((cqe) = ((head) != sysring_smp_load_acquire((ring)->cq.ktail) ? \
		sysring_cqe_at((ring), (head)) : NULL));		\
	     (head)++)

/* Returns -EAGAIN when no CQE is ready. */
static inline int sysring_peek_cqe(struct sysring *ring,
				   struct sysring_cqe **cqe_ptr)
{
	return sysring_wait_cqe_nr(ring, cqe_ptr, 0);
}

static inline int sysring_wait_cqe(struct sysring *ring,
				   struct sysring_cqe **cqe_ptr)
{
	return sysring_wait_cqe_nr(ring, cqe_ptr, 1);
}

/*
 * Wait at most @ts (relative; NULL waits forever) for a completion:
 * -ETIME when none came.  Completions come from async chains' workers or
 * from other threads' submissions.
 */
int sysring_wait_cqe_timeout(struct sysring *ring,
			     struct sysring_cqe **cqe_ptr,
			     const struct timespec *ts);

/*
 * Submit what is queued and wait at most @ts (relative; NULL: no limit)
 * for @wait_nr completions, with @sigmask (NULL: the thread's) as the
 * signal mask during the wait.  Returns the number of SQEs submitted, with
 * *cqe_ptr the oldest CQE, or NULL when the wait ended before @wait_nr
 * were ready; when none was submitted, -ETIME or -EINTR says why it ended.
 */
int sysring_submit_and_wait_timeout(struct sysring *ring,
				    struct sysring_cqe **cqe_ptr,
				    unsigned wait_nr,
				    const struct timespec *ts,
				    const sigset_t *sigmask);

/* Register @regno from the CQE's snapshot; -ERANGE when outside it. */
static inline int sysring_cqe_reg(const struct sysring_cqe *cqe,
				  unsigned regno, __u64 *val)
{
	unsigned i;

	if (!cqe || !val)
		return -EINVAL;
	i = regno - cqe->reg_base;
	if (regno < cqe->reg_base || i >= cqe->nregs)
		return -ERANGE;
	*val = cqe->regs[i];
	return 0;
}

/* SQE helpers: call them on an SQE from sysring_get_sqe (already zeroed). */

/*
 * @n is recorded as is, so a block too long for the SQE is rejected by the
 * kernel instead of running truncated.  The kernel wants unused slots and
 * the program index zero.
 */
static inline void sysring_prep_insns(struct sysring_sqe *sqe,
				      const struct sysring_insn *insns,
				      unsigned n)
{
	unsigned copy = n < SYSRING_SQE_INSNS ? n : SYSRING_SQE_INSNS;

	memcpy(sqe->insns, insns, copy * sizeof(*insns));
	memset(&sqe->insns[copy], 0,
	       (SYSRING_SQE_INSNS - copy) * sizeof(*insns));
	sqe->ninsns = n < 255 ? n : 255;
	sqe->flags &= ~SYSRING_SQE_PROG;
	sqe->prog = 0;
}

/* A registered program: the inline slots must be empty. */
static inline void sysring_prep_prog(struct sysring_sqe *sqe, unsigned index)
{
	memset(sqe->insns, 0, sizeof(sqe->insns));
	sqe->flags |= SYSRING_SQE_PROG;
	sqe->prog = index;
	sqe->ninsns = 0;
}

/*
 * r[base + i] = vals[i]; @n is recorded as is, like sysring_prep_insns, and
 * the unused values are zeroed as the kernel wants.
 */
static inline void sysring_sqe_set_regs(struct sysring_sqe *sqe,
					unsigned base, const __u64 *vals,
					unsigned n)
{
	unsigned copy = n < SYSRING_SQE_REGS ? n : SYSRING_SQE_REGS;

	if (copy)
		memcpy(sqe->regs, vals, copy * sizeof(*vals));
	memset(&sqe->regs[copy], 0, (SYSRING_SQE_REGS - copy) * sizeof(*vals));
	sqe->reg_base = base;
	sqe->nregs = n < 255 ? n : 255;
}

static inline void sysring_sqe_set_data64(struct sysring_sqe *sqe, __u64 data)
{
	sqe->user_data = data;
}

/* Link flags and the like; the PROG bit set by sysring_prep_prog stays. */
static inline void sysring_sqe_set_flags(struct sysring_sqe *sqe,
					 unsigned flags)
{
	sqe->flags = (sqe->flags & SYSRING_SQE_PROG) | flags;
}

static inline void sysring_sqe_set_budget(struct sysring_sqe *sqe,
					  unsigned budget)
{
	sqe->budget = budget;
}

static inline void sysring_sqe_set_snap(struct sysring_sqe *sqe, unsigned base)
{
	sqe->snap_base = base;
}

static inline void __sysring_set_insn(struct sysring_insn *insn, __u8 code,
				      __u8 dst, __u8 src, __u8 mod, __s32 imm)
{
	insn->code = code;
	insn->dst = dst;
	insn->src = src;
	insn->mod = mod;
	insn->imm = imm;
}

/*
 * One syscall: r0 = nr(r1, ..., r[nargs]); EXIT r0.  The CQE's res is the
 * syscall's result, and a failure ends the block with SYSRING_STATUS_ERROR.
 */
static inline void sysring_prep_syscall(struct sysring_sqe *sqe, unsigned nr,
					unsigned nargs, __u64 a0, __u64 a1,
					__u64 a2, __u64 a3, __u64 a4, __u64 a5)
{
	const __u64 args[SYSRING_SQE_REGS] = { a0, a1, a2, a3, a4, a5 };

	struct sysring_insn insns[2];

	/* Without arguments src is unused, and the checker wants it zero. */
	__sysring_set_insn(&insns[0], SYSRING_OP_SYS, 0, nargs ? 1 : 0,
			   (__u8)(nargs & SYSRING_SYS_NARGS_MASK), (__s32)nr);
	__sysring_set_insn(&insns[1], SYSRING_OP_EXIT, 0, 0, 0, 0);
	sysring_prep_insns(sqe, insns, 2);
	sysring_sqe_set_regs(sqe, 1, args, nargs);
}

#define __sysring_ptr(p)	((__u64)(unsigned long)(p))

static inline void sysring_prep_openat(struct sysring_sqe *sqe, int dfd,
				       const char *path, int flags,
				       unsigned mode)
{
	sysring_prep_syscall(sqe, __NR_openat, 4, (__u64)(__s64)dfd,
			     __sysring_ptr(path), (__u64)(__s64)flags, mode,
			     0, 0);
}

static inline void sysring_prep_read(struct sysring_sqe *sqe, int fd,
				     void *buf, unsigned nbytes)
{
	sysring_prep_syscall(sqe, __NR_read, 3, (__u64)(__s64)fd,
			     __sysring_ptr(buf), nbytes, 0, 0, 0);
}

static inline void sysring_prep_write(struct sysring_sqe *sqe, int fd,
				      const void *buf, unsigned nbytes)
{
	sysring_prep_syscall(sqe, __NR_write, 3, (__u64)(__s64)fd,
			     __sysring_ptr(buf), nbytes, 0, 0, 0);
}

static inline void sysring_prep_pread(struct sysring_sqe *sqe, int fd,
				      void *buf, unsigned nbytes,
				      __u64 offset)
{
	sysring_prep_syscall(sqe, __NR_pread64, 4, (__u64)(__s64)fd,
			     __sysring_ptr(buf), nbytes, offset, 0, 0);
}

static inline void sysring_prep_pwrite(struct sysring_sqe *sqe, int fd,
				       const void *buf, unsigned nbytes,
				       __u64 offset)
{
	sysring_prep_syscall(sqe, __NR_pwrite64, 4, (__u64)(__s64)fd,
			     __sysring_ptr(buf), nbytes, offset, 0, 0);
}

static inline void sysring_prep_close(struct sysring_sqe *sqe, int fd)
{
	sysring_prep_syscall(sqe, __NR_close, 1, (__u64)(__s64)fd,
			     0, 0, 0, 0, 0);
}

/* @statbuf is the kernel's struct stat, which glibc's matches on x86_64. */
static inline void sysring_prep_fstat(struct sysring_sqe *sqe, int fd,
				      void *statbuf)
{
	sysring_prep_syscall(sqe, __NR_fstat, 2, (__u64)(__s64)fd,
			     __sysring_ptr(statbuf), 0, 0, 0, 0);
}

static inline void sysring_prep_accept(struct sysring_sqe *sqe, int fd,
				       void *addr, void *addrlen, int flags)
{
	sysring_prep_syscall(sqe, __NR_accept4, 4, (__u64)(__s64)fd,
			     __sysring_ptr(addr), __sysring_ptr(addrlen),
			     (__u64)(__s64)flags, 0, 0);
}

static inline void sysring_prep_getppid(struct sysring_sqe *sqe)
{
	sysring_prep_syscall(sqe, __NR_getppid, 0, 0, 0, 0, 0, 0, 0);
}

/* A block of one EXIT r0; r0 starts at zero, so res is 0. */
static inline void sysring_prep_nop(struct sysring_sqe *sqe)
{
	struct sysring_insn exit0;

	__sysring_set_insn(&exit0, SYSRING_OP_EXIT, 0, 0, 0, 0);
	sysring_prep_insns(sqe, &exit0, 1);
}

#ifdef __cplusplus
}
#endif

#endif /* LIBSYSRING_H */
