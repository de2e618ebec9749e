"""Database models: accounts, folders, conversations, their messages and attachments, share links, and
the six model presets."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..constants import (
    ACCOUNT_NAME_MAX_CHARS,
    ATTACHMENT_NAME_MAX_CHARS,
    DEFAULT_TITLE,
    FOLDER_NAME_MAX_CHARS,
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
    # The name folded (NFKC, case): two names that fold alike are one account (accounts/store.py).
    # Always set; nullable only because SQLite adds a NOT NULL column by rebuilding the table.
    name_key: Mapped[str] = mapped_column(String(255), nullable=True, index=True, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UsageRecord(Model):
    """One request OpenRouter billed (an answer, or title requests), written when it ended.

    Kept apart from conversations and without foreign keys on purpose: money already spent stays
    in `GET /usage` when its chat, a version or the account is deleted. Imports write none.
    """

    __tablename__ = "usage_record"
    __table_args__ = (Index("ix_usage_record_account_at", "account_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int | None] = mapped_column(Integer, default=None)  # None: the app without accounts
    kind: Mapped[str] = mapped_column(String(16))  # "answer" | "title"
    model: Mapped[str | None] = mapped_column(String(MODEL_ID_MAX_CHARS), default=None)
    requests: Mapped[int] = mapped_column(Integer, default=1)  # more than 1 only for rows the migration summed
    prompt_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    completion_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    cost: Mapped[float | None] = mapped_column(Float, default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginSession(Model):
    """One login, kept on the server: a cookie counts only while its row exists and is young
    enough, so logging out (which deletes the row) ends it everywhere, copies included."""

    __tablename__ = "login_session"

    # sha256 of the random token the signed cookie carries: a copy of this table opens no session.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer, index=True)  # its rows go with the account (store.remove)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LoginFailure(Model):
    """One failed login: the throttle counts these per address, so it holds across workers."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Folder(Model):
    """A folder (project) of one owner's chats, with instructions sent for them. `account_id` is
    NO_ACCOUNT for the app without accounts, so that names are unique per owner in both cases."""

    __tablename__ = "folder"
    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_folder_account_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(Integer, default=NO_ACCOUNT, server_default=str(NO_ACCOUNT))
    name: Mapped[str] = mapped_column(String(FOLDER_NAME_MAX_CHARS))
    instructions: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "instructions": self.instructions}


class Conversation(Model):
    __tablename__ = "conversation"
    # The list: one owner's chats, archived or not, pinned first, newest first (keyset paging).
    __table_args__ = (Index("ix_conversation_list", "account_id", "archived", "pinned", "updated_at", "id"),
                      Index("ix_conversation_folder_list", "folder_id", "archived", "pinned", "updated_at", "id"))

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
    # The model of its latest answer (the page selects it when the chat opens).
    model: Mapped[str | None] = mapped_column(String(MODEL_ID_MAX_CHARS), default=None)
    # Sent with every answer: the system prompt (after the account's and folder's instructions)
    # and the parameters set for this chat (chat_options.py checks both).
    system_prompt: Mapped[str | None] = mapped_column(Text, default=None)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Organising: pinned chats head the list, archived ones leave it (see ix_conversation_list, and
    # ix_conversation_folder_list for one folder's list).
    pinned: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    archived: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # (no ON DELETE: deleting a folder moves its chats out first, in the same transaction)
    folder_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("folder.id"), default=None)
    forked_from: Mapped[str | None] = mapped_column(String(32), default=None)  # no key: the original may go

    folder: Mapped[Folder | None] = relationship()  # its instructions go with every answer
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
            "model": self.model,
            "pinned": self.pinned,
            "archived": self.archived,
            "folder_id": self.folder_id,
            "forked_from": self.forked_from,
        }

    def options(self) -> dict[str, Any]:
        """What this chat sends besides its messages (GET /conversation/<id> and PATCH show it)."""
        return {"system_prompt": self.system_prompt, "params": dict(self.params or {})}


class Message(Model):
    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_conversation_created", "conversation_id", "created_at"),
        # Finds the few answers running now (per-account limit, restarts) among millions of rows.
        Index("ix_message_status", "status"),
    )

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
    reasoning_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    # The model's reasoning, apart from its answer (never sent upstream again), and how long it took.
    reasoning: Mapped[str | None] = mapped_column(Text, default=None)
    reasoning_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    citations: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, default=None)  # [{"url", "title"}]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    parent: Mapped[Message | None] = relationship(remote_side=[id])  # lets one flush chain new messages
    # The files sent with this (user) message, in the order they were attached.
    attachments: Mapped[list[Attachment]] = relationship(
        secondary="message_attachment", order_by="MessageAttachment.position", lazy="selectin", viewonly=True)

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
            "reasoning": self.reasoning,
            "reasoning_seconds": self.reasoning_seconds,
            "citations": list(self.citations or []),
            "created_at": iso(self.created_at),
            "attachments": [attachment.summary() for attachment in self.attachments],
        }

    def usage(self) -> dict[str, Any] | None:
        if self.total_tokens is None and self.prompt_tokens is None and self.cost is None:
            return None
        usage: dict[str, Any] = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "cost": self.cost,
        }
        if self.reasoning_tokens is not None:
            usage["completion_tokens_details"] = {"reasoning_tokens": self.reasoning_tokens}
        return usage


class Attachment(Model):
    """An uploaded file. Its bytes live in `attachment_chunk` rows (read one at a time, so serving
    or sending a large file never needs it whole in a query result); `sent_at` is set when a
    message first carries it (unsent uploads are removed after a day)."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_sent_created", "sent_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), default=None, index=True)
    name: Mapped[str] = mapped_column(String(ATTACHMENT_NAME_MAX_CHARS))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.mime, "size": self.size}


class AttachmentChunk(Model):
    """One piece (at most ATTACHMENT_CHUNK_BYTES) of an attachment's bytes."""

    __tablename__ = "attachment_chunk"

    attachment_id: Mapped[str] = mapped_column(String(32), ForeignKey("attachment.id", ondelete="CASCADE"),
                                               primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class MessageAttachment(Model):
    """Which files a message carries (an edited version may carry the same file again)."""

    __tablename__ = "message_attachment"

    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), primary_key=True)
    attachment_id: Mapped[str] = mapped_column(String(32), ForeignKey("attachment.id", ondelete="CASCADE"),
                                               primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Share(Model):
    """A read-only link to a snapshot of one conversation's active branch (one link per chat).

    The snapshot is a copy (title and messages as JSON text), so the link shows the chat as it was
    shared until it is shared again; revoking deletes the row, so a revoked token and one that never
    existed are the same lookup with the same answer."""

    __tablename__ = "share"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(32), ForeignKey("conversation.id", ondelete="CASCADE"),
                                                 unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS))
    messages: Mapped[str] = mapped_column(Text)  # JSON: [{"role", "content"}]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


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


class AccountSettings(Model):
    """An account's settings (account_id 0: the app without accounts); no row means the defaults."""

    __tablename__ = "account_settings"

    account_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    instructions: Mapped[str] = mapped_column(Text, default="", server_default="")
    title_model: Mapped[str | None] = mapped_column(String(MODEL_ID_MAX_CHARS), default=None)
    title_prompt: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def to_dict(self) -> dict[str, Any]:
        return {"instructions": self.instructions, "title_model": self.title_model,
                "title_prompt": self.title_prompt}
