#!/usr/bin/env bash
# Lint (ruff) and type-check (mypy, strict for routerchat/) with the test venv; CI runs this before the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv "[test]" editable
.venv/bin/ruff check .
.venv/bin/mypy
