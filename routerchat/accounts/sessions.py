"""Logins kept on the server: each session is a row (its token hashed), checked on every request.

The signed cookie alone could not be taken back: a copy kept working after logout and its expiry
slid forward with every request. Now logging out deletes the row, a password change or removal of
the account deletes all of its rows, and every session ends at a fixed time after the login,
however busy it is.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from ..db.models import Account, LoginSession, utcnow
from ..extensions import db


def _row_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(account: Account, lifetime: timedelta) -> str:
    """A new session of `account` that ends `lifetime` from now; returns the cookie's token.
    Sessions already past their end are forgotten here."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    db.session.execute(db.delete(LoginSession).where(LoginSession.expires_at <= now))
    db.session.add(LoginSession(id=_row_id(token), account_id=account.id, created_at=now, expires_at=now + lifetime))
    db.session.commit()
    return token


def is_live(token: object, account_id: int) -> bool:
    """Whether the cookie's token names a session of this account that has not ended."""
    if not isinstance(token, str) or not token:
        return False
    row = db.session.get(LoginSession, _row_id(token))
    return row is not None and row.account_id == account_id and row.expires_at > utcnow()


def end(token: object) -> None:
    if isinstance(token, str) and token:
        db.session.execute(db.delete(LoginSession).where(LoginSession.id == _row_id(token)))
        db.session.commit()


def end_all(account_id: int) -> None:
    """Every session of the account (caller commits)."""
    db.session.execute(db.delete(LoginSession).where(LoginSession.account_id == account_id))
