#!/bin/sh
# tests/wasm/cli/wasi_limits.sh AIRSSYS LOOP_WASM -- --fuel and --timeout stop an endless guest:
# exit status 134, the trap ("out of fuel" / "interrupted") and a backtrace on stderr that
# names the guest's functions.
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
# The guest build keeps the name section (cmake/AswGuest.cmake), so the frame is named:
# "  at #0 <name> (func N, offset 0x..)", not "  at #0 func N (offset 0x..)".
grep -Eq "  at #0 [A-Za-z_][^ ]* \(func [0-9]+, offset 0x" "$T/err" ||
    fail "fuel: the backtrace does not name the guest function (name section lost?)"
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
