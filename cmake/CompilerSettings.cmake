# Warnings, sanitizers and ccache for every target of the project.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()

add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                    -Wcast-align -Wunused -Woverloaded-virtual -Wformat=2)
if(CACHET_WERROR)
  add_compile_options(-Werror)
endif()

# The fuzz targets need ASan + UBSan like the tests, so CACHET_FUZZ implies
# CACHET_SANITIZE: CI builds the tree once, with both (scripts/test.sh).
if(CACHET_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CACHET_FUZZ needs clang (CC=clang CXX=clang++)")
  endif()
  set(CACHET_SANITIZE ON)
  # Coverage instrumentation for libFuzzer in every object, so the fuzz targets
  # link the same libraries as the tests; only the fuzz targets link libFuzzer
  # (-fsanitize=fuzzer, tests/fuzz). Elsewhere the sanitizer runtime supplies
  # the coverage callbacks.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(CACHET_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
