"""One account's search beside a much bigger account (issue 23): GET /conversations?q= for a small
account before and after another account stores `--big` conversations full of the searched words.

In process (no HTTP), on a fresh SQLite file, or with `--postgresql` in a schema of its own (made
and dropped by the bench) of the database TEST_DATABASE_URL names, ANALYZEd after each seeding as
autovacuum would. The small account has 200 chats (two messages each)
and one chat holding each searched word; the big account then gets `--big` chats whose every
message holds them. Prints the median of `--repeats` timings (ms) of each search, for the small
account alone, beside the big one, their ratio, and the big account's own time, as a Markdown table.

    .venv/bin/python bench/search_accounts.py [--big 50000] [--repeats 11] [--postgresql]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import g

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's routerchat, not the venv's

from routerchat import accounts, conversations, create_app
from routerchat.db.models import Conversation, Message
from routerchat.extensions import db
from routerchat.startup import prepare_database
from tests.support.databases import fresh_database

START = datetime(2026, 1, 1)
SEARCHES = {"a word common elsewhere": "quarterly", "two such words": "quarterly revenue",
            "a word too short for the index": "qz", "a word nobody wrote": "zeppelin"}


def seed(account_id: int, start: int, stop: int, text: str) -> None:
    """Chats `start`..`stop` of the account, a question and an answer each, both holding `text`."""
    for chunk in range(start, stop, 5_000):
        numbers = range(chunk, min(stop, chunk + 5_000))
        db.session.execute(sa.insert(Conversation), [
            {"id": f"{n:032x}", "account_id": account_id, "title": f"Chat {n}", "title_source": "user",
             "created_at": START + timedelta(seconds=n), "updated_at": START + timedelta(seconds=n)}
            for n in numbers])
        db.session.execute(sa.insert(Message), [
            {"conversation_id": f"{n:032x}", "role": role, "content": f"{text} {n}",
             "created_at": START + timedelta(seconds=n), "selected_at": START + timedelta(seconds=n)}
            for n in numbers for role in ("user", "assistant")])
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE conversation"))
        db.session.execute(sa.text("ANALYZE message"))
        db.session.commit()


def median_ms(account_id: int, q: str, repeats: int) -> float:
    g.account_id = account_id
    conversations.list_page(20, None, q)  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        conversations.list_page(20, None, q)
        times.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return statistics.median(times)


def measure(database_url: str, folder: str, big_chats: int, repeats: int) -> dict[str, dict[str, float]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"}, instance_path=folder)
    prepare_database(app)
    with app.app_context():
        small, big = (accounts.add(name, "correct horse battery").id for name in ("small", "big"))
        seed(small, 0, 200, "notes about the garden")
        seed(small, 200, 201, "the quarterly revenue qz report")
    with app.test_request_context():
        alone = {name: median_ms(small, q, repeats) for name, q in SEARCHES.items()}
        started = time.perf_counter()
        seed(big, 1_000, 1_000 + big_chats, "quarterly revenue qz summary for the board")
        print(f"(the big account's {big_chats:,} chats stored in {time.perf_counter() - started:.0f} s)")
        beside = {name: median_ms(small, q, repeats) for name, q in SEARCHES.items()}
        own = {name: median_ms(big, q, repeats) for name, q in SEARCHES.items()}
        db.session.remove()
        db.engine.dispose()  # lets a PostgreSQL schema be dropped
    return {"alone": alone, "beside": beside, "own": own}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--postgresql", action="store_true", help="a schema of its own in TEST_DATABASE_URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = (fresh_database("postgresql", None) if args.postgresql
                    else nullcontext(f"sqlite:///{folder}/bench.db"))
        with database as database_url:
            times = measure(database_url, folder, args.big, args.repeats)
    print(f"(routerchat from {Path(conversations.__file__).parent})")
    print(f"| search | small account alone (ms) | beside {args.big:,} chats of another (ms) | ratio "
          "| the big account's own search (ms) |")
    print("|---|---|---|---|---|")
    for name in SEARCHES:
        alone, beside = times["alone"][name], times["beside"][name]
        print(f"| {name} | {alone:.1f} | {beside:.1f} | ×{beside / alone:.2f} | {times['own'][name]:.1f} |")


if __name__ == "__main__":
    main()
