// SPDX-License-Identifier: MIT
/*
 * The userspace backend: sysring_setup/enter/register implemented in the
 * library with the kernel's own VM core (check.c, vm.c, submit.c and
 * params.c, built from linux/sysring/), for kernels without sysring or on
 * request (SYSRING_BACKEND=user).
 *
 * A ring is a memfd laid out like the kernel's mapping (rings at
 * SYSRING_OFF_RINGS, SQEs at SYSRING_OFF_SQES), so the library maps it the
 * same way.  Inline blocks run in the thread that calls enter, or with
 * SYSRING_SETUP_SQPOLL in the ring's SQPOLL pthread, which consumes the SQ
 * itself and sleeps with SYSRING_SQ_NEED_WAKEUP set when idle, as the
 * kernel's does; a chain with SYSRING_SQE_ASYNC on its head runs on the
 * ring's pool of pthreads, with the same shared chain-running code
 * (sysring_chain_run()) as the kernel's workers.  System calls are
 * ordinary syscall(2)s.  Differences from the kernel are documented in
 * sysring(7): no kernel-side seccomp or memory charging, user memory
 * reached through process_vm_readv/writev, slower, and a worker (or the
 * SQPOLL thread) blocked in a system call is interrupted neither when the
 * ring is closed (it finishes its chain and exits; process exit ends it)
 * nor by a cancel request (the block is marked: a loop stops at its next
 * stop check, a system call finishes first).  Interrupting one would take
 * a signal the library would have to own in every application.
 *
 * Waits for completions sleep in ppoll(2) on an eventfd of their own that
 * posters write to, so that a timeout, a signal and a signal mask act on
 * them as on the kernel's; a registered eventfd is written to the same way.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm.h"
#include "backend.h"

#define SYSRING_USER_PAGE	4096UL
#define SYSRING_USER_ALIGN(n)	(((n) + SYSRING_USER_PAGE - 1) & ~(SYSRING_USER_PAGE - 1))

#define SYSRING_USER_IDLE_S	5	/* an idle worker exits after this */

/* A thread in sysring_user_enter()'s wait, on sysring_user.waiters. */
struct sysring_user_waiter {
	struct sysring_user_waiter *next;
	int			efd;	/* written to when CQEs are posted */
};

struct sysring_user {
	struct sysring_exec	ex;
	pthread_mutex_t		lock;	/* serialises submission and register */
	pthread_mutex_t		cq_lock;	/* posting CQEs, reservations */
	pthread_cond_t		cq_wait;	/* drain waits on cq_lock */
	struct sysring_user_waiter *waiters;	/* in enter's wait (cq_lock) */
	int			evfd;	/* registered eventfd's dup, -1 (cq_lock) */
	int			refs;	/* the fd's, and one per worker */
	pid_t			owner;	/* the process whose threads work */
	/* The worker pool: everything below is under wq_lock. */
	pthread_mutex_t		wq_lock;
	pthread_cond_t		wq_cond;	/* idle workers wait here */
	struct sysring_work	*head;		/* queued chains, FIFO */
	struct sysring_work	**tail;
	unsigned int		nr_workers;	/* live or being created */
	unsigned int		nr_free;	/* idle, not handed a chain */
	unsigned int		nr_claims;	/* wake-ups handed out */
	struct sysring_user_worker *workers;	/* every live worker */
	bool			dying;		/* the fd was closed */
	/* The block the SQPOLL thread runs, for cancel requests (wq_lock). */
	struct sysring_chain_ent *sq_ent;
	/* The SQPOLL thread (ex.sq_thread_idle set): under sq_lock. */
	pthread_mutex_t		sq_lock;
	pthread_cond_t		sq_wake;	/* the thread sleeps here */
	pthread_cond_t		sq_space;	/* SQ_WAIT waits here */
	bool			sq_running;	/* the thread exists */
	bool			sq_woken;	/* a wake-up it has not seen */
	/* The thread's own: the last submission took nothing, at this head. */
	bool			sq_stalled;
	u32			sq_stall_cq_head;
	u32			sq_flush_cq_head;	/* at its last flush */
	int			fd;
	dev_t			dev;	/* identify the memfd behind fd */
	ino_t			ino;
	size_t			rings_size;
	size_t			sqes_size;
	struct sysring_vm	vm;
	struct sysring_prog	*progs[SYSRING_MAX_PROGS];
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sysring_user **table;
static int table_len;

/* The ring behind @fd, if it is still the memfd we created for it. */
static struct sysring_user *sysring_user_find(int fd)
{
	struct sysring_user *u = NULL;
	struct stat st;

	pthread_mutex_lock(&table_lock);
	if (fd >= 0 && fd < table_len)
		u = table[fd];
	pthread_mutex_unlock(&table_lock);
	if (u && (fstat(fd, &st) || st.st_dev != u->dev || st.st_ino != u->ino))
		return NULL;
	return u;
}

bool sysring_user_owns(int fd)
{
	return sysring_user_find(fd) != NULL;
}

static int sysring_user_insert(struct sysring_user *u)
{
	int ret = 0;

	pthread_mutex_lock(&table_lock);
	if (u->fd >= table_len) {
		int len = u->fd + 64;
		struct sysring_user **t = realloc(table, len * sizeof(*t));

		if (!t) {
			ret = -ENOMEM;
			goto out;
		}
		memset(t + table_len, 0, (len - table_len) * sizeof(*t));
		table = t;
		table_len = len;
	}
	table[u->fd] = u;
out:
	pthread_mutex_unlock(&table_lock);
	return ret;
}

static void sysring_user_prog_put(struct sysring_exec *ex,
				  const struct sysring_prog *prog)
{
	struct sysring_prog *p = (struct sysring_prog *)prog;

	(void)ex;
	if (refcount_dec_and_test(&p->refs))
		free(p);
}

static void sysring_user_free(struct sysring_user *u)
{
	unsigned int i;

	for (i = 0; i < SYSRING_MAX_PROGS; i++)
		if (u->progs[i])
			sysring_user_prog_put(&u->ex, u->progs[i]);
	sysring_cq_free(&u->ex);
	if (u->evfd >= 0)
		close(u->evfd);
	if (u->ex.rings)
		munmap(u->ex.rings, u->rings_size);
	if (u->ex.sqes)
		munmap(u->ex.sqes, u->sqes_size);
	pthread_mutex_destroy(&u->lock);
	pthread_mutex_destroy(&u->cq_lock);
	pthread_cond_destroy(&u->cq_wait);
	pthread_mutex_destroy(&u->wq_lock);
	pthread_cond_destroy(&u->wq_cond);
	pthread_mutex_destroy(&u->sq_lock);
	pthread_cond_destroy(&u->sq_wake);
	pthread_cond_destroy(&u->sq_space);
	free(u);
}

static void sysring_user_put(struct sysring_user *u)
{
	if (__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL) == 0)
		sysring_user_free(u);
}

/* ---- the worker pool ---- */

struct sysring_user_worker {
	struct sysring_user	*u;
	struct sysring_user_worker *next, **pprev;	/* u->workers */
	struct sysring_work	*work;	/* the chain it runs (wq_lock) */
	struct sysring_vm	vm;	/* this worker's register file */
};

static struct sysring_work *sysring_user_take_all(struct sysring_user *u)
{
	struct sysring_work *list = u->head;

	u->head = NULL;
	u->tail = &u->head;
	return list;
}

/* Wake one idle worker for a queued chain; wq_lock held.  False: none. */
static bool sysring_user_wake_one(struct sysring_user *u)
{
	if (!u->nr_free)
		return false;
	u->nr_free--;
	u->nr_claims++;
	pthread_cond_signal(&u->wq_cond);
	return true;
}

static void *sysring_user_worker(void *arg)
{
	struct sysring_user_worker *w = arg;
	struct sysring_user *u = w->u;
	bool timed_out = false;

	pthread_mutex_lock(&u->wq_lock);
	w->next = u->workers;
	if (w->next)
		w->next->pprev = &w->next;
	w->pprev = &u->workers;
	u->workers = w;
	for (;;) {
		struct sysring_work *work;
		struct timespec ts;
		int ret;

		if (u->dying || u->nr_workers > u->ex.max_workers)
			break;
		work = u->head;
		if (work) {
			u->head = work->next;
			if (!u->head)
				u->tail = &u->head;
			/* From here on a cancel request finds it here. */
			w->work = work;
			pthread_mutex_unlock(&u->wq_lock);
			sysring_work_run(&u->ex, &w->vm, work);
			pthread_mutex_lock(&u->wq_lock);
			w->work = NULL;
			sysring_work_free(&u->ex, work);
			timed_out = false;
			continue;
		}
		if (timed_out)
			break;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += SYSRING_USER_IDLE_S;
		u->nr_free++;
		ret = pthread_cond_timedwait(&u->wq_cond, &u->wq_lock, &ts);
		/* Whoever leaves the idle set first uses up a wake-up. */
		if (u->nr_claims)
			u->nr_claims--;
		else
			u->nr_free--;
		timed_out = ret == ETIMEDOUT;
	}
	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	u->nr_workers--;
	/* Leaving for a lowered limit with work queued: hand it on. */
	if (u->nr_workers && u->head && !u->dying)
		sysring_user_wake_one(u);
	pthread_mutex_unlock(&u->wq_lock);
	free(w);
	sysring_user_put(u);
	return NULL;
}

/* A detached pthread that blocks every signal, holding a reference. */
static int sysring_user_thread(struct sysring_user *u, void *(*fn)(void *),
			       void *arg)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	int ret;

	__atomic_add_fetch(&u->refs, 1, __ATOMIC_RELAXED);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Signals are for the application's threads, not the ring's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&t, &attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (ret)
		__atomic_sub_fetch(&u->refs, 1, __ATOMIC_RELAXED);
	return -ret;
}

static int sysring_user_worker_create(struct sysring_user *u)
{
	struct sysring_user_worker *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	w->u = u;
	w->vm.env = u;
	ret = sysring_user_thread(u, sysring_user_worker, w);
	if (ret)
		free(w);
	return ret;
}

/* The kernel's sysring_wq_queue(), with pthreads. */
static int sysring_user_queue(struct sysring_exec *ex, struct sysring_work *work)
{
	struct sysring_user *u = (struct sysring_user *)ex;
	int ret;

	if (getpid() != u->owner)
		return -EPERM;
	pthread_mutex_lock(&u->wq_lock);
	*u->tail = work;
	u->tail = &work->next;
	if (sysring_user_wake_one(u) || u->nr_workers >= u->ex.max_workers) {
		pthread_mutex_unlock(&u->wq_lock);
		return 0;
	}
	u->nr_workers++;
	pthread_mutex_unlock(&u->wq_lock);

	ret = sysring_user_worker_create(u);
	if (!ret)
		return 0;
	pthread_mutex_lock(&u->wq_lock);
	u->nr_workers--;
	/*
	 * No worker at all: take @work back, unless a cancel request took
	 * and completed it (then it was accepted).
	 */
	if (!u->nr_workers) {
		bool taken = sysring_queue_remove(&u->head, &u->tail, work);

		pthread_mutex_unlock(&u->wq_lock);
		if (!taken)
			return 0;
		return ret == -ENOMEM ? ret : -EAGAIN;
	}
	pthread_mutex_unlock(&u->wq_lock);
	return 0;
}

static const struct sysring_prog *sysring_user_prog_get(struct sysring_exec *ex,
							u32 index)
{
	struct sysring_prog *prog;

	prog = (struct sysring_prog *)sysring_env_prog(ex, index);
	if (prog)
		refcount_inc(&prog->refs);
	return prog;
}

static struct sysring_work *sysring_user_work_alloc(struct sysring_exec *ex,
						    u32 nr)
{
	(void)ex;
	return malloc(sizeof(struct sysring_work) +
		      (size_t)nr * sizeof(struct sysring_chain_ent));
}

static void sysring_user_work_free(struct sysring_exec *ex,
				   struct sysring_work *work)
{
	(void)ex;
	free(work);
}

static void sysring_user_cq_lock(struct sysring_exec *ex)
{
	pthread_mutex_lock(&((struct sysring_user *)ex)->cq_lock);
}

static void sysring_user_cq_unlock(struct sysring_exec *ex)
{
	pthread_mutex_unlock(&((struct sysring_user *)ex)->cq_lock);
}

/* An eventfd's counter goes up by one, as the kernel's eventfd_signal(). */
static void sysring_user_kick(int efd)
{
	const uint64_t one = 1;

	if (write(efd, &one, sizeof(one)) < 0) {
		/* Only a counter at its maximum: it is readable anyway. */
	}
}

/*
 * Waiters check under cq_lock, and join u->waiters there, before they
 * sleep: none misses a CQE posted before it sleeps.
 */
static void sysring_user_cq_posted(struct sysring_exec *ex)
{
	struct sysring_user *u = (struct sysring_user *)ex;
	struct sysring_user_waiter *w;

	pthread_mutex_lock(&u->cq_lock);
	pthread_cond_broadcast(&u->cq_wait);
	for (w = u->waiters; w; w = w->next)
		sysring_user_kick(w->efd);
	if (u->evfd >= 0)
		sysring_user_kick(u->evfd);
	pthread_mutex_unlock(&u->cq_lock);
}

static int sysring_user_drain(struct sysring_exec *ex)
{
	struct sysring_user *u = (struct sysring_user *)ex;

	pthread_mutex_lock(&u->cq_lock);
	while (ex->cq_reserved)
		pthread_cond_wait(&u->cq_wait, &u->cq_lock);
	pthread_mutex_unlock(&u->cq_lock);
	return 0;
}

/* The ring whose SQPOLL thread this thread is, if it is one. */
static __thread struct sysring_user *sysring_user_sq_self;

/* The kernel's sysring_sqpoll_step(), without an interruption to drop. */
static void sysring_user_inline_step(struct sysring_exec *ex,
				     struct sysring_chain_ent *ent)
{
	struct sysring_user *u = (struct sysring_user *)ex;

	if (sysring_user_sq_self != u)
		return;
	pthread_mutex_lock(&u->wq_lock);
	u->sq_ent = ent;
	pthread_mutex_unlock(&u->wq_lock);
}

/* The kernel's sysring_wq_work_step(), without an interruption to drop. */
static void sysring_user_work_step(struct sysring_exec *ex,
				   struct sysring_work *work, u32 i)
{
	struct sysring_user *u = (struct sysring_user *)ex;

	pthread_mutex_lock(&u->wq_lock);
	work->cur = i;
	pthread_mutex_unlock(&u->wq_lock);
}

static const struct sysring_exec_ops sysring_user_ops = {
	.prog_get	= sysring_user_prog_get,
	.prog_put	= sysring_user_prog_put,
	.work_alloc	= sysring_user_work_alloc,
	.work_free	= sysring_user_work_free,
	.work_queue	= sysring_user_queue,
	.cq_lock	= sysring_user_cq_lock,
	.cq_unlock	= sysring_user_cq_unlock,
	.cq_posted	= sysring_user_cq_posted,
	.drain		= sysring_user_drain,
	.work_step	= sysring_user_work_step,
	.inline_step	= sysring_user_inline_step,
};

/* Move overflowed completions into the room userspace has made. */
static void sysring_user_flush(struct sysring_user *u)
{
	while (sysring_cq_flush(&u->ex))
		;
}

/* ---- the SQPOLL thread: the kernel's sqpoll.c with pthreads ---- */

static bool sysring_user_sq_may_flush(struct sysring_user *u)
{
	return READ_ONCE(u->ex.nr_ovf) &&
	       READ_ONCE(u->ex.rings->cq_head) != u->sq_flush_cq_head;
}

static bool sysring_user_sq_flush(struct sysring_user *u)
{
	if (!sysring_user_sq_may_flush(u))
		return false;
	u->sq_flush_cq_head = READ_ONCE(u->ex.rings->cq_head);
	sysring_user_flush(u);
	return true;
}

static bool sysring_user_sq_may_submit(struct sysring_user *u)
{
	struct sysring_rings *rings = u->ex.rings;

	if (READ_ONCE(rings->sq_tail) == u->ex.cached_sq_head)
		return false;
	return !u->sq_stalled || READ_ONCE(rings->cq_head) != u->sq_stall_cq_head;
}

static bool sysring_user_sq_has_work(struct sysring_user *u)
{
	return sysring_user_sq_may_submit(u) || sysring_user_sq_may_flush(u);
}

/* Submit what is queued; stall on entries it could not take. */
static int sysring_user_sq_submit(struct sysring_user *u)
{
	u32 cq_head;
	int ret;

	if (!sysring_user_sq_may_submit(u))
		return 0;
	cq_head = READ_ONCE(u->ex.rings->cq_head);
	pthread_mutex_lock(&u->lock);
	ret = sysring_exec_submit(&u->ex, u->ex.sq_entries);
	pthread_mutex_unlock(&u->lock);
	u->sq_stalled = ret <= 0;
	if (u->sq_stalled) {
		u->sq_stall_cq_head = cq_head;
		return 0;
	}
	pthread_mutex_lock(&u->sq_lock);
	pthread_cond_broadcast(&u->sq_space);
	pthread_mutex_unlock(&u->sq_lock);
	return ret;
}

/*
 * Set NEED_WAKEUP, then look at the SQ again after a full barrier (the
 * protocol of the kernel's sysring_sqpoll_sleep()), and sleep until a
 * wake-up.  sq_lock orders the check with a waker's sq_woken.
 */
static void sysring_user_sq_sleep(struct sysring_user *u)
{
	atomic_t *flags = &u->ex.rings->sq_flags;

	pthread_mutex_lock(&u->sq_lock);
	atomic_or(SYSRING_SQ_NEED_WAKEUP, flags);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (!u->sq_woken && !READ_ONCE(u->dying) &&
	       !sysring_user_sq_has_work(u))
		pthread_cond_wait(&u->sq_wake, &u->sq_lock);
	u->sq_woken = false;
	atomic_andnot(SYSRING_SQ_NEED_WAKEUP, flags);
	pthread_mutex_unlock(&u->sq_lock);
	u->sq_stalled = false;
}

static double sysring_user_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *sysring_user_sqpoll(void *arg)
{
	struct sysring_user *u = arg;
	double timeout;
	bool busy;

	sysring_user_sq_self = u;
	timeout = sysring_user_now_ms() + u->ex.sq_thread_idle;
	while (!READ_ONCE(u->dying)) {
		/* Flush first: the room it leaves may take a stalled chain. */
		busy = sysring_user_sq_flush(u);
		if (sysring_user_sq_submit(u))
			busy = true;
		if (busy) {
			timeout = sysring_user_now_ms() + u->ex.sq_thread_idle;
		} else if (sysring_user_now_ms() > timeout) {
			sysring_user_sq_sleep(u);
			timeout = sysring_user_now_ms() + u->ex.sq_thread_idle;
		} else {
			sched_yield();
		}
	}
	pthread_mutex_lock(&u->sq_lock);
	u->sq_running = false;
	pthread_cond_broadcast(&u->sq_space);
	pthread_mutex_unlock(&u->sq_lock);
	sysring_user_put(u);
	return NULL;
}

/*
 * enter on an SQPOLL ring: wake the thread, wait for SQ space on request,
 * and return @to_submit, as the kernel's sysring_sqpoll_enter(), up to
 * INT_MAX (the library returns int).  A forked child shares the memfd but
 * not the thread: -EOWNERDEAD.
 */
static int sysring_user_sq_enter(struct sysring_user *u,
				 unsigned int to_submit, unsigned int flags)
{
	struct sysring_rings *rings = u->ex.rings;
	bool dead;

	if (getpid() != u->owner)
		return -EOWNERDEAD;
	pthread_mutex_lock(&u->sq_lock);
	u->sq_woken = true;
	pthread_cond_signal(&u->sq_wake);
	if (flags & SYSRING_ENTER_SQ_WAIT)
		while (u->sq_running && READ_ONCE(rings->sq_tail) -
		       READ_ONCE(u->ex.cached_sq_head) >= u->ex.sq_entries)
			pthread_cond_wait(&u->sq_space, &u->sq_lock);
	dead = !u->sq_running;
	pthread_mutex_unlock(&u->sq_lock);
	if (dead)
		return -EOWNERDEAD;
	return to_submit > INT_MAX ? INT_MAX : (int)to_submit;
}

static int sysring_user_map(struct sysring_user *u)
{
	void *p;

	if (ftruncate(u->fd, SYSRING_OFF_SQES + u->sqes_size))
		return -errno;
	p = mmap(NULL, u->rings_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 u->fd, SYSRING_OFF_RINGS);
	if (p == MAP_FAILED)
		return -errno;
	u->ex.rings = p;
	p = mmap(NULL, u->sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 u->fd, SYSRING_OFF_SQES);
	if (p == MAP_FAILED)
		return -errno;
	u->ex.sqes = p;
	return 0;
}

int sysring_user_setup(unsigned int entries, struct sysring_params *p)
{
	pthread_condattr_t cattr;
	struct sysring_params kp;
	struct sysring_user *u;
	struct stat st;
	int ret;

	if (sysring_env_load(&kp, (u64)(uintptr_t)p, sizeof(kp)))
		return -EFAULT;
	ret = sysring_params_check(entries, &kp);
	if (ret)
		return ret;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	pthread_mutex_init(&u->lock, NULL);
	pthread_mutex_init(&u->cq_lock, NULL);
	pthread_mutex_init(&u->wq_lock, NULL);
	/* Timed waits on both use CLOCK_MONOTONIC deadlines. */
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&u->cq_wait, &cattr);
	pthread_cond_init(&u->wq_cond, &cattr);
	pthread_condattr_destroy(&cattr);
	pthread_mutex_init(&u->sq_lock, NULL);
	pthread_cond_init(&u->sq_wake, NULL);
	pthread_cond_init(&u->sq_space, NULL);
	u->refs = 1;
	u->evfd = -1;
	u->owner = getpid();
	u->tail = &u->head;
	sysring_exec_init(&u->ex, &kp);
	if (!u->ex.max_workers) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		u->ex.max_workers = sysring_default_workers(u->ex.sq_entries,
							    cpus > 0 ? cpus : 1);
	}
	u->ex.ops = &sysring_user_ops;
	u->ex.vm = &u->vm;
	u->vm.env = u;
	u->rings_size = SYSRING_USER_ALIGN(sysring_rings_bytes(&u->ex));
	u->sqes_size = SYSRING_USER_ALIGN(sysring_sqes_bytes(&u->ex));

	u->fd = memfd_create("[sysring-user]", MFD_CLOEXEC);
	if (u->fd < 0) {
		ret = -errno;
		free(u);
		return ret;
	}
	ret = sysring_user_map(u);
	if (!ret && fstat(u->fd, &st))
		ret = -errno;
	if (!ret) {
		u->dev = st.st_dev;
		u->ino = st.st_ino;
		ret = sysring_user_insert(u);
	}
	if (ret) {
		close(u->fd);
		sysring_user_free(u);
		return ret;
	}
	sysring_rings_init(&u->ex);
	if (u->ex.sq_thread_idle) {
		/* Released (and so stopped) on failure below. */
		u->sq_running = true;
		ret = sysring_user_thread(u, sysring_user_sqpoll, u);
		if (ret) {
			u->sq_running = false;
			sysring_user_release(u->fd);
			close(u->fd);
			return ret;
		}
	}

	sysring_params_fill(&u->ex, &kp);
	kp.features = SYSRING_FEAT_INLINE | SYSRING_FEAT_PROGS |
		      SYSRING_FEAT_LINK | SYSRING_FEAT_ASYNC |
		      SYSRING_FEAT_CANCEL | SYSRING_FEAT_NODROP |
		      SYSRING_FEAT_EXT_ARG | SYSRING_FEAT_SQPOLL |
		      SYSRING_FEAT_USER_BACKEND;
	kp.rings_size = u->rings_size;
	kp.sqes_size = u->sqes_size;
	if (sysring_env_store((u64)(uintptr_t)p, &kp, sizeof(kp))) {
		sysring_user_release(u->fd);
		close(u->fd);
		return -EFAULT;
	}
	return u->fd;
}

/*
 * The fd is being closed: drop the chains that did not start and tell the
 * workers to go.  One blocked in a system call finishes its chain first
 * (nothing here can interrupt it); the last reference frees the ring.
 */
void sysring_user_release(int fd)
{
	struct sysring_user *u = sysring_user_find(fd);
	struct sysring_work *list, *work;

	if (!u)
		return;
	pthread_mutex_lock(&table_lock);
	table[fd] = NULL;
	pthread_mutex_unlock(&table_lock);

	pthread_mutex_lock(&u->wq_lock);
	u->dying = true;
	list = sysring_user_take_all(u);
	pthread_cond_broadcast(&u->wq_cond);
	pthread_mutex_unlock(&u->wq_lock);
	/* The SQPOLL thread sees dying under sq_lock before it sleeps. */
	pthread_mutex_lock(&u->sq_lock);
	pthread_cond_broadcast(&u->sq_wake);
	pthread_mutex_unlock(&u->sq_lock);
	while ((work = list)) {
		list = work->next;
		sysring_work_free(&u->ex, work);
	}
	sysring_user_put(u);
}

static unsigned int sysring_user_cq_ready(struct sysring_user *u)
{
	return u->ex.cached_cq_tail - READ_ONCE(u->ex.rings->cq_head);
}

static void sysring_user_waiter_del(struct sysring_user *u,
				    struct sysring_user_waiter *w)
{
	struct sysring_user_waiter **pp;

	pthread_mutex_lock(&u->cq_lock);
	for (pp = &u->waiters; *pp != w; pp = &(*pp)->next)
		;
	*pp = w->next;
	pthread_mutex_unlock(&u->cq_lock);
}

/* The time left until @deadline, or false when it has passed. */
static bool sysring_user_left(const struct timespec *deadline,
			      struct timespec *left)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left->tv_sec = deadline->tv_sec - now.tv_sec;
	left->tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += 1000000000L;
	}
	return left->tv_sec >= 0;
}

static void sysring_user_deadline(struct timespec *deadline, u64 ns)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	/* Past a century, a century will do. */
	ns = min_t(u64, ns, 100ULL * 366 * 86400 * 1000000000ULL);
	deadline->tv_sec += ns / 1000000000ULL;
	deadline->tv_nsec += ns % 1000000000ULL;
	if (deadline->tv_nsec >= 1000000000L) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000L;
	}
}

/* The kernel's 64-bit signal mask as a C library sigset_t. */
static void sysring_user_sigset(sigset_t *set, u64 mask)
{
	int sig;

	sigemptyset(set);
	for (sig = 1; sig <= 64; sig++)
		if (mask & (1ULL << (sig - 1)))
			sigaddset(set, sig);
}

/*
 * The kernel's sysring_cq_wait(): flush, look, sleep, until @want CQEs are
 * ready, a signal comes (-EINTR) or the timeout passes (-ETIME).  The sleep
 * is a ppoll(2) on an eventfd that sysring_user_cq_posted() writes to, so
 * the signal mask is applied exactly as ppoll applies it.
 */
static int sysring_user_cq_wait(struct sysring_user *u, unsigned int want,
				const struct sysring_wait_req *req)
{
	struct sysring_user_waiter w;
	struct timespec deadline, left;
	bool timed_out = false;
	struct pollfd pfd;
	uint64_t count;
	sigset_t mask;
	int ret = 0;

	w.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w.efd < 0)
		return -errno;
	if (req->has_timeout)
		sysring_user_deadline(&deadline, req->timeout_ns);
	if (req->has_sigmask)
		sysring_user_sigset(&mask, req->sigmask);
	for (;;) {
		sysring_user_flush(u);
		pthread_mutex_lock(&u->cq_lock);
		if (sysring_user_cq_ready(u) >= want) {
			pthread_mutex_unlock(&u->cq_lock);
			break;
		}
		if (timed_out) {
			pthread_mutex_unlock(&u->cq_lock);
			ret = -ETIME;
			break;
		}
		w.next = u->waiters;
		u->waiters = &w;
		pthread_mutex_unlock(&u->cq_lock);

		if (req->has_timeout && !sysring_user_left(&deadline, &left))
			left.tv_sec = left.tv_nsec = 0;
		pfd.fd = w.efd;
		pfd.events = POLLIN;
		ret = ppoll(&pfd, 1, req->has_timeout ? &left : NULL,
			    req->has_sigmask ? &mask : NULL);
		sysring_user_waiter_del(u, &w);
		if (ret < 0) {
			ret = -errno;
			break;
		}
		timed_out = !ret;
		ret = 0;
		if (read(w.efd, &count, sizeof(count)) < 0) {
			/* Not kicked: the timeout, and nothing to reset. */
		}
	}
	close(w.efd);
	return ret;
}

int sysring_user_enter(int fd, unsigned int to_submit,
		       unsigned int min_complete, unsigned int flags,
		       const void *argp, size_t argsz)
{
	struct sysring_user *u = sysring_user_find(fd);
	struct sysring_wait_req req;
	int ret;

	if (!u)
		return -EBADF;
	if (flags & ~SYSRING_ENTER_FLAGS)
		return -EINVAL;
	ret = sysring_wait_req_get(&req, flags, (u64)(uintptr_t)argp, argsz);
	if (ret)
		return ret;

	if (!u->ex.sq_thread_idle &&
	    (flags & (SYSRING_ENTER_SQ_WAKEUP | SYSRING_ENTER_SQ_WAIT)))
		return -EINVAL;

	sysring_user_flush(u);
	if (u->ex.sq_thread_idle) {
		ret = sysring_user_sq_enter(u, to_submit, flags);
		if (ret < 0)
			return ret;
	} else if (to_submit) {
		pthread_mutex_lock(&u->lock);
		ret = sysring_exec_submit(&u->ex, to_submit);
		pthread_mutex_unlock(&u->lock);
		if (ret < 0)
			return ret;
	}
	if ((flags & SYSRING_ENTER_GETEVENTS) && min_complete) {
		int err = sysring_user_cq_wait(u, min_t(unsigned int,
							min_complete,
							u->ex.cq_entries),
					       &req);

		if (err && !ret)
			ret = err;
	}
	return ret;
}

static int sysring_user_add_prog(struct sysring_user *u,
				 struct sysring_prog_reg *reg)
{
	struct sysring_prog *prog;
	u32 bad_pc = 0;
	int reason, i;

	if (reg->flags || !mem_is_zero(reg->__resv, sizeof(reg->__resv)))
		return -EINVAL;
	if (reg->len > SYSRING_MAX_PROG_INSNS) {
		reason = SYSRING_CHECK_TOO_LONG;
		goto rejected;
	}
	prog = malloc(sizeof(*prog) + reg->len * sizeof(prog->insns[0]));
	if (!prog)
		return -ENOMEM;
	refcount_set(&prog->refs, 1);
	prog->len = reg->len;
	if (sysring_env_load(prog->insns, reg->insns,
			     reg->len * sizeof(prog->insns[0]))) {
		free(prog);
		return -EFAULT;
	}
	reason = sysring_check(prog->insns, reg->len, SYSRING_MAX_PROG_INSNS,
			       &bad_pc);
	if (reason != SYSRING_CHECK_OK) {
		free(prog);
		goto rejected;
	}
	prog->footprint = sysring_prog_footprint(prog->insns, reg->len);
	for (i = 0; i < SYSRING_MAX_PROGS; i++) {
		if (!u->progs[i]) {
			u->progs[i] = prog;
			reg->index = i;
			reg->reason = SYSRING_CHECK_OK;
			reg->pc = 0;
			return i;
		}
	}
	free(prog);
	return -ENOSPC;

rejected:
	reg->reason = reason;
	reg->pc = bad_pc;
	return -EINVAL;
}

/* Like the kernel's copy_{from,to}_user: a bad pointer is -EFAULT. */
static int sysring_user_register_prog(struct sysring_user *u, u64 uarg)
{
	struct sysring_prog_reg r, *reg = &r;
	int ret;

	if (sysring_env_load(reg, uarg, sizeof(*reg)))
		return -EFAULT;
	ret = sysring_user_add_prog(u, reg);
	if ((ret >= 0 || ret == -EINVAL) &&
	    sysring_env_store(uarg, reg, sizeof(*reg)))
		return -EFAULT;
	return ret;
}

static int sysring_user_probe(u64 uarg)
{
	struct sysring_probe p, *probe = &p;

	if (sysring_env_load(probe, uarg, sizeof(*probe)))
		return -EFAULT;
	if (!mem_is_zero(probe, sizeof(*probe)))
		return -EINVAL;
	sysring_probe_fill(probe);
	return sysring_env_store(uarg, probe, sizeof(*probe)) ? -EFAULT : 0;
}

/*
 * The kernel's sysring_wq_cancel(), under wq_lock and without u->lock; a
 * running block is marked but a system call it sleeps in is not
 * interrupted (see the top of this file).
 */
static int sysring_user_cancel(struct sysring_user *u, u64 uarg)
{
	struct sysring_cancel_reg reg;
	struct sysring_work *done = NULL, *work;
	struct sysring_user_worker *w;
	struct sysring_vm *vm;
	u32 max, n = 0;
	int ret;

	if (sysring_env_load(&reg, uarg, sizeof(reg)))
		return -EFAULT;
	ret = sysring_cancel_check(&reg);
	if (ret)
		return ret;
	max = reg.flags & SYSRING_CANCEL_ALL ? UINT32_MAX : 1;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->env = u;

	pthread_mutex_lock(&u->wq_lock);
	for (w = u->workers; w && n < max; w = w->next)
		if (w->work)
			n += sysring_cancel_work(w->work, w->work->cur, &reg,
						 max - n);
	if (n < max && u->sq_ent)
		n += sysring_cancel_ent(u->sq_ent, &reg);
	n += sysring_cancel_queued(&u->head, &u->tail, &reg, max - n, &done);
	pthread_mutex_unlock(&u->wq_lock);

	while ((work = done)) {
		done = work->next;
		sysring_work_cancel(&u->ex, vm, work);
	}
	free(vm);
	return n ? (int)n : -ENOENT;
}

/* Whether @fd is an eventfd: what eventfd_ctx_fdget() tells the kernel. */
static int sysring_user_is_eventfd(int fd)
{
	char path[64], link[32];
	ssize_t n;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") ? -EINVAL : 0;
}

/*
 * SYSRING_REGISTER_EVENTFD, under u->lock: a duplicate keeps the eventfd
 * as the kernel's reference keeps its file, whatever the caller closes.
 */
static int sysring_user_register_eventfd(struct sysring_user *u, u64 uarg)
{
	int fd, dup, ret;

	if (u->evfd >= 0)
		return -EBUSY;
	if (sysring_env_load(&fd, uarg, sizeof(fd)))
		return -EFAULT;
	ret = sysring_user_is_eventfd(fd);
	if (ret)
		return ret;
	dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup < 0)
		return -errno;
	pthread_mutex_lock(&u->cq_lock);
	u->evfd = dup;
	pthread_mutex_unlock(&u->cq_lock);
	return 0;
}

/* SYSRING_UNREGISTER_EVENTFD, under u->lock; posters write it under cq_lock. */
static int sysring_user_unregister_eventfd(struct sysring_user *u)
{
	int fd;

	pthread_mutex_lock(&u->cq_lock);
	fd = u->evfd;
	u->evfd = -1;
	pthread_mutex_unlock(&u->cq_lock);
	if (fd < 0)
		return -ENXIO;
	close(fd);
	return 0;
}

/* What nr_args must be, or -1 when the operation takes it as a value. */
static int sysring_user_nr_args(unsigned int opcode)
{
	switch (opcode) {
	case SYSRING_UNREGISTER_PROG:
	case SYSRING_REGISTER_WORKERS:
		return -1;
	case SYSRING_UNREGISTER_EVENTFD:
		return 0;
	default:
		return 1;
	}
}

int sysring_user_register(int fd, unsigned int opcode, void *arg,
			  unsigned int nr_args)
{
	struct sysring_user *u = sysring_user_find(fd);
	int want = sysring_user_nr_args(opcode);
	int ret;

	if (!u)
		return -EBADF;
	if (want >= 0 && nr_args != (unsigned int)want)
		return -EINVAL;
	if (opcode == SYSRING_REGISTER_CANCEL)
		return sysring_user_cancel(u, (u64)(uintptr_t)arg);

	pthread_mutex_lock(&u->lock);
	switch (opcode) {
	case SYSRING_REGISTER_PROG:
		ret = sysring_user_register_prog(u, (u64)(uintptr_t)arg);
		break;
	case SYSRING_UNREGISTER_PROG:
		if (arg) {
			ret = -EINVAL;
		} else if (nr_args >= SYSRING_MAX_PROGS || !u->progs[nr_args]) {
			ret = -ENOENT;
		} else {
			/* A queued chain keeps the program it runs. */
			sysring_user_prog_put(&u->ex, u->progs[nr_args]);
			u->progs[nr_args] = NULL;
			ret = 0;
		}
		break;
	case SYSRING_REGISTER_WORKERS:
		if (arg || nr_args > SYSRING_MAX_WORKERS) {
			ret = -EINVAL;
			break;
		}
		pthread_mutex_lock(&u->wq_lock);
		ret = u->ex.max_workers;
		if (nr_args) {
			u->ex.max_workers = nr_args;
			/* Idle workers past the new limit exit now. */
			if (u->nr_workers > nr_args)
				pthread_cond_broadcast(&u->wq_cond);
		}
		pthread_mutex_unlock(&u->wq_lock);
		break;
	case SYSRING_REGISTER_PROBE:
		ret = sysring_user_probe((u64)(uintptr_t)arg);
		break;
	case SYSRING_REGISTER_EVENTFD:
		ret = sysring_user_register_eventfd(u, (u64)(uintptr_t)arg);
		break;
	case SYSRING_UNREGISTER_EVENTFD:
		ret = arg ? -EINVAL : sysring_user_unregister_eventfd(u);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	pthread_mutex_unlock(&u->lock);
	return ret;
}

const struct sysring_prog *sysring_env_prog(struct sysring_exec *ex, u32 index)
{
	/* ex is the first member of struct sysring_user. */
	struct sysring_user *u = (struct sysring_user *)ex;

	return index < SYSRING_MAX_PROGS ? u->progs[index] : NULL;
}

long sysring_env_syscall(struct sysring_vm *vm, u32 nr, const u64 *a)
{
	long ret;

	(void)vm;
	ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	return ret == -1 ? -errno : ret;
}

/*
 * WAIT and WRITET's waits: a real ppoll(2), which the process's seccomp
 * filters see as such.  POLLNVAL becomes -EBADF, as in the kernel.
 */
long sysring_env_wait(struct sysring_vm *vm, u32 fd, u32 events,
		      u64 *timeout_ns)
{
	struct pollfd pfd = { .fd = (int)fd, .events = (short)events };
	struct timespec ts = {
		.tv_sec = *timeout_ns / 1000000000,
		.tv_nsec = *timeout_ns % 1000000000,
	};
	struct timespec t0, t1;
	u64 waited;
	int ret;

	(void)vm;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = ppoll(&pfd, 1, &ts, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waited = (u64)(t1.tv_sec - t0.tv_sec) * 1000000000 +
		 t1.tv_nsec - t0.tv_nsec;
	*timeout_ns -= waited < *timeout_ns ? waited : *timeout_ns;
	if (ret < 0)
		return -errno;
	if (!ret)
		return 0;
	if (pfd.revents & POLLNVAL)
		return -EBADF;
	return (u16)pfd.revents;
}

/*
 * A worker of a closed ring, or one whose block a cancel request reached,
 * stops a looping block (not a system call).
 */
bool sysring_env_should_stop(struct sysring_vm *vm)
{
	struct sysring_user *u = vm->env;

	if (sysring_vm_canceled(vm))
		return true;
	return u && READ_ONCE(u->dying);
}
