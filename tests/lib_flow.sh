# Shared by the tests and benchmarks of decisions through sparrow serve
# (sourced, not run): hand_flow DIR writes schema.json, rules.json,
# card.json and flow.json into DIR: the hand-written flow (cli_decide.sh's too)
# with each feature's data source: base 500; months_in_business < 24: 60
# points, >= 24: 120; tax grade A/B: 40, else 0; approve >= 640, refer >=
# 590; rule R01 declines on a court enforcement, R02 refers under 12
# months in business; limit 300% of monthly sales capped at 1,000,000.00,
# rounded down to 100.00, below 10,000.00 declines; 8% at >= 650, 12% at
# >= 600, else 15%, less 0.5% for green A and 4% x guarantee share, floor
# 3.85%. Tax, judicial and invoice features come from consented records.
#
# flow_sources ID (with lib_serve.sh's expect and keys, against a running
# server): consents for the flow's three sources and a record of each for
# borrower ID (tax grade A, no court enforcement, 48,000.00 a month), which
# the flow approves with 24 months in business or more.
flow_sources() {
  local s
  for s in tax judicial invoice; do
    expect "consent $1 $s" 201 POST /v1/borrowers/$1/consents "$K_APP" "{\"source\":\"$s\",\"scope\":[\"credit_decision\"],\"expires\":\"2099-12-31\"}"
  done
  expect "tax $1" 201 POST /v1/borrowers/$1/data "$K_OFF" '{"source":"tax","as_of":"2026-09-30","values":{"tax_credit_grade":"A"}}'
  expect "court $1" 201 POST /v1/borrowers/$1/data "$K_OFF" '{"source":"judicial","as_of":"2026-10-31","values":{"court_enforcements_24m":0}}'
  expect "invoice $1" 201 POST /v1/borrowers/$1/data "$K_OFF" '{"source":"invoice","as_of":"2026-10-31","values":{"monthly_sales":"48000.00"}}'
}
hand_flow() {
  local dir=$1
  cat >"$dir/schema.json" <<'J'
{"features":[
 {"name":"months_in_business","type":"number","source":"internal","min":0,"max":1200},
 {"name":"court_enforcements_24m","type":"number","source":"judicial","min":0},
 {"name":"tax_credit_grade","type":"category","source":"tax","values":["A","B","C","D","M"]},
 {"name":"monthly_sales","type":"number","source":"invoice","min":0},
 {"name":"green_rating","type":"category","source":"internal","values":["A","B","C"]},
 {"name":"guarantee_pct","type":"number","source":"internal","min":0,"max":100}]}
J
  cat >"$dir/rules.json" <<'J'
{"rules":[
 {"id":"R01","when":"court_enforcements_24m > 0","outcome":"decline","reason":"Court enforcement in the last 24 months"},
 {"id":"R02","when":"months_in_business < 12","outcome":"refer","reason":"Less than a year in business"}]}
J
  cat >"$dir/card.json" <<'J'
{"format":"sparrow-scorecard","version":1,
 "scaling":{"pdo":20,"base_score":600,"base_odds":50},"base_points":500,
 "characteristics":[
  {"name":"months_in_business","type":"number","bins":[
   {"missing":true,"goods":0,"bads":0,"woe":0,"points":0},
   {"low":null,"high":24,"goods":50,"bads":20,"woe":-0.5,"points":60},
   {"low":24,"high":null,"goods":90,"bads":10,"woe":0.8,"points":120}]},
  {"name":"tax_credit_grade","type":"category","bins":[
   {"missing":true,"goods":0,"bads":0,"woe":0,"points":0},
   {"levels":["A","B"],"goods":90,"bads":10,"woe":0.6,"points":40},
   {"levels":["C","D"],"other":true,"goods":50,"bads":20,"woe":-0.4,"points":0}]}]}
J
  cat >"$dir/flow.json" <<'J'
{"schema":"schema.json","rules":"rules.json","model":"card.json",
 "approve_min":640,"refer_min":590,
 "limit":{"feature":"monthly_sales","multiple":"300%","max":"1000000.00","min":"10000.00","step":"100.00"},
 "pricing":{"bands":[{"score_min":650,"annual_rate":"8%"},{"score_min":600,"annual_rate":"12%"},{"score_min":0,"annual_rate":"15%"}],
            "green":{"feature":"green_rating","values":["A"],"discount":"0.5%"},
            "guarantee":{"feature":"guarantee_pct","spread":"4%"},"floor":"3.85%"},
 "reason_text":{"months_in_business":"Short operating history","tax_credit_grade":"Tax credit grade below B"}}
J
}
