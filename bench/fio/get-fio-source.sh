#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the source of the fio that Debian installed (tools/deb-source.sh:
# apt-get source, the same version as /usr/bin/fio) into build/fio-src/,
# once, and configure it enough to have config-host.h.
#
#   bench/fio/get-fio-source.sh BUILD_DIR     prints the source directory
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
src=$("$top/tools/deb-source.sh" fio "${1:?usage: get-fio-source.sh BUILD_DIR}/fio-src")

# Debian's own configure line, less what needs GTK or libnbd (gfio and the
# nbd engine change no structure an engine sees).
if [ ! -f "$src/config-host.h" ]; then
	echo "get-fio-source: ./configure in $src" >&2
	(cd "$src" && ./configure --disable-native --prefix=/usr >configure.out 2>&1) ||
		{ cat "$src/configure.out" >&2; exit 1; }
fi
echo "$src"
