#!/usr/bin/env bash
# sparrow serve under load with wrk: durable draws (each a POST with its
# own Idempotency-Key) against GET /healthz (no storage) in the same run,
# so the ratio shows what durability and the single writer cost.
# usage: bench/serve.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
# Not part of `make check`; needs wrk and curl (make deps-bench).
set -eu
b=${1:-build}
secs=${2:-10}
conns=${3:-32}
command -v wrk >/dev/null || { echo "wrk not installed (make deps-bench)"; exit 1; }
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
KEY=bench-admin-key-0123456789
echo "{\"$KEY\":\"admin\"}" >"$dir/keys.json"
"$b/sparrow" serve --db "$dir/bench.db" --listen 127.0.0.1:0 --keys "$dir/keys.json" \
  >"$dir/out" 2>"$dir/err" &
pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "server did not start: $(cat "$dir/err")"; exit 1; }
url="http://127.0.0.1:$port"
auth="Authorization: Bearer $KEY"
curl -sf -H "$auth" -X POST "$url/v1/borrowers" -d '{"id":"B1","name":"bench","kind":"enterprise","credit_code":"91330106MA27XY1234"}' >/dev/null
curl -sf -H "$auth" -X POST "$url/v1/lines" -d '{"id":"L1","borrower":"B1","limit":"1000000000.00","daily_rate":"0.02%","date":"2026-01-01"}' >/dev/null
# Every request carries a key of its own: thread number and a counter.
cat >"$dir/draw.lua" <<LUA
local threads = {}
local n = 0
function setup(thread)
  n = n + 1
  thread:set("tid", n)
end
function init(args)
  counter = 0
end
function request()
  counter = counter + 1
  return wrk.format("POST", "/v1/lines/L1/draws", {
    ["Authorization"] = "Bearer $KEY",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "w" .. tid .. "-" .. counter,
  }, '{"amount":"1.00","at":"2026-01-01T10:00:00+08:00"}')
end
LUA
run() { wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" 2>&1; }
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'; }
p99() { sed -n 's/^ *99% *\([0-9.]*[a-z]*\)/\1/p'; }
bad() { sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\)/\1/p'; }
base=$(run "$url/healthz")
draws=$(run -s "$dir/draw.lua" "$url")
r_base=$(echo "$base" | rps) r_draw=$(echo "$draws" | rps)
echo "GET /healthz (baseline):   $r_base req/s  p99 $(echo "$base" | p99)"
echo "POST draws (durable):      $r_draw req/s  p99 $(echo "$draws" | p99)  non-2xx: $(echo "$draws" | bad)"
awk -v a="$r_draw" -v b="$r_base" 'BEGIN { printf "draws / healthz: %.4f\n", a / b }'
m=$(curl -s -H "$auth" "$url/metrics")
g=$(echo "$m" | sed -n 's/^sparrow_group_commits_total //p')
q=$(echo "$m" | sed -n 's/^sparrow_group_commit_requests_total //p')
awk -v g="$g" -v q="$q" 'BEGIN { printf "group commits: %d for %d requests (%.1f per commit)\n", g, q, q / g }'
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
n=$(sqlite3 "$dir/bench.db" "select count(*) from transfers where code = 1")
echo "draw transfers in the ledger: $n"
"$b/sparrow" ledger verify --db "$dir/bench.db"
