"""Waiting honestly: `wait_for` fails when what it waits for never happens, and `stays` is how to
say that something did NOT happen (watched for a while, not slept through)."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.05,
             message: str = "") -> T:
    """Poll until predicate() is truthy and return its value; fail the test when it never is."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value:
        if time.monotonic() >= deadline:
            detail = f": {message}" if message else ""
            raise AssertionError(f"still false after {timeout} s (last value {value!r}){detail}")
        time.sleep(interval)
        value = predicate()
    return value


def stays(predicate: Callable[[], object], seconds: float, interval: float = 0.05) -> bool:
    """True when predicate() held every time it was checked for `seconds`; returns False as soon
    as it fails (assert on it: `assert stays(lambda: title() == "Mine", 0.5)`)."""
    deadline = time.monotonic() + seconds
    while True:
        if not predicate():
            return False
        if time.monotonic() >= deadline:
            return True
        time.sleep(interval)


def settle(fake) -> None:
    """Wait until nothing the test set off can still reach the fake: every upstream request has
    finished and none came for a moment. The in-process app's background greenlets (an answer, the
    title job after it) run only while this process yields to gevent, so the wait yields. Call it
    before asserting that something did NOT happen upstream, or the assertion cannot fail."""
    import gevent

    fake.wait_until_quiet(sleep=gevent.sleep)
