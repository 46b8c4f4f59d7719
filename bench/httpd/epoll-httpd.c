// SPDX-License-Identifier: MIT
/*
 * Description: the plain epoll baseline of make bench-httpd: THREADS event
 * loops, each with its own SO_REUSEPORT listening socket and epoll set,
 * non-blocking sockets, the header sent with MSG_MORE and the body with
 * sendfile(2), resumed on EPOLLOUT.
 *
 *   epoll-httpd [-p PORT] [-r ROOT] [-t THREADS]
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"

struct conn {
	int	fd;
	int	file;		/* body in progress, or -1 */
	off_t	off, left;
	bool	keep;		/* after this response */
	bool	want_out;	/* registered for EPOLLOUT */
	size_t	have;
	char	buf[HTTP_REQ_MAX];
};

static unsigned int port = 8080, threads = 1;
static const char *root = ".";
static int rootfd;

static void conn_close(struct conn *c)
{
	close(c->fd);
	if (c->file >= 0)
		close(c->file);
	free(c);
}

/* 1: the body is out, 0: the socket is full, -1: the connection failed. */
static int send_body(struct conn *c)
{
	while (c->left > 0) {
		ssize_t n = sendfile(c->fd, c->file, &c->off, c->left);

		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		c->left -= n;
	}
	close(c->file);
	c->file = -1;
	return 1;
}

/* Answer what is buffered: -1 close, 0 wait for input, 1 wait for output. */
static int serve(struct conn *c)
{
	for (;;) {
		char out[HTTP_HDR_MAX + 64];
		struct http_req r;
		const char *body;
		size_t len, blen;
		struct stat st = { 0 };
		int n, fd = -1;

		if (c->file >= 0) {
			n = send_body(c);
			if (n <= 0)
				return n < 0 ? -1 : 1;
			if (!c->keep)
				return -1;
		}
		n = http_parse(c->buf, c->have, &r);
		if (!n)
			return 0;
		if (n > 0)
			fd = http_open(rootfd, &r, &st);
		n = n < 0 ? -n : fd < 0 ? -fd : 200;
		c->keep = r.keep && (n == 200 || n == 403 || n == 404);
		len = http_header(out, n, r.path, st.st_size, c->keep, &body,
				  &blen);
		if (body && !r.head) {
			memcpy(out + len, body, blen);
			len += blen;
		}
		if (send(c->fd, out, len, MSG_NOSIGNAL |
			 (fd >= 0 && !r.head && st.st_size ? MSG_MORE : 0)) !=
		    (ssize_t)len) {
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (n >= 400 && n != 403 && n != 404)
			return -1;
		c->have -= r.hlen;
		memmove(c->buf, c->buf + r.hlen, c->have);
		if (fd >= 0 && !r.head) {
			c->file = fd;
			c->off = 0;
			c->left = st.st_size;
		} else if (fd >= 0) {
			close(fd);
		}
		if (c->file < 0 && !c->keep)
			return -1;
	}
}

static void set_out(int ep, struct conn *c, bool out)
{
	struct epoll_event ev = { .events = out ? EPOLLOUT : EPOLLIN,
				  .data.ptr = c };

	if (c->want_out != out)
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	c->want_out = out;
}

static void on_accept(int ep, int lfd)
{
	int fd, one = 1;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct conn *c = calloc(1, sizeof(*c));
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->file = -1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
}

static void on_conn(int ep, struct conn *c, unsigned int events)
{
	int n;

	if (events & EPOLLIN) {
		ssize_t got = read(c->fd, c->buf + c->have,
				   sizeof(c->buf) - c->have);

		if (got <= 0 && !(got < 0 && errno == EAGAIN)) {
			conn_close(c);
			return;
		}
		if (got > 0)
			c->have += got;
	}
	n = serve(c);
	if (n < 0)
		conn_close(c);
	else
		set_out(ep, c, n);
}

static void *loop(void *arg)
{
	int lfd = http_listen(port, true), ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	struct epoll_event evs[256];

	(void)arg;
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int i, n = epoll_wait(ep, evs, 256, -1);

		for (i = 0; i < n; i++) {
			if (!evs[i].data.ptr)
				on_accept(ep, lfd);
			else
				on_conn(ep, evs[i].data.ptr, evs[i].events);
		}
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
