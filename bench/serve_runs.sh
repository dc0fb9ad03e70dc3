#!/usr/bin/env bash
# Keyless decisions in runs one after another on one server (10,000
# borrowers, a warm-up pass first), each run's rate and latency spread
# (50%, 90%, 99%), and the share of the machine's CPU time the hypervisor
# stole meanwhile: how often a build reaches a rate within a p99 bound.
# Also wrk's own CPU per request: it shares the two cores with the server,
# and how many runs met the target of issue 4 (20,000/s at p99 <= 5 ms).
# usage: [WRK_THREADS=N] [BUILT=N] bench/serve_runs.sh BIN [RUNS] [SECONDS]
#        [CONNECTIONS]
# WRK_THREADS (1) and BUILT (the requests wrk builds before a run, enough
# for SECONDS; see serve_bench_lua): WRK_THREADS=2 BUILT=0 runs wrk as the
# bench did before the twelfth session (each request built as it is sent).
# Not part of `make check`; needs wrk, curl and sqlite3 (make deps-bench).
set -eu
bin=$1 runs=${2:-6} secs=${3:-8} conns=${4:-32}
threads=${WRK_THREADS:-1}
[ "$secs" -ge 4 ] || { echo "SECONDS: 4 or more"; exit 2; }
command -v wrk >/dev/null || { echo "wrk not installed (make deps-bench)"; exit 1; }
dir=$(mktemp -d)
. "$(dirname "$0")/lib_serve_bench.sh"
trap 'serve_bench_stop "$dir"; rm -rf "$dir"' EXIT
port=$(serve_bench_start "$bin" "$dir" 10000)
serve_bench_warm "$dir" "$port" "$conns"
# wrk's CPU ticks so far (user + system), from /proc
wrk_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for r in $(seq 1 "$runs"); do
  mkdir "$dir/r$r"
  serve_bench_lua "$dir/r$r" 10000 "r$r" "${BUILT:-$(serve_bench_built "$secs")}"
  m0=$(serve_bench_cpu)
  wrk -t"$threads" -c"$conns" -d"${secs}s" --latency -s "$dir/r$r/apply_nokey.lua" "http://127.0.0.1:$port" >"$dir/wrk.out" &
  # wrk's CPU from 2 s after its start (its init is over) to half a second
  # before SECONDS
  w=$!
  sleep 2
  w0=$(wrk_ticks $w)
  sleep "$((secs - 3)).5"
  w1=$(wrk_ticks $w)
  wait $w
  awk -v r="$r" -v steal="$(serve_bench_steal "$m0" "$(serve_bench_cpu)")" \
    -v w="$((w1 - w0))" -v s="$((secs - 3)).5" -v hz="$(getconf CLK_TCK)" -v runs="$dir/runs" \
    '/^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2} /^Requests\/sec/ {rate=$2}
      END {printf "run %d: %s decisions/s  p50 %s  p90 %s  p99 %s  (CPU stolen %s; wrk %.1f µs a request)\n", r, rate, p50, p90, p99, steal, w * 1e6 / hz / (rate * s)
        # rate, p99 in ms (wrk prints us, ms or s), steal in percent
        ms = p99 + 0; if (p99 ~ /us$/) ms /= 1000; else if (p99 ~ /[0-9]s$/) ms *= 1000
        print rate + 0, ms, steal + 0 >> runs}' "$dir/wrk.out"
done
# how many runs met issue 4's target (20,000/s at p99 <= 5 ms), in all and
# among those in which the host stole at most 1% of the CPU
awk '{ met = $1 >= 20000 && $2 <= 5; n++; m += met; if ($3 <= 1) { q++; qm += met } }
     END { printf "target met in %d of %d runs; with at most 1%% stolen, %d of %d\n", m, n, qm, q }' "$dir/runs"
echo "healthz: $(wrk -t2 -c32 -d4s "http://127.0.0.1:$port/healthz" | sed -n 's/^Requests\/sec: *//p')/s"
