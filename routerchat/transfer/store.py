"""Export and import of conversations: the database side of formats.py."""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import gevent
from flask import current_app
from sqlalchemy import delete
from sqlalchemy.orm import selectinload

from .. import conversations
from ..attachments import store as attachments
from ..constants import TitleSource
from ..costs import usage_columns
from ..db.models import Attachment, Conversation, Folder, Message, iso, new_id, utcnow
from ..errors import ApiError
from ..extensions import db
from ..organise import folders
from ..ownership import current_owner, owned_by_current
from .formats import Archived, Entry, archive_header

EXPORT_BATCH = 100
# An import commits after this many messages or characters (whichever comes first), then lets the
# worker's other requests run: one batch takes tens of milliseconds.
IMPORT_BATCH_MESSAGES = 25
IMPORT_BATCH_CHARS = 100_000
# PostgreSQL holds no database-wide write lock, and each commit waits on the disk: there an import
# yields after every batch but commits only after this many messages.
IMPORT_COMMIT_MESSAGES_POSTGRESQL = 1_000
IMPORT_BATCH_CONVERSATIONS_REMOVED = 100  # a failed import's conversations deleted per transaction


def archive_of(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {**archive_header(iso(utcnow())), "conversations": items}


def exported(conversation: Conversation, embed_files: bool = False) -> dict[str, Any]:
    """A conversation as routerchat's JSON holds it: the active branch as `messages` (as
    `GET /conversation/<id>` shows it), and every other version of its messages; with
    `embed_files`, each attachment carries its bytes as base64 `data`."""
    shown = conversations.detail(conversation)
    on_branch = {message["id"] for message in shown["messages"]}
    others = [m.to_dict() for m in sorted(conversation.messages, key=lambda m: m.id) if m.id not in on_branch]
    if embed_files:
        for message in [*shown["messages"], *others]:
            message["attachments"] = [_embedded(a) for a in message["attachments"]]
    folder = conversation.folder.name if conversation.folder else None
    return {**shown, "folder": folder, "other_versions": others}


def _embedded(summary: dict[str, Any]) -> dict[str, Any]:
    data = b"".join(attachments.pieces(summary["id"]))
    return {**summary, "data": base64.b64encode(data).decode("ascii")}


def _stored_files(entry: Entry) -> list[Attachment]:
    """An imported message's files, checked like uploads (the type from the bytes, JPEG metadata
    removed) and stored; a refused one refuses the whole import."""
    stored = []
    for file in entry.attachments:
        try:
            checked = attachments.checked_file(file, current_app.config["ATTACHMENT_MAX_BYTES"])
        except ApiError as exc:
            raise ApiError(400, f"Nothing was imported: the attachment “{file.name}”: {exc.message}") from exc
        stored.append(attachments.store_file(checked, current_owner()))
    return stored


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
                 .options(selectinload(Conversation.messages), selectinload(Conversation.folder))
                 .order_by(Conversation.created_at, Conversation.id).limit(EXPORT_BATCH))
        if after is not None:
            query = query.where(db.tuple_(Conversation.created_at, Conversation.id) > after)
        batch = list(db.session.scalars(query))
        pieces = [json.dumps(exported(c, embed_files=True), ensure_ascii=False) for c in batch]
        after = (batch[-1].created_at, batch[-1].id) if batch else None
        db.session.close()
        for piece in pieces:
            yield piece if first else "," + piece
            first = False
        if len(batch) < EXPORT_BATCH:
            break
    yield "]}"


def _parent_of(parent: Message | int | None) -> dict[str, Message | int | None]:
    """A new message's parent: a row of the same batch (flushed first), or a committed row's id."""
    return {"parent_id": parent} if isinstance(parent, int) else {"parent": parent}


class _ImportWriter:
    """Writes an archive's conversations as new ones of the current account, in short transactions.

    A large file takes tens of seconds to store. Holding one transaction for all of it froze the
    worker: SQLite's write lock would be held across turns of the event loop, so any other write
    (another account's answer) waited inside SQLite, event loop and all. So each batch of at most
    IMPORT_BATCH_MESSAGES messages (or IMPORT_BATCH_CHARS characters) is committed on its own,
    without yielding while it is open, and the loop turns between batches. (PostgreSQL has no
    such lock and each commit waits on the disk: there batches are flushed with the same turns
    between, and committed every IMPORT_COMMIT_MESSAGES_POSTGRESQL messages.) The file was read and
    checked whole before the first batch; if storing fails part-way (a refused attachment, a
    database error), `remove_written` deletes everything this import wrote, so a failed import
    still imports nothing. Conversations appear in the list while the import runs.
    """

    def __init__(self) -> None:
        self.now = utcnow()
        self.conversation_ids: list[str] = []
        self.folder_ids: dict[str, str] = {}  # by name: the account's folders this import files into
        self.folders_made: list[str] = []
        self.batch_messages = self.batch_chars = self.uncommitted = 0
        self.commits_to_yield = db.engine.dialect.name == "sqlite"  # a transaction holds SQLite's write lock

    def write(self, item: Archived) -> None:
        """One conversation; its messages may span batches. The archive's active branch is chosen
        now; its other versions count as chosen when they were written (never later than now)."""
        conversation_id = new_id()
        db.session.add(Conversation(id=conversation_id, account_id=current_owner(),
                                    title=item.title, title_source=TitleSource.USER,
                                    system_prompt=item.system_prompt, params=item.params,
                                    pinned=item.pinned, archived=item.archived,
                                    folder_id=self._folder_named(item.folder),
                                    model=next((e.model for e in reversed(item.entries) if e.model), None),
                                    created_at=item.created_at,
                                    updated_at=max([item.created_at] + [e.created_at for e in item.entries])))
        self.conversation_ids.append(conversation_id)
        placed: dict[int, Message | int] = {}  # by the archive's key: this batch's rows, or earlier ones' ids
        for entry in item.entries:
            parent = placed[entry.parent_key] if entry.parent_key is not None else None
            message = Message(
                conversation_id=conversation_id, **_parent_of(parent),
                role=entry.role, content=entry.content, model=entry.model, status=entry.status,
                error=entry.error, created_at=entry.created_at, reasoning=entry.reasoning,
                reasoning_seconds=entry.reasoning_seconds if entry.reasoning else None,
                citations=entry.citations or None,
                selected_at=self.now if entry.on_branch else min(entry.created_at, self.now - timedelta(seconds=1)),
                **usage_columns(entry.usage))
            db.session.add(message)
            placed[entry.key] = message
            if entry.attachments:
                db.session.flush()
                attachments.link(message.id, _stored_files(entry))
            self.batch_messages += 1
            self.batch_chars += len(entry.content) + len(entry.reasoning or "")
            if self.batch_messages >= IMPORT_BATCH_MESSAGES or self.batch_chars >= IMPORT_BATCH_CHARS:
                self.commit_batch(placed)

    def commit_batch(self, placed: dict[int, Message | int] | None = None, last: bool = False) -> None:
        """Write what is pending and commit it (on PostgreSQL every IMPORT_COMMIT_MESSAGES_POSTGRESQL
        messages), then let the worker's other requests and answers run. The open conversation's
        messages are kept as ids (a committed row would be read again to learn its id)."""
        db.session.flush()
        if placed:
            placed.update({key: m.id for key, m in placed.items() if isinstance(m, Message)})
        self.uncommitted += self.batch_messages
        if last or self.commits_to_yield or self.uncommitted >= IMPORT_COMMIT_MESSAGES_POSTGRESQL:
            db.session.commit()
            self.uncommitted = 0
        self.batch_messages = self.batch_chars = 0
        gevent.idle()  # sleep(0) would run other greenlets but not poll sockets or timers

    def _folder_named(self, name: str | None) -> str | None:
        """The id of the account's folder of this name, made (empty) when it has none."""
        if name is None:
            return None
        try:
            name = folders.check_name(name)
        except ApiError as exc:
            raise ApiError(400, f"Nothing was imported: the folder “{name[:100]}”: {exc.message}") from exc
        if name not in self.folder_ids:
            folder = folders.by_name(name)
            if folder is None:
                folder = folders.add_unchecked(name)
                self.folders_made.append(folder.id)
            self.folder_ids[name] = folder.id
        return self.folder_ids[name]

    def remove_written(self) -> None:
        """Delete what this import committed: its conversations (their messages go with them), the
        files only they carried, and the folders it made, a batch per transaction."""
        db.session.rollback()
        for start in range(0, len(self.conversation_ids), IMPORT_BATCH_CONVERSATIONS_REMOVED):
            chunk = self.conversation_ids[start:start + IMPORT_BATCH_CONVERSATIONS_REMOVED]
            files = attachments.linked_to_conversations(chunk)
            db.session.execute(delete(Conversation).where(Conversation.id.in_(chunk)))
            attachments.remove_unlinked(files)
            db.session.commit()
            gevent.idle()
        for folder_id in self.folders_made:
            folder = db.session.get(Folder, folder_id)
            if folder is not None:
                folders.delete(folder)


def import_archive(archived: list[Archived]) -> int:
    """Store the conversations as new ones of the current account (titles kept as the user's),
    all of them or, when storing fails, none (see _ImportWriter)."""
    writer = _ImportWriter()
    try:
        for item in archived:
            writer.write(item)
        writer.commit_batch(last=True)
    except BaseException:  # a killed greenlet too: nothing half-imported stays
        writer.remove_written()
        raise
    return len(archived)
