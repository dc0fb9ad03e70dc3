#!/bin/bash
# Tree-model scoring benchmark: Sparrow against XGBoost on the same model
# and rows, single-threaded, in one run.
#
# Usage: bench/tree.sh [BUILD_DIR]   (default build/, made by `make build`)
#
# Trains a 300-tree depth-6 binary:logistic model on the Taiwan default data
# with Debian's python3-xgboost (tests/tree_reference.py bench), then runs
# bench_tree, which times Sparrow and XGBoost's C API. If bench_tree was
# built without libxgboost-dev, XGBoost's inplace_predict is timed from
# python instead (nthread=1), and the script says so.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
shared=${SPARROW_SHARED:-$here/../shared}
data=$shared/data/taiwan_default.csv
if [ ! -r "$data" ]; then
  echo "tree.sh: $data absent, benchmark skipped"; exit 0
fi
if ! /usr/bin/python3 -c 'import xgboost, pandas' 2>/dev/null; then
  echo "tree.sh: python3-xgboost or python3-pandas missing, benchmark skipped"
  exit 0
fi
tmp=$(mktemp -d /tmp/sparrow-bench-tree-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$here/tests/tree_reference.py" "$shared" "$tmp" bench
out=$("$build/bench_tree" "$tmp/bench.json" "$tmp/bench_x.csv")
echo "$out"
if grep -q "xgboost C API: not built" <<<"$out"; then
  echo "fallback: timing XGBoost's inplace_predict from python (nthread=1)"
  /usr/bin/python3 - "$tmp" "$out" <<'PY'
import re, sys, time
import pandas as pd, xgboost as xgb
tmp, out = sys.argv[1], sys.argv[2]
booster = xgb.Booster(model_file=tmp + "/bench.json")
booster.set_param({"nthread": 1})
x = pd.read_csv(tmp + "/bench_x.csv")[booster.feature_names].to_numpy("float32")
best = min((lambda s: (booster.inplace_predict(x), time.perf_counter() - s)[1])(
    time.perf_counter()) for _ in range(7))
sparrow = float(re.search(r"sparrow.*\(([0-9.]+) s\)", out).group(1))
print("xgboost python inplace_predict, nthread=1: %.0f rows/s (%.3f s)"
      % (len(x) / best, best))
print("ratio sparrow/xgboost (batch): %.2fx" % (best / sparrow))
PY
fi
