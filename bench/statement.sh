#!/usr/bin/env bash
# A line's statement and the portfolio on a large book: bench_close_day
# builds LINES lines with one draw each, sparrow close-day closes a day (a
# transfer table of 2 x LINES rows); sparrow serve opens the file and answers
# GET /v1/lines/L{LINES/2}/statement and GET /v1/portfolio, each twice
# (the first portfolio loads every loan into the book).
# usage: bench/statement.sh [BUILD_DIR] [LINES]
# Not part of `make check`; needs curl.
set -eu
b=${1:-build}
lines=${2:-1000000}
dir=$(mktemp -d)
trap 'serve_bench_stop "$dir"; rm -rf "$dir"' EXIT
. "$(dirname "$0")/lib_serve_bench.sh"
SPARROW_BENCH_BUILD_ONLY=1 "$b/bench_close_day" "$lines" >/dev/null
mv /tmp/sparrow-bench-close.db "$dir/bench.db"
"$b/sparrow" close-day --db "$dir/bench.db" --date 2026-01-01 >/dev/null
echo "{\"$KEY\":\"admin\"}" >"$dir/keys.json"
"$b/sparrow" serve --db "$dir/bench.db" --listen 127.0.0.1:0 --keys "$dir/keys.json" >"$dir/out" 2>"$dir/err" &
echo $! >"$dir/pid"
port=$(serve_bench_port "$dir" 600)
for p in "/v1/lines/L$((lines / 2))/statement" "/v1/lines/L$((lines / 2))/statement" /v1/portfolio /v1/portfolio; do
  curl -s -o /dev/null -w "GET $p: %{http_code} in %{time_total} s\n" -H "Authorization: Bearer $KEY" "http://127.0.0.1:$port$p"
done
