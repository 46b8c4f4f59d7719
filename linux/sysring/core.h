/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SYSRING_CORE_H
#define _SYSRING_CORE_H

#include <linux/cache.h>
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/sysring.h>

#include "vm.h"

struct eventfd_ctx;

/*
 * A ring's worker pool (wq.c), in the image of io-wq: threads of the
 * process that owns the ring, created when a chain is queued and no worker
 * is idle, up to max_workers, gone after an idle timeout or when the ring
 * is released.
 */
struct sysring_wq {
	spinlock_t		lock;		/* everything below */
	struct sysring_work	*head;		/* queued chains, FIFO */
	struct sysring_work	**tail;
	struct list_head	workers;	/* every live worker */
	struct list_head	idle;		/* parked, not handed anything */
	u32			nr_workers;	/* live or being created */
	u32			max_workers;
	bool			dying;		/* the ring was released */
	struct pid		*owner;		/* thread group workers join */
};

/*
 * A ring's SQPOLL thread (sqpoll.c): with SYSRING_SETUP_SQPOLL, a thread of
 * the process that created the ring consumes its SQ, with no system call.
 */
struct sysring_sqpoll {
	struct task_struct	*task;	/* wq.lock; NULL once it has exited */
	/* The inline block it runs, for cancel requests (wq.lock). */
	struct sysring_chain_ent *ent;
	wait_queue_head_t	wait;	/* it sleeps here when idle */
	wait_queue_head_t	space;	/* SYSRING_ENTER_SQ_WAIT waiters */
	unsigned long		idle;	/* sq_thread_idle in jiffies */
	pid_t			pid;	/* its pid, for fdinfo */
	/*
	 * The thread's own: the last submission took nothing, at this CQ
	 * head; and the CQ head at its last flush of the overflow list.
	 */
	bool			stalled;
	u32			stall_cq_head;
	u32			flush_cq_head;
};

struct sysring_ctx {
	/* Serialises submission, inline execution and registration. */
	struct mutex		lock;
	struct sysring_exec	ex;
	/* One for the file, one per worker: the last one frees the ring. */
	refcount_t		refs;
	/* Posting CQEs and reserving CQ slots (sysring_exec_ops.cq_lock). */
	spinlock_t		cq_lock;
	size_t			rings_size;
	size_t			sqes_size;
	struct xarray		progs;		/* index -> struct sysring_prog */
	wait_queue_head_t	cq_wait;
	/* Signalled with cq_wait's wake-ups; set and cleared under lock. */
	struct eventfd_ctx __rcu *evfd;
	struct sysring_wq	wq;
	struct sysring_sqpoll	sq;
};

static inline struct sysring_ctx *sysring_ex_ctx(struct sysring_exec *ex)
{
	return container_of(ex, struct sysring_ctx, ex);
}

/*
 * A WAIT armed at submission (poll.c): an entry on the file's wait queue
 * that latches the matching wake-ups until the WAIT takes them.
 */
struct sysring_wait_arm {
	struct file		*file;		/* referenced */
	/* The file's wait queue; NULL after POLLFREE (RCU, see poll.c). */
	wait_queue_head_t	*head;
	struct wait_queue_entry	wait;		/* on *head */
	wait_queue_head_t	wake;		/* the WAIT sleeps here */
	atomic_t		latch;		/* events, SYSRING_ARM_* */
	__poll_t		key;		/* events, EPOLLERR, EPOLLHUP */
};

/* poll.c */
struct sysring_wait_arm *sysring_arm_file(struct file *file, __poll_t key);
void sysring_arm_free(struct sysring_wait_arm *arm);
long sysring_arm_wait(struct sysring_wait_arm *arm, ktime_t expire, bool look);
bool sysring_arm_target(const struct sysring_chain_ent *ent, u32 *fd,
			__poll_t *key);
void sysring_work_arm(struct sysring_exec *ex, struct sysring_work *work);

/* wait.c */
int sysring_cq_wait(struct sysring_ctx *ctx, u32 min_complete,
		    const struct sysring_wait_req *req);
void sysring_ctx_flush(struct sysring_ctx *ctx);
void sysring_cq_notify(struct sysring_exec *ex);
__poll_t sysring_poll(struct file *file, struct poll_table_struct *wait);
int sysring_eventfd_register(struct sysring_ctx *ctx, void __user *arg,
			     unsigned int nr_args);
int sysring_eventfd_unregister(struct sysring_ctx *ctx, void __user *arg,
			       unsigned int nr_args);
void sysring_eventfd_free(struct sysring_ctx *ctx);

/* fdinfo.c */
struct seq_file;
void sysring_show_fdinfo(struct seq_file *m, struct file *file);

/* memmap.c */
int sysring_rings_alloc(struct sysring_ctx *ctx);
void sysring_rings_free(struct sysring_ctx *ctx);
int sysring_mmap(struct file *file, struct vm_area_struct *vma);

/* register.c */
void sysring_progs_free(struct sysring_ctx *ctx);
const struct sysring_prog *sysring_ctx_prog_get(struct sysring_exec *ex,
						u32 index);
void sysring_ctx_prog_put(struct sysring_exec *ex,
			  const struct sysring_prog *prog);

/* sqpoll.c */
void sysring_sqpoll_init(struct sysring_ctx *ctx);
int sysring_sqpoll_start(struct sysring_ctx *ctx);
void sysring_sqpoll_kick(struct sysring_ctx *ctx);
long sysring_sqpoll_enter(struct sysring_ctx *ctx, u32 to_submit, u32 flags);
u32 sysring_sqpoll_cancel(struct sysring_ctx *ctx,
			  const struct sysring_cancel_reg *reg);
void sysring_sqpoll_step(struct sysring_exec *ex,
			 struct sysring_chain_ent *ent);
pid_t sysring_sqpoll_pid(struct sysring_ctx *ctx);

/* wq.c */
extern const struct sysring_exec_ops sysring_kernel_ops;
void sysring_io_thread_work(void);
bool sysring_io_thread_killed(void);
void sysring_wq_init(struct sysring_ctx *ctx);
void sysring_wq_shutdown(struct sysring_ctx *ctx);
int sysring_wq_set_max(struct sysring_ctx *ctx, u32 max);
int sysring_wq_cancel(struct sysring_ctx *ctx,
		      const struct sysring_cancel_reg *reg);

/* core.c */
void sysring_ctx_put(struct sysring_ctx *ctx);
struct sysring_ctx *sysring_ctx_from_fd(struct fd f);
extern const struct file_operations sysring_fops;

#endif /* _SYSRING_CORE_H */
