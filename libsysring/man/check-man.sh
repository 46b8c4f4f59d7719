#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Lint libsysring's man pages: one test per page.  A page passes when
# man(1) formats it with --warnings and prints no warning, and, for pages
# that are not a ".so" alias, lexgrog(1) finds its NAME line.  A ".so"
# alias passes when it is that one request and its target exists.  The last
# line is "N passed, N failed, 0 skipped"; the exit status is nonzero when
# anything failed.
set -uo pipefail

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
passed=0 failed=0

for tool in man groff lexgrog; do
	if ! command -v "$tool" >/dev/null; then
		echo "FAIL $tool not found (apt-get install man-db groff-base)"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
done

# man resolves ".so man3/x.3" from the root of a man tree: build one.
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/man2" "$tree/man3" "$tree/man7"
for page in "$dir"/*.[237]; do
	ln -s "$page" "$tree/man${page##*.}/"
done

fail() {
	echo "FAIL $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'
	failed=$((failed + 1))
}

for page in "$dir"/*.[237]; do
	name=$(basename "$page")
	sect=${name##*.}
	base=${name%.*}

	# The title line must name this very page and section.
	if ! grep -qE "^\.TH \"?$base\"? $sect " "$page"; then
		if ! grep -qE '^\.so ' "$page"; then
			fail "$name" ".TH does not name $base($sect)"
			continue
		fi
	fi

	if grep -qE '^\.so ' "$page"; then
		target=$(sed -nE 's/^\.so +//p' "$page")
		lines=$(grep -cvE '^(\.\\".*)?$' "$page")
		if [ "$lines" -ne 1 ]; then
			fail "$name" "an alias holds only its .so request"
			continue
		fi
		if [ ! -f "$dir/$(basename "$target")" ] ||
		   [ "$(dirname "$target")" != "man${target##*.}" ]; then
			fail "$name" "alias target $target is missing"
			continue
		fi
	fi

	out=$(cd "$tree" && LC_ALL=C.UTF-8 MANWIDTH=80 \
		man --warnings=w -l -Tutf8 "man$sect/$name" 2>&1 >/dev/null)
	if ! grep -qE '^\.so ' "$page"; then
		out+=$(groff -ww -z -man -t "$page" 2>&1 | sed '1s/^/\n/')
	fi
	if [ -n "$out" ]; then
		fail "$name" "$out"
		continue
	fi

	if ! grep -qE '^\.so ' "$page"; then
		whatis=$(lexgrog "$page" 2>&1)
		if ! grep -qE "^$page: \".* - .+\"" <<<"$whatis"; then
			fail "$name" "lexgrog: $whatis"
			continue
		fi
	fi
	echo "PASS $name"
	passed=$((passed + 1))
done

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
