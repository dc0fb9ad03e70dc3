#!/usr/bin/env bash
# Where the server's commit tail comes from: bench_fsync_tail (one write
# and fdatasync, wall time of each) alone, beside two busy loops (the two
# cores kept busy, as wrk and the polling threads keep them), and beside
# them again at SCHED_FIFO (it then takes a core from the loops at once),
# ROUNDS times each, alternating. Needs root, or CAP_SYS_NICE, for chrt.
# usage: bench/fsync_tail.sh BUILD_DIR [ROUNDS] [KIB]
set -eu
b=$1 rounds=${2:-2} kib=${3:-48}
t="$b/bench_fsync_tail"
busy() {
  local pids=() rc=0
  for _ in 1 2; do sh -c 'while :; do :; done' & pids+=($!); done
  "$@" || rc=$?
  kill "${pids[@]}"
  wait "${pids[@]}" 2>/dev/null || true
  return $rc
}
for r in $(seq 1 "$rounds"); do
  echo "alone:            $("$t" . 3000 "$kib")"
  echo "two busy loops:   $(busy "$t" . 3000 "$kib")"
  if chrt -f 1 true 2>/dev/null; then
    echo "the same, FIFO:   $(busy chrt -f 1 "$t" . 3000 "$kib")"
  else
    echo "the same, FIFO:   (chrt -f not permitted)"
  fi
done
