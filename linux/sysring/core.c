// SPDX-License-Identifier: GPL-2.0
/*
 * sysring: rings of small register-machine programs run by the kernel.
 *
 * sysring_setup(2) creates a ring pair and returns its fd; userspace maps
 * the rings (memmap.c), queues blocks in the submission ring and calls
 * sysring_enter(2), which runs them in submission order and posts one
 * completion per block with its result and a register snapshot.  Blocks
 * joined by SYSRING_SQE_LINK or _HARDLINK form a chain that shares one
 * register file.  Programs are checked (check.c) before they run (vm.c).
 *
 * Documentation/userspace-api/sysring.rst describes the ABI.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/poll.h>
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

/* The chain state of one sysring_enter(): which blocks run, which cancel. */
struct sysring_submit {
	u32	chain_left;	/* blocks left in the current chain */
	bool	chain_failed;	/* a LINK block in it did not EXIT */
	bool	chain_broken;	/* it does not end in this submission */
};

struct sysring_ctx *sysring_ctx_from_fd(struct fd f)
{
	if (fd_file(f)->f_op != &sysring_fops)
		return NULL;
	return fd_file(f)->private_data;
}

static u32 sysring_cq_space(struct sysring_ctx *ctx)
{
	/* A garbage cq_head from userspace only makes the ring look full. */
	u32 used = ctx->cached_cq_tail - READ_ONCE(ctx->rings->cq_head);

	return used >= ctx->cq_entries ? 0 : ctx->cq_entries - used;
}

static void sysring_post_cqe(struct sysring_ctx *ctx,
			     const struct sysring_sqe *sqe,
			     const struct sysring_vm *vm, u8 reason)
{
	struct sysring_rings *rings = ctx->rings;
	struct sysring_cqe *cqe;
	u32 nregs;

	cqe = (void *)&rings->cqes[(ctx->cached_cq_tail & (ctx->cq_entries - 1)) *
				   ctx->cqe_size];
	nregs = min_t(u32, ctx->snap_regs, SYSRING_NR_REGS - sqe->snap_base);
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
	if (nregs < ctx->snap_regs)
		memset(&cqe->regs[nregs], 0,
		       (ctx->snap_regs - nregs) * sizeof(u64));

	/* Pairs with the acquire load of cq_tail in userspace. */
	smp_store_release(&rings->cq_tail, ++ctx->cached_cq_tail);
}

static bool sysring_sqe_regs_ok(const struct sysring_sqe *sqe)
{
	unsigned int i;

	if (sqe->nregs > SYSRING_SQE_REGS ||
	    sqe->reg_base + sqe->nregs > SYSRING_NR_REGS)
		return false;
	for (i = sqe->nregs; i < SYSRING_SQE_REGS; i++)
		if (sqe->regs[i])
			return false;
	return true;
}

static bool sysring_sqe_insns_unused(const struct sysring_sqe *sqe, u32 from)
{
	return mem_is_zero(&sqe->insns[from],
			   (SYSRING_SQE_INSNS - from) * sizeof(sqe->insns[0]));
}

/*
 * Validate an SQE and find its program.  Return: 0, or the -errno to
 * complete it with as SYSRING_STATUS_INVALID; *reason is the checker's.
 */
static int sysring_sqe_prepare(struct sysring_ctx *ctx,
			       const struct sysring_sqe *sqe,
			       const struct sysring_insn **insns, u8 *reason,
			       u16 *bad_pc)
{
	const struct sysring_prog *prog;
	u32 pc;

	*reason = SYSRING_CHECK_OK;
	*bad_pc = 0;
	if (sqe->flags & ~(SYSRING_SQE_FLAGS_SUPPORTED | SYSRING_SQE_DRAIN) ||
	    sqe->__resv1 || sqe->__resv2 || !sysring_sqe_regs_ok(sqe) ||
	    sqe->budget > SYSRING_MAX_BUDGET)
		return -EINVAL;

	if (sqe->flags & SYSRING_SQE_PROG) {
		if (sqe->ninsns || !sysring_sqe_insns_unused(sqe, 0))
			return -EINVAL;
		prog = sysring_prog_get(ctx, sqe->prog);
		if (!prog)
			return -ENOENT;
		*insns = prog->insns;
		return 0;
	}

	if (sqe->prog || sqe->ninsns > SYSRING_SQE_INSNS ||
	    !sysring_sqe_insns_unused(sqe, sqe->ninsns))
		return -EINVAL;
	*reason = sysring_check(sqe->insns, sqe->ninsns, SYSRING_SQE_INSNS, &pc);
	*bad_pc = pc;
	*insns = sqe->insns;
	return *reason == SYSRING_CHECK_OK ? 0 : -EINVAL;
}

static void sysring_run_sqe(struct sysring_ctx *ctx, struct sysring_submit *s,
			    const struct sysring_sqe *sqe)
{
	struct sysring_vm *vm = ctx->vm;
	const struct sysring_insn *insns;
	u8 reason;
	u16 pc;
	int ret;

	vm->pc = 0;
	vm->executed = 0;
	ret = sysring_sqe_prepare(ctx, sqe, &insns, &reason, &pc);
	if (s->chain_broken) {
		vm->status = SYSRING_STATUS_INVALID;
		vm->res = -EINVAL;
	} else if (ret) {
		vm->status = SYSRING_STATUS_INVALID;
		vm->res = ret;
		vm->pc = pc;
	} else if (s->chain_failed) {
		vm->status = SYSRING_STATUS_CANCELED;
		vm->res = -ECANCELED;
	} else {
		memcpy(&vm->regs[sqe->reg_base], sqe->regs,
		       sqe->nregs * sizeof(u64));
		sysring_vm_run(vm, insns, sqe->budget ?: ctx->budget);
	}
	sysring_post_cqe(ctx, sqe, vm, reason);

	/* Only HARDLINK lets the chain go on past a block that failed. */
	if (vm->status != SYSRING_STATUS_EXIT &&
	    !(sqe->flags & SYSRING_SQE_HARDLINK))
		s->chain_failed = true;
}

static bool sysring_sqe_linked(const struct sysring_sqe *sqe)
{
	return READ_ONCE(sqe->flags) & (SYSRING_SQE_LINK | SYSRING_SQE_HARDLINK);
}

/*
 * Length of the chain starting at SQ index @head, at most @avail entries,
 * or 0 when it does not end within them.  Membership is decided here once;
 * a flag userspace rewrites later cannot split a chain that is running.
 */
static u32 sysring_chain_len(struct sysring_ctx *ctx, u32 head, u32 avail)
{
	u32 mask = ctx->sq_entries - 1;
	u32 n;

	for (n = 1; n <= avail; n++)
		if (!sysring_sqe_linked(&ctx->sqes[(head + n - 1) & mask]))
			return n;
	return 0;
}

/*
 * Run up to @to_submit queued blocks.  A chain starts only when the CQ has
 * room for all of its completions, so none is ever dropped: a full CQ is
 * backpressure (-EBUSY when nothing could be submitted).  A chain that
 * does not end before the last queued entry is refused whole: every entry
 * completes with SYSRING_STATUS_INVALID and -EINVAL, none runs.
 */
static int sysring_submit_sqes(struct sysring_ctx *ctx, u32 to_submit)
{
	struct sysring_submit s = { };
	struct sysring_sqe sqe;
	u32 head = ctx->cached_sq_head;
	u32 avail, done = 0;

	/* Pairs with the release store of sq_tail in userspace. */
	avail = smp_load_acquire(&ctx->rings->sq_tail) - head;
	avail = min3(avail, to_submit, ctx->sq_entries);

	while (done < avail) {
		if (!s.chain_left) {
			u32 len = sysring_chain_len(ctx, head, avail - done);
			bool broken = !len;

			if (broken)
				len = avail - done;
			if (sysring_cq_space(ctx) < len)
				break;
			s.chain_left = len;
			s.chain_failed = false;
			s.chain_broken = broken;
			memset(ctx->vm->regs, 0, sizeof(ctx->vm->regs));
		}
		/* Work on a copy: userspace may rewrite the slot meanwhile. */
		memcpy(&sqe, &ctx->sqes[head & (ctx->sq_entries - 1)], sizeof(sqe));
		sysring_run_sqe(ctx, &s, &sqe);
		s.chain_left--;
		head++;
		done++;
	}

	ctx->cached_sq_head = head;
	/* Pairs with the acquire load of sq_head in userspace: slots are free. */
	smp_store_release(&ctx->rings->sq_head, head);
	if (done)
		wake_up_all(&ctx->cq_wait);
	return done ?: (avail ? -EBUSY : 0);
}

static u32 sysring_cq_ready(struct sysring_ctx *ctx)
{
	return ctx->cached_cq_tail - READ_ONCE(ctx->rings->cq_head);
}

SYSCALL_DEFINE4(sysring_enter, unsigned int, fd, u32, to_submit,
		u32, min_complete, u32, flags)
{
	CLASS(fd, f)(fd);
	struct sysring_ctx *ctx;
	int ret = 0;

	if (flags & ~SYSRING_ENTER_FLAGS)
		return -EINVAL;
	if (fd_empty(f))
		return -EBADF;
	ctx = sysring_ctx_from_fd(f);
	if (!ctx)
		return -EOPNOTSUPP;

	if (to_submit) {
		mutex_lock(&ctx->lock);
		ret = sysring_submit_sqes(ctx, to_submit);
		mutex_unlock(&ctx->lock);
		if (ret < 0)
			return ret;
	}

	if ((flags & SYSRING_ENTER_GETEVENTS) && min_complete) {
		u32 want = min(min_complete, ctx->cq_entries);
		int err;

		/* Another submitter on this ring may post what we wait for. */
		err = wait_event_interruptible(ctx->cq_wait,
					       sysring_cq_ready(ctx) >= want);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

static __poll_t sysring_poll(struct file *file, poll_table *wait)
{
	struct sysring_ctx *ctx = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &ctx->cq_wait, wait);
	/* Pairs with the release store of cq_tail in sysring_post_cqe(). */
	if (smp_load_acquire(&ctx->rings->cq_tail) !=
	    READ_ONCE(ctx->rings->cq_head))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static void sysring_ctx_free(struct sysring_ctx *ctx)
{
	sysring_progs_free(ctx);
	sysring_rings_free(ctx);
	kvfree(ctx->vm);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
}

static int sysring_release(struct inode *inode, struct file *file)
{
	sysring_ctx_free(file->private_data);
	return 0;
}

const struct file_operations sysring_fops = {
	.release	= sysring_release,
	.mmap		= sysring_mmap,
	.poll		= sysring_poll,
};

static bool sysring_snap_regs_ok(u32 n)
{
	return n == 0 || (n >= 4 && n <= SYSRING_MAX_SNAP_REGS && is_power_of_2(n));
}

static int sysring_params_check(u32 entries, struct sysring_params *p)
{
	if (!mem_is_zero(p->__resv, sizeof(p->__resv)) ||
	    (p->flags & ~SYSRING_SETUP_FLAGS))
		return -EINVAL;
	if (!entries || entries > SYSRING_MAX_ENTRIES)
		return -EINVAL;
	if (!sysring_snap_regs_ok(p->snap_regs) ||
	    p->budget > SYSRING_MAX_BUDGET)
		return -EINVAL;

	p->sq_entries = roundup_pow_of_two(entries);
	if (p->flags & SYSRING_SETUP_CQSIZE) {
		/* Every chain of a full SQ must fit: no fewer CQ than SQ. */
		if (p->cq_entries < p->sq_entries ||
		    p->cq_entries > SYSRING_MAX_CQ_ENTRIES)
			return -EINVAL;
		p->cq_entries = roundup_pow_of_two(p->cq_entries);
	} else {
		p->cq_entries = 2 * p->sq_entries;
	}
	return 0;
}

static void sysring_params_fill(struct sysring_ctx *ctx, struct sysring_params *p)
{
	p->budget = ctx->budget;
	p->features = SYSRING_FEAT_INLINE | SYSRING_FEAT_PROGS |
		      SYSRING_FEAT_LINK;
	p->magic = SYSRING_MAGIC;
	p->sqe_size = sizeof(struct sysring_sqe);
	p->cqe_size = ctx->cqe_size;
	p->rings_size = ctx->rings_size;
	p->sqes_size = ctx->sqes_size;

	memset(&p->sq_off, 0, sizeof(p->sq_off));
	p->sq_off.head = offsetof(struct sysring_rings, sq_head);
	p->sq_off.tail = offsetof(struct sysring_rings, sq_tail);
	p->sq_off.ring_mask = offsetof(struct sysring_rings, sq_mask);
	p->sq_off.ring_entries = offsetof(struct sysring_rings, sq_entries);
	p->sq_off.flags = offsetof(struct sysring_rings, sq_flags);
	p->sq_off.dropped = offsetof(struct sysring_rings, sq_dropped);

	memset(&p->cq_off, 0, sizeof(p->cq_off));
	p->cq_off.head = offsetof(struct sysring_rings, cq_head);
	p->cq_off.tail = offsetof(struct sysring_rings, cq_tail);
	p->cq_off.ring_mask = offsetof(struct sysring_rings, cq_mask);
	p->cq_off.ring_entries = offsetof(struct sysring_rings, cq_entries);
	p->cq_off.overflow = offsetof(struct sysring_rings, cq_overflow);
	p->cq_off.cqes = offsetof(struct sysring_rings, cqes);
	p->cq_off.flags = offsetof(struct sysring_rings, cq_flags);
}

static struct sysring_ctx *sysring_ctx_alloc(const struct sysring_params *p)
{
	struct sysring_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return NULL;
	mutex_init(&ctx->lock);
	init_waitqueue_head(&ctx->cq_wait);
	xa_init_flags(&ctx->progs, XA_FLAGS_ALLOC);
	ctx->sq_entries = p->sq_entries;
	ctx->cq_entries = p->cq_entries;
	ctx->snap_regs = p->snap_regs;
	ctx->cqe_size = sizeof(struct sysring_cqe) + p->snap_regs * sizeof(u64);
	ctx->budget = p->budget ?: SYSRING_DEFAULT_BUDGET;

	ctx->vm = kvzalloc(sizeof(*ctx->vm), GFP_KERNEL_ACCOUNT);
	if (!ctx->vm || sysring_rings_alloc(ctx)) {
		sysring_ctx_free(ctx);
		return NULL;
	}
	ctx->vm->env = ctx;
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
	sysring_params_fill(ctx, &p);

	/* A new inode per ring lets an LSM refuse its creation. */
	file = anon_inode_create_getfile("[sysring]", &sysring_fops, ctx,
					 O_RDWR | O_CLOEXEC, NULL);
	if (IS_ERR(file)) {
		sysring_ctx_free(ctx);
		return PTR_ERR(file);
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
	SYSRING_CHECK_OFFSET(struct sysring_params, __resv, 44);
	SYSRING_CHECK_OFFSET(struct sysring_params, sq_off, 64);
	SYSRING_CHECK_OFFSET(struct sysring_params, cq_off, 96);
	BUILD_BUG_ON(sizeof(struct sysring_params) != 128);
	BUILD_BUG_ON(sizeof(struct sysring_prog_reg) != 40);
	BUILD_BUG_ON(sizeof(struct sysring_probe) != 208);

	/* Program lengths and the CQE's pc are u16 and fit. */
	BUILD_BUG_ON(SYSRING_MAX_PROG_INSNS > U16_MAX);
	BUILD_BUG_ON(SYSRING_MAX_CQ_ENTRIES < SYSRING_MAX_ENTRIES);

#ifdef CONFIG_SYSCTL
	register_sysctl_init("kernel", kernel_sysring_table);
#endif
	return 0;
}
device_initcall(sysring_init);
