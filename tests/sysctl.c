/* SPDX-License-Identifier: MIT */
/* Description: kernel.sysring_disabled and kernel.sysring_group: 0 lets anyone create rings, 1 only CAP_SYS_ADMIN and the group's members, 2 nobody (EPERM); bad values are refused, existing rings keep working, the original values are restored */
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define DISABLED	"/proc/sys/kernel/sysring_disabled"
#define GROUP		"/proc/sys/kernel/sysring_group"
#define NOBODY		65534
#define OTHER_GID	12345

static int read_int(const char *path, int *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%d", v) == 1;
	fclose(f);
	return ok ? 0 : -EIO;
}

/* Write @s to @path: 0 or -errno. */
static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int write_int(const char *path, int v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", v);
	return write_str(path, buf);
}

/* sysring_setup as the caller is: 0, or its -errno. */
static int try_setup(void)
{
	struct sysring ring;
	int ret = sysring_queue_init(4, &ring, 0);

	if (!ret)
		sysring_queue_exit(&ring);
	return ret;
}

/*
 * sysring_setup in a child running as nobody with group @gid and the
 * supplementary groups @groups: 0, or its -errno; -1000 when the child
 * could not drop privileges.
 */
static int try_setup_as(gid_t gid, const gid_t *groups, int ngroups)
{
	int status, ret;
	pid_t pid = fork();

	if (pid < 0)
		return -1000;
	if (!pid) {
		if (setgroups(ngroups, groups) || setgid(gid) ||
		    setuid(NOBODY) || !getuid() || !geteuid())
			_exit(255);
		ret = try_setup();
		_exit(ret == -EPERM ? 1 : ret ? 2 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1000;
	switch (WEXITSTATUS(status)) {
	case 0:
		return 0;
	case 1:
		return -EPERM;
	case 255:
		return -1000;
	default:
		return -EINVAL;
	}
}

static int test_values(void)
{
	static const char *const bad[] = { "3", "-1", "100", "x" };
	unsigned i;
	int v;

	for (i = 0; i < 3; i++) {
		T_EQ(write_int(DISABLED, i), 0);
		T_EQ(read_int(DISABLED, &v), 0);
		T_EQ(v, i);
	}
	T_EQ(write_int(DISABLED, 1), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		T_EQ(write_str(DISABLED, bad[i]), -EINVAL);
		T_EQ(read_int(DISABLED, &v), 0);
		T_EQ(v, 1);
	}
	return T_EXIT_PASS;
}

static int test_policy(void)
{
	const gid_t nobody_grp[] = { NOBODY };
	struct sysring ring;
	struct sysring_sqe *sqe;
	struct t_cqe c[1];

	/* 0: anyone. */
	T_EQ(write_int(DISABLED, 0), 0);
	T_EQ(write_int(GROUP, -1), 0);
	T_EQ(try_setup(), 0);
	T_EQ(try_setup_as(OTHER_GID, NULL, 0), 0);

	/* 1: CAP_SYS_ADMIN, or the group (effective or supplementary). */
	T_EQ(write_int(DISABLED, 1), 0);
	T_EQ(try_setup(), 0);
	T_EQ(try_setup_as(OTHER_GID, NULL, 0), -EPERM);
	T_EQ(try_setup_as(NOBODY, NULL, 0), -EPERM);	/* no group set */
	T_EQ(write_int(GROUP, NOBODY), 0);
	T_EQ(try_setup_as(NOBODY, NULL, 0), 0);
	T_EQ(try_setup_as(OTHER_GID, nobody_grp, 1), 0);
	T_EQ(try_setup_as(OTHER_GID, NULL, 0), -EPERM);

	/* 2: nobody, not even root; a ring made before keeps working. */
	T_EQ(write_int(DISABLED, 0), 0);
	t_ring_init(&ring, 4, NULL);
	T_EQ(write_int(DISABLED, 2), 0);
	T_EQ(try_setup(), -EPERM);
	T_EQ(try_setup_as(NOBODY, nobody_grp, 1), -EPERM);
	sqe = t_get_sqe(&ring);
	sysring_prep_getppid(sqe);
	sysring_sqe_set_data64(sqe, 0);
	T_EQ(t_submit_reap(&ring, c, 1), 0);
	T_EXPECT(&c[0], SYSRING_STATUS_EXIT, getppid());
	sysring_queue_exit(&ring);
	return T_EXIT_PASS;
}

int main(void)
{
	struct sysring ring;
	int disabled, group, ret;

	t_ring_init(&ring, 4, NULL);
	if (ring.features & SYSRING_FEAT_USER_BACKEND) {
		printf("the userspace backend has no sysctls\n");
		return T_EXIT_SKIP;
	}
	sysring_queue_exit(&ring);
	if (geteuid()) {
		printf("needs root to change sysctls\n");
		return T_EXIT_SKIP;
	}
	if (read_int(DISABLED, &disabled) || read_int(GROUP, &group)) {
		printf("no %s (a kernel without CONFIG_SYSCTL)\n", DISABLED);
		return T_EXIT_SKIP;
	}

	ret = test_values();
	if (!ret)
		ret = test_policy();
	/* Whatever happened, leave the system as it was. */
	if (write_int(DISABLED, disabled) || write_int(GROUP, group)) {
		fprintf(stderr, "could not restore the sysctls\n");
		ret = T_EXIT_FAIL;
	}
	return ret;
}
