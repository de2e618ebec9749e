#!/usr/bin/env bash
# Set up routerchat (first run only) and serve it on http://127.0.0.1:5000 with SQLite.
# Settings come from the environment or a .env file next to main.py (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv ""
exec .venv/bin/python main.py
