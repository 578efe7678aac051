#!/usr/bin/env bash
# Configures and builds AttnScope in ./build (Ninja, ccache, precompiled LibTorch headers).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build --parallel "$(nproc)"
