#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a sysring kernel under QEMU (tools/vm-run) and run sysring-abi-fuzz
# in it; then scan kmemleak (when the kernel has it).  One test: the run.
#
#   fuzz/abi/run.sh [BZIMAGE]
#
# BZIMAGE: default $SYSRING_KERNEL, else build/kernel-x86/arch/x86/boot/bzImage
# (build/kernel-x86-debug/... is the KASAN/UBSAN/lockdep/kmemleak one).
# Environment: FUZZ_ABI_SECONDS (60), FUZZ_ABI_SEED (default: the time),
# FUZZ_ABI_PROCS (2), FUZZ_ABI_THREADS (3), SYSRING_FUZZ_HANG_S (120).
# Fails when the fuzzer hangs or fails, when the guest log shows a kernel
# report (panic, Oops, BUG, WARNING, KASAN, UBSAN, lockdep, hung task) or
# kmemleak reports a leak.  The last line is "N passed, N failed, N skipped".
# Inside the guest (tools/vm-run runs it as "run.sh --in-vm") it runs the
# fuzzer under tools/kmemleak-run.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FUZZ=$ROOT/build/fuzz/abi/sysring-abi-fuzz
secs=${FUZZ_ABI_SECONDS:-60}
seed=${FUZZ_ABI_SEED:-$(date +%s)}
procs=${FUZZ_ABI_PROCS:-2}
threads=${FUZZ_ABI_THREADS:-3}

if [ "${1:-}" = --in-vm ]; then
	SYSRING_FUZZ_HANG_S=${SYSRING_FUZZ_HANG_S:-120} exec \
		"$ROOT/tools/kmemleak-run" \
		"$FUZZ" -s "$seed" -t "$secs" -j "$procs" -T "$threads"
fi

kernel=${1:-${SYSRING_KERNEL:-$ROOT/build/kernel-x86/arch/x86/boot/bzImage}}
if [ ! -f "$kernel" ] || ! command -v qemu-system-x86_64 >/dev/null; then
	echo "abi-fuzz: SKIP: no kernel $kernel or no qemu-system-x86_64 (make kernel)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! make -s -C "$ROOT/fuzz/abi" >/dev/null; then
	echo "abi-fuzz: FAIL: build failed"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

echo "abi-fuzz: kernel ${kernel#"$ROOT"/}, seed $seed, ${secs}s, -j $procs -T $threads"
# tools/kmemleak-run's final list decides on leaks, not the console line of
# a scan that may catch a process's teardown halfway.
SYSRING_VM_QUIET=${SYSRING_VM_QUIET:-1} SYSRING_KERNEL=$kernel \
	SYSRING_VM_IGNORE='kmemleak: [0-9]+ new suspected memory leaks' \
	"$ROOT/tools/vm-run" --timeout $((secs + 240)) -- \
	env FUZZ_ABI_SECONDS="$secs" FUZZ_ABI_SEED="$seed" \
	FUZZ_ABI_PROCS="$procs" FUZZ_ABI_THREADS="$threads" \
	"$ROOT/fuzz/abi/run.sh" --in-vm
rc=$?
if [ "$rc" -eq 0 ]; then
	echo "abi-fuzz: PASS (seed $seed)"
	echo "1 passed, 0 failed, 0 skipped"
	exit 0
fi
echo "abi-fuzz: FAIL (exit $rc; console: build/vm/console.log)"
echo "abi-fuzz: reproduce: FUZZ_ABI_SEED=$seed FUZZ_ABI_SECONDS=$secs FUZZ_ABI_PROCS=$procs FUZZ_ABI_THREADS=$threads fuzz/abi/run.sh $kernel"
echo "0 passed, 1 failed, 0 skipped"
exit 1
