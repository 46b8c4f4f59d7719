// SPDX-License-Identifier: GPL-2.0
/*
 * sysring ring memory: allocation, charged to the creator's memory cgroup,
 * and mapping into userspace; and the CQ's overflow entries, charged to
 * the submitter's.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "core.h"

/* Zeroed, accounted, and flagged VM_USERMAP so remap_vmalloc_range() works. */
static void *sysring_vmalloc_user(size_t size)
{
	return __vmalloc_node_range(size, SHMLBA, VMALLOC_START, VMALLOC_END,
				    GFP_KERNEL_ACCOUNT | __GFP_ZERO,
				    PAGE_KERNEL, VM_USERMAP, NUMA_NO_NODE,
				    __builtin_return_address(0));
}

int sysring_rings_alloc(struct sysring_ctx *ctx)
{
	ctx->rings_size = PAGE_ALIGN(sysring_rings_bytes(&ctx->ex));
	ctx->sqes_size = PAGE_ALIGN(sysring_sqes_bytes(&ctx->ex));

	ctx->ex.rings = sysring_vmalloc_user(ctx->rings_size);
	ctx->ex.sqes = sysring_vmalloc_user(ctx->sqes_size);
	if (!ctx->ex.rings || !ctx->ex.sqes) {
		sysring_rings_free(ctx);
		return -ENOMEM;
	}

	sysring_rings_init(&ctx->ex);
	return 0;
}

void sysring_rings_free(struct sysring_ctx *ctx)
{
	vfree(ctx->ex.rings);
	vfree(ctx->ex.sqes);
	ctx->ex.rings = NULL;
	ctx->ex.sqes = NULL;
}

/*
 * Two regions: the ring headers with the CQEs at SYSRING_OFF_RINGS and the
 * SQE array at SYSRING_OFF_SQES.  Any other offset, or a length past the
 * region, is refused.
 */
int sysring_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct sysring_ctx *ctx = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	loff_t off = (loff_t)vma->vm_pgoff << PAGE_SHIFT;
	void *ptr;
	size_t size;

	switch (off) {
	case SYSRING_OFF_RINGS:
		ptr = ctx->ex.rings;
		size = ctx->rings_size;
		break;
	case SYSRING_OFF_SQES:
		ptr = ctx->ex.sqes;
		size = ctx->sqes_size;
		break;
	default:
		return -EINVAL;
	}
	/* A private or executable mapping would not be the shared ring. */
	if (len > size || !(vma->vm_flags & VM_SHARED) ||
	    (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	vm_flags_clear(vma, VM_MAYEXEC);
	return remap_vmalloc_range(vma, ptr, 0);
}

/* From sysring_cq_reserve(), in the submitter: it may sleep. */
struct sysring_ovf *sysring_env_ovf_alloc(struct sysring_exec *ex)
{
	return kmalloc(sysring_ovf_size(ex), GFP_KERNEL_ACCOUNT);
}

void sysring_env_ovf_free(struct sysring_exec *ex, struct sysring_ovf *ovf)
{
	kfree(ovf);
}
