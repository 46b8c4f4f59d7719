/* SPDX-License-Identifier: MIT */
/* Description: COPY between user buffers and FIND of a needle in a haystack, both charged to the budget by the bytes they touch */
#include <errno.h>
#include <string.h>

#include "helpers.h"

static const char text[] = "hello, sysring world; sysring again";

static int test_copy(struct sysring *ring, unsigned len)
{
	static const struct sysring_insn insns[] = {
		SR_COPY(1, 2, 3),
		SR_EXIT(0),
	};
	char dst[64];
	const __u64 regs[] = { t_ptr(dst), t_ptr(text), len };
	struct t_cqe c;
	int ret;

	memset(dst, '#', sizeof(dst));
	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 1, regs, 3, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, 0);
	T_CHECK(!memcmp(dst, text, len));
	T_EQ(dst[len], '#');
	return T_EXIT_PASS;
}

/* A larger copy, across pages. */
static int test_copy_big(struct sysring *ring)
{
	static const struct sysring_insn insns[] = {
		SR_COPY(1, 2, 3),
		SR_EXIT(0),
	};
	const unsigned len = 3 * 4096 + 123;
	char *src = malloc(len), *dst = calloc(1, len);
	struct t_cqe c;
	unsigned i;
	int ret;

	T_CHECK(src && dst);
	for (i = 0; i < len; i++)
		src[i] = (char)(i * 7);
	const __u64 regs[] = { t_ptr(dst), t_ptr(src), len };
	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 1, regs, 3, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, 0);
	T_CHECK(!memcmp(dst, src, len));
	free(src);
	free(dst);
	return T_EXIT_PASS;
}

/* r1/r2 haystack, r3/r4 needle: r0 = offset or -1. */
static int find(struct sysring *ring, const char *hay, size_t haylen,
		const char *needle, __s64 expect)
{
	static const struct sysring_insn insns[] = {
		SR_FIND(0, 1, 3),
		SR_EXIT(0),
	};
	const __u64 regs[] = { t_ptr(hay), haylen, t_ptr(needle),
			       strlen(needle) };
	struct t_cqe c;
	int ret;

	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 1, regs, 4, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, expect);
	return T_EXIT_PASS;
}

/*
 * The worst FIND, a 1 MiB run of 'a' searched for 255 'a' and a 'b',
 * compares about 256 MiB: it pays one budget unit per 4 KiB, so the
 * default budget stops it (and any loop of such FINDs) with BUDGET, while a
 * 1 MiB COPY costs 256 units and fits in a budget of 300.
 */
static int test_metered(struct sysring *ring)
{
	static const struct sysring_insn find_insns[] = {
		SR_FIND(0, 1, 3),
		SR_EXIT(0),
	};
	static const struct sysring_insn copy_insns[] = {
		SR_COPY(1, 2, 3),
		SR_EXIT(0),
	};
	const size_t len = SYSRING_COPY_MAX;
	char *hay = malloc(len), *dst = malloc(len), needle[256];
	struct sysring_sqe *sqe;
	struct t_cqe c;
	int ret;

	T_CHECK(hay && dst);
	memset(hay, 'a', len);
	memset(needle, 'a', sizeof(needle));
	needle[255] = 'b';
	const __u64 fregs[] = { t_ptr(hay), len, t_ptr(needle), 256 };
	ret = t_run_insns(ring, find_insns, 2, 1, fregs, 4, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_BUDGET, -ETIME);
	T_EQ(c.insns, SYSRING_DEFAULT_BUDGET);
	T_EQ(c.pc, 0);

	/* 256 units for the bytes, 2 for the instructions. */
	const __u64 cregs[] = { t_ptr(dst), t_ptr(hay), len };
	for (unsigned budget = 250; budget <= 300; budget += 50) {
		sqe = t_get_sqe(ring);
		sysring_prep_insns(sqe, copy_insns, 2);
		sysring_sqe_set_regs(sqe, 1, cregs, 3);
		sysring_sqe_set_budget(sqe, budget);
		ret = t_submit_reap(ring, &c, 1);
		if (ret)
			return ret;
		if (budget == 250) {
			T_EXPECT(&c, SYSRING_STATUS_BUDGET, -ETIME);
		} else {
			T_EXPECT(&c, SYSRING_STATUS_EXIT, 0);
			T_EQ(c.insns, 258);
			T_CHECK(!memcmp(dst, hay, len));
		}
	}
	free(hay);
	free(dst);
	return T_EXIT_PASS;
}

int main(void)
{
	const size_t n = strlen(text);
	struct sysring ring;

	t_ring_init_snap(&ring, 4, 4);
	T_RUN(test_copy, &ring, strlen(text));
	T_RUN(test_copy, &ring, 1);
	T_RUN(test_copy, &ring, 0);
	T_RUN(test_copy_big, &ring);
	T_RUN(find, &ring, text, n, "sysring", 7);
	T_RUN(find, &ring, text, n, "hello", 0);
	T_RUN(find, &ring, text, n, "again", n - 5);
	T_RUN(find, &ring, text, n, "absent", -1);
	/* The haystack length bounds the search. */
	T_RUN(find, &ring, text, 10, "sysring", -1);
	T_RUN(find, &ring, text, 14, "sysring", 7);
	T_RUN(find, &ring, "ab", 2, "abc", -1);
	T_RUN(test_metered, &ring);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
