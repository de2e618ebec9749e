"""Conversations and their messages: storage, listing with cursors, renaming, deleting."""
from __future__ import annotations

import base64
import binascii
from datetime import datetime

from sqlalchemy import or_, update

from .errors import ApiError
from .extensions import db
from .models import TITLE_MAX_CHARS, Conversation, Message, new_id, utcnow

MAX_PAGE = 200


def get_or_404(conversation_id: object) -> Conversation:
    conversation = None
    if isinstance(conversation_id, str) and 0 < len(conversation_id) <= 64:
        conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        raise ApiError(404, "No conversation with this id (it may have been deleted).")
    return conversation


def encode_cursor(conversation: Conversation) -> str:
    raw = f"{conversation.updated_at.isoformat(timespec='microseconds')}|{conversation.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, conversation_id = raw.split("|", 1)
        return datetime.fromisoformat(moment), conversation_id
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiError(400, "before is not a cursor this server gave out.") from exc


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return 50
    try:
        limit = int(raw)
    except ValueError as exc:
        raise ApiError(400, "limit must be a whole number.") from exc
    if not 1 <= limit <= MAX_PAGE:
        raise ApiError(400, f"limit must be between 1 and {MAX_PAGE}.")
    return limit


def list_page(limit: int, before: str | None) -> dict:
    """Most recently updated first; ties ordered by id so pages never skip or repeat."""
    query = db.select(Conversation).order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    if before:
        moment, last_id = decode_cursor(before)
        # `updated_at <= moment` on its own lets the index range start at the cursor: with the
        # equivalent `a < m OR (a = m AND id < i)` both databases scan from the top and filter.
        query = query.where(Conversation.updated_at <= moment,
                            or_(Conversation.updated_at < moment, Conversation.id < last_id))
    rows = list(db.session.scalars(query.limit(limit + 1)))
    page = rows[:limit]
    return {
        "conversations": [c.summary() for c in page],
        "next": encode_cursor(page[-1]) if len(rows) > limit else None,
    }


def detail(conversation: Conversation) -> dict:
    return {**conversation.summary(), "messages": [m.to_dict() for m in conversation.messages]}


def check_title(title: object) -> str:
    if not isinstance(title, str) or not " ".join(title.split()):
        raise ApiError(400, "title must be a non-empty string.")
    title = " ".join(title.split())
    if len(title) > TITLE_MAX_CHARS:
        raise ApiError(400, f"title must be at most {TITLE_MAX_CHARS} characters.")
    return title


def rename(conversation: Conversation, title: object) -> Conversation:
    """A user's title wins for good: it also releases any title generation in flight."""
    conversation.title = check_title(title)
    conversation.title_source = "user"
    conversation.title_claim_token = None
    conversation.title_claimed_at = None
    db.session.commit()
    return conversation


def delete(conversation: Conversation) -> None:
    db.session.delete(conversation)
    db.session.commit()


def start(conversation_id: str | None) -> Conversation:
    if conversation_id is None:
        conversation = Conversation(id=new_id())
        db.session.add(conversation)
        return conversation
    return get_or_404(conversation_id)


def add_message(conversation_id: str, role: str, content: str, *, model: str | None = None,
                status: str = "complete", error: str | None = None, usage: dict | None = None) -> Message:
    """Store a message and move its conversation to the top of the list (caller commits)."""
    now = utcnow()
    usage = usage or {}
    message = Message(conversation_id=conversation_id, role=role, content=content, model=model,
                      status=status, error=error, created_at=now,
                      prompt_tokens=_int_or_none(usage.get("prompt_tokens")),
                      completion_tokens=_int_or_none(usage.get("completion_tokens")),
                      total_tokens=_int_or_none(usage.get("total_tokens")))
    db.session.add(message)
    db.session.execute(update(Conversation).where(Conversation.id == conversation_id).values(updated_at=now))
    return message


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def upstream_history(conversation_id: str) -> list[dict]:
    """The whole conversation as OpenRouter messages; empty (failed) answers are left out."""
    rows = db.session.scalars(
        db.select(Message).where(Message.conversation_id == conversation_id)
        .order_by(Message.created_at, Message.id)
    )
    return [{"role": m.role, "content": m.content} for m in rows if m.content]


def assistant_count(conversation_id: str) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(Message)
        .where(Message.conversation_id == conversation_id, Message.role == "assistant")
    ) or 0
