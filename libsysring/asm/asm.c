// SPDX-License-Identifier: MIT
/*
 * The sysring assembler: text to struct sysring_insn[].  One pass over the
 * lines; jumps to labels not yet defined are recorded and patched at the
 * end.  Mnemonics and opcode classes come from sysring_opdefs[], so a new
 * opcode of an existing class needs no change here.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"
#include "asm.h"

enum tok_kind { TOK_END, TOK_IDENT, TOK_NUM, TOK_PUNCT };

struct tok {
	enum tok_kind	kind;
	const char	*s;
	size_t		len;
};

struct label {
	const char	*name;
	size_t		len;
	size_t		slot;
	unsigned int	line;
};

/* A jump to a label, patched once every label is known. */
struct fixup {
	const char	*name;
	size_t		len;
	size_t		slot;
	unsigned int	line;
	unsigned int	col;
};

struct asm_state {
	const char		*p;		/* cursor in the current line */
	const char		*bol;		/* its first byte */
	const char		*eol;		/* its end, or where a comment starts */
	unsigned int		line;
	struct sysring_asm_err	*err;
	struct sysring_asm_prog	*prog;
	size_t			cap;
	struct label		*labels;
	size_t			nlabels;
	size_t			labels_cap;
	struct fixup		*fixups;
	size_t			nfixups;
	size_t			fixups_cap;
};

/* Shown in messages: at most this many bytes of a token. */
#define TOK_SHOW	32
#define TOK_FMT		"%.*s"
#define TOK_ARG(t)	(int)((t)->len < TOK_SHOW ? (t)->len : TOK_SHOW), (t)->s

static int __attribute__((format(printf, 3, 4)))
asm_error(struct asm_state *st, const char *at, const char *fmt, ...)
{
	va_list ap;

	st->err->line = st->line;
	st->err->col = at - st->bol + 1;
	va_start(ap, fmt);
	vsnprintf(st->err->msg, sizeof(st->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int asm_nomem(struct asm_state *st)
{
	return asm_error(st, st->bol, "out of memory");
}

/*
 * @arr (@*cap elements of @size bytes) with room for @need, or NULL with
 * @arr left as it was.
 */
static void *grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 16;

	if (need <= *cap)
		return arr;
	while (ncap < need)
		ncap *= 2;
	arr = realloc(arr, ncap * size);
	if (arr)
		*cap = ncap;
	return arr;
}

/* ---- Lexer ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_' || c == '.';
}

static bool is_ident(char c)
{
	return is_ident_start(c) || is_digit(c);
}

static void skip_space(struct asm_state *st)
{
	while (st->p < st->eol &&
	       (*st->p == ' ' || *st->p == '\t' || *st->p == '\r'))
		st->p++;
	if (st->p < st->eol && (*st->p == ';' || *st->p == '#'))
		st->eol = st->p;
}

/* Read the next token without consuming it. */
static int peek(struct asm_state *st, struct tok *t)
{
	const char *q;
	char c;

	skip_space(st);
	t->s = st->p;
	t->len = 0;
	if (st->p == st->eol) {
		t->kind = TOK_END;
		return 0;
	}
	c = *st->p;
	if (c && strchr(",[]+-:", c)) {
		t->kind = TOK_PUNCT;
		t->len = 1;
		return 0;
	}
	if (!is_ident_start(c) && !is_digit(c)) {
		if (c > ' ' && c < 0x7f)
			return asm_error(st, st->p, "unexpected character '%c'", c);
		return asm_error(st, st->p, "unexpected byte 0x%02x",
				 (unsigned char)c);
	}
	t->kind = is_digit(c) ? TOK_NUM : TOK_IDENT;
	for (q = st->p; q < st->eol && is_ident(*q); q++)
		;
	t->len = q - st->p;
	return 0;
}

static int next(struct asm_state *st, struct tok *t)
{
	if (peek(st, t))
		return -1;
	st->p = t->s + t->len;
	return 0;
}

static bool tok_is(const struct tok *t, char punct)
{
	return t->kind == TOK_PUNCT && *t->s == punct;
}

static int unexpected(struct asm_state *st, const struct tok *t,
		      const char *what)
{
	if (t->kind == TOK_END)
		return asm_error(st, t->s, "expected %s at end of line", what);
	return asm_error(st, t->s, "expected %s, got '" TOK_FMT "'", what,
			 TOK_ARG(t));
}

static int expect_punct(struct asm_state *st, char punct)
{
	struct tok t;
	char what[4] = { '\'', punct, '\'', 0 };

	if (next(st, &t))
		return -1;
	return tok_is(&t, punct) ? 0 : unexpected(st, &t, what);
}

static int expect_comma(struct asm_state *st)
{
	return expect_punct(st, ',');
}

/* Consume @punct if it comes next. */
static int accept_punct(struct asm_state *st, char punct, bool *found)
{
	struct tok t;

	if (peek(st, &t))
		return -1;
	*found = tok_is(&t, punct);
	if (*found)
		st->p++;
	return 0;
}

/* ---- Operands ---- */

static int digit_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* A decimal or 0x-hexadecimal number token, up to 2^64 - 1. */
static int tok_number(struct asm_state *st, const struct tok *t, uint64_t *val)
{
	unsigned int base = 10;
	size_t i = 0;
	int d;

	if (t->len > 2 && t->s[0] == '0' && (t->s[1] == 'x' || t->s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (*val = 0; i < t->len; i++) {
		d = digit_value(t->s[i]);
		if (d >= (int)base)
			return asm_error(st, t->s, "invalid number '" TOK_FMT "'",
					 TOK_ARG(t));
		if (*val > (UINT64_MAX - d) / base)
			return asm_error(st, t->s, "number '" TOK_FMT "' is too large",
					 TOK_ARG(t));
		*val = *val * base + d;
	}
	return 0;
}

/* An optionally signed number. */
struct snum {
	const char	*at;
	bool		sign;	/* written with + or - */
	bool		neg;
	uint64_t	mag;
};

static int parse_snum(struct asm_state *st, struct snum *n, const char *what)
{
	struct tok t;

	if (next(st, &t))
		return -1;
	n->at = t.s;
	n->sign = tok_is(&t, '+') || tok_is(&t, '-');
	n->neg = tok_is(&t, '-');
	if (n->sign && next(st, &t))
		return -1;
	if (t.kind != TOK_NUM)
		return unexpected(st, &t, what);
	return tok_number(st, &t, &n->mag);
}

/* Check that @n is within [@min, @max] and store it in @val. */
static int snum_range(struct asm_state *st, const struct snum *n,
		      int64_t min, int64_t max, const char *what, int64_t *val)
{
	bool ok = n->neg ? n->mag <= -(uint64_t)min : n->mag <= (uint64_t)max;

	if (!ok)
		return asm_error(st, n->at, "%s %s%llu out of range (%lld..%lld)",
				 what, n->neg ? "-" : "",
				 (unsigned long long)n->mag, (long long)min,
				 (long long)max);
	*val = n->neg ? (int64_t)(0 - n->mag) : (int64_t)n->mag;
	return 0;
}

static int parse_int(struct asm_state *st, int64_t min, int64_t max,
		     const char *what, int64_t *val)
{
	struct snum n;

	if (parse_snum(st, &n, what))
		return -1;
	return snum_range(st, &n, min, max, what, val);
}

static int parse_s32(struct asm_state *st, const char *what, int32_t *val)
{
	int64_t v;

	if (parse_int(st, INT32_MIN, INT32_MAX, what, &v))
		return -1;
	*val = v;
	return 0;
}

static int parse_u8(struct asm_state *st, const char *what, uint8_t *val)
{
	int64_t v;

	if (parse_int(st, 0, UINT8_MAX, what, &v))
		return -1;
	*val = v;
	return 0;
}

/* Whether @t names a register: 'r' and decimal digits. */
static bool tok_is_reg(const struct tok *t)
{
	size_t i;

	if (t->kind != TOK_IDENT || t->len < 2 || t->s[0] != 'r')
		return false;
	for (i = 1; i < t->len; i++)
		if (!is_digit(t->s[i]))
			return false;
	return true;
}

static int tok_reg(struct asm_state *st, const struct tok *t, uint8_t *reg)
{
	unsigned int v = 0;
	size_t i;

	if (!tok_is_reg(t))
		return unexpected(st, t, "a register");
	for (i = 1; i < t->len && v < 1000; i++)
		v = v * 10 + (t->s[i] - '0');
	if (v >= SYSRING_NR_REGS)
		return asm_error(st, t->s, "register '" TOK_FMT "' out of range (r0..r255)",
				 TOK_ARG(t));
	*reg = v;
	return 0;
}

static int parse_reg(struct asm_state *st, uint8_t *reg)
{
	struct tok t;

	if (next(st, &t))
		return -1;
	return tok_reg(st, &t, reg);
}

/* A register followed by a comma. */
static int parse_reg_comma(struct asm_state *st, uint8_t *reg)
{
	return parse_reg(st, reg) ?: expect_comma(st);
}

/* [rN], [rN+disp] or [rN-disp]. */
static int parse_mem(struct asm_state *st, uint8_t *reg, int32_t *disp)
{
	struct snum n;
	struct tok t;
	int64_t v;

	if (expect_punct(st, '[') || parse_reg(st, reg) || peek(st, &t))
		return -1;
	*disp = 0;
	if (tok_is(&t, '+') || tok_is(&t, '-')) {
		if (parse_snum(st, &n, "a displacement") ||
		    snum_range(st, &n, INT32_MIN, INT32_MAX, "displacement", &v))
			return -1;
		*disp = v;
	}
	return expect_punct(st, ']');
}

/* ---- Program, labels and jumps ---- */

static int emit(struct asm_state *st, uint8_t code, uint8_t dst, uint8_t src,
		uint8_t mod, int32_t imm)
{
	struct sysring_asm_prog *prog = st->prog;
	size_t need = prog->len + 1, cap = st->cap;
	struct sysring_insn *insns;
	unsigned int *lines;

	insns = grow(prog->insns, &cap, need, sizeof(*insns));
	if (!insns)
		return asm_nomem(st);
	prog->insns = insns;
	lines = grow(prog->lines, &st->cap, need, sizeof(*lines));
	if (!lines)
		return asm_nomem(st);
	prog->lines = lines;
	prog->insns[prog->len] = (struct sysring_insn){
		.code = code, .dst = dst, .src = src, .mod = mod, .imm = imm,
	};
	prog->lines[prog->len++] = st->line;
	return 0;
}

static struct label *find_label(struct asm_state *st, const char *name,
				size_t len)
{
	size_t i;

	for (i = 0; i < st->nlabels; i++)
		if (st->labels[i].len == len &&
		    !memcmp(st->labels[i].name, name, len))
			return &st->labels[i];
	return NULL;
}

static int define_label(struct asm_state *st, const struct tok *t)
{
	const struct label *old = find_label(st, t->s, t->len);
	struct label *labels;

	if (tok_is_reg(t))
		return asm_error(st, t->s, "label '" TOK_FMT "' is a register name",
				 TOK_ARG(t));
	if (old)
		return asm_error(st, t->s, "label '" TOK_FMT "' already defined on line %u",
				 TOK_ARG(t), old->line);
	labels = grow(st->labels, &st->labels_cap, st->nlabels + 1,
		      sizeof(*labels));
	if (!labels)
		return asm_nomem(st);
	st->labels = labels;
	st->labels[st->nlabels++] = (struct label){
		.name = t->s, .len = t->len, .slot = st->prog->len,
		.line = st->line,
	};
	return 0;
}

/*
 * A jump target: a label or an offset written with its sign, relative to
 * the next instruction.  A label is resolved by resolve_fixups().
 */
static int parse_target(struct asm_state *st, int32_t *off)
{
	struct fixup *fixups;
	struct snum n;
	struct tok t;
	int64_t v;

	if (peek(st, &t))
		return -1;
	*off = 0;
	if (t.kind == TOK_IDENT) {
		st->p = t.s + t.len;
		fixups = grow(st->fixups, &st->fixups_cap, st->nfixups + 1,
			      sizeof(*fixups));
		if (!fixups)
			return asm_nomem(st);
		st->fixups = fixups;
		st->fixups[st->nfixups++] = (struct fixup){
			.name = t.s, .len = t.len, .slot = st->prog->len,
			.line = st->line, .col = t.s - st->bol + 1,
		};
		return 0;
	}
	if (parse_snum(st, &n, "a label or an offset"))
		return -1;
	if (!n.sign)
		return asm_error(st, n.at, "jump offset needs a sign (+N or -N)");
	if (snum_range(st, &n, INT32_MIN, INT32_MAX, "jump offset", &v))
		return -1;
	*off = v;
	return 0;
}

static int resolve_fixups(struct asm_state *st)
{
	const struct label *l;
	struct fixup *f;
	size_t i;

	for (i = 0; i < st->nfixups; i++) {
		f = &st->fixups[i];
		l = find_label(st, f->name, f->len);
		if (!l) {
			st->err->line = f->line;
			st->err->col = f->col;
			snprintf(st->err->msg, sizeof(st->err->msg),
				 "undefined label '%.*s'",
				 (int)(f->len < TOK_SHOW ? f->len : TOK_SHOW),
				 f->name);
			return -1;
		}
		st->prog->insns[f->slot].imm = (int64_t)l->slot -
					       (int64_t)(f->slot + 1);
	}
	return 0;
}

/* ---- Mnemonics and modifiers ---- */

/* The opcode named @name of class @class, or -1. */
static int find_op(const char *name, size_t len, int class)
{
	const struct sysring_opdef *d;
	int code;

	for (code = 0; code < 256; code++) {
		d = &sysring_opdefs[code];
		if (d->name && (class < 0 || d->class == class) &&
		    strlen(d->name) == len && !memcmp(d->name, name, len))
			return code;
	}
	return -1;
}

struct modifier {
	const char	*name;
	uint8_t		bits;
	uint8_t		group;	/* only one of a group: the size */
};

#define GROUP_SIZE	1

static const struct modifier ld_mods[] = {
	{ "b", SYSRING_MEM_B, GROUP_SIZE },
	{ "h", SYSRING_MEM_H, GROUP_SIZE },
	{ "w", SYSRING_MEM_W, GROUP_SIZE },
	{ "dw", SYSRING_MEM_DW, GROUP_SIZE },
	{ "be", SYSRING_MEM_BE, 0 },
	{ "sx", SYSRING_MEM_SX, 0 },
	{ NULL, 0, 0 },
};

/* ST has no sign extension: the same list without "sx". */
static const struct modifier st_mods[] = {
	{ "b", SYSRING_MEM_B, GROUP_SIZE },
	{ "h", SYSRING_MEM_H, GROUP_SIZE },
	{ "w", SYSRING_MEM_W, GROUP_SIZE },
	{ "dw", SYSRING_MEM_DW, GROUP_SIZE },
	{ "be", SYSRING_MEM_BE, 0 },
	{ NULL, 0, 0 },
};

static const struct modifier sys_mods[] = {
	{ "keeperr", SYSRING_SYS_KEEPERR, 0 },
	{ NULL, 0, 0 },
};

static const struct modifier io_mods[] = {
	{ "keeperr", SYSRING_IO_KEEPERR, 0 },
	{ NULL, 0, 0 },
};

static const struct modifier xfer_mods[] = {
	{ "keeperr", SYSRING_IO_KEEPERR, 0 },
	{ "splice", SYSRING_XFER_SPLICE, 0 },
	{ NULL, 0, 0 },
};

static const struct modifier no_mods[] = {
	{ NULL, 0, 0 },
};

static const struct modifier *op_mods(int code)
{
	switch (sysring_opdefs[code].class) {
	case SYSRING_CLASS_IO:
		return code == SYSRING_OP_XFER ? xfer_mods : io_mods;
	case SYSRING_CLASS_LD:
		return ld_mods;
	case SYSRING_CLASS_ST:
		return st_mods;
	case SYSRING_CLASS_SYS:
		return sys_mods;
	}
	return no_mods;
}

static const struct modifier *find_mod(const struct modifier *mods,
				       const char *s, size_t len)
{
	for (; mods->name; mods++)
		if (strlen(mods->name) == len && !memcmp(mods->name, s, len))
			return mods;
	return NULL;
}

/*
 * The modifiers of mnemonic @t (".dw.be" in "ld.dw.be") from @start: each
 * at most once, one size at most; *@groups says which groups were seen.
 */
static int parse_mods(struct asm_state *st, const struct tok *t,
		      const char *start, int code, uint8_t *mod,
		      uint8_t *groups)
{
	const struct modifier *mods = op_mods(code), *m;
	const char *end = t->s + t->len, *s, *e;
	unsigned int seen = 0, bit;

	*mod = 0;
	*groups = 0;
	for (s = start; s < end; s = e) {
		for (e = ++s; e < end && *e != '.'; e++)
			;
		m = find_mod(mods, s, e - s);
		if (!m)
			return asm_error(st, s - 1, "unknown modifier '.%.*s' for '%.*s'",
					 (int)(e - s < TOK_SHOW ? e - s : TOK_SHOW),
					 s, (int)(start - t->s), t->s);
		bit = 1u << (m - mods);
		if (seen & bit)
			return asm_error(st, s - 1, "duplicate modifier '.%s'",
					 m->name);
		if (m->group & *groups)
			return asm_error(st, s - 1, "more than one size modifier");
		seen |= bit;
		*groups |= m->group;
		*mod |= m->bits;
	}
	return 0;
}

/* ---- Instructions, by class ---- */

struct mnem {
	const struct tok	*t;
	size_t			len;	/* of the name without modifiers */
	uint8_t			mod;
};

static int asm_exit_neg(struct asm_state *st, int code)
{
	uint8_t dst;

	return parse_reg(st, &dst) ?: emit(st, code, dst, 0, 0, 0);
}

static int asm_lddw(struct asm_state *st, int code)
{
	struct snum n;
	uint64_t v;
	uint8_t dst;

	if (parse_reg_comma(st, &dst) || parse_snum(st, &n, "a 64-bit value"))
		return -1;
	if (n.neg && n.mag > (uint64_t)INT64_MAX + 1)
		return asm_error(st, n.at, "value -%llu out of range for lddw",
				 (unsigned long long)n.mag);
	v = n.neg ? 0 - n.mag : n.mag;
	return emit(st, code, dst, 0, 0, (int32_t)(uint32_t)v) ?:
	       emit(st, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

/* Whether the next operand is a register (the _X form) or a number. */
static int next_is_reg(struct asm_state *st, bool *reg)
{
	struct tok t;

	if (peek(st, &t))
		return -1;
	*reg = tok_is_reg(&t);
	if (!*reg && t.kind != TOK_NUM && !tok_is(&t, '+') && !tok_is(&t, '-'))
		return unexpected(st, &t, "a register or a number");
	return 0;
}

/* The _X or _K opcode of mnemonic @m, by the kind of its operand. */
static int pick_form(struct asm_state *st, const struct mnem *m, bool reg,
		     int class_x, int class_k)
{
	int code = find_op(m->t->s, m->len, reg ? class_x : class_k);

	if (code < 0)
		return asm_error(st, st->p, "'%.*s' takes no %s operand",
				 (int)m->len, m->t->s,
				 reg ? "register" : "immediate");
	return code;
}

static int asm_alu(struct asm_state *st, const struct mnem *m)
{
	uint8_t dst, src = 0;
	int32_t imm = 0;
	bool reg;
	int code;

	if (parse_reg_comma(st, &dst) || next_is_reg(st, &reg))
		return -1;
	code = pick_form(st, m, reg, SYSRING_CLASS_ALU_X, SYSRING_CLASS_ALU_K);
	if (code < 0)
		return -1;
	if (reg ? parse_reg(st, &src) : parse_s32(st, "immediate", &imm))
		return -1;
	return emit(st, code, dst, src, 0, imm);
}

static int asm_ja(struct asm_state *st, int code)
{
	int32_t off;

	return parse_target(st, &off) ?: emit(st, code, 0, 0, 0, off);
}

static int asm_jmp(struct asm_state *st, const struct mnem *m)
{
	uint8_t dst, src;
	int32_t off;
	int64_t k;
	bool reg;
	int code;

	if (parse_reg_comma(st, &dst) || next_is_reg(st, &reg))
		return -1;
	code = pick_form(st, m, reg, SYSRING_CLASS_JMP_X, SYSRING_CLASS_JMP_K);
	if (code < 0)
		return -1;
	if (reg ? parse_reg(st, &src) :
		  parse_int(st, INT8_MIN, INT8_MAX, "compare immediate", &k))
		return -1;
	if (!reg)
		src = (uint8_t)(int8_t)k;
	return expect_comma(st) ?: parse_target(st, &off) ?:
	       emit(st, code, dst, src, 0, off);
}

static int asm_ld(struct asm_state *st, const struct mnem *m, int code)
{
	uint8_t dst, src;
	int32_t disp;

	return parse_reg_comma(st, &dst) ?: parse_mem(st, &src, &disp) ?:
	       emit(st, code, dst, src, m->mod, disp);
}

static int asm_st(struct asm_state *st, const struct mnem *m, int code)
{
	uint8_t dst, src;
	int32_t disp;

	return parse_mem(st, &dst, &disp) ?: expect_comma(st) ?:
	       parse_reg(st, &src) ?: emit(st, code, dst, src, m->mod, disp);
}

/* A system call: a name of the allow-list or a number. */
static int parse_sysnr(struct asm_state *st, int32_t *nr)
{
	struct tok t;

	if (peek(st, &t))
		return -1;
	if (t.kind != TOK_IDENT)
		return parse_s32(st, "system call number", nr);
	st->p = t.s + t.len;
	*nr = sysring_asm_sysnr(t.s, t.len);
	if (*nr < 0)
		return asm_error(st, t.s, "unknown system call '" TOK_FMT "'",
				 TOK_ARG(&t));
	return 0;
}

/* sys rD, NR or sys rD, NR, rA, N. */
static int asm_sys(struct asm_state *st, const struct mnem *m, int code)
{
	uint8_t dst, src = 0;
	int64_t nargs = 0;
	bool more;
	int32_t nr;

	if (parse_reg_comma(st, &dst) || parse_sysnr(st, &nr) ||
	    accept_punct(st, ',', &more))
		return -1;
	if (more && (parse_reg_comma(st, &src) ||
		     parse_int(st, 0, SYSRING_SYS_NARGS_MASK - 1,
			       "argument count", &nargs)))
		return -1;
	return emit(st, code, dst, src, nargs | m->mod, nr);
}

/* copy rD, rS, rL and find rD, rH, rN: the third register goes in mod. */
static int asm_reg3(struct asm_state *st, int code)
{
	uint8_t dst, src, mod;

	return parse_reg_comma(st, &dst) ?: parse_reg_comma(st, &src) ?:
	       parse_reg(st, &mod) ?: emit(st, code, dst, src, mod, 0);
}

/*
 * xfer rD, rS; readn rD, rS; writet rD, rS (operands from rS on) and
 * wait rD, rS, EVENTS.
 */
static int asm_io(struct asm_state *st, const struct mnem *m, int code)
{
	uint8_t dst, src;
	int64_t events = 0;

	if (parse_reg_comma(st, &dst))
		return -1;
	if (code != SYSRING_OP_WAIT)
		return parse_reg(st, &src) ?: emit(st, code, dst, src, m->mod, 0);
	return parse_reg_comma(st, &src) ?:
	       parse_int(st, 0, UINT32_MAX, "poll events", &events) ?:
	       emit(st, code, dst, src, m->mod, (int32_t)(uint32_t)events);
}

/* .insn code, dst, src, mod, imm: any encoding, byte for byte. */
static int asm_raw(struct asm_state *st)
{
	uint8_t code, dst, src, mod;
	int64_t imm;

	if (parse_u8(st, "code", &code) || expect_comma(st) ||
	    parse_u8(st, "dst", &dst) || expect_comma(st) ||
	    parse_u8(st, "src", &src) || expect_comma(st) ||
	    parse_u8(st, "mod", &mod) || expect_comma(st) ||
	    parse_int(st, INT32_MIN, UINT32_MAX, "imm", &imm))
		return -1;
	return emit(st, code, dst, src, mod, (int32_t)(uint32_t)imm);
}

static int asm_class(struct asm_state *st, const struct mnem *m, int code)
{
	switch (sysring_opdefs[code].class) {
	case SYSRING_CLASS_EXIT:
	case SYSRING_CLASS_NEG:
		return asm_exit_neg(st, code);
	case SYSRING_CLASS_LDDW:
		return asm_lddw(st, code);
	case SYSRING_CLASS_ALU_X:
	case SYSRING_CLASS_ALU_K:
		return asm_alu(st, m);
	case SYSRING_CLASS_JA:
		return asm_ja(st, code);
	case SYSRING_CLASS_JMP_X:
	case SYSRING_CLASS_JMP_K:
		return asm_jmp(st, m);
	case SYSRING_CLASS_LD:
		return asm_ld(st, m, code);
	case SYSRING_CLASS_ST:
		return asm_st(st, m, code);
	case SYSRING_CLASS_SYS:
		return asm_sys(st, m, code);
	case SYSRING_CLASS_COPY:
	case SYSRING_CLASS_FIND:
		return asm_reg3(st, code);
	case SYSRING_CLASS_IO:
		return asm_io(st, m, code);
	}
	return asm_error(st, m->t->s, "no syntax for opcode %#x", code);
}

static int asm_insn(struct asm_state *st, const struct tok *t)
{
	const char *dot = memchr(t->s, '.', t->len);
	struct mnem m = { .t = t, .len = dot ? (size_t)(dot - t->s) : t->len };
	uint8_t groups = 0;
	int code, class;

	if (t->len == 5 && !memcmp(t->s, ".insn", 5))
		return asm_raw(st);
	code = find_op(t->s, m.len, -1);
	if (code < 0)
		return asm_error(st, t->s, "unknown instruction '" TOK_FMT "'",
				 TOK_ARG(t));
	class = sysring_opdefs[code].class;
	if (dot && parse_mods(st, t, dot, code, &m.mod, &groups))
		return -1;
	if ((class == SYSRING_CLASS_LD || class == SYSRING_CLASS_ST) &&
	    !(groups & GROUP_SIZE))
		return asm_error(st, t->s + t->len, "'%s' needs a size: .b, .h, .w or .dw",
				 sysring_opdefs[code].name);
	return asm_class(st, &m, code);
}

/* label: ... label: [instruction] */
static int asm_line(struct asm_state *st)
{
	struct tok t, colon;

	for (;;) {
		if (next(st, &t))
			return -1;
		if (t.kind == TOK_END)
			return 0;
		if (t.kind != TOK_IDENT)
			return unexpected(st, &t, "an instruction or a label");
		if (peek(st, &colon))
			return -1;
		if (!tok_is(&colon, ':'))
			break;
		st->p++;
		if (define_label(st, &t))
			return -1;
	}
	if (asm_insn(st, &t) || peek(st, &t))
		return -1;
	if (t.kind != TOK_END)
		return asm_error(st, t.s, "unexpected '" TOK_FMT "' after the operands",
				 TOK_ARG(&t));
	return 0;
}

void sysring_asm_free(struct sysring_asm_prog *prog)
{
	free(prog->insns);
	free(prog->lines);
	*prog = (struct sysring_asm_prog){ 0 };
}

int sysring_asm(const char *text, size_t len, struct sysring_asm_prog *prog,
		struct sysring_asm_err *err)
{
	const char *end = text + len, *nl, *next_bol;
	struct asm_state st = { .err = err, .prog = prog };
	int ret = 0;

	*prog = (struct sysring_asm_prog){ 0 };
	*err = (struct sysring_asm_err){ 0 };
	for (st.bol = text; st.bol < end && !ret; st.bol = next_bol) {
		nl = memchr(st.bol, '\n', end - st.bol);
		st.eol = nl ? nl : end;
		next_bol = nl ? nl + 1 : end;
		st.p = st.bol;
		st.line++;
		ret = asm_line(&st);
	}
	if (!ret)
		ret = resolve_fixups(&st);
	free(st.labels);
	free(st.fixups);
	if (ret)
		sysring_asm_free(prog);
	return ret;
}
