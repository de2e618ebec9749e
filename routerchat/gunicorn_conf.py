"""gunicorn settings for larger installs: `gunicorn -c python:routerchat.gunicorn_conf "routerchat:create_app()"`.

Use PostgreSQL (DATABASE_URL) with several workers; title claims live in the database, so
nothing in-process is needed for correctness across workers.

The master must not import psycopg (or create the app): a gevent worker patches the standard
library only after it forks, and psycopg picks its blocking wait function at import, which
would then stop a whole worker on every query that waits. So migrations run once, before any
worker forks, in a process of their own (`python -m routerchat migrate`), and each worker creates
the app after it forks: its own database pool and its own connections to OpenRouter.
"""
import os
import subprocess
import sys
from typing import Any

from routerchat.ports import check_port_free

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gevent"
worker_connections = 1000
timeout = 120  # gevent workers heartbeat while streaming; this only bounds a stuck worker
graceful_timeout = 30
keepalive = 5


def on_starting(server: Any) -> None:  # a gunicorn.arbiter.Arbiter (gunicorn ships no type hints)
    """Apply pending migrations once, before any worker forks, and refuse a public bind without
    accounts; a failure (its reason is in the log) stops gunicorn. A busy port stops it first,
    with one line that names the port (gunicorn itself would retry, then log a traceback-like
    "Connection in use" five times)."""
    for address in server.cfg.address:
        if isinstance(address, tuple) and (busy := check_port_free(address[0], int(address[1]))):
            print(busy, file=sys.stderr, flush=True)
            raise SystemExit(1)
    hosts = [address[0] for address in server.cfg.address if isinstance(address, tuple)]
    serving_on = [arg for host in hosts for arg in ("--serving-on", host)]
    done = subprocess.run([sys.executable, "-m", "routerchat", "migrate", *serving_on])
    if done.returncode:
        raise SystemExit(done.returncode)


def post_worker_init(worker: Any) -> None:  # a gunicorn worker, its app (worker.wsgi) just created
    """Every request's body must arrive within REQUEST_READ_TIMEOUT, and start-up's objects are
    out of the garbage collector's sight, as under `python main.py` (imported here, in the worker:
    the master loads nothing gevent must patch first)."""
    from routerchat.db.checkpoints import start_wal_checkpoints
    from routerchat.serving import BodyDeadline, freeze_start_up_objects

    start_wal_checkpoints(worker.wsgi)
    worker.wsgi = BodyDeadline(worker.wsgi, worker.wsgi.config["REQUEST_READ_TIMEOUT"])
    freeze_start_up_objects()
