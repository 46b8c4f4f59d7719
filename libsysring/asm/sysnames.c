// SPDX-License-Identifier: MIT
/*
 * Names of the system calls a SYS instruction may run, from the kernel's own
 * list (linux/sysring/allowlist.h).
 */
#include <string.h>
#include <sys/syscall.h>

#include "asm.h"

#define SYSRING_SYSCALL(name)	{ #name, __NR_##name },

static const struct {
	const char	*name;
	int		nr;
} sysring_asm_sysnames[] = {
#include "allowlist.h"
};

#undef SYSRING_SYSCALL

#define NR_SYSNAMES	(sizeof(sysring_asm_sysnames) / sizeof(sysring_asm_sysnames[0]))

/* The number of syscall @name (@len bytes), or -1. */
int sysring_asm_sysnr(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NR_SYSNAMES; i++) {
		if (strlen(sysring_asm_sysnames[i].name) == len &&
		    !memcmp(sysring_asm_sysnames[i].name, name, len))
			return sysring_asm_sysnames[i].nr;
	}
	return -1;
}

/* The name of syscall @nr, or NULL. */
const char *sysring_asm_sysname(int nr)
{
	size_t i;

	for (i = 0; i < NR_SYSNAMES; i++) {
		if (sysring_asm_sysnames[i].nr == nr)
			return sysring_asm_sysnames[i].name;
	}
	return NULL;
}
