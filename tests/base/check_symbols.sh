#!/bin/sh
# Checks that libairssys.so exports only asw_-prefixed symbols (the rest is hidden), and that the
# static library defines no global symbol outside the asw_ / asw__ namespace.
set -eu
so="$1"
ar="$2"
bad=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | grep -v '^asw_' || true)
if [ -n "$bad" ]; then
    echo "exported symbols without the asw_ prefix in $so:"; echo "$bad"; exit 1
fi
n=$(nm -D --defined-only "$so" | awk '$2 == "T"' | wc -l)
[ "$n" -gt 0 ] || { echo "no exported functions in $so"; exit 1; }
bad=$(nm -g --defined-only "$ar" 2>/dev/null | awk 'NF==3 {print $3}' | grep -v '^asw_' || true)
if [ -n "$bad" ]; then
    echo "global symbols without the asw_ prefix in $ar:"; echo "$bad"; exit 1
fi
echo "symbols ok: $n exported functions, all asw_"
