"""An app on a database of its own (per backend pass) for the organising tests: pins and archived
chats change the list every other test reads, so they stay out of the shared database."""
from __future__ import annotations

import pytest

from routerchat import accounts
from routerchat.extensions import db
from tests.support.databases import backend_of, fresh_database
from tests.support.factories import store_conversation
from tests.support.servers import in_process_app

PASSWORD = "correct horse battery"


def app_on_own_database(database_url, fake, tmp_path_factory, *names: str):
    with fresh_database(backend_of(database_url), tmp_path_factory) as url:
        app = in_process_app(url, fake.url, tmp_path_factory.mktemp("instance"))
        with app.app_context():
            for name in names:
                accounts.add(name, PASSWORD)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()  # lets the PostgreSQL pass drop the schema


@pytest.fixture(scope="module")
def organised_app(database_url, fake, tmp_path_factory):
    """Without accounts (the default app)."""
    yield from app_on_own_database(database_url, fake, tmp_path_factory)


@pytest.fixture(scope="module")
def two_accounts_app(database_url, fake, tmp_path_factory):
    """With two accounts, alice (the admin) and bob."""
    yield from app_on_own_database(database_url, fake, tmp_path_factory, "alice", "bob")


@pytest.fixture
def chats(organised_app):
    """`chats(n)`: n new conversations (oldest first), each one exchange."""
    def make(count: int = 1, **conversation) -> list[str]:
        return [store_conversation(organised_app, (f"question {i}", f"answer {i}"), title=f"Chat {i}",
                                   title_source="user", **conversation).id for i in range(count)]
    return make


@pytest.fixture
def web(organised_app):
    return organised_app.test_client()


def logged_in(app, name: str):
    client = app.test_client()
    assert client.post("/login", json={"username": name, "password": PASSWORD}).status_code == 200
    return client
