;; Malformed binaries (WebAssembly 2.0 core spec, chapter 5 "Binary Format"): each module
;; below breaks a rule of the binary grammar, so decoding must fail with a malformed-module
;; error (not a validation error). Every binary is written out byte by byte:
;;   header  "\00asm" "\01\00\00\00"
;;   section id, size (u32 LEB128), contents
;; Written for airssys-wasm from the specification.

;; well-formed references: the empty module, and custom sections between other sections
(module binary "\00asm" "\01\00\00\00")
(module binary "\00asm" "\01\00\00\00"
  "\00\04\03abc"                          ;; custom section "abc", empty payload
  "\01\04\01\60\00\00"                    ;; type section: [] -> []
  "\00\05\01x\01\02\03"                   ;; custom section "x" with 3 payload bytes
  "\03\02\01\00"                          ;; function section: func 0 has type 0
  "\0a\04\01\02\00\0b"                    ;; code section: body with no locals, end
  "\00\01\00")                            ;; custom section with an empty name

;; header
(assert_malformed (module binary "") "unexpected end")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00") "unexpected end")
(assert_malformed (module binary "\00asn\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "asm\00\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\00ASM\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asm\00\00\00\01") "unknown binary version")
(assert_malformed (module binary "\00asm\0d\00\00\00") "unknown binary version")

;; section framing
(assert_malformed (module binary "\00asm\01\00\00\00" "\7f\00") "malformed section id")
(assert_malformed (module binary "\00asm\01\00\00\00" "\03\01\00" "\01\01\00") "unexpected content after last section")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\01\00" "\01\01\00") "unexpected content after last section")
(assert_malformed (module binary "\00asm\01\00\00\00" "\0a\01\00" "\03\01\00") "unexpected content after last section")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\05\00") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\03\01\60\00\00") "section size mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\05\01\60\00\00\00") "section size mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00\00" "\00\02\05a") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00\00" "\00\00") "unexpected end")

;; LEB128 integers
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\06\80\80\80\80\80\00") "integer representation too long")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\05\80\80\80\80\10") "integer too large")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\85\80\80\80\80\00\01\60\00\00") "integer representation too long")
(assert_malformed (module binary "\00asm\01\00\00\00"
  "\01\04\01\60\00\00" "\03\02\01\00"
  "\0a\0a\01\08\00\41\80\80\80\80\80\00\0b")   ;; i32.const with a 6-byte immediate
  "integer representation too long")
(assert_malformed (module binary "\00asm\01\00\00\00"
  "\01\04\01\60\00\00" "\03\02\01\00"
  "\0a\0a\01\08\00\41\80\80\80\80\70\1a\0b")   ;; i32.const: unused bits of byte 5 not sign bits
  "integer too large")
(assert_malformed (module binary "\00asm\01\00\00\00"
  "\01\04\01\60\00\00" "\03\02\01\00"
  "\0a\10\01\0e\00\42\80\80\80\80\80\80\80\80\80\7e\1a\0b")  ;; i64.const: byte 10 is not a sign extension
  "integer too large")

;; types, imports, globals, limits
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\02\01\60") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\61\00\00") "integer representation too long")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\05\01\60\01\40\00") "malformed value type")
(assert_malformed (module binary "\00asm\01\00\00\00" "\02\07\01\01m\01f\05\00") "malformed import kind")
(assert_malformed (module binary "\00asm\01\00\00\00" "\06\06\01\7f\02\41\00\0b") "malformed mutability")
(assert_malformed (module binary "\00asm\01\00\00\00" "\05\03\01\08\01") "integer too large")
(assert_malformed (module binary "\00asm\01\00\00\00" "\04\04\01\70\08\01") "integer too large")
(assert_malformed (module binary "\00asm\01\00\00\00" "\04\04\01\40\00\01") "malformed reference type")

;; function and code sections
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00")
  "function and code section have inconsistent lengths")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\0a\04\01\02\00\0b")
  "function and code section have inconsistent lengths")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\03\02\00\00" "\0a\04\01\02\00\0b")
  "function and code section have inconsistent lengths")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\0a\03\01\01\00")
  "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\0a\05\01\03\00\0b\0b")
  "section size mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\0a\05\01\03\00\27\0b")
  "illegal opcode")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\0a\06\01\04\00\fc\7f\0b")
  "illegal opcode")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00"
  "\0a\10\01\0e\02\80\80\80\80\08\7f\80\80\80\80\08\7f\0b")
  "too many locals")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
  "\0a\07\01\05\00\3f\01\1a\0b")             ;; memory.size with a non-zero reserved byte
  "zero byte expected")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
  "\0a\09\01\07\00\41\00\40\01\1a\0b")       ;; memory.grow with a non-zero reserved byte
  "zero byte expected")

;; data count section
(assert_malformed (module binary "\00asm\01\00\00\00" "\05\03\01\00\01" "\0c\01\01")
  "data count and data section have inconsistent lengths")
(assert_malformed (module binary "\00asm\01\00\00\00" "\05\03\01\00\01" "\0c\01\00" "\0b\03\01\01\00")
  "data count and data section have inconsistent lengths")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
  "\0a\07\01\05\00\fc\09\00\0b" "\0b\03\01\01\00")
  "data count section required")
;; the same module with the data count section is well-formed and valid
(module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01" "\0c\01\01"
  "\0a\07\01\05\00\fc\09\00\0b" "\0b\03\01\01\00")

;; names and segments
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00"
  "\07\05\01\01\ff\00\00" "\0a\04\01\02\00\0b")
  "malformed UTF-8 encoding")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00"
  "\07\06\01\02\c0\80\00\00" "\0a\04\01\02\00\0b")       ;; overlong encoding of NUL
  "malformed UTF-8 encoding")
(assert_malformed (module binary "\00asm\01\00\00\00" "\00\03\02\ed\a0")  ;; surrogate, cut short
  "malformed UTF-8 encoding")
(assert_malformed (module binary "\00asm\01\00\00\00" "\09\02\01\08") "malformed elements segment kind")
(assert_malformed (module binary "\00asm\01\00\00\00" "\05\03\01\00\01" "\0b\03\01\03\00") "malformed data segment kind")
