"""What SQLite's commits cost the event loop, with the WAL checkpoints in the commits (SQLite's
default) and in a thread of their own (`routerchat/db/checkpoints.py`, as main.py and gunicorn run).

Stores `--exchanges` exchanges in a row the way POST /chat does (a conversation, its question and a
`streaming` answer: one transaction of one Core statement each, through the app's session, search
index triggers included), yielding to the event loop between exchanges as a server does, and
reports the commits' median, 99th percentile, maximum and mean, the share of the slowest 2%, and the
loop's time per exchange. Both ways run on a new database each, in one run, alternating rounds.

    .venv/bin/python bench/sqlite_commits.py [--exchanges 2000] [--rounds 2]
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routerchat import conversations, create_app  # noqa: E402
from routerchat.constants import MessageStatus  # noqa: E402
from routerchat.db.checkpoints import start_wal_checkpoints  # noqa: E402
from routerchat.db.engine import migrate_database  # noqa: E402
from routerchat.db.models import Conversation, Message  # noqa: E402
from routerchat.db.rows import insert_row  # noqa: E402
from routerchat.extensions import db  # noqa: E402

MODEL = "bench/model"


def store_exchange(index: int) -> float:
    """One exchange's rows as POST /chat stores them; the seconds its commit took."""
    conversation_id = insert_row(Conversation, conversations.conversation_values(MODEL))
    question_id = insert_row(Message, conversations.message_values(
        conversation_id, "user", f"How do I bake bread, take {index}?"))
    insert_row(Message, conversations.message_values(conversation_id, "assistant", "", parent_id=question_id,
                                                     model=MODEL, status=MessageStatus.STREAMING))
    started = time.perf_counter()
    db.session.commit()
    committed = time.perf_counter() - started
    db.session.close()
    return committed


def measure(folder: Path, in_thread: bool, exchanges: int) -> dict[str, float]:
    os.environ.update(DATABASE_URL=f"sqlite:///{folder / 'commits.db'}", ROUTERCHAT_DOTENV="0", SECRET_KEY="bench")
    app = create_app()
    with app.app_context():
        migrate_database()
    checkpoints = start_wal_checkpoints(app) if in_thread else None
    commits = []
    with app.app_context():
        started = time.perf_counter()
        for index in range(exchanges):
            commits.append(store_exchange(index))
            gevent.sleep(0)  # a server's other greenlets (here: the checkpoints) run between requests
        elapsed = time.perf_counter() - started
    if checkpoints is not None:
        checkpoints.kill()
    with app.app_context():
        db.engine.dispose()
    commits.sort()
    slowest = commits[-max(1, len(commits) // 50):]
    return {"median": commits[len(commits) // 2], "p99": commits[int(len(commits) * 0.99)], "max": commits[-1],
            "mean": statistics.fmean(commits), "slowest 2%": sum(slowest) / sum(commits),
            "over 5 ms": sum(c > 0.005 for c in commits), "over 20 ms": sum(c > 0.020 for c in commits),
            "per exchange": elapsed / exchanges}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory(prefix="routerchat-commits-") as tmp:
        for round_number in range(args.rounds):
            for in_thread in (False, True):
                folder = Path(tmp) / f"{round_number}-{in_thread}"
                folder.mkdir()
                results[in_thread].append(measure(folder, in_thread, args.exchanges))
    print("| checkpoints | commit median | p99 | max | mean | slowest 2% of commits | commits over 5 / 20 ms "
          "| loop time per exchange |")
    print("|---|---|---|---|---|---|---|---|")
    for in_thread, label in ((False, "in the commits (SQLite's default)"), (True, "in a thread (routerchat)")):
        for r in results[in_thread]:
            print(f"| {label} | {r['median'] * 1e3:.2f} ms | {r['p99'] * 1e3:.2f} ms | {r['max'] * 1e3:.2f} ms | "
                  f"{r['mean'] * 1e3:.2f} ms | {r['slowest 2%']:.0%} of their time | "
                  f"{r['over 5 ms']} / {r['over 20 ms']} | {r['per exchange'] * 1e3:.2f} ms |")


if __name__ == "__main__":
    main()
