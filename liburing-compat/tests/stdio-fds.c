/* SPDX-License-Identifier: MIT */
/*
 * Description: the library keeps its own descriptors (its wake-up eventfd,
 * registered files, direct descriptors, a registered eventfd) out of 0..2.
 * With stdin, stdout and stderr closed, setting up a ring, registering a
 * pipe and an eventfd and opening a direct socket leave 0..2 free, as
 * io_uring does: only the ring's own fd, which the program sees, may land
 * there.  A program that then closes or dup2()s over stdio, as a daemon
 * does, cannot take a descriptor from under the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <liburing.h>

static int out = -1;

static int fail(const char *what, int err)
{
	dprintf(out, "stdio-fds: %s: %s\n", what, strerror(err));
	return 1;
}

/* Submit one SQE and return its CQE's res, or -errno from the ring. */
static int run_one(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_submit(ring);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret)
		return ret;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

/* A pipe read through fixed-file slot 0 and a direct socket in slot 1. */
static int use_ring(struct io_uring *ring, int *p)
{
	struct io_uring_sqe *sqe;
	char buf[8] = "";
	int ret;

	if (write(p[1], "sysring", 7) != 7)
		return fail("write", errno);
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_read(sqe, 0, buf, sizeof(buf), 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	ret = run_one(ring);
	if (ret != 7 || memcmp(buf, "sysring", 7))
		return fail("fixed read", ret < 0 ? -ret : EIO);
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_socket_direct(sqe, AF_UNIX, SOCK_STREAM, 0, 1, 0);
	ret = run_one(ring);
	if (ret)
		return fail("direct socket", ret < 0 ? -ret : EIO);
	return 0;
}

int main(void)
{
	struct io_uring ring;
	int p[2], files[2], efd, fd, ret;

	out = dup(2);
	efd = eventfd(0, EFD_CLOEXEC);
	if (out < 0 || efd < 0 || pipe(p))
		return 1;
	close(0);
	close(1);
	close(2);

	ret = io_uring_queue_init(8, &ring, 0);
	if (ret)
		return fail("io_uring_queue_init", -ret);
	files[0] = p[0];
	files[1] = -1;
	ret = io_uring_register_files(&ring, files, 2);
	if (ret)
		return fail("io_uring_register_files", -ret);
	ret = io_uring_register_eventfd(&ring, efd);
	if (ret)
		return fail("io_uring_register_eventfd", -ret);
	if (use_ring(&ring, p))
		return 1;

	for (fd = 0; fd < 3; fd++) {
		if (fd == ring.ring_fd)
			continue;
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) {
			dprintf(out, "stdio-fds: fd %d is open (ring fd %d)\n",
				fd, ring.ring_fd);
			return 1;
		}
	}
	io_uring_queue_exit(&ring);
	return 0;
}
