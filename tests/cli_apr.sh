#!/usr/bin/env bash
# sparrow apr: the 12,000 / 12 x 1,060 example (10.90%), a Regulation Z
# Appendix J example laid out on a calendar (published APR 11.82%), the
# dated IRR recomputed by an independent Python bisection, and bad input.
set -u
BIN="${SPARROW_BIN:?SPARROW_BIN is not set}"
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

out=$("$BIN" apr --received 12000 --payment 1060 --count 12 --frequency monthly) ||
  fail "level: exit $?"
[ "$out" = "annualized rate (IRR): 10.90%" ] || fail "level text: $out"

# JSON, exact figure against Python: monthly IRR x 12.
"$BIN" apr --received 12000 --payment 1060 --count 12 --format json >"$TMP/level.json" ||
  fail "level json: exit $?"
"$PY" - "$TMP/level.json" <<'PYEOF' || fail "level json values"
import json, sys
d = json.load(open(sys.argv[1]))
def npv(i): return sum(1060 / (1 + i) ** k for k in range(1, 13)) - 12000
lo, hi = 0.0, 1.0
for _ in range(200):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if npv(mid) > 0 else (lo, mid)
assert d["irr_annualized_rate"] == "10.90%"
assert abs(float(d["irr_annualized_rate_exact"].rstrip("%")) - lo * 1200) < 1e-5
assert d["frequency"] == "monthly" and d["count"] == 12
assert d["received"] == "12000.00" and d["payment"] == "1060.00"
PYEOF

# Weekly: the same periodic rate over 52 periods a year.
out=$("$BIN" apr --received 12000 --payment 1060 --count 12 --frequency weekly --format json) ||
  fail "weekly: exit $?"
echo "$out" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
assert d["irr_annualized_rate"] == "47.22%", d  # 0.908032% x 52
' || fail "weekly value"

# Appendix J (c)(1)(ii): 6,000.00 advanced 2026-01-13 (19 days before the
# first full month), 36 x 200.00 on the 1st from 2026-03-01 -> 11.82%.
"$PY" - >"$TMP/flows.csv" <<'PYEOF'
print("date,amount")
print("2026-01-13,-6000.00")
for k in range(36):
    m = 2 + k
    print("%04d-%02d-01,200.00" % (2026 + m // 12, m % 12 + 1))
PYEOF
"$BIN" apr --flows "$TMP/flows.csv" --format json >"$TMP/flows.json" ||
  fail "flows: exit $?"
"$PY" - "$TMP/flows.json" "$TMP/flows.csv" <<'PYEOF' || fail "flows values"
import csv, datetime, json, math, sys
d = json.load(open(sys.argv[1]))
assert d["regz_apr"] == "11.82%", d
assert d["unit_period"] == "monthly" and d["flows"] == 37
rows = list(csv.DictReader(open(sys.argv[2])))
dates = [datetime.date.fromisoformat(r["date"]) for r in rows]
amts = [float(r["amount"]) for r in rows]
t0 = min(dates)
def npv(r): return sum(a * (1 + r) ** -(x - t0).days for a, x in zip(amts, dates))
lo, hi = 0.0, 0.01
for _ in range(200):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if npv(mid) > 0 else (lo, mid)
nominal = lo * 365 * 100
effective = ((1 + lo) ** 365 - 1) * 100
assert abs(float(d["irr_annualized_rate_exact"].rstrip("%")) - nominal) < 1e-5, nominal
assert abs(float(d["effective_annual_rate_exact"].rstrip("%")) - effective) < 1e-5, effective
assert d["irr_annualized_rate"] == "%.2f%%" % nominal
PYEOF
out=$("$BIN" apr --flows "$TMP/flows.csv") || fail "flows text: exit $?"
echo "$out" | grep -qx "APR (Regulation Z Appendix J, monthly unit period): 11.82%" ||
  fail "flows text: $out"

# Appendix J (c)(1)(v) on a calendar: 500.00, 30 weekly x 17.60, the first
# 4 weeks and 4 days after the advance -> 14.96% with a weekly unit period.
"$PY" - >"$TMP/weekly.csv" <<'PYEOF'
import datetime
t0 = datetime.date(2026, 1, 5)
print("date,amount")
for k in range(30):
    print("%s,17.60" % (t0 + datetime.timedelta(days=32 + 7 * k)))
print("%s,-500.00" % t0)
PYEOF
out=$("$BIN" apr --flows "$TMP/weekly.csv" --unit-period weekly) || fail "weekly flows: exit $?"
echo "$out" | grep -qx "APR (Regulation Z Appendix J, weekly unit period): 14.96%" ||
  fail "weekly flows: $out"

# bad NAME PATTERN ARGS...: see expect_refused in lib_cli.sh.
. "$(dirname "$0")/lib_cli.sh"
bad() { expect_refused apr "$@"; }
L=(--received 12000 --payment 1060 --count 12)
bad no-payments --count --received 12000 --payment 1060 --count 0
bad too-little "--payment: .*less than" --received 12000 --payment 999.99 --count 12
bad negative-received --received --received -12000 --payment 1060 --count 12
bad negative-payment --payment --received 12000 --payment -1060 --count 12
bad bad-amount --received --received 12,000 --payment 1060 --count 12
bad frequency --frequency "${L[@]}" --frequency fortnightly
bad missing --count --received 12000 --payment 1060
bad mixed --received --flows "$TMP/flows.csv" --received 12000
bad unit-without-flows --unit-period "${L[@]}" --unit-period monthly
bad unit-period --unit-period --flows "$TMP/flows.csv" --unit-period hourly
bad format --format "${L[@]}" --format csv
bad huge-rate "--payment: .*100000%" --received 1 --payment 100000 --count 1

printf 'date,amount\n2026-01-01,-100.00\n2026-02-30,110.00\n' >"$TMP/b1.csv"
bad csv-date "line 3, column 1: date" --flows "$TMP/b1.csv"
printf 'date,amount\n2026-01-01,-100.00\n2026-02-01,11x\n' >"$TMP/b2.csv"
bad csv-amount "line 3, column 12: amount" --flows "$TMP/b2.csv"
printf 'when,amount\n2026-01-01,-100.00\n' >"$TMP/b3.csv"
bad csv-header "line 1, column 1" --flows "$TMP/b3.csv"
printf 'date,amount\n2026-01-01,-100.00\n2026-02-01\n' >"$TMP/b4.csv"
bad csv-columns "line 3, column 11" --flows "$TMP/b4.csv"
printf 'date,amount\n2026-01-01,-100.00\n2026-02-01,90.00\n' >"$TMP/b5.csv"
bad csv-no-root "less than the amount advanced" --flows "$TMP/b5.csv"
printf 'date,amount\n2026-03-01,-100.00\n2026-02-01,190.00\n' >"$TMP/b6.csv"
bad csv-order "advance comes after" --flows "$TMP/b6.csv"
printf 'date,amount\n' >"$TMP/b7.csv"
bad csv-empty "no cash flows" --flows "$TMP/b7.csv"
bad csv-missing "cannot open" --flows "$TMP/does-not-exist.csv"

"$BIN" apr --help >"$TMP/help" 2>&1 || fail "--help exit $?"
grep -q -- "--flows" "$TMP/help" || fail "--help does not list --flows"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "cli_apr: ok"
