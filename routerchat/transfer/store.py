"""Export and import of conversations: the database side of formats.py."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import selectinload

from .. import conversations
from ..constants import TitleSource
from ..costs import usage_columns
from ..db.models import Conversation, Message, iso, new_id, utcnow
from ..extensions import db
from ..ownership import current_owner, owned_by_current
from .formats import Archived, archive_header

EXPORT_BATCH = 100


def archive_of(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {**archive_header(iso(utcnow())), "conversations": items}


def exported(conversation: Conversation) -> dict[str, Any]:
    """A conversation as routerchat's JSON holds it: the active branch as `messages` (as
    `GET /conversation/<id>` shows it), and every other version of its messages."""
    shown = conversations.detail(conversation)
    on_branch = {message["id"] for message in shown["messages"]}
    others = [m.to_dict() for m in sorted(conversation.messages, key=lambda m: m.id) if m.id not in on_branch]
    return {**shown, "other_versions": others}


def export_chunks() -> Iterator[str]:
    """Every conversation of the current account as one routerchat JSON document, written in pieces.

    Each batch is read, the session is closed, and only then is the text sent: a slow download
    never holds a database connection.
    """
    header = json.dumps(archive_of([]), ensure_ascii=False)
    yield header[:-2]  # everything up to the empty list's closing "]}"
    after: tuple[datetime, str] | None = None
    first = True
    while True:
        query = (db.select(Conversation).where(owned_by_current())
                 .options(selectinload(Conversation.messages))
                 .order_by(Conversation.created_at, Conversation.id).limit(EXPORT_BATCH))
        if after is not None:
            query = query.where(db.tuple_(Conversation.created_at, Conversation.id) > after)
        batch = list(db.session.scalars(query))
        pieces = [json.dumps(exported(c), ensure_ascii=False) for c in batch]
        after = (batch[-1].created_at, batch[-1].id) if batch else None
        db.session.close()
        for piece in pieces:
            yield piece if first else "," + piece
            first = False
        if len(batch) < EXPORT_BATCH:
            break
    yield "]}"


def import_archive(archived: list[Archived]) -> int:
    """Store the conversations as new ones of the current account (titles kept as the user's),
    in one transaction. The archive's active branch is chosen now; its other versions count as
    chosen when they were written (and never later than now), so the same branch shows."""
    now = utcnow()
    try:
        for item in archived:
            conversation = Conversation(id=new_id(), account_id=current_owner(),
                                        title=item.title, title_source=TitleSource.USER,
                                        created_at=item.created_at,
                                        updated_at=max([item.created_at] + [e.created_at for e in item.entries]))
            db.session.add(conversation)
            stored: dict[int, Message] = {}  # by the archive's key; parents come first
            for entry in item.entries:
                stored[entry.key] = Message(
                    conversation_id=conversation.id,
                    parent=stored[entry.parent_key] if entry.parent_key is not None else None,
                    role=entry.role, content=entry.content, model=entry.model, status=entry.status,
                    error=entry.error, created_at=entry.created_at,
                    selected_at=now if entry.on_branch else min(entry.created_at, now - timedelta(seconds=1)),
                    **usage_columns(entry.usage))
                db.session.add(stored[entry.key])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(archived)
