#!/usr/bin/env bash
# sparrow decide with an XGBoost model (trained here by Debian's
# python3-xgboost on German Credit): the pd equals XGBoost's probability,
# and the model's reasons are the features XGBoost's own contributions rank
# highest toward default: pred_contribs (TreeSHAP) by default, and
# approx_contribs (path attribution) with "explain": "path". A bad
# "explain" is refused, naming the member.
set -u
S="${SPARROW_BIN:?}"
shared=${SPARROW_SHARED:-../../shared}
[ -r "$shared/data/german_credit.csv" ] || {
  echo "cli_decide_tree: $shared/data/german_credit.csv absent, skipped"
  exit 0
}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

/usr/bin/python3 "$here/tree_reference.py" "$shared" "$dir" german || exit 1
# The explained rows (german_approx.csv has one per row), with an id.
rows=$(wc -l <"$dir/german_approx.csv")
head -n $((rows + 1)) "$dir/german_x.csv" | awk 'NR == 1 {print "app," $0; next} {print "A" NR - 1 "," $0}' >"$dir/apps.csv"
cat >"$dir/schema.json" <<'J'
{"features":[{"name":"Amount","type":"number","source":"bureau","min":0}]}
J
for m in treeshap path; do
  cat >"$dir/flow_$m.json" <<J
{"schema":"schema.json","model":"german.json","approve_min":620,"refer_min":560,
 "limit":{"feature":"Amount","multiple":"100%","max":"50000.00","min":"0.00","step":"1.00"},
 "pricing":{"bands":[{"score_min":0,"annual_rate":"12%"}],"floor":"3.85%"},
 "explain":"$m"}
J
  "$S" decide --flow "$dir/flow_$m.json" --data "$dir/apps.csv" --out "$dir/out_$m.csv" ||
    bad "decide ($m) failed"
done
/usr/bin/python3 - "$dir" <<'PY' || bad "decisions differ from XGBoost's"
import csv, json, math, sys
d = sys.argv[1]
names = json.load(open(d + "/german.json"))["learner"]["feature_names"]
pred = list(csv.DictReader(open(d + "/german_pred.csv")))
factor = 20 / math.log(2); offset = 600 - factor * math.log(50)
for method, ref in (("treeshap", "contrib"), ("path", "approx")):
    got = list(csv.DictReader(open(f"{d}/out_{method}.csv")))
    contribs = [[float(v) for v in l.split(",")] for l in open(f"{d}/german_{ref}.csv")]
    assert len(got) == len(contribs), (len(got), len(contribs))
    for r, (g, c) in enumerate(zip(got, contribs)):
        p = float(pred[r]["prob"])
        assert abs(float(g["pd"]) - p) < 1e-6, (method, r, g["pd"], p)
        s = offset + factor * math.log((1 - p) / p)
        want = "approve" if s >= 620 else "refer" if s >= 560 else "decline"
        # Scores near a cut-off may round either way in float32.
        if abs(s - 620) > 1e-3 and abs(s - 560) > 1e-3:
            assert g["decision"] == want, (method, r, g["decision"], s)
        feats = c[:-1]
        order = sorted(range(len(feats)), key=lambda i: (-feats[i], i))
        top = [names[i] for i in order[:4] if feats[i] > 0]
        # Skip rows where two of the first five contributions tie to 1e-6.
        near = any(abs(feats[order[i]] - feats[order[i + 1]]) < 1e-6 for i in range(4))
        if not near:
            reasons = [g[f"reason_{k}"] for k in range(1, 5) if g[f"reason_{k}"]]
            assert reasons == top, (method, r, reasons, top)
    print(method, len(got), "rows match XGBoost")
a = list(csv.DictReader(open(d + "/out_treeshap.csv")))
b = list(csv.DictReader(open(d + "/out_path.csv")))
assert any(x["reason_1"] != y["reason_1"] for x, y in zip(a, b)), "methods never differ"
PY

sed 's/"explain":"path"/"explain":"saabas"/' "$dir/flow_path.json" >"$dir/flow_bad.json"
"$S" decide --flow "$dir/flow_bad.json" --data "$dir/apps.csv" --out "$dir/o.csv" 2>"$dir/err"
rc=$?
[ $rc -eq 2 ] || bad "bad explain: exit $rc"
grep -q '"explain"\|explain' "$dir/err" || bad "bad explain: $(cat "$dir/err")"
[ ! -e "$dir/o.csv" ] || bad "bad explain: output left behind"

[ $fails -eq 0 ] || exit 1
echo "cli_decide_tree: all checks passed"
