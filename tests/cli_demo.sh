#!/usr/bin/env bash
# sparrow demo end to end on a small portfolio: the scorecard is trained,
# every applicant is decided and recorded, each approved one has its line,
# the referred ones wait for review, the ledger checks, and the service
# comes up on the demo's book with its console and answers a decision.
set -u
S="${SPARROW_BIN:?}"
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
db="$dir/demo.db"
"$S" demo --db "$db" --applicants 150 --history 1500 --months 2 --no-serve >"$dir/out" 2>&1 ||
  { cat "$dir/out"; exit 1; }
grep -q "validation AUC 0\.[6-9]" "$dir/out" || bad "no credible scorecard: $(grep scorecard "$dir/out")"
grep -q "every balance equals its postings" "$dir/out" || bad "ledger not checked"
q() { sqlite3 "$db" "$1"; }
[ "$(q "select count(*) from svc_applications")" = 150 ] || bad "applications: $(q "select count(*) from svc_applications")"
[ "$(q "select count(*) from svc_borrowers")" = 150 ] || bad "borrowers"
approved=$(q "select count(*) from svc_applications where status = 'approved'")
[ "$approved" -gt 0 ] && [ "$(q "select count(*) from svc_applications where status = 'referred'")" -gt 0 ] &&
  [ "$(q "select count(*) from svc_applications where status = 'declined'")" -gt 0 ] || bad "not a mix of outcomes"
[ "$(q "select count(*) from svc_applications where status = 'approved' and line != ''")" = "$approved" ] || bad "approved without a line"
[ "$(q "select count(*) from svc_lines")" = "$approved" ] || bad "lines: $(q "select count(*) from svc_lines") for $approved approved"
# The printed counts are the stored ones.
grep -q "150 applicants decided: $approved approved" "$dir/out" || bad "summary: $(grep decided "$dir/out")"
"$S" ledger verify --db "$db" >/dev/null || bad "ledger verify"
# Every decided row read only the schema's features, and no protected one
# is a scorecard characteristic.
/usr/bin/python3 - "$db.files" <<'PY' || bad "protected field in the scorecard"
import json, sys
d = sys.argv[1]
prot = {f["name"] for f in json.load(open(d + "/schema.json"))["features"] if f.get("protected")}
chars = {c["name"] for c in json.load(open(d + "/card.json"))["characteristics"]}
assert prot and not (prot & chars), prot & chars
PY

# Serving: the demo's last step is sparrow serve on its book.
"$S" demo --db "$db" --applicants 30 --history 600 --months 1 --listen 127.0.0.1:0 >"$dir/serve.out" 2>&1 &
pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/serve.out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { bad "demo did not serve: $(tail -3 "$dir/serve.out")"; exit 1; }
key=$(sed -n 's/^  loan_officer *//p' "$dir/serve.out")
curl -sf "http://127.0.0.1:$port/" | grep -qi "<html" || bad "no console page"
code=$(curl -s -o "$dir/b" -w '%{http_code}' -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/applications?status=referred")
[ "$code" = 200 ] || bad "review queue: $code"
b=$(sqlite3 "$db" "select id from svc_borrowers limit 1")
code=$(curl -s -o "$dir/b" -w '%{http_code}' -H "Authorization: Bearer $key" -X POST "http://127.0.0.1:$port/v1/applications" -d "{\"id\":\"X1\",\"borrower\":\"$b\",\"values\":{\"months_in_business\":30}}")
[ "$code" = 201 ] || bad "decision over HTTP: $code $(cat "$dir/b")"
kill "$pid"; wait "$pid" 2>/dev/null; pid=
[ $fails -eq 0 ] || exit 1
echo "cli_demo: all checks passed"
