"""PATCH /conversation/<id>: every field a person may change on a chat, in one table.

Each field has a check that takes the conversation and the sent value and returns the change to
make (or raises an ApiError that says what is wrong). All fields of a request are checked before
any change is made, so a refused request changes nothing. A new field is one more entry in FIELDS.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import conversations
from .chat_options import OptionError, changed_params, check_instructions
from .db.models import Conversation
from .errors import ApiError
from .extensions import db
from .organise import folders

Change = Callable[[Conversation], None]
FieldCheck = Callable[[Conversation, object], Change]


def _title(conversation: Conversation, value: object) -> Change:
    title = conversations.check_title(value)
    return lambda c: conversations.rename(c, title)


def _system_prompt(conversation: Conversation, value: object) -> Change:
    prompt = _option(lambda: check_instructions("system_prompt", value, nullable=True))
    return lambda c: setattr(c, "system_prompt", prompt)  # kept as written; a blank one adds nothing upstream


def _params(conversation: Conversation, value: object) -> Change:
    if value is None:  # null removes them all
        return lambda c: setattr(c, "params", None)
    params = _option(lambda: changed_params(conversation.params, value))
    return lambda c: setattr(c, "params", params or None)


def _flag(name: str) -> FieldCheck:
    """pinned, archived: strictly true or false (a 1, "true" or null is a 400)."""
    def check(conversation: Conversation, value: object) -> Change:
        if not isinstance(value, bool):
            raise ApiError(400, f"{name} must be true or false.")
        return lambda c: setattr(c, name, value)
    return check


def _folder(conversation: Conversation, value: object) -> Change:
    """null takes the chat out of its folder; an id must be one of the owner's folders (else 404)."""
    folder_id = None if value is None else folders.owned_or_404(value).id
    return lambda c: setattr(c, "folder_id", folder_id)


def _option(check: Callable[[], Any]) -> Any:
    try:
        return check()
    except OptionError as exc:
        raise ApiError(400, str(exc)) from exc


FIELDS: dict[str, FieldCheck] = {
    "title": _title,
    "system_prompt": _system_prompt,
    "params": _params,
    "pinned": _flag("pinned"),
    "archived": _flag("archived"),
    "folder_id": _folder,
}


def apply(conversation: Conversation, body: dict[str, Any]) -> dict[str, Any]:
    """Check every field of the body, then change them all in one commit; the changed chat."""
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise ApiError(400, f"A conversation has no field {unknown[0]!r} to change; "
                            f"the fields are {', '.join(FIELDS)}.")
    if not body:
        raise ApiError(400, f"Send at least one of {', '.join(FIELDS)}.")
    changes = [FIELDS[name](conversation, value) for name, value in body.items()]
    for change in changes:
        change(conversation)
    db.session.commit()
    return {**conversation.summary(), **conversation.options()}
