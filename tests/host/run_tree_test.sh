#!/bin/sh
# tests/host/run_tree_test.sh -- `airssys run` with a [[supervisor]] tree and its control socket,
# on the README demo system (examples/demo/airssys.toml, rewritten only to point at this build's
# modules and the source tree's manifests):
#   --check prints the tree; a real run (dev mode, --control in a temporary directory) starts
#   it; the ticker's "trap" crashes misbehave and the one-for-all supervisor "workers" restarts
#   tally with it (fresh instances) while the ticker is left alone; `airssys ps` and
#   `airssys ps --json` name every component with its supervisor; the socket is mode 0600; a
#   second run on the same socket is refused; SIGUSR1 still prints the table; SIGTERM stops it
#   cleanly (exit 0) and removes the socket; ps then fails. A stale socket is replaced.
# Usage: run_tree_test.sh AIRSSYS SOURCE_DIR DEMO.wasm MISBEHAVE.wasm
set -u
bin="$1"; src="$2"; dw="$3"; mw="$4"
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
fail() {
  echo "FAIL: $*"
  for f in "$dir"/out* "$dir"/err*; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done
  exit 1
}
# wait_for FILE PATTERN: up to 15 s for a line matching the fixed string PATTERN.
wait_for() {
  i=0
  while ! grep -qF -- "$2" "$1" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 150 ] && fail "no '$2' in $1"; sleep 0.1
  done
}

d="$src/examples/demo"
sed -e "s|\"../../build/guests/example_demo.wasm\"|\"$dw\"|" \
    -e "s|\"../../build/guests/example_misbehave.wasm\"|\"$mw\"|" \
    -e "s|manifest = \"|manifest = \"$d/|" "$d/airssys.toml" > "$dir/demo.toml"
grep -q "../../build" "$dir/demo.toml" && fail "demo.toml not rewritten"
out=$("$bin" run --check "$dir/demo.toml") || fail "check rejected: $out"
echo "$out" | grep -q "^    workers (supervisor, one-for-all, 10 restarts in 10000 ms)" \
  || fail "tree not printed: $out"

sock="$dir/ctl.sock"
: > "$dir/not-a-socket"
err=$("$bin" run --dev --control "$dir/not-a-socket" --duration 5 "$dir/demo.toml" 2>&1 >/dev/null)
[ $? -eq 1 ] || fail "a regular file as --control was accepted"
case "$err" in *"is not a socket"*) ;; *) fail "unexpected error: $err" ;; esac

"$bin" run --dev --control "$sock" --interval 100 --duration 30 "$dir/demo.toml" \
  > "$dir/out" 2> "$dir/err" &
pid=$!
wait_for "$dir/out" "demo: 3/3 components running"
[ -S "$sock" ] || fail "no control socket"
[ "$(stat -c %a "$sock")" = 600 ] || fail "socket mode $(stat -c %a "$sock")"
# The 5th tick crashes misbehave; one-for-all restarts tally too.
wait_for "$dir/err" "misbehave: restarted with a fresh instance"
wait_for "$dir/err" "tally: restarted with a fresh instance"
grep -q "ticker: restarted" "$dir/err" && fail "ticker was restarted"

"$bin" ps --control "$sock" > "$dir/out_ps" || fail "ps failed"
head -1 "$dir/out_ps" | grep -q "^NAME *SUPERVISOR *STATE *RESTARTS" || fail "ps header"
grep -q "^ticker  *demo  *running  *0 " "$dir/out_ps" || fail "ps: ticker row"
grep -q "^tally  *workers  *running " "$dir/out_ps" || fail "ps: tally row"
grep -q "^misbehave  *workers " "$dir/out_ps" || fail "ps: misbehave row"
"$bin" ps --json --control "$sock" > "$dir/out_json" || fail "ps --json failed"
grep -q '^{"system":"demo","pid":'"$pid"',"components":\[' "$dir/out_json" || fail "json head"
grep -q '"name":"tally","supervisor":"workers","state":"running"' "$dir/out_json" \
  || fail "json: tally"
grep -q '"name":"ticker","supervisor":"demo"' "$dir/out_json" || fail "json: ticker"
grep -q '"memory_limit_bytes":2097152' "$dir/out_json" || fail "json: misbehave memory limit"

# A second instance on the same socket is refused.
err=$("$bin" run --dev --control "$sock" --duration 5 "$dir/demo.toml" 2>&1 >/dev/null)
[ $? -eq 1 ] || fail "second instance not refused"
case "$err" in *"held by a running system"*) ;; *) fail "unexpected error: $err" ;; esac

kill -USR1 "$pid"
wait_for "$dir/out" "LAST ERROR"
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=
[ "$rc" -eq 0 ] || fail "exit $rc after SIGTERM"
grep -q "demo: stopped" "$dir/out" || fail "no clean stop"
[ -e "$sock" ] && fail "socket not removed"
"$bin" ps --control "$sock" > /dev/null 2>&1 && fail "ps succeeded with no system"

# A stale socket (left by a killed run) is replaced.
"$bin" run --dev --control "$sock" --interval 100 --duration 30 "$dir/demo.toml" \
  > "$dir/out2" 2> "$dir/err2" &
pid=$!
wait_for "$dir/out2" "components running"
kill -KILL "$pid"; wait "$pid" 2>/dev/null
pid=
[ -S "$sock" ] || fail "killed run left no socket (test premise)"
"$bin" run --dev --control "$sock" --duration 1 "$dir/demo.toml" > "$dir/out3" 2> "$dir/err3" \
  || fail "stale socket not replaced: $(cat "$dir/err3")"
grep -q "demo: stopped" "$dir/out3" || fail "third run: no clean stop"
echo "run tree ok"
