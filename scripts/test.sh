#!/usr/bin/env bash
# Installs everything, builds Cachet once and runs the whole test suite (what CI runs).
# One tree, build/test: clang, -Werror, ASan + UBSan, libFuzzer coverage
# instrumentation everywhere; the tests and the fuzz targets link the same objects.
#   CACHET_TEST_LABELS=regex  run only tests with a matching ctest label
#   CACHET_SKIP_FUZZ=1        build no fuzz targets and skip their short runs
#   CACHET_WITH_SLOW=1        also run the tests labelled "slow" (100 000-message
#                             sync/store/service, the 1 GB stream); left out by
#                             default to keep CI within 40 minutes on 2 cores
#   CACHET_FUZZ_SECONDS=n     libFuzzer run time per target (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$PWD
times_file=$(mktemp)
trap 'rm -f "$times_file"' EXIT

# phase <name> <command...>: runs the command and records its wall time and the
# CPU time (user + sys) of everything it ran, printed again at the end.
phase() {
  local name=$1
  shift
  local TIMEFORMAT="phase $name: %0R s wall, %0U s user + %0S s sys"
  { time "$@" 2>&3; } 3>&2 2>>"$times_file"
  tail -n 1 "$times_file"
}

phase install bash scripts/install-deps.sh

jobs=$(nproc)
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/cachet-ccache}"
# Paths relative to the checkout, and no working directory in the hash (debug
# info would otherwise embed it), so a fresh clone elsewhere hits the cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$checkout}"
export CCACHE_NOHASHDIR=1
export CCACHE_COMPRESS=1
# The CI tree's objects are about 280 MB before compression. 5 GB is also the
# developers' shared cache's size, which a smaller cap here would shrink.
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
ccache --zero-stats >/dev/null
report() {
  echo "== ccache (this run) =="
  ccache --show-stats
  echo "== phases =="
  cat "$times_file"
  rm -f "$times_file"
}
trap report EXIT

fuzz=ON
[ "${CACHET_SKIP_FUZZ:-0}" = 1 ] && fuzz=OFF
phase configure cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCACHET_WERROR=ON -DCACHET_SANITIZE=ON -DCACHET_FUZZ="$fuzz" -DCACHET_BENCH=ON \
  -DCACHET_FUZZ_SECONDS="${CACHET_FUZZ_SECONDS:-20}"
phase build cmake --build build/test -j "$jobs"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
exclude='fuzz|slow'
[ "${CACHET_WITH_SLOW:-0}" = 1 ] && exclude=fuzz
label_args=(-LE "^($exclude)\$")
[ -n "${CACHET_TEST_LABELS:-}" ] && label_args+=(-L "$CACHET_TEST_LABELS")
phase ctest ctest --test-dir build/test --output-on-failure -j "$jobs" "${label_args[@]}"
# Each fuzz target runs on one core for CACHET_FUZZ_SECONDS; they run side by side.
if [ "$fuzz" = ON ]; then
  phase fuzz ctest --test-dir build/test --output-on-failure -j "$jobs" -L '^fuzz$'
fi
