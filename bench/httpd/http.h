/* SPDX-License-Identifier: MIT */
/*
 * What the two baseline servers of bench/httpd share: request parsing,
 * opening the file under the root, the response header and the listening
 * socket.  They answer as sysring-httpd does (the same statuses, headers
 * and keep-alive rules) so that wrk measures the I/O models, not the
 * amount of HTTP each one speaks.
 */
#ifndef BENCH_HTTP_H
#define BENCH_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define HTTP_REQ_MAX	8192
#define HTTP_HDR_MAX	512
#define HTTP_PATH_MAX	1024

struct http_req {
	size_t	hlen;		/* bytes of the header, blank line included */
	bool	head;
	bool	keep;
	char	path[HTTP_PATH_MAX];	/* relative to the root */
};

/*
 * Parse the request at @buf: its header length when complete, 0 when more
 * is needed, or minus the HTTP status to answer with.
 */
int http_parse(const char *buf, size_t len, struct http_req *r);

/*
 * Open @r's file under @rootfd (openat2, RESOLVE_BENEATH) and fstat it into
 * @st: the descriptor, or minus the HTTP status to answer with.
 */
int http_open(int rootfd, const struct http_req *r, struct stat *st);

/*
 * The response header for @status (with a text body for errors, whose
 * length goes to @body_len): its length in @out.  The connection stays
 * open when @keep.
 */
size_t http_header(char *out, int status, const char *path, off_t size,
		   bool keep, const char **body, size_t *body_len);

/* A listening TCP socket on 127.0.0.1:@port; SO_REUSEPORT when @shared. */
int http_listen(unsigned int port, bool shared);

/* Parse "-p PORT -r ROOT -t THREADS"; exits on a bad command line. */
void http_opts(int argc, char **argv, unsigned int *port, const char **root,
	       unsigned int *threads);

#endif /* BENCH_HTTP_H */
