#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Where the time of one fio section goes: 4 KiB random reads on
# /dev/nullb0 at iodepth DEPTH (default 32), sampled system-wide with
# perf (cpu-clock, call graphs), once per SECTION of
# bench/fio/jobs/randread-4k.fio.  Run inside the VM (make profile-fio);
# writes OUT/profile-SECTION.txt, the symbols above 0.5 % of fio's samples.
#
#   bench/fio/profile.sh [OUT] [SECTION...]   default: sysring-inline io_uring psync
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-${SYSRING_VM_OUT:-/tmp/fio-profile}}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- sysring-inline io_uring psync
export FIO_SYSRING_SO=$top/build/fio/sysring-fio.so
export FIO_TARGET=/dev/nullb0 FIO_SIZE=1g FIO_DIRECT=1
export FIO_DEPTH=${DEPTH:-32} FIO_RUNTIME=${FIO_RUNTIME:-5} FIO_RAMP=1
export FIO_BATCH=$(( FIO_DEPTH >= 4 ? FIO_DEPTH / 4 : 1 ))

command -v perf >/dev/null || { echo "profile: no perf (apt-get install linux-perf)" >&2; exit 1; }
[ -b /dev/nullb0 ] || { echo "profile: no /dev/nullb0" >&2; exit 1; }
mkdir -p "$out"
for section; do
	data=/tmp/perf-$section.data
	echo "== $section: randread 4 KiB, nullb0, iodepth $FIO_DEPTH"
	perf record -q -a -g -e cpu-clock -o "$data" -- \
		fio --eta=never --section="$section" "$here/jobs/randread-4k.fio" |
		grep -E 'IOPS=' || true
	# fio's own threads only (the other vCPU idles): what one I/O costs.
	perf report -i "$data" --stdio --no-children --comms fio \
		--percentage relative --sort symbol --percent-limit 0.5 \
		-g none 2>/dev/null | grep -v -e '^#' -e '^$' |
		sed 's/[ -]*$//' >"$out/profile-$section.txt"
	head -n 25 "$out/profile-$section.txt"
	rm -f "$data"
done
