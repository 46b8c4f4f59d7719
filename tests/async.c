/* SPDX-License-Identifier: MIT */
/* Description: SYSRING_SQE_ASYNC: chains on the ring's workers run in parallel, never stall the submitter, keep LINK semantics, owe their completions up to the overflow bound, respect the worker limit, and go away cleanly on close and exit */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "syscall.h"

#define NBLK		8
#define SLEEP_MS	200

static bool kernel_backend;

static int set_workers(struct sysring *ring, unsigned n)
{
	return __sys_sysring_register(ring->ring_fd, SYSRING_REGISTER_WORKERS,
				      NULL, n);
}

/* One async block: r0 = read(fd, buf, 1). */
static void queue_read(struct sysring *ring, int fd, char *buf, unsigned flags,
		       __u64 user_data)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);

	sysring_prep_read(sqe, fd, buf, 1);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC | flags);
	sysring_sqe_set_data64(sqe, user_data);
}

static void queue_sleep(struct sysring *ring, const struct timespec *ts,
			unsigned flags, __u64 user_data)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);

	sysring_prep_syscall(sqe, __NR_nanosleep, 2, t_ptr(ts), 0, 0, 0, 0, 0);
	sysring_sqe_set_flags(sqe, flags);
	sysring_sqe_set_data64(sqe, user_data);
}

/* Threads of this process whose name starts with @prefix. */
static int count_threads(const char *prefix)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], comm[32] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strncmp(comm, prefix, strlen(prefix)))
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* N blocks blocked in pipe reads at once all complete when released. */
static int test_parallel_pipes(void)
{
	struct sysring ring;
	struct t_cqe c[NBLK];
	int pipes[NBLK][2];
	char buf[NBLK];
	unsigned i;
	int ret;

	t_ring_init(&ring, NBLK, NULL);
	/* The default is min(entries, 4 per CPU): ask for one per block. */
	T_CHECK(set_workers(&ring, NBLK) > 0);
	for (i = 0; i < NBLK; i++) {
		T_CHECK(pipe(pipes[i]) == 0);
		queue_read(&ring, pipes[i][0], &buf[i], 0, i);
	}
	/* Returns at once: nothing has run yet. */
	T_EQ(sysring_submit(&ring), NBLK);
	t_sleep_ms(100);
	T_EQ(sysring_cq_ready(&ring), 0);
	if (kernel_backend) {
		T_EQ(count_threads("sysring-wrk-"), NBLK);
	}
	for (i = 0; i < NBLK; i++)
		T_CHECK(write(pipes[i][1], "x", 1) == 1);
	ret = t_reap(&ring, c, NBLK);
	if (ret)
		return ret;
	for (i = 0; i < NBLK; i++) {
		T_EXPECT(&c[i], SYSRING_STATUS_EXIT, 1);
		T_EQ(buf[i], 'x');
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* Wall time of NBLK nanosleeps of SLEEP_MS, with @flags, @workers. */
static int time_sleeps(unsigned flags, unsigned workers, unsigned n,
		       double *ms)
{
	const struct timespec ts = { 0, SLEEP_MS * 1000000L };
	struct sysring ring;
	struct t_cqe c[NBLK];
	double t0;
	unsigned i;
	int ret;

	t_ring_init(&ring, NBLK, NULL);
	if (workers)
		T_CHECK(set_workers(&ring, workers) > 0);
	t0 = t_now_ms();
	for (i = 0; i < n; i++)
		queue_sleep(&ring, &ts, flags, i);
	ret = t_submit_reap(&ring, c, n);
	if (ret)
		return ret;
	*ms = t_now_ms() - t0;
	for (i = 0; i < n; i++)
		T_EXPECT(&c[i], SYSRING_STATUS_EXIT, 0);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* Independent chains run in parallel; with one worker, one at a time. */
static int test_parallel_sleep(void)
{
	double inl, par, ser;
	int ret;

	ret = time_sleeps(0, 0, NBLK, &inl);
	if (!ret)
		ret = time_sleeps(SYSRING_SQE_ASYNC, NBLK, NBLK, &par);
	if (!ret)
		ret = time_sleeps(SYSRING_SQE_ASYNC, 1, 4, &ser);
	if (ret)
		return ret;
	printf("%d x %d ms nanosleep: inline %.0f ms, async (%d workers) "
	       "%.0f ms, 4 on 1 worker %.0f ms\n", NBLK, SLEEP_MS, inl, NBLK,
	       par, ser);
	T_CHECK(inl >= NBLK * SLEEP_MS);
	/* Parallel, not serial: well under N sleeps, with slack for TCG. */
	T_CHECK(par < NBLK * SLEEP_MS / 2);
	/* The limit is honoured: one worker runs them one after another. */
	T_CHECK(ser >= 4 * SLEEP_MS);
	return T_EXIT_PASS;
}

/* A blocked async chain stalls neither the submitter nor inline blocks. */
static int test_no_stall(void)
{
	struct sysring ring;
	struct sysring_sqe *sqe;
	struct sysring_cqe *cqe;
	struct t_cqe c[1];
	int p[2], ret;
	char buf;

	t_ring_init(&ring, 4, NULL);
	T_CHECK(pipe(p) == 0);
	queue_read(&ring, p[0], &buf, 0, 0);
	T_EQ(sysring_submit(&ring), 1);
	sqe = t_get_sqe(&ring);
	sysring_prep_getppid(sqe);
	sysring_sqe_set_data64(sqe, 1);
	T_EQ(sysring_submit_and_wait(&ring, 1), 1);
	T_EQ(sysring_wait_cqe(&ring, &cqe), 0);
	T_EQ(cqe->user_data, 1);
	T_EQ(cqe->res, getppid());
	sysring_cqe_seen(&ring, cqe);
	T_EQ(sysring_cq_ready(&ring), 0);
	T_CHECK(write(p[1], "y", 1) == 1);
	ret = t_reap(&ring, c, 1);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_EXIT, 1);
	close(p[0]);
	close(p[1]);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

static const struct sysring_insn set_r5[] = {
	SR_MOV_K(5, 42),
	SR_EXIT(0),
};
static const struct sysring_insn use_r5[] = {	/* r0 = r5 + 1 */
	SR_MOV(0, 5),
	SR_ADD_K(0, 1),
	SR_EXIT(0),
};
static const struct sysring_insn fail[] = {	/* close(-1): EBADF */
	SR_MOV_K(1, -1),
	SR_SYS(0, __NR_close, 1, 1),
	SR_EXIT(0),
};

static void queue_insns(struct sysring *ring, const struct sysring_insn *insns,
			unsigned n, unsigned flags, __u64 user_data)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);

	sysring_prep_insns(sqe, insns, n);
	sysring_sqe_set_flags(sqe, flags);
	sysring_sqe_set_data64(sqe, user_data);
}

#define QUEUE(ring, insns, flags, ud) \
	queue_insns(ring, insns, ARRAY_SIZE(insns), flags, ud)

/* An async LINK chain shares one register file and cancels as inline. */
static int test_link(void)
{
	const unsigned A = SYSRING_SQE_ASYNC, L = SYSRING_SQE_LINK;
	struct sysring ring;
	struct t_cqe c[7];
	int ret;

	t_ring_init_snap(&ring, 8, 8);
	QUEUE(&ring, set_r5, A | L, 0);
	QUEUE(&ring, use_r5, L, 1);		/* ASYNC only counts on the head */
	QUEUE(&ring, use_r5, A, 2);		/* ... and is ignored elsewhere */
	QUEUE(&ring, fail, A | L, 3);
	QUEUE(&ring, use_r5, L, 4);
	QUEUE(&ring, use_r5, 0, 5);
	QUEUE(&ring, use_r5, A, 6);		/* a chain of its own: fresh */
	ret = t_submit_reap(&ring, c, 7);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_EXIT, 0);
	T_EXPECT(&c[1], SYSRING_STATUS_EXIT, 43);
	T_EXPECT(&c[2], SYSRING_STATUS_EXIT, 43);
	T_EXPECT(&c[3], SYSRING_STATUS_ERROR, -EBADF);
	T_EXPECT(&c[4], SYSRING_STATUS_CANCELED, -ECANCELED);
	T_EXPECT(&c[5], SYSRING_STATUS_CANCELED, -ECANCELED);
	T_EXPECT(&c[6], SYSRING_STATUS_EXIT, 1);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/*
 * Chains blocked in a system call still owe their completions: with a CQ
 * of 8, eight of them fill it, sixteen more are accepted with overflow
 * entries held for them, and the next chain is refused with EBUSY until
 * completions are consumed.  None is lost.
 */
static int test_backpressure(void)
{
	const unsigned nblk = 3 * NBLK;
	struct sysring_params p;
	struct sysring_sqe *sqe;
	struct sysring ring;
	struct t_cqe c[3 * NBLK];
	char buf[3 * NBLK];
	unsigned i;
	int pfd[2], ret;

	memset(&p, 0, sizeof(p));
	p.flags = SYSRING_SETUP_CQSIZE;
	p.cq_entries = NBLK;
	t_ring_init(&ring, NBLK, &p);
	T_EQ(p.cq_entries, NBLK);
	T_CHECK(pipe(pfd) == 0);
	for (i = 0; i < nblk; i++) {
		queue_read(&ring, pfd[0], &buf[i], 0, i);
		if (!sysring_sq_space_left(&ring))
			T_EQ(sysring_submit(&ring), NBLK);
	}
	sqe = t_get_sqe(&ring);
	sysring_prep_nop(sqe);
	sysring_sqe_set_data64(sqe, 0);
	T_EQ(sysring_submit(&ring), -EBUSY);
	T_EQ(sysring_cq_ready(&ring), 0);
	T_CHECK(write(pfd[1], buf, nblk) == (ssize_t)nblk);
	/* Completed or not, unreaped: still at the bound. */
	while (sysring_cq_ready(&ring) < NBLK)
		t_sleep_ms(10);
	T_EQ(sysring_submit(&ring), -EBUSY);
	ret = t_reap(&ring, c, nblk);
	if (ret)
		return ret;
	for (i = 0; i < nblk; i++)
		T_EXPECT(&c[i], SYSRING_STATUS_EXIT, 1);
	T_CHECK(!sysring_cq_has_overflow(&ring));
	T_EQ(sysring_submit(&ring), 1);
	ret = t_reap(&ring, c, 1);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_EXIT, 0);
	close(pfd[0]);
	close(pfd[1]);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* r0 = read(r1, r2, r3) */
static const struct sysring_insn read_prog[] = {
	SR_SYS(0, __NR_read, 1, 3),
	SR_EXIT(0),
};

/* Unregistering a program a queued chain will run is safe. */
static int test_unregister_queued(void)
{
	struct sysring ring;
	struct t_cqe c[2];
	int p[2], idx, ret;
	char buf[2];
	unsigned i;

	t_ring_init(&ring, 4, NULL);
	T_CHECK(pipe(p) == 0);
	/* One worker: the second chain waits in the queue. */
	T_CHECK(set_workers(&ring, 1) > 0);
	T_EQ(set_workers(&ring, 0), 1);
	idx = sysring_register_prog(&ring, read_prog, ARRAY_SIZE(read_prog),
				    NULL);
	T_CHECK(idx >= 0);
	for (i = 0; i < 2; i++) {
		struct sysring_sqe *sqe = t_get_sqe(&ring);
		const __u64 args[3] = { p[0], t_ptr(&buf[i]), 1 };

		sysring_prep_prog(sqe, idx);
		sysring_sqe_set_regs(sqe, 1, args, 3);
		sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
		sysring_sqe_set_data64(sqe, i);
	}
	T_EQ(sysring_submit(&ring), 2);
	t_sleep_ms(50);
	T_EQ(sysring_unregister_prog(&ring, idx), 0);
	T_EQ(sysring_unregister_prog(&ring, idx), -ENOENT);
	/* Reuse of the index while the old program is still queued. */
	T_EQ(sysring_register_prog(&ring, set_r5, ARRAY_SIZE(set_r5), NULL),
	     idx);
	T_CHECK(write(p[1], "ab", 2) == 2);
	ret = t_reap(&ring, c, 2);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_EXIT, 1);
	T_EXPECT(&c[1], SYSRING_STATUS_EXIT, 1);
	close(p[0]);
	close(p[1]);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

/* Wait for @pid up to @ms; its exit status, or -1 on a timeout. */
static int wait_child(pid_t pid, unsigned ms)
{
	double end = t_now_ms() + ms;
	int status;

	while (t_now_ms() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		t_sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* A child with NBLK chains blocked in pipe reads: close or just exit. */
static int child_blocked(bool close_ring)
{
	struct sysring ring;
	int pipes[NBLK][2];
	char buf[NBLK];
	double t0;
	unsigned i;

	t_ring_init(&ring, NBLK, NULL);
	for (i = 0; i < NBLK; i++) {
		if (pipe(pipes[i]))
			return 2;
		queue_read(&ring, pipes[i][0], &buf[i], 0, i);
	}
	if (sysring_submit(&ring) != NBLK)
		return 3;
	t_sleep_ms(100);
	if (!close_ring)
		_exit(0);		/* with the workers blocked */
	t0 = t_now_ms();
	sysring_queue_exit(&ring);
	if (t_now_ms() - t0 > 1000)
		return 4;		/* close did not return promptly */
	/* The kernel interrupts and reaps the workers. */
	if (kernel_backend) {
		for (i = 0; i < 200 && count_threads("sysring-wrk-"); i++)
			t_sleep_ms(10);
		if (count_threads("sysring-wrk-"))
			return 5;
	}
	return 0;
}

static int test_close_and_exit(bool close_ring)
{
	pid_t pid = fork();

	T_CHECK(pid >= 0);
	if (!pid)
		_exit(child_blocked(close_ring));
	T_EQ(wait_child(pid, 10000), 0);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;

	t_ring_init(&ring, 4, NULL);
	t_require_features(&ring, SYSRING_FEAT_ASYNC, "asynchronous execution");
	kernel_backend = !(ring.features & SYSRING_FEAT_USER_BACKEND);
	sysring_queue_exit(&ring);

	T_RUN(test_parallel_pipes);
	T_RUN(test_no_stall);
	T_RUN(test_link);
	T_RUN(test_backpressure);
	T_RUN(test_unregister_queued);
	T_RUN(test_close_and_exit, true);
	T_RUN(test_close_and_exit, false);
	T_RUN(test_parallel_sleep);
	return T_EXIT_PASS;
}
