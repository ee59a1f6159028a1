;; A small valid module: a factorial, an exported memory and a global.
(module
  (memory (export "memory") 1)
  (global $n (mut i32) (i32.const 0))
  (func $fac (export "fac") (param i64) (result i64)
    local.get 0 i64.eqz
    if (result i64) i64.const 1
    else local.get 0 local.get 0 i64.const 1 i64.sub call $fac i64.mul end)
  (func (export "count") (result i32)
    global.get $n i32.const 1 i32.add global.set $n global.get $n)
  (data (i32.const 0) "\00\01\02\03"))
