// SPDX-License-Identifier: GPL-2.0
/*
 * The completion queue: posting CQEs, and the overflow list that keeps the
 * completions a full CQ has no room for.  Shared, like submit.c, with the
 * userspace backend.
 *
 * No completion is ever dropped.  A chain is accepted only when each of its
 * completions is sure of a place (sysring_cq_reserve()): a free CQ slot or
 * a spare overflow entry, allocated (and charged) when the chain is
 * accepted.  A completion that finds the CQ full, or the overflow list not
 * empty (nothing may overtake what waits there), takes a spare to the
 * tail of the list and SYSRING_SQ_CQ_OVERFLOW is set; sysring_cq_flush()
 * moves the list's head into the CQ as userspace makes room, and clears
 * the flag when the list is empty.  Listed and spare entries together are
 * at most sysring_cq_overflow_max(); a chain that would need more is
 * refused with -EBUSY, which is the backpressure userspace sees.
 *
 * Locking: the environment's cq_lock (a spinlock in the kernel) covers the
 * CQ slots and cached_cq_tail, cached_cq_head, cq_reserved, the list, the
 * spares and their counts.  Posts come from any thread (the submitter
 * running inline blocks, workers, cancel requests), flushes from any
 * sysring_enter(2).  Reservations and trims of the spares are only made by
 * the submitter, which the environment serialises (the kernel's ctx->lock).
 *
 * Why a post always finds its place: with room the CQ's free slots and
 * room_eff = room while the list is empty, 0 otherwise,
 *
 *	nr_spare + room_eff >= cq_reserved
 *
 * holds at every release of cq_lock.  A post pays off one reservation with
 * a slot (list empty, room > 0) or a spare.  A flush turns a listed entry
 * back into a spare and uses a slot for it.  Userspace consuming CQEs only
 * adds room, and since cq_room() ignores a cq_head that moves back, it
 * never takes room away.  The list only fills from empty when room is 0.
 * So the slack only shrinks in sysring_cq_reserve(), which allocates what
 * is missing first, and in sysring_cq_trim(), which keeps what is owed;
 * both run in the submitter, so nothing shrinks the slack while
 * sysring_cq_reserve() allocates with the lock dropped.
 */
#include "vm.h"

/* Entries moved into the CQ under one hold of cq_lock. */
#define SYSRING_CQ_FLUSH_BATCH	32

static void sysring_cq_lock(struct sysring_exec *ex)
{
	if (ex->ops)
		ex->ops->cq_lock(ex);
}

static void sysring_cq_unlock(struct sysring_exec *ex)
{
	if (ex->ops)
		ex->ops->cq_unlock(ex);
}

/*
 * Wake CQ waiters once per batch of posted CQEs, not once per CQE: after a
 * worker's chain, at the end of an inline submission (as io_uring flushes
 * its completions at the end of a submit), and after a flush.
 */
void sysring_cq_posted(struct sysring_exec *ex)
{
	if (ex->ops)
		ex->ops->cq_posted(ex);
}

/*
 * A cq_head that moves back, or past the tail, is ignored: garbage from
 * userspace can make the CQ look no fuller than it was, so room counted on
 * once stays.
 */
u32 sysring_cq_room(struct sysring_exec *ex)
{
	/*
	 * Pairs with the release store of cq_head in userspace: the CQEs it
	 * has read are not overwritten before it is done with them.
	 */
	u32 head = smp_load_acquire(&ex->rings->cq_head);

	if (head - ex->cached_cq_head <= ex->cached_cq_tail - ex->cached_cq_head)
		ex->cached_cq_head = head;
	return ex->cq_entries - (ex->cached_cq_tail - ex->cached_cq_head);
}

/* What a completion may use without an entry: nothing while the list waits. */
static u32 sysring_cq_room_eff(struct sysring_exec *ex)
{
	return ex->ovf_head ? 0 : sysring_cq_room(ex);
}

static struct sysring_cqe *sysring_cq_slot(const struct sysring_exec *ex,
					   u32 idx)
{
	return (void *)&ex->rings->cqes[(idx & (ex->cq_entries - 1)) *
					ex->cqe_size];
}

/* Publish CQEs written up to @tail.  Caller holds cq_lock. */
static void sysring_cq_commit(struct sysring_exec *ex, u32 tail)
{
	/* Readers of cached_cq_tail outside the lock only compare it. */
	WRITE_ONCE(ex->cached_cq_tail, tail);
	/*
	 * Pairs with the acquire load of cq_tail in userspace (and in
	 * sysring_poll()): the entries are written before the tail covers
	 * them.
	 */
	smp_store_release(&ex->rings->cq_tail, tail);
}

static void sysring_cqe_fill(const struct sysring_exec *ex,
			     struct sysring_cqe *cqe,
			     const struct sysring_sqe *sqe,
			     const struct sysring_vm *vm, u8 reason)
{
	u32 nregs = min_t(u32, ex->snap_regs, SYSRING_NR_REGS - sqe->snap_base);

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
}

static struct sysring_ovf *sysring_spare_pop(struct sysring_exec *ex)
{
	struct sysring_ovf *ovf = ex->ovf_spare;

	if (ovf) {
		ex->ovf_spare = ovf->next;
		WRITE_ONCE(ex->nr_spare, ex->nr_spare - 1);
	}
	return ovf;
}

static void sysring_spare_push(struct sysring_exec *ex, struct sysring_ovf *ovf)
{
	ovf->next = ex->ovf_spare;
	ex->ovf_spare = ovf;
	WRITE_ONCE(ex->nr_spare, ex->nr_spare + 1);
}

/* Queue a completion behind those already waiting.  Caller holds cq_lock. */
static void sysring_ovf_post(struct sysring_exec *ex,
			     const struct sysring_sqe *sqe,
			     const struct sysring_vm *vm, u8 reason)
{
	struct sysring_ovf *ovf = sysring_spare_pop(ex);

	if (unlikely(!ovf)) {
		/* The invariant above says never; count it rather than crash. */
		sysring_cq_impossible();
		WRITE_ONCE(ex->rings->cq_overflow,
			   READ_ONCE(ex->rings->cq_overflow) + 1);
		return;
	}
	sysring_cqe_fill(ex, (struct sysring_cqe *)ovf->cqe, sqe, vm, reason);
	ovf->next = NULL;
	if (ex->ovf_last)
		ex->ovf_last->next = ovf;
	else
		ex->ovf_head = ovf;
	ex->ovf_last = ovf;
	if (!ex->nr_ovf)
		atomic_or(SYSRING_SQ_CQ_OVERFLOW, &ex->rings->sq_flags);
	WRITE_ONCE(ex->nr_ovf, ex->nr_ovf + 1);
}

/*
 * Post a CQE, paying off one reservation: into the CQ when there is room
 * and nothing waits on the list, else to the tail of the list.  cq_lock
 * makes choosing the slot, filling it and publishing the new tail one
 * step, so the tail only ever moves past filled slots, in order.
 */
void sysring_post_cqe(struct sysring_exec *ex, const struct sysring_sqe *sqe,
		      const struct sysring_vm *vm, u8 reason)
{
	u32 tail;

	sysring_cq_lock(ex);
	if (sysring_cq_room_eff(ex)) {
		tail = ex->cached_cq_tail;
		sysring_cqe_fill(ex, sysring_cq_slot(ex, tail), sqe, vm, reason);
		sysring_cq_commit(ex, tail + 1);
	} else {
		sysring_ovf_post(ex, sqe, vm, reason);
	}
	/* The drain wait reads it without the lock. */
	WRITE_ONCE(ex->cq_reserved, ex->cq_reserved - 1);
	sysring_cq_unlock(ex);
}

bool sysring_cq_flush(struct sysring_exec *ex)
{
	struct sysring_ovf *ovf;
	u32 room, n = 0;
	bool more;

	/*
	 * Unlocked peek: a completion listed after it was read finds the CQ
	 * full, so a waiter has its CQEs without this flush.
	 */
	if (!READ_ONCE(ex->nr_ovf))
		return false;

	sysring_cq_lock(ex);
	room = sysring_cq_room(ex);
	while (ex->ovf_head && n < room && n < SYSRING_CQ_FLUSH_BATCH) {
		ovf = ex->ovf_head;
		ex->ovf_head = ovf->next;
		if (!ex->ovf_head)
			ex->ovf_last = NULL;
		memcpy(sysring_cq_slot(ex, ex->cached_cq_tail + n), ovf->cqe,
		       ex->cqe_size);
		sysring_spare_push(ex, ovf);
		n++;
	}
	if (n) {
		sysring_cq_commit(ex, ex->cached_cq_tail + n);
		WRITE_ONCE(ex->nr_ovf, ex->nr_ovf - n);
		if (!ex->ovf_head)
			atomic_andnot(SYSRING_SQ_CQ_OVERFLOW,
				      &ex->rings->sq_flags);
	}
	more = ex->ovf_head && n < room;
	sysring_cq_unlock(ex);

	if (n)
		sysring_cq_posted(ex);
	return more;
}

/* Completions of @n more blocks than the CQ and the spares can take. */
static u32 sysring_cq_short(struct sysring_exec *ex, u32 n)
{
	u32 have = ex->nr_spare + sysring_cq_room_eff(ex);
	u32 owed = ex->cq_reserved + n;

	return owed > have ? owed - have : 0;
}

static void sysring_ovf_free_list(struct sysring_exec *ex,
				  struct sysring_ovf *list)
{
	struct sysring_ovf *ovf;

	while ((ovf = list)) {
		list = ovf->next;
		sysring_env_ovf_free(ex, ovf);
	}
}

int sysring_cq_reserve(struct sysring_exec *ex, u32 n)
{
	struct sysring_ovf *list = NULL, *last = NULL, *ovf;
	int ret = 0;
	u32 need, i;

	sysring_cq_lock(ex);
	need = sysring_cq_short(ex, n);
	if (need > sysring_cq_overflow_max(ex) - ex->nr_ovf - ex->nr_spare)
		ret = -EBUSY;
	else if (!need)
		WRITE_ONCE(ex->cq_reserved, ex->cq_reserved + n);
	sysring_cq_unlock(ex);
	if (ret || !need)
		return ret;

	/*
	 * Allocate without the lock (it may sleep).  Only this thread shrinks
	 * the slack or adds entries (see the top of this file): what was
	 * short and the bound still hold when the lock is taken again.
	 */
	for (i = 0; i < need; i++) {
		ovf = sysring_env_ovf_alloc(ex);
		if (!ovf) {
			sysring_ovf_free_list(ex, list);
			return -ENOMEM;
		}
		ovf->next = list;
		list = ovf;
		if (!last)
			last = ovf;
	}

	sysring_cq_lock(ex);
	last->next = ex->ovf_spare;
	ex->ovf_spare = list;
	WRITE_ONCE(ex->nr_spare, ex->nr_spare + need);
	WRITE_ONCE(ex->cq_reserved, ex->cq_reserved + n);
	sysring_cq_unlock(ex);
	return 0;
}

void sysring_cq_unreserve(struct sysring_exec *ex, u32 n)
{
	sysring_cq_lock(ex);
	WRITE_ONCE(ex->cq_reserved, ex->cq_reserved - n);
	sysring_cq_unlock(ex);
}

/*
 * Spares beyond what the owed completions may still need go back, so that
 * memory for overflow is held only while overflow can happen.
 */
void sysring_cq_trim(struct sysring_exec *ex)
{
	struct sysring_ovf *list = NULL, *ovf;
	u32 keep;

	if (!READ_ONCE(ex->nr_spare))
		return;
	sysring_cq_lock(ex);
	keep = ex->cq_reserved -
	       min_t(u32, ex->cq_reserved, sysring_cq_room_eff(ex));
	while (ex->nr_spare > keep) {
		ovf = sysring_spare_pop(ex);
		ovf->next = list;
		list = ovf;
	}
	sysring_cq_unlock(ex);
	sysring_ovf_free_list(ex, list);
}

void sysring_cq_free(struct sysring_exec *ex)
{
	sysring_ovf_free_list(ex, ex->ovf_head);
	sysring_ovf_free_list(ex, ex->ovf_spare);
	ex->ovf_head = NULL;
	ex->ovf_last = NULL;
	ex->ovf_spare = NULL;
	ex->nr_ovf = 0;
	ex->nr_spare = 0;
}
