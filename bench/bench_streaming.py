"""Streaming benchmark: what routerchat adds on top of the upstream, and how it scales.

Runs the real app (`main.py`, gevent) against the fake OpenRouter from tests/, both on
127.0.0.1, and reports ratios measured in this one run (machines here are noisy, so compare
numbers only within a run):

  * relay overhead: time to first token and to the end, through routerchat vs. straight to the
    upstream;
  * concurrency: N simultaneous chats that each stream for ~0.4 s, wall time vs. a single chat
    (1.0 would be perfect overlap);
  * titles: time to `done` of a first exchange while the title model takes 3 s, vs. a later
    exchange that starts no title (should be ~1: titles never delay the chat);
  * footprint: start-up time to a healthy /healthz and resident memory after the load.

    .venv/bin/python bench/bench_streaming.py [--database-url URL] [--concurrency 1,25,100]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import fake_openrouter as fo  # noqa: E402
from tests.conftest import start_app  # noqa: E402

TOKENS = [f" tok{i}" for i in range(20)]
TOKEN_DELAY = 0.02


def timed_stream(url: str, *, json_body: dict, headers: dict | None = None) -> tuple[float, float]:
    """Seconds to the first content and to the end of one SSE response."""
    start = time.perf_counter()
    first = None
    with requests.post(url, json=json_body, headers=headers, stream=True, timeout=60) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if first is None and b'"content"' in line and b'"content": ""' not in line and b'"content":""' not in line:
                first = time.perf_counter() - start
    return first or 0.0, time.perf_counter() - start


def median_pair(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def relay_overhead(app_url: str, fake: fo.FakeOpenRouter, runs: int) -> dict:
    direct_body = {"model": "x/y", "stream": True, "messages": [{"role": "user", "content": "bench"}]}
    auth = {"Authorization": f"Bearer {fake.api_key}"}
    direct = [timed_stream(fake.url + "/chat/completions", json_body=direct_body, headers=auth) for _ in range(runs)]
    relayed = [timed_stream(app_url + "/chat", json_body={"message": "bench"}) for _ in range(runs)]
    (d_first, d_total), (r_first, r_total) = median_pair(direct), median_pair(relayed)
    return {"direct_first_ms": d_first * 1000, "relayed_first_ms": r_first * 1000,
            "direct_total_ms": d_total * 1000, "relayed_total_ms": r_total * 1000,
            "first_token_ratio": r_first / d_first, "total_ratio": r_total / d_total}


def concurrency(app_url: str, levels: list[int]) -> list[dict]:
    rows = []
    baseline = None
    for level in levels:
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=level) as pool:
            results = list(pool.map(lambda i: timed_stream(app_url + "/chat", json_body={"message": f"c{i}"}),
                                    range(level)))
        wall = time.perf_counter() - start
        baseline = baseline or wall
        rows.append({"chats": level, "wall_s": wall, "ratio_to_one": wall / baseline,
                     "median_first_ms": statistics.median(r[0] for r in results) * 1000})
    return rows


def title_delay(app_url: str, fake: fo.FakeOpenRouter, runs: int) -> dict:
    with_title, without_title = [], []
    for i in range(runs):
        fake.completion_plans.append(fo.completion("Bench Title", delay=3.0))
        start = time.perf_counter()
        first = requests.post(app_url + "/chat", json={"message": f"title {i}"}, timeout=60)
        with_title.append(time.perf_counter() - start)
        conversation_id = first.text.split('"conversation_id": "')[1].split('"')[0]
        start = time.perf_counter()
        requests.post(app_url + "/chat", json={"message": "again", "conversation_id": conversation_id}, timeout=60)
        without_title.append(time.perf_counter() - start)
    first_ms, later_ms = statistics.median(with_title) * 1000, statistics.median(without_title) * 1000
    return {"first_exchange_done_ms": first_ms, "later_exchange_done_ms": later_ms, "ratio": first_ms / later_ms}


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--concurrency", default="1,25,100")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    fake = fo.FakeOpenRouter().start()
    fake.next_plan = lambda stream: (fake.completion_plans.popleft() if not stream and fake.completion_plans
                                     else fo.stream_tokens(TOKENS, delay=TOKEN_DELAY) if stream
                                     else fo.completion("Bench Title"))
    workdir = Path(tempfile.mkdtemp(prefix="routerchat-bench-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    started = time.perf_counter()
    app = start_app(database_url, fake.url, workdir, UPSTREAM_READ_TIMEOUT="60", TITLE_TIMEOUT="10")
    startup = time.perf_counter() - started
    try:
        rss_idle = resident_kib(app.process.pid)
        overhead = relay_overhead(app.url, fake, args.runs)
        scaling = concurrency(app.url, [int(x) for x in args.concurrency.split(",")])
        titles = title_delay(app.url, fake, max(3, args.runs // 5))
        rss_loaded = resident_kib(app.process.pid)
    finally:
        app.stop()
        fake.stop()

    backend = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"routerchat streaming benchmark ({backend}; {len(TOKENS)} tokens x {TOKEN_DELAY * 1000:.0f} ms per answer)")
    print(f"start-up to healthy: {startup:.2f} s; resident memory idle {rss_idle / 1024:.0f} MiB, "
          f"after load {rss_loaded / 1024:.0f} MiB")
    print(f"relay, median of {args.runs}: first token {overhead['relayed_first_ms']:.1f} ms vs direct "
          f"{overhead['direct_first_ms']:.1f} ms (ratio {overhead['first_token_ratio']:.2f}); whole answer "
          f"{overhead['relayed_total_ms']:.1f} ms vs {overhead['direct_total_ms']:.1f} ms "
          f"(ratio {overhead['total_ratio']:.2f})")
    for row in scaling:
        print(f"concurrency {row['chats']:>4}: wall {row['wall_s']:.2f} s, ratio to one chat "
              f"{row['ratio_to_one']:.2f}, median first token {row['median_first_ms']:.0f} ms")
    print(f"titles: done of a first exchange {titles['first_exchange_done_ms']:.0f} ms (3 s title model running) "
          f"vs a later exchange {titles['later_exchange_done_ms']:.0f} ms: ratio {titles['ratio']:.2f}")


if __name__ == "__main__":
    main()
