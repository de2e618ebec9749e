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
from collections.abc import Callable
from typing import Any, Literal, TypedDict

import gevent
import psycopg
from flask import Flask
from gevent.event import Event
from gevent.socket import wait_read
from psycopg import sql
from sqlalchemy import text

from ..constants import MessageStatus
from ..db.models import Message
from ..extensions import db
from ..upstream import REASONING
from . import store
from .events import DELETED_EVENT
from .feed import Feed
from .generation import Generation

log = logging.getLogger(__name__)

# One channel per schema: installs that share a PostgreSQL database in different schemas (as the
# test suite's databases do) number their messages alike, and must not follow each other's answers.
CHANNEL = "'routerchat_answers_' || md5(current_schema())"
PIECE_CHARS = 1000
RELAY_BATCH_SECONDS = 0.05
OWNER_SILENT_SECONDS = 2.0  # no word from the owner: the answer may have ended meanwhile
OWNER_ASKS = 3  # then still silent, and its listening connection gone (or never heard): no process runs it
STOP_POLL_SECONDS = 0.1


class FollowNote(TypedDict):
    """A follower asks the owner of answer `m` to (re)send it."""
    op: Literal["follow"]
    m: int


class StopNote(TypedDict):
    """Someone asks the owners of conversation `c`'s answers to stop them."""
    op: Literal["stop"]
    c: str


class TextNote(TypedDict, total=False):
    """The owner sends text `t` of answer `m` starting at character `o`; `p` is the backend pid of
    its listening connection (how a follower tells a stalled owner from a dead one); `k` is
    "reasoning" for the model's reasoning (absent: the answer's text)."""
    op: Literal["text"]
    m: int
    o: int
    t: str
    p: int | None
    k: str


class EndNote(TypedDict):
    """Answer `m` ended with this final event."""
    op: Literal["end"]
    m: int
    final: dict[str, Any]


Note = FollowNote | StopNote | TextNote | EndNote


class RemoteFeed(Feed):
    """This process's copy of an answer running in another process."""

    def __init__(self, message_id: int) -> None:
        super().__init__()
        self.message_id = message_id
        self.received = 0  # characters so far
        self.reasoning_received = 0  # characters of reasoning so far
        self.pieces_heard = 0  # from the owner: a live owner answers every follow request
        self.owner_pid: int | None = None  # the backend of the owner's listening connection, once heard

    def piece(self, offset: int, content: str) -> None:
        self.pieces_heard += 1
        if offset <= self.received < offset + len(content):
            self.publish(content[self.received - offset:])
            self.received = offset + len(content)

    def reasoning_piece(self, offset: int, content: str) -> None:
        self.pieces_heard += 1
        if offset <= self.reasoning_received < offset + len(content):
            self.publish_reasoning(content[self.reasoning_received - offset:])
            self.reasoning_received = offset + len(content)


class Relay:
    """This process's side of the channel: it relays its own answers to followers elsewhere, follows
    and stops answers running elsewhere. `running` finds a generation of this process by message id,
    `running_in` a conversation's."""

    def __init__(self, app: Flask, running: Callable[[int], Generation | None],
                 running_in: Callable[[str], list[Generation]]) -> None:
        self.app = app
        self._running = running
        self._running_in = running_in
        self._listening = Event()
        self._listener: gevent.Greenlet | None = None
        self._listener_pid: int | None = None  # the PostgreSQL backend of this process's listening connection
        self._followed: dict[int, RemoteFeed] = {}
        self._relays: dict[int, gevent.Greenlet] = {}

    def ensure_listening(self) -> None:
        """Start this process's listener (once) and wait until it listens."""
        if self._listener is None or self._listener.dead:
            self._listening.clear()
            self._listener = gevent.spawn(self._listen)
        self._listening.wait(10)

    def follow(self, conversation_id: str) -> Feed | None:
        """Follower side: a local copy of the conversation's newest running answer, kept up to date;
        None when the database shows none running."""
        message_id = self._newest_streaming(conversation_id)
        if message_id is None:
            return None
        self.ensure_listening()
        remote = self._followed.get(message_id)
        if remote is None:
            remote = self._followed[message_id] = RemoteFeed(message_id)
            gevent.spawn(self._watch_owner, remote)
        self._send({"op": "follow", "m": message_id})
        return remote

    def stop(self, conversation_id: str, wait_seconds: float) -> bool:
        """Ask the owner to stop this conversation's answers; True once the database shows them stopped."""
        if self._newest_streaming(conversation_id) is None:
            return False
        self.ensure_listening()
        self._send({"op": "stop", "c": conversation_id})
        deadline = time.monotonic() + wait_seconds
        while self._newest_streaming(conversation_id) is not None and time.monotonic() < deadline:
            gevent.sleep(STOP_POLL_SECONDS)
        return True

    def _newest_streaming(self, conversation_id: str) -> int | None:
        with self.app.app_context():
            ids = store.streaming_ids(conversation_id)
            db.session.close()
        return ids[0] if ids else None

    def _conninfo(self) -> str:
        with self.app.app_context():
            url = db.engine.url.set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    def _listen(self) -> None:
        while True:
            try:
                with psycopg.connect(self._conninfo(), autocommit=True) as conn:
                    [(channel,)] = conn.execute(f"SELECT {CHANNEL}").fetchall()
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    self._listener_pid = conn.info.backend_pid
                    self._listening.set()
                    while True:
                        # gevent waits for the socket: psycopg's own wait blocks the whole process
                        # when psycopg was imported before gevent patched (gunicorn's master).
                        wait_read(conn.fileno())
                        for note in conn.notifies(timeout=0):
                            self._dispatch(json.loads(note.payload))
            except Exception:
                self._listening.clear()
                log.exception("the PostgreSQL listener failed; reconnecting")
                gevent.sleep(1)

    def _send(self, note: Note) -> None:
        with self.app.app_context(), db.engine.connect() as conn:
            conn.execute(text(f"SELECT pg_notify({CHANNEL}, :payload)"),
                         {"payload": json.dumps(note, ensure_ascii=False)})
            conn.commit()

    def _dispatch(self, note: Note) -> None:
        if note["op"] == "follow":
            if (generation := self._running(note["m"])) is not None:
                self._relay_to_followers(generation)
        elif note["op"] == "stop":
            for generation in self._running_in(note["c"]):
                gevent.spawn(generation.stop)
        elif note["op"] == "text":
            if (remote := self._followed.get(note["m"])) is not None:
                remote.owner_pid = note.get("p", remote.owner_pid)
                add = remote.reasoning_piece if note.get("k") == REASONING else remote.piece
                add(note["o"], note["t"])
        elif (remote := self._followed.pop(note["m"], None)) is not None:  # "end"
            remote.end(note["final"])

    def _relay_to_followers(self, generation: Generation) -> None:
        """Owner side: (re)send everything so far, then keep sending until the answer ends."""
        relay = self._relays.get(generation.message_id)
        if relay is not None and not relay.dead:
            relay.kill(block=True)
        self._relays[generation.message_id] = gevent.spawn(self._relay, generation.message_id, generation.feed)

    def _relay(self, message_id: int, feed: Feed) -> None:
        sent_parts, offset = 0, 0
        reasoning_parts, reasoning_offset = 0, 0
        try:
            while True:
                changed = feed.changed
                reasoning_upto, upto = len(feed.reasoning_parts), len(feed.parts)
                if reasoning_parts < reasoning_upto:
                    new_reasoning = "".join(feed.reasoning_parts[reasoning_parts:reasoning_upto])
                    self._send_text(message_id, reasoning_offset, new_reasoning, REASONING)
                    reasoning_parts, reasoning_offset = reasoning_upto, reasoning_offset + len(new_reasoning)
                new_text = "".join(feed.parts[sent_parts:upto])
                self._send_text(message_id, offset, new_text)
                sent_parts, offset = upto, offset + len(new_text)
                if feed.final is not None and sent_parts == len(feed.parts) \
                        and reasoning_parts == len(feed.reasoning_parts):
                    self._send({"op": "end", "m": message_id, "final": feed.final})
                    return
                changed.wait()
                gevent.sleep(RELAY_BATCH_SECONDS)
        finally:
            self._relays.pop(message_id, None)

    def _send_text(self, message_id: int, offset: int, text: str, kind: str | None = None) -> None:
        """Text from `offset` on, in pieces a notification can hold (one empty piece when there is
        none: it tells followers that the owner is alive)."""
        for start in range(0, max(len(text), 1), PIECE_CHARS):
            note: TextNote = {"op": "text", "m": message_id, "o": offset + start,
                              "t": text[start:start + PIECE_CHARS], "p": self._listener_pid}
            if kind is not None:
                note["k"] = kind
            self._send(note)

    def _watch_owner(self, remote: RemoteFeed) -> None:
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
            orphaned = unanswered >= OWNER_ASKS and not self._still_connected(remote.owner_pid)
            final = self._stored_end(remote, orphaned)
            if final is not None:
                self._followed.pop(remote.message_id, None)
                remote.end(final)
                return
            self._send({"op": "follow", "m": remote.message_id})

    def _still_connected(self, backend_pid: int | None) -> bool:
        """Whether that PostgreSQL backend still serves a connection: a process that dies closes its
        connections, and PostgreSQL ends their backends."""
        if backend_pid is None:
            return False
        with self.app.app_context(), db.engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"),
                                {"pid": backend_pid}).first() is not None

    def _stored_end(self, remote: RemoteFeed, orphaned: bool) -> dict[str, Any] | None:
        """The answer's end as the database has it (its text is served first), or None while the
        database still shows it running; an orphan is stored as stopped first."""
        with self.app.app_context():
            try:
                if orphaned:
                    store.stop_orphans([remote.message_id], text_seen=remote.text)
                message = db.session.get(Message, remote.message_id)
                if message is None:
                    return DELETED_EVENT
                if message.status == MessageStatus.STREAMING:
                    return None
                remote.reasoning_piece(0, message.reasoning or "")
                remote.piece(0, message.content)
                return store.final_event(message)
            finally:
                db.session.close()
