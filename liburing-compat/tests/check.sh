#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Description: liburing's own examples and tests, built unmodified against
# liburing-compat (liburing-compat/tests/build.sh), run on sysring with
# io_uring switched off (kernel.io_uring_disabled=2, when run as root on a
# kernel that has the sysctl).  Each test runs under a timeout (TEST_TIMEOUT
# seconds, default 60) in a scratch directory; exit 0 / 77 mean pass / skip.
# liburing-compat/tests/expected lists the tests known not to pass, with
# the reason: they count as skipped ("XFAIL"), and one that passes after
# all ("XPASS") counts as a failure until the list is updated; a reason
# that starts with "not run:" names a test that would only wait for its
# timeout here, and it is not started; one that starts with "flaky:" names
# a test that passes only sometimes: a pass counts, a failure is an XFAIL.  Prints a
# "N passed, N failed, N skipped" line; a per-test result table goes to
# $LIBURING_RESULTS when set.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/build/liburing-compat
expected=$top/liburing-compat/tests/expected
timeout_s=${TEST_TIMEOUT:-60}
results=${LIBURING_RESULTS:-/dev/null}
passed=0 failed=0 skipped=0

pass() { echo "PASS $1"; passed=$((passed + 1)); echo "$1	pass	" >>"$results"; }
fail() { echo "FAIL $1 ($2)"; failed=$((failed + 1)); echo "$1	fail	$2" >>"$results"; }
skip() { echo "SKIP $1 ($2)"; skipped=$((skipped + 1)); echo "$1	$3	$2" >>"$results"; }

: >"$results"
if [ -w /proc/sys/kernel/io_uring_disabled ]; then
	echo 2 >/proc/sys/kernel/io_uring_disabled
	echo "io_uring disabled: kernel.io_uring_disabled=$(cat /proc/sys/kernel/io_uring_disabled)"
fi
# Nothing here may reach io_uring through liburing itself.
if ldd "$B"/test/*.t "$B"/examples/* 2>/dev/null | grep -q 'liburing\.so'; then
	fail link "a program is linked with liburing.so"
fi

work=$(mktemp -d /tmp/liburing-compat.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
head -c $((3 * 1024 * 1024 + 12345)) /dev/urandom >in

# The examples, each checked on its output.
run_example() {	# name command...
	name=$1
	shift
	if out=$(timeout -k 5 "$timeout_s" "$@" 2>&1); then
		pass "example/$name"
	else
		fail "example/$name" "exit $?: $(printf '%s\n' "$out" | tail -n 1)"
	fi
}
run_example io_uring-cp sh -c "rm -f out && '$B/examples/io_uring-cp' in out && cmp in out"
run_example link-cp sh -c "rm -f out && '$B/examples/link-cp' in out && cmp in out"
head -c 5000 in >small
run_example ucontext-cp sh -c "rm -f out && '$B/examples/ucontext-cp' small out >/dev/null && cmp small out"
run_example io_uring-test sh -c "'$B/examples/io_uring-test' in | grep -q 'completed=4'"
# poll-bench: POLL_ADDs on a pipe written and read back at once (10 s).
run_example poll-bench sh -c "'$B/examples/poll-bench' 2>&1 | grep 'requests/s: [1-9]'"
# send-zerocopy streams to a TCP sink for a second and reports what it sent.
rm -f sink.ready
python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8000))
s.listen(1)
open(sys.argv[1], "w").close()
s.settimeout(60)
c, _ = s.accept()
while c.recv(1 << 20):
	pass' sink.ready &
sink=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e sink.ready ] && break; sleep 0.5; done
run_example send-zerocopy sh -c "'$B/examples/send-zerocopy' -4 -D 127.0.0.1 -p 8000 -t 1 tcp 2>&1 | grep 'tx=[1-9]'"
kill $sink 2>/dev/null
wait $sink 2>/dev/null
# io_uring-udp echoes datagrams (multishot RECVMSG into a buffer ring).
"$B/examples/io_uring-udp" -p 8001 >udp.log 2>&1 &
udp=$!
run_example io_uring-udp python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for i in range(200):
	msg = b"datagram %d " % i * (1 + i % 50)
	for n in range(50):
		s.sendto(msg, ("127.0.0.1", 8001))
		try:
			if s.recv(65536) == msg:
				break
		except socket.timeout:
			pass
	else:
		raise SystemExit("no echo of datagram %d" % i)'
kill $udp 2>/dev/null
wait $udp 2>/dev/null

# The tests: those in expected are known not to pass here (XFAIL).
for t in "$B"/test/*.t; do
	name=$(basename "$t" .t)
	[ "$name" = exec-target ] && continue
	why=$(awk -F '\t' -v n="$name" '$1 == n { print $2 }' "$expected")
	case $why in
	"not run:"*)
		skip "$name" "$why" notrun
		continue
		;;
	esac
	out=$(timeout -k 5 "$timeout_s" "$t" 2>&1)
	rc=$?
	last=$(printf '%s\n' "$out" | grep -v '^$' | tail -n 1 | cut -c1-120)
	if [ -n "$why" ] && [ $rc -eq 0 ] && [ "${why#flaky:}" != "$why" ]; then
		pass "$name"
	elif [ -n "$why" ]; then
		if [ $rc -eq 0 ]; then
			fail "$name" "XPASS: passes now; remove it from liburing-compat/tests/expected"
		else
			skip "$name" "XFAIL: $why" xfail
		fi
	elif [ $rc -eq 0 ]; then
		pass "$name"
	elif [ $rc -eq 77 ]; then
		skip "$name" "${last:-skipped}" skip
	else
		fail "$name" "exit $rc: $last"
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
