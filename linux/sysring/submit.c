// SPDX-License-Identifier: GPL-2.0
/*
 * Running the submission ring: validate each SQE, run its block, post its
 * CQE, and keep link chains whole.  Shared, like the rest of the VM core,
 * with the userspace backend, so both have one semantics.  The caller
 * serialises calls on one ring.
 */
#include "vm.h"

/* The chain being run: which of its blocks run, which cancel. */
struct sysring_chain {
	u32	chain_left;	/* blocks left in the current chain */
	u32	zeroed;		/* r0..r[zeroed - 1] are this chain's own */
	bool	chain_failed;	/* a LINK block in it did not EXIT */
	bool	chain_broken;	/* it does not end in this submission */
};

static u32 sysring_cq_space(struct sysring_exec *ex)
{
	/* A garbage cq_head from userspace only makes the ring look full. */
	u32 used = ex->cached_cq_tail - READ_ONCE(ex->rings->cq_head);

	return used >= ex->cq_entries ? 0 : ex->cq_entries - used;
}

static void sysring_post_cqe(struct sysring_exec *ex,
			     const struct sysring_sqe *sqe,
			     const struct sysring_vm *vm, u8 reason)
{
	struct sysring_rings *rings = ex->rings;
	struct sysring_cqe *cqe;
	u32 nregs;

	cqe = (void *)&rings->cqes[(ex->cached_cq_tail & (ex->cq_entries - 1)) *
				   ex->cqe_size];
	nregs = min_t(u32, ex->snap_regs, SYSRING_NR_REGS - sqe->snap_base);
	cqe->user_data = sqe->user_data;
	cqe->res = vm->res;
	cqe->status = vm->status;
	cqe->reason = reason;
	cqe->reg_base = sqe->snap_base;
	cqe->nregs = nregs;
	cqe->pc = vm->pc;
	cqe->flags = 0;
	cqe->insns = vm->executed;
	cqe->__resv = 0;
	memcpy(cqe->regs, &vm->regs[sqe->snap_base], nregs * sizeof(u64));
	if (nregs < ex->snap_regs)
		memset(&cqe->regs[nregs], 0,
		       (ex->snap_regs - nregs) * sizeof(u64));

	/* Pairs with the acquire load of cq_tail in userspace. */
	smp_store_release(&rings->cq_tail, ++ex->cached_cq_tail);
}

static bool sysring_sqe_regs_ok(const struct sysring_sqe *sqe)
{
	unsigned int i;

	if (sqe->nregs > SYSRING_SQE_REGS ||
	    sqe->reg_base + sqe->nregs > SYSRING_NR_REGS)
		return false;
	for (i = sqe->nregs; i < SYSRING_SQE_REGS; i++)
		if (sqe->regs[i])
			return false;
	return true;
}

static bool sysring_sqe_insns_unused(const struct sysring_sqe *sqe, u32 from)
{
	return mem_is_zero(&sqe->insns[from],
			   (SYSRING_SQE_INSNS - from) * sizeof(sqe->insns[0]));
}

/*
 * Validate an SQE and find its program.  Return: 0, or the -errno to
 * complete it with as SYSRING_STATUS_INVALID; *reason is the checker's.
 */
static int sysring_sqe_prepare(struct sysring_exec *ex,
			       const struct sysring_sqe *sqe,
			       const struct sysring_insn **insns, u32 *footprint,
			       u8 *reason, u16 *bad_pc)
{
	const struct sysring_prog *prog;
	u32 pc;

	*reason = SYSRING_CHECK_OK;
	*bad_pc = 0;
	if (sqe->flags & ~(SYSRING_SQE_FLAGS_SUPPORTED | SYSRING_SQE_DRAIN) ||
	    sqe->__resv1 || sqe->__resv2 || !sysring_sqe_regs_ok(sqe) ||
	    sqe->budget > SYSRING_MAX_BUDGET)
		return -EINVAL;

	if (sqe->flags & SYSRING_SQE_PROG) {
		if (sqe->ninsns || !sysring_sqe_insns_unused(sqe, 0))
			return -EINVAL;
		prog = sysring_env_prog(ex, sqe->prog);
		if (!prog)
			return -ENOENT;
		*insns = prog->insns;
		*footprint = prog->footprint;
		return 0;
	}

	if (sqe->prog || sqe->ninsns > SYSRING_SQE_INSNS ||
	    !sysring_sqe_insns_unused(sqe, sqe->ninsns))
		return -EINVAL;
	*reason = sysring_check(sqe->insns, sqe->ninsns, SYSRING_SQE_INSNS, &pc);
	*bad_pc = pc;
	if (*reason != SYSRING_CHECK_OK)
		return -EINVAL;
	*insns = sqe->insns;
	*footprint = sysring_prog_footprint(sqe->insns, sqe->ninsns);
	return 0;
}

/*
 * A chain starts with every register zero.  Rather than clearing all 2 KiB
 * each time, clear only what the next block can see, once per chain.
 */
static void sysring_regs_zero(struct sysring_vm *vm, struct sysring_chain *s,
			      u32 end)
{
	end = min_t(u32, end, SYSRING_NR_REGS);
	if (end > s->zeroed) {
		memset(&vm->regs[s->zeroed], 0, (end - s->zeroed) * sizeof(u64));
		s->zeroed = end;
	}
}

static void sysring_run_sqe(struct sysring_exec *ex, struct sysring_chain *s,
			    const struct sysring_sqe *sqe)
{
	struct sysring_vm *vm = ex->vm;
	const struct sysring_insn *insns;
	u32 footprint;
	u8 reason;
	u16 pc;
	int ret;

	vm->pc = 0;
	vm->executed = 0;
	sysring_regs_zero(vm, s, sqe->snap_base + ex->snap_regs);
	ret = sysring_sqe_prepare(ex, sqe, &insns, &footprint, &reason, &pc);
	if (s->chain_broken) {
		/* The chain is the cause, not this entry's own program. */
		vm->status = SYSRING_STATUS_INVALID;
		vm->res = -EINVAL;
		vm->pc = 0;
		reason = SYSRING_CHECK_OK;
	} else if (ret) {
		vm->status = SYSRING_STATUS_INVALID;
		vm->res = ret;
		vm->pc = pc;
	} else if (s->chain_failed) {
		vm->status = SYSRING_STATUS_CANCELED;
		vm->res = -ECANCELED;
	} else {
		sysring_regs_zero(vm, s, max_t(u32, footprint,
					       sqe->reg_base + sqe->nregs));
		memcpy(&vm->regs[sqe->reg_base], sqe->regs,
		       sqe->nregs * sizeof(u64));
		sysring_vm_run(vm, insns, sqe->budget ?: ex->budget);
	}
	sysring_post_cqe(ex, sqe, vm, reason);

	/* Only HARDLINK lets the chain go on past a block that failed. */
	if (vm->status != SYSRING_STATUS_EXIT &&
	    !(sqe->flags & SYSRING_SQE_HARDLINK))
		s->chain_failed = true;
}

static bool sysring_sqe_linked(const struct sysring_sqe *sqe)
{
	return READ_ONCE(sqe->flags) & (SYSRING_SQE_LINK | SYSRING_SQE_HARDLINK);
}

/*
 * Length of the chain starting at SQ index @head, at most @avail entries,
 * or 0 when it does not end within them.  Membership is decided here once;
 * a flag userspace rewrites later cannot split a chain that is running.
 */
static u32 sysring_chain_len(struct sysring_exec *ex, u32 head, u32 avail)
{
	u32 mask = ex->sq_entries - 1;
	u32 n;

	for (n = 1; n <= avail; n++)
		if (!sysring_sqe_linked(&ex->sqes[(head + n - 1) & mask]))
			return n;
	return 0;
}

/*
 * Run up to @to_submit queued blocks.  A chain is never split: when
 * @to_submit ends inside one, the rest of it runs too and is counted.  A
 * chain starts only when the CQ has room for all of its completions, so
 * none is ever dropped: a full CQ is backpressure (-EBUSY when nothing
 * could be submitted).  A chain that does not end before the last queued
 * entry is refused whole: every entry completes with
 * SYSRING_STATUS_INVALID and -EINVAL, none runs.
 */
int sysring_exec_submit(struct sysring_exec *ex, u32 to_submit)
{
	struct sysring_chain s = { };
	struct sysring_sqe sqe;
	u32 head = ex->cached_sq_head;
	u32 queued, done = 0;

	/* Pairs with the release store of sq_tail in userspace. */
	queued = smp_load_acquire(&ex->rings->sq_tail) - head;
	queued = min_t(u32, queued, ex->sq_entries);
	to_submit = min_t(u32, to_submit, queued);

	while (done < to_submit || s.chain_left) {
		if (!s.chain_left) {
			u32 len = sysring_chain_len(ex, head, queued - done);
			bool broken = !len;

			if (broken)
				len = queued - done;
			if (sysring_cq_space(ex) < len)
				break;
			s.chain_left = len;
			s.chain_failed = false;
			s.chain_broken = broken;
			s.zeroed = 0;
		}
		/* Work on a copy: userspace may rewrite the slot meanwhile. */
		memcpy(&sqe, &ex->sqes[head & (ex->sq_entries - 1)], sizeof(sqe));
		sysring_run_sqe(ex, &s, &sqe);
		s.chain_left--;
		head++;
		done++;
	}

	ex->cached_sq_head = head;
	/* Pairs with the acquire load of sq_head in userspace: slots are free. */
	smp_store_release(&ex->rings->sq_head, head);
	if (done)
		return done;
	return to_submit ? -EBUSY : 0;
}
