#!/bin/sh
# bench/run.sh -- runs every benchmark of a build and collects the results.
#
# Usage: sh bench/run.sh <builddir> [--save NAME] [--compare NAME] [--quick] [--cpu N]
#   Runs each program listed in <builddir>/bench/benches.list (written by bench/CMakeLists.txt),
#   then each peer script bench/peers/*.sh (called as `sh peer.sh <builddir>`; a peer prints
#   metric lines on stdout like the programs do). All metric lines go to
#   bench/results/latest.jsonl; a description of the machine and the commit goes to
#   bench/results/latest.env. The file is checked with benchcmp --check.
#   --save NAME     also copy the run to bench/results/baseline-NAME.jsonl (and .env)
#   --compare NAME  compare the run with bench/results/baseline-NAME.jsonl (change per metric,
#                   flagged when beyond the noise of both runs; see bench/benchcmp.c)
#   --quick         ASW_BENCH_QUICK=1: few short samples (numbers only good for smoke checks)
#   --cpu N         ASW_BENCH_CPU=N: every suite pins itself to CPU N (use it when comparing
#                   runs on a machine whose CPUs differ in speed; see docs/performance.md)
# Environment: ASW_BENCH_FILTER, ASW_BENCH_SAMPLES, ASW_BENCH_SAMPLE_MS, ASW_BENCH_MAX_MS
# (bench/harness.c). Exit status 1 when a program or peer failed or printed invalid lines.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 <builddir> [--save NAME] [--compare NAME] [--quick] [--cpu N]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
save=""
compare=""
while [ $# -gt 0 ]; do
    case "$1" in
        --save) [ $# -ge 2 ] || { echo "run.sh: --save needs a NAME" >&2; exit 2; }; save=$2; shift 2 ;;
        --compare) [ $# -ge 2 ] || { echo "run.sh: --compare needs a NAME" >&2; exit 2; }; compare=$2; shift 2 ;;
        --quick) ASW_BENCH_QUICK=1; export ASW_BENCH_QUICK; shift ;;
        --cpu) [ $# -ge 2 ] || { echo "run.sh: --cpu needs a CPU number" >&2; exit 2; }
               ASW_BENCH_CPU=$2; export ASW_BENCH_CPU; shift 2 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for name in $save $compare; do
    case "$name" in
        *[!A-Za-z0-9._-]*|'') echo "run.sh: baseline name '$name': use letters, digits, . _ -" >&2; exit 2 ;;
    esac
done

list=$build/bench/benches.list
cmp=$build/bench/benchcmp
[ -f "$list" ] || { echo "run.sh: $list missing: configure and build $build first" >&2; exit 2; }
[ -x "$cmp" ] || { echo "run.sh: $cmp missing: build $build first" >&2; exit 2; }
if [ -n "$compare" ] && [ ! -f "$here/results/baseline-$compare.jsonl" ]; then
    echo "run.sh: no baseline '$compare' (bench/results/baseline-$compare.jsonl)" >&2; exit 2
fi

results=$here/results
mkdir -p "$results"
out=$results/latest.jsonl
tmp=$results/.latest.jsonl.$$
trap 'rm -f "$tmp"' EXIT INT TERM
: >"$tmp"
failed=0

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "build: $build ($(grep -E '^CMAKE_(C_COMPILER|BUILD_TYPE):' "$build/CMakeCache.txt" 2>/dev/null | tr '\n' ' '))"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //') x $(nproc 2>/dev/null || echo '?')"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
    echo "kernel: $(uname -sr)"
    echo "node: $(node --version 2>/dev/null || echo none)"
    echo "quick: ${ASW_BENCH_QUICK:-0}"
    echo "cpu pinned: ${ASW_BENCH_CPU:-no}"
} >"$results/latest.env"

# Peers first: their lines are appended to the results, and rt_bench reads the Erlang figures
# from the same file (ASW_RT_ERLANG_JSON) instead of running the peer a second time.
peers=$(mktemp)
for peer in "$here"/peers/*.sh; do
    [ -f "$peer" ] || continue
    echo "== peer $(basename "$peer")" >&2
    if ! sh "$peer" "$build" >>"$peers" </dev/null; then
        echo "run.sh: peer $(basename "$peer") FAILED" >&2
        failed=1
    fi
done
export ASW_RT_ERLANG_JSON="$peers"

# Every program gets /dev/null as stdin: a program that starts a peer (erl reads its stdin)
# must not swallow the rest of the list.
while IFS= read -r exe; do
    [ -n "$exe" ] || continue
    echo "== $(basename "$exe")" >&2
    if ! "$exe" >>"$tmp" </dev/null; then
        echo "run.sh: $(basename "$exe") FAILED" >&2
        failed=1
    fi
done <"$list"
cat "$peers" >>"$tmp"
rm -f "$peers"

mv "$tmp" "$out"
trap - EXIT INT TERM
echo "run.sh: $(grep -c . "$out" || true) metrics in $out" >&2
"$cmp" --check "$out" >&2 || failed=1

if [ -n "$save" ]; then
    cp "$out" "$results/baseline-$save.jsonl"
    cp "$results/latest.env" "$results/baseline-$save.env"
    echo "run.sh: saved baseline '$save' (bench/results/baseline-$save.jsonl)" >&2
fi
if [ -n "$compare" ]; then
    "$cmp" "$results/baseline-$compare.jsonl" "$out"
fi
exit $failed
