// SPDX-License-Identifier: GPL-2.0
/*
 * The sysring I/O instructions: XFER, READN, WRITET and WAIT.
 *
 * Each is a loop of steps, and every step is either one nested system call
 * through sysring_env_syscall(), the path SYS takes (so the allow-list and
 * the task's seccomp filters see read, write, sendfile or splice with their
 * real numbers and arguments), or one readiness wait through
 * sysring_env_wait().  The instruction pays for its first step; each
 * further step costs one unit of the block's budget and first asks
 * sysring_env_should_stop(), so no loop outlives the budget, a fatal
 * signal or the ring.  A loop that ends on an error after some progress
 * reports the progress, as a short read(2) or write(2) would; the error
 * shows again on the next call.
 */
#include "vm.h"

#define SYSRING_IO_POLLOUT	0x0004	/* EPOLLOUT */
#define SYSRING_FD_MAX		0x7fffffffULL	/* INT_MAX */

struct sysring_io {
	struct sysring_vm	*vm;
	u32			left;	/* budget for further steps */
	u32			steps;	/* taken so far */
	u8			stop;	/* 0, or why the block must end */
};

/* Whether one more step may run; the first is the instruction's own. */
static bool sysring_io_step(struct sysring_io *io)
{
	if (!io->steps++)
		return true;
	if (!io->left) {
		io->stop = SYSRING_STATUS_BUDGET;
		return false;
	}
	if (sysring_env_should_stop(io->vm)) {
		io->stop = SYSRING_STATUS_CANCELED;
		return false;
	}
	io->left--;
	return true;
}

static long sysring_io_call(struct sysring_io *io, u32 nr, u64 a0, u64 a1,
			    u64 a2, u64 a3, u64 a4)
{
	const u64 args[6] = { a0, a1, a2, a3, a4, 0 };

	return sysring_env_syscall(io->vm, nr, args);
}

/*
 * Progress made; when there was none, the error (or 0 at EOF) unless the
 * block is stopping.
 */
static s64 sysring_io_done(const struct sysring_io *io, u64 done, long ret)
{
	return done || io->stop ? (s64)done : ret;
}

/* Add a step's count; a count beyond what was asked is taken as all of it. */
static u64 sysring_io_add(u64 done, long ret, u64 want)
{
	return done + min_t(u64, ret, want - done);
}

/* XFER: r[src] out fd, r[src + 1] in fd, r[src + 2] count. */
static s64 sysring_io_xfer(struct sysring_io *io, const u64 *a, u8 mod)
{
	u64 out = a[0], in = a[1], count = a[2], done = 0;
	long ret = 0;

	if (count > SYSRING_XFER_MAX)
		return -E2BIG;
	if (out > SYSRING_FD_MAX || in > SYSRING_FD_MAX)
		return -EBADF;
	while (done < count && sysring_io_step(io)) {
		/* File positions, not offsets: both calls take NULL ones. */
		if (mod & SYSRING_XFER_SPLICE)
			ret = sysring_io_call(io, __NR_splice, in, 0, out, 0,
					      count - done);
		else
			ret = sysring_io_call(io, __NR_sendfile, out, in, 0,
					      count - done, 0);
		if (ret <= 0)
			break;
		done = sysring_io_add(done, ret, count);
	}
	return sysring_io_done(io, done, ret);
}

/* READN: r[src] fd, r[src + 1] buffer, r[src + 2] length, r[src + 3] minimum. */
static s64 sysring_io_readn(struct sysring_io *io, const u64 *a)
{
	u64 fd = a[0], buf = a[1], len = a[2], want = a[3], done = 0;
	long ret = 0;

	if (len > SYSRING_RW_MAX)
		return -E2BIG;
	if (want > len)
		return -EINVAL;
	if (fd > SYSRING_FD_MAX)
		return -EBADF;
	/* One read at least: a minimum of 0 is a plain read(2). */
	do {
		if (!sysring_io_step(io))
			break;
		ret = sysring_io_call(io, __NR_read, fd, buf + done, len - done,
				      0, 0);
		if (ret <= 0)
			break;
		done = sysring_io_add(done, ret, len);
	} while (done < want);
	return sysring_io_done(io, done, ret);
}

/*
 * WRITET: r[src] fd, r[src + 1] buffer, r[src + 2] length, r[src + 3]
 * timeout in ns, for the whole instruction.  Each write waits for POLLOUT
 * first and is at most SYSRING_WRITET_STEP bytes, which POLLOUT lets a pipe
 * or socket take without blocking, so the timeout bounds a blocking
 * descriptor too.  -EAGAIN (a lost race on a non-blocking one) waits again.
 */
static s64 sysring_io_writet(struct sysring_io *io, const u64 *a)
{
	u64 fd = a[0], buf = a[1], len = a[2], timeout = a[3], done = 0;
	long ret = 0;

	if (len > SYSRING_RW_MAX)
		return -E2BIG;
	if (timeout > SYSRING_TIMEOUT_MAX_NS)
		return -EINVAL;
	if (fd > SYSRING_FD_MAX)
		return -EBADF;
	while (done < len) {
		if (!sysring_io_step(io))
			break;
		ret = sysring_env_wait(io->vm, fd, SYSRING_IO_POLLOUT, &timeout);
		if (!ret)
			ret = -ETIMEDOUT;
		/* POLLERR or POLLHUP alone: the write tells what went wrong. */
		if (ret < 0 || !sysring_io_step(io))
			break;
		ret = sysring_io_call(io, __NR_write, fd, buf + done,
				      min_t(u64, len - done, SYSRING_WRITET_STEP),
				      0, 0);
		if (ret == -EAGAIN)
			continue;
		if (ret <= 0)
			break;
		done = sysring_io_add(done, ret, len);
	}
	return sysring_io_done(io, done, ret);
}

/* WAIT: r[src] fd, r[src + 1] timeout in ns; imm the events. */
static s64 sysring_io_wait(struct sysring_io *io, const u64 *a, u32 events)
{
	u64 fd = a[0], timeout = a[1];

	if (timeout > SYSRING_TIMEOUT_MAX_NS)
		return -EINVAL;
	if (fd > SYSRING_FD_MAX)
		return -EBADF;
	sysring_io_step(io);
	return sysring_env_wait(io->vm, fd, events, &timeout);
}

/* Only asked about the I/O class. */
u32 sysring_io_nregs(u8 code)
{
	switch (code) {
	case SYSRING_OP_XFER:
		return 3;
	case SYSRING_OP_WAIT:
		return 2;
	default:	/* READN, WRITET */
		return 4;
	}
}

struct sysring_io_res sysring_io_run(struct sysring_vm *vm,
				     const struct sysring_insn *insn, u32 left)
{
	struct sysring_io io = { .vm = vm, .left = left };
	const u64 *a = &vm->regs[insn->src];
	s64 res;

	switch (insn->code) {
	case SYSRING_OP_XFER:
		res = sysring_io_xfer(&io, a, insn->mod);
		break;
	case SYSRING_OP_READN:
		res = sysring_io_readn(&io, a);
		break;
	case SYSRING_OP_WRITET:
		res = sysring_io_writet(&io, a);
		break;
	default:
		res = sysring_io_wait(&io, a, insn->imm);
		break;
	}
	return (struct sysring_io_res){ .res = res, .left = io.left,
					.stop = io.stop };
}
