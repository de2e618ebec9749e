"""Conversation routes: list, read, change (rename, pin, archive, folder), delete, the title
endpoint, and the running answer (follow, stop) and branch choice."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from .. import answers, conversation_changes, conversations, titles
from ..errors import json_object_body
from ..extensions import db
from ..organise import folders, fork
from .streaming import event_stream

bp = Blueprint("conversations", __name__)


@bp.get("/conversations")
def list_conversations() -> Response:
    limit = conversations.parse_limit(request.args.get("limit"))
    folder = request.args.get("folder")
    shown = conversations.Shown(archived=conversations.parse_flag("archived", request.args.get("archived")),
                                folder_id=None if folder is None else folders.owned_or_404(folder).id)
    return jsonify(conversations.list_page(limit, request.args.get("before") or None, request.args.get("q", ""),
                                           shown))


def _detail(conversation_id: str) -> dict[str, Any]:
    conversation = conversations.get_with_messages_or_404(conversation_id)
    return conversations.detail(conversation, answers.hub().live_text(conversation.id))


@bp.get("/conversation/<conversation_id>")
def get_conversation(conversation_id: str) -> Response:
    return jsonify(_detail(conversation_id))


@bp.get("/conversation/<conversation_id>/stream")
def follow_answer(conversation_id: str) -> ResponseReturnValue:
    """Re-attach to the running answer (the newest one when two tabs started one each)."""
    conversations.get_or_404(conversation_id)
    db.session.close()  # hold no connection while following
    feed = answers.hub().follow(conversation_id)
    if feed is None:
        return "", 204
    return event_stream(feed.follow(current_app.config["SSE_PING_SECONDS"]))


@bp.post("/conversation/<conversation_id>/stop")
def stop_answer(conversation_id: str) -> Response:
    conversations.get_or_404(conversation_id)
    db.session.close()  # hold no connection while the answers are stopped and stored
    return jsonify({"stopped": answers.hub().stop(conversation_id)})


@bp.post("/conversation/<conversation_id>/branch")
def choose_branch(conversation_id: str) -> Response:
    conversation = conversations.get_with_messages_or_404(conversation_id)
    conversations.select_branch(conversation, json_object_body().get("message_id"))
    db.session.commit()
    return jsonify(_detail(conversation_id))


@bp.patch("/conversation/<conversation_id>")
def change_conversation(conversation_id: str) -> Response:
    """Rename, pin, archive, move to a folder, set the system prompt or parameters (any subset,
    all checked before any is applied)."""
    conversation = conversations.get_or_404(conversation_id)
    return jsonify(conversation_changes.apply(conversation, json_object_body()))


@bp.post("/conversation/<conversation_id>/fork")
def fork_conversation(conversation_id: str) -> ResponseReturnValue:
    """A new chat from the branch through `message_id`, down to that message."""
    original = conversations.get_with_messages_or_404(conversation_id)
    copy = fork.fork(original, json_object_body().get("message_id"))
    return jsonify({"conversation_id": copy.id}), 201


@bp.delete("/conversation/<conversation_id>")
def delete_conversation(conversation_id: str) -> ResponseReturnValue:
    conversations.delete(conversations.get_or_404(conversation_id))
    return "", 204


@bp.post("/conversation/<conversation_id>/summarize")
def summarize(conversation_id: str) -> Response:
    conversations.get_or_404(conversation_id)  # ownership: another account's id is a 404
    force = request.args.get("force", "").lower() in ("1", "true", "yes")
    trigger = titles.Trigger.REGENERATE if force else titles.Trigger.PAGE_REQUEST
    return jsonify(titles.generate_summary(conversation_id, trigger).to_dict())


@bp.post("/conversation/<conversation_id>/title-preview")
def title_preview(conversation_id: str) -> Response:
    """The title ↻ would write, with the account's title settings or the unsaved ones in the body
    (`title_model`, `title_prompt`); nothing but the request's usage is stored."""
    conversations.get_or_404(conversation_id)  # ownership: another account's id is a 404
    model, prompt = titles.checked_preview(json_object_body() if request.content_length else {})
    return jsonify(titles.preview(conversation_id, model, prompt))
