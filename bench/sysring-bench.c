// SPDX-License-Identifier: MIT
/*
 * Description: per-operation cost of sysring against io_uring and plain
 * system calls, measured in one run on one kernel.
 *
 * Workloads (each at the batch sizes it names):
 *   null   an empty block / io_uring NOP / getppid(2)
 *   pread  pread of 4 KiB from the page cache
 *   chain  open -> fstat -> read 4 KiB -> close of small files
 *   burst  64 fstat(2) calls: one looping block vs 64 calls
 *
 * io_uring gets its best honest use: SINGLE_ISSUER | DEFER_TASKRUN,
 * batching, registered files and direct descriptors.  Each figure is the
 * median of REPS repetitions; the spread is min..max.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sysring.h"
#include "sysring_insn.h"

#define REPS		5
#define NFILES		64
#define BURST		64

static int iters = 4096;
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

/* Run @fn REPS times; each run reports its cost per operation in ns. */
static struct figure measure(double (*fn)(int batch), int batch)
{
	double v[REPS];
	struct figure f;
	int i;

	fn(batch);	/* warm up */
	for (i = 0; i < REPS; i++)
		v[i] = fn(batch);
	qsort(v, REPS, sizeof(v[0]), cmp_double);
	f.med = v[REPS / 2];
	f.min = v[0];
	f.max = v[REPS - 1];
	return f;
}

static void report(const char *workload, int batch, struct figure sr,
		   struct figure uring, struct figure sys)
{
	printf("%-6s %5d %10.0f %10.0f %10.0f %8.2f %8.2f\n", workload, batch,
	       sr.med, uring.med, sys.med, sr.med / uring.med,
	       sr.med / sys.med);
	if (csv)
		fprintf(csv, "%s,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n",
			workload, batch, sr.med, sr.min, sr.max, uring.med,
			uring.min, uring.max, sys.med, sys.min, sys.max);
}

static struct sysring sr;
static struct io_uring ur;
static int data_fd;
static int chain_prog;

/* Submit @n prepared SQEs, wait for and check all their completions. */
static void sr_run(unsigned int n)
{
	struct sysring_cqe *cqe;
	unsigned int i;
	int ret;

	ret = sysring_submit_and_wait(&sr, n);
	if (ret < 0)
		die("sysring_submit_and_wait", -ret);
	for (i = 0; i < n; i++) {
		ret = sysring_wait_cqe(&sr, &cqe);
		if (ret < 0)
			die("sysring_wait_cqe", -ret);
		if (cqe->status != SYSRING_STATUS_EXIT || cqe->res < 0) {
			fprintf(stderr, "sysring-bench: block failed: status %u res %lld pc %u\n",
				cqe->status, (long long)cqe->res, cqe->pc);
			exit(1);
		}
		sysring_cqe_seen(&sr, cqe);
	}
}

static void ur_run(unsigned int n)
{
	struct io_uring_cqe *cqe;
	unsigned int i;
	int ret;

	ret = io_uring_submit_and_wait(&ur, n);
	if (ret < 0)
		die("io_uring_submit_and_wait", -ret);
	for (i = 0; i < n; i++) {
		ret = io_uring_wait_cqe(&ur, &cqe);
		if (ret < 0)
			die("io_uring_wait_cqe", -ret);
		if (cqe->res < 0)
			die("io_uring request", -cqe->res);
		io_uring_cqe_seen(&ur, cqe);
	}
}

static struct sysring_sqe *sr_sqe(void)
{
	struct sysring_sqe *sqe = sysring_get_sqe(&sr);

	if (!sqe)
		die("sysring_get_sqe", EBUSY);
	return sqe;
}

static struct io_uring_sqe *ur_sqe(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ur);

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

/* pread: one real system call per operation */
static double sr_pread(int batch)
{
	double t = now_ns();
	int i, j;

	for (i = 0; i < iters; i += batch) {
		for (j = 0; j < batch; j++)
			sysring_prep_pread(sr_sqe(), data_fd, buf[j], 4096, 0);
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
			sqe->flags |= IOSQE_FIXED_FILE;
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

/* burst: BURST fstat calls per block; cost reported per fstat */
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

	(void)batch;
	for (i = 0; i < iters; i += BURST) {
		struct sysring_sqe *sqe = sr_sqe();
		__u64 regs[3] = { data_fd, (__u64)(unsigned long)&stbuf, BURST };

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

	(void)batch;
	for (i = 0; i < iters; i += BURST) {
		for (j = 0; j < BURST; j++)
			io_uring_prep_statx(ur_sqe(), data_fd, "", AT_EMPTY_PATH,
					    STATX_BASIC_STATS, &stx);
		ur_run(BURST);
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
	chain_prog = sysring_register_prog(&sr, chain_insns,
					   sizeof(chain_insns) / sizeof(chain_insns[0]),
					   NULL);
	if (chain_prog < 0)
		die("sysring_register_prog", -chain_prog);

	ret = io_uring_queue_init_params(4 * NFILES, &ur, &p);
	if (ret < 0)
		die("io_uring_queue_init_params", -ret);
	ret = io_uring_register_files(&ur, &data_fd, 1);
	if (ret < 0)
		die("io_uring_register_files", -ret);
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
	int batches[] = { 1, 32 };
	unsigned int b;

	if (argc > 1)
		iters = atoi(argv[1]);
	if (argc > 2) {
		csv = fopen(argv[2], "w");
		if (!csv)
			die(argv[2], errno);
		fprintf(csv, "workload,batch,sysring_ns,sysring_min,sysring_max,io_uring_ns,io_uring_min,io_uring_max,syscall_ns,syscall_min,syscall_max\n");
	}
	if (iters < 64 || iters % 64)
		iters = 4096;

	setup_files();
	setup_rings();

	printf("ns per operation, median of %d runs of %d operations\n",
	       REPS, iters);
	printf("%-6s %5s %10s %10s %10s %8s %8s\n", "work", "batch",
	       "sysring", "io_uring", "syscall", "sr/uring", "sr/sys");
	for (b = 0; b < 2; b++)
		report("null", batches[b], measure(sr_null, batches[b]),
		       measure(ur_null, batches[b]),
		       measure(sys_null, batches[b]));
	for (b = 0; b < 2; b++)
		report("pread", batches[b], measure(sr_pread, batches[b]),
		       measure(ur_pread, batches[b]),
		       measure(sys_pread, batches[b]));
	report("burst", BURST, measure(sr_burst, BURST),
	       measure(ur_burst, BURST), measure(sys_burst, BURST));
	setup_direct_slots();
	for (b = 0; b < 2; b++)
		report("chain", batches[b], measure(sr_chain, batches[b]),
		       measure(ur_chain, batches[b]),
		       measure(sys_chain, batches[b]));

	sysring_queue_exit(&sr);
	io_uring_queue_exit(&ur);
	cleanup_files();
	if (csv)
		fclose(csv);
	return 0;
}
