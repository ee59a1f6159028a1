(module
  (import "env" "f" (func $f (param i32) (result i32)))
  (import "env" "mem" (memory 1 2))
  (import "env" "tab" (table 2 funcref))
  (import "env" "g" (global $g (mut i32)))
  (func (export "call_f") (param i32) (result i32) (call $f (local.get 0)))
  (func (export "get_g") (result i32) (global.get $g)))
