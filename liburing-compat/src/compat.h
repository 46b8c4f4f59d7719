/* SPDX-License-Identifier: MIT */
/*
 * liburing-compat internals.  liburing's own header (liburing 2.3, as
 * Debian's liburing-dev installs it) is the API; its inline helpers only
 * touch ring memory, so this library gives them rings that live in user
 * memory and turns what they queue into sysring blocks:
 *
 *   io_uring SQ (user memory) --submit.c/opdef.c--> sysring SQ (kernel)
 *   io_uring CQ (user memory) <--complete.c------- sysring CQ (kernel)
 *
 * Each io_uring SQE in flight has a request record (struct compat_req); its
 * index is the sysring user_data, and it remembers what the completion must
 * be turned back into.
 *
 * Completions of blocks that ran on sysring's workers arrive while the
 * program may be in no library call at all, yet liburing programs may spin
 * on the CQ memory (io_uring_for_each_cqe, io_uring_cq_ready) as the kernel
 * fills io_uring's CQ by itself.  So a reaper thread per ring waits on the
 * sysring CQ and moves what arrives into the io_uring CQ.  c->lock
 * serialises everything that consumes the sysring CQ, submits to the sysring
 * SQ or touches the request and file tables: the reaper, and every library
 * call.  Waiters sleep on c->notify_fd, an eventfd the poster signals.
 */
#ifndef LIBURING_COMPAT_INTERNAL_H
#define LIBURING_COMPAT_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/time_types.h>

#include "liburing.h"
#include "sysring.h"

/* What the io_uring API allows and sysring can hold. */
#define COMPAT_MAX_ENTRIES	SYSRING_MAX_ENTRIES
#define COMPAT_MAX_CQ_ENTRIES	SYSRING_MAX_CQ_ENTRIES
#define COMPAT_MAX_FILES	(1U << 15)
#define COMPAT_MAX_BUFS		(1U << 14)

/* Registers: r0 result, r1..r6 syscall arguments, r8.. direct fds. */
#define COMPAT_REG_RES		0
#define COMPAT_REG_ARG		1
#define COMPAT_REG_ACCEPT_FD	7	/* ACCEPT's direct fd */
#define COMPAT_REG_FD		8	/* first register of a chain's new fds */
#define COMPAT_CHAIN_FDS	(SYSRING_NR_REGS - COMPAT_REG_FD)
#define COMPAT_SNAP_REGS	4

/*
 * What can be in flight: the sysring CQ (as large as the io_uring CQ) and
 * the overflow list sysring keeps past it, twice as large.
 */
#define COMPAT_INFLIGHT_CQS	3

/* A fixed-file slot picked for a descriptor that is still being opened. */
#define COMPAT_FILE_RESERVED	(-2)

/* The most one read or write moves, as the kernel's MAX_RW_COUNT. */
#define COMPAT_MAX_RW		0x7ffff000U

/* A provided buffer in a list (IORING_OP_PROVIDE_BUFFERS). */
struct compat_pbuf {
	__u64		addr;
	__u32		len;
	__u16		bid;
};

/* A provided-buffer group: a list, or a buffer ring in program memory. */
struct compat_buf_group {
	__u16		bgid;
	struct io_uring_buf_ring *br;	/* a ring, or NULL: a list */
	__u16		head;		/* ring: next entry to take */
	unsigned	mask;
	struct compat_pbuf *list;	/* list: a deque of @nr from @first */
	unsigned	first, nr, size;	/* size a power of two */
};

/* The provided buffer a request holds (IOSQE_BUFFER_SELECT). */
struct compat_kbuf {
	__u64		addr;
	__u32		len;
	__u16		bid, bgid;
	__u16		ring_head;	/* ring: the entry it was */
	bool		held;
};

/* How an opcode may block: decides inline or worker execution. */
enum compat_block {
	COMPAT_NEVER,		/* runs to completion without waiting */
	COMPAT_NOWAIT,		/* tried non-blocking inline, else on a worker */
	COMPAT_ALWAYS,		/* waits for an event: always on a worker */
};

struct compat_req {
	__u64		user_data;	/* the io_uring SQE's */
	struct io_uring_sqe sqe;	/* a copy, to run it again blocking */
	int		next_free;	/* free list link, -1 at the end */
	bool		in_use;
	bool		nowait;		/* a non-blocking try: -EAGAIN punts */
	bool		canceled;	/* an ASYNC_CANCEL or TIMEOUT_REMOVE hit */
	bool		timeout_done;	/* count-based timeout satisfied */
	int		chain_next;	/* next request of the chain, or -1 */
	bool		chain_skip;	/* its -ECANCELED CQE is not posted */
	int		direct_slot;	/* fixed-file slot a new fd goes to, or -1 */
	int		close_slot;	/* fixed-file slot it closes, or -1 */
	int		fd_reg;		/* register holding that new fd */
	__u64		timeout_target;	/* count-based timeout: CQ seq to reach */
	struct iovec	iov;		/* READ/WRITE through preadv2/pwritev2 */
	__s64		off_in, off_out;	/* SPLICE offsets */
	struct __kernel_timespec ts;	/* TIMEOUT */
	struct sockaddr_storage addr;	/* SEND's destination */
	struct compat_kbuf kbuf;	/* IOSQE_BUFFER_SELECT */
	bool		multishot;	/* IORING_RECV_MULTISHOT */
	bool		msg_copied;	/* @msg holds the program's msghdr */
	struct msghdr	msg;		/* RECVMSG with a provided buffer */
	__u32		namelen, controllen;	/* multishot RECVMSG's layout */
};

/* Completions made up by the library (not run by sysring), in order. */
struct compat_pending {
	struct io_uring_cqe *cqes;
	unsigned head, tail, size;	/* size a power of two */
};

struct compat_ring {
	struct sysring	sr;
	pthread_mutex_t	lock;
	pthread_t	reaper;
	bool		reaper_started;
	bool		stop;		/* under lock: the reaper exits */
	int		notify_fd;	/* eventfd: CQEs were posted */
	bool		posted;		/* under lock: notify after this batch */
	/* io_uring ring indices the inline helpers read and write */
	unsigned	sq_head, sq_tail, sq_flags, sq_dropped;
	unsigned	cq_head, cq_tail, cq_flags, cq_overflow;
	unsigned	sq_mask, sq_entries, cq_mask, cq_entries;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;

	struct compat_req *reqs;	/* calloc'ed: pages used as needed */
	unsigned	nr_reqs;
	unsigned	reqs_used;	/* never handed out beyond this */
	int		free_req;
	unsigned	inflight;	/* requests sysring still has */
	__u64		cq_seq;		/* CQEs posted so far (timeouts count) */
	unsigned	count_timeouts;	/* TIMEOUTs with a completion count */
	bool		firing;		/* in compat_timeouts_fire() */
	/*
	 * IOSQE_IO_DRAIN: a drained link starts when nothing is in flight, and
	 * nothing after it starts before it completes (the fence).  What has
	 * to wait is kept here, in order, and queued as in-flight work ends.
	 */
	struct io_uring_sqe *deferred;
	unsigned	nr_deferred, deferred_size;
	bool		fence;

	struct compat_pending pending;

	/* fds whose non-blocking try said EOPNOTSUPP: straight to a worker */
#define COMPAT_NOWAIT_FDS	1024
	unsigned long	no_nowait[COMPAT_NOWAIT_FDS / (8 * sizeof(long))];

	int		*files;		/* registered files: dup'ed fds, -1 empty */
	unsigned	nr_files;
	unsigned	alloc_start, alloc_end;	/* IORING_FILE_INDEX_ALLOC range */
	struct compat_buf_group *bgs;	/* provided-buffer groups */
	unsigned	nr_bgs;
	struct iovec	*bufs;		/* registered buffers */
	unsigned	nr_bufs;
	int		prog_accept[2];	/* registered programs: ACCEPT, direct */
	int		eventfd;	/* registered eventfd (a dup), or -1 */
	bool		eventfd_async;	/* only for completions off workers */
	bool		in_reaper;	/* under lock: the reaper is posting */
};

static inline struct compat_ring *compat_ring(const struct io_uring *ring)
{
	return ring->sq.ring_ptr;
}

/* opdef.c */
struct compat_chain {
	int	slot_reg[8];	/* fixed-file slot -> register, in this chain */
	int	slot[8];
	unsigned nslots;
	unsigned next_reg;
};

int compat_register_progs(struct compat_ring *c);
int compat_prep(struct compat_ring *c, struct compat_req *req,
		struct sysring_sqe *s, struct compat_chain *chain, bool async);
enum compat_block compat_op_block(unsigned opcode);
bool compat_op_supported(unsigned opcode);
bool compat_op_is_library(unsigned opcode);
bool compat_app_nowait(const struct io_uring_sqe *sqe);

/* submit.c */
void compat_run_deferred(struct compat_ring *c);
int compat_submit_locked(struct compat_ring *c, struct io_uring *ring);
int compat_submit(struct io_uring *ring);
int compat_resubmit(struct compat_ring *c, struct compat_req *req, bool async);
struct compat_req *compat_req_get(struct compat_ring *c);
void compat_req_put(struct compat_ring *c, struct compat_req *req);

/* complete.c; every function but compat_reaper() wants c->lock held */
void compat_post(struct compat_ring *c, __u64 user_data, __s32 res);
int compat_reap(struct compat_ring *c);
void compat_notify(struct compat_ring *c);
bool compat_no_nowait(struct compat_ring *c, const struct io_uring_sqe *sqe);
void *compat_reaper(void *arg);
void compat_reaper_stop(struct compat_ring *c);
int compat_get_cqe(struct compat_ring *c, struct io_uring_cqe **cqe_ptr,
		   unsigned wait_nr, const struct __kernel_timespec *ts,
		   const sigset_t *sigmask);

/* kbuf.c */
int compat_copy_in(void *dst, __u64 src, size_t len);
int compat_copy_out(__u64 dst, const void *src, size_t len);
int compat_provide_buffers(struct compat_ring *c,
			   const struct io_uring_sqe *sqe);
int compat_remove_buffers(struct compat_ring *c,
			  const struct io_uring_sqe *sqe);
int compat_buf_select(struct compat_ring *c, struct compat_req *req,
		      __u64 *len);
__u32 compat_buf_done(struct compat_ring *c, struct compat_req *req,
		      bool used);
void compat_bgs_free(struct compat_ring *c);

/* register.c */
int compat_file(struct compat_ring *c, unsigned slot);
int compat_sqe_fd(struct compat_ring *c, const struct io_uring_sqe *sqe);
void compat_files_free(struct compat_ring *c);
int compat_fd_hide(int fd);
void compat_file_install(struct compat_ring *c, unsigned slot, int fd);
int compat_file_alloc(struct compat_ring *c);

#endif /* LIBURING_COMPAT_INTERNAL_H */
