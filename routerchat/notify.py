"""Answers across worker processes, through PostgreSQL LISTEN/NOTIFY (SQLite stays single-process).

An answer runs in the process that started it. Another process that is asked to follow it
(GET /conversation/<id>/stream) or to stop it (POST /conversation/<id>/stop) says so on one
channel; the owner answers a follow request by sending the text so far and then the new text,
batched, until the answer ends, and a stop request by stopping the answer, which stores it.

Each process has one dedicated listening connection, never a pooled one; notifications are sent
on a pooled connection that is returned at once. A payload holds at most PIECE_CHARS characters
(NOTIFY allows 8000 bytes) and carries its character offset, so a follower that already has a
piece (after asking twice, or from a second follower in its process) skips it.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import gevent
import psycopg
from flask import Flask
from gevent.event import Event
from gevent.socket import wait_read
from psycopg import sql
from sqlalchemy import select, text

from . import answers
from .extensions import db
from .models import Message

log = logging.getLogger(__name__)

# One channel per schema: installs that share a PostgreSQL database in different schemas (as the
# test suite's databases do) number their messages alike, and must not follow each other's answers.
CHANNEL = "'routerchat_answers_' || md5(current_schema())"
PIECE_CHARS = 1000
RELAY_BATCH_SECONDS = 0.05
OWNER_SILENT_SECONDS = 2.0  # no word from the owner: the answer may have ended meanwhile
OWNER_ASKS = 3  # then still silent, and its listening connection gone (or never heard): no process runs it
STOP_POLL_SECONDS = 0.1

_listening = Event()
_listener: gevent.Greenlet | None = None
_listener_pid: int | None = None  # the PostgreSQL backend of this process's listening connection
_followed: dict[int, RemoteAnswer] = {}
_relays: dict[int, gevent.Greenlet] = {}


@dataclass
class RemoteAnswer(answers.Answer):
    """This process's copy of an answer running in another process."""

    received: int = 0  # characters so far
    pieces_heard: int = 0  # from the owner: a live owner answers every follow request
    owner_pid: int | None = None  # the backend of the owner's listening connection, once heard

    def piece(self, offset: int, content: str) -> None:
        self.pieces_heard += 1
        if offset <= self.received < offset + len(content):
            self.publish(content[self.received - offset:])
            self.received = offset + len(content)


def enabled(app: Flask) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def _conninfo(app: Flask) -> str:
    with app.app_context():
        url = db.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def ensure_listening(app: Flask) -> None:
    """Start this process's listener (once) and wait until it listens."""
    global _listener
    if _listener is None or _listener.dead:
        _listening.clear()
        _listener = gevent.spawn(_listen, app)
    _listening.wait(10)


def _listen(app: Flask) -> None:
    global _listener_pid
    while True:
        try:
            with psycopg.connect(_conninfo(app), autocommit=True) as conn:
                [(channel,)] = conn.execute(f"SELECT {CHANNEL}").fetchall()
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                _listener_pid = conn.info.backend_pid
                _listening.set()
                while True:
                    # gevent waits for the socket: psycopg's own wait blocks the whole process
                    # when psycopg was imported before gevent patched (gunicorn's master).
                    wait_read(conn.fileno())
                    for note in conn.notifies(timeout=0):
                        _dispatch(app, json.loads(note.payload))
        except Exception:
            _listening.clear()
            log.exception("the PostgreSQL listener failed; reconnecting")
            gevent.sleep(1)


def _send(app: Flask, payload: dict[str, Any]) -> None:
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(text(f"SELECT pg_notify({CHANNEL}, :payload)"),
                     {"payload": json.dumps(payload, ensure_ascii=False)})
        conn.commit()


def _dispatch(app: Flask, note: dict[str, Any]) -> None:
    op = note.get("op")
    if op == "follow" and (answer := answers.running(note["m"])) is not None:
        _relay_to_followers(app, answer)
    elif op == "stop":
        for answer in answers.running_in(note["c"]):
            gevent.spawn(answers.stop, answer)
    elif op == "text" and (remote := _followed.get(note["m"])) is not None:
        remote.owner_pid = note.get("p", remote.owner_pid)
        remote.piece(note["o"], note["t"])
    elif op == "end" and (remote := _followed.pop(note["m"], None)) is not None:
        remote.end(note["final"])


def _relay_to_followers(app: Flask, answer: answers.Answer) -> None:
    """Owner side: (re)send everything so far, then keep sending until the answer ends."""
    relay = _relays.get(answer.message_id)
    if relay is not None and not relay.dead:
        relay.kill(block=True)
    _relays[answer.message_id] = gevent.spawn(_relay, app, answer)


def _relay(app: Flask, answer: answers.Answer) -> None:
    sent_parts, offset = 0, 0
    try:
        while True:
            changed = answer.changed
            upto = len(answer.parts)
            new_text = "".join(answer.parts[sent_parts:upto])
            for start in range(0, max(len(new_text), 1), PIECE_CHARS):
                _send(app, {"op": "text", "m": answer.message_id, "o": offset + start,
                            "t": new_text[start:start + PIECE_CHARS], "p": _listener_pid})
            sent_parts, offset = upto, offset + len(new_text)
            if answer.final is not None and sent_parts == len(answer.parts):
                _send(app, {"op": "end", "m": answer.message_id, "final": answer.final})
                return
            changed.wait()
            gevent.sleep(RELAY_BATCH_SECONDS)
    finally:
        _relays.pop(answer.message_id, None)


def streaming_answer_id(conversation_id: str) -> int | None:
    """The newest answer the database shows as running in this conversation."""
    message_id = db.session.scalar(select(Message.id).where(
        Message.conversation_id == conversation_id, Message.status == "streaming").order_by(Message.id.desc()).limit(1))
    db.session.close()
    return message_id


def follow_remote(app: Flask, conversation_id: str, message_id: int) -> answers.Answer:
    """Follower side: a local copy of an answer running elsewhere, kept up to date."""
    ensure_listening(app)
    remote = _followed.get(message_id)
    if remote is None:
        remote = _followed[message_id] = RemoteAnswer(message_id=message_id, conversation_id=conversation_id,
                                                      model="", history=[])
        gevent.spawn(_watch_owner, app, remote)
    _send(app, {"op": "follow", "m": message_id})
    return remote


def _watch_owner(app: Flask, remote: RemoteAnswer) -> None:
    """Until the answer ends: whenever the owner has been silent for OWNER_SILENT_SECONDS, see
    whether the answer ended meanwhile (then serve the stored row) and ask again. A live owner
    answers every ask, even while its model is silent. After OWNER_ASKS unanswered asks in a row
    the owner is taken for gone unless PostgreSQL still shows its listening connection (a worker
    that is only slow, or stopped for a while, keeps it): then no process runs the answer any more
    (its process died, before or during the relay, or could not store its end), and the row is
    stored as stopped, with the text it has or the follower was sent."""
    unanswered = 0
    while True:
        heard = remote.pieces_heard
        gevent.sleep(OWNER_SILENT_SECONDS)
        if remote.final is not None:
            return
        if remote.pieces_heard != heard:
            unanswered = 0
            continue
        unanswered += 1
        orphaned = unanswered >= OWNER_ASKS and not _still_connected(app, remote.owner_pid)
        final = _stored_end(app, remote, orphaned)
        if final is not None:
            _followed.pop(remote.message_id, None)
            remote.end(final)
            return
        _send(app, {"op": "follow", "m": remote.message_id})


def _still_connected(app: Flask, backend_pid: int | None) -> bool:
    """Whether that PostgreSQL backend still serves a connection: a process that dies closes its
    connections, and PostgreSQL ends their backends."""
    if backend_pid is None:
        return False
    with app.app_context(), db.engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"),
                            {"pid": backend_pid}).first() is not None


def _stored_end(app: Flask, remote: RemoteAnswer, orphaned: bool) -> dict[str, Any] | None:
    """The answer's end as the database has it (its text is served first), or None while the
    database still shows it running; an orphan is stored as stopped first."""
    with app.app_context():
        try:
            if orphaned:
                answers.stop_orphans([remote.message_id], text_seen=remote.text)
            message = db.session.get(Message, remote.message_id)
            if message is None:
                return answers.DELETED_EVENT
            if message.status == "streaming":
                return None
            remote.piece(0, message.content)
            return answers.final_event(message)
        finally:
            db.session.close()


def stop_remote(app: Flask, conversation_id: str, wait_seconds: float) -> bool:
    """Ask the owner to stop this conversation's answers; True once the database shows them stopped."""
    with app.app_context():
        if streaming_answer_id(conversation_id) is None:
            return False
    ensure_listening(app)
    _send(app, {"op": "stop", "c": conversation_id})
    deadline = time.monotonic() + wait_seconds
    with app.app_context():
        while streaming_answer_id(conversation_id) is not None and time.monotonic() < deadline:
            gevent.sleep(STOP_POLL_SECONDS)
    return True
