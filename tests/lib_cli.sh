# Shared by the cli_*.sh scripts (sourced, not run): the check that a
# command refuses bad input. The caller defines BIN, TMP and fail().

# expect_refused SUBCOMMAND NAME PATTERN ARGS...: exit 2, one line on stderr
# matching PATTERN (the option or place it names), nothing on stdout.
expect_refused() {
  local sub=$1 name=$2 pattern=$3
  shift 3
  "$BIN" "$sub" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
  local rc=$?
  [ "$rc" -eq 2 ] || fail "$name: exit $rc, want 2"
  [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] || fail "$name: stderr is not one line"
  grep -q -- "$pattern" "$TMP/bad.err" || fail "$name: stderr lacks '$pattern': $(cat "$TMP/bad.err")"
  [ ! -s "$TMP/bad.out" ] || fail "$name: wrote to stdout"
}
