# shellcheck shell=bash disable=SC2154
# SPDX-License-Identifier: MIT
# Sourced by run-bench.sh and profile.sh inside the VM: the document root
# with the 1 KiB and 1 MiB files, nginx's configuration, and start/stop
# for each server on $port.  The caller sets top, conns and cpus; this
# sets tmp (removed by the caller), root, port and pid.
tmp=$(mktemp -d)
root=$tmp/www
port=8080
pid=

mkdir -p "$root" "$tmp/nginx"
head -c 1024 /dev/urandom >"$root/1k.bin"
head -c 1048576 /dev/urandom >"$root/1m.bin"

# nginx as it would be tuned for static files: a worker per vCPU, sendfile,
# no access log, no per-connection request limit, files opened per request
# like the other servers (no open_file_cache).
cat >"$tmp/nginx/nginx.conf" <<NGINX
user root;
worker_processes $cpus;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log stderr error;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_timeout 65;
	keepalive_requests 1000000;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$port reuseport;
		root $root;
	}
}
NGINX

start() {
	local cmd
	case $1 in
	sysring-httpd)
		cmd=("$top/build/examples/httpd/sysring-httpd" -p "$port" -r "$root"
		     -w "${2:-$((conns * 2))}" -i 60) ;;
	sysring-httpd-inline)
		cmd=("$top/build/examples/httpd/sysring-httpd" -p "$port" -r "$root"
		     -m inline -w "$cpus" -i 60) ;;
	nginx) cmd=(nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e stderr) ;;
	*) cmd=("$top/build/bench/httpd/$1" -p "$port" -r "$root" -t "$cpus") ;;
	esac
	if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
		echo "$0: port $port is taken: $1 not started" >&2
		return 1
	fi
	"${cmd[@]}" >"$tmp/$1.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		curl -s -o /dev/null "http://127.0.0.1:$port/1k.bin" && return 0
		sleep 0.1
	done
	echo "$0: $1 did not start: $(tail -n 3 "$tmp/$1.log")" >&2
	stop
	return 1
}

# Stop the server and wait until its port is free for the next one.
stop() {
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
	while curl -s -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.5; done
	sleep 1		# let workers and timers settle between servers
}
