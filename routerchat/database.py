"""Engine tuning per backend and applying migrations on start."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db
from .search_text import fold

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000
SEARCH_INDEX_TABLES = ("message_fts", "conversation_fts")


def is_model_table(name: str | None, type_: str, _parent_names: object = None) -> bool:
    """Alembic's include_name: the search index (and FTS5's shadow tables) is not a model."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_INDEX_TABLES))


def engine_options(database_url: str, pool_size: int = 10, max_overflow: int = 20) -> dict:
    """Streams and title jobs release their connection while waiting on the network, so a
    modest pool (DB_POOL_SIZE + DB_MAX_OVERFLOW connections) serves many chats."""
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": 30}
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **pool}
    return {"pool_pre_ping": True, **pool}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers and a writer work together; the busy timeout makes writers queue."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    register_search_functions(dbapi_connection)


def register_search_functions(dbapi_connection, _record=None) -> None:
    """The search index's triggers (migration 0004) fold text with rc_fold: every SQLite connection
    that writes conversations or messages needs it."""
    dbapi_connection.create_function("rc_fold", 1, fold, deterministic=True)


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)


def upgrade_database(app: Flask) -> None:
    """Apply pending migrations (SQLite and PostgreSQL alike) once per server start; answers a
    previous run left `streaming` can never finish, so they become `stopped`."""
    from flask_migrate import upgrade

    from .answers import stop_interrupted

    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        stop_interrupted()
