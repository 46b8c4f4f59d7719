/* SPDX-License-Identifier: MIT */
/* Description: SYSRING_ENTER_EXT_ARG: sysring_enter's timeout ends a wait with ETIME near the asked time, a bad argsz, resv, timespec or sigmask size is EINVAL and a bad pointer EFAULT before anything is submitted, a signal ends the wait with EINTR, the wait's sigmask is honoured and restored; and sysring_submit_and_wait_timeout on top */
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/time_types.h>

#include "helpers.h"
#include "syscall.h"

#define WAIT_FLAGS	(SYSRING_ENTER_GETEVENTS | SYSRING_ENTER_EXT_ARG)
#define SIGSET_SZ	8	/* the kernel's sigset_t */

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	(void)sig;
	caught++;
}

static int enter_ext(struct sysring *ring, unsigned submit, unsigned wait,
		     const struct sysring_getevents_arg *arg, size_t argsz)
{
	return __sys_sysring_enter2(ring->ring_fd, submit, wait, WAIT_FLAGS,
				    arg, argsz);
}

/* A wait of @ms at most, with signal mask @mask (NULL: none). */
static int wait_ms(struct sysring *ring, unsigned ms, const __u64 *mask)
{
	struct __kernel_timespec ts = { ms / 1000, (ms % 1000) * 1000000LL };
	struct sysring_getevents_arg arg = {
		.ts = t_ptr(&ts),
		.sigmask = t_ptr(mask),
		.sigmask_sz = SIGSET_SZ,
	};

	return enter_ext(ring, 0, 1, &arg, sizeof(arg));
}

/* A signal @ms from now, by a one-shot interval timer. */
static void signal_in(unsigned ms)
{
	struct itimerval it = {
		.it_value = { ms / 1000, (ms % 1000) * 1000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

static void queue_nop(struct sysring *ring, __u64 ud)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);

	sysring_prep_nop(sqe);
	sysring_sqe_set_data64(sqe, ud);
}

/* Make the queued SQEs visible to the kernel without submitting them. */
static void publish(struct sysring *ring)
{
	sysring_smp_store_release(ring->sq.ktail, ring->sq.sqe_tail);
}

static int reap1(struct sysring *ring)
{
	struct t_cqe c;

	return t_reap(ring, &c, 1);
}

/* Nothing comes: -ETIME after about the time asked, not much later. */
static int test_timeout(struct sysring *ring)
{
	double t0 = t_now_ms(), dt;

	T_EQ(wait_ms(ring, 100, NULL), -ETIME);
	dt = t_now_ms() - t0;
	T_CHECK(dt >= 95);
	/* TCG is slow; anything near the asked time will do. */
	T_CHECK(dt < 5000);
	/* A zero timeout only looks. */
	t0 = t_now_ms();
	T_EQ(wait_ms(ring, 0, NULL), -ETIME);
	T_CHECK(t_now_ms() - t0 < 1000);
	return T_EXIT_PASS;
}

/* What is ready ends the wait at once; what was submitted counts most. */
static int test_ready(struct sysring *ring)
{
	struct __kernel_timespec ts = { .tv_nsec = 50 * 1000000LL };
	struct sysring_getevents_arg arg = { .ts = t_ptr(&ts) };
	double t0 = t_now_ms();

	queue_nop(ring, 0);
	T_EQ(sysring_submit(ring), 1);
	T_EQ(wait_ms(ring, 30000, NULL), 0);
	T_CHECK(t_now_ms() - t0 < 5000);
	T_EQ(reap1(ring), T_EXIT_PASS);

	/* One submitted, two waited for: the wait times out, 1 is returned. */
	queue_nop(ring, 0);
	publish(ring);
	T_EQ(enter_ext(ring, 1, 2, &arg, sizeof(arg)), 1);
	T_EQ(reap1(ring), T_EXIT_PASS);

	/* No timeout: the argument may carry nothing at all. */
	memset(&arg, 0, sizeof(arg));
	T_EQ(enter_ext(ring, 0, 0, &arg, sizeof(arg)), 0);
	T_EQ(__sys_sysring_enter2(ring->ring_fd, 0, 0, SYSRING_ENTER_EXT_ARG,
				  &arg, sizeof(arg)), 0);
	return T_EXIT_PASS;
}

/*
 * Bad arguments fail before anything is submitted: the queued SQE is
 * still there afterwards.
 */
static int test_bad_args(struct sysring *ring)
{
	struct __kernel_timespec ts = { .tv_nsec = 1000 };
	struct __kernel_timespec bad_ts = { .tv_nsec = 1000000000LL };
	struct sysring_getevents_arg arg = { .ts = t_ptr(&ts) };
	struct sysring_getevents_arg a;
	__u64 mask = 0;
	int fd = ring->ring_fd;

	queue_nop(ring, 0);
	publish(ring);

	T_EQ(enter_ext(ring, 1, 1, &arg, sizeof(arg) - 1), -EINVAL);
	T_EQ(enter_ext(ring, 1, 1, &arg, sizeof(arg) + 1), -EINVAL);
	T_EQ(enter_ext(ring, 1, 1, &arg, 0), -EINVAL);
	T_EQ(enter_ext(ring, 1, 1, NULL, sizeof(arg)), -EFAULT);
	T_EQ(enter_ext(ring, 1, 1, (void *)8, sizeof(arg)), -EFAULT);
	a = arg;
	a.resv = 1;
	T_EQ(enter_ext(ring, 1, 1, &a, sizeof(a)), -EINVAL);
	a = arg;
	a.ts = t_ptr(&bad_ts);
	T_EQ(enter_ext(ring, 1, 1, &a, sizeof(a)), -EINVAL);
	bad_ts.tv_nsec = 0;
	bad_ts.tv_sec = -1;
	T_EQ(enter_ext(ring, 1, 1, &a, sizeof(a)), -EINVAL);
	a.ts = 8;
	T_EQ(enter_ext(ring, 1, 1, &a, sizeof(a)), -EFAULT);
	a = arg;
	a.sigmask = t_ptr(&mask);
	a.sigmask_sz = 4;
	T_EQ(enter_ext(ring, 1, 1, &a, sizeof(a)), -EINVAL);
	a.sigmask_sz = 128;
	T_EQ(enter_ext(ring, 1, 1, &a, sizeof(a)), -EINVAL);
	a.sigmask_sz = SIGSET_SZ;
	a.sigmask = 8;
	T_EQ(enter_ext(ring, 1, 1, &a, sizeof(a)), -EFAULT);
	/* Without EXT_ARG there must be no argument at all. */
	T_EQ(__sys_sysring_enter2(fd, 1, 0, 0, &arg, 0), -EINVAL);
	T_EQ(__sys_sysring_enter2(fd, 1, 0, 0, NULL, sizeof(arg)), -EINVAL);
	T_EQ(__sys_sysring_enter2(fd, 1, 0, 0x80, NULL, 0), -EINVAL);

	T_EQ(sysring_sq_ready(ring), 1);
	T_EQ(enter_ext(ring, 1, 1, &arg, sizeof(arg)), 1);
	T_EQ(reap1(ring), T_EXIT_PASS);
	return T_EXIT_PASS;
}

/* A signal ends a wait with -EINTR, timeout or not; its handler runs. */
static int test_signal(struct sysring *ring)
{
	double t0 = t_now_ms();

	caught = 0;
	signal_in(50);
	T_EQ(wait_ms(ring, 20000, NULL), -EINTR);
	T_EQ(caught, 1);
	T_CHECK(t_now_ms() - t0 < 10000);
	caught = 0;
	signal_in(50);
	T_EQ(__sys_sysring_enter(ring->ring_fd, 0, 1, SYSRING_ENTER_GETEVENTS),
	     -EINTR);
	T_EQ(caught, 1);
	return T_EXIT_PASS;
}

/*
 * The wait's mask, as ppoll's: a signal it blocks waits until the call
 * returns; one it unblocks (blocked in the thread) interrupts the wait,
 * and the thread's own mask is back afterwards.
 */
static int test_sigmask(struct sysring *ring)
{
	__u64 block_alrm = 1ULL << (SIGALRM - 1), none = 0;
	sigset_t usr1, now;
	double t0;

	caught = 0;
	signal_in(30);
	t0 = t_now_ms();
	T_EQ(wait_ms(ring, 300, &block_alrm), -ETIME);
	T_CHECK(t_now_ms() - t0 >= 290);
	/* Delivered once the call had put the thread's mask back. */
	T_EQ(caught, 1);

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	T_CHECK(!pthread_sigmask(SIG_BLOCK, &usr1, NULL));
	caught = 0;
	T_CHECK(!raise(SIGUSR1));
	T_EQ(caught, 0);
	T_EQ(wait_ms(ring, 20000, &none), -EINTR);
	T_EQ(caught, 1);
	T_CHECK(!pthread_sigmask(SIG_SETMASK, NULL, &now));
	T_CHECK(sigismember(&now, SIGUSR1));
	T_CHECK(!pthread_sigmask(SIG_UNBLOCK, &usr1, NULL));
	return T_EXIT_PASS;
}

/* The library's submit and wait with a timeout and a mask. */
static int test_submit_and_wait_timeout(struct sysring *ring)
{
	static const struct timespec nap = { .tv_nsec = 300 * 1000000L };
	struct timespec ts = { .tv_sec = 30 }, brief = { .tv_nsec = 50000000L };
	struct sysring_cqe *cqe;
	struct sysring_sqe *sqe;
	sigset_t mask;

	queue_nop(ring, 7);
	T_EQ(sysring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL), 1);
	T_CHECK(cqe != NULL);
	T_EQ(cqe->user_data, 7);
	sysring_cqe_seen(ring, cqe);

	/* Nothing submitted, nothing comes: -ETIME. */
	T_EQ(sysring_submit_and_wait_timeout(ring, &cqe, 1, &brief, NULL),
	     -ETIME);
	T_CHECK(cqe == NULL);

	/* Submitted, but not completed in time: the count, and no CQE. */
	sqe = t_get_sqe(ring);
	sysring_prep_syscall(sqe, __NR_nanosleep, 2, t_ptr(&nap), 0, 0, 0, 0, 0);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	sysring_sqe_set_data64(sqe, 0);
	T_EQ(sysring_submit_and_wait_timeout(ring, &cqe, 1, &brief, NULL), 1);
	T_CHECK(cqe == NULL);
	T_EQ(reap1(ring), T_EXIT_PASS);

	/* A mask that blocks the signal: the wait runs out its time. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGALRM);
	caught = 0;
	signal_in(10);
	T_EQ(sysring_submit_and_wait_timeout(ring, &cqe, 1, &brief, &mask),
	     -ETIME);
	T_EQ(caught, 1);
	T_EQ(sysring_submit_and_wait_timeout(NULL, &cqe, 1, &ts, NULL),
	     -EINVAL);
	brief.tv_nsec = -1;
	T_EQ(sysring_submit_and_wait_timeout(ring, &cqe, 1, &brief, NULL),
	     -EINVAL);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sigaction sa;
	struct sysring ring;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* SA_RESTART or not, the wait is not restarted. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	t_ring_init(&ring, 8, NULL);
	t_require_features(&ring, SYSRING_FEAT_EXT_ARG,
			   "SYSRING_ENTER_EXT_ARG");
	t_require_features(&ring, SYSRING_FEAT_ASYNC, "asynchronous blocks");
	T_RUN(test_timeout, &ring);
	T_RUN(test_ready, &ring);
	T_RUN(test_bad_args, &ring);
	T_RUN(test_signal, &ring);
	T_RUN(test_sigmask, &ring);
	T_RUN(test_submit_and_wait_timeout, &ring);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
