// SPDX-License-Identifier: GPL-2.0
/*
 * Running the submission ring: validate each SQE, run its block, post its
 * CQE (cq.c), and keep link chains whole.  Shared, like the rest of the VM
 * core, with the userspace backend, so both have one semantics.  The
 * caller serialises submissions on one ring; chains handed to workers run
 * concurrently with them, each in its worker's own register file, and
 * completions are posted under the environment's cq_lock.
 */
#include "vm.h"

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

static const struct sysring_prog *
sysring_ent_prog_get(struct sysring_exec *ex, u32 index)
{
	if (ex->ops)
		return ex->ops->prog_get(ex, index);
	return sysring_env_prog(ex, index);
}

static void sysring_ent_put(struct sysring_exec *ex,
			    struct sysring_chain_ent *ent)
{
	if (ent->prog && ex->ops)
		ex->ops->prog_put(ex, ent->prog);
	ent->prog = NULL;
}

/*
 * Validate an SQE and find its program.  Return: 0, or the -errno to
 * complete it with as SYSRING_STATUS_INVALID; *reason is the checker's.
 * SYSRING_SQE_ASYNC is valid anywhere in a chain where the environment has
 * workers (only the head's counts), and nowhere else.
 */
static int sysring_sqe_prepare(struct sysring_exec *ex,
			       const struct sysring_sqe *sqe,
			       const struct sysring_prog **progp,
			       u8 *reason, u16 *bad_pc)
{
	u16 supported = SYSRING_SQE_FLAGS_SUPPORTED;
	const struct sysring_prog *prog;
	u32 pc;

	if (!ex->ops)
		supported &= ~SYSRING_SQE_ASYNC;
	*reason = SYSRING_CHECK_OK;
	*bad_pc = 0;
	if (sqe->flags & ~supported ||
	    sqe->__resv1 || sqe->__resv2 || !sysring_sqe_regs_ok(sqe) ||
	    sqe->budget > SYSRING_MAX_BUDGET)
		return -EINVAL;

	if (sqe->flags & SYSRING_SQE_PROG) {
		if (sqe->ninsns || !sysring_sqe_insns_unused(sqe, 0))
			return -EINVAL;
		prog = sysring_ent_prog_get(ex, sqe->prog);
		if (!prog)
			return -ENOENT;
		*progp = prog;
		return 0;
	}

	if (sqe->prog || sqe->ninsns > SYSRING_SQE_INSNS ||
	    !sysring_sqe_insns_unused(sqe, sqe->ninsns))
		return -EINVAL;
	*reason = sysring_check(sqe->insns, sqe->ninsns, SYSRING_SQE_INSNS, &pc);
	*bad_pc = pc;
	if (*reason != SYSRING_CHECK_OK)
		return -EINVAL;
	return 0;
}

/* See sysring_exec_ops.inline_step. */
static void sysring_inline_step(struct sysring_exec *ex,
				struct sysring_chain_ent *ent)
{
	if (ex->ops && ex->ops->inline_step)
		ex->ops->inline_step(ex, ent);
}

/* Copy SQ entry @idx into @ent and validate it there. */
static void sysring_ent_prepare(struct sysring_exec *ex,
				struct sysring_chain_ent *ent, u32 idx)
{
	/* Work on a copy: userspace may rewrite the slot meanwhile. */
	memcpy(&ent->sqe, &ex->sqes[idx & (ex->sq_entries - 1)],
	       sizeof(ent->sqe));
	ent->prog = NULL;
	ent->canceled = 0;
	ent->err = sysring_sqe_prepare(ex, &ent->sqe, &ent->prog,
				       &ent->reason, &ent->bad_pc);
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

static void sysring_run_ent(struct sysring_exec *ex, struct sysring_vm *vm,
			    struct sysring_chain *s,
			    struct sysring_chain_ent *ent)
{
	const struct sysring_sqe *sqe = &ent->sqe;
	const struct sysring_insn *insns;
	u32 footprint;
	u8 reason = ent->reason;

	vm->pc = 0;
	vm->executed = 0;
	sysring_regs_zero(vm, s, sqe->snap_base + ex->snap_regs);
	if (s->broken) {
		/* The chain is the cause, not this entry's own program. */
		vm->status = SYSRING_STATUS_INVALID;
		vm->res = -EINVAL;
		reason = SYSRING_CHECK_OK;
	} else if (ent->err) {
		vm->status = SYSRING_STATUS_INVALID;
		vm->res = ent->err;
		vm->pc = ent->bad_pc;
	} else if (s->failed || READ_ONCE(ent->canceled)) {
		vm->status = SYSRING_STATUS_CANCELED;
		vm->res = -ECANCELED;
	} else {
		if (ent->prog) {
			insns = ent->prog->insns;
			footprint = ent->prog->footprint;
		} else {
			insns = sqe->insns;
			footprint = sysring_prog_footprint(sqe->insns,
							   sqe->ninsns);
		}
		sysring_regs_zero(vm, s, max_t(u32, footprint,
					       sqe->reg_base + sqe->nregs));
		memcpy(&vm->regs[sqe->reg_base], sqe->regs,
		       sqe->nregs * sizeof(u64));
		vm->cancel = &ent->canceled;
		sysring_vm_run(vm, insns, sqe->budget ?: ex->budget);
		vm->cancel = NULL;
		/*
		 * Stopped by a cancel request, or by the system call it
		 * interrupted: canceled.  A block that got to EXIT first keeps
		 * its result.
		 */
		if (vm->status != SYSRING_STATUS_EXIT &&
		    READ_ONCE(ent->canceled)) {
			vm->status = SYSRING_STATUS_CANCELED;
			vm->res = -ECANCELED;
		}
	}
	sysring_ent_put(ex, ent);
	sysring_post_cqe(ex, sqe, vm, reason);

	/* Only HARDLINK lets the chain go on past a block that failed. */
	if (vm->status != SYSRING_STATUS_EXIT &&
	    !(sqe->flags & SYSRING_SQE_HARDLINK))
		s->failed = true;
}

void sysring_chain_run(struct sysring_exec *ex, struct sysring_vm *vm,
		       struct sysring_chain *s, struct sysring_chain_ent *ents,
		       u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		sysring_run_ent(ex, vm, s, &ents[i]);
}

void sysring_work_free(struct sysring_exec *ex, struct sysring_work *work)
{
	u32 i;

	for (i = 0; i < work->nr; i++)
		sysring_ent_put(ex, &work->ents[i]);
	ex->ops->work_free(ex, work);
}

static void sysring_work_step(struct sysring_exec *ex,
			      struct sysring_work *work, u32 i)
{
	if (ex->ops->work_step)
		ex->ops->work_step(ex, work, i);
	else
		work->cur = i;
}

void sysring_work_run(struct sysring_exec *ex, struct sysring_vm *vm,
		      struct sysring_work *work)
{
	struct sysring_chain s;
	u32 i;

	sysring_chain_start(&s, false);
	for (i = 0; i < work->nr; i++) {
		sysring_work_step(ex, work, i);
		/* Only the head's WAIT was armed, on its initial registers. */
		vm->arm = i ? NULL : work->arm;
		sysring_run_ent(ex, vm, &s, &work->ents[i]);
	}
	vm->arm = NULL;
	sysring_work_step(ex, work, work->nr);
	sysring_cq_posted(ex);
}

void sysring_work_cancel(struct sysring_exec *ex, struct sysring_vm *vm,
			 struct sysring_work *work)
{
	struct sysring_chain s;

	sysring_chain_start(&s, false);
	s.failed = true;
	sysring_chain_run(ex, vm, &s, work->ents, work->nr);
	sysring_cq_posted(ex);
	sysring_work_free(ex, work);
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
 * A chain whose head has SYSRING_SQE_DRAIN starts only when every chain
 * before it has completed.  Inline chains complete before the next one
 * starts, so only asynchronous ones are waited for; the submitter waits.
 */
static int sysring_chain_drain(struct sysring_exec *ex, u32 head)
{
	const struct sysring_sqe *sqe = &ex->sqes[head & (ex->sq_entries - 1)];

	if (!(READ_ONCE(sqe->flags) & SYSRING_SQE_DRAIN) || !ex->ops ||
	    !ex->ops->drain)
		return 0;
	return ex->ops->drain(ex);
}

/* The head's SYSRING_SQE_ASYNC decides where the whole chain runs. */
static bool sysring_chain_async(struct sysring_exec *ex, u32 head)
{
	const struct sysring_sqe *sqe = &ex->sqes[head & (ex->sq_entries - 1)];

	return ex->ops && (READ_ONCE(sqe->flags) & SYSRING_SQE_ASYNC);
}

/*
 * Copy and validate the chain of @len entries at @head into a work item,
 * referencing the programs it runs, and hand it to the workers.
 */
static int sysring_chain_queue(struct sysring_exec *ex, u32 head, u32 len)
{
	struct sysring_work *work;
	int ret;
	u32 i;

	work = ex->ops->work_alloc(ex, len);
	if (!work)
		return -ENOMEM;
	work->next = NULL;
	work->arm = NULL;
	work->nr = len;
	work->cur = 0;
	for (i = 0; i < len; i++)
		sysring_ent_prepare(ex, &work->ents[i], head + i);
	if (ex->ops->work_arm)
		ex->ops->work_arm(ex, work);
	ret = ex->ops->work_queue(ex, work);
	if (ret)
		sysring_work_free(ex, work);
	return ret;
}

/*
 * Run up to @to_submit queued blocks, or hand them to the workers.  A chain
 * is never split: when @to_submit ends inside one, the rest of it is taken
 * too and counted.  A chain is accepted only when each of its completions
 * is sure of a place, in the CQ or on the overflow list (cq.c), so none is
 * ever dropped; past the list's bound submission stops (-EBUSY when
 * nothing could be submitted).  A chain that does not end before the last
 * queued entry is refused whole: every entry completes with
 * SYSRING_STATUS_INVALID and -EINVAL, none runs.  A chain whose head has
 * SYSRING_SQE_ASYNC is validated, copied and queued for a worker; every
 * other runs here, in the caller's register file ex->vm.
 */
int sysring_exec_submit(struct sysring_exec *ex, u32 to_submit)
{
	struct sysring_chain_ent ent;
	struct sysring_chain s;
	u32 head = ex->cached_sq_head;
	u32 queued, done = 0, left = 0, inline_done = 0;
	int err = 0;

	/* Pairs with the release store of sq_tail in userspace. */
	queued = smp_load_acquire(&ex->rings->sq_tail) - head;
	queued = min_t(u32, queued, ex->sq_entries);
	to_submit = min_t(u32, to_submit, queued);

	while (done < to_submit || left) {
		if (!left) {
			u32 len = sysring_chain_len(ex, head, queued - done);
			bool broken = !len;

			if (broken)
				len = queued - done;
			err = sysring_chain_drain(ex, head);
			if (err)
				break;
			err = sysring_cq_reserve(ex, len);
			if (err)
				break;
			if (!broken && sysring_chain_async(ex, head)) {
				err = sysring_chain_queue(ex, head, len);
				if (err) {
					sysring_cq_unreserve(ex, len);
					break;
				}
				head += len;
				done += len;
				continue;
			}
			sysring_chain_start(&s, broken);
			left = len;
		}
		sysring_ent_prepare(ex, &ent, head);
		sysring_inline_step(ex, &ent);
		sysring_chain_run(ex, ex->vm, &s, &ent, 1);
		sysring_inline_step(ex, NULL);
		left--;
		head++;
		done++;
		inline_done++;
	}
	if (inline_done)
		sysring_cq_posted(ex);
	sysring_cq_trim(ex);

	/* SYSRING_ENTER_SQ_WAIT reads it without the submitter's lock. */
	WRITE_ONCE(ex->cached_sq_head, head);
	/* Pairs with the acquire load of sq_head in userspace: slots are free. */
	smp_store_release(&ex->rings->sq_head, head);
	if (done)
		return done;
	return err;
}
