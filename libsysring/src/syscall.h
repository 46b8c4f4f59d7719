/* SPDX-License-Identifier: MIT */
#ifndef LIBSYSRING_SYSCALL_H
#define LIBSYSRING_SYSCALL_H

#include "sysring.h"

/* Raw system calls: they return -errno on failure, never touch errno. */
int __sys_sysring_setup(unsigned entries, struct sysring_params *p);
int __sys_sysring_enter(unsigned fd, unsigned to_submit,
			unsigned min_complete, unsigned flags);
int __sys_sysring_register(unsigned fd, unsigned opcode, void *arg,
			   unsigned nr_args);
/* Close a ring fd, releasing what the userspace backend holds for it. */
void __sys_sysring_close(int fd);

#endif /* LIBSYSRING_SYSCALL_H */
