"""Engine tuning per backend, applying migrations on start, and the guard that no database
connection is held while waiting on the network."""
from __future__ import annotations

import logging
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gevent
from alembic.runtime.migration import MigrationContext
from flask import Flask
from greenlet import getcurrent  # type: ignore[import-untyped]  # ships no type hints
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from .extensions import db
from .search_text import fold

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

log = logging.getLogger(__name__)

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000
GUARD_MODES = ("off", "warn", "strict")
SEARCH_INDEX_TABLES = ("message_fts", "conversation_fts")


def is_model_table(name: str | None, type_: str, _parent_names: object = None) -> bool:
    """Alembic's include_name: the search index (and FTS5's shadow tables) is not a model."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_INDEX_TABLES))


def engine_options(database_url: str, pool_size: int = 10, max_overflow: int = 20) -> dict[str, Any]:
    """Streams and title jobs release their connection while waiting on the network, so a
    modest pool (DB_POOL_SIZE + DB_MAX_OVERFLOW connections) serves many chats."""
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": 30}
    if database_url.startswith("sqlite"):
        in_memory = make_url(database_url).database in (None, "", ":memory:")  # one connection, no pool
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **({} if in_memory else pool)}
    return {"pool_pre_ping": True, **pool}


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    """WAL lets readers and a writer work together; the busy timeout makes writers queue."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    register_search_functions(dbapi_connection)


def register_search_functions(dbapi_connection: sqlite3.Connection, _record: object = None) -> None:
    """The search index's triggers (migration 0004) fold text with rc_fold: every SQLite connection
    that writes conversations or messages needs it."""
    dbapi_connection.create_function("rc_fold", 1, fold, deterministic=True)


class HeldConnectionError(RuntimeError):
    """A greenlet was about to wait on the network while holding a pooled database connection."""


class ConnectionGuard:
    """Counts the pooled connections each greenlet has checked out, so code that is about to
    wait on the network (an upstream request, a poll's sleep) can check it holds none.

    A connection held across such a wait is taken from every other request for as long as the
    upstream takes: a few slow title requests used to exhaust the pool and stall the whole app.
    `warn` logs the offence; `strict` (the test servers) also raises, so the suite fails on it.
    """

    def __init__(self) -> None:
        # greenlet -> the guard mode of each connection it holds (the mode of the app, hence of
        # the engine, the connection came from: tests run apps of several modes in one process)
        self._held: weakref.WeakKeyDictionary[object, list[str]] = weakref.WeakKeyDictionary()

    def watch(self, engine: Engine, mode: str) -> None:
        def checked_out(_dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry,
                        _proxy: PoolProxiedConnection) -> None:
            owner = getcurrent()
            record.info["guard_owner"] = weakref.ref(owner)
            record.info["guard_mode"] = mode
            self._held.setdefault(owner, []).append(mode)
        event.listen(engine, "checkout", checked_out)
        event.listen(engine, "checkin", self._checked_in)

    def _checked_in(self, _dbapi_connection: DBAPIConnection | None, record: ConnectionPoolEntry | None) -> None:
        if record is None:
            return
        owner_ref = record.info.pop("guard_owner", None)
        owner = owner_ref() if owner_ref else None
        modes = self._held.get(owner) if owner is not None else None
        mode = record.info.pop("guard_mode", None)
        if modes and mode in modes:
            modes.remove(mode)

    def held(self) -> int:
        """Connections the current greenlet has checked out and not returned."""
        return len(self._held.get(getcurrent(), ()))

    def check(self, waiting_on: str) -> None:
        """Call before waiting on the network: logs (and in strict mode raises) when the current
        greenlet holds a connection. The fix is `db.session.close()` (or commit) before the wait."""
        modes = [mode for mode in self._held.get(getcurrent(), ()) if mode != "off"]
        if not modes:
            return
        message = f"held {len(modes)} database connection(s) while waiting on {waiting_on}"
        log.error("connection guard: %s", message, stack_info=True)
        if "strict" in modes:
            raise HeldConnectionError(message)


guard = ConnectionGuard()


def pause(seconds: float) -> None:
    """The one way to sleep in a poll loop: other requests keep the pool while we wait."""
    guard.check("a pause")
    gevent.sleep(seconds)


def configure_engine(app: Flask) -> None:
    mode = app.config["DB_CONNECTION_GUARD"]
    if mode not in GUARD_MODES:
        raise ValueError(f"DB_CONNECTION_GUARD must be one of {', '.join(GUARD_MODES)}, got {mode!r}")
    with app.app_context():
        engine: Engine = db.engine
        guard.watch(engine, mode)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)


def upgrade_database(app: Flask) -> None:
    """Apply pending migrations (SQLite and PostgreSQL alike) once per server start; answers a
    previous run left `streaming` can never finish, so they become `stopped`."""
    from flask_migrate import upgrade  # type: ignore[import-untyped]  # ships no type hints

    from .answers import stop_interrupted

    with app.app_context():
        before = _revision()
        upgrade(directory=MIGRATIONS_DIR)
        after = _revision()
        if after != before:
            log.info("database migrated from %s to %s", before or "an empty database", after)
        stop_interrupted()


def _revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
