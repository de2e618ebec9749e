"""What every entry point does before serving (main.py, `python -m routerchat migrate`, the tests):
apply pending migrations, then mark answers that a previous run left `streaming` as `stopped`
(no process will ever finish them), and remove uploads that were never sent within a day."""
from __future__ import annotations

from flask import Flask

from .answers import store
from .attachments import store as attachments
from .db.engine import migrate_database
from .extensions import db


def prepare_database(app: Flask) -> None:
    with app.app_context():
        migrate_database()
        store.stop_interrupted()
        attachments.remove_unsent()
        db.session.commit()
