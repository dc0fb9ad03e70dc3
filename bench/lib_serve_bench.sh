# Shared by bench/serve.sh and bench/serve_ab.sh: a server on a fresh file
# with the bench's borrowers, and wrk scripts whose every request carries a
# key of its own. Sourced; uses tests/lib_flow.sh.
KEY=bench-admin-key-0123456789
. "$(dirname "${BASH_SOURCE[0]}")/../tests/lib_flow.sh"

# serve_bench_port DIR TENTHS: the port the server started in DIR prints
# (DIR/out), waiting up to TENTHS tenths of a second.
serve_bench_port() {
  local port=
  for _ in $(seq 1 "$2"); do
    port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$1/out")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "server did not start: $(cat "$1/err")" >&2; return 1; }
  echo "$port"
}

# serve_bench_start BIN DIR BORROWERS: starts BIN serve on DIR/bench.db
# (pid in DIR/pid), makes line L1 and borrowers C1..C$BORROWERS with
# consents and data for three sources (100 over HTTP, the rest straight
# into the file), and prints the port.
serve_bench_start() {
  local bin=$1 dir=$2 borrowers=$3 port i s
  echo "{\"$KEY\":\"admin\"}" >"$dir/keys.json"
  hand_flow "$dir"
  "$bin" serve --db "$dir/bench.db" --listen 127.0.0.1:0 --keys "$dir/keys.json" \
    --flow "$dir/flow.json" ${SERVE_THREADS:+--threads $SERVE_THREADS} >"$dir/out" 2>"$dir/err" &
  echo $! >"$dir/pid"
  port=$(serve_bench_port "$dir" 100) || return 1
  local url="http://127.0.0.1:$port" auth="Authorization: Bearer $KEY"
  curl -sf -H "$auth" -X POST "$url/v1/borrowers" -d '{"id":"B1","name":"bench","kind":"enterprise","credit_code":"91330106MA27XY1234"}' >/dev/null
  curl -sf -H "$auth" -X POST "$url/v1/lines" -d '{"id":"L1","borrower":"B1","limit":"1000000000.00","daily_rate":"0.02%","date":"2026-01-01"}' >/dev/null
  # principal for the repayments to pay (0.01 each, the same day: no interest)
  curl -sf -H "$auth" -X POST "$url/v1/lines/L1/draws" -d '{"amount":"1000000.00","at":"2026-01-01T09:00:00+08:00"}' >/dev/null
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
  echo "$port"
}

# serve_bench_warm DIR PORT CONNECTIONS: 3 s of keyed applications of the
# 10,000 borrowers (their scripts in DIR/w, prefix w), so that measured
# runs find the caches and the file warm.
serve_bench_warm() {
  mkdir "$1/w"
  serve_bench_lua "$1/w" 10000 w 100000
  wrk -t1 -c"$3" -d3s -s "$1/w/apply.lua" "http://127.0.0.1:$2" >/dev/null
}

# serve_bench_stop DIR: stops the server started there and waits for it
# (it is not this shell's child: serve_bench_start runs in $(...)).
serve_bench_stop() {
  [ -f "$1/pid" ] || return 0
  local pid
  pid=$(cat "$1/pid")
  rm "$1/pid"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

# serve_bench_built SECONDS: how many requests to build for a run of
# SECONDS (serve_bench_lua): 30,000 a second, above any rate seen here.
serve_bench_built() { echo $(($1 * 30000)); }

# serve_bench_lua DIR BORROWERS PREFIX [BUILT]: DIR/draw.lua,
# DIR/repay.lua, DIR/apply.lua and DIR/apply_nokey.lua (the same
# applications without an Idempotency-Key), keys and application ids PREFIX
# + thread + counter (a new prefix for every run on one file).
#
# wrk shares the two cores with the server, so each script builds its
# first BUILT requests (default: serve_bench_built 10) in init, before
# the run, and hands them out one by one; past those it builds each as it
# sends it. wrk calls a thread's init just before that thread starts, so
# with more than one thread the first would run during the second's init,
# outside the time wrk divides by: run these with -t1. (Two threads
# building in the run spent 22-27 µs of CPU a request, one thread with its
# requests built 14-18: BENCHMARKS.md.)
serve_bench_lua() {
  local dir=$1 borrowers=$2 prefix=$3 built=${4:-$(serve_bench_built 10)}
  # each wrk thread numbers its requests; tid tells the threads apart;
  # build(counter) is the request numbered counter
  local head='local n = 0
function setup(thread)
  n = n + 1
  thread:set("tid", n)
end'
  local tail="function init(args)
  counter = 0
  built = {}
  for i = 1, $built do
    built[i] = build(i)
  end
end
function request()
  counter = counter + 1
  return built[counter] or build(counter)
end"
  # money_lua FILE PATH KEY_LETTER BODY: a POST of BODY to PATH
  money_lua() {
    cat >"$dir/$1" <<LUA
$head
function build(counter)
  return wrk.format("POST", "$2", {
    ["Authorization"] = "Bearer $KEY",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "${prefix}$3" .. tid .. "-" .. counter,
  }, '$4')
end
$tail
LUA
  }
  money_lua draw.lua /v1/lines/L1/draws w '{"amount":"1.00","at":"2026-01-01T10:00:00+08:00"}'
  money_lua repay.lua /v1/lines/L1/repayments r '{"amount":"0.01","at":"2026-01-01T11:00:00+08:00"}'
  # apply_lua FILE KEY_HEADER: an application, its id as its key if asked
  apply_lua() {
    cat >"$dir/$1" <<LUA
$head
function build(counter)
  local id = "${prefix}a" .. tid .. "-" .. counter
  return wrk.format("POST", "/v1/applications", {
    ["Authorization"] = "Bearer $KEY",
    ["Content-Type"] = "application/json",$2
  }, '{"id":"' .. id .. '","borrower":"C' .. (counter % $borrowers + 1) ..
     '","values":{"months_in_business":' .. (counter % 48) .. ',"green_rating":"A","guarantee_pct":40}}')
end
$tail
LUA
  }
  apply_lua apply.lua '
    ["Idempotency-Key"] = id,'
  apply_lua apply_nokey.lua ''
}

# thread_ticks PID NAMES: "A B", the CPU ticks (user + system) of PID's
# threads whose name matches the extended regular expression NAMES (whole),
# and of its other threads.
thread_ticks() {
  local a=0 b=0 t v
  for t in /proc/$1/task/*; do
    v=$(awk '{print $14 + $15}' "$t/stat")
    if [[ "$(cat "$t/comm")" =~ ^($2)$ ]]; then a=$((a + v)); else b=$((b + v)); fi
  done
  echo "$a $b"
}

# serve_bench_cpu: the machine's CPU time so far in ticks, all of it and
# the part stolen (the hypervisor ran something else while this machine's
# processors had work), from /proc/stat. Rates here follow the steal.
serve_bench_cpu() {
  awk '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $9}' /proc/stat
}

# serve_bench_steal "BEFORE" "AFTER": the share stolen between two
# serve_bench_cpu readings, in percent.
serve_bench_steal() {
  echo "$1 $2" | awk '{ printf "%.0f%%", ($3 > $1 ? 100 * ($4 - $2) / ($3 - $1) : 0) }'
}

# wrk_cpu PID NAMES LABEL OTHERS WRK_ARGS...: wrk (with --latency) against
# PID's server; prints the rate, p99 and non-2xx count, the CPU per
# request of PID's threads named NAMES (as LABEL) and of the others (as
# OTHERS), and the machine's CPU stolen meanwhile.
wrk_cpu() {
  local pid=$1 name=$2 label=$3 others=$4 c0 c1 out n m0 m1
  shift 4
  c0=$(thread_ticks "$pid" "$name") m0=$(serve_bench_cpu)
  out=$(wrk --latency "$@" 2>&1)
  c1=$(thread_ticks "$pid" "$name") m1=$(serve_bench_cpu)
  n=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
  echo "$(echo "$out" | sed -n 's/^Requests\/sec: *//p')/s p99 $(echo "$out" | sed -n 's/^ *99% *//p') non-2xx $(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: *//p')" \
    "$(echo "$c0 $c1 $n $(getconf CLK_TCK)" | awk -v a="$label" -v b="$others" '{ printf "cpu per request: %s %.1f us, %s %.1f us", a, ($3 - $1) * 1e6 / $6 / $5, b, ($4 - $2) * 1e6 / $6 / $5 }')," \
    "steal $(serve_bench_steal "$m0" "$m1")"
}
