#!/bin/sh
# tests/wasm/spec/run_wast.sh -- converts .wast scripts with wabt's wast2json and runs them.
#
# usage: run_wast.sh node OUTDIR FILE.wast...      check the corpus on V8 (run_node.mjs)
#        run_wast.sh AIRSSYS OUTDIR FILE.wast...   run them on our engine (`airssys wasm wast`)
# The JSON and .wasm files go to OUTDIR/<name>/. Exit status 1 when any script has a failure
# or cannot be converted. Set WAST_VERBOSE=0 to hide per-failure lines.
set -u
runner=$1
outdir=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
v=-v
[ "${WAST_VERBOSE:-1}" = 0 ] && v=
status=0
for wast in "$@"; do
    name=$(basename "$wast" .wast)
    mkdir -p "$outdir/$name"
    if ! wast2json "$wast" -o "$outdir/$name/$name.json"; then
        echo "$name: wast2json failed"
        status=1
        continue
    fi
    if [ "$runner" = node ]; then
        summary=$(node "$here/run_node.mjs" $v "$outdir/$name/$name.json")
    else
        summary=$("$runner" wasm wast $v "$outdir/$name/$name.json")
    fi
    rc=$?
    echo "$name: $summary" | tail -n 1
    [ $rc -eq 0 ] || status=1
done
exit $status
