#!/bin/bash
# sparrow monitor command contract: JSON Lines events in, one JSON line per
# action out (expected lines worked out by hand: B1 invoices 6000.00 yuan a
# month, then 1000.00 in the last 30 days, below 0.6 x 1,900,000 fen / 6
# months = 316666.67 fen a month; B2 has a court filing); CSV gives the same; --state makes a rerun
# print nothing twice; bad input -> exit 2, one stderr line naming
# file:line and the member, nothing printed, no snapshot written.
set -u
B=${SPARROW_BIN:?}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
BIN=$B TMP=$T
. "$(dirname "$0")/lib_cli.sh"

cat > "$T/r.json" <<'J'
{"rules":[
 {"id":"M01","when":"sum(invoice_issued, 30d) < 0.6 * avg_monthly(invoice_issued, 180d)",
  "level":"warning","action":"reduce_limit","pct":20,"reason":"Invoicing fell"},
 {"id":"M02","when":"count(court_filing, 30d) >= 1","level":"severe",
  "action":"freeze_line","reason":"Court filing"}]}
J
ev() { printf '{"id":"%s","borrower":"%s","kind":"%s","time":"%s",%s}\n' "$@"; }
{
  ev E1 B1 invoice_issued 2026-01-05T10:00:00+08:00 '"amount":600000'
  ev E2 B1 invoice_issued 2026-02-05T10:00:00+08:00 '"amount":600000'
  ev E3 B1 invoice_issued 2026-03-05T10:00:00+08:00 '"amount":600000'
} > "$T/e1.jsonl"
cp "$T/e1.jsonl" "$T/e.jsonl"
{
  ev E4 B1 invoice_issued 2026-04-20T10:00:00+08:00 '"amount":100000'
  ev C1 B2 court_filing 2026-04-21T09:00:00+08:00 '"amount":0'
  ev E4 B1 invoice_issued 2026-04-20T10:00:00+08:00 '"amount":100000'
} >> "$T/e.jsonl"
L1='{"rule":"M01","level":"warning","action":"reduce_limit","pct":20,"borrower":"B1","event_id":"E4","event_time":"2026-04-20T10:00:00+08:00","reason":"Invoicing fell","values":{"sum(invoice_issued, 30d)":100000,"avg_monthly(invoice_issued, 180d)":316666.666666667}}'
L2='{"rule":"M02","level":"severe","action":"freeze_line","borrower":"B2","event_id":"C1","event_time":"2026-04-21T09:00:00+08:00","reason":"Court filing","values":{"count(court_filing, 30d)":1}}'
want=$(printf '%s\n%s' "$L1" "$L2")

out=$("$B" monitor --rules "$T/r.json" --events "$T/e.jsonl") || fail "good input"
[ "$out" = "$want" ] || fail "output: $out"

cat > "$T/e.csv" <<'C'
id,borrower,kind,time,amount
E1,B1,invoice_issued,2026-01-05T10:00:00+08:00,600000
E2,B1,invoice_issued,2026-02-05T10:00:00+08:00,600000
E3,B1,invoice_issued,2026-03-05T10:00:00+08:00,600000
E4,B1,invoice_issued,2026-04-20T10:00:00+08:00,100000
C1,B2,court_filing,2026-04-21T09:00:00+08:00,
C
out=$("$B" monitor --rules "$T/r.json" --events "$T/e.csv" --format csv) || fail "csv"
[ "$out" = "$want" ] || fail "csv output: $out"

# State: the first three events, then the whole file: only the new actions.
out=$("$B" monitor --rules "$T/r.json" --events "$T/e1.jsonl" --state "$T/s.snap") || fail "state 1"
[ -z "$out" ] || fail "state 1 output: $out"
[ -s "$T/s.snap" ] || fail "no snapshot"
out=$("$B" monitor --rules "$T/r.json" --events "$T/e.jsonl" --state "$T/s.snap") || fail "state 2"
[ "$out" = "$want" ] || fail "state 2 output: $out"
out=$("$B" monitor --rules "$T/r.json" --events "$T/e.jsonl" --state "$T/s.snap") || fail "state 3"
[ -z "$out" ] || fail "replay printed: $out"

# Lateness 0: the duplicate E4 is still once; a late event is dropped.
ev L1 B1 invoice_issued 2026-03-05T09:00:00+08:00 '"amount":1' > "$T/late.jsonl"
cat "$T/e.jsonl" "$T/late.jsonl" > "$T/e2.jsonl"
out=$("$B" monitor --rules "$T/r.json" --events "$T/e2.jsonl" --lateness 0) || fail "lateness"
[ "$out" = "$want" ] || fail "lateness output: $out"

# --db: B1's line limit 100000.00 reduced by 20% to 80000.00; B2's line
# frozen; a borrower without a line (none here) would be skipped.
"$B" line open --db "$T/b.db" --id B1 --limit 100000.00 --daily-rate 0.02% --date 2026-01-01 >/dev/null || fail "open B1"
"$B" line open --db "$T/b.db" --id B2 --limit 50000.00 --daily-rate 0.02% --date 2026-01-01 >/dev/null || fail "open B2"
out=$("$B" monitor --rules "$T/r.json" --events "$T/e.jsonl" --db "$T/b.db") || fail "db run"
[ "$out" = "$want" ] || fail "db output: $out"
"$B" line show --db "$T/b.db" --id B1 | grep -q '"limit":"80000.00"' || fail "B1 limit: $("$B" line show --db "$T/b.db" --id B1)"
"$B" line show --db "$T/b.db" --id B2 | grep -q '"status":"frozen"' || fail "B2 frozen: $("$B" line show --db "$T/b.db" --id B2)"
"$B" line show --db "$T/b.db" --id B2 | grep -q '"limit":"50000.00"' || fail "B2 limit changed"

# Bad input.
{ head -2 "$T/e.jsonl"; echo '{"id":"X","borrower":"B1","kind":"draw","amount":1}'; tail -3 "$T/e.jsonl"; } > "$T/bad.jsonl"
expect_refused monitor "missing time" "bad.jsonl:3: .*time" --rules "$T/r.json" --events "$T/bad.jsonl" --state "$T/n.snap"
[ ! -e "$T/n.snap" ] || fail "snapshot written after bad input"
printf 'id,borrower,kind,time,amount\nE1,B1,invoice_issued,2026-13-05,1\n' > "$T/bad.csv"
expect_refused monitor "bad csv time" "bad.csv:2: .*time" --rules "$T/r.json" --events "$T/bad.csv" --format csv
echo '{"rules":[{"id":"M","when":"sum(invoices, 30d) > 1","level":"info","action":"warn","reason":"r"}]}' > "$T/bad.json"
expect_refused monitor "bad rule" "M.when: line 1 column 5" --rules "$T/bad.json" --events "$T/e.jsonl"
expect_refused monitor "bad lateness" "lateness" --rules "$T/r.json" --events "$T/e.jsonl" --lateness 2y
expect_refused monitor "missing events" "events" --rules "$T/r.json"
"$B" monitor --help | grep -q -- "--rules" || fail help
echo ok
