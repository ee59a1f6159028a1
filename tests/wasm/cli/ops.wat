;; tests/wasm/cli/ops.wat -- exports for `airssys wasm invoke` / `inspect`: integer and float
;; identities (to check argument parsing and result printing, NaN payloads included), a trap,
;; and an exit through proc_exit.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1 2)
  (global (export "counter") (mut i32) (i32.const 0))
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "f32id") (param f32) (result f32) (local.get 0))
  (func (export "f64id") (param f64) (result f64) (local.get 0))
  (func (export "two") (result i32 f64) (i32.const -1) (f64.const 0.1))
  (func $inner (unreachable))
  (func $boom (export "boom") (call $inner))
  (func (export "quit") (call $exit (i32.const 42))))
