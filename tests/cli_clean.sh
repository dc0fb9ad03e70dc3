#!/usr/bin/env bash
# sparrow clean: Tukey's fences by hand on a small column and against
# numpy on German Credit, winsorizing with --cap, the cross-source
# consistency check by hand, and bad input (exit 2, field named, no output).
set -u
S="${SPARROW_BIN:?}"
PY=/usr/bin/python3
shared=${SPARROW_SHARED:-../../shared}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# sales 10,12,14,16,18,20,22,24,100 and a blank: n = 9 numbers; Q1 at
# position 0.25 * 8 = 2: 14; Q3 at 6: 22; IQR 8; fences 14 - 12 = 2 and
# 22 + 12 = 34: 100 is above. Consistency: |invoice - tax| / max: F1
# 100 vs 90: 10% (tolerance 20%: fine); F2 100 vs 70: 30% (flagged);
# F3 0 vs 0 agree; F4 tax blank: not compared.
cat >"$dir/d.csv" <<'C'
id,sales,invoice,tax
F1,10,100,90
F2,12,100,70
F3,14,0,0
F4,16,50,
F5,18,1,1
F6,20,1,1
F7,22,1,1
F8,24,1,1
F9,100,1,1
F10,,1,1
C
"$S" clean --data "$dir/d.csv" --outliers sales --consistent invoice~tax:20% --out "$dir/o.csv" --report "$dir/r.json" || bad "clean failed"
$PY - "$dir" <<'PY' || bad "hand-computed values"
import csv, json, sys
d = sys.argv[1]
r = json.load(open(d + "/r.json"))
f = r["fences"][0]
assert (f["n"], f["q1"], f["q3"], f["low"], f["high"], f["below"], f["above"]) == (9, 14.0, 22.0, 2.0, 34.0, 0, 1), f
assert r["consistency"][0]["flagged"] == 1, r
rows = {x["id"]: x for x in csv.DictReader(open(d + "/o.csv"))}
assert rows["F9"]["flags"] == "outlier sales > 34" and rows["F9"]["review"] == "0", rows["F9"]
assert rows["F2"]["review"] == "1" and rows["F2"]["flags"] == "invoice~tax differ 30.0%", rows["F2"]
assert all(rows[k]["review"] == "0" and rows[k]["flags"] == "" for k in ("F1", "F3", "F4", "F10"))
assert rows["F9"]["sales"] == "100"  # not capped without --cap
PY
"$S" clean --data "$dir/d.csv" --outliers sales --cap --out "$dir/c.csv" || bad "cap failed"
[ "$(grep '^F9,' "$dir/c.csv" | cut -d, -f2)" = 34 ] || bad "cap: $(grep '^F9,' "$dir/c.csv")"

refuse() { # NAME WANT ARGS...
  local name=$1 want=$2
  shift 2
  rm -f "$dir/x.csv"
  "$S" clean "$@" --out "$dir/x.csv" 2>"$dir/err" >/dev/null
  local rc=$?
  [ $rc -eq 2 ] || { bad "$name: exit $rc"; return; }
  grep -qF -- "$want" "$dir/err" || bad "$name: message: $(cat "$dir/err")"
  [ ! -e "$dir/x.csv" ] || bad "$name: output left behind"
}
refuse "nothing to do" "--outliers or --consistent" --data "$dir/d.csv"
refuse "unknown column" "'turnover'" --data "$dir/d.csv" --outliers turnover
refuse "bad pair" "--consistent" --data "$dir/d.csv" --consistent invoice:tax
refuse "pair without %" "--consistent" --data "$dir/d.csv" --consistent invoice~tax:20
refuse "no numbers" "holds no numbers" --data "$dir/d.csv" --outliers id
refuse "bad k" "--k" --data "$dir/d.csv" --outliers sales --k -1

if [ -r "$shared/data/german_credit.csv" ]; then
  "$S" clean --data "$shared/data/german_credit.csv" --outliers Amount,Duration,Age --k 1.5 --report "$dir/g.json" >"$dir/g.csv" || bad "german"
  $PY - "$shared/data/german_credit.csv" "$dir" <<'PY' || bad "german fences differ from numpy"
import json, sys, numpy as np, pandas as pd
df = pd.read_csv(sys.argv[1]); r = json.load(open(sys.argv[2] + "/g.json"))
out = pd.read_csv(sys.argv[2] + "/g.csv", keep_default_na=False)
for f in r["fences"]:
    v = df[f["column"]].to_numpy(dtype=float)
    q1, q3 = np.percentile(v, 25), np.percentile(v, 75)
    lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    assert abs(f["q1"] - q1) < 1e-9 and abs(f["q3"] - q3) < 1e-9, (f, q1, q3)
    assert (f["below"], f["above"]) == (int((v < lo).sum()), int((v > hi).sum())), f
    flagged = out["flags"].str.contains("outlier " + f["column"] + " ").sum()
    assert flagged == f["below"] + f["above"], (f["column"], flagged)
print("german: fences equal numpy's")
PY
else
  echo "cli_clean: German Credit absent, numpy comparison skipped"
fi
[ $fails -eq 0 ] || exit 1
echo "cli_clean: all checks passed"
