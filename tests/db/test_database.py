"""The database layer under gevent: a query waiting on PostgreSQL must not block other greenlets,
and no greenlet waits on the network while holding a pooled connection."""
import subprocess
import sys
import textwrap

import gevent
import pytest
from sqlalchemy import text

from routerchat.db.engine import engine_options
from routerchat.db.guard import HeldConnectionError, guard, pause
from routerchat.extensions import db
from routerchat.upstream import openrouter
from tests.support.servers import ROOT, in_process_app

COOPERATION_PROBE = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import sys
    import gevent
    from sqlalchemy import text
    from routerchat import create_app
    from routerchat.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
    order = []

    def slow_query():
        with app.app_context():
            db.session.execute(text("SELECT pg_sleep(1)"))
            order.append("query")

    def other_greenlet():
        gevent.sleep(0.1)
        order.append("other")

    gevent.joinall([gevent.spawn(slow_query), gevent.spawn(other_greenlet)])
    print(",".join(order))
""")


def test_postgres_waits_let_other_greenlets_run(database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("only PostgreSQL waits on the network")
    done = subprocess.run([sys.executable, "-c", COOPERATION_PROBE, database_url], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # With a blocking driver the query finishes first, because the other greenlet never gets the CPU.
    assert done.stdout.strip().splitlines()[-1] == "other,query"


def test_guard_catches_a_connection_held_across_an_upstream_call_or_a_pause(app):
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # the session now holds a pooled connection
        assert guard.held() == 1
        with pytest.raises(HeldConnectionError, match="/models"):
            openrouter(app).client.list_models()
        with pytest.raises(HeldConnectionError, match="a pause"):
            pause(0)
        assert gevent.spawn(guard.held).get() == 0  # another greenlet holds nothing
        db.session.close()
        assert guard.held() == 0
        assert openrouter(app).client.list_models()
        pause(0)


def test_each_app_keeps_its_own_guard_mode(app, tmp_path, caplog):
    """A later app in the same process (another mode) does not relax the first one's guard."""
    relaxed = in_process_app(f"sqlite:///{tmp_path / 'warn.db'}", "http://127.0.0.1:9", tmp_path / "warn",
                             DB_CONNECTION_GUARD="warn")
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        with pytest.raises(HeldConnectionError, match="a pause"):
            pause(0)
        db.session.close()
    with relaxed.app_context():
        db.session.execute(text("SELECT 1"))
        pause(0)  # warn: logged, not raised
        db.session.close()
    assert "held 1 database connection(s) while waiting on a pause" in caplog.text


def test_pool_size_is_configurable():
    assert engine_options("sqlite:///x.db", 3)["pool_size"] == 3
    assert engine_options("postgresql+psycopg://h/db", 4)["pool_size"] == 4
    assert "pool_size" not in engine_options("sqlite://", 3)  # in memory: a single connection, no pool


def test_the_start_up_log_says_what_changed_not_alembics_internals(launch, tmp_path):
    log = launch(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}").log_text()
    assert "database migrated from an empty database to" in log
    assert "non-transactional DDL" not in log and "Context impl" not in log
