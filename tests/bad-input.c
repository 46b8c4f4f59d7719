/* SPDX-License-Identifier: MIT */
/* Description: bad input is refused: setup params, register calls, checker rejections, enter, mmap, SQE fields */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "syscall.h"
#include "helpers.h"

static int setup_fails(const char *what, unsigned entries,
		       const struct sysring_params *in, int err)
{
	struct sysring_params p = *in;
	struct sysring ring;
	int ret = sysring_queue_init_params(entries, &ring, &p);

	if (ret != err) {
		fprintf(stderr, "setup with %s: %d, expected %d\n", what, ret,
			err);
		if (!ret)
			sysring_queue_exit(&ring);
		return T_EXIT_FAIL;
	}
	return T_EXIT_PASS;
}

static int test_setup(void)
{
	static const unsigned bad_snaps[] = { 1, 3, 12, 65, 128 };
	struct sysring_params p;
	unsigned i;

	memset(&p, 0, sizeof(p));
	T_RUN(setup_fails, "0 entries", 0, &p, -EINVAL);
	T_RUN(setup_fails, "too many entries", SYSRING_MAX_ENTRIES + 1, &p,
	      -EINVAL);
	for (i = 0; i < ARRAY_SIZE(p.__resv); i++) {
		memset(&p, 0, sizeof(p));
		p.__resv[i] = 1;
		T_RUN(setup_fails, "reserved field", 4, &p, -EINVAL);
	}
	memset(&p, 0, sizeof(p));
	p.flags = 1U << 31;
	T_RUN(setup_fails, "unknown flag", 4, &p, -EINVAL);
	p.flags = SYSRING_SETUP_FLAGS + 1;
	T_RUN(setup_fails, "unknown flag", 4, &p, -EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad_snaps); i++) {
		memset(&p, 0, sizeof(p));
		p.snap_regs = bad_snaps[i];
		T_RUN(setup_fails, "bad snap_regs", 4, &p, -EINVAL);
	}
	memset(&p, 0, sizeof(p));
	p.budget = SYSRING_MAX_BUDGET + 1;
	T_RUN(setup_fails, "budget too large", 4, &p, -EINVAL);

	memset(&p, 0, sizeof(p));
	p.flags = SYSRING_SETUP_CQSIZE;
	T_RUN(setup_fails, "CQSIZE 0", 4, &p, -EINVAL);
	p.cq_entries = 2;
	T_RUN(setup_fails, "CQ smaller than SQ", 4, &p, -EINVAL);
	p.cq_entries = SYSRING_MAX_CQ_ENTRIES + 1;
	T_RUN(setup_fails, "CQ too large", 4, &p, -EINVAL);

	T_EQ(__sys_sysring_setup(4, NULL), -EFAULT);
	return T_EXIT_PASS;
}

struct check_case {
	const char *name;
	struct sysring_insn insns[6];
	unsigned len;
	unsigned reason;
	int pc;			/* -1: not checked */
};

#define INSN(code, dst, src, mod, imm)	SR_INSN(code, dst, src, mod, imm)

static const struct check_case check_cases[] = {
	{ "empty", { SR_EXIT(0) }, 0, SYSRING_CHECK_EMPTY, -1 },
	{ "opcode 0", { SR_MOV_K(0, 0), INSN(0, 0, 0, 0, 0), SR_EXIT(0) }, 3,
	  SYSRING_CHECK_BAD_OPCODE, 1 },
	{ "unknown opcode 0x76", { INSN(0x76, 0, 0, 0, 0),
	  SR_EXIT(0) }, 2, SYSRING_CHECK_BAD_OPCODE, 0 },
	{ "opcode 0xff", { INSN(0xff, 0, 0, 0, 0), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_OPCODE, 0 },
	{ "EXIT with src", { INSN(SYSRING_OP_EXIT, 0, 1, 0, 0) }, 1,
	  SYSRING_CHECK_RESERVED, 0 },
	{ "EXIT with imm", { INSN(SYSRING_OP_EXIT, 0, 0, 0, 5) }, 1,
	  SYSRING_CHECK_RESERVED, 0 },
	{ "MOV_X with imm", { INSN(SYSRING_OP_MOV_X, 1, 2, 0, 5),
	  SR_EXIT(0) }, 2, SYSRING_CHECK_RESERVED, 0 },
	{ "ADD_X with mod", { INSN(SYSRING_OP_ADD_X, 1, 2, 1, 0),
	  SR_EXIT(0) }, 2, SYSRING_CHECK_RESERVED, 0 },
	{ "MOV_K with src", { INSN(SYSRING_OP_MOV_K, 1, 2, 0, 5),
	  SR_EXIT(0) }, 2, SYSRING_CHECK_RESERVED, 0 },
	{ "JA with dst", { INSN(SYSRING_OP_JA, 1, 0, 0, 0), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_RESERVED, 0 },
	{ "jump past the end", { SR_JA(5), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_JUMP, 0 },
	{ "jump to the end", { SR_JMP_K(JEQ, 1, 0, 1), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_JUMP, 0 },
	{ "jump before the start", { SR_MOV_K(0, 0), SR_JA(-3), SR_EXIT(0) },
	  3, SYSRING_CHECK_BAD_JUMP, 1 },
	{ "jump into LDDW", { SR_JA(1), SR_LDDW(1, 5), SR_EXIT(0) }, 4,
	  SYSRING_CHECK_BAD_JUMP, 0 },
	{ "SYS fork", { SR_SYS(0, __NR_fork, 0, 0), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_SYSCALL, 0 },
	{ "SYS execve", { SR_SYS(0, __NR_execve, 1, 3), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_SYSCALL, 0 },
	{ "SYS sysring_enter", { SR_SYS(0, __NR_sysring_enter, 1, 4),
	  SR_EXIT(0) }, 2, SYSRING_CHECK_BAD_SYSCALL, 0 },
	{ "SYS 9999", { SR_SYS(0, 9999, 0, 0), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_SYSCALL, 0 },
	{ "SYS -1", { SR_SYS(0, -1, 0, 0), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_SYSCALL, 0 },
	{ "SYS no args with src", { SR_SYS(0, __NR_getppid, 1, 0),
	  SR_EXIT(0) }, 2, SYSRING_CHECK_RESERVED, 0 },
	{ "no EXIT", { SR_MOV_K(0, 1) }, 1, SYSRING_CHECK_NO_EXIT, -1 },
	{ "falls off after EXIT", { SR_EXIT(0), SR_MOV_K(0, 1) }, 2,
	  SYSRING_CHECK_NO_EXIT, -1 },
	{ "conditional jump last", { SR_JMP_K(JEQ, 0, 0, -1) }, 1,
	  SYSRING_CHECK_NO_EXIT, -1 },
	{ "DIV_K 0", { SR_DIV_K(1, 0), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_DIV_ZERO, 0 },
	{ "MOD_K 0", { SR_MOD_K(1, 0), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_DIV_ZERO, 0 },
	{ "LDDW at the end", { SR_EXIT(0), INSN(SYSRING_OP_LDDW, 1, 0, 0, 5) },
	  2, SYSRING_CHECK_BAD_LDDW, 1 },
	{ "LDDW second slot not empty", { INSN(SYSRING_OP_LDDW, 1, 0, 0, 5),
	  SR_EXIT(0), SR_EXIT(0) }, 3, SYSRING_CHECK_BAD_LDDW, 0 },
	{ "SYS mod 0x40", { INSN(SYSRING_OP_SYS, 0, 1, 0x40, __NR_getppid),
	  SR_EXIT(0) }, 2, SYSRING_CHECK_BAD_MOD, 0 },
	{ "SYS 7 args", { INSN(SYSRING_OP_SYS, 0, 1, 7, __NR_getppid),
	  SR_EXIT(0) }, 2, SYSRING_CHECK_BAD_MOD, 0 },
	{ "LD mod 0x10", { SR_LD(0x10, 1, 2, 0), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_MOD, 0 },
	{ "ST sign-extend", { SR_ST(SYSRING_MEM_W | SYSRING_MEM_SX, 1, 2, 0),
	  SR_EXIT(0) }, 2, SYSRING_CHECK_BAD_MOD, 0 },
	{ "SYS args past r255", { SR_SYS(0, __NR_read, 254, 3), SR_EXIT(0) },
	  2, SYSRING_CHECK_BAD_REG, 0 },
	{ "FIND haystack past r255", { SR_FIND(0, 255, 1), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_REG, 0 },
	{ "FIND needle past r255", { SR_FIND(0, 1, 255), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_REG, 0 },
	{ "LSH_K 64", { SR_LSH_K(1, 64), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_SHIFT, 0 },
	{ "RSH_K 100", { SR_RSH_K(1, 100), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_SHIFT, 0 },
	{ "ARSH_K -1", { SR_ARSH_K(1, -1), SR_EXIT(0) }, 2,
	  SYSRING_CHECK_BAD_SHIFT, 0 },
};

static int check_rejects(struct sysring *ring, const char *name,
			 const struct sysring_insn *insns, unsigned len,
			 unsigned reason, int pc)
{
	struct sysring_prog_reg reg;
	int ret = sysring_register_prog(ring, insns, len, &reg);

	if (ret != -EINVAL || reg.reason != reason ||
	    (pc >= 0 && reg.pc != (unsigned)pc)) {
		fprintf(stderr, "%s: ret %d reason %u pc %u, expected %d "
			"reason %u pc %d\n", name, ret, reg.reason, reg.pc,
			-EINVAL, reason, pc);
		if (ret >= 0)
			sysring_unregister_prog(ring, ret);
		return T_EXIT_FAIL;
	}
	return T_EXIT_PASS;
}

static int test_checker(struct sysring *ring)
{
	static const struct sysring_insn good[] = { SR_LDDW(0, 1), SR_EXIT(0) };
	struct sysring_insn *big;
	unsigned i;
	int idx;

	/* A correct program passes, so the rejections below are real. */
	idx = sysring_register_prog(ring, good, ARRAY_SIZE(good), NULL);
	T_CHECK(idx >= 0);
	T_EQ(sysring_unregister_prog(ring, idx), 0);

	for (i = 0; i < ARRAY_SIZE(check_cases); i++) {
		const struct check_case *cc = &check_cases[i];

		T_RUN(check_rejects, ring, cc->name, cc->insns, cc->len,
		      cc->reason, cc->pc);
	}

	big = calloc(SYSRING_MAX_PROG_INSNS + 1, sizeof(*big));
	T_CHECK(big);
	for (i = 0; i <= SYSRING_MAX_PROG_INSNS; i++)
		big[i] = SR_EXIT(0);
	idx = sysring_register_prog(ring, big, SYSRING_MAX_PROG_INSNS, NULL);
	T_CHECK(idx >= 0);
	T_EQ(sysring_unregister_prog(ring, idx), 0);
	T_RUN(check_rejects, ring, "too long", big,
	      SYSRING_MAX_PROG_INSNS + 1, SYSRING_CHECK_TOO_LONG, -1);
	free(big);
	return T_EXIT_PASS;
}

static int test_register(struct sysring *ring)
{
	struct sysring_prog_reg reg;
	const struct sysring_insn exit0 = SR_EXIT(0);
	int fd = ring->ring_fd;

	T_EQ(__sys_sysring_register(fd, __SYSRING_REGISTER_MAX, NULL, 0),
	     -EINVAL);
	T_EQ(__sys_sysring_register(fd, 99, NULL, 0), -EINVAL);
	T_EQ(__sys_sysring_register(fd, SYSRING_REGISTER_PROG, NULL, 1),
	     -EFAULT);
	T_EQ(sysring_register_prog(ring, (void *)8, 1, NULL), -EFAULT);

	memset(&reg, 0, sizeof(reg));
	reg.insns = t_ptr(&exit0);
	reg.len = 1;
	reg.flags = 1;
	T_EQ(__sys_sysring_register(fd, SYSRING_REGISTER_PROG, &reg, 1),
	     -EINVAL);
	reg.flags = 0;
	reg.__resv[2] = 1;
	T_EQ(__sys_sysring_register(fd, SYSRING_REGISTER_PROG, &reg, 1),
	     -EINVAL);

	T_EQ(sysring_unregister_prog(ring, 12345), -ENOENT);
	T_EQ(sysring_unregister_prog(ring, SYSRING_MAX_PROGS), -ENOENT);
	return T_EXIT_PASS;
}

static int test_enter(struct sysring *ring)
{
	struct t_cqe c[2];
	int fds[2], closed;
	unsigned i;

	T_CHECK(!pipe(fds));
	T_EQ(__sys_sysring_enter(fds[0], 0, 0, 0), -EOPNOTSUPP);
	T_EQ(__sys_sysring_register(fds[0], SYSRING_REGISTER_PROBE, NULL, 1),
	     -EOPNOTSUPP);
	closed = fds[1];
	close(fds[0]);
	close(fds[1]);
	T_EQ(__sys_sysring_enter(closed, 0, 0, 0), -EBADF);
	T_EQ(__sys_sysring_enter(-1, 0, 0, 0), -EBADF);
	T_EQ(__sys_sysring_register(closed, SYSRING_REGISTER_PROBE, NULL, 1),
	     -EBADF);
	T_EQ(__sys_sysring_enter(ring->ring_fd, 0, 0, 1U << 31), -EINVAL);
	T_EQ(__sys_sysring_enter(ring->ring_fd, 0, 0,
				 SYSRING_ENTER_FLAGS + 1), -EINVAL);

	/* Asking for more than is queued submits what is queued. */
	for (i = 0; i < 2; i++) {
		struct sysring_sqe *sqe = t_get_sqe(ring);

		sysring_prep_nop(sqe);
		sysring_sqe_set_data64(sqe, i);
	}
	sysring_smp_store_release(ring->sq.ktail, ring->sq.sqe_tail);
	T_EQ(__sys_sysring_enter(ring->ring_fd, 10, 2,
				 SYSRING_ENTER_GETEVENTS), 2);
	T_EQ(sysring_sq_ready(ring), 0);
	return t_reap(ring, c, 2);
}

static int test_mmap(struct sysring *ring)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = ring->ring_fd;
	void *p;

	/* The userspace backend's ring is a memfd: mmap checks are the kernel's. */
	if (ring->features & SYSRING_FEAT_USER_BACKEND)
		return T_EXIT_PASS;
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0x20000000);
	T_CHECK(p == MAP_FAILED && errno == EINVAL);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page);
	T_CHECK(p == MAP_FAILED && errno == EINVAL);
	p = mmap(NULL, ring->ring_sz + 2 * page, PROT_READ, MAP_SHARED, fd,
		 SYSRING_OFF_RINGS);
	T_CHECK(p == MAP_FAILED && errno == EINVAL);
	p = mmap(NULL, ring->sq.sqes_sz + 2 * page, PROT_READ, MAP_SHARED,
		 fd, SYSRING_OFF_SQES);
	T_CHECK(p == MAP_FAILED && errno == EINVAL);
	/* The right offset and size still map. */
	p = mmap(NULL, ring->ring_sz, PROT_READ, MAP_SHARED, fd,
		 SYSRING_OFF_RINGS);
	T_CHECK(p != MAP_FAILED);
	munmap(p, ring->ring_sz);
	return T_EXIT_PASS;
}

enum bad_sqe {
	BAD_FLAG_HIGH, BAD_FLAG_UNUSED, BAD_RESV1, BAD_RESV2,
	BAD_NINSNS_0, BAD_NINSNS_7, BAD_NREGS_7, BAD_REG_WINDOW,
	BAD_BUDGET, BAD_PROG_WITH_INSNS, BAD_OPCODE_INLINE, BAD_NO_EXIT_INLINE,
	BAD_NR,
};

static void make_bad_sqe(struct sysring_sqe *sqe, enum bad_sqe what)
{
	const __u64 vals[6] = { 1, 2, 3, 4, 5, 6 };
	const struct sysring_insn junk = SR_INSN(0xee, 0, 0, 0, 0);
	const struct sysring_insn mov = SR_MOV_K(0, 1);

	sysring_prep_nop(sqe);
	switch (what) {
	case BAD_FLAG_HIGH:	sqe->flags = 1U << 15; break;
	case BAD_FLAG_UNUSED:	sqe->flags = SYSRING_SQE_ASYNC << 1; break;
	case BAD_RESV1:		sqe->__resv1 = 1; break;
	case BAD_RESV2:		sqe->__resv2 = 1; break;
	case BAD_NINSNS_0:	sqe->ninsns = 0; break;
	case BAD_NINSNS_7:	sqe->ninsns = 7; break;
	case BAD_NREGS_7:	sysring_sqe_set_regs(sqe, 1, vals, 7); break;
	case BAD_REG_WINDOW:	sysring_sqe_set_regs(sqe, 252, vals, 6); break;
	case BAD_BUDGET:	sqe->budget = SYSRING_MAX_BUDGET + 1; break;
	case BAD_PROG_WITH_INSNS: sqe->flags = SYSRING_SQE_PROG; break;
	case BAD_OPCODE_INLINE:	sysring_prep_insns(sqe, &junk, 1); break;
	case BAD_NO_EXIT_INLINE: sysring_prep_insns(sqe, &mov, 1); break;
	case BAD_NR:		break;
	}
	sysring_sqe_set_data64(sqe, what);
}

/* Each SQE is refused alone: the CQE says INVALID, nothing ran. */
static int test_bad_sqes(struct sysring *ring)
{
	struct t_cqe c[BAD_NR];
	struct sysring_sqe *sqe;
	unsigned i;
	int ret;

	for (i = 0; i < BAD_NR; i++)
		make_bad_sqe(t_get_sqe(ring), i);
	ret = t_submit_reap(ring, c, BAD_NR);
	if (ret)
		return ret;
	for (i = 0; i < BAD_NR; i++) {
		if (c[i].status != SYSRING_STATUS_INVALID ||
		    c[i].res != -EINVAL) {
			fprintf(stderr, "bad SQE %u: status %u res %lld\n",
				i, c[i].status, (long long)c[i].res);
			return T_EXIT_FAIL;
		}
	}
	T_EQ(c[BAD_OPCODE_INLINE].reason, SYSRING_CHECK_BAD_OPCODE);
	T_EQ(c[BAD_NO_EXIT_INLINE].reason, SYSRING_CHECK_NO_EXIT);

	/* A program index nobody registered. */
	sqe = t_get_sqe(ring);
	sysring_prep_prog(sqe, 77);
	sysring_sqe_set_data64(sqe, 0);
	ret = t_submit_reap(ring, c, 1);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_INVALID, -ENOENT);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;

	t_ring_init(&ring, 16, NULL);
	T_RUN(test_setup);
	T_RUN(test_register, &ring);
	T_RUN(test_enter, &ring);
	T_RUN(test_mmap, &ring);
	T_RUN(test_bad_sqes, &ring);
	if (ring.features & SYSRING_FEAT_PROGS)
		T_RUN(test_checker, &ring);
	else
		printf("no registered programs: checker table not run\n");
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
