// SPDX-License-Identifier: GPL-2.0
/*
 * sysring's SQPOLL thread: with SYSRING_SETUP_SQPOLL a thread of the process
 * that created the ring consumes the submission ring itself, so that
 * submitting a block takes no system call, in the image of io_uring's SQPOLL.
 *
 * The thread is a create_io_thread() thread of the creating task, like the
 * workers (wq.c): it shares the process's mm, files and credentials, and
 * carries the creator's seccomp filters as they were at setup.  It does what
 * sysring_enter(2) would do, through the same sysring_exec_submit() under
 * ctx->lock: inline chains run here, in the ring's inline register file, and
 * chains with SYSRING_SQE_ASYNC on their head go to the workers.  CQ
 * reservations and the overflow list are those of inline submission: a
 * chain refused at the overflow bound stays in the SQ until CQEs are
 * consumed.  The thread also moves the overflow list into the CQ as
 * userspace consumes CQEs, as sysring_enter(2) would, so that a program
 * that reaps without system calls gets those completions too.
 *
 * Polling: after sq_thread_idle milliseconds in which it could submit
 * nothing, the thread sets SYSRING_SQ_NEED_WAKEUP in the SQ ring's flags and
 * sleeps; sysring_enter(2) wakes it (SYSRING_ENTER_SQ_WAKEUP, and the waits
 * for SQ space or completions, which could otherwise wait for it forever).
 *
 * Lifetime: the thread holds a reference on the ring.  Release marks the
 * ring dying and interrupts the thread as it interrupts the workers
 * (sysring_sqpoll_kick()); the thread then exits and drops its reference.  A
 * fatal signal (exit, exec, kill) ends it like any io thread; after that
 * nothing consumes the SQ and sysring_enter(2) fails with -EOWNERDEAD.
 *
 * Cancel requests find the block the thread runs (sysring_sqpoll_step()),
 * and interrupt it as they interrupt a worker's.
 */
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/wait.h>

#include "core.h"

void sysring_sqpoll_init(struct sysring_ctx *ctx)
{
	struct sysring_sqpoll *sq = &ctx->sq;

	init_waitqueue_head(&sq->wait);
	init_waitqueue_head(&sq->space);
	sq->idle = msecs_to_jiffies(ctx->ex.sq_thread_idle);
}

/*
 * Whether completions wait on the overflow list and userspace has consumed
 * CQEs since the last flush: nr_ovf is read without cq_lock, as poll(2)
 * does, to take the lock only when a flush may move something.
 */
static bool sysring_sqpoll_may_flush(struct sysring_ctx *ctx)
{
	return READ_ONCE(ctx->ex.nr_ovf) &&
	       READ_ONCE(ctx->ex.rings->cq_head) != ctx->sq.flush_cq_head;
}

/* Move overflowed completions into the room userspace has made. */
static bool sysring_sqpoll_flush(struct sysring_ctx *ctx)
{
	if (!sysring_sqpoll_may_flush(ctx))
		return false;
	/* Before the flush: CQEs consumed during it call for another. */
	ctx->sq.flush_cq_head = READ_ONCE(ctx->ex.rings->cq_head);
	sysring_ctx_flush(ctx);
	return true;
}

/*
 * Whether a submission could take something: entries are queued and it did
 * not just fail on them, or it did but CQEs were consumed since.  Only the
 * thread writes cached_sq_head and the stall state.
 */
static bool sysring_sqpoll_may_submit(struct sysring_ctx *ctx)
{
	struct sysring_exec *ex = &ctx->ex;
	struct sysring_sqpoll *sq = &ctx->sq;

	if (READ_ONCE(ex->rings->sq_tail) == ex->cached_sq_head)
		return false;
	return !sq->stalled ||
	       READ_ONCE(ex->rings->cq_head) != sq->stall_cq_head;
}

static bool sysring_sqpoll_has_work(struct sysring_ctx *ctx)
{
	return sysring_sqpoll_may_submit(ctx) || sysring_sqpoll_may_flush(ctx);
}

/*
 * Submit what is queued.  Nothing taken (the overflow bound reached, no
 * memory, or an asynchronous chain that could not be handed off) stalls
 * the thread on those entries until CQEs are consumed or it is woken,
 * rather than retrying in a loop.
 *
 * Return: the number of SQEs consumed.
 */
static int sysring_sqpoll_submit(struct sysring_ctx *ctx)
{
	struct sysring_exec *ex = &ctx->ex;
	struct sysring_sqpoll *sq = &ctx->sq;
	u32 cq_head;
	int ret;

	if (!sysring_sqpoll_may_submit(ctx))
		return 0;
	/* Before the submission: a CQE consumed during it ends the stall. */
	cq_head = READ_ONCE(ex->rings->cq_head);
	/* Interrupted: released or killed, which the thread's loop sees. */
	if (mutex_lock_interruptible(&ctx->lock))
		return 0;
	ret = sysring_exec_submit(ex, ex->sq_entries);
	mutex_unlock(&ctx->lock);

	sq->stalled = ret <= 0;
	if (sq->stalled) {
		sq->stall_cq_head = cq_head;
		return 0;
	}
	/* Pairs with the barrier of the waiter's prepare_to_wait(). */
	if (wq_has_sleeper(&sq->space))
		wake_up_all(&sq->space);
	return ret;
}

/* Set SYSRING_SQ_NEED_WAKEUP and sleep until woken, unless work came. */
static void sysring_sqpoll_sleep(struct sysring_ctx *ctx)
{
	struct sysring_sqpoll *sq = &ctx->sq;
	atomic_t *flags = &ctx->ex.rings->sq_flags;
	DEFINE_WAIT(wait);

	prepare_to_wait(&sq->wait, &wait, TASK_INTERRUPTIBLE);
	atomic_or(SYSRING_SQ_NEED_WAKEUP, flags);
	/*
	 * The full barrier of io_uring's IORING_SQ_NEED_WAKEUP protocol: the
	 * flag is visible before sq_tail is read again, as userspace makes
	 * its new sq_tail visible before it reads the flag (a full barrier
	 * between the two, see sysring.rst).  So either the check below sees
	 * the new entries, or userspace sees the flag and wakes us.
	 */
	smp_mb__after_atomic();
	if (!sysring_sqpoll_has_work(ctx) && !READ_ONCE(ctx->wq.dying))
		schedule();
	finish_wait(&sq->wait, &wait);
	atomic_andnot(SYSRING_SQ_NEED_WAKEUP, flags);
	/* Woken: CQEs may have been consumed before; try the SQ again. */
	sq->stalled = false;
}

/* Leave: nothing will consume the SQ after this. */
static void __noreturn sysring_sqpoll_exit(struct sysring_ctx *ctx,
					   bool killed)
{
	struct sysring_sqpoll *sq = &ctx->sq;

	spin_lock(&ctx->wq.lock);
	WRITE_ONCE(sq->task, NULL);
	spin_unlock(&ctx->wq.lock);
	/*
	 * Killed, while a process that shares the ring may go on: the flag
	 * makes it enter, which fails with -EOWNERDEAD.
	 */
	if (killed)
		atomic_or(SYSRING_SQ_NEED_WAKEUP, &ctx->ex.rings->sq_flags);
	wake_up_all(&sq->space);
	sysring_ctx_put(ctx);
	do_exit(0);
}

static int sysring_sqpoll_fn(void *data)
{
	struct sysring_ctx *ctx = data;
	struct sysring_sqpoll *sq = &ctx->sq;
	unsigned long timeout;
	bool killed, busy;

	timeout = jiffies + sq->idle;
	for (;;) {
		sysring_io_thread_work();
		killed = sysring_io_thread_killed();
		if (killed || READ_ONCE(ctx->wq.dying))
			break;
		/* Flush first: the room it leaves may take a stalled chain. */
		busy = sysring_sqpoll_flush(ctx);
		if (sysring_sqpoll_submit(ctx))
			busy = true;
		if (busy) {
			timeout = jiffies + sq->idle;
		} else if (time_after(jiffies, timeout)) {
			sysring_sqpoll_sleep(ctx);
			timeout = jiffies + sq->idle;
			continue;
		}
		/* Polling: give the CPU away when someone else wants it. */
		cond_resched();
	}
	sysring_sqpoll_exit(ctx, killed);
}

/*
 * From sysring_setup(2), once the ring's file exists: a failure here is
 * undone by the file's release.
 */
int sysring_sqpoll_start(struct sysring_ctx *ctx)
{
	struct sysring_sqpoll *sq = &ctx->sq;
	char name[TASK_COMM_LEN];
	struct task_struct *tsk;

	refcount_inc(&ctx->refs);
	tsk = create_io_thread(sysring_sqpoll_fn, ctx, NUMA_NO_NODE);
	if (IS_ERR(tsk)) {
		/* The file's reference keeps the ring: not the last one. */
		refcount_dec(&ctx->refs);
		return PTR_ERR(tsk);
	}
	/* Named before it runs: fdinfo may show it at once. */
	snprintf(name, sizeof(name), "sysring-sqp-%d", task_tgid_vnr(current));
	set_task_comm(tsk, name);
	sq->pid = task_pid_vnr(tsk);
	/* Set before it runs, so that release can always reach it. */
	spin_lock(&ctx->wq.lock);
	WRITE_ONCE(sq->task, tsk);
	spin_unlock(&ctx->wq.lock);
	wake_up_new_task(tsk);
	return 0;
}

/*
 * The ring is being released (wq.dying set, wq.lock held): interrupt the
 * thread wherever it is - polling, asleep, waiting for ctx->lock or running
 * a block - as sysring_wq_shutdown() interrupts the workers.
 */
void sysring_sqpoll_kick(struct sysring_ctx *ctx)
	__must_hold(&ctx->wq.lock)
{
	struct task_struct *tsk = ctx->sq.task;

	if (tsk) {
		__set_notify_signal(tsk);
		wake_up_process(tsk);
	}
}

static bool sysring_sq_has_space(struct sysring_ctx *ctx)
{
	struct sysring_exec *ex = &ctx->ex;

	/* A garbage sq_tail only makes the SQ look full. */
	return READ_ONCE(ex->rings->sq_tail) - READ_ONCE(ex->cached_sq_head) <
	       ex->sq_entries;
}

/*
 * sysring_enter(2) on an SQPOLL ring: the thread submits, not the caller.
 * Wake it if it sleeps, on any call: on request, and before the waits
 * that could otherwise wait for it forever, for SQ space and for
 * completions of entries the overflow bound held back.
 *
 * Return: @to_submit, as io_uring's enter returns for SQPOLL; -EOWNERDEAD
 * when the thread is gone; -EINTR when a signal ended the wait for space.
 */
long sysring_sqpoll_enter(struct sysring_ctx *ctx, u32 to_submit, u32 flags)
{
	struct sysring_sqpoll *sq = &ctx->sq;

	if (!READ_ONCE(sq->task))
		return -EOWNERDEAD;
	/* Pairs with the barrier of prepare_to_wait() in the thread. */
	if (wq_has_sleeper(&sq->wait))
		wake_up(&sq->wait);
	if (flags & SYSRING_ENTER_SQ_WAIT) {
		if (wait_event_interruptible(sq->space,
					     sysring_sq_has_space(ctx) ||
					     !READ_ONCE(sq->task)))
			return -EINTR;
		if (!READ_ONCE(sq->task))
			return -EOWNERDEAD;
	}
	return to_submit;
}

/*
 * sysring_exec_ops.inline_step: the SQPOLL thread is about to run @ent, or
 * is done with it (NULL).  Publish it for cancel requests, and drop an
 * interruption a request sent for an earlier block, as the workers'
 * sysring_wq_work_step() does.  Inline blocks of sysring_enter(2) are not
 * published: a request never interrupts a task in its own system call.
 */
void sysring_sqpoll_step(struct sysring_exec *ex, struct sysring_chain_ent *ent)
{
	struct sysring_ctx *ctx = sysring_ex_ctx(ex);

	if (READ_ONCE(ctx->sq.task) != current)
		return;
	spin_lock(&ctx->wq.lock);
	ctx->sq.ent = ent;
	if (!ctx->wq.dying && test_thread_flag(TIF_NOTIFY_SIGNAL))
		clear_notify_signal();
	spin_unlock(&ctx->wq.lock);
}

/*
 * A cancel request (wq.lock held): mark the block the thread runs if @reg
 * matches it, and interrupt a system call it sleeps in.
 *
 * Return: the number of blocks marked, 0 or 1.
 */
u32 sysring_sqpoll_cancel(struct sysring_ctx *ctx,
			  const struct sysring_cancel_reg *reg)
	__must_hold(&ctx->wq.lock)
{
	struct sysring_chain_ent *ent = ctx->sq.ent;

	if (!ent || !sysring_cancel_ent(ent, reg))
		return 0;
	set_notify_signal(ctx->sq.task);
	return 1;
}

/* For fdinfo: the thread's pid, or -1 when there is none (any more). */
pid_t sysring_sqpoll_pid(struct sysring_ctx *ctx)
{
	pid_t pid = -1;

	spin_lock(&ctx->wq.lock);
	if (ctx->sq.task)
		pid = ctx->sq.pid;
	spin_unlock(&ctx->wq.lock);
	return pid;
}
