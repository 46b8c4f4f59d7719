/* SPDX-License-Identifier: MIT */
/* Description: a registered program openat -> fstat -> read -> close runs in one block */
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

static const char content[] = "The quick brown fox jumps over the lazy dog\n";

/* In: r1 path, r2 struct stat *, r3 buffer, r4 its size.  Out: see below. */
static const struct sysring_insn cat_prog[] = {
	SR_MOV_K(10, AT_FDCWD),
	SR_MOV(11, 1),
	SR_MOV_K(12, O_RDONLY),
	SR_MOV_K(13, 0),
	SR_SYS(20, __NR_openat, 10, 4),		/* r20 = fd */
	SR_MOV(21, 20),
	SR_MOV(22, 2),
	SR_SYS(23, __NR_fstat, 21, 2),		/* r23 = 0 */
	SR_LD(SYSRING_MEM_DW, 24, 2, offsetof(struct stat, st_size)),
	SR_MOV(25, 20),
	SR_MOV(26, 3),
	SR_MOV(27, 4),
	SR_SYS(28, __NR_read, 25, 3),		/* r28 = bytes read */
	SR_MOV(29, 20),
	SR_SYS(30, __NR_close, 29, 1),		/* r30 = 0 */
	SR_EXIT(28),
};
#define CAT_OPENAT_PC	4

static int run_cat(struct sysring *ring, int idx, const char *path,
		   struct stat *st, char *buf, unsigned len, struct t_cqe *c)
{
	const __u64 regs[] = { t_ptr(path), t_ptr(st), t_ptr(buf), len };
	struct sysring_sqe *sqe = t_get_sqe(ring);

	sysring_prep_prog(sqe, idx);
	sysring_sqe_set_regs(sqe, 1, regs, ARRAY_SIZE(regs));
	sysring_sqe_set_snap(sqe, 20);
	return t_submit_reap(ring, c, 1);
}

static int test_cat(struct sysring *ring, int idx)
{
	char buf[128], *path = t_tmpfile(content, strlen(content));
	struct stat st;
	struct t_cqe c;
	int ret;

	memset(buf, 0, sizeof(buf));
	memset(&st, 0, sizeof(st));
	ret = run_cat(ring, idx, path, &st, buf, sizeof(buf), &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, strlen(content));
	T_EQ(c.pc, ARRAY_SIZE(cat_prog) - 1);
	T_EQ(c.insns, ARRAY_SIZE(cat_prog));
	T_EQ(c.reg_base, 20);
	T_EQ(c.nregs, 16);
	T_CHECK((__s64)t_reg(&c, 20) >= 0);
	T_EQ(t_reg(&c, 23), 0);
	T_EQ(t_reg(&c, 24), strlen(content));
	T_EQ(t_reg(&c, 28), strlen(content));
	T_EQ(t_reg(&c, 30), 0);
	T_EQ(st.st_size, strlen(content));
	T_CHECK(!memcmp(buf, content, strlen(content)));
	/* The block closed the fd it opened. */
	T_EQ(fcntl((int)t_reg(&c, 20), F_GETFD), -1);
	unlink(path);
	free(path);
	return T_EXIT_PASS;
}

/* A failing openat stops the chain: nothing after it runs. */
static int test_missing_file(struct sysring *ring, int idx)
{
	char buf[16];
	struct stat st;
	struct t_cqe c;
	int ret;

	memset(buf, 'x', sizeof(buf));
	ret = run_cat(ring, idx, "/nonexistent/sysring", &st, buf,
		      sizeof(buf), &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_ERROR, -ENOENT);
	T_EQ(c.pc, CAT_OPENAT_PC);
	T_EQ(c.insns, CAT_OPENAT_PC + 1);
	T_EQ(buf[0], 'x');
	return T_EXIT_PASS;
}

/* Two syscalls in one inline block: getppid() + getpid(). */
static int test_inline_pair(struct sysring *ring)
{
	static const struct sysring_insn insns[] = {
		SR_SYS(1, __NR_getppid, 0, 0),
		SR_SYS(2, __NR_getpid, 0, 0),
		SR_MOV(0, 1),
		SR_ADD(0, 2),
		SR_EXIT(0),
	};
	struct t_cqe c;
	int ret;

	ret = t_run_insns(ring, insns, ARRAY_SIZE(insns), 0, NULL, 0, &c);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, getppid() + getpid());
	T_EQ(t_reg(&c, 1), getppid());
	T_EQ(t_reg(&c, 2), getpid());
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring_prog_reg reg;
	struct sysring ring;
	int idx;

	t_ring_init_snap(&ring, 4, 16);
	T_RUN(test_inline_pair, &ring);
	t_require_features(&ring, SYSRING_FEAT_PROGS, "registered programs");
	idx = sysring_register_prog(&ring, cat_prog, ARRAY_SIZE(cat_prog),
				    &reg);
	if (idx < 0) {
		fprintf(stderr, "register: %s (reason %u at %u)\n",
			strerror(-idx), reg.reason, reg.pc);
		return T_EXIT_FAIL;
	}
	T_RUN(test_cat, &ring, idx);
	T_RUN(test_missing_file, &ring, idx);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
