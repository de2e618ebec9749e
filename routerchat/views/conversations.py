"""Conversation routes: list, read, rename, delete, and the title endpoint."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from .. import conversations, titles
from ..errors import json_object_body

bp = Blueprint("conversations", __name__)


@bp.get("/conversations")
def list_conversations():
    limit = conversations.parse_limit(request.args.get("limit"))
    return jsonify(conversations.list_page(limit, request.args.get("before") or None, request.args.get("q", "")))


@bp.get("/conversation/<conversation_id>")
def get_conversation(conversation_id: str):
    return jsonify(conversations.detail(conversations.get_or_404(conversation_id)))


@bp.patch("/conversation/<conversation_id>")
def rename_conversation(conversation_id: str):
    conversation = conversations.get_or_404(conversation_id)
    body = json_object_body()
    return jsonify(conversations.rename(conversation, body.get("title")).summary())


@bp.delete("/conversation/<conversation_id>")
def delete_conversation(conversation_id: str):
    conversations.delete(conversations.get_or_404(conversation_id))
    return "", 204


@bp.post("/conversation/<conversation_id>/summarize")
def summarize(conversation_id: str):
    conversations.get_or_404(conversation_id)  # ownership: another account's id is a 404
    force = request.args.get("force", "").lower() in ("1", "true", "yes")
    trigger = titles.Trigger.REGENERATE if force else titles.Trigger.PAGE_REQUEST
    return jsonify(titles.generate_summary(conversation_id, trigger).to_dict())
