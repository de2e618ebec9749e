"""The one place views ask to start, follow or stop an answer.

Each app has one hub (`app.extensions["answers"]`). It knows this process's running answers and,
on PostgreSQL, the relay to the other worker processes, so it alone decides whether an answer
runs here, runs in another worker, or runs nowhere any more (an orphan, stored as stopped).
"""
from __future__ import annotations

import gevent
from flask import Flask, current_app
from gevent.event import Event

from .. import titles
from ..errors import ApiError
from ..extensions import db
from ..ownership import current_owner
from ..upstream import openrouter
from . import store
from .events import UNSAVED_EVENT
from .feed import Feed
from .generation import STOP_WAIT_SECONDS, AnswerRequest, Generation
from .opening import Opening
from .relay import Relay

EXTENSION_KEY = "answers"
# A title job waits while this process relays more answers than this, up to TITLE_WAIT_SECONDS:
# many answers ending together (and their titles' checks and writes) would otherwise take the
# CPU from the answers still streaming and from new messages' first tokens.
QUIET_ANSWERS = 4
TITLE_WAIT_SECONDS = 3.0


class AnswerHub:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._running: dict[int, Generation] = {}
        self._quiet = Event()  # set while this process relays at most QUIET_ANSWERS answers
        self._quiet.set()
        with app.app_context():
            across_processes = db.engine.dialect.name == "postgresql"
        self.relay = Relay(app, self._running.get, self.running_in) if across_processes else None

    def running_in(self, conversation_id: str) -> list[Generation]:
        """This process's running answers of one conversation, oldest first."""
        return sorted((g for g in self._running.values() if g.conversation_id == conversation_id),
                      key=lambda g: g.message_id)

    def check_room(self) -> None:
        """Refuse (429) a new answer while the current account already has its limit of answers
        running: they outlive the page, so one account could otherwise keep any number of
        upstream streams open (and starve the others of the process's connections)."""
        owner = current_owner()
        if owner is None:
            return  # the app without accounts is one person's: nobody else's answers to protect
        limit = self.app.config["RUNNING_ANSWERS_PER_ACCOUNT"]
        running = store.running_count(owner)
        if running >= limit:
            raise ApiError(429, f"You already have {running} answers being written (the limit is {limit}). "
                                "Wait for one to finish, or stop one, and send again.")

    def open(self, request: AnswerRequest) -> Opening:
        """Send the answer's request to OpenRouter now, before its rows are stored: `start` (or
        `Opening.cancel` when they cannot be) follows."""
        route = openrouter(self.app).route(request.model)
        options = {k: v for k, v in request.options.items() if not (route.local and k == "plugins")}
        return Opening(route, request.messages, options)

    def start(self, message_id: int, conversation_id: str, request: AnswerRequest, opening: Opening) -> Feed:
        """Generate the answer stored as `message_id` (status `streaming`) from the request `open`
        sent; the caller holds no database connection any more. Returns what followers read."""
        if self.relay is not None:
            self.relay.ensure_listening()  # other processes may ask to follow or stop this answer
        generation = Generation(message_id=message_id, conversation_id=conversation_id, request=request,
                                opening=opening, owner=current_owner())
        self._running[message_id] = generation
        self._note_running()
        generation.greenlet = gevent.spawn(self._run, generation)
        return generation.feed

    def _run(self, generation: Generation) -> None:
        with self.app.app_context():
            final = UNSAVED_EVENT
            try:
                final = generation.run(self.app.config["ANSWER_FLUSH_SECONDS"])
            finally:
                self._running.pop(generation.message_id, None)
                self._note_running()
                generation.feed.end(final)
            titles.start_in_background(self.app, generation.conversation_id, generation.owner,
                                       when=self.quiet_or_timeout)

    def _note_running(self) -> None:
        if len(self._running) <= QUIET_ANSWERS:
            self._quiet.set()
        else:
            self._quiet.clear()

    def quiet_or_timeout(self) -> bool:
        """Wait until this process relays at most QUIET_ANSWERS answers (True), or TITLE_WAIT_SECONDS."""
        quiet: bool = self._quiet.wait(TITLE_WAIT_SECONDS)
        return quiet

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

    def live_text(self, conversation_id: str) -> dict[int, dict[str, str]]:
        """The text and reasoning so far of the conversation's answers running here (newer than the
        stored rows), as message fields."""
        return {g.message_id: {"content": g.feed.text, "reasoning": g.feed.reasoning}
                for g in self.running_in(conversation_id)}


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = AnswerHub(app)


def hub(app: Flask | None = None) -> AnswerHub:
    """The answer hub of `app`, or of the current app."""
    found: AnswerHub = (app or current_app).extensions[EXTENSION_KEY]
    return found
