/* SPDX-License-Identifier: MIT */
#ifndef LIBSYSRING_BACKEND_H
#define LIBSYSRING_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include "sysring.h"

int sysring_user_setup(unsigned int entries, struct sysring_params *p);
int sysring_user_enter(int fd, unsigned int to_submit,
		       unsigned int min_complete, unsigned int flags,
		       const void *argp, size_t argsz);
int sysring_user_register(int fd, unsigned int opcode, void *arg,
			  unsigned int nr_args);
bool sysring_user_owns(int fd);
void sysring_user_release(int fd);

#endif /* LIBSYSRING_BACKEND_H */
