"""Where each message's time goes when many arrive together: a timeline of POST /chat's phases.

Starts the fake upstream and main.py (SQLite) with timestamps taken around routerchat's own
functions (wrapped by name in the server process; nothing is changed in routerchat), sends
`--level` messages at once for `--rounds` rounds, and prints, per message of the last round and as
medians over all rounds, the milliseconds from the round's start at which it:

  wsgi     reached the WSGI application (the request line and headers were read)
  view     entered the /chat view (Flask, the login gate and the body checks done)
  opened   had its upstream request under way (answers.hub().open returned)
  stored   had its rows written (the question and the `streaming` answer, committed)
  sent     handed its first event (`conversation`) to the server to write
  answered had the upstream's response headers (its request's `stream_chat` returned; a request
           the upstream answered before the rows were stored shows it before `stored`)
  delta    had its first upstream delta published to its feed
  chunk    handed its first `chunk` event to the server to write

and the phases' own durations (view → opened, opened → stored, …; view → answered, answered →
delta: the upstream's think time plus how late this process read it). A message's first token is
its `chunk`; the gaps show what it waited for: its own work, or other messages' turns.

    .venv/bin/python bench/relay_timeline.py [--level 20] [--rounds 4]
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import runpy  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PHASES = ("wsgi", "view", "opened", "stored", "sent", "answered", "delta", "chunk")
# A phase's duration is counted from the one before it, but the upstream's answer from the message's
# view (the request goes out from there, alongside opened, stored and sent) and the first delta from
# that answer (the upstream's own think time, plus however long this process took to read it).
SINCE = {"answered": "view", "delta": "answered"}


def serve(marks_path: str) -> None:
    """main.py with each message's phases time-stamped; the marks are written on SIGTERM."""
    sys.path.insert(0, str(ROOT))
    marks: list[tuple[float, str, int]] = []

    def mark(phase: str, key: int) -> None:
        marks.append((time.perf_counter(), phase, key))

    requests: dict[object, int] = {}  # the greenlet serving a request → the request's number

    def request_key() -> int:
        return requests.get(gevent.getcurrent(), -1)

    def wrap(module: str, owner: str | None, name: str, before: str | None, after: str | None) -> None:
        target = importlib.import_module(module)
        holder = getattr(target, owner) if owner else target
        original = getattr(holder, name)

        def wrapped(*args, **kwargs):
            if before == "wsgi":
                requests[gevent.getcurrent()] = len(requests)
            if before:
                mark(before, request_key())
            result = original(*args, **kwargs)
            if after:
                mark(after, request_key())
            return result
        setattr(holder, name, wrapped)

    wrap("routerchat.serving", "GuardedHandler", "run_application", "wsgi", None)
    wrap("routerchat.views.chat", None, "json_object_body", "view", None)
    wrap("routerchat.answers.hub", "AnswerHub", "open", None, "opened")
    wrap("routerchat.views.chat", None, "_store_exchange", None, "stored")
    trace_answered(mark, request_key)
    chat_view = importlib.import_module("routerchat.views.chat")
    feed_module = importlib.import_module("routerchat.answers.feed")
    chat_events = chat_view._chat_events

    def events(feed, *args, **kwargs):
        for number, event in enumerate(chat_events(feed, *args, **kwargs)):
            if number == 0:
                mark("sent", request_key())
                mark("feed", id(feed))  # links the feed's marks to this request
            elif number == 1:
                mark("chunk", request_key())
            yield event
    chat_view._chat_events = events
    publish = feed_module.Feed.publish

    def first_publish(feed, text):
        if not feed.parts:
            mark("delta", id(feed))
        return publish(feed, text)
    feed_module.Feed.publish = first_publish

    def write_marks(*_):
        Path(marks_path).write_text(json.dumps(marks))
        os._exit(0)
    signal.signal(signal.SIGTERM, write_marks)
    sys.argv = [str(ROOT / "main.py")]
    runpy.run_path(str(ROOT / "main.py"), run_name="__main__")


def trace_answered(mark: Callable[[str, int], None], request_key: Callable[[], int]) -> None:
    """Mark "answered" when a chat request's response headers are in. The request runs in a greenlet
    of its own, which `Opening` switches to at once: its `stream_chat` starts inside `Opening`'s
    constructor, so the request it serves is the one that constructor was called for."""
    opening_module = importlib.import_module("routerchat.answers.opening")
    client_module = importlib.import_module("routerchat.upstream.client")
    opening_init, stream_chat = opening_module.Opening.__init__, client_module.OpenRouterClient.stream_chat
    opened_for: list[int] = []

    def traced_init(opening, *args, **kwargs):
        opened_for.append(request_key())
        opening_init(opening, *args, **kwargs)

    def traced_stream_chat(client, *args, **kwargs):
        key = opened_for.pop()
        stream = stream_chat(client, *args, **kwargs)
        mark("answered", key)
        return stream
    opening_module.Opening.__init__ = traced_init
    client_module.OpenRouterClient.stream_chat = traced_stream_chat


def timelines(marks: list) -> list[dict[str, float]]:
    """Each message's phases (absolute seconds), in order of arrival."""
    request_of_feed = {}
    pending_feed = None
    for _, phase, key in marks:
        if phase == "sent":
            pending_feed = key
        elif phase == "feed" and pending_feed is not None:
            request_of_feed[key] = pending_feed
            pending_feed = None
    messages: dict[int, dict[str, float]] = {}
    for at, phase, key in marks:
        if phase == "feed":
            continue
        if phase == "delta":
            key = request_of_feed.get(key)
            if key is None:
                continue
        messages.setdefault(key, {}).setdefault(phase, at)
    found = [m for m in messages.values() if all(p in m for p in PHASES)]
    return sorted(found, key=lambda m: m["wsgi"])


def rounds_of(messages: list[dict[str, float]], rounds: int, level: int) -> list[list[dict[str, float]]]:
    """The messages of each round (the server's clock differs from ours: rounds are told apart by arrival order)."""
    return [messages[i * level:(i + 1) * level] for i in range(rounds) if len(messages) >= (i + 1) * level]


def report(rounds: list[list[dict[str, float]]]) -> None:
    def relative(message: dict[str, float], start: float) -> dict[str, float]:
        return {phase: (message[phase] - start) * 1e3 for phase in PHASES}
    last = rounds[-1]
    start = last[0]["wsgi"]
    print("Last round, ms from its first arrival:")
    print("| " + " | ".join(PHASES) + " |")
    print("|" + "---|" * len(PHASES))
    for message in last:
        times = relative(message, start)
        print("| " + " | ".join(f"{times[p]:.1f}" for p in PHASES) + " |")
    settled = rounds[1:] or rounds  # the first round also opens the upstream connections
    every = [relative(m, r[0]["wsgi"]) for r in settled for m in r]
    print("\nMedians over every round but the first, ms: at each phase (from the round's first arrival)"
          " and each phase's own duration")
    print("| phase | at | duration |")
    print("|---|---|---|")
    for before, phase in zip(("wsgi", *PHASES), PHASES, strict=False):
        before = SINCE.get(phase, before)
        at = statistics.median(t[phase] for t in every)
        took = statistics.median(t[phase] - t[before] for t in every)
        print(f"| {phase} | {at:.1f} | {took:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", type=int, default=20, help="messages sent at once")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the instrumented server, started by this script
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    sys.path.insert(0, str(ROOT))
    from bench import load
    from bench.run import App, run_wrapped_main

    def rounds(app: App) -> None:
        for number in range(args.rounds):
            samples = load.concurrently(args.level, lambda i, n=number: app.chat(f"timeline {n} {i}"))
            if not all(s.ok for s in samples):
                raise SystemExit(f"round {number}: {sum(not s.ok for s in samples)} messages failed")
            gevent.sleep(1.5)  # the answers end and their titles are written before the next round
    messages = timelines(json.loads(run_wrapped_main(Path(__file__).resolve(), [], rounds)))
    report(rounds_of(messages, args.rounds, args.level))


if __name__ == "__main__":
    main()
