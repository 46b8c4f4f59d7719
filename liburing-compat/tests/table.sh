#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The README's table from a check.sh result file (LIBURING_RESULTS; make
# check leaves it in build/liburing-compat/liburing-results.tsv): one row
# per example and test, its result and, for every non-pass, why.
#
#   liburing-compat/tests/table.sh [RESULTS.tsv]
set -eu

res=${1:-build/liburing-compat/liburing-results.tsv}
awk -F '\t' '
	{ n++; count[$2]++; row[n] = $0 }
	END {
		printf "### %d of %d pass", count["pass"], n
		printf " (%d known failures, %d not run, %d skipped by the test itself, %d failed)\n\n", \
			count["xfail"], count["notrun"], count["skip"], count["fail"]
		print "| test | result | why not a pass |"
		print "|---|---|---|"
		for (i = 1; i <= n; i++) {
			split(row[i], f, "\t")
			sub(/^XFAIL: /, "", f[3])
			gsub(/\|/, "\\|", f[3])
			printf "| %s | %s | %s |\n", f[1], f[2], f[3]
		}
	}' "$res"
