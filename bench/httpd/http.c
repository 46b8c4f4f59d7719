// SPDX-License-Identifier: MIT
/*
 * HTTP/1.x for the baseline servers (see http.h): GET and HEAD of static
 * files, keep-alive by the version and the Connection header.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

static const struct {
	const char *ext, *type;
} http_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "css", "text/css" },
	{ "js", "text/javascript" },
	{ "json", "application/json" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
};

static const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	default: return "Internal Server Error";
	}
}

/* The value of header @name (with its colon), or NULL. */
static const char *http_field(const char *hdr, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *p = hdr, *end = hdr + len;

	while ((p = memmem(p, end - p, "\r\n", 2)) && end - p > (long)n + 2) {
		p += 2;
		if (!strncasecmp(p, name, n)) {
			p += n;
			while (*p == ' ' || *p == '\t')
				p++;
			return p;
		}
	}
	return NULL;
}

int http_parse(const char *buf, size_t len, struct http_req *r)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	const char *sp, *target, *eol, *v;
	size_t tlen;

	if (!end)
		return len >= HTTP_REQ_MAX ?
			(memmem(buf, len, "\r\n", 2) ? -431 : -414) : 0;
	r->hlen = end + 4 - buf;
	eol = memmem(buf, r->hlen, "\r\n", 2);
	if (!strncmp(buf, "GET ", 4))
		r->head = false;
	else if (!strncmp(buf, "HEAD ", 5))
		r->head = true;
	else
		return -405;
	target = buf + (r->head ? 5 : 4);
	sp = memchr(target, ' ', eol - target);
	if (!sp || *target != '/' || eol - sp != 9 ||
	    strncmp(sp + 1, "HTTP/1.", 7) || (sp[8] != '0' && sp[8] != '1'))
		return -400;
	r->keep = sp[8] == '1';
	v = http_field(buf, r->hlen, "Connection:");
	if (v && (*v | 0x20) == 'c')
		r->keep = false;
	else if (v && (*v | 0x20) == 'k')
		r->keep = true;
	tlen = sp - target;
	if (memchr(target, '?', tlen))
		tlen = (const char *)memchr(target, '?', tlen) - target;
	if (tlen + 11 > HTTP_PATH_MAX)
		return -414;
	memcpy(r->path, target + 1, tlen - 1);
	r->path[tlen - 1] = 0;
	if (tlen == 1 || r->path[tlen - 2] == '/')
		strcat(r->path, "index.html");
	return r->hlen;
}

int http_open(int rootfd, const struct http_req *r, struct stat *st)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = syscall(SYS_openat2, rootfd, r->path, &how, sizeof(how));

	if (fd < 0)
		return errno == EACCES ? -403 : errno == EMFILE ? -500 : -404;
	if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
		close(fd);
		return -403;
	}
	return fd;
}

static const char *http_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	for (i = 0; dot && i < sizeof(http_types) / sizeof(http_types[0]); i++)
		if (!strcasecmp(dot + 1, http_types[i].ext))
			return http_types[i].type;
	return "application/octet-stream";
}

/* This second's IMF-fixdate, formatted once a second by each thread. */
static const char *http_date(void)
{
	static __thread char date[32];
	static __thread time_t last = -1;
	time_t now = time(NULL);
	struct tm tm;

	if (now != last) {
		last = now;
		gmtime_r(&now, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	}
	return date;
}

size_t http_header(char *out, int status, const char *path, off_t size,
		   bool keep, const char **body, size_t *body_len)
{
	static __thread char text[64];
	const char *type = "text/plain";

	*body = NULL;
	*body_len = 0;
	if (status == 200) {
		type = http_type(path);
	} else {
		*body_len = snprintf(text, sizeof(text), "%s\n",
				     http_reason(status));
		*body = text;
		size = *body_len;
	}
	return snprintf(out, HTTP_HDR_MAX, "HTTP/1.1 %d %s\r\n"
			"Server: bench\r\nContent-Type: %s\r\n"
			"Content-Length: %lld\r\nDate: %s\r\n"
			"Connection: %s\r\n\r\n",
			status, http_reason(status), type, (long long)size,
			http_date(), keep ? "keep-alive" : "close");
}

int http_listen(unsigned int port, bool shared)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (shared && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
				  sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, SOMAXCONN)) {
		perror("listen");
		exit(1);
	}
	return fd;
}

void http_opts(int argc, char **argv, unsigned int *port, const char **root,
	       unsigned int *threads)
{
	int opt;

	while ((opt = getopt(argc, argv, "p:r:t:")) != -1) {
		switch (opt) {
		case 'p': *port = atoi(optarg); break;
		case 'r': *root = optarg; break;
		case 't': *threads = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-p PORT] [-r ROOT] "
				"[-t THREADS]\n", argv[0]);
			exit(2);
		}
	}
	if (!*threads || *threads > 64) {
		fprintf(stderr, "%s: 1 to 64 threads\n", argv[0]);
		exit(2);
	}
}
