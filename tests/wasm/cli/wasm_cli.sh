#!/bin/sh
# tests/wasm/cli/wasm_cli.sh AIRSSYS OPS_WASM -- `airssys wasm invoke / validate / inspect`:
# argument parsing per parameter type, result printing (NaN payloads, multi-value), a trap with
# its backtrace (exit 134), proc_exit's code, usage errors (2), invalid modules (1).
set -u
A=$1 G=$2
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
bad=0
inv() { # want args...
    want=$1
    shift
    got=$("$A" wasm invoke "$G" "$@" 2> "$T/err" | tr '\n' ' ')
    if [ "$got" != "$want " ]; then echo "FAIL: invoke $*: got '$got', want '$want '"; bad=1; fi
}
inv "-3" add 2 -5
inv "0" add 4294967295 1
inv "-2147483648" add 2147483647 1
inv "-9223372036854775808" add64 9223372036854775807 1
inv "0.100000001" f32id 0.1
inv "nan" f32id nan
inv "nan:0x200001" f32id nan:0x200001
inv "-nan:0x1" f64id -nan:0x1
inv "-inf" f64id -inf
inv "1.5" f64id 0x1.8p0
inv "-1 0.10000000000000001" two

"$A" wasm invoke "$G" boom > /dev/null 2> "$T/err"
st=$?
[ $st -eq 134 ] || { echo "FAIL: boom exit $st"; bad=1; }
grep -q "^trap: unreachable" "$T/err" || { echo "FAIL: boom message"; cat "$T/err"; bad=1; }
grep -q "at #1 boom" "$T/err" || { echo "FAIL: boom backtrace"; cat "$T/err"; bad=1; }
"$A" wasm invoke "$G" quit > /dev/null 2>&1
[ $? -eq 42 ] || { echo "FAIL: quit exit code"; bad=1; }
for args in "add 1" "add x 1" "add 4294967296 0" "f32id nan:0x800000" "nosuch" ; do
    # shellcheck disable=SC2086
    "$A" wasm invoke "$G" $args > /dev/null 2>&1
    st=$?
    if [ "$args" = "nosuch" ]; then want=1; else want=2; fi
    [ $st -eq $want ] || { echo "FAIL: invoke $args: exit $st, want $want"; bad=1; }
done

[ "$("$A" wasm validate "$G")" = "ok" ] || { echo "FAIL: validate"; bad=1; }
head -c 20 "$G" > "$T/bad.wasm"
"$A" wasm validate "$T/bad.wasm" > "$T/out" 2>&1
[ $? -eq 1 ] && grep -q "bad.wasm: " "$T/out" || { echo "FAIL: validate bad"; cat "$T/out"; bad=1; }
printf 'not wasm at all' > "$T/junk.wasm"
"$A" wasm validate "$T/junk.wasm" > /dev/null 2>&1; [ $? -eq 1 ] || { echo "FAIL: junk"; bad=1; }

"$A" wasm inspect "$G" > "$T/out" 2>&1 || { echo "FAIL: inspect exit"; bad=1; }
for want in "  imports 1 (functions 1)" "  exports 9" \
            "  wasi_snapshot_preview1.proc_exit: func (i32) -> ()" \
            "  add: func (i32, i32) -> (i32)" "  two: func () -> (i32, f64)" \
            "  memory: memory 1..2 pages" "  counter: global mut i32" "custom sections:"; do
    grep -qxF "$want" "$T/out" || { echo "FAIL: inspect lacks '$want'"; bad=1; }
done
grep -q '^  "name" (' "$T/out" || { echo "FAIL: inspect custom section"; cat "$T/out"; bad=1; }
"$A" wasm > /dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: no subcommand"; bad=1; }
"$A" wasm frobnicate > /dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: unknown subcommand"; bad=1; }
[ $bad -eq 0 ] && echo "ok"
exit $bad
