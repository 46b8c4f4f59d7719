#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Where the time of one fio section goes: 4 KiB random reads on
# /dev/nullb0 at iodepth DEPTH (default 32), sampled with perf
# (cpu-clock, call graphs) in fio and the threads it starts (a ring's
# workers and polling thread, io_uring's too), once per SECTION of
# bench/fio/jobs/randread-4k.fio.  Run inside the VM (make profile-fio);
# writes OUT/profile-SECTION.txt (self time, the symbols above 0.5 % of
# the samples) and OUT/profile-SECTION-inclusive.txt (with callees).
#
#   bench/fio/profile.sh [OUT] [SECTION...]
#	default: sysring-inline sysring-sqpoll io_uring io_uring-sqpoll psync
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-${SYSRING_VM_OUT:-/tmp/fio-profile}}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- sysring-inline sysring-sqpoll io_uring io_uring-sqpoll psync
export FIO_SYSRING_SO=$top/build/fio/sysring-fio.so
export FIO_TARGET=/dev/nullb0 FIO_SIZE=1g FIO_DIRECT=1
export FIO_DEPTH=${DEPTH:-32} FIO_RUNTIME=${FIO_RUNTIME:-5} FIO_RAMP=1
export FIO_BATCH=$(( FIO_DEPTH >= 4 ? FIO_DEPTH / 4 : 1 ))

command -v perf >/dev/null || { echo "profile: no perf (apt-get install linux-perf)" >&2; exit 1; }
[ -b /dev/nullb0 ] || { echo "profile: no /dev/nullb0" >&2; exit 1; }
mkdir -p "$out"
report() {	# data --[no-]children percent-limit sort-key
	perf report -i "$1" --stdio "$2" \
		--sort "$4" --percent-limit "$3" -g none 2>/dev/null |
		grep -v -e '^#' -e '^$' | sed 's/[ -]*$//'
}
for section; do
	data=/tmp/perf-$section.data
	echo "== $section: randread 4 KiB, nullb0, iodepth $FIO_DEPTH"
	perf record -q -g -e cpu-clock -o "$data" -- \
		fio --eta=never --section="$section" "$here/jobs/randread-4k.fio" |
		grep -E 'IOPS=' || true
	# By thread, self time per symbol, then time including callees,
	# to see what wraps the I/O.
	report "$data" --no-children 0.5 symbol >"$out/profile-$section.txt"
	report "$data" --children 2 symbol \
		>"$out/profile-$section-inclusive.txt"
	echo "-- by thread:"
	report "$data" --no-children 1 comm
	echo "-- self:"
	head -n 25 "$out/profile-$section.txt"
	echo "-- including callees:"
	head -n 30 "$out/profile-$section-inclusive.txt"
	rm -f "$data"
done
