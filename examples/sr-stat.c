// SPDX-License-Identifier: MIT
/*
 * Description: stat(1) for many files with one system call: one block per
 * file, all submitted and reaped with a single sysring_enter().
 *
 *   sr-stat FILE...
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sysring.h"

int main(int argc, char **argv)
{
	unsigned int n = argc - 1, i;
	struct sysring_cqe *cqe;
	struct sysring ring;
	struct stat *st;
	int ret, failed = 0;

	if (argc < 2 || n > SYSRING_MAX_ENTRIES) {
		fprintf(stderr, "usage: %s FILE... (at most %u)\n", argv[0],
			SYSRING_MAX_ENTRIES);
		return 2;
	}
	st = calloc(n, sizeof(*st));
	ret = st ? sysring_queue_init(n, &ring, 0) : -ENOMEM;
	if (ret < 0) {
		fprintf(stderr, "sr-stat: %s\n", strerror(-ret));
		return 1;
	}

	/* One newfstatat(AT_FDCWD, path, &st[i], 0) block per file. */
	for (i = 0; i < n; i++) {
		struct sysring_sqe *sqe = sysring_get_sqe(&ring);

		sysring_prep_syscall(sqe, __NR_newfstatat, 4, (__u64)AT_FDCWD,
				     (__u64)(unsigned long)argv[i + 1],
				     (__u64)(unsigned long)&st[i], 0, 0, 0);
		sysring_sqe_set_data64(sqe, i);
	}
	ret = sysring_submit_and_wait(&ring, n);
	if (ret < 0) {
		fprintf(stderr, "sr-stat: %s\n", strerror(-ret));
		return 1;
	}

	for (i = 0; i < n; i++) {
		ret = sysring_wait_cqe(&ring, &cqe);
		if (ret < 0)
			return 1;
		if (cqe->status == SYSRING_STATUS_EXIT) {
			const struct stat *s = &st[cqe->user_data];

			printf("%10lld  %06o  %s\n", (long long)s->st_size,
			       (unsigned int)s->st_mode, argv[cqe->user_data + 1]);
		} else {
			printf("%s: %s\n", argv[cqe->user_data + 1],
			       strerror((int)-cqe->res));
			failed = 1;
		}
		sysring_cqe_seen(&ring, cqe);
	}
	fprintf(stderr, "sr-stat: %u files, 1 submission\n", n);
	sysring_queue_exit(&ring);
	free(st);
	return failed;
}
