#!/usr/bin/env bash
# Installs what Cachet needs, builds it (Release), runs the pki demo
# (throwaway RSA and SM2 CAs, then sign, timestamp, encrypt, decrypt and
# verify) and then starts the browser, `cachet`, when a display is available.
#   CACHET_NO_BROWSER=1   stop after the demo
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

cmake -S . -B build/run -G Ninja -DCMAKE_BUILD_TYPE=Release -DCACHET_SANITIZE=OFF -DCACHET_FUZZ=OFF \
  -DCACHET_TESTS=OFF -DCACHET_BENCH=OFF
cmake --build build/run -j "$(nproc)" --target cachet-pki cachet
build/run/pki/tools/cachet-pki demo "$@"

if [ "${CACHET_NO_BROWSER:-0}" = 1 ]; then
  exit 0
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display (DISPLAY/WAYLAND_DISPLAY unset); the browser is built at build/run/browser/cachet"
  exit 0
fi
exec build/run/browser/cachet
