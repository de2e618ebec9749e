"""POST /chat: validate everything knowable up front, then stream the answer as SSE."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, stream_with_context

from .. import conversations, presets
from ..chat import Exchange, relay
from ..errors import ApiError, json_object_body
from ..extensions import db
from ..upstream import client_for

bp = Blueprint("chat", __name__)


def _message_text(body: dict) -> str:
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


def _chosen_model(body: dict) -> str:
    if body.get("model") is not None and body.get("preset") is not None:
        raise ApiError(400, "Give either preset or model, not both.")
    if body.get("model") is not None:
        return presets.check_model_id(body["model"])
    slot = body.get("preset")
    return presets.preset_model(presets.check_slot(1 if slot is None else slot))


def _conversation_id(body: dict) -> str | None:
    conversation_id = body.get("conversation_id")
    if conversation_id is not None and not isinstance(conversation_id, str):
        raise ApiError(400, "conversation_id must be a string or null.")
    return conversation_id


@bp.post("/chat")
def chat():
    body = json_object_body()
    message = _message_text(body)
    model = _chosen_model(body)
    if not current_app.config["OPENROUTER_API_KEY"]:
        raise ApiError(503, "No OpenRouter API key is set on the server. Add OPENROUTER_API_KEY=sk-or-… "
                            "to the .env file next to main.py (or the environment) and restart routerchat.")
    conversation = conversations.start(_conversation_id(body))
    user_message = conversations.add_message(conversation.id, "user", message)
    db.session.commit()
    exchange = Exchange(conversation_id=conversation.id, user_message_id=user_message.id, model=model,
                        history=conversations.upstream_history(conversation.id))
    db.session.close()  # hold no connection while the answer streams
    app = current_app._get_current_object()
    stream = relay(app, client_for(app), exchange, app.config["SSE_PING_SECONDS"])
    return Response(stream_with_context(stream), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
