// SPDX-License-Identifier: MIT
/*
 * The userspace backend: sysring_setup/enter/register implemented in the
 * library with the kernel's own VM core (check.c, vm.c, submit.c and
 * params.c, built from linux/sysring/), for kernels without sysring or on
 * request (SYSRING_BACKEND=user).
 *
 * A ring is a memfd laid out like the kernel's mapping (rings at
 * SYSRING_OFF_RINGS, SQEs at SYSRING_OFF_SQES), so the library maps it the
 * same way.  Blocks run in the thread that calls enter; their system calls
 * are ordinary syscall(2)s.  Differences from the kernel are documented in
 * sysring(7): no kernel-side seccomp or memory charging, user memory
 * reached through process_vm_readv/writev, slower.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm.h"
#include "backend.h"

#define SYSRING_USER_PAGE	4096UL
#define SYSRING_USER_ALIGN(n)	(((n) + SYSRING_USER_PAGE - 1) & ~(SYSRING_USER_PAGE - 1))

struct sysring_user {
	struct sysring_exec	ex;
	pthread_mutex_t		lock;	/* serialises enter and register */
	pthread_cond_t		cq_wait;
	int			fd;
	dev_t			dev;	/* identify the memfd behind fd */
	ino_t			ino;
	size_t			rings_size;
	size_t			sqes_size;
	struct sysring_vm	vm;
	struct sysring_prog	*progs[SYSRING_MAX_PROGS];
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sysring_user **table;
static int table_len;

/* The ring behind @fd, if it is still the memfd we created for it. */
static struct sysring_user *sysring_user_find(int fd)
{
	struct sysring_user *u = NULL;
	struct stat st;

	pthread_mutex_lock(&table_lock);
	if (fd >= 0 && fd < table_len)
		u = table[fd];
	pthread_mutex_unlock(&table_lock);
	if (u && (fstat(fd, &st) || st.st_dev != u->dev || st.st_ino != u->ino))
		return NULL;
	return u;
}

bool sysring_user_owns(int fd)
{
	return sysring_user_find(fd) != NULL;
}

static int sysring_user_insert(struct sysring_user *u)
{
	int ret = 0;

	pthread_mutex_lock(&table_lock);
	if (u->fd >= table_len) {
		int len = u->fd + 64;
		struct sysring_user **t = realloc(table, len * sizeof(*t));

		if (!t) {
			ret = -ENOMEM;
			goto out;
		}
		memset(t + table_len, 0, (len - table_len) * sizeof(*t));
		table = t;
		table_len = len;
	}
	table[u->fd] = u;
out:
	pthread_mutex_unlock(&table_lock);
	return ret;
}

static void sysring_user_free(struct sysring_user *u)
{
	unsigned int i;

	for (i = 0; i < SYSRING_MAX_PROGS; i++)
		free(u->progs[i]);
	if (u->ex.rings)
		munmap(u->ex.rings, u->rings_size);
	if (u->ex.sqes)
		munmap(u->ex.sqes, u->sqes_size);
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->cq_wait);
	free(u);
}

static int sysring_user_map(struct sysring_user *u)
{
	void *p;

	if (ftruncate(u->fd, SYSRING_OFF_SQES + u->sqes_size))
		return -errno;
	p = mmap(NULL, u->rings_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 u->fd, SYSRING_OFF_RINGS);
	if (p == MAP_FAILED)
		return -errno;
	u->ex.rings = p;
	p = mmap(NULL, u->sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 u->fd, SYSRING_OFF_SQES);
	if (p == MAP_FAILED)
		return -errno;
	u->ex.sqes = p;
	return 0;
}

int sysring_user_setup(unsigned int entries, struct sysring_params *p)
{
	struct sysring_params kp;
	struct sysring_user *u;
	struct stat st;
	int ret;

	if (sysring_env_load(&kp, (u64)(uintptr_t)p, sizeof(kp)))
		return -EFAULT;
	ret = sysring_params_check(entries, &kp);
	if (ret)
		return ret;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->cq_wait, NULL);
	sysring_exec_init(&u->ex, &kp);
	u->ex.vm = &u->vm;
	u->vm.env = u;
	u->rings_size = SYSRING_USER_ALIGN(sysring_rings_bytes(&u->ex));
	u->sqes_size = SYSRING_USER_ALIGN(sysring_sqes_bytes(&u->ex));

	u->fd = memfd_create("[sysring-user]", MFD_CLOEXEC);
	if (u->fd < 0) {
		ret = -errno;
		free(u);
		return ret;
	}
	ret = sysring_user_map(u);
	if (!ret && fstat(u->fd, &st))
		ret = -errno;
	if (!ret) {
		u->dev = st.st_dev;
		u->ino = st.st_ino;
		ret = sysring_user_insert(u);
	}
	if (ret) {
		close(u->fd);
		sysring_user_free(u);
		return ret;
	}
	sysring_rings_init(&u->ex);

	sysring_params_fill(&u->ex, &kp);
	kp.features = SYSRING_FEAT_INLINE | SYSRING_FEAT_PROGS |
		      SYSRING_FEAT_LINK | SYSRING_FEAT_USER_BACKEND;
	kp.rings_size = u->rings_size;
	kp.sqes_size = u->sqes_size;
	if (sysring_env_store((u64)(uintptr_t)p, &kp, sizeof(kp))) {
		sysring_user_release(u->fd);
		close(u->fd);
		return -EFAULT;
	}
	return u->fd;
}

void sysring_user_release(int fd)
{
	struct sysring_user *u = sysring_user_find(fd);

	if (!u)
		return;
	pthread_mutex_lock(&table_lock);
	table[fd] = NULL;
	pthread_mutex_unlock(&table_lock);
	sysring_user_free(u);
}

static unsigned int sysring_user_cq_ready(struct sysring_user *u)
{
	return u->ex.cached_cq_tail - READ_ONCE(u->ex.rings->cq_head);
}

int sysring_user_enter(int fd, unsigned int to_submit,
		       unsigned int min_complete, unsigned int flags)
{
	struct sysring_user *u = sysring_user_find(fd);
	int ret = 0;

	if (!u)
		return -EBADF;
	if (flags & ~SYSRING_ENTER_FLAGS)
		return -EINVAL;

	pthread_mutex_lock(&u->lock);
	if (to_submit) {
		ret = sysring_exec_submit(&u->ex, to_submit);
		if (ret > 0)
			pthread_cond_broadcast(&u->cq_wait);
	}
	if (ret >= 0 && (flags & SYSRING_ENTER_GETEVENTS) && min_complete) {
		unsigned int want = min_t(unsigned int, min_complete,
					  u->ex.cq_entries);

		/* Only another thread's submission can post more. */
		while (sysring_user_cq_ready(u) < want)
			pthread_cond_wait(&u->cq_wait, &u->lock);
	}
	pthread_mutex_unlock(&u->lock);
	return ret;
}

static int sysring_user_add_prog(struct sysring_user *u,
				 struct sysring_prog_reg *reg)
{
	struct sysring_prog *prog;
	u32 bad_pc = 0;
	int reason, i;

	if (reg->flags || !mem_is_zero(reg->__resv, sizeof(reg->__resv)))
		return -EINVAL;
	if (reg->len > SYSRING_MAX_PROG_INSNS) {
		reason = SYSRING_CHECK_TOO_LONG;
		goto rejected;
	}
	prog = malloc(sizeof(*prog) + reg->len * sizeof(prog->insns[0]));
	if (!prog)
		return -ENOMEM;
	prog->len = reg->len;
	if (sysring_env_load(prog->insns, reg->insns,
			     reg->len * sizeof(prog->insns[0]))) {
		free(prog);
		return -EFAULT;
	}
	reason = sysring_check(prog->insns, reg->len, SYSRING_MAX_PROG_INSNS,
			       &bad_pc);
	if (reason != SYSRING_CHECK_OK) {
		free(prog);
		goto rejected;
	}
	prog->footprint = sysring_prog_footprint(prog->insns, reg->len);
	for (i = 0; i < SYSRING_MAX_PROGS; i++) {
		if (!u->progs[i]) {
			u->progs[i] = prog;
			reg->index = i;
			reg->reason = SYSRING_CHECK_OK;
			reg->pc = 0;
			return i;
		}
	}
	free(prog);
	return -ENOSPC;

rejected:
	reg->reason = reason;
	reg->pc = bad_pc;
	return -EINVAL;
}

/* Like the kernel's copy_{from,to}_user: a bad pointer is -EFAULT. */
static int sysring_user_register_prog(struct sysring_user *u, u64 uarg)
{
	struct sysring_prog_reg r, *reg = &r;
	int ret;

	if (sysring_env_load(reg, uarg, sizeof(*reg)))
		return -EFAULT;
	ret = sysring_user_add_prog(u, reg);
	if ((ret >= 0 || ret == -EINVAL) &&
	    sysring_env_store(uarg, reg, sizeof(*reg)))
		return -EFAULT;
	return ret;
}

static int sysring_user_probe(u64 uarg)
{
	struct sysring_probe p, *probe = &p;
	unsigned int i;

	if (sysring_env_load(probe, uarg, sizeof(*probe)))
		return -EFAULT;
	if (!mem_is_zero(probe, sizeof(*probe)))
		return -EINVAL;
	for (i = 0; i < 256; i++)
		if (sysring_op_valid(i))
			probe->ops[i / 64] |= 1ULL << (i % 64);
	for (i = 0; i < SYSRING_PROBE_SYSCALLS; i++)
		if (sysring_syscall_allowed(i))
			probe->syscalls[i / 64] |= 1ULL << (i % 64);
	probe->max_prog_insns = SYSRING_MAX_PROG_INSNS;
	probe->max_progs = SYSRING_MAX_PROGS;
	probe->max_budget = SYSRING_MAX_BUDGET;
	probe->max_entries = SYSRING_MAX_ENTRIES;
	return sysring_env_store(uarg, probe, sizeof(*probe)) ? -EFAULT : 0;
}

int sysring_user_register(int fd, unsigned int opcode, void *arg,
			  unsigned int nr_args)
{
	struct sysring_user *u = sysring_user_find(fd);
	int ret;

	if (!u)
		return -EBADF;
	if (opcode != SYSRING_UNREGISTER_PROG && nr_args != 1)
		return -EINVAL;

	pthread_mutex_lock(&u->lock);
	switch (opcode) {
	case SYSRING_REGISTER_PROG:
		ret = sysring_user_register_prog(u, (u64)(uintptr_t)arg);
		break;
	case SYSRING_UNREGISTER_PROG:
		if (arg) {
			ret = -EINVAL;
		} else if (nr_args >= SYSRING_MAX_PROGS || !u->progs[nr_args]) {
			ret = -ENOENT;
		} else {
			free(u->progs[nr_args]);
			u->progs[nr_args] = NULL;
			ret = 0;
		}
		break;
	case SYSRING_REGISTER_PROBE:
		ret = sysring_user_probe((u64)(uintptr_t)arg);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	pthread_mutex_unlock(&u->lock);
	return ret;
}

const struct sysring_prog *sysring_env_prog(struct sysring_exec *ex, u32 index)
{
	/* ex is the first member of struct sysring_user. */
	struct sysring_user *u = (struct sysring_user *)ex;

	return index < SYSRING_MAX_PROGS ? u->progs[index] : NULL;
}

long sysring_env_syscall(struct sysring_vm *vm, u32 nr, const u64 *a)
{
	long ret;

	(void)vm;
	ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	return ret == -1 ? -errno : ret;
}

bool sysring_env_should_stop(struct sysring_vm *vm)
{
	(void)vm;
	return false;
}
