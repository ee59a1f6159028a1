;; Sign-extension operators (WebAssembly 2.0 core spec, section 4.3.2, iextend_N_s):
;; i32.extend8_s, i32.extend16_s, i64.extend8_s, i64.extend16_s, i64.extend32_s.
;; Written for airssys-wasm from the specification.

(module
  (func (export "i32.extend8_s") (param i32) (result i32) (i32.extend8_s (local.get 0)))
  (func (export "i32.extend16_s") (param i32) (result i32) (i32.extend16_s (local.get 0)))
  (func (export "i64.extend8_s") (param i64) (result i64) (i64.extend8_s (local.get 0)))
  (func (export "i64.extend16_s") (param i64) (result i64) (i64.extend16_s (local.get 0)))
  (func (export "i64.extend32_s") (param i64) (result i64) (i64.extend32_s (local.get 0)))
)

(assert_return (invoke "i32.extend8_s" (i32.const 0)) (i32.const 0))
(assert_return (invoke "i32.extend8_s" (i32.const 0x7f)) (i32.const 127))
(assert_return (invoke "i32.extend8_s" (i32.const 0x80)) (i32.const -128))
(assert_return (invoke "i32.extend8_s" (i32.const 0xff)) (i32.const -1))
(assert_return (invoke "i32.extend8_s" (i32.const 0x12345601)) (i32.const 1))
(assert_return (invoke "i32.extend8_s" (i32.const 0xfedcba80)) (i32.const -128))
(assert_return (invoke "i32.extend16_s" (i32.const 0x7fff)) (i32.const 32767))
(assert_return (invoke "i32.extend16_s" (i32.const 0x8000)) (i32.const -32768))
(assert_return (invoke "i32.extend16_s" (i32.const 0xffff)) (i32.const -1))
(assert_return (invoke "i32.extend16_s" (i32.const 0x12340000)) (i32.const 0))
(assert_return (invoke "i32.extend16_s" (i32.const 0x0000abcd)) (i32.const 0xffffabcd))
(assert_return (invoke "i64.extend8_s" (i64.const 0x7f)) (i64.const 127))
(assert_return (invoke "i64.extend8_s" (i64.const 0x80)) (i64.const -128))
(assert_return (invoke "i64.extend8_s" (i64.const 0xffffffffffffff01)) (i64.const 1))
(assert_return (invoke "i64.extend16_s" (i64.const 0x8000)) (i64.const -32768))
(assert_return (invoke "i64.extend16_s" (i64.const 0x123456789abc7fff)) (i64.const 32767))
(assert_return (invoke "i64.extend32_s" (i64.const 0x7fffffff)) (i64.const 0x7fffffff))
(assert_return (invoke "i64.extend32_s" (i64.const 0x80000000)) (i64.const 0xffffffff80000000))
(assert_return (invoke "i64.extend32_s" (i64.const 0x12345678ffffffff)) (i64.const -1))
(assert_return (invoke "i64.extend32_s" (i64.const 0xffffffff00000000)) (i64.const 0))
