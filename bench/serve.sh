#!/usr/bin/env bash
# sparrow serve under load with wrk: durable draws and durable credit
# decisions (each a POST with its own Idempotency-Key) against GET /healthz
# (no storage) in the same run, so the ratios show what durability and the
# single writer cost. Decisions use tests/lib_flow.sh's hand flow (two
# rules, a two-characteristic scorecard, limit and price) on BORROWERS
# borrowers (10,000 unless set) with consents and data for three sources.
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
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
KEY=bench-admin-key-0123456789
echo "{\"$KEY\":\"admin\"}" >"$dir/keys.json"
. "$(dirname "$0")/../tests/lib_flow.sh"
hand_flow "$dir"
"$b/sparrow" serve --db "$dir/bench.db" --listen 127.0.0.1:0 --keys "$dir/keys.json" \
  --flow "$dir/flow.json" ${SERVE_THREADS:+--threads $SERVE_THREADS} >"$dir/out" 2>"$dir/err" &
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
for i in $(seq 1 100); do
  curl -sf -H "$auth" -X POST "$url/v1/borrowers" -d "{\"id\":\"C$i\",\"name\":\"bench $i\",\"kind\":\"enterprise\",\"credit_code\":\"91330106MA27XY1234\"}" >/dev/null
  for s in tax judicial invoice; do
    curl -sf -H "$auth" -X POST "$url/v1/borrowers/C$i/consents" -d "{\"source\":\"$s\",\"scope\":[\"credit_decision\"],\"expires\":\"2099-12-31\"}" >/dev/null
  done
  curl -sf -H "$auth" -X POST "$url/v1/borrowers/C$i/data" -d '{"source":"tax","as_of":"2026-09-30","values":{"tax_credit_grade":"A"}}' >/dev/null
  curl -sf -H "$auth" -X POST "$url/v1/borrowers/C$i/data" -d '{"source":"judicial","as_of":"2026-09-30","values":{"court_enforcements_24m":0}}' >/dev/null
  curl -sf -H "$auth" -X POST "$url/v1/borrowers/C$i/data" -d "{\"source\":\"invoice\",\"as_of\":\"2026-09-30\",\"values\":{\"monthly_sales\":\"$((i * 1000)).00\"}}" >/dev/null
done
# More borrowers straight into the file (same rows as the calls above
# make), so that decisions read their data rather than find it kept by the
# polling threads (each keeps 1,024 borrowers): C101..C$borrowers.
if [ "$borrowers" -gt 100 ]; then
  sqlite3 "$dir/bench.db" <<SQL
BEGIN;
CREATE TEMP TABLE n AS WITH RECURSIVE n(i) AS (SELECT 101 UNION ALL SELECT i + 1 FROM n WHERE i < $borrowers) SELECT i FROM n;
INSERT INTO svc_borrowers(id, doc) SELECT 'C' || i, '{"address":"","created":1767225600,"credit_code":"91330106MA27XY1234","id_number":"","industry":"","kind":"enterprise","legal_rep":"","name":"bench ' || i || '","phone":"","region":""}' FROM n;
INSERT INTO svc_consents(borrower, source, purposes, granted, expires, revoked) SELECT 'C' || i, s.s, 1, 1767225600, 4102329600, 0 FROM n, (SELECT 0 AS s UNION ALL SELECT 7 UNION ALL SELECT 1) AS s;
INSERT INTO svc_data(borrower, source, as_of, doc_values, received) SELECT 'C' || i, 0, 20726, '{"tax_credit_grade":"A"}', 1767225600 FROM n;
INSERT INTO svc_data(borrower, source, as_of, doc_values, received) SELECT 'C' || i, 7, 20726, '{"court_enforcements_24m":0}', 1767225600 FROM n;
INSERT INTO svc_data(borrower, source, as_of, doc_values, received) SELECT 'C' || i, 1, 20726, '{"monthly_sales":"' || (i * 1000) || '.00"}', 1767225600 FROM n;
COMMIT;
SQL
fi
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
cat >"$dir/apply.lua" <<LUA
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
  local id = "a" .. tid .. "-" .. counter
  return wrk.format("POST", "/v1/applications", {
    ["Authorization"] = "Bearer $KEY",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = id,
  }, '{"id":"' .. id .. '","borrower":"C' .. (counter % $borrowers + 1) ..
     '","values":{"months_in_business":' .. (counter % 48) .. ',"green_rating":"A","guarantee_pct":40}}')
end
LUA
run() { wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" 2>&1; }
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'; }
p99() { sed -n 's/^ *99% *\([0-9.]*[a-z]*\)/\1/p'; }
bad() { sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\)/\1/p'; }
base=$(run "$url/healthz")
draws=$(run -s "$dir/draw.lua" "$url")
apps=$(run -s "$dir/apply.lua" "$url")
r_base=$(echo "$base" | rps) r_draw=$(echo "$draws" | rps) r_app=$(echo "$apps" | rps)
echo "GET /healthz (baseline):   $r_base req/s  p99 $(echo "$base" | p99)"
echo "POST draws (durable):      $r_draw req/s  p99 $(echo "$draws" | p99)  non-2xx: $(echo "$draws" | bad)"
echo "POST applications (durable decisions): $r_app req/s  p99 $(echo "$apps" | p99)  non-2xx: $(echo "$apps" | bad)"
awk -v a="$r_draw" -v b="$r_base" 'BEGIN { printf "draws / healthz: %.4f\n", a / b }'
awk -v a="$r_app" -v b="$r_base" 'BEGIN { printf "decisions / healthz: %.4f\n", a / b }'
m=$(curl -s -H "$auth" "$url/metrics")
g=$(echo "$m" | sed -n 's/^sparrow_group_commits_total //p')
q=$(echo "$m" | sed -n 's/^sparrow_group_commit_requests_total //p')
awk -v g="$g" -v q="$q" 'BEGIN { printf "group commits: %d for %d requests (%.1f per commit)\n", g, q, q / g }'
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
n=$(sqlite3 "$dir/bench.db" "select count(*) from transfers where code = 1")
echo "draw transfers in the ledger: $n"
echo "decisions recorded: $(sqlite3 "$dir/bench.db" "select status, count(*) from svc_applications group by status" | tr '\n' ' ')"
"$b/sparrow" ledger verify --db "$dir/bench.db"
