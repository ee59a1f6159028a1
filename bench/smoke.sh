#!/bin/sh
# bench/smoke.sh <builddir> -- the bench_smoke test: runs every bench program of the build in
# quick mode (ASW_BENCH_QUICK=1) and checks that each exits 0 and prints at least one valid
# metric line (bench/benchcmp.c --check), so benchmarks never rot. Peers (bench/peers/*.sh) are
# not run: they need tools the test suite does not require.
set -eu
build=$1
list=$build/bench/benches.list
cmp=$build/bench/benchcmp
[ -f "$list" ] && [ -x "$cmp" ] || { echo "smoke: $list or $cmp missing" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
ASW_BENCH_QUICK=1
export ASW_BENCH_QUICK
failed=0
while IFS= read -r exe; do
    [ -n "$exe" ] || continue
    name=$(basename "$exe")
    start=$(date +%s)
    if ! timeout 60 "$exe" >"$tmp/$name.jsonl" 2>"$tmp/$name.err" </dev/null; then
        echo "smoke: $name failed:" >&2
        cat "$tmp/$name.err" >&2
        failed=1
        continue
    fi
    if ! "$cmp" --check "$tmp/$name.jsonl" >/dev/null; then
        echo "smoke: $name printed invalid metric lines" >&2
        failed=1
        continue
    fi
    echo "smoke: $name ok ($(grep -c . "$tmp/$name.jsonl") metrics, $(($(date +%s) - start)) s)"
done <"$list"
exit $failed
