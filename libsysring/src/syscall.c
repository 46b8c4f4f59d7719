/* SPDX-License-Identifier: MIT */
/*
 * The three sysring system calls, or the userspace backend behind them.
 *
 * SYSRING_BACKEND=kernel uses only the kernel, =user only the userspace
 * backend; unset, the userspace backend takes over when the kernel has no
 * sysring (ENOSYS).  enter and register follow the fd to its backend.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "syscall.h"
#include "backend.h"

enum sysring_backend_choice { BACKEND_AUTO, BACKEND_KERNEL, BACKEND_USER };

static enum sysring_backend_choice sysring_backend_choice(void)
{
	const char *v = getenv("SYSRING_BACKEND");

	if (v && !strcmp(v, "kernel"))
		return BACKEND_KERNEL;
	if (v && !strcmp(v, "user"))
		return BACKEND_USER;
	return BACKEND_AUTO;
}

#ifdef __NR_sysring_setup
/* syscall(2) reports through errno; hand back -errno instead. */
static int sysring_syscall_ret(long ret)
{
	return ret < 0 ? -errno : (int)ret;
}

static int sysring_kernel_setup(unsigned entries, struct sysring_params *p)
{
	return sysring_syscall_ret(syscall(__NR_sysring_setup, entries, p));
}

static int sysring_kernel_enter(unsigned fd, unsigned to_submit,
				unsigned min_complete, unsigned flags,
				const void *arg, size_t argsz)
{
	return sysring_syscall_ret(syscall(__NR_sysring_enter, fd, to_submit,
					   min_complete, flags, arg, argsz));
}

static int sysring_kernel_register(unsigned fd, unsigned opcode, void *arg,
				   unsigned nr_args)
{
	return sysring_syscall_ret(syscall(__NR_sysring_register, fd, opcode,
					   arg, nr_args));
}
#else
/* No syscall numbers for this architecture: only the userspace backend. */
static int sysring_kernel_setup(unsigned entries, struct sysring_params *p)
{
	(void)entries;
	(void)p;
	return -ENOSYS;
}

static int sysring_kernel_enter(unsigned fd, unsigned to_submit,
				unsigned min_complete, unsigned flags,
				const void *arg, size_t argsz)
{
	(void)to_submit;
	(void)min_complete;
	(void)flags;
	(void)arg;
	(void)argsz;
	return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EOPNOTSUPP;
}

static int sysring_kernel_register(unsigned fd, unsigned opcode, void *arg,
				   unsigned nr_args)
{
	(void)opcode;
	(void)arg;
	(void)nr_args;
	return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EOPNOTSUPP;
}
#endif

int __sys_sysring_setup(unsigned entries, struct sysring_params *p)
{
	enum sysring_backend_choice choice = sysring_backend_choice();
	int ret;

	if (choice == BACKEND_USER)
		return sysring_user_setup(entries, p);
	ret = sysring_kernel_setup(entries, p);
	if (ret == -ENOSYS && choice == BACKEND_AUTO)
		ret = sysring_user_setup(entries, p);
	return ret;
}

/* A kernel without sysring says ENOSYS even for fds that are no ring. */
static int sysring_not_a_ring(unsigned fd, int ret)
{
	if (ret != -ENOSYS)
		return ret;
	return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EOPNOTSUPP;
}

int __sys_sysring_enter2(unsigned fd, unsigned to_submit,
			 unsigned min_complete, unsigned flags,
			 const void *arg, size_t argsz)
{
	if (sysring_user_owns(fd))
		return sysring_user_enter(fd, to_submit, min_complete, flags,
					  arg, argsz);
	return sysring_not_a_ring(fd, sysring_kernel_enter(fd, to_submit,
							   min_complete, flags,
							   arg, argsz));
}

int __sys_sysring_enter(unsigned fd, unsigned to_submit,
			unsigned min_complete, unsigned flags)
{
	return __sys_sysring_enter2(fd, to_submit, min_complete, flags,
				    NULL, 0);
}

int __sys_sysring_register(unsigned fd, unsigned opcode, void *arg,
			   unsigned nr_args)
{
	if (sysring_user_owns(fd))
		return sysring_user_register(fd, opcode, arg, nr_args);
	return sysring_not_a_ring(fd, sysring_kernel_register(fd, opcode, arg,
							      nr_args));
}

static long sysring_ns_until(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000000000L +
	       (deadline->tv_nsec - now.tv_nsec);
}

int __sys_sysring_wait(int fd, const struct timespec *deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec rel;
	long ns;
	int ret;

	ns = sysring_ns_until(deadline);
	if (ns <= 0)
		return -ETIME;
	rel.tv_sec = ns / 1000000000L;
	rel.tv_nsec = ns % 1000000000L;
	/* A kernel ring is readable while its CQ holds a completion. */
	ret = ppoll(&pfd, 1, &rel, NULL);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIME;
	return pfd.revents & POLLNVAL ? -EBADF : 0;
}

void __sys_sysring_close(int fd)
{
	sysring_user_release(fd);
	close(fd);
}
