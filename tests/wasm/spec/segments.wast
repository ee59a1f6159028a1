;; Data and element segments at instantiation (WebAssembly 2.0 core spec, sections 2.5.7-8,
;; 3.4.5-6 and 4.5.4): active segments are applied in order as table.init / memory.init
;; followed by a drop, so an out-of-bounds segment traps (assert_uninstantiable), the segments
;; before it keep their effect on imported memories and tables, and the start function does not
;; run. Zero-length segments are in bounds up to and including the end. Offsets may come from
;; imported globals. Written for airssys-wasm from the specification.

(module $Shared
  (memory (export "mem") 1)
  (table (export "tab") 5 funcref)
  (global (export "off") i32 (i32.const 65534))
  (func $f (export "f") (result i32) (i32.const 1))
  (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "null_at") (param i32) (result i32) (ref.is_null (table.get 0 (local.get 0))))
)
(register "S" $Shared)

;; in-bounds segments, including the last byte, zero-length ones at the end, and an offset
;; taken from an imported global
(module
  (import "S" "mem" (memory 1))
  (import "S" "tab" (table 5 funcref))
  (import "S" "off" (global $off i32))
  (import "S" "f" (func $f (result i32)))
  (data (i32.const 65535) "\ff")
  (data (i32.const 65536) "")
  (data (global.get $off) "\01")
  (elem (i32.const 4) $f)
  (elem (i32.const 5) func)
)
(assert_return (invoke $Shared "byte" (i32.const 65535)) (i32.const 0xff))
(assert_return (invoke $Shared "byte" (i32.const 65534)) (i32.const 1))
(assert_return (invoke $Shared "null_at" (i32.const 4)) (i32.const 0))

;; out of bounds: one byte / one element past the end
(assert_trap (module (memory 1) (data (i32.const 65536) "\00")) "out of bounds memory access")
(assert_trap (module (memory 1) (data (i32.const 65535) "\00\00")) "out of bounds memory access")
(assert_trap (module (memory 1) (data (i32.const 65537) "")) "out of bounds memory access")
(assert_trap (module (memory 1) (data (i32.const -1) "\00")) "out of bounds memory access")
(assert_trap (module (memory 0) (data (i32.const 0) "\00")) "out of bounds memory access")
(module (memory 0) (data (i32.const 0) ""))
(assert_trap (module (table 1 funcref) (func $g) (elem (i32.const 1) $g)) "out of bounds table access")
(assert_trap (module (table 1 funcref) (func $g) (elem (i32.const 0) $g $g)) "out of bounds table access")
(assert_trap (module (table 1 funcref) (elem (i32.const 2) func)) "out of bounds table access")
(assert_trap (module (table 0 funcref) (func $g) (elem (i32.const -1) $g)) "out of bounds table access")
(module (table 0 funcref) (elem (i32.const 0) func))

;; segments apply in order: earlier ones stay, later ones and the start function do not run
(assert_trap
  (module
    (import "S" "mem" (memory 1))
    (data (i32.const 100) "\64")
    (data (i32.const 65536) "\01")
    (data (i32.const 101) "\65"))
  "out of bounds memory access")
(assert_return (invoke $Shared "byte" (i32.const 100)) (i32.const 100))
(assert_return (invoke $Shared "byte" (i32.const 101)) (i32.const 0))
(assert_trap
  (module
    (import "S" "tab" (table 5 funcref))
    (import "S" "f" (func $f (result i32)))
    (elem (i32.const 0) $f)
    (elem (i32.const 5) $f)
    (elem (i32.const 1) $f))
  "out of bounds table access")
(assert_return (invoke $Shared "null_at" (i32.const 0)) (i32.const 0))
(assert_return (invoke $Shared "null_at" (i32.const 1)) (i32.const 1))
(assert_trap
  (module
    (import "S" "mem" (memory 1))
    (import "S" "tab" (table 5 funcref))
    (func $s (i32.store8 (i32.const 200) (i32.const 1)))
    (elem (i32.const 2) $s)
    (data (i32.const 70000) "\01")
    (start $s))
  "out of bounds memory access")
(assert_return (invoke $Shared "null_at" (i32.const 2)) (i32.const 0))
(assert_return (invoke $Shared "byte" (i32.const 200)) (i32.const 0))

;; validation of segments
(assert_invalid (module (data (i32.const 0) "")) "unknown memory")
(assert_invalid (module (func $g) (elem (i32.const 0) $g)) "unknown table")
(assert_invalid (module (memory 1) (data (i64.const 0) "")) "type mismatch")
(assert_invalid (module (memory 1) (data (i32.ctz (i32.const 0)) "")) "constant expression required")
(assert_invalid (module (table 1 funcref) (elem (i32.const 0) funcref (ref.null extern))) "type mismatch")
(assert_invalid (module (table 1 funcref) (elem (i32.const 0) 7)) "unknown function")
(assert_invalid (module (table 1 externref) (func $g) (elem (i32.const 0) $g)) "type mismatch")
