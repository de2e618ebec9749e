"""Fixtures: the fake OpenRouter, the database pass (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), and the real app served by `main.py` in a subprocess."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import gevent
import pytest
import requests
import sqlalchemy as sa
from argon2 import PasswordHasher, profiles

from routerchat import accounts
from routerchat.config import normalize_database_url
from routerchat.database import register_search_functions
from tests.fake_openrouter import API_KEY, FakeOpenRouter

ROOT = Path(__file__).resolve().parent.parent
GUARD_LOG_MARK = "connection guard:"
CHEAP_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)
# gevent's warning that a module (ssl, urllib3…) was imported before it patched the standard library.
UNPATCHED_WARNING = "MonkeyPatchWarning"
# Tests see only the settings they give: never a developer's .env or exported OpenRouter/title settings.
os.environ["ROUTERCHAT_DOTENV"] = "0"
for _name in [n for n in os.environ if n.startswith(("OPENROUTER_", "TITLE_"))]:
    del os.environ[_name]
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)


def settle(fake: FakeOpenRouter) -> None:
    """Wait until nothing the test set off can still reach the fake: every upstream request has
    finished and none came for a moment. The in-process app's background greenlets (an answer, the
    title job after it) run only while this process yields to gevent, so the wait yields. Call it
    before asserting that something did NOT happen upstream, or the assertion cannot fail."""
    fake.wait_until_quiet(sleep=gevent.sleep)


def _postgres_schema_url(base_url: str, schema: str) -> str:
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def fresh_database(backend: str, tmp_path_factory):
    """A new, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'routerchat.db'}"
        return
    base = os.environ["TEST_DATABASE_URL"]
    schema = f"rc_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(normalize_database_url(base))
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield _postgres_schema_url(base, schema)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """The pass's database (one per backend), shared by the tests of that pass."""
    with fresh_database(request.param, tmp_path_factory) as url:
        yield url


def backend_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


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
        sa.event.listen(engine, "connect", register_search_functions)
    yield engine
    engine.dispose()


def clear_presets(engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM preset"))


@pytest.fixture
def default_presets(db_engine):
    """The test starts and ends with the built-in presets (preset 6 never set)."""
    clear_presets(db_engine)
    yield
    clear_presets(db_engine)


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen
    log_path: Path
    env: dict = field(default_factory=dict)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def assert_no_held_connections(self) -> None:
        """Strict mode logs (and raises) whenever a code path waited on the network holding a
        database connection; a caller may have swallowed the exception, the log keeps it."""
        assert GUARD_LOG_MARK not in self.log_text(), self.log_text()


def start_app(database_url: str, upstream_url: str, workdir: Path, **overrides: str) -> AppServer:
    """`python main.py` from an unrelated working directory, configured only by environment."""
    port = free_port()
    env = dict(os.environ)
    env.update({
        "PORT": str(port), "HOST": "127.0.0.1", "DATABASE_URL": database_url,
        "OPENROUTER_BASE_URL": upstream_url, "OPENROUTER_API_KEY": API_KEY, "SECRET_KEY": "test-secret",
        "SSE_PING_SECONDS": "0.3", "TITLE_TIMEOUT": "2", "TITLE_WAIT_SECONDS": "10",
        "UPSTREAM_READ_TIMEOUT": "5", "MODELS_CACHE_SECONDS": "0", "PYTHONUNBUFFERED": "1",
        "DB_CONNECTION_GUARD": "strict",
    })
    env.update(overrides)
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"server-{port}.log"
    log = log_path.open("w")
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py")], cwd=workdir, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    server = AppServer(f"http://127.0.0.1:{port}", process, log_path, env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited early:\n{server.log_text()}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=1).ok:
                return server
        except requests.RequestException:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"app did not start:\n{server.log_text()}")


GUNICORN_ARGS = ["-c", "python:routerchat.gunicorn_conf", "routerchat:create_app()"]


@contextmanager
def gunicorn_server(database_url: str, fake: FakeOpenRouter, workdir: Path, workers: int = 2):
    """gunicorn with gevent workers, as a larger install runs it (routerchat/gunicorn_conf.py), the
    connection guard strict; yields its URL once /healthz answers, and checks its log afterwards
    (workdir/gunicorn.log): workers booted, no key, no connection held across a network wait."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": database_url, "WEB_CONCURRENCY": str(workers),
           "OPENROUTER_BASE_URL": fake.url, "OPENROUTER_API_KEY": fake.api_key, "SECRET_KEY": "x",
           "DB_CONNECTION_GUARD": "strict"}
    log_path = workdir / "gunicorn.log"
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), *GUNICORN_ARGS], cwd=workdir,
                               env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return process.poll() is None and requests.get(url + "/healthz", timeout=1).ok
        except requests.RequestException:
            return False
    try:
        if not wait_for(healthy, timeout=60, interval=0.2):
            raise RuntimeError("gunicorn did not start:\n" + log_path.read_text())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
    log = log_path.read_text()
    assert "Booting worker" in log
    assert fake.api_key not in log and GUARD_LOG_MARK not in log, log
    assert UNPATCHED_WARNING not in log, log


def in_process_app(database_url: str, upstream_url: str, instance: Path, **overrides):
    """A migrated app in this process on the given database, configured only by the test."""
    from routerchat import create_app
    from routerchat.database import upgrade_database

    application = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url),
        "OPENROUTER_BASE_URL": upstream_url, "OPENROUTER_API_KEY": API_KEY, "SECRET_KEY": "test-secret",
        "TITLE_TIMEOUT": 2.0, "UPSTREAM_READ_TIMEOUT": 5.0, "MODELS_CACHE_SECONDS": 0.0,
        "DB_CONNECTION_GUARD": "strict", **overrides,
    }, instance_path=str(instance))
    upgrade_database(application)
    return application


def app_at_initial_schema(database_path: Path):
    """An app whose SQLite database is migrated only to the first revision: data stored there
    shows what a later migration does to conversations that existed before it."""
    from flask_migrate import upgrade

    from routerchat import create_app
    from routerchat.database import MIGRATIONS_DIR

    application = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}"})
    with application.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0001_initial")
    return application


@pytest.fixture(scope="session")
def app(database_url, fake, tmp_path_factory):
    """The app in this process, on the pass's database, for tests that need no real server
    (validation tables, storage, JSON routes): fast, and exceptions surface directly."""
    return in_process_app(database_url, fake.url, tmp_path_factory.mktemp("instance"))


@pytest.fixture
def client(app):
    """Flask's test client on the in-process app."""
    return app.test_client()


@dataclass
class Stored:
    """A conversation written by `store_conversation`: its id and its messages' ids, in order."""
    id: str
    questions: list[int]
    answers: list[int]


def store_conversation(app, *exchanges: tuple[str, str], owner: str | None = None, at: datetime | None = None,
                       answer: dict | None = None, **conversation) -> Stored:
    """A conversation of (question, answer) exchanges on one branch, written straight to the
    database (no chat, no title job to wait for). `owner` names its account, `at` dates the
    conversation and every message, `answer` goes to every answer (model, usage, status…) and
    the other keywords to the conversation (title, title_source, title_cost…)."""
    from routerchat import accounts, conversations
    from routerchat.extensions import db
    from routerchat.models import Conversation, new_id

    with app.app_context():
        if owner is not None:
            conversation["account_id"] = accounts.named(owner).id
        if at is not None:
            conversation.update(created_at=at, updated_at=at)
        row = Conversation(id=new_id(), **conversation)
        db.session.add(row)
        db.session.flush()

        def add(role: str, text: str, parent_id: int | None, **fields) -> int:
            message = conversations.add_message(row.id, role, text, parent_id=parent_id, **fields)
            if at is not None:
                message.created_at = message.selected_at = at
            return message.id

        stored, parent = Stored(row.id, [], []), None
        for question, reply in exchanges:
            stored.questions.append(add("user", question, parent))
            stored.answers.append(parent := add("assistant", reply, stored.questions[-1], **(answer or {})))
        db.session.commit()
        return stored


def store_exchange(app, question: str, answer: str, *, title: str, title_source: str, **answer_fields) -> str:
    """A conversation with one question and its answer (`answer_fields`: model, usage…); its id."""
    return store_conversation(app, (question, answer), title=title, title_source=title_source,
                              answer=answer_fields).id


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


class Api:
    """A requests session bound to one app server, with helpers for the SSE chat route."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def __getattr__(self, method: str):
        def call(path: str, **kwargs):
            kwargs.setdefault("timeout", 30)
            return self.session.request(method.upper(), self.base_url + path, **kwargs)
        return call

    def settled_title(self, conversation_id: str) -> dict:
        """The conversation once its background title generation has finished."""
        def current():
            data = self.get(f"/conversation/{conversation_id}").json()
            return data if data["title_source"] != "default" else None
        return wait_for(current, timeout=15) or self.get(f"/conversation/{conversation_id}").json()

    def chat(self, message: str | None = "Hello there", **body) -> ChatResult:
        """POST /chat and read the whole stream; message None leaves it out (regenerate)."""
        if message is not None:
            body = {"message": message, **body}
        response = self.session.post(self.base_url + "/chat", json=body,
                                     stream=True, timeout=30)
        return ChatResult.read(response)


@dataclass
class ChatResult:
    status: int
    headers: dict
    events: list[dict]
    comments: list[str]
    error_body: dict | None = None

    @classmethod
    def read(cls, response: requests.Response) -> ChatResult:
        if response.status_code != 200:
            return cls(response.status_code, dict(response.headers), [], [], response.json())
        events, comments = [], []
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
            elif line.startswith(":"):
                comments.append(line)
        return cls(200, dict(response.headers), events, comments)

    @property
    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    @property
    def text(self) -> str:
        return "".join(e["content"] for e in self.events if e["type"] == "chunk")

    @property
    def conversation_id(self) -> str:
        return self.events[0]["conversation_id"]

    @property
    def last(self) -> dict:
        return self.events[-1]


@pytest.fixture
def api(app_server) -> Api:
    return Api(app_server.url)


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05):
    """Poll until predicate() is truthy; return its value (or the last one on timeout)."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
