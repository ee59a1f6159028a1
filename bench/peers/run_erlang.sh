#!/bin/sh
# bench/peers/run_erlang.sh -- compiles and runs the Erlang peer of the actor-runtime benchmarks
# (bench/peers/rt_peer.erl) and prints its metric lines ("erlang.rt.<metric>") on stdout.
# Called by bench/run.sh as a peer (`sh run_erlang.sh <builddir>`) and by rt_bench, which turns
# the numbers into rt.<metric>.vs_erlang ratios. Prints nothing (exit 0) when erl is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
command -v erlc >/dev/null 2>&1 || { echo "run_erlang.sh: erlc not found, skipping" >&2; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
erlc -o "$tmp" "$here/rt_peer.erl" >&2
erl -noshell -kernel logger_level none -pa "$tmp" +P 2000000 -s rt_peer main
