"""Attachments in the database: storing an upload, reading its bytes in pieces, linking files to
messages, and removing what nobody needs any more.

The bytes are stored in rows of at most CHUNK_BYTES (`attachment_chunk`) so that several worker
processes, or several servers sharing one PostgreSQL, need no shared disk, and so that neither an
upload nor a download ever holds the whole file in one query result.
"""
from __future__ import annotations

import codecs
import io
import os
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import IO

import gevent
from sqlalchemy import bindparam, delete, exists, insert, select, update

from ..db import prepared
from ..db.models import Attachment, AttachmentChunk, Message, MessageAttachment, utcnow
from ..db.rows import ROW_KEY, table_of
from ..errors import ApiError
from ..extensions import db
from ..ownership import current_owner
from . import images, kinds
from .parts import FileData

CHUNK_BYTES = 1024 * 1024
UNSENT_KEPT = timedelta(hours=24)
MAX_PER_MESSAGE = 10
ATTACHMENTS = table_of(Attachment)
NOT_FOUND = "No attachment with this id (it may have been removed: uploads not sent within a day are)."


def file_size(file: IO[bytes]) -> int:
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def checked_pieces(file: IO[bytes], name: str, size: int) -> tuple[kinds.Kind, Iterator[bytes]]:
    """The file's kind and the bytes to store (in pieces), or kinds.Refused."""
    kind = kinds.sniff(file.read(kinds.SNIFF_BYTES), name)
    if kind.is_image:
        images.check_image(file, kind.mime, size)
        if kind.mime == "image/jpeg":
            return kind, images.strip_jpeg(file)
    elif kind.is_pdf:
        file.seek(max(0, size - kinds.PDF_TAIL_BYTES))
        kinds.check_pdf_tail(file.read())
    else:
        _check_text(file)
    return kind, _pieces_of(file)


def _check_text(file: IO[bytes]) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    file.seek(0)
    while piece := file.read(CHUNK_BYTES):
        kinds.check_text_piece(piece, decoder, final=False)
        gevent.sleep(0)  # other chats run between pieces
    kinds.check_text_piece(b"", decoder, final=True)


def _pieces_of(file: IO[bytes]) -> Iterator[bytes]:
    file.seek(0)
    while piece := file.read(CHUNK_BYTES):
        yield piece


def _rechunked(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Pieces of any size as chunks of exactly CHUNK_BYTES (the last one shorter)."""
    buffer = bytearray()
    for piece in pieces:
        buffer += piece
        while len(buffer) >= CHUNK_BYTES:
            yield bytes(buffer[:CHUNK_BYTES])
            del buffer[:CHUNK_BYTES]
    if buffer:
        yield bytes(buffer)


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ApiError(413, f"The file is larger than the {max_bytes / (1024 * 1024):g} MB limit.")
    if size == 0:
        raise ApiError(400, "The file is empty.")


def checked_file(file: FileData, max_bytes: int) -> FileData:
    """A file from elsewhere (an import) checked like an upload: its type from its bytes, JPEG
    metadata removed; ApiError when it is refused."""
    _check_size(len(file.data), max_bytes)
    try:
        kind, pieces = checked_pieces(io.BytesIO(file.data), file.name, len(file.data))
        return FileData(file.name, kind.mime, b"".join(pieces))
    except kinds.Refused as exc:
        raise ApiError(exc.status, exc.message) from exc


def save_upload(file: IO[bytes], raw_name: str | None, max_bytes: int) -> Attachment:
    """Check an uploaded file and store it for the current account (committed); ApiError when it
    is refused, with nothing stored."""
    size = file_size(file)
    _check_size(size, max_bytes)
    name = kinds.clean_name(raw_name)
    try:
        kind, pieces = checked_pieces(file, name, size)
        remove_unsent()
        attachment = Attachment(account_id=current_owner(), name=name, mime=kind.mime, size=0, created_at=utcnow())
        db.session.add(attachment)
        db.session.flush()
        for seq, chunk in enumerate(_rechunked(pieces)):
            # A Core insert: the ORM would keep every chunk's bytes in the session until commit.
            db.session.execute(insert(AttachmentChunk).values(attachment_id=attachment.id, seq=seq, data=chunk))
            attachment.size += len(chunk)  # no yield to other greenlets here: SQLite's write lock is held
    except kinds.Refused as exc:
        db.session.rollback()
        raise ApiError(exc.status, exc.message) from exc
    db.session.commit()
    return attachment


def remove_unsent() -> None:
    """Uploads never sent with a message are removed a day after they were made."""
    db.session.execute(delete(Attachment).where(Attachment.sent_at.is_(None),
                                                Attachment.created_at < utcnow() - UNSENT_KEPT))


def owned_or_404(attachment_id: object) -> Attachment:
    found = owned([attachment_id]) if isinstance(attachment_id, str) else []
    if not found:
        raise ApiError(404, NOT_FOUND)
    return found[0]


def owned(ids: list[object]) -> list[Attachment]:
    """The current account's attachments with these ids, in the order given; 404 when one is
    unknown or another account's (the same answer: an id of someone else's file says nothing)."""
    if not ids:
        return []  # most messages carry no file: no query
    wanted = [i for i in ids if isinstance(i, str) and 0 < len(i) <= 32]
    if len(wanted) != len(ids):
        raise ApiError(404, NOT_FOUND)
    rows = {a.id: a for a in db.session.scalars(
        select(Attachment).where(Attachment.id.in_(wanted), Attachment.account_id == current_owner()))}
    if any(i not in rows for i in wanted):
        raise ApiError(404, NOT_FOUND)
    return [rows[i] for i in wanted]


def check_ids(raw: object) -> list[object]:
    """The `attachments` of a chat request: a list of at most MAX_PER_MESSAGE distinct ids."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ApiError(400, "attachments must be a list of attachment ids.")
    if len(raw) > MAX_PER_MESSAGE:
        raise ApiError(400, f"A message may carry at most {MAX_PER_MESSAGE} attachments; this one has {len(raw)}.")
    if len({i if isinstance(i, str) else repr(i) for i in raw}) != len(raw):
        raise ApiError(400, "attachments names the same file twice.")
    return list(raw)


LINKING = insert(table_of(MessageAttachment))
MARKING_SENT = (update(ATTACHMENTS).where(ATTACHMENTS.c.id == bindparam(ROW_KEY), ATTACHMENTS.c.sent_at.is_(None))
                .values(sent_at=bindparam("now")))


def link(message_id: int, attachments: list[Attachment]) -> None:
    """The stored message carries these files, in this order (caller commits); they count as sent
    from now on. Core statements (db/prepared.py), in the current transaction: the files may come
    from a session closed since (POST /chat reads them, then stores its rows in a transaction of
    their own)."""
    now = utcnow()
    for position, attachment in enumerate(attachments):
        prepared.run(LINKING, {"message_id": message_id, "attachment_id": attachment.id, "position": position})
        prepared.run(MARKING_SENT, {ROW_KEY: attachment.id, "now": now})


def pieces(attachment_id: str, release: bool = False) -> Iterator[bytes]:
    """The stored bytes, one chunk per query. With `release`, the session is closed after each
    chunk, so a slow reader (a download) holds no database connection while it reads."""
    count = db.session.scalar(select(db.func.count()).select_from(AttachmentChunk)
                              .where(AttachmentChunk.attachment_id == attachment_id)) or 0
    for seq in range(count):
        data = db.session.scalar(select(AttachmentChunk.data)
                                 .where(AttachmentChunk.attachment_id == attachment_id, AttachmentChunk.seq == seq))
        if release:
            db.session.close()
        if data is not None:
            yield bytes(data)


def file_data(attachment: Attachment) -> FileData:
    return FileData(attachment.name, attachment.mime, b"".join(pieces(attachment.id)))


def files_of(messages: Iterable[Message]) -> dict[int, list[FileData]]:
    """The files each of these messages carries, with their bytes (for the upstream request)."""
    return {m.id: [file_data(a) for a in m.attachments] for m in messages if m.attachments}


def linked_to_conversation(conversation_id: str) -> list[str]:
    return linked_to_conversations([conversation_id])


def linked_to_conversations(conversation_ids: list[str]) -> list[str]:
    return list(db.session.scalars(
        select(MessageAttachment.attachment_id).distinct().join(Message, Message.id == MessageAttachment.message_id)
        .where(Message.conversation_id.in_(conversation_ids))))


def remove_unlinked(attachment_ids: list[str]) -> None:
    """Remove those of these (sent) attachments that no message carries any more (caller commits)."""
    if attachment_ids:
        db.session.execute(delete(Attachment).where(
            Attachment.id.in_(attachment_ids),
            ~exists().where(MessageAttachment.attachment_id == Attachment.id)))


def store_file(file: FileData, account_id: int | None) -> Attachment:
    """An attachment written from bytes already checked (an import), as sent (caller commits)."""
    now = utcnow()
    attachment = Attachment(account_id=account_id, name=file.name, mime=file.mime, size=len(file.data),
                            created_at=now, sent_at=now)
    db.session.add(attachment)
    db.session.flush()
    for seq, start in enumerate(range(0, len(file.data), CHUNK_BYTES)):
        db.session.execute(insert(AttachmentChunk).values(attachment_id=attachment.id, seq=seq,
                                                          data=file.data[start:start + CHUNK_BYTES]))
    return attachment


def move_all(from_account: int, to_account: int | None) -> None:
    db.session.execute(update(Attachment).where(Attachment.account_id == from_account)
                       .values(account_id=to_account))
