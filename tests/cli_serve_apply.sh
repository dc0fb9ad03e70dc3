#!/usr/bin/env bash
# Applications through sparrow serve: a decision on the borrower's consented
# data (the latest record of each source), recorded with its reasons, score
# composition, data and consents; refusals without a valid consent; the
# review queue; a line opened from an approved application, then drawn,
# repaid and shown in a statement; the portfolio, metrics and a restart.
#
# The flow is tests/lib_flow.sh's hand_flow, cli_decide.sh's hand-written
# one (every number below is worked out by hand there).
set -u
. "$(dirname "$0")/lib_serve.sh"
. "$(dirname "$0")/lib_flow.sh"
hand_flow "$dir"
start --flow "$dir/flow.json"
apps() { sqlite3 "$db" "select count(*) from svc_applications"; }
borrower() { printf '{"id":"%s","name":"%s","kind":"enterprise","credit_code":"91330106MA27XY123%s"}' "$1" "$2" "${1#B}"; }
consent() { printf '{"source":"%s","scope":["credit_decision"],"expires":"%s"}' "$1" "${2:-2027-12-31}"; }
data() { printf '{"source":"%s","as_of":"%s","values":%s}' "$1" "$2" "$3"; }

expect "borrower B1" 201 POST /v1/borrowers "$K_OFF" "$(borrower B1 杭州小河贸易有限公司)"
for s in tax judicial invoice; do
  expect "consent $s" 201 POST /v1/borrowers/B1/consents "$K_APP" "$(consent $s)"
done
expect "tax data" 201 POST /v1/borrowers/B1/data "$K_OFF" "$(data tax 2026-09-30 '{"tax_credit_grade":"A"}')"
expect "court data" 201 POST /v1/borrowers/B1/data "$K_OFF" "$(data judicial 2026-10-31 '{"court_enforcements_24m":0}')"
expect "old invoice data" 201 POST /v1/borrowers/B1/data "$K_OFF" "$(data invoice 2026-08-31 '{"monthly_sales":"2000.00"}')"
expect "invoice data" 201 POST /v1/borrowers/B1/data "$K_OFF" "$(data invoice 2026-10-31 '{"monthly_sales":"48000.00"}')"

# A1 (cli_decide's A1): 660 -> approve; 3 x 48,000 (the later record) =
# 144,000.00; 8% - 0.5% - 4% x 40% = 5.90%; nothing lost, no reasons.
A1='{"id":"A1","borrower":"B1","values":{"months_in_business":36,"green_rating":"A","guarantee_pct":40}}'
expect "A1" 201 POST /v1/applications "$K_APP" "$A1"
[ "$(j "d['status'], d['decision'], d['limit'], d['annual_rate'], d['score'], d['reasons'], d['rules']")" = "('approved', 'approved', '144000.00', '5.90%', 660.0, [], [])" ] && ok || bad "A1: $(cat "$dir/b")"
[ "$(j "[(p['feature'], p['points']) for p in d['composition']]")" = "[('months_in_business', 120.0), ('tax_credit_grade', 40.0)]" ] && ok || bad "A1 composition: $(cat "$dir/b")"
[ "$(j "sorted((s['source'], s['consent'], s['data']) for s in d['sources'])")" = "[('invoice', 'C3', True), ('judicial', 'C2', True), ('tax', 'C1', True)]" ] && ok || bad "A1 sources: $(cat "$dir/b")"
[ "$(j "d['features']['monthly_sales'], d['features']['tax_credit_grade'], d['features']['court_enforcements_24m']")" = "('48000.00', 'A', '0')" ] && ok || bad "A1 features: $(cat "$dir/b")"
# pd from the score by the card's scaling (600 at 50:1, 20 points double).
$PY -c "import json,math; d=json.load(open('$dir/b')); f=20/math.log(2); o=600-f*math.log(50); assert abs(d['pd']-1/(1+math.exp((660-o)/f)))<1e-9" && ok || bad "A1 pd"

# A2: asks for 50,000.00: the limit is capped, the offer kept.
expect "A2" 201 POST /v1/applications "$K_APP" '{"id":"A2","borrower":"B1","amount":"50000.00","values":{"months_in_business":36}}'
[ "$(j "d['status'], d['limit'], d['limit_offered'], d['requested'], d['annual_rate']")" = "('approved', '50000.00', '144000.00', '50000.00', '8.00%')" ] && ok || bad "A2: $(cat "$dir/b")"

# A3 (cli_decide's A3 but 48,000 sales): R02 refers; 500+60+40 = 600;
# 144,000.00 at 12%; reasons: the rule, then months (60 below best).
expect "A3" 201 POST /v1/applications "$K_OFF" '{"id":"A3","borrower":"B1","values":{"months_in_business":10}}'
[ "$(j "d['status'], d['limit'], d['annual_rate'], d['score'], d['rules'], d['reasons']")" = "('referred', '144000.00', '12.00%', 600.0, ['R02'], ['Less than a year in business', 'Short operating history'])" ] && ok || bad "A3: $(cat "$dir/b")"
[ "$(j "[p['text'] for p in d['composition']][0]")" = "months_in_business: under 24 (-60 points)" ] && ok || bad "A3 composition text: $(j "d['composition']")"

# The review queue holds A3 only; the app may not review; a reviewer
# approves with a note; a second review is refused.
expect "queue" 200 GET "/v1/applications?status=referred" "$K_RISK"
[ "$(j "[a['id'] for a in d['applications']]")" = "['A3']" ] && ok || bad "queue: $(cat "$dir/b")"
expect "app may not list" 403 GET "/v1/applications?status=referred" "$K_APP"
expect "app may not review" 403 POST /v1/applications/A3/review "$K_APP" '{"decision":"approve","note":"self"}'
expect_err "bad review" 400 invalid_value decision POST /v1/applications/A3/review "$K_RISK" '{"decision":"maybe","note":"?"}'
expect "review" 200 POST /v1/applications/A3/review "$K_RISK" '{"decision":"approve","note":"Orders from two long-standing buyers verified"}'
[ "$(j "d['status'], d['decision'], d['review']['reviewer'], d['review']['note']")" = "('approved', 'referred', 'risk_manager', 'Orders from two long-standing buyers verified')" ] && ok || bad "review: $(cat "$dir/b")"
expect_err "review twice" 409 invalid_state status POST /v1/applications/A3/review "$K_RISK" '{"decision":"decline","note":"changed my mind"}'
expect "queue empty" 200 GET "/v1/applications?status=referred" "$K_OFF"
[ "$(j "len(d['applications'])")" = "0" ] && ok || bad "queue after review: $(cat "$dir/b")"

# Refusals change nothing: no consent for invoice data (B2 gave only tax
# and judicial), an expired consent (B3's tax consent ended before the
# decision time), tax values given by the application, unknown borrower,
# duplicate id, no body fields.
expect "borrower B2" 201 POST /v1/borrowers "$K_OFF" "$(borrower B2 宁波小山五金厂)"
expect "B2 tax" 201 POST /v1/borrowers/B2/consents "$K_APP" "$(consent tax)"
expect "B2 judicial" 201 POST /v1/borrowers/B2/consents "$K_APP" "$(consent judicial)"
before=$(apps)
expect_err "no consent" 409 consent_required consent POST /v1/applications "$K_APP" '{"id":"A9","borrower":"B2","values":{"months_in_business":30}}'
grep -q "invoice data" "$dir/b" && ok || bad "no consent: names the source: $(cat "$dir/b")"
expect "B3" 201 POST /v1/borrowers "$K_OFF" "$(borrower B3 温州小林鞋业)"
for s in judicial invoice; do expect "B3 $s" 201 POST /v1/borrowers/B3/consents "$K_APP" "$(consent $s)"; done
expect "B3 tax" 201 POST /v1/borrowers/B3/consents "$K_APP" "$(consent tax 2026-12-31)"
expect_err "expired consent" 409 consent_required consent POST /v1/applications "$K_APP" '{"id":"A9","borrower":"B3","values":{"months_in_business":30},"at":"2027-01-05T09:00:00+08:00"}'
grep -q "expired" "$dir/b" && ok || bad "expired: reason: $(cat "$dir/b")"
expect_err "tax from app" 422 invalid_value values POST /v1/applications "$K_APP" '{"id":"A9","borrower":"B1","values":{"tax_credit_grade":"A"}}'
expect_err "unknown borrower" 404 not_found borrower POST /v1/applications "$K_APP" '{"id":"A9","borrower":"B404"}'
expect_err "duplicate id" 409 conflict id POST /v1/applications "$K_APP" '{"id":"A1","borrower":"B1"}'
expect_err "no id" 400 missing_field id POST /v1/applications "$K_APP" '{"borrower":"B1"}'
expect_err "values not object" 400 wrong_type values POST /v1/applications "$K_APP" '{"id":"A9","borrower":"B1","values":[1]}'
[ "$(apps)" = "$before" ] && ok || bad "refusals stored applications"
expect "A9 absent" 404 GET /v1/applications/A9 "$K_AUD"

# Idempotency-Key: the same request again is the first answer; another
# request under the key is 409; one application stored.
A4='{"id":"A4","borrower":"B1","values":{"months_in_business":24}}'
expect "A4" 201 POST /v1/applications "$K_APP" "$A4" idem-a4
cp "$dir/b" "$dir/a4.first"
expect "A4 again" 201 POST /v1/applications "$K_APP" "$A4" idem-a4
cmp -s "$dir/b" "$dir/a4.first" && ok || bad "A4 replay differs"
expect_err "A4 key reused" 409 idempotency_key_reused Idempotency-Key POST /v1/applications "$K_APP" '{"id":"A5","borrower":"B1"}' idem-a4

# A line from A1: its borrower, limit and rate; not twice; not from a
# referred-then-declined or unknown application; no limit with it.
expect "line from A1" 201 POST /v1/lines "$K_OFF" '{"id":"L1","application":"A1","date":"2026-11-02"}'
[ "$(j "d['borrower'], d['limit'], d['annual_rate'], d['application']")" = "('B1', '144000.00', '5.9000%', 'A1')" ] && ok || bad "line: $(cat "$dir/b")"
expect_err "line twice" 409 invalid_state application POST /v1/lines "$K_OFF" '{"id":"L2","application":"A1","date":"2026-11-02"}'
expect_err "line unknown app" 404 not_found application POST /v1/lines "$K_OFF" '{"id":"L2","application":"A77","date":"2026-11-02"}'
expect_err "line with limit" 400 invalid_value application POST /v1/lines "$K_OFF" '{"id":"L2","application":"A2","limit":"1.00","date":"2026-11-02"}'
expect "A1 has its line" 200 GET /v1/applications/A1 "$K_OFF"
[ "$(j "d['line']")" = "L1" ] && ok || bad "A1 line: $(cat "$dir/b")"

# Draw 10,000.00 and repay 4,000.00 the same day: no interest yet, so the
# repayment is principal; outstanding 6,000.00.
expect "draw" 201 POST /v1/lines/L1/draws "$K_APP" '{"amount":"10000.00","at":"2026-11-02T11:00:00+08:00"}' d1
expect "repay" 201 POST /v1/lines/L1/repayments "$K_APP" '{"amount":"4000.00","at":"2026-11-02T15:00:00+08:00"}' r1
expect "statement" 200 GET /v1/lines/L1/statement "$K_APP"
[ "$(j "[(e['type'], e['amount']) for e in d['entries']], d['line']['outstanding_principal']")" = "([('draw', '10000.00'), ('repay_principal', '4000.00')], '6000.00')" ] && ok || bad "statement: $(cat "$dir/b")"

expect "B1's lines" 200 GET /v1/borrowers/B1/lines "$K_APP"
[ "$(j "[(l['id'], l['kind'], l['outstanding_principal']) for l in d['lines']]")" = "[('L1', 'line', '6000.00')]" ] && ok || bad "borrower lines: $(cat "$dir/b")"
expect_err "lines of nobody" 404 not_found id GET /v1/borrowers/B404/lines "$K_APP"

# The portfolio: one line, 6,000.00 outstanding in M0 and normal; four
# applications, all approved (A3 by review): approval rate 1.
expect "portfolio" 200 GET /v1/portfolio "$K_RISK"
[ "$(j "d['lines'], d['outstanding'], d['limit'], d['buckets'][0]['outstanding'], d['classification'][0]['count'], d['applications']['total'], d['applications']['approved'], d['applications']['approval_rate']")" = "(1, '6000.00', '144000.00', '6000.00', 1, 4, 4, 1.0)" ] && ok || bad "portfolio: $(cat "$dir/b")"
expect "app no portfolio" 403 GET /v1/portfolio "$K_APP"
expect "me" 200 GET /v1/me "$K_AUD"
[ "$(j "d['role'], d['decisions']")" = "('auditor', True)" ] && ok || bad "me: $(cat "$dir/b")"
expect "borrowers" 200 GET /v1/borrowers "$K_RISK"
[ "$(j "[b['id'] for b in d['borrowers']], d['borrowers'][0]['credit_code']")" = "(['B1', 'B2', 'B3'], '9133**********1231')" ] && ok || bad "borrowers: $(cat "$dir/b")"
expect "metrics" 200 GET /metrics "$K_ADM"
grep -q '^sparrow_decisions_total{outcome="approve"} 3$' "$dir/b" && grep -q '^sparrow_decisions_total{outcome="refer"} 1$' "$dir/b" && ok || bad "metrics: $(grep decisions "$dir/b")"

# Applications sent with an Idempotency-Key are decided ahead, on the
# polling threads, which keep what they read of a borrower until it
# changes: each answer below must follow B4's data and consents as they
# stand. Four of each, to reach both threads. B4: tax A, no court
# enforcement, 10,000.00 monthly sales; 36 months: 500+120+40 = 660,
# approved, 3 x 10,000.00 = 30,000.00. Then sales of 20,000.00 (a later
# record): 60,000.00. Then the invoice consent (C11: B1 has C1-C3, B2
# C4-C5, B3 C6-C8, B4 C9-C11 in the order given) is revoked: refused,
# naming invoice.
app_b4() { printf '{"id":"%s","borrower":"B4","values":{"months_in_business":36}}' "$1"; }
keyed() { # keyed NAME WANT-LIMIT
  local n
  for n in 1 2 3 4; do
    expect "$1.$n" 201 POST /v1/applications "$K_APP" "$(app_b4 "$1-$n")" "k-$1-$n"
    [ "$(j "d['status'], d['limit']")" = "('approved', '$2')" ] && ok || bad "$1.$n: $(head -c 300 "$dir/b")"
  done
}
expect "borrower B4" 201 POST /v1/borrowers "$K_OFF" "$(borrower B4 台州小溪模具厂)"
for s in tax judicial invoice; do
  expect "B4 consent $s" 201 POST /v1/borrowers/B4/consents "$K_APP" "$(consent $s)"
done
expect "B4 tax data" 201 POST /v1/borrowers/B4/data "$K_OFF" "$(data tax 2026-09-30 '{"tax_credit_grade":"A"}')"
expect "B4 court data" 201 POST /v1/borrowers/B4/data "$K_OFF" "$(data judicial 2026-09-30 '{"court_enforcements_24m":0}')"
expect "B4 sales" 201 POST /v1/borrowers/B4/data "$K_OFF" "$(data invoice 2026-09-30 '{"monthly_sales":"10000.00"}')"
keyed K1 30000.00
expect "B4 more sales" 201 POST /v1/borrowers/B4/data "$K_OFF" "$(data invoice 2026-10-31 '{"monthly_sales":"20000.00"}')"
keyed K2 60000.00
expect "B4 revokes invoice" 200 DELETE /v1/borrowers/B4/consents/C11 "$K_APP"
for n in 1 2 3 4; do
  expect_err "K3.$n revoked" 409 consent_required consent POST /v1/applications "$K_APP" "$(app_b4 "K3-$n")" "k-K3-$n"
  grep -q "invoice data" "$dir/b" && ok || bad "K3.$n: names the source: $(cat "$dir/b")"
done
[ "$(sqlite3 "$db" "select count(*) from svc_applications where id like 'K%'")" = "8" ] && ok || bad "keyed applications stored"

# Twelve sendings at once (most of them in one group commit): one
# application without a key is stored once and the others are refused by
# its id; one under a key is stored once and every answer is the first.
$PY - "$port" "$K_APP" <<'PYEOF' && ok || bad "sent twelve times at once"
import json, sys, threading, urllib.error, urllib.request
port, key = sys.argv[1], sys.argv[2]
def send(body, idem, out, i, start):
    headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
    if idem:
        headers["Idempotency-Key"] = idem
    req = urllib.request.Request("http://127.0.0.1:%s/v1/applications" % port, data=body.encode(),
                                 method="POST", headers=headers)
    start.wait()
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            out[i] = (r.status, r.read().decode())
    except urllib.error.HTTPError as e:
        out[i] = (e.code, e.read().decode())
for app, idem in (("S0", None), ("S1", "k-S1")):
    body = '{"id":"%s","borrower":"B1","values":{"months_in_business":36}}' % app
    out, start = [None] * 12, threading.Barrier(12)
    threads = [threading.Thread(target=send, args=(body, idem, out, i, start)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(s for s, _ in out)
    if idem is None:
        assert statuses == [201] + [409] * 11, (app, statuses)
        errors = [json.loads(t)["error"] for s, t in out if s == 409]
        assert all((e["code"], e["field"]) == ("conflict", "id") for e in errors), errors
    else:
        assert statuses == [201] * 12, (app, statuses)
        assert len({t for _, t in out}) == 1, "the answers differ"
PYEOF
[ "$(sqlite3 "$db" "select count(*) from svc_applications where id in ('S0', 'S1')")" = "2" ] && ok || bad "sent twelve times at once: stored"

# A restart keeps every acknowledged decision and review, and a key's
# first answer, byte for byte.
stop
start --flow "$dir/flow.json"
expect "A3 after restart" 200 GET /v1/applications/A3 "$K_AUD"
[ "$(j "d['status'], d['score'], d['review']['reviewer']")" = "('approved', 600.0, 'risk_manager')" ] && ok || bad "after restart: $(cat "$dir/b")"
expect "A4 again after restart" 201 POST /v1/applications "$K_APP" "$A4" idem-a4
cmp -s "$dir/b" "$dir/a4.first" && ok || bad "A4 replay after restart differs"
stop

# Without --flow: 503, nothing stored.
start
expect_err "no flow" 503 no_decision_flow "" POST /v1/applications "$K_APP" '{"id":"A8","borrower":"B1"}'
stop

echo "cli_serve_apply: $passes passed, $fails failed"
[ $fails -eq 0 ]
