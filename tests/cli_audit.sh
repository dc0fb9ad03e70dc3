#!/usr/bin/env bash
# sparrow audit-model: approval and bad rates by protected group with the
# adverse impact ratio (worked out by hand below), protected fields used by
# a model or a rule, drift (PSI) checked against pandas/numpy on German
# Credit, and bad input refused with exit 2 and no report left behind.
set -u
S="${SPARROW_BIN:?}"
PY=/usr/bin/python3
shared=${SPARROW_SHARED:-../../shared}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# gender M: rows 1-5, 4 approved: 0.8 (the reference). F: rows 6-9, 2
# approved (row 7 is referred, not approved): 0.5, AIR 0.5 / 0.8 = 0.625,
# fails. Row 10 (blank): group "(missing)", 0 approved, AIR 0, fails.
# Bad rates: M 2 of 5 = 0.4, among the approved 1 of 4 = 0.25; F 2 of 4 =
# 0.5, approved 1 of 2 = 0.5; (missing) has no target: null.
# age_band young: rows 1,2,6,7: 3 of 4 = 0.75 (reference); old: rows
# 3,4,5,8,9,10: 3 of 6 = 0.5, AIR 0.5 / 0.75 = 0.666..., fails.
cat >"$dir/d.csv" <<'C'
id,gender,age_band,decision,default
1,M,young,approve,0
2,M,young,approve,1
3,M,old,approve,0
4,M,old,approve,0
5,M,old,decline,1
6,F,young,approve,0
7,F,young,refer,0
8,F,old,approve,1
9,F,old,decline,1
10,,old,decline,
C
"$S" audit-model --data "$dir/d.csv" --protected gender,age_band --target default --bad 1 --out "$dir/r.json" 2>"$dir/err"
rc=$?
[ $rc -eq 1 ] || bad "failing audit: exit $rc"
grep -q "found a problem" "$dir/err" || bad "no message: $(cat "$dir/err")"
$PY - "$dir/r.json" <<'PY' || bad "fairness numbers"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["rows"] == 10
g = {f["column"]: f for f in r["fairness"]}
m = {x["value"]: x for x in g["gender"]["groups"]}
assert g["gender"]["reference"] == "M"
assert (m["M"]["n"], m["M"]["approved"], m["M"]["approval_rate"], m["M"]["air"], m["M"]["four_fifths"]) == (5, 4, 0.8, 1.0, "pass"), m["M"]
assert (m["F"]["n"], m["F"]["approved"], m["F"]["approval_rate"], m["F"]["four_fifths"]) == (4, 2, 0.5, "fail"), m["F"]
assert abs(m["F"]["air"] - 0.625) < 1e-12
assert (m["M"]["bad_rate"], m["M"]["bad_rate_approved"], m["F"]["bad_rate"], m["F"]["bad_rate_approved"]) == (0.4, 0.25, 0.5, 0.5)
assert (m["(missing)"]["n"], m["(missing)"]["air"], m["(missing)"]["bad_rate"]) == (1, 0.0, None)
a = {x["value"]: x for x in g["age_band"]["groups"]}
assert g["age_band"]["reference"] == "young" and a["young"]["approval_rate"] == 0.75
assert abs(a["old"]["air"] - 0.5 / 0.75) < 1e-12 and a["old"]["four_fifths"] == "fail"
assert r["protected"]["findings"] == []
PY
# Rates 0.8 and 0.7: AIR 0.875 passes: exit 0.
printf 'g,decision\n' >"$dir/ok.csv"
for i in 1 2 3 4 5 6 7 8 9 10; do
  [ $i -le 8 ] && echo "a,approve" || echo "a,decline"
  [ $i -le 7 ] && echo "b,approve" || echo "b,decline"
done >>"$dir/ok.csv"
"$S" audit-model --data "$dir/ok.csv" --protected g >"$dir/ok.json" 2>"$dir/err" || bad "passing audit: exit $? $(cat "$dir/err")"
$PY -c "import json; r=json.load(open('$dir/ok.json')); g={x['value']:x for x in r['fairness'][0]['groups']}; assert abs(g['b']['air']-0.875)<1e-12 and g['b']['four_fifths']=='pass'" || bad "passing audit numbers"

# Protected fields in use: a scorecard with a gender characteristic, and a
# rule reading age_band (marked protected by --protected only).
cat >"$dir/schema.json" <<'J'
{"features":[{"name":"months","type":"number","source":"internal"},
 {"name":"age_band","type":"category","source":"internal","values":["young","old"]},
 {"name":"gender","type":"category","source":"internal","values":["F","M"],"protected":true}]}
J
cat >"$dir/rules.json" <<'J'
{"rules":[{"id":"R1","when":"months < 6","outcome":"decline","reason":"Too new"},
 {"id":"R2","when":"age_band == \"young\"","outcome":"refer","reason":"Young"}]}
J
cat >"$dir/card.json" <<'J'
{"format":"sparrow-scorecard","version":1,"scaling":{"pdo":20,"base_score":600,"base_odds":50},"base_points":500,
 "characteristics":[{"name":"gender","type":"category","bins":[
   {"missing":true,"goods":0,"bads":0,"woe":0,"points":0},
   {"levels":["F"],"goods":1,"bads":1,"woe":0,"points":10},
   {"levels":["M"],"other":true,"goods":1,"bads":1,"woe":0,"points":20}]}]}
J
"$S" audit-model --data "$dir/d.csv" --protected age_band --model "$dir/card.json" --rules "$dir/rules.json" --schema "$dir/schema.json" >"$dir/p.json" 2>/dev/null
rc=$?
[ $rc -eq 1 ] || bad "protected use: exit $rc"
$PY - "$dir/p.json" <<'PY' || bad "protected findings"
import json, sys
r = json.load(open(sys.argv[1]))
f = sorted((x["feature"], x["used_by"]) for x in r["protected"]["findings"])
assert f == [("age_band", "rules"), ("gender", "model")], f
assert sorted(r["protected"]["fields"]) == ["age_band", "gender"]
assert any("R2" in x["detail"] or "line" in x["detail"] for x in r["protected"]["findings"])
PY

# Bad input: exit 2, one line naming the field, no report file.
refuse() { # NAME WANT ARGS...
  local name=$1 want=$2
  shift 2
  rm -f "$dir/o.json"
  "$S" audit-model "$@" --out "$dir/o.json" 2>"$dir/err" >/dev/null
  local rc=$?
  [ $rc -eq 2 ] || { bad "$name: exit $rc"; return; }
  grep -qF -- "$want" "$dir/err" || bad "$name: message: $(cat "$dir/err")"
  [ "$(wc -l <"$dir/err")" -eq 1 ] || bad "$name: more than one line"
  [ ! -e "$dir/o.json" ] || bad "$name: report left behind"
}
refuse "no data" "--data" --protected gender
refuse "unknown column" "race" --data "$dir/d.csv" --protected race
refuse "no decision column" "verdict" --data "$dir/d.csv" --protected gender --decision verdict
printf 'g,decision\na,approve,extra\n' >"$dir/broken.csv"
refuse "broken csv" "line 2" --data "$dir/broken.csv" --protected g
refuse "target without bad" "--bad" --data "$dir/d.csv" --protected gender --target default
refuse "rules without schema" "schema" --data "$dir/d.csv" --protected gender --rules "$dir/rules.json"

# Drift and fairness on German Credit against pandas: the first 500 rows
# are the baseline, the last 500 the current set; a decision column is
# made up (approve when Duration <= 24).
if [ -r "$shared/data/german_credit.csv" ]; then
  $PY - "$shared/data/german_credit.csv" "$dir" <<'PY' || bad "german slices"
import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
df["decision"] = ["approve" if d <= 24 else "decline" for d in df["Duration"]]
df.iloc[:500].to_csv(sys.argv[2] + "/base.csv", index=False)
df.iloc[500:].to_csv(sys.argv[2] + "/cur.csv", index=False)
PY
  "$S" audit-model --data "$dir/cur.csv" --baseline "$dir/base.csv" --protected ForeignWorker --target Class --bad Bad >"$dir/g.json" 2>/dev/null
  [ $? -le 1 ] || bad "german audit"
  $PY - "$dir" <<'PY' || bad "german numbers differ from pandas"
import json, sys, numpy as np, pandas as pd
d = sys.argv[1]
r = json.load(open(d + "/g.json"))
b, c = pd.read_csv(d + "/base.csv"), pd.read_csv(d + "/cur.csv")
def psi(bv, cv):
    bn = pd.to_numeric(bv, errors="coerce")
    if bn.notna().sum() >= 0.95 * bv.notna().sum() and bv.notna().sum() > 0:
        v = np.sort(bn.dropna().to_numpy()); n = len(v)
        cuts = []
        for k in range(1, 10):
            x = v[k * n // 10]
            if not cuts or x != cuts[-1]: cuts.append(x)
        def bins(s):
            s = pd.to_numeric(s, errors="coerce")
            return [0 if np.isnan(x) else 1 + int(np.searchsorted(cuts, x, side="right")) for x in s]
        kb, kc = bins(bv), bins(cv)
        keys = range(len(cuts) + 2)
    else:
        kb, kc = list(bv.fillna("")), list(cv.fillna(""))
        keys = set(kb) | set(kc)
    t = 0.0
    for k in keys:
        p = max(kb.count(k) / len(kb), 1e-4); q = max(kc.count(k) / len(kc), 1e-4)
        t += (q - p) * np.log(q / p)
    return t
got = {x["column"]: x["psi"] for x in r["drift"]}
want = {col: psi(b[col], c[col]) for col in c.columns if col not in ("decision", "Class")}
assert set(got) == set(want), set(got) ^ set(want)
worst = max(abs(got[k] - want[k]) for k in want)
assert worst < 1e-9, worst
assert any(v > 0.001 for v in want.values())
g = {x["value"]: x for x in r["fairness"][0]["groups"]}
for v, grp in c.groupby("ForeignWorker"):
    x = g[str(v)]
    assert x["n"] == len(grp)
    assert abs(x["approval_rate"] - (grp["decision"] == "approve").mean()) < 1e-12
    assert abs(x["bad_rate"] - (grp["Class"] == "Bad").mean()) < 1e-12
print("german: %d columns, max |psi diff| %.2g" % (len(want), worst))
PY
else
  echo "cli_audit: $shared/data/german_credit.csv absent, German check skipped"
fi
[ $fails -eq 0 ] || exit 1
echo "cli_audit: all checks passed"
