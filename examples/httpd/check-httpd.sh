#!/bin/bash
# SPDX-License-Identifier: MIT
# Description: sysring-httpd against curl and raw sockets, in its conn and
# inline execution modes: every status it sends, the Date field, HEAD,
# keep-alive and HTTP/1.0, pipelining, percent-decoding in C, path
# traversal, sparse files (over 1 GiB in the conn mode), concurrent
# clients, slowloris and garbage, and a clean shutdown; keep-alive in the
# request mode.  One test per case and mode, last line "N passed, N
# failed, N skipped".
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/examples/httpd/sysring-httpd
port=${HTTPD_TEST_PORT:-$((20000 + $$ % 20000))}
url=http://127.0.0.1:$port
tmp=$(mktemp -d)
root=$tmp/root
passed=0 failed=0 skipped=0
pid=

stop_server() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	pid=
}
trap 'stop_server; rm -rf "$tmp"' EXIT

result() {
	case $2 in
	ok) echo "PASS httpd-$mode-$1"; passed=$((passed + 1)) ;;
	skip*) echo "SKIP httpd-$mode-$1 (${2#skip: })"; skipped=$((skipped + 1)) ;;
	*) echo "FAIL httpd-$mode-$1: $2"; failed=$((failed + 1))
	   sed 's/^/    /' "$tmp/server.log" | tail -n 5 ;;
	esac
}

# start_server [ARGS...]: in the background, in $mode, ready when it answers.
start_server() {
	"$bin" -p "$port" -r "$root" -m "$mode" -i 3 -t 2 -g 2 "$@" \
		>"$tmp/server.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		curl -s -o /dev/null "$url/" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$tmp/server.log"
	return 1
}

# raw SECONDS: send stdin on a fresh connection, print what comes back.
raw() {
	timeout "$1" bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 9
		cat >&3; cat <&3' 2>/dev/null
}

status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

mkdir -p "$root/sub" "$root/dir.d"
printf '<h1>sysring</h1>\n' >"$root/index.html"
head -c 1024 /dev/urandom >"$root/1k.bin"
printf 'body { }\n' >"$root/style.css"
printf 'a b\n' >"$root/a b.txt"
# Content-Type: each kind of extension the hash table must tell apart.
mkdir -p "$root/types/d.js"
for f in t.tar.gz UP.PNG noext x.woff2 x.js x.unknown8 d.js/file x.json; do
	printf 'x\n' >"$root/types/$f"
done
printf 'sub\n' >"$root/sub/index.html"
printf 'secret\n' >"$tmp/secret"
ln -s "$tmp/secret" "$root/escape"
ln -s ../secret "$root/escape-rel"
mkfifo "$root/fifo"
# Over 1 GiB, sparse, with data at a few places to compare (the conn mode
# moves it in 16 MiB XFER steps); 64 MiB for the inline mode, enough to fill
# the socket again and again (each time the block exits and is resumed).
sparse() {
	local f=$1 size=$2 off
	truncate -s "$size" "$f"
	for off in 0 $((size / 4)) $((size / 2 - 3)) $((size - 4096)); do
		dd if=/dev/urandom of="$f" bs=4096 count=1 iflag=fullblock \
			seek="$off" oflag=seek_bytes conv=notrunc status=none
	done
	truncate -s "$size" "$f"
}
sparse "$root/big-conn.bin" $(((1 << 30) + 4097))
sparse "$root/big-inline.bin" $(((64 << 20) + 1))

# Timing checks leave room for a loaded host under TCG: the header timeout
# is 2 s, what must end before it does is given SLOW seconds.
slow=12

if [ ! -x "$bin" ]; then
	echo "FAIL httpd: $bin missing (make examples)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
# Every case of one execution mode, against a server started in it.
cases() {
	# 200: body, Content-Type and Content-Length.
	h=$(curl -s -D - -o "$tmp/out" "$url/")
	if cmp -s "$tmp/out" "$root/index.html" &&
		grep -q '^HTTP/1.1 200 OK' <<<"$h" &&
		grep -qi '^Content-Type: text/html' <<<"$h" &&
		grep -qi '^Content-Length: 17' <<<"$h"; then
		result get-200 ok
	else
		result get-200 "headers: $h"
	fi

	# Date (RFC 9110 6.6.1): in the IMF-fixdate form, this second's, on
	# a 200 and on canned answers; it moves on with the clock.
	ok=ok
	fixdate='^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-2][0-9]:[0-5][0-9]:[0-6][0-9] GMT$'
	d1=
	for t in / /nothing-here "/ -X POST"; do
		d=$(curl -s -D - -o /dev/null $url$t | tr -d '\r' | grep -i '^Date:')
		if ! grep -Eq "$fixdate" <<<"$d"; then
			ok="$t: no IMF-fixdate Date: '$d'"
		elif dt=$(($(date +%s) - $(date -d "${d#Date: }" +%s))) &&
			[ "$dt" -gt 2 ] || [ "$dt" -lt -1 ]; then
			ok="$t: $d is not now ($(date -u))"
		fi
		d1=${d1:-$d}
	done
	sleep 1.5
	d=$(curl -s -D - -o /dev/null "$url/" | tr -d '\r' | grep -i '^Date:')
	[ "$d" != "$d1" ] || ok="the Date did not move on: $d"
	result date "$ok"

	ok=ok
	curl -s "$url/1k.bin" | cmp -s - "$root/1k.bin" || ok="1k.bin differs"
	[ "$(curl -s -o /dev/null -w '%{content_type}' "$url/style.css")" = text/css ] ||
		ok="style.css is not text/css"
	[ "$(curl -s -o /dev/null -w '%{content_type}' "$url/1k.bin")" = application/octet-stream ] ||
		ok="1k.bin is not application/octet-stream"
	for t in t.tar.gz=application/gzip UP.PNG=image/png \
		noext=application/octet-stream x.woff2=font/woff2 \
		x.js=text/javascript x.unknown8=application/octet-stream \
		d.js/file=application/octet-stream x.json=application/json; do
		got=$(curl -s -o /dev/null -w '%{content_type}' "$url/types/${t%%=*}")
		[ "$got" = "${t#*=}" ] || ok="types/${t%%=*} is $got, not ${t#*=}"
	done
	result content-type "$ok"

	# HEAD: the GET's headers, no body.
	h=$(curl -s -I "$url/1k.bin")
	n=$(curl -s --head -o /dev/null -w '%{size_download}' "$url/1k.bin")
	if grep -q '^HTTP/1.1 200' <<<"$h" && grep -qi '^Content-Length: 1024' <<<"$h" &&
		[ "$n" = 0 ]; then
		result head ok
	else
		result head "got $n body bytes, headers: $h"
	fi

	# Keep-alive: HTTP/1.1 keeps the connection, HTTP/1.0 and close end it.
	v=$(curl -sv -o /dev/null -o /dev/null "$url/" "$url/1k.bin" 2>&1)
	ok=ok
	grep -q 'Re-using existing connection' <<<"$v" || ok="no reuse: $v"
	curl -s -D - -o /dev/null -0 "$url/" | grep -qi '^Connection: close' ||
		ok="HTTP/1.0 not closed"
	curl -s -D - -o /dev/null -0 -H 'Connection: keep-alive' "$url/" |
		grep -qi '^Connection: keep-alive' || ok="HTTP/1.0 keep-alive refused"
	curl -s -D - -o /dev/null -H 'connection:   close' "$url/" |
		grep -qi '^Connection: close' || ok="close not honoured"
	# Only a header named Connection counts, not one ending in it.
	out=$(printf 'GET / HTTP/1.1\r\nX-Connection: close\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw 20)
	[ "$(grep -c '^HTTP/1.1 200' <<<"$out")" = 2 ] ||
		ok="X-Connection: close closed the connection: $out"
	result keep-alive "$ok"

	# Two requests in one write: two answers, in order.
	out=$(printf 'GET /sub/ HTTP/1.1\r\nHost: x\r\n\r\nGET /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw 20)
	if [ "$(grep -c '^HTTP/1.1 200' <<<"$out")" = 2 ] && grep -q '^sub' <<<"$out" &&
		grep -q '^body' <<<"$out"; then
		result pipelining ok
	else
		result pipelining "got: $out"
	fi

	ok=ok
	[ "$(status "$url/nothing-here")" = 404 ] || ok="missing file not 404"
	[ "$(status "$url/sub")" = 200 ] || ok="/sub (directory) not 200"
	[ "$(status "$url/dir.d/")" = 404 ] || ok="directory without index not 404"
	result status-404 "$ok"

	ok=ok
	[ "$(status "$url/fifo")" = 403 ] || ok="fifo not 403"
	[ "$(status "$url/sub?x=1")" = 200 ] || ok="query string not ignored"
	result status-403 "$ok"

	ok=ok
	[ "$(status -X POST "$url/")" = 405 ] || ok="POST not 405"
	curl -s -D - -o /dev/null -X DELETE "$url/" | grep -qi '^Allow: GET, HEAD' ||
		ok="no Allow header"
	result status-405 "$ok"

	ok=ok
	out=$(printf 'get / HTTP/1.1\r\n\r\n' | raw 20)
	grep -q '^HTTP/1.1 400' <<<"$out" || ok="lower-case method: $out"
	out=$(printf 'GET / HTTP/2.0\r\n\r\n' | raw 20)
	grep -q '^HTTP/1.1 400' <<<"$out" || ok="HTTP/2.0: $out"
	out=$(printf 'GET nothing HTTP/1.1\r\n\r\n' | raw 20)
	grep -q '^HTTP/1.1 400' <<<"$out" || ok="target without /: $out"
	out=$(printf '\001\002\377garbage\r\n\r\n' | raw 20)
	grep -q '^HTTP/1.1 400' <<<"$out" || ok="binary garbage: $out"
	result status-400 "$ok"

	long=$(head -c 2000 /dev/zero | tr '\0' a)
	ok=ok
	[ "$(status "$url/$long")" = 414 ] || ok="2000-byte target not 414"
	out=$( { printf 'GET /'; head -c 9000 /dev/zero | tr '\0' a; } | raw 20)
	grep -q '^HTTP/1.1 414' <<<"$out" || ok="9000-byte request line: $out"
	result status-414 "$ok"

	big_hdr=$(head -c 9000 /dev/zero | tr '\0' b)
	c=$(status -H "X-Big: $big_hdr" "$url/")
	[ "$c" = 431 ] && result status-431 ok || result status-431 "got $c"

	# Percent-encoded targets go to the C fallback, and back.
	ok=ok
	[ "$(curl -s "$url/a%20b.txt")" = "a b" ] || ok="a%20b.txt not served"
	[ "$(status "$url/%7a%zz")" = 400 ] || ok="bad escape not 400"
	[ "$(status "$url/index.html%00.txt")" = 400 ] || ok="%00 not 400"
	# After the fallback the block still knows where the request ends.
	out=$(printf 'GET /a%%20b.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw 20)
	[ "$(grep -c '^HTTP/1.1 200' <<<"$out")" = 2 ] && grep -q '^a b' <<<"$out" &&
		grep -q '^body' <<<"$out" || ok="pipelined after a fallback: $out"
	result percent-decode "$ok"

	# Nothing outside the root, whatever the spelling.
	ok=ok
	for t in /../secret /%2e%2e/secret /sub/../../secret //etc/passwd \
		/escape /escape-rel /%2fetc/passwd; do
		body=$(curl -s --path-as-is -w ' %{http_code}' "$url$t")
		case $body in
		*secret* | *root:*) ok="$t leaked: $body" ;;
		*' 404' | *' 400') ;;
		*) ok="$t: $body" ;;
		esac
	done
	result traversal "$ok"

	# A large sparse file: the length and every byte.
	big=$root/big-$mode.bin
	size=$(stat -c %s "$big")
	if [ "$(curl -s -I "$url/${big##*/}" | tr -d '\r' | sed -n 's/^Content-Length: //Ip')" != "$size" ]; then
		result big-file "Content-Length is not $size"
	elif curl -s --max-time 900 "$url/${big##*/}" | cmp -s - "$big"; then
		result big-file ok
	else
		result big-file "the body differs from the file"
	fi

	# Concurrent clients, each checking what it got.
	seq 32 | xargs -P 16 -I{} sh -c \
		'curl -s "$1/1k.bin" | cmp -s - "$2" || echo bad' _ "$url" "$root/1k.bin" \
		>"$tmp/conc"
	[ ! -s "$tmp/conc" ] && result concurrent ok ||
		result concurrent "$(wc -l <"$tmp/conc") of 32 clients got wrong data"

	# Slowloris: a header trickling in is cut off at the header timeout (2 s),
	# and the server goes on answering others meanwhile.
	t0=$(date +%s)
	timeout 40 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 9
		{ printf "GET / HTTP/1.1\r\n"
		  for i in $(seq 60); do printf "X-%d: y\r\n" $i; sleep 0.5; done
		} >&3 2>/dev/null &
		w=$!; cat <&3; kill $w' >"$tmp/slow" 2>/dev/null &
	slow=$!
	sleep 0.5
	c=$(status --max-time 20 "$url/")
	wait $slow
	t=$(($(date +%s) - t0))
	if [ "$c" = 200 ] && [ "$t" -lt $slow ] && ! grep -q HTTP "$tmp/slow"; then
		result slowloris ok
	else
		result slowloris "other client got $c; cut off after ${t}s: $(cat "$tmp/slow")"
	fi

	# A header that never ends: closed after the timeout, without an answer.
	t0=$(date +%s)
	out=$(timeout 30 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 9
		printf "GET / HTTP/1.1\r\nHost: x\r\n" >&3; cat <&3' 2>/dev/null)
	t=$(($(date +%s) - t0))
	[ "$t" -lt $slow ] && [ -z "$out" ] && result no-crlfcrlf ok ||
		result no-crlfcrlf "closed after ${t}s with: $out"

	# 500: a descriptor limit that lets accept4 through but not openat2.
	stop_server
	if start_server -w 1; then
		# The connection takes the lowest free descriptor, the file the next:
		# a limit of that next one fails openat2 with EMFILE.
		free=$(ls /proc/"$pid"/fd | sort -n | awk '
			{ while (n < $1 && k < 2) { print n++; k++ } n = $1 + 1 }
			END { while (k < 2) { print n++; k++ } }' | tail -n 1)
		if prlimit --pid "$pid" --nofile="$free:" 2>/dev/null; then
			c=$(status "$url/index.html")
			[ "$c" = 500 ] && result status-500 ok || result status-500 "got $c"
		else
			result status-500 "skip: prlimit cannot set the limit"
		fi
	else
		result status-500 "restart failed"
	fi

	# SIGTERM with a keep-alive connection open after its request: exits
	# 0, promptly, and closes the connection.
	stop_server
	if start_server -i 60; then
		timeout 40 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 9
			printf "GET / HTTP/1.1\r\nHost: x\r\n\r\n" >&3; cat <&3' \
			>"$tmp/idle" 2>/dev/null &
		idle=$!
		for _ in $(seq 200); do
			grep -q '^HTTP/1.1 200' "$tmp/idle" && break
			sleep 0.1
		done
		t0=$(date +%s)
		kill -TERM "$pid"
		wait "$pid"
		rc=$?
		t=$(($(date +%s) - t0))
		pid=
		wait $idle
		closed=$?
		if [ "$rc" = 0 ] && [ "$t" -lt $slow ] && [ "$closed" = 0 ] &&
			grep -q '^HTTP/1.1 200' "$tmp/idle" &&
			grep -q 'stopped:' "$tmp/server.log"; then
			result shutdown ok
		else
			result shutdown "exit $rc after ${t}s, client $closed: $(tail -n 3 "$tmp/server.log")"
		fi
	else
		result shutdown "restart failed"
	fi
}

mode=conn
if ! start_server; then
	if grep -q 'sysring_queue_init' "$tmp/server.log"; then
		echo "SKIP httpd (no sysring: $(tail -n 1 "$tmp/server.log"))"
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
	echo "FAIL httpd-start: the server did not answer"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

cases
mode=inline
if start_server; then
	cases
else
	result start "the server did not answer"
fi

# One block per request: C sees each request, keep-alive still works.
mode=request
if start_server -v; then
	v=$(curl -sv -o /dev/null -o /dev/null "$url/" "$url/1k.bin" 2>&1)
	if grep -q 'Re-using existing connection' <<<"$v" &&
		[ "$(curl -s "$url/a%20b.txt")" = "a b" ] &&
		grep -q 'request 1: status 200' "$tmp/server.log"; then
		result keep-alive ok
	else
		result keep-alive "$v"
	fi
else
	result keep-alive "restart failed"
fi
stop_server

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
