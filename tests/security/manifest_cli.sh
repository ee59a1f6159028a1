#!/bin/sh
# tests/security/manifest_cli.sh -- `airssys manifest check`: "ok: <name> <version>" and exit 0
# for a valid manifest (the complete example of docs/manifest.md), "FILE:LINE:COLUMN: message"
# and exit 1 for an invalid one, exit 1 for a missing file, exit 2 for bad usage.
set -u
bin="$1"
doc="$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The first ```toml block of docs/manifest.md is the complete example.
awk '/^```toml/ {if (!done) {on=1; next}} /^```/ {if (on) {on=0; done=1}} on' "$doc" > "$dir/Component.toml"
[ -s "$dir/Component.toml" ] || fail "no toml example in $doc"
out=$("$bin" manifest check "$dir/Component.toml") || fail "example rejected: $out"
case "$out" in "ok: "*) ;; *) fail "unexpected output: $out" ;; esac

printf '[component]\nname = "c"\nversion = "1.0.0"\n[capabilities]\nfilesystem = [ { path = "data", permissions = ["read"] } ]\n' > "$dir/bad.toml"
err=$("$bin" manifest check "$dir/bad.toml" 2>&1 >/dev/null)
rc=$?
[ "$rc" -eq 1 ] || fail "invalid manifest: exit $rc"
case "$err" in "$dir/bad.toml:5:25: "*) ;; *) fail "unexpected error text: $err" ;; esac

"$bin" manifest check "$dir/missing.toml" 2>/dev/null
[ $? -eq 1 ] || fail "missing file: wrong exit status"
"$bin" manifest frobnicate 2>/dev/null
[ $? -eq 2 ] || fail "bad usage: wrong exit status"
echo "manifest cli ok"
