#!/bin/bash
# SPDX-License-Identifier: MIT
# Description: inside the VM (make bench-httpd): the memory each server
# needs per idle keep-alive connection, then wrk against sysring-httpd (its
# conn and inline modes), nginx, epoll-httpd and uring-httpd in one boot, a 1 KiB and a 1 MiB file,
# keep-alive on and off, HTTPD_BENCH_CONNS (64) connections for
# HTTPD_BENCH_SECONDS (10) each.  Writes httpd.csv, httpd-mem.csv and
# env.txt to $SYSRING_VM_OUT; each run is repeated HTTPD_BENCH_ROUNDS (5)
# times.  HTTPD_BENCH_SERVERS, _FILES and _KEEPALIVE narrow the runs;
# HTTPD_BENCH_MEM=0 skips the memory part.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${SYSRING_VM_OUT:?}
dur=${HTTPD_BENCH_SECONDS:-10}
conns=${HTTPD_BENCH_CONNS:-64}
servers=${HTTPD_BENCH_SERVERS:-sysring-httpd sysring-httpd-inline nginx epoll-httpd uring-httpd}
files=${HTTPD_BENCH_FILES:-1k.bin 1m.bin}
kas=${HTTPD_BENCH_KEEPALIVE:-on off}
rounds=${HTTPD_BENCH_ROUNDS:-5}
cpus=$(nproc)
. "$top/bench/httpd/servers.sh"

# wrk's summary as "rps,p50_ms,p99_ms,errors".
wrk_csv() {
	awk '
	function ms(v) {
		if (v ~ /us$/) return v / 1000
		if (v ~ /ms$/) return v + 0
		if (v ~ /s$/) return v * 1000
		return v
	}
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/Socket errors/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
	/Non-2xx/ { err += $NF }
	/^Requests\/sec/ { rps = $2 }
	END { printf "%.0f,%.2f,%.2f,%d\n", rps, p50, p99, err }'
}

# Memory in use (kB): what neither the page cache nor free memory holds.
used_kb() {
	awk '/^MemTotal/ { t = $2 } /^MemFree/ { f = $2 } /^Buffers/ { b = $2 }
	     /^Cached/ { c = $2 } END { print t - f - b - c }' /proc/meminfo
}

# Memory with $2 idle keep-alive connections open (each after one request).
mem_with() {
	local server=$1 n=$2 before after holder
	sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	before=$(used_kb)
	start "$server" "$n" || return 1
	bash -c 'for i in $(seq '"$n"'); do
			exec {fd}<>/dev/tcp/127.0.0.1/'"$port"' || exit 1
			printf "GET /1k.bin HTTP/1.1\r\nHost: x\r\n\r\n" >&$fd
		done; sleep 60' &
	holder=$!
	sleep $((n / 32 + 4))
	after=$(used_kb)
	kill "$holder"
	wait "$holder" 2>/dev/null
	stop
	echo $((after - before))
}

{
	echo "kernel: $(uname -r)"
	echo "vcpus: $cpus${SYSRING_IN_VM:+ (QEMU TCG guest)}, memory: $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB"
	echo "wrk: $(wrk -v 2>&1 | head -n 1)"
	echo "nginx: $(nginx -v 2>&1)"
	echo "liburing: $(dpkg-query -W -f='${Version}' liburing-dev 2>/dev/null)"
	echo "run: wrk -t $cpus -c $conns -d ${dur}s --latency, $rounds rounds of the servers in turn, the median round"
} >"$out/env.txt"

# The cost of one more idle connection: the slope between 64 and 512,
# measured first, before wrk leaves sockets in TIME_WAIT behind.
echo "server,kb_per_idle_conn" >"$out/httpd-mem.csv"
for server in $servers; do
	[ "${HTTPD_BENCH_MEM:-1}" = 1 ] || break
	lo=$(mem_with "$server" 64) && hi=$(mem_with "$server" 512) &&
		echo "$server,$(((hi - lo) / 448))" >>"$out/httpd-mem.csv"
done

# Rounds interleave the servers, so a change in the host's load (TCG
# shares it) hits them all; each row of httpd.csv is the run with the
# median requests/s of its rounds, errors summed over all of them.
runs=$tmp/runs.csv
: >"$runs"
for round in $(seq "$rounds"); do
	for server in $servers; do
		start "$server" || continue
		for file in $files; do
			for ka in $kas; do
				hdr=()
				[ "$ka" = off ] && hdr=(-H "Connection: close")
				echo "== round $round: $server $file keep-alive $ka"
				wrk -t "$cpus" -c "$conns" -d "${dur}s" --latency \
					"${hdr[@]}" "http://127.0.0.1:$port/$file" \
					>"$tmp/wrk.out" 2>&1
				cat "$tmp/wrk.out"
				echo "$server,$file,$ka,$(wrk_csv <"$tmp/wrk.out")" >>"$runs"
			done
		done
		stop
	done
done
echo "server,file,keepalive,rps,p50_ms,p99_ms,errors" >"$out/httpd.csv"
awk -F, '
	{ k = $1 "," $2 "," $3; n[k]++; row[k, n[k]] = $0; rps[k, n[k]] = $4
	  err[k] += $7; if (!(k in seen)) { seen[k] = 1; order[++keys] = k } }
	END {
		for (i = 1; i <= keys; i++) {
			k = order[i]
			for (a = 1; a <= n[k]; a++)	# sort the rounds by rps
				for (b = a + 1; b <= n[k]; b++)
					if (rps[k, b] < rps[k, a]) {
						t = row[k, a]; row[k, a] = row[k, b]; row[k, b] = t
						t = rps[k, a]; rps[k, a] = rps[k, b]; rps[k, b] = t
					}
			split(row[k, int((n[k] + 1) / 2)], f, ",")
			print k "," f[4] "," f[5] "," f[6] "," err[k]
		}
	}' "$runs" >>"$out/httpd.csv"
cp "$runs" "$out/httpd-runs.csv"
cat "$out/httpd-mem.csv" "$out/httpd.csv"
rm -rf "$tmp"
