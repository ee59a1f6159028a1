#!/bin/sh
# tests/wasm/cli/wasi_limits.sh AIRSSYS LOOP_WASM -- --fuel and --timeout stop an endless guest:
# exit status 134, the trap ("out of fuel" / "interrupted") and a backtrace on stderr.
set -u
A=$1 G=$2
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; cat "$T/err"; exit 1; }

"$A" wasm run --fuel 1000000 "$G" > "$T/out" 2> "$T/err"
st=$?
[ "$st" -eq 134 ] || fail "fuel: exit $st, want 134"
grep -q "^trap: out of fuel" "$T/err" || fail "fuel: no trap message"
grep -q "  at #0 " "$T/err" || fail "fuel: no backtrace"
grep -qx "looping" "$T/out" || fail "fuel: the guest did not start"

start=$(date +%s)
"$A" wasm run --timeout 0.3 "$G" > "$T/out" 2> "$T/err"
st=$?
end=$(date +%s)
[ "$st" -eq 134 ] || fail "timeout: exit $st, want 134"
grep -q "^trap: interrupted" "$T/err" || fail "timeout: no trap message"
[ $((end - start)) -le 5 ] || fail "timeout: took $((end - start)) s"
"$A" wasm run --timeout -1 "$G" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--timeout -1"
"$A" wasm run --fuel abc "$G" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--fuel abc"
echo "ok"
