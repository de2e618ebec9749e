"""Accounts in the database: names, adding, removing, changing passwords, and the login (with its
throttle: failures are counted in the database, so the limit holds across worker processes)."""
from __future__ import annotations

import unicodedata
from datetime import timedelta

from ..constants import ACCOUNT_NAME_MAX_CHARS, NO_ACCOUNT
from ..db.models import Account, Conversation, LoginFailure, Preset, utcnow
from ..errors import ApiError
from ..extensions import db
from .passwords import check_password, dummy_hash, hash_password, password_matches

FAILED_LOGINS_PER_MINUTE = 10
THROTTLE_WINDOW = timedelta(minutes=1)


def check_name(name: object) -> str:
    """A name as typed at login: 1-64 characters, no control or invisible format characters."""
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "The name must not be empty.")
    if name != name.strip():
        raise ApiError(400, "The name must not start or end with spaces.")
    if len(name) > ACCOUNT_NAME_MAX_CHARS:
        raise ApiError(400, f"The name must be at most {ACCOUNT_NAME_MAX_CHARS} characters.")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ApiError(400, "The name must not contain control characters.")
    return name


def any_exist() -> bool:
    return db.session.scalar(db.select(Account.id).limit(1)) is not None


def find(name: str) -> Account | None:
    account: Account | None = db.session.scalar(db.select(Account).where(Account.name == name))
    return account


def named(name: str) -> Account:
    account = find(name)
    if account is None:
        raise ApiError(404, f"There is no account named “{name}”.")
    return account


def all_accounts() -> list[Account]:
    return list(db.session.scalars(db.select(Account).order_by(Account.id)))


def check_new_name(name: object) -> str:
    name = check_name(name)
    if find(name) is not None:
        raise ApiError(409, f"An account named “{name}” already exists.")
    return name


def add(name: object, password: object) -> Account:
    """Create an account; the first one becomes the admin and takes over the data made without accounts."""
    name, password = check_new_name(name), check_password(password)
    first = not any_exist()
    account = Account(name=name, password_hash=hash_password(password), is_admin=first, created_at=utcnow())
    db.session.add(account)
    db.session.flush()
    if first:
        _adopt_unowned_data(account.id)
    db.session.commit()
    return account


def _adopt_unowned_data(account_id: int) -> None:
    db.session.execute(db.update(Conversation).where(Conversation.account_id.is_(None))
                       .values(account_id=account_id))
    db.session.execute(db.update(Preset).where(Preset.account_id == NO_ACCOUNT).values(account_id=account_id))


def set_password(name: str, password: object) -> None:
    named(name).password_hash = hash_password(check_password(password))
    db.session.commit()


def remove(name: str, keep_conversations: bool) -> int:
    """Remove an account and its presets; its conversations are deleted, or kept by the admin
    (or, when it was the last account, by the app without accounts). Returns how many moved or went."""
    account = named(name)
    owned = Conversation.account_id == account.id
    count = db.session.scalar(db.select(db.func.count()).select_from(Conversation).where(owned)) or 0
    successor = db.session.scalar(db.select(Account).where(Account.id != account.id).order_by(Account.id).limit(1))
    if keep_conversations:
        db.session.execute(db.update(Conversation).where(owned)
                           .values(account_id=successor.id if successor else None))
    else:
        db.session.execute(db.delete(Conversation).where(owned))  # messages go with them (ON DELETE CASCADE)
    db.session.execute(db.delete(Preset).where(Preset.account_id == account.id))
    if account.is_admin and successor is not None:
        successor.is_admin = True
    db.session.delete(account)
    db.session.commit()
    return count


def authenticate(name: object, password: object, address: str) -> Account:
    """The account for this name and password, or an ApiError (401 wrong, 429 too many failures)."""
    if not isinstance(name, str) or not isinstance(password, str) or not name or not password:
        raise ApiError(400, "Send {\"username\": ..., \"password\": ...} as non-empty strings.")
    if recent_failures(address) >= FAILED_LOGINS_PER_MINUTE:
        raise ApiError(429, "Too many failed logins from your address. Wait a minute and try again.")
    account = find(name)
    if not password_matches(account.password_hash if account else dummy_hash(), password) or account is None:
        _record_failure(address)
        raise ApiError(401, "Wrong name or password.")
    return account


def recent_failures(address: str) -> int:
    since = utcnow() - THROTTLE_WINDOW
    return db.session.scalar(db.select(db.func.count()).select_from(LoginFailure)
                             .where(LoginFailure.address == address, LoginFailure.at > since)) or 0


def _record_failure(address: str) -> None:
    """Count the failure (in the database: every worker sees it) and forget ones past the window."""
    now = utcnow()
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.at <= now - THROTTLE_WINDOW))
    db.session.add(LoginFailure(address=address[:64], at=now))
    db.session.commit()
