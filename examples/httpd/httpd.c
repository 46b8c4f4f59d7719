// SPDX-License-Identifier: MIT
/*
 * Description: sysring-httpd, a static HTTP/1.1 server whose connections
 * run in the kernel: each connection is one sysring block (httpd.sr) on a
 * ring worker that accepts, reads, parses, opens, sends the header and
 * moves the body with XFER, request after request.  This file sets up the
 * listening socket, the shared memory and the ring, keeps one block in
 * flight per slot (modes conn and request), logs, percent-decodes the
 * targets the program hands back, and shuts down cleanly on SIGINT or
 * SIGTERM.  The inline mode is in inline.c.
 *
 *   sysring-httpd [-a ADDR] [-p PORT] [-r DOCROOT] [-w WORKERS] [-m MODE]
 *                 [-i IDLE_S] [-t HEADER_S] [-s SEND_S] [-g GRACE_S] [-v]
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define HTTPD_MAX_SLOTS		SYSRING_MAX_WORKERS
#define HTTPD_BACKOFF_MS	100	/* after accept ran out of descriptors */
#define HTTPD_TIMEOUT_MAX_S	60	/* SYSRING_TIMEOUT_MAX_NS */
#define HTTPD_REQS_PER_BLOCK	10000	/* well inside the budget */

/* The assembled httpd.sr (httpd-prog.S). */
extern const struct sysring_insn httpd_prog[], httpd_prog_end[];

static const struct {
	const char *ext;
	const char *type;
} httpd_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "css", "text/css" },
	{ "js", "text/javascript" },
	{ "mjs", "text/javascript" },
	{ "json", "application/json" },
	{ "xml", "application/xml" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/x-icon" },
	{ "wasm", "application/wasm" },
	{ "pdf", "application/pdf" },
	{ "gz", "application/gzip" },
	{ "mp4", "video/mp4" },
	{ "woff2", "font/woff2" },
	{ "bin", "application/octet-stream" },
};
/* Some slots stay empty: a lookup ends at one at the latest. */
_Static_assert(sizeof(httpd_types) / sizeof(httpd_types[0]) <=
	       HTTPD_MIME_SLOTS / 2, "MIME table load");

/* Status line and headers up to the Content-Length value; then a body. */
static const struct {
	unsigned int idx, code, keep;
	const char *hdr, *body;
} httpd_canned[] = {
	{ HTTPD_R_400, 400, 0, "HTTP/1.1 400 Bad Request", "Bad Request\n" },
	{ HTTPD_R_403, 403, 1, "HTTP/1.1 403 Forbidden", "Forbidden\n" },
	{ HTTPD_R_404, 404, 1, "HTTP/1.1 404 Not Found", "Not Found\n" },
	{ HTTPD_R_405, 405, 0,
	  "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD",
	  "Method Not Allowed\n" },
	{ HTTPD_R_414, 414, 0, "HTTP/1.1 414 URI Too Long", "URI Too Long\n" },
	{ HTTPD_R_431, 431, 0,
	  "HTTP/1.1 431 Request Header Fields Too Large",
	  "Request Header Fields Too Large\n" },
	{ HTTPD_R_500, 500, 0, "HTTP/1.1 500 Internal Server Error",
	  "Internal Server Error\n" },
};

/* The async modes: one block in flight per slot, on the ring's workers. */
struct httpd {
	struct httpd_opts	o;
	struct sysring		ring;
	int			prog;
	struct httpd_const	*c;
	struct httpd_slot	*slots;
	uint64_t		*resume_at;	/* ms; 0: in flight or idle */
	unsigned int		inflight;
	bool			stopping, canceled;
	uint64_t		stop_deadline;
	struct httpd_stats	st;
};

volatile sig_atomic_t httpd_signal;

static void httpd_on_signal(int sig)
{
	httpd_signal = sig;
}

uint64_t httpd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The MIME key of an extension: its bytes, little endian, lower case. */
static uint64_t mime_key(const char *ext)
{
	uint64_t key = 0;
	size_t i, n = strlen(ext);

	for (i = 0; i < n && i < 7; i++)
		key |= (uint64_t)(unsigned char)(ext[i] | 0x20) << (8 * i);
	return key;
}

/*
 * A 200's header up to the Content-Length value, for one type: with the
 * value's 20 digits at most, it fits before HS_HDR_MID.
 */
static struct httpd_mime mime_entry(uint64_t key, const char *type)
{
	char *hdr;
	int len = asprintf(&hdr, "HTTP/1.1 200 OK\r\nServer: sysring-httpd\r\n"
			   "Content-Type: %s\r\nContent-Length: ", type);

	if (len < 0 || len + 20 > HTTPD_HDR_PREFIX) {
		fprintf(stderr, "sysring-httpd: no header for type %s\n", type);
		exit(1);
	}
	return (struct httpd_mime){ .key = key, .ptr = httpd_ptr(hdr),
				    .len = len };
}

/* Where httpd.sr looks the key up first, and goes on if it is taken. */
static void mime_add(struct httpd_const *c, const char *ext, const char *type)
{
	uint64_t key = mime_key(ext);
	unsigned int i = (key * HTTPD_MIME_MULT) >> HTTPD_MIME_SHR;

	while (c->mime[i].key)
		i = (i + 1) & HTTPD_MIME_MASK;
	c->mime[i] = mime_entry(key, type);
}

/*
 * RFC 9110 section 6.6.1: a Date field in every answer.  It goes out in
 * front of the Connection line, so the program spends no instruction on
 * it: C writes the second's two lines into the next of HTTPD_DATE_SLOTS
 * buffers, then publishes them.  The release store orders the bytes before
 * the pointer; a block that loaded the old pointer copies a buffer that is
 * only rewritten HTTPD_DATE_SLOTS - 1 seconds later.  The lines' lengths
 * never change: fill_const() sets them once.  strftime() runs in the C
 * locale: the names are English.
 */
void httpd_date_tick(struct httpd_const *c)
{
	struct httpd_date *d = &c->date;
	time_t now = time(NULL);
	unsigned int i = (unsigned int)now % HTTPD_DATE_SLOTS;
	char date[32];
	struct tm tm;

	if (now == d->sec)
		return;
	d->sec = now;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	snprintf(d->ka[i], HTTPD_DATE_LINE,
		 "\r\nDate: %s\r\nConnection: keep-alive\r\n\r\n", date);
	snprintf(d->close[i], HTTPD_DATE_LINE,
		 "\r\nDate: %s\r\nConnection: close\r\n\r\n", date);
	__atomic_store_n(&c->ka.ptr, httpd_ptr(d->ka[i]), __ATOMIC_RELEASE);
	__atomic_store_n(&c->close.ptr, httpd_ptr(d->close[i]),
			 __ATOMIC_RELEASE);
}

static void fill_const(struct httpd_const *c, const struct httpd_opts *o,
		       int lfd, int rootfd)
{
	size_t i;

	c->listen = lfd;
	c->root = rootfd;
	c->idle_ns = o->idle_s * NSEC_PER_SEC;
	c->hdr_ns = o->header_s * NSEC_PER_SEC;
	c->maxreq = o->mode == HTTPD_MODE_REQUEST ? 1 : HTTPD_REQS_PER_BLOCK;
	c->tv.tv_sec = o->send_s;
	c->rtv.tv_sec = HTTPD_SLICE_NS / NSEC_PER_SEC;
	c->inline_mode = o->mode == HTTPD_MODE_INLINE;
	c->one = 1;
	c->how.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
	c->how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	memcpy(c->crlf2, "\r\n\r\n", 4);
	memcpy(c->crlf, "\r\n", 2);
	c->space[0] = ' ';
	c->pct[0] = '%';
	c->query[0] = '?';
	memcpy(c->index, "index.html", 11);
	memcpy(c->conn, "onnection:", 10);
	c->date.sec = -1;
	httpd_date_tick(c);
	c->ka.len = strlen((const char *)(uintptr_t)c->ka.ptr);
	c->close.len = strlen((const char *)(uintptr_t)c->close.ptr);

	for (i = 0; i < sizeof(httpd_canned) / sizeof(httpd_canned[0]); i++) {
		struct httpd_resp *r = &c->resp[httpd_canned[i].idx];
		char *hdr;

		if (asprintf(&hdr, "%s\r\nServer: sysring-httpd\r\n"
			     "Content-Type: text/plain\r\nContent-Length: %zu",
			     httpd_canned[i].hdr,
			     strlen(httpd_canned[i].body)) < 0) {
			perror("sysring-httpd: asprintf");
			exit(1);
		}
		r->hdr = httpd_ptr(hdr);
		r->hdr_len = strlen(hdr);
		r->body = httpd_ptr(httpd_canned[i].body);
		r->body_len = strlen(httpd_canned[i].body);
		r->code = httpd_canned[i].code;
		r->keep = httpd_canned[i].keep;
	}
	c->mime[0] = mime_entry(0, "application/octet-stream");
	for (i = 1; i < HTTPD_MIME_SLOTS; i++)
		c->mime[i] = c->mime[0];
	for (i = 0; i < sizeof(httpd_types) / sizeof(httpd_types[0]); i++)
		mime_add(c, httpd_types[i].ext, httpd_types[i].type);
}

int httpd_listen(const struct httpd_opts *o, bool shared)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(o->port) };
	int fd, one = 1;

	if (inet_pton(AF_INET, o->addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "sysring-httpd: bad address %s\n", o->addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (shared && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
				  sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, SOMAXCONN)) {
		fprintf(stderr, "sysring-httpd: %s:%u: %s\n", o->addr, o->port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int httpd_load_prog(struct sysring *ring)
{
	struct sysring_prog_reg reg;
	int ret = sysring_register_prog(ring, httpd_prog,
					httpd_prog_end - httpd_prog, &reg);

	if (ret < 0)
		fprintf(stderr, "sysring-httpd: program refused: %s (reason %u "
			"at %u)\n", strerror(-ret), reg.reason, reg.pc);
	return ret;
}

/*
 * The program found a '%' in the target: decode it into the path (without
 * its leading '/', with index.html for a directory) and return the entry to
 * go on with: the path, or a 400 for a bad or NUL escape.
 */
unsigned int httpd_decode_target(struct httpd_slot *s)
{
	const char *t = s->req + s->toff;
	size_t i, o = 0;

	for (i = 1; i < s->tlen; i++) {
		unsigned int c = (unsigned char)t[i];

		if (c == '%') {
			char hex[3] = { 0 };

			if (i + 2 >= s->tlen)
				goto bad;
			hex[0] = t[i + 1];
			hex[1] = t[i + 2];
			if (!isxdigit((unsigned char)hex[0]) ||
			    !isxdigit((unsigned char)hex[1]))
				goto bad;
			c = strtoul(hex, NULL, 16);
			if (!c)
				goto bad;
			i += 2;
		}
		s->path[o++] = c;
	}
	s->path[o] = 0;
	if (!o || s->path[o - 1] == '/') {
		memcpy(s->path + o, "index.html", 11);
		s->flags |= HTTPD_F_INDEX;
	}
	return HTTPD_ENTRY_PATH;
bad:
	s->error = HTTPD_R_400;
	return HTTPD_ENTRY_ERROR;
}

void httpd_close_fd(int64_t *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void httpd_log_conn(const struct httpd_opts *o, struct httpd_stats *st,
		    const struct httpd_slot *s, unsigned long id, const char *how)
{
	st->reqs += s->nreq;
	st->bytes += s->bytes;
	if (o->verbose)
		fprintf(stderr, "slot %lu: %s: %llu requests, %llu bytes, "
			"last status %llu\n", id, how,
			(unsigned long long)s->nreq,
			(unsigned long long)s->bytes,
			(unsigned long long)s->status);
}

/* The connection program at @entry for @s, its registers as httpd.sr says. */
void httpd_prep_block(struct sysring_sqe *sqe, int prog,
		      const struct httpd_slot *s, unsigned int entry)
{
	const __u64 regs[6] = { httpd_ptr(s), entry, s->cnst, s->conn,
				httpd_ptr(s->req), s->have };

	sysring_prep_prog(sqe, prog);
	sysring_sqe_set_regs(sqe, 1, regs, 6);
	sysring_sqe_set_budget(sqe, SYSRING_MAX_BUDGET);
}

static void submit_slot(struct httpd *h, unsigned int i, unsigned int entry)
{
	struct httpd_slot *s = &h->slots[i];
	struct sysring_sqe *sqe;

	if (entry == HTTPD_ENTRY_ACCEPT) {
		s->conn = -1;
		s->file = -1;
	}
	while (!(sqe = sysring_get_sqe(&h->ring)))
		sysring_submit(&h->ring);
	httpd_prep_block(sqe, h->prog, s, entry);
	sysring_sqe_set_data64(sqe, i);
	sysring_sqe_set_flags(sqe, SYSRING_SQE_ASYNC);
	h->resume_at[i] = 0;
	h->inflight++;
}

/* Keep the slot busy: accept again, unless the server is stopping. */
static void next_conn(struct httpd *h, unsigned int i)
{
	if (!h->stopping)
		submit_slot(h, i, HTTPD_ENTRY_ACCEPT);
}

/* A block that did not exit: the slot's descriptors are C's to close. */
static void on_abort(struct httpd *h, unsigned int i,
		     const struct sysring_cqe *cqe)
{
	struct httpd_slot *s = &h->slots[i];

	if (s->conn < 0) {
		/* accept4 failed: the socket was shut down, or no fds. */
		if (h->stopping)
			return;
		if (cqe->res == -EMFILE || cqe->res == -ENFILE ||
		    cqe->res == -ENOBUFS || cqe->res == -ENOMEM) {
			h->resume_at[i] = httpd_now_ms() + HTTPD_BACKOFF_MS;
			return;
		}
		if (cqe->res == -EINVAL) {
			fprintf(stderr, "sysring-httpd: accept: %s\n",
				strerror(EINVAL));
			return;
		}
		next_conn(h, i);
		return;
	}
	if (!h->stopping || cqe->status != SYSRING_STATUS_CANCELED)
		fprintf(stderr, "sysring-httpd: slot %u: block stopped: "
			"status %u res %lld pc %u\n", i, cqe->status,
			(long long)cqe->res, cqe->pc);
	httpd_log_conn(&h->o, &h->st, s, i, "aborted");
	httpd_close_fd(&s->file);
	httpd_close_fd(&s->conn);
	h->st.aborted++;
	next_conn(h, i);
}

static void on_cqe(struct httpd *h, const struct sysring_cqe *cqe)
{
	unsigned int i = cqe->user_data;
	struct httpd_slot *s = &h->slots[i];

	h->inflight--;
	if (cqe->status != SYSRING_STATUS_EXIT) {
		on_abort(h, i, cqe);
		return;
	}
	switch (cqe->res) {
	case HTTPD_EXIT_CLOSED:
		h->st.conns++;
		httpd_log_conn(&h->o, &h->st, s, i, "closed");
		next_conn(h, i);
		break;
	case HTTPD_EXIT_CONTINUE:
		if (h->o.mode == HTTPD_MODE_REQUEST && h->o.verbose)
			fprintf(stderr, "slot %u: request %llu: status %llu, "
				"%u instructions\n", i,
				(unsigned long long)s->nreq,
				(unsigned long long)s->status, cqe->insns);
		submit_slot(h, i, HTTPD_ENTRY_NEXT);
		break;
	case HTTPD_EXIT_FALLBACK:
		h->st.fallbacks++;
		submit_slot(h, i, httpd_decode_target(s));
		break;
	default:
		fprintf(stderr, "sysring-httpd: slot %u: unexpected exit %lld\n",
			i, (long long)cqe->res);
		httpd_close_fd(&s->file);
		httpd_close_fd(&s->conn);
		next_conn(h, i);
	}
}

/*
 * Stop accepting (shutting the listening socket down wakes every block in
 * accept4), let blocks finish the request they are in (they look at the
 * stop flag before waiting for another), and cancel what is left after the
 * grace period.
 */
static void begin_stop(struct httpd *h)
{
	h->stopping = true;
	__atomic_store_n(&h->c->stop, 1, __ATOMIC_RELEASE);
	shutdown(h->c->listen, SHUT_RD);
	h->stop_deadline = httpd_now_ms() + h->o.grace_s * 1000ULL;
	fprintf(stderr, "sysring-httpd: stopping (%u blocks in flight)\n",
		h->inflight);
}

static void tick(struct httpd *h)
{
	uint64_t now = httpd_now_ms();
	unsigned int i;

	httpd_date_tick(h->c);
	if (httpd_signal && !h->stopping)
		begin_stop(h);
	if (h->stopping && !h->canceled && now >= h->stop_deadline) {
		int n = sysring_register_cancel(&h->ring, 0, SYSRING_CANCEL_ANY |
						SYSRING_CANCEL_ALL);

		fprintf(stderr, "sysring-httpd: grace period over, %d blocks "
			"canceled\n", n < 0 ? 0 : n);
		h->canceled = true;
	}
	for (i = 0; i < h->o.workers; i++) {
		if (h->resume_at[i] && now >= h->resume_at[i]) {
			h->resume_at[i] = 0;
			next_conn(h, i);
		}
	}
}

static int serve_async(struct httpd *h)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	struct sysring_cqe *cqe;
	unsigned int i;
	int ret;

	for (i = 0; i < h->o.workers; i++)
		submit_slot(h, i, HTTPD_ENTRY_ACCEPT);
	for (;;) {
		ret = sysring_submit(&h->ring);
		if (ret < 0 && ret != -EBUSY && ret != -EINTR) {
			fprintf(stderr, "sysring-httpd: submit: %s\n",
				strerror(-ret));
			return 1;
		}
		if (h->stopping && !h->inflight)
			return 0;
		ret = sysring_wait_cqe_timeout(&h->ring, &cqe, &ts);
		if (ret < 0 && ret != -ETIME && ret != -EINTR) {
			fprintf(stderr, "sysring-httpd: wait: %s\n",
				strerror(-ret));
			return 1;
		}
		while (sysring_peek_cqe(&h->ring, &cqe) == 0) {
			struct sysring_cqe copy = *cqe;

			sysring_cqe_seen(&h->ring, cqe);
			on_cqe(h, &copy);
		}
		tick(h);
	}
}

/* The ring (max_workers = slots), the program and the slots. */
static int setup_async(struct httpd *h)
{
	struct sysring_params p = { .max_workers = h->o.workers };
	unsigned int entries = 1, i;
	int ret;

	h->c->listen = httpd_listen(&h->o, false);
	if (h->c->listen < 0)
		return -1;
	/* Every slot holds a CQ slot while its block runs. */
	while (entries < h->o.workers)
		entries <<= 1;
	ret = sysring_queue_init_params(entries, &h->ring, &p);
	if (ret < 0) {
		fprintf(stderr, "sysring-httpd: sysring_queue_init: %s\n",
			strerror(-ret));
		return ret;
	}
	h->prog = httpd_load_prog(&h->ring);
	if (h->prog < 0)
		return h->prog;
	h->slots = calloc(h->o.workers, sizeof(*h->slots));
	h->resume_at = calloc(h->o.workers, sizeof(*h->resume_at));
	if (!h->slots || !h->resume_at) {
		fprintf(stderr, "sysring-httpd: out of memory\n");
		return -ENOMEM;
	}
	for (i = 0; i < h->o.workers; i++)
		h->slots[i].cnst = httpd_ptr(h->c);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sysring-httpd [-a ADDR] [-p PORT] [-r DOCROOT] [-w WORKERS]\n"
		"                     [-m conn|request|inline] [-i IDLE_S]\n"
		"                     [-t HEADER_S] [-s SEND_S] [-g GRACE_S] [-v]\n");
	exit(2);
}

static unsigned int num(const char *s, unsigned int lo, unsigned int hi)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v < lo || v > hi) {
		fprintf(stderr, "sysring-httpd: %s: not a number from %u to %u\n",
			s, lo, hi);
		exit(2);
	}
	return v;
}

static void parse_opts(struct httpd_opts *o, int argc, char **argv)
{
	static const char *const modes[] = { "conn", "request", "inline" };
	unsigned int m;
	int opt;

	*o = (struct httpd_opts){ .addr = "127.0.0.1", .port = 8080,
				  .root = ".", .idle_s = 15, .header_s = 10,
				  .send_s = 30, .grace_s = 5 };
	while ((opt = getopt(argc, argv, "a:p:r:w:m:i:t:s:g:vh")) != -1) {
		switch (opt) {
		case 'a': o->addr = optarg; break;
		case 'p': o->port = num(optarg, 0, 65535); break;
		case 'r': o->root = optarg; break;
		case 'w': o->workers = num(optarg, 1, HTTPD_MAX_SLOTS); break;
		case 'm':
			for (m = 0; m < 3 && strcmp(optarg, modes[m]); m++)
				;
			if (m == 3)
				usage();
			o->mode = m;
			break;
		case 'i': o->idle_s = num(optarg, 1, 3600); break;
		case 't': o->header_s = num(optarg, 1, HTTPD_TIMEOUT_MAX_S); break;
		case 's': o->send_s = num(optarg, 1, 3600); break;
		case 'g': o->grace_s = num(optarg, 0, 3600); break;
		case 'v': o->verbose = true; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	/* A slot per connection; inline: an event loop per CPU. */
	if (!o->workers)
		o->workers = o->mode == HTTPD_MODE_INLINE ?
			     sysconf(_SC_NPROCESSORS_ONLN) : 64;
	if (o->mode == HTTPD_MODE_INLINE && o->workers > 64)
		o->workers = 64;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = httpd_on_signal };
	static struct httpd h;
	int rootfd, ret;

	parse_opts(&h.o, argc, argv);
	/* A client gone away is an error on the send, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rootfd = open(h.o.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	h.c = calloc(1, sizeof(*h.c));
	if (rootfd < 0 || !h.c) {
		fprintf(stderr, "sysring-httpd: %s: %s\n", h.o.root,
			strerror(errno));
		return 1;
	}
	fill_const(h.c, &h.o, -1, rootfd);
	if (h.o.mode == HTTPD_MODE_INLINE) {
		ret = httpd_serve_inline(&h.o, h.c, &h.st);
	} else {
		if (setup_async(&h))
			return 1;
		fprintf(stderr, "sysring-httpd: listening on %s:%u, root %s, "
			"%u slots, mode %s, %s backend\n", h.o.addr, h.o.port,
			h.o.root, h.o.workers,
			h.o.mode == HTTPD_MODE_REQUEST ? "request" : "conn",
			h.ring.features & SYSRING_FEAT_USER_BACKEND ?
			"user" : "kernel");
		ret = serve_async(&h);
		sysring_queue_exit(&h.ring);
	}
	fprintf(stderr, "sysring-httpd: stopped: %llu connections, %llu "
		"requests, %llu bytes, %llu decoded in C, %llu aborted\n",
		(unsigned long long)h.st.conns, (unsigned long long)h.st.reqs,
		(unsigned long long)h.st.bytes,
		(unsigned long long)h.st.fallbacks,
		(unsigned long long)h.st.aborted);
	return ret;
}
