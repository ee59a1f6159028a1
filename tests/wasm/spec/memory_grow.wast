;; memory.size and memory.grow (WebAssembly 2.0 core spec, sections 4.4.7 and 4.5.3):
;; grow returns the old size in pages or -1 without changing the memory when the maximum (or
;; the 65536-page limit) would be exceeded; new pages are zero; accesses beyond the old size
;; trap before the grow and succeed after it. Written for airssys-wasm from the specification.

(module
  (memory 0 3)
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
)

(assert_return (invoke "size") (i32.const 0))
(assert_trap (invoke "load" (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 0)) (i32.const 0))
(assert_return (invoke "size") (i32.const 0))
(assert_return (invoke "grow" (i32.const 1)) (i32.const 0))
(assert_return (invoke "size") (i32.const 1))
(assert_return (invoke "load" (i32.const 65535)) (i32.const 0))
(assert_trap (invoke "load" (i32.const 65536)) "out of bounds memory access")
(invoke "store" (i32.const 65535) (i32.const 7))
(assert_return (invoke "grow" (i32.const 2)) (i32.const 1))
(assert_return (invoke "size") (i32.const 3))
(assert_return (invoke "load" (i32.const 65535)) (i32.const 7))
(assert_return (invoke "load" (i32.const 65536)) (i32.const 0))
(assert_return (invoke "load" (i32.const 196607)) (i32.const 0))
(assert_trap (invoke "load" (i32.const 196608)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 1)) (i32.const -1))
(assert_return (invoke "size") (i32.const 3))
(assert_return (invoke "grow" (i32.const -1)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 0)) (i32.const 3))

;; without a maximum: growth beyond 65536 pages always fails
(module
  (memory 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
)
(assert_return (invoke "grow" (i32.const 0x10000)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 0x80000000)) (i32.const -1))
(assert_return (invoke "grow" (i32.const -1)) (i32.const -1))
(assert_return (invoke "size") (i32.const 1))
(assert_return (invoke "grow" (i32.const 2)) (i32.const 1))
(assert_return (invoke "size") (i32.const 3))

;; grow inside a loop, checking size as it goes
(module
  (memory 1 10)
  (func (export "grow_all") (result i32) (local i32)
    (block $done
      (loop $l
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (br $l)))
    (i32.add (i32.mul (local.get 0) (i32.const 100)) (memory.size)))
  (func (export "last_byte") (result i32)
    (i32.store8 (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)) (i32.const 9))
    (i32.load8_u (i32.const 655359)))
)
(assert_return (invoke "grow_all") (i32.const 910))
(assert_return (invoke "last_byte") (i32.const 9))

;; validation
(assert_invalid (module (func (drop (memory.size)))) "unknown memory")
(assert_invalid (module (func (drop (memory.grow (i32.const 1))))) "unknown memory")
(assert_invalid (module (memory 1) (func (drop (memory.grow (i64.const 1))))) "type mismatch")
(assert_invalid (module (memory 1) (func (result i64) (memory.size))) "type mismatch")
(assert_invalid (module (memory 2 1)) "size minimum must not be greater than maximum")
(assert_invalid (module (memory 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 0 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 1) (memory 1)) "multiple memories")
(module (memory 0 65536))
