;; tests/wasm/wasi/badptr.wat -- WASI calls with guest pointers at and just past the end of a
;; one-page (65536-byte) memory. Each export returns the errno of one call: the in-bounds
;; boundary cases must return 0 (success), the out-of-bounds ones 21 (EFAULT), never a crash.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; iovec array: the last 8 bytes (ok, an empty buffer) / crossing the end (EFAULT)
  (func (export "iov_last_ok") (result i32)
    (i32.store (i32.const 65528) (i32.const 0))
    (i32.store (i32.const 65532) (i32.const 0))
    (call $fd_write (i32.const 1) (i32.const 65528) (i32.const 1) (i32.const 16)))
  (func (export "iov_oob") (result i32)
    (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 16)))
  (func (export "iov_far") (result i32)
    (call $fd_write (i32.const 1) (i32.const 0xFFFFFFF8) (i32.const 1) (i32.const 16)))
  ;; 0x20000000 iovecs of 8 bytes = 4 GiB: the count times 8 must not wrap
  (func (export "iov_count_huge") (result i32)
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0x20000000) (i32.const 16)))
  ;; a buffer named by a valid iovec that runs past the end
  (func (export "buf_oob") (result i32)
    (i32.store (i32.const 0) (i32.const 65530))
    (i32.store (i32.const 4) (i32.const 7))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
  ;; pointer + length wrapping in 32 bits: 0xFFFFFFFF + 2
  (func (export "buf_wrap") (result i32)
    (i32.store (i32.const 0) (i32.const 0xFFFFFFFF))
    (i32.store (i32.const 4) (i32.const 2))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
  (func (export "read_buf_oob") (result i32)
    (i32.store (i32.const 0) (i32.const 65535))
    (i32.store (i32.const 4) (i32.const 2))
    (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
  ;; the nwritten result pointer: last 4 bytes ok, one further EFAULT
  (func (export "nwritten_last_ok") (result i32)
    (i32.store (i32.const 4) (i32.const 0))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 65532)))
  (func (export "nwritten_oob") (result i32)
    (i32.store (i32.const 4) (i32.const 0))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 65533)))
  (func (export "random_last_ok") (result i32)
    (call $random_get (i32.const 65530) (i32.const 6)))
  (func (export "random_oob") (result i32)
    (call $random_get (i32.const 65530) (i32.const 7)))
  (func (export "random_wrap") (result i32)
    (call $random_get (i32.const 0xFFFFFFFF) (i32.const 2)))
  (func (export "clock_last_ok") (result i32)
    (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 65528)))
  (func (export "clock_oob") (result i32)
    (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 65529)))
  (func (export "clock_bad_id") (result i32)
    (call $clock_time_get (i32.const 99) (i64.const 1) (i32.const 0)))
  (func (export "args_sizes_oob") (result i32)
    (call $args_sizes_get (i32.const 65533) (i32.const 0)))
  (func (export "args_get_oob") (result i32)
    (call $args_get (i32.const 65535) (i32.const 0)))
  (func (export "poll_out_oob") (result i32)
    (call $poll_oneoff (i32.const 0) (i32.const 65530) (i32.const 1) (i32.const 100)))
  (func (export "poll_zero") (result i32)
    (call $poll_oneoff (i32.const 0) (i32.const 100) (i32.const 0) (i32.const 200)))
  (func (export "prestat_badfd") (result i32)
    (call $fd_prestat_dir_name (i32.const 3) (i32.const 0) (i32.const 10)))
  (func (export "write_badfd") (result i32)
    (call $fd_write (i32.const 99) (i32.const 0) (i32.const 0) (i32.const 16)))
  ;; with a pre-open at fd 3: the path beyond memory / the result pointer beyond memory
  (func (export "path_oob") (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 65530) (i32.const 100) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
  (func (export "path_result_oob") (result i32)
    (i32.store8 (i32.const 0) (i32.const 46)) ;; "."
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 65533)))
  (func (export "path_ok") (result i32)
    (i32.store8 (i32.const 0) (i32.const 46))
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 65532)))
  (func (export "_start")))
