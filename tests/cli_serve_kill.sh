#!/usr/bin/env bash
# SIGKILL under load. Sixteen clients send draws, repayments and credit
# applications at once, each with a key of its own (a quarter of the
# requests are applications sent without one, known by their id), and the
# server is killed in the middle, three times over the same file. After
# each restart, from the file alone: every acknowledged request was
# committed, and nothing was committed that was not sent (the service's
# keys and application ids); each committed draw and repayment is one
# transfer and each application one row; every acknowledged key replays
# its first answer byte for byte, every acknowledged application without a
# key is refused when sent again, and neither moves anything; and the
# ledger verifies.
set -u
. "$(dirname "$0")/lib_serve.sh"
. "$(dirname "$0")/lib_flow.sh"
hand_flow "$dir"
start --flow "$dir/flow.json"

expect "borrower" 201 POST /v1/borrowers "$K_OFF" '{"id":"B1","name":"kill","kind":"enterprise","credit_code":"91330106MA27XY1234"}'
flow_sources B1
expect "line" 201 POST /v1/lines "$K_OFF" '{"id":"L1","borrower":"B1","limit":"100000000.00","daily_rate":"0.02%","date":"2026-01-01"}'
expect "setup draw" 201 POST /v1/lines/L1/draws "$K_APP" '{"amount":"500000.00","at":"2026-01-01T09:00:00+08:00"}' setup

for round in 1 2 3; do
  # The clients; the driver kills the server after `delay` seconds and
  # keeps every request it sent, with the answer if one came.
  $PY - "$port" "$pid" "$K_APP" "$round" "$dir/sent$round.json" <<'PYEOF'
import json, os, signal, sys, threading, time, urllib.error, urllib.request
port, pid, key, rnd, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
sent, lock, dead = [], threading.Lock(), threading.Event()
def client(c):
    n = 0
    while not dead.is_set() and n < 5000:
        n += 1
        k = "k%s-%d-%d" % (rnd, c, n)
        kind = ("draw", "repay", "apply", "apply0")[n % 4]
        if kind == "draw":
            path, body = "/v1/lines/L1/draws", {"amount": "1.00", "at": "2026-01-01T10:00:00+08:00"}
        elif kind == "repay":
            path, body = "/v1/lines/L1/repayments", {"amount": "0.01", "at": "2026-01-01T11:00:00+08:00"}
        else:
            path, body = "/v1/applications", {"id": k, "borrower": "B1", "values": {"months_in_business": 36}}
        data = json.dumps(body).encode()
        rec = {"key": k, "kind": kind, "path": path, "body": body, "status": None, "answer": None}
        with lock:
            sent.append(rec)
        headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
        if kind != "apply0":
            headers["Idempotency-Key"] = k
        req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=data, method="POST",
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                rec["status"], rec["answer"] = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            rec["status"], rec["answer"] = e.code, e.read().decode()
        except Exception:
            return  # the server is gone
threads = [threading.Thread(target=client, args=(c,)) for c in range(16)]
for t in threads:
    t.start()
time.sleep(0.6 + 0.3 * int(rnd))
os.kill(pid, signal.SIGKILL)
dead.set()
for t in threads:
    t.join()
json.dump(sent, open(out, "w"))
acked = sum(1 for r in sent if r["status"] == 201)
other = [r for r in sent if r["status"] not in (None, 201)]
if other:
    raise SystemExit("round %s: answers other than 201 before the kill: %s" % (rnd, other[:3]))
if acked < 50:
    raise SystemExit("round %s: only %d requests acknowledged before the kill" % (rnd, acked))
PYEOF
  [ $? -eq 0 ] && ok || bad "round $round: load"
  wait "$pid" 2>/dev/null
  pid=
  # From the file alone, before the server opens it again.
  sqlite3 "$db" "select key from svc_idempotency" >"$dir/keys$round"
  sqlite3 "$db" "select id from svc_applications" >"$dir/apps$round"
  draws=$(sqlite3 "$db" "select count(*) - 1 from transfers where code = 1")
  repays=$(sqlite3 "$db" "select count(*) from transfers where code = 2")
  $PY - "$dir/sent$round.json" "$dir/keys$round" "$draws" "$repays" "$dir/apps$round" "$round" <<'PYEOF' && ok || bad "round $round: what the file holds"
import json, sys
sent = json.load(open(sys.argv[1]))
keys = set(open(sys.argv[2]).read().split()) - {"setup"}
draws, repays, rnd = int(sys.argv[3]), int(sys.argv[4]), sys.argv[6]
app_ids = open(sys.argv[5]).read().split()
assert len(app_ids) == len(set(app_ids)), "an application stored twice"
app_ids = set(app_ids)
by_key = {r["key"]: r for r in sent}
# all rounds so far: earlier rounds' keys are in the file too
for k in range(1, int(rnd)):
    for r in json.load(open(sys.argv[1].replace("sent%s" % rnd, "sent%d" % k))):
        by_key.setdefault(r["key"], r)
acked = {r["key"] for r in by_key.values() if r["status"] == 201}
keyless = {k for k, r in by_key.items() if r["kind"] == "apply0"}
lost = (acked - keyless) - keys
stray = keys - (set(by_key) - keyless)
assert not lost, "acknowledged but not in the file: %s" % sorted(lost)[:5]
assert not stray, "in the file but never sent: %s" % sorted(stray)[:5]
lost = (acked & keyless) - app_ids
stray = app_ids - {k for k, r in by_key.items() if r["kind"] in ("apply", "apply0")}
assert not lost, "applications acknowledged but not in the file: %s" % sorted(lost)[:5]
assert not stray, "applications in the file but never sent: %s" % sorted(stray)[:5]
count = lambda kind: sum(1 for k in keys if by_key[k]["kind"] == kind)
assert draws == count("draw"), (draws, count("draw"))
assert repays == count("repay"), (repays, count("repay"))
assert app_ids - keyless == {k for k in keys if by_key[k]["kind"] == "apply"}, "applications and their keys differ"
committed = len([k for k in keys | app_ids if k.startswith("k%s-" % rnd)])
print("round %s: %d sent, %d acknowledged, %d committed" % (rnd, len(sent), len([r for r in sent if r["status"] == 201]), committed))
PYEOF
  "$S" ledger verify --db "$db" | grep -q '"ok":true' && ok || bad "round $round: ledger verify"
  start --flow "$dir/flow.json"
  # Every acknowledged key replays its first answer, every acknowledged
  # application without a key is refused by its id, and neither moves
  # anything.
  before=$(sqlite3 "$db" "select count(*) from transfers; select count(*) from svc_applications")
  $PY - "$port" "$K_APP" "$dir/sent$round.json" <<'PYEOF' && ok || bad "round $round: replays"
import json, sys, urllib.error, urllib.request
port, key = sys.argv[1], sys.argv[2]
for r in json.load(open(sys.argv[3])):
    if r["status"] != 201:
        continue
    headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
    if r["kind"] != "apply0":
        headers["Idempotency-Key"] = r["key"]
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, r["path"]), data=json.dumps(r["body"]).encode(),
                                 method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, got = resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        status, got = e.code, e.read().decode()
    if r["kind"] == "apply0":
        assert status == 409 and json.loads(got)["error"]["field"] == "id", (r["key"], status, got)
    else:
        assert status == 201 and got == r["answer"], (r["key"], status, got, r["answer"])
PYEOF
  after=$(sqlite3 "$db" "select count(*) from transfers; select count(*) from svc_applications")
  [ "$before" = "$after" ] && ok || bad "round $round: replays moved something: $before -> $after"
done
stop
"$S" ledger verify --db "$db" | grep -q '"ok":true' && ok || bad "ledger verify at the end"
echo "cli_serve_kill: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
