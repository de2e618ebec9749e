"""Engine tuning per backend (pool, SQLite pragmas) and applying migrations."""
from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from ..extensions import db
from .guard import GUARD_MODES, guard

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.pool import ConnectionPoolEntry

log = logging.getLogger(__name__)

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000
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


def database_file(database_url: str) -> str | None:
    """The SQLite database file of the URL; None for PostgreSQL, in-memory databases and `file:` URIs."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") or url.database.startswith("file:"):
        return None
    return url.database


def create_private_sqlite_file(database_url: str) -> None:
    """Create a SQLite database file readable by its owner only (0600) before SQLite makes it with
    the umask's mode (often 0644: every conversation and password hash readable by any local
    user). SQLite gives its -wal and -shm files the database file's mode. An existing file is
    left as it is."""
    path = database_file(database_url)
    if path is None:
        return
    # An existing file is kept as it is; a missing folder is SQLite's to report when it connects.
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def configure_engine(app: Flask) -> None:
    mode = app.config["DB_CONNECTION_GUARD"]
    if mode not in GUARD_MODES:
        raise ValueError(f"DB_CONNECTION_GUARD must be one of {', '.join(GUARD_MODES)}, got {mode!r}")
    create_private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context():
        engine: Engine = db.engine
        guard.watch(engine, mode)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)


def migrate_database() -> None:
    """Apply pending migrations (SQLite and PostgreSQL alike); needs an app context."""
    from flask_migrate import upgrade  # type: ignore[import-untyped]  # ships no type hints

    before = _revision()
    upgrade(directory=MIGRATIONS_DIR)
    after = _revision()
    if after != before:
        log.info("database migrated from %s to %s", before or "an empty database", after)


def _revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
