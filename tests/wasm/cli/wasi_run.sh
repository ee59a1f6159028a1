#!/bin/sh
# tests/wasm/cli/wasi_run.sh AIRSSYS NORMAL_WASM -- `airssys wasm run` on an ordinary C program:
# arguments, --env, --dir HOST:GUEST, files created on the host, stdout/stderr, exit status 7.
set -u
A=$1 G=$2
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
mkdir "$T/sb"
echo "input line" > "$T/sb/input.txt"
: > "$T/sb/gone.txt"
fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$T/out"; echo "--- stderr"; cat "$T/err"; exit 1; }

"$A" wasm run --dir "$T/sb:/sandbox" --env FOO=bar --env EMPTY= "$G" one "two words" \
    > "$T/out" 2> "$T/err"
st=$?
[ "$st" -eq 7 ] || fail "exit status $st, want 7"
cat > "$T/want" <<'EOW'
hello from normal
argc=3
argv[1]=one
argv[2]=two words
FOO=bar
malloc ok 1
slept ok
realtime ok
cputime ok
random ok
tell=6
read: file
size=11
entry: moved.txt
input: input line
EOW
diff "$T/want" "$T/out" > "$T/diff" || { cat "$T/diff"; fail "stdout differs"; }
grep -qx "to stderr" "$T/err" || fail "stderr"
[ -f "$T/sb/sub/moved.txt" ] || fail "moved.txt not on the host"
[ "$(cat "$T/sb/sub/moved.txt")" = "hello file" ] || fail "moved.txt content"
[ ! -e "$T/sb/gone.txt" ] || fail "gone.txt still there"

# Without the pre-open the program cannot open /sandbox/out.txt (exit 103 from the guest).
"$A" wasm run "$G" > "$T/out" 2> "$T/err"
st=$?
[ "$st" -eq 103 ] || fail "no --dir: exit status $st, want 103"

# Usage errors exit 2; a missing file exits 1.
"$A" wasm run --dir > /dev/null 2>&1; [ $? -eq 2 ] || fail "--dir without a value"
"$A" wasm run --env NOEQ "$G" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--env NOEQ"
"$A" wasm run --max-memory 0 "$G" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--max-memory 0"
"$A" wasm run "$T/nonexistent.wasm" > /dev/null 2>&1; [ $? -eq 1 ] || fail "missing file"
"$A" wasm run --dir "$T/nonexistent" "$G" > /dev/null 2>&1; [ $? -eq 1 ] || fail "missing dir"
# Memory limit below what the module declares: refused before it runs.
"$A" wasm run --max-memory 64KiB "$G" > /dev/null 2> "$T/err"
[ $? -eq 1 ] && grep -q "limit" "$T/err" || fail "--max-memory 64KiB"
echo "ok"
