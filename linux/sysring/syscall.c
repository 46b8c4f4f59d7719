// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel environment of the VM core: the SYS instruction's dispatch,
 * the only architecture-specific part of sysring, the readiness wait of
 * WAIT and WRITET, and the stop check that keeps a looping block
 * preemptible, killable and cancelable.
 */
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/seccomp.h>
#include <asm/syscall.h>
#ifdef CONFIG_UML
#include <sysdep/syscalls.h>	/* sys_call_table */
#endif

#include "core.h"

#ifdef CONFIG_UML
static long sysring_arch_syscall(u32 nr, const u64 *a)
{
	return sys_call_table[nr](a[0], a[1], a[2], a[3], a[4], a[5]);
}
#else
/*
 * x86-64 syscalls take their arguments from a pt_regs; build one on the
 * stack the way the entry code would have.  The allow-list keeps out every
 * call that looks at the real user-mode registers (current_pt_regs()).
 */
static long sysring_arch_syscall(u32 nr, const u64 *a)
{
	struct pt_regs regs = {
		.di = a[0], .si = a[1], .dx = a[2],
		.r10 = a[3], .r8 = a[4], .r9 = a[5],
		.orig_ax = nr,
	};

	return x64_sys_call(&regs, nr);
}
#endif

#ifdef CONFIG_SECCOMP_FILTER
/*
 * The task's seccomp filters see every SYS with its real number and
 * arguments, as they would see the call made directly.
 */
static int sysring_seccomp(u32 nr, const u64 *a)
{
	struct seccomp_data sd = {
		.nr = nr,
		.arch = syscall_get_arch(current),
		.instruction_pointer = KSTK_EIP(current),
		.args = { a[0], a[1], a[2], a[3], a[4], a[5] },
	};

	if (!READ_ONCE(current->seccomp.mode))
		return 0;
	return seccomp_nested_syscall(&sd);
}
#else
static int sysring_seccomp(u32 nr, const u64 *a)
{
	return 0;
}
#endif

long sysring_env_syscall(struct sysring_vm *vm, u32 nr, const u64 *args)
{
	long ret;

	/* The checker already refused it; this only guards against a bug. */
	if (WARN_ON_ONCE(!sysring_syscall_allowed(nr)))
		return -EPERM;
	ret = sysring_seccomp(nr, args);
	if (ret)
		return ret;
	ret = sysring_arch_syscall(nr, args);

	/*
	 * There is no return to user mode between two instructions, so no
	 * restart: an interrupted call reports -EINTR to the program.
	 */
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK)
		ret = -EINTR;
	return ret;
}

/* vm->env is the ring, for the inline register file and every worker's. */
bool sysring_env_should_stop(struct sysring_vm *vm)
{
	struct sysring_ctx *ctx = vm->env;

	if (fatal_signal_pending(current))
		return true;
	/* A cancel request reached the block (sysring_wq_cancel()). */
	if (sysring_vm_canceled(vm))
		return true;
	/* The ring was released: its workers stop what they run. */
	if (ctx && READ_ONCE(ctx->wq.dying))
		return true;
	cond_resched();
	return false;
}

/* One sleep of sysring_env_wait(), as poll_schedule_timeout() in select.c. */
static bool sysring_wait_sleep(struct poll_wqueues *pwq, ktime_t *expire)
{
	int rc = -EINTR;

	set_current_state(TASK_INTERRUPTIBLE);
	if (!pwq->triggered)
		rc = schedule_hrtimeout_range(expire, current->timer_slack_ns,
					      HRTIMER_MODE_ABS);
	__set_current_state(TASK_RUNNING);
	/*
	 * Pairs with the write barrier in pollwake(): what the waker wrote
	 * is seen by the next vfs_poll(), and clearing triggered cannot pass
	 * that poll.
	 */
	smp_store_mb(pwq->triggered, 0);
	return !rc;	/* the timer expired */
}

/*
 * The WAIT of a chain's head, armed at submission (poll.c): -ENOENT when
 * the wait is not that one, or the arm lost its wait queue.  The arm is
 * done with once it has reported an event; a later WAIT polls.
 */
static long sysring_wait_armed(struct sysring_vm *vm, struct file *file,
			       __poll_t key, ktime_t expire, bool look)
{
	struct sysring_wait_arm *arm = vm->arm;
	long ret;

	if (!arm || arm->file != file || arm->key != key)
		return -ENOENT;
	ret = sysring_arm_wait(arm, expire, look);
	if (ret > 0 || ret == -ENOENT)
		vm->arm = NULL;
	return ret;
}

/*
 * WAIT (and WRITET before each write) is poll(2) of one descriptor done in
 * place, with no user memory to hold a pollfd.  The task's seccomp filters
 * see it as ppoll(NULL, 1, NULL, NULL, 0), so a filter that denies ppoll
 * denies these waits too.
 */
long sysring_env_wait(struct sysring_vm *vm, u32 fd, u32 events,
		      u64 *timeout_ns)
{
	const u64 args[6] = { 0, 1, 0, 0, 0, 0 };
	__poll_t key = (__force __poll_t)events | EPOLLERR | EPOLLHUP;
	struct poll_wqueues table;
	bool timed_out = !*timeout_ns;
	ktime_t expire;
	__poll_t mask;
	long ret;

	ret = sysring_seccomp(__NR_ppoll, args);
	if (ret)
		return ret;
	CLASS(fd, f)(fd);
	if (fd_empty(f))
		return -EBADF;

	expire = ktime_add_ns(ktime_get(), *timeout_ns);
	ret = sysring_wait_armed(vm, fd_file(f), key, expire, timed_out);
	if (ret != -ENOENT)
		goto out;

	poll_initwait(&table);
	/* A zero timeout only looks: never queue on the file's wait queues. */
	if (timed_out)
		table.pt._qproc = NULL;
	for (;;) {
		table.pt._key = key;
		mask = vfs_poll(fd_file(f), &table.pt) & key;
		/* Queued once, on the first pass, as do_poll() does. */
		table.pt._qproc = NULL;
		if (mask) {
			ret = (__force u32)mask;
			break;
		}
		if (table.error) {
			ret = table.error;
			break;
		}
		/* As do_poll(): a zero or spent timeout wins over a signal. */
		if (timed_out) {
			ret = 0;
			break;
		}
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		timed_out = sysring_wait_sleep(&table, &expire);
	}
	poll_freewait(&table);
out:
	*timeout_ns = max_t(s64, ktime_to_ns(ktime_sub(expire, ktime_get())), 0);
	return ret;
}
