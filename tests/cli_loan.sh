#!/usr/bin/env bash
# The loan-book commands as a user runs them: the issue's worked example,
# JSON money as strings, idempotent refs, and every bad-input class exiting
# 2 with one line naming the option and changing nothing.
set -u
S="${SPARROW_BIN:?}"
PY=/usr/bin/python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="$dir/book.db"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
field() { $PY -c "import json,sys; print(json.loads(sys.stdin.read().splitlines()[-1])['$1'])"; }

# expect_usage NAME NEEDLE ARGS...: exit 2, one stderr line containing NEEDLE.
expect_usage() {
  local name=$1 needle=$2
  shift 2
  local before after
  before=$(sqlite3 "$db" "select count(*) from transfers" 2>/dev/null || echo none)
  "$S" "$@" >"$dir/out" 2>"$dir/err"
  local rc=$?
  after=$(sqlite3 "$db" "select count(*) from transfers" 2>/dev/null || echo none)
  if [ $rc -ne 2 ]; then bad "$name: exit $rc, want 2"; return; fi
  if [ "$(wc -l <"$dir/err")" -ne 1 ]; then bad "$name: stderr not one line"; return; fi
  grep -q -- "$needle" "$dir/err" || { bad "$name: '$needle' not in: $(cat "$dir/err")"; return; }
  [ "$before" = "$after" ] || { bad "$name: transfers changed"; return; }
  ok
}

"$S" line open --db "$db" --id L1 --limit 100000.00 --daily-rate 0.02% --date 2026-01-01 >/dev/null || bad "open"
"$S" line draw --db "$db" --id L1 --amount 50000.00 --date 2026-01-01 --ref d1 >/dev/null || bad "draw"
"$S" line draw --db "$db" --id L1 --amount 50000.00 --date 2026-01-01 --ref d1 >/dev/null || bad "draw replay"
[ "$("$S" line show --db "$db" --id L1 | field outstanding_principal)" = "50000.00" ] && ok || bad "replayed draw counted twice"
"$S" line repay --db "$db" --id L1 --amount 20000.00 --date 2026-01-16 >/dev/null || bad "repay 1"
"$S" close-day --db "$db" --date 2026-01-31 >/dev/null || bad "close-day"
# 50,000 * 0.02% * 15 + 30,000 * 0.02% * 16 = 150.00 + 96.00
[ "$("$S" line show --db "$db" --id L1 | field accrued_interest)" = "246.00" ] && ok || bad "interest 246.00"
"$S" line repay --db "$db" --id L1 --amount 30246.00 --date 2026-02-01 >"$dir/r" || bad "repay 2"
[ "$(head -1 "$dir/r" | $PY -c 'import json,sys; print(json.load(sys.stdin)["repaid"]["interest"])')" = "246.00" ] && ok || bad "repaid interest"
[ "$("$S" line show --db "$db" --id L1 | field outstanding_principal)" = "0.00" ] && ok || bad "paid off"
"$S" ledger verify --db "$db" | grep -q '"ok":true' && ok || bad "ledger verify"

# Term loan: equal principal, first payment 9333.33 on 2026-03-15.
"$S" loan open --db "$db" --id T1 --principal 100000.00 --annual-rate 12% --term 12 \
  --method equal-principal --start 2026-02-15 >/dev/null || bad "loan open"
"$S" loan schedule --db "$db" --id T1 | $PY -c '
import json,sys; s=json.load(sys.stdin)["installments"]
assert s[0]["payment"]=="9333.33" and s[0]["due_date"]=="2026-03-15", s[0]
assert sum(round(float(i["interest"])*100) for i in s)==650000' && ok || bad "loan schedule"
"$S" loan repay --db "$db" --id T1 --amount 9333.33 --date 2026-03-15 >/dev/null || bad "loan repay"
"$S" close-day --db "$db" --date 2026-04-20 >/dev/null || bad "close-day 2"
# Installment 2 (due 2026-04-15) unpaid: 5 days past due, M1, special mention.
out=$("$S" loan show --db "$db" --id T1)
[ "$(echo "$out" | field days_past_due)" = "5" ] && [ "$(echo "$out" | field bucket)" = "M1" ] &&
  [ "$(echo "$out" | field classification)" = "special-mention" ] && ok || bad "ageing: $out"
"$S" ledger verify --db "$db" >/dev/null && ok || bad "ledger verify 2"

# Disclosure: flat 6% on 12,000 for 12 months pays 1,060 x 12; the issue's
# IRR for 12,000 received against 1,060 x 12 is 10.90%.
"$S" loan open --db "$db" --id F1 --principal 12000.00 --annual-rate 6% --term 12 \
  --method flat --start 2026-05-01 >"$dir/f" || bad "flat open"
[ "$(field annualized_rate_irr <"$dir/f")" = "10.90%" ] && ok || bad "flat IRR: $(cat "$dir/f")"

# Two-phase draw: reserved, then posted by the disbursement channel.
"$S" line open --db "$db" --id P1 --limit 1000.00 --daily-rate 0.02% --date 2026-05-01 >/dev/null
tid=$("$S" line draw --db "$db" --id P1 --amount 600.00 --date 2026-05-01 --pending |
  head -1 | $PY -c 'import json,sys; print(json.load(sys.stdin)["pending_transfer"])')
[ "$("$S" line show --db "$db" --id P1 | field available)" = "400.00" ] && ok || bad "pending reserves"
"$S" line settle --db "$db" --id P1 --transfer "$tid" --post --date 2026-05-02 >/dev/null || bad "settle"
[ "$("$S" line show --db "$db" --id P1 | field outstanding_principal)" = "600.00" ] && ok || bad "posted"
expect_usage "settle twice" "--transfer" line settle --db "$db" --id P1 --transfer "$tid" --void --date 2026-05-02
expect_usage "pending repay" "--pending" line repay --db "$db" --id P1 --amount 1.00 --date 2026-05-02 --pending

# Bad input: exit 2, the option named, nothing changed.
expect_usage "unknown loan" "--id" line draw --db "$db" --id NOPE --amount 1.00 --date 2026-04-21
expect_usage "negative amount" "--amount" line draw --db "$db" --id L1 --amount -5.00 --date 2026-04-21
expect_usage "three decimals" "--amount" line repay --db "$db" --id L1 --amount 1.005 --date 2026-04-21
expect_usage "above limit" "--amount" line draw --db "$db" --id L1 --amount 100000.01 --date 2026-04-21
expect_usage "no such date" "--date" line draw --db "$db" --id L1 --amount 1.00 --date 2026-02-30
expect_usage "closed day" "--date" line draw --db "$db" --id L1 --amount 1.00 --date 2026-04-01
expect_usage "rate no unit" "--daily-rate" line open --db "$db" --id L2 --limit 1.00 --daily-rate 0.02 --date 2026-05-01
expect_usage "unknown method" "--method" loan open --db "$db" --id T2 --principal 1.00 --annual-rate 1% --term 2 --method balloon --start 2026-04-01
expect_usage "unknown option" "--colour" line show --db "$db" --id L1 --colour red
expect_usage "ref reuse" "--ref" line draw --db "$db" --id L1 --amount 2.00 --date 2026-04-21 --ref d1
expect_usage "over repay" "--amount" line repay --db "$db" --id L1 --amount 1.00 --date 2026-04-21
expect_usage "duplicate id" "--id" line open --db "$db" --id L1 --limit 1.00 --daily-rate 1% --date 2026-05-01
expect_usage "missing db" "--db" ledger verify --db "$dir/none.db"
"$S" line freeze --db "$db" --id L1 >/dev/null || bad "freeze"
expect_usage "frozen" "frozen" line draw --db "$db" --id L1 --amount 1.00 --date 2026-04-21
for c in "line open" "line draw" "loan open" "close-day" "ledger verify"; do
  $S $c --help >/dev/null && ok || bad "$c --help"
done
# A broken ledger is found (and is not bad input: exit 1).
# (Cash is account 1: slot 1 of balance chunk 0, its debits posted at bytes
# 33..40, set here to INT64_MAX.)
sqlite3 "$db" "update balance_chunks set sums = substr(sums, 1, 32) || x'FFFFFFFFFFFFFF7F' || substr(sums, 41) where chunk = 0"
"$S" ledger verify --db "$db" >/dev/null 2>&1
[ $? -eq 1 ] && ok || bad "verify must fail on a corrupted ledger"
# A damaged loan record is reported by its number, not misread (exit 1).
no=$(sqlite3 "$db" "select no from records where key = 'L1'")
sqlite3 "$db" "update records set data = x'02ff' where key = 'L1'"
msg=$("$S" close-day --db "$db" --date 2026-12-31 2>&1 >/dev/null)
[ $? -eq 1 ] && case "$msg" in *"loan record $no: unreadable"*) true ;; *) false ;; esac &&
  ok || bad "close-day on a damaged record: $msg"
msg=$("$S" line show --db "$db" --id L1 2>&1 >/dev/null)
[ $? -eq 1 ] && case "$msg" in *"unreadable"*) true ;; *) false ;; esac &&
  ok || bad "show a damaged record: $msg"

echo "cli_loan: $passes passed, $fails failed"
[ $fails -eq 0 ]
