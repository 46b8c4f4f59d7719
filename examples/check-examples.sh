#!/bin/sh
# SPDX-License-Identifier: MIT
# Description: run the examples on real files and compare with coreutils;
# one test per example, last line "N passed, N failed, 0 skipped".
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/examples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

result() {
	if [ "$2" = ok ]; then
		echo "PASS $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1: $2"
		failed=$((failed + 1))
	fi
}

head -c 1000000 /dev/urandom >"$tmp/src"
printf 'line one\nline two\n' >"$tmp/small"

if "$bin/sr-cat" "$tmp/src" >"$tmp/cat.out" 2>"$tmp/cat.err" &&
	cmp -s "$tmp/src" "$tmp/cat.out"; then
	result sr-cat ok
else
	result sr-cat "output differs from the file ($(cat "$tmp/cat.err"))"
fi

if "$bin/sr-cp" "$tmp/src" "$tmp/copy" >/dev/null 2>"$tmp/cp.err" &&
	cmp -s "$tmp/src" "$tmp/copy"; then
	result sr-cp ok
else
	result sr-cp "copy differs ($(cat "$tmp/cp.err"))"
fi

"$bin/sr-stat" "$tmp/src" "$tmp/small" "$tmp/missing" >"$tmp/stat.out" 2>/dev/null
want=$(printf '%10d\n%10d' "$(stat -c %s "$tmp/src")" "$(stat -c %s "$tmp/small")")
got=$(grep -v missing "$tmp/stat.out" | cut -c1-10)
if [ "$got" != "$want" ] ||
	! grep -q "missing: No such file or directory" "$tmp/stat.out"; then
	result sr-stat "sizes or the missing-file error are wrong: $(cat "$tmp/stat.out")"
else
	result sr-stat ok
fi

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
