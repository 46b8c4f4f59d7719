/* SPDX-License-Identifier: MIT */
/* Description: SYSRING_SETUP_SQPOLL: blocks submitted with no sysring_enter, idle thread sets NEED_WAKEUP and enter wakes it, ASYNC and linked chains, CQ overflow moved in by the polling thread and entries held back at its bound, sysring_sqring_wait, cancel of the block the thread runs, seccomp, bad parameters, fdinfo, and close, exit and kill -9 with the thread busy or idle leave no thread */
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "syscall.h"

#define WAIT_MS		20000	/* TCG is slow: generous, but a hang fails */
#define T_ERRNO		42	/* what the seccomp filter makes getppid fail with */

static bool kernel_backend;

/*
 * Every sysring_enter the library makes, counted: the test is linked with
 * --wrap=__sys_sysring_enter (tests/Makefile).
 */
int __real___sys_sysring_enter(unsigned fd, unsigned to_submit,
			       unsigned min_complete, unsigned flags);
int __wrap___sys_sysring_enter(unsigned fd, unsigned to_submit,
			       unsigned min_complete, unsigned flags);
static unsigned enter_calls;

int __wrap___sys_sysring_enter(unsigned fd, unsigned to_submit,
			       unsigned min_complete, unsigned flags)
{
	__atomic_add_fetch(&enter_calls, 1, __ATOMIC_RELAXED);
	return __real___sys_sysring_enter(fd, to_submit, min_complete, flags);
}

static unsigned enters(void)
{
	return __atomic_load_n(&enter_calls, __ATOMIC_RELAXED);
}

static int sqpoll_init(struct sysring *ring, unsigned entries, unsigned idle)
{
	struct sysring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = SYSRING_SETUP_SQPOLL;
	p.sq_thread_idle = idle;
	p.snap_regs = 4;
	t_ring_init(ring, entries, &p);
	T_EQ(p.sq_thread_idle, idle ?: SYSRING_DEFAULT_SQ_THREAD_IDLE);
	T_CHECK(ring->flags & SYSRING_SETUP_SQPOLL);
	return T_EXIT_PASS;
}

static bool need_wakeup(const struct sysring *ring)
{
	return __atomic_load_n(ring->sq.kflags, __ATOMIC_ACQUIRE) &
	       SYSRING_SQ_NEED_WAKEUP;
}

/* Wait (sleeping, no enter) until the thread has gone idle. */
static int wait_idle(const struct sysring *ring)
{
	double end = t_now_ms() + WAIT_MS;

	while (!need_wakeup(ring)) {
		if (t_now_ms() > end) {
			fprintf(stderr, "the SQPOLL thread never went idle\n");
			return T_EXIT_FAIL;
		}
		t_sleep_ms(5);
	}
	return T_EXIT_PASS;
}

/*
 * Wait until the thread has consumed every published SQE: it moves the SQ
 * head after its batch, so after the CQEs.
 */
static int wait_sq_empty(const struct sysring *ring)
{
	double end = t_now_ms() + WAIT_MS;

	while (sysring_sq_ready(ring)) {
		if (t_now_ms() > end) {
			fprintf(stderr, "%u SQEs never consumed\n",
				sysring_sq_ready(ring));
			return T_EXIT_FAIL;
		}
		t_sleep_ms(1);
	}
	return T_EXIT_PASS;
}

/* Publish the queued SQEs as any SQPOLL user may: one release store. */
static void publish(struct sysring *ring)
{
	sysring_smp_store_release(ring->sq.ktail, ring->sq.sqe_tail);
}

/* Spin until @n CQEs are ready, with no system call but sched_yield. */
static int spin_cq(const struct sysring *ring, unsigned n)
{
	double end = t_now_ms() + WAIT_MS;

	while (sysring_cq_ready(ring) < n) {
		if (t_now_ms() > end) {
			fprintf(stderr, "%u of %u completions in %d ms\n",
				sysring_cq_ready(ring), n, WAIT_MS);
			return T_EXIT_FAIL;
		}
		sched_yield();
	}
	return T_EXIT_PASS;
}

static void queue_getppid(struct sysring *ring, __u64 ud)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);

	sysring_prep_getppid(sqe);
	sysring_sqe_set_data64(sqe, ud);
}

static struct sysring_sqe *queue_insns(struct sysring *ring,
				       const struct sysring_insn *insns,
				       unsigned n, unsigned flags, __u64 ud)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);

	sysring_prep_insns(sqe, insns, n);
	sysring_sqe_set_flags(sqe, flags);
	sysring_sqe_set_data64(sqe, ud);
	return sqe;
}

/* for (;;) { *r2 = ++r1; getppid(); } until the budget is spent */
static const struct sysring_insn loop_prog[] = {
	SR_ADD_K(1, 1),
	SR_ST(SYSRING_MEM_DW, 2, 1, 0),
	SR_SYS(0, __NR_getppid, 0, 0),
	SR_JA(-4),
};

/* A looping inline block that counts in *@counter. */
static void queue_loop(struct sysring *ring, volatile __u64 *counter,
		       unsigned flags, __u64 ud)
{
	__u64 regs[2] = { 0, t_ptr((const void *)counter) };
	struct sysring_sqe *sqe;

	sqe = queue_insns(ring, loop_prog, ARRAY_SIZE(loop_prog), flags, ud);
	sysring_sqe_set_regs(sqe, 1, regs, 2);
	sysring_sqe_set_budget(sqe, SYSRING_MAX_BUDGET);
}

static int wait_counter(volatile __u64 *counter)
{
	double end = t_now_ms() + WAIT_MS;

	while (!*counter) {
		if (t_now_ms() > end) {
			fprintf(stderr, "the looping block never ran\n");
			return T_EXIT_FAIL;
		}
		t_sleep_ms(5);
	}
	return T_EXIT_PASS;
}

/* Take the next CQE (waiting in enter) and check it. */
static int expect_cqe(struct sysring *ring, __u64 ud, unsigned status,
		      long long res)
{
	struct timespec ts = { WAIT_MS / 1000, 0 };
	struct sysring_cqe *cqe;
	int ret;

	ret = sysring_wait_cqe_timeout(ring, &cqe, &ts);
	if (ret) {
		fprintf(stderr, "no completion for %llu: %s\n",
			(unsigned long long)ud, strerror(-ret));
		return T_EXIT_FAIL;
	}
	T_EQ(cqe->user_data, ud);
	T_EQ(cqe->status, status);
	T_EQ(cqe->res, res);
	sysring_cqe_seen(ring, cqe);
	return T_EXIT_PASS;
}

/*
 * Blocks queued and published with no sysring_enter at all complete, and
 * sysring_submit() does not enter while the thread is awake.
 */
static int test_no_enter(void)
{
	struct sysring ring;
	struct t_cqe c[8];
	unsigned i, before;
	int ret;

	/* A long idle time: the thread stays awake through the test. */
	T_RUN(sqpoll_init, &ring, 8, 10000);
	before = enters();
	for (i = 0; i < 8; i++)
		queue_getppid(&ring, i);
	publish(&ring);
	T_RUN(spin_cq, &ring, 8);
	T_EQ(enters(), before);
	T_RUN(t_reap, &ring, c, 8);
	for (i = 0; i < 8; i++)
		T_EXPECT(&c[i], SYSRING_STATUS_EXIT, getppid());

	for (i = 0; i < 8; i++)
		queue_getppid(&ring, i);
	ret = sysring_submit(&ring);
	T_CHECK(ret >= 0 && ret <= 8);
	T_EQ(enters(), before);
	T_RUN(spin_cq, &ring, 8);
	T_EQ(enters(), before);
	T_RUN(t_reap, &ring, c, 8);
	for (i = 0; i < 8; i++)
		T_EXPECT(&c[i], SYSRING_STATUS_EXIT, getppid());
	T_RUN(wait_sq_empty, &ring);
	T_EQ(enters(), before);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/*
 * Idle: NEED_WAKEUP is set and the thread sleeps (a published block stays
 * in the SQ); sysring_submit() sees the flag and enters once to wake it.
 */
static int test_idle_wakeup(void)
{
	struct sysring ring;
	unsigned before;

	T_RUN(sqpoll_init, &ring, 4, 20);
	T_RUN(wait_idle, &ring);
	queue_getppid(&ring, 1);
	publish(&ring);
	t_sleep_ms(300);
	T_EQ(sysring_cq_ready(&ring), 0);
	T_EQ(sysring_sq_ready(&ring), 1);
	T_CHECK(need_wakeup(&ring));

	before = enters();
	T_EQ(sysring_submit(&ring), 1);
	T_EQ(enters(), before + 1);
	T_RUN(spin_cq, &ring, 1);
	T_RUN(expect_cqe, &ring, 1, SYSRING_STATUS_EXIT, getppid());

	/* It goes idle again, and a raw SQ_WAKEUP wakes it too. */
	T_RUN(wait_idle, &ring);
	queue_getppid(&ring, 2);
	publish(&ring);
	T_EQ(__sys_sysring_enter(ring.ring_fd, 1, 0, SYSRING_ENTER_SQ_WAKEUP),
	     1);
	T_RUN(spin_cq, &ring, 1);
	T_RUN(expect_cqe, &ring, 2, SYSRING_STATUS_EXIT, getppid());
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/*
 * Tasks of process @in named as the kernel names the threads of a ring of
 * process @pid: "<prefix><pid>", cut to 15 characters.
 */
static int count_in(pid_t in, pid_t pid, const char *prefix)
{
	char dir[64], path[400], want[32], comm[32];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", in);
	snprintf(want, sizeof(want), "%s%d", prefix, pid);
	want[15] = 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = 0;
			n += !strcmp(comm, want);
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

static int count_named(pid_t pid, const char *prefix)
{
	return count_in(pid, pid, prefix);
}

/*
 * An ASYNC chain still goes to a worker (named after the process, though
 * the SQPOLL thread queued it): a block blocked there stalls no inline
 * block the thread runs after it.
 */
static int test_async(void)
{
	struct sysring ring;
	struct sysring_sqe *sqe;
	int p[2];
	char buf;

	T_RUN(sqpoll_init, &ring, 4, 50);
	T_CHECK(pipe(p) == 0);
	sqe = t_get_sqe(&ring);
	sysring_prep_read(sqe, p[0], &buf, 1);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	sysring_sqe_set_data64(sqe, 1);
	queue_getppid(&ring, 2);
	T_CHECK(sysring_submit(&ring) >= 0);
	T_RUN(expect_cqe, &ring, 2, SYSRING_STATUS_EXIT, getppid());
	if (kernel_backend)
		T_EQ(count_named(getpid(), "sysring-wrk-"), 1);
	T_EQ(sysring_cq_ready(&ring), 0);
	T_CHECK(write(p[1], "x", 1) == 1);
	T_RUN(expect_cqe, &ring, 1, SYSRING_STATUS_EXIT, 1);
	T_EQ(buf, 'x');
	close(p[0]);
	close(p[1]);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* Links under SQPOLL: registers flow, LINK stops, HARDLINK goes on. */
static int test_links(void)
{
	static const struct sysring_insn set40[] = { SR_MOV_K(1, 40), SR_EXIT(1) };
	static const struct sysring_insn add2[] = { SR_ADD_K(1, 2), SR_EXIT(1) };
	static const struct sysring_insn bad_close[] = {
		SR_MOV_K(1, -1),
		SR_SYS(0, __NR_close, 1, 1),
		SR_EXIT(0),
	};
	const unsigned L = SYSRING_SQE_LINK, H = SYSRING_SQE_HARDLINK;
	const unsigned A = SYSRING_SQE_ASYNC;
	struct sysring ring;
	int ret;

	T_RUN(sqpoll_init, &ring, 16, 50);
	queue_insns(&ring, set40, 2, L, 1);
	queue_insns(&ring, add2, 2, 0, 2);
	queue_insns(&ring, bad_close, 3, L, 3);
	queue_insns(&ring, add2, 2, 0, 4);
	queue_insns(&ring, bad_close, 3, H, 5);
	queue_insns(&ring, set40, 2, 0, 6);
	/* The same chain on a worker: its CQEs come in order too. */
	queue_insns(&ring, set40, 2, A | L, 7);
	queue_insns(&ring, add2, 2, 0, 8);
	T_CHECK(sysring_submit(&ring) >= 0);
	ret = expect_cqe(&ring, 1, SYSRING_STATUS_EXIT, 40);
	ret = ret ?: expect_cqe(&ring, 2, SYSRING_STATUS_EXIT, 42);
	ret = ret ?: expect_cqe(&ring, 3, SYSRING_STATUS_ERROR, -EBADF);
	ret = ret ?: expect_cqe(&ring, 4, SYSRING_STATUS_CANCELED, -ECANCELED);
	ret = ret ?: expect_cqe(&ring, 5, SYSRING_STATUS_ERROR, -EBADF);
	ret = ret ?: expect_cqe(&ring, 6, SYSRING_STATUS_EXIT, 40);
	ret = ret ?: expect_cqe(&ring, 7, SYSRING_STATUS_EXIT, 40);
	ret = ret ?: expect_cqe(&ring, 8, SYSRING_STATUS_EXIT, 42);
	sysring_queue_exit(&ring);
	return ret;
}

/* Queue @n getppid blocks numbered from @ud, publish them, wait until taken. */
static int feed(struct sysring *ring, unsigned n, unsigned ud)
{
	unsigned i;

	for (i = 0; i < n; i++)
		queue_getppid(ring, ud + i);
	publish(ring);
	return wait_sq_empty(ring);
}

/*
 * Fill the CQ of 8 and the overflow list to its bound (16 more), so that
 * the next four blocks stay in the SQ.
 */
static int fill_to_bound(struct sysring *ring)
{
	unsigned b;

	T_EQ(ring->cq.ring_entries, 8);
	for (b = 0; b < 6; b++)
		T_RUN(feed, ring, 4, 4 * b);
	T_EQ(sysring_cq_ready(ring), 8);
	T_CHECK(sysring_cq_has_overflow(ring));
	for (b = 0; b < 4; b++)
		queue_getppid(ring, 24 + b);
	publish(ring);
	t_sleep_ms(300);
	T_EQ(sysring_sq_ready(ring), 4);
	T_EQ(sysring_cq_ready(ring), 8);
	T_EQ(*ring->cq.koverflow, 0);
	return T_EXIT_PASS;
}

/* Take the next CQE with no system call, spinning; it must be @ud's. */
static int spin_take(struct sysring *ring, unsigned ud)
{
	struct sysring_cqe *cqe;

	T_RUN(spin_cq, ring, 1);
	cqe = sysring_cqe_at(ring, *ring->cq.khead);
	T_EQ(cqe->user_data, ud);
	T_EQ(cqe->status, SYSRING_STATUS_EXIT);
	T_EQ(cqe->res, getppid());
	sysring_cq_advance(ring, 1);
	return T_EXIT_PASS;
}

/*
 * Past a full CQ completions overflow, in order and none lost; at the
 * list's bound entries stay in the SQ.  While the thread polls, consuming
 * CQEs is all it takes: it moves the list into the CQ and takes the
 * entries left in the SQ, and the program makes no system call at all.
 */
static int test_overflow_polling(void)
{
	struct sysring ring;
	unsigned before, i;

	T_RUN(sqpoll_init, &ring, 4, 10000);
	before = enters();
	T_RUN(fill_to_bound, &ring);
	for (i = 0; i < 28; i++)
		T_RUN(spin_take, &ring, i);
	T_EQ(enters(), before);
	T_CHECK(!sysring_cq_has_overflow(&ring));
	T_RUN(wait_sq_empty, &ring);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/*
 * The same with the thread gone to sleep on entries the bound held back:
 * the wait for completions wakes it, and the list comes in.
 */
static int test_overflow_asleep(void)
{
	struct sysring ring;
	unsigned i;

	T_RUN(sqpoll_init, &ring, 4, 20);
	T_RUN(fill_to_bound, &ring);
	T_RUN(wait_idle, &ring);
	for (i = 0; i < 28; i++)
		T_RUN(expect_cqe, &ring, i, SYSRING_STATUS_EXIT, getppid());
	T_RUN(wait_sq_empty, &ring);
	T_CHECK(!sysring_cq_has_overflow(&ring));
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* A full SQ behind a sleeping thread: sysring_sqring_wait() frees it. */
static int test_sqring_wait(void)
{
	struct sysring ring;
	struct t_cqe c[4];
	unsigned i;

	T_RUN(sqpoll_init, &ring, 4, 20);
	T_EQ(sysring_sqring_wait(&ring), 0);
	T_RUN(wait_idle, &ring);
	for (i = 0; i < 4; i++)
		queue_getppid(&ring, i);
	publish(&ring);
	T_EQ(sysring_sq_space_left(&ring), 0);
	T_CHECK(sysring_get_sqe(&ring) == NULL);
	T_EQ(sysring_sqring_wait(&ring), 0);
	T_CHECK(sysring_sq_space_left(&ring) > 0);
	T_RUN(t_reap, &ring, c, 4);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/*
 * The block the SQPOLL thread runs is found by user_data and stopped: a
 * loop at its next check, and (kernel) a read(2) it sleeps in.
 */
static int test_cancel(void)
{
	static volatile __u64 counter;
	struct sysring ring;
	struct sysring_sqe *sqe;
	double end;
	int p[2], ret;
	char buf;

	T_RUN(sqpoll_init, &ring, 4, 50);
	counter = 0;
	queue_loop(&ring, &counter, 0, 7);
	T_CHECK(sysring_submit(&ring) >= 0);
	T_RUN(wait_counter, &counter);
	T_EQ(sysring_register_cancel(&ring, 8, 0), -ENOENT);
	T_EQ(sysring_register_cancel(&ring, 7, 0), 1);
	T_RUN(expect_cqe, &ring, 7, SYSRING_STATUS_CANCELED, -ECANCELED);
	T_EQ(sysring_register_cancel(&ring, 7, 0), -ENOENT);

	if (kernel_backend) {
		T_CHECK(pipe(p) == 0);
		sqe = t_get_sqe(&ring);
		sysring_prep_read(sqe, p[0], &buf, 1);
		sysring_sqe_set_data64(sqe, 9);
		T_CHECK(sysring_submit(&ring) >= 0);
		/* Found once the thread runs it. */
		end = t_now_ms() + WAIT_MS;
		while ((ret = sysring_register_cancel(&ring, 9, 0)) == -ENOENT &&
		       t_now_ms() < end)
			t_sleep_ms(5);
		T_EQ(ret, 1);
		T_RUN(expect_cqe, &ring, 9, SYSRING_STATUS_CANCELED,
		      -ECANCELED);
		/* The thread goes on with the next block. */
		queue_getppid(&ring, 10);
		T_CHECK(sysring_submit(&ring) >= 0);
		T_RUN(expect_cqe, &ring, 10, SYSRING_STATUS_EXIT, getppid());
		close(p[0]);
		close(p[1]);
	}
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* Bad parameters and flags: EINVAL. */
static int test_bad_input(void)
{
	struct sysring_params p;
	struct sysring ring;

	memset(&p, 0, sizeof(p));
	p.sq_thread_idle = 10;
	T_EQ(sysring_queue_init_params(4, &ring, &p), -EINVAL);
	memset(&p, 0, sizeof(p));
	p.flags = SYSRING_SETUP_SQPOLL;
	p.sq_thread_idle = SYSRING_MAX_SQ_THREAD_IDLE + 1;
	T_EQ(sysring_queue_init_params(4, &ring, &p), -EINVAL);
	memset(&p, 0, sizeof(p));
	p.flags = SYSRING_SETUP_SQPOLL;
	p.__resv[2] = 1;
	T_EQ(sysring_queue_init_params(4, &ring, &p), -EINVAL);

	/* The cap itself is fine; 0 is the default. */
	T_RUN(sqpoll_init, &ring, 4, SYSRING_MAX_SQ_THREAD_IDLE);
	T_EQ(__sys_sysring_enter(ring.ring_fd, 0, 0, 0x80000000), -EINVAL);
	sysring_queue_exit(&ring);
	T_RUN(sqpoll_init, &ring, 4, 0);
	sysring_queue_exit(&ring);

	/* Without SQPOLL: no idle time out, and the SQ flags are refused. */
	memset(&p, 0, sizeof(p));
	t_ring_init(&ring, 4, &p);
	T_EQ(p.sq_thread_idle, 0);
	T_EQ(__sys_sysring_enter(ring.ring_fd, 0, 0, SYSRING_ENTER_SQ_WAKEUP),
	     -EINVAL);
	T_EQ(__sys_sysring_enter(ring.ring_fd, 0, 0, SYSRING_ENTER_SQ_WAIT),
	     -EINVAL);
	T_EQ(sysring_sqring_wait(&ring), -EINVAL);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* The value of @key in the fdinfo of @fd, or -2. */
static long fdinfo(int fd, const char *key)
{
	char path[64], line[128];
	size_t len = strlen(key);
	long val = -2;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			sscanf(line + len + 1, "%ld", &val);
	if (f)
		fclose(f);
	return val;
}

/* fdinfo names the thread and its idle time. */
static int test_fdinfo(void)
{
	char path[64], comm[32] = "", want[32];
	struct sysring ring;
	long pid;
	FILE *f;

	if (!kernel_backend)
		return T_EXIT_PASS;
	T_RUN(sqpoll_init, &ring, 4, 123);
	T_EQ(fdinfo(ring.ring_fd, "SqThreadIdle"), 123);
	pid = fdinfo(ring.ring_fd, "SqThread");
	T_CHECK(pid > 0 && pid != getpid());
	snprintf(path, sizeof(path), "/proc/self/task/%ld/comm", pid);
	f = fopen(path, "r");
	T_CHECK(f != NULL);
	T_CHECK(fgets(comm, sizeof(comm), f) != NULL);
	fclose(f);
	comm[strcspn(comm, "\n")] = 0;
	snprintf(want, sizeof(want), "sysring-sqp-%d", getpid());
	want[15] = 0;
	T_CHECK(!strcmp(comm, want));
	sysring_queue_exit(&ring);

	t_ring_init(&ring, 4, NULL);
	T_EQ(fdinfo(ring.ring_fd, "SqThread"), -1);
	T_EQ(fdinfo(ring.ring_fd, "SqThreadIdle"), 0);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* Threads of this process now. */
static int count_threads(void)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir("/proc/self/task");

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * The ring's own threads (SQPOLL thread and workers) are gone: by name in
 * the kernel, and by number.
 */
static bool ring_threads_gone(int threads_before)
{
	if (kernel_backend && (count_named(getpid(), "sysring-sqp-") ||
			       count_named(getpid(), "sysring-wrk-")))
		return false;
	return count_threads() <= threads_before;
}

static int wait_threads_gone(int threads_before)
{
	double end = t_now_ms() + WAIT_MS;

	while (!ring_threads_gone(threads_before)) {
		if (t_now_ms() > end) {
			fprintf(stderr, "the ring's threads outlived it\n");
			return T_EXIT_FAIL;
		}
		t_sleep_ms(10);
	}
	return T_EXIT_PASS;
}

/* The SQPOLL thread's state letter in /proc (R, S, ...), or 0. */
static char sq_thread_state(const struct sysring *ring)
{
	char path[64], buf[256], *p;
	FILE *f;
	long pid = fdinfo(ring->ring_fd, "SqThread");

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[1] ? p[2] : 0;
}

/* Wait until the thread sleeps, not idle: in the block's system call. */
static int wait_in_syscall(const struct sysring *ring)
{
	double end = t_now_ms() + WAIT_MS;

	while (sq_thread_state(ring) != 'S' || need_wakeup(ring)) {
		if (t_now_ms() > end) {
			fprintf(stderr, "the SQPOLL thread never blocked\n");
			return T_EXIT_FAIL;
		}
		t_sleep_ms(5);
	}
	return T_EXIT_PASS;
}

/* Close with the thread idle, looping in a block, or asleep in read(2). */
static int test_close(void)
{
	static volatile __u64 counter;
	struct sysring ring;
	struct sysring_sqe *sqe;
	int before, p[2];
	double t0;
	char c;

	/* The threads of earlier rings may still be on their way out. */
	before = 1;
	T_RUN(wait_threads_gone, before);

	T_RUN(sqpoll_init, &ring, 4, 20);
	T_RUN(wait_idle, &ring);
	sysring_queue_exit(&ring);
	T_RUN(wait_threads_gone, before);

	T_RUN(sqpoll_init, &ring, 4, 20);
	counter = 0;
	queue_loop(&ring, &counter, 0, 1);
	T_CHECK(sysring_submit(&ring) >= 0);
	T_RUN(wait_counter, &counter);
	t0 = t_now_ms();
	sysring_queue_exit(&ring);
	T_CHECK(t_now_ms() - t0 < 1000);
	T_RUN(wait_threads_gone, before);

	if (!kernel_backend)
		return T_EXIT_PASS;
	/* Interrupted: the read does not take what is written after. */
	T_CHECK(pipe(p) == 0);
	T_RUN(sqpoll_init, &ring, 4, 20);
	sqe = t_get_sqe(&ring);
	sysring_prep_read(sqe, p[0], &c, 1);
	T_CHECK(sysring_submit(&ring) >= 0);
	T_RUN(wait_in_syscall, &ring);
	sysring_queue_exit(&ring);
	T_RUN(wait_threads_gone, before);
	T_CHECK(write(p[1], "c", 1) == 1);
	T_CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
	c = 0;
	T_EQ(read(p[0], &c, 1), 1);
	T_EQ(c, 'c');
	close(p[0]);
	close(p[1]);
	return T_EXIT_PASS;
}

/*
 * A child with an SQPOLL thread looping in a block (and a worker asleep
 * in a read): it exits, or is killed; afterwards no thread of it is left
 * anywhere.
 */
static int child_busy(int ready_fd)
{
	static volatile __u64 counter;
	struct sysring ring;
	struct sysring_sqe *sqe;
	int p[2];
	char c = 0;

	if (sqpoll_init(&ring, 4, 20) || pipe(p))
		return 2;
	sqe = t_get_sqe(&ring);
	sysring_prep_read(sqe, p[0], &c, 1);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	queue_loop(&ring, &counter, 0, 1);
	if (sysring_submit(&ring) < 0 || wait_counter(&counter))
		return 3;
	if (write(ready_fd, &c, 1) != 1)
		return 4;
	t_sleep_ms(100);
	return 0;
}

/* Any task anywhere named as a sysring thread of @pid. */
static int scan_all(pid_t pid)
{
	struct dirent *e;
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		pid_t in = atoi(e->d_name);

		if (in > 0)
			n += count_in(in, pid, "sysring-sqp-") +
			     count_in(in, pid, "sysring-wrk-");
	}
	closedir(d);
	return n;
}

static int test_exit(bool kill9)
{
	int ready[2], status;
	pid_t pid;
	char c;

	T_CHECK(pipe(ready) == 0);
	pid = fork();
	T_CHECK(pid >= 0);
	if (!pid) {
		close(ready[0]);
		_exit(child_busy(ready[1]));
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1) {
		waitpid(pid, &status, 0);
		fprintf(stderr, "child failed: status %#x\n", status);
		return T_EXIT_FAIL;
	}
	close(ready[0]);
	if (kill9)
		T_EQ(kill(pid, SIGKILL), 0);
	T_EQ(waitpid(pid, &status, 0), pid);
	if (kill9)
		T_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	else
		T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_EQ(scan_all(pid), 0);
	return T_EXIT_PASS;
}

/* Filter getppid with ERRNO T_ERRNO; @tsync: on every thread. */
static int install_filter(bool tsync)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | T_ERRNO),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(insns), .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		       tsync ? SECCOMP_FILTER_FLAG_TSYNC : 0, &prog);
}

/*
 * In a child: the SQPOLL thread carries the creator's filters from
 * setup, and gets later ones with TSYNC, as any thread of the process.
 */
static int child_seccomp(bool filter_first)
{
	struct sysring ring;

	if (filter_first && install_filter(false))
		return T_EXIT_FAIL;
	T_RUN(sqpoll_init, &ring, 4, 20);
	if (!filter_first && install_filter(true))
		return T_EXIT_FAIL;
	queue_getppid(&ring, 1);
	T_CHECK(sysring_submit(&ring) >= 0);
	T_RUN(expect_cqe, &ring, 1, SYSRING_STATUS_ERROR, -T_ERRNO);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

static int test_seccomp(bool filter_first)
{
	int status;
	pid_t pid = fork();

	T_CHECK(pid >= 0);
	if (!pid)
		_exit(child_seccomp(filter_first));
	T_EQ(waitpid(pid, &status, 0), pid);
	T_CHECK(WIFEXITED(status));
	T_EQ(WEXITSTATUS(status), T_EXIT_PASS);
	return T_EXIT_PASS;
}

/*
 * A ring whose creator is gone (here: passed to us, then the creator
 * exited) has no SQPOLL thread: enter fails with EOWNERDEAD.
 */
static int test_owner_dead(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int sv[2], fd, status;
	pid_t pid;

	if (!kernel_backend)
		return T_EXIT_PASS;	/* a memfd: another process's is no ring */
	T_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	T_CHECK(pid >= 0);
	if (!pid) {
		struct sysring ring;

		if (sqpoll_init(&ring, 4, 20))
			_exit(1);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &ring.ring_fd, sizeof(int));
		_exit(sendmsg(sv[1], &msg, 0) == 1 ? 0 : 1);
	}
	T_EQ(recvmsg(sv[0], &msg, 0), 1);
	T_EQ(waitpid(pid, &status, 0), pid);
	T_CHECK(WIFEXITED(status) && !WEXITSTATUS(status));
	cm = CMSG_FIRSTHDR(&msg);
	T_CHECK(cm && cm->cmsg_type == SCM_RIGHTS);
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	T_EQ(__sys_sysring_enter(fd, 0, 0, 0), -EOWNERDEAD);
	T_EQ(__sys_sysring_enter(fd, 1, 1, SYSRING_ENTER_GETEVENTS |
				 SYSRING_ENTER_SQ_WAKEUP), -EOWNERDEAD);
	close(fd);
	close(sv[0]);
	close(sv[1]);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;

	t_ring_init(&ring, 4, NULL);
	t_require_features(&ring, SYSRING_FEAT_SQPOLL, "SYSRING_SETUP_SQPOLL");
	kernel_backend = !(ring.features & SYSRING_FEAT_USER_BACKEND);
	sysring_queue_exit(&ring);

	T_RUN(test_bad_input);
	T_RUN(test_no_enter);
	T_RUN(test_idle_wakeup);
	T_RUN(test_links);
	T_RUN(test_async);
	T_RUN(test_overflow_polling);
	T_RUN(test_overflow_asleep);
	T_RUN(test_sqring_wait);
	T_RUN(test_cancel);
	T_RUN(test_fdinfo);
	T_RUN(test_seccomp, true);
	T_RUN(test_seccomp, false);
	T_RUN(test_owner_dead);
	T_RUN(test_close);
	T_RUN(test_exit, false);
	T_RUN(test_exit, true);
	return T_EXIT_PASS;
}
