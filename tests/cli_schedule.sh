#!/usr/bin/env bash
# sparrow schedule: golden schedules worked by hand, the IRR recomputed by
# an independent Python bisection, and every class of bad input.
set -u
BIN="${SPARROW_BIN:?SPARROW_BIN is not set}"
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

BASE=(--principal 100000.00 --annual-rate 12% --term 12 --start 2026-01-15)

# check NAME PYTHON-ASSERTIONS: runs a schedule (JSON) and checks it; the
# document is `d`, Decimal is D.
check() {
  local name=$1 code=$2
  shift 2
  if ! "$BIN" schedule "$@" >"$TMP/out.json" 2>"$TMP/err"; then
    fail "$name: exit $? ($(cat "$TMP/err"))"
    return
  fi
  "$PY" - "$TMP/out.json" <<PYEOF || fail "$name"
import json, sys
from decimal import Decimal as D
d = json.load(open(sys.argv[1]))
rows = d["installments"]
$code
PYEOF
}

# 100,000.00 at 1% a month: P r / (1 - 1.01^-12) = 8884.8788 -> 8884.88.
check annuity '
assert d["method"] == "annuity" and d["principal"] == "100000.00"
assert d["annual_rate"] == "12.00%" and d["term"] == 12 and d["start"] == "2026-01-15"
assert len(rows) == 12
assert all(r["payment"] == "8884.88" for r in rows[:11])
assert rows[0] == {"period": 1, "due_date": "2026-02-15", "payment": "8884.88",
                   "principal": "7884.88", "interest": "1000.00", "balance": "92115.12"}, rows[0]
assert rows[11]["due_date"] == "2027-01-15" and rows[11]["balance"] == "0.00"
assert sum(D(r["principal"]) for r in rows) == D("100000.00")
assert sum(D(r["interest"]) for r in rows) == D(d["total_interest"])
assert sum(D(r["payment"]) for r in rows) == D(d["total_payment"])
assert d["irr_annualized_rate"] == "12.00%", d["irr_annualized_rate"]
' --method annuity "${BASE[@]}"

# Equal principal: 8333.33 + 1% of the balance; interest 1000 * 78 / 12.
check equal-principal '
assert rows[0]["payment"] == "9333.33" and rows[0]["interest"] == "1000.00"
assert rows[11]["principal"] == "8333.37"
assert d["total_interest"] == "6500.00", d["total_interest"]
' --method equal-principal "${BASE[@]}"

check interest-first '
assert [r["payment"] for r in rows] == ["1000.00"] * 11 + ["101000.00"]
assert d["total_interest"] == "12000.00"
' --method interest-first "${BASE[@]}"

# With a 2,000.00 fee the borrower receives 98,000.00: IRR by bisection.
check fee '
pays = [float(r["payment"]) for r in rows]
def npv(i): return sum(p / (1 + i) ** (k + 1) for k, p in enumerate(pays)) - 98000.0
lo, hi = 0.0, 1.0
for _ in range(200):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if npv(mid) > 0 else (lo, mid)
want = lo * 12 * 100
got = float(d["irr_annualized_rate_exact"].rstrip("%"))
assert abs(got - want) < 1e-5, (got, want)
assert d["irr_annualized_rate"] == "%.2f%%" % want
assert d["fee"] == "2000.00"
' --method annuity "${BASE[@]}" --fee 2000.00

# half-even rounding still sums principal exactly.
check half-even '
assert sum(D(r["principal"]) for r in rows) == D("100000.00")
' --method annuity "${BASE[@]}" --rounding half-even

# Flat 12% as CSV: 12 x 1000.00 interest, principal 8333.33 (8333.37 last).
if "$BIN" schedule --method flat "${BASE[@]}" --format csv >"$TMP/flat.csv"; then
  [ "$(head -1 "$TMP/flat.csv")" = "period,due_date,payment,principal,interest,balance" ] ||
    fail "flat csv header"
  [ "$(sed -n 2p "$TMP/flat.csv")" = "1,2026-02-15,9333.33,8333.33,1000.00,91666.67" ] ||
    fail "flat csv row 1: $(sed -n 2p "$TMP/flat.csv")"
  [ "$(sed -n 13p "$TMP/flat.csv")" = "12,2027-01-15,9333.37,8333.37,1000.00,0.00" ] ||
    fail "flat csv row 12: $(sed -n 13p "$TMP/flat.csv")"
  [ "$(tail -1 "$TMP/flat.csv")" = "total,,112000.00,100000.00,12000.00," ] ||
    fail "flat csv totals: $(tail -1 "$TMP/flat.csv")"
  [ "$(wc -l <"$TMP/flat.csv")" -eq 14 ] || fail "flat csv line count"
else
  fail "flat csv exit"
fi

# bad NAME PATTERN ARGS...: see expect_refused in lib_cli.sh.
. "$(dirname "$0")/lib_cli.sh"
bad() { expect_refused schedule "$@"; }
M=(--method annuity)
bad unknown-method --method --method balloon "${BASE[@]}"
bad negative-principal --principal --principal -100.00 --annual-rate 12% --term 12 --start 2026-01-15 "${M[@]}"
bad zero-principal --principal --principal 0 --annual-rate 12% --term 12 --start 2026-01-15 "${M[@]}"
bad bad-amount --principal --principal 100.001 --annual-rate 12% --term 12 --start 2026-01-15 "${M[@]}"
bad rate-no-unit --annual-rate --principal 100000.00 --annual-rate 12 --term 12 --start 2026-01-15 "${M[@]}"
bad negative-rate --annual-rate --principal 100000.00 --annual-rate -1% --term 12 --start 2026-01-15 "${M[@]}"
bad no-such-date --start --principal 100000.00 --annual-rate 12% --term 12 --start 2026-02-30 "${M[@]}"
bad term-zero --term --principal 100000.00 --annual-rate 12% --term 0 --start 2026-01-15 "${M[@]}"
bad term-601 --term --principal 100000.00 --annual-rate 12% --term 601 --start 2026-01-15 "${M[@]}"
bad term-text --term --principal 100000.00 --annual-rate 12% --term 12x --start 2026-01-15 "${M[@]}"
bad missing-term --term --principal 100000.00 --annual-rate 12% --start 2026-01-15 "${M[@]}"
bad negative-fee --fee "${BASE[@]}" "${M[@]}" --fee -1
bad fee-too-big --fee "${BASE[@]}" "${M[@]}" --fee 100000.00
bad rounding --rounding "${BASE[@]}" "${M[@]}" --rounding sideways
bad format --format "${BASE[@]}" "${M[@]}" --format xml
bad unknown-option --colour "${BASE[@]}" "${M[@]}" --colour red
bad overflow --annual-rate --principal 10000000000000 --annual-rate 100000% --term 600 --start 2026-01-15 --method interest-first

"$BIN" schedule --help >"$TMP/help" 2>&1 || fail "--help exit $?"
grep -q -- "--principal" "$TMP/help" || fail "--help does not list --principal"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_schedule: ok"
