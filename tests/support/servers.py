"""Servers the tests start: `main.py` in a subprocess, gunicorn with gevent workers, and the app
in this process."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from routerchat.config import normalize_database_url
from tests.fake_openrouter import API_KEY, FakeOpenRouter
from tests.support.processes import answers_health, free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent.parent
GUARD_LOG_MARK = "connection guard:"
# gevent's warning that a module (ssl, urllib3…) was imported before it patched the standard library.
UNPATCHED_WARNING = "MonkeyPatchWarning"
APP_START_SECONDS = 60  # generous: CI machines have two cores and run four test workers
PORT_ATTEMPTS = 3
GUNICORN_ARGS = ["-c", "python:routerchat.gunicorn_conf", "routerchat:create_app()"]


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen
    log_path: Path
    env: dict = field(default_factory=dict)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.process)

    def assert_no_held_connections(self) -> None:
        """Strict mode logs (and raises) whenever a code path waited on the network holding a
        database connection; a caller may have swallowed the exception, the log keeps it."""
        assert GUARD_LOG_MARK not in self.log_text(), self.log_text()


def start_app(database_url: str, upstream_url: str, workdir: Path, **overrides: str) -> AppServer:
    """`python main.py` from an unrelated working directory, configured only by environment.

    The port is free when chosen, but another test worker's server may take it before this one
    binds it: /healthz then answers from that server (another fake, another database) while this
    one exits. A server counts as started once it says it listens on its port; else a new port."""
    for _ in range(PORT_ATTEMPTS - 1):
        try:
            return _start_app_once(database_url, upstream_url, workdir, **overrides)
        except PortTaken:
            continue
    return _start_app_once(database_url, upstream_url, workdir, **overrides)


class PortTaken(RuntimeError):
    """Another process answered on the port chosen for a new server."""


def _start_app_once(database_url: str, upstream_url: str, workdir: Path, **overrides: str) -> AppServer:
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
    if answers_health(server.url, process, APP_START_SECONDS):
        if f"listening on http://{env['HOST']}:{port}/" in server.log_text():  # logged once the port is bound
            return server
        server.stop()
        raise PortTaken(f"another server answered on {server.url}:\n{server.log_text()}")
    if process.poll() is not None:
        raise RuntimeError(f"app exited early:\n{server.log_text()}")
    server.stop()
    raise RuntimeError(f"app did not start:\n{server.log_text()}")


@contextmanager
def gunicorn_server(database_url: str, fake: FakeOpenRouter, workdir: Path, workers: int = 2,
                    **settings: str) -> Iterator[str]:
    """gunicorn with gevent workers, as a larger install runs it (routerchat/gunicorn_conf.py), the
    connection guard strict; yields its URL once /healthz answers, and checks its log afterwards
    (workdir/gunicorn.log): workers booted, no key, no connection held across a network wait."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": database_url, "WEB_CONCURRENCY": str(workers),
           "OPENROUTER_BASE_URL": fake.url, "OPENROUTER_API_KEY": fake.api_key, "SECRET_KEY": "x",
           "DB_CONNECTION_GUARD": "strict", **settings}
    log_path = workdir / "gunicorn.log"
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), *GUNICORN_ARGS], cwd=workdir,
                               env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    try:
        if not answers_health(url, process, 60):
            raise RuntimeError("gunicorn did not start:\n" + log_path.read_text())
        yield url
    finally:
        stop_process(process, timeout=30)
    log = log_path.read_text()
    assert "Booting worker" in log
    assert fake.api_key not in log and GUARD_LOG_MARK not in log, log
    assert UNPATCHED_WARNING not in log, log


def in_process_app(database_url: str, upstream_url: str, instance: Path, **overrides):
    """A migrated app in this process on the given database, configured only by the test."""
    from routerchat import create_app
    from routerchat.startup import prepare_database

    application = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url),
        "OPENROUTER_BASE_URL": upstream_url, "OPENROUTER_API_KEY": API_KEY, "SECRET_KEY": "test-secret",
        "TITLE_TIMEOUT": 2.0, "UPSTREAM_READ_TIMEOUT": 5.0, "MODELS_CACHE_SECONDS": 0.0,
        "DB_CONNECTION_GUARD": "strict", **overrides,
    }, instance_path=str(instance))
    prepare_database(application)
    return application


def app_at_initial_schema(database_path: Path):
    """An app whose SQLite database is migrated only to the first revision: data stored there
    shows what a later migration does to conversations that existed before it."""
    from flask_migrate import upgrade

    from routerchat import create_app
    from routerchat.db.engine import MIGRATIONS_DIR

    application = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}"})
    with application.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0001_initial")
    return application
