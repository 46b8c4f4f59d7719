/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SYSRING_CORE_H
#define _SYSRING_CORE_H

#include <linux/cache.h>
#include <linux/file.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/sysring.h>

#include "vm.h"

/*
 * The memory shared with userspace at SYSRING_OFF_RINGS.  Userspace writes
 * sq_tail and cq_head, the kernel sq_head and cq_tail; each side publishes
 * with a release store and reads the other's index with an acquire load.
 */
struct sysring_rings {
	u32	sq_head;
	u32	sq_tail;
	u32	sq_mask;
	u32	sq_entries;
	u32	sq_flags;
	u32	sq_dropped;
	u32	cq_head ____cacheline_aligned_in_smp;
	u32	cq_tail;
	u32	cq_mask;
	u32	cq_entries;
	u32	cq_overflow;
	u32	cq_flags;
	u8	cqes[] ____cacheline_aligned_in_smp;
};

struct sysring_prog {
	u32			len;
	struct sysring_insn	insns[] __counted_by(len);
};

struct sysring_ctx {
	/* Serialises submission, execution and registration on this ring. */
	struct mutex		lock;
	struct sysring_rings	*rings;
	struct sysring_sqe	*sqes;
	size_t			rings_size;
	size_t			sqes_size;
	u32			sq_entries;
	u32			cq_entries;
	u32			cqe_size;
	u32			snap_regs;
	u32			budget;
	u32			cached_sq_head;
	u32			cached_cq_tail;
	struct xarray		progs;		/* index -> struct sysring_prog */
	struct sysring_vm	*vm;		/* register file for inline runs */
	wait_queue_head_t	cq_wait;
};

/* memmap.c */
int sysring_rings_alloc(struct sysring_ctx *ctx);
void sysring_rings_free(struct sysring_ctx *ctx);
int sysring_mmap(struct file *file, struct vm_area_struct *vma);

/* register.c */
void sysring_progs_free(struct sysring_ctx *ctx);
const struct sysring_prog *sysring_prog_get(struct sysring_ctx *ctx, u32 index);

/* core.c */
struct sysring_ctx *sysring_ctx_from_fd(struct fd f);
extern const struct file_operations sysring_fops;

#endif /* _SYSRING_CORE_H */
