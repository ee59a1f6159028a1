#!/bin/sh
# tests/wasm/cli/wasi_hostile.sh AIRSSYS PROBE_WASM -- a guest trying to leave its pre-open:
# `..`, absolute paths, symlinks (to a directory outside, to a file outside, absolute, loops),
# a path through a symlinked directory. Each escape fails with ENOTCAPABLE (76) or ELOOP (32);
# legitimate accesses (including symlinks that stay inside) work; the outside is untouched.
set -u
A=$1 G=$2
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/sb/sub" "$T/outside"
echo secret > "$T/outside/secret"
echo ok > "$T/sb/ok.txt"
ln -s ../outside "$T/sb/link_out"
ln -s ../outside/secret "$T/sb/link_file"
ln -s "$T/outside/secret" "$T/sb/link_abs"
ln -s /etc/passwd "$T/sb/link_etc"
ln -s ok.txt "$T/sb/inlink"
ln -s sub "$T/sb/subl"
ln -s ../ok.txt "$T/sb/sub/up"
ln -s ../../outside/secret "$T/sb/sub/up2"
ln -s loop1 "$T/sb/loop2"
ln -s loop2 "$T/sb/loop1"

"$A" wasm run --dir "$T/sb:/sandbox" "$G" \
    raw:ok.txt raw:../outside/secret raw:sub/../../outside/secret raw:/etc/passwd \
    raw:link_out/secret raw:link_file raw:link_abs raw:link_etc rawnf:link_file raw:inlink \
    raw:subl/../ok.txt raw:sub/up raw:subl/up raw:subl/up2 raw:loop1 raw:sub/ raw:ok.txt/ \
    raw:nonexist raw:./sub/./../ok.txt \
    open:/sandbox/../outside/secret open:/etc/passwd read:/sandbox/link_file \
    read:/sandbox/subl/up list:/sandbox/link_out list:/sandbox/subl \
    create:/sandbox/link_out/new create:/sandbox/subl/new.txt symlink:/etc=/sandbox/abs2 \
    rename:/sandbox/ok.txt=/sandbox/link_out/stolen unlink:/sandbox/link_out/secret \
    stat:/sandbox/link_out mkdir:/sandbox/link_out/d > "$T/out" 2> "$T/err"
st=$?
cat > "$T/want" <<'EOW'
raw:ok.txt = 0
raw:../outside/secret = 76
raw:sub/../../outside/secret = 76
raw:/etc/passwd = 76
raw:link_out/secret = 76
raw:link_file = 76
raw:link_abs = 76
raw:link_etc = 76
rawnf:link_file = 32
raw:inlink = 0
raw:subl/../ok.txt = 0
raw:sub/up = 0
raw:subl/up = 0
raw:subl/up2 = 76
raw:loop1 = 32
raw:sub/ = 0
raw:ok.txt/ = 54
raw:nonexist = 44
raw:./sub/./../ok.txt = 0
open:/sandbox/../outside/secret = 76
open:/etc/passwd = 76
read:/sandbox/link_file = 76
  > ok
read:/sandbox/subl/up = 0
list:/sandbox/link_out = 76
  - up
  - up2
list:/sandbox/subl = 0
create:/sandbox/link_out/new = 76
create:/sandbox/subl/new.txt = 0
symlink:/etc=/sandbox/abs2 = 76
rename:/sandbox/ok.txt=/sandbox/link_out/stolen = 76
unlink:/sandbox/link_out/secret = 76
stat:/sandbox/link_out = 76
mkdir:/sandbox/link_out/d = 76
EOW
if ! diff "$T/want" "$T/out"; then echo "FAIL: output differs"; cat "$T/err"; exit 1; fi
[ "$st" -eq 0 ] || { echo "FAIL: exit $st"; exit 1; }
[ "$(ls "$T/outside")" = "secret" ] || { echo "FAIL: outside changed"; ls -la "$T/outside"; exit 1; }
[ -f "$T/sb/sub/new.txt" ] || { echo "FAIL: legit create through a symlinked dir"; exit 1; }
[ ! -e "$T/sb/abs2" ] || { echo "FAIL: absolute symlink created"; exit 1; }
echo "ok"
