// SPDX-License-Identifier: GPL-2.0
/*
 * Ring geometry from sysring_setup(2)'s parameters: the checks, the sizes
 * and the offsets userspace maps by; and the limits the probe reports.
 * Shared with the userspace backend so both accept and refuse exactly the
 * same parameters and answer the same probe.
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
