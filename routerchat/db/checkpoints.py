"""SQLite's WAL checkpoints in a thread of their own, off the event loop.

In WAL mode every commit appends pages to the -wal file, and by default the commit that takes it
past 1,000 pages also copies them back into the database file and syncs it (a checkpoint). In a
gevent server that commit holds the one event loop meanwhile: 3,000 exchanges stored in a row
(`bench/sqlite_commits.py`) committed in 0.25 ms at the median, but 60-70 of the commits took over
5 ms (up to 11) and the slowest 2% were 28% of all commit time; every stream of the process
stalls with them.

A serving process (main.py, each gunicorn worker) therefore turns the per-commit checkpoint off on
its connections, leaving a far limit as a safety net, and checkpoints shortly after commits in
a thread of gevent's pool, on a connection of its own: sqlite3 releases the GIL while it copies
and syncs, so the loop keeps relaying. PASSIVE never waits for readers or writers; what it could
not copy this time it copies next time.
"""
from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING

import gevent
from gevent.event import Event
from sqlalchemy import event

from ..extensions import db
from .engine import database_file
from .guard import pause

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 0.1
# Should the thread stop checkpointing, commits do it again past this many pages (~80 MB of WAL).
FALLBACK_AUTOCHECKPOINT_PAGES = 20_000


def _fallback_autocheckpoint(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_AUTOCHECKPOINT_PAGES}")


class Checkpointer:
    """Checkpoints one database file, each time in a thread of gevent's pool."""

    def __init__(self, path: str) -> None:
        # Used by one pool thread at a time (each checkpoint waits for the previous one), maybe
        # not always the same thread.
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA synchronous=NORMAL")  # as the app's connections (engine.py)
        self._committed = Event()  # set by the app's commits since the last checkpoint began

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint, in a thread: (busy, pages in the WAL, pages copied)."""
        busy, in_wal, copied = gevent.get_hub().threadpool.apply(self._checkpoint_now)
        return busy, in_wal, copied

    def _checkpoint_now(self) -> tuple[int, int, int]:
        row = self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return row[0], row[1], row[2]

    def note_commit(self, _connection: object) -> None:
        self._committed.set()

    def run_forever(self) -> None:
        """A checkpoint CHECKPOINT_SECONDS after a commit (an idle server makes none, and sleeps).
        Small and frequent: while one copies pages, a transaction that begins may have to wait for
        it (SQLite retries, sleeping); with a checkpoint every second, 3-4 commits in 3,000 waited
        ~50 ms each, with one every 0.1 s none waited 20 ms (`bench/sqlite_commits.py`)."""
        while True:
            self._committed.wait()
            pause(CHECKPOINT_SECONDS)  # the commits of this moment join the checkpoint
            self._committed.clear()
            try:
                self.checkpoint()
            except sqlite3.Error:
                log.exception("WAL checkpoint failed; trying again in %s s", CHECKPOINT_SECONDS)
                self._committed.set()


def start_wal_checkpoints(app: Flask) -> gevent.Greenlet | None:
    """In a serving process on SQLite: commits stop checkpointing (up to the safety net) and a
    greenlet has the checkpoints done in a thread. Connections opened before (start-up's) are
    closed so that every connection from now on gets the setting. None on PostgreSQL."""
    path = database_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if path is None:
        return None
    with app.app_context():
        engine = db.engine
    checkpointer = Checkpointer(path)
    event.listen(engine, "connect", _fallback_autocheckpoint)
    event.listen(engine, "commit", checkpointer.note_commit)
    engine.dispose()
    return gevent.spawn(checkpointer.run_forever)
