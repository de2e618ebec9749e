"""What followers of an answer read: its text so far, a wake-up signal, and how it ended.

A follower keeps only an offset into the text, so a reader that stalls costs no memory and never
delays the answer; the memory of a running answer is its text so far.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gevent
from gevent.event import Event

from ..sse import PING, format_event

# A follower sends at most one event per this interval: a fast model's many tiny deltas go out
# as fewer, larger chunks (fewer writes and JSON encodings), still smoother than a screen refresh.
FOLLOW_BATCH_SECONDS = 0.015


class Feed:
    """One answer's text so far (in the order it arrived) and its final event once it ends."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.final: dict[str, Any] | None = None
        self.changed = Event()  # set (and replaced) on every change
        self._ended = Event()

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def publish(self, text: str) -> None:
        self.parts.append(text)
        self._wake()

    def end(self, final: dict[str, Any]) -> None:
        self.final = final
        self._ended.set()
        self._wake()

    def _wake(self) -> None:
        changed, self.changed = self.changed, Event()
        changed.set()

    def follow(self, ping_seconds: float) -> Iterator[str]:
        """SSE events: everything so far as one chunk, then live chunks, then done or error.

        Deltas that arrived while this reader was busy, or within FOLLOW_BATCH_SECONDS, are sent
        together: a slow reader gets fewer, larger chunks instead of a backlog.
        """
        sent = 0
        while True:
            changed = self.changed
            if sent < len(self.parts):
                upto = len(self.parts)
                yield format_event({"type": "chunk", "content": "".join(self.parts[sent:upto])})
                sent = upto
            elif self.final is not None:
                yield format_event(self.final)
                return
            elif changed.wait(timeout=ping_seconds):
                gevent.sleep(FOLLOW_BATCH_SECONDS)
            else:
                yield PING

    def wait_ended(self, timeout: float) -> bool:
        ended: bool = self._ended.wait(timeout)
        return ended
