"""Conversations and their messages: storage, listing with cursors, renaming, deleting, branches.

Every lookup by id (get_or_404) and the list see only the current owner's conversations
(ownership.py), so another account's id is a 404 like an unknown one.
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption

from . import costs, search, versions
from .constants import TITLE_MAX_CHARS, MessageStatus, TitleSource
from .db.models import Conversation, Message, new_id, utcnow
from .errors import ApiError
from .extensions import db
from .ownership import current_owner, owned_by_current
from .text_safety import bad_character
from .values import is_whole_number

MAX_PAGE = 200
NOT_FOUND = "No conversation with this id (it may have been deleted)."


def get_or_404(conversation_id: object, *options: ORMOption) -> Conversation:
    conversation: Conversation | None = None
    if isinstance(conversation_id, str) and 0 < len(conversation_id) <= 64:
        conversation = db.session.execute(
            db.select(Conversation).options(*options).where(Conversation.id == conversation_id, owned_by_current())
        ).unique().scalar_one_or_none()
    if conversation is None:
        raise ApiError(404, NOT_FOUND)
    return conversation


def encode_cursor(conversation: Conversation) -> str:
    raw = f"{conversation.updated_at.isoformat(timespec='microseconds')}|{conversation.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, conversation_id = raw.split("|", 1)
        if bad_character(conversation_id):  # base64 can hide a NUL the URL check cannot see
            raise ValueError(conversation_id)
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


def list_page(limit: int, before: str | None, q: str = "") -> dict[str, Any]:
    """Most recently updated first; ties ordered by id so pages never skip or repeat.

    With search words (`q`), only conversations having all of them, each with a `snippet`. Each
    item says whether an answer is being written in it right now (`answering`).
    """
    try:
        words = search.query_words(q)
    except search.QueryError as exc:
        raise ApiError(400, str(exc)) from exc
    after = decode_cursor(before) if before else None
    rows = (search.matching_conversations(words, limit + 1, after, current_owner()) if words
            else _newest(limit + 1, after))
    page = rows[:limit]
    answering = _answering([c.id for c in page])
    items = [{**c.summary(), "answering": c.id in answering} for c in page]
    if words:
        found = search.snippets([c.id for c in page], words)
        for item in items:
            item["snippet"] = found.get(item["id"], "")
    return {"conversations": items, "next": encode_cursor(page[-1]) if len(rows) > limit else None}


def _answering(conversation_ids: list[str]) -> set[str]:
    """Which of these conversations have an answer still streaming (one query for the page)."""
    if not conversation_ids:
        return set()
    return set(db.session.scalars(
        db.select(Message.conversation_id).distinct()
        .where(Message.conversation_id.in_(conversation_ids), Message.status == MessageStatus.STREAMING)))


def _newest(limit: int, after: tuple[datetime, str] | None) -> list[Conversation]:
    query = (db.select(Conversation).where(owned_by_current())
             .order_by(Conversation.updated_at.desc(), Conversation.id.desc()))
    if after is not None:
        moment, last_id = after
        # `updated_at <= moment` on its own lets the index range start at the cursor: with the
        # equivalent `a < m OR (a = m AND id < i)` both databases scan from the top and filter.
        query = query.where(Conversation.updated_at <= moment,
                            or_(Conversation.updated_at < moment, Conversation.id < last_id))
    return list(db.session.scalars(query.limit(limit)))


def get_with_messages_or_404(conversation_id: object) -> Conversation:
    """The conversation and all its messages (every branch) in one query."""
    return get_or_404(conversation_id, joinedload(Conversation.messages))


def detail(conversation: Conversation, live_text: dict[int, str] | None = None) -> dict[str, Any]:
    """The active branch; `live_text` replaces the stored text of answers still streaming here."""
    live_text = live_text or {}
    messages = []
    for placed in versions.active_branch(conversation.messages):
        message = placed.message.to_dict()
        if message["id"] in live_text:
            message["content"] = live_text[message["id"]]
        messages.append({**message, "version": placed.version, "versions": placed.versions,
                         "siblings": list(placed.siblings)})
    return {**conversation.summary(), "cost": costs.conversation_cost(conversation), "messages": messages}


def message_in(conversation: Conversation, message_id: object) -> Message:
    if not is_whole_number(message_id):
        raise ApiError(400, "message_id must be a message id (a whole number).")
    message = next((m for m in conversation.messages if m.id == message_id), None)
    if message is None:
        raise ApiError(404, "This conversation has no message with this id.")
    return message


def select_branch(conversation: Conversation, message_id: object) -> None:
    """Make the branch through this message the active one (caller commits)."""
    target = message_in(conversation, message_id)
    now = utcnow()
    for message in versions.ancestry(conversation.messages, target.id):
        message.selected_at = now


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
    conversation.title_source = TitleSource.USER
    conversation.title_claim_token = None
    conversation.title_claimed_at = None
    db.session.commit()
    return conversation


def delete(conversation: Conversation) -> None:
    db.session.delete(conversation)
    db.session.commit()


def start(conversation_id: str | None) -> Conversation:
    if conversation_id is None:
        conversation = Conversation(id=new_id(), account_id=current_owner())
        db.session.add(conversation)
        return conversation
    return get_or_404(conversation_id)


def add_message(conversation_id: str, role: str, content: str, *, parent_id: int | None = None,
                model: str | None = None, status: str = MessageStatus.COMPLETE, error: str | None = None,
                usage: dict[str, Any] | None = None) -> Message:
    """Store a message (chosen on its branch) and flush it to learn its id (caller commits)."""
    now = utcnow()
    message = Message(conversation_id=conversation_id, parent_id=parent_id, role=role, content=content,
                      model=model, status=status, error=error, created_at=now, selected_at=now,
                      **costs.usage_columns(usage))
    db.session.add(message)
    db.session.flush()
    return message


def touch(conversation_id: str) -> None:
    """Move the conversation to the top of the list."""
    db.session.execute(update(Conversation).where(Conversation.id == conversation_id).values(updated_at=utcnow()))


def upstream_history(branch: list[Message]) -> list[dict[str, str]]:
    """A branch as OpenRouter messages; empty (failed) answers are left out."""
    return [{"role": m.role, "content": m.content} for m in branch if m.content]
