/* SPDX-License-Identifier: MIT */
/* Description: helpers shared by the sysring tests */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

void t_ring_init(struct sysring *ring, unsigned entries,
		 struct sysring_params *p)
{
	struct sysring_params def;
	int ret;

	if (!p) {
		memset(&def, 0, sizeof(def));
		p = &def;
	}
	ret = sysring_queue_init_params(entries, ring, p);
	if (ret == -ENOSYS) {
		printf("sysring not supported by this kernel (ENOSYS)\n");
		exit(T_EXIT_SKIP);
	}
	if (ret) {
		fprintf(stderr, "sysring_queue_init_params: %s\n",
			strerror(-ret));
		exit(T_EXIT_FAIL);
	}
}

void t_ring_init_snap(struct sysring *ring, unsigned entries,
		      unsigned snap_regs)
{
	struct sysring_params p;

	memset(&p, 0, sizeof(p));
	p.snap_regs = snap_regs;
	t_ring_init(ring, entries, &p);
}

void t_require_features(const struct sysring *ring, unsigned feat,
			const char *what)
{
	if ((ring->features & feat) != feat) {
		printf("kernel lacks %s\n", what);
		exit(T_EXIT_SKIP);
	}
}

struct sysring_sqe *t_get_sqe(struct sysring *ring)
{
	struct sysring_sqe *sqe = sysring_get_sqe(ring);

	if (!sqe) {
		fprintf(stderr, "sysring_get_sqe: SQ full\n");
		exit(T_EXIT_FAIL);
	}
	return sqe;
}

static int t_copy_cqe(const struct sysring_cqe *cqe, struct t_cqe *c)
{
	unsigned i;

	memset(c, 0, sizeof(*c));
	c->user_data = cqe->user_data;
	c->res = cqe->res;
	c->status = cqe->status;
	c->reason = cqe->reason;
	c->reg_base = cqe->reg_base;
	c->nregs = cqe->nregs;
	c->pc = cqe->pc;
	c->flags = cqe->flags;
	c->insns = cqe->insns;
	T_CHECK(cqe->nregs <= SYSRING_MAX_SNAP_REGS);
	for (i = 0; i < cqe->nregs; i++)
		T_CHECK(!sysring_cqe_reg(cqe, cqe->reg_base + i, &c->regs[i]));
	return T_EXIT_PASS;
}

int t_reap(struct sysring *ring, struct t_cqe *out, unsigned n)
{
	struct sysring_cqe *cqe;
	unsigned i, seen = 0;
	int ret;

	T_CHECK(n <= 32);	/* @seen is a bitmap */
	for (i = 0; i < n; i++) {
		ret = sysring_wait_cqe(ring, &cqe);
		if (ret) {
			fprintf(stderr, "sysring_wait_cqe: %s\n",
				strerror(-ret));
			return T_EXIT_FAIL;
		}
		if (cqe->user_data >= n || (seen & (1U << cqe->user_data))) {
			fprintf(stderr, "unexpected user_data %llu\n",
				(unsigned long long)cqe->user_data);
			return T_EXIT_FAIL;
		}
		seen |= 1U << cqe->user_data;
		ret = t_copy_cqe(cqe, &out[cqe->user_data]);
		sysring_cqe_seen(ring, cqe);
		if (ret)
			return ret;
	}
	return T_EXIT_PASS;
}

int t_submit_reap(struct sysring *ring, struct t_cqe *out, unsigned n)
{
	int ret = sysring_submit_and_wait(ring, n);

	if (ret != (int)n) {
		fprintf(stderr, "sysring_submit_and_wait: %d, expected %u\n",
			ret, n);
		return T_EXIT_FAIL;
	}
	return t_reap(ring, out, n);
}

int t_run_insns(struct sysring *ring, const struct sysring_insn *insns,
		unsigned ninsns, unsigned base, const __u64 *regs,
		unsigned nregs, struct t_cqe *out)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);

	sysring_prep_insns(sqe, insns, ninsns);
	sysring_sqe_set_regs(sqe, base, regs, nregs);
	return t_submit_reap(ring, out, 1);
}

__u64 t_reg(const struct t_cqe *c, unsigned regno)
{
	unsigned i = regno - c->reg_base;

	if (regno < c->reg_base || i >= c->nregs) {
		fprintf(stderr, "r%u is not in the snapshot r%u..+%u\n",
			regno, c->reg_base, c->nregs);
		return T_POISON;
	}
	return c->regs[i];
}

char *t_tmpfile(const void *data, size_t len)
{
	char *path = strdup("/tmp/sysring-test.XXXXXX");
	int fd = path ? mkstemp(path) : -1;

	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror("t_tmpfile");
		exit(T_EXIT_FAIL);
	}
	close(fd);
	return path;
}

double t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void t_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}
