#!/usr/bin/env bash
# sparrow serve driven over real HTTP on 127.0.0.1: a borrower's journey
# (data, consent, a credit line drawn and repaid with interest computed by
# hand), idempotency keys, every role against a sample of routes, masking,
# every bad-input class with the ledger unchanged, the OpenAPI document
# against the router, and a restart after SIGKILL that loses nothing.
set -u
. "$(dirname "$0")/lib_serve.sh"
start

# --- Borrowers and masking ---
B1='{"id":"B1","name":"杭州小河贸易有限公司","kind":"enterprise","credit_code":"91330106MA27XY1234","legal_rep":"王小河","phone":"13812345678","address":"浙江省杭州市西湖区文三路100号","industry":"wholesale","region":"330106"}'
B2='{"id":"B2","name":"李记面馆","kind":"sole_proprietor","id_number":"330106199001011234","phone":"13987655678","address":"浙江省杭州市上城区河坊街8号"}'
expect "borrower B1" 201 POST /v1/borrowers "$K_OFF" "$B1"
expect "borrower B2" 201 POST /v1/borrowers "$K_APP" "$B2"
expect_err "borrower again" 409 conflict id POST /v1/borrowers "$K_OFF" "$B1"
# Masked for applicant_app and risk_manager; in full for the others.
for k in "$K_APP" "$K_RISK"; do
  req GET /v1/borrowers/B2 "$k" >/dev/null
  [ "$(j "d['id_number'], d['phone'], d['address'], d['masked']")" = "('3301**********1234', '139****5678', '浙江省杭州市****', True)" ] && ok || bad "masked B2: $(cat "$dir/b")"
  req GET /v1/borrowers/B1 "$k" >/dev/null
  [ "$(j "d['credit_code'], d['name']")" = "('9133**********1234', '杭州小河贸易有限公司')" ] && ok || bad "masked B1: $(cat "$dir/b")"
done
for k in "$K_OFF" "$K_AUD" "$K_ADM"; do
  req GET /v1/borrowers/B2 "$k" >/dev/null
  [ "$(j "d['id_number'], d['phone'], d['address'], d['masked']")" = "('330106199001011234', '13987655678', '浙江省杭州市上城区河坊街8号', False)" ] && ok || bad "full B2: $(cat "$dir/b")"
done

# --- Multi-source data ---
expect "data tax" 201 POST /v1/borrowers/B1/data "$K_APP" '{"source":"tax","as_of":"2025-12-31","values":{"revenue":"1200000.00","vat_paid":"36000.00"}}'
REQ_CHUNKED=1 expect "data judicial, its body chunked" 201 POST /v1/borrowers/B1/data "$K_OFF" '{"source":"judicial","as_of":"2026-01-01","values":{"cases":0}}'
expect "data list" 200 GET /v1/borrowers/B1/data "$K_RISK"
[ "$(j "[(r['source'], r['as_of']) for r in d['records']], d['records'][0]['values']['revenue']")" = "([('tax', '2025-12-31'), ('judicial', '2026-01-01')], '1200000.00')" ] && ok || bad "data list: $(cat "$dir/b")"
expect_err "data unknown source" 400 invalid_value source POST /v1/borrowers/B1/data "$K_OFF" '{"source":"weather","as_of":"2025-12-31","values":{}}'
expect_err "data values not object" 400 wrong_type values POST /v1/borrowers/B1/data "$K_OFF" '{"source":"tax","as_of":"2025-12-31","values":[1]}'
# values: at most 16,384 bytes written compact. 16,377 x's and {"k":""}
# are 16,385; 800 reals 1e-7 (4 bytes each as sent) are written
# 9.9999999999999995e-08 (22 bytes): 18,400 with commas and {"k":[]}.
long=$(head -c 16377 /dev/zero | tr '\0' x)
expect_err "data values too long" 400 too_long values POST /v1/borrowers/B1/data "$K_OFF" "{\"source\":\"tax\",\"as_of\":\"2025-12-31\",\"values\":{\"k\":\"$long\"}}"
reals=$(printf '1e-7,%.0s' $(seq 1 799))1e-7
expect_err "data values long when written" 400 too_long values POST /v1/borrowers/B1/data "$K_OFF" "{\"source\":\"tax\",\"as_of\":\"2025-12-31\",\"values\":{\"k\":[$reals]}}"
expect_err "data unknown borrower" 404 not_found id POST /v1/borrowers/B9/data "$K_OFF" '{"source":"tax","as_of":"2025-12-31","values":{}}'

# --- Consent ---
expect "consent tax" 201 POST /v1/borrowers/B1/consents "$K_APP" '{"source":"tax","scope":["credit_decision"],"expires":"2100-01-01T00:00:00+08:00"}'
[ "$(j "d['id'], d['status'], d['scope']")" = "('C1', 'valid', ['credit_decision'])" ] && ok || bad "consent C1: $(cat "$dir/b")"
expect "consent invoice" 201 POST /v1/borrowers/B1/consents "$K_APP" '{"source":"invoice","scope":["credit_decision","post_loan_monitoring"],"expires":"2099-06-30T00:00:00+08:00"}'
expect "consent utility" 201 POST /v1/borrowers/B1/consents "$K_APP" '{"source":"utility","scope":["credit_decision"],"expires":"2099-01-01T00:00:00+08:00"}'
expect "revoke utility" 200 DELETE /v1/borrowers/B1/consents/C3 "$K_APP"
expect_err "revoke twice" 409 invalid_state cid DELETE /v1/borrowers/B1/consents/C3 "$K_APP"
expect_err "revoke unknown" 404 not_found cid DELETE /v1/borrowers/B1/consents/C99 "$K_APP"
expect_err "consent past" 400 out_of_range expires POST /v1/borrowers/B1/consents "$K_APP" '{"source":"tax","scope":["credit_decision"],"expires":"2020-01-01T00:00:00+08:00"}'
expect_err "consent bad purpose" 400 invalid_value scope POST /v1/borrowers/B1/consents "$K_APP" '{"source":"tax","scope":["marketing"],"expires":"2099-01-01T00:00:00+08:00"}'
expect_err "consent empty scope" 400 out_of_range scope POST /v1/borrowers/B1/consents "$K_APP" '{"source":"tax","scope":[],"expires":"2099-01-01T00:00:00+08:00"}'
check() { req GET "/v1/borrowers/B1/consent-check?$1" "$K_OFF" >/dev/null; j "d['allowed'], d.get('consent'), d.get('reason', '')"; }
[ "$(check 'source=tax&purpose=credit_decision')" = "(True, 'C1', '')" ] && ok || bad "check tax: $(cat "$dir/b")"
check 'source=tax&purpose=post_loan_monitoring' | grep -q "^(False, None, 'consent for tax data does not cover the purpose post_loan_monitoring')$" && ok || bad "check purpose: $(cat "$dir/b")"
check 'source=invoice&purpose=post_loan_monitoring&at=2099-07-01T00:00:00Z' | grep -q "^(False, 'C2', 'consent C2 for invoice data expired at 2099-06-30T00:00:00+08:00')$" && ok || bad "check expired: $(cat "$dir/b")"
[ "$(check 'source=invoice&purpose=post_loan_monitoring')" = "(True, 'C2', '')" ] && ok || bad "check invoice valid now"
check 'source=utility&purpose=credit_decision' | grep -q "^(False, 'C3', 'consent C3 for utility data was revoked at " && ok || bad "check revoked: $(cat "$dir/b")"
check 'source=customs&purpose=credit_decision' | grep -q "^(False, None, \"no consent from 'B1' to use customs data\")$" && ok || bad "check none: $(cat "$dir/b")"
expect_err "check no purpose" 400 missing_field purpose GET "/v1/borrowers/B1/consent-check?source=tax" "$K_OFF"
expect_err "check bad source" 400 invalid_value source GET "/v1/borrowers/B1/consent-check?source=x&purpose=credit_decision" "$K_OFF"
expect "consents at" 200 GET "/v1/borrowers/B1/consents?at=2099-07-01T00:00:00Z" "$K_AUD"
[ "$(j "[(c['id'], c['status']) for c in d['consents']]")" = "[('C1', 'valid'), ('C2', 'expired'), ('C3', 'revoked')]" ] && ok || bad "consent list: $(cat "$dir/b")"

# --- A credit line: 50,000.00 drawn at 0.02%/day on 2026-01-01 ---
L1='{"id":"L1","borrower":"B1","limit":"100000.00","daily_rate":"0.02%","date":"2026-01-01"}'
expect "open L1" 201 POST /v1/lines "$K_OFF" "$L1"
[ "$(j "d['borrower'], d['limit'], d['available'], d['annual_rate'], d['annualized_rate']")" = "('B1', '100000.00', '100000.00', '7.2000%', '7.20%')" ] && ok || bad "open L1: $(cat "$dir/b")"
expect_err "open L1 again" 409 conflict id POST /v1/lines "$K_OFF" "$L1"
expect_err "open no borrower" 404 not_found borrower POST /v1/lines "$K_OFF" '{"id":"L2","borrower":"B9","limit":"1.00","daily_rate":"0.02%","date":"2026-01-01"}'
expect_err "open two rates" 400 invalid_value daily_rate POST /v1/lines "$K_OFF" '{"id":"L2","borrower":"B1","limit":"1.00","daily_rate":"0.02%","annual_rate":"7%","date":"2026-01-01"}'
DRAW='{"amount":"50000.00","at":"2026-01-01"}'
expect_err "draw without key" 400 idempotency_key_required Idempotency-Key POST /v1/lines/L1/draws "$K_APP" "$DRAW"
expect "draw" 201 POST /v1/lines/L1/draws "$K_APP" "$DRAW" d1
cp "$dir/b" "$dir/draw1"
[ "$(j "d['line']['outstanding_principal'], d['line']['available']")" = "('50000.00', '50000.00')" ] && ok || bad "draw: $(cat "$dir/b")"
n_before=$(transfers)
expect "draw replay" 201 POST /v1/lines/L1/draws "$K_APP" "$DRAW" d1
cmp -s "$dir/b" "$dir/draw1" && ok || bad "replay body differs"
expect_err "draw key reused" 409 idempotency_key_reused Idempotency-Key POST /v1/lines/L1/draws "$K_APP" '{"amount":"40000.00","at":"2026-01-01"}' d1
expect_err "draw key other role" 409 idempotency_key_reused Idempotency-Key POST /v1/lines/L1/draws "$K_OFF" "$DRAW" d1
[ "$(transfers)" = "$n_before" ] && ok || bad "replay moved money"
expect "repay 1" 201 POST /v1/lines/L1/repayments "$K_APP" '{"amount":"20000.00","at":"2026-01-16"}' r1
# Interest is billed on the 1st: on Jan 16 nothing is due, all to principal.
[ "$(j "d['allocated'], d['line']['outstanding_principal']")" = "({'penalty': '0.00', 'interest': '0.00', 'principal': '20000.00'}, '30000.00')" ] && ok || bad "repay 1: $(cat "$dir/b")"
# 50,000 x 0.02% x 15 days + 30,000 x 0.02% x 16 days = 150.00 + 96.00.
expect "repay 2" 201 POST /v1/lines/L1/repayments "$K_OFF" '{"amount":"30246.00","at":"2026-02-01"}' r2
[ "$(j "d['allocated'], d['line']['outstanding_principal'], d['line']['interest_paid_total'], d['line']['available']")" = "({'penalty': '0.00', 'interest': '246.00', 'principal': '30000.00'}, '0.00', '246.00', '100000.00')" ] && ok || bad "repay 2: $(cat "$dir/b")"
expect "line" 200 GET /v1/lines/L1 "$K_AUD"
[ "$(j "d['outstanding_principal'], d['accrued_interest'], d['penalty'], d['days_past_due'], d['classification'], d['daily_rate']")" = "('0.00', '0.00', '0.00', 0, 'normal', '0.020000%')" ] && ok || bad "line: $(cat "$dir/b")"
expect "statement" 200 GET /v1/lines/L1/statement "$K_APP"
# The statement lists the movements in ledger order (repay 2: interest
# before principal); the daily accruals are in the ledger, not the statement.
[ "$(j "[(e['type'], e['amount']) for e in d['entries']]")" = "[('draw', '50000.00'), ('repay_principal', '20000.00'), ('repay_interest', '246.00'), ('repay_principal', '30000.00')]" ] && ok || bad "statement: $(head -c 600 "$dir/b")"
# 15 x 10.00 + 16 x 6.00, one accrual a day
[ "$(sqlite3 "$db" "select count(*), sum(amount) from transfers where code = 5")" = "31|24600" ] && ok || bad "accruals: $(sqlite3 "$db" "select count(*), sum(amount) from transfers where code = 5")"

# Per-second accrual (按秒计息): 100,000.00 for 12 hours at 0.02% a day is
# 100,000 x 0.0002 x 43,200 / 86,400 = 10.00.
expect "open S1" 201 POST /v1/lines "$K_OFF" '{"id":"S1","borrower":"B1","limit":"100000.00","annual_rate":"7.2%","per_second":true,"date":"2026-04-01"}'
[ "$(j "d['per_second'], d['daily_rate']")" = "(True, '0.020000%')" ] && ok || bad "open S1: $(cat "$dir/b")"
expect "draw S1" 201 POST /v1/lines/S1/draws "$K_APP" '{"amount":"100000.00","at":"2026-04-01T10:00:00+08:00"}' s1
expect "repay S1" 201 POST /v1/lines/S1/repayments "$K_APP" '{"amount":"100010.00","at":"2026-04-01T22:00:00+08:00"}' s2
[ "$(j "d['allocated']['interest'], d['allocated']['principal'], d['line']['outstanding_principal'], d['line']['accrued_interest']")" = "('10.00', '100000.00', '0.00', '0.00')" ] && ok || bad "per second: $(cat "$dir/b")"
expect_err "per_second type" 400 wrong_type per_second POST /v1/lines "$K_OFF" '{"id":"S2","borrower":"B1","limit":"1.00","annual_rate":"7.2%","per_second":"yes","date":"2026-04-01"}'

# --- Term loans: equal principal 100,000.00 at 12% for 12 months ---
T1='{"id":"T1","borrower":"B2","principal":"100000.00","annual_rate":"12%","term_months":12,"method":"equal-principal","start":"2026-02-15"}'
expect_err "loan without key" 400 idempotency_key_required Idempotency-Key POST /v1/loans "$K_OFF" "$T1"
expect "open T1" 201 POST /v1/loans "$K_OFF" "$T1" t1
[ "$(j "d['borrower'], d['outstanding_principal'], d['method'], d['term_months']")" = "('B2', '100000.00', 'equal-principal', 12)" ] && ok || bad "open T1: $(cat "$dir/b")"
expect "schedule" 200 GET /v1/loans/T1/schedule "$K_RISK"
# 100,000 / 12 = 8,333.33 principal + 1% x 100,000 = 1,000.00 interest on
# 2026-03-15; interest over the term 1,000 x (12 + 11 + ... + 1) / 12.
[ "$(j "d['installments'][0]['payment'], d['installments'][0]['due_date'], sum(round(float(i['interest'])*100) for i in d['installments']), len(d['installments'])")" = "('9333.33', '2026-03-15', 650000, 12)" ] && ok || bad "schedule: $(head -c 300 "$dir/b")"
expect "loan repay" 201 POST /v1/loans/T1/repayments "$K_APP" '{"amount":"9333.33","at":"2026-03-15"}' t2
[ "$(j "d['allocated']['interest'], d['allocated']['principal'], d['loan']['outstanding_principal']")" = "('1000.00', '8333.33', '91666.67')" ] && ok || bad "loan repay: $(cat "$dir/b")"
# Flat 6% on 12,000 for 12 months pays 1,060 x 12: the issue's IRR is 10.90%.
expect "open F1" 201 POST /v1/loans "$K_ADM" '{"id":"F1","borrower":"B1","principal":"12000.00","annual_rate":"6%","term_months":12,"method":"flat","start":"2026-05-01"}' tf1
[ "$(j "d['annualized_rate']")" = "10.90%" ] && ok || bad "flat IRR: $(cat "$dir/b")"
expect_err "loan as line" 404 not_found id GET /v1/lines/T1 "$K_ADM"
expect_err "line as loan" 404 not_found id GET /v1/loans/L1 "$K_ADM"
expect_err "loan bad method" 400 invalid_value method POST /v1/loans "$K_OFF" '{"id":"T2","borrower":"B1","principal":"1.00","annual_rate":"1%","term_months":2,"method":"balloon","start":"2026-04-01"}' t3
expect_err "loan term range" 400 out_of_range term_months POST /v1/loans "$K_OFF" '{"id":"T2","borrower":"B1","principal":"1.00","annual_rate":"1%","term_months":601,"method":"flat","start":"2026-04-01"}' t4
expect_err "app opens loan" 403 forbidden Authorization POST /v1/loans "$K_APP" "$T1" t5

# --- Freeze ---
expect "freeze" 200 POST /v1/lines/L1/freeze "$K_RISK"
[ "$(j "d['line']['status'], d['line']['available']")" = "('frozen', '0.00')" ] && ok || bad "frozen: $(cat "$dir/b")"
expect_err "draw frozen" 409 invalid_state id POST /v1/lines/L1/draws "$K_APP" '{"amount":"1.00","at":"2026-02-02"}' f1
expect_err "unfreeze officer" 403 forbidden Authorization POST /v1/lines/L1/unfreeze "$K_OFF"
expect "unfreeze" 200 POST /v1/lines/L1/unfreeze "$K_RISK"

# --- Concurrent draws (group commit): 30 keys of 10.00 against a 250.00
# limit, each key sent twice at once. Exactly 25 keys are drawn, refused
# draws are undone alone, and a key's two responses are the same bytes.
expect "open L5" 201 POST /v1/lines "$K_OFF" '{"id":"L5","borrower":"B1","limit":"250.00","daily_rate":"0.02%","date":"2026-03-01"}'
n_before=$(transfers)
pids=()
for i in $(seq 1 30); do
  for copy in a b; do
    curl -s -o "$dir/c$i$copy" -w '%{http_code}' -X POST "http://127.0.0.1:$port/v1/lines/L5/draws" \
      -H "Authorization: Bearer $K_APP" -H "Idempotency-Key: c$i" \
      --data-binary '{"amount":"10.00","at":"2026-03-01T12:00:00+08:00"}' >"$dir/s$i$copy" &
    pids+=($!)
  done
done
wait "${pids[@]}"
drawn=0
for i in $(seq 1 30); do
  sa=$(cat "$dir/s${i}a") sb=$(cat "$dir/s${i}b")
  if [ "$sa" = 201 ] || [ "$sb" = 201 ]; then
    drawn=$((drawn + 1))
    { [ "$sa" = 201 ] && [ "$sb" = 201 ] && cmp -s "$dir/c${i}a" "$dir/c${i}b"; } || bad "key c$i: $sa/$sb not the same response"
  else
    [ "$sa$sb" = 422422 ] || bad "key c$i: $sa/$sb"
  fi
done
[ "$drawn" = 25 ] && ok || bad "concurrent draws: $drawn keys drawn, want 25"
req GET /v1/lines/L5 "$K_ADM" >/dev/null
[ "$(j "d['outstanding_principal'], d['available']")" = "('250.00', '0.00')" ] && ok || bad "L5: $(cat "$dir/b")"
[ $(($(transfers) - n_before)) = 25 ] && ok || bad "concurrent draws: $(($(transfers) - n_before)) transfers, want 25"

# --- Roles: 401 without or with an unknown key, 403 for the wrong role ---
expect_err "no key" 401 unauthorized Authorization GET /v1/lines/L1 ""
expect_err "unknown key" 401 unauthorized Authorization GET /v1/lines/L1 "not-a-key-0123456789"
expect "healthz public" 200 GET /healthz ""
expect "openapi public" 200 GET /openapi.json ""
expect_err "auditor opens" 403 forbidden Authorization POST /v1/lines "$K_AUD" "$L1"
expect_err "risk opens" 403 forbidden Authorization POST /v1/lines "$K_RISK" "$L1"
expect_err "app opens" 403 forbidden Authorization POST /v1/lines "$K_APP" "$L1"
expect_err "auditor draws" 403 forbidden Authorization POST /v1/lines/L1/draws "$K_AUD" "$DRAW" a1
expect_err "risk repays" 403 forbidden Authorization POST /v1/lines/L1/repayments "$K_RISK" "$DRAW" a2
expect_err "app reads data" 403 forbidden Authorization GET /v1/borrowers/B1/data "$K_APP"
expect_err "app checks consent" 403 forbidden Authorization GET "/v1/borrowers/B1/consent-check?source=tax&purpose=credit_decision" "$K_APP"
expect_err "auditor revokes" 403 forbidden Authorization DELETE /v1/borrowers/B1/consents/C1 "$K_AUD"
expect_err "app metrics" 403 forbidden Authorization GET /metrics "$K_APP"
expect_err "officer metrics" 403 forbidden Authorization GET /metrics "$K_OFF"
expect_err "auditor adds borrower" 403 forbidden Authorization POST /v1/borrowers "$K_AUD" "$B1"
for k in "$K_APP" "$K_OFF" "$K_RISK" "$K_AUD" "$K_ADM"; do
  expect "line by every role" 200 GET /v1/lines/L1 "$k"
done
expect "metrics auditor" 200 GET /metrics "$K_AUD"

# --- Bad input: 4xx naming the field, nothing written ---
$PY -c "print('{\"amount\":\"1.00\",\"at\":\"2026-02-02\",\"x\":\"' + 'a' * 70000 + '\"}')" >"$dir/big.json"
expect_err "oversize" 413 body_too_large body POST /v1/lines/L1/draws "$K_APP" "@$dir/big.json" e1
deep=$($PY -c "print('{\"amount\":' + '[' * 17 + ']' * 17 + '}')")
expect_err "deep" 400 too_deep body POST /v1/lines/L1/draws "$K_APP" "$deep" e2
expect_err "malformed" 400 malformed_json body POST /v1/lines/L1/draws "$K_APP" '{"amount": "1.00",
 "at" "2026-02-02"}' e3
# Reported where Python's json module reports it: at the character found
# where ':' was expected (line 2, column 7; byte 19 + 6).
want=$($PY -c 'import json
try: json.loads("{\"amount\": \"1.00\",\n \"at\" \"2026-02-02\"}")
except json.JSONDecodeError as e: print((e.lineno, e.colno, e.pos))')
[ "$want" = "(2, 7, 25)" ] && [ "$(j "d['error']['line'], d['error']['column'], d['error']['position']")" = "$want" ] && ok || bad "malformed position: $(cat "$dir/b") (python: $want)"
# A NUL byte ends nothing: refused where it is (byte 17), the object before
# it not taken.
printf '{"amount":"1.00"}\0{"amount":"900.00"}' >"$dir/nul.json"
expect_err "NUL after the value" 400 malformed_json body POST /v1/lines/L1/draws "$K_APP" "@$dir/nul.json" e16
[ "$(j "d['error']['position']")" = "17" ] && ok || bad "NUL position: $(cat "$dir/b")"
expect_err "not object" 400 wrong_type body POST /v1/lines/L1/draws "$K_APP" '["1.00"]' e4
expect_err "wrong type" 400 wrong_type amount POST /v1/lines/L1/draws "$K_APP" '{"amount":100}' e5
expect_err "unknown field" 400 unknown_field colour POST /v1/lines/L1/draws "$K_APP" '{"amount":"1.00","colour":"red"}' e6
expect_err "missing field" 400 missing_field amount POST /v1/lines/L1/draws "$K_APP" '{"at":"2026-02-02"}' e7
expect_err "negative" 400 out_of_range amount POST /v1/lines/L1/draws "$K_APP" '{"amount":"-5.00"}' e8
expect_err "zero" 400 out_of_range amount POST /v1/lines/L1/draws "$K_APP" '{"amount":"0.00"}' e9
expect_err "huge" 400 out_of_range amount POST /v1/lines/L1/draws "$K_APP" '{"amount":"99999999999999999999.00"}' e10
expect_err "three decimals" 400 invalid_value amount POST /v1/lines/L1/draws "$K_APP" '{"amount":"1.005"}' e11
expect_err "above limit" 422 limit_exceeded amount POST /v1/lines/L1/draws "$K_APP" '{"amount":"100000.01","at":"2026-02-02"}' e12
expect_err "bad time" 400 invalid_value at POST /v1/lines/L1/draws "$K_APP" '{"amount":"1.00","at":"2026-02-30"}' e13
expect_err "unknown line" 404 not_found id POST /v1/lines/NOPE/draws "$K_APP" '{"amount":"1.00"}' e14
expect_err "unknown line get" 404 not_found id GET /v1/lines/NOPE "$K_APP"
expect_err "draw on a term loan" 404 not_found id POST /v1/lines/T1/draws "$K_APP" '{"amount":"1.00"}' e15
[ "$(j "d['error']['message']")" = "'T1' is not a line" ] && ok || bad "draw on a term loan: $(j "d['error']['message']")"
expect_err "long key" 400 invalid_value Idempotency-Key POST /v1/lines/L1/draws "$K_APP" '{"amount":"1.00"}' "$(printf 'k%.0s' $(seq 1 61))"
expect_err "bad phone" 400 invalid_value phone POST /v1/borrowers "$K_OFF" '{"id":"B3","name":"x","kind":"enterprise","credit_code":"91330106MA27XY1234","phone":"12345"}'
expect_err "bad kind" 400 invalid_value kind POST /v1/borrowers "$K_OFF" '{"id":"B3","name":"x","kind":"person","credit_code":"91330106MA27XY1234"}'
expect_err "long id" 400 too_long id POST /v1/borrowers "$K_OFF" "{\"id\":\"$(printf 'B%.0s' $(seq 1 40))\",\"name\":\"x\",\"kind\":\"enterprise\",\"credit_code\":\"91330106MA27XY1234\"}"
expect_err "dup member" 400 malformed_json body POST /v1/borrowers "$K_OFF" '{"id":"B3","id":"B4"}'
expect_err "body on GET" 400 unexpected_body body GET /v1/lines/L1 "$K_ADM" '{}'
expect_err "no route" 404 route_not_found path GET /v1/nothing "$K_ADM"
expect_err "no method" 405 method_not_allowed method PUT /v1/lines/L1 "$K_ADM"
expect_err "rate no unit" 400 invalid_value daily_rate POST /v1/lines "$K_OFF" '{"id":"L3","borrower":"B1","limit":"1.00","daily_rate":"0.02","date":"2026-01-01"}'
expect_err "term range" 400 out_of_range term_months POST /v1/lines "$K_OFF" '{"id":"L3","borrower":"B1","limit":"1.00","daily_rate":"0.02%","date":"2026-01-01","term_months":0}'
[ -z "$(sqlite3 "$db" "select key from svc_idempotency where key like 'e%'")" ] && ok || bad "refused requests stored a key"

# --- Metrics ---
req GET /metrics "$K_ADM" >/dev/null
grep -q '^sparrow_http_requests_total{method="POST",route="/v1/lines/{id}/draws",status="201"} 53$' "$dir/b" && ok || bad "metrics draws 201"
grep -q '^sparrow_http_request_duration_seconds_count{method="POST",route="/v1/lines/{id}/draws"} ' "$dir/b" && ok || bad "metrics histogram"
# Line L1 paid off; L5 250.00, T1 91,666.67 and F1 12,000.00 outstanding.
grep -q '^sparrow_outstanding_principal_cny 103916.67$' "$dir/b" && ok || bad "metrics principal"
# the WAL is copied by the checkpoint thread; the committer never had to
grep -Eq '^sparrow_wal_checkpoints_total[{]by="thread"[}] [0-9]+$' "$dir/b" && ok || bad "metrics checkpoints"
grep -q '^sparrow_wal_checkpoints_total{by="committer"} 0$' "$dir/b" && ok || bad "metrics committer checkpoints"

# --- OpenAPI against the real router, and against this table of routes ---
req GET /openapi.json "" >/dev/null
$PY - "$dir/b" "$port" "$K_ADM" <<'PYEOF' && ok || bad "openapi"
import json, sys, urllib.request, urllib.error
doc = json.load(open(sys.argv[1]))
port, key = sys.argv[2], sys.argv[3]
A, O, R, U, M = "applicant_app", "loan_officer", "risk_manager", "auditor", "admin"
ALL = [A, O, R, U, M]
expected = {
    ("get", "/healthz"): [], ("get", "/openapi.json"): [], ("get", "/metrics"): [R, U, M],
    ("post", "/v1/borrowers"): [A, O, M], ("get", "/v1/borrowers/{id}"): ALL,
    ("post", "/v1/borrowers/{id}/data"): [A, O, M], ("get", "/v1/borrowers/{id}/data"): [O, R, U, M],
    ("post", "/v1/borrowers/{id}/consents"): [A, O, M], ("get", "/v1/borrowers/{id}/consents"): ALL,
    ("delete", "/v1/borrowers/{id}/consents/{cid}"): [A, O, M],
    ("get", "/v1/borrowers/{id}/consent-check"): [O, R, U, M],
    ("post", "/v1/lines"): [O, M], ("get", "/v1/lines/{id}"): ALL,
    ("post", "/v1/lines/{id}/draws"): [A, O, M], ("post", "/v1/lines/{id}/repayments"): [A, O, M],
    ("post", "/v1/lines/{id}/freeze"): [O, R, M], ("post", "/v1/lines/{id}/unfreeze"): [R, M],
    ("get", "/v1/lines/{id}/statement"): ALL,
    ("post", "/v1/loans"): [O, M], ("get", "/v1/loans/{id}"): ALL,
    ("get", "/v1/loans/{id}/schedule"): ALL, ("post", "/v1/loans/{id}/repayments"): [A, O, M],
    ("post", "/v1/events"): [O, R, M], ("get", "/v1/borrowers/{id}/warnings"): [O, R, U, M],
    ("post", "/v1/applications"): [A, O, M], ("get", "/v1/applications"): [O, R, U, M],
    ("get", "/v1/applications/{id}"): [O, R, U, M],
    ("post", "/v1/applications/{id}/review"): [O, R, M],
    ("get", "/v1/portfolio"): [O, R, U, M], ("get", "/v1/borrowers"): [O, R, U, M],
    ("get", "/v1/me"): ALL, ("get", "/v1/borrowers/{id}/lines"): ALL,
}
got = {(m, p): op["x-roles"] for p, item in doc["paths"].items() for m, op in item.items()}
assert got == expected, set(got.items()) ^ set((k, tuple(v)) for k, v in expected.items())
# Every documented route exists in the real router: an unknown id gives a
# 4xx of the route itself, never route_not_found or method_not_allowed.
for (m, p) in got:
    url = "http://127.0.0.1:%s%s" % (port, p.replace("{id}", "ZZ").replace("{cid}", "C9"))
    r = urllib.request.Request(url, method=m.upper(), headers={"Authorization": "Bearer " + key})
    try:
        urllib.request.urlopen(r).read()
    except urllib.error.HTTPError as e:
        body = json.loads(e.read() or b"{}")
        code = body.get("error", {}).get("code")
        assert code not in ("route_not_found", "method_not_allowed"), (m, p, code)
# And nothing undocumented answers: a path off the table is route_not_found.
for m, p in [("GET", "/v1/loans/T1/bill"), ("POST", "/v1/lines/L1/close"), ("GET", "/v1")]:
    r = urllib.request.Request("http://127.0.0.1:%s%s" % (port, p), method=m)
    try:
        urllib.request.urlopen(r)
        raise SystemExit("undocumented route answered: %s %s" % (m, p))
    except urllib.error.HTTPError as e:
        assert json.loads(e.read())["error"]["code"] == "route_not_found", (m, p)
PYEOF

# --- One kept-alive connection: each request sees only its own body, and
# a request's parts kept with the connection (server.c) start clean ---
$PY - "$port" "$K_APP" "$dir/draw1" "$DRAW" <<'PYEOF' && ok || bad "kept-alive connection"
import http.client, json, sys
port, key, draw1, draw = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read(), sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
def call(method, path, body=None, idem=None):
    h = {"Authorization": "Bearer " + key}
    if body is not None:
        h["Content-Type"] = "application/json"
    if idem:
        h["Idempotency-Key"] = idem
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    return r.status, r.read()
def err(body):
    e = json.loads(body)["error"]
    return e["code"], e["field"]
big = '{"amount":"1.00","at":"2026-02-02","colour":"%s"}' % ("x" * 5000)
st, b = call("POST", "/v1/lines/L1/draws", big, "k1")
assert (st, err(b)) == (400, ("unknown_field", "colour")), (st, b)
sock = c.sock
st, b = call("GET", "/v1/lines/L1")  # no body after one of 5 KB
assert st == 200 and json.loads(b)["id"] == "L1", (st, b)
st, b = call("POST", "/v1/lines/L1/draws", draw, "d1")  # replayed
assert (st, b) == (201, draw1), (st, b)
st, b = call("POST", "/v1/lines/L1/draws", '{"at":"2026-02-02"}', "k2")
assert (st, err(b)) == (400, ("missing_field", "amount")), (st, b)
st, b = call("POST", "/v1/lines/L1/draws", draw, "d1")
assert (st, b) == (201, draw1), (st, b)
assert c.sock is sock, "the connection was not kept"
st, b = call("POST", "/v1/lines/L1/draws", '{"amount":"1.00","x":"%s"}' % ("a" * 70000), "k3")
assert (st, err(b)) == (413, ("body_too_large", "body")), (st, b)
assert json.loads(b)["error"]["message"] == "the body exceeds 65536 bytes", b
st, b = call("GET", "/v1/lines/L1")
assert st == 200, (st, b)
PYEOF
[ -z "$(sqlite3 "$db" "select key from svc_idempotency where key like 'k%'")" ] && ok || bad "kept-alive refusals stored a key"

# --- Restart after SIGKILL: nothing acknowledged is lost ---
req GET /v1/lines/L1 "$K_ADM" >/dev/null
cp "$dir/b" "$dir/line_before"
kill -9 "$pid"
wait "$pid" 2>/dev/null
pid=
start
expect "line after restart" 200 GET /v1/lines/L1 "$K_ADM"
cmp -s "$dir/b" "$dir/line_before" && ok || bad "line changed across restart: $(cat "$dir/b")"
expect "draw replay after restart" 201 POST /v1/lines/L1/draws "$K_APP" "$DRAW" d1
cmp -s "$dir/b" "$dir/draw1" && ok || bad "replay after restart differs"
expect "borrower after restart" 200 GET /v1/borrowers/B2 "$K_ADM"
[ "$(j "d['id_number']")" = "330106199001011234" ] && ok || bad "borrower lost"
req GET /v1/borrowers/B1/consents "$K_ADM" >/dev/null
[ "$(j "[(c['id'], c['status']) for c in d['consents']]")" = "[('C1', 'valid'), ('C2', 'valid'), ('C3', 'revoked')]" ] && ok || bad "consents lost: $(cat "$dir/b")"
req GET /v1/borrowers/B1/data "$K_ADM" >/dev/null
[ "$(j "len(d['records'])")" = "2" ] && ok || bad "data lost"
expect "draw after restart" 201 POST /v1/lines/L1/draws "$K_APP" '{"amount":"1000.00","at":"2026-02-02"}' d2
[ "$(j "d['line']['outstanding_principal']")" = "1000.00" ] && ok || bad "draw after restart: $(cat "$dir/b")"
# A clean stop exits 0 (under the sanitizers: nothing leaked).
kill "$pid"
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ] && grep -q "^stopped" "$dir/serve.out" && ok || bad "clean stop: exit $rc: $(tail -5 "$dir/serve.err")"
"$S" ledger verify --db "$db" | grep -q '"ok":true' && ok || bad "ledger verify"

# --- Command line ---
"$S" serve --help >/dev/null && ok || bad "serve --help"
"$S" serve --db "$db" --listen nowhere >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && grep -q -- "--listen" "$dir/err" && ok || bad "bad --listen"
echo '{"short":"admin"}' >"$dir/badkeys.json"
"$S" serve --db "$db" --keys "$dir/badkeys.json" >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && grep -q -- "keys" "$dir/err" && ok || bad "bad --keys: $(cat "$dir/err")"

echo "cli_serve: $passes passed, $fails failed"
[ $fails -eq 0 ]
