#!/usr/bin/env bash
# Early warning through sparrow serve: events posted over HTTP go to the
# monitor, whose actions act on the borrower's lines in the book and are
# recorded with the event that caused them; a duplicate event changes
# nothing; the monitor's state survives a clean restart (the same event
# again is a duplicate). Expected values by hand: B1's line has limit
# 100,000.00; a parcel stuck cuts it by 20% to 80,000.00; a payment to a
# securities firm freezes it, and a draw is then refused.
set -u
. "$(dirname "$0")/lib_serve.sh"
cat >"$dir/rules.json" <<'J'
{"rules":[
 {"id":"W01","when":"count(logistics_stuck, 2d) >= 1","level":"warning",
  "action":"reduce_limit","pct":20,"reason":"Goods stuck in transit"},
 {"id":"W02","when":"sum(account_debit_securities, 30d) > 0","level":"severe",
  "action":"freeze_line","reason":"Funds moved to a securities account"},
 {"id":"W03","when":"count(court_filing, 90d) >= 1","level":"watch",
  "action":"open_case","reason":"Court filing"}]}
J
start --rules "$dir/rules.json" --monitor-state "$dir/monitor.snap"

expect "borrower" 201 POST /v1/borrowers "$K_OFF" '{"id":"B1","name":"小河贸易","kind":"enterprise","credit_code":"91330106MA27XY1234"}'
expect "line" 201 POST /v1/lines "$K_OFF" '{"id":"L1","borrower":"B1","limit":"100000.00","daily_rate":"0.02%","date":"2026-03-01"}'
ev() { printf '{"id":"%s","borrower":"B1","kind":"%s","time":"%s"%s}' "$@"; }

expect "ordinary event" 200 POST /v1/events "$K_RISK" "$(ev E1 logistics 2026-03-02T10:00:00+08:00 ',"status":"in_transit"')"
[ "$(j "d['status'], len(d['actions'])")" = "('accepted', 0)" ] && ok || bad "ordinary: $(cat "$dir/b")"
expect "stuck" 200 POST /v1/events "$K_RISK" "$(ev E2 logistics 2026-03-03T10:00:00+08:00 ',"status":"stuck"')"
[ "$(j "[(a['rule'], a['action'], a['done']) for a in d['actions']]")" = "[('W01', 'reduce_limit', 'line L1 limit 100000.00 -> 80000.00')]" ] && ok || bad "stuck: $(cat "$dir/b")"
expect "line limit" 200 GET /v1/lines/L1 "$K_OFF"
[ "$(j "d['limit']")" = "80000.00" ] && ok || bad "limit: $(cat "$dir/b")"
expect "duplicate" 200 POST /v1/events "$K_RISK" "$(ev E2 logistics 2026-03-03T10:00:00+08:00 ',"status":"stuck"')"
[ "$(j "d['status'], len(d['actions'])")" = "('duplicate', 0)" ] && ok || bad "duplicate: $(cat "$dir/b")"
expect "securities" 200 POST /v1/events "$K_ADM" "$(ev E3 account_debit 2026-03-04T11:00:00+08:00 ',"amount":5000000,"counterparty":"XX Securities","counterparty_type":"securities"')"
[ "$(j "[(a['rule'], a['level'], a['done']) for a in d['actions']]")" = "[('W02', 'severe', 'line L1 frozen')]" ] && ok || bad "securities: $(cat "$dir/b")"
expect_err "frozen draw" 409 invalid_state id POST /v1/lines/L1/draws "$K_APP" '{"amount":"10.00","at":"2026-03-04"}' k1
expect "warnings" 200 GET /v1/borrowers/B1/warnings "$K_AUD"
[ "$(j "[(w['rule'], w['event_id'], w['event_time'], w['done']) for w in d['warnings']]")" = "[('W01', 'E2', '2026-03-03T10:00:00+08:00', 'line L1 limit 100000.00 -> 80000.00'), ('W02', 'E3', '2026-03-04T11:00:00+08:00', 'line L1 frozen')]" ] && ok || bad "warnings: $(cat "$dir/b")"

# Refusals: a bad kind names the member; a count kind with an amount; the
# applicant app may not post events; nothing recorded.
expect_err "unknown kind" 400 invalid_value kind POST /v1/events "$K_RISK" "$(ev E9 rumour 2026-03-05T10:00:00+08:00 '')"
expect_err "missing time" 400 missing_field time POST /v1/events "$K_RISK" '{"id":"E9","borrower":"B1","kind":"court_filing"}'
expect "app may not" 403 POST /v1/events "$K_APP" "$(ev E9 court_filing 2026-03-05T10:00:00+08:00 '')"
expect "still two" 200 GET /v1/borrowers/B1/warnings "$K_AUD"
[ "$(j "len(d['warnings'])")" = "2" ] && ok || bad "refusals recorded something"

# A clean restart keeps the monitor's state: E3 again is a duplicate.
stop
start --rules "$dir/rules.json" --monitor-state "$dir/monitor.snap"
expect "replay after restart" 200 POST /v1/events "$K_RISK" "$(ev E3 account_debit 2026-03-04T11:00:00+08:00 ',"amount":5000000,"counterparty":"XX Securities","counterparty_type":"securities"')"
[ "$(j "d['status'], len(d['actions'])")" = "('duplicate', 0)" ] && ok || bad "replay: $(cat "$dir/b")"
expect "court" 200 POST /v1/events "$K_RISK" "$(ev E4 court_filing 2026-03-05T10:00:00+08:00 '')"
[ "$(j "[(a['rule'], a['action'], a['done']) for a in d['actions']]")" = "[('W03', 'open_case', 'review case opened')]" ] && ok || bad "court: $(cat "$dir/b")"
stop

# Without --rules the route answers 503.
start
expect_err "monitor off" 503 monitor_off rules POST /v1/events "$K_RISK" "$(ev E5 court_filing 2026-03-06T10:00:00+08:00 '')"
stop
"$S" ledger verify --db "$db" | grep -q '"ok":true' && ok || bad "ledger verify"
echo "cli_serve_monitor: $passes passed, $fails failed"
[ $fails -eq 0 ]
