#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a sysring-patched Linux 6.12 tree and things made from it.
#
#   linux/build.sh tree          extract + patch build/linux, copy new files in
#   linux/build.sh bzimage       x86_64 tinyconfig + configs/qemu.config -> build/kernel-x86
#   linux/build.sh bzimage-debug same + configs/debug.config -> build/kernel-x86-debug
#   linux/build.sh kunit         KUnit (sysring/.kunitconfig) under UML -> build/kunit-um
#   linux/build.sh kunit-x86     KUnit under QEMU x86_64 -> build/kunit-x86
#   linux/build.sh checkpatch    scripts/checkpatch.pl --strict on new files + patches
#   linux/build.sh patchset      git format-patch series -> build/patches/
#
# Inputs: /usr/src/linux-source-6.12.tar.xz (Debian linux-source-6.12; override
# with SYSRING_KSRC_TAR), linux/patches/NNNN-*.patch (applied in order with
# patch -p1), every other file under linux/ (copied to the same path in the
# tree; patches/, configs/ and this script excepted), and
# Documentation/userspace-api/sysring*.rst from the repository top level.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LNX=$ROOT/linux
B=$ROOT/build
TREE=$B/linux
PRISTINE=$B/pristine
TARBALL=${SYSRING_KSRC_TAR:-/usr/src/linux-source-6.12.tar.xz}
JOBS=${JOBS:-$(nproc)}

die() { echo "build.sh: error: $*" >&2; exit 1; }
say() { echo "== $*"; }

[ -r "$TARBALL" ] || die "$TARBALL missing (apt-get install linux-source-6.12, or 'make deps')"
mkdir -p "$B"

patches() { find "$LNX/patches" -maxdepth 1 -name '*.patch' 2>/dev/null | LC_ALL=C sort; }

# Identity of the tarball (cheap: path, size, mtime).
tar_id() { stat -c '%n %s %Y' "$TARBALL"; }

# Extract the tarball into $1 (strip the linux-source-6.12/ top directory).
extract_to() {
	local dst=$1
	rm -rf "$dst" "$dst.tmp"
	mkdir -p "$dst.tmp"
	tar -C "$dst.tmp" --strip-components=1 -xf "$TARBALL" ||
		die "extracting $TARBALL failed"
	mv "$dst.tmp" "$dst"
}

# Unpatched tree, kept for the patchset step; extracted once per tarball.
ensure_pristine() {
	local id
	id=$(tar_id)
	if [ -d "$PRISTINE" ] && [ "$(cat "$B/.pristine.stamp" 2>/dev/null)" = "$id" ]; then
		return
	fi
	say "extracting pristine $TARBALL into build/pristine (about 20 s)"
	extract_to "$PRISTINE"
	echo "$id" >"$B/.pristine.stamp"
}

# New files: everything under linux/ except patches/, configs/, this script,
# plus the top-level Documentation/userspace-api/sysring*.rst.
# Prints "src<TAB>tree-relative-path" lines.
new_files() {
	(cd "$LNX" && find . -type f \
		! -path './patches/*' ! -path './configs/*' ! -path './scripts/*' \
		! -name build.sh ! -name '*~' ! -name '*.orig' ! -name '*.rej' \
		! -name '.*.swp' | LC_ALL=C sort) | while read -r f; do
		f=${f#./}
		printf '%s\t%s\n' "$LNX/$f" "$f"
	done
	local d
	for d in "$ROOT"/Documentation/userspace-api/sysring*.rst; do
		[ -f "$d" ] || continue
		[ -f "$LNX/Documentation/userspace-api/${d##*/}" ] && continue
		printf '%s\t%s\n' "$d" "Documentation/userspace-api/${d##*/}"
	done
}

# (a) extract + patch when the tarball or the patches changed; (b) copy new
# files when their content differs (so make rebuilds only what changed).
cmd_tree() {
	local want have p
	want=$( { tar_id; patches | xargs -r sha256sum; } | sha256sum | cut -d' ' -f1)
	have=$(cat "$B/.tree.stamp" 2>/dev/null || true)
	if [ ! -d "$TREE" ] || [ "$want" != "$have" ]; then
		say "extracting $TARBALL into build/linux (about 20 s)"
		rm -f "$B/.tree.stamp" "$B/.tree.files"
		extract_to "$TREE"
		for p in $(patches); do
			say "applying ${p#"$ROOT"/}"
			patch -d "$TREE" -p1 -s --no-backup-if-mismatch -r - <"$p" ||
				die "patch ${p#"$ROOT"/} does not apply to the pristine tree"
		done
		echo "$want" >"$B/.tree.stamp"
	fi

	# Copy new files; remove files we copied before that are gone now.
	local list=$B/.tree.files.new n=0 src rel
	: >"$list"
	while IFS=$'\t' read -r src rel; do
		echo "$rel" >>"$list"
		if ! cmp -s "$src" "$TREE/$rel"; then
			mkdir -p "$(dirname "$TREE/$rel")"
			cp "$src" "$TREE/$rel"
			n=$((n + 1))
		fi
	done < <(new_files)
	if [ -f "$B/.tree.files" ]; then
		comm -23 <(sort "$B/.tree.files") <(sort "$list") | while read -r rel; do
			echo "   removing $rel (no longer in linux/)"
			rm -f "$TREE/$rel"
		done
	fi
	mv "$list" "$B/.tree.files"
	echo "== tree ready: build/linux ($n new/changed file(s) copied)"
}

# Use ccache when present (same CC string every time, or Kconfig rebuilds).
cc_opt() {
	if command -v ccache >/dev/null; then echo "CC=ccache gcc"; else echo "CC=gcc"; fi
}

# check_config .config fragment...: every CONFIG_X=val line of each fragment
# must be in .config verbatim, every "# CONFIG_X is not set" must not be =y/=m.
check_config() {
	local cfg=$1 bad=0 frag line sym
	shift
	for frag in "$@"; do
		while IFS= read -r line; do
			case $line in
			CONFIG_*=*)
				grep -qxF -- "$line" "$cfg" || {
					sym=${line%%=*}
					echo "   MISSING: $line (from ${frag##*/}; .config has: $(grep -E "^(# )?$sym[= ]" "$cfg" || echo nothing))" >&2
					bad=1
				} ;;
			"# CONFIG_"*" is not set")
				sym=${line#\# }; sym=${sym%% *}
				if grep -qE "^$sym=[ym]" "$cfg"; then
					echo "   UNWANTED: $sym is set (from ${frag##*/})" >&2
					bad=1
				fi ;;
			esac
		done <"$frag"
	done
	[ $bad = 0 ] || die "config check failed for $cfg: symbols above missing (dependency not met?)"
	echo "== config check: every symbol of ${*##*/} is set as asked"
}

# build_bzimage OUTDIR fragment...
build_bzimage() {
	local out=$1 cc want frag
	shift
	cmd_tree
	mkdir -p "$out"
	cc=$(cc_opt)
	for frag in "$@"; do [ -f "$frag" ] || die "config fragment $frag missing"; done
	# Regenerate .config only when the fragments (or the tree) changed, so a
	# rebuild stays incremental.
	want=$( { cat "$B/.tree.stamp" "$@"; echo "$cc"; } | sha256sum | cut -d' ' -f1)
	if [ ! -f "$out/.config" ] || [ "$(cat "$out/.sysring-config.stamp" 2>/dev/null)" != "$want" ]; then
		say "configuring ${out#"$ROOT"/}: tinyconfig + ${*##*/}"
		rm -f "$out/.sysring-config.stamp"
		make -s -C "$TREE" O="$out" ARCH=x86_64 "$cc" tinyconfig >/dev/null ||
			die "make tinyconfig failed"
		(cd "$TREE" && ARCH=x86_64 scripts/kconfig/merge_config.sh -m -O "$out" "$out/.config" "$@" >"$out/merge_config.log") ||
			die "merge_config.sh failed (see ${out#"$ROOT"/}/merge_config.log)"
		make -s -C "$TREE" O="$out" ARCH=x86_64 "$cc" olddefconfig >/dev/null ||
			die "make olddefconfig failed"
		check_config "$out/.config" "$@"
		echo "$want" >"$out/.sysring-config.stamp"
	else
		check_config "$out/.config" "$@"
	fi
	say "building bzImage in ${out#"$ROOT"/} (from scratch takes ~6 min on 2 cores)"
	local t0=$SECONDS
	make -C "$TREE" O="$out" ARCH=x86_64 "$cc" -j"$JOBS" bzImage >"$out/build.log" 2>&1 || {
		grep -E 'error|Error' "$out/build.log" | head -40 >&2
		tail -20 "$out/build.log" >&2
		die "bzImage build failed (full log: ${out#"$ROOT"/}/build.log)"
	}
	grep -E 'warning:' "$out/build.log" | head -20 || true
	echo "== bzImage ready: ${out#"$ROOT"/}/arch/x86/boot/bzImage ($((SECONDS - t0)) s)"
}

run_kunit() {
	local arch=$1 dir=$2 cc
	shift 2
	cmd_tree
	[ -f "$TREE/sysring/.kunitconfig" ] || die "build/linux/sysring/.kunitconfig missing (linux/sysring/.kunitconfig not written yet?)"
	cc=$(cc_opt)
	say "KUnit sysring, arch $arch, build dir ${dir#"$ROOT"/} (from scratch ~3-4 min)"
	cd "$TREE"
	python3 tools/testing/kunit/kunit.py run --kunitconfig=sysring \
		--arch="$arch" --build_dir="$dir" --jobs="$JOBS" \
		--make_options="$cc" "$@" || die "KUnit ($arch) failed"
}

cmd_checkpatch() {
	cmd_tree
	local cp="$TREE/scripts/checkpatch.pl" rc=0 f
	local opts=(--strict --no-tree --quiet --show-types --color=never)
	say "checkpatch --strict: new files"
	while IFS=$'\t' read -r src rel; do
		case $rel in
		*.c | *.h) "$cp" "${opts[@]}" -f "$src" || rc=1 ;;
		esac
	done < <(new_files)
	say "checkpatch --strict: linux/patches"
	for f in $(patches); do
		# Only the diff: checkpatch misreads the free-form header.
		echo "${f#"$ROOT"/}:"
		sed -n '/^--- a\//,$p' "$f" |
			"$cp" "${opts[@]}" --no-signoff --ignore FILE_PATH_CHANGES,COMMIT_MESSAGE - || rc=1
	done
	[ $rc = 0 ] || die "checkpatch found problems (above)"
	echo "== checkpatch: clean"
}

# The step (0-4) of the series a patch belongs to: "X-Sysring-Step: N" in
# its header, else 1.
patch_step() { sed -n 's/^X-Sysring-Step: *\([0-9]\).*/\1/p' "$1" | head -1 | grep . || echo 1; }

# Fill in the cover letter format-patch leaves blank.
cover_letter() {
	local f=$1
	sed -i -e 's/\*\*\* SUBJECT HERE \*\*\*/sysring: rings of checked register-machine programs/' \
		-e "/\*\*\* BLURB HERE \*\*\*/{
r $LNX/patches/cover-letter.txt
d
}" "$f"
}

cmd_patchset() {
	cmd_tree
	ensure_pristine
	local W=$B/patchset-work OUTD=$B/patches f rel src step
	say "building patch series in build/patches/"
	rm -rf "$W" "$OUTD"
	mkdir -p "$W" "$OUTD"
	# Base commit: pristine copies of only the existing files we touch.
	for f in $(patches); do
		sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$f"
	done | sort -u | while read -r rel; do
		[ -f "$PRISTINE/$rel" ] || die "$rel (patched) is not in the pristine tree"
		mkdir -p "$W/$(dirname "$rel")"
		cp "$PRISTINE/$rel" "$W/$rel"
	done
	local name email
	# Override with SYSRING_AUTHOR="Name <email>" to send it as yourself.
	local author=${SYSRING_AUTHOR:-"sysring developers <sysring@invalid>"}
	name=${author% <*}
	email=${author##*<}
	email=${email%>}
	local G=(git -C "$W" -c user.name="$name" -c user.email="$email" -c commit.gpgsign=false)
	"${G[@]}" init -q
	"${G[@]}" add -A
	"${G[@]}" commit -q -m "Linux $(sed -n 's/^VERSION = //p' "$PRISTINE/Makefile").$(sed -n 's/^PATCHLEVEL = //p' "$PRISTINE/Makefile").$(sed -n 's/^SUBLEVEL = //p' "$PRISTINE/Makefile") (pristine files touched by sysring)"
	local base
	base=$("${G[@]}" rev-parse HEAD)

	# copy_new PATTERN...: copy new files whose tree path matches (bash case).
	copy_new() {
		local src rel pat
		while IFS=$'\t' read -r src rel; do
			for pat in "$@"; do
				# shellcheck disable=SC2254
				case $rel in $pat)
					mkdir -p "$W/$(dirname "$rel")"
					cp "$src" "$W/$rel"
					break ;;
				esac
			done
		done < <(new_files)
	}
	apply_step() {
		local s=$1 p
		for p in $(patches); do
			[ "$(patch_step "$p")" = "$s" ] || continue
			patch -d "$W" -p1 -s --no-backup-if-mismatch -r - <"$p" || die "${p##*/} does not apply"
		done
	}
	commit() {
		"${G[@]}" add -A
		"${G[@]}" diff --cached --quiet && { echo "   (step '$1': nothing to commit, skipped)"; return; }
		"${G[@]}" commit -q -s -F - <<<"$1

$2"
	}

	# 0: what sysring needs from the rest of the kernel (seccomp).
	apply_step 0
	commit "seccomp: let a kernel facility check a nested system call" \
"Add seccomp_nested_syscall(): it runs the current task's filters on a
system call that a kernel facility makes on the task's behalf with no
return to user mode around it, as sysring's SYS instruction does.

There is no user-mode context to trap, trace or notify from, so those
actions refuse the call with -EPERM; ERRNO returns its errno; the kill
actions kill the process with SIGSYS once it is back at user mode."
	# 1: uapi header, core, Kconfig/Kbuild (Makefile without the KUnit line,
	# so every commit builds on its own).
	copy_new 'include/uapi/linux/sysring.h' 'sysring/*'
	rm -f "$W/sysring/sysring_kunit.c" "$W/sysring/.kunitconfig" "$W"/sysring/*_kunit.c
	[ -f "$W/sysring/Makefile" ] && sed -i '/KUNIT/d' "$W/sysring/Makefile"
	apply_step 1
	commit "sysring: add rings of checked register-machine programs" \
"sysring lets a process submit small register-machine programs (blocks)
through a submission ring shared with the kernel. A block can run a chain
of dependent system calls, user memory loads and stores and simple
arithmetic without returning to user space; each finished block posts its
result, exit status and a register snapshot to a completion ring.

Programs are checked before they run, every system call passes the task's
seccomp filter and every block runs under an instruction budget.

This adds the uapi header, the core and CONFIG_SYSRING (default n)."
	# 2: syscall wiring.
	apply_step 2
	commit "sysring: wire up sysring_setup, sysring_enter and sysring_register" \
"Allocate syscall numbers 600-602 for x86-64 (also used by UML) and the
generic syscall table, add the prototypes to include/linux/syscalls.h and
COND_SYSCALL stubs for kernels built without CONFIG_SYSRING."
	# 3: KUnit.
	copy_new 'sysring/*kunit*' 'sysring/.kunitconfig' 'sysring/Makefile'
	apply_step 3
	commit "sysring: add KUnit tests" \
"Table-driven KUnit cases for the checker, the interpreter and the ring
set-up and register paths. Run them with:

  ./tools/testing/kunit/kunit.py run --kunitconfig=sysring"
	# 4: documentation + MAINTAINERS (+ anything else not yet committed).
	copy_new 'Documentation/*' '*'
	apply_step 4
	commit "sysring: add documentation and a MAINTAINERS entry" \
"Describe the sysring ABI and instruction set in
Documentation/userspace-api/ and add a MAINTAINERS entry."
	for f in $(patches); do
		step=$(patch_step "$f")
		case $step in [0-4]) ;; *) die "${f##*/}: X-Sysring-Step $step unknown (0-4)" ;; esac
	done

	"${G[@]}" format-patch -q --cover-letter -o "$OUTD" "$base..HEAD" >/dev/null ||
		die "git format-patch failed"
	cover_letter "$OUTD"/0000-cover-letter.patch
	ls "$OUTD"

	# Verify: the series applies to a fresh copy of the pristine tree.
	say "verifying the series applies to a pristine tree"
	local V=$B/patchset-verify
	rm -rf "$V"
	cp -a --reflink=auto "$PRISTINE" "$V"
	for f in "$OUTD"/0*.patch; do
		case $f in *0000-cover-letter.patch) continue ;; esac
		(cd "$V" && git apply --check "$f") || die "${f##*/}: git apply --check failed on the pristine tree"
		patch -d "$V" -p1 -s --no-backup-if-mismatch -r - <"$f" || die "${f##*/}: patch -p1 failed"
	done
	rm -rf "$V"
	echo "== patch series OK: build/patches/ ($(ls "$OUTD" | grep -vc cover-letter) patches + cover letter)"
}

case ${1:-} in
tree) cmd_tree ;;
bzimage) build_bzimage "$B/kernel-x86" "$LNX/configs/qemu.config" ;;
bzimage-debug) build_bzimage "$B/kernel-x86-debug" "$LNX/configs/qemu.config" "$LNX/configs/debug.config" ;;
kunit) shift; run_kunit um "$B/kunit-um" "$@" ;;
kunit-x86) shift; run_kunit x86_64 "$B/kunit-x86" "$@" ;;
checkpatch) cmd_checkpatch ;;
patchset) cmd_patchset ;;
*)
	sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'
	[ -z "${1:-}" ] && exit 2
	die "unknown command '$1'" ;;
esac
