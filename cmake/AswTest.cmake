# asw_add_test(NAME <name> SOURCES <files...> [LABELS unit|integration|slow|threaded ...]
#              [TIMEOUT seconds] [ARGS ...] [LIBS ...])
# Builds one cmocka test program against the static library and registers it with ctest.
# Labels: `unit` (fast, isolated), `integration` (crosses layers or runs the CLI), `slow`
# (seconds or more; still part of `make test`), `threaded` (also run under ThreadSanitizer by
# `make test-sanitize`). Internal headers are reachable as "wasm/...", "rt/..." from src/.
function(asw_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LABELS;ARGS;LIBS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE airssys_static asw_testlib PkgConfig::CMOCKA ${T_LIBS})
  target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  asw_set_warnings(${T_NAME})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} ${T_ARGS})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "ASW_SOURCE_DIR=${PROJECT_SOURCE_DIR};ASW_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()

# asw_add_script_test(NAME <name> COMMAND <cmd...> [LABELS ...] [TIMEOUT s])
# Registers a test that runs a command (a shell script, the CLI) and passes on exit status 0.
function(asw_add_script_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "COMMAND;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS integration)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_COMMAND})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "ASW_SOURCE_DIR=${PROJECT_SOURCE_DIR};ASW_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()
