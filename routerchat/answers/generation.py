"""The running answer: a greenlet that reads the upstream to its end and stores the answer,
whatever the browser does.

POST /chat opens the upstream request (opening.py), stores the question and an assistant row with
status `streaming` meanwhile, then has the hub start a `Generation` on that request, whose `feed`
the responses follow. Only `stop()` ends it early: the greenlet is
killed out of its upstream read, which closes the connection to OpenRouter. While it runs, the
text so far is written to the row every ANSWER_FLUSH_SECONDS so that other processes (and a
crash) see it; this process serves it from memory.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import gevent

from ..constants import MessageStatus
from ..db.guard import pause
from ..errors import UpstreamError
from ..upstream import REASONING
from . import store
from .events import STOPPED_EVENT, UNSAVED_EVENT, done_event, error_event
from .feed import Feed
from .opening import Opening

log = logging.getLogger(__name__)

STOP_WAIT_SECONDS = 5
STORE_ATTEMPTS = 3
STORE_RETRY_SECONDS = 0.5


class AnswerStopped(Exception):
    """Raised inside a generation greenlet to end it early."""


@dataclass
class Outcome:
    """How the upstream read ended: the row's status and the event followers get."""

    status: str
    event: dict[str, Any]
    model: str | None = None
    usage: dict[str, Any] | None = None
    error: str | None = None
    error_status: int | None = None
    citations: list[dict[str, str]] | None = None


@dataclass
class ReasoningClock:
    """How long the model reasoned: from its first reasoning delta to its first answer delta
    (or the end, when it never answered)."""

    started: float | None = None
    ended: float | None = None

    def saw(self, kind: str) -> None:
        now = time.monotonic()
        if kind == REASONING and self.started is None:
            self.started = now
        elif kind != REASONING and self.started is not None and self.ended is None:
            self.ended = now

    def seconds(self) -> float | None:
        if self.started is None:
            return None
        return round((self.ended or time.monotonic()) - self.started, 1)


@dataclass
class AnswerRequest:
    """What is sent upstream for one answer: the model, the messages (the system message first,
    when there is one) and the other body fields (the chat's parameters, plugins)."""

    model: str
    messages: list[dict[str, Any]]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Generation:
    """What drives one answer: the request to send, the greenlet reading it, and its stop flags.
    Followers read only `feed`."""

    message_id: int
    conversation_id: str
    request: AnswerRequest
    opening: Opening  # the request, already on its way
    owner: int | None = None  # whose conversation: the title job after the answer acts as them
    feed: Feed = field(default_factory=Feed)
    reading: bool = False  # inside the upstream read, where a stop may interrupt it
    stop_requested: bool = False
    greenlet: gevent.Greenlet | None = None
    clock: ReasoningClock = field(default_factory=ReasoningClock)

    @property
    def model(self) -> str:
        return self.request.model

    def run(self, flush_every: float) -> dict[str, Any]:
        """Read the upstream to its end (or a stop) and store the answer; the final event (never raises)."""
        outcome = self._read_upstream(flush_every)
        return outcome.event if self._store_with_retries(outcome) else UNSAVED_EVENT

    def stop(self) -> None:
        """End the answer early and return once it is stored as `stopped` (or has ended anyway)."""
        self.stop_requested = True
        if self.reading and self.greenlet is not None:
            self.greenlet.kill(AnswerStopped, block=False)
        self.feed.wait_ended(STOP_WAIT_SECONDS)

    def _read_upstream(self, flush_every: float) -> Outcome:
        flushed_at = time.monotonic()
        route = self.opening.route
        try:
            self.reading = True
            self._check_stop()
            stream = self.opening.stream()
            self.request.messages = []  # sent: its attachments (base64, maybe megabytes) are not kept for the answer
            for delta in stream:
                self.clock.saw(delta.kind)
                if delta.kind == REASONING:
                    self.feed.publish_reasoning(delta.text)
                else:
                    self.feed.publish(delta.text)
                self._check_stop()
                if time.monotonic() - flushed_at >= flush_every:
                    self._pause_reading()
                    self._flush()
                    self.reading = True
                    self._check_stop()
                    flushed_at = time.monotonic()
            self._pause_reading()
            result = stream.result
            model = self.model if route.local else (result.model or self.model)  # a local server names it its way
            usage = route.usage(result.usage)
            return Outcome(MessageStatus.COMPLETE,
                           done_event(self.conversation_id, self.message_id, model, usage, result.citations),
                           model=model, usage=usage, citations=result.citations)
        except AnswerStopped:
            return Outcome(MessageStatus.STOPPED, STOPPED_EVENT)
        except UpstreamError as exc:
            log.warning("upstream error for conversation %s: %s", self.conversation_id, exc.detail)
            return _failure(route.failure(exc))
        except Exception as exc:
            log.exception("unexpected failure while streaming from OpenRouter")
            return _failure(UpstreamError(502, "Something went wrong while receiving the answer. Try again.",
                                          detail=repr(exc)))
        finally:
            self.reading = False
            self.opening.cancel()  # a stop before the stream was read leaves no connection open

    def _check_stop(self) -> None:
        if self.stop_requested:
            raise AnswerStopped()

    def _pause_reading(self) -> None:
        """Leave the interruptible part: a stop issued a moment ago (its kill is delivered by the
        hub) lands here, still inside the read, and never in the middle of a database write."""
        self.reading = False
        gevent.sleep(0)

    def _flush(self) -> None:
        """Write the text so far (its transaction gives its connection back either way)."""
        try:
            store.save_text(self.message_id, self.feed.text, self.feed.reasoning)
        except Exception:
            log.exception("could not save the text so far of answer %s", self.message_id)

    def _store_with_retries(self, outcome: Outcome) -> bool:
        """Store how the answer ended; True once the row says so. The database may be restarting, so
        a failed save is tried again, and one that failed after its commit is recognised by reading
        the row back (not stored twice, not reported as lost). Each step is a transaction of its
        own, which gives its connection back whatever happens."""
        for attempt in range(STORE_ATTEMPTS):
            try:
                if attempt and store.stored_status(self.message_id) == outcome.status:
                    return True  # the previous attempt failed after its commit
                store.save_end(self.message_id, store.End(
                    self.feed.text, outcome.status, outcome.model or self.model, outcome.usage, outcome.error,
                    outcome.error_status, self.feed.reasoning, self.clock.seconds(), outcome.citations))
                return True
            except Exception:
                log.exception("could not store the answer %s (attempt %d of %d)", self.message_id, attempt + 1,
                              STORE_ATTEMPTS)
            if attempt + 1 < STORE_ATTEMPTS:
                pause(STORE_RETRY_SECONDS)
        return False


def _failure(exc: UpstreamError) -> Outcome:
    return Outcome(MessageStatus.ERROR, error_event(exc.message, exc.upstream_status),
                   error=exc.message, error_status=exc.upstream_status)
