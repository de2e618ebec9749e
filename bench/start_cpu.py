"""CPU to start many chats at once: routerchat against the relay floor with every guarantee.

In a burst of new messages every first token waits for the process to have started them all (read
each request, check it, store its rows, send its request upstream, answer with the `conversation`
event): gevent runs every greenlet that is ready before it looks at the sockets again. This
measures that start alone. The upstream holds each answer's first token for `--hold` seconds;
`--level` new chats are sent at once and the app's CPU (from /proc) is read when the last one's
`conversation` event has arrived. routerchat (main.py + SQLite) and bench/relay_floor.py with
`--floor-layers` run side by side, their rounds interleaved, each against the same upstream.

    .venv/bin/python bench/start_cpu.py [--level 100] [--rounds 6] [--root DIR]
                                        [--floor-layers flask,rows,feed,title,guards,search,ledger]
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.exchange_cpu import tree_cpu_seconds  # noqa: E402
from bench.load import http_request  # noqa: E402
from bench.run import App, Config, Floor, start_upstream  # noqa: E402

EVERY_GUARANTEE = "flask,rows,feed,title,guards,search,ledger"
FIRST_EVENT = b'"conversation_id"'  # routerchat's and the floor's first event both name the chat


def start_chat(port: int, message: str, until: bytes = FIRST_EVENT) -> socket.socket:
    """Send a new chat and read until its first event (or `until`); the connection stays open (the
    answer goes on)."""
    request = http_request("POST", "127.0.0.1", port, "/chat", json.dumps({"message": message}).encode(),
                           {"Content-Type": "application/json"})
    connection = socket.create_connection(("127.0.0.1", port), timeout=60)
    connection.sendall(request)
    head = b""
    while until not in head:
        data = connection.recv(65536)
        if not data:
            raise RuntimeError(f"the chat ended before its first event: {head[-300:]!r}")
        head += data
    return connection


def start_round(app: App, level: int, label: str, hold: float) -> float:
    """CPU seconds per chat to start `level` chats at once; then their answers end before the next round."""
    before = tree_cpu_seconds(app.process)
    greenlets = [gevent.spawn(start_chat, app.process.port, f"{label} {i}") for i in range(level)]
    gevent.joinall(greenlets, raise_error=True)
    spent = tree_cpu_seconds(app.process) - before
    gevent.sleep(hold + 1.5)  # the held first tokens, the answers' ends and their titles
    for greenlet in greenlets:
        greenlet.value.close()
    return spent / level


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", type=int, default=100, help="chats started at once")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--hold", type=float, default=3.0, help="seconds the upstream holds each first token")
    parser.add_argument("--root", type=Path, default=BENCH.parent, help="the checkout whose main.py is measured")
    parser.add_argument("--floor-layers", default=EVERY_GUARANTEE, help="FLOOR_LAYERS of the floor beside it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="routerchat-start-") as tmp:
        workdir = Path(tmp)
        upstream = start_upstream(workdir, tokens=1, delay=args.hold)
        apps = {"routerchat (main.py + SQLite)": App(Config("main.py", "sqlite", None),
                                                     f"sqlite:///{workdir / 'bench.db'}", upstream, workdir / "app",
                                                     args.root),
                f"floor + {args.floor_layers}": Floor(upstream, workdir / "floor", args.floor_layers)}
        try:
            tag = uuid.uuid4().hex[:6]
            for app in apps.values():
                start_round(app, 20, f"{tag} warm", args.hold)  # connections opened, statements compiled
            spent: dict[str, list[float]] = {name: [] for name in apps}
            for number in range(args.rounds):
                for name, app in apps.items():
                    spent[name].append(start_round(app, args.level, f"{tag} {number}", args.hold))
        finally:
            for app in apps.values():
                app.process.stop()
            upstream.process.stop()
    print(f"CPU to start {args.level} chats at once, per chat (median of {args.rounds} rounds, minimum):")
    for name, values in spent.items():
        print(f"| {name} | {statistics.median(values) * 1e3:.2f} ms | {min(values) * 1e3:.2f} ms |")
    app_median, floor_median = (statistics.median(values) for values in spent.values())
    if floor_median:
        print(f"routerchat / floor: ×{app_median / floor_median:.2f}")
    else:  # /proc counts CPU in clock ticks (10 ms)
        print("routerchat / floor: the floor's start took less than a clock tick; raise --level")


if __name__ == "__main__":
    main()
