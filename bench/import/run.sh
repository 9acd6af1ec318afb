#!/usr/bin/env bash
# bench/import — 1. the XLSX reader alone: rows/s and peak RSS for a generated 100,000-row ×
# 15-column member sheet, saved with a shared string table (as Excel/WPS save) and with inline
# strings (as the project's own writer saves);
# 2. the member import end to end (bench/import/import_bench.c → zg_member_import, the function
# POST /api/v1/members/import runs): a 100,000-row file in the template's columns over the
# demo city's branches, imported into a fresh SQLite database (validation, encryption, one
# write transaction): rows/s and peak RSS; then the same file with one bad row, which must
# write nothing and report that row.
# Builds the zg library (Release) into build-bench/ (or $ZG_BENCH_BUILD) and the benches against it.
# Usage: bench/import/run.sh [ROWS=100000] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-100000}
ROUNDS=${2:-3}
B=${ZG_BENCH_BUILD:-build-bench}
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DZG_TESTS=OFF >/dev/null
cmake --build "$B" -j"$(nproc)" --target zg >/dev/null
OUT=$(mktemp -d /tmp/zgimport.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
# shellcheck disable=SC2046
cc -O2 -std=c17 -D_GNU_SOURCE -Isrc -o "$OUT/read_bench" bench/import/read_bench.c \
  "$B/libzg.a" $(pkg-config --libs xlsxwriter zlib) -lm
for kind in shared inline; do
  "$OUT/read_bench" gen "$OUT/$kind.xlsx" "$ROWS" "$kind"
  echo "-- $kind strings: $ROWS rows x 15 columns, $(stat -c %s "$OUT/$kind.xlsx") bytes"
  "$OUT/read_bench" read "$OUT/$kind.xlsx" "$ROUNDS"
done
echo "target: reader alone >= 200000 rows/s"

# shellcheck disable=SC2046
cc -O2 -std=c17 -D_GNU_SOURCE -Isrc -o "$OUT/import_bench" bench/import/import_bench.c \
  "$B/libzg.a" $(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libcrypto \
  libsodium xlsxwriter zlib) -lpthread -lm
BAD=$((ROWS / 2))
"$OUT/import_bench" gen "$OUT/base.db" "$OUT/members.xlsx" "$ROWS"
"$OUT/import_bench" gen "$OUT/base.db" "$OUT/members-bad.xlsx" "$ROWS" "$BAD"
for i in $(seq "$ROUNDS"); do
  cp "$OUT/base.db" "$OUT/run.db"
  echo "-- import round $i"
  "$OUT/import_bench" import "$OUT/run.db" "$OUT/members.xlsx"
done
cp "$OUT/base.db" "$OUT/run.db"
echo "-- the same file with one bad row (data row $BAD = Excel row $((BAD + 2))): nothing written"
"$OUT/import_bench" import "$OUT/run.db" "$OUT/members-bad.xlsx"
echo "target: import end to end >= 20000 rows/s on SQLite, peak RSS <= 200 MB"
