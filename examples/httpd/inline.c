// SPDX-License-Identifier: MIT
/*
 * sysring-httpd's inline mode (-m inline): an event loop per worker, each
 * with its own SO_REUSEPORT listening socket, epoll set and ring.  C
 * accepts and waits for readiness; for every connection epoll finds ready
 * it queues the same connection program (httpd.sr) as an inline block, and
 * one sysring_enter(2) runs them all: read, parse, open, fstat, header,
 * sendfile, close, and the next pipelined request.  On these non-blocking
 * sockets the program exits where it would wait (HTTPD_EXIT_WAIT_IN or
 * _OUT) and C waits with epoll.  Timeouts are C's: a sweep every tick
 * closes connections idle, in their header or stalled past their limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

#define LOOP_EVENTS	128	/* per epoll_wait: at most that many blocks */
#define LOOP_ENTRIES	256	/* SQ: the events and what their CQEs queue */
#define LOOP_TICK_MS	200	/* the stop flag, the sweep, the Date line */

struct conn {
	struct httpd_slot	s;	/* first: what the program sees */
	struct conn		*prev, *next;
	uint64_t		deadline;	/* ms: closed past it */
	bool			out;		/* epoll waits for EPOLLOUT */
	bool			in_header;	/* a partial header is buffered */
	unsigned long		id;
};

struct loop {
	const struct httpd_opts	*o;
	struct httpd_const	*c;
	struct sysring		ring;
	int			prog, ep, lfd;
	struct conn		conns;		/* list head */
	unsigned long		next_id;
	uint64_t		stop_deadline;	/* 0: not stopping */
	struct httpd_stats	st;
	pthread_t		thread;
	int			ret;
	bool			clock;		/* keeps the Date line */
};

static void conn_free(struct loop *l, struct conn *c, const char *how)
{
	httpd_log_conn(l->o, &l->st, &c->s, c->id, how);
	httpd_close_fd(&c->s.file);
	httpd_close_fd(&c->s.conn);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	free(c);
}

static void queue(struct loop *l, struct conn *c, unsigned int entry)
{
	struct sysring_sqe *sqe = sysring_get_sqe(&l->ring);

	/* LOOP_ENTRIES covers a batch and what its completions queue. */
	if (!sqe) {
		conn_free(l, c, "no SQE");
		return;
	}
	httpd_prep_block(sqe, l->prog, &c->s, entry);
	sysring_sqe_set_data64(sqe, httpd_ptr(c));
}

static void want(struct loop *l, struct conn *c, bool out)
{
	struct epoll_event ev = { .events = out ? EPOLLOUT : EPOLLIN,
				  .data.ptr = c };

	if (c->out != out)
		epoll_ctl(l->ep, EPOLL_CTL_MOD, c->s.conn, &ev);
	c->out = out;
}

static void on_cqe(struct loop *l, const struct sysring_cqe *cqe)
{
	struct conn *c = (struct conn *)(uintptr_t)cqe->user_data;
	uint64_t now = httpd_now_ms();

	if (cqe->status != SYSRING_STATUS_EXIT) {
		fprintf(stderr, "sysring-httpd: block stopped: status %u res "
			"%lld pc %u\n", cqe->status, (long long)cqe->res,
			cqe->pc);
		l->st.aborted++;
		conn_free(l, c, "aborted");
		return;
	}
	switch (cqe->res) {
	case HTTPD_EXIT_WAIT_IN:
		want(l, c, false);
		if (!c->s.have) {
			c->in_header = false;
			c->deadline = now + l->o->idle_s * 1000ULL;
		} else if (!c->in_header) {
			c->in_header = true;
			c->deadline = now + l->o->header_s * 1000ULL;
		}
		break;
	case HTTPD_EXIT_WAIT_OUT:
		want(l, c, true);
		c->deadline = now + l->o->send_s * 1000ULL;
		break;
	case HTTPD_EXIT_CLOSED:
		/* The program closed it, which took it out of the epoll set. */
		c->s.conn = -1;
		l->st.conns++;
		conn_free(l, c, "closed");
		break;
	case HTTPD_EXIT_CONTINUE:
		queue(l, c, HTTPD_ENTRY_NEXT);
		break;
	case HTTPD_EXIT_FALLBACK:
		l->st.fallbacks++;
		queue(l, c, httpd_decode_target(&c->s));
		break;
	default:
		conn_free(l, c, "unexpected exit");
	}
}

/* Run what is queued, and what the completions queue, until nothing is. */
static int run(struct loop *l)
{
	struct sysring_cqe *cqe;
	int ret;

	while (sysring_sq_ready(&l->ring)) {
		ret = sysring_submit(&l->ring);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "sysring-httpd: submit: %s\n",
				strerror(-ret));
			return ret;
		}
		/* Inline blocks have completed when sysring_enter returns. */
		while (sysring_peek_cqe(&l->ring, &cqe) == 0) {
			struct sysring_cqe copy = *cqe;

			sysring_cqe_seen(&l->ring, cqe);
			on_cqe(l, &copy);
		}
	}
	return 0;
}

static void on_accept(struct loop *l)
{
	int fd, one = 1;

	while ((fd = accept4(l->lfd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct conn *c = calloc(1, sizeof(*c));
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

		if (!c) {
			close(fd);
			continue;
		}
		c->s.cnst = httpd_ptr(l->c);
		c->s.conn = fd;
		c->s.file = -1;
		c->id = l->next_id++;
		c->deadline = httpd_now_ms() + l->o->idle_s * 1000ULL;
		c->next = l->conns.next;
		c->prev = &l->conns;
		c->next->prev = c;
		l->conns.next = c;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
	}
}

/*
 * Each tick: close what is past its deadline; once stopping, stop
 * accepting, close what waits for a request at once and the rest at the
 * end of the grace period.  True when the loop is done.
 */
static bool sweep(struct loop *l)
{
	uint64_t now = httpd_now_ms();
	struct conn *c, *next;

	if (httpd_signal && !l->stop_deadline) {
		l->stop_deadline = now + l->o->grace_s * 1000ULL;
		close(l->lfd);
		l->lfd = -1;
	}
	for (c = l->conns.next; c != &l->conns; c = next) {
		next = c->next;
		if (now >= c->deadline)
			conn_free(l, c, "timed out");
		else if (l->stop_deadline && (!c->out || now >= l->stop_deadline))
			conn_free(l, c, "stopped");
	}
	return l->stop_deadline && l->conns.next == &l->conns;
}

static void *loop_run(void *arg)
{
	struct loop *l = arg;
	struct epoll_event evs[LOOP_EVENTS];
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	uint64_t next_tick = 0;
	int i, n;

	epoll_ctl(l->ep, EPOLL_CTL_ADD, l->lfd, &ev);
	for (;;) {
		n = epoll_wait(l->ep, evs, LOOP_EVENTS, LOOP_TICK_MS);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (!c)
				on_accept(l);
			else
				queue(l, c, c->out ? HTTPD_ENTRY_BODY :
						     HTTPD_ENTRY_READY);
		}
		l->ret = run(l);
		if (l->ret)
			break;
		if (httpd_now_ms() >= next_tick || httpd_signal) {
			next_tick = httpd_now_ms() + LOOP_TICK_MS;
			if (l->clock)
				httpd_date_tick(l->c);
			if (sweep(l))
				break;
		}
	}
	return NULL;
}

static int loop_init(struct loop *l, const struct httpd_opts *o,
		     struct httpd_const *c)
{
	int ret;

	l->o = o;
	l->c = c;
	l->conns.next = l->conns.prev = &l->conns;
	l->lfd = httpd_listen(o, true);
	if (l->lfd < 0)
		return -1;
	fcntl(l->lfd, F_SETFL, O_NONBLOCK);
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	ret = sysring_queue_init(LOOP_ENTRIES, &l->ring, 0);
	if (ret < 0) {
		fprintf(stderr, "sysring-httpd: sysring_queue_init: %s\n",
			strerror(-ret));
		return ret;
	}
	l->prog = httpd_load_prog(&l->ring);
	return l->prog < 0 ? l->prog : 0;
}

int httpd_serve_inline(const struct httpd_opts *o, struct httpd_const *c,
		       struct httpd_stats *st)
{
	struct loop *loops = calloc(o->workers, sizeof(*loops));
	sigset_t block, old;
	unsigned int i;
	int ret = 0;

	if (!loops)
		return 1;
	for (i = 0; i < o->workers; i++)
		if (loop_init(&loops[i], o, c))
			return 1;
	loops[0].clock = true;
	fprintf(stderr, "sysring-httpd: listening on %s:%u, root %s, %u event "
		"loops, mode inline, %s backend\n", o->addr, o->port, o->root,
		o->workers, loops[0].ring.features & SYSRING_FEAT_USER_BACKEND ?
		"user" : "kernel");
	/* The signals go to this thread; the others see the flag. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 1; i < o->workers; i++)
		pthread_create(&loops[i].thread, NULL, loop_run, &loops[i]);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	loop_run(&loops[0]);
	for (i = 0; i < o->workers; i++) {
		if (i)
			pthread_join(loops[i].thread, NULL);
		ret |= loops[i].ret;
		st->conns += loops[i].st.conns;
		st->reqs += loops[i].st.reqs;
		st->bytes += loops[i].st.bytes;
		st->fallbacks += loops[i].st.fallbacks;
		st->aborted += loops[i].st.aborted;
		sysring_queue_exit(&loops[i].ring);
	}
	return ret ? 1 : 0;
}
