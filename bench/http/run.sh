#!/usr/bin/env bash
# bench/http — GET /healthz on zugong vs a bare libmicrohttpd hello server, same machine, same
# run, wrk -t2 -c64 -d${DUR}s, ROUNDS alternating rounds; prints each round, the medians and the
# ratio (target ≥ 0.8). Both servers get 2 worker threads; zugong runs with its defaults
# otherwise (access log on, written to a file; SQLite database).
# Usage: bench/http/run.sh [DUR=10] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-10}
ROUNDS=${2:-3}
command -v wrk >/dev/null || { echo "wrk missing: run scripts/setup.sh"; exit 1; }
[ -x build/zugong ] || bash scripts/build.sh -DZG_TESTS=OFF
OUT=$(mktemp -d /tmp/zgbench.XXXXXX)
cc -O2 -o "$OUT/hello" bench/http/hello.c $(pkg-config --cflags --libs libmicrohttpd)

./build/zugong serve --db "$OUT/bench.db" --listen 127.0.0.1:0 --port-file "$OUT/port" \
  --threads 2 --conn-per-ip 1024 >"$OUT/zugong.out" 2>"$OUT/zugong.log" &
ZPID=$!
"$OUT/hello" 18090 2 &
HPID=$!
trap 'kill $ZPID $HPID 2>/dev/null; wait 2>/dev/null; rm -rf "$OUT"' EXIT
for _ in $(seq 50); do [ -s "$OUT/port" ] && break; sleep 0.1; done
ZPORT=$(cat "$OUT/port")
curl -fsS "http://127.0.0.1:$ZPORT/healthz" >/dev/null
curl -fsS "http://127.0.0.1:18090/" >/dev/null

rps() { wrk -t2 -c64 -d"${DUR}s" --latency "$1" | awk '/Requests\/sec/ {print $2}'; }
z=(); h=()
for i in $(seq "$ROUNDS"); do
  hv=$(rps "http://127.0.0.1:18090/")
  zv=$(rps "http://127.0.0.1:$ZPORT/healthz")
  echo "round $i: hello ${hv} req/s, zugong /healthz ${zv} req/s"
  h+=("$hv"); z+=("$zv")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
hm=$(median "${h[@]}"); zm=$(median "${z[@]}")
echo "median: hello ${hm} req/s, zugong ${zm} req/s, ratio $(awk -v a="$zm" -v b="$hm" 'BEGIN{printf "%.2f", a/b}') (target >= 0.80)"
echo "access log lines written: $(grep -c ACCESS "$OUT/zugong.log" || true)"
