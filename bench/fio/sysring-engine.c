// SPDX-License-Identifier: GPL-2.0
/*
 * fio I/O engine for sysring: each io_u is one block on the submission
 * ring, its user_data the io_u, and its completion a CQE.
 *
 * Built against fio's own source (config-host.h and the headers of the fio
 * release the distribution ships) and loaded with
 * ioengine=external:/path/to/sysring-fio.so.  See bench/fio/README.md.
 *
 *   mode=inline   blocks run in sysring_enter, in the submitting thread
 *   mode=worker   blocks carry SYSRING_SQE_ASYNC and run on ring workers
 *   mode=sqpoll   the ring's SQPOLL thread consumes the SQ and runs the
 *                 blocks: submitting is a store of the SQ tail
 *   workers=N     the ring's worker limit (sysring_register_workers)
 *   backend=      kernel (default) or user: libsysring's SYSRING_BACKEND
 *   program=1     reads run a registered program: pread, then check fio's
 *                 verify header (magic and offset) in the kernel
 *
 * sysring has no registered-file table: a file descriptor is an ordinary
 * register value of the SYS instruction, so there is nothing to register.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/falloc.h>

#include "fio.h"
#include "optgroup.h"
#include "verify.h"

#include <sysring.h>
#include <sysring_insn.h>

enum sysring_fio_mode { SR_MODE_INLINE, SR_MODE_WORKER, SR_MODE_SQPOLL };
enum sysring_fio_backend { SR_BACKEND_KERNEL, SR_BACKEND_USER };

/* What the verify program leaves in r0 when the header does not match. */
#define SR_PROG_MISMATCH	(-EILSEQ)
/* Registers of the verify program, also snapshotted in its CQEs. */
#define SR_PROG_MAGIC_REG	5
#define SR_PROG_OFFSET_REG	7
#define SR_PROG_SNAP_REGS	8

struct sysring_fio_options {
	void *pad;		/* fio takes an option at offset 0 as unset */
	unsigned int mode;
	unsigned int workers;
	unsigned int backend;
	unsigned int program;
};

/* A reaped completion: copied out so the CQ slot is freed at once. */
struct sysring_fio_event {
	struct io_u *io_u;
	long long res;
	unsigned int status;
	unsigned long long magic;	/* program mode: what the block read */
	unsigned long long offset;
};

struct sysring_fio_data {
	struct sysring ring;
	struct sysring_fio_event *events;
	struct io_u **pending;	/* queued, not yet submitted */
	unsigned int queued;
	unsigned int inflight;	/* submitted, CQE not reaped */
	unsigned int depth;
	unsigned int sqe_flags;
	unsigned int prog;
	bool sqpoll;
	bool trim_ok;
	bool reported_mismatch;
};

static struct fio_option options[] = {
	{
		.name	= "mode",
		.lname	= "sysring execution mode",
		.type	= FIO_OPT_STR,
		.off1	= offsetof(struct sysring_fio_options, mode),
		.help	= "Where blocks run",
		.def	= "inline",
		.posval = {
			  { .ival = "inline",
			    .oval = SR_MODE_INLINE,
			    .help = "In sysring_enter, in the submitting thread",
			  },
			  { .ival = "worker",
			    .oval = SR_MODE_WORKER,
			    .help = "On the ring's worker threads (SYSRING_SQE_ASYNC)",
			  },
			  { .ival = "sqpoll",
			    .oval = SR_MODE_SQPOLL,
			    .help = "On the ring's SQPOLL thread (SYSRING_SETUP_SQPOLL)",
			  },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "workers",
		.lname	= "sysring worker limit",
		.type	= FIO_OPT_INT,
		.off1	= offsetof(struct sysring_fio_options, workers),
		.help	= "Worker threads of the ring (mode=worker; 0: the default)",
		.def	= "0",
		.minval	= 0,
		.maxval	= SYSRING_MAX_WORKERS,
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "backend",
		.lname	= "sysring backend",
		.type	= FIO_OPT_STR,
		.off1	= offsetof(struct sysring_fio_options, backend),
		.help	= "The kernel's sysring or libsysring's userspace backend",
		.def	= "kernel",
		.posval = {
			  { .ival = "kernel",
			    .oval = SR_BACKEND_KERNEL,
			    .help = "sysring system calls (a sysring kernel)",
			  },
			  { .ival = "user",
			    .oval = SR_BACKEND_USER,
			    .help = "libsysring's userspace backend",
			  },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "program",
		.lname	= "sysring verify program",
		.type	= FIO_OPT_BOOL,
		.off1	= offsetof(struct sysring_fio_options, program),
		.help	= "Reads check fio's verify header in the block",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= NULL,
	},
};

/*
 * The read program.  In: r1 fd, r2 buffer, r3 length, r4 offset.  A failed
 * pread ends the block with its -errno; a short read exits with its count
 * for fio to requeue the rest; a full one must start with a verify header
 * whose magic is FIO_HDR_MAGIC and whose offset is the one read, else the
 * block exits with SR_PROG_MISMATCH and what it found in r5 and r7.
 */
static int sysring_fio_register_prog(struct sysring_fio_data *sd)
{
	const struct sysring_insn prog[] = {
		/* 0 */ SR_SYS(0, __NR_pread64, 1, 4),
		/* 1 */ SR_JMP_X(JNE, 0, 3, 5),		/* short: to 7 */
		/* 2 */ SR_LD(SYSRING_MEM_H, SR_PROG_MAGIC_REG, 2,
			      offsetof(struct verify_header, magic)),
		/* 3 */ SR_MOV_K(6, FIO_HDR_MAGIC),
		/* 4 */ SR_JMP_X(JNE, SR_PROG_MAGIC_REG, 6, 3),	/* to 8 */
		/* 5 */ SR_LD(SYSRING_MEM_DW, SR_PROG_OFFSET_REG, 2,
			      offsetof(struct verify_header, offset)),
		/* 6 */ SR_JMP_X(JNE, SR_PROG_OFFSET_REG, 4, 1),	/* to 8 */
		/* 7 */ SR_EXIT(0),
		/* 8 */ SR_MOV_K(0, SR_PROG_MISMATCH),
		/* 9 */ SR_EXIT(0),
	};
	struct sysring_prog_reg reg;
	int ret;

	ret = sysring_register_prog(&sd->ring, prog, FIO_ARRAY_SIZE(prog), &reg);
	if (ret < 0) {
		log_err("sysring: registering the verify program failed: %s (checker reason %u at %u)\n",
			strerror(-ret), reg.reason, reg.pc);
		return ret;
	}
	sd->prog = ret;
	return 0;
}

static int sysring_fio_check_options(struct thread_data *td,
				     const struct sysring_fio_options *o)
{
	if (td->o.iodepth > SYSRING_MAX_ENTRIES) {
		log_err("sysring: iodepth=%u is more than a ring holds (%u)\n",
			td->o.iodepth, SYSRING_MAX_ENTRIES);
		return -EINVAL;
	}
	if (o->workers && o->mode != SR_MODE_WORKER) {
		log_err("sysring: workers=%u needs mode=worker\n", o->workers);
		return -EINVAL;
	}
	if (o->program && !td_read(td) && td->o.verify == VERIFY_NONE) {
		log_err("sysring: program=1 checks reads, and this job does none\n");
		return -EINVAL;
	}
	return 0;
}

static int sysring_fio_setup_ring(struct sysring_fio_data *sd,
				  const struct sysring_fio_options *o)
{
	struct sysring_params p = { 0 };
	struct sysring_probe probe;
	int ret;

	/* libsysring picks its backend at setup from the environment. */
	setenv("SYSRING_BACKEND",
	       o->backend == SR_BACKEND_USER ? "user" : "kernel", 1);
	if (o->program)
		p.snap_regs = SR_PROG_SNAP_REGS;
	if (o->mode == SR_MODE_SQPOLL)
		p.flags |= SYSRING_SETUP_SQPOLL;
	ret = sysring_queue_init_params(sd->depth, &sd->ring, &p);
	if (ret == -ENOSYS) {
		log_err("sysring: this kernel has no sysring (sysring_setup: ENOSYS); boot the sysring kernel or use backend=user\n");
		return ret;
	}
	if (ret == -EINVAL && o->mode == SR_MODE_SQPOLL) {
		log_err("sysring: mode=sqpoll: this sysring has no SYSRING_SETUP_SQPOLL\n");
		return ret;
	}
	if (ret < 0) {
		log_err("sysring: sysring_setup(%u entries): %s\n", sd->depth,
			strerror(-ret));
		return ret;
	}
	sd->sqpoll = o->mode == SR_MODE_SQPOLL;
	if (o->mode == SR_MODE_WORKER) {
		if (!(p.features & SYSRING_FEAT_ASYNC)) {
			log_err("sysring: mode=worker: this sysring has no worker threads\n");
			return -EOPNOTSUPP;
		}
		sd->sqe_flags = SYSRING_SQE_ASYNC;
		if (o->workers) {
			ret = sysring_register_workers(&sd->ring, o->workers);
			if (ret < 0) {
				log_err("sysring: workers=%u: %s\n",
					o->workers, strerror(-ret));
				return ret;
			}
		}
	}
	ret = sysring_probe(&sd->ring, &probe);
	if (ret < 0) {
		log_err("sysring: probe: %s\n", strerror(-ret));
		return ret;
	}
	sd->trim_ok = sysring_syscall_supported(&probe, __NR_fallocate);
	if (o->program)
		return sysring_fio_register_prog(sd);
	return 0;
}

static void sysring_fio_cleanup(struct thread_data *td)
{
	struct sysring_fio_data *sd = td->io_ops_data;

	if (!sd)
		return;
	if (sd->ring.ring_ptr)
		sysring_queue_exit(&sd->ring);
	free(sd->events);
	free(sd->pending);
	free(sd);
	td->io_ops_data = NULL;
}

static int sysring_fio_init(struct thread_data *td)
{
	struct sysring_fio_options *o = td->eo;
	struct sysring_fio_data *sd;
	int ret;

	ret = sysring_fio_check_options(td, o);
	if (ret)
		return 1;
	sd = calloc(1, sizeof(*sd));
	if (!sd)
		return 1;
	td->io_ops_data = sd;
	sd->depth = td->o.iodepth ? td->o.iodepth : 1;
	sd->events = calloc(sd->depth, sizeof(*sd->events));
	sd->pending = calloc(sd->depth, sizeof(*sd->pending));
	if (!sd->events || !sd->pending) {
		sysring_fio_cleanup(td);
		return 1;
	}
	ret = sysring_fio_setup_ring(sd, o);
	if (ret) {
		td_verror(td, -ret, "sysring_setup");
		sysring_fio_cleanup(td);
		return 1;
	}
	return 0;
}

/* The system call for a sync io_u, like fio's do_io_u_sync(). */
static void sysring_fio_prep_sync(struct thread_data *td,
				  struct sysring_sqe *sqe, struct io_u *io_u)
{
	struct fio_file *f = io_u->file;

	switch (io_u->ddir) {
	case DDIR_DATASYNC:
		sysring_prep_syscall(sqe, __NR_fdatasync, 1, f->fd,
				     0, 0, 0, 0, 0);
		break;
	case DDIR_SYNC_FILE_RANGE:
		sysring_prep_syscall(sqe, __NR_sync_file_range, 4, f->fd,
				     f->first_write,
				     f->last_write - f->first_write + td->o.min_bs[DDIR_WRITE],
				     td->o.sync_file_range, 0, 0);
		break;
	default:
		sysring_prep_syscall(sqe, __NR_fsync, 1, f->fd, 0, 0, 0, 0, 0);
		break;
	}
	/* A sync covers the writes before it: let them finish first. */
	sysring_sqe_set_flags(sqe, SYSRING_SQE_DRAIN);
}

static void sysring_fio_prep_read(struct sysring_fio_data *sd,
				  const struct sysring_fio_options *o,
				  struct sysring_sqe *sqe, struct io_u *io_u)
{
	const __u64 args[4] = { io_u->file->fd,
				(uintptr_t)io_u->xfer_buf,
				io_u->xfer_buflen, io_u->offset };

	if (!o->program) {
		sysring_prep_pread(sqe, io_u->file->fd, io_u->xfer_buf,
				   io_u->xfer_buflen, io_u->offset);
		return;
	}
	sysring_prep_prog(sqe, sd->prog);
	sysring_sqe_set_regs(sqe, 1, args, 4);
	sysring_sqe_set_snap(sqe, 0);
}

static enum fio_q_status sysring_fio_queue(struct thread_data *td,
					   struct io_u *io_u)
{
	struct sysring_fio_data *sd = td->io_ops_data;
	struct sysring_fio_options *o = td->eo;
	struct fio_file *f = io_u->file;
	struct sysring_sqe *sqe;

	fio_ro_check(td, io_u);
	if (sd->queued + sd->inflight >= sd->depth)
		return FIO_Q_BUSY;
	if (io_u->ddir == DDIR_TRIM && !sd->trim_ok) {
		io_u->error = EOPNOTSUPP;
		io_u_mark_submit(td, 1);
		io_u_mark_complete(td, 1);
		return FIO_Q_COMPLETED;
	}
	sqe = sysring_get_sqe(&sd->ring);
	if (!sqe)
		return FIO_Q_BUSY;
	switch (io_u->ddir) {
	case DDIR_READ:
		sysring_fio_prep_read(sd, o, sqe, io_u);
		break;
	case DDIR_WRITE:
		sysring_prep_pwrite(sqe, f->fd, io_u->xfer_buf,
				    io_u->xfer_buflen, io_u->offset);
		break;
	case DDIR_TRIM:
		sysring_prep_syscall(sqe, __NR_fallocate, 4, f->fd,
				     FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				     io_u->offset, io_u->xfer_buflen, 0, 0);
		break;
	default:
		sysring_fio_prep_sync(td, sqe, io_u);
		break;
	}
	sysring_sqe_set_flags(sqe, sqe->flags | sd->sqe_flags);
	sysring_sqe_set_data64(sqe, (uintptr_t)io_u);
	sd->pending[sd->queued++] = io_u;
	return FIO_Q_QUEUED;
}

/*
 * Issue time is taken before sysring_enter: inline blocks do their I/O
 * inside that call, so completion latency covers it.
 */
static void sysring_fio_issued(struct thread_data *td,
			       struct sysring_fio_data *sd, unsigned int nr)
{
	struct timespec now;
	unsigned int i;

	if (!fio_fill_issue_time(td))
		return;
	fio_gettime(&now, NULL);
	for (i = 0; i < nr; i++) {
		memcpy(&sd->pending[i]->issue_time, &now, sizeof(now));
		io_u_queued(td, sd->pending[i]);
	}
	if (td->o.read_iolog_file)
		memcpy(&td->last_issue, &now, sizeof(now));
}

static int sysring_fio_commit(struct thread_data *td)
{
	struct sysring_fio_data *sd = td->io_ops_data;
	int ret;

	if (!sd->queued)
		return 0;
	sysring_fio_issued(td, sd, sd->queued);
	/*
	 * The CQ has room for every block in flight (depth <= SQ entries <
	 * CQ entries), so the kernel takes the whole SQ; it may stop early
	 * only for a signal.  Under SQPOLL the thread takes it: publishing
	 * the tail (and waking the thread if it sleeps) is the submission.
	 */
	do {
		ret = sysring_submit(&sd->ring);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
			td_verror(td, -ret, "sysring_enter");
			return ret;
		}
	} while (!sd->sqpoll && sysring_sq_ready(&sd->ring));
	io_u_mark_submit(td, sd->queued);
	sd->inflight += sd->queued;
	sd->queued = 0;
	return 0;
}

/* Copy up to @max CQEs into sd->events from @events on; free their slots. */
static unsigned int sysring_fio_reap(struct sysring_fio_data *sd,
				     unsigned int events, unsigned int max)
{
	struct sysring *ring = &sd->ring;
	unsigned int n = 0, head = *ring->cq.khead;
	unsigned int tail = sysring_smp_load_acquire(ring->cq.ktail);

	while (head != tail && events + n < max) {
		const struct sysring_cqe *cqe = sysring_cqe_at(ring, head++);
		struct sysring_fio_event *ev = &sd->events[events + n++];
		__u64 v;

		ev->io_u = (struct io_u *)(uintptr_t)cqe->user_data;
		ev->res = cqe->res;
		ev->status = cqe->status;
		ev->magic = sysring_cqe_reg(cqe, SR_PROG_MAGIC_REG, &v) ? 0 : v;
		ev->offset = sysring_cqe_reg(cqe, SR_PROG_OFFSET_REG, &v) ? 0 : v;
	}
	sysring_cq_advance(ring, n);
	sd->inflight -= n;
	return n;
}

static int sysring_fio_getevents(struct thread_data *td, unsigned int min,
				 unsigned int max, const struct timespec *t)
{
	struct sysring_fio_data *sd = td->io_ops_data;
	unsigned int events = 0, want;
	int ret;

	(void)t;
	if (max > sd->depth)
		max = sd->depth;
	if (min > max)
		min = max;
	for (;;) {
		events += sysring_fio_reap(sd, events, max);
		if (events >= min || events >= max)
			break;
		if (sd->queued) {
			ret = sysring_fio_commit(td);
			if (ret)
				return ret;
			continue;
		}
		want = min - events;
		if (want > sd->inflight)
			want = sd->inflight;
		if (!want)
			break;
		ret = sysring_submit_and_wait(&sd->ring, want);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
			td_verror(td, -ret, "sysring_enter wait");
			return ret;
		}
	}
	return events;
}

static void sysring_fio_report_mismatch(struct sysring_fio_data *sd,
					const struct sysring_fio_event *ev)
{
	if (sd->reported_mismatch)
		return;
	sd->reported_mismatch = true;
	log_err("sysring: program: bad verify header at offset %llu: magic 0x%llx (want 0x%x), offset %llu\n",
		(unsigned long long)ev->io_u->offset, ev->magic,
		FIO_HDR_MAGIC, ev->offset);
}

static struct io_u *sysring_fio_event(struct thread_data *td, int event)
{
	struct sysring_fio_data *sd = td->io_ops_data;
	struct sysring_fio_event *ev = &sd->events[event];
	struct io_u *io_u = ev->io_u;

	io_u->error = 0;
	if (ev->status != SYSRING_STATUS_EXIT &&
	    ev->status != SYSRING_STATUS_ERROR) {
		/* Fault, budget, canceled or rejected: never a short count. */
		io_u->error = ev->res < 0 ? -ev->res : EIO;
	} else if (ev->res < 0) {
		io_u->error = -ev->res;
		if (ev->res == SR_PROG_MISMATCH && io_u->ddir == DDIR_READ &&
		    ev->status == SYSRING_STATUS_EXIT)
			sysring_fio_report_mismatch(sd, ev);
	} else if (ddir_rw(io_u->ddir) &&
		   (unsigned long long)ev->res != io_u->xfer_buflen) {
		if ((unsigned long long)ev->res > io_u->xfer_buflen)
			io_u->error = EIO;
		else
			io_u->resid = io_u->xfer_buflen - ev->res;
	}
	return io_u;
}

struct ioengine_ops ioengine = {
	.name			= "sysring",
	.version		= FIO_IOOPS_VERSION,
	.flags			= FIO_ASYNCIO_SETS_ISSUE_TIME,
	.init			= sysring_fio_init,
	.queue			= sysring_fio_queue,
	.commit			= sysring_fio_commit,
	.getevents		= sysring_fio_getevents,
	.event			= sysring_fio_event,
	.cleanup		= sysring_fio_cleanup,
	.open_file		= generic_open_file,
	.close_file		= generic_close_file,
	.get_file_size		= generic_get_file_size,
	.options		= options,
	.option_struct_size	= sizeof(struct sysring_fio_options),
};
