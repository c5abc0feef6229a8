#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs them. Each line reads
#   name: ours X, peer Y, ratio Z      (ratio = ours / peer; below 1 = we are faster)
# with the peer measured on this machine in the same run.
#   BENCH_SECONDS=3      per-figure measuring time for the speed benchmarks
#   BENCH_BIG_MB=1024    size of the generated message for the peak-memory benchmark (0 = skip)
#   BENCH_STORE_MESSAGES=100000   messages in the mail store search benchmark
#   BENCH_SYNC_MESSAGES=10000     messages in the initial-sync benchmark (vs mbsync; needs root)
#   BENCH_BROWSER_RUNS=5          start-ups of each browser (cachet, Falkon) on Xvfb; medians printed
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --bench
build=build/bench
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCACHET_SANITIZE=OFF -DCACHET_FUZZ=OFF \
  -DCACHET_TESTS=OFF -DCACHET_BENCH=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target cachet_benchmarks

seconds="${BENCH_SECONDS:-3}"
echo "== SM2 signatures =="
"$build/bench/sm2_bench" "$seconds"
if [ -x "$build/bench/smime_bench" ]; then
  echo "== S/MIME, 10 MB message =="
  "$build/bench/smime_bench" 10
fi
if [ -x "$build/bench/mail_protection_bench" ]; then
  echo "== MailProtection protect + open, 1 MB message =="
  "$build/bench/mail_protection_bench"
fi
if [ -x "$build/bench/store_search_bench" ]; then
  echo "== mail store full-text search, ${BENCH_STORE_MESSAGES:-100000} messages =="
  "$build/bench/store_search_bench" "${BENCH_STORE_MESSAGES:-100000}"
fi
if [ -x "$build/bridge/sync/cachet-mail" ] && [ "$(id -u)" -eq 0 ]; then
  echo "== mail engine initial sync vs mbsync, ${BENCH_SYNC_MESSAGES:-10000} messages =="
  bash bench/sync_bench.sh "$build/bridge/sync/cachet-mail" "${BENCH_SYNC_MESSAGES:-10000}"
fi
if [ "${BENCH_BIG_MB:-1024}" != 0 ]; then
  echo "== peak memory, ${BENCH_BIG_MB:-1024} MB message =="
  bash bench/peak_memory.sh "$build/pki/tools/cachet-pki" "${BENCH_BIG_MB:-1024}"
fi
echo "== browser start-up and memory vs Falkon =="
cmake --build "$build" -j "$(nproc)" --target cachet
python3 bench/browser_startup.py "$build/browser/cachet" "${BENCH_BROWSER_RUNS:-5}"
echo "== cachet-cloud =="
cmake --build "$build" -j "$(nproc)" --target cachet-cloud
bash bench/cloud/run.sh "$build/pki/cloud/cachet-cloud"
