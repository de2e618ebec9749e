"""Instructions executed per chat start (or per whole exchange), counted by valgrind: a measure of
the app's own CPU work that this shared machine does not scatter (CPU time of the same code
varies by ±20% between runs here; the instruction count by ~1%).

The app (routerchat from `--root`, or bench/relay_floor.py with every guarantee: `--floor`) is
served in this process on gevent, with the fake upstream in a process of its own. After 30
warm-up chats, `--chats` new chats are sent one after another and read up to their
`conversation` event (their start: request read and checked, rows stored, request sent upstream),
or with `--exchange` to their `done` event and their titles stored (the whole exchange). The
process runs twice under `valgrind --tool=cachegrind`, with no chats and with `--chats`; the
difference ÷ chats is printed. The client's share (a socket, one request, reading the reply) is
the same for every app measured. routerchat stores on a new SQLite file, or with `--postgres URL`
in a schema of its own in that PostgreSQL database (made and dropped by each run). Needs valgrind
(`apt-get install valgrind`); takes 1-3 minutes.

    .venv/bin/python bench/instructions.py [--chats 300] [--exchange] [--floor] [--root DIR] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WARM_UP = 30
TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def count(args: argparse.Namespace, chats: int) -> int:
    """Instructions of one run of this script's child mode under cachegrind."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, __file__, "--child", str(chats), "--root", str(args.root),
               *(["--exchange"] if args.exchange else []), *(["--floor"] if args.floor else []),
               *(["--postgres", args.postgres] if args.postgres else [])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    found = TOTAL.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind run failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--exchange", action="store_true", help="whole exchanges (to `done`, titles stored)")
    parser.add_argument("--floor", action="store_true",
                        help="relay_floor.py with every guarantee (start_cpu.py's EVERY_GUARANTEE)")
    parser.add_argument("--root", type=Path, default=BENCH.parent, help="the checkout whose routerchat is measured")
    parser.add_argument("--postgres", metavar="URL", help="routerchat on PostgreSQL (e.g. postgresql://127.0.0.1:5432/test)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.postgres and args.floor:
        parser.error("--postgres measures routerchat; the floor stores on SQLite")
    if args.child is not None:
        drive(args, args.child)
        return
    sys.path.insert(0, str(BENCH.parent))
    from bench.start_cpu import EVERY_GUARANTEE

    idle, busy = count(args, 0), count(args, args.chats)
    what = "exchange" if args.exchange else "start"
    app = f"floor + {EVERY_GUARANTEE}" if args.floor else f"routerchat ({args.root})"
    print(f"{app}: {(busy - idle) / args.chats / 1e6:.2f} M instructions per chat {what} "
          f"({args.chats} chats; {idle / 1e9:.3f} G without them)")


def drive(args: argparse.Namespace, chats: int) -> None:
    """The child: serve the app here, send the chats, and leave at once (nothing else counted)."""
    from gevent import monkey

    monkey.patch_all()
    import tempfile

    sys.path.insert(0, str(args.root))
    import routerchat  # noqa: F401  # the measured checkout's, before bench/ (this checkout's) imports it

    sys.path.insert(0, str(BENCH.parent))
    from gevent.pywsgi import WSGIServer

    from bench.run import start_upstream
    from bench.start_cpu import start_chat

    workdir = Path(tempfile.mkdtemp(prefix="routerchat-instructions-"))
    upstream = start_upstream(workdir, tokens=2, delay=0.001) if args.exchange else start_upstream(workdir, 1, 30.0)
    database_url, schema = f"sqlite:///{workdir / 'app.db'}", None
    if args.postgres:
        from bench.run import postgres_schema

        schema, database_url = postgres_schema(args.postgres)
    app = floor_app(upstream, workdir) if args.floor else routerchat_app(upstream, database_url)
    server = WSGIServer(("127.0.0.1", 0), app, log=None)
    server.start()
    until = b'"type": "done"' if args.exchange else b'"conversation_id"'
    for number in range(WARM_UP + chats):
        start_chat(server.server_port, f"chat number {number}", until).close()  # a start's answer goes on
    if args.exchange:
        wait_for_titles(f"sqlite:///{workdir / 'floor.db'}" if args.floor else database_url)
    if schema is not None:
        from bench.run import drop_schema

        drop_schema(args.postgres, schema)
    os.kill(upstream.process.popen.pid, 9)
    os._exit(0)


def routerchat_app(upstream, database_url: str):
    """routerchat as main.py serves it, with the bench's settings."""
    from bench.run import app_env
    from routerchat import create_app
    from routerchat.serving import freeze_start_up_objects
    from routerchat.startup import prepare_database

    os.environ.update(app_env(database_url, upstream))
    app = create_app()
    prepare_database(app)
    freeze_start_up_objects()  # as main.py does before it serves
    return app


def floor_app(upstream, workdir: Path):
    import runpy

    from bench.run import floor_env
    from bench.start_cpu import EVERY_GUARANTEE

    os.environ.update(floor_env(upstream, workdir, EVERY_GUARANTEE))
    return runpy.run_path(str(BENCH / "relay_floor.py"), run_name="floor")["flask_app"]()


def wait_for_titles(database_url: str) -> None:
    """Every exchange's title job has stored its title (they follow the answers, in the background)."""
    import gevent
    import sqlalchemy as sa

    from routerchat.config import normalize_database_url

    engine = sa.create_engine(normalize_database_url(database_url), poolclass=sa.NullPool)
    for _ in range(1200):
        with engine.connect() as connection:
            pending = connection.scalar(sa.text("SELECT count(*) FROM conversation WHERE title = 'New Conversation'"))
        if not pending:
            return
        gevent.sleep(0.5)
    raise RuntimeError(f"{pending} titles never landed")


if __name__ == "__main__":
    main()
