#!/bin/sh
# tests/wasm/cli/wasi_badptr.sh AIRSSYS BADPTR_WASM -- WASI calls with pointers at and past the
# end of memory (badptr.wat): in-bounds boundaries succeed (0), one byte further is EFAULT (21),
# wrapping pointers are EFAULT, bad descriptors EBADF (8); the process never crashes.
set -u
A=$1 G=$2
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
bad=0
check() { # func want [extra options]
    f=$1 want=$2
    shift 2
    got=$("$A" wasm invoke "$@" "$G" "$f" 2> "$T/err")
    st=$?
    if [ "$st" -ne 0 ] || [ "$got" != "$want" ]; then
        echo "FAIL: $f: got '$got' (exit $st), want $want"; cat "$T/err"; bad=1
    fi
}
check iov_last_ok 0
check iov_oob 21
check iov_far 21
check iov_count_huge 21
check buf_oob 21
check buf_wrap 21
check read_buf_oob 21
check nwritten_last_ok 0
check nwritten_oob 21
check random_last_ok 0
check random_oob 21
check random_wrap 21
check clock_last_ok 0
check clock_oob 21
check clock_bad_id 28
check args_sizes_oob 21
check args_get_oob 21
check poll_out_oob 21
check poll_zero 28
check prestat_badfd 8
check write_badfd 8
check path_oob 21 --dir "$T"
check path_result_oob 21 --dir "$T"
check path_ok 0 --dir "$T"
[ $bad -eq 0 ] && echo "ok"
exit $bad
