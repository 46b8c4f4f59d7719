/* SPDX-License-Identifier: MIT */
/*
 * sysring-httpd's C side: the structures httpd.sr sees (their offsets are
 * asserted against httpd.h), the options, and what the two execution
 * modes share.
 */
#ifndef SYSRING_HTTPD_SERVER_H
#define SYSRING_HTTPD_SERVER_H

#include <linux/openat2.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "sysring.h"
#include "httpd.h"

#define NSEC_PER_SEC		1000000000ULL

struct httpd_slot {
	uint64_t	cnst;
	int64_t		conn;
	int64_t		file;
	uint64_t	have;
	uint64_t	hlen;
	uint64_t	flags;
	uint64_t	status;
	uint64_t	nreq;
	uint64_t	bytes;
	uint64_t	toff;
	uint64_t	tlen;
	uint64_t	error;
	struct timespec	ts;
	struct stat	st;
	uint64_t	left;
	char		hdr[HTTPD_HDR_MAX];
	char		path[HTTPD_PATH_MAX];
	char		req[HTTPD_REQ_MAX];
};

struct httpd_resp {
	uint64_t	hdr;
	uint64_t	hdr_len;
	uint64_t	body;
	uint64_t	body_len;
	uint32_t	code;
	uint32_t	keep;
};

struct httpd_mime {
	uint64_t	key;
	uint64_t	ptr;
	uint64_t	len;
	uint64_t	pad;
};

struct httpd_str {
	uint64_t	ptr;
	uint64_t	len;
};

/*
 * The Date field goes out in front of the Connection line, so ka and close
 * point at one of these buffers: see httpd_date_tick().
 */
#define HTTPD_DATE_SLOTS	4
#define HTTPD_DATE_LINE		80
struct httpd_date {
	int64_t		sec;		/* the second the newest slot holds */
	char		ka[HTTPD_DATE_SLOTS][HTTPD_DATE_LINE];
	char		close[HTTPD_DATE_SLOTS][HTTPD_DATE_LINE];
};

struct httpd_const {
	int64_t			listen;
	int64_t			root;
	uint64_t		stop;
	uint64_t		idle_ns;
	uint64_t		hdr_ns;
	uint64_t		maxreq;
	struct timeval		tv;
	int32_t			one;
	int32_t			pad;
	struct open_how		how;
	char			crlf2[8];
	char			crlf[8];
	char			space[8];
	char			pct[8];
	char			query[8];
	char			index[16];
	char			conn[16];
	struct httpd_str	ka;
	struct httpd_str	close;
	struct httpd_resp	resp[HTTPD_R_COUNT];
	struct timeval		rtv;
	uint64_t		inline_mode;
	struct httpd_mime	mime[HTTPD_MIME_SLOTS];
	struct httpd_date	date;		/* C's alone: past HC_SIZE */
};

/* httpd.sr knows these layouts by number only. */
#define HTTPD_AT(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field)
HTTPD_AT(httpd_slot, cnst, HS_CONST);
HTTPD_AT(httpd_slot, conn, HS_CONN);
HTTPD_AT(httpd_slot, file, HS_FILE);
HTTPD_AT(httpd_slot, have, HS_HAVE);
HTTPD_AT(httpd_slot, hlen, HS_HLEN);
HTTPD_AT(httpd_slot, flags, HS_FLAGS);
HTTPD_AT(httpd_slot, status, HS_STATUS);
HTTPD_AT(httpd_slot, nreq, HS_NREQ);
HTTPD_AT(httpd_slot, bytes, HS_BYTES);
HTTPD_AT(httpd_slot, toff, HS_TOFF);
HTTPD_AT(httpd_slot, tlen, HS_TLEN);
HTTPD_AT(httpd_slot, error, HS_ERROR);
HTTPD_AT(httpd_slot, ts.tv_nsec, HS_TS_NSEC);
HTTPD_AT(httpd_slot, st, HS_STAT);
HTTPD_AT(httpd_slot, st.st_mode, HS_MODE);
HTTPD_AT(httpd_slot, st.st_size, HS_FSIZE);
HTTPD_AT(httpd_slot, left, HS_LEFT);
HTTPD_AT(httpd_slot, hdr, HS_HDR);
HTTPD_AT(httpd_slot, hdr[HTTPD_HDR_PREFIX], HS_HDR_MID);
HTTPD_AT(httpd_slot, path, HS_PATH);
HTTPD_AT(httpd_slot, req, HS_REQ);
_Static_assert(sizeof(struct httpd_slot) == HS_SIZE, "httpd_slot size");
HTTPD_AT(httpd_const, listen, HC_LISTEN);
HTTPD_AT(httpd_const, root, HC_ROOT);
HTTPD_AT(httpd_const, stop, HC_STOP);
HTTPD_AT(httpd_const, idle_ns, HC_IDLE_NS);
HTTPD_AT(httpd_const, hdr_ns, HC_HDR_NS);
HTTPD_AT(httpd_const, maxreq, HC_MAXREQ);
HTTPD_AT(httpd_const, tv, HC_TV);
HTTPD_AT(httpd_const, one, HC_ONE);
HTTPD_AT(httpd_const, how, HC_HOW);
HTTPD_AT(httpd_const, crlf2, HC_S_CRLF2);
HTTPD_AT(httpd_const, crlf, HC_S_CRLF);
HTTPD_AT(httpd_const, space, HC_S_SPACE);
HTTPD_AT(httpd_const, pct, HC_S_PCT);
HTTPD_AT(httpd_const, query, HC_S_QUERY);
HTTPD_AT(httpd_const, index, HC_S_INDEX);
HTTPD_AT(httpd_const, index[10], HC_S_NUL);
HTTPD_AT(httpd_const, conn, HC_S_CONN);
HTTPD_AT(httpd_const, ka.ptr, HC_P_KA);
HTTPD_AT(httpd_const, ka.len, HC_L_KA);
HTTPD_AT(httpd_const, close.ptr, HC_P_CLOSE);
HTTPD_AT(httpd_const, close.len, HC_L_CLOSE);
HTTPD_AT(httpd_const, resp, HC_RESP);
HTTPD_AT(httpd_const, resp[0].code, HC_RESP + HR_CODE);
HTTPD_AT(httpd_const, resp[0].keep, HC_RESP + HR_KEEP);
HTTPD_AT(httpd_const, mime, HC_MIME);
HTTPD_AT(httpd_const, mime[0].ptr, HC_MIME + HM_PTR);
HTTPD_AT(httpd_const, mime[0].len, HC_MIME + HM_LEN);
HTTPD_AT(httpd_const, rtv, HC_RTV);
HTTPD_AT(httpd_const, inline_mode, HC_INLINE);
_Static_assert(sizeof(struct httpd_resp) == HTTPD_R_SIZE, "httpd_resp size");
_Static_assert(sizeof(struct httpd_mime) == HM_SIZE, "httpd_mime size");
_Static_assert(1 << HM_SHIFT == HM_SIZE, "httpd_mime shift");
_Static_assert(1 << HTTPD_MIME_BITS == HTTPD_MIME_SLOTS &&
	       HTTPD_MIME_MASK == HTTPD_MIME_SLOTS - 1 &&
	       HTTPD_MIME_SHR == 64 - HTTPD_MIME_BITS, "MIME table size");
HTTPD_AT(httpd_const, date, HC_SIZE);
/* A target, its slash gone and "/index.html" added, fits the path buffer. */
_Static_assert(HTTPD_TARGET_MAX + 12 <= HTTPD_PATH_MAX, "path buffer");

enum httpd_mode { HTTPD_MODE_CONN, HTTPD_MODE_REQUEST, HTTPD_MODE_INLINE };

struct httpd_opts {
	const char	*addr;
	unsigned int	port;
	const char	*root;
	unsigned int	workers;	/* slots, or inline event loops */
	enum httpd_mode	mode;
	unsigned int	idle_s, header_s, send_s, grace_s;
	bool		verbose;
};

/* Totals for the last line; each event loop keeps its own. */
struct httpd_stats {
	uint64_t	conns, reqs, bytes, fallbacks, aborted;
};

extern volatile sig_atomic_t httpd_signal;

uint64_t httpd_now_ms(void);
static inline uint64_t httpd_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}
/* A listening socket on the options' address; SO_REUSEPORT when @shared. */
int httpd_listen(const struct httpd_opts *o, bool shared);
/* Register the connection program on @ring: its index, or -errno. */
int httpd_load_prog(struct sysring *ring);
/* The entry to resubmit at after HTTPD_EXIT_FALLBACK: decode the target. */
unsigned int httpd_decode_target(struct httpd_slot *s);
void httpd_prep_block(struct sysring_sqe *sqe, int prog,
		      const struct httpd_slot *s, unsigned int entry);
void httpd_close_fd(int64_t *fd);
/* Bring the Date line up to this second; one thread of the server calls it. */
void httpd_date_tick(struct httpd_const *c);
/* A connection's end: add its counts, log it with -v. */
void httpd_log_conn(const struct httpd_opts *o, struct httpd_stats *st,
		    const struct httpd_slot *s, unsigned long id, const char *how);
/* The inline mode: epoll for readiness, blocks run in sysring_enter. */
int httpd_serve_inline(const struct httpd_opts *o, struct httpd_const *c,
		       struct httpd_stats *st);

#endif /* SYSRING_HTTPD_SERVER_H */
