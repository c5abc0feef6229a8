#!/usr/bin/env bash
# Installs everything, builds Cachet and runs the whole test suite.
#   CACHET_TEST_LABELS=regex  run only tests with a matching ctest label
#   CACHET_SKIP_FUZZ=1        skip the libFuzzer build and its short runs
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

jobs=$(nproc)
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/cachet-ccache}"
# Paths relative to the checkout, so a fresh clone elsewhere still hits the cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"

# Main build: warnings as errors, ASan + UBSan for the unit and interop tests.
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCACHET_WERROR=ON -DCACHET_SANITIZE=ON -DCACHET_BENCH=ON
cmake --build build/test -j "$jobs"

# Fuzz build (clang, libFuzzer); its targets run briefly as ctest label "fuzz".
if [ "${CACHET_SKIP_FUZZ:-0}" != 1 ]; then
  CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCACHET_FUZZ=ON -DCACHET_TESTS=ON -DCACHET_BENCH=OFF
  cmake --build build/fuzz -j "$jobs" --target cachet_fuzzers
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
label_args=()
[ -n "${CACHET_TEST_LABELS:-}" ] && label_args=(-L "$CACHET_TEST_LABELS")
ctest --test-dir build/test --output-on-failure -j "$jobs" "${label_args[@]}"
if [ "${CACHET_SKIP_FUZZ:-0}" != 1 ]; then
  ctest --test-dir build/fuzz --output-on-failure -L fuzz
fi
