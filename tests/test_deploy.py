"""The larger-install path: gunicorn with gevent workers, migrations run once before they fork."""
import os
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from routerchat.config import normalize_database_url
from tests import fake_openrouter as fo
from tests.support.client import Api
from tests.support.processes import free_port
from tests.support.raw_http import SLOW_LOGIN, send_and_read_until_closed
from tests.support.servers import ROOT, UNPATCHED_WARNING, gunicorn_server
from tests.support.waiting import wait_for


def test_gunicorn_gevent_workers_serve_streaming_chat(database_url, fake, tmp_path):
    with gunicorn_server(database_url, fake, tmp_path, workers=2) as url:
        api = Api(url)
        results = [api.chat(f"chat through gunicorn number {i}") for i in range(4)]   # its echo grounds "Echo Reply"
        assert all(r.last["type"] == "done" for r in results)
        assert api.settled_title(results[0].conversation_id)["title_source"] == "auto"


def test_gunicorn_cuts_off_a_slow_body_at_the_request_deadline(database_url, fake, tmp_path):
    """Under gunicorn too the whole request has a deadline (REQUEST_READ_TIMEOUT, the
    post_worker_init hook): a body still arriving after it gets a 408 and the connection ends;
    an answer that streams past it, its request read in time, is not cut."""
    with gunicorn_server(database_url, fake, tmp_path, workers=1, REQUEST_READ_TIMEOUT="1") as url:
        # without the deadline this waits until the socket timeout
        answer, seconds = send_and_read_until_closed(url, SLOW_LOGIN)
        assert seconds < 10
        assert answer.startswith(b"HTTP/1.1 408") and b"REQUEST_READ_TIMEOUT" in answer, answer[:300]
        fake.stream_plans.append(fo.stream_tokens([f" w{i}" for i in range(15)], delay=0.15))
        result = Api(url).chat("a slow answer")
        assert result.last["type"] == "done" and result.text.count(" w") == 15
        assert requests.get(url + "/healthz", timeout=5).status_code == 200


def waiting_on_lock(engine: sa.Engine, application_name: str) -> int:
    """Backends of the app waiting on a lock (a new transaction each time: PostgreSQL keeps
    pg_stat_activity still within one)."""
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                                    "AND wait_event_type = 'Lock'"), {"name": application_name}).scalar()


def test_gunicorn_worker_keeps_serving_while_a_request_waits_on_a_postgres_lock(database_url, fake, tmp_path):
    """With psycopg imported before gevent patched the worker, one query waiting on a lock
    stopped the whole worker: /healthz answered only once the lock was released."""
    if not database_url.startswith("postgres"):
        pytest.skip("only PostgreSQL queries wait on the network")
    probe = f"rc_lock_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(normalize_database_url(database_url))
    order: list[str] = []
    try:
        with gunicorn_server(f"{database_url}&application_name={probe}", fake, tmp_path, workers=1) as url, \
                engine.connect() as locker:
            locker.execute(sa.text("LOCK TABLE conversation IN ACCESS EXCLUSIVE MODE"))

            def list_conversations() -> None:
                order.append(f"conversations {requests.get(url + '/conversations', timeout=60).status_code}")
            blocked = threading.Thread(target=list_conversations)
            blocked.start()
            assert wait_for(lambda: waiting_on_lock(engine, probe), timeout=30)
            order.append(f"healthz {requests.get(url + '/healthz', timeout=30).status_code}")
            still_waiting = blocked.is_alive()
            locker.rollback()  # releases the lock
            blocked.join(timeout=60)
    finally:
        engine.dispose()
    assert still_waiting
    assert order == ["healthz 200", "conversations 200"]


def readme_larger_install_commands() -> str:
    """The shell block of README's "Larger installs" section, verbatim."""
    section = (ROOT / "README.md").read_text().split("## Larger installs", 1)[1]
    return section.split("```bash\n", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="session")
def wheel_install(tmp_path_factory) -> Path:
    """A clean virtualenv with only the built wheel (and its dependencies) installed, once for
    both database passes (a module fixture is built again for each pass)."""
    where = tmp_path_factory.mktemp("wheel-install")
    source = where / "source"  # a copy: building leaves build/ behind, and must not read a stale one
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__",
                                                                "instance", "tests", "bench"))
    pip = ["-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([sys.executable, *pip, "wheel", "--no-deps", "-w", str(where / "dist"), str(source)],
                   check=True, capture_output=True)
    # The suite's own pip installs into the new venv (`pip --python`): bootstrapping a pip into it
    # would cost seconds of CPU and test nothing the README runs.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where / ".venv")], check=True)
    wheel = next((where / "dist").glob("routerchat-*.whl"))
    subprocess.run([sys.executable, *pip, "--python", str(where / ".venv/bin/python"), "install", str(wheel)],
                   check=True, capture_output=True)
    return where


@pytest.mark.xdist_group("wheel_install")  # one wheel build for both databases
def test_readme_larger_install_works_verbatim_from_the_wheel(wheel_install, database_url, fake):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": database_url, "WEB_CONCURRENCY": "1",
           "OPENROUTER_BASE_URL": fake.url, "OPENROUTER_API_KEY": fake.api_key, "SECRET_KEY": "x"}
    env.pop("PYTHONPATH", None)
    log_path = wheel_install / f"readme-{port}.log"
    process = subprocess.Popen(["bash", "-euo", "pipefail", "-c", readme_larger_install_commands()],
                               cwd=wheel_install, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        def healthy() -> bool:
            try:
                return requests.get(url + "/healthz", timeout=1).ok
            except requests.RequestException:
                return False
        assert wait_for(lambda: healthy() or process.poll() is not None, timeout=60, interval=0.2)
        assert healthy(), log_path.read_text()
        assert 'id="message-input"' in requests.get(url + "/", timeout=10).text
        assert Api(url).chat("from the wheel").last["type"] == "done"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    log = log_path.read_text()
    assert "Booting worker" in log and UNPATCHED_WARNING not in log, log


def test_gunicorns_master_loads_nothing_its_workers_must_patch_first():
    """gunicorn's master imports the package for its config before the gevent workers fork and
    patch: anything it loads (ssl, requests, psycopg) stays unpatched in every worker, where a
    TLS read from OpenRouter or a database wait would block the whole worker."""
    loaded = subprocess.run([sys.executable, "-c", "import sys, routerchat.gunicorn_conf; print(sorted(m for m in "
                             "('ssl', 'requests', 'urllib3', 'psycopg', 'flask', 'sqlalchemy', 'gevent') "
                             "if m in sys.modules))"], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "[]", loaded.stdout

