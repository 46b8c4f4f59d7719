/* SPDX-License-Identifier: MIT */
/* Description: helpers shared by the sysring tests */
#ifndef SYSRING_TEST_HELPERS_H
#define SYSRING_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>

#include "sysring.h"
#include "sysring_insn.h"

#define T_EXIT_PASS	0
#define T_EXIT_FAIL	1
#define T_EXIT_SKIP	77

/* What t_reg() returns for a register outside the CQE's snapshot. */
#define T_POISON	0x5a5a5a5a5a5a5a5aULL

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* A completion copied out of the ring, snapshot included. */
struct t_cqe {
	__u64 user_data;
	__s64 res;
	unsigned status;
	unsigned reason;
	unsigned reg_base;
	unsigned nregs;
	unsigned pc;
	unsigned flags;
	unsigned insns;
	__u64 regs[SYSRING_MAX_SNAP_REGS];
};

/* Checks for functions returning a T_EXIT_* code. */
#define T_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		return T_EXIT_FAIL;					\
	}								\
} while (0)

#define T_EQ(a, b) do {							\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		fprintf(stderr, "%s:%d: %s is %lld (%#llx), expected "	\
			"%s = %lld (%#llx)\n", __FILE__, __LINE__, #a,	\
			_a, (unsigned long long)_a, #b, _b,		\
			(unsigned long long)_b);			\
		return T_EXIT_FAIL;					\
	}								\
} while (0)

/* A block's outcome: status and result together. */
#define T_EXPECT(c, st, r) do {						\
	T_EQ((c)->status, st);						\
	T_EQ((c)->res, r);						\
} while (0)

/* Run a subtest; stop at the first one that does not pass. */
#define T_RUN(fn, ...) do {						\
	int _ret = fn(__VA_ARGS__);					\
	if (_ret != T_EXIT_PASS) {					\
		fprintf(stderr, "%s failed\n", #fn);			\
		return _ret;						\
	}								\
} while (0)

/*
 * Set up a ring; exits 77 when the kernel has no sysring and 1 on any other
 * error.  @p may be NULL for default parameters.
 */
void t_ring_init(struct sysring *ring, unsigned entries,
		 struct sysring_params *p);
/* The same with @snap_regs registers in each CQE. */
void t_ring_init_snap(struct sysring *ring, unsigned entries,
		      unsigned snap_regs);
/* Exit 77 unless the ring has every feature in @feat. */
void t_require_features(const struct sysring *ring, unsigned feat,
			const char *what);
/* sysring_get_sqe that exits 1 when the SQ is full. */
struct sysring_sqe *t_get_sqe(struct sysring *ring);

/*
 * Wait for @n completions and store each in out[user_data]: tests number
 * their blocks 0..n-1 and need not care about completion order.
 */
int t_reap(struct sysring *ring, struct t_cqe *out, unsigned n);
/* Submit everything queued (exactly @n SQEs) and t_reap() them. */
int t_submit_reap(struct sysring *ring, struct t_cqe *out, unsigned n);
/* Run one inline block with r[base..] = regs[] and reap it. */
int t_run_insns(struct sysring *ring, const struct sysring_insn *insns,
		unsigned ninsns, unsigned base, const __u64 *regs,
		unsigned nregs, struct t_cqe *out);

/* Register r[regno] from the snapshot, or T_POISON. */
__u64 t_reg(const struct t_cqe *c, unsigned regno);

/* Create a file under /tmp holding @len bytes of @data; exits 1 on error. */
char *t_tmpfile(const void *data, size_t len);

/* CLOCK_MONOTONIC in milliseconds, and a sleep of @ms. */
double t_now_ms(void);
void t_sleep_ms(unsigned ms);

static inline __u64 t_ptr(const void *p)
{
	return (__u64)(unsigned long)p;
}

#endif /* SYSRING_TEST_HELPERS_H */
