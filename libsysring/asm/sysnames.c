// SPDX-License-Identifier: MIT
/*
 * Names of the system calls a SYS instruction may run: the allow-list of
 * linux/sysring/opdef.c, in its order.  tests/asm-roundtrip.c checks that
 * the two lists agree.
 */
#include <string.h>
#include <sys/syscall.h>

#include "asm.h"

#define SC(name)	{ #name, __NR_##name }

static const struct {
	const char	*name;
	int		nr;
} sysring_asm_sysnames[] = {
	SC(read),
	SC(write),
	SC(pread64),
	SC(pwrite64),
	SC(readv),
	SC(writev),
	SC(preadv),
	SC(pwritev),
	SC(preadv2),
	SC(pwritev2),
	SC(lseek),
	SC(open),
	SC(openat),
	SC(openat2),
	SC(creat),
	SC(close),
	SC(close_range),
	SC(dup),
	SC(dup2),
	SC(dup3),
	SC(fcntl),
	SC(flock),
	SC(stat),
	SC(fstat),
	SC(lstat),
	SC(newfstatat),
	SC(statx),
	SC(statfs),
	SC(fstatfs),
	SC(access),
	SC(faccessat),
	SC(faccessat2),
	SC(getdents64),
	SC(getcwd),
	SC(readlink),
	SC(readlinkat),
	SC(fsync),
	SC(fdatasync),
	SC(sync_file_range),
	SC(syncfs),
	SC(truncate),
	SC(ftruncate),
	SC(fallocate),
	SC(fadvise64),
	SC(mkdir),
	SC(mkdirat),
	SC(rmdir),
	SC(unlink),
	SC(unlinkat),
	SC(rename),
	SC(renameat),
	SC(renameat2),
	SC(link),
	SC(linkat),
	SC(symlink),
	SC(symlinkat),
	SC(mknodat),
	SC(chmod),
	SC(fchmod),
	SC(fchmodat),
	SC(chown),
	SC(fchown),
	SC(fchownat),
	SC(utimensat),
	SC(pipe),
	SC(pipe2),
	SC(splice),
	SC(tee),
	SC(vmsplice),
	SC(sendfile),
	SC(copy_file_range),
	SC(memfd_create),
	SC(eventfd2),
	SC(timerfd_create),
	SC(timerfd_settime),
	SC(timerfd_gettime),
	SC(poll),
	SC(ppoll),
	SC(select),
	SC(pselect6),
	SC(epoll_create1),
	SC(epoll_ctl),
	SC(epoll_wait),
	SC(epoll_pwait),
	SC(epoll_pwait2),
	SC(socket),
	SC(socketpair),
	SC(bind),
	SC(listen),
	SC(accept),
	SC(accept4),
	SC(connect),
	SC(shutdown),
	SC(sendto),
	SC(recvfrom),
	SC(sendmsg),
	SC(recvmsg),
	SC(sendmmsg),
	SC(recvmmsg),
	SC(getsockname),
	SC(getpeername),
	SC(setsockopt),
	SC(getsockopt),
	SC(mmap),
	SC(munmap),
	SC(mprotect),
	SC(madvise),
	SC(mremap),
	SC(msync),
	SC(mincore),
	SC(mlock),
	SC(munlock),
	SC(futex),
	SC(nanosleep),
	SC(clock_nanosleep),
	SC(clock_gettime),
	SC(clock_getres),
	SC(gettimeofday),
	SC(time),
	SC(sched_yield),
	SC(getpid),
	SC(getppid),
	SC(gettid),
	SC(getuid),
	SC(geteuid),
	SC(getgid),
	SC(getegid),
	SC(getgroups),
	SC(getpgid),
	SC(getpgrp),
	SC(getsid),
	SC(getrlimit),
	SC(getrusage),
	SC(getpriority),
	SC(sysinfo),
	SC(uname),
	SC(times),
	SC(getcpu),
	SC(getrandom),
	SC(kill),
	SC(umask),
	SC(chdir),
	SC(fchdir),
	SC(wait4),
	SC(waitid),
};

#define NR_SYSNAMES	(sizeof(sysring_asm_sysnames) / sizeof(sysring_asm_sysnames[0]))

/* The number of syscall @name (@len bytes), or -1. */
int sysring_asm_sysnr(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NR_SYSNAMES; i++) {
		if (strlen(sysring_asm_sysnames[i].name) == len &&
		    !memcmp(sysring_asm_sysnames[i].name, name, len))
			return sysring_asm_sysnames[i].nr;
	}
	return -1;
}

/* The name of syscall @nr, or NULL. */
const char *sysring_asm_sysname(int nr)
{
	size_t i;

	for (i = 0; i < NR_SYSNAMES; i++) {
		if (sysring_asm_sysnames[i].nr == nr)
			return sysring_asm_sysnames[i].name;
	}
	return NULL;
}
