"""gunicorn settings for larger installs: `gunicorn -c gunicorn.conf.py "routerchat:create_app()"`.

Use PostgreSQL (DATABASE_URL) with several workers; title claims live in the database, so
nothing in-process is needed for correctness across workers.
"""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gevent"
worker_connections = 1000
timeout = 120  # gevent workers heartbeat while streaming; this only bounds a stuck worker
graceful_timeout = 30
keepalive = 5


def on_starting(server):
    """Apply pending migrations once, in the master, before any worker forks; refuse a public
    bind without accounts."""
    from routerchat import create_app
    from routerchat.accounts import refuse_unprotected_bind
    from routerchat.database import upgrade_database
    from routerchat.extensions import db

    app = create_app()
    upgrade_database(app)
    refuse_unprotected_bind(app, [address[0] for address in server.cfg.address if isinstance(address, tuple)])
    with app.app_context():
        db.engine.dispose()  # no connection of the master's may leak into forked workers
