#!/bin/sh
# SPDX-License-Identifier: MIT
#
# liburing's poll-bench example, built twice from the same source: against
# Debian's liburing (io_uring) and against liburing-compat (sysring).  Each
# arms 32 POLL_ADDs on a pipe, writes and reads back one byte, reaps the 32
# completions, and counts them for 10 s (the example's own run time).
# Prints the requests/s of each and the ratio.  Run it in the VM (make
# bench-liburing-compat).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/build/liburing-compat
src=$("$top/tools/deb-source.sh" liburing-dev "$top/build/liburing-src")

[ -x "$B/examples/poll-bench" ] ||
	{ echo "bench-poll: build liburing-compat first (make liburing-compat)" >&2; exit 1; }
work=$(mktemp -d /tmp/bench-poll.XXXXXX)
trap 'rm -rf "$work"' EXIT
gcc -O2 -D_GNU_SOURCE -o "$work/poll-liburing" "$src/examples/poll-bench.c" -luring
[ -w /proc/sys/kernel/io_uring_disabled ] && echo 0 >/proc/sys/kernel/io_uring_disabled

rate() {	# binary: its requests/s
	"$1" 2>&1 | awk '/^requests\/s:/ { print $2; ok = 1 } END { exit !ok }'
}
io=$(rate "$work/poll-liburing")
sr=$(rate "$B/examples/poll-bench")
echo "poll-bench, 32 POLL_ADDs on a pipe per round, 10 s each ($(nproc) CPUs, $(uname -r)):"
awk -v io="$io" -v sr="$sr" 'BEGIN {
	printf "  liburing + io_uring:        %9d requests/s\n", io
	printf "  liburing-compat + sysring:  %9d requests/s\n", sr
	printf "  sysring / io_uring:         %9.2f\n", sr / io
}'
