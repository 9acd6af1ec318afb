#!/usr/bin/env bash
# Installs every build, run and test dependency of zugong on Debian 12. Idempotent: packages
# already present are left alone. Runs as root or through sudo.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config clang git ca-certificates
  libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev libssl-dev libsodium-dev
  libxlsxwriter-dev zlib1g-dev libcmocka-dev libcurl4-openssl-dev
  postgresql postgresql-contrib wrk curl
  chromium fonts-noto-cjk
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi
