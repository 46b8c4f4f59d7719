/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <unistd.h>

#include "syscall.h"

#ifdef __NR_sysring_setup
/* syscall(2) reports through errno; hand back -errno instead. */
static int sysring_syscall_ret(long ret)
{
	return ret < 0 ? -errno : (int)ret;
}

int __sys_sysring_setup(unsigned entries, struct sysring_params *p)
{
	return sysring_syscall_ret(syscall(__NR_sysring_setup, entries, p));
}

int __sys_sysring_enter(unsigned fd, unsigned to_submit,
			unsigned min_complete, unsigned flags)
{
	return sysring_syscall_ret(syscall(__NR_sysring_enter, fd, to_submit,
					   min_complete, flags));
}

int __sys_sysring_register(unsigned fd, unsigned opcode, void *arg,
			   unsigned nr_args)
{
	return sysring_syscall_ret(syscall(__NR_sysring_register, fd, opcode,
					   arg, nr_args));
}
#else
/* No syscall numbers for this architecture: there is no sysring here. */
int __sys_sysring_setup(unsigned entries, struct sysring_params *p)
{
	(void)entries;
	(void)p;
	return -ENOSYS;
}

int __sys_sysring_enter(unsigned fd, unsigned to_submit,
			unsigned min_complete, unsigned flags)
{
	(void)fd;
	(void)to_submit;
	(void)min_complete;
	(void)flags;
	return -ENOSYS;
}

int __sys_sysring_register(unsigned fd, unsigned opcode, void *arg,
			   unsigned nr_args)
{
	(void)fd;
	(void)opcode;
	(void)arg;
	(void)nr_args;
	return -ENOSYS;
}
#endif
