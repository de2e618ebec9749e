"""The database side of answers: the text so far, how an answer ended, and answers that no process
runs any more (stored as stopped)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, case, func, select, update

from ..constants import MessageStatus
from ..costs import record_answer, usage_columns
from ..db import prepared
from ..db.models import Conversation, Message
from ..db.rows import update_row
from ..extensions import db
from .events import STOPPED_EVENT, done_event, error_event


def save_text(message_id: int, text: str, reasoning: str = "") -> None:
    """Write the text and reasoning so far (other processes read them from the row)."""
    with prepared.transaction():
        update_row(Message, message_id, content=text, reasoning=reasoning or None)


@dataclass
class End:
    """How an answer ended, as its row stores it."""

    text: str
    status: str
    model: str
    usage: dict[str, Any] | None = None
    error: str | None = None
    error_status: int | None = None
    reasoning: str = ""
    reasoning_seconds: float | None = None
    citations: list[dict[str, str]] | None = None


def save_end(message_id: int, end: End) -> None:
    """The row's end and the ledger's record, in one transaction of two Core statements."""
    with prepared.transaction():
        update_row(Message, message_id, content=end.text, status=end.status, error=end.error,
                   error_status=end.error_status, model=end.model, reasoning=end.reasoning or None,
                   reasoning_seconds=end.reasoning_seconds if end.reasoning else None,
                   citations=end.citations or None, **usage_columns(end.usage))
        record_answer(message_id, end.model, end.usage)  # the same transaction: recorded exactly when stored


def stored_status(message_id: int) -> str | None:
    """The answer's status as stored (read on a connection of its own, as its end is written)."""
    with prepared.transaction() as connection:
        return connection.scalar(select(Message.status).where(Message.id == message_id))


def final_event(message: Message) -> dict[str, Any]:
    """The last event of an answer that has ended, rebuilt from its stored row."""
    if message.status == MessageStatus.COMPLETE:
        return done_event(message.conversation_id, message.id, message.model, message.usage(), message.citations)
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


def running_count(account_id: int) -> int:
    """How many answers of this account the database shows
    running, in every worker process (the status index finds the few `streaming` rows)."""
    return db.session.scalar(
        select(func.count()).select_from(Message).join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.status == MessageStatus.STREAMING, Conversation.account_id == account_id)) or 0


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
