"""Conversation routes: list, read, rename, delete, the title endpoint, and the running answer
(follow, stop) and branch choice."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from .. import answers, conversations, notify, titles
from ..errors import json_object_body
from ..extensions import db

bp = Blueprint("conversations", __name__)


@bp.get("/conversations")
def list_conversations() -> Response:
    limit = conversations.parse_limit(request.args.get("limit"))
    return jsonify(conversations.list_page(limit, request.args.get("before") or None, request.args.get("q", "")))


def _detail(conversation_id: str) -> dict[str, Any]:
    conversation = conversations.get_with_messages_or_404(conversation_id)
    live = {a.message_id: a.text for a in answers.running_in(conversation.id)}
    return conversations.detail(conversation, live)


@bp.get("/conversation/<conversation_id>")
def get_conversation(conversation_id: str) -> Response:
    return jsonify(_detail(conversation_id))


@bp.get("/conversation/<conversation_id>/stream")
def follow_answer(conversation_id: str) -> ResponseReturnValue:
    """Re-attach to the running answer (the newest one when two tabs started one each)."""
    conversations.get_or_404(conversation_id)
    db.session.close()  # hold no connection while following
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's own method
    running = answers.running_in(conversation_id)
    if running:
        answer = running[-1]
    elif notify.enabled(app):
        if (message_id := notify.streaming_answer_id(conversation_id)) is None:
            return "", 204
        answer = notify.follow_remote(app, conversation_id, message_id)  # it runs in another process
    else:  # one process (SQLite): an answer shown as running here but not run here never ends
        answers.stop_orphans(answers.orphans_in(conversation_id))
        db.session.close()
        return "", 204
    return answers.event_stream(answer.follow(app.config["SSE_PING_SECONDS"]))


@bp.post("/conversation/<conversation_id>/stop")
def stop_answer(conversation_id: str) -> Response:
    conversations.get_or_404(conversation_id)
    db.session.close()  # hold no connection while the answers are stopped and stored
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's own method
    running = answers.running_in(conversation_id)
    for answer in running:
        answers.stop(answer)
    if not running and notify.enabled(app):
        return jsonify({"stopped": notify.stop_remote(app, conversation_id, answers.STOP_WAIT_SECONDS)})
    return jsonify({"stopped": bool(running)})


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
