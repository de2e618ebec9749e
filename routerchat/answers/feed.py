"""What followers of an answer read: its text (and the model's reasoning) so far, a wake-up
signal, and how it ended.

A follower keeps only an offset into the text, so a reader that stalls costs no memory and never
delays the answer; the memory of a running answer is its text so far.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import gevent
from gevent.event import Event

from ..sse import PING, format_event

# A follower sends at most one event per this interval: a fast model's many tiny deltas go out
# as fewer, larger chunks (fewer writes and JSON encodings), still smoother than a screen refresh.
# A delta after a quieter spell (the first one above all) goes out at once.
FOLLOW_BATCH_SECONDS = 0.015


class Feed:
    """One answer's text and reasoning so far (each in the order it arrived) and its final event
    once it ends."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.reasoning_parts: list[str] = []
        self.final: dict[str, Any] | None = None
        self.changed = Event()  # set (and replaced) on every change, and on every tick
        self._ended = Event()
        self._ticker: gevent.Greenlet | None = None
        self._followers = 0

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def reasoning(self) -> str:
        return "".join(self.reasoning_parts)

    def publish(self, text: str) -> None:
        self.parts.append(text)
        self._wake()

    def publish_reasoning(self, text: str) -> None:
        self.reasoning_parts.append(text)
        self._wake()

    def end(self, final: dict[str, Any]) -> None:
        self.final = final
        self._ended.set()
        self._wake()
        if self._ticker is not None:
            self._ticker.kill(block=False)

    def _wake(self) -> None:
        changed, self.changed = self.changed, Event()
        changed.set()

    def _tick_every(self, ping_seconds: float) -> None:
        """Wake the followers every `ping_seconds` while the answer runs; one that finds nothing
        new sends a ping. One timer per answer: a timeout on each follower's every wait cost a
        timer started and stopped per relayed delta (~3% of the relay's CPU)."""
        if self._ticker is None and self.final is None:
            self._ticker = gevent.spawn(self._tick, ping_seconds)

    def _tick(self, ping_seconds: float) -> None:
        while self.final is None and self._followers:
            gevent.sleep(ping_seconds)
            self._wake()
        self._ticker = None  # the next follower starts it again

    def follow(self, ping_seconds: float) -> Iterator[str]:
        """SSE events: the reasoning and the text so far (a `reasoning` event, then a `chunk`),
        then live ones, then done or error.

        Deltas that arrived while this reader was busy, or within FOLLOW_BATCH_SECONDS of its
        previous event, are sent together: a slow reader gets fewer, larger events instead of a
        backlog, and the first delta is not held back. Within a batch the reasoning goes first, as
        models reason before they answer. Whatever is ready at once (reasoning, text and the final
        event) is yielded as one string: one write to the socket.
        """
        self._followers += 1
        try:
            yield from self._events(ping_seconds)
        finally:
            self._followers -= 1

    def _events(self, ping_seconds: float) -> Iterator[str]:
        sent = reasoning_sent = 0
        sent_at = float("-inf")
        while True:
            changed = self.changed
            ready: list[str] = []
            if reasoning_sent < len(self.reasoning_parts) or sent < len(self.parts):
                too_soon = sent_at + FOLLOW_BATCH_SECONDS - time.monotonic()
                if too_soon > 0:
                    gevent.sleep(too_soon)  # more deltas join this batch meanwhile
                    continue
                reasoning_upto, upto = len(self.reasoning_parts), len(self.parts)
                if reasoning_sent < reasoning_upto:
                    reasoning = "".join(self.reasoning_parts[reasoning_sent:reasoning_upto])
                    ready.append(format_event({"type": "reasoning", "content": reasoning}))
                if sent < upto:
                    ready.append(format_event({"type": "chunk", "content": "".join(self.parts[sent:upto])}))
                sent, reasoning_sent, sent_at = upto, reasoning_upto, time.monotonic()
            final = self.final
            ended = final is not None and sent == len(self.parts) and reasoning_sent == len(self.reasoning_parts)
            if final is not None and ended:
                ready.append(format_event(final))
            if ready:
                yield "".join(ready)
            if ended:
                return
            if not ready:
                self._tick_every(ping_seconds)
                changed.wait()
                if self._nothing_after(sent, reasoning_sent):
                    yield PING  # a tick: nothing new for a while

    def _nothing_after(self, sent: int, reasoning_sent: int) -> bool:
        return self.final is None and sent == len(self.parts) and reasoning_sent == len(self.reasoning_parts)

    def wait_ended(self, timeout: float) -> bool:
        ended: bool = self._ended.wait(timeout)
        return ended
