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

struct sysring_ctx {
	/* Serialises submission, execution and registration on this ring. */
	struct mutex		lock;
	struct sysring_exec	ex;
	size_t			rings_size;
	size_t			sqes_size;
	struct xarray		progs;		/* index -> struct sysring_prog */
	wait_queue_head_t	cq_wait;
};

/* memmap.c */
int sysring_rings_alloc(struct sysring_ctx *ctx);
void sysring_rings_free(struct sysring_ctx *ctx);
int sysring_mmap(struct file *file, struct vm_area_struct *vma);

/* register.c */
void sysring_progs_free(struct sysring_ctx *ctx);

/* core.c */
struct sysring_ctx *sysring_ctx_from_fd(struct fd f);
extern const struct file_operations sysring_fops;

#endif /* _SYSRING_CORE_H */
