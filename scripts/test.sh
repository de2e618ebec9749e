#!/usr/bin/env bash
# Set up routerchat with its test tools and run every test: unit, HTTP API against the fake
# OpenRouter, and browser tests in Debian's chromium. With TEST_DATABASE_URL set (for example
# postgresql://127.0.0.1:5432/test) the same suite also runs on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv "[test]" editable

if ! command -v chromium >/dev/null 2>&1 && [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Debian's chromium: run 'sudo apt-get install chromium' first." >&2
    exit 1
  fi
fi

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  if ! .venv/bin/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=5).close()" \
       "$TEST_DATABASE_URL"; then
    echo "TEST_DATABASE_URL is set but PostgreSQL is unreachable: $TEST_DATABASE_URL" >&2
    exit 1
  fi
  echo "Running the suite on SQLite and on PostgreSQL ($TEST_DATABASE_URL)."
else
  echo "Running the suite on SQLite (set TEST_DATABASE_URL to add the PostgreSQL pass)."
fi

# The tests mostly wait (on servers, streams, timeouts, the browser), so four workers share two
# cores well; tests that share a costly module fixture run in one worker (xdist_group).
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-4}" --dist loadgroup "$@"
