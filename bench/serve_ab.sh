#!/usr/bin/env bash
# A/B of two sparrow builds under the same load: two servers side by side
# (each on its own fresh file with the bench's borrowers), wrk against one
# then the other, ROUNDS times, so that both see the same drift of a shared
# machine. Prints each run's rate and p99, and the server's CPU per request
# from /proc: the committer (and main) thread apart from the polling
# threads (named poller; MHD-worker in builds before the wire), and the
# share of the machine's CPU the host stole during the run.
# usage: [BORROWERS=N] bench/serve_ab.sh BIN_A BIN_B [ROUNDS] [SECONDS]
#        [CONNECTIONS] [WORKLOAD | WORKLOAD_A/WORKLOAD_B]
# WORKLOAD: draw, repay, apply or apply_nokey (applications without an
# Idempotency-Key); two of them, e.g. apply/apply_nokey, send A the first
# and B the second (A and B may then be the same binary).
# Not part of `make check`; needs wrk, curl and sqlite3 (make deps-bench).
set -eu
A=$1 B=$2 rounds=${3:-3} secs=${4:-5} conns=${5:-32} which=${6:-apply}
which_a=${which%/*} which_b=${which#*/}
borrowers=${BORROWERS:-10000}
command -v wrk >/dev/null || { echo "wrk not installed (make deps-bench)"; exit 1; }
top=$(mktemp -d)
mkdir "$top/a" "$top/b"
trap 'serve_bench_stop "$top/a"; serve_bench_stop "$top/b"; rm -rf "$top"' EXIT
. "$(dirname "$0")/lib_serve_bench.sh"
port_a=$(serve_bench_start "$A" "$top/a" "$borrowers")
port_b=$(serve_bench_start "$B" "$top/b" "$borrowers")
for r in $(seq 1 "$rounds"); do
  for x in a b; do
    port=$port_a w=$which_a
    [ $x = b ] && port=$port_b w=$which_b
    pid=$(cat "$top/$x/pid")
    serve_bench_lua "$top/$x" "$borrowers" "r$r" "$(serve_bench_built "$secs")"
    echo "$x $(wrk_cpu "$pid" "poller|MHD-worker" "polling threads" committer -t1 -c"$conns" -d"${secs}s" -s "$top/$x/$w.lua" "http://127.0.0.1:$port")"
  done
done
