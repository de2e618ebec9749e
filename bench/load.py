"""The benchmark's load generator: one greenlet per stream on raw gevent sockets.

Hundreds of simultaneous streams cost this process little (no thread per stream, no HTTP
library parsing every line), so the figures measure the server, not the client. The same code
reads the upstream directly and routerchat, so their ratio compares like with like.
"""
from __future__ import annotations

import json
import math
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import gevent
from gevent import socket

CONVERSATION_ID = re.compile(rb'"conversation_id": "([0-9a-f]{32})"')


@dataclass
class Sample:
    first: float | None  # seconds to the first content
    total: float  # seconds to the end of the response
    ok: bool
    conversation_id: str | None = None


@dataclass
class Target:
    """What to send and how to recognise the first token and a successful end."""
    host: str
    port: int
    path: str
    headers: dict
    first_token: re.Pattern
    success: bytes


def http_request(method: str, host: str, port: int, path: str, body: bytes = b"", headers: dict | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
             f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def stream(target: Target, payload: dict) -> Sample:
    """POST one request and read the streamed answer to its end (the server closes)."""
    request = http_request("POST", target.host, target.port, target.path, json.dumps(payload).encode(),
                           {"Content-Type": "application/json", **target.headers})
    start = time.perf_counter()
    first, head, tail = None, b"", b""
    try:
        with socket.create_connection((target.host, target.port), timeout=180) as sock:
            sock.sendall(request)
            while data := sock.recv(65536):
                if first is None:
                    head += data
                    if target.first_token.search(head):
                        first = time.perf_counter() - start
                tail = (tail + data)[-4096:]
    except OSError:
        return Sample(first, time.perf_counter() - start, False)
    found = CONVERSATION_ID.search(head)
    return Sample(first, time.perf_counter() - start, first is not None and target.success in tail,
                  found.group(1).decode() if found else None)


def concurrently(count: int, call: Callable[[int], Sample]) -> list[Sample]:
    """Start `count` calls at once and wait for all of them."""
    greenlets = [gevent.spawn(call, i) for i in range(count)]
    gevent.joinall(greenlets)
    return [g.value for g in greenlets]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 20 samples is the slowest one)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


@dataclass
class Stats:
    p50: float
    p99: float
    first_p50: float
    errors: int
    count: int

    @classmethod
    def of(cls, samples: list[Sample]) -> Stats:
        good = [s for s in samples if s.ok]
        if not good:
            return cls(math.nan, math.nan, math.nan, len(samples), len(samples))
        totals = [s.total for s in good]
        return cls(statistics.median(totals), percentile(totals, 0.99),
                   statistics.median(s.first for s in good), len(samples) - len(good), len(samples))
