#!/bin/sh
# tests/host/run_cli_test.sh -- `airssys run`: --check on a valid system (exit 0, the tree
# printed) and on invalid ones (exit 1, "path: line L, column C: ..."); a real run of the
# filereader and netclient examples in dev mode that prints status lines (stdout is not a tty),
# answers SIGUSR1 with the component table and stops cleanly on SIGTERM (exit 0).
# Usage: run_cli_test.sh AIRSSYS SOURCE_DIR FILEREADER.wasm NETCLIENT.wasm
set -u
bin="$1"; src="$2"; fr="$3"; nc="$4"
dir=$(mktemp -d)
# A private runtime directory: the control sockets of concurrent test runs never clash.
export XDG_RUNTIME_DIR="$dir"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/out" ] && cat "$dir/out"; exit 1; }

cp "$fr" "$dir/filereader.wasm"
cp "$nc" "$dir/netclient.wasm"
mkdir "$dir/data"
sed "s|\"/data|\"$dir/data|" "$src/examples/filereader/Component.toml" > "$dir/filereader.toml"
cp "$src/examples/netclient/Component.toml" "$dir/netclient.toml"
cat > "$dir/airssys.toml" <<TOML
[system]
name = "io-demo"
audit = "audit.log"

[[component]]
name = "filereader"
module = "filereader.wasm"
manifest = "filereader.toml"

[[component]]
name = "netclient"
module = "netclient.wasm"
manifest = "netclient.toml"

[[supervisor]]
name = "root"
strategy = "one-for-one"
children = ["filereader", "netclient"]

[subscriptions]
filereader = ["files/#"]

[[message]]
target = "filereader"
payload = "list $dir/data"
TOML

out=$("$bin" run --check "$dir/airssys.toml") || fail "check rejected: $out"
case "$out" in "ok: io-demo: 2 components, 1 supervisors, 1 subscriptions, 1 start messages"*) ;;
  *) fail "unexpected check output: $out" ;; esac
echo "$out" | grep -q "root (supervisor, one-for-one" || fail "tree not printed: $out"

printf '[[component]]\nname = "x"\nmodule = "m.wasm"\nmanifest = "m.toml"\nfoo = 1\n' > "$dir/bad.toml"
err=$("$bin" run --check "$dir/bad.toml" 2>&1 >/dev/null); rc=$?
[ "$rc" -eq 1 ] || fail "bad system manifest: exit $rc"
case "$err" in *"$dir/bad.toml: line 5, column 1: unknown key 'foo'"*) ;;
  *) fail "unexpected error: $err" ;; esac
printf '[[component]]\nname = "x"\nmodule = "m.wasm"\nmanifest = "m.toml"\n' > "$dir/missing.toml"
err=$("$bin" run --check "$dir/missing.toml" 2>&1 >/dev/null); rc=$?
[ "$rc" -eq 1 ] || fail "missing files: exit $rc"
case "$err" in *"cannot read manifest"*) ;; *) fail "unexpected error: $err" ;; esac
"$bin" run 2>/dev/null; [ $? -eq 2 ] || fail "no file: wrong exit status"
"$bin" run --interval 0 "$dir/airssys.toml" 2>/dev/null; [ $? -eq 2 ] || fail "bad interval"

# A subscription the component's capabilities do not allow stops the start.
sed 's|filereader = \["files/#"\]|filereader = ["secrets/#"]|' "$dir/airssys.toml" > "$dir/sub.toml"
err=$("$bin" run --dev --duration 5 "$dir/sub.toml" 2>&1 >/dev/null); rc=$?
[ "$rc" -eq 1 ] || fail "subscription not granted: exit $rc"
case "$err" in *"subscription of 'filereader' to 'secrets/#' denied"*) ;;
  *) fail "unexpected error: $err" ;; esac

# A real run: status lines, the table on SIGUSR1, a clean stop on SIGTERM.
"$bin" run --dev --interval 100 --duration 20 "$dir/airssys.toml" > "$dir/out" 2>"$dir/err" &
pid=$!
i=0
while ! grep -q "components running" "$dir/out" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 100 ] && fail "no status line"; sleep 0.1
done
kill -USR1 "$pid"
i=0
while ! grep -q "^NAME" "$dir/out"; do
  i=$((i + 1)); [ $i -gt 50 ] && fail "no table after SIGUSR1"; sleep 0.1
done
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=
[ "$rc" -eq 0 ] || fail "run: exit $rc after SIGTERM: $(cat "$dir/err")"
grep -q "io-demo: 2/2 components running" "$dir/out" || fail "status line content"
grep -q "^filereader .*running" "$dir/out" || fail "table row"
grep -q "io-demo: stopped" "$dir/out" || fail "no clean stop"
grep -q '"component":"filereader"' "$dir/audit.log" || fail "no audit of the start message"
echo "run cli ok"
