#!/bin/sh
# scripts/demo.sh -- the main demo, run by `make demo`: the airssys command running untrusted
# WebAssembly built from C with clang --target=wasm32-wasi, and what the sandbox does with it;
# then a supervised system of components (examples/demo/airssys.toml) with `airssys ps`.
set -u
B=${1:-build}
A="$B/tools/airssys"
G="$B/guests"
step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }

step "version" "airssys --version"
"$A" --version || exit 1

step "a WASI command guest (printf, malloc, args); its exit code is argc-1" \
     "airssys wasm run $G/test_hello.wasm one two"
"$A" wasm run "$G/test_hello.wasm" one two
echo "exit code: $?"

step "call an export of a library-style (reactor) guest" "airssys wasm invoke $G/test_add.wasm fib 25"
"$A" wasm invoke "$G/test_add.wasm" fib 25 || exit 1

step "an infinite loop is stopped by fuel (exit 134, trap with backtrace)" \
     "airssys wasm run --fuel 5000000 $G/wasi_loop.wasm"
"$A" wasm run --fuel 5000000 "$G/wasi_loop.wasm"
echo "exit code: $?"

step "... and by a deadline" "airssys wasm run --timeout 0.2 $G/wasi_loop.wasm"
"$A" wasm run --timeout 0.2 "$G/wasi_loop.wasm"
echo "exit code: $?"

step "embedding the engine in C: host function, typed calls, a trap as a value" \
     "$B/examples/embed_example $G/embed_guest.wasm"
"$B/examples/embed_example" "$G/embed_guest.wasm" || exit 1

step "inspect a module" "airssys wasm inspect $G/embed_guest.wasm"
"$A" wasm inspect "$G/embed_guest.wasm" || exit 1

# A system of components (examples/demo/airssys.toml), rewritten to this build's modules.
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
sed -e "s|\"../../build/guests/|\"$(cd "$G" && pwd)/|" \
    -e "s|manifest = \"|manifest = \"$(pwd)/examples/demo/|" examples/demo/airssys.toml \
    > "$D/airssys.toml"
step "a supervised system: ticker, tally and misbehave (examples/demo/airssys.toml)" \
     "airssys run --check examples/demo/airssys.toml"
"$A" run --check "$D/airssys.toml" || exit 1

step "run it: ticks flow, misbehave crashes every 5th tick, one-for-all restarts tally too" \
     "airssys run --dev examples/demo/airssys.toml"
mkfifo "$D/out"
cat "$D/out" &
reader=$!
"$A" run --dev --interval 1000 "$D/airssys.toml" > "$D/out" 2>&1 &
pid=$!
sleep 4.5
printf '\n$ airssys ps demo        # another process, over the control socket\n'
"$A" ps demo
sleep 2.5
printf '\n$ kill -TERM %s        # a clean stop: the tree stops in reverse order\n' "$pid"
kill -TERM "$pid"
wait "$pid"
echo "exit code: $?"
wait "$reader"
echo
echo "demo finished"
