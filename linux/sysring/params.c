// SPDX-License-Identifier: GPL-2.0
/*
 * Ring geometry from sysring_setup(2)'s parameters: the checks, the sizes
 * and the offsets userspace maps by; the limits the probe reports; and
 * sysring_enter(2)'s extended argument.  Shared with the userspace backend
 * so both accept and refuse exactly the same parameters and answer the
 * same probe.
 */
#include "vm.h"

static bool sysring_snap_regs_ok(u32 n)
{
	return n == 0 || (n >= 4 && n <= SYSRING_MAX_SNAP_REGS && is_power_of_2(n));
}

int sysring_params_check(u32 entries, struct sysring_params *p)
{
	if (!mem_is_zero(p->__resv, sizeof(p->__resv)) ||
	    (p->flags & ~SYSRING_SETUP_FLAGS))
		return -EINVAL;
	if (!entries || entries > SYSRING_MAX_ENTRIES)
		return -EINVAL;
	if (!sysring_snap_regs_ok(p->snap_regs) ||
	    p->budget > SYSRING_MAX_BUDGET ||
	    p->max_workers > SYSRING_MAX_WORKERS)
		return -EINVAL;
	/* An idle time only means something to an SQPOLL thread. */
	if (p->sq_thread_idle > SYSRING_MAX_SQ_THREAD_IDLE ||
	    (p->sq_thread_idle && !(p->flags & SYSRING_SETUP_SQPOLL)))
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

void sysring_exec_init(struct sysring_exec *ex, const struct sysring_params *p)
{
	ex->sq_entries = p->sq_entries;
	ex->cq_entries = p->cq_entries;
	ex->snap_regs = p->snap_regs;
	ex->cqe_size = sizeof(struct sysring_cqe) + p->snap_regs * sizeof(u64);
	ex->budget = p->budget ?: SYSRING_DEFAULT_BUDGET;
	ex->max_workers = p->max_workers;
	ex->sq_thread_idle = 0;
	if (p->flags & SYSRING_SETUP_SQPOLL)
		ex->sq_thread_idle = p->sq_thread_idle ?:
				     SYSRING_DEFAULT_SQ_THREAD_IDLE;
}

/*
 * The default worker limit: one per chain the SQ can hold, and no more than
 * four per CPU.
 */
u32 sysring_default_workers(u32 sq_entries, u32 cpus)
{
	return min3(sq_entries, 4 * cpus, (u32)SYSRING_MAX_WORKERS);
}

size_t sysring_rings_bytes(const struct sysring_exec *ex)
{
	return struct_size_t(struct sysring_rings, cqes,
			     (size_t)ex->cq_entries * ex->cqe_size);
}

size_t sysring_sqes_bytes(const struct sysring_exec *ex)
{
	return (size_t)ex->sq_entries * sizeof(struct sysring_sqe);
}

void sysring_rings_init(const struct sysring_exec *ex)
{
	ex->rings->sq_entries = ex->sq_entries;
	ex->rings->sq_mask = ex->sq_entries - 1;
	ex->rings->cq_entries = ex->cq_entries;
	ex->rings->cq_mask = ex->cq_entries - 1;
}

/* Everything but features and region sizes, which the environment sets. */
void sysring_params_fill(const struct sysring_exec *ex, struct sysring_params *p)
{
	p->budget = ex->budget;
	p->max_workers = ex->max_workers;
	p->sq_thread_idle = ex->sq_thread_idle;
	p->magic = SYSRING_MAGIC;
	p->sqe_size = sizeof(struct sysring_sqe);
	p->cqe_size = ex->cqe_size;

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

/* SYSRING_REGISTER_PROBE's answer, into a zeroed @probe. */
void sysring_probe_fill(struct sysring_probe *probe)
{
	unsigned int i;

	for (i = 0; i < 256; i++)
		if (sysring_op_valid(i))
			probe->ops[i / 64] |= 1ULL << (i % 64);
	for (i = 0; i < SYSRING_PROBE_SYSCALLS; i++)
		if (sysring_syscall_allowed(i))
			probe->syscalls[i / 64] |= 1ULL << (i % 64);
	probe->max_prog_insns = SYSRING_MAX_PROG_INSNS;
	probe->max_progs = SYSRING_MAX_PROGS;
	probe->max_budget = SYSRING_MAX_BUDGET;
	probe->max_entries = SYSRING_MAX_ENTRIES;
}

#define SYSRING_NSEC_PER_SEC	1000000000ULL

/* A relative timeout: a timespec's seconds and nanoseconds, both checked. */
static int sysring_timeout_get(u64 *ns, u64 uts)
{
	struct __kernel_timespec ts;

	if (sysring_env_load(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
	    (u64)ts.tv_nsec >= SYSRING_NSEC_PER_SEC)
		return -EINVAL;
	/* Centuries are as good as forever; no overflow. */
	if ((u64)ts.tv_sec >= U64_MAX / SYSRING_NSEC_PER_SEC)
		*ns = U64_MAX;
	else
		*ns = ts.tv_sec * SYSRING_NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

int sysring_wait_req_get(struct sysring_wait_req *w, u32 flags, u64 argp,
			 u64 argsz)
{
	struct sysring_getevents_arg arg;

	memset(w, 0, sizeof(*w));
	if (!(flags & SYSRING_ENTER_EXT_ARG))
		return argp || argsz ? -EINVAL : 0;
	if (argsz != sizeof(arg))
		return -EINVAL;
	if (sysring_env_load(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if (arg.resv)
		return -EINVAL;
	/* As io_uring: the size only matters with a mask. */
	if (arg.sigmask) {
		if (arg.sigmask_sz != SYSRING_SIGSET_SIZE)
			return -EINVAL;
		if (sysring_env_load(&w->sigmask, arg.sigmask,
				     SYSRING_SIGSET_SIZE))
			return -EFAULT;
		w->has_sigmask = true;
	}
	if (arg.ts) {
		int ret = sysring_timeout_get(&w->timeout_ns, arg.ts);

		if (ret)
			return ret;
		w->has_timeout = true;
	}
	return 0;
}
