// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting for completions and being told of them: sysring_enter(2)'s wait
 * (with SYSRING_ENTER_EXT_ARG's timeout and signal mask), the wake-ups
 * after CQEs are posted, poll(2) on the ring, and the registered eventfd.
 */
#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "core.h"

/* CQEs userspace has not consumed; with a garbage cq_head, anything. */
static u32 sysring_cq_ready(struct sysring_ctx *ctx)
{
	/* Posters move the tail under cq_lock; a racy read only re-checks. */
	return READ_ONCE(ctx->ex.cached_cq_tail) -
	       READ_ONCE(ctx->ex.rings->cq_head);
}

/* Move what waits on the overflow list into the CQ, as far as it fits. */
void sysring_ctx_flush(struct sysring_ctx *ctx)
{
	while (sysring_cq_flush(&ctx->ex))
		cond_resched();
}

/*
 * The caller's signal mask for the wait, as set_user_sigmask() sets it,
 * from the copy read before anything was submitted.  On the way out,
 * restore_saved_sigmask_unless() puts the old one back, or, when a signal
 * ended the wait, leaves that to the return to user mode, after the
 * handler ran under the wait's mask (as ppoll(2)).
 */
static void sysring_set_sigmask(const struct sysring_wait_req *req)
{
	sigset_t mask;

	BUILD_BUG_ON(sizeof(mask) != SYSRING_SIGSET_SIZE);
	memcpy(&mask, &req->sigmask, sizeof(mask));
	set_restore_sigmask();
	current->saved_sigmask = current->blocked;
	set_current_blocked(&mask);
}

/*
 * Sleep until @min_complete CQEs (at most the CQ's size) are ready, a
 * signal is pending (-EINTR) or the timeout passes (-ETIME).  Before each
 * look the overflow list is flushed: userspace may have made room.  The
 * tail is published before cq_wait is woken (sysring_cq_notify()), and
 * prepare_to_wait() orders our state before the look, so a CQE posted
 * after the look wakes us.
 */
int sysring_cq_wait(struct sysring_ctx *ctx, u32 min_complete,
		    const struct sysring_wait_req *req)
{
	u32 want = min(min_complete, ctx->ex.cq_entries);
	bool timed_out = false;
	ktime_t expires = 0;
	DEFINE_WAIT(wait);
	int ret = 0;

	if (req->has_timeout)
		expires = ktime_add_safe(ktime_get(),
					 ns_to_ktime(min_t(u64, req->timeout_ns,
							   KTIME_MAX)));
	if (req->has_sigmask)
		sysring_set_sigmask(req);
	for (;;) {
		sysring_ctx_flush(ctx);
		prepare_to_wait(&ctx->cq_wait, &wait, TASK_INTERRUPTIBLE);
		if (sysring_cq_ready(ctx) >= want)
			break;
		if (timed_out) {
			ret = -ETIME;
			break;
		}
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (req->has_timeout)
			timed_out = !schedule_hrtimeout_range(&expires,
						current->timer_slack_ns,
						HRTIMER_MODE_ABS);
		else
			schedule();
	}
	finish_wait(&ctx->cq_wait, &wait);
	if (req->has_sigmask)
		restore_saved_sigmask_unless(ret == -EINTR);
	return ret;
}

static void sysring_eventfd_signal(struct sysring_ctx *ctx)
{
	struct eventfd_ctx *evfd;

	/* Unregistering waits for a grace period before it puts the eventfd. */
	rcu_read_lock();
	evfd = rcu_dereference(ctx->evfd);
	if (evfd)
		eventfd_signal(evfd);
	rcu_read_unlock();
}

/*
 * The kernel's cq_posted: CQEs were published (into the CQ, or onto the
 * overflow list), once per batch.  wq_has_sleeper() has the barrier that
 * orders the tail published before its check, pairing with the one in
 * prepare_to_wait(): a waiter either sees the new tail or is seen here.
 */
void sysring_cq_notify(struct sysring_exec *ex)
{
	struct sysring_ctx *ctx = container_of(ex, struct sysring_ctx, ex);

	if (wq_has_sleeper(&ctx->cq_wait))
		wake_up_all(&ctx->cq_wait);
	sysring_eventfd_signal(ctx);
}

/*
 * Readable while the CQ holds a CQE, or completions wait on the overflow
 * list: sysring_enter(2) then moves them in (as io_uring, the list is not
 * flushed here).
 */
__poll_t sysring_poll(struct file *file, poll_table *wait)
{
	struct sysring_ctx *ctx = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &ctx->cq_wait, wait);
	/* Pairs with the release store of cq_tail in sysring_cq_commit(). */
	if (smp_load_acquire(&ctx->ex.rings->cq_tail) !=
	    READ_ONCE(ctx->ex.rings->cq_head) || READ_ONCE(ctx->ex.nr_ovf))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

/* SYSRING_REGISTER_EVENTFD, under ctx->lock. */
int sysring_eventfd_register(struct sysring_ctx *ctx, void __user *arg,
			     unsigned int nr_args)
{
	struct eventfd_ctx *evfd;
	int fd;

	if (nr_args != 1)
		return -EINVAL;
	if (rcu_access_pointer(ctx->evfd))
		return -EBUSY;
	if (get_user(fd, (int __user *)arg))
		return -EFAULT;
	evfd = eventfd_ctx_fdget(fd);
	if (IS_ERR(evfd))
		return PTR_ERR(evfd);
	rcu_assign_pointer(ctx->evfd, evfd);
	return 0;
}

/* SYSRING_UNREGISTER_EVENTFD, under ctx->lock. */
int sysring_eventfd_unregister(struct sysring_ctx *ctx, void __user *arg,
			       unsigned int nr_args)
{
	struct eventfd_ctx *evfd;

	if (arg || nr_args)
		return -EINVAL;
	evfd = rcu_replace_pointer(ctx->evfd, NULL,
				   lockdep_is_held(&ctx->lock));
	if (!evfd)
		return -ENXIO;
	/* A poster that found it is done with it after a grace period. */
	synchronize_rcu();
	eventfd_ctx_put(evfd);
	return 0;
}

/* The ring is freed: no worker is left to post. */
void sysring_eventfd_free(struct sysring_ctx *ctx)
{
	struct eventfd_ctx *evfd = rcu_dereference_protected(ctx->evfd, true);

	if (evfd)
		eventfd_ctx_put(evfd);
}
