/* SPDX-License-Identifier: MIT */
/* Description: stress: processes x rings (plain, SQPOLL, a CQ of 8 that overflows) x mixed blocks (inline, async, links, drain, pipes, programs, budgets, bad blocks, cancels, timed waits) for a bounded time, every completion checked exactly once, and processes killed with blocks in flight */
/*
 * STRESS_SECONDS (default 5), STRESS_PROCS (2) and STRESS_THREADS (2, one
 * ring each) size the run; STRESS_SEED picks the random sequence.  Each
 * thread submits batches of chains whose outcome it knows in advance, reaps
 * them and checks status, result, data moved through pipes, the order DRAIN
 * promises and that every user_data comes back exactly once.  Rings take
 * turns at three shapes: plain; SQPOLL with a short idle time, so the
 * thread keeps going to sleep and being woken; and an SQ and CQ of 8 fed a
 * whole batch before any reaping, so completions go through the overflow
 * list and submission meets EBUSY at its bound.  Some blocks sleep until
 * cancelled by user_data, and some waits carry a timeout.  Meanwhile the
 * parent keeps forking victims that fill a ring (every other one an SQPOLL
 * ring, its thread spinning) with blocked and looping blocks and are killed
 * with SIGKILL: each must be reaped promptly.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define MAX_JOBS	24	/* chains per batch */
#define MAX_SQES	(3 * MAX_JOBS)
#define NPIPES		MAX_JOBS
#define BUF		512
#define LOOP_INSNS(n)	(3 * (n) + 2)	/* the sum program, n >= 1 */
#define SMALL_RING	8	/* SQ and CQ of the overflowing rings */

enum kind { K_ALU, K_PPID, K_PIPE, K_SLEEP, K_BLOCKED, K_LOOP, K_FAIL,
	    K_HARD, K_BAD, K_REGS, K_DRAIN, K_CANCEL, K_NR };

enum shape { R_PLAIN, R_SQPOLL, R_SMALL, R_NR };

/* What one SQE must complete with (or, for a cancel, may instead). */
struct expect {
	bool used, seen, alt;
	unsigned status, alt_status;
	long long res, alt_res;
	int drain;		/* DRAIN: the CQEs before it, or -1 */
	unsigned order;		/* position in the completion stream */
};

struct job_pipe {
	int fd[2];
	char src[BUF], dst[BUF];
	unsigned len;
	bool used;
};

struct worker {
	pthread_t tid;
	unsigned id;
	unsigned long long rng;
	struct sysring ring;
	enum shape shape;
	int prog;
	struct job_pipe pipes[NPIPES];
	struct expect exp[MAX_SQES];
	unsigned nsqe, reaped;
	unsigned cancel[MAX_JOBS];	/* user_data still to cancel */
	unsigned ncancel;
	unsigned long long blocks, batches, busy, canceled, timeouts;
	int ret;
};

static double deadline;
static unsigned long long ppid;
static const struct timespec one_ms = { 0, 1000000 };
static const struct timespec two_s = { 2, 0 };
static const struct sysring_insn sum_prog[] = {
	SR_MOV_K(0, 0),
	SR_ADD(0, 1),
	SR_SUB_K(1, 1),
	SR_JMP_K(JNE, 1, 0, -3),
	SR_EXIT(0),
};
static const struct sysring_insn spin[] = { SR_JA(-1) };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned rnd(struct worker *w, unsigned n)
{
	w->rng = w->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(w->rng >> 33) % n;
}

static unsigned env_uint(const char *name, unsigned def)
{
	const char *s = getenv(name);

	return s && *s ? (unsigned)strtoul(s, NULL, 0) : def;
}

/* The next SQE of the batch, numbered by its slot, expected to @st/@res. */
static struct sysring_sqe *job_sqe(struct worker *w, unsigned st,
				   long long res)
{
	struct sysring_sqe *sqe = sysring_get_sqe(&w->ring);
	struct expect *e = &w->exp[w->nsqe];

	if (!sqe)
		return NULL;
	*e = (struct expect){ .used = true, .status = st, .res = res,
			      .drain = -1 };
	sysring_sqe_set_data64(sqe, w->nsqe++);
	return sqe;
}

static struct job_pipe *free_pipe(struct worker *w)
{
	unsigned i, start = rnd(w, NPIPES);

	for (i = 0; i < NPIPES; i++) {
		struct job_pipe *p = &w->pipes[(start + i) % NPIPES];

		if (!p->used) {
			p->used = true;
			return p;
		}
	}
	return NULL;
}

static int submit_queued(struct worker *w);

/* Queue one chain of kind @k; false when the batch is full. */
static bool queue_job(struct worker *w, enum kind k, unsigned async)
{
	struct sysring_sqe *sqe;
	struct job_pipe *p;
	struct expect *e;
	unsigned i, n;
	__u64 r[3];

	if (w->nsqe + 3 > MAX_SQES || w->ret)
		return false;
	/* A chain never straddles a submission: make room for the longest. */
	if (sysring_sq_space_left(&w->ring) < 3) {
		w->ret = submit_queued(w);
		if (w->ret)
			return false;
	}
	switch (k) {
	case K_ALU: {
		const struct sysring_insn alu[] = {
			SR_MUL(1, 2), SR_ADD(1, 3), SR_EXIT(1),
		};

		for (i = 0; i < 3; i++)
			r[i] = ((__u64)rnd(w, 1u << 30) << 20) ^ rnd(w, 1u << 30);
		sqe = job_sqe(w, SYSRING_STATUS_EXIT, (long long)(r[0] * r[1] + r[2]));
		sysring_prep_insns(sqe, alu, 3);
		sysring_sqe_set_regs(sqe, 1, r, 3);
		sysring_sqe_set_flags(sqe, async);
		break;
	}
	case K_PPID:
		sqe = job_sqe(w, SYSRING_STATUS_EXIT, (long long)ppid);
		sysring_prep_getppid(sqe);
		sysring_sqe_set_flags(sqe, async);
		break;
	case K_PIPE:
		/* write -> read through a pipe of its own, linked. */
		p = free_pipe(w);
		if (!p)
			return true;
		p->len = 1 + rnd(w, BUF);
		for (i = 0; i < p->len; i++)
			p->src[i] = (char)rnd(w, 256);
		memset(p->dst, 0, sizeof(p->dst));
		sqe = job_sqe(w, SYSRING_STATUS_EXIT, p->len);
		sysring_prep_write(sqe, p->fd[1], p->src, p->len);
		sysring_sqe_set_flags(sqe, async | SYSRING_SQE_LINK);
		sqe = job_sqe(w, SYSRING_STATUS_EXIT, p->len);
		sysring_prep_read(sqe, p->fd[0], p->dst, p->len);
		break;
	case K_SLEEP:
		sqe = job_sqe(w, SYSRING_STATUS_EXIT, 0);
		sysring_prep_syscall(sqe, __NR_nanosleep, 2,
				     (__u64)(unsigned long)&one_ms, 0, 0, 0, 0, 0);
		sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
		break;
	case K_BLOCKED:
		/* An async read that only the inline write after it releases. */
		p = free_pipe(w);
		if (!p)
			return true;
		p->len = 1;
		p->src[0] = (char)rnd(w, 256);
		sqe = job_sqe(w, SYSRING_STATUS_EXIT, 1);
		sysring_prep_read(sqe, p->fd[0], p->dst, 1);
		sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
		sqe = job_sqe(w, SYSRING_STATUS_EXIT, 1);
		sysring_prep_write(sqe, p->fd[1], p->src, 1);
		break;
	case K_LOOP:
		/* Sum 1..n in a registered program, sometimes over budget. */
		n = 1 + rnd(w, 2000);
		r[0] = n;
		i = rnd(w, 3) ? 0 : 1 + rnd(w, LOOP_INSNS(n));
		if (i && i < LOOP_INSNS(n))
			sqe = job_sqe(w, SYSRING_STATUS_BUDGET, -ETIME);
		else
			sqe = job_sqe(w, SYSRING_STATUS_EXIT,
				      (long long)n * (n + 1) / 2);
		sysring_prep_prog(sqe, w->prog);
		sysring_sqe_set_regs(sqe, 1, r, 1);
		sysring_sqe_set_budget(sqe, i);
		sysring_sqe_set_flags(sqe, async);
		break;
	case K_FAIL:
	case K_HARD:
		/* read(-1) fails: LINK cancels the next, HARDLINK runs it. */
		sqe = job_sqe(w, SYSRING_STATUS_ERROR, -EBADF);
		sysring_prep_read(sqe, -1, w->pipes[0].dst, 1);
		sysring_sqe_set_flags(sqe, async | (k == K_FAIL ?
				      SYSRING_SQE_LINK : SYSRING_SQE_HARDLINK));
		if (k == K_FAIL)
			sqe = job_sqe(w, SYSRING_STATUS_CANCELED, -ECANCELED);
		else
			sqe = job_sqe(w, SYSRING_STATUS_EXIT, (long long)ppid);
		sysring_prep_getppid(sqe);
		break;
	case K_BAD: {
		const struct sysring_insn bad[] = {
			SR_INSN(0xff, 0, 0, 0, 0),	/* no such opcode */
			SR_EXIT(0),
		};

		sqe = job_sqe(w, SYSRING_STATUS_INVALID, -EINVAL);
		sysring_prep_insns(sqe, bad, 2);
		sysring_sqe_set_flags(sqe, async);
		break;
	}
	case K_REGS: {
		/* Block 2 starts with what block 1 left in r5. */
		const struct sysring_insn b1[] = { SR_MOV(5, 1), SR_ADD_K(5, 7),
						   SR_EXIT(5) };
		const struct sysring_insn b2[] = { SR_MUL_K(5, 3), SR_EXIT(5) };

		r[0] = rnd(w, 1u << 30);
		sqe = job_sqe(w, SYSRING_STATUS_EXIT, (long long)r[0] + 7);
		sysring_prep_insns(sqe, b1, 3);
		sysring_sqe_set_regs(sqe, 1, r, 1);
		sysring_sqe_set_flags(sqe, async | SYSRING_SQE_LINK);
		sqe = job_sqe(w, SYSRING_STATUS_EXIT, 3 * ((long long)r[0] + 7));
		sysring_prep_insns(sqe, b2, 2);
		break;
	}
	case K_DRAIN:
		/* Completes after every SQE queued before it. */
		if (w->ncancel)
			return true;	/* it would wait for the 2 s sleeps */
		n = w->nsqe;
		sqe = job_sqe(w, SYSRING_STATUS_EXIT, (long long)ppid);
		w->exp[n].drain = (int)n;
		sysring_prep_getppid(sqe);
		sysring_sqe_set_flags(sqe, SYSRING_SQE_DRAIN | async);
		break;
	case K_CANCEL: {
		/*
		 * A worker's 2 s sleep or endless loop, cancelled as soon as it
		 * is queued.  The userspace backend cannot interrupt a system
		 * call (sysring(7)), so there it is always the loop.
		 */
		bool sleep = !(w->ring.features & SYSRING_FEAT_USER_BACKEND) &&
			     rnd(w, 2);

		w->cancel[w->ncancel++] = w->nsqe;
		sqe = job_sqe(w, SYSRING_STATUS_CANCELED, -ECANCELED);
		e = &w->exp[w->nsqe - 1];
		e->alt = true;			/* the block won the race */
		if (sleep) {
			e->alt_status = SYSRING_STATUS_EXIT;
			sysring_prep_syscall(sqe, __NR_nanosleep, 2,
					     (__u64)(unsigned long)&two_s,
					     0, 0, 0, 0, 0);
		} else {
			e->alt_status = SYSRING_STATUS_BUDGET;
			e->alt_res = -ETIME;
			sysring_prep_insns(sqe, spin, 1);
			sysring_sqe_set_budget(sqe, SYSRING_MAX_BUDGET);
		}
		sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
		break;
	}
	default:
		break;
	}
	return true;
}

static int check_cqe(struct worker *w, const struct sysring_cqe *cqe)
{
	struct expect *e;

	if (cqe->user_data >= w->nsqe) {
		fprintf(stderr, "ring %u: unknown user_data %llu\n", w->id,
			(unsigned long long)cqe->user_data);
		return T_EXIT_FAIL;
	}
	e = &w->exp[cqe->user_data];
	if (e->seen) {
		fprintf(stderr, "ring %u: user_data %llu completed twice\n",
			w->id, (unsigned long long)cqe->user_data);
		return T_EXIT_FAIL;
	}
	e->seen = true;
	e->order = w->reaped++;
	if ((cqe->status != e->status || cqe->res != e->res) &&
	    (!e->alt || cqe->status != e->alt_status || cqe->res != e->alt_res)) {
		fprintf(stderr, "ring %u: block %llu ended %u/%lld, expected "
			"%u/%lld\n", w->id, (unsigned long long)cqe->user_data,
			cqe->status, (long long)cqe->res, e->status, e->res);
		return T_EXIT_FAIL;
	}
	/* Everything submitted before a DRAIN block completed before it. */
	if (e->drain >= 0 && e->order < (unsigned)e->drain) {
		fprintf(stderr, "ring %u: DRAIN block %llu completed as #%u, "
			"before %d earlier ones\n", w->id,
			(unsigned long long)cqe->user_data, e->order, e->drain);
		return T_EXIT_FAIL;
	}
	return T_EXIT_PASS;
}

static int check_pipes(struct worker *w)
{
	unsigned i;

	for (i = 0; i < NPIPES; i++) {
		struct job_pipe *p = &w->pipes[i];

		if (p->used && memcmp(p->src, p->dst, p->len)) {
			fprintf(stderr, "ring %u: pipe %u: data corrupted\n",
				w->id, i);
			return T_EXIT_FAIL;
		}
		p->used = false;
	}
	return T_EXIT_PASS;
}

/* Ask for each queued cancel once more; drop those that reached a block. */
static void try_cancels(struct worker *w)
{
	unsigned i, left = 0;

	for (i = 0; i < w->ncancel; i++) {
		unsigned ud = w->cancel[i];

		if (w->exp[ud].seen)
			continue;
		if (sysring_register_cancel(&w->ring, ud, 0) == 1) {
			w->canceled++;
			continue;
		}
		/* Not consumed yet (SQPOLL, or behind a DRAIN): later. */
		w->cancel[left++] = ud;
	}
	w->ncancel = left;
}

/*
 * Reap what is ready, waiting for at least one: with a timeout while a
 * cancel is pending (-ETIME is then no error) or at random, else without.
 */
static int reap(struct worker *w)
{
	struct timespec ts = { 0, (1 + rnd(w, 20)) * 1000000L };
	struct sysring_cqe *cqe;
	int ret;

	try_cancels(w);
	if (w->ncancel || !rnd(w, 4)) {
		ret = sysring_wait_cqe_timeout(&w->ring, &cqe, &ts);
		if (ret == -ETIME) {
			w->timeouts++;
			return T_EXIT_PASS;
		}
	} else {
		ret = sysring_wait_cqe(&w->ring, &cqe);
	}
	while (!ret) {
		ret = check_cqe(w, cqe);
		sysring_cqe_seen(&w->ring, cqe);
		if (ret)
			return ret;
		ret = sysring_peek_cqe(&w->ring, &cqe);
		if (ret == -EAGAIN)
			return T_EXIT_PASS;
	}
	fprintf(stderr, "ring %u: wait: %s\n", w->id, strerror(-ret));
	return T_EXIT_FAIL;
}

/*
 * Hand every queued SQE to the kernel.  SQPOLL: publish them and wait for
 * SQ room.  Otherwise submit until none is left, reaping whenever the
 * overflow list is at its bound (EBUSY).
 */
static int submit_queued(struct worker *w)
{
	int ret;

	if (w->shape == R_SQPOLL) {
		ret = sysring_submit(&w->ring);
		if (ret < 0) {
			fprintf(stderr, "ring %u: submit: %s\n", w->id,
				strerror(-ret));
			return T_EXIT_FAIL;
		}
		while (sysring_sq_space_left(&w->ring) < 3)
			if (sysring_sqring_wait(&w->ring) < 0)
				return T_EXIT_FAIL;
		return T_EXIT_PASS;
	}
	while (sysring_sq_ready(&w->ring)) {
		ret = sysring_submit(&w->ring);
		if (ret == -EBUSY) {
			w->busy++;
			ret = reap(w);
			if (ret)
				return ret;
			continue;
		}
		if (ret <= 0) {
			fprintf(stderr, "ring %u: submit: %d\n", w->id, ret);
			return T_EXIT_FAIL;
		}
	}
	return T_EXIT_PASS;
}

static int run_batch(struct worker *w)
{
	unsigned i, njobs = 1 + rnd(w, MAX_JOBS);
	int ret;

	w->nsqe = w->reaped = w->ncancel = 0;
	for (i = 0; i < njobs; i++) {
		unsigned async = rnd(w, 2) ? SYSRING_SQE_ASYNC : 0;

		if (!queue_job(w, rnd(w, K_NR), async))
			break;
	}
	if (w->ret)
		return w->ret;
	if (!w->nsqe)
		return T_EXIT_PASS;
	ret = submit_queued(w);
	while (!ret && w->reaped < w->nsqe)
		ret = reap(w);
	if (ret)
		return ret;
	w->blocks += w->nsqe;
	w->batches++;
	/* Occasionally change the worker limit under the running blocks. */
	if (!rnd(w, 16) && sysring_register_workers(&w->ring,
						    1 + rnd(w, 8)) < 0)
		return T_EXIT_FAIL;
	return check_pipes(w);
}

/* The ring of thread @id: see the top of the file. */
static void ring_init(struct worker *w)
{
	struct sysring_params p;

	memset(&p, 0, sizeof(p));
	w->shape = (enum shape)((w->id / 100 + w->id % 100) % R_NR);
	switch (w->shape) {
	case R_SQPOLL:
		p.flags = SYSRING_SETUP_SQPOLL;
		p.sq_thread_idle = 1 + rnd(w, 20);
		t_ring_init(&w->ring, 2 * MAX_SQES, &p);
		break;
	case R_SMALL:
		p.flags = SYSRING_SETUP_CQSIZE;
		p.cq_entries = SMALL_RING;
		t_ring_init(&w->ring, SMALL_RING, &p);
		break;
	default:
		t_ring_init(&w->ring, 2 * MAX_SQES, NULL);
		break;
	}
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned i;

	w->ret = T_EXIT_FAIL;
	ring_init(w);
	w->prog = sysring_register_prog(&w->ring, sum_prog,
					ARRAY_SIZE(sum_prog), NULL);
	if (w->prog < 0) {
		fprintf(stderr, "register_prog: %s\n", strerror(-w->prog));
		return NULL;
	}
	for (i = 0; i < NPIPES; i++)
		if (pipe(w->pipes[i].fd))
			return NULL;
	w->ret = T_EXIT_PASS;
	while (!w->ret && now_s() < deadline)
		w->ret = run_batch(w);
	sysring_queue_exit(&w->ring);
	for (i = 0; i < NPIPES; i++) {
		close(w->pipes[i].fd[0]);
		close(w->pipes[i].fd[1]);
	}
	return NULL;
}

/* One stressing process: @nthreads rings, each driven by its own thread. */
static int stress_proc(unsigned id, unsigned nthreads, unsigned seed)
{
	struct worker *w = calloc(nthreads, sizeof(*w));
	unsigned long long blocks = 0, batches = 0, busy = 0, canceled = 0;
	unsigned long long timeouts = 0;
	unsigned i;
	int ret = T_EXIT_PASS;

	if (!w)
		return T_EXIT_FAIL;
	for (i = 0; i < nthreads; i++) {
		w[i].id = id * 100 + i;
		w[i].rng = seed * 7919ULL + w[i].id;
		if (pthread_create(&w[i].tid, NULL, worker_fn, &w[i]))
			return T_EXIT_FAIL;
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].ret != T_EXIT_PASS)
			ret = w[i].ret;
		blocks += w[i].blocks;
		batches += w[i].batches;
		busy += w[i].busy;
		canceled += w[i].canceled;
		timeouts += w[i].timeouts;
	}
	printf("process %u: %llu blocks in %llu batches on %u rings; %llu "
	       "EBUSY, %llu cancelled, %llu timed waits expired\n", id,
	       blocks, batches, nthreads, busy, canceled, timeouts);
	free(w);
	return ret;
}

/*
 * A ring full of blocked and looping async blocks, then SIGKILL.  On an
 * SQPOLL ring the inline spins run on the polling thread.
 */
static void victim(bool sqpoll)
{
	struct sysring_params par;
	struct sysring ring;
	int p[2];
	char c;
	unsigned i;

	memset(&par, 0, sizeof(par));
	if (sqpoll)
		par.flags = SYSRING_SETUP_SQPOLL;
	t_ring_init(&ring, 64, &par);
	if (pipe(p) || sysring_register_workers(&ring, 64) < 0)
		_exit(T_EXIT_FAIL);
	for (i = 0; i < 32; i++) {
		struct sysring_sqe *sqe = sysring_get_sqe(&ring);

		if (i % 2)
			sysring_prep_read(sqe, p[0], &c, 1);
		else
			sysring_prep_insns(sqe, spin, 1);
		sysring_sqe_set_budget(sqe, SYSRING_MAX_BUDGET);
		if (!sqpoll || i % 4 != 0)
			sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	}
	if (sysring_submit(&ring) != 32)
		_exit(T_EXIT_FAIL);
	pause();
	_exit(T_EXIT_FAIL);
}

static int kill_victim(unsigned *n)
{
	struct timespec ts = { 0, 50 * 1000000L };
	double t0;
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return T_EXIT_FAIL;
	if (!pid)
		victim(*n % 2);
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	t0 = now_s();
	if (waitpid(pid, &status, 0) != pid)
		return T_EXIT_FAIL;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		fprintf(stderr, "victim ended with status %#x, not SIGKILL\n",
			status);
		return T_EXIT_FAIL;
	}
	if (now_s() - t0 > 10) {
		fprintf(stderr, "victim took %.1f s to die\n", now_s() - t0);
		return T_EXIT_FAIL;
	}
	(*n)++;
	return T_EXIT_PASS;
}

int main(void)
{
	unsigned secs = env_uint("STRESS_SECONDS", 5);
	unsigned procs = env_uint("STRESS_PROCS", 2);
	unsigned threads = env_uint("STRESS_THREADS", 2);
	unsigned seed = env_uint("STRESS_SEED", (unsigned)time(NULL));
	unsigned i, victims = 0, failed = 0;
	pid_t pids[64];
	int status;

	if (!procs || procs > 64 || !threads || threads > 64) {
		fprintf(stderr, "STRESS_PROCS and STRESS_THREADS: 1..64\n");
		return T_EXIT_FAIL;
	}
	/* Children end with _exit(): no buffered line may be lost. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("stress: %u s, %u processes x %u rings, seed %u\n", secs,
	       procs, threads, seed);
	/* Probe once here so that a kernel without sysring skips cleanly. */
	{
		struct sysring ring;

		t_ring_init(&ring, 4, NULL);
		sysring_queue_exit(&ring);
	}
	deadline = now_s() + secs;
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return T_EXIT_FAIL;
		if (!pids[i]) {
			ppid = (unsigned long long)getppid();
			_exit(stress_proc(i, threads, seed + i));
		}
	}
	while (now_s() < deadline)
		if (kill_victim(&victims)) {
			failed++;
			break;
		}
	for (i = 0; i < procs; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != T_EXIT_PASS) {
			fprintf(stderr, "process %u failed (status %#x)\n", i,
				status);
			failed++;
		}
	}
	printf("stress: %u victims killed with blocks in flight; %s\n",
	       victims, failed ? "FAIL" : "ok");
	return failed ? T_EXIT_FAIL : T_EXIT_PASS;
}
