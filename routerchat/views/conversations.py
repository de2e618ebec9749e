"""Conversation routes: list, read, rename, delete, the title endpoint, and the running answer
(follow, stop) and branch choice."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from .. import answers, conversations, titles
from ..errors import json_object_body
from ..extensions import db
from .streaming import event_stream

bp = Blueprint("conversations", __name__)


@bp.get("/conversations")
def list_conversations() -> Response:
    limit = conversations.parse_limit(request.args.get("limit"))
    return jsonify(conversations.list_page(limit, request.args.get("before") or None, request.args.get("q", "")))


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
def rename_conversation(conversation_id: str) -> Response:
    conversation = conversations.get_or_404(conversation_id)
    body = json_object_body()
    return jsonify(conversations.rename(conversation, body.get("title")).summary())


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
