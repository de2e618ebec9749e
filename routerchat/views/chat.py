"""POST /chat: validate everything knowable up front, send the request to OpenRouter, store the
question and a `streaming` answer row while the model starts, have the answer hub start the answer
on that request, then follow it as SSE."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, current_app
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from .. import answers, conversations, presets, versions
from ..attachments import kinds, parts
from ..attachments import store as attachments
from ..attachments.parts import FileData
from ..constants import MessageStatus
from ..db.models import Attachment, Conversation, Message
from ..db.rows import insert_new
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


def _new_conversation(text: str | None, edit_id: int | None, model: str) -> Conversation:
    """A new conversation of `model` (only for a new question)."""
    if text is None or edit_id is not None:
        raise ApiError(400, "conversation_id is required to regenerate or edit.")
    return conversations.new_conversation(model)


def _question_branch(conversation: Conversation, text: str | None, edit_id: int | None) -> list[Message]:
    """The branch the answer replies to, ending with its question: a new question is built here and
    stored once its answer's request is on its way. No text means regenerate."""
    branch = [placed.message for placed in versions.active_branch(conversation.messages)]
    if text is None:
        return _last_question(branch)
    above = _edit_parent(conversation, edit_id) if edit_id is not None else branch
    return [*above, conversations.new_message(conversation.id, "user", text,
                                              parent_id=above[-1].id if above else None)]


def _files_by_message(branch: list[Message], question_files: list[Attachment]) -> dict[int | None, list[FileData]]:
    """The files each message of the branch carries, by message id; a new question, not stored yet,
    is None."""
    stored = attachments.files_of(m for m in branch if not inspect(m).transient)
    found: dict[int | None, list[FileData]] = dict(stored.items())
    if question_files:
        found[None] = [attachments.file_data(a) for a in question_files]
    return found


def _store_exchange(conversation: Conversation, is_new: bool, question: Message, question_files: list[Attachment],
                    model: str) -> tuple[int, int]:
    """Store the chat (when new), the question (when new, with its files) and the answer's
    `streaming` row, in one transaction of one Core statement per row; an existing chat moves to
    the top of the list with its latest model. The ids of the question and the answer."""
    if is_new:
        insert_new(conversation)
    else:
        conversations.touch(conversation.id, model)
    if inspect(question).transient:  # a new question, not one answered again
        question.id = insert_new(question)
        if question_files:
            attachments.link(question, question_files)
    answer_id = insert_new(conversations.new_message(
        conversation.id, "assistant", "", parent_id=question.id, model=model, status=MessageStatus.STREAMING))
    ids = question.id, answer_id  # read before the commit expires them
    db.session.commit()
    return ids


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
    conversation = existing or _new_conversation(text, edit_id, model)
    branch = _question_branch(conversation, text, edit_id)
    question_files = files if text is not None else []  # a regenerated question keeps its own
    messages = conversations.upstream_messages(conversation, branch, _files_by_message(branch, question_files))
    _check_images(model, model_entry, messages)
    options = {**conversations.upstream_options(conversation), **({"plugins": [WEB_PLUGIN]} if web_search else {})}
    upstream_request = answers.AnswerRequest(model, messages, options)
    conversation_id = conversation.id
    # The reads are done: their connection goes back to the pool before the request goes out,
    # as other messages are read in the meantime (held across that, twenty messages arriving
    # together held twenty connections, and the pool opened and closed its overflow ones).
    db.session.close()
    opening = answers.hub().open(upstream_request)  # the model starts while the rows are written
    try:
        question_id, answer_id = _store_exchange(conversation, existing is None, branch[-1], question_files, model)
    except Exception as exc:
        db.session.rollback()
        opening.cancel()
        if not isinstance(exc, SQLAlchemyError):
            raise
        log.exception("could not store a question; its upstream request is closed")
        return event_stream(iter([format_event(QUESTION_NOT_STORED)]))
    finally:
        db.session.close()  # hold no connection while the answer streams
    feed = answers.hub().start(answer_id, conversation_id, upstream_request, opening)
    return event_stream(_chat_events(feed, conversation_id, question_id, answer_id, model,
                                     current_app.config["SSE_PING_SECONDS"]))
