#!/usr/bin/env bash
# bench/api — the member list API on a generated SQLite database of MEMBERS members (the
# statistics generator's country, written into the application's tables by
# `stats_api_bench fill`; 1,000,000 members → 31 provinces, one county each of ≈ 32,000
# members). A county clerk (account bench_county, home org = a county, role org_admin) asks
# for filtered pages of 20 members of the county's subtree (bench/api/list.lua rotates eight
# filter combinations) with wrk -t2 -c64; in the same run and alternating rounds, the
# foundation's bare libmicrohttpd hello server (bench/http/hello.c). Prints each round, the
# medians, the ratio zugong/hello (target >= 0.25) and zugong's p99 latency (target < 50 ms).
# Both servers get 2 worker threads; zugong runs with its defaults otherwise (access log on).
#
# Usage: bench/api/run.sh [MEMBERS=1000000] [DUR=10] [ROUNDS=3]
# Env:   BUILD=build-bench (cmake build directory, Release). The database is kept in
#        bench/out/gen/ and reused by later runs (delete it to regenerate).
set -euo pipefail
cd "$(dirname "$0")/../.."
MEMBERS=${1:-1000000}
DUR=${2:-10}
ROUNDS=${3:-3}
BUILD=${BUILD:-build-bench}
command -v wrk >/dev/null || { echo "wrk missing: run scripts/setup.sh"; exit 1; }
OUT=$PWD/bench/out/api
GEN=$PWD/bench/out/gen
mkdir -p "$OUT" "$GEN"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DZG_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target zg zugong >/dev/null
# shellcheck disable=SC2046
cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc -o "$OUT/stats_api_bench" \
    bench/stats_api/stats_api_bench.c "$BUILD/libzg.a" \
    $(pkg-config --cflags --libs libmicrohttpd jansson sqlite3 libpq libcrypto libsodium \
        xlsxwriter libcurl) -lpthread -lm -lz
# shellcheck disable=SC2046
cc -O2 -o "$OUT/hello" bench/http/hello.c $(pkg-config --cflags --libs libmicrohttpd)

DB=$GEN/members-$MEMBERS.db
if [ ! -f "$DB" ]; then
    rm -f "$DB".key "$DB"-wal "$DB"-shm
    "$OUT/stats_api_bench" fill "$DB" "$MEMBERS" | tee "$OUT/fill-$MEMBERS.log"
fi
COUNTY=$(sqlite3 "$DB" "SELECT home_org_id FROM account WHERE username = 'bench_county'")
IN_COUNTY=$(sqlite3 "$DB" "SELECT count(*) FROM membership m JOIN org_closure c
    ON c.descendant_id = m.org_id WHERE c.ancestor_id = $COUNTY
    AND m.status IN ('probationary', 'full')")
echo "database: $DB ($(du -m "$DB" | cut -f1) MB); county $COUNTY with $IN_COUNTY current members"

LOG=$OUT/zugong.log
rm -f "$OUT/port"
"$BUILD/zugong" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$OUT/port" --threads 2 \
    --conn-per-ip 1024 >"$OUT/zugong.out" 2>"$LOG" &
ZPID=$!
"$OUT/hello" 18091 2 &
HPID=$!
trap 'kill $ZPID $HPID 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 600); do [ -s "$OUT/port" ] && break; sleep 0.1; done
ZPORT=$(cat "$OUT/port")
TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
    -d '{"username":"bench_county","password":"Perf-Stats-2026x"}' \
    "http://127.0.0.1:$ZPORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AUTH="Authorization: Bearer $TOKEN"
echo "one page:"
curl -fsS -H "$AUTH" "http://127.0.0.1:$ZPORT/api/v1/members?org_id=$COUNTY&gender=2&page_size=20" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("  total", d["total"], "items", len(d["items"]), "first", d["items"][0]["name"], d["items"][0]["id_number"] if "id_number" in d["items"][0] else "")'
curl -fsS "http://127.0.0.1:18091/" >/dev/null
# the member list index builds in the background on the first list (docs/api-members.md);
# lists run their SQL meanwhile: wait until a list comes back fast (at most 3 minutes)
for _ in $(seq 180); do
    t=$(curl -fsS -o /dev/null -w '%{time_total}' -H "$AUTH" \
        "http://127.0.0.1:$ZPORT/api/v1/members?org_id=$COUNTY&page_size=20")
    awk -v t="$t" 'BEGIN { exit !(t < 0.02) }' && break
    sleep 1
done
# the warm-up: one pass over the filters so the page cache holds the county's rows
ZG_ORG=$COUNTY wrk -t2 -c8 -d3s -s bench/api/list.lua -H "$AUTH" "http://127.0.0.1:$ZPORT" >/dev/null

# p99 in ms from wrk --latency's distribution
p99() { awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    f = (u == "us") ? 0.001 : (u == "s") ? 1000 : 1; printf "%.2f", v * f }'; }
z=(); h=(); p=()
for i in $(seq "$ROUNDS"); do
    hv=$(wrk -t2 -c64 -d"${DUR}s" "http://127.0.0.1:18091/" | awk '/Requests\/sec/ {print $2}')
    ZG_ORG=$COUNTY wrk -t2 -c64 -d"${DUR}s" --latency -s bench/api/list.lua -H "$AUTH" \
        "http://127.0.0.1:$ZPORT" >"$OUT/wrk-$i.txt"
    zv=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-$i.txt")
    pv=$(p99 <"$OUT/wrk-$i.txt")
    errs=$(awk '/Non-2xx/ {print $4}' "$OUT/wrk-$i.txt")
    echo "round $i: hello ${hv} req/s; zugong member list ${zv} req/s, p99 ${pv} ms${errs:+, NON-2XX $errs}"
    h+=("$hv"); z+=("$zv"); p+=("$pv")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
hm=$(median "${h[@]}"); zm=$(median "${z[@]}"); pm=$(median "${p[@]}")
echo "median: hello ${hm} req/s, zugong member list ${zm} req/s," \
    "ratio $(awk -v a="$zm" -v b="$hm" 'BEGIN{printf "%.3f", a/b}') (target >= 0.25)," \
    "p99 ${pm} ms (target < 50 ms)"
