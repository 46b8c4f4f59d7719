/* SPDX-License-Identifier: MIT */
/* Description: /proc/self/fdinfo of a ring shows its entries, indices, programs and workers */
#include <stdio.h>
#include <string.h>

#include "helpers.h"

/* The value of @key in the ring's fdinfo, or -1. */
static long fdinfo(const struct sysring *ring, const char *key)
{
	char path[64], line[128];
	size_t len = strlen(key);
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ring->ring_fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			sscanf(line + len + 1, "%ld", &val);
	if (f)
		fclose(f);
	return val;
}

int main(void)
{
	static const struct sysring_insn prog[] = { SR_EXIT(0) };
	struct sysring_params p;
	struct sysring ring;
	struct t_cqe c[3];
	unsigned int i;

	memset(&p, 0, sizeof(p));
	p.snap_regs = 4;
	p.max_workers = 3;
	t_ring_init(&ring, 8, &p);
	if (ring.features & SYSRING_FEAT_USER_BACKEND) {
		printf("the userspace backend's ring is a memfd: no fdinfo\n");
		return T_EXIT_SKIP;
	}

	T_EQ(fdinfo(&ring, "SqEntries"), 8);
	T_EQ(fdinfo(&ring, "CqEntries"), 16);
	T_EQ(fdinfo(&ring, "SnapRegs"), 4);
	T_EQ(fdinfo(&ring, "Budget"), SYSRING_DEFAULT_BUDGET);
	T_EQ(fdinfo(&ring, "MaxWorkers"), 3);
	T_EQ(fdinfo(&ring, "Programs"), 0);

	T_CHECK(sysring_register_prog(&ring, prog, 1, NULL) >= 0);
	T_CHECK(sysring_register_prog(&ring, prog, 1, NULL) >= 0);
	T_EQ(fdinfo(&ring, "Programs"), 2);

	for (i = 0; i < 3; i++) {
		struct sysring_sqe *sqe = t_get_sqe(&ring);

		sysring_prep_nop(sqe);
		sysring_sqe_set_data64(sqe, i);
	}
	T_EQ(t_submit_reap(&ring, c, 3), T_EXIT_PASS);
	T_EQ(fdinfo(&ring, "SqHead"), 3);
	T_EQ(fdinfo(&ring, "SqTail"), 3);
	T_EQ(fdinfo(&ring, "CqTail"), 3);
	T_EQ(fdinfo(&ring, "CqHead"), 3);
	T_EQ(fdinfo(&ring, "CqReserved"), 0);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
