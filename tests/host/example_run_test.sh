#!/bin/sh
# tests/host/example_run_test.sh -- the counter and pipeline examples through `airssys run`,
# with their own airssys.toml (examples/*/airssys.toml), rewritten only to point at this build's
# modules, the source tree's manifests and a temporary directory for storage and audit.
#   pipeline: --check accepts it; a real run (dev mode) makes the source publish 1..100 (its start
#             message), the sink logs "total: 100 values, sum 338350"; SIGTERM stops it cleanly
#             (exit 0, "pipeline: stopped"), the audit log holds the stages' publications.
#   counter:  each run's start messages add 3; the first run is killed with SIGKILL once both
#             were handled (an acknowledged storage-set is durable), the second starts from
#             "count restored: 3" and stops on SIGTERM, the third starts from 6.
# Every run has --duration as a backstop; every wait is bounded.
# Usage: example_run_test.sh AIRSSYS SOURCE_DIR PIPELINE.wasm COUNTER.wasm
set -u
bin="$1"; src="$2"; pw="$3"; cw="$4"
dir=$(mktemp -d)
# A private runtime directory: the control sockets of concurrent test runs never clash.
export XDG_RUNTIME_DIR="$dir"
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
fail() {
  echo "FAIL: $*"
  for f in "$dir"/out* "$dir"/err*; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done
  exit 1
}
# wait_for FILE PATTERN: up to 10 s for a line matching the fixed string PATTERN.
wait_for() {
  i=0
  while ! grep -qF -- "$2" "$1" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "no '$2' in $1"; sleep 0.1
  done
}

# ---- the pipeline ----
p="$src/examples/pipeline"
sed -e "s|\"../../build/guests/example_pipeline.wasm\"|\"$pw\"|" \
    -e "s|manifest = \"|manifest = \"$p/|" \
    -e "s|\"../../build/pipeline-audit.log\"|\"audit.log\"|" "$p/airssys.toml" > "$dir/pipeline.toml"
grep -q "../../build" "$dir/pipeline.toml" && fail "pipeline.toml not rewritten"
out=$("$bin" run --check "$dir/pipeline.toml") || fail "check rejected: $out"
case "$out" in "ok: pipeline: 3 components, 1 supervisors, 2 subscriptions, 1 start messages"*) ;;
  *) fail "unexpected check output: $out" ;; esac

"$bin" run --dev --interval 100 --duration 20 "$dir/pipeline.toml" > "$dir/out_p" 2>"$dir/err_p" &
pid=$!
wait_for "$dir/err_p" "sink: total: 100 values, sum 338350"
wait_for "$dir/out_p" "pipeline: 3/3 components running"
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=
[ "$rc" -eq 0 ] || fail "pipeline: exit $rc after SIGTERM"
grep -q "pipeline: stopped" "$dir/out_p" || fail "pipeline: no clean stop"
grep -q " 0 crashes | 0 denied" "$dir/out_p" || fail "pipeline: crashes or denials"
grep -q '"component":"source".*"pipeline/raw"' "$dir/audit.log" || fail "no audit of source"
grep -q '"component":"transform".*"pipeline/clean"' "$dir/audit.log" || fail "no audit of transform"

# ---- the counter, killed with SIGKILL ----
c="$src/examples/counter"
sed -e "s|\"../../build/guests/example_counter.wasm\"|\"$cw\"|" \
    -e "s|manifest = \"|manifest = \"$c/|" \
    -e "s|\"../../build/counter-state\"|\"state\"|" \
    -e "s|\"../../build/counter-audit.log\"|\"counter-audit.log\"|" "$c/airssys.toml" > "$dir/counter.toml"
grep -q "../../build" "$dir/counter.toml" && fail "counter.toml not rewritten"
"$bin" run --check "$dir/counter.toml" > /dev/null || fail "counter: check rejected"

"$bin" run --dev --interval 100 --duration 20 "$dir/counter.toml" > "$dir/out_c1" 2>"$dir/err_c1" &
pid=$!
wait_for "$dir/err_c1" "counter: count restored: 0"
wait_for "$dir/out_c1" "| 2 handled |" # both increments returned: their writes are durable
kill -KILL "$pid"
wait "$pid"; rc=$?
pid=
[ "$rc" -eq 137 ] || fail "counter: exit $rc after SIGKILL, want 137"
grep -q "counter: stopped" "$dir/out_c1" && fail "counter: stopped cleanly despite SIGKILL"

"$bin" run --dev --interval 100 --duration 20 "$dir/counter.toml" > "$dir/out_c2" 2>"$dir/err_c2" &
pid=$!
wait_for "$dir/err_c2" "counter: count restored: 3"
wait_for "$dir/out_c2" "| 2 handled |"
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=
[ "$rc" -eq 0 ] || fail "counter: exit $rc after SIGTERM"

"$bin" run --dev --interval 100 --duration 1 "$dir/counter.toml" > "$dir/out_c3" 2>"$dir/err_c3" \
  || fail "counter: third run failed"
grep -qF "counter: count restored: 6" "$dir/err_c3" || fail "counter: third run did not see 6"
echo "example run ok"
