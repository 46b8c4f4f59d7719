/* SPDX-License-Identifier: MIT */
/*
 * What the shared VM core (linux/sysring/{vm,check,opdef}.c) needs from a
 * userspace environment: kernel-style types and helpers, and user memory
 * access that reports a bad address instead of crashing.
 */
#ifndef SYSRING_ENV_H
#define SYSRING_ENV_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define BIT(n)		(1UL << (n))
#define le64_to_cpu(x)	le64toh(x)
#define cpu_to_le64(x)	htole64(x)
#define swab64(x)	__builtin_bswap64(x)
#define noinline	__attribute__((noinline))
#define __annotate_jump_table
#define min_t(type, a, b)	((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define max_t(type, a, b)	((type)(a) > (type)(b) ? (type)(a) : (type)(b))
#define max(a, b)	max_t(__typeof__(a), a, b)
#define max3(a, b, c)	max_t(__typeof__(a), max_t(__typeof__(a), a, b), c)
#define min3(a, b, c)	min_t(__typeof__(a), min_t(__typeof__(a), a, b), c)
#define ____cacheline_aligned_in_smp	__attribute__((aligned(64)))
#define __counted_by(member)
#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

#define U64_MAX		UINT64_MAX

/* The SQ flags word (struct sysring_rings.sq_flags), as the kernel's atomic_t. */
typedef struct {
	int counter;
} atomic_t;

static inline int atomic_read(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_or(int i, atomic_t *v)
{
	__atomic_fetch_or(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_andnot(int i, atomic_t *v)
{
	__atomic_fetch_and(&v->counter, ~i, __ATOMIC_RELAXED);
}

/* Reference counts (struct sysring_prog), as the kernel's refcount_t. */
typedef struct {
	int refs;
} refcount_t;

static inline void refcount_set(refcount_t *r, int n)
{
	__atomic_store_n(&r->refs, n, __ATOMIC_RELAXED);
}

static inline void refcount_inc(refcount_t *r)
{
	__atomic_fetch_add(&r->refs, 1, __ATOMIC_RELAXED);
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	return __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0;
}

#define struct_size_t(type, member, count)				\
	(sizeof(type) + sizeof(((type *)0)->member[0]) * (count))

static inline bool is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1 : 1UL << (64 - __builtin_clzl(n - 1));
}

static inline bool mem_is_zero(const void *s, size_t n)
{
	const unsigned char *p = s;

	while (n--)
		if (*p++)
			return false;
	return true;
}

/*
 * User memory in the userspace backend: the environment decides how a bad
 * address is caught (sysring_vm_user.c uses process_vm_readv/writev on
 * itself, which fail with EFAULT where the kernel's uaccess would fault).
 */
int sysring_env_load(void *dst, u64 uaddr, u32 size);
int sysring_env_store(u64 uaddr, const void *src, u32 size);

/* LD and ST: the kernel makes them one user access; here a copy will do. */
static inline int sysring_env_load_word(void *buf, u64 uaddr, u32 size)
{
	return sysring_env_load(buf, uaddr, size);
}

static inline int sysring_env_store_word(u64 uaddr, const void *buf, u32 size)
{
	return sysring_env_store(uaddr, buf, size);
}

void sysring_vm_impossible(unsigned int code);
/* A completion found no overflow entry: a broken invariant of cq.c. */
void sysring_cq_impossible(void);

#endif /* SYSRING_ENV_H */
