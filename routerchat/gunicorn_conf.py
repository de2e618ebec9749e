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

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gevent"
worker_connections = 1000
timeout = 120  # gevent workers heartbeat while streaming; this only bounds a stuck worker
graceful_timeout = 30
keepalive = 5


def on_starting(server: Any) -> None:  # a gunicorn.arbiter.Arbiter (gunicorn ships no type hints)
    """Apply pending migrations once, before any worker forks, and refuse a public bind without
    accounts; a failure (its reason is in the log) stops gunicorn."""
    hosts = [address[0] for address in server.cfg.address if isinstance(address, tuple)]
    serving_on = [arg for host in hosts for arg in ("--serving-on", host)]
    done = subprocess.run([sys.executable, "-m", "routerchat", "migrate", *serving_on])
    if done.returncode:
        raise SystemExit(done.returncode)
