#!/bin/sh
# SPDX-License-Identifier: MIT
#
# liburing's io_uring-cp example, built twice from the same source: against
# Debian's liburing (io_uring) and against liburing-compat (sysring).  Both
# copy the same file on tmpfs (BENCH_CP_MIB, default 256 MiB) RUNS times
# (default 5), alternating; prints the median wall time and throughput of
# each, and the ratio.  Run it in the VM (make bench-liburing-compat).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/build/liburing-compat
src=$("$top/tools/deb-source.sh" liburing-dev "$top/build/liburing-src")
mib=${BENCH_CP_MIB:-256}
runs=${RUNS:-5}

[ -x "$B/examples/io_uring-cp" ] ||
	{ echo "bench-cp: build liburing-compat first (make liburing-compat)" >&2; exit 1; }
work=$(mktemp -d /tmp/bench-cp.XXXXXX)
trap 'rm -rf "$work"' EXIT
gcc -O2 -D_GNU_SOURCE -o "$work/cp-liburing" "$src/examples/io_uring-cp.c" -luring
[ -w /proc/sys/kernel/io_uring_disabled ] && echo 0 >/proc/sys/kernel/io_uring_disabled
head -c $((mib * 1024 * 1024)) /dev/urandom >"$work/in"

now_ns() { date +%s%N; }
times_io=$work/io_uring.ns times_sr=$work/sysring.ns
i=0
while [ $i -lt "$runs" ]; do
	for v in io_uring sysring; do
		bin=$work/cp-liburing
		[ $v = sysring ] && bin=$B/examples/io_uring-cp
		rm -f "$work/out"
		t0=$(now_ns)
		"$bin" "$work/in" "$work/out"
		t1=$(now_ns)
		cmp -s "$work/in" "$work/out" || { echo "bench-cp: $v: copy differs" >&2; exit 1; }
		echo $((t1 - t0)) >>"$work/$v.ns"
	done
	i=$((i + 1))
done
median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
mi=$(median "$times_io") ms=$(median "$times_sr")
echo "io_uring-cp, $mib MiB on tmpfs, median of $runs runs ($(nproc) CPUs, $(uname -r)):"
awk -v mi="$mi" -v ms="$ms" -v mib="$mib" 'BEGIN {
	printf "  liburing + io_uring:        %8.1f ms  %7.1f MiB/s\n", mi / 1e6, mib / (mi / 1e9)
	printf "  liburing-compat + sysring:  %8.1f ms  %7.1f MiB/s\n", ms / 1e6, mib / (ms / 1e9)
	printf "  sysring / io_uring time:    %8.2f\n", ms / mi
}'
