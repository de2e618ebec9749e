"""POST /chat: validate everything knowable up front, send the request to OpenRouter, store the
question and a `streaming` answer row while the model starts, have the answer hub start the answer
on that request, then follow it as SSE."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app
from sqlalchemy.exc import SQLAlchemyError

from .. import answers, conversations, presets, versions
from ..attachments import kinds, parts
from ..attachments import store as attachments
from ..attachments.parts import FileData
from ..constants import MessageStatus
from ..db import prepared
from ..db.models import Attachment, Conversation, Message
from ..db.rows import insert_row
from ..errors import ApiError, UpstreamError, json_object_body
from ..extensions import db
from ..sse import format_event
from ..upstream import LOCAL_PREFIX, is_local_model, openrouter
from ..values import is_whole_number
from .streaming import event_stream

bp = Blueprint("chat", __name__)
log = logging.getLogger(__name__)
WEB_PLUGIN = {"id": "web"}  # OpenRouter's web search: results go to the model, URL citations come back
QUESTION_NOT_STORED = {"type": "error", "status": 503,
                       "error": "Your message could not be saved (the database did not respond), so it was not "
                                "sent. Try again."}


def _message_text(body: dict[str, Any]) -> str:
    message = body.get("message")
    if message is None:
        raise ApiError(400, "message is missing.")
    if not isinstance(message, str):
        raise ApiError(400, "message must be a string.")
    if not message.strip():
        raise ApiError(400, "message is empty.")
    limit = current_app.config["MESSAGE_MAX_CHARS"]
    if len(message) > limit:
        raise ApiError(413, f"message is {len(message):,} characters long; the limit is {limit:,}.")
    return message


def _chosen_model(body: dict[str, Any]) -> str:
    if body.get("model") is not None and body.get("preset") is not None:
        raise ApiError(400, "Give either preset or model, not both.")
    if body.get("model") is not None:
        return presets.check_model_id(body["model"])
    slot = body.get("preset")
    return presets.preset_model(presets.check_slot(1 if slot is None else slot))


def _conversation_id(body: dict[str, Any]) -> str | None:
    conversation_id = body.get("conversation_id")
    if conversation_id is not None and not isinstance(conversation_id, str):
        raise ApiError(400, "conversation_id must be a string or null.")
    return conversation_id


def _edited_id(body: dict[str, Any]) -> int | None:
    edit = body.get("edit")
    if edit is not None and not is_whole_number(edit):
        raise ApiError(400, "edit must be the id of one of your messages (a whole number).")
    return edit


def _wants_regenerate(body: dict[str, Any]) -> bool:
    regenerate = body.get("regenerate", False)
    if not isinstance(regenerate, bool):
        raise ApiError(400, "regenerate must be true or false.")
    if regenerate and (body.get("message") is not None or body.get("edit") is not None):
        raise ApiError(400, "regenerate takes no message and no edit: it answers the last question again.")
    return regenerate


def _check_local_model(model: str) -> None:
    """A `local/` model needs the local server, and one it lists; a server that is down is found
    out by the answer (an inline error), as an OpenRouter failure is. Runs before anything is
    stored: listing the models ends the session's transaction."""
    upstream = openrouter()
    if not upstream.has_local:
        raise ApiError(400, f"“{model}” is a local model, but no local server is set (LOCAL_BASE_URL).")
    listed = upstream.local_models_or_none()
    if listed is not None and all(entry["id"] != model for entry in listed):
        raise ApiError(400, f"The local server does not list a model “{model.removeprefix(LOCAL_PREFIX)}”.")


def _wants_web_search(body: dict[str, Any]) -> bool:
    web_search = body.get("web_search", False)
    if not isinstance(web_search, bool):
        raise ApiError(400, "web_search must be true or false.")
    return web_search


def _last_question(branch: list[Message]) -> list[Message]:
    """The active branch up to its last user message: what a regenerated answer replies to."""
    for index in range(len(branch) - 1, -1, -1):
        if branch[index].role == "user":
            return branch[:index + 1]
    raise ApiError(409, "There is no question to answer again in this conversation yet.")


def _edit_parent(conversation: Conversation, edit_id: int) -> list[Message]:
    """The messages above the edited one: its new version starts from there."""
    edited = conversations.message_in(conversation, edit_id)
    if edited.role != "user":
        raise ApiError(400, "Only your own messages can be edited; regenerate an answer instead.")
    return versions.ancestry(conversation.messages, edited.parent_id) if edited.parent_id else []


@dataclass(frozen=True)
class Question:
    """What an answer replies to: the stored branch above it, and a new question's text, stored once
    the answer's request is on its way (None: the branch ends with its question, answered again)."""

    above: list[Message]
    text: str | None

    @property
    def parent_id(self) -> int | None:
        return self.above[-1].id if self.above else None


def _question(conversation: Conversation | None, text: str | None, edit_id: int | None) -> Question:
    """The branch the answer replies to and its question; no conversation is a new one (for a new
    question only), no text means regenerate."""
    if conversation is None:
        if text is None or edit_id is not None:
            raise ApiError(400, "conversation_id is required to regenerate or edit.")
        return Question([], text)
    branch = [placed.message for placed in versions.active_branch(conversation.messages)]
    if text is None:
        return Question(_last_question(branch), None)
    return Question(_edit_parent(conversation, edit_id) if edit_id is not None else branch, text)


def _files_by_message(question: Question, question_files: list[Attachment]) -> dict[int | None, list[FileData]]:
    """The files each message of the branch carries, by message id; a new question's are under None."""
    found: dict[int | None, list[FileData]] = dict(attachments.files_of(question.above).items())
    if question_files:
        found[None] = [attachments.file_data(a) for a in question_files]
    return found


def _store_exchange(existing_id: str | None, question: Question, question_files: list[Attachment],
                    model: str) -> tuple[str, int, int]:
    """Store the chat (when new), the question (when new, with its files) and the answer's
    `streaming` row, in one transaction of one Core statement per row, with neither the ORM session
    nor ORM objects (db/prepared.py, db/rows.py); an existing chat moves to the top of the list with
    its latest model. The ids of the chat, the question and the answer."""
    with prepared.transaction():
        if existing_id is None:
            conversation_id = insert_row(Conversation, conversations.conversation_values(model))
        else:
            conversation_id = existing_id
            conversations.touch(conversation_id, model)
        if question.text is None:
            question_id = question.above[-1].id
        else:
            question_id = insert_row(Message, conversations.message_values(
                conversation_id, "user", question.text, parent_id=question.parent_id))
            if question_files:
                attachments.link(question_id, question_files)
        answer_id = insert_row(Message, conversations.message_values(
            conversation_id, "assistant", "", parent_id=question_id, model=model, status=MessageStatus.STREAMING))
    return conversation_id, question_id, answer_id


def _new_files(body: dict[str, Any], text: str | None) -> list[Attachment]:
    """The current account's files this message carries (404 for an unknown or foreign id)."""
    ids = attachments.check_ids(body.get("attachments"))
    if ids and text is None:
        raise ApiError(400, "regenerate takes no attachments: it answers the last question again, with its files.")
    return attachments.owned(ids)


def _carried_files(body: dict[str, Any], conversation: Conversation | None, edit_id: int | None,
                   new_files: list[Attachment]) -> list[Attachment]:
    """An edited question keeps its files unless the request says which ones it carries now."""
    if edit_id is None or conversation is None or "attachments" in body:
        return new_files
    return list(conversations.message_in(conversation, edit_id).attachments)


def _model_entry(model: str) -> dict[str, Any] | None:
    """The model as GET /models lists it; None when it is not listed or the list cannot be had."""
    try:
        return openrouter().find_model(model)
    except UpstreamError:
        return None


def _may_send_images(files: list[Attachment], conversation: Conversation | None) -> bool:
    """Whether this message or the conversation carries an image (its answer may send it); the
    conversation's files came with its messages."""
    carried = [a for m in conversation.messages for a in m.attachments] if conversation is not None else []
    return any(f.mime in kinds.IMAGE_TYPES for f in [*files, *carried])


def _check_images(model: str, entry: dict[str, Any] | None, messages: list[dict[str, Any]]) -> None:
    """An image for a model that cannot read it is refused before streaming, naming the presets
    that can; what this request stored so far is rolled back first."""
    if not parts.has_image(messages) or parts.takes_images(entry):
        return
    db.session.rollback()
    name = f"{entry['name']} ({model})" if entry and entry["name"] != model else model
    able = [f"{p['slot']} ({p['label']})" for p in presets.list_presets()
            if parts.takes_images(_model_entry(p["model"]))]
    hint = f" Presets that read images: {', '.join(able)}." if able else ""
    raise ApiError(400, f"{name} cannot read images; choose a model that can, or send the message without them.{hint}")


def _chat_events(feed: answers.Feed, conversation_id: str, question_id: int, answer_id: int, model: str,
                 ping_seconds: float) -> Iterator[str]:
    """The first event says where the question and answer are stored and which model answers (the
    page names it on the answer from the start, whether it ends complete, failed or stopped)."""
    yield format_event({"type": "conversation", "conversation_id": conversation_id,
                        "user_message_id": question_id, "message_id": answer_id, "model": model})
    yield from feed.follow(ping_seconds)


@bp.post("/chat")
def chat() -> Response:
    body = json_object_body()
    text = None if _wants_regenerate(body) else _message_text(body)
    edit_id = _edited_id(body)
    web_search = _wants_web_search(body)
    model = _chosen_model(body)
    if is_local_model(model):
        _check_local_model(model)
    elif not current_app.config["OPENROUTER_API_KEY"]:
        raise ApiError(503, "No OpenRouter API key is set on the server. Add OPENROUTER_API_KEY=sk-or-… "
                            "to the .env file next to main.py (or the environment) and restart routerchat.")
    conversation_id = _conversation_id(body)
    new_files = _new_files(body, text)
    existing = conversations.get_with_messages_or_404(conversation_id) if conversation_id else None
    answers.hub().check_room()
    files = _carried_files(body, existing, edit_id, new_files)
    model_entry = None
    if _may_send_images(files, existing):  # read before anything is stored: reading the list commits
        model_entry = _model_entry(model)
        if existing is not None:
            existing = conversations.get_with_messages_or_404(conversation_id)
    question = _question(existing, text, edit_id)
    question_files = files if text is not None else []  # a regenerated question keeps its own
    messages = conversations.upstream_messages(existing, question.above, text,
                                               _files_by_message(question, question_files))
    _check_images(model, model_entry, messages)
    options = {**conversations.upstream_options(existing), **({"plugins": [WEB_PLUGIN]} if web_search else {})}
    upstream_request = answers.AnswerRequest(model, messages, options)
    # The reads are done: their connection goes back to the pool before the request goes out,
    # as other messages are read in the meantime (held across that, twenty messages arriving
    # together held twenty connections, and the pool opened and closed its overflow ones).
    db.session.close()
    opening = answers.hub().open(upstream_request)  # the model starts while the rows are written
    try:  # its transaction holds a connection only while it writes
        conversation_id, question_id, answer_id = _store_exchange(
            conversation_id if existing is not None else None, question, question_files, model)
    except Exception as exc:
        opening.cancel()
        if not isinstance(exc, SQLAlchemyError):
            raise
        log.exception("could not store a question; its upstream request is closed")
        return event_stream(iter([format_event(QUESTION_NOT_STORED)]))
    feed = answers.hub().start(answer_id, conversation_id, upstream_request, opening)
    return event_stream(_chat_events(feed, conversation_id, question_id, answer_id, model,
                                     current_app.config["SSE_PING_SECONDS"]))
