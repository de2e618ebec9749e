"""Engine tuning per backend and applying migrations on start."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000


def engine_options(database_url: str) -> dict:
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
    # Streams release their connection while relaying, so a modest pool serves many chats.
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20, "pool_timeout": 30}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers and a writer work together; the busy timeout makes writers queue."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


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
