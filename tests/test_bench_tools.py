"""The bench tools that run routerchat's own code in a measured server: bench/relay_timeline.py wraps
routerchat's functions by name and must still find every phase of every message,
bench/gc_pauses.py must see the collector at work, bench/sqlite_commits.py must store its
exchanges both ways, and bench/start_cpu.py and bench/instructions.py must start their chats in both
servers, or what they print measures nothing."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
TIMELINE = BENCH / "relay_timeline.py"


def test_the_timeline_finds_every_phase_of_every_message(tmp_path):
    result = subprocess.run([sys.executable, str(TIMELINE), "--level", "3", "--rounds", "2"], capture_output=True,
                            text=True, timeout=240, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    last_round = result.stdout.split("Medians")[0]
    rows = [line for line in last_round.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 3  # every message of the round, with all eight phases
    for row in rows:
        cells = (float(cell) for cell in row.strip("| ").split(" | "))
        wsgi, view, opened, stored, sent, answered, delta, chunk = cells
        assert wsgi <= view <= opened <= stored <= sent <= chunk  # the message's own phases in their order
        assert view <= answered <= delta <= chunk  # its request went out from the view, the upstream answered it


def test_the_collector_is_timed_in_the_measured_server(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH / "gc_pauses.py"), "--levels", "5,5"], capture_output=True,
                            text=True, timeout=240, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "round 2: 5 streams, 5 ended well" in result.stdout
    rows = [line.split(" | ") for line in result.stdout.splitlines() if line.startswith("| 0 |")]
    assert rows and int(rows[0][1]) > 0  # young collections happened, and were timed


def test_the_commits_are_measured_with_the_checkpoints_both_ways(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH / "sqlite_commits.py"), "--exchanges", "300", "--rounds", "1"],
                            capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split(" | ") for line in result.stdout.splitlines() if line.startswith("| in ")]
    assert [row[0] for row in rows] == ["| in the commits (SQLite's default)", "| in a thread (routerchat)"]
    for row in rows:
        median, p99, maximum = (float(cell.removesuffix(" ms")) for cell in row[1:4])
        assert 0 < median <= p99 <= maximum


def test_the_start_of_many_chats_is_measured_in_routerchat_and_the_floor(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH / "start_cpu.py"), "--level", "3", "--rounds", "1",
                             "--hold", "0.3"], capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split(" | ") for line in result.stdout.splitlines() if line.startswith("| ")]
    assert [row[0] for row in rows] == ["| routerchat (main.py + SQLite)",
                                        "| floor + flask,rows,feed,title,guards,search,ledger"]
    for row in rows:
        median, minimum = (float(cell.removesuffix(" ms |").removesuffix(" ms")) for cell in row[1:3])
        assert 0 <= minimum <= median
    assert "routerchat / floor: " in result.stdout


@pytest.mark.skipif(shutil.which("valgrind") is None,
                    reason="bench/instructions.py counts with valgrind (.ci/run installs it)")
def test_instructions_counts_a_start_of_routerchat_and_an_exchange_of_the_floor(tmp_path):
    """Both apps are served and driven under valgrind, and a chat costs a plausible count."""
    for extra, label in (([], "routerchat"), (["--floor", "--exchange"], "floor + ")):
        result = subprocess.run([sys.executable, str(BENCH / "instructions.py"), "--chats", "3", *extra],
                                capture_output=True, text=True, timeout=600, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.stdout.startswith(label)
        per_chat = float(result.stdout.split(": ")[1].split(" M ")[0])
        assert 0.5 < per_chat < 100  # millions of instructions: a chat's work, not nothing and not a start-up


@pytest.mark.skipif(shutil.which("valgrind") is None,
                    reason="bench/instructions.py counts with valgrind (.ci/run installs it)")
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="needs PostgreSQL (TEST_DATABASE_URL)")
@pytest.mark.xdist_group("bench_schemas")  # one worker: each checks that no bench schema is left behind
def test_instructions_counts_an_exchange_of_routerchat_on_postgresql(tmp_path):
    """`--postgres`: each run stores in a schema of its own, waits for its titles there, and drops it."""
    url = os.environ["TEST_DATABASE_URL"]
    schemas_before = bench_schemas(url)
    result = subprocess.run([sys.executable, str(BENCH / "instructions.py"), "--chats", "3", "--exchange",
                             "--postgres", url], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("routerchat") and "per chat exchange" in result.stdout
    assert 0.5 < float(result.stdout.split(": ")[1].split(" M ")[0]) < 100
    assert bench_schemas(url) <= schemas_before  # its schemas were dropped


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="needs PostgreSQL (TEST_DATABASE_URL)")
@pytest.mark.xdist_group("bench_schemas")
def test_the_relay_alone_runs_on_gunicorn_and_postgresql(tmp_path):
    """`run.py --relay-only --gunicorn N`: the relay table of gunicorn ×N + PostgreSQL, in a schema
    of its own, dropped afterwards (old checkouts are compared this way, with --root)."""
    url = os.environ["TEST_DATABASE_URL"]
    schemas_before = bench_schemas(url)
    result = subprocess.run([sys.executable, str(BENCH / "run.py"), "--relay-only", "--gunicorn", "1",
                             "--postgres", url, "--levels", "1", "--rounds", "1"],
                            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| gunicorn ×1 + PostgreSQL | 1 |" in result.stdout and "guard reports: 0" in result.stdout
    assert bench_schemas(url) <= schemas_before  # its schemas were dropped


def bench_schemas(url: str) -> set[str]:
    """The schemas bench/run.py's `postgres_schema` made in this database and did not drop."""
    from sqlalchemy import create_engine, inspect

    from routerchat.config import normalize_database_url

    engine = create_engine(normalize_database_url(url))
    try:
        return {name for name in inspect(engine).get_schema_names() if name.startswith("rc_bench_")}
    finally:
        engine.dispose()
