#!/bin/sh
# scripts/demo.sh -- the main demo, run by `make demo`. It grows with the product.
set -eu
B=${1:-build}
echo "== airssys --version"
"$B/tools/airssys" --version
echo
echo "== a guest built with clang --target=wasm32-wasi: $B/guests/test_hello.wasm"
ls -l "$B/guests/test_hello.wasm"
