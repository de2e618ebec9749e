"""Serving: start-up's objects are out of the garbage collector's full collections, and SQLite's WAL
checkpoints run in a thread, in both entry points (main.py, gunicorn's workers)."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from routerchat import create_app
from routerchat.db import checkpoints
from routerchat.db.checkpoints import FALLBACK_AUTOCHECKPOINT_PAGES
from routerchat.gunicorn_conf import post_worker_init
from routerchat.serving import freeze_start_up_objects
from tests.support.servers import ROOT


@pytest.fixture
def restored_gc():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_what_start_up_left_alive_is_frozen_and_young_objects_are_collected_less_often(restored_gc):
    alive = ["made before"]
    freeze_start_up_objects()
    assert gc.get_freeze_count() > 1000
    assert all(tracked is not alive for tracked in gc.get_objects())  # frozen: no collection scans it
    assert gc.get_threshold()[0] >= 10_000


def test_a_gunicorn_worker_freezes_start_up_and_moves_checkpoints_once_its_app_exists(restored_gc, tmp_path,
                                                                                      monkeypatch):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}"}, instance_path=str(tmp_path))
    started = []
    monkeypatch.setattr(checkpoints, "start_wal_checkpoints", started.append)
    worker = SimpleNamespace(wsgi=app)
    post_worker_init(worker)
    assert gc.get_freeze_count() > 1000
    assert started == [app]


def test_main_py_freezes_start_up_and_moves_checkpoints_before_it_serves(tmp_path):
    """main.py is run up to the point where it would serve (its server's serve_forever reports instead)."""
    code = ("import gc, runpy, sys; from gevent import baseserver\n"
            "from sqlalchemy import text; from routerchat.extensions import db\n"
            "def report(server):\n"
            "    with server.application.app_context():\n"
            "        pages = db.session.execute(text('PRAGMA wal_autocheckpoint')).scalar_one()\n"
            "    print('frozen', gc.get_freeze_count(), gc.get_threshold()[0], pages, flush=True)\n"
            "baseserver.BaseServer.serve_forever = report\n"
            "sys.argv = ['main.py']\n"
            f"runpy.run_path({str(ROOT / 'main.py')!r}, run_name='__main__')\n")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}", "HOST": "127.0.0.1", "PORT": "0",
           "SECRET_KEY": "test", "ROUTERCHAT_DOTENV": "0"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    _, frozen, threshold, pages = done.stdout.split()[-4:]
    assert int(frozen) > 1000 and int(threshold) >= 10_000
    assert int(pages) == FALLBACK_AUTOCHECKPOINT_PAGES  # commits leave the checkpoints to their thread
