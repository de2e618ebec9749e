"""Folders (projects): an owner's named groups of chats, each with instructions for its chats.

Names are unique per owner (the database enforces it, so two racing requests cannot both win).
Deleting a folder moves its chats out of it; no chat is ever deleted with a folder.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy.exc import IntegrityError

from .. import chat_options
from ..constants import FOLDER_NAME_MAX_CHARS
from ..db.models import Conversation, Folder, new_id, utcnow
from ..errors import ApiError
from ..extensions import db
from ..ownership import preset_owner

NOT_FOUND = "No folder with this id (it may have been deleted)."
FIELDS = frozenset({"name", "instructions"})


def check_name(name: object) -> str:
    """1-100 characters once surrounding spaces are dropped, no control or invisible format characters."""
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "The folder name must be a non-empty string.")
    name = name.strip()
    if len(name) > FOLDER_NAME_MAX_CHARS:
        raise ApiError(400, f"The folder name must be at most {FOLDER_NAME_MAX_CHARS} characters.")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ApiError(400, "The folder name must not contain control characters.")
    return name


def check_instructions(instructions: object) -> str:
    """Text for the folder's chats (null clears it); at most 8,000 characters."""
    try:
        return chat_options.check_instructions("instructions", instructions, nullable=True) or ""
    except chat_options.OptionError as exc:
        raise ApiError(400, str(exc)) from exc


def all_folders() -> list[Folder]:
    return list(db.session.scalars(
        db.select(Folder).where(Folder.account_id == preset_owner()).order_by(Folder.name, Folder.id)))


def owned_or_404(folder_id: object) -> Folder:
    """The current owner's folder; another account's id is as unknown as one that never existed."""
    folder: Folder | None = None
    if isinstance(folder_id, str) and 0 < len(folder_id) <= 64:
        folder = db.session.scalar(
            db.select(Folder).where(Folder.id == folder_id, Folder.account_id == preset_owner()))
    if folder is None:
        raise ApiError(404, NOT_FOUND)
    return folder


def by_name(name: str) -> Folder | None:
    folder: Folder | None = db.session.scalar(
        db.select(Folder).where(Folder.account_id == preset_owner(), Folder.name == name))
    return folder


def _checked(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise ApiError(400, f"Unknown field: {unknown[0]} (a folder has a name and instructions).")
    if creating and "name" not in body:
        raise ApiError(400, "The folder name must be a non-empty string.")
    changes: dict[str, Any] = {}
    if "name" in body:
        changes["name"] = check_name(body["name"])
    if "instructions" in body:
        changes["instructions"] = check_instructions(body["instructions"])
    return changes


def _refuse_taken(name: str) -> None:
    if by_name(name) is not None:
        raise ApiError(409, f"You already have a folder named “{name}”.")


def _commit_unique(name: str) -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same name, taken a moment ago by another request
        db.session.rollback()
        raise ApiError(409, f"You already have a folder named “{name}”.") from exc


def create(body: dict[str, Any]) -> Folder:
    changes = _checked(body, creating=True)
    _refuse_taken(changes["name"])
    folder = add_unchecked(changes["name"], changes.get("instructions", ""))
    _commit_unique(folder.name)
    return folder


def add_unchecked(name: str, instructions: str = "") -> Folder:
    """A new folder of the current owner from a checked, free name (caller commits)."""
    folder = Folder(id=new_id(), account_id=preset_owner(), name=name, instructions=instructions,
                    created_at=utcnow())
    db.session.add(folder)
    return folder


def update(folder: Folder, body: dict[str, Any]) -> Folder:
    changes = _checked(body, creating=False)
    if changes.get("name", folder.name) != folder.name:
        _refuse_taken(changes["name"])
    for field, value in changes.items():
        setattr(folder, field, value)
    _commit_unique(folder.name)
    return folder


def delete(folder: Folder) -> None:
    """The folder goes; its chats stay, outside any folder."""
    db.session.execute(db.update(Conversation).where(Conversation.folder_id == folder.id).values(folder_id=None))
    db.session.delete(folder)
    db.session.commit()
