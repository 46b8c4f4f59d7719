#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test of the sysring fio engine, for make check: the verify job in
# every mode, a short randread per mode, trim, the verify program failing
# on a file without headers, and bad options failing cleanly.  On the
# kernel in the VM (tools/vm-tests) and on the host with
# SYSRING_FIO_BACKEND=user.  Last line: "N passed, N failed, N skipped".
#
#   bench/fio/check-fio.sh     SYSRING_FIO_BACKEND (kernel), FIO_SMOKE_S (2)
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
so=$top/build/fio/sysring-fio.so
backend=${SYSRING_FIO_BACKEND:-kernel}
secs=${FIO_SMOKE_S:-2}
dir=$(mktemp -d "${TMPDIR:-/tmp}/sysring-fio.XXXXXX")
trap 'rm -rf "$dir"' EXIT
passed=0 failed=0 skipped=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; sed 's/^/    /' "$dir/log" | tail -n 15; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }

# Run fio quietly; its output stays in $dir/log.
run_fio() { fio "$@" >"$dir/log" 2>&1; }

# A job that must work and do I/O.
must_pass() {
	local name=$1
	shift
	if ! run_fio --output-format=json --output="$dir/json" "$@"; then
		fail "$name" "fio exited $?"
		return
	fi
	local ios
	ios=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); j=d["jobs"][0]; print(j["error"] or sum(j[k]["total_ios"] for k in ("read","write","trim")))' "$dir/json" 2>>"$dir/log")
	if [ -z "$ios" ] || [ "$ios" -le 0 ]; then
		fail "$name" "no I/O done or a job error"
		return
	fi
	pass "$name ($ios I/Os)"
}

# A job that must stop, with status 1 and @want in its output.
must_fail() {
	local name=$1 want=$2 rc
	shift 2
	run_fio "$@"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		fail "$name" "fio succeeded"
	elif [ "$rc" -ge 128 ]; then
		fail "$name" "fio died (status $rc)"
	elif ! grep -q -- "$want" "$dir/log"; then
		fail "$name" "no '$want' in the output"
	else
		pass "$name"
	fi
}

if [ ! -f "$so" ]; then
	echo "FAIL build: $so missing (make -C bench/fio)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
echo "== sysring fio engine on backend=$backend ($(fio --version))"
eng=(--ioengine=external:"$so" --backend="$backend")
file=$dir/data

for mode in inline worker sqpoll; do
	FIO_SYSRING_SO=$so FIO_TARGET=$file FIO_MODE=$mode \
		FIO_BACKEND=$backend must_pass "verify crc32c, program=1, mode=$mode" \
		"$here/jobs/verify.fio"
done

for mode in inline worker sqpoll; do
	must_pass "randread 4k ${secs}s, iodepth 32, mode=$mode" \
		--name=randread "${eng[@]}" --mode="$mode" \
		--filename="$file" --size=16m --rw=randread --bs=4k \
		--iodepth=32 --iodepth_batch_submit=8 \
		--time_based --runtime="$secs"
done

must_pass "randtrim 64k (fallocate PUNCH_HOLE)" --name=trim "${eng[@]}" \
	--filename="$file" --size=16m --rw=randtrim --bs=64k --iodepth=8

head -c 1048576 /dev/zero >"$dir/zero"
must_fail "program=1 rejects a block without a verify header" \
	"bad verify header at offset" --name=zero "${eng[@]}" --program=1 \
	--filename="$dir/zero" --size=1m --rw=read --bs=4k --iodepth=4

must_fail "mode=bogus" "failed parsing mode=bogus" --name=bad "${eng[@]}" \
	--mode=bogus --filename="$file" --size=1m --rw=read
must_fail "backend=bogus" "failed parsing backend=bogus" --name=bad \
	--ioengine=external:"$so" --backend=bogus --filename="$file" \
	--size=1m --rw=read
must_fail "workers without mode=worker" "workers=4 needs mode=worker" \
	--name=bad "${eng[@]}" --workers=4 --filename="$file" --size=1m \
	--rw=read
must_fail "workers with mode=sqpoll" "workers=4 needs mode=worker" \
	--name=bad "${eng[@]}" --mode=sqpoll --workers=4 --filename="$file" \
	--size=1m --rw=read
must_fail "workers over SYSRING_MAX_WORKERS" "failed parsing workers=5000" \
	--name=bad "${eng[@]}" --mode=worker --workers=5000 \
	--filename="$file" --size=1m --rw=read
must_fail "iodepth over SYSRING_MAX_ENTRIES" "iodepth=5000 is more than a ring holds" \
	--name=bad "${eng[@]}" --iodepth=5000 --filename="$file" --size=1m \
	--rw=read
must_fail "program=1 on a job without reads" "program=1 checks reads" \
	--name=bad "${eng[@]}" --program=1 --filename="$file" --size=1m \
	--rw=write

# backend=kernel on a kernel without sysring must say so.
if [ "$backend" = user ]; then
	if run_fio --name=nosys --ioengine=external:"$so" --backend=kernel \
		--filename="$file" --size=1m --rw=read; then
		skip "backend=kernel without sysring" "this kernel has sysring"
	elif grep -q "this kernel has no sysring.*use backend=user" "$dir/log"; then
		pass "backend=kernel without sysring: clear message"
	else
		fail "backend=kernel without sysring" "no clear message"
	fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
