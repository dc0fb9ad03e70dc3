#!/usr/bin/env bash
# sparrow train against XGBoost on the same rows: on German Credit and on
# Taiwan default (ID excluded, SEX/AGE/MARRIAGE protected) the card is
# trained with --split-out, its validation rows are scored by sparrow
# score, and Debian's python3 computes both AUCs with sklearn's
# roc_auc_score: Sparrow's from the score command's pd column, XGBoost's
# from a model (200 trees, depth 4, eta 0.05) trained on the same training
# rows and columns. Sparrow must come within 0.02 of XGBoost. Python also
# re-scores every row from the JSON card (bins and points) and checks the
# score command, the reasons' wording, and that protected and excluded
# columns are not in the card. A messy synthetic CSV ("$1,234.50 ", NA,
# blanks, blank targets, a 300-level category) must train with a sane AUC.
# Bad input exits 2 with one line naming the option and leaves no file.
set -u
S="${SPARROW_BIN:?}"
PY=/usr/bin/python3
shared="${SPARROW_SHARED:-../../shared}/data"
if ! $PY -c 'import xgboost, sklearn, pandas' 2>/dev/null; then
  echo "cli_train: skipped (needs python3-xgboost, python3-sklearn)"
  exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

cat >"$dir/compare.py" <<'PYEOF'
import sys, json, math, re
import numpy as np, pandas as pd, xgboost as xgb
from sklearn.metrics import roc_auc_score
data, target, badv, split, scores, card_path, drop = sys.argv[1:8]
drop = [c for c in drop.split(",") if c]
df = pd.read_csv(data)
v = pd.read_csv(split)["validation"].values == 1
assert len(v) == len(df)
y = (df[target].astype(str) == badv).astype(int).values
card = json.load(open(card_path))
names = [c["name"] for c in card["characteristics"]]
assert not set(names) & set(drop + [target]), names
# Re-score every row from the card's bins (numeric data only here).
base = card["base_points"]
expect = np.full(len(df), float(base))
for c in card["characteristics"]:
    x = pd.to_numeric(df[c["name"]], errors="coerce").values
    for b in c["bins"]:
        if b.get("missing"):
            m = np.isnan(x)
        else:
            lo = -math.inf if b["low"] is None else b["low"]
            hi = math.inf if b["high"] is None else b["high"]
            m = (x >= lo) & (x < hi)
        expect[m] += b["points"]
sc = pd.read_csv(scores, keep_default_na=False)
assert np.allclose(sc["score"].astype(float).values, expect), "scores differ"
f = card["scaling"]["pdo"] / math.log(2)
off = card["scaling"]["base_score"] - f * math.log(card["scaling"]["base_odds"])
pd_want = 1 / (1 + np.exp((expect - off) / f))
assert np.allclose(sc["pd"].astype(float).values, pd_want, rtol=1e-7)
pat = re.compile(r"^(\S+): .+ \(-\d+ points\)$")
for r in sc["reason_1"]:
    assert r == "" or (pat.match(r) and pat.match(r).group(1) in names), r
auc_sparrow = roc_auc_score(y[v], sc["pd"].astype(float).values[v])
assert abs(auc_sparrow - card["training"]["auc_validation"]) < 1e-9
x = df.drop(columns=[target] + drop).apply(pd.to_numeric, errors="coerce")
params = {"objective": "binary:logistic", "max_depth": 4, "eta": 0.05,
          "subsample": 0.8, "colsample_bytree": 0.8, "seed": 1, "nthread": 2}
b = xgb.train(params, xgb.DMatrix(x[~v], label=y[~v]), num_boost_round=200)
auc_xgb = roc_auc_score(y[v], b.predict(xgb.DMatrix(x[v])))
print("%s: validation AUC sparrow %.4f, xgboost %.4f (%d characteristics)"
      % (data.split("/")[-1], auc_sparrow, auc_xgb, len(names)))
assert auc_sparrow >= auc_xgb - 0.02, "more than 0.02 below XGBoost"
PYEOF

# compare NAME DATA TARGET BAD DROP [train options...]
compare() {
  local name=$1 data=$2 target=$3 badv=$4 drop=$5
  shift 5
  if [ ! -f "$data" ]; then
    echo "cli_train: $name skipped ($data absent)"
    return
  fi
  "$S" train --data "$data" --target "$target" --bad "$badv" \
    --out "$dir/$name.json" --split-out "$dir/$name.split" "$@" \
    >"$dir/$name.report" || { bad "$name: train failed"; return; }
  grep -q "^AUC training" "$dir/$name.report" || bad "$name: no report"
  grep -q "PSI" "$dir/$name.report" || bad "$name: no PSI"
  "$S" score --model "$dir/$name.json" --data "$data" \
    --out "$dir/$name.scores" || { bad "$name: score failed"; return; }
  $PY "$dir/compare.py" "$data" "$target" "$badv" "$dir/$name.split" \
    "$dir/$name.scores" "$dir/$name.json" "$drop" && ok || bad "$name"
}
compare german "$shared/german_credit.csv" Class Bad ""
compare taiwan "$shared/taiwan_default.csv" next_payment 1 \
  ID,SEX,AGE,MARRIAGE --exclude ID --protected SEX,AGE,MARRIAGE

# A messy CSV: currency text, thousands separators, spaces, NA/?/blank
# values, blank targets (counted by the generator), and a 300-level
# category whose common levels carry risk.
$PY - "$dir/messy.csv" >"$dir/messy.dropped" <<'PYEOF' || bad "messy generator"
import csv, math, random, sys
random.seed(5)
dropped = 0
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "income", "city", "grade", "status"])
    for i in range(6000):
        c = random.randrange(20) if random.random() < 0.7 else random.randrange(300)
        income = random.lognormvariate(10, 0.6)
        grade = random.choice("ABCDE")
        logit = -1.8 + (1.5 if income < 15000 else 0) + (1.2 if c % 7 == 0 else 0) \
            + 0.3 * "ABCDE".index(grade)
        bad = random.random() < 1 / (1 + math.exp(-logit))
        text = random.choice(["$%s " % format(income, ",.2f"), " %.2f" % income,
                              format(income, ",.0f")])
        if random.random() < 0.05:
            text = random.choice(["", "NA", "?", "NaN", " "])
        status = "bad" if bad else "good"
        if random.random() < 0.03:
            status, dropped = "", dropped + 1
        w.writerow(["L%05d" % i, text, "city%03d" % c, grade, status])
print(dropped)
PYEOF
if "$S" train --data "$dir/messy.csv" --target status --bad bad --exclude id \
  --out "$dir/messy.json" --split-out "$dir/messy.split" >"$dir/messy.report"; then
  grep -q "dropped for a blank target: $(cat "$dir/messy.dropped"))" "$dir/messy.report" \
    && ok || bad "messy: dropped rows not $(cat "$dir/messy.dropped"): $(head -1 "$dir/messy.report")"
  "$S" score --model "$dir/messy.json" --data "$dir/messy.csv" --out "$dir/messy.scores" \
    || bad "messy: score failed"
  $PY - "$dir" <<'PYEOF' && ok || bad "messy: AUC or card"
import sys, json, pandas as pd
from sklearn.metrics import roc_auc_score
d = sys.argv[1]
df = pd.read_csv(d + "/messy.csv", keep_default_na=False)
sc = pd.read_csv(d + "/messy.scores", keep_default_na=False)
v = pd.read_csv(d + "/messy.split")["validation"].values == 1
assert list(sc["id"]) == list(df["id"])
keep = v & (df["status"] != "").values
auc = roc_auc_score((df["status"][keep] == "bad").astype(int), sc["pd"][keep].astype(float))
card = json.load(open(d + "/messy.json"))
chars = {c["name"]: c for c in card["characteristics"]}
print("messy: validation AUC %.4f, characteristics %s" % (auc, sorted(chars)))
assert auc > 0.65, auc
assert "income" in chars and chars["income"]["type"] == "number"
assert "city" in chars and chars["city"]["type"] == "category"
assert len(chars["city"]["bins"]) <= 12
assert sum(b.get("other", False) for b in chars["city"]["bins"]) == 1
PYEOF
else
  bad "messy: train failed"
fi

# Bad input: exit 2, one line naming the option, no output files left.
BIN=$S TMP=$dir
fail() { bad "$*"; }
. ./lib_cli.sh
refused() {
  local name=$1 pattern=$2
  shift 2
  rm -f "$dir"/out.json* "$dir"/out.split*
  local before=$fails
  expect_refused train "$name" "$pattern" --out "$dir/out.json" \
    --split-out "$dir/out.split" "$@"
  [ -z "$(ls "$dir" | grep -E '^out\.(json|split)')" ] || bad "$name: output left"
  [ $fails -eq $before ] && ok
}
m="$dir/messy.csv"
refused "unknown target" "--target: no column 'outcome'" --data "$m" --target outcome --bad bad
refused "no bads" "--bad: no training row of 'status' has the value 'maybe'" \
  --data "$m" --target status --bad maybe
refused "monotone spec" "--monotone: 'income:up'" --data "$m" --target status --bad bad --monotone income:up
refused "monotone column" "--monotone: no column 'wage'" --data "$m" --target status --bad bad --monotone wage:+
refused "monotone category" "--monotone: 'city' is a category" --data "$m" --target status --bad bad --monotone city:-
refused "protected unknown" "--protected: no column 'SEX'" --data "$m" --target status --bad bad --protected SEX
refused "validation" "--validation" --data "$m" --target status --bad bad --validation 2
refused "pdo" "--pdo" --data "$m" --target status --bad bad --pdo abc
refused "seed" "--seed" --data "$m" --target status --bad bad --seed -4
refused "no data" "--data" --data "$dir/none.csv" --target status --bad bad
printf 'a,b\n1,2\n3\n' >"$dir/short.csv"
refused "short row" "line 3" --data "$dir/short.csv" --target b --bad 2
refused "missing --bad" "--bad" --data "$m" --target status
"$S" train --help | grep -q -- "--monotone" && ok || bad "--help"

echo "cli_train: $passes passed, $fails failed"
[ $fails -eq 0 ]
