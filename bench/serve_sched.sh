#!/usr/bin/env bash
# Where a server's time goes under keyless decisions: for each thread
# (by name), its CPU and its time waiting for a CPU (runnable, not
# running; /proc/PID/task/TID/schedstat), over RUNS runs of SECONDS, with
# the whole machine's split from /proc/stat (user, system, softirq, idle,
# iowait, steal), per run and per group commit.
# usage: bench/serve_sched.sh BIN [RUNS] [SECONDS] [CONNECTIONS]
# Not part of `make check`; needs wrk, curl and sqlite3 (make deps-bench).
set -eu
bin=$1 runs=${2:-2} secs=${3:-6} conns=${4:-32}
command -v wrk >/dev/null || { echo "wrk not installed (make deps-bench)"; exit 1; }
dir=$(mktemp -d)
. "$(dirname "$0")/lib_serve_bench.sh"
trap 'serve_bench_stop "$dir"; rm -rf "$dir"' EXIT
port=$(serve_bench_start "$bin" "$dir" 10000)
pid=$(cat "$dir/pid")
serve_bench_warm "$dir" "$port" "$conns"
# per thread: name, CPU ns, waiting ns (summed over threads of one name)
threads() {
  for t in /proc/"$pid"/task/*; do
    echo "$(cat "$t/comm") $(cut -d' ' -f1,2 "$t/schedstat")"
  done | awk '{c[$1]+=$2; w[$1]+=$3} END {for (n in c) print n, c[n], w[n]}' | sort
}
commits() {
  curl -s -H "Authorization: Bearer $KEY" "http://127.0.0.1:$port/metrics" |
    awk '/^sparrow_group_commits_total/ {print $2}'
}
for r in $(seq 1 "$runs"); do
  mkdir "$dir/r$r"
  serve_bench_lua "$dir/r$r" 10000 "r$r" "$(serve_bench_built "$secs")"
  t0=$(threads) c0=$(commits) s0=$(head -1 /proc/stat)
  wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$dir/r$r/apply_nokey.lua" "http://127.0.0.1:$port" |
    awk -v r="$r" '/^ +99%/ {p99=$2} /^Requests\/sec/ {rate=$2} END {printf "run %d: %s decisions/s, p99 %s\n", r, rate, p99}'
  t1=$(threads) c1=$(commits) s1=$(head -1 /proc/stat)
  n=$((c1 - c0))
  echo "  $n group commits"
  join <(echo "$t0") <(echo "$t1") | awk -v n="$n" '{
    printf "  %-12s CPU %6.0f ms, waiting for a CPU %6.0f ms; per commit %4.0f us and %4.0f us\n",
      $1, ($4-$2)/1e6, ($5-$3)/1e6, ($4-$2)/1e3/n, ($5-$3)/1e3/n }'
  paste <(echo "$s0" | tr -s ' ' '\n') <(echo "$s1" | tr -s ' ' '\n') | awk '
    NR > 1 {d[NR] = $2 - $1; t += $2 - $1}
    END {printf "  machine: user %.0f%%, system %.0f%%, softirq %.0f%%, idle %.0f%%, iowait %.0f%%, steal %.0f%%\n",
      100*d[2]/t, 100*d[4]/t, 100*d[8]/t, 100*d[5]/t, 100*d[6]/t, 100*d[9]/t}'
done
