"""Conversations and their messages: storage, listing with cursors, renaming, deleting, branches.

Every lookup by id (get_or_404) and the list see only the current owner's conversations
(ownership.py), so another account's id is a 404 like an unknown one.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption

from . import costs, search, settings, versions
from .attachments import store as attachments
from .attachments.parts import FileData
from .attachments.parts import content as content_parts
from .chat_options import system_message, upstream_params
from .constants import TITLE_MAX_CHARS, MessageStatus, TitleSource
from .db.models import Conversation, Message, new_id, utcnow
from .db.rows import update_row
from .errors import ApiError
from .extensions import db
from .ownership import current_owner, owned_by_current
from .text_safety import bad_character, tidy_title
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


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the last conversation's time and id, and whether it was among the pins
    (pinned chats come first, so the next page goes on with the pins or with the rest)."""

    moment: datetime
    conversation_id: str
    pinned: bool = False


@dataclass(frozen=True)
class Shown:
    """Which conversations a list shows: the archived ones or the others, of one folder or all."""

    archived: bool = False
    folder_id: str | None = None


def encode_cursor(conversation: Conversation, pinned_section: bool = False) -> str:
    raw = f"{conversation.updated_at.isoformat(timespec='microseconds')}|{conversation.id}"
    if pinned_section:
        raw += "|p"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, conversation_id, *section = raw.split("|")
        if bad_character(conversation_id) or section not in ([], ["p"]):  # base64 can hide a NUL
            raise ValueError(conversation_id)
        return Cursor(datetime.fromisoformat(moment), conversation_id, pinned=section == ["p"])
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


def parse_flag(name: str, raw: str | None) -> bool:
    """A yes/no query parameter (`?archived=1`); absent is no."""
    value = (raw or "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ApiError(400, f"{name} must be 1 or 0.")


def list_page(limit: int, before: str | None, q: str = "", shown: Shown = Shown()) -> dict[str, Any]:
    """Pinned first, then most recently updated first; ties ordered by id so pages never skip or repeat.

    Archived conversations are listed only when `shown.archived` asks for them (and then only they).
    With search words (`q`), every conversation having all of them (archived ones too, newest first),
    each with a `snippet`. Each item says whether an answer is being written in it right now (`answering`).
    """
    try:
        words = search.query_words(q)
    except search.QueryError as exc:
        raise ApiError(400, str(exc)) from exc
    after = decode_cursor(before) if before else None
    if words:
        rows = search.matching_conversations(
            words, limit + 1, (after.moment, after.conversation_id) if after else None, current_owner())
    else:
        rows = _listed(limit + 1, after, shown)
    page = rows[:limit]
    answering = _answering([c.id for c in page])
    items = [{**c.summary(), "answering": c.id in answering} for c in page]
    if words:
        found = search.snippets([c.id for c in page], words, current_owner())
        for item in items:
            item["snippet"] = found.get(item["id"], "")
    more = len(rows) > limit
    return {"conversations": items,
            "next": encode_cursor(page[-1], pinned_section=page[-1].pinned and not words) if more else None}


def _answering(conversation_ids: list[str]) -> set[str]:
    """Which of these conversations have an answer still streaming (one query for the page)."""
    if not conversation_ids:
        return set()
    return set(db.session.scalars(
        db.select(Message.conversation_id).distinct()
        .where(Message.conversation_id.in_(conversation_ids), Message.status == MessageStatus.STREAMING)))


def _listed(limit: int, after: Cursor | None, shown: Shown) -> list[Conversation]:
    """The pins (from the cursor on, when it is among them), then the others: each section is one
    keyset range of ix_conversation_list."""
    rows: list[Conversation] = []
    if after is None or after.pinned:
        rows = _newest(limit, after, shown, pinned=True)
        after = None
    if len(rows) < limit:
        rows += _newest(limit - len(rows), after, shown, pinned=False)
    return rows


def _newest(limit: int, after: Cursor | None, shown: Shown, *, pinned: bool) -> list[Conversation]:
    query = (db.select(Conversation)
             .where(owned_by_current(), Conversation.archived == shown.archived, Conversation.pinned == pinned)
             .order_by(Conversation.updated_at.desc(), Conversation.id.desc()))
    if shown.folder_id is not None:
        query = query.where(Conversation.folder_id == shown.folder_id)
    if after is not None:
        # `updated_at <= moment` on its own lets the index range start at the cursor: with the
        # equivalent `a < m OR (a = m AND id < i)` both databases scan from the top and filter.
        query = query.where(Conversation.updated_at <= after.moment,
                            or_(Conversation.updated_at < after.moment, Conversation.id < after.conversation_id))
    return list(db.session.scalars(query.limit(limit)))


def get_with_messages_or_404(conversation_id: object) -> Conversation:
    """The conversation and all its messages (every branch) in one query."""
    return get_or_404(conversation_id, joinedload(Conversation.messages))


def detail(conversation: Conversation, live_text: dict[int, dict[str, str]] | None = None) -> dict[str, Any]:
    """The active branch; `live_text` replaces the stored text (and reasoning) of answers still
    streaming here."""
    live_text = live_text or {}
    messages = []
    for placed in versions.active_branch(conversation.messages):
        message = placed.message.to_dict()
        if message["id"] in live_text:
            message.update({name: text or message[name] for name, text in live_text[message["id"]].items()})
        messages.append({**message, "version": placed.version, "versions": placed.versions,
                         "siblings": list(placed.siblings)})
    return {**conversation.summary(), **conversation.options(), "cost": costs.conversation_cost(conversation),
            "messages": messages}


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
    if not isinstance(title, str) or not tidy_title(title):
        raise ApiError(400, "title must be a non-empty string.")
    title = tidy_title(title)
    if len(title) > TITLE_MAX_CHARS:
        raise ApiError(400, f"title must be at most {TITLE_MAX_CHARS} characters.")
    return title


def rename(conversation: Conversation, title: str) -> None:
    """A user's title wins for good: it also releases any title generation in flight (caller commits)."""
    conversation.title = title
    conversation.title_source = TitleSource.USER
    conversation.title_claim_token = None
    conversation.title_claimed_at = None


def delete(conversation: Conversation) -> None:
    """The conversation, its messages, and the files they carried (unless another chat carries them too)."""
    files = attachments.linked_to_conversation(conversation.id)
    db.session.delete(conversation)
    db.session.flush()
    attachments.remove_unlinked(files)
    db.session.commit()


def conversation_values(model: str) -> dict[str, Any]:
    """A new conversation of the current account, as the column values of its row."""
    return {"id": new_id(), "account_id": current_owner(), "model": model}


def message_values(conversation_id: str, role: str, content: str, *, parent_id: int | None = None,
                   model: str | None = None, status: str = MessageStatus.COMPLETE, error: str | None = None,
                   usage: dict[str, Any] | None = None) -> dict[str, Any]:
    """A new message chosen on its branch, as the column values of its row."""
    now = utcnow()
    return {"conversation_id": conversation_id, "parent_id": parent_id, "role": role, "content": content,
            "model": model, "status": status, "error": error, "created_at": now, "selected_at": now,
            **costs.usage_columns(usage)}


def store_message(message: Message) -> Message:
    """Store a message and flush it to learn its id (caller commits)."""
    db.session.add(message)
    db.session.flush()
    return message


def touch(conversation_id: str, model: str) -> None:
    """Move the conversation to the top of the list; `model` is its latest answer's (one Core UPDATE)."""
    update_row(Conversation, conversation_id, updated_at=utcnow(), model=model)


def add_message(conversation_id: str, role: str, content: str, **fields: Any) -> Message:
    """Store a new message (`message_values`' fields) and flush it to learn its id (caller commits)."""
    return store_message(Message(**message_values(conversation_id, role, content, **fields)))


def upstream_history(branch: list[Message], question: str | None = None,
                     files: Mapping[int | None, list[FileData]] | None = None) -> list[dict[str, Any]]:
    """A branch as OpenRouter messages, then the new `question` (not stored yet) when there is one;
    empty (failed) answers are left out. Only `content` is sent: an answer's reasoning stays here.
    A message with `files` (by message id; the new question's under None) gets content parts."""
    files = files or {}
    history = [{"role": m.role, "content": content_parts(m.content, files.get(m.id, []))} for m in branch if m.content]
    if question is not None:
        history.append({"role": "user", "content": content_parts(question, files.get(None, []))})
    return history


def upstream_messages(conversation: Conversation | None, branch: list[Message], question: str | None = None,
                      files: Mapping[int | None, list[FileData]] | None = None) -> list[dict[str, Any]]:
    """What an answer of this chat (None: a new one) is sent: the one system message (the account's
    instructions, then the folder's, then the chat's system prompt; none when all are blank), then
    the branch and the new question (`upstream_history`)."""
    folder = conversation.folder if conversation is not None else None
    system = system_message(settings.instructions(), folder.instructions if folder else None,
                            conversation.system_prompt if conversation is not None else None)
    return ([system] if system else []) + upstream_history(branch, question, files)


def upstream_options(conversation: Conversation | None) -> dict[str, object]:
    """The chat's parameters as the request body carries them (a new chat has none yet)."""
    return upstream_params(conversation.params) if conversation is not None else {}
