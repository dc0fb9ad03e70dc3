# Shared by the sparrow serve tests (sourced, not run): a temporary
# directory, keys for every role, starting and stopping the real server on
# a free loopback port, requests with curl, and checks of statuses and of
# the JSON error shape with the ledger unchanged.
S="${SPARROW_BIN:?}"
PY=/usr/bin/python3
command -v curl >/dev/null || { echo "cli_serve: curl not installed, skipped"; exit 0; }
dir=$(mktemp -d)
pid=
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=; }
trap 'stop; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
db="$dir/book.db"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

K_APP=app-key-0123456789abcdef K_OFF=officer-key-0123456789ab K_RISK=risk-key-0123456789abcd
K_AUD=auditor-key-0123456789ab K_ADM=admin-key-0123456789abcd
cat >"$dir/keys.json" <<JSON
{"$K_APP":"applicant_app","$K_OFF":"loan_officer","$K_RISK":"risk_manager",
 "$K_AUD":"auditor","$K_ADM":"admin"}
JSON

# start [EXTRA SERVE OPTIONS]: starts the server on a free port ($port).
start() {
  "$S" serve --db "$db" --listen 127.0.0.1:0 --keys "$dir/keys.json" "$@" >"$dir/serve.out" 2>"$dir/serve.err" &
  pid=$!
  port=
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/serve.out")
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "server did not start: $(cat "$dir/serve.err")"
  exit 1
}

# req METHOD PATH KEY [BODY [IDEMPOTENCY-KEY]]: status on stdout, body in $dir/b.
req() {
  local args=(-s -o "$dir/b" -w '%{http_code}' -X "$1" "http://127.0.0.1:$port$2")
  [ -n "${3:-}" ] && args+=(-H "Authorization: Bearer $3")
  [ -n "${4:-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
  [ -n "${5:-}" ] && args+=(-H "Idempotency-Key: $5")
  # REQ_CHUNKED=1: the body sent chunked (curl then sends no Content-Length)
  [ -n "${REQ_CHUNKED:-}" ] && args+=(-H "Transfer-Encoding: chunked")
  curl "${args[@]}"
}
# j EXPR: evaluates a Python expression over the last body (as d).
j() { $PY -c "import json,sys; d=json.load(open('$dir/b')); print(($1))"; }
# expect NAME STATUS METHOD PATH KEY [BODY [IDEM]]: checks the status.
expect() {
  local name=$1 want=$2
  shift 2
  local got
  got=$(req "$@")
  [ "$got" = "$want" ] && ok || bad "$name: status $got, want $want: $(head -c 300 "$dir/b")"
}
# expect_err NAME STATUS CODE FIELD METHOD PATH KEY [BODY [IDEM]]: the error
# shape names the field, and the ledger has the same transfers.
transfers() { sqlite3 "$db" "select count(*) from transfers"; }
expect_err() {
  local name=$1 want=$2 code=$3 field=$4
  shift 4
  local before got after
  before=$(transfers)
  got=$(req "$@")
  after=$(transfers)
  [ "$got" = "$want" ] || { bad "$name: status $got, want $want: $(head -c 300 "$dir/b")"; return; }
  [ "$(j "d['error']['code']")" = "$code" ] || { bad "$name: code $(j "d['error']['code']"), want $code"; return; }
  [ "$(j "d['error']['field']")" = "$field" ] || { bad "$name: field $(j "d['error']['field']"), want $field"; return; }
  [ "$before" = "$after" ] || { bad "$name: transfers changed"; return; }
  ok
}

