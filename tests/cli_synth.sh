#!/usr/bin/env bash
# sparrow synth end to end: a 3,000-firm portfolio is written, a scorecard
# trained on its history (the documented train command), and its
# applicants decided with the flow it ships. Checked independently by
# Debian's python3: file and row counts; same seed -> same bytes, other
# seed -> other bytes; every credit code's check characters recomputed
# from GB 32100-2015 and GB 11714-1997 (python written here, not Sparrow's
# code); phones, regions and kinds well formed; the bad rate in 5-10%;
# no protected field among the card's characteristics; the card's
# validation AUC recomputed with sklearn from `sparrow score` (0.70-0.90);
# a mix of approve / refer / decline; every applicant with tax grade D,
# a court enforcement or under six months in business declined. Bad
# input exits 2 with one line naming the option and writes nothing.
set -u
S="${SPARROW_BIN:?}"
PY=/usr/bin/python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

D="$dir/p"
"$S" synth --n 3000 --seed 42 --out-dir "$D" >"$dir/synth.out" 2>&1 ||
  bad "synth failed: $(cat "$dir/synth.out")"
for f in history.csv applicants.csv borrowers.csv schema.json rules.json flow.json; do
  [ -s "$D/$f" ] || bad "$f missing"
done
[ "$(wc -l <"$D/history.csv")" -eq 3001 ] || bad "history rows"
[ "$(wc -l <"$D/applicants.csv")" -eq 601 ] || bad "applicants rows (n / 5)"
[ "$(wc -l <"$D/borrowers.csv")" -eq 3601 ] || bad "borrowers rows"
ls "$D" | grep -q '\.csv\.\|\.json\.' && bad "temporary file left behind"

# Determinism.
"$S" synth --n 3000 --seed 42 --out-dir "$dir/same" || bad "synth again"
"$S" synth --n 3000 --seed 43 --out-dir "$dir/other" || bad "synth seed 43"
for f in history.csv applicants.csv borrowers.csv; do
  cmp -s "$D/$f" "$dir/same/$f" || bad "$f differs for the same seed"
  cmp -s "$D/$f" "$dir/other/$f" && bad "$f the same for another seed"
done

# Train (the documented command), then again with the split written out.
"$S" train --data "$D/history.csv" --target bad --bad 1 \
  --schema "$D/schema.json" --out "$D/card.json" >"$dir/train.out" 2>&1 ||
  bad "train failed: $(cat "$dir/train.out")"
"$S" train --data "$D/history.csv" --target bad --bad 1 \
  --schema "$D/schema.json" --out "$dir/card2.json" \
  --split-out "$dir/split.csv" >/dev/null 2>&1 || bad "train --split-out"
cmp -s "$D/card.json" "$dir/card2.json" || bad "train is not deterministic"
"$S" score --model "$D/card.json" --data "$D/history.csv" \
  --out "$dir/scores.csv" 2>"$dir/score.err" || bad "score: $(cat "$dir/score.err")"

# Decide.
"$S" decide --flow "$D/flow.json" --data "$D/applicants.csv" \
  --out "$dir/decisions.csv" 2>"$dir/decide.err" ||
  bad "decide failed: $(cat "$dir/decide.err")"
[ "$(wc -l <"$dir/decisions.csv")" -eq 601 ] || bad "decision rows"

$PY - "$D" "$dir" <<'PYEOF' || bad "python checks"
import csv, json, re, sys
D, T = sys.argv[1], sys.argv[2]
rd = lambda p: list(csv.DictReader(open(p, encoding="utf-8")))
hist, apps, bor = rd(D + "/history.csv"), rd(D + "/applicants.csv"), rd(D + "/borrowers.csv")

# GB 32100-2015 and GB 11714-1997, written from the standards here.
A = "0123456789ABCDEFGHJKLMNPQRTUWXY"
def uscc_ok(c):
    if len(c) != 18 or any(x not in A for x in c): return False
    s = sum(A.index(x) * pow(3, i, 31) for i, x in enumerate(c[:17]))
    return A[(31 - s % 31) % 31] == c[17]
def org_ok(o):
    v = lambda x: int(x) if x.isdigit() else ord(x) - ord("A") + 10
    s = sum(v(x) * w for x, w in zip(o[:8], [3, 7, 9, 10, 5, 8, 4, 2]))
    c = 11 - s % 11
    return o[8] == ("X" if c == 10 else "0" if c == 11 else str(c))
assert uscc_ok("91110000600037341L") and not uscc_ok("91110000600037341M")
ids = set()
for b in bor:
    c = b["credit_code"]
    assert uscc_ok(c) and org_ok(c[8:17]), c
    assert c[:2] == ("92" if b["kind"] == "sole_proprietor" else "91"), b
    assert b["kind"] in ("enterprise", "sole_proprietor")
    assert c[2:8] == b["region"] and re.fullmatch(r"[34]\d{5}", b["region"])
    assert re.fullmatch(r"1[358]\d{9}", b["phone"]), b["phone"]
    assert b["name"] and b["legal_rep"] and b["address"][:3] in ("浙江省", "江苏省", "广东省")
    ids.add(b["id"])
assert len(ids) == 3600 and ids == {r["id"] for r in hist} | {r["id"] for r in apps}
inds = {r["industry"] for r in hist}
assert inds == {"manufacturing", "wholesale-retail", "catering", "agriculture",
                "technology", "cross-border-ecommerce"}, inds

rate = sum(r["bad"] == "1" for r in hist) / len(hist)
assert 0.05 <= rate <= 0.10, rate

card = json.load(open(D + "/card.json"))
names = {c["name"] for c in card["characteristics"]}
assert not names & {"legal_rep_gender", "legal_rep_age_band", "region", "id"}, names
assert len(names) >= 5, names

try:
    from sklearn.metrics import roc_auc_score
except ImportError:
    roc_auc_score = None
if roc_auc_score:
    val = [r["validation"] == "1" for r in rd(T + "/split.csv")]
    sc = rd(T + "/scores.csv")
    assert len(val) == len(sc) == len(hist)
    y = [int(h["bad"]) for h, v in zip(hist, val) if v]
    p = [float(s["pd"]) for s, v in zip(sc, val) if v]
    auc = roc_auc_score(y, p)
    assert 0.70 <= auc <= 0.90, auc
    print("cli_synth: bad rate %.4f, validation AUC %.4f" % (rate, auc))

dec = rd(T + "/decisions.csv")
assert [d["id"] for d in dec] == [a["id"] for a in apps]
counts = {k: sum(d["decision"] == k for d in dec) for k in ("approve", "refer", "decline")}
assert all(v >= 30 for v in counts.values()), counts
print("cli_synth: decisions", counts)
for a, d in zip(apps, dec):
    if a["tax_credit_grade"] == "D" or int(a["court_enforcements_24m"]) > 0 \
       or int(a["months_in_business"]) < 6:
        assert d["decision"] == "decline", (a, d)
    if d["decision"] == "decline":
        assert d["limit"] == "0.00"
    else:
        assert float(d["limit"]) >= 20000 and float(d["limit"]) <= 3000000, d
PYEOF

# Bad input: exit 2, one line naming the option, nothing written.
refuse() { # NAME WANT-IN-MESSAGE ARGS...
  local name=$1 want=$2
  shift 2
  "$S" synth "$@" >"$dir/out" 2>"$dir/err"
  local rc=$?
  [ $rc -eq 2 ] || { bad "$name: exit $rc"; return; }
  grep -qF -- "$want" "$dir/err" || bad "$name: message: $(cat "$dir/err")"
  [ "$(wc -l <"$dir/err")" -eq 1 ] || bad "$name: more than one line"
  [ ! -s "$dir/out" ] || bad "$name: wrote to stdout"
}
refuse "n zero" "--n" --n 0 --out-dir "$dir/x1"
refuse "n text" "--n" --n lots --out-dir "$dir/x1"
refuse "n negative" "--n" --n -5 --out-dir "$dir/x1"
refuse "applicants zero" "--applicants" --applicants 0 --out-dir "$dir/x1"
refuse "seed negative" "--seed" --seed -1 --out-dir "$dir/x1"
refuse "no out-dir" "--out-dir" --n 10
refuse "unknown option" "--nn" --nn 10 --out-dir "$dir/x1"
[ -e "$dir/x1" ] && bad "a directory was made for bad input"
touch "$dir/file"
refuse "out-dir is a file" "--out-dir" --n 10 --out-dir "$dir/file"
refuse "out-dir parent missing" "--out-dir" --n 10 --out-dir "$dir/no/such"
"$S" synth --help | grep -q -- "--out-dir" || bad "--help"

[ $fails -eq 0 ] && echo "cli_synth: ok"
[ $fails -eq 0 ]
