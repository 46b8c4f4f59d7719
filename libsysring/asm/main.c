// SPDX-License-Identifier: MIT
/*
 * sysring-asm: assemble a sysring program to its binary form, a raw
 * little-endian array of struct sysring_insn, or disassemble one (-d);
 * --check runs the kernel's checker on the result.
 *
 *   sysring-asm [-d] [--check] [-o OUT] FILE
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"
#include "asm.h"

struct options {
	const char	*in;
	const char	*out;
	bool		disasm;
	bool		check;
};

static void usage(FILE *f)
{
	fputs("usage: sysring-asm [-d] [--check] [-o OUT] FILE\n"
	      "  -d, --disassemble  FILE is binary: write its assembler text\n"
	      "  -c, --check        run the sysring checker on the program\n"
	      "  -o, --output OUT   write to OUT instead of standard output\n"
	      "FILE or OUT '-' is standard input or output.\n", f);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "disassemble", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "dco:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->disasm = true;
			break;
		case 'c':
			o->check = true;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	o->in = argv[optind];
	return 0;
}

/* The whole of @name ("-": standard input) in a malloc'd buffer. */
static char *read_all(const char *name, size_t *len)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "rb") : stdin;
	size_t cap = 4096, n;
	char *buf = NULL, *nbuf;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		nbuf = realloc(buf, cap);
		if (!nbuf) {
			free(buf);
			buf = NULL;
			errno = ENOMEM;
			break;
		}
		buf = nbuf;
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (*len < cap) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		cap *= 2;
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

/* Binary input for -d: little-endian instructions. */
static int load_binary(const struct options *o, const char *buf, size_t len,
		       struct sysring_asm_prog *prog)
{
	size_t i;

	if (len % sizeof(struct sysring_insn)) {
		fprintf(stderr, "%s: error: size %zu is not a multiple of %zu bytes\n",
			o->in, len, sizeof(struct sysring_insn));
		return -1;
	}
	prog->len = len / sizeof(struct sysring_insn);
	prog->insns = calloc(prog->len + 1, sizeof(*prog->insns));
	if (!prog->insns) {
		fprintf(stderr, "sysring-asm: out of memory\n");
		return -1;
	}
	memcpy(prog->insns, buf, len);
	for (i = 0; i < prog->len; i++)
		prog->insns[i].imm = (s32)le32toh((u32)prog->insns[i].imm);
	return 0;
}

static int load_text(const struct options *o, const char *buf, size_t len,
		     struct sysring_asm_prog *prog)
{
	struct sysring_asm_err err;

	if (!sysring_asm(buf, len, prog, &err))
		return 0;
	fprintf(stderr, "%s:%u:%u: error: %s\n", o->in, err.line, err.col,
		err.msg);
	return -1;
}

/* Run the checker; a rejection is reported at its source line if known. */
static int check(const struct options *o, const struct sysring_asm_prog *prog)
{
	u32 pc;
	int ret;

	ret = sysring_check(prog->insns, prog->len > UINT32_MAX ? UINT32_MAX :
			    prog->len, SYSRING_MAX_PROG_INSNS, &pc);
	if (ret == SYSRING_CHECK_OK) {
		fprintf(stderr, "%s: check: %s (%zu instructions)\n", o->in,
			sysring_check_reasons[ret], prog->len);
		return 0;
	}
	if (prog->lines && pc < prog->len)
		fprintf(stderr, "%s:%u: error: check: %s (pc %u)\n", o->in,
			prog->lines[pc], sysring_check_reasons[ret], pc);
	else
		fprintf(stderr, "%s: error: check: %s (pc %u)\n", o->in,
			sysring_check_reasons[ret], pc);
	return -1;
}

static int write_binary(FILE *f, const struct sysring_asm_prog *prog)
{
	struct sysring_insn insn;
	size_t i;

	for (i = 0; i < prog->len; i++) {
		insn = prog->insns[i];
		insn.imm = (s32)htole32((u32)insn.imm);
		if (fwrite(&insn, sizeof(insn), 1, f) != 1)
			return -1;
	}
	return 0;
}

static int write_output(const struct options *o,
			const struct sysring_asm_prog *prog)
{
	bool to_stdout = !o->out || !strcmp(o->out, "-");
	FILE *f = to_stdout ? stdout : fopen(o->out, "wb");
	int ret;

	if (!o->disasm && to_stdout && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "sysring-asm: not writing binary to a terminal: use -o\n");
		return -1;
	}
	if (!f) {
		fprintf(stderr, "sysring-asm: %s: %s\n", o->out, strerror(errno));
		return -1;
	}
	ret = o->disasm ? sysring_disasm(f, prog->insns, prog->len) :
			  write_binary(f, prog);
	if (fflush(f) || ret)
		ret = -1;
	if (!to_stdout && fclose(f))
		ret = -1;
	if (ret)
		fprintf(stderr, "sysring-asm: %s: write error\n",
			to_stdout ? "<stdout>" : o->out);
	return ret;
}

int main(int argc, char **argv)
{
	struct sysring_asm_prog prog = { 0 };
	struct options o = { 0 };
	size_t len;
	char *buf;
	int ret;

	if (parse_args(argc, argv, &o))
		return 2;
	buf = read_all(o.in, &len);
	if (!buf) {
		fprintf(stderr, "sysring-asm: %s: %s\n", o.in, strerror(errno));
		return 1;
	}
	ret = o.disasm ? load_binary(&o, buf, len, &prog) :
			 load_text(&o, buf, len, &prog);
	free(buf);
	if (!ret && o.check)
		ret = check(&o, &prog);
	if (!ret)
		ret = write_output(&o, &prog);
	sysring_asm_free(&prog);
	return ret ? 1 : 0;
}
