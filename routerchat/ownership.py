"""Whose data a request (or the work it started) may touch, decided in one place.

The login gate (views/auth.py) calls `act_as` for every request; work a request starts in the
background carries the owner over. Every query over conversations adds `owned_by_current()`, so
another account's conversation is as invisible as one that never existed.
"""
from __future__ import annotations

from typing import cast

from flask import g
from sqlalchemy import ColumnElement

from .constants import NO_ACCOUNT
from .db.models import Conversation


def act_as(account_id: int | None) -> None:
    """Choose whose conversations this app context may touch."""
    g.account_id = account_id


def current_owner() -> int | None:
    """The owning account of this request or job; None is the app without accounts."""
    return cast("int | None", g.get("account_id"))


def owned_by_current() -> ColumnElement[bool]:
    """The ownership condition for any query over conversations."""
    return Conversation.account_id == current_owner()  # None compiles to IS NULL


def preset_owner() -> int:
    """Presets (and other per-account rows keyed by an integer) of the app without accounts
    belong to NO_ACCOUNT, since a primary key cannot be NULL."""
    owner = current_owner()
    return NO_ACCOUNT if owner is None else owner
