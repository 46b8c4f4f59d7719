// SPDX-License-Identifier: MIT
/*
 * Description: per-operation cost of sysring against io_uring and plain
 * system calls, measured in one run on one kernel.
 *
 * Workloads (each at the batch sizes it names):
 *   null   an empty block / io_uring NOP / getppid(2)
 *   pread  pread of 4 KiB from the page cache
 *   chain  open -> fstat -> read 4 KiB -> close of small files
 *   burst  n fstat(2) calls: one looping block vs n batched io_uring
 *          STATX vs n calls, n from 1 to 64 (the chain-length scaling)
 *   chase  a lookup through 8 linked 4 KiB nodes of a file, each holding
 *          the offset of the next (XRP's B-tree case): one looping block vs
 *          8 dependent io_uring round trips vs 8 preads; cost per lookup
 *   copy   a 64 MiB file copied in 128 KiB chunks: one looping block vs
 *          linked io_uring read/write pairs vs pread/pwrite; cost per MiB
 *   wake   NPAR blocks each blocked reading its own pipe, released by one
 *          write to every pipe: time until all completed, per block;
 *          sysring async (workers) vs io_uring reads vs a thread per pipe
 *   sleep  NPAR blocks each sleeping 50 ms: wall time of all of them, ms;
 *          sysring async vs io_uring timeouts vs a thread per sleep
 *   memory kernel memory per ring of 256 entries (MemFree before and after
 *          creating MEM_RINGS rings), and per in-flight block (NPAR_MEM
 *          blocks blocked on pipes, MEM_WORKERS workers), sysring vs io_uring
 *   sys1-MODE, pread-MODE
 *          a block of one getppid(2) / io_uring NOP / getppid(2), and pread,
 *          at batch 1 and 32 in each execution mode: inline (in enter),
 *          async (SYSRING_SQE_ASYNC: workers / IOSQE_ASYNC: io-wq) and
 *          sqpoll (a polling thread consumes the SQ, for both; the
 *          submitter publishes the tail and spins on the CQ, no syscall)
 *
 * io_uring gets its best honest use: SINGLE_ISSUER | DEFER_TASKRUN,
 * batching, registered files and direct descriptors.  Each figure is the
 * median of MAX_REPS repetitions; the spread is min..max.  With "quick" as
 * the operation count, every workload runs once on a small size: a check
 * that they all work, not a measurement.  With "modes" as third argument
 * only the execution-mode rows run.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "sysring.h"
#include "sysring_insn.h"

#define MAX_REPS	5
#define NFILES		64
#define DEPTH		8			/* chase: nodes per lookup */
#define NODES		64			/* chase: nodes in the file */
#define CHUNK		(128 << 10)
#define COPY_PAIRS	8			/* io_uring pairs in flight */

static int iters = 4096;
static int reps = MAX_REPS;		/* quick mode: 1 */
static long long copy_size = 64 << 20;	/* quick mode: 4 MiB */
static char dir[] = "/tmp/sysring-bench.XXXXXX";
static char paths[NFILES][64];
static char buf[NFILES][4096] __attribute__((aligned(4096)));
static struct stat stbuf;
static FILE *csv;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "sysring-bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct figure {
	double med, min, max;
};

/* Run @fn reps times; each run reports its cost per operation in ns. */
static struct figure measure(double (*fn)(int batch), int batch)
{
	double v[MAX_REPS];
	struct figure f;
	int i;

	fn(batch);	/* warm up */
	for (i = 0; i < reps; i++)
		v[i] = fn(batch);
	qsort(v, reps, sizeof(v[0]), cmp_double);
	f.med = v[reps / 2];
	f.min = v[0];
	f.max = v[reps - 1];
	return f;
}

static void report(const char *workload, int batch, struct figure sr,
		   struct figure uring, struct figure sys)
{
	printf("%-12s %5d %10.0f %10.0f %10.0f %8.2f %8.2f\n", workload, batch,
	       sr.med, uring.med, sys.med, sr.med / uring.med,
	       sr.med / sys.med);
	if (csv)
		fprintf(csv, "%s,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n",
			workload, batch, sr.med, sr.min, sr.max, uring.med,
			uring.min, uring.max, sys.med, sys.min, sys.max);
}

static struct sysring sr, sr_sq;		/* sr_sq: SYSRING_SETUP_SQPOLL */
static struct io_uring ur, ur_sq;	/* ur_sq: IORING_SETUP_SQPOLL */
static int data_fd;
static int chain_prog;

/*
 * How the sys1 and pread rows run: on which rings, with which SQE flags,
 * and whether completions are reaped by spinning on the CQ (SQPOLL: then
 * neither submitting nor reaping takes a system call).  Every other
 * workload runs inline, on sr and ur.
 */
struct mode {
	const char *name;
	struct sysring *sr;
	struct io_uring *ur;
	unsigned int sr_flags;	/* SYSRING_SQE_* */
	unsigned int ur_flags;	/* IOSQE_* */
	bool poll;
};

static const struct mode modes[] = {
	{ "inline", &sr, &ur, 0, 0, false },
	{ "async", &sr, &ur, SYSRING_SQE_ASYNC, IOSQE_ASYNC, false },
	{ "sqpoll", &sr_sq, &ur_sq, 0, 0, true },
};
static const struct mode *mode = &modes[0];

/* SQPOLL threads' idle time: awake through a run, asleep soon after. */
#define MODE_IDLE_MS	50

/* Submit @n prepared SQEs, wait for and check all their completions. */
static void sr_run(unsigned int n)
{
	struct sysring *r = mode->sr;
	struct sysring_cqe *cqe;
	unsigned int i;
	int ret;

	if (mode->poll) {
		ret = sysring_submit(r);
		while (ret >= 0 && sysring_cq_ready(r) < n)
			;
	} else {
		ret = sysring_submit_and_wait(r, n);
	}
	if (ret < 0)
		die("sysring_submit_and_wait", -ret);
	for (i = 0; i < n; i++) {
		ret = sysring_wait_cqe(r, &cqe);
		if (ret < 0)
			die("sysring_wait_cqe", -ret);
		if (cqe->status != SYSRING_STATUS_EXIT || cqe->res < 0) {
			fprintf(stderr, "sysring-bench: block failed: status %u res %lld pc %u\n",
				cqe->status, (long long)cqe->res, cqe->pc);
			exit(1);
		}
		sysring_cqe_seen(r, cqe);
	}
}

static void ur_run(unsigned int n)
{
	struct io_uring *r = mode->ur;
	struct io_uring_cqe *cqe;
	unsigned int i;
	int ret;

	if (mode->poll) {
		ret = io_uring_submit(r);
		while (ret >= 0 && io_uring_cq_ready(r) < n)
			;
	} else {
		ret = io_uring_submit_and_wait(r, n);
	}
	if (ret < 0)
		die("io_uring_submit_and_wait", -ret);
	for (i = 0; i < n; i++) {
		ret = io_uring_wait_cqe(r, &cqe);
		if (ret < 0)
			die("io_uring_wait_cqe", -ret);
		if (cqe->res < 0)
			die("io_uring request", -cqe->res);
		io_uring_cqe_seen(r, cqe);
	}
}

static struct sysring_sqe *sr_sqe(void)
{
	struct sysring_sqe *sqe = sysring_get_sqe(mode->sr);

	if (!sqe)
		die("sysring_get_sqe", EBUSY);
	return sqe;
}

static struct io_uring_sqe *ur_sqe(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(mode->ur);

	if (!sqe)
		die("io_uring_get_sqe", EBUSY);
	return sqe;
}

/* null: the fixed cost of one operation */
static double sr_null(int batch)
{
	double t = now_ns();
	int i, j;

	for (i = 0; i < iters; i += batch) {
		for (j = 0; j < batch; j++)
			sysring_prep_nop(sr_sqe());
		sr_run(batch);
	}
	return (now_ns() - t) / iters;
}

static double ur_null(int batch)
{
	double t = now_ns();
	int i, j;

	for (i = 0; i < iters; i += batch) {
		for (j = 0; j < batch; j++)
			io_uring_prep_nop(ur_sqe());
		ur_run(batch);
	}
	return (now_ns() - t) / iters;
}

static double sys_null(int batch)
{
	double t = now_ns();
	int i;

	(void)batch;
	for (i = 0; i < iters; i++)
		syscall(__NR_getppid);
	return (now_ns() - t) / iters;
}

/* sys1: a block of one system call / a NOP, io_uring's nearest / getppid */
static double sr_sys1(int batch)
{
	double t = now_ns();
	int i, j;

	for (i = 0; i < iters; i += batch) {
		for (j = 0; j < batch; j++) {
			struct sysring_sqe *sqe = sr_sqe();

			sysring_prep_getppid(sqe);
			sysring_sqe_set_flags(sqe, mode->sr_flags);
		}
		sr_run(batch);
	}
	return (now_ns() - t) / iters;
}

static double ur_sys1(int batch)
{
	double t = now_ns();
	int i, j;

	for (i = 0; i < iters; i += batch) {
		for (j = 0; j < batch; j++) {
			struct io_uring_sqe *sqe = ur_sqe();

			io_uring_prep_nop(sqe);
			sqe->flags |= mode->ur_flags;
		}
		ur_run(batch);
	}
	return (now_ns() - t) / iters;
}

/* pread: one real system call per operation */
static double sr_pread(int batch)
{
	double t = now_ns();
	int i, j;

	for (i = 0; i < iters; i += batch) {
		for (j = 0; j < batch; j++) {
			struct sysring_sqe *sqe = sr_sqe();

			sysring_prep_pread(sqe, data_fd, buf[j], 4096, 0);
			sysring_sqe_set_flags(sqe, mode->sr_flags);
		}
		sr_run(batch);
	}
	return (now_ns() - t) / iters;
}

static double ur_pread(int batch)
{
	double t = now_ns();
	int i, j;

	for (i = 0; i < iters; i += batch) {
		for (j = 0; j < batch; j++) {
			struct io_uring_sqe *sqe = ur_sqe();

			/* registered file 0 is data_fd */
			io_uring_prep_read(sqe, 0, buf[j], 4096, 0);
			sqe->flags |= IOSQE_FIXED_FILE | mode->ur_flags;
		}
		ur_run(batch);
	}
	return (now_ns() - t) / iters;
}

static double sys_pread(int batch)
{
	double t = now_ns();
	int i;

	(void)batch;
	for (i = 0; i < iters; i++)
		if (pread(data_fd, buf[0], 4096, 0) != 4096)
			die("pread", errno);
	return (now_ns() - t) / iters;
}

/*
 * chain: r1..r6 = AT_FDCWD, path, O_RDONLY, &stat, buf, 4096;
 * fd = openat(); fstat(fd, &stat); n = read(fd, buf, 4096); close(fd).
 */
static const struct sysring_insn chain_insns[] = {
	SR_SYS(10, __NR_openat, 1, 3),
	SR_MOV(11, 10),
	SR_MOV(12, 4),
	SR_SYS(13, __NR_fstat, 11, 2),
	SR_MOV(12, 5),
	SR_MOV(13, 6),
	SR_SYS(16, __NR_read, 11, 3),
	SR_SYS(17, __NR_close, 11, 1),
	SR_EXIT(16),
};

static double sr_chain(int batch)
{
	double t = now_ns();
	int i, j;

	for (i = 0; i < iters; i += batch) {
		for (j = 0; j < batch; j++) {
			struct sysring_sqe *sqe = sr_sqe();
			__u64 regs[6] = { (__u64)AT_FDCWD,
					  (__u64)(unsigned long)paths[j],
					  O_RDONLY, (__u64)(unsigned long)&stbuf,
					  (__u64)(unsigned long)buf[j], 4096 };

			sysring_prep_prog(sqe, chain_prog);
			sysring_sqe_set_regs(sqe, 1, regs, 6);
		}
		sr_run(batch);
	}
	return (now_ns() - t) / iters;
}

/* Four linked requests per file; the file lives in direct slot j. */
static double ur_chain(int batch)
{
	static struct statx stx;
	double t = now_ns();
	int i, j;

	for (i = 0; i < iters; i += batch) {
		for (j = 0; j < batch; j++) {
			struct io_uring_sqe *sqe;

			sqe = ur_sqe();
			io_uring_prep_openat_direct(sqe, AT_FDCWD, paths[j],
						    O_RDONLY, 0, j);
			sqe->flags |= IOSQE_IO_LINK;
			sqe = ur_sqe();
			io_uring_prep_statx(sqe, AT_FDCWD, paths[j], 0,
					    STATX_BASIC_STATS, &stx);
			sqe->flags |= IOSQE_IO_LINK;
			sqe = ur_sqe();
			io_uring_prep_read(sqe, j, buf[j], 4096, 0);
			sqe->flags |= IOSQE_IO_LINK | IOSQE_FIXED_FILE;
			sqe = ur_sqe();
			io_uring_prep_close_direct(sqe, j);
		}
		ur_run(4 * batch);
	}
	return (now_ns() - t) / iters;
}

static double sys_chain(int batch)
{
	double t = now_ns();
	int i, fd;

	(void)batch;
	for (i = 0; i < iters; i++) {
		fd = openat(AT_FDCWD, paths[i % NFILES], O_RDONLY);
		if (fd < 0 || fstat(fd, &stbuf) || read(fd, buf[0], 4096) < 0)
			die("chain", errno);
		close(fd);
	}
	return (now_ns() - t) / iters;
}

/* burst: @batch fstat calls per block; cost reported per fstat */
static const struct sysring_insn burst_insns[] = {
	SR_SYS(4, __NR_fstat, 1, 2),
	SR_SUB_K(3, 1),
	SR_JMP_K(JNE, 3, 0, -3),
	SR_EXIT(4),
};

static double sr_burst(int batch)
{
	double t = now_ns();
	int i;

	for (i = 0; i < iters; i += batch) {
		struct sysring_sqe *sqe = sr_sqe();
		__u64 regs[3] = { data_fd, (__u64)(unsigned long)&stbuf, batch };

		sysring_prep_insns(sqe, burst_insns, 4);
		sysring_sqe_set_regs(sqe, 1, regs, 3);
		sr_run(1);
	}
	return (now_ns() - t) / iters;
}

static double ur_burst(int batch)
{
	static struct statx stx;
	double t = now_ns();
	int i, j;

	for (i = 0; i < iters; i += batch) {
		for (j = 0; j < batch; j++)
			io_uring_prep_statx(ur_sqe(), data_fd, "", AT_EMPTY_PATH,
					    STATX_BASIC_STATS, &stx);
		ur_run(batch);
	}
	return (now_ns() - t) / iters;
}

static double sys_burst(int batch)
{
	double t = now_ns();
	int i;

	(void)batch;
	for (i = 0; i < iters; i++)
		if (fstat(data_fd, &stbuf))
			die("fstat", errno);
	return (now_ns() - t) / iters;
}

/* chase: r1..r5 = fd, node buffer, 4096, first offset, depth */
static const struct sysring_insn chase_insns[] = {
	SR_SYS(6, __NR_pread64, 1, 4),
	SR_LD(SYSRING_MEM_DW, 4, 2, 0),		/* offset of the next node */
	SR_SUB_K(5, 1),
	SR_JMP_K(JNE, 5, 0, -4),
	SR_EXIT(4),
};

static int chase_fd;
static __u64 chase_start, chase_end;
static char node[4096] __attribute__((aligned(4096)));

static void chase_check(__u64 off)
{
	if (off != chase_end) {
		fprintf(stderr, "sysring-bench: chase ended at %llu, not %llu\n",
			(unsigned long long)off, (unsigned long long)chase_end);
		exit(1);
	}
}

static double sr_chase(int batch)
{
	struct sysring_cqe *cqe;
	double t = now_ns();
	int i, lookups = iters / DEPTH;

	(void)batch;
	for (i = 0; i < lookups; i++) {
		struct sysring_sqe *sqe = sr_sqe();
		__u64 regs[5] = { chase_fd, (__u64)(unsigned long)node, 4096,
				  chase_start, DEPTH };

		sysring_prep_insns(sqe, chase_insns, 5);
		sysring_sqe_set_regs(sqe, 1, regs, 5);
		if (sysring_submit_and_wait(&sr, 1) < 0 ||
		    sysring_wait_cqe(&sr, &cqe) < 0)
			die("chase", EIO);
		chase_check(cqe->res);
		sysring_cqe_seen(&sr, cqe);
	}
	return (now_ns() - t) / lookups;
}

static double ur_chase(int batch)
{
	struct io_uring_cqe *cqe;
	double t = now_ns();
	int i, d, lookups = iters / DEPTH;

	(void)batch;
	for (i = 0; i < lookups; i++) {
		__u64 off = chase_start;

		for (d = 0; d < DEPTH; d++) {
			struct io_uring_sqe *sqe = ur_sqe();

			io_uring_prep_read(sqe, 1, node, 4096, off);
			sqe->flags |= IOSQE_FIXED_FILE;
			if (io_uring_submit_and_wait(&ur, 1) < 0 ||
			    io_uring_wait_cqe(&ur, &cqe) < 0 || cqe->res != 4096)
				die("chase", EIO);
			io_uring_cqe_seen(&ur, cqe);
			off = *(__u64 *)node;
		}
		chase_check(off);
	}
	return (now_ns() - t) / lookups;
}

static double sys_chase(int batch)
{
	double t = now_ns();
	int i, d, lookups = iters / DEPTH;

	(void)batch;
	for (i = 0; i < lookups; i++) {
		__u64 off = chase_start;

		for (d = 0; d < DEPTH; d++) {
			if (pread(chase_fd, node, 4096, off) != 4096)
				die("pread", errno);
			off = *(__u64 *)node;
		}
		chase_check(off);
	}
	return (now_ns() - t) / lookups;
}

/*
 * copy: r1..r6 = in fd, buf, CHUNK, offset 0, out fd; loop pread/pwrite
 * until EOF; the result is the offset reached (short write: exits early).
 */
static const struct sysring_insn copy_insns[] = {
	SR_SYS(10, __NR_pread64, 1, 4),
	SR_JMP_K(JEQ, 10, 0, 8),		/* EOF: to 10 */
	SR_MOV(11, 5),
	SR_MOV(12, 2),
	SR_MOV(13, 10),
	SR_MOV(14, 4),
	SR_SYS(15, __NR_pwrite64, 11, 4),
	SR_ADD(4, 15),
	SR_JMP_X(JNE, 15, 10, 1),		/* short write: stop */
	SR_JA(-10),
	SR_EXIT(4),
};

static int copy_in, copy_out, copy_prog;
static char *copy_buf;

static void copy_check(long long done)
{
	if (done != copy_size) {
		fprintf(stderr, "sysring-bench: copied %lld bytes\n", done);
		exit(1);
	}
}

static double sr_copy(int batch)
{
	struct sysring_cqe *cqe;
	struct sysring_sqe *sqe = sr_sqe();
	__u64 regs[5] = { copy_in, (__u64)(unsigned long)copy_buf, CHUNK, 0,
			  copy_out };
	double t = now_ns();

	(void)batch;
	sysring_prep_prog(sqe, copy_prog);
	sysring_sqe_set_regs(sqe, 1, regs, 5);
	sysring_sqe_set_budget(sqe, SYSRING_MAX_BUDGET);
	if (sysring_submit_and_wait(&sr, 1) < 0 || sysring_wait_cqe(&sr, &cqe) < 0)
		die("copy", EIO);
	copy_check(cqe->res);
	sysring_cqe_seen(&sr, cqe);
	return (now_ns() - t) / (copy_size >> 20);
}

/* COPY_PAIRS linked read -> write pairs in flight, registered files 2, 3. */
static double ur_copy(int batch)
{
	struct io_uring_cqe *cqe;
	double t = now_ns();
	long long off, done = 0;
	int i, n;

	(void)batch;
	for (off = 0; off < copy_size; off += (long long)n * CHUNK) {
		n = 0;
		for (i = 0; i < COPY_PAIRS && off + (long long)i * CHUNK < copy_size; i++, n++) {
			struct io_uring_sqe *sqe = ur_sqe();
			char *b = copy_buf + (size_t)i * CHUNK;

			io_uring_prep_read(sqe, 2, b, CHUNK, off + (long long)i * CHUNK);
			sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
			sqe = ur_sqe();
			io_uring_prep_write(sqe, 3, b, CHUNK, off + (long long)i * CHUNK);
			sqe->flags |= IOSQE_FIXED_FILE;
		}
		if (io_uring_submit_and_wait(&ur, 2 * n) < 0)
			die("io_uring copy", EIO);
		for (i = 0; i < 2 * n; i++) {
			if (io_uring_wait_cqe(&ur, &cqe) < 0 || cqe->res != CHUNK)
				die("io_uring copy", EIO);
			io_uring_cqe_seen(&ur, cqe);
			done += i & 1 ? 0 : CHUNK;
		}
	}
	copy_check(done);
	return (now_ns() - t) / (copy_size >> 20);
}

static double sys_copy(int batch)
{
	double t = now_ns();
	long long off;

	(void)batch;
	for (off = 0; off < copy_size; off += CHUNK)
		if (pread(copy_in, copy_buf, CHUNK, off) != CHUNK ||
		    pwrite(copy_out, copy_buf, CHUNK, off) != CHUNK)
			die("copy", errno);
	copy_check(off);
	return (now_ns() - t) / (copy_size >> 20);
}

/* NODES nodes in a shuffled order; a lookup follows DEPTH of them. */
static void setup_chase(void)
{
	char path[80];
	int order[NODES], i, j, tmp;

	for (i = 0; i < NODES; i++)
		order[i] = i;
	srand(1);
	for (i = NODES - 1; i > 0; i--) {
		j = rand() % (i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	snprintf(path, sizeof(path), "%s/chase", dir);
	chase_fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (chase_fd < 0)
		die("chase file", errno);
	for (i = 0; i < NODES; i++) {
		__u64 next = (__u64)order[(i + 1) % NODES] * 4096;

		memset(node, i, sizeof(node));
		memcpy(node, &next, sizeof(next));
		if (pwrite(chase_fd, node, 4096, (off_t)order[i] * 4096) != 4096)
			die("chase file", errno);
	}
	chase_start = (__u64)order[0] * 4096;
	chase_end = (__u64)order[DEPTH % NODES] * 4096;
	unlink(path);
}

static void setup_copy(void)
{
	char path[80];
	long long off;

	copy_buf = aligned_alloc(4096, (size_t)COPY_PAIRS * CHUNK);
	if (!copy_buf)
		die("copy buffer", ENOMEM);
	memset(copy_buf, 0xab, (size_t)COPY_PAIRS * CHUNK);
	snprintf(path, sizeof(path), "%s/copy.in", dir);
	copy_in = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	unlink(path);
	snprintf(path, sizeof(path), "%s/copy.out", dir);
	copy_out = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	unlink(path);
	if (copy_in < 0 || copy_out < 0)
		die("copy files", errno);
	for (off = 0; off < copy_size; off += CHUNK)
		if (pwrite(copy_in, copy_buf, CHUNK, off) != CHUNK)
			die("copy file", errno);
	copy_prog = sysring_register_prog(&sr, copy_insns,
					  sizeof(copy_insns) / sizeof(copy_insns[0]),
					  NULL);
	if (copy_prog < 0)
		die("register copy program", -copy_prog);
}

#define NPAR		64
#define SLEEP_MS	50

static int par_pipes[NPAR][2];
static char par_byte[NPAR];

static void par_release(void)
{
	int i;

	for (i = 0; i < NPAR; i++)
		if (write(par_pipes[i][1], "x", 1) != 1)
			die("pipe write", errno);
}

/* Wait until every reader is parked: a write must find it blocked. */
static void settle(void)
{
	usleep(20000);
}

static double sr_wake(int batch)
{
	double t;
	int i;

	(void)batch;
	for (i = 0; i < NPAR; i++) {
		struct sysring_sqe *sqe = sr_sqe();

		sysring_prep_read(sqe, par_pipes[i][0], &par_byte[i], 1);
		sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	}
	if (sysring_submit(&sr) != NPAR)
		die("submit async", EIO);
	settle();
	t = now_ns();
	par_release();
	for (i = 0; i < NPAR; i++) {
		struct sysring_cqe *cqe;

		if (sysring_wait_cqe(&sr, &cqe) < 0 || cqe->res != 1)
			die("async read", EIO);
		sysring_cqe_seen(&sr, cqe);
	}
	return (now_ns() - t) / NPAR;
}

static double ur_wake(int batch)
{
	double t;
	int i;

	(void)batch;
	for (i = 0; i < NPAR; i++)
		io_uring_prep_read(ur_sqe(), par_pipes[i][0], &par_byte[i], 1, 0);
	if (io_uring_submit(&ur) != NPAR)
		die("io_uring submit", EIO);
	settle();
	t = now_ns();
	par_release();
	ur_run(NPAR);
	return (now_ns() - t) / NPAR;
}

static void *par_reader(void *arg)
{
	int i = (int)(long)arg;

	if (read(par_pipes[i][0], &par_byte[i], 1) != 1)
		die("thread read", errno);
	return NULL;
}

static double sys_wake(int batch)
{
	pthread_t th[NPAR];
	double t;
	int i;

	(void)batch;
	for (i = 0; i < NPAR; i++)
		if (pthread_create(&th[i], NULL, par_reader, (void *)(long)i))
			die("pthread_create", EAGAIN);
	settle();
	t = now_ns();
	par_release();
	for (i = 0; i < NPAR; i++)
		pthread_join(th[i], NULL);
	return (now_ns() - t) / NPAR;
}

static const struct timespec sleep_ts = { .tv_nsec = SLEEP_MS * 1000000L };

static double sr_sleep(int batch)
{
	double t = now_ns();
	int i;

	(void)batch;
	for (i = 0; i < NPAR; i++) {
		struct sysring_sqe *sqe = sr_sqe();

		sysring_prep_syscall(sqe, __NR_nanosleep, 2,
				     (__u64)(unsigned long)&sleep_ts, 0, 0, 0, 0, 0);
		sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	}
	sr_run(NPAR);
	return (now_ns() - t) / 1e6;
}

static double ur_sleep(int batch)
{
	static struct __kernel_timespec kts = { .tv_nsec = SLEEP_MS * 1000000L };
	struct io_uring_cqe *cqe;
	double t = now_ns();
	int i;

	(void)batch;
	for (i = 0; i < NPAR; i++)
		io_uring_prep_timeout(ur_sqe(), &kts, 0, 0);
	if (io_uring_submit_and_wait(&ur, NPAR) < 0)
		die("io_uring timeouts", EIO);
	for (i = 0; i < NPAR; i++) {
		if (io_uring_wait_cqe(&ur, &cqe) < 0 || cqe->res != -ETIME)
			die("io_uring timeout", EIO);
		io_uring_cqe_seen(&ur, cqe);
	}
	return (now_ns() - t) / 1e6;
}

static void *par_sleeper(void *arg)
{
	(void)arg;
	nanosleep(&sleep_ts, NULL);
	return NULL;
}

static double sys_sleep(int batch)
{
	pthread_t th[NPAR];
	double t = now_ns();
	int i;

	(void)batch;
	for (i = 0; i < NPAR; i++)
		if (pthread_create(&th[i], NULL, par_sleeper, NULL))
			die("pthread_create", EAGAIN);
	for (i = 0; i < NPAR; i++)
		pthread_join(th[i], NULL);
	return (now_ns() - t) / 1e6;
}

static void setup_par(void)
{
	int i, ret;

	for (i = 0; i < NPAR; i++)
		if (pipe(par_pipes[i]))
			die("pipe", errno);
	/* One worker per blocked block: none waits behind another. */
	ret = sysring_register_workers(&sr, NPAR);
	if (ret < 0)
		die("sysring_register_workers", -ret);
}

#define MEM_RINGS	64

static long memfree_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

#define NPAR_MEM	256
#define MEM_WORKERS	4

/*
 * KiB per in-flight block: NPAR_MEM blocks blocked reading pipes, on
 * MEM_WORKERS workers (the rest queued), against as many io_uring reads.
 */
static void report_inflight_memory(void)
{
	static int pipes[NPAR_MEM][2];
	static char byte[NPAR_MEM];
	struct sysring ring;
	struct io_uring uring;
	long before, sr_kib, ur_kib;
	int i;

	for (i = 0; i < NPAR_MEM; i++)
		if (pipe(pipes[i]))
			die("pipe", errno);
	if (sysring_queue_init(NPAR_MEM, &ring, 0) < 0 ||
	    sysring_register_workers(&ring, MEM_WORKERS) < 0 ||
	    io_uring_queue_init(NPAR_MEM, &uring, 0) < 0)
		die("rings for the memory figure", EIO);

	before = memfree_kib();
	for (i = 0; i < NPAR_MEM; i++) {
		struct sysring_sqe *sqe = sysring_get_sqe(&ring);

		sysring_prep_read(sqe, pipes[i][0], &byte[i], 1);
		sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	}
	if (sysring_submit(&ring) != NPAR_MEM)
		die("submit", EIO);
	settle();
	sr_kib = before - memfree_kib();

	before = memfree_kib();
	for (i = 0; i < NPAR_MEM; i++)
		io_uring_prep_read(io_uring_get_sqe(&uring), pipes[i][0],
				   &byte[i], 1, 0);
	if (io_uring_submit(&uring) != NPAR_MEM)
		die("io_uring submit", EIO);
	settle();
	ur_kib = before - memfree_kib();

	/* Two bytes per pipe: one for each ring's reader. */
	for (i = 0; i < NPAR_MEM; i++)
		if (write(pipes[i][1], "xy", 2) != 2)
			die("pipe write", errno);
	sysring_queue_exit(&ring);
	io_uring_queue_exit(&uring);
	for (i = 0; i < NPAR_MEM; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	printf("memory per in-flight block (%d blocked, %d workers): sysring %.2f KiB, io_uring %.2f KiB per read\n",
	       NPAR_MEM, MEM_WORKERS, (double)sr_kib / NPAR_MEM,
	       (double)ur_kib / NPAR_MEM);
	if (csv)
		fprintf(csv, "memory-inflight-kib,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,,,\n",
			NPAR_MEM, (double)sr_kib / NPAR_MEM, (double)sr_kib / NPAR_MEM,
			(double)sr_kib / NPAR_MEM, (double)ur_kib / NPAR_MEM,
			(double)ur_kib / NPAR_MEM, (double)ur_kib / NPAR_MEM);
}

/* KiB of memory each ring costs, mappings included, as MemFree sees it. */
static void report_memory(void)
{
	static struct sysring srs[MEM_RINGS];
	static struct io_uring urs[MEM_RINGS];
	long before, sr_kib, ur_kib;
	int i, ret;

	before = memfree_kib();
	for (i = 0; i < MEM_RINGS; i++)
		if ((ret = sysring_queue_init(256, &srs[i], 0)) < 0)
			die("sysring_queue_init", -ret);
	sr_kib = before - memfree_kib();
	for (i = 0; i < MEM_RINGS; i++)
		sysring_queue_exit(&srs[i]);

	before = memfree_kib();
	for (i = 0; i < MEM_RINGS; i++)
		if ((ret = io_uring_queue_init(256, &urs[i], 0)) < 0)
			die("io_uring_queue_init", -ret);
	ur_kib = before - memfree_kib();
	for (i = 0; i < MEM_RINGS; i++)
		io_uring_queue_exit(&urs[i]);

	report_inflight_memory();
	printf("memory per ring of 256 entries: sysring %.1f KiB, io_uring %.1f KiB (%d rings each)\n",
	       (double)sr_kib / MEM_RINGS, (double)ur_kib / MEM_RINGS, MEM_RINGS);
	if (csv)
		fprintf(csv, "memory-kib,256,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,,,\n",
			(double)sr_kib / MEM_RINGS, (double)sr_kib / MEM_RINGS,
			(double)sr_kib / MEM_RINGS, (double)ur_kib / MEM_RINGS,
			(double)ur_kib / MEM_RINGS, (double)ur_kib / MEM_RINGS);
}

static void setup_files(void)
{
	char data[4096];
	int i, fd;

	if (!mkdtemp(dir))
		die("mkdtemp", errno);
	memset(data, 'x', sizeof(data));
	for (i = 0; i < NFILES; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/f%02d", dir, i);
		fd = open(paths[i], O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data))
			die("create", errno);
		close(fd);
	}
	data_fd = open(paths[0], O_RDONLY);
	if (data_fd < 0)
		die("open", errno);
}

static void cleanup_files(void)
{
	int i;

	for (i = 0; i < NFILES; i++)
		unlink(paths[i]);
	rmdir(dir);
}

static void setup_rings(void)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	};
	int ret;

	ret = sysring_queue_init(4 * NFILES, &sr, 0);
	if (ret == -ENOSYS) {
		fprintf(stderr, "sysring-bench: this kernel has no sysring\n");
		exit(77);
	}
	if (ret < 0)
		die("sysring_queue_init", -ret);
	setup_copy();
	chain_prog = sysring_register_prog(&sr, chain_insns,
					   sizeof(chain_insns) / sizeof(chain_insns[0]),
					   NULL);
	if (chain_prog < 0)
		die("sysring_register_prog", -chain_prog);

	ret = io_uring_queue_init_params(4 * NFILES, &ur, &p);
	if (ret < 0)
		die("io_uring_queue_init_params", -ret);
	ret = io_uring_register_files(&ur, (int[]){ data_fd, chase_fd, copy_in,
						     copy_out }, 4);
	if (ret < 0)
		die("io_uring_register_files", -ret);
}

/* The SQPOLL rings of the sqpoll mode, when the kernel has SQPOLL. */
static bool setup_sqpoll(void)
{
	struct sysring_params sp = {
		.flags = SYSRING_SETUP_SQPOLL, .sq_thread_idle = MODE_IDLE_MS,
	};
	struct io_uring_params up = {
		.flags = IORING_SETUP_SQPOLL, .sq_thread_idle = MODE_IDLE_MS,
	};
	int ret;

	if (!(sr.features & SYSRING_FEAT_SQPOLL))
		return false;
	ret = sysring_queue_init_params(64, &sr_sq, &sp);
	if (ret < 0)
		die("sysring_queue_init_params(SQPOLL)", -ret);
	ret = io_uring_queue_init_params(64, &ur_sq, &up);
	if (ret < 0)
		die("io_uring_queue_init_params(SQPOLL)", -ret);
	ret = io_uring_register_files(&ur_sq, &data_fd, 1);
	if (ret < 0)
		die("io_uring_register_files(SQPOLL)", -ret);
	return true;
}

/*
 * Measure with every SQPOLL thread asleep first, so that none polls on a
 * CPU the measured one needs.
 */
static struct figure measure_quiet(double (*fn)(int batch), int batch)
{
	usleep(2 * MODE_IDLE_MS * 1000);
	return measure(fn, batch);
}

/* The sys1 and pread rows in each execution mode the kernel has. */
static void report_modes(void)
{
	static const int mode_batches[] = { 1, 32 };
	bool sqpoll = setup_sqpoll();
	char name[32];
	unsigned int m, b;

	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		mode = &modes[m];
		if ((mode->sr_flags & SYSRING_SQE_ASYNC) &&
		    !(sr.features & SYSRING_FEAT_ASYNC))
			continue;
		if (mode->poll && !sqpoll)
			continue;
		for (b = 0; b < 2; b++) {
			snprintf(name, sizeof(name), "sys1-%s", mode->name);
			report(name, mode_batches[b],
			       measure_quiet(sr_sys1, mode_batches[b]),
			       measure_quiet(ur_sys1, mode_batches[b]),
			       measure_quiet(sys_null, mode_batches[b]));
		}
		for (b = 0; b < 2; b++) {
			snprintf(name, sizeof(name), "pread-%s", mode->name);
			report(name, mode_batches[b],
			       measure_quiet(sr_pread, mode_batches[b]),
			       measure_quiet(ur_pread, mode_batches[b]),
			       measure_quiet(sys_pread, mode_batches[b]));
		}
	}
	mode = &modes[0];
	if (sqpoll) {
		sysring_queue_exit(&sr_sq);
		io_uring_queue_exit(&ur_sq);
	}
}

/* The chain needs NFILES direct slots: re-register a sparse table. */
static void setup_direct_slots(void)
{
	int ret;

	io_uring_unregister_files(&ur);
	ret = io_uring_register_files_sparse(&ur, NFILES);
	if (ret < 0)
		die("io_uring_register_files_sparse", -ret);
}

int main(int argc, char **argv)
{
	int batches[] = { 1, 4, 16, 32, 64 };
	unsigned int b, nb = sizeof(batches) / sizeof(batches[0]);
	bool only_modes = argc > 3 && !strcmp(argv[3], "modes");

	if (argc > 1 && !strcmp(argv[1], "quick")) {
		iters = 64;
		reps = 1;
		copy_size = 4 << 20;
	} else if (argc > 1) {
		iters = atoi(argv[1]);
	}
	if (argc > 2) {
		csv = fopen(argv[2], "w");
		if (!csv)
			die(argv[2], errno);
		fprintf(csv, "workload,batch,sysring_ns,sysring_min,sysring_max,io_uring_ns,io_uring_min,io_uring_max,syscall_ns,syscall_min,syscall_max\n");
	}
	if (iters < 64 || iters % 64)
		iters = 4096;

	setup_files();
	setup_chase();
	setup_rings();

	printf("ns per operation, median of %d runs of %d operations\n",
	       reps, iters);
	printf("(n: batch size; chase: nodes per lookup; copy: KiB per chunk)\n");
	printf("%-12s %5s %10s %10s %10s %8s %8s\n", "work", "n",
	       "sysring", "io_uring", "syscall", "sr/uring", "sr/sys");
	if (only_modes) {
		report_modes();
		goto out;
	}
	for (b = 0; b < nb; b++)
		report("null", batches[b], measure(sr_null, batches[b]),
		       measure(ur_null, batches[b]),
		       measure(sys_null, batches[b]));
	for (b = 0; b < nb; b++)
		report("pread", batches[b], measure(sr_pread, batches[b]),
		       measure(ur_pread, batches[b]),
		       measure(sys_pread, batches[b]));
	for (b = 0; b < nb; b++)
		report("burst", batches[b], measure(sr_burst, batches[b]),
		       measure(ur_burst, batches[b]),
		       measure(sys_burst, batches[b]));
	report("chase", DEPTH, measure(sr_chase, DEPTH),
	       measure(ur_chase, DEPTH), measure(sys_chase, DEPTH));
	report("copy", CHUNK >> 10, measure(sr_copy, 0),
	       measure(ur_copy, 0), measure(sys_copy, 0));
	if (sr.features & SYSRING_FEAT_ASYNC) {
		setup_par();
		report("wake", NPAR, measure(sr_wake, NPAR),
		       measure(ur_wake, NPAR), measure(sys_wake, NPAR));
		report("sleep-ms", NPAR, measure(sr_sleep, NPAR),
		       measure(ur_sleep, NPAR), measure(sys_sleep, NPAR));
	}
	/* Before the chain rows take ur's registered files away. */
	report_modes();
	setup_direct_slots();
	report("chain", 1, measure(sr_chain, 1), measure(ur_chain, 1),
	       measure(sys_chain, 1));
	report("chain", 32, measure(sr_chain, 32), measure(ur_chain, 32),
	       measure(sys_chain, 32));

	report_memory();
out:
	sysring_queue_exit(&sr);
	io_uring_queue_exit(&ur);
	cleanup_files();
	if (csv)
		fclose(csv);
	return 0;
}
