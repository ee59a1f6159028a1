#!/bin/sh
# scripts/setup.sh -- installs, with apt-get, only the Debian packages airssys-wasm needs that are
# missing. A no-op (no apt-get call at all) when everything is present. Needs root (or sudo) only
# when something must be installed. Works on a fresh Debian 12.
set -eu

# Packages: build tools, the test framework, the guest toolchain (clang + wasi-libc + the wasm32
# compiler runtime + lld), wabt and binaryen (spec tests, random modules), the libraries the
# layers use (libsodium: signatures and hashes; LMDB: storage; jansson: JSON), node (reference
# WebAssembly engine for differential tests), valgrind.
PKGS="gcc make cmake ninja-build pkg-config clang lld libclang-rt-14-dev libclang-rt-14-dev-wasm32
wasi-libc libcmocka-dev wabt binaryen libsodium-dev liblmdb-dev libjansson-dev nodejs
binutils"

# Optional extras for `make bench` only (a peer to compare the actor runtime with).
if [ "${1:-}" = "--bench" ]; then
    PKGS="$PKGS erlang-nox"
fi

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
        *"install ok installed"*) ;;
        *)
            # A tool present on PATH from elsewhere (e.g. a newer node) is good enough.
            case "$p" in
                nodejs) command -v node >/dev/null 2>&1 && continue ;;
            esac
            missing="$missing $p" ;;
    esac
done

[ -z "$missing" ] && exit 0

echo "setup: installing missing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
        echo "setup: need root to install:$missing" >&2; exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
