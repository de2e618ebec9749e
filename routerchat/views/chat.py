"""POST /chat: validate everything knowable up front, store the question and a `streaming`
answer row, have the answer hub start the answer, then follow it as SSE."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, current_app

from .. import answers, conversations, presets, versions
from ..constants import MessageStatus
from ..db.models import Conversation, Message
from ..errors import ApiError, json_object_body
from ..extensions import db
from ..sse import format_event
from ..values import is_whole_number
from .streaming import event_stream

bp = Blueprint("chat", __name__)


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


def _question_branch(conversation: Conversation | None, text: str | None, edit_id: int | None) -> list[Message]:
    """The branch the answer replies to, ending with its question (stored here when new);
    no text means regenerate."""
    if conversation is None:
        if text is None or edit_id is not None:
            raise ApiError(400, "conversation_id is required to regenerate or edit.")
        return [conversations.add_message(conversations.start(None).id, "user", text)]
    branch = [placed.message for placed in versions.active_branch(conversation.messages)]
    if text is None:
        return _last_question(branch)
    above = _edit_parent(conversation, edit_id) if edit_id is not None else branch
    question = conversations.add_message(conversation.id, "user", text, parent_id=above[-1].id if above else None)
    return [*above, question]


def _chat_events(feed: answers.Feed, conversation_id: str, question_id: int, answer_id: int,
                 ping_seconds: float) -> Iterator[str]:
    yield format_event({"type": "conversation", "conversation_id": conversation_id,
                        "user_message_id": question_id, "message_id": answer_id})
    yield from feed.follow(ping_seconds)


@bp.post("/chat")
def chat() -> Response:
    body = json_object_body()
    text = None if _wants_regenerate(body) else _message_text(body)
    edit_id = _edited_id(body)
    model = _chosen_model(body)
    if not current_app.config["OPENROUTER_API_KEY"]:
        raise ApiError(503, "No OpenRouter API key is set on the server. Add OPENROUTER_API_KEY=sk-or-… "
                            "to the .env file next to main.py (or the environment) and restart routerchat.")
    conversation_id = _conversation_id(body)
    conversation = conversations.get_with_messages_or_404(conversation_id) if conversation_id else None
    branch = _question_branch(conversation, text, edit_id)
    question_id = branch[-1].id
    row = conversations.add_message(branch[-1].conversation_id, "assistant", "", parent_id=question_id,
                                    model=model, status=MessageStatus.STREAMING)
    if conversation is not None:
        conversations.touch(conversation.id)
    answer_id, conversation_id, history = row.id, row.conversation_id, conversations.upstream_history(branch)
    db.session.commit()
    db.session.close()  # hold no connection while the answer streams
    feed = answers.hub().start(answer_id, conversation_id, model, history)
    return event_stream(_chat_events(feed, conversation_id, question_id, answer_id,
                                     current_app.config["SSE_PING_SECONDS"]))
