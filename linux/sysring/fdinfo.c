// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/<pid>/fdinfo/<ring fd>: a ring's state at a glance, for debugging
 * and for tests.  Lockless reads: a racing submission or worker may make
 * the figures inconsistent with each other, never unsafe to print.
 */
#include <linux/seq_file.h>
#include <linux/xarray.h>

#include "core.h"

#ifdef CONFIG_PROC_FS
static unsigned long sysring_nr_progs(struct sysring_ctx *ctx)
{
	struct sysring_prog *prog;
	unsigned long index, n = 0;

	xa_for_each(&ctx->progs, index, prog)
		n++;
	return n;
}

void sysring_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct sysring_ctx *ctx = file->private_data;
	struct sysring_exec *ex = &ctx->ex;

	seq_printf(m, "SqEntries:\t%u\n", ex->sq_entries);
	seq_printf(m, "SqHead:\t%u\n", READ_ONCE(ex->cached_sq_head));
	seq_printf(m, "SqTail:\t%u\n", READ_ONCE(ex->rings->sq_tail));
	seq_printf(m, "CqEntries:\t%u\n", ex->cq_entries);
	seq_printf(m, "CqHead:\t%u\n", READ_ONCE(ex->rings->cq_head));
	seq_printf(m, "CqTail:\t%u\n", READ_ONCE(ex->cached_cq_tail));
	seq_printf(m, "CqReserved:\t%u\n", READ_ONCE(ex->cq_reserved));
	seq_printf(m, "CqOverflow:\t%u\n", READ_ONCE(ex->nr_ovf));
	seq_printf(m, "CqOverflowSpare:\t%u\n", READ_ONCE(ex->nr_spare));
	seq_printf(m, "CqOverflowMax:\t%u\n", sysring_cq_overflow_max(ex));
	seq_printf(m, "SnapRegs:\t%u\n", ex->snap_regs);
	seq_printf(m, "Budget:\t%u\n", ex->budget);
	seq_printf(m, "Programs:\t%lu\n", sysring_nr_progs(ctx));
	seq_printf(m, "Workers:\t%u\n", READ_ONCE(ctx->wq.nr_workers));
	seq_printf(m, "MaxWorkers:\t%u\n", READ_ONCE(ctx->wq.max_workers));
	seq_printf(m, "SqThread:\t%d\n", sysring_sqpoll_pid(ctx));
	seq_printf(m, "SqThreadIdle:\t%u\n", ex->sq_thread_idle);
}
#endif
