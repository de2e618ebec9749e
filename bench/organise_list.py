"""The organised list at 1k and 100k conversations: GET /conversations with pins first (first page,
a deep page among the others), the archive (?archived=1) and one folder (?folder=<id>).

In process (Flask's test client; no HTTP), on a fresh SQLite file. 1% of the chats are pinned, 10%
archived, 5% in one of ten folders. Prints the median of `--repeats` timings (ms) of each request at
both sizes, as a Markdown table.

    .venv/bin/python bench/organise_list.py [--repeats 31]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, timedelta

import sqlalchemy as sa

from routerchat import create_app
from routerchat.conversations import encode_cursor
from routerchat.db.models import Conversation, Folder
from routerchat.extensions import db
from routerchat.startup import prepare_database

SIZES = (1_000, 100_000)
FOLDERS = 10
START = datetime(2026, 1, 1)


def seed(start: int, stop: int, folder_ids: list[str]) -> None:
    rows = [{"id": f"{n:032x}", "title": f"Chat {n}", "title_source": "user",
             "created_at": START + timedelta(seconds=n), "updated_at": START + timedelta(seconds=n),
             "pinned": n % 100 == 0, "archived": n % 10 == 3,
             "folder_id": folder_ids[n % FOLDERS] if n % 20 == 7 else None} for n in range(start, stop)]
    for chunk in range(0, len(rows), 5_000):
        db.session.execute(sa.insert(Conversation), rows[chunk:chunk + 5_000])
    db.session.commit()


def median_ms(client, url: str, repeats: int) -> float:
    client.get(url)  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_json()
    return statistics.median(times)


def deep_cursor(size: int) -> str:
    """Halfway down the chats that are neither pinned nor archived."""
    n = next(n for n in range(size // 2, size) if n % 100 and n % 10 != 3)
    return encode_cursor(db.session.get(Conversation, f"{n:032x}"))


def measure(client, size: int, folder_id: str, repeats: int) -> dict[str, float]:
    return {
        "first page (pins first)": median_ms(client, "/conversations?limit=50", repeats),
        "deep page": median_ms(client, f"/conversations?limit=50&before={deep_cursor(size)}", repeats),
        "archive, first page": median_ms(client, "/conversations?limit=50&archived=1", repeats),
        "one folder, first page": median_ms(client, f"/conversations?limit=50&folder={folder_id}", repeats),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/organise.db", "TESTING": True},
                         instance_path=f"{workdir}/instance")
        prepare_database(app)
        results: dict[int, dict[str, float]] = {}
        with app.app_context():
            folder_ids = [f"{n:032x}" for n in range(FOLDERS)]
            db.session.execute(sa.insert(Folder), [{"id": f, "account_id": 0, "name": f"Folder {f[-2:]}",
                                                     "instructions": "", "created_at": START} for f in folder_ids])
            client = app.test_client()
            seeded = 0
            for size in SIZES:
                seed(seeded, size, folder_ids)
                seeded = size
                results[size] = measure(client, size, folder_ids[7], args.repeats)
    print("| SQLite | 1k (ms) | 100k (ms) | 100k ÷ 1k |\n|---|---|---|---|")
    for name in results[SIZES[0]]:
        small, large = results[SIZES[0]][name], results[SIZES[1]][name]
        print(f"| {name} | {small:.1f} | {large:.1f} | ×{large / small:.2f} |")


if __name__ == "__main__":
    main()
