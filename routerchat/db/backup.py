"""`python main.py backup FILE`: a consistent copy of the database while the server runs.

SQLite copies itself with its online backup API (readers and the writer carry on; the copy is one
moment of the database, WAL included). A PostgreSQL server has its own tool for this, pg_dump: the
command says so and prints the command line to run (without the password).
"""
from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from sqlalchemy.engine import URL, make_url

BACKUP_PAGES_PER_STEP = 1024  # copied between short pauses, so a big database does not hold the writer off


def backup(database_url: str, target: Path) -> str:
    """Write the copy (SQLite) and say where; for PostgreSQL, raise with the pg_dump command."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        shown = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                           database=url.database, query=url.query).render_as_string(hide_password=False)
        raise BackupRefused("PostgreSQL databases are backed up with pg_dump (give the password in PGPASSWORD or "
                            f"~/.pgpass):\n  pg_dump --format=custom --file {target} '{shown}'\n"
                            f"Restore with: pg_restore --clean --dbname '{shown}' {target}")
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise BackupRefused(f"Cannot back up {url.render_as_string(hide_password=True)}: not a database file.")
    if target.exists():
        raise BackupRefused(f"{target} already exists; choose a new file name.")
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # as private as the database
    source, copy = sqlite3.connect(url.database), sqlite3.connect(target)
    try:
        source.backup(copy, pages=BACKUP_PAGES_PER_STEP)
    finally:
        copy.close()
        source.close()
    return f"Backed up {url.database} to {target}."


class BackupRefused(RuntimeError):
    """No copy was written; the message says why (or what to run instead)."""


def main(argv: list[str], database_url: str) -> int:
    if len(argv) != 1:
        print("usage: python main.py backup FILE", file=sys.stderr)
        return 2
    try:
        print(backup(database_url, Path(argv[0])))
    except BackupRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    return 0
