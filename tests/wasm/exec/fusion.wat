;; Code shapes whose compiled form tests/wasm/fusion_test.c checks: each function must compile to
;; the listed superinstructions (src/wasm/compile.c). Shaped like clang's output for the loops of
;; bench/workloads/*.c. Their results are checked by tests/wasm/spec/fused_ops.wast; this file
;; only guards that the folds keep happening.
(module
  (memory 1)
  ;; c[j] += a * b[j], two at a time (matmul's inner loop)
  (func $axpy (export "axpy") (param $c i32) (param $b i32) (param $a f64) (param $n i32)
    (local $j i32)
    (loop $l
      (f64.store (local.get $c)
        (f64.add (f64.mul (local.get $a) (f64.load (local.get $b))) (f64.load (local.get $c))))
      (local.set $c (i32.add (local.get $c) (i32.const 8)))
      (local.set $b (i32.add (local.get $b) (i32.const 8)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $l (i32.ne (local.get $j) (local.get $n)))))
  ;; sha-2's big sigma
  (func $sigma (export "sigma") (param $x i32) (result i32)
    (i32.xor (i32.xor (i32.rotl (local.get $x) (i32.const 26))
                      (i32.rotl (local.get $x) (i32.const 21)))
             (i32.rotl (local.get $x) (i32.const 7))))
  ;; a switch on a loaded opcode (interp's dispatch)
  (func $switch (export "switch") (param $pc i32) (result i32)
    (block $d (block $b1 (block $b0
      (br_table $b0 $b1 $d
        (i32.add (i32.load (i32.add (i32.shl (local.get $pc) (i32.const 2)) (i32.const 1024)))
                 (i32.const -1))))
      (return (i32.const 1)))
      (return (i32.const 2)))
    (i32.const 0))
  ;; dx * dx + dy * dy (nbody)
  (func $dist2 (export "dist2") (param $dx f64) (param $dy f64) (result f64)
    (f64.add (f64.mul (local.get $dx) (local.get $dx)) (f64.mul (local.get $dy) (local.get $dy))))
  ;; x = x * K1 + K2 (crc32's generator)
  (func $lcg (export "lcg") (param $x i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
)
