"""`python main.py backup FILE` while the server runs: the copy restores every conversation (SQLite);
PostgreSQL is pointed to pg_dump."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from routerchat.extensions import db
from tests.support.client import Api
from tests.support.databases import backend_of
from tests.support.factories import store_conversation
from tests.support.servers import ROOT, in_process_app


def run_backup(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "backup", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret"})


def test_a_backup_taken_while_serving_restores_every_conversation(own_database_url, fake, tmp_path, launch):
    if backend_of(own_database_url) != "sqlite":
        pytest.skip("PostgreSQL is backed up with pg_dump (next test)")
    app = in_process_app(own_database_url, fake.url, tmp_path / "seed")
    stored = [store_conversation(app, (f"question {n}", f"answer {n}"), title=f"Chat {n}").id for n in range(3)]
    with app.app_context():
        db.engine.dispose()
    server = launch(DATABASE_URL=own_database_url)
    live = Api(server.url).chat("written while the server runs")  # in the WAL, not yet in the main file
    assert live.last["type"] == "done"
    target = tmp_path / "copy.db"
    result = run_backup(own_database_url, str(target))
    assert result.returncode == 0 and f"to {target}" in result.stdout
    assert target.stat().st_mode & 0o777 == 0o600
    restored = in_process_app(f"sqlite:///{target}", fake.url, tmp_path / "restored").test_client()
    listed = {c["id"] for c in restored.get("/conversations").get_json()["conversations"]}
    assert listed == {*stored, live.conversation_id}
    for n, conversation_id in enumerate(stored):
        messages = restored.get(f"/conversation/{conversation_id}").get_json()["messages"]
        assert [m["content"] for m in messages] == [f"question {n}", f"answer {n}"]
    again = run_backup(own_database_url, str(target))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_postgresql_is_pointed_to_pg_dump_without_the_password(own_database_url, tmp_path):
    if backend_of(own_database_url) != "postgresql":
        pytest.skip("SQLite writes the copy itself (previous test)")
    url = own_database_url.replace("postgresql://", "postgresql://someone:s3cret-pw@", 1) \
        if "@" not in own_database_url else own_database_url
    result = run_backup(url, str(tmp_path / "dump"))
    assert result.returncode == 1 and "pg_dump --format=custom --file" in result.stderr
    assert "s3cret-pw" not in result.stderr + result.stdout and not (tmp_path / "dump").exists()
