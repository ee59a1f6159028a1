;; Bulk memory instructions (WebAssembly 2.0 core spec, section 4.4.7): memory.fill,
;; memory.copy (overlapping in both directions, as if through a temporary buffer),
;; memory.init and data.drop. Bounds are checked before anything is written; zero-length
;; operations succeed at the exact end of memory / segment and trap one past it; a dropped
;; segment (and an active one after instantiation) has length zero.
;; Written for airssys-wasm from the specification.

(module
  (memory 1)
  (data $p "\aa\bb\cc\dd\ee")
  (data $q "xyz")
  (data $a (i32.const 1000) "\01\02\03")
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_p") (param i32 i32 i32) (memory.init $p (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_a") (param i32 i32 i32) (memory.init $a (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop_p") (data.drop $p))
  (func (export "drop_a") (data.drop $a))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
)

;; fill
(invoke "fill" (i32.const 10) (i32.const 0x1ff) (i32.const 4))
(assert_return (invoke "load32" (i32.const 10)) (i32.const 0xffffffff))
(assert_return (invoke "load8" (i32.const 9)) (i32.const 0))
(assert_return (invoke "load8" (i32.const 14)) (i32.const 0))
(invoke "fill" (i32.const 65532) (i32.const 0x55) (i32.const 4))
(assert_return (invoke "load32" (i32.const 65532)) (i32.const 0x55555555))
(assert_trap (invoke "fill" (i32.const 65533) (i32.const 0x66) (i32.const 4)) "out of bounds memory access")
(assert_return (invoke "load32" (i32.const 65532)) (i32.const 0x55555555))
(assert_trap (invoke "fill" (i32.const 0) (i32.const 0) (i32.const 65537)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const -1) (i32.const 0) (i32.const 2)) "out of bounds memory access")
(invoke "fill" (i32.const 65536) (i32.const 0) (i32.const 0))
(assert_trap (invoke "fill" (i32.const 65537) (i32.const 0) (i32.const 0)) "out of bounds memory access")

;; copy, including overlaps
(invoke "fill" (i32.const 0) (i32.const 0) (i32.const 64))
(invoke "init_p" (i32.const 20) (i32.const 0) (i32.const 5))
(assert_return (invoke "load64" (i32.const 20)) (i64.const 0x000000eeddccbbaa))
(invoke "copy" (i32.const 22) (i32.const 20) (i32.const 5))
(assert_return (invoke "load64" (i32.const 20)) (i64.const 0x00eeddccbbaabbaa))
(assert_return (invoke "load64" (i32.const 24)) (i64.const 0x0000000000eeddcc))
(invoke "copy" (i32.const 20) (i32.const 22) (i32.const 5))
(assert_return (invoke "load64" (i32.const 20)) (i64.const 0x00eeddeeddccbbaa))
(invoke "copy" (i32.const 40) (i32.const 20) (i32.const 0))
(assert_return (invoke "load8" (i32.const 40)) (i32.const 0))
(invoke "copy" (i32.const 65532) (i32.const 20) (i32.const 4))
(assert_return (invoke "load32" (i32.const 65532)) (i32.const 0xddccbbaa))
(assert_trap (invoke "copy" (i32.const 65533) (i32.const 0) (i32.const 4)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 65533) (i32.const 4)) "out of bounds memory access")
(assert_return (invoke "load32" (i32.const 0)) (i32.const 0))
(invoke "copy" (i32.const 65536) (i32.const 0) (i32.const 0))
(invoke "copy" (i32.const 0) (i32.const 65536) (i32.const 0))
(assert_trap (invoke "copy" (i32.const 65537) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 65537) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 0) (i32.const -1)) "out of bounds memory access")
(invoke "copy" (i32.const 0) (i32.const 0) (i32.const 65536))

;; init from a passive segment
(invoke "init_p" (i32.const 50) (i32.const 1) (i32.const 3))
(assert_return (invoke "load32" (i32.const 50)) (i32.const 0x00ddccbb))
(invoke "init_p" (i32.const 65531) (i32.const 0) (i32.const 5))
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 0xee))
(assert_trap (invoke "init_p" (i32.const 65532) (i32.const 0) (i32.const 5)) "out of bounds memory access")
(assert_trap (invoke "init_p" (i32.const 0) (i32.const 1) (i32.const 5)) "out of bounds memory access")
(assert_trap (invoke "init_p" (i32.const 0) (i32.const 6) (i32.const 0)) "out of bounds memory access")
(invoke "init_p" (i32.const 0) (i32.const 5) (i32.const 0))
(invoke "init_p" (i32.const 65536) (i32.const 0) (i32.const 0))
(assert_trap (invoke "init_p" (i32.const 65537) (i32.const 0) (i32.const 0)) "out of bounds memory access")
;; after data.drop the segment is empty; dropping twice is allowed
(invoke "drop_p")
(invoke "drop_p")
(invoke "init_p" (i32.const 0) (i32.const 0) (i32.const 0))
(assert_trap (invoke "init_p" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "init_p" (i32.const 0) (i32.const 1) (i32.const 0)) "out of bounds memory access")
;; an active segment was written at instantiation and then dropped
(assert_return (invoke "load32" (i32.const 1000)) (i32.const 0x00030201))
(invoke "init_a" (i32.const 0) (i32.const 0) (i32.const 0))
(assert_trap (invoke "init_a" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds memory access")
(invoke "drop_a")

;; validation
;; (with one data segment, so that the encoder emits the data count section: without it, a
;; data index in code makes the binary malformed, see malformed.wast)
(assert_invalid (module (memory 1) (data "") (func (data.drop 1))) "unknown data segment")
(assert_invalid (module (memory 1) (data "") (func (memory.init 1 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown data segment")
(assert_invalid (module (data "") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown memory 0")
(assert_invalid (module (func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown memory 0")
(assert_invalid (module (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown memory 0")
(assert_invalid (module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i64.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (memory.copy (i32.const 0) (f32.const 0) (i32.const 0)))) "type mismatch")
