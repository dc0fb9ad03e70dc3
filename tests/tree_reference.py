#!/usr/bin/python3
"""Reference results for test_tree.c and bench/tree.sh, from XGBoost itself.

Usage: tree_reference.py SHARED_DIR OUT_DIR [bench]

Trains binary:logistic models with Debian's python3-xgboost and writes, per
data set NAME: NAME.json (Booster.save_model), NAME_x.csv (the rows, with a
header whose columns are in a different order than the model's features,
plus an unused column; empty field = missing), NAME_pred.csv (XGBoost's
output_margin and probability for every row), NAME_contrib.csv (XGBoost's
pred_contribs for the first rows: one column per feature, then the bias),
NAME_approx.csv (the same with approx_contribs=True: Saabas path
attribution) and NAME_reasons.csv (for each of those rows, the indices of the 3 largest
positive contributions, computed here from XGBoost's numbers).

"german" writes the German case only; "bench" instead writes bench.json (300 trees, depth 6, Taiwan data) and
bench_x.csv (every row, in model order).
"""
import os
import sys

import numpy as np
import pandas as pd
import xgboost as xgb

CONTRIB_ROWS = 300


def write_rows(df, path):
    df.to_csv(path, index=False, float_format="%.9g", na_rep="")


def write_case(name, x, y, out, params, rounds, contrib_rows):
    booster = xgb.train(params, xgb.DMatrix(x, label=y), num_boost_round=rounds)
    booster.save_model(os.path.join(out, name + ".json"))
    dm = xgb.DMatrix(x)
    margin = booster.predict(dm, output_margin=True)
    prob = booster.predict(dm)
    pd.DataFrame({"margin": margin, "prob": prob}).to_csv(
        os.path.join(out, name + "_pred.csv"), index=False, float_format="%.9g")
    head = x.iloc[:contrib_rows]
    contribs = booster.predict(xgb.DMatrix(head), pred_contribs=True)
    np.savetxt(os.path.join(out, name + "_contrib.csv"), contribs,
               fmt="%.9g", delimiter=",")
    approx = booster.predict(xgb.DMatrix(head), pred_contribs=True,
                             approx_contribs=True)
    np.savetxt(os.path.join(out, name + "_approx.csv"), approx,
               fmt="%.9g", delimiter=",")
    reasons = []
    for row in contribs[:, :-1]:
        order = sorted(range(len(row)), key=lambda i: (-row[i], i))
        reasons.append([i if row[i] > 0 else -1 for i in order[:3]])
    np.savetxt(os.path.join(out, name + "_reasons.csv"), np.array(reasons),
               fmt="%d", delimiter=",")
    # The data file: reversed column order and an extra column, so the C
    # side must map by name.
    shown = x[list(reversed(x.columns))].copy()
    shown.insert(1, "unused", np.arange(len(x)))
    write_rows(shown, os.path.join(out, name + "_x.csv"))


def german(shared, out):
    df = pd.read_csv(os.path.join(shared, "data", "german_credit.csv"))
    y = (df.pop("Class") == "Bad").astype(int)
    x = df.astype(np.float32)
    params = {"objective": "binary:logistic", "max_depth": 4, "eta": 0.3,
              "base_score": 0.3, "nthread": 1, "seed": 7}
    write_case("german", x, y, out, params, 40, CONTRIB_ROWS)


def taiwan_frame(shared):
    df = pd.read_csv(os.path.join(shared, "data", "taiwan_default.csv"))
    y = df.pop("next_payment")
    df.pop("ID")
    return df.astype(np.float32), y


def taiwan(shared, out):
    x, y = taiwan_frame(shared)
    rng = np.random.default_rng(11)
    mask = rng.random(x.shape) < 0.1  # 10% missing, to exercise default_left
    x = x.mask(mask)
    params = {"objective": "binary:logistic", "max_depth": 5, "eta": 0.2,
              "nthread": 1, "seed": 7}
    write_case("taiwan", x, y, out, params, 60, CONTRIB_ROWS)


def bench(shared, out):
    x, y = taiwan_frame(shared)
    params = {"objective": "binary:logistic", "max_depth": 6, "eta": 0.1,
              "nthread": 2, "seed": 7}
    booster = xgb.train(params, xgb.DMatrix(x, label=y), num_boost_round=300)
    booster.save_model(os.path.join(out, "bench.json"))
    write_rows(x, os.path.join(out, "bench_x.csv"))


def main():
    shared, out = sys.argv[1], sys.argv[2]
    if len(sys.argv) > 3 and sys.argv[3] == "bench":
        bench(shared, out)
        return
    if len(sys.argv) > 3 and sys.argv[3] == "german":
        german(shared, out)
        return
    german(shared, out)
    taiwan(shared, out)


if __name__ == "__main__":
    main()
