# Shared by run.sh and test.sh: a project virtualenv, (re)installed when pyproject.toml changes.
# ensure_venv EXTRAS [editable]: run.sh makes a plain install (newer setuptools warns about every
# editable install of a flat layout, and everything runs from this checkout anyway); test.sh an
# editable one, so that processes the tests start elsewhere (gunicorn, migrate) run this code.
ensure_venv() {
  local extras="$1"
  local mode=()
  [ "${2:-}" = editable ] && mode=(-e)
  local python="${PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "routerchat needs Python 3.11 or newer (found: $("$python" --version 2>&1))." >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "routerchat: first run: creating the virtualenv .venv/ ..." >&2
    "$python" -m venv .venv
  fi
  local stamp=".venv/.installed${extras}${2:+-$2}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    # pip is quiet, so say what the wait is for (it takes about half a minute to a few minutes).
    echo "routerchat: installing routerchat${extras} and its dependencies into .venv/ (once, or after pyproject.toml changes) ..." >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "${mode[@]}" ".${extras}"
    echo "routerchat: installed." >&2
    rm -f .venv/.installed*   # the other kind of install is gone now: it reinstalls when next asked for
    touch "$stamp"
  fi
}
