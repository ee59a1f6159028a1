;; Imports, exports and linking (WebAssembly 2.0 core spec, sections 2.5.10-11, 3.4.8-10,
;; 4.5.3 "Import matching" and 4.5.4 "Instantiation"): every kind of import matched against
;; registered exports (function types exactly, table and memory limits by subtyping, global
;; mutability and type exactly), state shared between instances through exported memories,
;; tables and functions, re-exported imports, and link failures.
;; Written for airssys-wasm from the specification.

(module $Mf
  (memory (export "mem") 1 4)
  (table (export "tab") 4 8 funcref)
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "call") (param i32) (result i32) (call_indirect (result i32) (local.get 0)))
  (func $seven (result i32) (i32.const 7))
  (elem (i32.const 0) $seven)
)
(register "Mf" $Mf)

(module $Mi
  (import "Mf" "add" (func $add (param i32 i32) (result i32)))
  (import "Mf" "mem" (memory 1))
  (import "Mf" "tab" (table 2 funcref))
  (import "spectest" "print_i32" (func $print (param i32)))
  (func $nine (result i32) (i32.const 9))
  (elem (i32.const 1) $nine)
  (data (i32.const 16) "\2a")
  (export "add_again" (func $add))
  (func (export "add3") (param i32) (result i32)
    (call $print (local.get 0))
    (call $add (local.get 0) (i32.const 3)))
  (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)

;; imported function, re-exported import
(assert_return (invoke $Mi "add3" (i32.const 4)) (i32.const 7))
(assert_return (invoke $Mi "add_again" (i32.const 1) (i32.const 2)) (i32.const 3))
;; the data segment of $Mi wrote into $Mf's memory; stores and grows are shared
(assert_return (invoke $Mf "load" (i32.const 16)) (i32.const 42))
(invoke $Mi "store" (i32.const 17) (i32.const 5))
(assert_return (invoke $Mf "load" (i32.const 17)) (i32.const 5))
(assert_return (invoke $Mi "grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke $Mf "load" (i32.const 70000)) (i32.const 0))
;; the element segment of $Mi wrote into $Mf's table
(assert_return (invoke $Mf "call" (i32.const 0)) (i32.const 7))
(assert_return (invoke $Mf "call" (i32.const 1)) (i32.const 9))
(assert_trap (invoke $Mf "call" (i32.const 2)) "uninitialized element")

;; limits subtyping: the actual limits must lie within the declared ones
(module (import "Mf" "mem" (memory 0)))
(module (import "Mf" "mem" (memory 2 4)))
(module (import "Mf" "mem" (memory 1 65536)))
(module (import "Mf" "tab" (table 4 funcref)))
(module (import "Mf" "tab" (table 0 8 funcref)))
(module (import "spectest" "table" (table 10 funcref)))
(module (import "spectest" "memory" (memory 1 2)))
(assert_unlinkable (module (import "Mf" "mem" (memory 3))) "incompatible import type")
(assert_unlinkable (module (import "Mf" "mem" (memory 1 3))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "memory" (memory 1 1))) "incompatible import type")
(assert_unlinkable (module (import "Mf" "tab" (table 5 funcref))) "incompatible import type")
(assert_unlinkable (module (import "Mf" "tab" (table 0 7 funcref))) "incompatible import type")
(assert_unlinkable (module (import "Mf" "tab" (table 0 externref))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "table" (table 10 15 funcref))) "incompatible import type")

;; function types must match exactly
(assert_unlinkable (module (import "Mf" "add" (func (param i32) (result i32)))) "incompatible import type")
(assert_unlinkable (module (import "Mf" "add" (func (param i32 i32)))) "incompatible import type")
(assert_unlinkable (module (import "Mf" "add" (func (param i32 i32) (result i64)))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i64)))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "print" (func (result i32)))) "incompatible import type")

;; kinds must match, names must exist
(assert_unlinkable (module (import "Mf" "add" (memory 1))) "incompatible import type")
(assert_unlinkable (module (import "Mf" "mem" (func))) "incompatible import type")
(assert_unlinkable (module (import "Mf" "tab" (global i32))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "global_i32" (table 1 funcref))) "incompatible import type")
(assert_unlinkable (module (import "Mf" "nothing" (func))) "unknown import")
(assert_unlinkable (module (import "nowhere" "add" (func))) "unknown import")
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i32))) (import "spectest" "unknown" (func))) "unknown import")

;; a failed link leaves earlier instances intact
(assert_return (invoke $Mf "add" (i32.const 20) (i32.const 22)) (i32.const 42))

;; every spectest export is importable with its documented type
(module
  (import "spectest" "print" (func))
  (import "spectest" "print_i64" (func (param i64)))
  (import "spectest" "print_f32" (func (param f32)))
  (import "spectest" "print_f64" (func (param f64)))
  (import "spectest" "print_i32_f32" (func (param i32 f32)))
  (import "spectest" "print_f64_f64" (func (param f64 f64)))
  (import "spectest" "global_i64" (global i64))
  (import "spectest" "global_f32" (global $f f32))
  (func (export "f") (result f32) (global.get $f)))
(assert_return (invoke "f") (f32.const 666.6))

;; export names are unique; exported indices must exist
(assert_invalid (module (func) (export "a" (func 0)) (export "a" (func 0))) "duplicate export name")
(assert_invalid (module (func) (global i32 (i32.const 0)) (export "a" (func 0)) (export "a" (global 0))) "duplicate export name")
(assert_invalid (module (export "f" (func 0))) "unknown function")
(assert_invalid (module (export "m" (memory 0))) "unknown memory")
(assert_invalid (module (export "t" (table 0))) "unknown table")
(assert_invalid (module (export "g" (global 0))) "unknown global")
(assert_invalid (module (import "spectest" "memory" (memory 1)) (memory 1)) "multiple memories")
