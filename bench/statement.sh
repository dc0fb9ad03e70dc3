#!/usr/bin/env bash
# A line's statement and the portfolio on a large book: bench_close_day
# builds LINES lines with one draw each, sparrow close-day closes a day (a
# transfer table of 2 x LINES rows); sparrow serve opens the file and answers
# GET /v1/lines/L{LINES/2}/statement and GET /v1/portfolio, each twice
# (the first is cold: the builds before the portfolio's own thread loaded
# every loan into the server's book then). Then, ROUNDS times, two
# consoles ask for the portfolio at once, and what else the server answers
# meanwhile: a draw of 1.00 on L1 (a group commit, under the server's
# lock) and GET /healthz, sent one after the other 0.2 s after them.
# usage: bench/statement.sh [BUILD_DIR] [LINES] [ROUNDS]
# BOOK=FILE serves a copy of FILE instead of building a book (the same book
# for two builds): one made by
#   SPARROW_BENCH_BUILD_ONLY=1 build/bench_close_day LINES
#   build/sparrow close-day --db /tmp/sparrow-bench-close.db --date 2026-01-01
# Not part of `make check`; needs curl.
set -eu
b=${1:-build}
lines=${2:-1000000}
rounds=${3:-5}
dir=$(mktemp -d)
trap 'serve_bench_stop "$dir"; rm -rf "$dir"' EXIT
. "$(dirname "$0")/lib_serve_bench.sh"
if [ -n "${BOOK:-}" ]; then
  cp "$BOOK" "$dir/bench.db"
else
  SPARROW_BENCH_BUILD_ONLY=1 "$b/bench_close_day" "$lines" >/dev/null
  mv /tmp/sparrow-bench-close.db "$dir/bench.db"
  t0=$(date +%s.%N)
  "$b/sparrow" close-day --db "$dir/bench.db" --date 2026-01-01 >/dev/null
  echo "close-day of $lines lines: $(echo "$(date +%s.%N) - $t0" | bc) s"
fi
echo "{\"$KEY\":\"admin\"}" >"$dir/keys.json"
"$b/sparrow" serve --db "$dir/bench.db" --listen 127.0.0.1:0 --keys "$dir/keys.json" >"$dir/out" 2>"$dir/err" &
echo $! >"$dir/pid"
port=$(serve_bench_port "$dir" 600)
url="http://127.0.0.1:$port"
auth="Authorization: Bearer $KEY"
for p in "/v1/lines/L$((lines / 2))/statement" "/v1/lines/L$((lines / 2))/statement" /v1/portfolio /v1/portfolio; do
  curl -s -o /dev/null -w "GET $p: %{http_code} in %{time_total} s\n" -H "$auth" "$url$p"
done
for r in $(seq 1 "$rounds"); do
  pf=
  for c in 1 2; do
    curl -s -o /dev/null -w '%{http_code} in %{time_total} s' -H "$auth" "$url/v1/portfolio" >"$dir/portfolio$c" &
    pf="$pf $!"
  done
  sleep 0.2
  draw=$(curl -s -o /dev/null -w '%{http_code} in %{time_total} s' -X POST -H "$auth" \
    -H "Idempotency-Key: statement-$$-$r" --data-binary '{"amount":"1.00","at":"2026-01-02T10:00:00+08:00"}' \
    "$url/v1/lines/L1/draws")
  health=$(curl -s -o /dev/null -w '%{http_code} in %{time_total} s' "$url/healthz")
  wait $pf
  echo "round $r: GET /v1/portfolio x 2: $(cat "$dir/portfolio1"), $(cat "$dir/portfolio2"); meanwhile POST /v1/lines/L1/draws $draw, GET /healthz $health"
done
