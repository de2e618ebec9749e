"""Accounts in the real server: `main.py user ...`, the refusal to listen publicly without
accounts (main.py and gunicorn), the login throttle across gunicorn workers, and a logged-in
chat whose title is made in the background."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.support.client import Api
from tests.support.processes import free_port
from tests.support.servers import ROOT, UNPATCHED_WARNING
from tests.support.waiting import wait_for

PASSWORD = "correct horse battery"


def run_main(database_url: str, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], input=stdin, capture_output=True,
                          text=True, timeout=60,
                          env={**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", **env})


def test_main_py_refuses_a_public_host_without_accounts(own_database_url):
    result = run_main(own_database_url, HOST="0.0.0.0", PORT=str(free_port()))
    assert result.returncode != 0
    assert "without accounts" in result.stderr and "python main.py user add NAME" in result.stderr
    assert "ALLOW_NO_AUTH=1" in result.stderr


def test_allow_no_auth_lets_a_trusted_network_in(own_database_url, launch):
    server = launch(DATABASE_URL=own_database_url, HOST="0.0.0.0", ALLOW_NO_AUTH="1")
    assert Api(server.url).get("/conversations").status_code == 200


def test_with_an_account_the_public_server_starts_and_asks_for_a_login(own_database_url, launch, fake):
    added = run_main(own_database_url, "user", "add", "alice", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0 and "Added account “alice”" in added.stdout
    listed = run_main(own_database_url, "user", "list")
    assert listed.returncode == 0 and listed.stdout.startswith("alice  (admin)")
    server = launch(DATABASE_URL=own_database_url, HOST="0.0.0.0")
    api = Api(server.url)
    assert api.get("/conversations").status_code == 401
    assert api.chat("Hello?").status == 401
    assert api.post("/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    assert api.put("/presets/6", json={"model": "google/gemma-3-27b-it:free"}).status_code == 200
    result = api.chat("Hello as alice")
    assert result.last["type"] == "done"
    assert api.settled_title(result.conversation_id)["title_source"] == "auto"  # the background job is alice's
    assert fake.chat_requests(stream=False)[-1].body["model"] == "google/gemma-3-27b-it:free"  # her preset 6
    assert api.post("/logout").status_code == 204
    assert api.get(f"/conversation/{result.conversation_id}").status_code == 401
    assert PASSWORD not in server.log_text()


def gunicorn(database_url: str, cwd: Path, **env: str) -> subprocess.Popen:
    """gunicorn as the README runs it; its output goes to cwd/gunicorn.log."""
    env = {**os.environ, "PORT": str(free_port()), "DATABASE_URL": database_url, "SECRET_KEY": "x", **env}
    return subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "python:routerchat.gunicorn_conf",
                             "routerchat:create_app()"], cwd=cwd, env=env, text=True,
                            stdout=(cwd / "gunicorn.log").open("w"), stderr=subprocess.STDOUT)


def test_gunicorn_refuses_a_public_bind_without_accounts(own_database_url, tmp_path):
    process = gunicorn(own_database_url, tmp_path, HOST="0.0.0.0")
    assert process.wait(timeout=60) != 0
    log = (tmp_path / "gunicorn.log").read_text()
    assert "without accounts" in log and "python main.py user add NAME" in log
    assert "Booting worker" not in log


def test_the_login_throttle_holds_across_gunicorn_workers(own_database_url, tmp_path, fake):
    assert run_main(own_database_url, "user", "add", "alice", "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    port = free_port()
    process = gunicorn(own_database_url, tmp_path, PORT=str(port), WEB_CONCURRENCY="2",
                       OPENROUTER_BASE_URL=fake.url, OPENROUTER_API_KEY=fake.api_key)
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: _healthy(url), timeout=30)
        login = {"username": "alice", "password": PASSWORD}
        assert requests.post(url + "/login", json=login, timeout=30).status_code == 200
        wrong = [requests.post(url + "/login", json={**login, "password": "wrong password"}, timeout=30,
                               headers={"Connection": "close"}).status_code for _ in range(10)]
        assert wrong == [401] * 10
        assert requests.post(url + "/login", json=login, timeout=30).status_code == 429
    finally:
        process.terminate()
        process.wait(timeout=20)
    log = (tmp_path / "gunicorn.log").read_text()
    assert "Booting worker" in log and UNPATCHED_WARNING not in log, log


def _healthy(url: str) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=1).ok
    except requests.RequestException:
        return False
