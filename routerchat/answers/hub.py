"""The one place views ask to start, follow or stop an answer.

Each app has one hub (`app.extensions["answers"]`). It knows this process's running answers and,
on PostgreSQL, the relay to the other worker processes, so it alone decides whether an answer
runs here, runs in another worker, or runs nowhere any more (an orphan, stored as stopped).
"""
from __future__ import annotations

from typing import Any

import gevent
from flask import Flask, current_app

from .. import titles
from ..extensions import db
from ..ownership import current_owner
from ..upstream import openrouter
from . import store
from .events import UNSAVED_EVENT
from .feed import Feed
from .generation import STOP_WAIT_SECONDS, Generation
from .relay import Relay

EXTENSION_KEY = "answers"


class AnswerHub:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._running: dict[int, Generation] = {}
        with app.app_context():
            across_processes = db.engine.dialect.name == "postgresql"
        self.relay = Relay(app, self._running.get, self.running_in) if across_processes else None

    def running_in(self, conversation_id: str) -> list[Generation]:
        """This process's running answers of one conversation, oldest first."""
        return sorted((g for g in self._running.values() if g.conversation_id == conversation_id),
                      key=lambda g: g.message_id)

    def start(self, message_id: int, conversation_id: str, model: str, history: list[dict[str, Any]]) -> Feed:
        """Generate the answer stored as `message_id` (status `streaming`); the caller holds no
        database connection any more. Returns what followers read."""
        if self.relay is not None:
            self.relay.ensure_listening()  # other processes may ask to follow or stop this answer
        generation = Generation(message_id=message_id, conversation_id=conversation_id, model=model,
                                history=history, owner=current_owner())
        self._running[message_id] = generation
        generation.greenlet = gevent.spawn(self._run, generation)
        return generation.feed

    def _run(self, generation: Generation) -> None:
        with self.app.app_context():
            final = UNSAVED_EVENT
            try:
                final = generation.run(openrouter(self.app).client, self.app.config["ANSWER_FLUSH_SECONDS"])
            finally:
                self._running.pop(generation.message_id, None)
                generation.feed.end(final)
            titles.start_in_background(self.app, generation.conversation_id, generation.owner)

    def follow(self, conversation_id: str) -> Feed | None:
        """The conversation's running answer (the newest one when two tabs started one each), here or
        in another process; None when none runs. With one process (SQLite), an answer the database
        shows running that this process does not run never ends: it is stored as stopped."""
        running = self.running_in(conversation_id)
        if running:
            return running[-1].feed
        if self.relay is not None:
            return self.relay.follow(conversation_id)
        store.stop_orphans(store.streaming_ids(conversation_id))
        db.session.close()
        return None

    def stop(self, conversation_id: str) -> bool:
        """Stop the conversation's running answers and return once they are stored; False when none ran."""
        running = self.running_in(conversation_id)
        for generation in running:
            generation.stop()
        if not running and self.relay is not None:
            return self.relay.stop(conversation_id, STOP_WAIT_SECONDS)
        return bool(running)

    def live_text(self, conversation_id: str) -> dict[int, str]:
        """The text so far of the conversation's answers running here (newer than the stored rows)."""
        return {g.message_id: g.feed.text for g in self.running_in(conversation_id)}


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = AnswerHub(app)


def hub(app: Flask | None = None) -> AnswerHub:
    """The answer hub of `app`, or of the current app."""
    found: AnswerHub = (app or current_app).extensions[EXTENSION_KEY]
    return found
