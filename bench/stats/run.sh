#!/usr/bin/env bash
# bench/stats — the statistics engine's full per-org subtree rollup (every org, 31 member
# cells, as of 2024-12-31) against SQLite, PostgreSQL and DuckDB on the same generated data
# (shared/reference/PEERS.md: level-wise, covering index, counts cast to int, the sorted plan
# forced for PostgreSQL's leaf step). Loading is not timed; each peer's rollup is timed REPS=3
# times and the engine's compute (after the snapshot is built) 5 times; medians and ratios are
# printed, and the four per-org tables are checked to be identical (same bytes as CSV).
#
# Usage: bench/stats/run.sh [MEMBERS=10000000]
# Env:   PEERS="sqlite pg duckdb" (a subset to skip some), REPS=3, ENGINE_REPS=5
# Data and databases go to bench/out/stats/MEMBERS/ (kept between runs while the generator is
# unchanged); the PostgreSQL cluster is throwaway (scripts/pg-test.sh) and removed at the end.
# DuckDB: npm @duckdb/node-api, installed into bench/stats/node_modules by this script only.
set -euo pipefail
cd "$(dirname "$0")/../.."
MEMBERS=${1:-10000000}
PEERS=${PEERS:-sqlite pg duckdb}
REPS=${REPS:-3}
ENGINE_REPS=${ENGINE_REPS:-5}
OUT=$PWD/bench/out/stats/$MEMBERS
BIN=$PWD/bench/out/stats/stats_bench
mkdir -p "$OUT"

echo "== build"
cc -std=c17 -O3 -DNDEBUG -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc -o "$BIN" \
    bench/stats/stats_bench.c src/modules/stats/stats.c src/modules/stats/stats_snapshot.c \
    src/modules/stats/stats_engine.c src/modules/stats/stats_gen.c src/core/date.c \
    src/core/status.c src/core/arena.c \
    $(pkg-config --cflags --libs sqlite3 libpq) -lpthread

# Regenerate when the generator changed (and drop the databases built from the old data).
STAMP=$(cat src/modules/stats/stats_gen.c src/modules/stats/stats.c bench/stats/stats_bench.c |
    md5sum | cut -c1-16)
if [ ! -f "$OUT/member.csv" ] || [ "$(cat "$OUT/stamp" 2>/dev/null)" != "$STAMP" ]; then
    echo "== generate $MEMBERS members"
    rm -f "$OUT"/*.csv "$OUT/bench.sqlite" "$OUT/stamp"
    "$BIN" gen "$OUT" "$MEMBERS"
    echo "$STAMP" >"$OUT/stamp"
fi
rm -f "$OUT"/out-*.csv "$OUT"/times-*.txt

echo "== engine"
"$BIN" engine "$OUT" "$MEMBERS" "$ENGINE_REPS" | tee "$OUT/engine.log"
grep '^TIME' "$OUT/engine.log" | awk '{print $3}' >"$OUT/times-engine.txt"

PGDIR=$OUT/pg
cleanup() { [ -d "$PGDIR" ] && bash scripts/pg-test.sh stop "$PGDIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT

for peer in $PEERS; do
    echo "== $peer"
    case $peer in
    sqlite)
        "$BIN" sqlite "$OUT" "$REPS" | tee "$OUT/sqlite.log"
        ;;
    pg)
        url=$(bash scripts/pg-test.sh start "$PGDIR")
        "$BIN" pg "$url" "$OUT" "$REPS" | tee "$OUT/pg.log"
        cleanup
        ;;
    duckdb)
        if [ ! -d bench/stats/node_modules/@duckdb/node-api ]; then
            (cd bench/stats && npm install --no-audit --no-fund --loglevel=error >/dev/null)
        fi
        node bench/stats/duckdb_rollup.mjs "$OUT" "$REPS" | tee "$OUT/duckdb.log"
        ;;
    *) echo "unknown peer $peer" >&2; exit 2 ;;
    esac
    grep '^TIME' "$OUT/$peer.log" | awk '{print $3}' >"$OUT/times-$peer.txt"
done

echo "== verify"
ref=$(md5sum <"$OUT/out-engine.csv" | cut -c1-32)
rows=$(wc -l <"$OUT/out-engine.csv")
orgs=$(($(wc -l <"$OUT/org.csv") - 1))
[ "$rows" -eq "$orgs" ] || { echo "FAIL: engine table has $rows rows for $orgs orgs"; exit 1; }
ok=1
for peer in $PEERS; do
    h=$(md5sum <"$OUT/out-$peer.csv" | cut -c1-32)
    if [ "$h" = "$ref" ]; then
        echo "$peer: identical to the engine ($rows orgs x 31 cells, md5 $h)"
    else
        echo "FAIL: $peer differs from the engine (md5 $h vs $ref); first differences:"
        diff "$OUT/out-engine.csv" "$OUT/out-$peer.csv" | head -5
        ok=0
    fi
done

median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "== results ($MEMBERS members, $orgs orgs; wall ms, median)"
em=$(median "$OUT/times-engine.txt")
printf '%-8s %10.1f ms   (runs: %s)\n' engine "$em" "$(tr '\n' ' ' <"$OUT/times-engine.txt")"
best=""
for peer in $PEERS; do
    m=$(median "$OUT/times-$peer.txt")
    printf '%-8s %10.1f ms   (runs: %s) engine is %.0fx faster\n' "$peer" "$m" \
        "$(tr '\n' ' ' <"$OUT/times-$peer.txt")" "$(awk -v a="$m" -v b="$em" 'BEGIN{print a/b}')"
    if [ -z "$best" ] || awk -v a="$m" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$m; bp=$peer; fi
done
[ -n "$best" ] && printf 'fastest peer: %s; engine vs fastest peer: %.0fx (target >= 10x)\n' \
    "$bp" "$(awk -v a="$best" -v b="$em" 'BEGIN{print a/b}')"
grep -E '^(engine:|engine 1 thread|RSS)' "$OUT/engine.log"
[ "$ok" = 1 ] || exit 1
