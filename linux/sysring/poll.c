// SPDX-License-Identifier: GPL-2.0
/*
 * WAIT armed at submission.  A chain handed to the workers runs a moment
 * after sysring_enter(2) returns, so a WAIT at its head would miss an
 * event that came and went in between: a pipe written and read back at
 * once, say.  io_uring's POLL_ADD arms when it is submitted and so sees
 * it.  When the head block starts with a WAIT whose descriptor and
 * timeout come from the SQE's registers, submission does the same: it
 * queues an entry on the file's wait queue that latches each wake-up
 * matching the events, and the WAIT, on its worker, takes the latch
 * before it waits.  Its result is then the events of the wake-up, as
 * io_uring's poll reports them, even if the file is no longer ready.
 *
 * One wait queue per file is handled; a file that polls on two (as a tty
 * does) is not armed, and its WAIT polls as usual.  So is one that goes
 * away under the entry (POLLFREE).
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "core.h"

/* Latch bits beside the events: what a wake-up without a key left. */
#define SYSRING_ARM_REPOLL	BIT(16)	/* woken without events: poll again */
#define SYSRING_ARM_GONE	BIT(17)	/* POLLFREE: the wait queue is gone */

/* vfs_poll()'s table while arming, as io_uring's io_poll_table. */
struct sysring_arm_table {
	poll_table			pt;
	struct sysring_wait_arm		*arm;
	bool				multi;	/* a second wait queue was offered */
};

/*
 * The file's wake-up, under its wait queue's lock, in any context.  The
 * latch is set before the WAIT is woken; wq_has_sleeper()'s barrier pairs
 * with the one prepare_to_wait() sets the task state with, so a WAIT
 * either sees the latch or is woken.
 */
static int sysring_arm_wake(struct wait_queue_entry *wait, unsigned int mode,
			    int sync, void *key)
{
	struct sysring_wait_arm *arm = container_of(wait, struct sysring_wait_arm,
						    wait);
	__poll_t mask = key_to_poll(key);
	int bits;

	if (mask & POLLFREE) {
		atomic_or(SYSRING_ARM_GONE, &arm->latch);
		list_del_init(&wait->entry);
		/*
		 * The queue is freed after an RCU grace period; pairs with
		 * the acquire in sysring_arm_free(), which then leaves it be.
		 */
		smp_store_release(&arm->head, NULL);
	} else if (!mask) {
		atomic_or(SYSRING_ARM_REPOLL, &arm->latch);
	} else if (mask & arm->key) {
		bits = (__force int)(mask & arm->key);
		atomic_or(bits, &arm->latch);
	} else {
		return 0;
	}
	if (wq_has_sleeper(&arm->wake))
		wake_up(&arm->wake);
	return 0;
}

static void sysring_arm_queue(struct file *file, wait_queue_head_t *head,
			      poll_table *pt)
{
	struct sysring_arm_table *t = container_of(pt, struct sysring_arm_table,
						   pt);
	struct sysring_wait_arm *arm = t->arm;

	if (arm->head) {
		t->multi = true;
		return;
	}
	arm->head = head;
	add_wait_queue(head, &arm->wait);
}

/**
 * sysring_arm_file - start latching @file's wake-ups for @key
 * @file: the file, referenced by the caller; the arm takes its own
 * @key: poll events, with EPOLLERR and EPOLLHUP
 *
 * Events ready now are latched at once.
 *
 * Return: the arm, or NULL (no memory, or the file polls on more than one
 * wait queue).
 */
struct sysring_wait_arm *sysring_arm_file(struct file *file, __poll_t key)
{
	struct sysring_arm_table t = { .multi = false };
	struct sysring_wait_arm *arm;
	__poll_t mask;

	arm = kmalloc(sizeof(*arm), GFP_KERNEL_ACCOUNT);
	if (!arm)
		return NULL;
	arm->file = get_file(file);
	arm->key = key;
	arm->head = NULL;
	atomic_set(&arm->latch, 0);
	init_waitqueue_head(&arm->wake);
	init_waitqueue_func_entry(&arm->wait, sysring_arm_wake);
	init_poll_funcptr(&t.pt, sysring_arm_queue);
	t.pt._key = key;
	t.arm = arm;

	mask = vfs_poll(file, &t.pt) & key;
	if (t.multi) {
		sysring_arm_free(arm);
		return NULL;
	}
	if (mask)
		atomic_or((__force int)mask, &arm->latch);
	return arm;
}

/* Take @arm off its file's wait queue, unless POLLFREE took it already. */
void sysring_arm_free(struct sysring_wait_arm *arm)
{
	wait_queue_head_t *head;

	if (!arm)
		return;
	rcu_read_lock();
	/*
	 * Pairs with the release in sysring_arm_wake(): NULL, the queue may
	 * be on its way out (as in io_poll_remove_entry()); not NULL, it
	 * lives until the RCU read section ends.
	 */
	head = smp_load_acquire(&arm->head);
	if (head) {
		spin_lock_irq(&head->lock);
		list_del_init(&arm->wait.entry);
		spin_unlock_irq(&head->lock);
	}
	rcu_read_unlock();
	fput(arm->file);
	kfree(arm);
}

/*
 * The events latched so far, taken; a wake-up without a key is resolved
 * by polling the file.  -ENOENT when the wait queue went away.
 */
static long sysring_arm_take(struct sysring_wait_arm *arm)
{
	int latch = atomic_xchg(&arm->latch, 0);
	__poll_t mask;

	if (latch & SYSRING_ARM_GONE)
		return -ENOENT;
	mask = (__force __poll_t)latch & arm->key;
	if (!mask && (latch & SYSRING_ARM_REPOLL))
		mask = vfs_poll(arm->file, NULL) & arm->key;
	return (__force u32)mask;
}

/**
 * sysring_arm_wait - WAIT on an armed file
 * @arm: the arm
 * @expire: when the wait's timeout passes (absolute, CLOCK_MONOTONIC)
 * @look: only take what is latched, do not sleep
 *
 * Return: the latched events (never 0), 0 when the timeout passed first,
 * -EINTR when a signal is pending, -ENOENT when the file's wait queue went
 * away (the caller polls the file instead).
 */
long sysring_arm_wait(struct sysring_wait_arm *arm, ktime_t expire, bool look)
{
	bool timed_out = look;
	DEFINE_WAIT(wait);
	long ret;

	for (;;) {
		ret = sysring_arm_take(arm);
		if (ret || timed_out)
			break;
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		prepare_to_wait(&arm->wake, &wait, TASK_INTERRUPTIBLE);
		if (!atomic_read(&arm->latch))
			timed_out = !schedule_hrtimeout_range(&expire,
						current->timer_slack_ns,
						HRTIMER_MODE_ABS);
		finish_wait(&arm->wake, &wait);
	}
	return ret;
}

/* r[@reg] of @sqe's block before it runs, when it heads a chain. */
static u64 sysring_sqe_reg(const struct sysring_sqe *sqe, u32 reg)
{
	if (reg < sqe->reg_base || reg >= sqe->reg_base + sqe->nregs)
		return 0;
	return sqe->regs[reg - sqe->reg_base];
}

/**
 * sysring_arm_target - whether the head entry @ent starts with an armable WAIT
 * @ent: prepared (sysring_ent_prepare()) and valid
 * @fd: out: the WAIT's descriptor
 * @key: out: its events, with EPOLLERR and EPOLLHUP
 *
 * Its operands must be known before it runs: the head of a chain starts
 * with every register zero but the SQE's.  A zero timeout only looks, and
 * an operand the WAIT refuses is left to it.
 */
bool sysring_arm_target(const struct sysring_chain_ent *ent, u32 *fd,
			__poll_t *key)
{
	const struct sysring_sqe *sqe = &ent->sqe;
	const struct sysring_insn *insn;
	u64 r_fd, r_timeout;

	if (ent->err)
		return false;
	if (ent->prog)
		insn = &ent->prog->insns[0];
	else if (sqe->ninsns)
		insn = &sqe->insns[0];
	else
		return false;
	if (insn->code != SYSRING_OP_WAIT)
		return false;
	r_fd = sysring_sqe_reg(sqe, insn->src);
	r_timeout = sysring_sqe_reg(sqe, insn->src + 1);
	if (r_fd > INT_MAX || !r_timeout || r_timeout > SYSRING_TIMEOUT_MAX_NS)
		return false;
	*fd = r_fd;
	*key = (__force __poll_t)insn->imm | EPOLLERR | EPOLLHUP;
	return true;
}

/* sysring_exec_ops.work_arm, in the submitter's context. */
void sysring_work_arm(struct sysring_exec *ex, struct sysring_work *work)
{
	__poll_t key;
	u32 fd;

	if (!sysring_arm_target(&work->ents[0], &fd, &key))
		return;
	CLASS(fd, f)(fd);
	/*
	 * Not a ring: the arm holds its file, and a ring holding itself
	 * through its own queued chain would outlive its last close.
	 */
	if (fd_empty(f) || fd_file(f)->f_op == &sysring_fops)
		return;
	work->arm = sysring_arm_file(fd_file(f), key);
}
