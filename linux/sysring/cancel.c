// SPDX-License-Identifier: GPL-2.0
/*
 * Cancel requests (SYSRING_REGISTER_CANCEL): which blocks of asynchronous
 * chains a request reaches.  Shared, like submit.c, with the userspace
 * backend; each environment walks its own queue and running chains under
 * its own lock and calls these.
 *
 * A request only marks blocks (sysring_chain_ent.canceled).  Whoever owns
 * a chain - the worker running it, or the canceler that took it off the
 * queue - completes every one of its blocks exactly once, and the mark
 * only decides how a block completes: one not started does not run and
 * completes as canceled, one running is stopped by the interpreter's stop
 * check (sysring_vm_canceled()) or by the interrupted system call.
 */
#include "vm.h"

int sysring_cancel_check(const struct sysring_cancel_reg *reg)
{
	if (reg->flags & ~SYSRING_CANCEL_FLAGS ||
	    !mem_is_zero(reg->__resv, sizeof(reg->__resv)))
		return -EINVAL;
	return 0;
}

static bool sysring_cancel_match(const struct sysring_chain_ent *ent,
				 const struct sysring_cancel_reg *reg)
{
	/* An invalid block never runs, and one already canceled is done. */
	if (ent->err || ent->canceled)
		return false;
	return (reg->flags & SYSRING_CANCEL_ANY) ||
	       ent->sqe.user_data == reg->user_data;
}

bool sysring_cancel_ent(struct sysring_chain_ent *ent,
			const struct sysring_cancel_reg *reg)
{
	if (!sysring_cancel_match(ent, reg))
		return false;
	/* The thread running it may be reading it now (sysring_run_ent()). */
	WRITE_ONCE(ent->canceled, 1);
	return true;
}

u32 sysring_cancel_work(struct sysring_work *work, u32 from,
			const struct sysring_cancel_reg *reg, u32 max)
{
	u32 i, n = 0;

	for (i = from; i < work->nr && n < max; i++)
		n += sysring_cancel_ent(&work->ents[i], reg);
	return n;
}

/* The rule of sysring_run_ent(), without running anything. */
bool sysring_work_runs_nothing(const struct sysring_work *work)
{
	bool failed = false;
	u32 i;

	for (i = 0; i < work->nr; i++) {
		const struct sysring_chain_ent *ent = &work->ents[i];

		if (!failed && !ent->err && !ent->canceled)
			return false;
		if (!(ent->sqe.flags & SYSRING_SQE_HARDLINK))
			failed = true;
	}
	return true;
}

/* Take the chain *@pp points at off the queue whose tail is *@tail. */
static void sysring_queue_cut(struct sysring_work **pp,
			      struct sysring_work ***tail)
{
	struct sysring_work *work = *pp;

	*pp = work->next;
	if (*tail == &work->next)
		*tail = pp;
	work->next = NULL;
}

bool sysring_queue_remove(struct sysring_work **head,
			  struct sysring_work ***tail,
			  struct sysring_work *work)
{
	struct sysring_work **pp;

	for (pp = head; *pp; pp = &(*pp)->next) {
		if (*pp == work) {
			sysring_queue_cut(pp, tail);
			return true;
		}
	}
	return false;
}

u32 sysring_cancel_queued(struct sysring_work **head,
			  struct sysring_work ***tail,
			  const struct sysring_cancel_reg *reg, u32 max,
			  struct sysring_work **done)
{
	struct sysring_work **pp = head, **dtail = done, *work;
	u32 n = 0, hit;

	while (*dtail)
		dtail = &(*dtail)->next;
	while ((work = *pp) && n < max) {
		hit = sysring_cancel_work(work, 0, reg, max - n);
		n += hit;
		if (!hit || !sysring_work_runs_nothing(work)) {
			pp = &work->next;
			continue;
		}
		/* Nothing left for a worker to run: the caller completes it. */
		sysring_queue_cut(pp, tail);
		*dtail = work;
		dtail = &work->next;
	}
	return n;
}
