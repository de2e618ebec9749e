"""db/checkpoints.py: a serving process on SQLite checkpoints its WAL in a thread, not in commits."""
from __future__ import annotations

import sqlite3
import threading

import gevent
import pytest
from sqlalchemy import text

from routerchat.db import checkpoints
from routerchat.db.checkpoints import FALLBACK_AUTOCHECKPOINT_PAGES, Checkpointer, start_wal_checkpoints
from routerchat.db.engine import database_file
from routerchat.extensions import db
from tests.support.servers import in_process_app


@pytest.mark.parametrize(("url", "path"), [
    ("sqlite:////srv/routerchat/chat.db", "/srv/routerchat/chat.db"),
    ("sqlite:///relative.db", "relative.db"),
    ("sqlite://", None),
    ("sqlite:///:memory:", None),
    ("sqlite:///file:shared?mode=memory&cache=shared&uri=true", None),
    ("postgresql+psycopg://127.0.0.1:5432/test", None),
])
def test_only_a_sqlite_file_has_checkpoints_to_move(url, path):
    assert database_file(url) == path


def wait_for(predicate, message: str, seconds: float = 10.0) -> None:
    """Let greenlets run (this process is not monkey-patched: time.sleep would hold them) until
    `predicate()` holds."""
    with gevent.Timeout(seconds, AssertionError(message)):
        while not predicate():
            gevent.sleep(0.02)


@pytest.fixture
def sqlite_app(fake, tmp_path):
    return in_process_app(f"sqlite:///{tmp_path / 'chat.db'}", fake.url, tmp_path / "instance")


def _autocheckpoint(app) -> int:
    with app.app_context():
        pages = db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar_one()
        db.session.close()
    return pages


def _write_pages(app, count: int) -> None:
    """`count` commits of a page or so each."""
    with app.app_context():
        db.session.execute(text("CREATE TABLE IF NOT EXISTS scratch (v TEXT)"))
        for _ in range(count):
            db.session.execute(text("INSERT INTO scratch (v) VALUES (:v)"), {"v": "x" * 3000})
            db.session.commit()
        db.session.close()


def test_commits_stop_checkpointing_and_a_thread_does_it(sqlite_app, tmp_path, monkeypatch):
    assert _autocheckpoint(sqlite_app) == 1000  # SQLite's default: the commit past 1,000 pages checkpoints
    threads = []
    checkpoint_now = Checkpointer._checkpoint_now

    def noted(self):
        threads.append(threading.get_ident())
        return checkpoint_now(self)
    monkeypatch.setattr(Checkpointer, "_checkpoint_now", noted)
    monkeypatch.setattr(checkpoints, "CHECKPOINT_SECONDS", 0.05)
    greenlet = start_wal_checkpoints(sqlite_app)
    try:
        assert _autocheckpoint(sqlite_app) == FALLBACK_AUTOCHECKPOINT_PAGES  # connections opened before are gone
        _write_pages(sqlite_app, 5)
        wait_for(lambda: threads, message="no checkpoint ran")
        assert threading.get_ident() not in threads  # never on the event loop's thread
    finally:
        greenlet.kill()


def test_a_checkpoint_copies_the_wal_into_the_database(sqlite_app, tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "CHECKPOINT_SECONDS", 3600)  # this test checkpoints by itself
    greenlet = start_wal_checkpoints(sqlite_app)
    try:
        _write_pages(sqlite_app, 20)
        busy, in_wal, copied = Checkpointer(str(tmp_path / "chat.db")).checkpoint()
    finally:
        greenlet.kill()
    assert busy == 0 and in_wal >= 20 and copied == in_wal


def test_a_failed_checkpoint_is_logged_and_tried_again(sqlite_app, monkeypatch, caplog):
    outcomes = [sqlite3.OperationalError("disk I/O error"), (0, 0, 0), (0, 0, 0)]

    def checkpoint(_self):
        outcome = outcomes.pop(0) if outcomes else (0, 0, 0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    monkeypatch.setattr(Checkpointer, "checkpoint", checkpoint)
    monkeypatch.setattr(checkpoints, "CHECKPOINT_SECONDS", 0.01)
    greenlet = start_wal_checkpoints(sqlite_app)
    try:
        for _ in range(3):  # a checkpoint follows commits
            _write_pages(sqlite_app, 1)
            gevent.sleep(0.05)
        wait_for(lambda: not outcomes, message="the checkpoints stopped after a failure")
    finally:
        greenlet.kill()
    assert "WAL checkpoint failed" in caplog.text


def test_an_idle_server_makes_no_checkpoint(sqlite_app, monkeypatch):
    calls = []
    monkeypatch.setattr(Checkpointer, "checkpoint", lambda self: calls.append("checkpoint"))
    monkeypatch.setattr(checkpoints, "CHECKPOINT_SECONDS", 0.01)
    greenlet = start_wal_checkpoints(sqlite_app)
    try:
        gevent.sleep(0.2)
        assert calls == []
        _write_pages(sqlite_app, 2)
        wait_for(lambda: calls, message="no checkpoint after commits")
        gevent.sleep(0.2)
        assert len(calls) == 1  # once for those commits, not again while nothing is committed
    finally:
        greenlet.kill()
