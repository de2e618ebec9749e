"""Database models: accounts, conversations, their messages, and the six model presets."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..constants import (
    ACCOUNT_NAME_MAX_CHARS,
    DEFAULT_TITLE,
    MODEL_ID_MAX_CHARS,
    NO_ACCOUNT,
    TITLE_MAX_CHARS,
    MessageStatus,
    TitleSource,
)
from ..extensions import db

if TYPE_CHECKING:
    # db.Model is built at runtime from Base (plus Flask-SQLAlchemy's mixins); type checkers
    # cannot subclass a variable, so they see the declarative base it is made from.
    from ..extensions import Base as Model
else:
    Model = db.Model


def utcnow() -> datetime:
    """Naive UTC with microseconds: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds") + "Z"


def new_id() -> str:
    return uuid.uuid4().hex



class Account(Model):
    """A person who may log in; the first one is the admin."""

    __tablename__ = "account"
    __table_args__ = {"sqlite_autoincrement": True}  # a removed account's id is never given out again

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(ACCOUNT_NAME_MAX_CHARS), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(Model):
    """One failed login: the throttle counts these per address, so it holds across workers."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Model):
    __tablename__ = "conversation"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # NULL while the app has no accounts; the first `user add` gives these to the first account.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), default=None, index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS), default=DEFAULT_TITLE,
                                       server_default=DEFAULT_TITLE)
    title_source: Mapped[str] = mapped_column(String(16), default=TitleSource.DEFAULT,
                                              server_default=TitleSource.DEFAULT.value)
    # Single-flight claim for title generation, shared by all worker processes.
    title_claim_token: Mapped[str | None] = mapped_column(String(32), default=None)
    title_claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    title_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The title requests' model and usage, summed over attempts (for the cost of a conversation).
    title_model: Mapped[str | None] = mapped_column(String(MODEL_ID_MAX_CHARS), default=None)
    title_requests: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    title_prompt_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    title_completion_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    title_cost: Mapped[float | None] = mapped_column(Float, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Message.created_at, Message.id)",
    )

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "title_source": self.title_source,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }


class Message(Model):
    __tablename__ = "message"
    __table_args__ = (Index("ix_message_conversation_created", "conversation_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversation.id", ondelete="CASCADE")
    )  # indexed by ix_message_conversation_created, whose first column it is
    # The message this one follows; siblings (same parent) are versions of one another.
    # (no ON DELETE: messages go only with their whole conversation, in one statement)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"), index=True, default=None)
    # The newest choice among siblings is on the active branch (a new version, or a branch switch).
    # (nullable only because SQLite cannot add a NOT NULL column without a constant default)
    selected_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    content: Mapped[str] = mapped_column(Text, default="")
    model: Mapped[str | None] = mapped_column(String(MODEL_ID_MAX_CHARS), default=None)
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.COMPLETE)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    error_status: Mapped[int | None] = mapped_column(Integer, default=None)  # its error event's status, e.g. 429
    prompt_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    completion_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    total_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    cost: Mapped[float | None] = mapped_column(Float, default=None)  # US dollars (OpenRouter credits)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    parent: Mapped[Message | None] = relationship(remote_side=[id])  # lets one flush chain new messages

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent_id": self.parent_id,
            "role": self.role,
            "content": self.content,
            "model": self.model,
            "status": self.status,
            "error": self.error,
            "usage": self.usage(),
            "created_at": iso(self.created_at),
        }

    def usage(self) -> dict[str, Any] | None:
        if self.total_tokens is None and self.prompt_tokens is None and self.cost is None:
            return None
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "cost": self.cost,
        }


class Preset(Model):
    """A slot an account changed (account_id 0: the app without accounts); slots without a row
    use the configured defaults."""

    __tablename__ = "preset"

    account_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False,
                                            default=NO_ACCOUNT, server_default=str(NO_ACCOUNT))
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    model: Mapped[str] = mapped_column(String(MODEL_ID_MAX_CHARS))
    label: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
