"""Fixtures: the fake OpenRouter, the database pass (SQLite, and PostgreSQL when TEST_DATABASE_URL
is set), the app in this process, and the real app served by `main.py` in a subprocess. What they
are built from lives in tests/support/."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, profiles

from routerchat.accounts import passwords
from routerchat.config import normalize_database_url
from routerchat.search.sql import register_functions
from tests.fake_openrouter import FakeOpenRouter
from tests.support.client import Api
from tests.support.databases import BACKENDS, backend_of, clear_presets, fresh_database
from tests.support.factories import store_exchange
from tests.support.servers import AppServer, in_process_app, start_app
from tests.support.waiting import settle

CHEAP_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)
# Tests see only the settings they give: never a developer's .env or exported OpenRouter/title settings.
os.environ["ROUTERCHAT_DOTENV"] = "0"
for _name in [n for n in os.environ if n.startswith(("OPENROUTER_", "TITLE_"))]:
    del os.environ[_name]


@pytest.fixture(scope="session")
def fake():
    server = FakeOpenRouter().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_fake(request):
    """Each test starts with an idle, empty fake; background work a test set off (a title
    request right after an answer) must end before the next test queues its own plans."""
    if "fake" not in request.fixturenames:
        yield
        return
    fake = request.getfixturevalue("fake")
    fake.reset()
    yield
    settle(fake)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request, monkeypatch):
    """Passwords hashed in this process (accounts the tests add) use argon2's cheapest settings:
    at the production cost every hash and login took ~0.1 s of CPU, about a minute of the suite.
    A hash carries its own settings, so servers the tests start verify these cheaply too; they
    still hash at full cost. Tests marked `production_password_cost` see the real hasher."""
    if request.node.get_closest_marker("production_password_cost") is None:
        monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """The pass's database (one per backend), shared by the tests of that pass."""
    with fresh_database(request.param, tmp_path_factory) as url:
        yield url


@pytest.fixture
def own_database_url(database_url, tmp_path_factory):
    """A database of the pass's backend for this test alone (accounts change what every route needs)."""
    with fresh_database(backend_of(database_url), tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def db_engine(database_url, fake, tmp_path_factory):
    """An engine on the pass's database, migrated first: the test that asks for it may be the
    first of its worker, before any server has started on that database."""
    in_process_app(database_url, fake.url, tmp_path_factory.mktemp("migrated"))
    engine = sa.create_engine(normalize_database_url(database_url))
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", register_functions)
    yield engine
    engine.dispose()


@pytest.fixture
def default_presets(db_engine):
    """The test starts and ends with the built-in presets (preset 6 never set)."""
    clear_presets(db_engine)
    yield
    clear_presets(db_engine)


@pytest.fixture
def clean_settings(db_engine):
    """The test starts and ends with no stored account settings (no instructions: later tests'
    chats get no system message)."""
    def clear():
        with db_engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM account_settings"))
    clear()
    yield
    clear()


@pytest.fixture(scope="session")
def app(database_url, fake, tmp_path_factory):
    """The app in this process, on the pass's database, for tests that need no real server
    (validation tables, storage, JSON routes): fast, and exceptions surface directly."""
    return in_process_app(database_url, fake.url, tmp_path_factory.mktemp("instance"))


@pytest.fixture
def client(app):
    """Flask's test client on the in-process app."""
    return app.test_client()


@pytest.fixture
def stored_conversation(app) -> str:
    return store_exchange(app, "keep me", "kept", title="Keep me", title_source="user", model="x/y")


@pytest.fixture(scope="session")
def app_server(database_url, fake, tmp_path_factory):
    server = start_app(database_url, fake.url, tmp_path_factory.mktemp("app"))
    yield server
    server.stop()
    server.assert_no_held_connections()


@pytest.fixture
def launch(database_url, fake, tmp_path):
    """Start extra app processes (other settings, or a second worker on the same database)."""
    started: list[AppServer] = []

    def _launch(**overrides: str) -> AppServer:
        server = start_app(overrides.pop("DATABASE_URL", database_url), overrides.pop("UPSTREAM", fake.url),
                           tmp_path / f"app{len(started)}", **overrides)
        started.append(server)
        return server
    yield _launch
    for server in started:
        server.stop()
    for server in started:
        server.assert_no_held_connections()


@pytest.fixture
def api(app_server) -> Api:
    return Api(app_server.url)
