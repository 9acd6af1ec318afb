#!/usr/bin/env bash
# Configures and builds zugong into build/ (Release with debug info, warnings as errors).
# Usage: scripts/build.sh [extra cmake -D options]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DZG_WERROR=ON "$@" >/dev/null
cmake --build build -j"$(nproc)"
