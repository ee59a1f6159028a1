#!/bin/sh
# tests/security/cli_sec_test.sh -- the security commands of the airssys CLI end to end:
# keygen, sign, verify (good, tampered module, tampered manifest, wrong key), approvals
# (list, show, review, inflation rejected, approve fewer, deny after approve refused) and
# audit tail with filters. Usage: cli_sec_test.sh path/to/airssys
set -u
A="$1"
T=$(mktemp -d /tmp/asw_cli_sec_XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
expect() { # expect STATUS command...
    want=$1; shift
    "$@" >"$T/out" 2>"$T/err"; got=$?
    [ "$got" -eq "$want" ] || { cat "$T/out" "$T/err"; fail "'$*' exited $got, expected $want"; }
}

expect 0 "$A" keygen "$T/k"
[ -f "$T/k.key" ] && [ -f "$T/k.pub" ] || fail "keygen wrote no files"
expect 1 "$A" keygen "$T/k"                 # never overwrites a key
expect 0 "$A" keygen "$T/other"
printf '\0asm\1\0\0\0' >"$T/m.wasm"
printf '[component]\nname = "m"\n' >"$T/Component.toml"
expect 0 "$A" sign --key "$T/k.key" --manifest "$T/Component.toml" "$T/m.wasm"
expect 0 "$A" verify --key "$T/k.pub" --manifest "$T/Component.toml" "$T/m.wasm"
grep -q "OK:" "$T/out" || fail "verify printed no OK"
expect 1 "$A" verify --key "$T/other.pub" --manifest "$T/Component.toml" "$T/m.wasm"
grep -q "expected key" "$T/err" || fail "wrong key not reported"
printf '\0asm\1\0\0\1' >"$T/m.wasm"
expect 1 "$A" verify --key "$T/k.pub" --manifest "$T/Component.toml" "$T/m.wasm"
grep -q "module was modified" "$T/err" || fail "tampered module not reported"
printf '\0asm\1\0\0\0' >"$T/m.wasm"
printf '[component]\nname = "evil"\n' >"$T/Component.toml"
expect 1 "$A" verify --key "$T/k.pub" --manifest "$T/Component.toml" "$T/m.wasm"
grep -q "manifest was modified" "$T/err" || fail "tampered manifest not reported"
expect 2 "$A" sign "$T/m.wasm"

# Approvals: a pending request written in the documented store format.
S="$T/store"; mkdir "$S"
ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
cat >"$S/$ID.json" <<JSON
{"id":"$ID","state":"pending","component":"comp-x","source":"/opt/x.wasm",
 "module_sha256":"00","trust":"unknown",
 "requested":["fs read,write /data/**","net connect api.example.com:443"],"granted":[],
 "created":1,"updated":1}
JSON
expect 0 "$A" approvals --store "$S" list
grep -q "0123456789abcdef  pending" "$T/out" || fail "list: $(cat "$T/out")"
expect 0 "$A" approvals --store "$S" show 01234567
grep -q "net connect api.example.com:443" "$T/out" || fail "show lacks capabilities"
expect 0 "$A" approvals --store "$S" review "$ID" --by alice
expect 1 "$A" approvals --store "$S" approve "$ID" --by alice --grant "fs read,write,delete /data/**"
grep -q "capability inflation" "$T/err" || fail "inflation not rejected"
expect 1 "$A" approvals --store "$S" approve "$ID" --grant "net connect *:443"
expect 0 "$A" approvals --store "$S" approve "$ID" --by alice --grant "fs read /data/**"
expect 0 "$A" approvals --store "$S" show "$ID"
grep -q "state:     approved" "$T/out" || fail "not approved"
grep -A1 "granted:" "$T/out" | grep -q "fs read /data/" || fail "grant not stored"
expect 1 "$A" approvals --store "$S" deny "$ID" --reason late
expect 2 "$A" approvals list
expect 2 "$A" approvals --store "$S" show
expect 1 "$A" approvals --store "$S" show ffffffffff

# Audit tail with filters.
L="$T/audit.log"
for i in 1 2 3; do
  echo "{\"time\":\"2024-01-01T00:00:0$i.000000Z\",\"kind\":\"capability\",\"component\":\"a\",\"resource\":\"/r$i\",\"permission\":\"read\",\"result\":\"denied\",\"reason\":\"no\"}" >>"$L"
done
echo "{\"time\":\"2024-01-01T00:00:09.000000Z\",\"kind\":\"capability\",\"component\":\"b\",\"resource\":\"/rb\",\"permission\":\"read\",\"result\":\"granted\",\"reason\":\"yes\"}" >>"$L"
echo "garbage" >>"$L"
expect 0 "$A" audit tail -n 2 --component a "$L"
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "tail -n 2 printed $(wc -l <"$T/out") lines"
grep -q "/r3" "$T/out" && ! grep -q "/r1" "$T/out" || fail "tail did not keep the last lines"
grep -q "1 malformed" "$T/err" || fail "malformed line not counted"
expect 0 "$A" audit tail --result granted "$L"
grep -q "/rb" "$T/out" && ! grep -q "/r2" "$T/out" || fail "result filter"
expect 1 "$A" audit tail "$T/missing.log"
expect 2 "$A" audit tail
echo "cli security ok"
