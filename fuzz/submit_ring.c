// SPDX-License-Identifier: GPL-2.0
/*
 * submit_ring: sysring_exec_submit() on a ring in plain memory, driven by a
 * hostile user.  The SQEs (flags, sizes, register windows, budgets, program
 * indices, instructions), to_submit and the user-owned indices sq_tail and
 * cq_head are all fuzzed; the kernel-owned sq_head and cq_tail start
 * anywhere in u32 space (wrap-around); and while blocks run, their SYS
 * stubs may rewrite the ring as a second user thread could.  Each call
 * flushes the overflow list first, as sysring_enter(2) does, and overflow
 * entries may fail to be allocated.  Checked: no access outside the ring
 * (ASan) and no overflow entry leaked (LeakSanitizer), nothing written but
 * sq_head, cq_tail, the overflow flag and the CQE slots of this call, one
 * CQE per consumed SQE (in the CQ, or on the overflow list behind those
 * already there), no CQE over an unconsumed one, the flush's order, the
 * return value, and each CQE's contents.
 */
#include "gen.h"

#define RING_MAX_ENTRIES	64
#define RING_MAX_CALLS		4

static struct {
	struct sysring_exec	ex;
	struct sysring_rings	*rings;
	struct sysring_sqe	*sqes;
	u8			*rings_snap;	/* what the user expects there */
	struct sysring_sqe	*sqes_snap;
	size_t			rings_bytes, sqes_bytes;
	bool			cq_head_moved;	/* by the hostile hook */
	u64			digest;		/* of every CQE and return */
} rs;

static struct {
	u64	calls, busy, nomem, cqes, overflowed, flushed, hook_acts;
	u64	status[__SYSRING_STATUS_MAX];
} st;

static void submit_stats(void)
{
	if (!st.calls)
		return;
	fprintf(stderr, "submit_ring: %llu submits, %llu -EBUSY, %llu -ENOMEM, %llu hostile rewrites,"
		" %llu CQEs (%llu overflowed, %llu flushed):"
		" exit %llu error %llu fault %llu budget %llu canceled %llu invalid %llu\n",
		(unsigned long long)st.calls, (unsigned long long)st.busy,
		(unsigned long long)st.nomem,
		(unsigned long long)st.hook_acts, (unsigned long long)st.cqes,
		(unsigned long long)st.overflowed,
		(unsigned long long)st.flushed,
		(unsigned long long)st.status[0], (unsigned long long)st.status[1],
		(unsigned long long)st.status[2], (unsigned long long)st.status[3],
		(unsigned long long)st.status[4], (unsigned long long)st.status[5]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	atexit(submit_stats);
	return 0;
}

static void set_sq_tail(u32 v)
{
	rs.rings->sq_tail = v;
	((struct sysring_rings *)rs.rings_snap)->sq_tail = v;
}

static void set_cq_head(u32 v)
{
	rs.rings->cq_head = v;
	((struct sysring_rings *)rs.rings_snap)->cq_head = v;
}

/* A second user thread, acting while a block is inside a syscall. */
static void hostile_hook(u32 nr, const u64 *args)
{
	struct fz *f = &fuzz_env.sys;
	u32 k = fz_u8(f) % rs.ex.sq_entries;
	struct sysring_sqe *sqe = &rs.sqes[k];
	u8 act = fz_u8(f);

	(void)nr;
	(void)args;
	if (act < 200)
		return;
	st.hook_acts++;
	switch (act % 6) {
	case 0:		/* split or join chains not yet started */
		sqe->flags ^= SYSRING_SQE_LINK << (fz_u8(f) % 3);
		rs.sqes_snap[k].flags = sqe->flags;
		break;
	case 1:
		set_sq_tail(fz_u32(f));
		break;
	case 2:
		set_cq_head(fz_u32(f));
		rs.cq_head_moved = true;
		break;
	case 3:		/* the kernel's own indices: it must not read them back */
		rs.rings->sq_head = fz_u32(f);
		rs.rings->cq_tail = fz_u32(f);
		break;
	case 4:
		memset(sqe->insns, fz_u8(f), sizeof(sqe->insns));
		memcpy(rs.sqes_snap[k].insns, sqe->insns, sizeof(sqe->insns));
		break;
	default:
		sqe->ninsns = fz_u8(f);
		sqe->prog = fz_u8(f) % 8;
		rs.sqes_snap[k].ninsns = sqe->ninsns;
		rs.sqes_snap[k].prog = sqe->prog;
		break;
	}
}

static void gen_sqe(struct fz *f, struct sysring_sqe *sqe)
{
	u8 b = fz_u8(f);
	u32 i;

	memset(sqe, 0, sizeof(*sqe));
	sqe->user_data = fz_u64(f);
	sqe->flags = b < 240 ? b & 0x0f : fz_u16(f);
	if (sqe->flags & SYSRING_SQE_PROG) {
		b = fz_u8(f);
		sqe->prog = b < 240 ? b % (FUZZ_MAX_PROGS + 1) : fz_u32(f);
		if (b == 255)
			sqe->ninsns = 1;
	} else {
		b = fz_u8(f);
		if (b < 230)
			sqe->ninsns = gen_program(f, sqe->insns,
						  SYSRING_SQE_INSNS);
		else if (b < 240)
			sqe->ninsns = 0;
		else
			sqe->ninsns = fz_u8(f);
		if (b >= 250)	/* junk after the used ones */
			sqe->insns[SYSRING_SQE_INSNS - 1].imm = 1;
		if (b == 249)
			sqe->prog = 1;
	}
	b = fz_u8(f);
	sqe->nregs = b < 240 ? b % (SYSRING_SQE_REGS + 1) : fz_u8(f);
	b = fz_u8(f);
	sqe->reg_base = b < 192 ? 0 : b < 240 ? 250 + b % 6 : fz_u8(f);
	for (i = 0; i < SYSRING_SQE_REGS; i++)
		if (i < sqe->nregs || fz_u8(f) >= 250)
			sqe->regs[i] = i & 1 ? gen_len(f) : gen_addr(f);
	b = fz_u8(f);
	sqe->snap_base = b < 192 ? 0 : b < 240 ? 192 + b % 64 : fz_u8(f);
	b = fz_u8(f);
	sqe->budget = b < 128 ? 0 : b < 250 ? 1 + fz_u16(f) % 1024 :
		      b < 254 ? SYSRING_MAX_BUDGET + (b & 1) : fz_u32(f);
	/* A 16M budget per SQE is legal but too slow to fuzz with. */
	if (sqe->budget > 4096 && sqe->budget <= SYSRING_MAX_BUDGET)
		sqe->budget = 4096;
	if (fz_u8(f) >= 252) {
		sqe->__resv1 = 1;
		sqe->__resv2 = fz_u8(f) & 1;
	}
}

static void check_cqe(const struct sysring_cqe *cqe,
		      const struct sysring_sqe *sqe)
{
	u32 budget = sqe->budget ?: rs.ex.budget;
	u32 nregs = min_t(u32, rs.ex.snap_regs,
			  SYSRING_NR_REGS - sqe->snap_base);
	u32 i;

	FUZZ_ASSERT(cqe->user_data == sqe->user_data);
	if (cqe->status < __SYSRING_STATUS_MAX)
		st.status[cqe->status]++;
	FUZZ_ASSERT(cqe->status < __SYSRING_STATUS_MAX);
	FUZZ_ASSERT(cqe->reason < __SYSRING_CHECK_MAX);
	FUZZ_ASSERT(cqe->reg_base == sqe->snap_base && cqe->nregs == nregs);
	FUZZ_ASSERT(cqe->flags == 0 && cqe->__resv == 0);
	for (i = nregs; i < rs.ex.snap_regs; i++)
		FUZZ_ASSERT(cqe->regs[i] == 0);
	switch (cqe->status) {
	case SYSRING_STATUS_INVALID:
		FUZZ_ASSERT(cqe->res == -EINVAL || cqe->res == -ENOENT);
		FUZZ_ASSERT(cqe->insns == 0);
		FUZZ_ASSERT(!cqe->reason || cqe->res == -EINVAL);
		FUZZ_ASSERT(cqe->pc < SYSRING_SQE_INSNS);
		break;
	case SYSRING_STATUS_CANCELED:
		/* should_stop() is never true here: only a failed link. */
		FUZZ_ASSERT(cqe->res == -ECANCELED && cqe->insns == 0);
		FUZZ_ASSERT(cqe->reason == 0);
		break;
	case SYSRING_STATUS_BUDGET:
		FUZZ_ASSERT(cqe->res == -ETIME && cqe->insns == budget);
		FUZZ_ASSERT(sqe->budget <= SYSRING_MAX_BUDGET);
		break;
	default:
		FUZZ_ASSERT(cqe->reason == 0);
		FUZZ_ASSERT(cqe->insns >= 1 && cqe->insns <= budget);
		FUZZ_ASSERT(sqe->budget <= SYSRING_MAX_BUDGET);
		break;
	}
}

static struct sysring_cqe *cq_slot(u32 idx)
{
	return (void *)&rs.rings->cqes[(idx & (rs.ex.cq_entries - 1)) *
				       rs.ex.cqe_size];
}

/* Entry @i of the overflow list (0: the oldest). */
static struct sysring_ovf *ovf_at(u32 i)
{
	struct sysring_ovf *ovf = rs.ex.ovf_head;

	while (i--)
		ovf = ovf->next;
	return ovf;
}

static bool overflow_flag(void)
{
	return atomic_read(&rs.rings->sq_flags) & SYSRING_SQ_CQ_OVERFLOW;
}

/*
 * What sysring_enter(2) does first: move the overflow list into the CQ as
 * far as it fits, oldest first, and clear the flag once it is empty.
 */
static void flush_once(void)
{
	struct sysring_exec *ex = &rs.ex;
	u32 n0 = ex->nr_ovf, cqt0 = ex->cached_cq_tail;
	u32 room, moved, i;
	u8 *want;

	room = sysring_cq_room(ex);
	moved = min_t(u32, n0, room);
	want = malloc((size_t)moved * ex->cqe_size + 1);
	FUZZ_ASSERT(want);
	for (i = 0; i < moved; i++)
		memcpy(&want[i * ex->cqe_size], ovf_at(i)->cqe, ex->cqe_size);
	while (sysring_cq_flush(ex))
		;
	FUZZ_ASSERT(ex->cached_cq_tail - cqt0 == moved);
	FUZZ_ASSERT(ex->nr_ovf == n0 - moved && ex->nr_spare == moved);
	FUZZ_ASSERT(!ex->nr_ovf == !ex->ovf_head);
	FUZZ_ASSERT(overflow_flag() == !!ex->nr_ovf);
	if (moved)
		FUZZ_ASSERT(rs.rings->cq_tail == ex->cached_cq_tail);
	for (i = 0; i < moved; i++)
		FUZZ_ASSERT(!memcmp(cq_slot(cqt0 + i), &want[i * ex->cqe_size],
				    ex->cqe_size));
	free(want);
	st.flushed += moved;
}

/* The CQE posted for the @i-th SQE consumed, in the CQ or on the list. */
static struct sysring_cqe *posted_cqe(u32 i, u32 cqt0, u32 in_cq, u32 ovf0)
{
	if (i < in_cq)
		return cq_slot(cqt0 + i);
	return (struct sysring_cqe *)ovf_at(ovf0 + i - in_cq)->cqe;
}

static void submit_once(struct fz *f)
{
	struct sysring_exec *ex = &rs.ex;
	struct sysring_rings *snap = (void *)rs.rings_snap;
	u32 head0, cqt0, ovf0, room0, queued, to_submit, eff, consumed, in_cq;
	u32 i, fail_after;
	bool head_sane;
	int flags0;
	u8 b = fz_u8(f);
	int ret;

	flush_once();
	head0 = ex->cached_sq_head;
	cqt0 = ex->cached_cq_tail;
	ovf0 = ex->nr_ovf;
	room0 = sysring_cq_room(ex);
	head_sane = cqt0 - rs.rings->cq_head <= ex->cq_entries;

	/* What the user queued and how much of it it asks to run. */
	set_sq_tail(b < 240 ? head0 + b % (ex->sq_entries + 3) : fz_u32(f));
	b = fz_u8(f);
	to_submit = b < 240 ? b % (ex->sq_entries + 3) : fz_u32(f);
	/* Now and then the allocator refuses an overflow entry. */
	b = fz_u8(f);
	fail_after = b >= 248 ? b - 247 : 0;
	fuzz_env.ovf_fail_at = fail_after ? fuzz_env.ovf_allocs + fail_after : 0;

	queued = min_t(u32, rs.rings->sq_tail - head0, ex->sq_entries);
	eff = min_t(u32, to_submit, queued);
	memcpy(rs.rings_snap, rs.rings, rs.rings_bytes);
	memcpy(rs.sqes_snap, rs.sqes, rs.sqes_bytes);
	rs.cq_head_moved = false;
	flags0 = atomic_read(&rs.rings->sq_flags);

	ret = sysring_exec_submit(ex, to_submit);

	consumed = ex->cached_sq_head - head0;
	in_cq = ex->cached_cq_tail - cqt0;
	rs.digest = rs.digest * 31 + (u32)ret;
	st.calls++;
	st.busy += ret == -EBUSY;
	st.nomem += ret == -ENOMEM;
	st.cqes += consumed;
	st.overflowed += ex->nr_ovf - ovf0;
	/* One CQE per consumed SQE, in the CQ or on the list, none lost. */
	FUZZ_ASSERT(in_cq + (ex->nr_ovf - ovf0) == consumed);
	FUZZ_ASSERT(consumed <= queued);
	FUZZ_ASSERT(!ex->cq_reserved && !ex->nr_spare);
	FUZZ_ASSERT(ex->nr_ovf <= sysring_cq_overflow_max(ex));
	if (ret == -EBUSY || ret == -ENOMEM) {
		FUZZ_ASSERT(eff && !consumed);
		/* Below the bound with an empty list, every chain fits. */
		FUZZ_ASSERT(ret == -ENOMEM || ovf0);
		FUZZ_ASSERT(ret == -EBUSY || fail_after);
	} else {
		FUZZ_ASSERT(ret >= 0 && (u32)ret == consumed);
		FUZZ_ASSERT(!ret == !eff);
	}
	/* Nothing overtakes what waits on the list. */
	if (ovf0)
		FUZZ_ASSERT(!in_cq);
	/*
	 * Never a CQE over one the user has not consumed, by a cq_head it
	 * published (one past the tail claims CQEs not posted yet: its own
	 * loss).
	 */
	if (!rs.cq_head_moved && head_sane)
		FUZZ_ASSERT(in_cq <= room0);
	/* Below the bound, and with memory, everything asked for is taken. */
	if (ovf0 + queued <= sysring_cq_overflow_max(ex) && !fail_after)
		FUZZ_ASSERT(consumed >= eff);
	FUZZ_ASSERT(ex->cached_cq_tail - ex->cached_cq_head <= ex->cq_entries);
	FUZZ_ASSERT(rs.rings->sq_head == ex->cached_sq_head);
	/* The last CQE posted into the CQ published the tail (a hook may
	 * scribble on it while later blocks run).
	 */
	if (in_cq && in_cq == consumed)
		FUZZ_ASSERT(rs.rings->cq_tail == ex->cached_cq_tail);
	/* The flag follows the list; the other bits are left alone. */
	FUZZ_ASSERT(overflow_flag() == !!ex->nr_ovf);
	FUZZ_ASSERT(!((atomic_read(&rs.rings->sq_flags) ^ flags0) &
		      ~SYSRING_SQ_CQ_OVERFLOW));

	/* The SQEs are the user's: never written. */
	FUZZ_ASSERT(!memcmp(rs.sqes_snap, rs.sqes, rs.sqes_bytes));
	/* In the rings: sq_head, cq_tail, the flags and this call's CQEs. */
	snap->sq_head = rs.rings->sq_head;
	snap->cq_tail = rs.rings->cq_tail;
	snap->sq_flags = rs.rings->sq_flags;
	for (i = 0; i < consumed; i++) {
		const struct sysring_cqe *cqe = posted_cqe(i, cqt0, in_cq, ovf0);

		check_cqe(cqe, &rs.sqes[(head0 + i) & (ex->sq_entries - 1)]);
		rs.digest = rs.digest * 31 + fuzz_hash((const u8 *)cqe,
						       ex->cqe_size);
	}
	for (i = 0; i < in_cq; i++) {
		size_t off = (size_t)((cqt0 + i) & (ex->cq_entries - 1)) *
			     ex->cqe_size;

		memcpy(&snap->cqes[off], &rs.rings->cqes[off], ex->cqe_size);
	}
	FUZZ_ASSERT(!memcmp(rs.rings_snap, rs.rings, rs.rings_bytes));

	/* The user reaps some completions, maybe more than there are. */
	b = fz_u8(f);
	set_cq_head(b < 240 ? rs.rings->cq_head + b % (consumed + 2) :
			      fz_u32(f));
}

/* One whole session; the register file starts filled with @fill. */
static void one_pass(const u8 *data, size_t size, u8 fill)
{
	static const u32 snaps[] = { 0, 4, 8, 16, 32, 64 };
	struct sysring_params p = { 0 };
	struct sysring_insn prog[32];
	struct sysring_exec *ex = &rs.ex;
	struct fz f = { data, size };
	u32 entries, i, n, calls;
	u8 b;

	b = fz_u8(&f);
	entries = b < 250 ? 1 + b % RING_MAX_ENTRIES : fz_u16(&f);
	b = fz_u8(&f);
	if (b & 1) {
		p.flags = SYSRING_SETUP_CQSIZE;
		p.cq_entries = b < 250 ? entries + b % 40 : fz_u16(&f);
	}
	if (b >= 254)
		p.flags |= fz_u8(&f);
	b = fz_u8(&f);
	p.snap_regs = b < 250 ? snaps[b % 6] : b;
	/* Small default budgets keep runs fast; 0 means 65536. */
	p.budget = 1 + fz_u16(&f) % 2048;
	if (sysring_params_check(entries, &p))
		return;
	if (p.sq_entries > RING_MAX_ENTRIES || p.cq_entries > 4 * RING_MAX_ENTRIES)
		return;
	FUZZ_ASSERT(p.cq_entries >= p.sq_entries &&
		    is_power_of_2(p.sq_entries) && is_power_of_2(p.cq_entries));

	memset(ex, 0, sizeof(*ex));
	sysring_exec_init(ex, &p);
	rs.rings_bytes = sysring_rings_bytes(ex);
	rs.sqes_bytes = sysring_sqes_bytes(ex);
	/* Exactly sized, so ASan flags a CQE or SQE past the end. */
	/* 64-byte aligned like the struct (the kernel's is a mapped page). */
	if (posix_memalign((void **)&rs.rings, 64, rs.rings_bytes))
		rs.rings = NULL;
	FUZZ_ASSERT(rs.rings);
	memset(rs.rings, 0, rs.rings_bytes);
	rs.sqes = malloc(rs.sqes_bytes);
	if (posix_memalign((void **)&rs.rings_snap, 64, rs.rings_bytes))
		rs.rings_snap = NULL;
	rs.sqes_snap = malloc(rs.sqes_bytes);
	ex->vm = malloc(sizeof(*ex->vm));
	FUZZ_ASSERT(rs.rings && rs.sqes && rs.rings_snap && rs.sqes_snap &&
		    ex->vm);
	ex->rings = rs.rings;
	ex->sqes = rs.sqes;
	sysring_rings_init(ex);
	/* Garbage a user may leave in the fields it has no business writing. */
	memset(rs.rings->cqes, fz_u8(&f), ex->cq_entries * ex->cqe_size);
	atomic_set(&rs.rings->sq_flags, fz_u8(&f) & ~SYSRING_SQ_CQ_OVERFLOW);
	rs.rings->cq_overflow = fz_u8(&f);

	fuzz_env_reset(NULL, 0, fuzz_hash(data, size));
	n = fz_u8(&f) % (FUZZ_MAX_PROGS + 1);
	for (i = 0; i < n; i++) {
		u32 len = gen_program(&f, prog, 32);

		fuzz_env_add_prog(prog, len);
	}

	/* Kernel-private counters anywhere in u32 space: wrap-around. */
	b = fz_u8(&f);
	ex->cached_sq_head = b < 128 ? 0 : b < 192 ? -1U - b % 8 : fz_u32(&f);
	b = fz_u8(&f);
	ex->cached_cq_tail = b < 128 ? 0 : b < 192 ? -1U - b % 8 : fz_u32(&f);
	/* The furthest cq_head the kernel may have seen: a full CQ's. */
	ex->cached_cq_head = ex->cached_cq_tail - ex->cq_entries;
	rs.rings->sq_head = ex->cached_sq_head;
	rs.rings->cq_tail = ex->cached_cq_tail;
	b = fz_u8(&f);
	rs.rings->cq_head = b < 240 ? ex->cached_cq_tail -
				      b % (ex->cq_entries + 2) : fz_u32(&f);
	for (i = 0; i < ex->sq_entries; i++)
		gen_sqe(&f, &rs.sqes[i]);
	/* The kernel's starts zeroed, then holds earlier chains' registers. */
	memset(ex->vm, fill, sizeof(*ex->vm));

	calls = 1 + fz_u8(&f) % RING_MAX_CALLS;
	if (fz_u8(&f) & 1)
		fuzz_env.hook = hostile_hook;
	/* The rest: half answers syscalls (and steers the hook), half the indices. */
	fuzz_env.sys.p = f.p + f.n / 2;
	fuzz_env.sys.n = f.n - f.n / 2;
	f.n /= 2;
	for (i = 0; i < calls; i++)
		submit_once(&f);

	sysring_cq_free(ex);
	fuzz_env_free_progs();
	free(ex->vm);
	free(rs.sqes_snap);
	free(rs.rings_snap);
	free(rs.sqes);
	free(rs.rings);
}

/*
 * Every chain must start from zeroed registers (those its blocks and
 * snapshots can see): the same session from a zeroed and from a garbage
 * register file must post the very same CQEs.
 */
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u64 d0;

	rs.digest = 0;
	one_pass(data, size, 0);
	d0 = rs.digest;
	rs.digest = 0;
	one_pass(data, size, 0xa5);
	FUZZ_ASSERT(rs.digest == d0);
	return 0;
}
