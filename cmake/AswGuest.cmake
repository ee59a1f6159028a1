# Guest toolchain: builds C files into WebAssembly modules with clang --target=wasm32-wasi.
#
# asw_add_guest(NAME <name> SOURCES <files...> [MODEL command|reactor] [CFLAGS ...]
#               [LDFLAGS ...] [OUTPUT_DIR dir])
# Produces <OUTPUT_DIR or ${CMAKE_BINARY_DIR}/guests>/<name>.wasm and a target guest_<name>
# (part of ALL). The path is stored in the global property ASW_GUEST_<name> and in the variable
# ASW_GUEST_<name> in the caller's scope.
# Facts about Debian 12: wasi-libc lives in /usr/include/wasm32-wasi and /usr/lib/wasm32-wasi
# and clang finds it without --sysroot; the packaged libc.a carries debug info, so we link
# with --strip-debug (DWARF goes, the "name" section stays, so traps name the guest's
# functions); library-style modules use -mexec-model=reactor (--no-entry fails with wasi-libc).
# Compiling and linking are separate steps: a clang link that is given -O runs `wasm-opt -O2`
# whenever binaryen is on PATH, and that drops the name section. We run the same wasm-opt pass
# ourselves with --debuginfo, which keeps the names, so the code is what clang would produce.
find_program(ASW_WASM_CC NAMES clang-14 clang)
find_program(ASW_WASM_OPT NAMES wasm-opt)
set(ASW_GUEST_INCLUDE ${CMAKE_CURRENT_LIST_DIR}/../guest/include)

function(asw_add_guest)
  cmake_parse_arguments(G "" "NAME;MODEL;OUTPUT_DIR" "SOURCES;CFLAGS;LDFLAGS" ${ARGN})
  if(NOT ASW_WASM_CC)
    message(FATAL_ERROR "clang is needed to build guest ${G_NAME}: run scripts/setup.sh")
  endif()
  if(NOT G_MODEL)
    set(G_MODEL command)
  endif()
  if(NOT G_OUTPUT_DIR)
    set(G_OUTPUT_DIR ${CMAKE_BINARY_DIR}/guests)
  endif()
  set(out ${G_OUTPUT_DIR}/${G_NAME}.wasm)
  set(srcs)
  foreach(s ${G_SOURCES})
    get_filename_component(abs ${s} ABSOLUTE)
    list(APPEND srcs ${abs})
  endforeach()
  set(model_flag)
  if(G_MODEL STREQUAL "reactor")
    set(model_flag -mexec-model=reactor)
  elseif(NOT G_MODEL STREQUAL "command")
    message(FATAL_ERROR "asw_add_guest: MODEL must be command or reactor, not ${G_MODEL}")
  endif()
  set(objdir ${CMAKE_CURRENT_BINARY_DIR}/guest_${G_NAME}.dir)
  set(objs)
  set(compile)
  set(i 0)
  foreach(abs ${srcs})
    get_filename_component(base ${abs} NAME_WE)
    set(obj ${objdir}/${i}_${base}.o)
    math(EXPR i "${i} + 1")
    list(APPEND objs ${obj})
    list(APPEND compile COMMAND ${ASW_WASM_CC} --target=wasm32-wasi -O2 -Wall -Wextra -Werror
         -I${ASW_GUEST_INCLUDE} ${G_CFLAGS} -c -o ${obj} ${abs})
  endforeach()
  set(optimize)
  if(ASW_WASM_OPT)
    set(optimize COMMAND ${ASW_WASM_OPT} ${out} -O2 --debuginfo -o ${out})
  endif()
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${G_OUTPUT_DIR} ${objdir}
    ${compile}
    COMMAND ${ASW_WASM_CC} --target=wasm32-wasi ${model_flag} -Wl,--strip-debug ${G_LDFLAGS}
            -o ${out} ${objs}
    ${optimize}
    DEPENDS ${srcs}
    COMMENT "Building guest ${G_NAME}.wasm (${G_MODEL})"
    VERBATIM)
  add_custom_target(guest_${G_NAME} ALL DEPENDS ${out})
  set_property(GLOBAL PROPERTY ASW_GUEST_${G_NAME} ${out})
  set(ASW_GUEST_${G_NAME} ${out} PARENT_SCOPE)
endfunction()
