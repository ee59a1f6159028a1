;; The start function (WebAssembly 2.0 core spec, sections 2.5.9, 3.4.7 and 4.5.4): it runs
;; once at instantiation, after the segments are applied, and a trap in it makes
;; instantiation fail. Written for airssys-wasm from the specification.

(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (data (i32.const 0) "\05")
  (func $start
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    ;; the data segment is already in place when the start function runs
    (i32.store8 (i32.const 1) (i32.add (i32.load8_u (i32.const 0)) (i32.const 1))))
  (start $start)
  (func (export "g") (result i32) (global.get $g))
  (func (export "byte1") (result i32) (i32.load8_u (i32.const 1)))
)
(assert_return (invoke "g") (i32.const 1))
(assert_return (invoke "byte1") (i32.const 6))

;; a start function may call imports, and may be an import itself
(module
  (import "spectest" "print_i32" (func $p (param i32)))
  (func $s (call $p (i32.const 1)))
  (start $s))
(module
  (import "spectest" "print" (func $p))
  (start $p))

;; a trapping start function fails the instantiation; earlier writes to imported state stay
(module $Mem
  (memory (export "m") 1)
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))
(register "Mem" $Mem)
(assert_trap
  (module
    (import "Mem" "m" (memory 1))
    (data (i32.const 10) "\0b")
    (func $s (i32.store8 (i32.const 11) (i32.const 12)) (unreachable))
    (start $s))
  "unreachable")
(assert_return (invoke $Mem "peek" (i32.const 10)) (i32.const 11))
(assert_return (invoke $Mem "peek" (i32.const 11)) (i32.const 12))
(assert_trap (module (func $s (drop (i32.div_s (i32.const 1) (i32.const 0)))) (start $s)) "integer divide by zero")
(assert_trap (module (memory 1) (func $s (drop (i32.load (i32.const 65536)))) (start $s)) "out of bounds memory access")
(assert_trap (module (func $s (call $s)) (start $s)) "call stack exhausted")

;; validation: the start function must exist and have type [] -> []
(assert_invalid (module (start 0)) "unknown function")
(assert_invalid (module (func $f (param i32)) (start $f)) "start function")
(assert_invalid (module (func $f (result i32) (i32.const 0)) (start $f)) "start function")
(assert_invalid (module (import "spectest" "print_i32" (func $p (param i32))) (start $p)) "start function")
