#!/usr/bin/env bash
# One command for the whole test suite (what CI runs):
#   1. installs dependencies (scripts/setup.sh)
#   2. builds with gcc, -Werror, and runs every test (unit + API) against SQLite and against a
#      throwaway PostgreSQL cluster started here and stopped at the end
#      then builds the web UI (scripts/web.sh) and runs its unit tests (vitest) and the browser
#      end-to-end tests (tests/e2e/run.mjs, headless Chromium against a temporary demo database)
#   3. builds with clang + AddressSanitizer + UndefinedBehaviorSanitizer and runs them again
#   4. builds the libFuzzer drivers and runs each briefly over its seed corpus
# Set ZG_SKIP_ASAN=1 or ZG_SKIP_FUZZ=1 to skip steps 3/4 locally; ZG_FUZZ_SECONDS (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
bash scripts/setup.sh

PGDIR=$(mktemp -d /tmp/zugong-pg.XXXXXX)
cleanup() { bash "$ROOT/scripts/pg-test.sh" stop "$PGDIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
ZG_TEST_PG_URL=$(bash scripts/pg-test.sh start "$PGDIR")
export ZG_TEST_PG_URL
echo "== PostgreSQL test cluster: $ZG_TEST_PG_URL"

echo "== gcc build (-Werror) and tests"
cmake -S . -B build -DZG_WERROR=ON -DZG_TESTS=ON >/dev/null
cmake --build build -j"$(nproc)"
(cd build && ctest --output-on-failure -j2 --timeout 600)

echo "== web UI: build, unit tests (vitest), end-to-end tests (headless Chromium)"
bash scripts/web.sh
(cd web && npx vitest run)
node tests/e2e/run.mjs

if [ "${ZG_SKIP_ASAN:-0}" != 1 ]; then
  echo "== clang ASan+UBSan build and tests"
  CC=clang cmake -S . -B build-asan -DZG_SANITIZE=ON -DZG_WERROR=ON \
    -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build build-asan -j"$(nproc)"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j2 --timeout 900)
fi

if [ "${ZG_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== libFuzzer passes"
  bash scripts/fuzz.sh "${ZG_FUZZ_SECONDS:-30}"
fi
echo "== all tests passed"
