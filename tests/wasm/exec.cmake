# Executor tests (compile.c, interp.c, exec.c): .wat fixtures in tests/wasm/exec assembled with
# wat2wasm at build time. The suite is built twice: with the library's interpreter (computed
# goto unless ASW_SWITCH_DISPATCH) and with interp.c compiled into the test as the plain-switch
# variant, so both dispatch builds are always tested.
find_program(ASW_EXEC_WAT2WASM wat2wasm REQUIRED)
set(asw_exec_wasms)
foreach(w numeric control fusion)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/exec/${w}.wasm)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/exec
    COMMAND ${ASW_EXEC_WAT2WASM} --debug-names ${CMAKE_CURRENT_SOURCE_DIR}/exec/${w}.wat -o ${out}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/exec/${w}.wat VERBATIM)
  list(APPEND asw_exec_wasms ${out})
endforeach()
add_custom_target(wasm_exec_fixtures ALL DEPENDS ${asw_exec_wasms})
asw_add_test(NAME wasm_exec_test SOURCES exec_test.c LABELS unit threaded)
asw_add_test(NAME wasm_fusion_test SOURCES fusion_test.c LABELS unit)
add_dependencies(wasm_fusion_test wasm_exec_fixtures)
asw_add_test(NAME wasm_exec_switch_test
  SOURCES exec_test.c ${PROJECT_SOURCE_DIR}/src/wasm/interp.c LABELS unit threaded)
target_compile_definitions(wasm_exec_switch_test PRIVATE ASW_SWITCH_DISPATCH=1 EXPECT_SWITCH=1)
if(ASW_SWITCH_DISPATCH)
  target_compile_definitions(wasm_exec_test PRIVATE EXPECT_SWITCH=1)
endif()
add_dependencies(wasm_exec_test wasm_exec_fixtures)
add_dependencies(wasm_exec_switch_test wasm_exec_fixtures)
