// SPDX-License-Identifier: MIT
/*
 * The userspace environment of the shared VM core: system calls through
 * syscall(2), user memory through process_vm_readv/writev on this very
 * process so that a bad address becomes EFAULT, as it does in the kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vm.h"

static int sysring_env_rw(void *local, u64 remote, u32 size, bool write)
{
	struct iovec l = { .iov_base = local, .iov_len = size };
	struct iovec r = { .iov_base = (void *)(uintptr_t)remote,
			   .iov_len = size };
	ssize_t n;

	if (!size)
		return 0;
	/* Not cached: a forked child is another process. */
	n = write ? process_vm_writev(getpid(), &l, 1, &r, 1, 0) :
		    process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	return n == (ssize_t)size ? 0 : -EFAULT;
}

int sysring_env_load(void *dst, u64 uaddr, u32 size)
{
	return sysring_env_rw(dst, uaddr, size, false);
}

int sysring_env_store(u64 uaddr, const void *src, u32 size)
{
	return sysring_env_rw((void *)src, uaddr, size, true);
}

void sysring_vm_impossible(unsigned int code)
{
	fprintf(stderr, "sysring: opcode %#x passed the checker\n", code);
	abort();
}

void sysring_cq_impossible(void)
{
	fprintf(stderr, "sysring: a completion found no overflow entry\n");
	abort();
}

struct sysring_ovf *sysring_env_ovf_alloc(struct sysring_exec *ex)
{
	return malloc(sysring_ovf_size(ex));
}

void sysring_env_ovf_free(struct sysring_exec *ex, struct sysring_ovf *ovf)
{
	(void)ex;
	free(ovf);
}
