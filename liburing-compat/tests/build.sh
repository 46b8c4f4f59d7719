#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build liburing's own examples and tests, unmodified, against
# liburing-compat: the source is Debian's liburing package at the version
# liburing-dev has (tools/deb-source.sh), configured by its own configure,
# compiled with liburing-compat's headers and linked with
# liburing-compat.so only (no liburing.so).  The test list is the one in
# liburing's test/Makefile.
#
# liburing-compat's own tests (liburing-compat/tests/*.c) build the same
# way, as test/compat-NAME.t.
#
#   liburing-compat/tests/build.sh       -> build/liburing-compat/{examples,test}/
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/build/liburing-compat
src=$("$top/tools/deb-source.sh" liburing-dev "$top/build/liburing-src")

if [ ! -f "$src/config-host.h" ]; then
	echo "liburing-tests: ./configure in $src" >&2
	(cd "$src" && ./configure >configure.out 2>&1) ||
		{ cat "$src/configure.out" >&2; exit 1; }
fi

CC=${CC:-gcc}
CFLAGS="-g -O2 -D_GNU_SOURCE -D__SANE_USERSPACE_TYPES__ -I$B/include -include $src/config-host.h"
LIBS="-L$B -Wl,-rpath,$B -l:liburing-compat.so -lpthread"
mkdir -p "$B/examples" "$B/test"

build() {	# out src... : compile when a source or the library is newer
	out=$1
	shift
	for f in "$@" "$B/liburing-compat.so"; do
		if [ ! -e "$out" ] || [ "$f" -nt "$out" ]; then
			$CC $CFLAGS -o "$out" "$@" $LIBS 2>"$out.log" || {
				echo "liburing-tests: $(basename "$out") does not build:" >&2
				tail -n 3 "$out.log" >&2
				rm -f "$out"
				return 0
			}
			return 0
		fi
	done
}

n=0
for e in "$src"/examples/*.c; do
	build "$B/examples/$(basename "$e" .c)" "$e"
	n=$((n + 1))
done

# test_srcs := \ ... in liburing's test/Makefile; exec-target is a helper
# that other tests run.
tests=$(sed -n '/^test_srcs := /,/^$/p' "$src/test/Makefile" |
	tr -d '\\' | tr -s ' \t' '\n' | grep -E '\.c$' | grep -v '^exec-target\.c$')
for t in $tests; do
	build "$B/test/${t%.c}.t" "$src/test/$t" "$src/test/helpers.c"
	n=$((n + 1))
done
build "$B/test/exec-target.t" "$src/test/exec-target.c" "$src/test/helpers.c"
# liburing-compat's own tests, run with liburing's as compat-NAME.
for t in "$top"/liburing-compat/tests/*.c; do
	build "$B/test/compat-$(basename "$t" .c).t" "$t"
	n=$((n + 1))
done
echo "liburing-tests: $n programs in $B/examples and $B/test" >&2
