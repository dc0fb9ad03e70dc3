#!/bin/sh
# Times `sparrow train` on 150,000 rows (the Taiwan default data repeated
# five times, IDs excluded, SEX/AGE/MARRIAGE protected) against, in the
# same run, XGBoost (Debian's python3-xgboost: 200 trees, depth 4, eta
# 0.05, 2 threads) trained on the same training rows. Target: under 5 s.
# usage: bench/train.sh BUILD_DIR
set -e
b=${1:-build}
data="$(dirname "$0")/../../shared/data/taiwan_default.csv"
if [ ! -f "$data" ]; then
  echo "train: skipped ($data absent)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'NR == 1 { print; next } { row[NR] = $0 }
     END { for (k = 0; k < 5; k++) for (i = 2; i <= NR; i++) print row[i] }' \
  "$data" >"$tmp/t5.csv"
start=$(date +%s.%N)
"$b/sparrow" train --data "$tmp/t5.csv" --target next_payment --bad 1 \
  --exclude ID --protected SEX,AGE,MARRIAGE --out "$tmp/card.json" \
  --split-out "$tmp/split.csv" >"$tmp/report.txt"
end=$(date +%s.%N)
sparrow_s=$(echo "$end - $start" | bc -l)
rows=$(($(wc -l <"$tmp/t5.csv") - 1))
printf "sparrow train: %d rows in %.2f s (%s)\n" "$rows" "$sparrow_s" \
  "$(grep '^AUC' "$tmp/report.txt")"
if /usr/bin/python3 -c 'import xgboost, pandas' 2>/dev/null; then
  /usr/bin/python3 - "$tmp" "$sparrow_s" <<'PYEOF'
import sys, time, pandas as pd, xgboost as xgb
d, sparrow_s = sys.argv[1], float(sys.argv[2])
df = pd.read_csv(d + "/t5.csv")
v = pd.read_csv(d + "/split.csv")["validation"].values == 1
y = df.pop("next_payment").values
x = df.drop(columns=["ID", "SEX", "AGE", "MARRIAGE"])
t = time.perf_counter()
xgb.train({"objective": "binary:logistic", "max_depth": 4, "eta": 0.05,
           "nthread": 2}, xgb.DMatrix(x[~v], label=y[~v]), num_boost_round=200)
s = time.perf_counter() - t
print("xgboost train (200 trees, depth 4, 2 threads, data already loaded): "
      "%.2f s; sparrow / xgboost = %.2f" % (s, sparrow_s / s))
PYEOF
fi
