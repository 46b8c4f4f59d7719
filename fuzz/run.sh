#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the sysring fuzzers, replay fuzz/regress/<target>/ (every crasher
# found so far) and the seed corpus, then fuzz each target for
# FUZZ_SECONDS (default 60; 0: replay only).  One result per target: a
# crash, leak, timeout or sanitizer report fails it and prints the
# reproducer.  The last line is "N passed, N failed, N skipped"; the exit
# status is nonzero when a target failed.
#
#   FUZZ_SECONDS=10 fuzz/run.sh              smoke run, as make check does
#   FUZZ_TARGETS="gen_run" fuzz/run.sh       only some targets
#   FUZZ_RUNS=50000000 fuzz/run.sh           a campaign: N executions per
#                                            target instead of a time budget
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_RUNS=${FUZZ_RUNS:-0}
TARGETS=${FUZZ_TARGETS:-check_run gen_run submit_ring}
OUT=build/fuzz
passed=0 failed=0 skipped=0

declare -A MAX_LEN=([check_run]=32776 [gen_run]=4096 [submit_ring]=8192)

ntargets=$(wc -w <<<"$TARGETS")
if ! command -v "${CLANG:-clang}" >/dev/null; then
	echo "== fuzz: SKIP: no clang (apt-get install clang libclang-rt-14-dev)"
	echo "0 passed, 0 failed, $ntargets skipped"
	exit 0
fi
mkdir -p "$OUT/logs"
if ! make -s -C fuzz all >"$OUT/logs/build.log" 2>&1; then
	cat "$OUT/logs/build.log"
	if grep -q -- '-fsanitize=fuzzer\|libclang_rt.fuzzer' "$OUT/logs/build.log"; then
		echo "== fuzz: SKIP: clang has no libFuzzer (apt-get install libclang-rt-14-dev)"
		echo "0 passed, 0 failed, $ntargets skipped"
		exit 0
	fi
	echo "== fuzz: build failed"
	echo "0 passed, $ntargets failed, 0 skipped"
	exit 1
fi

# The reproducer libFuzzer wrote, or the input it was replaying.
culprit() {
	local log=$1 f
	f=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -n 1)
	[ -z "$f" ] && f=$(sed -nE 's/^Running: (.*)$/\1/p' "$log" | tail -n 1)
	echo "${f:-(none: see $log)}"
}

for t in $TARGETS; do
	bin=$OUT/$t
	log=$OUT/logs/$t.log
	echo "== fuzz: $t"
	ok=1

	# 1. Every known crasher and every seed, once each.
	replay=()
	for d in fuzz/regress/$t fuzz/corpus/$t; do
		[ -d "$d" ] && replay+=("$d"/*)
	done
	replay=("${replay[@]/%\*/}")
	if [ ${#replay[@]} -gt 0 ]; then
		if ! "$bin" -error_exitcode=77 -timeout=10 "${replay[@]}" \
			>"$OUT/logs/$t.replay.log" 2>&1; then
			tail -n 30 "$OUT/logs/$t.replay.log"
			echo "== fuzz: $t: FAIL replaying $(culprit "$OUT/logs/$t.replay.log")"
			ok=0
		else
			echo "== fuzz: $t: replayed ${#replay[@]} regress/corpus inputs"
		fi
	fi

	# 2. Fuzz, growing a working corpus under build/ (never the seeds).
	if [ "$ok" = 1 ] && [ "$FUZZ_SECONDS" -gt 0 -o "$FUZZ_RUNS" -gt 0 ]; then
		work=$OUT/corpus/$t art=$OUT/artifacts/$t/
		mkdir -p "$work" "$art"
		seeds=
		[ -d "fuzz/corpus/$t" ] && seeds=fuzz/corpus/$t
		budget=-max_total_time=$FUZZ_SECONDS
		[ "$FUZZ_RUNS" -gt 0 ] && budget=-runs=$FUZZ_RUNS
		"$bin" "$budget" -timeout=10 \
			-rss_limit_mb=2048 -max_len="${MAX_LEN[$t]:-4096}" \
			-error_exitcode=77 -print_final_stats=1 \
			-artifact_prefix="$art" "$work" $seeds \
			>"$log" 2>&1
		rc=$?
		stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
		echo "== fuzz: $t: ${stats:-no stats}"
		grep -E '^(gen_run|submit_ring):' "$log" | sed "s/^/== fuzz: /"
		if [ $rc -ne 0 ]; then
			grep -E 'ERROR|runtime error|invariant failed|SUMMARY|passed the checker' "$log" | head -n 10
			echo "== fuzz: $t: FAIL (rc $rc), reproducer: $(culprit "$log")"
			echo "== fuzz:   rerun: $bin <reproducer>; minimize: $bin -minimize_crash=1 -runs=10000 <reproducer>"
			ok=0
		fi
	fi

	if [ "$ok" = 1 ]; then
		echo "== fuzz: $t: PASS"
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
