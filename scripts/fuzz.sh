#!/usr/bin/env bash
# Builds the libFuzzer drivers (clang, ASan+UBSan) into build-fuzz/ and runs each for N seconds
# (default 30) starting from fuzz/corpus/<name>/. New inputs go to a scratch corpus that is not
# committed; a crash fails the script and leaves the reproducer in build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-30}
CC=clang cmake -S . -B build-fuzz -DZG_FUZZ=ON -DZG_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_json fuzz_router fuzz_calendar fuzz_xlsx
for f in fuzz_json fuzz_router fuzz_calendar fuzz_xlsx; do
  name=${f#fuzz_}
  work=build-fuzz/corpus-$name
  mkdir -p "$work"
  echo "-- $f: ${SECS}s"
  if ! (cd build-fuzz && ASAN_OPTIONS=detect_leaks=1 "./fuzz/$f" -max_total_time="$SECS" \
        -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
        "corpus-$name" "../fuzz/corpus/$name" >"$f.log" 2>&1); then
    tail -50 "build-fuzz/$f.log"
    echo "fuzz: $f FAILED (log: build-fuzz/$f.log)"
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)" "build-fuzz/$f.log" || true
done
echo "fuzz: no crashes"
