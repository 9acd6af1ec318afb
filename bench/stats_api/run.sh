#!/usr/bin/env bash
# bench/stats_api — GET /api/v1/stats over real HTTP, on the demo city (~20,000 members) and on
# a generated country of MEMBERS members written into the application's tables (SQLite), while
# members are being written; and how long a write takes to show. See stats_api_bench.c.
#
# Usage: bench/stats_api/run.sh [MEMBERS=1000000] [WRITES_PER_S=10]
# Env:   BUILD=build-statsdb (a cmake build directory of this tree, for libzg.a and zugong)
# Output in bench/out/stats_api/.
set -euo pipefail
cd "$(dirname "$0")/../.."
MEMBERS=${1:-1000000}
PER_S=${2:-10}
BUILD=${BUILD:-build-statsdb}
OUT=$PWD/bench/out/stats_api
BIN=$OUT/stats_api_bench
mkdir -p "$OUT"
cmake --build "$BUILD" --target zg zugong >/dev/null
cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc -o "$BIN" \
    bench/stats_api/stats_api_bench.c "$BUILD/libzg.a" \
    $(pkg-config --cflags --libs libmicrohttpd jansson sqlite3 libpq libcrypto libsodium \
        xlsxwriter libcurl) -lpthread -lm -lz

echo "== demo city"
rm -f "$OUT/demo.db" "$OUT/demo.db-wal" "$OUT/demo.db-shm" "$OUT/demo.db.key"
"$BUILD/zugong" demo --db "$OUT/demo.db" --log-level warn >/dev/null
CITY=$(sqlite3 "$OUT/demo.db" "SELECT id FROM org WHERE code = 'LJ'")
COUNTY=$(sqlite3 "$OUT/demo.db" "SELECT id FROM org WHERE code = 'LJ-04'")
"$BIN" serve "$OUT/demo.db" city Demo-Pass-2025 "$CITY" "$COUNTY" "$PER_S" | tee "$OUT/demo.log"

echo "== generated country, $MEMBERS members"
DB=$PWD/bench/out/gen/members-$MEMBERS.db   # shared with bench/api
mkdir -p "$(dirname "$DB")"
if [ ! -f "$DB" ]; then
    rm -f "$DB".key "$DB"-wal "$DB"-shm
    "$BIN" fill "$DB" "$MEMBERS" | tee "$OUT/fill-$MEMBERS.log"
fi
COUNTY=$(sqlite3 "$DB" "SELECT min(id) FROM org WHERE depth = 3")
"$BIN" serve "$DB" bench Perf-Stats-2026x 1 "$COUNTY" "$PER_S" | tee "$OUT/gen-$MEMBERS.log"
