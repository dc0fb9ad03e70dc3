#!/usr/bin/env bash
# sparrow serve under load with wrk: durable draws, durable repayments and
# durable credit decisions (each a POST with its own Idempotency-Key; the
# decisions also without one) against GET /healthz (no storage) in the
# same run, so the ratios show what durability and the single writer cost.
# Decisions use tests/lib_flow.sh's hand flow (two rules, a
# two-characteristic scorecard, limit and price) on BORROWERS borrowers
# (10,000 unless set) with consents and data for three sources. wrk runs
# one thread, its requests built before each run (serve_bench_lua); each
# line says how much of the CPU the host stole meanwhile.
# usage: [BORROWERS=N] [SERVE_THREADS=N] bench/serve.sh [BUILD_DIR] [SECONDS]
#        [CONNECTIONS]
# Not part of `make check`; needs wrk and curl (make deps-bench).
set -eu
b=${1:-build}
secs=${2:-10}
conns=${3:-32}
borrowers=${BORROWERS:-10000} # applicants, each with three sources of data
command -v wrk >/dev/null || { echo "wrk not installed (make deps-bench)"; exit 1; }
dir=$(mktemp -d)
trap 'serve_bench_stop "$dir"; rm -rf "$dir"' EXIT
. "$(dirname "$0")/lib_serve_bench.sh"
port=$(serve_bench_start "$b/sparrow" "$dir" "$borrowers")
url="http://127.0.0.1:$port"
auth="Authorization: Bearer $KEY"
serve_bench_lua "$dir" "$borrowers" "" "$(serve_bench_built "$secs")"
# wrk's output, and the share of the CPU the host stole meanwhile
run() {
  local m0
  m0=$(serve_bench_cpu)
  wrk -t1 -c"$conns" -d"${secs}s" --latency "$@" 2>&1
  echo "stolen $(serve_bench_steal "$m0" "$(serve_bench_cpu)")"
}
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'; }
p99() { sed -n 's/^ *99% *\([0-9.]*[a-z]*\)/\1/p'; }
bad() { sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\)/\1/p'; }
stolen() { sed -n 's/^stolen //p'; }
base=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$url/healthz" 2>&1)
draws=$(run -s "$dir/draw.lua" "$url")
repays=$(run -s "$dir/repay.lua" "$url")
# The decisions run follows a first pass over the borrowers (its own keys):
# a server that has decided for a borrower keeps its inputs (src/apply).
mkdir "$dir/first" && serve_bench_lua "$dir/first" "$borrowers" f "$(serve_bench_built 3)"
first=$(secs=3 run -s "$dir/first/apply.lua" "$url")
apps=$(run -s "$dir/apply.lua" "$url")
mkdir "$dir/nokey" && serve_bench_lua "$dir/nokey" "$borrowers" n "$(serve_bench_built "$secs")"
apps0=$(run -s "$dir/nokey/apply_nokey.lua" "$url")
r_base=$(echo "$base" | rps) r_draw=$(echo "$draws" | rps) r_app=$(echo "$apps" | rps)
r_repay=$(echo "$repays" | rps)
echo "GET /healthz (baseline):   $r_base req/s  p99 $(echo "$base" | p99)"
echo "POST draws (durable):      $r_draw req/s  p99 $(echo "$draws" | p99)  non-2xx: $(echo "$draws" | bad)  CPU stolen $(echo "$draws" | stolen)"
echo "POST repayments (durable):  $r_repay req/s  p99 $(echo "$repays" | p99)  non-2xx: $(echo "$repays" | bad)  CPU stolen $(echo "$repays" | stolen)"
echo "POST applications, first 3 s (inputs read): $(echo "$first" | rps) req/s  p99 $(echo "$first" | p99)  non-2xx: $(echo "$first" | bad)  CPU stolen $(echo "$first" | stolen)"
echo "POST applications (durable decisions): $r_app req/s  p99 $(echo "$apps" | p99)  non-2xx: $(echo "$apps" | bad)  CPU stolen $(echo "$apps" | stolen)"
echo "POST applications without a key (durable decisions): $(echo "$apps0" | rps) req/s  p99 $(echo "$apps0" | p99)  non-2xx: $(echo "$apps0" | bad)  CPU stolen $(echo "$apps0" | stolen)"
awk -v a="$r_draw" -v b="$r_base" 'BEGIN { printf "draws / healthz: %.4f\n", a / b }'
awk -v a="$r_app" -v b="$r_base" 'BEGIN { printf "decisions / healthz: %.4f\n", a / b }'
m=$(curl -s -H "$auth" "$url/metrics")
g=$(echo "$m" | sed -n 's/^sparrow_group_commits_total //p')
q=$(echo "$m" | sed -n 's/^sparrow_group_commit_requests_total //p')
awk -v g="$g" -v q="$q" 'BEGIN { printf "group commits: %d for %d requests (%.1f per commit)\n", g, q, q / g }'
serve_bench_stop "$dir"
n=$(sqlite3 "$dir/bench.db" "select count(*) - 1 from transfers where code = 1")
echo "draw transfers in the ledger (less the setup's one): $n"
n=$(sqlite3 "$dir/bench.db" "select count(*) from transfers where code = 2")
echo "repayment transfers in the ledger: $n"
echo "decisions recorded: $(sqlite3 "$dir/bench.db" "select status, count(*) from svc_applications group by status" | tr '\n' ' ')"
"$b/sparrow" ledger verify --db "$dir/bench.db"
