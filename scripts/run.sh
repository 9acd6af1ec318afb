#!/usr/bin/env bash
# One command from a fresh Debian 12 checkout to a running server: installs dependencies,
# builds, creates data/demo.db with the demo dataset and serves it on http://127.0.0.1:8080/.
# Extra arguments go to `zugong serve` (e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DZG_TESTS=OFF
mkdir -p data
./build/zugong demo --db data/demo.db
echo "登录：当前版本尚无账号体系（见 issue 3），打开上面的地址即可使用；API 文档 /api/v1/openapi.json"
exec ./build/zugong serve --db data/demo.db "$@"
