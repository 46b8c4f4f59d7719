/* SPDX-License-Identifier: MIT */
/* Description: teardown with blocks in flight: kill -9 of a process with 100 busy workers (blocked in syscalls and looping) leaves no worker and is reaped promptly, closing the ring stops its workers, exec runs the new image without them, the same with an SQPOLL thread looping in a block, and the kernel's memory comes back */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define NBLOCKED	50	/* blocks sleeping in read(2) or nanosleep(2) */
#define NLOOP		50	/* blocks looping until their budget is spent */
#define REAP_MS		10000	/* "promptly", with room for TCG */

static bool kernel_backend;
static unsigned ring_features;
static const char *self;

/* Whether the task at @dir/@task is named @want. */
static bool comm_is(const char *dir, const char *task, const char *want)
{
	char path[600], comm[32];
	bool is = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/comm", dir, task);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(comm, sizeof(comm), f)) {
		comm[strcspn(comm, "\n")] = 0;
		is = !strcmp(comm, want);
	}
	fclose(f);
	return is;
}

/*
 * Whether the task at @dir/@task is one of the kernel's sysring threads
 * of process @pid: a worker ("sysring-wrk-<pid>") or an SQPOLL thread
 * ("sysring-sqp-<pid>"), cut to the 15 characters of a task name.
 */
static bool is_ring_thread(const char *dir, const char *task, pid_t pid)
{
	static const char *const prefixes[] = { "sysring-wrk-", "sysring-sqp-" };
	char want[32];
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		snprintf(want, sizeof(want), "%s%d", prefixes[i], pid);
		want[15] = 0;
		if (comm_is(dir, task, want))
			return true;
	}
	return false;
}

/*
 * Tasks of process @pid (0: this one): every thread, or with @workers only
 * the kernel's sysring threads.
 */
static int count_tasks(pid_t pid, bool workers)
{
	struct dirent *e;
	char dir[64];
	int n = 0;
	DIR *d;

	if (!pid)
		pid = getpid();
	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n += !workers || is_ring_thread(dir, e->d_name, pid);
	}
	closedir(d);
	return n;
}

/* Worker threads of @pid: named ones in the kernel, all but main here. */
static int count_workers(pid_t pid)
{
	if (kernel_backend)
		return count_tasks(pid, true);
	return count_tasks(pid, false) - 1;
}

/* Any task anywhere named as a sysring thread of @pid. */
static int scan_all_workers(pid_t pid)
{
	struct dirent *e;
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		pid_t p = atoi(e->d_name);
		char path[300];
		DIR *td;
		struct dirent *te;

		if (p <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task", p);
		td = opendir(path);
		if (!td)
			continue;
		while ((te = readdir(td)))
			if (te->d_name[0] != '.')
				n += is_ring_thread(path, te->d_name, pid);
		closedir(td);
	}
	closedir(d);
	return n;
}

/* for (;;) getppid(); until the budget is spent */
static const struct sysring_insn loop_prog[] = {
	SR_SYS(0, __NR_getppid, 0, 0),
	SR_JA(-2),
};

static void prep_loop(struct sysring_sqe *sqe)
{
	sysring_prep_insns(sqe, loop_prog, ARRAY_SIZE(loop_prog));
	sysring_sqe_set_budget(sqe, SYSRING_MAX_BUDGET);
}

/*
 * Submit @nblocked blocks that sleep (reads of the empty pipe @rfd, every
 * third one a 60 s nanosleep) and @nloop looping ones, each chain on a
 * worker of its own.  With @sqpoll, the ring's SQPOLL thread submits them
 * and then loops in an inline block itself.  Returns 0 or a nonzero step
 * number.
 */
static int submit_busy(struct sysring *ring, int rfd, unsigned nblocked,
		       unsigned nloop, bool sqpoll)
{
	static const struct timespec ts = { 60, 0 };
	static char buf[NBLOCKED];
	unsigned i, n = nblocked + nloop + sqpoll;
	struct sysring_params p;
	struct sysring_sqe *sqe;
	int ret;

	memset(&p, 0, sizeof(p));
	p.max_workers = nblocked + nloop;
	p.flags = sqpoll ? SYSRING_SETUP_SQPOLL : 0;
	if (sysring_queue_init_params(n, ring, &p))
		return 10;
	for (i = 0; i < nblocked + nloop; i++) {
		sqe = sysring_get_sqe(ring);
		if (!sqe)
			return 11;
		if (i >= nblocked)
			prep_loop(sqe);
		else if (i % 3 == 2)
			sysring_prep_syscall(sqe, __NR_nanosleep, 2, t_ptr(&ts),
					     0, 0, 0, 0, 0);
		else
			sysring_prep_read(sqe, rfd, &buf[i], 1);
		sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
		sysring_sqe_set_data64(sqe, i);
	}
	if (sqpoll) {
		sqe = sysring_get_sqe(ring);
		if (!sqe)
			return 11;
		prep_loop(sqe);
	}
	/* Under SQPOLL: what the thread has yet to consume. */
	ret = sysring_submit(ring);
	if (ret < 0 || ret > (int)n || (!sqpoll && ret != (int)n))
		return 12;
	return 0;
}

/* Wait until @pid has @n workers, up to @ms. */
static bool wait_workers(pid_t pid, int n, unsigned ms)
{
	double end = t_now_ms() + ms;

	while (count_workers(pid) < n) {
		if (t_now_ms() > end)
			return false;
		t_sleep_ms(20);
	}
	return true;
}

/*
 * (a) kill -9 of a process whose 100 workers are busy (and with @sqpoll,
 * whose SQPOLL thread is).
 */
static int test_kill(unsigned nblocked, unsigned nloop, bool sqpoll,
		     bool check_tasks)
{
	unsigned nthreads = nblocked + nloop + sqpoll;
	int ready[2], p[2], status;
	double t0, reap_ms;
	pid_t pid;
	char c;

	T_CHECK(pipe(ready) == 0);
	pid = fork();
	T_CHECK(pid >= 0);
	if (!pid) {
		struct sysring ring;
		int ret;

		close(ready[0]);
		if (pipe(p))
			_exit(2);
		ret = submit_busy(&ring, p[0], nblocked, nloop, sqpoll);
		c = ret;
		if (write(ready[1], &c, 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(ready[1]);
	T_EQ(read(ready[0], &c, 1), 1);
	close(ready[0]);
	if (c) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fprintf(stderr, "child failed at step %d\n", c);
		return T_EXIT_FAIL;
	}
	if (check_tasks && !wait_workers(pid, nthreads, 60000)) {
		fprintf(stderr, "only %d threads of %u started\n",
			count_workers(pid), nthreads);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return T_EXIT_FAIL;
	}

	t0 = t_now_ms();
	T_EQ(kill(pid, SIGKILL), 0);
	T_EQ(waitpid(pid, &status, 0), pid);
	reap_ms = t_now_ms() - t0;
	T_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	if (!check_tasks)
		return T_EXIT_PASS;
	printf("kill -9 with %u blocked and %u looping blocks%s: reaped in "
	       "%.0f ms\n", nblocked, nloop,
	       sqpoll ? " and a looping SQPOLL thread" : "", reap_ms);
	T_CHECK(reap_ms < REAP_MS);
	/* Reaped means every thread is gone; look anyway, system-wide. */
	T_EQ(count_tasks(pid, false), 0);
	T_EQ(scan_all_workers(pid), 0);
	return T_EXIT_PASS;
}

/* (b) close the ring with blocks in flight. */
static int test_close(void)
{
	const unsigned nblocked = 20, nloop = 10;
	struct sysring ring;
	int p[2], i, ret;
	double t0;
	char c;

	T_CHECK(pipe(p) == 0);
	ret = submit_busy(&ring, p[0], nblocked, nloop, false);
	T_EQ(ret, 0);
	T_CHECK(wait_workers(0, nblocked + nloop, 60000));
	t0 = t_now_ms();
	sysring_queue_exit(&ring);
	T_CHECK(t_now_ms() - t0 < 1000);
	if (kernel_backend) {
		/* Interrupted: no worker is left to read the pipe. */
		for (i = 0; i < 1000 && count_workers(0); i++)
			t_sleep_ms(20);
		T_EQ(count_workers(0), 0);
		T_CHECK(write(p[1], "c", 1) == 1);
		T_CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
		T_EQ(read(p[0], &c, 1), 1);
		T_EQ(c, 'c');
	} else {
		/*
		 * The userspace backend stops loops but not system calls:
		 * feed the readers; the sleepers are left to process exit.
		 */
		for (i = 0; i < (int)nblocked; i++)
			T_CHECK(write(p[1], "c", 1) == 1);
		for (i = 0; i < 1000 &&
		     count_workers(0) > (int)(nblocked + 2) / 3; i++)
			t_sleep_ms(20);
		T_CHECK(count_workers(0) <= (int)(nblocked + 2) / 3);
	}
	close(p[0]);
	close(p[1]);
	return T_EXIT_PASS;
}

/* The image exec'd by test_exec(): the old ring and its workers are gone. */
static int exec_check(int ring_fd)
{
	if (count_tasks(0, false) != 1) {
		fprintf(stderr, "exec'd image has %d threads\n",
			count_tasks(0, false));
		return 1;
	}
	if (fcntl(ring_fd, F_GETFD) != -1 || errno != EBADF) {
		fprintf(stderr, "ring fd %d survived exec\n", ring_fd);
		return 1;
	}
	return 42;
}

/* (c) exec with blocks in flight. */
static int test_exec(bool sqpoll)
{
	int status;
	pid_t pid;

	pid = fork();
	T_CHECK(pid >= 0);
	if (!pid) {
		struct sysring ring;
		char fdarg[16];
		int p[2];

		if (pipe(p) || submit_busy(&ring, p[0], 10, 10, sqpoll))
			_exit(2);
		if (!wait_workers(0, 20 + sqpoll, 60000))
			_exit(3);
		snprintf(fdarg, sizeof(fdarg), "%d", ring.ring_fd);
		execl("/proc/self/exe", self, "--exec-check", fdarg,
		      (char *)NULL);
		_exit(4);
	}
	T_EQ(waitpid(pid, &status, 0), pid);
	T_CHECK(WIFEXITED(status));
	T_EQ(WEXITSTATUS(status), 42);
	return T_EXIT_PASS;
}

static long meminfo_kb(const char *key)
{
	char line[256];
	size_t len = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			v = atol(line + len + 1);
	fclose(f);
	return v;
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			perror("drop_caches");
		close(fd);
	}
}

static int kmemleak_cmd(const char *cmd)
{
	int fd = open("/sys/kernel/debug/kmemleak", O_WRONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd) ? 0 : -1;
	close(fd);
	return ret;
}

/* Reports kmemleak holds that mention sysring. */
static int kmemleak_sysring(void)
{
	FILE *f = fopen("/sys/kernel/debug/kmemleak", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "sysring")) {
			fputs(line, stderr);
			n++;
		}
	}
	fclose(f);
	return n;
}

/*
 * Rounds of teardown: kill -9 and exec with workers busy, every other one
 * with a busy SQPOLL thread too.
 */
static int teardown_rounds(unsigned rounds)
{
	unsigned i;

	for (i = 0; i < rounds; i++) {
		T_RUN(test_kill, 10, 10, i % 2, false);
		T_RUN(test_exec, i % 2);
	}
	return T_EXIT_PASS;
}

/*
 * The kernel's memory comes back: with kmemleak (a debug kernel), no leak
 * report points into sysring; otherwise the slab and kernel stacks do not
 * grow over many rounds.
 */
static int test_memory(void)
{
	long slab0, stack0, slab1, stack1, avail0, avail1;
	const unsigned rounds = 20;
	int n;

	if (!kernel_backend) {
		printf("memory: skipped, the userspace backend's workers are "
		       "the test's own threads\n");
		return T_EXIT_PASS;
	}
	if (access("/sys/kernel/debug/kmemleak", F_OK) && !geteuid())
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (!kmemleak_cmd("clear")) {
		T_RUN(teardown_rounds, 5);
		/* kmemleak only reports objects older than 5 s. */
		sleep(6);
		T_EQ(kmemleak_cmd("scan"), 0);
		T_EQ(kmemleak_cmd("scan"), 0);
		n = kmemleak_sysring();
		printf("kmemleak: %d report(s) in sysring after 5 rounds\n", n);
		T_EQ(n, 0);
		return T_EXIT_PASS;
	}
	printf("memory: no /sys/kernel/debug/kmemleak (not a debug kernel): "
	       "comparing Slab and KernelStack instead\n");
	T_RUN(teardown_rounds, 2);	/* warm the caches */
	t_sleep_ms(500);
	drop_caches();
	slab0 = meminfo_kb("Slab");
	stack0 = meminfo_kb("KernelStack");
	avail0 = meminfo_kb("MemAvailable");
	T_RUN(teardown_rounds, rounds);
	t_sleep_ms(500);
	drop_caches();
	slab1 = meminfo_kb("Slab");
	stack1 = meminfo_kb("KernelStack");
	avail1 = meminfo_kb("MemAvailable");
	printf("after %u rounds of 40 workers: Slab %+ld kB, KernelStack "
	       "%+ld kB, MemAvailable %+ld kB\n", rounds, slab1 - slab0,
	       stack1 - stack0, avail1 - avail0);
	T_CHECK(slab0 > 0 && stack0 > 0);
	/* A leaked worker costs about 30 kB: 800 of them would show. */
	T_CHECK(slab1 - slab0 < 2048);
	T_CHECK(stack1 - stack0 < 1024);
	return T_EXIT_PASS;
}

int main(int argc, char **argv)
{
	struct sysring ring;

	self = argv[0];
	if (argc == 3 && !strcmp(argv[1], "--exec-check"))
		return exec_check(atoi(argv[2]));

	t_ring_init(&ring, 4, NULL);
	t_require_features(&ring, SYSRING_FEAT_ASYNC, "asynchronous blocks");
	kernel_backend = !(ring.features & SYSRING_FEAT_USER_BACKEND);
	ring_features = ring.features;
	sysring_queue_exit(&ring);

	T_RUN(test_kill, NBLOCKED, NLOOP, false, true);
	T_RUN(test_close);
	T_RUN(test_exec, false);
	if (ring_features & SYSRING_FEAT_SQPOLL) {
		T_RUN(test_kill, 10, 10, true, true);
		T_RUN(test_exec, true);
	}
	T_RUN(test_memory);
	return T_EXIT_PASS;
}
