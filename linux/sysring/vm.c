// SPDX-License-Identifier: GPL-2.0
/*
 * The sysring interpreter.  Like ___bpf_prog_run() in kernel/bpf/core.c it
 * dispatches through a computed-goto table built from the same opcode list
 * (opcodes.h) that the checker's allow-list is built from.  It
 * trusts what sysring_check() proved: known opcodes, jump targets inside the
 * program, allowed syscalls and register windows inside the register file.
 * What only run time can tell is checked here: the budget, user memory
 * faults, division by a zero register and pending fatal signals.  The I/O
 * instructions (XFER, READN, WRITET, WAIT) loop in io.c, on this budget.
 */
#include "vm.h"

#define SYSRING_BOUNCE	256	/* bytes moved per user-copy step */
#define SYSRING_WINDOW	512	/* haystack bytes searched per step, at most */
#define SYSRING_WINDOW_MIN 64	/* the first step: matches are often near */

/*
 * COPY and FIND pay for what they do: one unit of the block's budget per
 * SYSRING_WORK_UNIT bytes moved or compared.  A FIND can compare up to
 * SYSRING_COPY_MAX * SYSRING_FIND_NEEDLE_MAX bytes, so charging it one
 * instruction would let a loop of them hold the CPU for minutes; metered,
 * a block's work is bounded by its budget, and every 64 units the meter
 * looks at fatal signals and cancellation and may reschedule, as the
 * interpreter does every 1024 instructions.  SYSRING_WORK_UNIT is uapi.
 */

struct sysring_meter {
	struct sysring_vm	*vm;
	u32			left;	/* the interpreter's budget, lent */
	u64			work;	/* bytes not yet paid for */
};

/* 0, -ETIME when the budget runs out, -EINTR when the block must stop. */
static int sysring_meter_charge(struct sysring_meter *m, u64 bytes)
{
	m->work += bytes;
	while (m->work >= SYSRING_WORK_UNIT) {
		m->work -= SYSRING_WORK_UNIT;
		if (!m->left)
			return -ETIME;
		if (!(--m->left & 63) && sysring_env_should_stop(m->vm))
			return -EINTR;
	}
	return 0;
}

/*
 * A LD's value from @mem, whose first 1 << (mod & SYSRING_MEM_SIZE_MASK)
 * bytes hold what it read: the bytes past them are shifted out.
 */
static u64 sysring_mem_decode(const __le64 *mem, u8 mod)
{
	u32 shift = 64 - (8U << (mod & SYSRING_MEM_SIZE_MASK));
	u64 raw = le64_to_cpu(*mem);
	u64 top = (mod & SYSRING_MEM_BE) ? swab64(raw) : raw << shift;

	return (mod & SYSRING_MEM_SX) ? (u64)((s64)top >> shift) : top >> shift;
}

/* The bytes a ST of @v writes, at the start of @mem. */
static void sysring_mem_encode(__le64 *mem, u64 v, u8 mod)
{
	u32 shift = 64 - (8U << (mod & SYSRING_MEM_SIZE_MASK));

	if (mod & SYSRING_MEM_BE)
		v = swab64(v << shift);
	*mem = cpu_to_le64(v);
}

/* User-to-user copy through a bounce buffer; overlap is handled. */
static noinline int sysring_vm_copy(struct sysring_meter *m, u64 dst, u64 src,
				    u64 len)
{
	u8 buf[SYSRING_BOUNCE];
	bool backward = dst > src && dst < src + len;
	u64 done = 0;
	int ret;

	if (len > SYSRING_COPY_MAX)
		return -E2BIG;
	while (done < len) {
		u32 n = min_t(u64, len - done, sizeof(buf));
		u64 off = backward ? len - done - n : done;

		if (sysring_env_load(buf, src + off, n) ||
		    sysring_env_store(dst + off, buf, n))
			return -EFAULT;
		done += n;
		ret = sysring_meter_charge(m, n);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Find @nlen bytes at @needle in the @hlen bytes at @hay; store the offset
 * of the first match, or -1, in @out.
 */
static noinline int sysring_vm_find(struct sysring_meter *m, u64 *out, u64 hay,
				    u64 hlen, u64 needle, u64 nlen)
{
	u8 pat[SYSRING_FIND_NEEDLE_MAX];
	u8 win[SYSRING_WINDOW];
	u32 step = max_t(u32, SYSRING_WINDOW_MIN, nlen);
	u64 pos = 0;
	int ret;

	if (hlen > SYSRING_COPY_MAX || nlen > SYSRING_FIND_NEEDLE_MAX)
		return -E2BIG;
	if (!nlen || nlen > hlen) {
		*out = nlen ? (u64)-1 : 0;
		return 0;
	}
	if (sysring_env_load(pat, needle, nlen))
		return -EFAULT;
	*out = (u64)-1;

	/*
	 * Windows overlap by nlen - 1 bytes so no match straddles two.  They
	 * grow from SYSRING_WINDOW_MIN: a bound far past the match (a string's
	 * NUL looked for within its buffer) then loads little more than it.
	 */
	while (pos + nlen <= hlen) {
		u32 n = min_t(u64, hlen - pos, step);
		u64 cost = n;
		u32 i;

		if (sysring_env_load(win, hay + pos, n))
			return -EFAULT;
		for (i = 0; i + nlen <= n; i++) {
			if (win[i] != pat[0])
				continue;
			cost += nlen;
			if (!memcmp(win + i, pat, nlen)) {
				*out = pos + i;
				break;
			}
		}
		ret = sysring_meter_charge(m, cost);
		if (ret || *out != (u64)-1)
			return ret;
		if (pos + n >= hlen)
			break;
		pos += n - nlen + 1;
		step = min_t(u32, 2 * step, sizeof(win));
	}
	return 0;
}

static long sysring_vm_sys(struct sysring_vm *vm, const struct sysring_insn *insn)
{
	u32 nargs = insn->mod & SYSRING_SYS_NARGS_MASK;
	u64 args[6] = { 0 };
	u32 i;

	for (i = 0; i < nargs; i++)
		args[i] = vm->regs[insn->src + i];
	return sysring_env_syscall(vm, insn->imm, args);
}

static bool sysring_is_err(long ret)
{
	return ret < 0 && ret >= -4095;
}

static void sysring_vm_stop(struct sysring_vm *vm, u8 status, s64 res)
{
	vm->status = status;
	vm->res = res;
}

/* How a COPY or FIND that failed with @err ends the block. */
static u8 sysring_mem_status(long err)
{
	switch (err) {
	case -EFAULT:
		return SYSRING_STATUS_FAULT;
	case -ETIME:
		return SYSRING_STATUS_BUDGET;
	case -EINTR:
		return SYSRING_STATUS_CANCELED;
	default:
		return SYSRING_STATUS_ERROR;
	}
}

#define DST	r[insn->dst]
#define SRC	r[insn->src]
#define IMM	((u64)(s64)insn->imm)
#define IMM8	((u64)(s64)(s8)insn->src)

void sysring_vm_run(struct sysring_vm *vm, const struct sysring_insn *insns,
		    u32 budget)
{
#define SYSRING_OP(name)	\
	[SYSRING_OP_##name] = &&OP_##name,
	static const void * const jumptable[256] __annotate_jump_table = {
		[0 ... 255] = &&default_label,
#include "opcodes.h"
	};
#undef SYSRING_OP
	const struct sysring_insn *insn = insns;
	u64 *r = vm->regs;
	u32 left = budget;
	/*
	 * The meter gets the budget only for a COPY or FIND: were its address
	 * taken, left would live on the stack for every instruction.
	 */
	struct sysring_meter meter = { .vm = vm };
	bool cond;
	struct sysring_io_res io;
	__le64 mem = 0;	/* LD and ST bytes, decoded and encoded whole */
	u64 found;
	long ret;

select_insn:
	/*
	 * The budget bounds loops; fatal signals are looked at every 1024.
	 * One test covers both, as a spent budget is a multiple of 1024.
	 */
	if (unlikely(!(left & 1023))) {
		if (!left) {
			sysring_vm_stop(vm, SYSRING_STATUS_BUDGET, -ETIME);
			goto out;
		}
		if (sysring_env_should_stop(vm)) {
			sysring_vm_stop(vm, SYSRING_STATUS_CANCELED, -EINTR);
			goto out;
		}
	}
	left--;
	goto *jumptable[insn->code];

OP_MOV_X:
	DST = SRC;
	goto next;
OP_MOV_K:
	DST = IMM;
	goto next;
OP_ADD_X:
	DST += SRC;
	goto next;
OP_ADD_K:
	DST += IMM;
	goto next;
OP_SUB_X:
	DST -= SRC;
	goto next;
OP_SUB_K:
	DST -= IMM;
	goto next;
OP_MUL_X:
	DST *= SRC;
	goto next;
OP_MUL_K:
	DST *= IMM;
	goto next;
OP_DIV_X:
	if (unlikely(!SRC))
		goto div_zero;
	DST /= SRC;
	goto next;
OP_DIV_K:
	DST /= IMM;
	goto next;
OP_MOD_X:
	if (unlikely(!SRC))
		goto div_zero;
	DST %= SRC;
	goto next;
OP_MOD_K:
	DST %= IMM;
	goto next;
OP_AND_X:
	DST &= SRC;
	goto next;
OP_AND_K:
	DST &= IMM;
	goto next;
OP_OR_X:
	DST |= SRC;
	goto next;
OP_OR_K:
	DST |= IMM;
	goto next;
OP_XOR_X:
	DST ^= SRC;
	goto next;
OP_XOR_K:
	DST ^= IMM;
	goto next;
OP_LSH_X:
	DST <<= SRC & 63;
	goto next;
OP_LSH_K:
	DST <<= insn->imm;
	goto next;
OP_RSH_X:
	DST >>= SRC & 63;
	goto next;
OP_RSH_K:
	DST >>= insn->imm;
	goto next;
OP_ARSH_X:
	DST = (u64)((s64)DST >> (SRC & 63));
	goto next;
OP_ARSH_K:
	DST = (u64)((s64)DST >> insn->imm);
	goto next;
OP_NEG:
	DST = -DST;
	goto next;
OP_LDDW:
	DST = (u64)(u32)insn[0].imm | ((u64)(u32)insn[1].imm << 32);
	insn += 2;
	goto select_insn;

OP_JA:
	cond = true;
	goto jump;
OP_JEQ_X:
	cond = DST == SRC;
	goto jump;
OP_JEQ_K:
	cond = DST == IMM8;
	goto jump;
OP_JNE_X:
	cond = DST != SRC;
	goto jump;
OP_JNE_K:
	cond = DST != IMM8;
	goto jump;
OP_JGT_X:
	cond = DST > SRC;
	goto jump;
OP_JGT_K:
	cond = DST > IMM8;
	goto jump;
OP_JGE_X:
	cond = DST >= SRC;
	goto jump;
OP_JGE_K:
	cond = DST >= IMM8;
	goto jump;
OP_JLT_X:
	cond = DST < SRC;
	goto jump;
OP_JLT_K:
	cond = DST < IMM8;
	goto jump;
OP_JLE_X:
	cond = DST <= SRC;
	goto jump;
OP_JLE_K:
	cond = DST <= IMM8;
	goto jump;
OP_JSGT_X:
	cond = (s64)DST > (s64)SRC;
	goto jump;
OP_JSGT_K:
	cond = (s64)DST > (s64)IMM8;
	goto jump;
OP_JSGE_X:
	cond = (s64)DST >= (s64)SRC;
	goto jump;
OP_JSGE_K:
	cond = (s64)DST >= (s64)IMM8;
	goto jump;
OP_JSLT_X:
	cond = (s64)DST < (s64)SRC;
	goto jump;
OP_JSLT_K:
	cond = (s64)DST < (s64)IMM8;
	goto jump;
OP_JSLE_X:
	cond = (s64)DST <= (s64)SRC;
	goto jump;
OP_JSLE_K:
	cond = (s64)DST <= (s64)IMM8;
	goto jump;
OP_JSET_X:
	cond = DST & SRC;
	goto jump;
OP_JSET_K:
	cond = DST & IMM8;
	goto jump;

OP_LD:
	if (sysring_env_load_word(&mem, SRC + IMM,
				  1U << (insn->mod & SYSRING_MEM_SIZE_MASK))) {
		sysring_vm_stop(vm, SYSRING_STATUS_FAULT, -EFAULT);
		goto out;
	}
	DST = sysring_mem_decode(&mem, insn->mod);
	goto next;
OP_ST:
	sysring_mem_encode(&mem, SRC, insn->mod);
	if (sysring_env_store_word(DST + IMM, &mem,
				   1U << (insn->mod & SYSRING_MEM_SIZE_MASK))) {
		sysring_vm_stop(vm, SYSRING_STATUS_FAULT, -EFAULT);
		goto out;
	}
	goto next;

OP_SYS:
	ret = sysring_vm_sys(vm, insn);
	if (sysring_is_err(ret) && !(insn->mod & SYSRING_SYS_KEEPERR)) {
		sysring_vm_stop(vm, SYSRING_STATUS_ERROR, ret);
		goto out;
	}
	DST = ret;
	goto next;

OP_COPY:
	meter.left = left;
	ret = sysring_vm_copy(&meter, DST, SRC, r[insn->mod]);
	left = meter.left;
	if (ret) {
		sysring_vm_stop(vm, sysring_mem_status(ret), ret);
		goto out;
	}
	goto next;
OP_FIND:
	meter.left = left;
	ret = sysring_vm_find(&meter, &found, SRC, r[insn->src + 1],
			      r[insn->mod], r[insn->mod + 1]);
	left = meter.left;
	if (ret) {
		sysring_vm_stop(vm, sysring_mem_status(ret), ret);
		goto out;
	}
	DST = found;
	goto next;

OP_XFER:
OP_READN:
OP_WRITET:
OP_WAIT:
	io = sysring_io_run(vm, insn, left);
	left = io.left;
	if (unlikely(io.stop)) {
		/* Out of budget or told to stop: r[dst] is what got done. */
		DST = io.res;
		sysring_vm_stop(vm, io.stop, io.stop == SYSRING_STATUS_BUDGET ?
				-ETIME : -EINTR);
		goto out;
	}
	if (sysring_is_err(io.res) && !(insn->mod & SYSRING_IO_KEEPERR)) {
		sysring_vm_stop(vm, SYSRING_STATUS_ERROR, io.res);
		goto out;
	}
	DST = io.res;
	goto next;

OP_EXIT:
	sysring_vm_stop(vm, SYSRING_STATUS_EXIT, (s64)DST);
	goto out;

default_label:
	/* The checker rejects every opcode that lands here. */
	sysring_vm_impossible(insn->code);
	sysring_vm_stop(vm, SYSRING_STATUS_INVALID, -EINVAL);
	goto out;

div_zero:
	sysring_vm_stop(vm, SYSRING_STATUS_ERROR, -EDOM);
	goto out;
jump:
	insn += cond ? insn->imm + 1 : 1;
	goto select_insn;
next:
	insn++;
	goto select_insn;
out:
	vm->pc = insn - insns;
	vm->executed = budget - left;
}
