#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the source of the fio that Debian installed (apt-get source, the
# same version as /usr/bin/fio) into build/fio-src/, once, and configure it
# enough to have config-host.h.  Adds a deb-src entry for bookworm first
# when the system has none.
#
#   bench/fio/get-fio-source.sh BUILD_DIR     prints the source directory
set -eu

dest=${1:?usage: get-fio-source.sh BUILD_DIR}/fio-src
ver=$(dpkg-query -W -f='${Version}' fio 2>/dev/null) ||
	{ echo "get-fio-source: fio is not installed (make deps)" >&2; exit 1; }
upstream=${ver#*:}
upstream=${upstream%-*}
src=$dest/fio-$upstream

# Is there a deb-src for bookworm, one-line or deb822 style?
have_deb_src() {
	grep -qsE '^deb-src .*bookworm' /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list && return 0
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		grep -qE '^Types:.*deb-src' "$f" &&
			grep -qE '^Suites:.*bookworm' "$f" && return 0
	done
	return 1
}

if [ ! -f "$src/.fetched-$ver" ]; then
	if ! have_deb_src; then
		echo "get-fio-source: adding a deb-src entry for bookworm" >&2
		cat >/etc/apt/sources.list.d/debian-src.sources <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
		apt-get update -q >&2
	fi
	rm -rf "$dest"
	mkdir -p "$dest"
	echo "get-fio-source: apt-get source fio=$ver" >&2
	if ! (cd "$dest" && apt-get source -q "fio=$ver" >&2); then
		# The index may predate the entry: update once and retry.
		apt-get update -q >&2
		(cd "$dest" && apt-get source -q "fio=$ver" >&2)
	fi
	[ -d "$src" ] || { echo "get-fio-source: no $src after apt-get source" >&2; exit 1; }
	touch "$src/.fetched-$ver"
fi

# Debian's own configure line, less what needs GTK or libnbd (gfio and the
# nbd engine change no structure an engine sees).
if [ ! -f "$src/config-host.h" ]; then
	echo "get-fio-source: ./configure in $src" >&2
	(cd "$src" && ./configure --disable-native --prefix=/usr >configure.out 2>&1) ||
		{ cat "$src/configure.out" >&2; exit 1; }
fi
echo "$src"
