#!/usr/bin/env bash
# Runs every benchmark against its same-run baseline. usage: bench/run.sh BUILD_DIR
set -e
b=${1:-build}
echo "== ledger: transfers per second against SQLite's raw insert rate"
"$b/bench_ledger" 2000000 128
echo "== close of day for 1,000,000 lines"
"$b/bench_close_day" 1000000 1
echo "== policy rules against the same conditions written in C"
"$b/bench_rules"
echo "== tree models against XGBoost's own predictor"
"$(dirname "$0")/tree.sh" "$b"
echo "== AML cycle detection over 10,000,000 transfers"
"$b/bench_aml_cycles" 10000000
echo "== scorecard training on 150,000 rows against XGBoost"
"$(dirname "$0")/train.sh" "$b"
echo "== one full decision (20 rules, a model, limit, price, 4 reasons)"
"$(dirname "$0")/decide.sh" "$b"
echo "== early-warning monitor: events per second through windows and rules"
"$b/bench_monitor"
echo "== one application decided on consented data, in process"
d=$(mktemp -d)
. "$(dirname "$0")/../tests/lib_flow.sh"
hand_flow "$d"
"$b/bench_apply" "$d/flow.json" "$d/apply.db" 200000
rm -rf "$d"
echo "== reading a request body: sparrow's JSON reader against jansson"
"$b/bench_json" 500000
echo "== one durable commit: the CPU of a write and its fdatasync, by size"
"$b/bench_fsync" . 2000
echo "== one durable commit's wait: alone, and beside busy cores"
"$(dirname "$0")/fsync_tail.sh" "$b" 2 48
echo "== the HTTP layer alone: sparrow's wire against libmicrohttpd and h2o, CPU per request"
layer=("$b/http_echo_wire")
for x in http_echo_mhd http_echo_h2o; do
  if [ -x "$b/$x" ]; then layer+=("$b/$x"); else echo "$x not built (make deps-bench)"; fi
done
"$(dirname "$0")/http_layer.sh" 6 5 32 "${layer[@]}"
echo "== the host: time each CPU did not get, beside the steal counted (before serve.sh)"
"$b/bench_host_gaps" 5
echo "== sparrow serve under wrk: durable draws, repayments and decisions"
"$(dirname "$0")/serve.sh" "$b" 10 32
"$(dirname "$0")/serve.sh" "$b" 10 64
BORROWERS=100 "$(dirname "$0")/serve.sh" "$b" 10 64
echo "== statements and the portfolio on a book of 1,000,000 lines"
"$(dirname "$0")/statement.sh" "$b" 1000000 3
