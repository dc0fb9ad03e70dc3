#!/usr/bin/env bash
# The HTTP layer alone under wrk: each BIN an echo server of the same
# behaviour (bench/http_echo_mhd.c: libmicrohttpd as sparrow serve uses it;
# bench/http_echo_h2o.c: h2o), two polling threads each, side by side and
# alternated ROUNDS times, so that both see the same drift of a shared
# machine. The requests are bench/serve.sh's applications without a key
# (about 120 bytes; the servers parse nothing and store nothing). Prints
# each run's rate, p99 and the CPU per request of the polling threads and
# of the committer (from /proc).
# usage: bench/http_layer.sh ROUNDS SECONDS CONNECTIONS BIN...
# Not part of `make check`; needs wrk (make deps-bench).
set -eu
rounds=$1 secs=$2 conns=$3; shift 3
dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT
cat >"$dir/post.lua" <<'LUA'
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
function init(args) counter = 0 end
function request()
  counter = counter + 1
  local id = "a" .. tid .. "-" .. counter
  return wrk.format("POST", "/v1/applications", {
    ["Authorization"] = "Bearer bench-admin-key-0123456789",
    ["Content-Type"] = "application/json",
  }, '{"id":"' .. id .. '","borrower":"C' .. (counter % 10000 + 1) ..
     '","values":{"months_in_business":' .. (counter % 48) .. ',"green_rating":"A","guarantee_pct":40}}')
end
LUA
bins=("$@")
port=18200
ports=()
for b in "$@"; do
  port=$((port + 1))
  "$b" $port 2 >"$dir/out$port" 2>&1 &
  pids+=($!)
  ports+=($port)
done
for p in "${ports[@]}"; do
  for _ in $(seq 1 50); do
    grep -q '^listening' "$dir/out$p" && break
    sleep 0.1
  done
  grep -q '^listening' "$dir/out$p" || { echo "no server on port $p: $(cat "$dir/out$p")" >&2; exit 1; }
done
cpu() { # pid -> "committer_ticks other_ticks"
  local c=0 m=0 t v
  for t in /proc/$1/task/*; do
    v=$(awk '{print $14 + $15}' "$t/stat")
    if [ "$(cat "$t/comm")" = committer ]; then c=$((c + v)); else m=$((m + v)); fi
  done
  echo "$c $m"
}
hz=$(getconf CLK_TCK)
for i in "${!ports[@]}"; do wrk -t2 -c$conns -d2s -s "$dir/post.lua" http://127.0.0.1:${ports[$i]} >/dev/null; done
for r in $(seq 1 $rounds); do
  for i in "${!ports[@]}"; do
    p=${ports[$i]} pid=${pids[$i]}
    c0=$(cpu $pid)
    out=$(wrk -t2 -c$conns -d${secs}s --latency -s "$dir/post.lua" http://127.0.0.1:$p 2>&1)
    c1=$(cpu $pid)
    n=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
    echo "$(basename "${bins[$i]}") $(echo "$out" | sed -n 's/^Requests\/sec: *//p')/s p99 $(echo "$out" | sed -n 's/^ *99% *//p') non-2xx $(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: *//p') $(echo "$c0 $c1 $n $hz" | awk '{ printf "cpu per request: polling %.1f us, committer %.1f us", ($4 - $2) * 1e6 / $6 / $5, ($3 - $1) * 1e6 / $6 / $5 }')"
  done
done
