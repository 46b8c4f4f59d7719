// SPDX-License-Identifier: GPL-2.0
/*
 * sysring: rings of small register-machine programs run by the kernel.
 *
 * sysring_setup(2) creates a ring pair and returns its fd; userspace maps
 * the rings (memmap.c), queues blocks in the submission ring and calls
 * sysring_enter(2), which runs them in submission order and posts one
 * completion per block with its result and a register snapshot (cq.c),
 * and waits for completions (wait.c).  Blocks
 * joined by SYSRING_SQE_LINK or _HARDLINK form a chain that shares one
 * register file.  Programs are checked (check.c) before they run (vm.c).
 * A chain with SYSRING_SQE_ASYNC on its head runs on the ring's worker
 * pool instead (wq.c), and sysring_enter(2) returns at once.  With
 * SYSRING_SETUP_SQPOLL a thread consumes the SQ instead of sysring_enter(2)
 * (sqpoll.c).
 *
 * Documentation/userspace-api/sysring.rst describes the ABI.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/sysctl.h>
#include <linux/uaccess.h>

#include "core.h"

static int __read_mostly sysctl_sysring_disabled;
static int __read_mostly sysctl_sysring_group = -1;

#ifdef CONFIG_SYSCTL
static struct ctl_table kernel_sysring_table[] = {
	{
		.procname	= "sysring_disabled",
		.data		= &sysctl_sysring_disabled,
		.maxlen		= sizeof(sysctl_sysring_disabled),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_TWO,
	},
	{
		.procname	= "sysring_group",
		.data		= &sysctl_sysring_group,
		.maxlen		= sizeof(gid_t),
		.mode		= 0644,
		.proc_handler	= proc_dointvec,
	},
};
#endif

struct sysring_ctx *sysring_ctx_from_fd(struct fd f)
{
	if (fd_file(f)->f_op != &sysring_fops)
		return NULL;
	return fd_file(f)->private_data;
}

SYSCALL_DEFINE6(sysring_enter, unsigned int, fd, u32, to_submit,
		u32, min_complete, u32, flags, const void __user *, argp,
		size_t, argsz)
{
	CLASS(fd, f)(fd);
	struct sysring_wait_req req;
	struct sysring_ctx *ctx;
	long ret;

	if (flags & ~SYSRING_ENTER_FLAGS)
		return -EINVAL;
	if (fd_empty(f))
		return -EBADF;
	ctx = sysring_ctx_from_fd(f);
	if (!ctx)
		return -EOPNOTSUPP;
	/* All of it before anything is submitted: no half-done call. */
	ret = sysring_wait_req_get(&req, flags, (u64)(uintptr_t)argp, argsz);
	if (ret)
		return ret;

	if (!ctx->ex.sq_thread_idle &&
	    (flags & (SYSRING_ENTER_SQ_WAKEUP | SYSRING_ENTER_SQ_WAIT)))
		return -EINVAL;

	/* Any call may follow userspace making room: flush into it. */
	sysring_ctx_flush(ctx);
	if (ctx->ex.sq_thread_idle) {
		ret = sysring_sqpoll_enter(ctx, to_submit, flags);
		if (ret < 0)
			return ret;
	} else if (to_submit) {
		/*
		 * A block may sleep in a syscall with the lock held: any
		 * signal lets another submitter give up waiting for it.
		 */
		if (mutex_lock_interruptible(&ctx->lock))
			return -EINTR;
		ret = sysring_exec_submit(&ctx->ex, to_submit);
		mutex_unlock(&ctx->lock);
		if (ret < 0)
			return ret;
	}

	if ((flags & SYSRING_ENTER_GETEVENTS) && min_complete) {
		int err = sysring_cq_wait(ctx, min_complete, &req);

		/*
		 * As io_uring's wait: -EINTR, not a restart, so that a handler
		 * with SA_RESTART does not put the caller back to sleep for
		 * completions that may never come.  What was submitted counts
		 * more than how the wait ended.
		 */
		if (err && !ret)
			ret = err;
	}
	return ret;
}

static void sysring_ctx_free(struct sysring_ctx *ctx)
{
	sysring_eventfd_free(ctx);
	sysring_cq_free(&ctx->ex);
	sysring_progs_free(ctx);
	sysring_rings_free(ctx);
	kvfree(ctx->ex.vm);
	put_pid(ctx->wq.owner);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
}

void sysring_ctx_put(struct sysring_ctx *ctx)
{
	if (refcount_dec_and_test(&ctx->refs))
		sysring_ctx_free(ctx);
}

/* The last fput: stop the workers; the last of them frees the ring. */
static int sysring_release(struct inode *inode, struct file *file)
{
	struct sysring_ctx *ctx = file->private_data;

	sysring_wq_shutdown(ctx);
	sysring_ctx_put(ctx);
	return 0;
}

const struct file_operations sysring_fops = {
	.release	= sysring_release,
	.mmap		= sysring_mmap,
	.poll		= sysring_poll,
#ifdef CONFIG_PROC_FS
	.show_fdinfo	= sysring_show_fdinfo,
#endif
};

static struct sysring_ctx *sysring_ctx_alloc(const struct sysring_params *p)
{
	struct sysring_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return NULL;
	mutex_init(&ctx->lock);
	refcount_set(&ctx->refs, 1);
	spin_lock_init(&ctx->cq_lock);
	init_waitqueue_head(&ctx->cq_wait);
	xa_init_flags(&ctx->progs, XA_FLAGS_ALLOC);
	sysring_exec_init(&ctx->ex, p);
	ctx->ex.ops = &sysring_kernel_ops;
	sysring_wq_init(ctx);
	sysring_sqpoll_init(ctx);

	ctx->ex.vm = kvzalloc(sizeof(*ctx->ex.vm), GFP_KERNEL_ACCOUNT);
	if (!ctx->ex.vm || sysring_rings_alloc(ctx)) {
		sysring_ctx_free(ctx);
		return NULL;
	}
	ctx->ex.vm->env = ctx;
	return ctx;
}

static long sysring_create(u32 entries, struct sysring_params __user *params)
{
	struct sysring_params p;
	struct sysring_ctx *ctx;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&p, params, sizeof(p)))
		return -EFAULT;
	ret = sysring_params_check(entries, &p);
	if (ret)
		return ret;

	ctx = sysring_ctx_alloc(&p);
	if (!ctx)
		return -ENOMEM;
	sysring_params_fill(&ctx->ex, &p);
	p.features = SYSRING_FEAT_INLINE | SYSRING_FEAT_PROGS |
		     SYSRING_FEAT_LINK | SYSRING_FEAT_ASYNC |
		     SYSRING_FEAT_CANCEL | SYSRING_FEAT_NODROP |
		     SYSRING_FEAT_EXT_ARG | SYSRING_FEAT_SQPOLL |
		     SYSRING_FEAT_WAIT_ARM;
	p.rings_size = ctx->rings_size;
	p.sqes_size = ctx->sqes_size;

	/* A new inode per ring lets an LSM refuse its creation. */
	file = anon_inode_create_getfile("[sysring]", &sysring_fops, ctx,
					 O_RDWR | O_CLOEXEC, NULL);
	if (IS_ERR(file)) {
		sysring_ctx_free(ctx);
		return PTR_ERR(file);
	}
	if (ctx->ex.sq_thread_idle) {
		ret = sysring_sqpoll_start(ctx);
		if (ret) {
			fput(file);
			return ret;
		}
	}
	if (copy_to_user(params, &p, sizeof(p))) {
		fput(file);
		return -EFAULT;
	}
	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fput(file);
		return fd;
	}
	fd_install(fd, file);
	return fd;
}

static bool sysring_allowed(void)
{
	int disabled = READ_ONCE(sysctl_sysring_disabled);
	kgid_t group;

	if (disabled == 2)
		return false;
	if (disabled == 0 || capable(CAP_SYS_ADMIN))
		return true;
	group = make_kgid(&init_user_ns, READ_ONCE(sysctl_sysring_group));
	return gid_valid(group) && in_group_p(group);
}

SYSCALL_DEFINE2(sysring_setup, u32, entries,
		struct sysring_params __user *, params)
{
	if (!sysring_allowed())
		return -EPERM;
	return sysring_create(entries, params);
}

/* Offsets, with the total size, pin every field of the uapi structs. */
#define SYSRING_CHECK_OFFSET(type, field, off)	\
	BUILD_BUG_ON(offsetof(type, field) != (off))

static int __init sysring_init(void)
{
	SYSRING_CHECK_OFFSET(struct sysring_insn, code, 0);
	SYSRING_CHECK_OFFSET(struct sysring_insn, dst, 1);
	SYSRING_CHECK_OFFSET(struct sysring_insn, src, 2);
	SYSRING_CHECK_OFFSET(struct sysring_insn, mod, 3);
	SYSRING_CHECK_OFFSET(struct sysring_insn, imm, 4);
	BUILD_BUG_ON(sizeof(struct sysring_insn) != 8);

	SYSRING_CHECK_OFFSET(struct sysring_sqe, user_data, 0);
	SYSRING_CHECK_OFFSET(struct sysring_sqe, flags, 8);
	SYSRING_CHECK_OFFSET(struct sysring_sqe, ninsns, 10);
	SYSRING_CHECK_OFFSET(struct sysring_sqe, nregs, 11);
	SYSRING_CHECK_OFFSET(struct sysring_sqe, reg_base, 12);
	SYSRING_CHECK_OFFSET(struct sysring_sqe, snap_base, 13);
	SYSRING_CHECK_OFFSET(struct sysring_sqe, __resv1, 14);
	SYSRING_CHECK_OFFSET(struct sysring_sqe, prog, 16);
	SYSRING_CHECK_OFFSET(struct sysring_sqe, budget, 20);
	SYSRING_CHECK_OFFSET(struct sysring_sqe, __resv2, 24);
	SYSRING_CHECK_OFFSET(struct sysring_sqe, regs, 32);
	SYSRING_CHECK_OFFSET(struct sysring_sqe, insns, 80);
	BUILD_BUG_ON(sizeof(struct sysring_sqe) != 128);

	SYSRING_CHECK_OFFSET(struct sysring_cqe, user_data, 0);
	SYSRING_CHECK_OFFSET(struct sysring_cqe, res, 8);
	SYSRING_CHECK_OFFSET(struct sysring_cqe, status, 16);
	SYSRING_CHECK_OFFSET(struct sysring_cqe, reason, 17);
	SYSRING_CHECK_OFFSET(struct sysring_cqe, reg_base, 18);
	SYSRING_CHECK_OFFSET(struct sysring_cqe, nregs, 19);
	SYSRING_CHECK_OFFSET(struct sysring_cqe, pc, 20);
	SYSRING_CHECK_OFFSET(struct sysring_cqe, flags, 22);
	SYSRING_CHECK_OFFSET(struct sysring_cqe, insns, 24);
	SYSRING_CHECK_OFFSET(struct sysring_cqe, __resv, 28);
	BUILD_BUG_ON(sizeof(struct sysring_cqe) != 32);

	SYSRING_CHECK_OFFSET(struct sysring_params, sq_entries, 0);
	SYSRING_CHECK_OFFSET(struct sysring_params, snap_regs, 12);
	SYSRING_CHECK_OFFSET(struct sysring_params, magic, 24);
	SYSRING_CHECK_OFFSET(struct sysring_params, sqes_size, 40);
	SYSRING_CHECK_OFFSET(struct sysring_params, max_workers, 44);
	SYSRING_CHECK_OFFSET(struct sysring_params, sq_thread_idle, 48);
	SYSRING_CHECK_OFFSET(struct sysring_params, __resv, 52);
	SYSRING_CHECK_OFFSET(struct sysring_params, sq_off, 64);
	SYSRING_CHECK_OFFSET(struct sysring_params, cq_off, 96);
	BUILD_BUG_ON(sizeof(struct sysring_params) != 128);
	BUILD_BUG_ON(sizeof(struct sysring_prog_reg) != 40);
	BUILD_BUG_ON(sizeof(struct sysring_probe) != 208);
	SYSRING_CHECK_OFFSET(struct sysring_cancel_reg, user_data, 0);
	SYSRING_CHECK_OFFSET(struct sysring_cancel_reg, flags, 8);
	SYSRING_CHECK_OFFSET(struct sysring_cancel_reg, __resv, 12);
	BUILD_BUG_ON(sizeof(struct sysring_cancel_reg) != 32);
	SYSRING_CHECK_OFFSET(struct sysring_getevents_arg, sigmask, 0);
	SYSRING_CHECK_OFFSET(struct sysring_getevents_arg, sigmask_sz, 8);
	SYSRING_CHECK_OFFSET(struct sysring_getevents_arg, resv, 12);
	SYSRING_CHECK_OFFSET(struct sysring_getevents_arg, ts, 16);
	BUILD_BUG_ON(sizeof(struct sysring_getevents_arg) != 24);
	/* The flags word is shared with userspace as a plain __u32. */
	BUILD_BUG_ON(sizeof(atomic_t) != sizeof(u32));

	/* Program lengths and the CQE's pc are u16 and fit. */
	BUILD_BUG_ON(SYSRING_MAX_PROG_INSNS > U16_MAX);
	BUILD_BUG_ON(SYSRING_MAX_CQ_ENTRIES < SYSRING_MAX_ENTRIES);

#ifdef CONFIG_SYSCTL
	register_sysctl_init("kernel", kernel_sysring_table);
#endif
	return 0;
}
device_initcall(sysring_init);
