// SPDX-License-Identifier: MIT
/*
 * One io_uring opcode -> one sysring block.  The table is indexed by
 * opcode; an opcode without an entry is unsupported (-EINVAL, and probed as
 * such).  Most entries are one SYS instruction with the SQE's fields as its
 * arguments: r1..r6 hold the arguments, r0 the result, and a descriptor
 * that an earlier block of the same chain opened into a fixed-file slot is
 * taken from the register that block left it in.
 */
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "compat.h"
#include "sysring_insn.h"

/* Everything one prep builds before it becomes the sysring SQE. */
struct prep {
	struct compat_ring *c;
	struct compat_req *req;
	const struct io_uring_sqe *sqe;
	struct compat_chain *chain;
	bool async;		/* runs on a worker: blocking variants */
	__u64 args[SYSRING_SQE_REGS];
	unsigned nargs;
	int arg_reg[SYSRING_SQE_REGS];	/* arg i from a register, or -1 */
	struct sysring_insn body[SYSRING_SQE_INSNS];
	unsigned nbody;
	unsigned dst;		/* register the syscall result goes to */
	unsigned budget;
	bool stream;		/* offset arg 3 is ignored on a stream */
	bool zc;		/* SEND_ZC, SENDMSG_ZC: ioprio holds zc flags */
	int prog;		/* a registered program instead, or -1 */
};

struct compat_op {
	enum compat_block block;
	int (*prep)(struct prep *p);
};

static void prep_sys(struct prep *p, unsigned nr, unsigned nargs)
{
	p->nargs = nargs;
	p->body[p->nbody++] = SR_SYS(p->dst, nr, 1, nargs);
}

/*
 * The descriptor argument @i: the SQE's fd, or with IOSQE_FIXED_FILE the
 * registered file in slot @fd, or the register of the chain's block that
 * opens into that slot.
 */
static int prep_fd(struct prep *p, unsigned i, int fd, bool fixed)
{
	unsigned k;

	if (!fixed) {
		p->args[i] = (__u64)(__s64)fd;
		return 0;
	}
	for (k = 0; k < p->chain->nslots; k++) {
		if (p->chain->slot[k] == fd) {
			p->arg_reg[i] = p->chain->slot_reg[k];
			return 0;
		}
	}
	if ((unsigned)fd < p->c->nr_files &&
	    p->c->files[fd] == COMPAT_FILE_RESERVED)
		return -EINPROGRESS;
	fd = compat_file(p->c, (unsigned)fd);
	if (fd < 0)
		return fd;
	p->args[i] = (__u64)fd;
	return 0;
}

static int prep_sqe_fd(struct prep *p, unsigned i)
{
	return prep_fd(p, i, p->sqe->fd, p->sqe->flags & IOSQE_FIXED_FILE);
}

/*
 * An opcode that creates a descriptor: with file_index set the new fd goes
 * to a fixed-file slot (IORING_FILE_INDEX_ALLOC: the library picks one and
 * the CQE says which), and res is 0 or the slot, as io_uring's direct
 * descriptors.  The fd lands in a register that later blocks of the chain
 * and the CQE's snapshot read.
 */
static int prep_direct_to(struct prep *p, int reg)
{
	__u32 index = p->sqe->file_index;
	struct compat_chain *ch = p->chain;
	int slot;
	unsigned k;

	if (!index)
		return 0;
	if (!p->c->files)
		return -ENXIO;
	if (index == IORING_FILE_INDEX_ALLOC) {
		slot = compat_file_alloc(p->c);
		if (slot < 0)
			return slot;
	} else {
		slot = (int)index - 1;
		if (!p->c->files)
			return -ENXIO;
		if ((unsigned)slot >= p->c->nr_files)
			return -EINVAL;
	}
	if (ch->nslots == sizeof(ch->slot) / sizeof(ch->slot[0]) ||
	    ch->next_reg >= COMPAT_CHAIN_FDS)
		return -EINVAL;
	for (k = 0; reg >= 0 && k < ch->nslots; k++)
		if (ch->slot_reg[k] == reg)
			return -EINVAL;
	/* Later SQEs outside the chain wait for it to be installed. */
	if (p->c->files[slot] >= 0)
		close(p->c->files[slot]);
	p->c->files[slot] = COMPAT_FILE_RESERVED;
	p->dst = reg >= 0 ? (unsigned)reg : COMPAT_REG_FD + ch->next_reg++;
	ch->slot[ch->nslots] = slot;
	ch->slot_reg[ch->nslots++] = (int)p->dst;
	p->req->direct_slot = slot;
	p->req->fd_reg = (int)p->dst;
	/* res: 0, or the slot picked (the completion sets it, too) */
	p->body[p->nbody++] = SR_MOV_K(COMPAT_REG_RES, 0);
	return 0;
}

static int prep_direct(struct prep *p)
{
	return prep_direct_to(p, -1);
}

static int prep_nop(struct prep *p)
{
	p->body[p->nbody++] = SR_MOV_K(COMPAT_REG_RES, 0);
	return 0;
}

/* Registered buffers: the range must lie inside buffer buf_index. */
static int check_fixed_buf(struct prep *p)
{
	const struct io_uring_sqe *sqe = p->sqe;
	const struct iovec *b;
	__u64 start, end;

	if (sqe->buf_index >= p->c->nr_bufs)
		return -EFAULT;
	b = &p->c->bufs[sqe->buf_index];
	start = (__u64)(unsigned long)b->iov_base;
	end = start + b->iov_len;
	if (sqe->addr < start || sqe->addr + sqe->len > end ||
	    sqe->addr + sqe->len < sqe->addr)
		return -EFAULT;
	return 0;
}

/*
 * A provided buffer (IOSQE_BUFFER_SELECT) for at most @want bytes, 0 for
 * the whole buffer: its address and the length to use.
 */
static int prep_select(struct prep *p, __u64 want, __u64 *addr, __u64 *len)
{
	int ret;

	*len = want;
	ret = compat_buf_select(p->c, p->req, len);
	if (ret)
		return ret;
	*addr = p->req->kbuf.addr;
	return 0;
}

/*
 * The one iovec a READ, or a READV with a provided buffer, reads into:
 * READV then names one iovec whose length is the most to read.
 */
static int prep_rw_iov(struct prep *p, bool vectored)
{
	const struct io_uring_sqe *sqe = p->sqe;
	struct compat_req *req = p->req;
	__u64 addr = sqe->addr, len = sqe->len;
	struct iovec iov;
	int ret;

	if (sqe->flags & IOSQE_BUFFER_SELECT) {
		if (vectored) {
			if (sqe->len != 1)
				return -EINVAL;
			ret = compat_copy_in(&iov, sqe->addr, sizeof(iov));
			if (ret)
				return ret;
			len = iov.iov_len;
		}
		ret = prep_select(p, len, &addr, &len);
		if (ret)
			return ret;
	}
	req->iov.iov_base = (void *)(unsigned long)addr;
	req->iov.iov_len = len;
	return 0;
}

/*
 * READ/WRITE and their vectored and fixed forms, all through
 * preadv2/pwritev2 (offset -1: the file position, as io_uring).  The
 * inline try adds RWF_NOWAIT; -EAGAIN then runs it again on a worker.
 */
static int prep_rw(struct prep *p, unsigned nr, bool vectored, bool fixed)
{
	const struct io_uring_sqe *sqe = p->sqe;
	struct compat_req *req = p->req;
	int ret;

	/* An I/O priority is accepted (and not applied) if it is valid. */
	if ((sqe->ioprio >> 13) > 3)
		return -EINVAL;
	if (fixed) {
		ret = check_fixed_buf(p);
		if (ret)
			return ret;
	}
	ret = prep_sqe_fd(p, 0);
	if (ret)
		return ret;
	if (vectored && !(sqe->flags & IOSQE_BUFFER_SELECT)) {
		p->args[1] = sqe->addr;
		p->args[2] = sqe->len;
	} else {
		ret = prep_rw_iov(p, vectored);
		if (ret)
			return ret;
		p->args[1] = (__u64)(unsigned long)&req->iov;
		p->args[2] = 1;
	}
	p->args[3] = sqe->off;
	p->args[4] = 0;
	p->args[5] = (__u32)sqe->rw_flags | (p->async ? 0 : RWF_NOWAIT);
	prep_sys(p, nr, 6);
	p->stream = true;
	return 0;
}

static int prep_read(struct prep *p)
{
	return prep_rw(p, __NR_preadv2, false, false);
}

static int prep_write(struct prep *p)
{
	return prep_rw(p, __NR_pwritev2, false, false);
}

static int prep_readv(struct prep *p)
{
	return prep_rw(p, __NR_preadv2, true, false);
}

static int prep_writev(struct prep *p)
{
	return prep_rw(p, __NR_pwritev2, true, false);
}

static int prep_read_fixed(struct prep *p)
{
	return prep_rw(p, __NR_preadv2, false, true);
}

static int prep_write_fixed(struct prep *p)
{
	return prep_rw(p, __NR_pwritev2, false, true);
}

static int prep_fsync(struct prep *p)
{
	if (p->sqe->fsync_flags & ~IORING_FSYNC_DATASYNC)
		return -EINVAL;
	prep_sys(p, p->sqe->fsync_flags ? __NR_fdatasync : __NR_fsync, 1);
	return prep_sqe_fd(p, 0);
}

static int prep_sync_file_range(struct prep *p)
{
	p->args[1] = p->sqe->off;
	p->args[2] = p->sqe->len;
	p->args[3] = p->sqe->sync_range_flags;
	prep_sys(p, __NR_sync_file_range, 4);
	return prep_sqe_fd(p, 0);
}

/*
 * POLL_ADD: WAIT returns 0 when its timeout passes, so the block waits
 * again until an event comes (or a cancel stops it): one-shot poll.
 */
static int prep_poll_add(struct prep *p)
{
	__u32 events = p->sqe->poll32_events;

	if (p->sqe->len || (events & ~(SYSRING_WAIT_EVENTS | POLLERR | POLLHUP)))
		return -EINVAL;
	events &= SYSRING_WAIT_EVENTS;
	p->args[1] = SYSRING_TIMEOUT_MAX_NS;
	p->nargs = 2;
	p->body[p->nbody++] = SR_WAIT(COMPAT_REG_RES, 1,
							    events, 0);
	p->body[p->nbody++] = SR_JMP_K(JEQ, COMPAT_REG_RES,
							     0, -2);
	p->budget = SYSRING_MAX_BUDGET;
	return prep_sqe_fd(p, 0);
}

/* io_uring never lets a send raise SIGPIPE. */
static __u32 prep_msg_flags(const struct prep *p, unsigned nr)
{
	__u32 flags = p->sqe->msg_flags | (p->async ? 0 : MSG_DONTWAIT);

	if (nr == __NR_sendmsg || nr == __NR_sendto)
		flags |= MSG_NOSIGNAL;
	return flags;
}

/*
 * sqe->ioprio of a send or receive: IORING_RECVSEND_POLL_FIRST is only a
 * hint here; IORING_RECV_MULTISHOT (complete.c runs the request again
 * after each completion) needs a provided buffer and cannot wait for all.
 */
static int prep_recvsend_flags(struct prep *p, unsigned nr)
{
	const struct io_uring_sqe *sqe = p->sqe;
	bool recv = nr == __NR_recvmsg || nr == __NR_recvfrom;
	__u16 allowed = IORING_RECVSEND_POLL_FIRST |
			(recv ? IORING_RECV_MULTISHOT : 0);

	if (p->zc)
		return 0;
	if (sqe->ioprio & ~allowed)
		return -EINVAL;
	if (!(sqe->ioprio & IORING_RECV_MULTISHOT))
		return 0;
	if (!(sqe->flags & IOSQE_BUFFER_SELECT) ||
	    (sqe->msg_flags & MSG_WAITALL) || (nr == __NR_recvfrom && sqe->len))
		return -EINVAL;
	p->req->multishot = true;
	return 0;
}

/*
 * RECVMSG into a provided buffer: the program's msghdr is read once, at
 * the first try.  Alone, the buffer replaces its one iovec (whose length
 * is the most to receive), and its other fields are written back at
 * completion (complete.c).  Multishot, the buffer is laid out as
 * io_uring's: struct io_uring_recvmsg_out, then msg_namelen bytes of
 * name, msg_controllen of control data, and the payload.
 */
static int prep_recvmsg_buf(struct prep *p)
{
	struct compat_req *req = p->req;
	struct msghdr *msg = &req->msg;
	__u64 addr, len = 0, hdr;
	struct iovec iov;
	int ret;

	if (req->kbuf.held)
		return 0;	/* run again on a worker: laid out already */
	if (!req->msg_copied) {
		ret = compat_copy_in(msg, p->sqe->addr, sizeof(*msg));
		if (ret)
			return ret;
		if (!req->multishot && msg->msg_iovlen > 1)
			return -EINVAL;
		if (!req->multishot && msg->msg_iovlen == 1) {
			ret = compat_copy_in(&iov, (__u64)(unsigned long)msg->msg_iov,
					     sizeof(iov));
			if (ret)
				return ret;
			len = iov.iov_len;
		}
		if (msg->msg_namelen > 0x7fffffffU)
			return -EOVERFLOW;
		req->namelen = msg->msg_namelen;
		req->controllen = (__u32)msg->msg_controllen;
		if (msg->msg_controllen != req->controllen)
			return -EOVERFLOW;
		req->msg_copied = true;
	}
	ret = prep_select(p, len, &addr, &len);
	if (ret)
		return ret;
	msg->msg_iov = &req->iov;
	msg->msg_iovlen = 1;
	req->iov.iov_base = (void *)(unsigned long)addr;
	req->iov.iov_len = len;
	if (!req->multishot)
		return 0;
	hdr = sizeof(struct io_uring_recvmsg_out) + req->namelen +
	      req->controllen;
	if (len < hdr) {
		compat_buf_done(p->c, req, false);
		return -EFAULT;
	}
	addr += sizeof(struct io_uring_recvmsg_out);
	msg->msg_name = req->namelen ? (void *)(unsigned long)addr : NULL;
	msg->msg_namelen = req->namelen;
	addr += req->namelen;
	msg->msg_control = req->controllen ? (void *)(unsigned long)addr : NULL;
	msg->msg_controllen = req->controllen;
	msg->msg_flags = 0;
	req->iov.iov_base = (void *)(unsigned long)(addr + req->controllen);
	req->iov.iov_len = len - hdr;
	return 0;
}

static int prep_msg(struct prep *p, unsigned nr)
{
	int ret = prep_recvsend_flags(p, nr);

	if (ret)
		return ret;
	p->args[1] = p->sqe->addr;
	if (p->sqe->flags & IOSQE_BUFFER_SELECT) {
		ret = prep_recvmsg_buf(p);
		if (ret)
			return ret;
		p->args[1] = (__u64)(unsigned long)&p->req->msg;
	}
	p->args[2] = prep_msg_flags(p, nr);
	prep_sys(p, nr, 3);
	return prep_sqe_fd(p, 0);
}

static int prep_sendmsg(struct prep *p)
{
	return prep_msg(p, __NR_sendmsg);
}

static int prep_recvmsg(struct prep *p)
{
	return prep_msg(p, __NR_recvmsg);
}

/*
 * A send's destination (io_uring_prep_send_set_addr) is read at submission,
 * as io_uring does, into the request: the program may reuse its memory at
 * once.  A bad pointer is -EFAULT, not a crash.
 */
static int prep_send_addr(struct prep *p)
{
	const struct io_uring_sqe *sqe = p->sqe;

	if (!sqe->addr2)
		return 0;
	if (sqe->addr_len > sizeof(p->req->addr))
		return -EINVAL;
	/* Run again on a worker (compat_resubmit): keep the first copy. */
	if (!p->req->addr.ss_family &&
	    compat_copy_in(&p->req->addr, sqe->addr2, sqe->addr_len))
		return -EFAULT;
	p->args[4] = (__u64)(unsigned long)&p->req->addr;
	p->args[5] = sqe->addr_len;
	return 0;
}

static int prep_sendrecv(struct prep *p, unsigned nr)
{
	const struct io_uring_sqe *sqe = p->sqe;
	int ret;

	ret = prep_recvsend_flags(p, nr);
	if (ret)
		return ret;
	p->args[1] = sqe->addr;
	p->args[2] = sqe->len;
	if (sqe->flags & IOSQE_BUFFER_SELECT) {
		ret = prep_select(p, sqe->len, &p->args[1], &p->args[2]);
		if (ret)
			return ret;
	}
	p->args[3] = prep_msg_flags(p, nr);
	p->args[4] = 0;
	p->args[5] = 0;
	if (nr == __NR_sendto) {
		ret = prep_send_addr(p);
		if (ret)
			return ret;
	}
	prep_sys(p, nr, 6);
	return prep_sqe_fd(p, 0);
}

static int prep_send(struct prep *p)
{
	return prep_sendrecv(p, __NR_sendto);
}

static int prep_recv(struct prep *p)
{
	return prep_sendrecv(p, __NR_recvfrom);
}

/*
 * SEND_ZC and SENDMSG_ZC.  The data is copied, as by SEND and SENDMSG, so
 * the buffer is the program's again when the send completes: the CQE has
 * IORING_CQE_F_MORE and the notification (IORING_CQE_F_NOTIF) follows it
 * at once (complete.c).  They always run on a worker, where a blocking
 * send on a stream sends everything, as MSG_WAITALL asks of io_uring.
 * What io_uring refuses before it allocates the notification is refused
 * here, with no notification.
 */
static int prep_zc_check(struct prep *p, __u16 allowed)
{
	const struct io_uring_sqe *sqe = p->sqe;

	if (sqe->flags & IOSQE_CQE_SKIP_SUCCESS || sqe->addr3 ||
	    sqe->__pad2[0] || (sqe->ioprio & ~allowed))
		return -EINVAL;
	if (sqe->ioprio & IORING_RECVSEND_FIXED_BUF)
		return check_fixed_buf(p);
	return 0;
}

static int prep_send_zc(struct prep *p)
{
	int ret = prep_zc_check(p, IORING_RECVSEND_POLL_FIRST |
				   IORING_RECVSEND_FIXED_BUF);

	if (ret)
		return ret;
	if (p->sqe->__pad3[0])
		return -EINVAL;
	p->zc = true;
	return prep_sendrecv(p, __NR_sendto);
}

static int prep_sendmsg_zc(struct prep *p)
{
	int ret = prep_zc_check(p, IORING_RECVSEND_POLL_FIRST);

	if (ret)
		return ret;
	if (p->sqe->addr2 || p->sqe->file_index)
		return -EINVAL;
	p->zc = true;
	return prep_msg(p, __NR_sendmsg);
}

/*
 * TIMEOUT: clock_nanosleep on a worker, then -ETIME.  A count-based timeout
 * (off > 0) is also ended by the completion side once that many CQEs have
 * been posted after it, and then completes with 0.  The block ends
 * normally, so a link goes on after it: IORING_TIMEOUT_ETIME_SUCCESS's
 * meaning, which io_uring gives only to timeouts that ask for it.
 */
static int prep_timeout(struct prep *p)
{
	const struct io_uring_sqe *sqe = p->sqe;
	struct compat_req *req = p->req;
	__u32 flags = sqe->timeout_flags;
	clockid_t clock = CLOCK_MONOTONIC;

	if (sqe->len != 1 || sqe->fd != -1 || sqe->buf_index ||
	    (flags & ~(IORING_TIMEOUT_ABS | IORING_TIMEOUT_CLOCK_MASK |
		       IORING_TIMEOUT_ETIME_SUCCESS)) ||
	    (flags & IORING_TIMEOUT_CLOCK_MASK) == IORING_TIMEOUT_CLOCK_MASK)
		return -EINVAL;
	if (flags & IORING_TIMEOUT_BOOTTIME)
		clock = CLOCK_BOOTTIME;
	else if (flags & IORING_TIMEOUT_REALTIME)
		clock = CLOCK_REALTIME;
	req->ts = *(const struct __kernel_timespec *)(unsigned long)sqe->addr;
	if (req->ts.tv_sec < 0 || req->ts.tv_nsec < 0 ||
	    req->ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	if (sqe->off) {
		req->timeout_target = p->c->cq_seq + (__u32)sqe->off;
		p->c->count_timeouts++;
	}
	p->args[0] = (__u64)clock;
	p->args[1] = flags & IORING_TIMEOUT_ABS ? TIMER_ABSTIME : 0;
	p->args[2] = (__u64)(unsigned long)&req->ts;
	p->args[3] = 0;
	prep_sys(p, __NR_clock_nanosleep, 4);
	p->body[p->nbody++] = SR_MOV_K(COMPAT_REG_RES,
							     -ETIME);
	return 0;
}

/*
 * ACCEPT waits for a connection first, as io_uring's (which arms a poll)
 * does even on an O_NONBLOCK socket, and waits again when another took
 * it (-EAGAIN): a program registered at setup (compat_register_progs),
 * with accept4's arguments in r1..r4, the socket again in r5 and WAIT's
 * timeout in r6; a new direct descriptor goes to r7.
 */
static int prep_accept(struct prep *p)
{
	__u32 flags = p->sqe->accept_flags;
	int ret;

	if (p->sqe->ioprio || p->sqe->len || p->sqe->buf_index)
		return -EINVAL;
	if (p->sqe->file_index)
		flags |= SOCK_CLOEXEC;
	p->args[1] = p->sqe->addr;
	p->args[2] = p->sqe->addr2;
	p->args[3] = flags;
	p->args[5] = SYSRING_TIMEOUT_MAX_NS;
	p->nargs = 6;
	p->budget = SYSRING_MAX_BUDGET;
	p->prog = p->c->prog_accept[!!p->sqe->file_index];
	ret = prep_direct_to(p, COMPAT_REG_ACCEPT_FD);
	if (ret)
		return ret;
	ret = prep_sqe_fd(p, 0);
	return ret ? ret : prep_sqe_fd(p, 4);
}

static int prep_connect(struct prep *p)
{
	p->args[1] = p->sqe->addr;
	p->args[2] = p->sqe->off;
	prep_sys(p, __NR_connect, 3);
	return prep_sqe_fd(p, 0);
}

static int prep_fallocate(struct prep *p)
{
	p->args[1] = p->sqe->len;	/* mode */
	p->args[2] = p->sqe->off;
	p->args[3] = p->sqe->addr;	/* length */
	prep_sys(p, __NR_fallocate, 4);
	return prep_sqe_fd(p, 0);
}

static int prep_open(struct prep *p, bool two)
{
	const struct io_uring_sqe *sqe = p->sqe;
	int ret;

	if (sqe->flags & IOSQE_FIXED_FILE)
		return -EINVAL;
	p->args[0] = (__u64)(__s64)sqe->fd;
	p->args[1] = sqe->addr;
	if (two) {
		p->args[2] = sqe->off;	/* struct open_how * */
		p->args[3] = sqe->len;
	} else {
		p->args[2] = sqe->open_flags | (sqe->file_index ? O_CLOEXEC : 0);
		p->args[3] = sqe->len;
	}
	ret = prep_direct(p);
	if (ret)
		return ret;
	prep_sys(p, two ? __NR_openat2 : __NR_openat, 4);
	return 0;
}

static int prep_openat(struct prep *p)
{
	return prep_open(p, false);
}

static int prep_openat2(struct prep *p)
{
	return prep_open(p, true);
}

/*
 * CLOSE, or with file_index the descriptor in that fixed-file slot: the
 * block closes it, and its completion empties the slot.
 */
static int prep_close(struct prep *p)
{
	const struct io_uring_sqe *sqe = p->sqe;

	if (sqe->flags & IOSQE_FIXED_FILE || sqe->off || sqe->addr ||
	    sqe->len || sqe->rw_flags)
		return -EINVAL;
	prep_sys(p, __NR_close, 1);
	if (sqe->file_index) {
		if (sqe->fd)
			return -EINVAL;
		if (!p->c->files)
			return -ENXIO;
		if (sqe->file_index > p->c->nr_files)
			return -EINVAL;
		p->req->close_slot = (int)sqe->file_index - 1;
		return prep_fd(p, 0, p->req->close_slot, true);
	}
	/* io_uring will not close its own ring; neither will this. */
	if (sqe->fd == p->c->sr.ring_fd)
		return -EBADF;
	return prep_fd(p, 0, sqe->fd, false);
}

static int prep_statx(struct prep *p)
{
	if (p->sqe->flags & IOSQE_FIXED_FILE)
		return -EINVAL;
	p->args[0] = (__u64)(__s64)p->sqe->fd;
	p->args[1] = p->sqe->addr;
	p->args[2] = p->sqe->statx_flags;
	p->args[3] = p->sqe->len;
	p->args[4] = p->sqe->off;	/* struct statx * */
	prep_sys(p, __NR_statx, 5);
	return 0;
}

static int prep_fadvise(struct prep *p)
{
	p->args[1] = p->sqe->off;
	p->args[2] = p->sqe->len;
	p->args[3] = p->sqe->fadvise_advice;
	prep_sys(p, __NR_fadvise64, 4);
	return prep_sqe_fd(p, 0);
}

static int prep_madvise(struct prep *p)
{
	p->args[0] = p->sqe->addr;
	p->args[1] = p->sqe->len;
	p->args[2] = p->sqe->fadvise_advice;
	prep_sys(p, __NR_madvise, 3);
	return 0;
}

static int prep_epoll_ctl(struct prep *p)
{
	p->args[1] = p->sqe->len;	/* op */
	p->args[2] = p->sqe->off;	/* fd */
	p->args[3] = p->sqe->addr;	/* struct epoll_event * */
	prep_sys(p, __NR_epoll_ctl, 4);
	return prep_sqe_fd(p, 0);
}

#define COMPAT_SPLICE_F_FD_IN_FIXED	(1U << 31)

/* SPLICE/TEE: the input descriptor may be a fixed file on its own. */
static int prep_splice_in(struct prep *p, unsigned i)
{
	return prep_fd(p, i, p->sqe->splice_fd_in,
		       p->sqe->splice_flags & COMPAT_SPLICE_F_FD_IN_FIXED);
}

static int prep_splice(struct prep *p)
{
	const struct io_uring_sqe *sqe = p->sqe;
	struct compat_req *req = p->req;
	int ret;

	req->off_in = (__s64)sqe->splice_off_in;
	req->off_out = (__s64)sqe->off;
	p->args[1] = req->off_in == -1 ? 0 : (__u64)(unsigned long)&req->off_in;
	p->args[3] = req->off_out == -1 ? 0 : (__u64)(unsigned long)&req->off_out;
	p->args[4] = sqe->len;
	p->args[5] = sqe->splice_flags & ~COMPAT_SPLICE_F_FD_IN_FIXED;
	prep_sys(p, __NR_splice, 6);
	ret = prep_splice_in(p, 0);
	return ret ? ret : prep_sqe_fd(p, 2);
}

static int prep_tee(struct prep *p)
{
	int ret;

	if (p->sqe->splice_off_in || p->sqe->off)
		return -EINVAL;
	p->args[2] = p->sqe->len;
	p->args[3] = p->sqe->splice_flags & ~COMPAT_SPLICE_F_FD_IN_FIXED;
	prep_sys(p, __NR_tee, 4);
	ret = prep_splice_in(p, 0);
	return ret ? ret : prep_sqe_fd(p, 1);
}

static int prep_shutdown(struct prep *p)
{
	p->args[1] = p->sqe->len;
	prep_sys(p, __NR_shutdown, 2);
	return prep_sqe_fd(p, 0);
}

static int prep_renameat(struct prep *p)
{
	p->args[0] = (__u64)(__s64)p->sqe->fd;
	p->args[1] = p->sqe->addr;
	p->args[2] = (__u64)(__s64)(__s32)p->sqe->len;
	p->args[3] = p->sqe->addr2;
	p->args[4] = p->sqe->rename_flags;
	prep_sys(p, __NR_renameat2, 5);
	return 0;
}

static int prep_unlinkat(struct prep *p)
{
	p->args[0] = (__u64)(__s64)p->sqe->fd;
	p->args[1] = p->sqe->addr;
	p->args[2] = p->sqe->unlink_flags;
	prep_sys(p, __NR_unlinkat, 3);
	return 0;
}

static int prep_mkdirat(struct prep *p)
{
	p->args[0] = (__u64)(__s64)p->sqe->fd;
	p->args[1] = p->sqe->addr;
	p->args[2] = p->sqe->len;
	prep_sys(p, __NR_mkdirat, 3);
	return 0;
}

static int prep_symlinkat(struct prep *p)
{
	p->args[0] = p->sqe->addr;
	p->args[1] = (__u64)(__s64)p->sqe->fd;
	p->args[2] = p->sqe->addr2;
	prep_sys(p, __NR_symlinkat, 3);
	return 0;
}

static int prep_linkat(struct prep *p)
{
	p->args[0] = (__u64)(__s64)p->sqe->fd;
	p->args[1] = p->sqe->addr;
	p->args[2] = (__u64)(__s64)(__s32)p->sqe->len;
	p->args[3] = p->sqe->addr2;
	p->args[4] = p->sqe->hardlink_flags;
	prep_sys(p, __NR_linkat, 5);
	return 0;
}

static int prep_socket(struct prep *p)
{
	int ret;

	if (p->sqe->rw_flags)
		return -EINVAL;
	p->args[0] = (__u64)(__s64)p->sqe->fd;	/* domain */
	p->args[1] = p->sqe->off | (p->sqe->file_index ? SOCK_CLOEXEC : 0);
	p->args[2] = p->sqe->len;		/* protocol */
	ret = prep_direct(p);
	if (ret)
		return ret;
	prep_sys(p, __NR_socket, 3);
	return 0;
}

static const struct compat_op compat_ops[IORING_OP_LAST] = {
	[IORING_OP_NOP]		= { COMPAT_NEVER,  prep_nop },
	[IORING_OP_READV]	= { COMPAT_NOWAIT, prep_readv },
	[IORING_OP_WRITEV]	= { COMPAT_NOWAIT, prep_writev },
	[IORING_OP_FSYNC]	= { COMPAT_NEVER,  prep_fsync },
	[IORING_OP_READ_FIXED]	= { COMPAT_NOWAIT, prep_read_fixed },
	[IORING_OP_WRITE_FIXED]	= { COMPAT_NOWAIT, prep_write_fixed },
	[IORING_OP_POLL_ADD]	= { COMPAT_ALWAYS, prep_poll_add },
	[IORING_OP_SYNC_FILE_RANGE] = { COMPAT_NEVER, prep_sync_file_range },
	[IORING_OP_SENDMSG]	= { COMPAT_NOWAIT, prep_sendmsg },
	[IORING_OP_RECVMSG]	= { COMPAT_NOWAIT, prep_recvmsg },
	[IORING_OP_TIMEOUT]	= { COMPAT_ALWAYS, prep_timeout },
	[IORING_OP_ACCEPT]	= { COMPAT_ALWAYS, prep_accept },
	[IORING_OP_CONNECT]	= { COMPAT_ALWAYS, prep_connect },
	[IORING_OP_FALLOCATE]	= { COMPAT_NEVER,  prep_fallocate },
	[IORING_OP_OPENAT]	= { COMPAT_NEVER,  prep_openat },
	[IORING_OP_CLOSE]	= { COMPAT_NEVER,  prep_close },
	[IORING_OP_STATX]	= { COMPAT_NEVER,  prep_statx },
	[IORING_OP_READ]	= { COMPAT_NOWAIT, prep_read },
	[IORING_OP_WRITE]	= { COMPAT_NOWAIT, prep_write },
	[IORING_OP_FADVISE]	= { COMPAT_NEVER,  prep_fadvise },
	[IORING_OP_MADVISE]	= { COMPAT_NEVER,  prep_madvise },
	[IORING_OP_SEND]	= { COMPAT_NOWAIT, prep_send },
	[IORING_OP_RECV]	= { COMPAT_NOWAIT, prep_recv },
	[IORING_OP_OPENAT2]	= { COMPAT_NEVER,  prep_openat2 },
	[IORING_OP_EPOLL_CTL]	= { COMPAT_NEVER,  prep_epoll_ctl },
	[IORING_OP_SPLICE]	= { COMPAT_ALWAYS, prep_splice },
	[IORING_OP_TEE]		= { COMPAT_ALWAYS, prep_tee },
	[IORING_OP_SHUTDOWN]	= { COMPAT_NEVER,  prep_shutdown },
	[IORING_OP_RENAMEAT]	= { COMPAT_NEVER,  prep_renameat },
	[IORING_OP_UNLINKAT]	= { COMPAT_NEVER,  prep_unlinkat },
	[IORING_OP_MKDIRAT]	= { COMPAT_NEVER,  prep_mkdirat },
	[IORING_OP_SYMLINKAT]	= { COMPAT_NEVER,  prep_symlinkat },
	[IORING_OP_LINKAT]	= { COMPAT_NEVER,  prep_linkat },
	[IORING_OP_SOCKET]	= { COMPAT_NEVER,  prep_socket },
	[IORING_OP_SEND_ZC]	= { COMPAT_ALWAYS, prep_send_zc },
	[IORING_OP_SENDMSG_ZC]	= { COMPAT_ALWAYS, prep_sendmsg_zc },
};

/* Opcodes the library completes itself (see submit.c). */
bool compat_op_is_library(unsigned opcode)
{
	return opcode == IORING_OP_ASYNC_CANCEL ||
	       opcode == IORING_OP_PROVIDE_BUFFERS ||
	       opcode == IORING_OP_REMOVE_BUFFERS ||
	       opcode == IORING_OP_POLL_REMOVE ||
	       opcode == IORING_OP_TIMEOUT_REMOVE ||
	       opcode == IORING_OP_FILES_UPDATE;
}

bool compat_op_supported(unsigned opcode)
{
	return (opcode < IORING_OP_LAST && compat_ops[opcode].prep) ||
	       compat_op_is_library(opcode);
}

enum compat_block compat_op_block(unsigned opcode)
{
	return opcode < IORING_OP_LAST ? compat_ops[opcode].block : COMPAT_NEVER;
}

#define COMPAT_SQE_FLAGS	(IOSQE_FIXED_FILE | IOSQE_IO_DRAIN | \
				 IOSQE_IO_LINK | IOSQE_IO_HARDLINK | \
				 IOSQE_ASYNC | IOSQE_CQE_SKIP_SUCCESS | \
				 IOSQE_BUFFER_SELECT)

/* The opcodes that take a provided buffer, as io_uring's opdef says. */
static bool compat_op_buffer_select(unsigned opcode)
{
	return opcode == IORING_OP_READ || opcode == IORING_OP_READV ||
	       opcode == IORING_OP_RECV || opcode == IORING_OP_RECVMSG;
}

/* The program asked for a non-blocking try itself: -EAGAIN is its answer. */
bool compat_app_nowait(const struct io_uring_sqe *sqe)
{
	switch (sqe->opcode) {
	case IORING_OP_SEND:
	case IORING_OP_RECV:
	case IORING_OP_SENDMSG:
	case IORING_OP_RECVMSG:
		return sqe->msg_flags & MSG_DONTWAIT;
	default:
		return sqe->rw_flags & RWF_NOWAIT;
	}
}

/*
 * io_uring ignores the offset of a read or write on a stream (pipe,
 * socket), where preadv2/pwritev2 fail with ESPIPE unless it is -1: try
 * once keeping the error, and on ESPIPE go on at the file position.  A
 * failure is then met again without KEEPERR, so it still ends the block
 * with an error (which breaks a LINK), and a retry that succeeds is as
 * good as the first try.
 */
static unsigned prep_stream_rw(const struct prep *p, struct sysring_insn *insns)
{
	const struct sysring_insn *sys = &p->body[0];

	insns[0] = SR_SYS_KEEPERR(sys->dst, sys->imm, COMPAT_REG_ARG, p->nargs);
	insns[1] = SR_JMP_K(JNE, COMPAT_REG_RES, -ESPIPE, 1);
	insns[2] = SR_MOV_K(COMPAT_REG_ARG + 3, -1);
	insns[3] = SR_JMP_K(JSGE, COMPAT_REG_RES, 0, 1);
	insns[4] = *sys;
	return 5;
}

/* The programs prep_accept runs: plain, and into a fixed-file slot. */
int compat_register_progs(struct compat_ring *c)
{
	const struct sysring_insn accept[2][8] = {
#define ACCEPT_PROG(dst, tail...)					\
	{								\
		SR_WAIT(COMPAT_REG_RES, COMPAT_REG_ARG + 4, POLLIN, 0),	\
		SR_JMP_K(JEQ, COMPAT_REG_RES, 0, -2),			\
		SR_SYS_KEEPERR(dst, __NR_accept4, COMPAT_REG_ARG, 4),	\
		SR_JMP_K(JEQ, dst, -EAGAIN, -4),			\
		SR_JMP_K(JSGE, dst, 0, 1),				\
		SR_SYS(dst, __NR_accept4, COMPAT_REG_ARG, 4),		\
		tail							\
	}
		ACCEPT_PROG(COMPAT_REG_RES, SR_EXIT(COMPAT_REG_RES)),
		ACCEPT_PROG(COMPAT_REG_ACCEPT_FD,
			    SR_MOV_K(COMPAT_REG_RES, 0), SR_EXIT(COMPAT_REG_RES)),
#undef ACCEPT_PROG
	};
	struct sysring_prog_reg out;
	int i, ret;

	for (i = 0; i < 2; i++) {
		ret = sysring_register_prog(&c->sr, accept[i], i ? 8 : 7, &out);
		if (ret < 0)
			return ret;
		c->prog_accept[i] = ret;
	}
	return 0;
}

/* Fill @s (zeroed) from the request's SQE copy. */
int compat_prep(struct compat_ring *c, struct compat_req *req,
		struct sysring_sqe *s, struct compat_chain *chain, bool async)
{
	struct sysring_insn insns[SYSRING_SQE_INSNS];
	struct prep p = {
		.c = c, .req = req, .sqe = &req->sqe, .chain = chain,
		.async = async, .dst = COMPAT_REG_RES, .prog = -1,
	};
	const struct compat_op *op;
	unsigned i, n = 0;
	int ret;

	if (req->sqe.opcode >= IORING_OP_LAST ||
	    !compat_ops[req->sqe.opcode].prep ||
	    (req->sqe.flags & ~COMPAT_SQE_FLAGS) || req->sqe.personality ||
	    ((req->sqe.flags & IOSQE_BUFFER_SELECT) &&
	     !compat_op_buffer_select(req->sqe.opcode)))
		return -EINVAL;
	op = &compat_ops[req->sqe.opcode];
	for (i = 0; i < SYSRING_SQE_REGS; i++)
		p.arg_reg[i] = -1;
	ret = op->prep(&p);
	if (ret)
		return ret;

	for (i = 0; i < p.nargs; i++)
		if (p.arg_reg[i] >= 0)
			insns[n++] = SR_MOV(COMPAT_REG_ARG + i, p.arg_reg[i]);
	if (p.prog >= 0) {
		/* No room for the moves: not on a socket opened in the chain. */
		if (n)
			return -EINVAL;
		sysring_prep_prog(s, (unsigned)p.prog);
		goto regs;
	}
	if (p.stream && !n) {
		n = prep_stream_rw(&p, insns);
	} else {
		if (n + p.nbody + 1 > SYSRING_SQE_INSNS)
			return -EINVAL;
		memcpy(&insns[n], p.body, p.nbody * sizeof(*insns));
		n += p.nbody;
	}
	insns[n++] = SR_EXIT(COMPAT_REG_RES);
	sysring_prep_insns(s, insns, n);
regs:
	sysring_sqe_set_regs(s, COMPAT_REG_ARG, p.args, p.nargs);
	sysring_sqe_set_snap(s, req->fd_reg >= 0 ? (unsigned)req->fd_reg : 0);
	sysring_sqe_set_budget(s, p.budget);
	req->nowait = !async && op->block == COMPAT_NOWAIT &&
		      !compat_app_nowait(&req->sqe);
	return 0;
}
