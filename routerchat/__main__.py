"""`python -m routerchat migrate`: apply pending database migrations and exit.

Serving is `python main.py` (gevent patches first there) or gunicorn; this command exists so
migrations can run in a process of their own, before gunicorn forks its workers.
"""
from gevent import monkey

monkey.patch_all()  # before ssl, requests or psycopg load, as in main.py and gunicorn's workers

import argparse

from . import accounts, create_app
from .startup import prepare_database


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m routerchat", description="routerchat maintenance")
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="apply pending database migrations (DATABASE_URL) and exit")
    migrate.add_argument("--serving-on", action="append", default=[], metavar="HOST",
                         help="then refuse (exit 1) when HOST is not loopback and no account exists")
    args = parser.parse_args(argv)
    app = create_app()
    prepare_database(app)
    if args.serving_on:
        accounts.refuse_unprotected_bind(app, args.serving_on)


if __name__ == "__main__":
    main()
