#!/bin/sh
# SPDX-License-Identifier: MIT
# Description: every benchmark workload once, small (sysring-bench quick):
# they run and their results check out (each workload verifies what it
# read, copied or found).  A check, not a measurement.
top=$(cd "$(dirname "$0")/.." && pwd)
if out=$(timeout 600 "$top/build/bench/sysring-bench" quick 2>&1); then
	echo "PASS sysring-bench quick"
	echo "1 passed, 0 failed, 0 skipped"
else
	printf '%s\n' "$out" | tail -n 5 | sed 's/^/    /'
	echo "FAIL sysring-bench quick"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
