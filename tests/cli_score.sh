#!/usr/bin/env bash
# sparrow score against XGBoost itself: a model trained here by Debian's
# python3-xgboost on German Credit, scored by Sparrow; probabilities must
# equal XGBoost's to 1e-6, reasons must be the features with the largest
# positive pred_contribs, rows in input order with the id passed through;
# bad input exits 2 and leaves no output file.
set -u
S="${SPARROW_BIN:?}"
PY=/usr/bin/python3
data="${SPARROW_SHARED:-../../shared}/data/german_credit.csv"
if [ ! -f "$data" ] || ! $PY -c 'import xgboost, pandas' 2>/dev/null; then
  echo "cli_score: skipped (needs $data and python3-xgboost)"
  exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

$PY - "$data" "$dir" <<'PYEOF' || { echo "cli_score: reference failed"; exit 1; }
import sys, numpy as np, pandas as pd, xgboost as xgb
data, out = sys.argv[1], sys.argv[2]
df = pd.read_csv(data)
y = (df.pop("Class") == "Bad").astype(int)
x = df.astype(float)
x.iloc[::7, 3] = np.nan  # some missing values
b = xgb.train({"objective": "binary:logistic", "max_depth": 4, "eta": 0.3,
               "seed": 1}, xgb.DMatrix(x, label=y), num_boost_round=30)
b.save_model(out + "/m.json")
rows = x.iloc[:200].copy()
rows.insert(0, "applicant", ["A%03d" % i for i in range(len(rows))])
rows.to_csv(out + "/in.csv", index=False, na_rep="", float_format="%.9g")
dm = xgb.DMatrix(rows.drop(columns="applicant"))
pd.DataFrame({"pd": b.predict(dm)}).to_csv(out + "/ref_pd.csv", index=False)
c = b.predict(dm, pred_contribs=True)[:, :-1]
names = list(rows.columns[1:])
with open(out + "/ref_reasons.csv", "w") as f:
    for r in c:
        order = [i for i in np.argsort(-r, kind="stable") if r[i] > 0][:4]
        f.write(",".join(names[i] for i in order) + "\n")
PYEOF

"$S" score --model "$dir/m.json" --data "$dir/in.csv" --out "$dir/out.csv" || bad "score failed"
$PY - "$dir" <<'PYEOF' && ok || bad "scores differ from XGBoost"
import sys, math, csv
d = sys.argv[1]
out = list(csv.DictReader(open(d + "/out.csv")))
ref = [float(r["pd"]) for r in csv.DictReader(open(d + "/ref_pd.csv"))]
reasons = [l.rstrip("\n").split(",") if l.strip() else [] for l in open(d + "/ref_reasons.csv")]
assert list(out[0].keys()) == ["applicant", "score", "pd", "reason_1", "reason_2", "reason_3", "reason_4"], out[0].keys()
assert len(out) == len(ref) == 200
for i, (o, p, rs) in enumerate(zip(out, ref, reasons)):
    assert o["applicant"] == "A%03d" % i
    assert abs(float(o["pd"]) - p) <= 1e-6, (i, o["pd"], p)
    q = min(max(float(o["pd"]), 1e-15), 1 - 1e-15)
    assert int(o["score"]) == round(600 + 20 / math.log(2) * (math.log((1 - q) / q) - math.log(50))), i
    got = [o["reason_%d" % k] for k in range(1, 5) if o["reason_%d" % k]]
    assert got == rs[:len(got)] and len(got) == len(rs), (i, got, rs)
PYEOF

# Bad input: exit 2, one line naming the place, no output file left.
expect_bad() {
  local name=$1 needle=$2
  shift 2
  rm -f "$dir/bad.csv"
  "$S" score "$@" --out "$dir/bad.csv" 2>"$dir/err"
  local rc=$?
  [ $rc -eq 2 ] || { bad "$name: exit $rc"; return; }
  grep -q -- "$needle" "$dir/err" || { bad "$name: $(cat "$dir/err")"; return; }
  [ ! -e "$dir/bad.csv" ] && [ -z "$(ls "$dir" | grep 'bad.csv.')" ] || { bad "$name: output left"; return; }
  ok
}
head -5 "$dir/in.csv" >"$dir/short.csv"
sed '4s/^\([^,]*\),[^,]*,/\1,abc,/' "$dir/short.csv" >"$dir/nan.csv"
printf 'applicant,x\nA,1\n' >"$dir/nofeat.csv"
head -3 "$dir/in.csv" >"$dir/quote.csv"
printf 'A9,"oops\n' >>"$dir/quote.csv"
echo '{"learner":' >"$dir/broken.json"
expect_bad "not a number" "line 4, column 2" --model "$dir/m.json" --data "$dir/nan.csv"
expect_bad "missing feature" "--data" --model "$dir/m.json" --data "$dir/nofeat.csv"
expect_bad "bad quote" "line 4, column 4" --model "$dir/m.json" --data "$dir/quote.csv"
expect_bad "broken model" "--model" --model "$dir/broken.json" --data "$dir/short.csv"
expect_bad "no data file" "--data" --model "$dir/m.json" --data "$dir/none.csv"
"$S" score --help >/dev/null && ok || bad "--help"

echo "cli_score: $passes passed, $fails failed"
[ $fails -eq 0 ]
