"""Accounts for tests: the one password, an app on a database of its own with named accounts, and
a test client logged in as one of them."""
from __future__ import annotations

from collections.abc import Iterator

from flask import Flask
from flask.testing import FlaskClient

from routerchat import accounts
from routerchat.extensions import db
from tests.support.databases import backend_of, fresh_database
from tests.support.servers import in_process_app

PASSWORD = "correct horse battery"


def app_with_accounts(database_url: str, fake, tmp_path_factory, *names: str) -> Iterator[Flask]:
    """For a module fixture (`yield from`): an app on a fresh database of the pass's backend with
    these accounts (all with PASSWORD; the first is the admin), disposed of afterwards."""
    with fresh_database(backend_of(database_url), tmp_path_factory) as url:
        app = in_process_app(url, fake.url, tmp_path_factory.mktemp("instance"))
        with app.app_context():
            for name in names:
                accounts.add(name, PASSWORD)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()  # lets the PostgreSQL pass drop the schema


def logged_in(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    assert client.post("/login", json={"username": name, "password": PASSWORD}).status_code == 200
    return client
