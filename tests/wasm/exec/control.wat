;; tests/wasm/exec/control.wat -- control flow, calls, multi-value, memory, bulk memory, tables,
;; references, globals, host calls and traps for tests/wasm/exec_test.c.
(module
  (import "host" "add" (func $hadd (param i32 i32) (result i32)))
  (import "host" "suspend" (func $hsusp (param i32) (result i32)))
  (import "host" "reenter" (func $hre (param i32) (result i32)))
  (import "host" "many" (func $hmany (param i32 i64 f32 f64) (result f64 i32)))
  (memory (export "memory") 1 4)
  (table $t 4 funcref)
  (table $t2 3 externref)
  (global $g (mut i32) (i32.const 10))
  (global $g64 (mut i64) (i64.const -1))
  (type $ii (func (param i32) (result i32)))
  (type $v_l (func (result i64)))
  (elem (table $t) (i32.const 0) func $double $fib)
  (elem $passive func $double $neg)
  (data $d "hello")
  (data (i32.const 100) "\01\02\03\04\05\06\07\08")

  (func $fib (export "fib") (param $n i32) (result i32)
    local.get $n i32.const 2 i32.lt_s
    if (result i32) local.get $n
    else
      local.get $n i32.const 1 i32.sub call $fib
      local.get $n i32.const 2 i32.sub call $fib
      i32.add
    end)
  (func $double (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
  (func $neg (param i32) (result i32) i32.const 0 local.get 0 i32.sub)
  (func (export "call_ind") (param i32 i32) (result i32)
    local.get 1 local.get 0 call_indirect $t (type $ii))
  (func (export "call_ind_wrong") (param i32) (result i64)
    local.get 0 call_indirect $t (type $v_l))
  (func $recurse (export "recurse") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add call $recurse)
  (func (export "loop_forever") (loop br 0))
  (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    block
      loop
        local.get $i local.get $n i32.ge_s br_if 1
        local.get $s local.get $i i32.add local.set $s
        local.get $i i32.const 1 i32.add local.set $i
        br 0
      end
    end
    local.get $s)
  (func (export "sum64") (param $n i64) (result i64) (local $s i64)
    loop
      local.get $s local.get $n i64.add local.set $s
      local.get $n i64.const 1 i64.sub local.tee $n
      i64.const 0 i64.gt_s br_if 0
    end
    local.get $s)
  (func (export "br_table") (param i32) (result i32)
    block block block block
      local.get 0 br_table 0 1 2 3
    end i32.const 100 return
    end i32.const 101 return
    end i32.const 102 return
    end i32.const 103)
  (func (export "br_table_val") (param i32) (result i32)
    (block (result i32)
      (block (result i32) i32.const 7 local.get 0 br_table 0 1 1)
      i32.const 1 i32.add))
  (func (export "br_table_ret") (param i32) (result i32 i32)
    (block (result i32 i32)
      i32.const 1 i32.const 2 local.get 0 br_table 0 1)
    i32.const 10 i32.add)
  (func $swap (export "swap") (param i32 i32) (result i32 i32) local.get 1 local.get 0)
  (func (export "mv_block") (param i32) (result i32 i64)
    (block (result i32 i64)
      local.get 0 i64.const 5 local.get 0 br_if 0
      drop drop i32.const -1 i64.const -1))
  (func (export "mv_call") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $swap i32.sub)
  (func (export "mv_loop") (param i32) (result i32)
    local.get 0
    (loop (param i32) (result i32)
      i32.const 1 i32.sub
      local.tee 0 local.get 0 i32.const 0 i32.gt_s br_if 0))
  (func (export "mv_if") (param i32 i32) (result i32)
    local.get 0 local.get 1
    (if (param i32) (result i32) (then i32.const 10 i32.add) (else i32.const 20 i32.sub)))
  (func (export "ret_multi") (param i32) (result i32 i32 i32)
    local.get 0 local.get 0 i32.const 1 i32.add local.get 0 i32.const 2 i32.add
    local.get 0 br_if 0
    drop drop drop i32.const 7 i32.const 8 i32.const 9)
  (func (export "ret_swap") (param i32 i32) (result i32 i32) local.get 1 local.get 0 return)
  (func (export "select") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 select)
  (func (export "select_ref") (param i32) (result i32)
    ref.null func ref.func $double local.get 0 select (result funcref) ref.is_null)
  (func (export "gincr") (result i32)
    global.get $g i32.const 1 i32.add global.set $g global.get $g)
  (func (export "g64") (result i64) global.get $g64)
  (func (export "load32") (param i32) (result i32) local.get 0 i32.load)
  (func (export "load_off") (param i32) (result i32) local.get 0 i32.load offset=4)
  (func (export "load_big_off") (param i32) (result i32) local.get 0 i32.load offset=0xFFFFFFF0)
  (func (export "load8_s") (param i32) (result i32) local.get 0 i32.load8_s)
  (func (export "load16_u") (param i32) (result i32) local.get 0 i32.load16_u)
  (func (export "load64") (param i32) (result i64) local.get 0 i64.load)
  (func (export "load32_s64") (param i32) (result i64) local.get 0 i64.load32_s)
  (func (export "store32") (param i32 i32) local.get 0 local.get 1 i32.store)
  (func (export "store8") (param i32 i32) local.get 0 local.get 1 i32.store8)
  (func (export "store64") (param i32 i64) local.get 0 local.get 1 i64.store offset=1)
  (func (export "storef64") (param i32 f64) local.get 0 local.get 1 f64.store)
  (func (export "loadf32") (param i32) (result f32) local.get 0 f32.load)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "size") (result i32) memory.size)
  (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill)
  (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy)
  (func (export "init") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.init $d)
  (func (export "ddrop") data.drop $d)
  (func (export "tnull") (param i32) (result i32) local.get 0 table.get $t ref.is_null)
  (func (export "tset_neg") (param i32) local.get 0 ref.func $neg table.set $t)
  (func (export "tsize") (result i32) table.size $t)
  (func (export "tgrow") (param i32) (result i32) ref.null func local.get 0 table.grow $t)
  (func (export "tfill") (param i32 i32) local.get 0 ref.func $double local.get 1 table.fill $t)
  (func (export "tcopy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.copy $t $t)
  (func (export "tinit") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.init $t $passive)
  (func (export "edrop") elem.drop $passive)
  (func (export "ext_set") (param i32 externref) local.get 0 local.get 1 table.set $t2)
  (func (export "ext_get") (param i32) (result externref) local.get 0 table.get $t2)
  (func (export "call_host") (param i32 i32) (result i32) local.get 0 local.get 1 call $hadd)
  (func (export "call_susp") (param i32) (result i32)
    (local i32)
    i32.const 5 local.set 1
    local.get 0 call $hsusp local.get 1 i32.add)
  (func (export "reenter") (param i32) (result i32) local.get 0 call $hre i32.const 1000 i32.add)
  (func (export "call_many") (result f64 i32)
    i32.const 1 i64.const 2 f32.const 3.5 f64.const 4.25 call $hmany)
  (func $t3 (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
  (func $t2 (param i32) (result i32) local.get 0 call $t3 i32.const 1 i32.add)
  (func (export "trap_chain") (param i32) (result i32) local.get 0 call $t2)
  (func (export "unreachable") unreachable)
  (func (export "tee") (param i32) (result i32) (local i32)
    local.get 0 i32.const 3 i32.add local.tee 1 local.get 1 i32.mul)
  (func (export "pending") (param i32) (result i32)
    local.get 0 i32.const 1 local.set 0 local.get 0 i32.add)
  (func (export "pending_block") (param i32) (result i32)
    local.get 0 (block i32.const 5 local.set 0) local.get 0 i32.add)
  (func (export "pending_tee") (param i32) (result i32)
    local.get 0 local.get 0 i32.const 9 i32.add local.tee 0 i32.sub)
  (func (export "br_if_val") (param i32 i32) (result i32)
    (block (result i32) local.get 0 local.get 1 br_if 0 drop i32.const 99))
  (func (export "br_if_const") (param i32) (result i32)
    (block (result i32) i32.const 42 local.get 0 br_if 0 drop i32.const 99))
  (func (export "if_fused") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.lt_s if (result i32) i32.const 1 else i32.const 0 end)
  (func (export "if_fused_k") (param i32) (result i32)
    local.get 0 i32.const 10 i32.ge_u if (result i32) i32.const 1 else i32.const 0 end)
  (func (export "eqz_if") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 10 else i32.const 20 end)
  (func (export "eqz_brif") (param i32) (result i32)
    block local.get 0 i32.eqz br_if 0 i32.const 1 return end i32.const 2)
  (func (export "if_noelse") (param i32) (result i32) (local i32)
    i32.const 3 local.set 1
    local.get 0 if i32.const 4 local.set 1 end local.get 1)
  (func (export "dead_code") (param i32) (result i32)
    block (result i32) local.get 0 br 0 i32.const 1 i32.add (block (result i32) unreachable) drop end)
  (func (export "nested_loops") (param i32) (result i32) (local $i i32) (local $j i32) (local $c i32)
    (loop $outer
      i32.const 0 local.set $j
      (loop $inner
        local.get $c i32.const 1 i32.add local.set $c
        local.get $j i32.const 1 i32.add local.tee $j
        local.get 0 i32.lt_u br_if $inner)
      local.get $i i32.const 1 i32.add local.tee $i
      local.get 0 i32.lt_u br_if $outer)
    local.get $c)
)
