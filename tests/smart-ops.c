/* SPDX-License-Identifier: MIT */
/* Description: XFER, READN, WRITET and WAIT: loops, EOF, timeouts, signals, caps, budget and seccomp */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define MS		1000000ULL	/* ns */
#define FILE_LEN	10000
#define T_ERRNO		42	/* what the seccomp filter fails calls with */
/* Generous: the VM runs under TCG on a shared CPU. */
#define SLACK_MS	10000

static unsigned char file_data[FILE_LEN];

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* r0 = the instruction's result with operands r1..; EXIT r0. */
static int run1(struct sysring *ring, struct sysring_insn insn,
		const __u64 *regs, unsigned nregs, struct t_cqe *c)
{
	const struct sysring_insn insns[2] = { insn, SR_EXIT(0) };

	return t_run_insns(ring, insns, 2, 1, regs, nregs, c);
}

/* The same, expecting a normal EXIT with @want. */
static int expect1(struct sysring *ring, struct sysring_insn insn,
		   const __u64 *regs, unsigned nregs, long long want)
{
	struct t_cqe c;

	T_EQ(run1(ring, insn, regs, nregs, &c), 0);
	T_EXPECT(&c, SYSRING_STATUS_EXIT, want);
	return T_EXIT_PASS;
}

/* The same, expecting the block to stop on the instruction with -@err. */
static int expect_err(struct sysring *ring, struct sysring_insn insn,
		      const __u64 *regs, unsigned nregs, int err)
{
	struct t_cqe c;

	T_EQ(run1(ring, insn, regs, nregs, &c), 0);
	T_EXPECT(&c, SYSRING_STATUS_ERROR, -err);
	T_EQ(c.pc, 0);
	/* With KEEPERR the -errno is the result instead. */
	insn.mod |= SYSRING_IO_KEEPERR;
	return expect1(ring, insn, regs, nregs, -err);
}

static int readn_pipe(struct sysring *ring)
{
	char buf[64] = { 0 };
	int p[2], status;
	pid_t pid;

	T_EQ(pipe(p), 0);
	/* Three small writes, apart in time: one READN collects them all. */
	pid = fork();
	T_CHECK(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (write(p[1], "abc", 3) != 3)
			_exit(1);
		usleep(20000);
		if (write(p[1], "defg", 4) != 4)
			_exit(1);
		usleep(20000);
		if (write(p[1], "hij", 3) != 3)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	{
		const __u64 regs[4] = { p[0], t_ptr(buf), sizeof(buf), 10 };

		T_RUN(expect1, ring, SR_READN(0, 1, 0), regs, 4, 10);
	}
	T_CHECK(!memcmp(buf, "abcdefghij", 10));
	T_EQ(waitpid(pid, &status, 0), pid);
	T_CHECK(WIFEXITED(status) && !WEXITSTATUS(status));
	close(p[0]);

	/* Short only at EOF: 3 bytes then no writer. */
	T_EQ(pipe(p), 0);
	T_EQ(write(p[1], "xyz", 3), 3);
	close(p[1]);
	{
		const __u64 regs[4] = { p[0], t_ptr(buf), sizeof(buf), 10 };

		T_RUN(expect1, ring, SR_READN(0, 1, 0), regs, 4, 3);
		T_CHECK(!memcmp(buf, "xyz", 3));
		T_RUN(expect1, ring, SR_READN(0, 1, 0), regs, 4, 0);
	}
	close(p[0]);

	/* A minimum of 0 is one plain read. */
	T_EQ(pipe(p), 0);
	T_EQ(write(p[1], "12345", 5), 5);
	{
		const __u64 regs[4] = { p[0], t_ptr(buf), 2, 0 };

		T_RUN(expect1, ring, SR_READN(0, 1, 0), regs, 4, 2);
		T_CHECK(!memcmp(buf, "12", 2));
	}
	close(p[0]);
	close(p[1]);
	return T_EXIT_PASS;
}

/* Read exactly @len bytes from @fd and compare them with @want. */
static int drain_cmp(int fd, const void *want, size_t len)
{
	static unsigned char got[FILE_LEN];
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, got + done, len - done);
		T_CHECK(n > 0);
		done += n;
	}
	T_CHECK(!memcmp(got, want, len));
	return T_EXIT_PASS;
}

/* XFER from the file to @out (read back at @back): part, rest, EOF. */
static int xfer_file_to(struct sysring *ring, const char *path, int out,
			int back)
{
	int in = open(path, O_RDONLY);

	T_CHECK(in >= 0);
	{
		const __u64 part[3] = { out, in, 4000 };
		const __u64 more[3] = { out, in, 100000 };

		T_RUN(expect1, ring, SR_XFER(0, 1, 0), part, 3, 4000);
		T_RUN(drain_cmp, back, file_data, 4000);
		T_RUN(expect1, ring, SR_XFER(0, 1, 0), more, 3,
		      FILE_LEN - 4000);
		T_RUN(drain_cmp, back, file_data + 4000, FILE_LEN - 4000);
		T_RUN(expect1, ring, SR_XFER(0, 1, 0), more, 3, 0);
	}
	close(in);
	return T_EXIT_PASS;
}

static int xfer(struct sysring *ring, const char *path)
{
	int p[2], s[2];

	T_EQ(pipe(p), 0);
	T_RUN(xfer_file_to, ring, path, p[1], p[0]);
	T_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
	T_RUN(xfer_file_to, ring, path, s[0], s[1]);

	/* SPLICE: pipe to socket, until the pipe's EOF. */
	T_EQ(write(p[1], file_data, 5000), 5000);
	close(p[1]);
	{
		const __u64 regs[3] = { s[0], p[0], 100000 };

		T_RUN(expect1, ring, SR_XFER(0, 1, SYSRING_XFER_SPLICE), regs,
		      3, 5000);
		T_RUN(drain_cmp, s[1], file_data, 5000);
	}
	/* Count 0 moves nothing. */
	{
		const __u64 regs[3] = { s[0], p[0], 0 };

		T_RUN(expect1, ring, SR_XFER(0, 1, 0), regs, 3, 0);
	}
	close(p[0]);
	close(s[0]);
	close(s[1]);
	return T_EXIT_PASS;
}

/* Fill the pipe's write end until it would block; the end stays blocking. */
static int fill_pipe(int wfd)
{
	static const char junk[4096];
	int fl = fcntl(wfd, F_GETFL);

	T_EQ(fcntl(wfd, F_SETFL, fl | O_NONBLOCK), 0);
	while (write(wfd, junk, sizeof(junk)) > 0)
		;
	T_EQ(errno, EAGAIN);
	T_EQ(fcntl(wfd, F_SETFL, fl), 0);
	return T_EXIT_PASS;
}

static int writet(struct sysring *ring)
{
	static unsigned char back[FILE_LEN];
	unsigned long long t0, dt;
	struct t_cqe c;
	int p[2];

	/* Completes: 10000 bytes in steps of SYSRING_WRITET_STEP. */
	T_EQ(pipe(p), 0);
	{
		const __u64 regs[4] = { p[1], t_ptr(file_data), FILE_LEN,
					1000 * MS };

		T_RUN(expect1, ring, SR_WRITET(0, 1, 0), regs, 4, FILE_LEN);
		T_EQ(read(p[0], back, FILE_LEN), FILE_LEN);
		T_CHECK(!memcmp(back, file_data, FILE_LEN));
	}

	/* Times out on a full pipe, blocking or not: -ETIMEDOUT. */
	T_RUN(fill_pipe, p[1]);
	{
		const __u64 regs[4] = { p[1], t_ptr(file_data), 100, 50 * MS };

		t0 = now_ms();
		T_RUN(expect_err, ring, SR_WRITET(0, 1, 0), regs, 4,
		      ETIMEDOUT);
		dt = now_ms() - t0;
		/* Two runs of at least 50 ms each. */
		T_CHECK(dt >= 90 && dt < SLACK_MS);
	}
	close(p[0]);
	close(p[1]);

	/* Room for one step only: the result is short, the rest timed out. */
	T_EQ(pipe(p), 0);
	T_EQ(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
	{
		const __u64 regs[4] = { p[1], t_ptr(file_data), 8192, 30 * MS };

		T_RUN(expect1, ring, SR_WRITET(0, 1, 0), regs, 4, 4096);
	}

	/* No readers: the write's own error. */
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	{
		const __u64 regs[4] = { p[1], t_ptr(file_data), 10, 30 * MS };

		T_EQ(run1(ring, SR_WRITET(0, 1, 0), regs, 4, &c), 0);
		T_EXPECT(&c, SYSRING_STATUS_ERROR, -EPIPE);
	}
	close(p[1]);
	return T_EXIT_PASS;
}

static int wait_ready(struct sysring *ring)
{
	unsigned long long t0, dt;
	int p[2];

	T_EQ(pipe(p), 0);
	{
		const __u64 in30[2] = { p[0], 30 * MS };
		const __u64 in0[2] = { p[0], 0 };
		const __u64 out[2] = { p[1], 0 };

		/* Nothing to read: 0 after the timeout, at once with 0. */
		t0 = now_ms();
		T_RUN(expect1, ring, SR_WAIT(0, 1, POLLIN, 0), in30, 2, 0);
		dt = now_ms() - t0;
		T_CHECK(dt >= 25 && dt < SLACK_MS);
		T_RUN(expect1, ring, SR_WAIT(0, 1, POLLIN, 0), in0, 2, 0);

		T_RUN(expect1, ring, SR_WAIT(0, 1, POLLOUT, 0), out, 2,
		      POLLOUT);
		T_EQ(write(p[1], "x", 1), 1);
		t0 = now_ms();
		T_RUN(expect1, ring, SR_WAIT(0, 1, POLLIN | POLLOUT, 0), in30,
		      2, POLLIN);
		T_CHECK(now_ms() - t0 < SLACK_MS);
		/* POLLHUP comes unasked once the writer is gone. */
		close(p[1]);
		T_RUN(expect1, ring, SR_WAIT(0, 1, POLLIN, 0), in0, 2,
		      POLLIN | POLLHUP);
	}
	close(p[0]);
	{
		/* A closed descriptor is -EBADF, not POLLNVAL. */
		const __u64 bad[2] = { p[0], 0 };

		T_RUN(expect_err, ring, SR_WAIT(0, 1, POLLIN, 0), bad, 2,
		      EBADF);
	}
	return T_EXIT_PASS;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A signal ends a wait with -EINTR, long before its timeout. */
static int wait_signal(struct sysring *ring)
{
	const struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	const struct sysring_insn insns[2] = {
		SR_WAIT(0, 1, POLLIN, SYSRING_IO_KEEPERR), SR_EXIT(0),
	};
	struct sysring_cqe *cqe;
	unsigned long long t0;
	struct sysring_sqe *sqe;
	int p[2], ret;
	__u64 regs[2];

	T_EQ(pipe(p), 0);
	regs[0] = p[0];
	regs[1] = 5000 * MS;
	T_EQ(sigaction(SIGALRM, &sa, NULL), 0);
	sqe = t_get_sqe(ring);
	sysring_prep_insns(sqe, insns, 2);
	sysring_sqe_set_regs(sqe, 1, regs, 2);
	t0 = now_ms();
	T_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
	do {
		ret = sysring_submit_and_wait(ring, 1);
	} while (ret == -EINTR);
	T_CHECK(ret >= 0);
	do {
		ret = sysring_wait_cqe(ring, &cqe);
	} while (ret == -EINTR);
	T_EQ(ret, 0);
	T_EQ(cqe->status, SYSRING_STATUS_EXIT);
	T_EQ(cqe->res, -EINTR);
	sysring_cqe_seen(ring, cqe);
	T_CHECK(now_ms() - t0 < 4000);
	close(p[0]);
	close(p[1]);
	return T_EXIT_PASS;
}

/* The child of wait_killed: a worker waits 50 s on a pipe nobody writes. */
static int child_waiting(int ready)
{
	const struct sysring_insn insns[2] = {
		SR_WAIT(0, 1, POLLIN, 0), SR_EXIT(0),
	};
	struct sysring_sqe *sqe;
	struct sysring ring;
	__u64 regs[2];
	int p[2];

	t_ring_init(&ring, 4, NULL);
	T_EQ(pipe(p), 0);
	regs[0] = p[0];
	regs[1] = 50000 * MS;
	sqe = t_get_sqe(&ring);
	sysring_prep_insns(sqe, insns, 2);
	sysring_sqe_set_regs(sqe, 1, regs, 2);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	T_EQ(sysring_submit(&ring), 1);
	T_EQ(write(ready, "r", 1), 1);
	pause();
	return T_EXIT_FAIL;
}

/*
 * SIGKILL ends a process whose worker sleeps in WAIT at once: the wait is
 * interruptible, so the worker does not hold the exit up for 50 s.
 */
static int wait_killed(struct sysring *ring)
{
	unsigned long long t0;
	int p[2], status;
	char c;
	pid_t pid;

	if (!(ring->features & SYSRING_FEAT_ASYNC)) {
		fprintf(stderr, "wait_killed: no SYSRING_FEAT_ASYNC, skipped\n");
		return T_EXIT_PASS;
	}
	T_EQ(pipe(p), 0);
	pid = fork();
	T_CHECK(pid >= 0);
	if (pid == 0)
		_exit(child_waiting(p[1]));
	T_EQ(read(p[0], &c, 1), 1);
	usleep(200000);		/* let the worker reach its wait */
	t0 = now_ms();
	T_EQ(kill(pid, SIGKILL), 0);
	T_EQ(waitpid(pid, &status, 0), pid);
	T_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	T_CHECK(now_ms() - t0 < SLACK_MS);
	close(p[0]);
	close(p[1]);
	return T_EXIT_PASS;
}

/*
 * One round of an echo server (libsysring/asm/examples/echo.sr): WAIT,
 * READN, WRITET in one registered program.  r1 socket, r2 timeout, r4
 * buffer, r5 its size.
 */
static const struct sysring_insn echo_prog[] = {
	SR_WAIT(0, 1, POLLIN, 0),
	SR_JMP_K(JEQ, 0, 0, 9),
	SR_MOV(3, 1),
	SR_MOV_K(6, 1),
	SR_READN(0, 3, 0),
	SR_JMP_K(JEQ, 0, 0, 5),
	SR_MOV(7, 1),
	SR_MOV(8, 4),
	SR_MOV(9, 0),
	SR_MOV(10, 2),
	SR_WRITET(0, 7, 0),
	SR_EXIT(0),
};

static int echo_round(struct sysring *ring)
{
	char buf[64], back[8];
	struct sysring_sqe *sqe;
	struct t_cqe c;
	__u64 regs[5];
	int s[2], idx;

	T_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
	idx = sysring_register_prog(ring, echo_prog, ARRAY_SIZE(echo_prog),
				    NULL);
	T_CHECK(idx >= 0);
	regs[0] = s[0];
	regs[1] = 20 * MS;
	regs[2] = 0;
	regs[3] = t_ptr(buf);
	regs[4] = sizeof(buf);

	T_EQ(write(s[1], "ping", 4), 4);
	sqe = t_get_sqe(ring);
	sysring_prep_prog(sqe, idx);
	sysring_sqe_set_regs(sqe, 1, regs, 5);
	T_EQ(t_submit_reap(ring, &c, 1), 0);
	T_EXPECT(&c, SYSRING_STATUS_EXIT, 4);
	T_EQ(read(s[1], back, sizeof(back)), 4);
	T_CHECK(!memcmp(back, "ping", 4));

	/* A quiet client: 0 after the timeout, nothing written. */
	sqe = t_get_sqe(ring);
	sysring_prep_prog(sqe, idx);
	sysring_sqe_set_regs(sqe, 1, regs, 5);
	T_EQ(t_submit_reap(ring, &c, 1), 0);
	T_EXPECT(&c, SYSRING_STATUS_EXIT, 0);
	T_EQ(c.pc, ARRAY_SIZE(echo_prog) - 1);
	T_EQ(sysring_unregister_prog(ring, idx), 0);
	close(s[0]);
	close(s[1]);
	return T_EXIT_PASS;
}

/* Every further step costs budget: WRITET of 3 steps with budget 3. */
static int budget(struct sysring *ring)
{
	const struct sysring_insn insns[2] = { SR_WRITET(0, 1, 0), SR_EXIT(0) };
	struct t_cqe c;
	struct sysring_sqe *sqe;
	__u64 regs[4];
	int p[2];

	T_EQ(pipe(p), 0);
	regs[0] = p[1];
	regs[1] = t_ptr(file_data);
	regs[2] = 3 * SYSRING_WRITET_STEP;
	regs[3] = 1000 * MS;
	sqe = t_get_sqe(ring);
	sysring_prep_insns(sqe, insns, 2);
	sysring_sqe_set_regs(sqe, 1, regs, 4);
	/* The instruction, then wait (its own), write, wait: out. */
	sysring_sqe_set_budget(sqe, 3);
	T_EQ(t_submit_reap(ring, &c, 1), 0);
	T_EXPECT(&c, SYSRING_STATUS_BUDGET, -ETIME);
	T_EQ(c.pc, 0);
	T_EQ(c.insns, 3);
	/* The progress is in r[dst]. */
	T_EQ(t_reg(&c, 0), SYSRING_WRITET_STEP);
	close(p[0]);
	close(p[1]);
	return T_EXIT_PASS;
}

/* Run-time limits: each one's errno, with and without KEEPERR. */
static int caps(struct sysring *ring)
{
	char buf[16];
	const __u64 readn_big[4] = { 0, t_ptr(buf), SYSRING_RW_MAX + 1, 0 };
	const __u64 readn_min[4] = { 0, t_ptr(buf), 4, 5 };
	const __u64 readn_fd[4] = { (__u64)-1, t_ptr(buf), 4, 0 };
	const __u64 xfer_big[3] = { 1, 0, SYSRING_XFER_MAX + 1ULL };
	const __u64 xfer_fd[3] = { 1ULL << 32, 0, 1 };
	const __u64 writet_big[4] = { 1, t_ptr(buf), SYSRING_RW_MAX + 1, 0 };
	const __u64 writet_tmo[4] = { 1, t_ptr(buf), 1,
				      SYSRING_TIMEOUT_MAX_NS + 1 };
	const __u64 wait_tmo[2] = { 0, SYSRING_TIMEOUT_MAX_NS + 1 };
	const __u64 wait_fd[2] = { 0x80000000ULL, 0 };

	T_RUN(expect_err, ring, SR_READN(0, 1, 0), readn_big, 4, E2BIG);
	T_RUN(expect_err, ring, SR_READN(0, 1, 0), readn_min, 4, EINVAL);
	T_RUN(expect_err, ring, SR_READN(0, 1, 0), readn_fd, 4, EBADF);
	T_RUN(expect_err, ring, SR_XFER(0, 1, 0), xfer_big, 3, E2BIG);
	T_RUN(expect_err, ring, SR_XFER(0, 1, 0), xfer_fd, 3, EBADF);
	T_RUN(expect_err, ring, SR_WRITET(0, 1, 0), writet_big, 4, E2BIG);
	T_RUN(expect_err, ring, SR_WRITET(0, 1, 0), writet_tmo, 4, EINVAL);
	T_RUN(expect_err, ring, SR_WAIT(0, 1, POLLIN, 0), wait_tmo, 2, EINVAL);
	T_RUN(expect_err, ring, SR_WAIT(0, 1, POLLIN, 0), wait_fd, 2, EBADF);
	return T_EXIT_PASS;
}

struct reject_case {
	const char		*name;
	struct sysring_insn	insn;
	unsigned		reason;
};

/* Fields the checker refuses, each with its reason. */
static const struct reject_case rejects[] = {
	{ "READN mod bit 0", SR_READN(0, 1, 1), SYSRING_CHECK_BAD_MOD },
	{ "WAIT splice", SR_WAIT(0, 1, POLLIN, SYSRING_XFER_SPLICE),
	  SYSRING_CHECK_BAD_MOD },
	{ "XFER mod 0x02", SR_XFER(0, 1, 0x02), SYSRING_CHECK_BAD_MOD },
	{ "XFER imm", SR_INSN(SYSRING_OP_XFER, 0, 1, 0, 1),
	  SYSRING_CHECK_RESERVED },
	{ "READN imm", SR_INSN(SYSRING_OP_READN, 0, 1, 0, 4),
	  SYSRING_CHECK_RESERVED },
	{ "WRITET imm", SR_INSN(SYSRING_OP_WRITET, 0, 1, 0, -1),
	  SYSRING_CHECK_RESERVED },
	{ "WAIT POLLERR", SR_WAIT(0, 1, POLLERR, 0), SYSRING_CHECK_RESERVED },
	{ "WAIT 0x10000", SR_WAIT(0, 1, 0x10000, 0), SYSRING_CHECK_RESERVED },
	{ "XFER r254..", SR_XFER(0, 254, 0), SYSRING_CHECK_BAD_REG },
	{ "READN r253..", SR_READN(0, 253, 0), SYSRING_CHECK_BAD_REG },
	{ "WRITET r255..", SR_WRITET(0, 255, 0), SYSRING_CHECK_BAD_REG },
	{ "WAIT r255..", SR_WAIT(0, 255, POLLIN, 0), SYSRING_CHECK_BAD_REG },
};

/* The last windows that fit, and every allowed bit. */
static const struct sysring_insn accepts[] = {
	SR_XFER(0, 253, SYSRING_IO_KEEPERR | SYSRING_XFER_SPLICE),
	SR_READN(255, 252, SYSRING_IO_KEEPERR),
	SR_WRITET(0, 252, 0),
	SR_WAIT(0, 254, SYSRING_WAIT_EVENTS, SYSRING_IO_KEEPERR),
	SR_WAIT(0, 1, POLLIN | POLLOUT | POLLPRI | POLLRDHUP, 0),
};

static int checker(struct sysring *ring)
{
	struct sysring_prog_reg reg;
	struct sysring_insn prog[2];
	unsigned i;
	int ret;

	prog[1] = SR_EXIT(0);
	for (i = 0; i < ARRAY_SIZE(rejects); i++) {
		prog[0] = rejects[i].insn;
		ret = sysring_register_prog(ring, prog, 2, &reg);
		if (ret != -EINVAL || reg.reason != rejects[i].reason ||
		    reg.pc != 0) {
			fprintf(stderr, "%s: ret %d reason %u pc %u, expected "
				"reason %u\n", rejects[i].name, ret, reg.reason,
				reg.pc, rejects[i].reason);
			return T_EXIT_FAIL;
		}
	}
	for (i = 0; i < ARRAY_SIZE(accepts); i++) {
		prog[0] = accepts[i];
		ret = sysring_register_prog(ring, prog, 2, &reg);
		if (ret < 0) {
			fprintf(stderr, "accepts[%u]: ret %d reason %u\n", i,
				ret, reg.reason);
			return T_EXIT_FAIL;
		}
		T_EQ(sysring_unregister_prog(ring, ret), 0);
	}
	return T_EXIT_PASS;
}

/* ---- seccomp: a filter denying the underlying call fails the op ---- */

static int deny_nr;
static const char *file_path;

static int install_filter(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, deny_nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | T_ERRNO),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(insns), .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* In a child with the filter on deny_nr: the op built on it fails. */
static int child_seccomp(void)
{
	struct sysring ring;
	char buf[8];
	int p[2], in;

	t_ring_init_snap(&ring, 4, 4);
	in = open(file_path, O_RDONLY);
	T_CHECK(in >= 0);
	T_EQ(pipe(p), 0);
	T_EQ(write(p[1], "abcd", 4), 4);
	if (install_filter())
		return T_EXIT_FAIL;
	switch (deny_nr) {
	case __NR_sendfile: {
		const __u64 regs[3] = { p[1], in, 10 };

		return expect_err(&ring, SR_XFER(0, 1, 0), regs, 3, T_ERRNO);
	}
	case __NR_splice: {
		const __u64 regs[3] = { p[1], in, 10 };

		return expect_err(&ring, SR_XFER(0, 1, SYSRING_XFER_SPLICE),
				  regs, 3, T_ERRNO);
	}
	case __NR_read: {
		const __u64 regs[4] = { p[0], t_ptr(buf), 4, 4 };

		return expect_err(&ring, SR_READN(0, 1, 0), regs, 4, T_ERRNO);
	}
	case __NR_write: {
		const __u64 regs[4] = { p[1], t_ptr(buf), 4, 10 * MS };

		return expect_err(&ring, SR_WRITET(0, 1, 0), regs, 4, T_ERRNO);
	}
	case __NR_ppoll: {
		const __u64 regs[4] = { p[0], 0 };
		const __u64 wregs[4] = { p[1], t_ptr(buf), 4, 10 * MS };

		/* The waits of WAIT and WRITET both count as ppoll. */
		T_RUN(expect_err, &ring, SR_WAIT(0, 1, POLLIN, 0), regs, 2,
		      T_ERRNO);
		return expect_err(&ring, SR_WRITET(0, 1, 0), wregs, 4, T_ERRNO);
	}
	}
	return T_EXIT_FAIL;
}

static int seccomp_denies(void)
{
	static const int nrs[] = {
		__NR_sendfile, __NR_splice, __NR_read, __NR_write, __NR_ppoll,
	};
	unsigned i;
	int status;
	pid_t pid;

	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		deny_nr = nrs[i];
		pid = fork();
		T_CHECK(pid >= 0);
		if (pid == 0)
			_exit(child_seccomp());
		T_EQ(waitpid(pid, &status, 0), pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != T_EXIT_PASS) {
			fprintf(stderr, "seccomp denying syscall %d: status "
				"%#x\n", nrs[i], status);
			return T_EXIT_FAIL;
		}
	}
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;
	char *path;
	unsigned i;

	for (i = 0; i < FILE_LEN; i++)
		file_data[i] = i * 7 + (i >> 8);
	path = t_tmpfile(file_data, FILE_LEN);
	file_path = path;

	t_ring_init_snap(&ring, 8, 8);
	T_RUN(checker, &ring);
	T_RUN(caps, &ring);
	T_RUN(readn_pipe, &ring);
	T_RUN(xfer, &ring, path);
	T_RUN(writet, &ring);
	T_RUN(wait_ready, &ring);
	T_RUN(wait_signal, &ring);
	T_RUN(budget, &ring);
	T_RUN(echo_round, &ring);
	T_RUN(wait_killed, &ring);
	sysring_queue_exit(&ring);
	T_RUN(seccomp_denies);
	unlink(path);
	free(path);
	return T_EXIT_PASS;
}
