#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Line coverage of the VM core (checker, interpreter, submission path) that
# the fuzzers' inputs reach: every input of fuzz/regress/, fuzz/corpus/ and
# the working corpus a campaign grew under build/fuzz/corpus/ is replayed
# once through a coverage build of its target (`make -C fuzz coverage`
# builds them), and llvm-cov adds the three targets up.
#
# Writes build/results/fuzz-coverage.txt (per-file report) and
# build/fuzz/cov/uncovered.txt (the source annotated with counts).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
O=build/fuzz/cov
TARGETS="check_run gen_run submit_ring"
PROFDATA=${LLVM_PROFDATA:-llvm-profdata}
COV=${LLVM_COV:-llvm-cov}
SRCS=(linux/sysring/check.c linux/sysring/vm.c linux/sysring/io.c linux/sysring/vm.h
      linux/sysring/submit.c linux/sysring/cq.c linux/sysring/params.c
      linux/sysring/opdef.c)

command -v "$COV" >/dev/null || { echo "coverage: no $COV (apt-get install llvm)"; exit 1; }
rm -f "$O"/*.profraw
objects=()
for t in $TARGETS; do
	dirs=()
	for d in fuzz/regress/$t fuzz/corpus/$t build/fuzz/corpus/$t; do
		[ -d "$d" ] && dirs+=("$d")
	done
	n=$(find "${dirs[@]}" -type f | wc -l)
	echo "== coverage: $t: replaying $n inputs"
	LLVM_PROFILE_FILE="$O/$t.profraw" "$O/$t" -runs=0 "${dirs[@]}" \
		>"$O/$t.replay.log" 2>&1
	objects+=(-object "$O/$t")
done
"$PROFDATA" merge -sparse "$O"/*.profraw -o "$O/merged.profdata"
mkdir -p build/results
"$COV" report "${objects[@]:1}" -instr-profile="$O/merged.profdata" \
	"${SRCS[@]}" | tee build/results/fuzz-coverage.txt
"$COV" show "${objects[@]:1}" -instr-profile="$O/merged.profdata" \
	-show-line-counts "${SRCS[@]}" >"$O/uncovered.txt"
echo "== coverage: build/results/fuzz-coverage.txt, annotated source in $O/uncovered.txt"
