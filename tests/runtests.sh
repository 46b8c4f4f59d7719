#!/bin/bash
# SPDX-License-Identifier: MIT
# Description: run sysring test binaries (default: all of build/tests/), each
# under a timeout (TEST_TIMEOUT seconds, default 60); exit 0 / 1 / 77 mean
# pass / fail / skip.  Exits nonzero if any test failed.

timeout_s=${TEST_TIMEOUT:-60}
top=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -eq 0 ]; then
	mapfile -t tests < <(find "$top/build/tests" -maxdepth 1 -type f \
				-executable | sort)
	set -- "${tests[@]}"
fi

passed=0 failed=0 skipped=0
for t in "$@"; do
	name=$(basename "$t")
	out=$(timeout -k 5 "$timeout_s" "$t" 2>&1)
	rc=$?
	case $rc in
	0)
		echo "PASS $name"
		passed=$((passed + 1))
		;;
	77)
		reason=$(printf '%s\n' "$out" | grep -v '^$' | tail -n 1)
		echo "SKIP $name (${reason:-no reason given})"
		skipped=$((skipped + 1))
		;;
	*)
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			echo "FAIL $name (timed out after ${timeout_s}s)"
		else
			echo "FAIL $name (exit $rc)"
		fi
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    /'
		failed=$((failed + 1))
		;;
	esac
done

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
