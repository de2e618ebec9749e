"""An account's settings: its instructions for every chat, and the title model and prompt
(GET/PUT /settings). No row means the defaults; a PUT changes only the keys it names."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from .chat_options import OptionError, check_instructions
from .constants import TITLE_PROMPT_MAX_CHARS
from .db import prepared
from .db.models import AccountSettings
from .db.rows import table_of
from .errors import ApiError
from .extensions import db
from .ownership import preset_owner
from .upstream import model_id_problem

DEFAULTS: dict[str, Any] = {"instructions": "", "title_model": None, "title_prompt": None}


def _title_model(value: object) -> str | None:
    if value is None:
        return None
    problem = model_id_problem(value)
    if problem is not None or not isinstance(value, str):
        raise OptionError(f"title_model: {problem or 'must be a model id or null.'}")
    return value.strip()


def _title_prompt(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # blank: the built-in prompt
    if not isinstance(value, str):
        raise OptionError("title_prompt must be a string or null.")
    if len(value) > TITLE_PROMPT_MAX_CHARS:
        raise OptionError(f"title_prompt is {len(value):,} characters long; the limit is {TITLE_PROMPT_MAX_CHARS:,}.")
    return value


CHECKS: dict[str, Callable[[object], Any]] = {
    "instructions": lambda value: check_instructions("instructions", value),
    "title_model": _title_model,
    "title_prompt": _title_prompt,
}


SETTINGS = table_of(AccountSettings)
INSTRUCTIONS = select(SETTINGS.c.instructions).where(SETTINGS.c.account_id == bindparam("owner"))


def _stored() -> AccountSettings | None:
    return db.session.get(AccountSettings, preset_owner())


def current() -> dict[str, Any]:
    """The current account's settings (the defaults where it changed nothing)."""
    stored = _stored()
    return stored.to_dict() if stored else dict(DEFAULTS)


def instructions() -> str:
    """The current account's instructions for every chat ("" when none): one Core SELECT built
    once, as it runs before every answer's request."""
    stored: str | None = prepared.first_value(INSTRUCTIONS, {"owner": preset_owner()})
    return DEFAULTS["instructions"] if stored is None else stored


def checked_changes(body: dict[str, Any]) -> dict[str, Any]:
    """Every key of a PUT checked before anything is stored: an unknown key or a bad value is a 400."""
    unknown = sorted(set(body) - set(CHECKS))
    if unknown:
        raise ApiError(400, f"There is no setting {unknown[0]!r}; the settings are {', '.join(CHECKS)}.")
    try:
        return {name: CHECKS[name](value) for name, value in body.items()}
    except OptionError as exc:
        raise ApiError(400, str(exc)) from exc


def update(body: dict[str, Any]) -> dict[str, Any]:
    """Store the changes; when two requests create the row at once, the loser updates the winner's."""
    changes = checked_changes(body)
    for attempt in (1, 2):
        row = _stored() or AccountSettings(account_id=preset_owner(), **DEFAULTS)
        for name, value in changes.items():
            setattr(row, name, value)
        db.session.add(row)
        try:
            db.session.commit()
            return row.to_dict()
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
