"""The database layer under gevent: a query waiting on PostgreSQL must not block other greenlets."""
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

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
