"""Checks of JSON values that come from outside (pure: no Flask, no database)."""
from __future__ import annotations

from typing import TypeGuard

MAX_TOKEN_COUNT = 2**31 - 1  # the largest value of an INTEGER column on PostgreSQL


def is_whole_number(value: object) -> TypeGuard[int]:
    """An int that JSON really held: `true` is an int to Python, never a count or an id here."""
    return isinstance(value, int) and not isinstance(value, bool)
