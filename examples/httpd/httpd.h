/* SPDX-License-Identifier: MIT */
/*
 * sysring-httpd: the memory the connection program and the C side share.
 *
 * Included by httpd.c and, through the C preprocessor, by httpd.sr, so every
 * offset below is a plain number the assembler can take; httpd.c asserts
 * each against offsetof() of the structures it describes.
 */
#ifndef SYSRING_HTTPD_H
#define SYSRING_HTTPD_H

/* Sizes. */
#define HTTPD_REQ_MAX		8192	/* request header limit: 431 past it */
#define HTTPD_PATH_MAX		1024	/* path buffer */
#define HTTPD_TARGET_MAX	1000	/* longest request target: 414 past it */
#define HTTPD_HDR_MAX		512	/* response header buffer */
#define HTTPD_HDR_PREFIX	256	/* its bytes before HS_HDR_MID */
#define HTTPD_XFER_CHUNK	16777216	/* SYSRING_XFER_MAX */
#define HTTPD_SLICE_NS		1000000000	/* idle reads look at the stop flag */
#define HTTPD_EAGAIN		-11	/* an idle read's slice ran out */
#define HTTPD_LINGER_READS	16	/* reads drained before closing on error */
#define HTTPD_LINGER_NS		500000000

/* Program entry points (r2). */
#define HTTPD_ENTRY_ACCEPT	0	/* accept a connection, serve it */
#define HTTPD_ENTRY_NEXT	1	/* go on with the slot's connection */
#define HTTPD_ENTRY_PATH	2	/* serve the slot's path (C decoded it) */
#define HTTPD_ENTRY_ERROR	3	/* answer with the slot's error status */
#define HTTPD_ENTRY_READY	4	/* inline: the connection is readable */
#define HTTPD_ENTRY_BODY	5	/* inline: writable, send the rest */

/* What the program exits with (CQE res with SYSRING_STATUS_EXIT). */
#define HTTPD_EXIT_CLOSED	0	/* connection closed, slot free */
#define HTTPD_EXIT_CONTINUE	1	/* request quota of this block used up */
#define HTTPD_EXIT_FALLBACK	2	/* target needs C: percent-decoding */
#define HTTPD_EXIT_WAIT_IN	3	/* inline: wait until readable */
#define HTTPD_EXIT_WAIT_OUT	4	/* inline: wait until writable */

/* Request flags (slot flags word). */
#define HTTPD_F_HEAD		1
#define HTTPD_F_KEEPALIVE	2
#define HTTPD_F_INDEX		4	/* index.html appended once already */

/* Canned responses: index into the response table. */
#define HTTPD_R_400		0
#define HTTPD_R_403		1
#define HTTPD_R_404		2
#define HTTPD_R_405		3
#define HTTPD_R_414		4
#define HTTPD_R_431		5
#define HTTPD_R_500		6
#define HTTPD_R_COUNT		7
#define HTTPD_R_SIZE		40	/* header, its length, body, its length */
#define HR_CODE			32	/* u32 status code */
#define HR_KEEP			36	/* u32: the connection may stay open */

/* struct httpd_slot: one per connection program in flight. */
#define HS_CONST	0	/* struct httpd_const * */
#define HS_CONN		8	/* connection fd, -1: none */
#define HS_FILE		16	/* file fd, -1: none */
#define HS_HAVE		24	/* request bytes buffered */
#define HS_HLEN		32	/* current request's header length */
#define HS_FLAGS	40	/* HTTPD_F_* */
#define HS_STATUS	48	/* last status code sent */
#define HS_NREQ		56	/* requests answered on the connection */
#define HS_BYTES	64	/* bytes sent on the connection */
#define HS_TOFF		72	/* request target: offset in the buffer */
#define HS_TLEN		80	/* and length */
#define HS_ERROR	88	/* HTTPD_R_* for HTTPD_ENTRY_ERROR */
#define HS_TS		96	/* struct timespec */
#define HS_TS_NSEC	104
#define HS_STAT		112	/* struct stat (144 bytes) */
#define HS_MODE		136	/* its st_mode (u32) */
#define HS_FSIZE	160	/* its st_size */
#define HS_LEFT		256	/* inline: body bytes still to send */
#define HS_HDR		264	/* response header */
#define HS_HDR_MID	520	/* a 200's is built outwards from here */
#define HS_PATH		776	/* NUL-terminated path under the root */
#define HS_REQ		1800	/* request buffer */
#define HS_SIZE		9992

/* struct httpd_const: shared by every slot, read-only but for the stop flag. */
#define HC_LISTEN	0	/* listening socket */
#define HC_ROOT		8	/* document root directory fd */
#define HC_STOP		16	/* nonzero: finish the request, then close */
#define HC_IDLE_NS	24	/* keep-alive idle timeout */
#define HC_HDR_NS	32	/* time for a whole request header */
#define HC_MAXREQ	40	/* requests per block before HTTPD_EXIT_CONTINUE */
#define HC_TV		48	/* struct timeval: SO_SNDTIMEO (16 bytes) */
#define HC_ONE		64	/* int 1, for TCP_NODELAY */
#define HC_HOW		72	/* struct open_how (24 bytes) */
#define HC_S_CRLF2	96	/* "\r\n\r\n" */
#define HC_S_CRLF	104	/* "\r\n" */
#define HC_S_SPACE	112	/* " " */
#define HC_S_PCT	120	/* "%" */
#define HC_S_QUERY	128	/* "?" */
#define HC_S_INDEX	136	/* "index.html\0" (16 bytes) */
#define HC_S_NUL	146	/* its NUL */
#define HC_S_CONN	152	/* "onnection:" (16 bytes) */
#define HC_P_KA		168	/* "\r\nDate: ...\r\nConnection: keep-alive\r\n\r\n",
				 * C moves it on each second */
#define HC_L_KA		176
#define HC_P_CLOSE	184	/* "\r\nDate: ...\r\nConnection: close\r\n\r\n" */
#define HC_L_CLOSE	192
#define HC_RESP		200	/* HTTPD_R_COUNT responses, HTTPD_R_SIZE each */
#define HC_RTV		480	/* struct timeval: SO_RCVTIMEO, the slice */
#define HC_INLINE	496	/* nonzero: blocks run inline on non-blocking
				 * sockets and exit instead of waiting */
#define HC_MIME		504	/* MIME table, see below */
#define HC_SIZE		2552	/* the rest is C's */

/*
 * MIME types: a hash table of HTTPD_MIME_SLOTS entries, open addressing.
 * An extension's key is its bytes (at most 7, lower case, zero padded) as
 * a little-endian number; its slot is the top HTTPD_MIME_BITS bits of
 * key * HTTPD_MIME_MULT, or the first one after it (wrapping) that holds
 * the key or is empty.  Empty entries (key 0) hold the default type.  An
 * entry's string is a 200's header up to the Content-Length value: status
 * line, Server, its Content-Type, "Content-Length: ".
 */
#define HM_KEY		0
#define HM_PTR		8
#define HM_LEN		16
#define HM_SIZE		32
#define HM_SHIFT	5	/* log2(HM_SIZE) */
#define HTTPD_MIME_BITS	6
#define HTTPD_MIME_SLOTS 64	/* 1 << HTTPD_MIME_BITS */
#define HTTPD_MIME_MASK	63
#define HTTPD_MIME_SHR	58	/* 64 - HTTPD_MIME_BITS */
#define HTTPD_MIME_MULT	0x9e3779b97f4a7c15	/* 2^64 / the golden ratio */

#endif /* SYSRING_HTTPD_H */
