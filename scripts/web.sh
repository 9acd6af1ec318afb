#!/usr/bin/env bash
# Builds the web UI into web/dist (served by `zugong serve` from web_dir, default web/dist):
# installs the exact dependency versions of web/package-lock.json (npm ci, skipped when
# node_modules already matches the lock file), runs vite build, writes .gz siblings and prints
# the measured first-load size of the login page (gzip; fails above 1 MB).
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "web: node and npm are required (Node 20+)" >&2
  exit 1
fi
stamp=node_modules/.zg-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "== web: npm ci"
  # npm ci insists on every platform's optional packages being in the lock file; a lock file
  # written through a registry mirror that carries only this platform's (e.g. @rollup/rollup-*)
  # lacks them, so fall back to installing the same pinned tree without touching the lock file.
  if ! npm ci --no-audit --no-fund --loglevel=error 2>/dev/null; then
    echo "web: npm ci refused the lock file; installing its pinned versions with npm install"
    npm install --no-save --no-audit --no-fund --loglevel=error
  fi
  cp package-lock.json "$stamp"
fi
echo "== web: vite build"
npx vite build --logLevel warn
node scripts/compress.mjs
