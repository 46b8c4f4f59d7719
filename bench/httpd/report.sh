#!/bin/bash
# SPDX-License-Identifier: MIT
# Description: build/results/httpd.md from what run-bench.sh left in DIR
# (httpd.csv, httpd-mem.csv, env.txt): the wrk table, the memory per idle
# connection, and whether sysring-httpd met its target (1 KiB keep-alive at
# 1.5 times nginx's requests/s, no errors).
#
#   report.sh DIR OUT.md
set -euo pipefail
dir=$1 md=$2

{
	echo "# sysring-httpd under wrk"
	echo
	echo '```'
	cat "$dir/env.txt"
	echo '```'
	echo
	echo "| server | file | keep-alive | requests/s | p50 ms | p99 ms | errors |"
	echo "|---|---|---|--:|--:|--:|--:|"
	tail -n +2 "$dir/httpd.csv" | awk -F, '
		{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }'
	echo
	echo "Memory per idle keep-alive connection (kB, the slope from 64 to 512"
	echo "connections; for sysring-httpd with as many slots, so its worker"
	echo "threads are counted):"
	echo
	echo "| server | kB per idle connection |"
	echo "|---|--:|"
	tail -n +2 "$dir/httpd-mem.csv" | awk -F, '{ printf "| %s | %s |\n", $1, $2 }'
	echo
	awk -F, '
		$2 == "1k.bin" && $3 == "on" { rps[$1] = $4 }
		$1 ~ /^sysring-httpd/ { err[$1] += $7 }
		END {
			for (s in err) {
				r = 0
				if (rps["nginx"] > 0)
					r = rps[s] / rps["nginx"]
				met = (r >= 1.5) ? "met" : "not met"
				clean = (err[s] > 0) ? "not met" : "met"
				printf "Target for %s: 1 KiB keep-alive at 1.5x nginx: %.2fx, %s; ", s, r, met
				printf "errors or timeouts under wrk: %d, %s.\n", err[s], clean
			}
		}' "$dir/httpd.csv" | sort
} >"$md"
cat "$md"
