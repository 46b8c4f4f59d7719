#!/bin/bash
# SPDX-License-Identifier: MIT
# Description: inside the VM (make profile-httpd): where each server's time
# goes per request.  For each server, wrk fetches the 1 KiB file over 64
# keep-alive connections while perf samples every CPU (cpu-clock, one
# sample per 250 us of CPU time); the samples are turned into microseconds
# per request.  Writes $SYSRING_VM_OUT/profile-SERVER.txt (each process
# and symbol above 0.05 us per request) and prints a summary: the server's
# time (every process but wrk, perf and the idle task: the server's own
# threads, softirqs and kernel workers), wrk's, and the server's costliest
# symbols.  HTTPD_PROFILE_SERVERS and _SECONDS (5) narrow it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${SYSRING_VM_OUT:?}
dur=${HTTPD_PROFILE_SECONDS:-5}
servers=${HTTPD_PROFILE_SERVERS:-sysring-httpd sysring-httpd-inline nginx epoll-httpd uring-httpd}
conns=64
cpus=$(nproc)
period_ns=250000

command -v perf >/dev/null || { echo "profile: no perf (apt-get install linux-perf)" >&2; exit 1; }
. "$top/bench/httpd/servers.sh"
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid

# perf's samples of one run as "us_per_request|comm|symbol", costliest first.
per_request() {
	perf report -i "$1" --stdio --no-children -n -g none -t '|' \
		--sort comm,sym 2>/dev/null | grep -v -e '^#' -e '^$' |
	awk -F'|' -v n="$2" -v p="$period_ns" '
		{ gsub(/^ +| +$/, "", $3); gsub(/^ +| +$/, "", $4)
		  printf "%.3f|%s|%s\n", $2 * p / 1000 / n, $3, $4 }' |
	sort -t '|' -k1,1 -g -r
}

status=0
for server in $servers; do
	start "$server" || { status=1; continue; }
	url=http://127.0.0.1:$port/1k.bin
	wrk -t "$cpus" -c $conns -d 1s "$url" >/dev/null	# warm up
	perf record -q -a -e cpu-clock -c $period_ns -o "$tmp/perf.data" -- \
		wrk -t "$cpus" -c $conns -d "${dur}s" "$url" >"$tmp/wrk.out" 2>&1
	stop
	n=$(awk '/requests in/ { print $1 }' "$tmp/wrk.out")
	if [ -z "$n" ] || [ "$n" = 0 ]; then
		echo "profile: $server answered nothing: $(cat "$tmp/wrk.out")" >&2
		status=1
		continue
	fi
	per_request "$tmp/perf.data" "$n" >"$tmp/rows"
	awk -F'|' '$1 >= 0.05' "$tmp/rows" >"$out/profile-$server.txt"
	awk -F'|' -v s="$server" -v n="$n" '
		$2 == "wrk" { wrk += $1; next }
		$2 == "swapper" || $2 == "perf" { next }
		{ srv += $1; if (k < 12) top[++k] = sprintf("%8.2f  %s  %s", $1, $2, $3) }
		END {
			printf "== %s: %d requests; us per request: server %.2f, wrk %.2f\n",
				s, n, srv, wrk
			for (i = 1; i <= k; i++) print top[i]
		}' "$tmp/rows"
done
rm -rf "$tmp"
exit $status
