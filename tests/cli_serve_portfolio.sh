#!/usr/bin/env bash
# GET /v1/portfolio through sparrow serve. Its numbers on a small book,
# worked by hand: lines drawn, repaid, frozen, a term loan and a line a day
# past due after a close of day, a draw today, and applications approved,
# referred and declined. Then, on a book of 200,000 lines more, the defect
# it had: computed under the server's lock, a portfolio stalled every draw
# for its whole length. Here draws stay prompt while portfolios are
# computed back to back, and every portfolio answered is of one commit
# (its outstanding principal and its draws of the day move together).
set -u
. "$(dirname "$0")/lib_serve.sh"
. "$(dirname "$0")/lib_flow.sh"
hand_flow "$dir"
start --flow "$dir/flow.json"
# The server's business day (UTC+8), for a line opened and drawn today,
# after the book's dates below.
today=$(date -u -d '+8 hours' +%F)
[[ "$today" > 2026-02-02 ]] || { echo "cli_serve_portfolio: the clock says $today, before the book's dates"; exit 1; }
borrower() { printf '{"id":"%s","name":"%s","kind":"enterprise","credit_code":"91330106MA27XY123%s"}' "$1" "$2" "${1#B}"; }
consent() { printf '{"source":"%s","scope":["credit_decision"],"expires":"2099-12-31"}' "$1"; }
data() { printf '{"source":"%s","as_of":"2026-10-31","values":%s}' "$1" "$2"; }
line() { printf '{"id":"%s","borrower":"B1","limit":"%s","daily_rate":"0.02%%","date":"%s"}' "$1" "$2" "$3"; }

for b in B1 B2; do
  expect "borrower $b" 201 POST /v1/borrowers "$K_OFF" "$(borrower $b "portfolio $b")"
  for s in tax judicial invoice; do
    expect "consent $b $s" 201 POST /v1/borrowers/$b/consents "$K_APP" "$(consent $s)"
  done
  expect "tax $b" 201 POST /v1/borrowers/$b/data "$K_OFF" "$(data tax '{"tax_credit_grade":"A"}')"
  expect "invoice $b" 201 POST /v1/borrowers/$b/data "$K_OFF" "$(data invoice '{"monthly_sales":"48000.00"}')"
done
expect "court B1" 201 POST /v1/borrowers/B1/data "$K_OFF" "$(data judicial '{"court_enforcements_24m":0}')"
expect "court B2" 201 POST /v1/borrowers/B2/data "$K_OFF" "$(data judicial '{"court_enforcements_24m":1}')"
# hand_flow: 500 + 120 (36 months) + 40 (grade A) = 660 approves; under 12
# months R02 refers; a court enforcement R01 declines.
for a in "A1 B1 36 approved" "A2 B1 6 referred" "A3 B2 36 declined"; do
  set -- $a
  expect "application $1" 201 POST /v1/applications "$K_OFF" "{\"id\":\"$1\",\"borrower\":\"$2\",\"values\":{\"months_in_business\":$3}}"
  [ "$(j "d['status']")" = "$4" ] && ok || bad "application $1: $(cat "$dir/b")"
done

# L1: 50,000.00 drawn on 2026-01-01, 20,000.00 repaid on 2026-01-16 at
# 0.02% a day; L2 frozen, never drawn; T1 12,000.00 equal-principal at 12%.
expect "L1" 201 POST /v1/lines "$K_OFF" "$(line L1 100000.00 2026-01-01)"
expect "draw L1" 201 POST /v1/lines/L1/draws "$K_APP" '{"amount":"50000.00","at":"2026-01-01"}' d1
expect "repay L1" 201 POST /v1/lines/L1/repayments "$K_APP" '{"amount":"20000.00","at":"2026-01-16"}' r1
expect "L2" 201 POST /v1/lines "$K_OFF" "$(line L2 50000.00 2026-01-01)"
expect "freeze L2" 200 POST /v1/lines/L2/freeze "$K_RISK" '{}'
expect "T1" 201 POST /v1/loans "$K_OFF" '{"id":"T1","borrower":"B2","principal":"12000.00","annual_rate":"12%","term_months":12,"method":"equal-principal","start":"2026-01-01"}' t1
stop
"$S" close-day --db "$db" --date 2026-02-02 >/dev/null || bad "close-day"
start --flow "$dir/flow.json"
# L3 opened and drawn today; L4 (10.00, never drawn) is the model of the
# large book below.
expect "L3" 201 POST /v1/lines "$K_OFF" "$(line L3 20000.00 "$today")"
expect "draw L3" 201 POST /v1/lines/L3/draws "$K_APP" '{"amount":"1000.00"}' d3
expect "L4" 201 POST /v1/lines "$K_OFF" "$(line L4 10.00 "$today")"

# By hand, through 2026-02-02:
# L1: 30,000.00 outstanding; interest 50,000 x 0.02% x 15 days = 150.00,
#   30,000 x 0.02% x 16 = 96.00 (to Jan 31), 2 x 6.00 in February: 258.00.
#   January's 246.00 was billed due Feb 1: unpaid on Feb 2, 1 day past due.
# T1: installment 1 (1,000.00 + 120.00 interest) due Feb 1, unpaid: 1 day
#   past due. Interest 120.00 + floor(110.00 x 2 / 28 days) = 7.85 of
#   installment 2; penalty 1,000.00 x 12% x 1.5 / 360 for Feb 2 = 0.50.
# L2, L3, L4 current; L3 1,000.00 drawn today, no interest closed yet.
# expected_json EXTRA: the portfolio with EXTRA more lines like L4, and k
# more draws of 1.00 on L3 today.
expected_json() {
  $PY - "$1" "${2:-0}" <<'PY'
import json, sys
n, k = int(sys.argv[1]), int(sys.argv[2])
money = lambda fen: "%d.%02d" % divmod(fen, 100)
apps = {"total": 3, "approved": 1, "referred": 1, "declined": 1, "approval_rate": 0.5}
print(json.dumps({
    "open": 5 + n, "lines": 4 + n, "term_loans": 1, "frozen": 1,
    "limit": money(18201000 + n * 1000),
    "outstanding": money(4300000 + k * 100),
    "interest_and_penalty": money(25800 + 12785 + 50),
    "overdue": money(4200000),
    "draws_today": {"count": 1 + k, "amount": money(100000 + k * 100)},
    "buckets": [{"bucket": "M0", "count": 3 + n, "outstanding": money(100000 + k * 100)},
                {"bucket": "M1", "count": 2, "outstanding": money(4200000)}] +
               [{"bucket": b, "count": 0, "outstanding": "0.00"} for b in ("M2", "M3", "M4+")],
    "classification": [
        {"class": "normal", "name_zh": "正常", "count": 3 + n, "outstanding": money(100000 + k * 100)},
        {"class": "special-mention", "name_zh": "关注", "count": 2, "outstanding": money(4200000)}] +
        [{"class": c, "name_zh": z, "count": 0, "outstanding": "0.00"}
         for c, z in (("substandard", "次级"), ("doubtful", "可疑"), ("loss", "损失"))],
    "applications": apps, "applications_today": apps}, sort_keys=True))
PY
}
same_json() { $PY -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.loads(sys.argv[2]); sys.exit(a != b)" "$1" "$2"; }
for k in "$K_OFF" "$K_RISK" "$K_AUD" "$K_ADM"; do
  expect "portfolio" 200 GET /v1/portfolio "$k"
  same_json "$dir/b" "$(expected_json 0)" && ok || bad "portfolio: $(cat "$dir/b")"
done
expect "portfolio: not the app's" 403 GET /v1/portfolio "$K_APP"

# --- 200,000 more lines, copies of L4's record (numbers and ids made
# anew, no accounts: nothing owed), written into the file while stopped.
stop
n=200000
$PY - "$db" "$n" <<'PY' || bad "large book"
import sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
# A loan record begins: format byte, then zigzag varints of kind and number,
# the id's length and its bytes (src/loan/codec.c).
def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v >> 1, i
def zigzag(v):
    z, out = v << 1, bytearray()
    while z >= 0x80: out.append((z & 0x7f) | 0x80); z >>= 7
    return bytes(out + bytes([z]))
c = sqlite3.connect(db)
rec = c.execute("SELECT data FROM records WHERE key = 'L4'").fetchone()[0]
_, i = varint(rec, 1)
head = rec[:i]
_, i = varint(rec, i)
size, i = varint(rec, i)
tail = rec[i + size:]
first = c.execute("SELECT max(no) FROM records").fetchone()[0] + 1
def copy(no):
    key = b"X%d" % no
    return no, key.decode(), head + zigzag(no) + zigzag(len(key)) + key + tail
c.executemany("INSERT INTO records(no, key, kind, data) VALUES(?, ?, 1, ?)",
              (copy(first + k) for k in range(n)))
c.commit()
PY
start --flow "$dir/flow.json"
expect "large portfolio" 200 GET /v1/portfolio "$K_RISK"
same_json "$dir/b" "$(expected_json $n)" && ok || bad "large portfolio: $(head -c 400 "$dir/b")"

# Three consoles ask for the portfolio back to back while draws of 1.00 on
# L3 are made: each draw is answered within a second (under the lock a
# portfolio of this book held every draw for all of its seconds).
url="http://127.0.0.1:$port"
# poll NAME PATH: asks for PATH back to back until done (at most 200
# times), each answer in $dir/NAME-i, the statuses in $dir/NAME.status.
poll() {
  local i=0
  while [ ! -e "$dir/done" ] && [ $i -lt 200 ]; do
    i=$((i + 1))
    curl -s -o "$dir/$1-$i" -w '%{http_code}\n' -H "Authorization: Bearer $K_RISK" "$url$2" >>"$dir/$1.status"
  done
}
consoles=
for c in 1 2 3; do
  poll "p$c" /v1/portfolio &
  consoles="$consoles $!"
done
# And a Prometheus server scrapes the metrics (the same totals) meanwhile.
poll m /metrics &
consoles="$consoles $!"
sleep 0.5
draws=0
for i in $(seq 1 20); do
  t=$(curl -s -o "$dir/d" -w '%{http_code} %{time_total}' -X POST -H "Authorization: Bearer $K_APP" \
    -H "Idempotency-Key: c$i" --data-binary '{"amount":"1.00"}' "$url/v1/lines/L3/draws")
  h=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$url/healthz")
  $PY -c "import sys; s, t, hs, ht = sys.argv[1:5]; sys.exit(not (s == '201' and hs == '200' and float(t) < 1 and float(ht) < 1))" $t $h ||
    { bad "draw $i while portfolios run: $t, healthz $h"; break; }
  draws=$i
done
touch "$dir/done"
wait $consoles
[ "$draws" = 20 ] && ok || bad "draws made: $draws"
answered=$(cat "$dir"/p?.status | wc -l)
[ "$answered" -ge 3 ] && [ "$(sort -u "$dir"/p?.status)" = 200 ] && ok || bad "portfolios: $(sort "$dir"/p?.status | uniq -c)"
# Each portfolio is of one commit: k draws in, for some k, in the loans'
# outstanding principal and in the day's draws alike.
$PY - "$dir" "$(expected_json $n 0)" "$draws" <<'PY' && ok || bad "portfolios of one commit"
import glob, json, sys
d, base, draws = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
for f in glob.glob(d + "/p?-*"):
    p = json.load(open(f))
    k = p["draws_today"]["count"] - 1
    assert 0 <= k <= draws, (f, k)
    fen = lambda s: int(s.replace(".", ""))
    assert fen(p["outstanding"]) == fen(base["outstanding"]) + 100 * k, (f, p)
    assert fen(p["draws_today"]["amount"]) == fen(base["draws_today"]["amount"]) + 100 * k, (f, p)
    assert p["open"] == base["open"], (f, p)
PY
# The scrapes: every one answered with the ledger read, all the loans
# (counted in the file) and k draws of 1.00 in the outstanding principal.
loans=$(sqlite3 "$db" "select count(*) from records where kind = 1")
[ "$(sort -u "$dir/m.status")" = 200 ] && ok || bad "metrics: $(sort "$dir/m.status" | uniq -c)"
$PY - "$dir" "$(expected_json $n 0)" "$draws" "$loans" <<'PY' && ok || bad "metrics while draws run"
import glob, json, sys
d, base, draws, loans = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
fen = lambda s: int(s.replace(".", ""))
files = glob.glob(d + "/m-*")
assert files
for f in files:
    m = dict(l.split(" ", 1) for l in open(f).read().splitlines() if l and l[0] != "#")
    assert m["sparrow_ledger_up"] == "1" and m["sparrow_loans"] == loans, (f, m)
    k, r = divmod(fen(m["sparrow_outstanding_principal_cny"]) - fen(base["outstanding"]), 100)
    assert r == 0 and 0 <= k <= draws, (f, k, r)
PY
expect "after the draws" 200 GET /v1/portfolio "$K_AUD"
same_json "$dir/b" "$(expected_json $n "$draws")" && ok || bad "after the draws: $(head -c 400 "$dir/b")"

stop
echo "cli_serve_portfolio: $passes passed, $fails failed"
[ $fails -eq 0 ]
