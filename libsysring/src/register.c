/* SPDX-License-Identifier: MIT */
#include "syscall.h"

/*
 * Returns the program's index.  On a checker rejection (-EINVAL) @out, when
 * given, holds the reason and the offending instruction.
 */
int sysring_register_prog(struct sysring *ring,
			  const struct sysring_insn *insns, unsigned len,
			  struct sysring_prog_reg *out)
{
	struct sysring_prog_reg reg;
	int ret;

	if (!ring)
		return -EINVAL;
	memset(&reg, 0, sizeof(reg));
	reg.insns = (__u64)(unsigned long)insns;
	reg.len = len;
	ret = __sys_sysring_register(ring->ring_fd, SYSRING_REGISTER_PROG,
				     &reg, 1);
	if (out)
		*out = reg;
	return ret;
}

int sysring_unregister_prog(struct sysring *ring, unsigned index)
{
	if (!ring)
		return -EINVAL;
	return __sys_sysring_register(ring->ring_fd, SYSRING_UNREGISTER_PROG,
				      NULL, index);
}

int sysring_probe(struct sysring *ring, struct sysring_probe *p)
{
	if (!ring || !p)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	return __sys_sysring_register(ring->ring_fd, SYSRING_REGISTER_PROBE,
				      p, 1);
}

int sysring_register_workers(struct sysring *ring, unsigned max_workers)
{
	if (!ring)
		return -EINVAL;
	return __sys_sysring_register(ring->ring_fd, SYSRING_REGISTER_WORKERS,
				      NULL, max_workers);
}

/* io_uring_register_sync_cancel() without the wait; see its man page. */
int sysring_register_cancel(struct sysring *ring, __u64 user_data,
			    unsigned flags)
{
	struct sysring_cancel_reg reg;

	if (!ring)
		return -EINVAL;
	memset(&reg, 0, sizeof(reg));
	reg.user_data = user_data;
	reg.flags = flags;
	return __sys_sysring_register(ring->ring_fd, SYSRING_REGISTER_CANCEL,
				      &reg, 1);
}

int sysring_register_eventfd(struct sysring *ring, int fd)
{
	if (!ring)
		return -EINVAL;
	return __sys_sysring_register(ring->ring_fd, SYSRING_REGISTER_EVENTFD,
				      &fd, 1);
}

int sysring_unregister_eventfd(struct sysring *ring)
{
	if (!ring)
		return -EINVAL;
	return __sys_sysring_register(ring->ring_fd,
				      SYSRING_UNREGISTER_EVENTFD, NULL, 0);
}
