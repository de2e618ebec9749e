"""Passwords: argon2 hashes, verified off the event loop, and the stamp that ends old sessions."""
from __future__ import annotations

import hashlib
from functools import cache

import gevent
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..db.models import Account
from ..errors import ApiError

PASSWORD_MIN_CHARS = 8
PASSWORD_MAX_CHARS = 1024

_hasher = PasswordHasher()


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN_CHARS:
        raise ApiError(400, f"The password must be at least {PASSWORD_MIN_CHARS} characters.")
    if len(password) > PASSWORD_MAX_CHARS:
        raise ApiError(400, f"The password must be at most {PASSWORD_MAX_CHARS} characters.")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def dummy_hash() -> str:
    """Checked when the name is unknown, so a wrong name costs as long as a wrong password."""
    return hash_password("routerchat: no such account")


def password_matches(password_hash: str, password: str) -> bool:
    """Verify in gevent's thread pool: argon2 takes ~0.1 s of CPU (without the GIL), during which
    the worker's other greenlets (everyone's streaming answers) keep running."""
    matches: bool = gevent.get_hub().threadpool.apply(_verify, (password_hash, password))
    return matches


def _verify(password_hash: str, password: str) -> bool:
    """argon2's verdict as a value: an exception leaving the pool's thread would be printed to
    stderr (with its traceback) on every wrong password."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def session_stamp(account: Account) -> str:
    """Changes whenever the password does: a session made with an older password stops working."""
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:16]


