(module
  (import "env" "mem" (memory 1))
  (data (i32.const 0) "ok")
  (data (i32.const 65535) "xy"))
