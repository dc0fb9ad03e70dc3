#!/bin/bash
# sparrow aml command contract: JSON Lines out; bad CSV -> exit 2 naming
# line/column; missing column named; unknown config key named.
set -u
B=${SPARROW_BIN:?}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
printf 'time,from_account,to_account,amount,type\n2026-01-05T09:00:00,A,,50000,cash\n' > "$T/t.csv"
out=$("$B" aml --transactions "$T/t.csv") || fail "good input"
[ "$out" = '{"pattern":"large_value","score":100,"accounts":["A"],"transactions":[1],"amount":"50000.00","first_time":"2026-01-05T09:00:00+08:00","last_time":"2026-01-05T09:00:00+08:00"}' ] || fail "output: $out"
printf 'time,from_account,to_account,amount\n2026-01-05,A,B,"12\n' > "$T/bad.csv"
"$B" aml --transactions "$T/bad.csv" > "$T/o" 2> "$T/e"; [ $? -eq 2 ] || fail "bad csv exit"
grep -q 'line [0-9]*, column [0-9]*' "$T/e" || fail "bad csv message: $(cat "$T/e")"
[ -s "$T/o" ] && fail "partial output"
printf 'time,from_account,amount\n' > "$T/m.csv"
"$B" aml --transactions "$T/m.csv" 2> "$T/e"; [ $? -eq 2 ] || fail "missing column exit"
grep -q "to_account" "$T/e" || fail "missing column message"
echo '{"cycle":{"hopz":3}}' > "$T/c.json"
"$B" aml --transactions "$T/t.csv" --config "$T/c.json" 2> "$T/e"; [ $? -eq 2 ] || fail "config exit"
grep -q "cycle.hopz" "$T/e" || fail "config message"
echo '{"baseline":{"factor":0}}' > "$T/c.json"
"$B" aml --transactions "$T/t.csv" --config "$T/c.json" 2> "$T/e"; [ $? -eq 2 ] || fail "baseline exit"
grep -q "baseline.factor" "$T/e" || fail "baseline message: $(cat "$T/e")"
# A disbursement (type loan) half of which goes to a broker the next day:
# score 50 + 50 * 0.5 = 75.
printf 'id,time,from_account,to_account,amount,type\nd1,2026-01-05T09:00:00,BANK,B1,100000,loan\nx1,2026-01-06T09:00:00,B1,BROKER,50000,securities\n' > "$T/p.csv"
out=$("$B" aml --transactions "$T/p.csv" --patterns loan_purpose) || fail "loan purpose run"
[ "$out" = '{"pattern":"loan_purpose","score":75,"accounts":["B1","BANK","BROKER"],"transactions":["d1","x1"],"amount":"50000.00","first_time":"2026-01-05T09:00:00+08:00","last_time":"2026-01-06T09:00:00+08:00"}' ] || fail "loan purpose: $out"
"$B" aml --help | grep -q transactions || fail help
echo ok
