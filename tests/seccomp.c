/* SPDX-License-Identifier: MIT */
/* Description: SYS passes the task's seccomp filter: ERRNO, a KILL, and allowed calls */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define T_ERRNO	42	/* what the filter makes getppid fail with */

/* Filter getppid with @action; allow everything else. */
static int install_filter(__u32 action)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(insns), .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* getppid then getpid in one block, errors kept: r2 = getppid, r3 = getpid. */
static const struct sysring_insn prog[] = {
	SR_SYS_KEEPERR(2, __NR_getppid, 0, 0),
	SR_SYS(3, __NR_getpid, 0, 0),
	SR_EXIT(2),
};

/* In a child: the filter applies to the block's SYS exactly as to a call. */
static int child_errno(void)
{
	struct sysring ring;
	struct t_cqe c;
	int ret;

	t_ring_init_snap(&ring, 4, 4);
	if (install_filter(SECCOMP_RET_ERRNO | T_ERRNO))
		return T_EXIT_FAIL;
	T_EQ(syscall(__NR_getppid), -1);
	T_EQ(errno, T_ERRNO);
	ret = t_run_insns(&ring, prog, ARRAY_SIZE(prog), 0, NULL, 0, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, -T_ERRNO);
	T_EQ(t_reg(&c, 3), getpid());
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

static int child_kill(void)
{
	struct sysring ring;
	struct t_cqe c;

	t_ring_init_snap(&ring, 4, 4);
	if (install_filter(SECCOMP_RET_KILL_PROCESS))
		return T_EXIT_FAIL;
	t_run_insns(&ring, prog, ARRAY_SIZE(prog), 0, NULL, 0, &c);
	/* Not reached: the filter kills the process. */
	return T_EXIT_FAIL;
}

/* Run @fn in a child; return its wait status. */
static int run_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

int main(void)
{
	struct sysring ring;
	int status;

	/* Exits 77 here when there is no sysring at all. */
	t_ring_init(&ring, 4, NULL);
	sysring_queue_exit(&ring);

	status = run_child(child_errno);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != T_EXIT_PASS) {
		fprintf(stderr, "errno child: status %#x\n", status);
		return T_EXIT_FAIL;
	}
	status = run_child(child_kill);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS) {
		fprintf(stderr, "kill child: status %#x, expected SIGSYS\n",
			status);
		return T_EXIT_FAIL;
	}
	return T_EXIT_PASS;
}
