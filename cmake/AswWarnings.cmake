# Warnings every target of ours builds with: -Wall -Wextra -Werror on gcc 12 and clang 14.
function(asw_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wno-unused-parameter -Wpointer-arith -Wvla -Wformat=2)
endfunction()
