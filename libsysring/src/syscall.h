/* SPDX-License-Identifier: MIT */
#ifndef LIBSYSRING_SYSCALL_H
#define LIBSYSRING_SYSCALL_H

#include <stddef.h>
#include <time.h>

#include "sysring.h"

/* Raw system calls: they return -errno on failure, never touch errno. */
int __sys_sysring_setup(unsigned entries, struct sysring_params *p);
int __sys_sysring_enter2(unsigned fd, unsigned to_submit,
			 unsigned min_complete, unsigned flags,
			 const void *arg, size_t argsz);
/* The same without an extended argument (NULL, 0). */
int __sys_sysring_enter(unsigned fd, unsigned to_submit,
			unsigned min_complete, unsigned flags);
int __sys_sysring_register(unsigned fd, unsigned opcode, void *arg,
			   unsigned nr_args);
/*
 * Wait until the ring's CQ is not empty or the CLOCK_MONOTONIC @deadline
 * passes (-ETIME), with poll(2): for kernels without SYSRING_FEAT_EXT_ARG
 * (the userspace backend has it).
 */
int __sys_sysring_wait(int fd, const struct timespec *deadline);
/* Close a ring fd, releasing what the userspace backend holds for it. */
void __sys_sysring_close(int fd);

#endif /* LIBSYSRING_SYSCALL_H */
