"""Relay one streamed answer from OpenRouter to the browser and store what was said.

The upstream is read in its own greenlet feeding a queue, so the response can send keep-alive
pings while the model is silent and notices a browser that went away (the next write fails,
the server closes our generator): then the upstream request is closed and the partial answer
is stored as `stopped`.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import gevent
from flask import Flask
from gevent.queue import Empty, Queue

from . import conversations, titles
from .extensions import db
from .openrouter import ChatStream, OpenRouterClient, UpstreamError
from .sse import PING, format_event

log = logging.getLogger(__name__)


@dataclass
class Exchange:
    """Everything the stream needs, captured before streaming so no DB session stays open."""

    conversation_id: str
    user_message_id: int
    model: str
    history: list[dict]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _pump(client: OpenRouterClient, exchange: Exchange, queue: Queue, opened: list[ChatStream]) -> None:
    """Reader greenlet: put ("chunk", text) items, then one ("end", result) or ("error", exc)."""
    try:
        stream = client.stream_chat(exchange.history, exchange.model)
        opened.append(stream)
        for text in stream:
            queue.put(("chunk", text))
        queue.put(("end", stream.result))
    except UpstreamError as exc:
        queue.put(("error", exc))
    except Exception as exc:  # noqa: BLE001 - the browser must get an error event, not silence
        log.exception("unexpected failure while streaming from OpenRouter")
        queue.put(("error", UpstreamError(502, "Something went wrong while receiving the answer. Try again.",
                                          detail=repr(exc))))


def _save_answer(app: Flask, exchange: Exchange, *, status: str, model: str | None = None,
                 usage: dict | None = None, error: str | None = None) -> int:
    message = conversations.add_message(exchange.conversation_id, "assistant", exchange.text,
                                        model=model or exchange.model, status=status, error=error, usage=usage)
    db.session.commit()
    message_id = message.id
    db.session.close()
    titles.start_in_background(app, exchange.conversation_id)  # it decides whether a title is due
    return message_id


def relay(app: Flask, client: OpenRouterClient, exchange: Exchange, ping_seconds: float) -> Iterator[str]:
    """The SSE body of POST /chat: conversation, chunk…, then done or error."""
    yield format_event({"type": "conversation", "conversation_id": exchange.conversation_id,
                        "user_message_id": exchange.user_message_id})
    queue: Queue = Queue()
    opened: list[ChatStream] = []
    reader = gevent.spawn(_pump, client, exchange, queue, opened)
    finished = False
    try:
        while True:
            try:
                kind, value = queue.get(timeout=ping_seconds)
            except Empty:
                yield PING
                continue
            if kind == "chunk":
                exchange.parts.append(value)
                yield format_event({"type": "chunk", "content": value})
            elif kind == "end":
                message_id = _save_answer(app, exchange, status="complete", model=value.model, usage=value.usage)
                finished = True
                yield format_event({"type": "done", "conversation_id": exchange.conversation_id,
                                    "message_id": message_id, "model": value.model or exchange.model,
                                    "usage": value.usage})
                return
            else:
                log.warning("upstream error for conversation %s: %s", exchange.conversation_id, value.detail)
                _save_answer(app, exchange, status="error", error=value.message)
                finished = True
                yield format_event({"type": "error", "error": value.message, "status": value.status})
                return
    finally:
        if not finished:
            _stop(app, exchange, reader, opened)


def _stop(app: Flask, exchange: Exchange, reader: gevent.Greenlet, opened: list[ChatStream]) -> None:
    """The browser left mid-answer: cancel upstream generation, keep what arrived as `stopped`."""
    # Kill the reader first: it unwinds out of its blocking read and closes the response in
    # its own greenlet (closing a socket another greenlet is reading from is not allowed).
    reader.kill(block=True, timeout=5)
    for stream in opened:
        stream.close()
    try:
        _save_answer(app, exchange, status="stopped")
    except Exception:
        db.session.rollback()
        log.exception("could not save the stopped answer of conversation %s", exchange.conversation_id)
