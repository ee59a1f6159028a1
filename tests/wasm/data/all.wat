;; Every section and every instruction family of WebAssembly 2.0 (no SIMD): used by the decoder
;; and validator tests and as a seed of the fuzz corpus.
(module $all
  (type $v (func))
  (type $ii_i (func (param i32 i32) (result i32)))
  (type $i_ij (func (param i32) (result i32 i64)))
  (import "env" "f" (func $imp (param i32) (result i32)))
  (import "env" "t" (table $itab 1 10 funcref))
  (import "env" "m" (memory $mem 1 2))
  (import "env" "g" (global $ig i32))
  (import "env" "gm" (global $igm (mut i64)))
  (table $t2 2 externref)
  (table $t3 4 funcref)
  (global $g0 (mut i32) (i32.const 7))
  (global $g1 i64 (i64.const -1))
  (global $g2 f32 (f32.const 1.5))
  (global $g3 f64 (f64.const -2.25))
  (global $g4 funcref (ref.func $start))
  (global $g5 externref (ref.null extern))
  (global $g6 i32 (global.get $ig))
  (export "start" (func $start))
  (export "mem" (memory $mem))
  (export "tab" (table $t3))
  (export "g0" (global $g0))
  (start $start)
  (elem (i32.const 0) $start $arith)                              ;; flags 0
  (elem func $start)                                              ;; flags 1
  (elem (table $t3) (i32.const 1) func $arith)                    ;; flags 2
  (elem declare func $refs)                                       ;; flags 3
  (elem (i32.const 0) funcref (ref.func $start) (ref.null func))  ;; flags 4
  (elem funcref (ref.func $arith) (ref.null func))                ;; flags 5
  (elem (table $t2) (i32.const 0) externref (ref.null extern))    ;; flags 6
  (elem declare funcref (ref.func $mem_ops))                      ;; flags 7
  (data (i32.const 16) "hello")                                   ;; flags 0
  (data $pas "passive")                                           ;; flags 1
  (data (memory $mem) (global.get $ig) "x")                       ;; flags 2
  (func $start)
  (func $arith (param i32 i32) (result i32)
    (local i64 f32 f64)
    local.get 0 local.get 1 i32.add local.get 0 i32.sub local.get 1 i32.mul
    i32.const 3 i32.div_s i32.const 5 i32.rem_u i32.const 1 i32.shl i32.const 7 i32.and
    i32.clz i32.popcnt i32.eqz
    i64.const 5 i64.const 6 i64.mul i64.const 1 i64.rotl local.tee 2 i64.ctz
    i32.wrap_i64 i32.add
    f32.const 1.5 f32.sqrt f32.const 2 f32.copysign local.set 3
    f64.const 2.5 local.get 3 f64.promote_f32 f64.add f64.nearest local.set 4
    local.get 4 i64.trunc_f64_s f32.convert_i64_u f32.ceil i32.trunc_f32_u i32.add
    local.get 4 i32.trunc_sat_f64_s i32.add
    local.get 4 i64.trunc_sat_f64_u i64.extend32_s i64.eqz i32.add
    local.get 3 i32.reinterpret_f32 i32.extend8_s i32.add
    i32.const 1 i64.extend_i32_u f64.convert_i64_s f64.const 1 f64.lt i32.add)
  (func $mem_ops (param i32) (result i32)
    local.get 0 i32.load offset=4 align=4
    local.get 0 i64.load8_u i32.wrap_i64 i32.add
    local.get 0 f32.load f32.const 0 f32.gt i32.add
    local.get 0 i32.const 9 i32.store16 align=1
    local.get 0 i64.const 9 i64.store32
    local.get 0 f64.const 9 f64.store
    memory.size i32.add
    i32.const 1 memory.grow i32.add
    i32.const 0 i32.const 0 i32.const 5 memory.init $pas
    data.drop $pas
    i32.const 0 i32.const 8 i32.const 4 memory.copy
    i32.const 0 i32.const 255 i32.const 4 memory.fill)
  (func $refs (param i32) (result i32)
    ref.func $refs ref.is_null
    local.get 0 table.get $t3 ref.is_null i32.add
    local.get 0 ref.null func table.set $t3
    ref.null extern i32.const 1 table.grow $t2 i32.add
    table.size $itab i32.add
    i32.const 0 ref.null func i32.const 1 table.fill $t3
    i32.const 0 i32.const 0 i32.const 1 table.init $t3 1
    elem.drop 1
    i32.const 0 i32.const 1 i32.const 1 table.copy $t3 $itab
    local.get 0 local.get 0 i32.const 1 call_indirect $t3 (type $ii_i) i32.add
    local.get 0 call $imp i32.add)
  (func $control (param i32) (result i32 i64)
    (local $x i32)
    block $b (result i32)
      local.get 0
      loop $l (param i32) (result i32)
        if (result i32)
          i32.const 1
        else
          i32.const 2
        end
        local.get 0
        br_if $b
        drop
        local.get 0
        local.get 0
        br_table $b $l $b
      end
    end
    local.set $x
    local.get $x local.get 0
    block (type $ii_i) (param i32 i32) (result i32)
      i32.add
    end
    block
      unreachable
      i32.add
      drop
    end
    drop
    local.get $x
    i32.const 1
    i32.const 2
    local.get 0
    select
    i32.const 3
    local.get 0
    select (result i32)
    drop
    global.get $g0 global.set $g0
    global.get $igm global.set $igm
    nop
    local.get 0
    i64.extend_i32_s
    return)
  (func $multi (type $i_ij)
    local.get 0 call $control)
)
