"""What every entry point does before serving (main.py, `python -m routerchat migrate`, the tests):
apply pending migrations, then mark answers that a previous run left `streaming` as `stopped`
(no process will ever finish them)."""
from __future__ import annotations

from flask import Flask

from .answers import store
from .db.engine import migrate_database


def prepare_database(app: Flask) -> None:
    with app.app_context():
        migrate_database()
        store.stop_interrupted()
