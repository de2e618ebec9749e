"""An app on a database of its own (per backend pass) for the organising tests: pins and archived
chats change the list every other test reads, so they stay out of the shared database."""
from __future__ import annotations

import pytest

from tests.support.accounts import app_with_accounts
from tests.support.factories import store_conversation


@pytest.fixture(scope="module")
def organised_app(database_url, fake, tmp_path_factory):
    """Without accounts (the default app)."""
    yield from app_with_accounts(database_url, fake, tmp_path_factory)


@pytest.fixture(scope="module")
def two_accounts_app(database_url, fake, tmp_path_factory):
    """With two accounts, alice (the admin) and bob."""
    yield from app_with_accounts(database_url, fake, tmp_path_factory, "alice", "bob")


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
