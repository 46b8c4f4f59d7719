// SPDX-License-Identifier: MIT
/*
 * Description: the io_uring baseline of make bench-httpd (liburing):
 * THREADS rings, each with its own SO_REUSEPORT listening socket; accept,
 * recv and send are io_uring requests, and the body moves file -> pipe ->
 * socket with two IORING_OP_SPLICEs (io_uring has no sendfile).  Files are
 * opened with plain openat2/fstat, as the other servers do.
 *
 *   uring-httpd [-p PORT] [-r ROOT] [-t THREADS]
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"

#define PIPE_SIZE	(1 << 20)

enum op { OP_ACCEPT, OP_RECV, OP_SEND, OP_SPLICE_IN, OP_SPLICE_OUT };

struct conn {
	int	fd;
	int	file;		/* body in progress, or -1 */
	int	pipe[2];
	off_t	off, left;
	size_t	inpipe;		/* spliced in, not yet out */
	bool	keep;		/* after this response */
	size_t	out_len, out_sent;
	char	out[HTTP_HDR_MAX + 64];
	size_t	have;
	char	buf[HTTP_REQ_MAX];
};

static unsigned int port = 8080, threads = 1;
static const char *root = ".";
static int rootfd;

static struct io_uring_sqe *sqe_get(struct io_uring *ring)
{
	struct io_uring_sqe *sqe;

	while (!(sqe = io_uring_get_sqe(ring)))
		io_uring_submit(ring);
	return sqe;
}

/* user_data: the connection's address with the operation in its low bits. */
static void set_op(struct io_uring_sqe *sqe, struct conn *c, enum op op)
{
	io_uring_sqe_set_data64(sqe, (__u64)(uintptr_t)c | op);
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	if (c->file >= 0)
		close(c->file);
	close(c->pipe[0]);
	close(c->pipe[1]);
	free(c);
}

static void arm_recv(struct io_uring *ring, struct conn *c)
{
	struct io_uring_sqe *sqe = sqe_get(ring);

	io_uring_prep_recv(sqe, c->fd, c->buf + c->have,
			   sizeof(c->buf) - c->have, 0);
	set_op(sqe, c, OP_RECV);
}

static void arm_send(struct io_uring *ring, struct conn *c)
{
	struct io_uring_sqe *sqe = sqe_get(ring);

	io_uring_prep_send(sqe, c->fd, c->out + c->out_sent,
			   c->out_len - c->out_sent,
			   MSG_NOSIGNAL | (c->file >= 0 && c->left ? MSG_MORE : 0));
	set_op(sqe, c, OP_SEND);
}

static void arm_splice(struct io_uring *ring, struct conn *c)
{
	struct io_uring_sqe *sqe = sqe_get(ring);

	if (c->inpipe) {
		io_uring_prep_splice(sqe, c->pipe[0], -1, c->fd, -1, c->inpipe, 0);
		set_op(sqe, c, OP_SPLICE_OUT);
	} else {
		io_uring_prep_splice(sqe, c->file, c->off, c->pipe[1], -1,
				     c->left < PIPE_SIZE ? c->left : PIPE_SIZE, 0);
		set_op(sqe, c, OP_SPLICE_IN);
	}
}

/* Start the answer to a buffered request; false: close the connection. */
static bool answer(struct io_uring *ring, struct conn *c)
{
	struct http_req r;
	struct stat st = { 0 };
	const char *body;
	size_t blen;
	int n, fd = -1;

	n = http_parse(c->buf, c->have, &r);
	if (!n) {
		arm_recv(ring, c);
		return true;
	}
	if (n > 0)
		fd = http_open(rootfd, &r, &st);
	n = n < 0 ? -n : fd < 0 ? -fd : 200;
	c->keep = r.keep && (n == 200 || n == 403 || n == 404);
	c->out_len = http_header(c->out, n, r.path, st.st_size, c->keep, &body,
				 &blen);
	if (body && !r.head) {
		memcpy(c->out + c->out_len, body, blen);
		c->out_len += blen;
	}
	c->out_sent = 0;
	if (n >= 400 && n != 403 && n != 404)
		c->have = 0;
	else
		c->have -= r.hlen;
	memmove(c->buf, c->buf + r.hlen, c->have);
	c->file = -1;
	if (fd >= 0 && !r.head && st.st_size) {
		c->file = fd;
		c->off = 0;
		c->left = st.st_size;
	} else if (fd >= 0) {
		close(fd);
	}
	arm_send(ring, c);
	return true;
}

/* The response is out: the next request, or the end. */
static bool done(struct io_uring *ring, struct conn *c)
{
	if (c->file >= 0) {
		close(c->file);
		c->file = -1;
	}
	return c->keep && answer(ring, c);
}

static bool on_cqe(struct io_uring *ring, struct conn *c, enum op op, int res)
{
	switch (op) {
	case OP_RECV:
		if (res <= 0)
			return false;
		c->have += res;
		return answer(ring, c);
	case OP_SEND:
		if (res <= 0)
			return false;
		c->out_sent += res;
		if (c->out_sent < c->out_len)
			arm_send(ring, c);
		else if (c->file >= 0)
			arm_splice(ring, c);
		else
			return done(ring, c);
		return true;
	case OP_SPLICE_IN:
		if (res <= 0)
			return false;
		c->inpipe = res;
		c->off += res;
		c->left -= res;
		arm_splice(ring, c);
		return true;
	default:	/* OP_SPLICE_OUT */
		if (res <= 0)
			return false;
		c->inpipe -= res;
		if (c->inpipe || c->left)
			arm_splice(ring, c);
		else
			return done(ring, c);
		return true;
	}
}

static void arm_accept(struct io_uring *ring, int lfd)
{
	struct io_uring_sqe *sqe = sqe_get(ring);

	io_uring_prep_accept(sqe, lfd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, OP_ACCEPT);
}

static void on_accept(struct io_uring *ring, int lfd, int fd)
{
	struct conn *c;
	int one = 1;

	arm_accept(ring, lfd);
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c || pipe2(c->pipe, O_CLOEXEC)) {
		free(c);
		close(fd);
		return;
	}
	fcntl(c->pipe[1], F_SETPIPE_SZ, PIPE_SIZE);
	c->fd = fd;
	c->file = -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	arm_recv(ring, c);
}

static void *loop(void *arg)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	};
	int lfd = http_listen(port, true);
	struct io_uring ring;

	(void)arg;
	if (io_uring_queue_init_params(1024, &ring, &p) &&
	    io_uring_queue_init(1024, &ring, 0)) {
		fprintf(stderr, "uring-httpd: no io_uring\n");
		exit(1);
	}
	arm_accept(&ring, lfd);
	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;

		io_uring_submit_and_wait(&ring, 1);
		io_uring_for_each_cqe(&ring, head, cqe) {
			__u64 d = io_uring_cqe_get_data64(cqe);
			struct conn *c = (struct conn *)(uintptr_t)(d & ~7ULL);

			n++;
			if (d == OP_ACCEPT)
				on_accept(&ring, lfd, cqe->res);
			else if (!on_cqe(&ring, c, d & 7, cqe->res))
				conn_close(c);
		}
		io_uring_cq_advance(&ring, n);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	unsigned int i;

	http_opts(argc, argv, &port, &root, &threads);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		perror(root);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < threads; i++)
		pthread_create(&t, NULL, loop, NULL);
	loop(NULL);
	return 0;
}
