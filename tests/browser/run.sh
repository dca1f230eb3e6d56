#!/usr/bin/env bash
# Run the langnghe browser journeys. Idempotent; safe to call repeatedly.
#   LANGNGHE_BIN  server binary (default: <repo>/target/debug/langnghe)
#   CHROMIUM      browser binary (default: /usr/bin/chromium)
# Screenshots go to <repo>/target/screenshots/.
set -euo pipefail
cd "$(dirname "$0")"

# 1. A browser: Debian's chromium (never `npx playwright install`).
if [ -z "${CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "run.sh: installing Debian chromium" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi

# Node.js and npm, from Debian, when the machine has none.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "run.sh: installing Debian nodejs and npm" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
fi

# 2. Node dependencies, only when missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "run.sh: npm ci" >&2
  npm ci --no-audit --no-fund
  touch node_modules/.package-lock.json
fi

# 3. The server binary must already be built (this script does not run cargo).
REPO="$(cd ../.. && pwd)"
BIN="${LANGNGHE_BIN:-target/debug/langnghe}"
case "$BIN" in /*) ;; *) BIN="$REPO/$BIN" ;; esac
if [ ! -x "$BIN" ]; then
  echo "run.sh: server binary not found at $BIN — build it first (cargo build) or set LANGNGHE_BIN" >&2
  exit 2
fi

# 4. The journeys, one file at a time.
exec node --test --test-concurrency=1 journeys/
