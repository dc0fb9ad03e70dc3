#!/usr/bin/env bash
# Crash safety of close of day: a book is closed for 120 days (several
# commits) while being killed with SIGKILL at random moments; after each
# kill the same close-day is run again. The result must be identical, row
# for row, to the same book closed without interruption, and the ledger
# invariant must hold after every kill.
set -u
S="${SPARROW_BIN:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# A portfolio of about 1,600 lines (the approved of 3,000 applicants),
# closed through 2026-02-05.
"$S" demo --db "$dir/base.db" --applicants 3000 --history 600 --months 1 --seed 7 --no-serve >/dev/null || { echo "demo failed"; exit 1; }
dump() {
  sqlite3 "$1" "select chunk, hex(sums) from balance_chunks order by chunk; select count(*), sum(amount) from transfers;
                select no, hex(data) from records order by no;
                select chunk, hex(data) from record_states order by chunk; select * from meta;"
}
cp "$dir/base.db" "$dir/ref.db"
t0=$(date +%s%N)
"$S" close-day --db "$dir/ref.db" --date 2026-06-05 >/dev/null || bad "reference close-day"
close_ms=$((($(date +%s%N) - t0) / 1000000))
dump "$dir/ref.db" >"$dir/ref.txt"

count() { sqlite3 "$1" "select count(*) from transfers"; }
first=$(count "$dir/base.db") full=$(count "$dir/ref.db") partial=0
ms=$((close_ms * 60 / 100))
for attempt in 1 2 3 4 5 6 7 8; do
  cp "$dir/base.db" "$dir/crash.db"
  "$S" close-day --db "$dir/crash.db" --date 2026-06-05 >/dev/null 2>&1 &
  pid=$!
  # Kill it part-way through (it commits every ~57,000 transfers). The delay
  # adapts to this machine's speed: longer after a kill that came before
  # the first commit, shorter after one that came too late.
  sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  "$S" ledger verify --db "$dir/crash.db" >/dev/null && ok || bad "invariant after kill $attempt"
  now=$(count "$dir/crash.db")
  if [ "$now" -le "$first" ]; then
    ms=$((ms * 3 / 2))
  elif [ "$now" -ge "$full" ]; then
    ms=$((ms * 3 / 5))
  else
    partial=$((partial + 1))
    ms=$((ms * (80 + RANDOM % 41) / 100))
  fi
  "$S" close-day --db "$dir/crash.db" --date 2026-06-05 >/dev/null || bad "rerun $attempt"
  dump "$dir/crash.db" >"$dir/crash.txt"
  cmp -s "$dir/ref.txt" "$dir/crash.txt" && ok || bad "attempt $attempt: book differs from the uninterrupted one"
done
echo "# $partial of 8 kills left a partly closed book ($first -> $full transfers)"
[ $partial -ge 1 ] && ok || bad "no kill landed between commits: the test proved nothing"
echo "cli_crash: $passes passed, $fails failed"
[ $fails -eq 0 ]
