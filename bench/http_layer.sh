#!/usr/bin/env bash
# The HTTP layer alone under wrk: each BIN an echo server of the same
# behaviour (bench/http_echo_wire.c: the wire sparrow serve uses;
# bench/http_echo_mhd.c: libmicrohttpd, as the server used it before;
# bench/http_echo_h2o.c: h2o), two polling threads each, side by side and
# alternated ROUNDS times, so that both see the same drift of a shared
# machine. The requests are bench/serve.sh's applications without a key
# (about 120 bytes; the servers parse nothing and store nothing). Prints
# each run's rate, p99 and the CPU per request of the polling threads and
# of the committer (from /proc).
# usage: bench/http_layer.sh ROUNDS SECONDS CONNECTIONS BIN...
# Not part of `make check`; needs wrk (make deps-bench).
set -eu
rounds=$1 secs=$2 conns=$3; shift 3
command -v wrk >/dev/null || { echo "wrk not installed (make deps-bench)"; exit 1; }
dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT
. "$(dirname "$0")/lib_serve_bench.sh"
serve_bench_lua "$dir" 10000 ""
bins=("$@") ports=()
for i in "${!bins[@]}"; do
  mkdir "$dir/s$i"
  "${bins[$i]}" $((18201 + i)) 2 >"$dir/s$i/out" 2>&1 &
  pids+=($!)
done
for i in "${!bins[@]}"; do
  ports+=("$(serve_bench_port "$dir/s$i" 50)")
  wrk -t1 -c"$conns" -d2s -s "$dir/apply_nokey.lua" "http://127.0.0.1:${ports[$i]}" >/dev/null
done
for r in $(seq 1 "$rounds"); do
  for i in "${!bins[@]}"; do
    echo "$(basename "${bins[$i]}") $(wrk_cpu "${pids[$i]}" committer committer polling -t1 -c"$conns" -d"${secs}s" -s "$dir/apply_nokey.lua" "http://127.0.0.1:${ports[$i]}")"
  done
done
