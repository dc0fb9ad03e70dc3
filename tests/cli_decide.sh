#!/usr/bin/env bash
# sparrow decide on a hand-built flow: a hand-written scorecard (base 500;
# months_in_business under 24: 60 points, 24 or more: 120; tax grade A or
# B: 40, other: 0), a decline rule and a refer rule, limits of 300% of
# monthly sales capped at 1,000,000.00 and rounded down to 100.00 (below
# 10,000.00 declines), prices by score band less a green discount and a
# guarantee reduction, with a floor. Every expected value is worked out by
# hand in the comments; pd is checked against the scaling formula computed
# by Python. Then bad flows, rules and data: exit 2, the place named, no
# output file.
set -u
S="${SPARROW_BIN:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# the flow of lib_flow.sh, with a schema of this test's own (three
# features; the CSV gives the others)
. "$(dirname "$0")/lib_flow.sh"
hand_flow "$dir"
cat >"$dir/schema.json" <<'J'
{"features":[
 {"name":"months_in_business","type":"number","source":"internal","min":0,"max":1200},
 {"name":"court_enforcements_24m","type":"number","source":"judicial","min":0},
 {"name":"tax_credit_grade","type":"category","source":"tax","values":["A","B","C","D","M"]}]}
J
cat >"$dir/apps.csv" <<'C'
app_id,months_in_business,court_enforcements_24m,tax_credit_grade,monthly_sales,green_rating,guarantee_pct
A1,36,0,A,48000.00,A,40
A2,36,1,A,48000.00,A,40
A3,10,0,A,333333.33,B,0
A4,30,0,C,2000.00,,
A5,40,0,B,500000.00,A,100
A6,12,0,C,90000.00,B,0
C
"$S" decide --flow "$dir/flow.json" --data "$dir/apps.csv" --out "$dir/out.csv" || bad "decide failed"
# A1: 500+120+40 = 660 >= 640 approve; 3 x 48,000 = 144,000.00; 8% - 0.5% -
#     4% x 40% = 5.90%; no points lost, no reasons.
# A2: R01 declines (score 660 is still reported); no limit, no rate.
# A3: R02 refers; 500+60+40 = 600 (< 640 also refers); 3 x 333,333.33 =
#     999,999.99 -> 999,900.00; band >= 600: 12%; green B and 0%: 12.00%;
#     reasons: the rule, then months (60 points below its best).
# A4: 500+120+0 = 620 -> refer, but 3 x 2,000 = 6,000 < 10,000: decline;
#     reasons: grade (40 below best), then the minimum limit.
# A5: 500+120+40 = 660 approve; 1,500,000 capped at 1,000,000.00; 8 - 0.5 -
#     4 = 3.5% < floor: 3.85%.
# A6: 500+60+0 = 560 < 590: decline; months (60) before grade (40).
cat >"$dir/want.csv" <<'C'
app_id,decision,limit,annual_rate,score,rules,reason_1,reason_2,reason_3,reason_4
A1,approve,144000.00,5.90%,660,,,,,
A2,decline,0.00,0.00%,660,R01,Court enforcement in the last 24 months,,,
A3,refer,999900.00,12.00%,600,R02,Less than a year in business,Short operating history,,
A4,decline,0.00,0.00%,620,,Tax credit grade below B,Verified sales support less than the product's minimum limit,,
A5,approve,1000000.00,3.85%,660,,,,,
A6,decline,0.00,0.00%,560,,Short operating history,Tax credit grade below B,,
C
# Everything but pd is compared as text; pd against the formula.
/usr/bin/python3 - "$dir/out.csv" "$dir/want.csv" <<'PY' || bad "output differs"
import csv, math, sys
got = list(csv.DictReader(open(sys.argv[1])))
want = list(csv.DictReader(open(sys.argv[2])))
assert len(got) == len(want), (len(got), len(want))
factor = 20 / math.log(2); offset = 600 - factor * math.log(50)
for g, w in zip(got, want):
    pd = float(g.pop("pd"))
    assert g == w, (g, w)
    s = float(w["score"])
    assert abs(pd - 1 / (1 + math.exp((s - offset) / factor))) < 1e-6, (w["app_id"], pd)
PY

# Bad input: exit 2, one line naming the place, no output file.
refuse() { # NAME WANT-IN-MESSAGE ARGS...
  local name=$1 want=$2
  shift 2
  rm -f "$dir/o.csv"
  "$S" decide "$@" --out "$dir/o.csv" 2>"$dir/err" >/dev/null
  local rc=$?
  [ $rc -eq 2 ] || { bad "$name: exit $rc"; return; }
  grep -qF -- "$want" "$dir/err" || bad "$name: message: $(cat "$dir/err")"
  [ "$(wc -l <"$dir/err")" -eq 1 ] || bad "$name: more than one line"
  [ ! -e "$dir/o.csv" ] || bad "$name: output left behind"
  ls "$dir" | grep -q 'o.csv.' && bad "$name: temporary file left behind"
}
sed 's/"multiple":"300%",//' "$dir/flow.json" >"$dir/f1.json"
refuse "no multiple" "limit.multiple" --flow "$dir/f1.json" --data "$dir/apps.csv"
sed 's/"multiple":"300%"/"multiple":"3"/' "$dir/flow.json" >"$dir/f2.json"
refuse "rate without unit" "limit.multiple" --flow "$dir/f2.json" --data "$dir/apps.csv"
sed 's/court_enforcements_24m > 0/court_enforcements_24m >/' "$dir/rules.json" >"$dir/r3.json"
sed 's/rules.json/r3.json/' "$dir/flow.json" >"$dir/f3.json"
refuse "rule syntax" "R01" --flow "$dir/f3.json" --data "$dir/apps.csv"
printf '{"schema":' >"$dir/f4.json"
refuse "broken JSON" "f4.json:1" --flow "$dir/f4.json" --data "$dir/apps.csv"
cut -d, -f1-4,6- "$dir/apps.csv" >"$dir/nosales.csv"
"$S" decide --flow "$dir/flow.json" --data "$dir/apps.csv" --keep green_rating,tax_credit_grade --out "$dir/kept.csv" || bad "--keep failed"
[ "$(sed -n '1p;4p' "$dir/kept.csv" | cut -d, -f1-4)" = "$(printf 'app_id,green_rating,tax_credit_grade,decision\nA3,B,A,refer')" ] || bad "--keep: $(head -4 "$dir/kept.csv")"
refuse "keep unknown" "--keep: no column 'gender'" --flow "$dir/flow.json" --data "$dir/apps.csv" --keep gender
refuse "missing column" "monthly_sales" --flow "$dir/flow.json" --data "$dir/nosales.csv"
refuse "no data file" "--data: cannot open" --flow "$dir/flow.json" --data "$dir/none.csv"
sed 's/^A3,10,0,A,333333.33/A3,10,0,A,lots/' "$dir/apps.csv" >"$dir/badsales.csv"
refuse "bad amount" "line 4, column 5 (monthly_sales)" --flow "$dir/flow.json" --data "$dir/badsales.csv"
sed 's/^A5,40,0,B/A5,40,0,Q/' "$dir/apps.csv" >"$dir/badgrade.csv"
refuse "unknown category" "tax_credit_grade" --flow "$dir/flow.json" --data "$dir/badgrade.csv"
"$S" decide --help >/dev/null || bad "--help"
[ $fails -eq 0 ] && echo "cli_decide: ok"
[ $fails -eq 0 ]
