#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the Debian source of an installed package, at the installed version
# (apt-get source PKG=VERSION), into DEST once, and print the unpacked
# source directory.  Adds a deb-src entry for bookworm first when the
# system has none.
#
#   tools/deb-source.sh PKG DEST
set -eu

pkg=${1:?usage: deb-source.sh PKG DEST}
dest=${2:?usage: deb-source.sh PKG DEST}
ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) ||
	{ echo "deb-source: $pkg is not installed (make deps)" >&2; exit 1; }
srcpkg=$(dpkg-query -W -f='${source:Package}' "$pkg")
upstream=${ver#*:}
upstream=${upstream%-*}
src=$dest/$srcpkg-$upstream

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
		echo "deb-source: adding a deb-src entry for bookworm" >&2
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
	echo "deb-source: apt-get source $srcpkg=$ver" >&2
	if ! (cd "$dest" && apt-get source -q "$srcpkg=$ver" >&2); then
		# The index may predate the entry: update once and retry.
		apt-get update -q >&2
		(cd "$dest" && apt-get source -q "$srcpkg=$ver" >&2)
	fi
	[ -d "$src" ] || { echo "deb-source: no $src after apt-get source" >&2; exit 1; }
	touch "$src/.fetched-$ver"
fi
echo "$src"
