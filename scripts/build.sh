#!/usr/bin/env bash
# Configures and builds AttnScope in ./build (Ninja, ccache, precompiled LibTorch headers).
# -O2 without debug information: with LibTorch's headers, -g makes each object file ~9 MB instead of
# ~35 kB and the cold build of the whole project (scripts/test.sh) markedly slower. For a debugger,
# configure a build directory of your own with -DCMAKE_BUILD_TYPE=RelWithDebInfo.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG"
cmake --build build --parallel "$(nproc)"
