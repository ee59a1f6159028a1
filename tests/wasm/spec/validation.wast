;; Validation (WebAssembly 2.0 core spec, chapter 3): operand type mismatches, unknown
;; indices of every index space, locals, select, constant expressions, function bodies, and
;; stack-polymorphic code after unreachable/br/return that must be accepted.
;; Written for airssys-wasm from the specification.

;; operand and result types
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module (func (i32.const 0))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.const 0) (i32.const 0))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.add (i32.const 0) (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.add (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result f32) (f32.sqrt (f64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.eqz (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i64) (i64.extend_i32_s (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (f32.eq (f32.const 0) (f64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.wrap_i64 (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result f64) (f64.reinterpret_i64 (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (drop))) "type mismatch")
(assert_invalid (module (func (nop) (i32.const 1) (nop))) "type mismatch")
(assert_invalid (module (func (param i32) (result i32) (block (local.get 0)) (i32.const 1))) "type mismatch")

;; locals
(assert_invalid (module (func (local.get 0) (drop))) "unknown local")
(assert_invalid (module (func (param i32) (local i64) (local.get 2) (drop))) "unknown local")
(assert_invalid (module (func (param i32) (local.set 0 (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (local f32) (local.tee 0 (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (local i32) (local.tee 0 (i32.const 0)))) "type mismatch")

;; select
(assert_invalid (module (func (result i32) (select (i32.const 0) (i64.const 0) (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (select (i32.const 0) (i32.const 0) (i64.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (select (result i32) (i32.const 0) (f32.const 0) (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (drop (select (ref.null func) (ref.null func) (i32.const 1))))) "type mismatch")

;; unknown indices in each index space
(assert_invalid (module (func (call 1))) "unknown function")
(assert_invalid (module (func (type 3))) "unknown type")
(assert_invalid (module (func (drop (global.get 0)))) "unknown global")
(assert_invalid (module (func (global.set 0 (i32.const 0)))) "unknown global")
(assert_invalid (module (func (drop (table.size 0)))) "unknown table")
(assert_invalid (module (func (drop (table.grow 0 (ref.null func) (i32.const 0))))) "unknown table")
(assert_invalid (module (func (drop (i64.load8_u (i32.const 0))))) "unknown memory")
(assert_invalid (module (table 1 funcref) (elem (i32.const 0) func 0)) "unknown function")
(assert_invalid (module (import "spectest" "print" (func (type 1)))) "unknown type")
(assert_invalid (module (start 1) (func)) "unknown function")

;; constant expressions
(assert_invalid (module (global i32 (nop) (i32.const 0))) "constant expression required")
(assert_invalid (module (global i64 (i64.add (i64.const 0) (i64.const 0)))) "constant expression required")
(assert_invalid (module (memory 1) (data (i32.load (i32.const 0)) "")) "constant expression required")
(assert_invalid (module (table 1 funcref) (elem (local.get 0) func)) "unknown local")
(module (global funcref (ref.func 0)) (func))
(module (table 2 funcref) (elem (i32.const 0) funcref (ref.null func) (ref.func 0)) (func))
(module (global $g (import "spectest" "global_i32") i32) (global i32 (global.get $g)))

;; ref.func needs a declaration outside function bodies
(module (func $f) (elem declare func $f) (func (drop (ref.func $f))))
(module (func $f) (global funcref (ref.func $f)) (func (drop (ref.func $f))))
(module (func $f (export "f")) (func (drop (ref.func $f))))
(assert_invalid (module (func $f) (func (drop (ref.func $f)))) "undeclared function reference")

;; polymorphic stack: these are valid
(module (func (unreachable) (drop)))
(module (func (unreachable) (i32.add) (drop)))
(module (func (result i32) (unreachable) (i64.const 0) (i64.eqz)))
(module (func (result externref) (unreachable) (ref.is_null) (drop) (ref.null extern)))
(module (func (result i32) (block (result i32) (br 0 (unreachable)))))
(module (func (param i32) (result i32) (block (result i32) (br_if 0 (unreachable) (local.get 0)))))
(module (func (result f32) (return (f32.const 0)) (drop) (drop)))
(module (func (loop (br 0)) (i32.const 0) (drop)))
(module (func (result i64) (unreachable) (select (i64.const 0) (i64.const 1) (i32.const 0))))
(module (func (result i32) (unreachable) (select (i32.const 0)) (i32.add (i32.const 1))))
(module (func (block (unreachable) (block (result i32) (unreachable)) (drop))))
(module (func (result i32) (if (result i32) (i32.const 1) (then (unreachable)) (else (i32.const 1)))))
;; ... but polymorphism does not extend past the end of the block
(assert_invalid (module (func (result i32) (block (unreachable)) (i32.add))) "type mismatch")
(assert_invalid (module (func (result i32) (unreachable) (i32.add (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (unreachable) (select (i32.const 0) (i64.const 0)) (drop))) "type mismatch")
(assert_invalid (module (func (unreachable) (ref.is_null (i32.const 0)) (drop))) "type mismatch")
