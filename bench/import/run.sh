#!/usr/bin/env bash
# bench/import — the XLSX reader alone for now (the import stage that comes first): rows/s and
# peak RSS for a generated 100,000-row × 15-column member sheet, saved with a shared string
# table (as Excel/WPS save) and with inline strings (as the project's own writer saves).
# Builds the zg library (Release) into build-bench/ and bench/import/read_bench against it.
# Usage: bench/import/run.sh [ROWS=100000] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-100000}
ROUNDS=${2:-3}
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DZG_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target zg >/dev/null
OUT=$(mktemp -d /tmp/zgimport.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
# shellcheck disable=SC2046
cc -O2 -std=c17 -D_GNU_SOURCE -Isrc -o "$OUT/read_bench" bench/import/read_bench.c \
  build-bench/libzg.a $(pkg-config --libs xlsxwriter zlib) -lm
for kind in shared inline; do
  "$OUT/read_bench" gen "$OUT/$kind.xlsx" "$ROWS" "$kind"
  echo "-- $kind strings: $ROWS rows x 15 columns, $(stat -c %s "$OUT/$kind.xlsx") bytes"
  "$OUT/read_bench" read "$OUT/$kind.xlsx" "$ROUNDS"
done
echo "target: reader alone >= 200000 rows/s (import end to end >= 20000 rows/s, <= 200 MB)"
