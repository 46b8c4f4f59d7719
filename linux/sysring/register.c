// SPDX-License-Identifier: GPL-2.0
/*
 * sysring_register(2): registered programs, checked once when registered
 * (as BPF_PROG_LOAD does) and then run by index, the probe, the worker
 * limit, cancel requests and the eventfd (wait.c).
 */
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>

#include "core.h"

static int sysring_register_prog(struct sysring_ctx *ctx, void __user *arg)
{
	struct sysring_prog_reg reg;
	struct sysring_prog *prog;
	u32 index, bad_pc;
	int reason, ret;

	if (copy_from_user(&reg, arg, sizeof(reg)))
		return -EFAULT;
	if (reg.flags || !mem_is_zero(reg.__resv, sizeof(reg.__resv)))
		return -EINVAL;
	if (reg.len > SYSRING_MAX_PROG_INSNS) {
		reason = SYSRING_CHECK_TOO_LONG;
		bad_pc = 0;
		goto rejected;
	}

	prog = kvmalloc(struct_size(prog, insns, reg.len), GFP_KERNEL_ACCOUNT);
	if (!prog)
		return -ENOMEM;
	refcount_set(&prog->refs, 1);
	prog->len = reg.len;
	if (copy_from_user(prog->insns, u64_to_user_ptr(reg.insns),
			   array_size(reg.len, sizeof(*prog->insns)))) {
		kvfree(prog);
		return -EFAULT;
	}

	reason = sysring_check(prog->insns, reg.len, SYSRING_MAX_PROG_INSNS,
			       &bad_pc);
	if (reason != SYSRING_CHECK_OK) {
		kvfree(prog);
		goto rejected;
	}
	prog->footprint = sysring_prog_footprint(prog->insns, reg.len);

	ret = xa_alloc(&ctx->progs, &index, prog,
		       XA_LIMIT(0, SYSRING_MAX_PROGS - 1), GFP_KERNEL_ACCOUNT);
	if (ret) {
		kvfree(prog);
		return ret == -EBUSY ? -ENOSPC : ret;
	}
	reg.index = index;
	reg.reason = SYSRING_CHECK_OK;
	reg.pc = 0;
	if (copy_to_user(arg, &reg, sizeof(reg))) {
		kvfree(xa_erase(&ctx->progs, index));
		return -EFAULT;
	}
	return index;

rejected:
	/* The reason is the useful part of the answer: report it. */
	reg.reason = reason;
	reg.pc = bad_pc;
	if (copy_to_user(arg, &reg, sizeof(reg)))
		return -EFAULT;
	return -EINVAL;
}

/*
 * Drop the table's reference: a chain queued for a worker keeps the
 * program it runs until it is done with it.
 */
static int sysring_unregister_prog(struct sysring_ctx *ctx, u32 index)
{
	struct sysring_prog *prog = xa_erase(&ctx->progs, index);

	if (!prog)
		return -ENOENT;
	sysring_ctx_prog_put(&ctx->ex, prog);
	return 0;
}

static int sysring_register_probe(void __user *arg)
{
	struct sysring_probe *probe;
	int ret = 0;

	probe = kzalloc(sizeof(*probe), GFP_KERNEL);
	if (!probe)
		return -ENOMEM;
	if (copy_from_user(probe, arg, sizeof(*probe))) {
		ret = -EFAULT;
		goto out;
	}
	if (!mem_is_zero(probe, sizeof(*probe))) {
		ret = -EINVAL;
		goto out;
	}
	sysring_probe_fill(probe);
	if (copy_to_user(arg, probe, sizeof(*probe)))
		ret = -EFAULT;
out:
	kfree(probe);
	return ret;
}

static int sysring_register_cancel(struct sysring_ctx *ctx, void __user *arg)
{
	struct sysring_cancel_reg reg;
	int ret;

	if (copy_from_user(&reg, arg, sizeof(reg)))
		return -EFAULT;
	ret = sysring_cancel_check(&reg);
	if (ret)
		return ret;
	return sysring_wq_cancel(ctx, &reg);
}

/* Called from sysring_exec_submit() with ctx->lock held, like unregistering. */
const struct sysring_prog *sysring_env_prog(struct sysring_exec *ex, u32 index)
{
	struct sysring_ctx *ctx = container_of(ex, struct sysring_ctx, ex);

	return xa_load(&ctx->progs, index);
}

/* The same, with a reference for the entry that will run it. */
const struct sysring_prog *sysring_ctx_prog_get(struct sysring_exec *ex,
						u32 index)
{
	struct sysring_prog *prog;

	prog = (struct sysring_prog *)sysring_env_prog(ex, index);
	if (prog)
		refcount_inc(&prog->refs);
	return prog;
}

/* From any thread: the submitter, a worker, or the ring's release. */
void sysring_ctx_prog_put(struct sysring_exec *ex,
			  const struct sysring_prog *prog)
{
	struct sysring_prog *p = (struct sysring_prog *)prog;

	if (refcount_dec_and_test(&p->refs))
		kvfree(p);
}

void sysring_progs_free(struct sysring_ctx *ctx)
{
	struct sysring_prog *prog;
	unsigned long index;

	xa_for_each(&ctx->progs, index, prog)
		sysring_ctx_prog_put(&ctx->ex, prog);
	xa_destroy(&ctx->progs);
}

SYSCALL_DEFINE4(sysring_register, unsigned int, fd, unsigned int, opcode,
		void __user *, arg, unsigned int, nr_args)
{
	CLASS(fd, f)(fd);
	struct sysring_ctx *ctx;
	int ret;

	if (fd_empty(f))
		return -EBADF;
	ctx = sysring_ctx_from_fd(f);
	if (!ctx)
		return -EOPNOTSUPP;

	/* Not serialised with submissions: see sysring_wq_cancel(). */
	if (opcode == SYSRING_REGISTER_CANCEL)
		return nr_args != 1 ? -EINVAL : sysring_register_cancel(ctx, arg);

	if (mutex_lock_interruptible(&ctx->lock))
		return -EINTR;
	switch (opcode) {
	case SYSRING_REGISTER_PROG:
		ret = nr_args != 1 ? -EINVAL : sysring_register_prog(ctx, arg);
		break;
	case SYSRING_UNREGISTER_PROG:
		ret = arg ? -EINVAL : sysring_unregister_prog(ctx, nr_args);
		break;
	case SYSRING_REGISTER_PROBE:
		ret = nr_args != 1 ? -EINVAL : sysring_register_probe(arg);
		break;
	case SYSRING_REGISTER_WORKERS:
		ret = arg ? -EINVAL : sysring_wq_set_max(ctx, nr_args);
		break;
	case SYSRING_REGISTER_EVENTFD:
		ret = sysring_eventfd_register(ctx, arg, nr_args);
		break;
	case SYSRING_UNREGISTER_EVENTFD:
		ret = sysring_eventfd_unregister(ctx, arg, nr_args);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	mutex_unlock(&ctx->lock);
	return ret;
}
