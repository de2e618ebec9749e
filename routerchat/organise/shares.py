"""Share links: a read-only snapshot of a conversation's active branch behind a random token.

The token (256 random bits) is the only key: a shared page carries no conversation id, owner,
model, cost or price. Sharing again replaces the snapshot under the same token; revoking, or
deleting the chat, deletes the row. A revoked token and one that never existed are the same
lookup with the same answer.
"""
from __future__ import annotations

import json
import secrets
from typing import Any

from .. import versions
from ..constants import MessageStatus
from ..db.models import Conversation, Share, iso, utcnow
from ..errors import ApiError
from ..extensions import db
from ..ownership import owned_by_current

TOKEN_BYTES = 32
NOT_SHARED = "No shared chat at this address (the link may have been revoked)."
SHARED_ROLES = ("user", "assistant")


def url_of(share: Share) -> str:
    return f"/s/{share.token}"


def snapshot(conversation: Conversation) -> list[dict[str, str]]:
    """What the link shows: role and text of each message of the active branch that has text
    (an answer still being written is left out; it is not an answer yet)."""
    return [{"role": placed.message.role, "content": placed.message.content}
            for placed in versions.active_branch(conversation.messages)
            if placed.message.content and placed.message.role in SHARED_ROLES
            and placed.message.status != MessageStatus.STREAMING]


def share(conversation: Conversation) -> Share:
    """Share the chat as it is now (committed): a new link, or the same link with a new snapshot."""
    now = utcnow()
    row: Share | None = db.session.scalar(db.select(Share).where(Share.conversation_id == conversation.id))
    if row is None:
        row = Share(token=secrets.token_urlsafe(TOKEN_BYTES), conversation_id=conversation.id, created_at=now)
        db.session.add(row)
    row.title = conversation.title
    row.messages = json.dumps(snapshot(conversation), ensure_ascii=False)
    row.updated_at = now
    db.session.commit()
    return row


def revoke(conversation: Conversation) -> None:
    row = db.session.scalar(db.select(Share).where(Share.conversation_id == conversation.id))
    if row is None:
        raise ApiError(404, "This conversation has no share link.")
    db.session.delete(row)
    db.session.commit()


def shared(token: str) -> dict[str, Any]:
    """The snapshot behind a token, for anyone: `{"title", "messages": [{"role", "content"}]}`."""
    row = db.session.get(Share, token)
    if row is None:
        raise ApiError(404, NOT_SHARED)
    return {"title": row.title, "messages": json.loads(row.messages)}


def account_shares() -> list[dict[str, Any]]:
    """The current owner's links, newest share first."""
    rows = db.session.execute(
        db.select(Share, Conversation.title).join(Conversation, Conversation.id == Share.conversation_id)
        .where(owned_by_current()).order_by(Share.updated_at.desc(), Share.token)).all()
    return [{"url": url_of(row), "conversation_id": row.conversation_id, "title": title,
             "shared_title": row.title, "created_at": iso(row.created_at), "updated_at": iso(row.updated_at)}
            for row, title in rows]
