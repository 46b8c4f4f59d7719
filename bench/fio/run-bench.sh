#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fio comparison, run inside the VM booted from the sysring kernel by
# `make bench-fio`: every job of bench/fio/jobs/{randread-4k,seqread-128k,
# randwrite-4k}.fio on a tmpfs file and on /dev/nullb0 at iodepth 1, 32 and
# 128, one fio JSON report per (job, target, depth) in OUT/json/, and
# OUT/env.txt.  psync runs at iodepth 1 only (it has no queue); sysring's
# verify program only on tmpfs, where the file holds fio verify headers.
#
#   bench/fio/run-bench.sh [OUT]     FIO_RUNTIME (3 s), FIO_RAMP (1 s)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-${SYSRING_VM_OUT:-/tmp/fio-out}}
export FIO_SYSRING_SO=$top/build/fio/sysring-fio.so
export FIO_RUNTIME=${FIO_RUNTIME:-3} FIO_RAMP=${FIO_RAMP:-1}
tmpfile=/tmp/sysring-fio.dat
tmpsize=256m

[ -f "$FIO_SYSRING_SO" ] || { echo "run-bench: $FIO_SYSRING_SO missing (make -C bench/fio)" >&2; exit 1; }
[ -b /dev/nullb0 ] || { echo "run-bench: no /dev/nullb0 (CONFIG_BLK_DEV_NULL_BLK=y in the kernel)" >&2; exit 1; }
[ "$(stat -f -c %T /tmp)" = tmpfs ] || { echo "run-bench: /tmp is not tmpfs" >&2; exit 1; }
mkdir -p "$out/json"

{
	echo "kernel: $(uname -sr) with sysring, in a QEMU guest ($(nproc) vCPUs)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') x $(nproc), $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB"
	echo "fio: $(fio --version); null_blk: $(cat /sys/block/nullb0/queue/nr_requests 2>/dev/null) requests, irqmode $(cat /sys/module/null_blk/parameters/irqmode 2>/dev/null)"
	echo "runs: ${FIO_RUNTIME} s after ${FIO_RAMP} s ramp, one after the other"
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
} >"$out/env.txt"
cat "$out/env.txt"

# Lay the tmpfs file out with verify headers at every 4 KiB, so that the
# verify program has something to check; the read jobs leave it so.
fio --name=layout --ioengine=psync --filename=$tmpfile --size=$tmpsize \
	--rw=write --bs=4k --verify=crc32c --do_verify=0 \
	--verify_state_save=0 --eta=never --output=/dev/null

# randwrite last: it overwrites the headers.
for job in randread-4k seqread-128k randwrite-4k; do
	for target in tmpfs nullb0; do
		for depth in 1 32 128; do
			if [ "$target" = tmpfs ]; then
				export FIO_TARGET=$tmpfile FIO_SIZE=$tmpsize FIO_DIRECT=0
			else
				export FIO_TARGET=/dev/nullb0 FIO_SIZE=1g FIO_DIRECT=1
			fi
			export FIO_DEPTH=$depth
			export FIO_BATCH=$(( depth >= 4 ? depth / 4 : 1 ))
			set -- --section=sysring-inline --section=sysring-worker \
				--section=sysring-sqpoll --section=io_uring \
				--section=io_uring-sqpoll
			[ "$depth" = 1 ] && set -- "$@" --section=psync
			[ "$job" = randread-4k ] && [ "$target" = tmpfs ] &&
				set -- "$@" --section=sysring-program
			echo "== $job on $target, iodepth $depth"
			fio --output-format=json --eta=never \
				--output="$out/json/$job-$target-$depth.json" \
				"$@" "$here/jobs/$job.fio"
		done
	done
done
rm -f $tmpfile
echo "run-bench: done"
