#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Two of liburing's examples, each built twice from the same source:
# against Debian's liburing (io_uring) and against liburing-compat
# (sysring).  Run it in the VM (make bench-liburing-compat).
#
# - io_uring-cp copies the same file on tmpfs (BENCH_CP_MIB, default 256
#   MiB) RUNS times (default 5), alternating: the median wall time and
#   throughput of each, and the ratio.
# - poll-bench arms 32 POLL_ADDs on a pipe, writes and reads back one
#   byte, reaps the 32 completions, and counts them for 10 s (the
#   example's own run time): the requests/s of each, and the ratio.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/build/liburing-compat
src=$("$top/tools/deb-source.sh" liburing-dev "$top/build/liburing-src")
mib=${BENCH_CP_MIB:-256}
runs=${RUNS:-5}

for ex in io_uring-cp poll-bench; do
	[ -x "$B/examples/$ex" ] ||
		{ echo "bench: build liburing-compat first (make liburing-compat)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/bench-compat.XXXXXX)
trap 'rm -rf "$work"' EXIT
for ex in io_uring-cp poll-bench; do
	gcc -O2 -D_GNU_SOURCE -o "$work/$ex-liburing" "$src/examples/$ex.c" -luring
done
[ -w /proc/sys/kernel/io_uring_disabled ] && echo 0 >/proc/sys/kernel/io_uring_disabled

# io_uring-cp
head -c $((mib * 1024 * 1024)) /dev/urandom >"$work/in"
now_ns() { date +%s%N; }
times_io=$work/io_uring.ns times_sr=$work/sysring.ns
i=0
while [ $i -lt "$runs" ]; do
	for v in io_uring sysring; do
		bin=$work/io_uring-cp-liburing
		[ $v = sysring ] && bin=$B/examples/io_uring-cp
		rm -f "$work/out"
		t0=$(now_ns)
		"$bin" "$work/in" "$work/out"
		t1=$(now_ns)
		cmp -s "$work/in" "$work/out" || { echo "bench: $v: copy differs" >&2; exit 1; }
		echo $((t1 - t0)) >>"$work/$v.ns"
	done
	i=$((i + 1))
done
rm -f "$work/in" "$work/out"
median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
mi=$(median "$times_io") ms=$(median "$times_sr")
echo "io_uring-cp, $mib MiB on tmpfs, median of $runs runs ($(nproc) CPUs, $(uname -r)):"
awk -v mi="$mi" -v ms="$ms" -v mib="$mib" 'BEGIN {
	printf "  liburing + io_uring:        %8.1f ms  %7.1f MiB/s\n", mi / 1e6, mib / (mi / 1e9)
	printf "  liburing-compat + sysring:  %8.1f ms  %7.1f MiB/s\n", ms / 1e6, mib / (ms / 1e9)
	printf "  sysring / io_uring time:    %8.2f\n", ms / mi
}'

# poll-bench
rate() {	# binary: its requests/s
	"$1" 2>&1 | awk '/^requests\/s:/ { print $2; ok = 1 } END { exit !ok }'
}
io=$(rate "$work/poll-bench-liburing")
sr=$(rate "$B/examples/poll-bench")
echo "poll-bench, 32 POLL_ADDs on a pipe per round, 10 s each ($(nproc) CPUs, $(uname -r)):"
awk -v io="$io" -v sr="$sr" 'BEGIN {
	printf "  liburing + io_uring:        %9d requests/s\n", io
	printf "  liburing-compat + sysring:  %9d requests/s\n", sr
	printf "  sysring / io_uring:         %9.2f\n", sr / io
}'
