/* SPDX-License-Identifier: MIT */
/* Description: COPY between user buffers and FIND of a needle in a haystack */
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
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
