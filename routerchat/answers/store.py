"""The database side of answers: the text so far, how an answer ended, and answers that no process
runs any more (stored as stopped)."""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, case, func, select, update

from ..constants import MessageStatus
from ..costs import usage_columns
from ..db.models import Message
from ..extensions import db
from .events import STOPPED_EVENT, done_event, error_event


def save_text(message_id: int, text: str) -> None:
    """Write the text so far (other processes read it from the row)."""
    db.session.execute(update(Message).where(Message.id == message_id).values(content=text))
    db.session.commit()


def save_end(message_id: int, text: str, status: str, model: str, usage: dict[str, Any] | None,
             error: str | None, error_status: int | None) -> None:
    db.session.execute(update(Message).where(Message.id == message_id).values(
        content=text, status=status, error=error, error_status=error_status, model=model, **usage_columns(usage)))
    db.session.commit()


def stored_status(message_id: int) -> str | None:
    return db.session.scalar(select(Message.status).where(Message.id == message_id))


def final_event(message: Message) -> dict[str, Any]:
    """The last event of an answer that has ended, rebuilt from its stored row."""
    if message.status == MessageStatus.COMPLETE:
        return done_event(message.conversation_id, message.id, message.model, message.usage())
    if message.status == MessageStatus.STOPPED:
        return STOPPED_EVENT
    return error_event(message.error, message.error_status)


def streaming_ids(conversation_id: str, except_ids: list[int] | None = None) -> list[int]:
    """This conversation's answers the database shows running (but for `except_ids`), newest first."""
    query = select(Message.id).where(Message.conversation_id == conversation_id,
                                     Message.status == MessageStatus.STREAMING)
    if except_ids:
        query = query.where(Message.id.not_in(except_ids))
    return list(db.session.scalars(query.order_by(Message.id.desc())))


def stop_orphans(message_ids: list[int], text_seen: str = "") -> None:
    """Answers the database shows running that no process runs any more (their process died, or
    could not store their end): stored as stopped, with the text they have, or with `text_seen`
    where that is longer (a follower was relayed text its owner died before storing)."""
    if not message_ids:
        return
    longer_seen = case((func.length(Message.content) < len(text_seen), text_seen), else_=Message.content)
    db.session.execute(update(Message).where(Message.id.in_(message_ids), Message.status == MessageStatus.STREAMING)
                       .values(status=MessageStatus.STOPPED, **({"content": longer_seen} if text_seen else {})))
    db.session.commit()


def stop_interrupted() -> int:
    """At server start: answers left `streaming` by a previous run can never finish."""
    count = cast(CursorResult[Any], db.session.execute(
        update(Message).where(Message.status == MessageStatus.STREAMING).values(status=MessageStatus.STOPPED))).rowcount
    db.session.commit()
    return count
