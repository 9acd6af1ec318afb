#!/usr/bin/env bash
# One command from a fresh Debian 12 checkout to a running server: installs dependencies,
# builds, creates data/demo.db with the demo dataset (the city of 临江: org tree, leadership
# teams, gradings, demo accounts) and serves it on http://127.0.0.1:8080/.
# Extra arguments go to `zugong serve` (e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DZG_TESTS=OFF
bash scripts/web.sh
mkdir -p data
export ZUGONG_ADMIN_PASSWORD="${ZUGONG_ADMIN_PASSWORD:-Demo-Pass-2025}"
./build/zugong demo --db data/demo.db
cat <<'MSG'
演示账号（密码均为 Demo-Pass-2025，仅供演示）：
  admin     系统管理员（账号、配置）        secadmin  安全管理员（角色、权限）
  auditor   安全审计员（审计日志）          city      市委组织部（全市）
  county    青山县委组织部（本县）          town      石桥镇党委（本镇）
  branch    村党支部书记（本支部）          viewer    市委组织部只读账号
API 登录：curl -s -X POST http://127.0.0.1:8080/api/v1/auth/login \
  -H 'Content-Type: application/json' -d '{"username":"city","password":"Demo-Pass-2025"}'
MSG
exec ./build/zugong serve --db data/demo.db "$@"
