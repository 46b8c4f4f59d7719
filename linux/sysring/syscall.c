// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel environment of the VM core: the SYS instruction's dispatch,
 * the only architecture-specific part of sysring, and the stop check that
 * keeps a looping block preemptible and killable.
 */
#include <linux/errno.h>
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
	/* The ring was released: its workers stop what they run. */
	if (ctx && READ_ONCE(ctx->wq.dying))
		return true;
	cond_resched();
	return false;
}
