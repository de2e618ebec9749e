"""Starting routerchat: a busy port is one clear line naming it and PORT= (main.py and gunicorn alike,
exit status non-zero), and the first run says what it is installing (issue 19)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from routerchat.ports import check_port_free
from tests.support.servers import GUNICORN_ARGS, ROOT


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_check_port_free_names_a_busy_port_and_passes_a_free_one(busy_port):
    message = check_port_free("127.0.0.1", busy_port)
    assert message is not None and f"127.0.0.1:{busy_port}" in message and f"PORT={busy_port + 1}" in message
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    assert check_port_free("127.0.0.1", free) is None


def start_on(command: list[str], port: int, database_url: str, workdir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "DATABASE_URL": database_url,
           "SECRET_KEY": "x", "OPENROUTER_API_KEY": "", "PYTHONUNBUFFERED": "1"}
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


def assert_one_clear_line(done: subprocess.CompletedProcess, port: int) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if f":{port}" in line]
    assert len(lines) == 1, done.stderr
    assert "already in use" in lines[0] and "PORT=" in lines[0]


def test_main_py_on_a_busy_port_says_so_in_one_line(busy_port, tmp_path):
    done = start_on([sys.executable, str(ROOT / "main.py")], busy_port, f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path)
    assert_one_clear_line(done, busy_port)


def test_gunicorn_on_a_busy_port_says_so_in_one_line(busy_port, tmp_path):
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    done = start_on([gunicorn, *GUNICORN_ARGS], busy_port, f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path)
    assert_one_clear_line(done, busy_port)


STUB_PYTHON = """#!/usr/bin/env bash
# Stands in for python: the version check passes, `-m venv DIR` makes DIR/bin/python (this stub).
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
exit 0
"""


def test_the_first_run_says_what_it_installs(tmp_path):
    stub = tmp_path / "python"
    stub.write_text(STUB_PYTHON)
    stub.chmod(0o755)
    (tmp_path / "pyproject.toml").write_text("")
    script = f"source {ROOT / 'scripts' / 'venv.sh'} && ensure_venv ''"
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env={**os.environ, "PYTHON": str(stub)},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "first run: creating the virtualenv .venv/" in done.stderr
    assert "installing routerchat and its dependencies" in done.stderr
    again = subprocess.run(["bash", "-c", script], cwd=tmp_path, env={**os.environ, "PYTHON": str(stub)},
                           capture_output=True, text=True, timeout=30)
    assert again.stderr == ""   # later runs are silent
