#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Turn sysring-bench's CSV into build/results/bench.md (a Markdown table
# with the environment it was measured in) and PNG plots with gnuplot.
#
#   bench/report.sh CSV [ENV-FILE]
set -eu
csv=$1
envf=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/results
mkdir -p "$out"

{
	echo "# sysring vs io_uring vs plain syscalls"
	echo
	if [ -n "$envf" ] && [ -f "$envf" ]; then
		sed 's/^/    /' "$envf"
		echo
	fi
	echo "ns per operation (median of 5 runs, min..max in brackets); ratios below 1 mean sysring is faster."
	echo "n is the batch size; for chase, nodes per lookup; for copy, KiB per chunk (cost per MiB)."
	echo
	echo "| workload | n | sysring | io_uring | syscalls | sysring/io_uring | sysring/syscalls |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	awk -F, 'NR > 1 {
		sys = "-"; rsys = "-"
		if ($9 != "") {
			sys = sprintf("%.0f [%.0f..%.0f]", $9, $10, $11)
			rsys = sprintf("%.2f", $3 / $9)
		}
		f = ($1 ~ /^memory/) ? "%.2f" : "%.0f"
		printf "| %s | %s | " f " [" f ".." f "] | " f " [" f ".." f "] | %s | %.2f | %s |\n",
			$1, $2, $3, $4, $5, $6, $7, $8, sys, $3 / $6, rsys
	}' "$csv"
	echo
	echo "memory-kib: KiB per ring of 256 entries; memory-inflight-kib: KiB per blocked block; sleep-ms: wall time in ms."
} >"$out/bench.md"

if command -v gnuplot >/dev/null; then
	for w in null pread burst; do
		awk -F, -v w="$w" 'NR > 1 && $1 == w { print $2, $3, $6, $9 }' "$csv" >"$out/$w.dat"
		gnuplot <<GP
set terminal pngcairo size 800,500 noenhanced
set output "$out/$w-scaling.png"
set title "$w: cost per operation against n (one VM boot)"
set xlabel "n: operations per submission (burst: system calls per block)"
set ylabel "ns per operation"
set logscale xy
set key top right
set grid
plot "$out/$w.dat" using 1:2 with linespoints title "sysring", \
     "" using 1:3 with linespoints title "io_uring", \
     "" using 1:4 with linespoints title "syscalls"
GP
	done
	awk -F, 'NR > 1 && $9 != "" { printf "\"%s %s\" %f %f\n", $1, $2, $3 / $6, $3 / $9 }' "$csv" >"$out/ratios.dat"
	gnuplot <<GP
set terminal pngcairo size 1000,500 noenhanced
set output "$out/ratios.png"
set title "sysring cost relative to io_uring and to plain syscalls (below 1: sysring faster)"
set style data histograms
set style fill solid 0.8
set boxwidth 0.9
set xtics rotate by -45
set yrange [0:*]
set grid ytics
plot "$out/ratios.dat" using 2:xtic(1) title "sysring / io_uring", \
     "" using 3 title "sysring / syscalls", 1 with lines lt -1 notitle
GP
	echo "== results: $out/bench.md, $out/*.png"
else
	echo "== results: $out/bench.md (gnuplot missing: no plots)"
fi
