#!/usr/bin/env bash
# HTTP server throughput and latency: lib/http (one EventLoop thread) against
# nginx (one worker) answering the same tiny response on loopback, measured
# by wrk in the same run. Prints requests/s, latency percentiles and RSS.
#   bench/http_bench.sh [BUILD_DIR]   (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
duration=${CAIRN_BENCH_SECONDS:-5}
connections=${CAIRN_BENCH_CONNECTIONS:-32}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
if ((${#need[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 100); do
    if curl -fs "http://127.0.0.1:$1/hello" >/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "server on port $1 did not come up" >&2
  return 1
}

run_wrk() {  # NAME PORT PID
  local out
  out=$(wrk -t1 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$2/hello")
  local rps p50 p99 rss
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  rss=$(awk '/VmRSS/ {print $2 " " $3}' "/proc/$3/status")
  printf "%-22s %12s req/s   p50 %-9s p99 %-9s RSS %s\n" "$1" "$rps" "$p50" "$p99" "$rss"
}

"$build/bench/http_hello_server" 18081 &
pids+=($!)
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work;
  server {
    listen 127.0.0.1:18082;
    location = /hello { default_type text/plain; return 200 "hello\n"; }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
wait_port 18081
wait_port 18082
nginx_worker=$(pgrep -P "${pids[1]}" | head -1)

echo "wrk: 1 thread, $connections keep-alive connections, ${duration}s each, loopback"
run_wrk "cairn lib/http" 18081 "${pids[0]}"
run_wrk "nginx (1 worker)" 18082 "${nginx_worker:-${pids[1]}}"
