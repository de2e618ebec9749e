#!/usr/bin/env bash
# Lint (ruff), type-check (mypy, strict for routerchat/) and check that imports point down only
# (import-linter: the contracts in pyproject.toml) with the test venv; CI runs this before the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv "[test]" editable
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache | sed -n '/^Contracts/,$p'
