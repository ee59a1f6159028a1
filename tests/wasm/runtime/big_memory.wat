(module (memory (export "memory") 100 200))
