// SPDX-License-Identifier: GPL-2.0
/*
 * sysring's worker pool: where chains submitted with SYSRING_SQE_ASYNC on
 * their head run, in the image of io_uring's io-wq.
 *
 * Workers are create_io_thread() threads of the process that owns the ring:
 * they share its mm, files and credentials, so a block's system calls act
 * as the submitter's would.  One is created when a chain is queued and no
 * worker is idle, up to the ring's limit; an idle one parks on its ring and
 * exits after SYSRING_WORKER_IDLE.  Each runs one chain at a time in its
 * own register file, so a block sleeping in a system call stalls neither
 * the other chains nor the submitter.
 *
 * Lifetime: each worker holds a reference on the ring.  When the ring's
 * file is released the ring is marked dying, work that has not started is
 * dropped, and every worker is woken and interrupted: a notify signal makes
 * an interruptible sleep in a system call return, as io-wq's cancellation
 * does.  The workers then exit and the last reference frees the ring.  A
 * fatal signal (exit or exec of the process) kills the workers as it kills
 * any io thread; the last one to go completes whatever is still queued as
 * canceled.
 *
 * Cancel requests (sysring_wq_cancel()) mark blocks by user_data.  Chains
 * that then run nothing are taken off the queue and completed at once; a
 * marked block that is running is interrupted the same way as on release.
 */
#include <linux/resume_user_mode.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>

#include "core.h"

#define SYSRING_WORKER_IDLE	(5 * HZ)

struct sysring_worker {
	struct list_head	node;		/* wq->workers */
	struct list_head	idle_node;	/* wq->idle while parked */
	struct task_struct	*task;
	struct sysring_ctx	*ctx;
	struct sysring_work	*work;		/* the chain it runs (wq->lock) */
	pid_t			owner_pid;	/* for the thread's name */
	struct sysring_vm	vm;		/* this worker's register file */
};

void sysring_wq_init(struct sysring_ctx *ctx)
{
	struct sysring_wq *wq = &ctx->wq;

	spin_lock_init(&wq->lock);
	wq->head = NULL;
	wq->tail = &wq->head;
	INIT_LIST_HEAD(&wq->workers);
	INIT_LIST_HEAD(&wq->idle);
	wq->max_workers = ctx->ex.max_workers ?:
		sysring_default_workers(ctx->ex.sq_entries, num_online_cpus());
	ctx->ex.max_workers = wq->max_workers;
	wq->owner = get_task_pid(current, PIDTYPE_TGID);
}

/* Take every queued chain off the queue; wq->lock held. */
static struct sysring_work *sysring_wq_take_all(struct sysring_wq *wq)
{
	struct sysring_work *list = wq->head;

	wq->head = NULL;
	wq->tail = &wq->head;
	return list;
}

static struct sysring_work *sysring_wq_dequeue(struct sysring_wq *wq)
{
	struct sysring_work *work = wq->head;

	if (work) {
		wq->head = work->next;
		if (!wq->head)
			wq->tail = &wq->head;
		work->next = NULL;
	}
	return work;
}

/*
 * What returning to user mode would do for an ordinary thread: an io
 * thread never returns there, so run its task work (a deferred fput() of a
 * file a block closed) and clear the notify signal here, as io-wq does.
 * For the workers and the SQPOLL thread (sqpoll.c).
 */
void sysring_io_thread_work(void)
{
	if (test_thread_flag(TIF_NOTIFY_SIGNAL))
		clear_notify_signal();
	if (test_thread_flag(TIF_NOTIFY_RESUME)) {
		__set_current_state(TASK_RUNNING);
		resume_user_mode_work(NULL);
	}
	if (task_work_pending(current)) {
		__set_current_state(TASK_RUNNING);
		task_work_run();
	}
}

/* True when the io thread must exit: a fatal signal. */
bool sysring_io_thread_killed(void)
{
	struct ksignal ksig;

	if (!signal_pending(current))
		return false;
	__set_current_state(TASK_RUNNING);
	sysring_io_thread_work();
	if (!signal_pending(current))
		return false;
	/* Io threads block every signal but SIGKILL and SIGSTOP. */
	return get_signal(&ksig);
}

/* Complete the chains of @list, which no worker will run, as canceled. */
static void sysring_wq_cancel_list(struct sysring_ctx *ctx,
				   struct sysring_vm *vm,
				   struct sysring_work *list)
{
	struct sysring_work *work;

	while ((work = list)) {
		list = work->next;
		sysring_work_cancel(&ctx->ex, vm, work);
	}
}

/*
 * Leave the pool and exit; wq->lock held, so that the decision to go and
 * the count the queuers see are one step.
 */
static void __noreturn sysring_worker_exit(struct sysring_worker *worker,
					   bool killed)
	__releases(&worker->ctx->wq.lock)
{
	struct sysring_ctx *ctx = worker->ctx;
	struct sysring_wq *wq = &ctx->wq;
	struct sysring_work *orphans = NULL;
	struct sysring_worker *idle;

	list_del(&worker->node);
	list_del_init(&worker->idle_node);
	wq->nr_workers--;
	if (!wq->nr_workers) {
		/* Nobody is left to run them: complete them, lose nothing. */
		if (killed && !wq->dying)
			orphans = sysring_wq_take_all(wq);
	} else if (wq->head) {
		/* Leaving for the limit with work queued: hand it on. */
		idle = list_first_entry_or_null(&wq->idle,
						struct sysring_worker,
						idle_node);
		if (idle) {
			list_del_init(&idle->idle_node);
			wake_up_process(idle->task);
		}
	}
	spin_unlock(&wq->lock);

	sysring_wq_cancel_list(ctx, &worker->vm, orphans);
	kvfree(worker);
	sysring_ctx_put(ctx);
	do_exit(0);
}

static int sysring_worker_fn(void *data)
{
	struct sysring_worker *worker = data;
	struct sysring_ctx *ctx = worker->ctx;
	struct sysring_wq *wq = &ctx->wq;
	char name[TASK_COMM_LEN];
	bool timed_out = false;
	long left;

	snprintf(name, sizeof(name), "sysring-wrk-%d", worker->owner_pid);
	set_task_comm(current, name);

	for (;;) {
		struct sysring_work *work;
		bool killed;

		sysring_io_thread_work();
		killed = sysring_io_thread_killed();

		spin_lock(&wq->lock);
		/* Killed, dying, or the limit was lowered under us. */
		if (killed || wq->dying || wq->nr_workers > wq->max_workers)
			sysring_worker_exit(worker, killed);
		work = sysring_wq_dequeue(wq);
		if (work) {
			/* From here on a cancel request finds it here. */
			worker->work = work;
			spin_unlock(&wq->lock);
			timed_out = false;
			sysring_work_run(&ctx->ex, &worker->vm, work);
			spin_lock(&wq->lock);
			worker->work = NULL;
			spin_unlock(&wq->lock);
			sysring_work_free(&ctx->ex, work);
			cond_resched();
			continue;
		}
		if (timed_out)
			sysring_worker_exit(worker, false);
		/*
		 * Park.  The state is set under the lock, so a queuer that
		 * takes us off the idle list and wakes us cannot be missed.
		 */
		list_add(&worker->idle_node, &wq->idle);
		set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock(&wq->lock);
		left = schedule_timeout(SYSRING_WORKER_IDLE);
		spin_lock(&wq->lock);
		list_del_init(&worker->idle_node);
		spin_unlock(&wq->lock);
		timed_out = !left;
	}
	return 0;
}

static int sysring_worker_create(struct sysring_ctx *ctx)
{
	struct sysring_worker *worker;
	struct task_struct *tsk;

	worker = kvzalloc(sizeof(*worker), GFP_KERNEL_ACCOUNT);
	if (!worker)
		return -ENOMEM;
	INIT_LIST_HEAD(&worker->idle_node);
	worker->ctx = ctx;
	worker->vm.env = ctx;
	/* The process, not the thread: the SQPOLL thread queues chains too. */
	worker->owner_pid = task_tgid_vnr(current);
	refcount_inc(&ctx->refs);

	tsk = create_io_thread(sysring_worker_fn, worker, NUMA_NO_NODE);
	if (IS_ERR(tsk)) {
		/* The file's reference keeps the ring: not the last one. */
		refcount_dec(&ctx->refs);
		kvfree(worker);
		return PTR_ERR(tsk);
	}
	worker->task = tsk;
	/* Listed before it runs, so that release can always reach it. */
	spin_lock(&ctx->wq.lock);
	list_add(&worker->node, &ctx->wq.workers);
	spin_unlock(&ctx->wq.lock);
	wake_up_new_task(tsk);
	return 0;
}

/*
 * Queue a chain (from sysring_exec_submit(), in the submitter, ctx->lock
 * held): wake an idle worker, or create one below the limit.  A chain
 * is refused only when no worker exists and none could be created.
 */
static int sysring_wq_queue(struct sysring_exec *ex, struct sysring_work *work)
{
	struct sysring_ctx *ctx = sysring_ex_ctx(ex);
	struct sysring_wq *wq = &ctx->wq;
	struct sysring_worker *idle;
	bool create = false;
	int ret;

	/* Workers join the owner's thread group, with its mm and files. */
	if (task_tgid(current) != wq->owner)
		return -EPERM;

	spin_lock(&wq->lock);
	/*
	 * Only the SQPOLL thread can get here after release (a submitter
	 * holds the file): nobody would run or free the chain.
	 */
	if (wq->dying) {
		spin_unlock(&wq->lock);
		return -ECANCELED;
	}
	*wq->tail = work;
	wq->tail = &work->next;
	idle = list_first_entry_or_null(&wq->idle, struct sysring_worker,
					idle_node);
	if (idle) {
		list_del_init(&idle->idle_node);
		wake_up_process(idle->task);
	} else if (wq->nr_workers < wq->max_workers) {
		wq->nr_workers++;
		create = true;
	}
	spin_unlock(&wq->lock);
	if (!create)
		return 0;

	ret = sysring_worker_create(ctx);
	if (!ret)
		return 0;
	spin_lock(&wq->lock);
	wq->nr_workers--;
	/*
	 * With no worker at all, no worker took @work: take it back.
	 * Otherwise a worker will run it.  A cancel request may have taken
	 * and completed it meanwhile: then it was accepted.  Chains queued
	 * before it stay: a worker killed while the one for @work was being
	 * created left them (sysring_worker_exit() saw that one coming), and
	 * the next worker, or the release of the ring, takes them.  In a
	 * process being killed there is no next worker, and a chain's armed
	 * WAIT may hold a file that holds the ring: complete them now, as the
	 * last killed worker does.
	 */
	if (!wq->nr_workers) {
		bool taken = sysring_queue_remove(&wq->head, &wq->tail, work);
		struct sysring_work *orphans = NULL;

		if (fatal_signal_pending(current))
			orphans = sysring_wq_take_all(wq);
		spin_unlock(&wq->lock);
		sysring_wq_cancel_list(ctx, ex->vm, orphans);
		if (!taken)
			return 0;
		return ret == -ENOMEM ? ret : -EAGAIN;
	}
	spin_unlock(&wq->lock);
	return 0;
}

/* The ring's file is released: stop everything, drop what did not start. */
void sysring_wq_shutdown(struct sysring_ctx *ctx)
{
	struct sysring_wq *wq = &ctx->wq;
	struct sysring_worker *worker;
	struct sysring_work *list, *work;

	spin_lock(&wq->lock);
	WRITE_ONCE(wq->dying, true);
	list = sysring_wq_take_all(wq);
	/* A worker leaves the list under the lock before it exits. */
	list_for_each_entry(worker, &wq->workers, node) {
		__set_notify_signal(worker->task);
		wake_up_process(worker->task);
	}
	sysring_sqpoll_kick(ctx);
	spin_unlock(&wq->lock);

	while ((work = list)) {
		list = work->next;
		sysring_work_free(&ctx->ex, work);
	}
}

/*
 * Mark what @reg matches in the chain @worker runs, from the entry it is
 * at; wq->lock held.  When that entry is newly marked, interrupt the
 * worker: the notify signal makes an interruptible sleep in a system call
 * return, as io-wq's cancellation does.  The worker clears the signal
 * under wq->lock when it moves to its next entry (sysring_wq_work_step()),
 * so it can only ever interrupt the block it was meant for.
 */
static u32 sysring_wq_cancel_running(struct sysring_worker *worker,
				     const struct sysring_cancel_reg *reg,
				     u32 max)
{
	struct sysring_work *work = worker->work;
	bool was;
	u32 n;

	if (!work || work->cur >= work->nr)
		return 0;
	was = work->ents[work->cur].canceled;
	n = sysring_cancel_work(work, work->cur, reg, max);
	if (!was && work->ents[work->cur].canceled)
		set_notify_signal(worker->task);
	return n;
}

/*
 * SYSRING_REGISTER_CANCEL.  It runs without ctx->lock, so that an inline
 * block sleeping in a system call does not hold it up: the queue, which
 * chain each worker runs and work->cur are under wq->lock, posting under
 * cq_lock.  Inline blocks are never found: they are not queued, and run
 * in their submitter's own sysring_enter(2).  The block the SQPOLL thread
 * runs is, like a worker's (sysring_sqpoll_cancel()).
 *
 * Every block completes exactly once: a chain has one owner at a time -
 * the queue, the worker that dequeued it, or a canceler that took it off
 * the queue - ownership only changes under wq->lock, and only the owner
 * completes the chain's blocks.  A mark only decides how they complete.
 *
 * Return: the number of blocks marked, -ENOENT when none matched.
 */
int sysring_wq_cancel(struct sysring_ctx *ctx,
		      const struct sysring_cancel_reg *reg)
{
	u32 max = reg->flags & SYSRING_CANCEL_ALL ? U32_MAX : 1;
	struct sysring_work *done = NULL, *work;
	struct sysring_wq *wq = &ctx->wq;
	struct sysring_worker *worker;
	struct sysring_vm *vm;
	u32 n = 0;

	/* The register file for completing chains taken off the queue. */
	vm = kvzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	vm->env = ctx;

	spin_lock(&wq->lock);
	/* Running chains were queued before the queued ones: first match. */
	list_for_each_entry(worker, &wq->workers, node) {
		if (n >= max)
			break;
		n += sysring_wq_cancel_running(worker, reg, max - n);
	}
	if (n < max)
		n += sysring_sqpoll_cancel(ctx, reg);
	n += sysring_cancel_queued(&wq->head, &wq->tail, reg, max - n, &done);
	spin_unlock(&wq->lock);

	while ((work = done)) {
		done = work->next;
		sysring_work_cancel(&ctx->ex, vm, work);
	}
	kvfree(vm);
	return n ? n : -ENOENT;
}

int sysring_wq_set_max(struct sysring_ctx *ctx, u32 max)
{
	struct sysring_wq *wq = &ctx->wq;
	struct sysring_worker *worker, *next;
	u32 old;

	if (max > SYSRING_MAX_WORKERS)
		return -EINVAL;
	spin_lock(&wq->lock);
	old = wq->max_workers;
	if (max) {
		wq->max_workers = max;
		/* Idle workers past the new limit exit now, not in 5 s. */
		if (wq->nr_workers > max)
			list_for_each_entry_safe(worker, next, &wq->idle,
						 idle_node) {
				list_del_init(&worker->idle_node);
				wake_up_process(worker->task);
			}
	}
	spin_unlock(&wq->lock);
	return old;
}

static struct sysring_work *sysring_work_alloc(struct sysring_exec *ex, u32 nr)
{
	struct sysring_work *work;

	return kvmalloc(struct_size(work, ents, nr), GFP_KERNEL_ACCOUNT);
}

static void sysring_work_kfree(struct sysring_exec *ex,
			       struct sysring_work *work)
{
	sysring_arm_free(work->arm);
	kvfree(work);
}

static void sysring_cq_lock_k(struct sysring_exec *ex)
{
	spin_lock(&sysring_ex_ctx(ex)->cq_lock);
}

static void sysring_cq_unlock_k(struct sysring_exec *ex)
{
	spin_unlock(&sysring_ex_ctx(ex)->cq_lock);
}

/*
 * A worker moves to entry @i of its chain: see sysring_wq_cancel_running().
 * On release the notify signal must stay: it stops the rest of the chain.
 * A task work queued with TWA_SIGNAL still runs, between chains.
 */
static void sysring_wq_work_step(struct sysring_exec *ex,
				 struct sysring_work *work, u32 i)
{
	struct sysring_wq *wq = &sysring_ex_ctx(ex)->wq;

	spin_lock(&wq->lock);
	work->cur = i;
	if (!wq->dying && test_thread_flag(TIF_NOTIFY_SIGNAL))
		clear_notify_signal();
	spin_unlock(&wq->lock);
}

/*
 * Workers wake cq_wait after posting; their CQEs end the wait.  Any signal
 * ends it too (-EINTR): the DRAIN chain then stays queued for a retry.
 */
static int sysring_drain_k(struct sysring_exec *ex)
{
	struct sysring_ctx *ctx = sysring_ex_ctx(ex);

	if (wait_event_interruptible(ctx->cq_wait, !READ_ONCE(ex->cq_reserved)))
		return -EINTR;
	return 0;
}

const struct sysring_exec_ops sysring_kernel_ops = {
	.prog_get	= sysring_ctx_prog_get,
	.prog_put	= sysring_ctx_prog_put,
	.work_alloc	= sysring_work_alloc,
	.work_free	= sysring_work_kfree,
	.work_arm	= sysring_work_arm,
	.work_queue	= sysring_wq_queue,
	.cq_lock	= sysring_cq_lock_k,
	.cq_unlock	= sysring_cq_unlock_k,
	.cq_posted	= sysring_cq_notify,
	.drain		= sysring_drain_k,
	.work_step	= sysring_wq_work_step,
	.inline_step	= sysring_sqpoll_step,
};
