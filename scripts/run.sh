#!/usr/bin/env bash
# Installs what Cachet needs, builds it (Release) and runs the pki demo:
# throwaway RSA and SM2 CAs, then sign, timestamp, encrypt, decrypt and verify.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

cmake -S . -B build/run -G Ninja -DCMAKE_BUILD_TYPE=Release -DCACHET_SANITIZE=OFF -DCACHET_FUZZ=OFF \
  -DCACHET_TESTS=OFF -DCACHET_BENCH=OFF
cmake --build build/run -j "$(nproc)" --target cachet-pki
exec build/run/pki/tools/cachet-pki demo "$@"
