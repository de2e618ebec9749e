"""The larger-install path: gunicorn with gevent workers, migrations run once by the master."""
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import ROOT, Api, free_port


def test_gunicorn_gevent_workers_serve_streaming_chat(database_url, fake, tmp_path):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": database_url, "WEB_CONCURRENCY": "2",
           "OPENROUTER_BASE_URL": fake.url, "OPENROUTER_API_KEY": fake.api_key, "SECRET_KEY": "x"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen([str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "routerchat:create_app()"],
                               cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        api = Api(url)
        results = [api.chat(f"gunicorn {i}") for i in range(4)]
        assert all(r.last["type"] == "done" for r in results)
        assert api.settled_title(results[0].conversation_id)["title_source"] == "auto"
        assert fake.api_key not in (tmp_path / "gunicorn.log").read_text()
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert "Booting worker" in (tmp_path / "gunicorn.log").read_text()
