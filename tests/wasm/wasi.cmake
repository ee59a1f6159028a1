# WASI host module (src/wasm/wasi*.c) and the `airssys wasm` command (tools/cmd_wasm.c): C guests
# built with the guest toolchain, .wat fixtures assembled with wat2wasm, a cmocka test against
# the API and shell tests that drive the CLI. They need the engine's interpreter, so they are
# on by default only once src/wasm/interp.c exists.
if(EXISTS ${PROJECT_SOURCE_DIR}/src/wasm/interp.c)
  set(asw_wasi_tests_default ON)
else()
  set(asw_wasi_tests_default OFF)
endif()
option(ASW_WASI_TESTS "Build and run the WASI / airssys wasm tests" ${asw_wasi_tests_default})
find_program(ASW_WASI_WAT2WASM wat2wasm)

if(ASW_WASI_TESTS AND ASW_BUILD_GUESTS AND ASW_WASI_WAT2WASM)
  set(wd ${CMAKE_CURRENT_SOURCE_DIR}/wasi)
  set(cd ${CMAKE_CURRENT_SOURCE_DIR}/cli)
  asw_add_guest(NAME wasi_probe SOURCES ${wd}/probe.c MODEL command)
  asw_add_guest(NAME wasi_normal SOURCES ${wd}/normal.c MODEL command)
  asw_add_guest(NAME wasi_loop SOURCES ${wd}/loop.c MODEL command)
  set(bp ${CMAKE_CURRENT_BINARY_DIR}/wasi/badptr.wasm)
  set(ops ${CMAKE_CURRENT_BINARY_DIR}/wasi/ops.wasm)
  add_custom_command(OUTPUT ${bp} ${ops}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/wasi
    COMMAND ${ASW_WASI_WAT2WASM} ${wd}/badptr.wat -o ${bp}
    COMMAND ${ASW_WASI_WAT2WASM} --debug-names ${cd}/ops.wat -o ${ops}
    DEPENDS ${wd}/badptr.wat ${cd}/ops.wat VERBATIM)
  add_custom_target(asw_wasi_wat ALL DEPENDS ${bp} ${ops})

  asw_add_test(NAME wasm_wasi_api_test SOURCES wasi_api_test.c LABELS integration threaded TIMEOUT 60
    ARGS ${ASW_GUEST_wasi_probe} ${ASW_GUEST_wasi_normal} ${ASW_GUEST_wasi_loop})
  add_dependencies(wasm_wasi_api_test guest_wasi_probe guest_wasi_normal guest_wasi_loop)
  set(cli $<TARGET_FILE:airssys>)
  asw_add_script_test(NAME wasm_wasi_run TIMEOUT 60
    COMMAND sh ${cd}/wasi_run.sh ${cli} ${ASW_GUEST_wasi_normal})
  asw_add_script_test(NAME wasm_wasi_hostile TIMEOUT 60
    COMMAND sh ${cd}/wasi_hostile.sh ${cli} ${ASW_GUEST_wasi_probe})
  asw_add_script_test(NAME wasm_wasi_limits TIMEOUT 60
    COMMAND sh ${cd}/wasi_limits.sh ${cli} ${ASW_GUEST_wasi_loop})
  asw_add_script_test(NAME wasm_wasi_badptr TIMEOUT 60
    COMMAND sh ${cd}/wasi_badptr.sh ${cli} ${bp})
  asw_add_script_test(NAME wasm_cli_invoke TIMEOUT 60
    COMMAND sh ${cd}/wasm_cli.sh ${cli} ${ops})
endif()
