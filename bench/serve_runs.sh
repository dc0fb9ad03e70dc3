#!/usr/bin/env bash
# Keyless decisions in runs one after another on one server (10,000
# borrowers, a warm-up pass first), each run's rate and latency spread
# (50%, 90%, 99%), and the share of the machine's CPU time the hypervisor
# stole meanwhile: how often a build reaches a rate within a p99 bound.
# usage: bench/serve_runs.sh BIN [RUNS] [SECONDS] [CONNECTIONS]
# Not part of `make check`; needs wrk, curl and sqlite3 (make deps-bench).
set -eu
bin=$1 runs=${2:-6} secs=${3:-8} conns=${4:-32}
command -v wrk >/dev/null || { echo "wrk not installed (make deps-bench)"; exit 1; }
dir=$(mktemp -d)
. "$(dirname "$0")/lib_serve_bench.sh"
trap 'serve_bench_stop "$dir"; rm -rf "$dir"' EXIT
port=$(serve_bench_start "$bin" "$dir" 10000)
serve_bench_warm "$dir" "$port" "$conns"
for r in $(seq 1 "$runs"); do
  mkdir "$dir/r$r"
  serve_bench_lua "$dir/r$r" 10000 "r$r"
  m0=$(serve_bench_cpu)
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$dir/r$r/apply_nokey.lua" "http://127.0.0.1:$port")
  echo "$out" | awk -v r="$r" -v steal="$(serve_bench_steal "$m0" "$(serve_bench_cpu)")" \
    '/^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2} /^Requests\/sec/ {rate=$2}
      END {printf "run %d: %s decisions/s  p50 %s  p90 %s  p99 %s  (CPU stolen %s)\n", r, rate, p50, p90, p99, steal}'
done
echo "healthz: $(wrk -t2 -c32 -d4s "http://127.0.0.1:$port/healthz" | sed -n 's/^Requests\/sec: *//p')/s"
