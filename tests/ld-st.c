/* SPDX-License-Identifier: MIT */
/* Description: LD and ST of 8/16/32/64 bits, little and big endian, with and without sign extension */
#include <string.h>

#include "helpers.h"

static const unsigned char bytes[16] = {
	0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
};

struct ld_case {
	unsigned mod;
	int off;
	__u64 want;
};

static const struct ld_case ld_cases[] = {
	{ SYSRING_MEM_B, 0, 0x81 },
	{ SYSRING_MEM_B | SYSRING_MEM_SX, 0, 0xffffffffffffff81ULL },
	{ SYSRING_MEM_B | SYSRING_MEM_SX, 8, 0x01 },
	{ SYSRING_MEM_H, 0, 0x8281 },
	{ SYSRING_MEM_H | SYSRING_MEM_BE, 0, 0x8182 },
	{ SYSRING_MEM_H | SYSRING_MEM_BE | SYSRING_MEM_SX, 0,
	  0xffffffffffff8182ULL },
	{ SYSRING_MEM_H | SYSRING_MEM_SX, 9, 0x0302 },
	{ SYSRING_MEM_W, 0, 0x84838281 },
	{ SYSRING_MEM_W | SYSRING_MEM_BE, 0, 0x81828384 },
	{ SYSRING_MEM_W | SYSRING_MEM_SX, 0, 0xffffffff84838281ULL },
	{ SYSRING_MEM_W | SYSRING_MEM_BE | SYSRING_MEM_SX, 4,
	  0xffffffff85868788ULL },
	{ SYSRING_MEM_W, 3, 0x87868584 },	/* unaligned */
	{ SYSRING_MEM_DW, 0, 0x8887868584838281ULL },
	{ SYSRING_MEM_DW | SYSRING_MEM_BE, 0, 0x8182838485868788ULL },
	{ SYSRING_MEM_DW | SYSRING_MEM_BE, 8, 0x0102030405060708ULL },
};

/* LD with a negative displacement from the end of the buffer, too. */
static int test_ld(struct sysring *ring, const struct ld_case *lc)
{
	const struct sysring_insn insns[] = {
		SR_LD(lc->mod, 2, 1, lc->off),
		SR_LD(lc->mod, 3, 4, lc->off - 16),
		SR_EXIT(2),
	};
	const __u64 regs[] = { t_ptr(bytes), 0, 0, t_ptr(bytes + 16) };
	struct t_cqe c;
	int ret;

	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 1, regs, 4, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, (__s64)lc->want);
	T_EQ(t_reg(&c, 3), lc->want);
	return T_EXIT_PASS;
}

struct st_case {
	unsigned mod;
	unsigned char want[8];		/* the 8 bytes at buf + 4 */
};

static const struct st_case st_cases[] = {
	{ SYSRING_MEM_B, { 0x88, 0, 0, 0, 0, 0, 0, 0 } },
	{ SYSRING_MEM_H, { 0x88, 0x77, 0, 0, 0, 0, 0, 0 } },
	{ SYSRING_MEM_H | SYSRING_MEM_BE, { 0x77, 0x88, 0, 0, 0, 0, 0, 0 } },
	{ SYSRING_MEM_W, { 0x88, 0x77, 0x66, 0x55, 0, 0, 0, 0 } },
	{ SYSRING_MEM_W | SYSRING_MEM_BE, { 0x55, 0x66, 0x77, 0x88 } },
	{ SYSRING_MEM_DW,
	  { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 } },
	{ SYSRING_MEM_DW | SYSRING_MEM_BE,
	  { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 } },
};

/* ST writes exactly its size at r[dst] + off, leaving its neighbours. */
static int test_st(struct sysring *ring, const struct st_case *sc)
{
	const struct sysring_insn insns[] = {
		SR_LDDW(2, 0x1122334455667788ULL),
		SR_ST(sc->mod, 1, 2, 4),
		SR_EXIT(0),
	};
	unsigned char buf[16];
	const __u64 regs[] = { t_ptr(buf) };
	struct t_cqe c;
	int ret;

	memset(buf, 0, sizeof(buf));
	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 1, regs, 1, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, 0);
	T_CHECK(!memcmp(buf + 4, sc->want, 8));
	T_EQ(buf[3], 0);
	T_EQ(buf[12], 0);
	return T_EXIT_PASS;
}

/* A round trip: LD big endian what ST wrote big endian. */
static int test_round_trip(struct sysring *ring)
{
	static const struct sysring_insn insns[] = {
		SR_ST(SYSRING_MEM_W | SYSRING_MEM_BE, 1, 2, 0),
		SR_LD(SYSRING_MEM_W | SYSRING_MEM_BE, 3, 1, 0),
		SR_LD(SYSRING_MEM_B, 4, 1, 0),
		SR_EXIT(3),
	};
	__u32 word = 0;
	const __u64 regs[] = { t_ptr(&word), 0xdeadbeef };
	struct t_cqe c;
	int ret;

	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 1, regs, 2, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, 0xdeadbeef);
	T_EQ(t_reg(&c, 4), 0xde);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;
	unsigned i;

	t_ring_init_snap(&ring, 4, 8);
	for (i = 0; i < ARRAY_SIZE(ld_cases); i++)
		T_RUN(test_ld, &ring, &ld_cases[i]);
	for (i = 0; i < ARRAY_SIZE(st_cases); i++)
		T_RUN(test_st, &ring, &st_cases[i]);
	T_RUN(test_round_trip, &ring);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
