# Front-end tests (decode.c, validate.c, module.c) and the fuzz replay. Test modules are written
# in .wat (tests/wasm/data) and assembled at build time with wat2wasm when it is installed; the
# tests that need them skip otherwise.
find_program(WAT2WASM wat2wasm)
set(ASW_FRONT_WAT all small empty)
set(ASW_FRONT_WASM "")
if(WAT2WASM)
  foreach(w ${ASW_FRONT_WAT})
    set(out ${CMAKE_CURRENT_BINARY_DIR}/data/${w}.wasm)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/data
      COMMAND ${WAT2WASM} --debug-names ${CMAKE_CURRENT_SOURCE_DIR}/data/${w}.wat -o ${out}
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/data/${w}.wat VERBATIM)
    list(APPEND ASW_FRONT_WASM ${out})
  endforeach()
endif()
add_custom_target(asw_front_wasm DEPENDS ${ASW_FRONT_WASM})

asw_add_test(NAME wasm_decode_test SOURCES decode_test.c front_util.c LABELS unit)
asw_add_test(NAME wasm_validate_test SOURCES validate_test.c front_util.c LABELS unit)
asw_add_test(NAME wasm_module_test SOURCES module_test.c front_util.c LABELS unit)
asw_add_test(NAME wasm_fuzz_replay LABELS slow TIMEOUT 120
  SOURCES fuzz_replay.c front_util.c ${PROJECT_SOURCE_DIR}/fuzz/fuzz_module.c)
foreach(t wasm_decode_test wasm_validate_test wasm_module_test wasm_fuzz_replay)
  add_dependencies(${t} asw_front_wasm)
endforeach()
# Inputs the fuzzers failed on (tests/wasm/fuzz-regressions), through the whole entry point.
asw_add_test(NAME wasm_fuzz_regress LABELS unit
  SOURCES fuzz_regress.c ${PROJECT_SOURCE_DIR}/fuzz/fuzz_module.c)
target_compile_definitions(wasm_fuzz_regress PRIVATE ASW_FUZZ_RUN=1)
