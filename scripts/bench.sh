#!/usr/bin/env bash
# Run the whole benchmark table (a few minutes) and write bench/RESULTS.md. Uses the run.sh
# virtualenv plus py-spy for the profiles, and PostgreSQL at BENCH_DATABASE_URL (default
# postgresql://127.0.0.1:5432/test; the run works in a schema of its own and drops it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv ""
if [ ! -x .venv/bin/py-spy ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "py-spy>=0.3.14"
fi
exec .venv/bin/python bench/run.py "$@"
