/* SPDX-License-Identifier: MIT */
/* Description: one-syscall blocks: getppid, write and pread through the typed prep helpers */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static int test_getppid(struct sysring *ring)
{
	struct sysring_sqe *sqe = t_get_sqe(ring);
	struct t_cqe c;
	int ret;

	sysring_prep_getppid(sqe);
	sysring_sqe_set_data64(sqe, 0);
	ret = t_submit_reap(ring, &c, 1);
	if (ret)
		return ret;
	T_EXPECT(&c, SYSRING_STATUS_EXIT, getppid());
	T_EQ(c.pc, 1);		/* the EXIT after the SYS */
	T_EQ(c.insns, 2);
	T_EQ(t_reg(&c, 0), getppid());
	return T_EXIT_PASS;
}

/* write through a pipe, then pread a file: results are byte counts. */
static int test_io(struct sysring *ring)
{
	static const char msg[] = "sysring says hello";
	char buf[64], *path;
	struct sysring_sqe *sqe;
	struct t_cqe c[2];
	int fds[2], fd, ret;

	T_CHECK(!pipe(fds));
	path = t_tmpfile("0123456789", 10);
	fd = open(path, O_RDONLY);
	T_CHECK(fd >= 0);

	sqe = t_get_sqe(ring);
	sysring_prep_write(sqe, fds[1], msg, sizeof(msg));
	sysring_sqe_set_data64(sqe, 0);
	sqe = t_get_sqe(ring);
	memset(buf, 0, sizeof(buf));
	sysring_prep_pread(sqe, fd, buf, 4, 3);
	sysring_sqe_set_data64(sqe, 1);
	ret = t_submit_reap(ring, c, 2);
	if (ret)
		return ret;
	T_EXPECT(&c[0], SYSRING_STATUS_EXIT, sizeof(msg));
	T_EXPECT(&c[1], SYSRING_STATUS_EXIT, 4);
	T_CHECK(!memcmp(buf, "3456", 4));
	T_EQ(read(fds[0], buf, sizeof(buf)), sizeof(msg));
	T_CHECK(!memcmp(buf, msg, sizeof(msg)));

	close(fd);
	close(fds[0]);
	close(fds[1]);
	unlink(path);
	free(path);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;

	t_ring_init_snap(&ring, 8, 4);
	T_RUN(test_getppid, &ring);
	T_RUN(test_io, &ring);
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}
