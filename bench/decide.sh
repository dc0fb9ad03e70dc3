#!/bin/bash
# Decision latency: one full decision (20 policy rules, a model, limit,
# price, 4 reasons) on the Taiwan default data, with a scorecard trained by
# sparrow train and with a 300-tree depth-6 XGBoost model (reasons by path
# attribution, then by exact TreeSHAP), each beside its model step alone. usage: bench/decide.sh [BUILD]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
shared=${SPARROW_SHARED:-$here/../shared}
data=$shared/data/taiwan_default.csv
[ -r "$data" ] || { echo "decide.sh: $data absent, skipped"; exit 0; }
tmp=$(mktemp -d /tmp/sparrow-bench-decide-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$here/tests/tree_reference.py" "$shared" "$tmp" bench
"$build/sparrow" train --data "$data" --target next_payment --bad 1 \
  --exclude ID --protected SEX,AGE,MARRIAGE --out "$tmp/card.json" >/dev/null
feats="LIMIT_BAL EDUCATION PAY_0 PAY_2 PAY_3 PAY_4 PAY_5 PAY_6 BILL_AMT1 BILL_AMT2 BILL_AMT3 BILL_AMT4 BILL_AMT5 BILL_AMT6 PAY_AMT1 PAY_AMT2 PAY_AMT3 PAY_AMT4 PAY_AMT5 PAY_AMT6"
{
  printf '{"features":['
  sep=
  for f in $feats; do printf '%s{"name":"%s","type":"number","source":"bureau"}' "$sep" "$f"; sep=,; done
  printf ']}\n'
} >"$tmp/schema.json"
{
  printf '{"rules":['
  i=0 sep=
  for w in "PAY_0 >= 4" "PAY_2 >= 4" "PAY_3 >= 5" "PAY_4 >= 5" "PAY_5 >= 6" "PAY_6 >= 6" \
    "LIMIT_BAL < 10000" "BILL_AMT1 > 5 * LIMIT_BAL" "ratio(PAY_AMT1, BILL_AMT1) < 0.01 and BILL_AMT1 > 100000" \
    "max(PAY_0, PAY_2, PAY_3) >= 3" "min(PAY_AMT1, PAY_AMT2, PAY_AMT3) == 0 and PAY_0 >= 2" \
    "EDUCATION in (0, 5, 6)" "abs(BILL_AMT1 - BILL_AMT2) > 2 * LIMIT_BAL" "BILL_AMT6 < -50000" \
    "PAY_AMT1 + PAY_AMT2 + PAY_AMT3 > 10 * LIMIT_BAL" "is_missing(PAY_0)" "PAY_0 >= 2 and PAY_2 >= 2" \
    "BILL_AMT1 > 0.95 * LIMIT_BAL" "PAY_AMT6 > 500000" "not (LIMIT_BAL > 0)"; do
    i=$((i + 1))
    o=flag; [ $i -le 8 ] && o=decline; [ $i -gt 8 ] && [ $i -le 12 ] && o=refer
    printf '%s{"id":"R%02d","when":"%s","outcome":"%s","reason":"Policy rule %d"}' "$sep" $i "$w" $o $i
    sep=,
  done
  printf ']}\n'
} >"$tmp/rules.json"
for f in card:card:treeshap bench:bench:treeshap path:bench:path; do
  IFS=: read -r name m explain <<<"$f"
  cat >"$tmp/flow_$name.json" <<J
{"schema":"schema.json","rules":"rules.json","model":"$m.json","explain":"$explain",
 "approve_min":560,"refer_min":520,
 "limit":{"feature":"LIMIT_BAL","multiple":"50%","max":"200000.00","min":"1000.00","step":"100.00"},
 "pricing":{"bands":[{"score_min":640,"annual_rate":"8%"},{"score_min":600,"annual_rate":"12%"},{"score_min":0,"annual_rate":"15%"}],
            "floor":"3.85%"},
 "reason_text":{"PAY_0":"Recent repayment delays"}}
J
done
echo "-- scorecard ($(/usr/bin/python3 -c "import json;print(len(json.load(open('$tmp/card.json'))['characteristics']))" ) characteristics), 20 rules"
"$build/bench_decide" "$tmp/flow_card.json" "$tmp/card.json" "$data" 200000
echo "-- XGBoost 300 trees depth 6, reasons by path attribution, 20 rules"
"$build/bench_decide" "$tmp/flow_path.json" "$tmp/bench.json" "$data" 200000
echo "-- XGBoost 300 trees depth 6, reasons by exact TreeSHAP, 20 rules"
"$build/bench_decide" "$tmp/flow_bench.json" "$tmp/bench.json" "$data" 5000
