"""Share links: share or re-share a chat, revoke, the account's links, and the shared page that
anyone may read (with or without an account)."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from .. import conversations
from ..organise import shares

bp = Blueprint("shares", __name__)

NOINDEX = {"X-Robots-Tag": "noindex, nofollow"}


@bp.post("/conversation/<conversation_id>/share")
def share_conversation(conversation_id: str) -> ResponseReturnValue:
    share = shares.share(conversations.get_with_messages_or_404(conversation_id))
    return jsonify({"url": shares.url_of(share)}), 201


@bp.delete("/conversation/<conversation_id>/share")
def revoke_share(conversation_id: str) -> ResponseReturnValue:
    shares.revoke(conversations.get_or_404(conversation_id))
    return "", 204


@bp.get("/shares")
def list_shares() -> Response:
    return jsonify({"shares": shares.account_shares()})


@bp.get("/s/<token>")
def shared_page(token: str) -> ResponseReturnValue:
    """The snapshot as a read-only page (or `?format=json`); never indexed by search engines."""
    snapshot = shares.shared(token)
    if request.args.get("format") == "json":
        return jsonify(snapshot), 200, NOINDEX
    return render_template("shared.html", **snapshot), 200, NOINDEX
